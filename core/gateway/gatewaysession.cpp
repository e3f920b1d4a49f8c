// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewaysession.h"

#include "gateway/backendconnector.h"
#include "gateway/descriptorio.h"
#include "gateway/epolleventdispatcher.h"
#include "gateway/gatewayworker.h"
#include "gateway/messagerecord.h"
#include "gateway/relayleg.h"
#include "gateway/websocketcodec.h"

#include <QDateTime>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QTimerEvent>
#include <QUrl>

#include <cerrno>
#include <chrono>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gatehouse::Gateway {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Wall-clock milliseconds (since the epoch) for a steady-clock reading. The offset
// between the clocks is read once a second per thread: a wall-clock reading for
// every event cost as much as the rest of a relayed message's event.
qint64 wallMs(qint64 steadyNs)
{
    thread_local qint64 offsetNs = 0;
    thread_local qint64 refreshedNs = 0;
    thread_local bool known = false;
    if (!known || steadyNs - refreshedNs >= 1'000'000'000 || steadyNs < refreshedNs) {
        const qint64 wallNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        const qint64 steady = nowNs();
        offsetNs = wallNs - steady;
        refreshedNs = steady;
        known = true;
    }
    return (steadyNs + offsetNs) / 1'000'000;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return status >= 500 ? "Server Error" : "Client Error";
    }
}

bool headerHasToken(QByteArrayView value, QByteArrayView token)
{
    qsizetype from = 0;
    while (from <= value.size()) {
        qsizetype comma = value.indexOf(',', from);
        if (comma < 0)
            comma = value.size();
        if (value.sliced(from, comma - from).trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
        from = comma + 1;
    }
    return false;
}

// `target` (path?query) without the query parameters named in `names`.
QByteArray withoutQueryParameters(const QByteArray &target, const QStringList &names)
{
    const qsizetype q = target.indexOf('?');
    if (q < 0 || names.isEmpty())
        return target;
    QByteArray out = target.left(q);
    QByteArray query;
    for (const QByteArray &pair : target.mid(q + 1).split('&')) {
        const qsizetype eq = pair.indexOf('=');
        const QString name = QUrl::fromPercentEncoding(eq < 0 ? pair : pair.left(eq));
        if (pair.isEmpty() || names.contains(name, Qt::CaseInsensitive))
            continue;
        query += (query.isEmpty() ? "" : "&") + pair;
    }
    return query.isEmpty() ? out : out + '?' + query;
}

int index(Direction d)
{
    return d == Direction::ClientToBackend ? 0 : 1;
}

// A copy of a relayed payload to keep after the message handler returns: the leg
// hands on views of its read buffer (QByteArray::fromRawData), which are copied;
// a buffer of its own is shared.
QByteArray kept(const QByteArray &payload)
{
    QByteArray copy = payload;
    if (!copy.data_ptr().isMutable())
        copy.detach();
    return copy;
}

} // namespace

GatewaySession::GatewaySession(quint64 id, QTcpSocket *socket,
                               std::shared_ptr<GatewayShared> shared, GatewayWorker *worker)
    : QObject(nullptr) // the worker owns it (not as a child: see GatewayWorker::m_sessions)
    , m_shared(std::move(shared))
    , m_worker(worker)
    , m_socket(socket)
    , m_dropConnector(this, [this] { delete std::exchange(m_retiredConnector, nullptr); })
{
    // the idle and delay timers are made when first needed: most connections never
    // use them, and thousands of idle connections should cost little memory
    m_context->connectionId = id;
    socket->setParent(this);
}

GatewaySession::GatewaySession(quint64 id, const AcceptedConnection &connection,
                               std::shared_ptr<GatewayShared> shared, GatewayWorker *worker)
    : QObject(nullptr) // the worker owns it (not as a child: see GatewayWorker::m_sessions)
    , m_shared(std::move(shared))
    , m_worker(worker)
    , m_fd(int(connection.descriptor))
    , m_fdPrepared(connection.prepared)
    , m_dropConnector(this, [this] { delete std::exchange(m_retiredConnector, nullptr); })
{
    m_context->connectionId = id;
    m_context->request.peerAddress = connection.peerAddress;
    m_context->request.peerPort = connection.peerPort;
}

GatewaySession::~GatewaySession()
{
    flushRun();
    if (m_run.listed)
        m_worker->runForgotten(this);
    if (m_countedOpen)
        m_shared->openConnections.fetch_sub(1, std::memory_order_relaxed);
    if (m_countedPending)
        m_shared->pendingHandshakes.fetch_sub(1, std::memory_order_relaxed);
    releasePolicies();
    closeClient();
}

void GatewaySession::start()
{
    m_countedPending = true;
    m_shared->pendingHandshakes.fetch_add(1, std::memory_order_relaxed);
    if (m_fd >= 0) {
        startBare();
        return;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(m_shared->options.readBufferBytes);
    setPeer(m_socket->peerAddress(), m_socket->peerPort());
    m_context->request.secure = qobject_cast<QSslSocket *>(m_socket.data()) != nullptr;
    if (m_context->request.secure)
        m_context->flags.append(QStringLiteral("tls"));

    connect(m_socket, &QIODevice::readyRead, this, &GatewaySession::handleClientReadyRead);
    connect(m_socket, &QAbstractSocket::disconnected, this, &GatewaySession::handleClientGone);
    m_timer.start(m_shared->options.handshakeTimeoutMs, this);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &GatewaySession::handleClientGone, Qt::QueuedConnection);
    else if (m_socket->bytesAvailable())
        QMetaObject::invokeMethod(this, &GatewaySession::handleClientReadyRead,
                                  Qt::QueuedConnection);
}

void GatewaySession::setPeer(QHostAddress address, quint16 port)
{
    // a dual-stack listener's IPv4 client arrives IPv4-mapped: shown and matched as IPv4
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (isV4)
            address = QHostAddress(v4);
    }
    m_clientAddress = address.toString() + u':' + QString::number(port);
    m_context->request.peerAddress = std::move(address);
    m_context->request.peerPort = port;
}

void GatewaySession::startBare()
{
    QHostAddress peer = m_context->request.peerAddress;
    quint16 port = m_context->request.peerPort;
    if (!m_fdPrepared) { // (the listener does all this for its connections)
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setSocketBuffers(m_fd, m_shared->options.socketBufferBytes);
        ::fcntl(m_fd, F_SETFL, O_NONBLOCK); // the only status flag a socket here carries
        sockaddr_storage address {};
        socklen_t length = sizeof address;
        if (::getpeername(m_fd, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
            peer = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
            port = portOf(address);
        }
    }
    setPeer(peer, port);
    m_context->request.secure = false;

    m_timer.start(m_shared->options.handshakeTimeoutMs, this);
    m_clientWatch.start(m_fd, this, true, false);
    handleClientReadable(); // the request has usually arrived by now
}

bool GatewaySession::clientConnected() const
{
    if (m_socket)
        return m_socket->state() == QAbstractSocket::ConnectedState;
    return m_fd >= 0;
}

qsizetype GatewaySession::readClient(char *buffer, qsizetype size)
{
    ssize_t n = 0;
    do
        n = ::read(m_fd, buffer, size_t(size));
    while (n < 0 && errno == EINTR);
    if (n > 0)
        return n;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    // end of stream or an error: the client is gone (the descriptor goes at once, a
    // level-triggered notifier would report the end again and again)
    closeClient();
    handleClientGone();
    return -1;
}

void GatewaySession::handleClientReadable()
{
    if (m_fd < 0)
        return;
    static thread_local char buffer[16 * 1024];
    const qsizetype size = qsizetype(sizeof buffer);
    switch (m_state) {
    case State::ReadingRequest: {
        // up to the limit, so that an oversized request is noticed (431)
        const qsizetype room = m_shared->options.maxRequestHeaderBytes + 1 - m_buffer.size();
        const qsizetype n = readClient(buffer, qBound<qsizetype>(1, room, size));
        if (n <= 0)
            return;
        m_buffer.append(buffer, n);
        processRequestBuffer();
        return;
    }
    case State::Connecting: {
        // frames sent before the upgrade completed, kept for the relay (bounded: the
        // kernel holds the rest back until the client leg reads again)
        const qsizetype room = m_shared->options.readBufferBytes - m_buffer.size();
        if (room <= 0) {
            m_clientWatch.setReadEnabled(false); // the client leg turns it on again
            return;
        }
        const qsizetype n = readClient(buffer, qMin(room, size));
        if (n > 0)
            m_buffer.append(buffer, n);
        return;
    }
    default: // a rejection is on its way out: what the client sends is discarded
        readClient(buffer, size);
        return;
    }
}

bool GatewaySession::flushClient()
{
    if (m_fd < 0)
        return false;
    switch (sendPending(m_fd, m_out, &m_outOffset)) {
    case SendResult::Done:
        break;
    case SendResult::WouldBlock:
        // the kernel buffer is full: go on when it has room
        m_clientWatch.setWriteEnabled(true);
        return false;
    case SendResult::Failed:
        closeClient(); // the client is gone (EPIPE, ECONNRESET, ...)
        return false;
    }
    m_out = QByteArray();
    m_outOffset = 0;
    return m_fd >= 0;
}

void GatewaySession::handleClientWritable()
{
    if (m_state != State::Rejected)
        return;
    if (flushClient() || m_fd < 0)
        endRejection();
}

void GatewaySession::endRejection()
{
    // The answer is with the kernel. Closing while the client still sends would
    // reset the connection, and a reset can destroy the answer before the client
    // read it: if input is still coming, send FIN, discard what arrives and close
    // at the client's end of stream (or after the close timeout).
    m_clientWatch.setWriteEnabled(false); // writable all the time from now on
    if (m_fd >= 0) {
        static thread_local char sink[16 * 1024];
        bool more = false;
        ssize_t n = 0;
        for (int round = 0; round < 4; ++round) {
            n = ::read(m_fd, sink, sizeof sink);
            if (n <= 0)
                break;
            more = true;
        }
        const bool ended = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        if (more && !ended) {
            ::shutdown(m_fd, SHUT_WR);
            m_timer.start(m_shared->options.closeTimeoutMs, this);
            return; // handleClientReadable() discards the rest and sees the end
        }
    }
    closeClient();
    finish();
}

void GatewaySession::closeClient()
{
    if (m_fd < 0)
        return;
    // the watch goes with the descriptor (no epoll_ctl: the close removes it)
    m_clientWatch.closeDescriptor(m_fd);
    m_fd = -1;
    m_out = QByteArray();
    m_outOffset = 0;
}

void GatewaySession::descriptorReadable()
{
    handleClientReadable();
}

void GatewaySession::descriptorWritable()
{
    handleClientWritable();
}

void GatewaySession::legPingReceived(RelayLeg *leg, const QByteArray &payload)
{
    if (leg == m_client) {
        m_backend->sendPing(payload);
        recordPing(Direction::ClientToBackend, payload);
    } else {
        m_client->sendPing(payload);
        recordPing(Direction::BackendToClient, payload);
    }
}

void GatewaySession::legCloseReceived(RelayLeg *leg, quint16 code, const QString &reason)
{
    handleCloseReceived(leg == m_client ? Leg::Client : Leg::Backend, code, reason);
}

void GatewaySession::legProtocolError(RelayLeg *leg, quint16 code, const QString &reason)
{
    handleProtocolError(leg == m_client ? Leg::Client : Leg::Backend, code, reason);
}

void GatewaySession::legFinished(RelayLeg *leg, bool clean)
{
    handleLegFinished(leg == m_client ? Leg::Client : Leg::Backend, clean);
}

void GatewaySession::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_idleTick.timerId()) {
        checkIdle();
        return;
    }
    if (event->timerId() != m_timer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_timer.stop(); // one shot
    switch (m_state) {
    case State::ReadingRequest:
        reject(408,
               QStringLiteral("no complete request within %1 ms")
                   .arg(m_shared->options.handshakeTimeoutMs));
        break;
    case State::Rejected: // the answer did not leave in time: drop the connection
        if (m_socket) {
            m_socket->abort();
        } else if (m_fd >= 0) {
            closeClient();
            finish();
        }
        break;
    case State::Open:
    case State::Closing:
        shutdown(1001, QStringLiteral("connection lifetime reached"));
        break;
    case State::Connecting:
    case State::Done:
        break;
    }
}

GatewayEvent GatewaySession::event(GatewayEvent::Type type) const
{
    return event(type, nowNs());
}

GatewayEvent GatewaySession::event(GatewayEvent::Type type, qint64 steadyNs) const
{
    // an opened connection's events share the template's details, its close included
    if (m_state == State::Open || m_state == State::Closing
        || (m_state == State::Done && m_client)) {
        GatewayEvent e = m_eventTemplate;
        e.type = type;
        e.timeMs = wallMs(steadyNs);
        return e;
    }
    GatewayEvent e;
    e.type = type;
    e.timeMs = wallMs(steadyNs);
    e.connectionId = m_context->connectionId;
    GatewayEvent::Details &d = e.editDetails(); // fresh; the template's copies share them
    d.api = m_context->route.apiKey;
    if (m_context->route.api)
        d.apiTitle = m_context->route.api->title;
    if (m_context->route.channel)
        d.channel = m_context->route.channel->address;
    d.path = m_context->request.path;
    d.application = m_context->identity.applicationId;
    d.clientAddress = m_clientAddress;
    if (!m_backendTarget.isEmpty()) // byte for byte what is (or would be) sent
        d.backendUrl = m_backendOrigin
            + QString::fromUtf8(withoutQueryParameters(m_backendTarget, credentialQuery()));
    d.flags = m_context->flags;
    return e;
}

bool GatewaySession::snapshot(ConnectionSnapshot *out) const
{
    if (m_state != State::Open)
        return false;
    const ConnectionContext &c = *m_context;
    out->id = c.connectionId;
    out->api = c.route.apiKey;
    out->apiTitle = c.route.api ? c.route.api->title : QString();
    out->channel = c.route.channel ? c.route.channel->address : QString();
    out->path = c.request.path;
    out->application = c.identity.applicationId;
    out->applicationName = c.identity.applicationName;
    out->clientAddress = m_clientAddress;
    out->openedAtMs
        = QDateTime::currentMSecsSinceEpoch() - (m_openedAt.isValid() ? m_openedAt.elapsed() : 0);
    out->messagesIn = m_messages[0];
    out->messagesOut = m_messages[1];
    out->bytesIn = m_bytes[0];
    out->bytesOut = m_bytes[1];
    return true;
}

QStringList GatewaySession::credentialQuery() const
{
    return m_context->attributes.value(QStringLiteral("gatehouse.credentialQuery")).toStringList();
}

void GatewaySession::updateEventTemplate()
{
    State saved = m_state;
    m_state = State::Connecting; // build from the context, not from the template
    m_eventTemplate = event(GatewayEvent::Type::MessageRelayed);
    m_state = saved;
}

void GatewaySession::record(GatewayEvent &&e)
{
    flushRun(); // the connection's messages before what follows them
    m_worker->record(std::move(e));
}

// ---- handshake -----------------------------------------------------------------

void GatewaySession::handleClientReadyRead()
{
    if (m_state != State::ReadingRequest || !m_socket)
        return;
    const qsizetype max = m_shared->options.maxRequestHeaderBytes;
    // read what is there, up to the limit (read(max) would allocate max bytes each time)
    m_buffer += m_socket->read(qMin(m_socket->bytesAvailable(), max + 1 - m_buffer.size()));
    processRequestBuffer();
}

void GatewaySession::processRequestBuffer()
{
    const qsizetype max = m_shared->options.maxRequestHeaderBytes;
    // into the context (whose peer fields are set): no request to copy afterwards
    const auto result = HandshakeRequest::parse(m_buffer, max, &m_context->request);
    switch (result.status) {
    case HandshakeRequest::ParseStatus::Incomplete:
        return;
    case HandshakeRequest::ParseStatus::Malformed:
        reject(400, result.error);
        return;
    case HandshakeRequest::ParseStatus::TooLarge:
        reject(431, result.error);
        return;
    case HandshakeRequest::ParseStatus::Complete:
        break;
    }
    // frames a client sent right after its request; usually nothing
    m_buffer = result.consumed < m_buffer.size() ? m_buffer.mid(result.consumed) : QByteArray();
    m_timer.stop();
    m_requestReadNs = nowNs();
    handleRequest();
}

void GatewaySession::handleRequest()
{
    const HandshakeRequest &req = m_context->request;
    m_router = m_shared->router();
    if (!m_router) {
        reject(503, QStringLiteral("gateway is not serving"));
        return;
    }

    const bool wantsWebSocket = headerHasToken(req.header("Upgrade"), "websocket");
    if (!wantsWebSocket) {
        QString text = QStringLiteral("This is a Gatehouse WebSocket gateway; connect with a "
                                      "WebSocket client. APIs served:\n");
        for (const QString &line : m_router->describe(m_worker->listenerIndex(this)))
            text += QStringLiteral("  ") + line + u'\n';
        reject(426, text, {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}});
        return;
    }
    if (req.method != "GET") {
        reject(405, QStringLiteral("a WebSocket upgrade must use GET"), {{"Allow", "GET"}});
        return;
    }
    if (req.header("Sec-WebSocket-Version").trimmed() != "13") {
        reject(426,
               QStringLiteral("unsupported Sec-WebSocket-Version '%1'; this gateway speaks 13")
                   .arg(QString::fromLatin1(req.header("Sec-WebSocket-Version"))),
               {{"Sec-WebSocket-Version", "13"}});
        return;
    }
    if (!headerHasToken(req.header("Connection"), "upgrade")) {
        reject(400, QStringLiteral("Connection header lacks 'Upgrade'"));
        return;
    }
    const QByteArray key = req.header("Sec-WebSocket-Key").trimmed();
    if (QByteArray::fromBase64(key).size() != 16) {
        reject(400, QStringLiteral("missing or invalid Sec-WebSocket-Key"));
        return;
    }
    if (req.httpVersion == "HTTP/1.1" && !req.hasHeader("Host")) {
        reject(400, QStringLiteral("missing Host header"));
        return;
    }

    Router::Result route = m_router->route(req, m_worker->listenerIndex(this));
    if (route.status != 0) {
        reject(route.status, route.reason);
        return;
    }
    m_context->route = route.match;
    m_backendTarget = route.backendTarget;
    m_backendOrigin = route.backendOrigin;
    m_policies = &route.channel->policies;
    // the API's x-gatehouse keep-alive settings over the gateway's (a policy may still
    // set a shorter idle timeout)
    {
        const GatewayOptions &o = m_shared->options;
        const int idle = route.api->idleTimeoutMs >= 0 ? route.api->idleTimeoutMs : o.idleTimeoutMs;
        m_context->idleTimeout = std::chrono::milliseconds(idle);
        m_forwardPings
            = route.api->forwardPings >= 0 ? route.api->forwardPings == 1 : o.forwardPings;
    }

    for (const auto &policy : m_policies->connection) {
        const ConnectionDecision decision = policy->evaluate(*m_context);
        if (!decision.allowed()) {
            reject(decision.status, decision.reason.isEmpty() ? policy->name() : decision.reason,
                   decision.headers);
            return;
        }
        m_allowed.append(policy);
    }
    // credentials a policy found in the query under names of its own settings
    m_backendTarget = withoutQueryParameters(m_backendTarget, credentialQuery());
    // the largest wish wins (-1: all of it)
    auto widest = [](qint64 a, qint64 b) { return a < 0 || b < 0 ? -1 : qMax(a, b); };
    PayloadLogDecision::Settings payloadLog;
    payloadLog.policyBytes = m_shared->options.eventPayloadBytes;
    qint64 granted = 0;
    for (const auto &p : m_policies->message) {
        payloadLog.policyBytes = widest(payloadLog.policyBytes, p->eventPayloadBytes());
        payloadLog.sample = qMax(payloadLog.sample, p->payloadSample());
        granted = widest(granted, p->grantedPayloadBytes());
        m_timeEachMessage = m_timeEachMessage || p->readsPayload();
    }
    payloadLog.grantedBytes = widest(granted == 0 ? PayloadLogGrants::DefaultPayloadBytes : granted,
                                     m_shared->options.eventPayloadBytes);
    m_payloadLog.setUp(payloadLog, recording() ? m_shared->payloadLogGrants.get() : nullptr,
                       m_context.get());
    connectBackend();
}

void GatewaySession::reject(int status, const QString &reason,
                            const QList<QPair<QByteArray, QByteArray>> &headers)
{
    if (m_state == State::Rejected || m_state == State::Done)
        return;
    m_state = State::Rejected;
    releasePolicies();
    GatewayEvent e = event(GatewayEvent::Type::ConnectionRejected);
    e.status = status;
    if (m_requestReadNs > 0)
        e.latencyUs = (nowNs() - m_requestReadNs) / 1000;
    e.reason = reason.section(u'\n', 0, 0);
    record(std::move(e));

    if (!clientConnected()) {
        closeClient();
        finish();
        return;
    }
    const QByteArray body = reason.toUtf8() + (reason.endsWith(u'\n') ? "" : "\n");
    QByteArray response
        = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    response += "Content-Type: text/plain; charset=utf-8\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    response += "Connection: close\r\n";
    for (const auto &h : headers) {
        if (HandshakeRequest::sameName(h.first, "Connection"))
            continue;
        response += h.first + ": " + h.second + "\r\n";
    }
    response += "\r\n" + body;
    if (m_socket) {
        m_socket->write(response);
        m_socket->disconnectFromHost();
        if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
            m_timer.start(m_shared->options.closeTimeoutMs, this); // linger, then drop
        return;
    }
    m_out = response;
    m_outOffset = 0;
    if (flushClient() || m_fd < 0) {
        endRejection();
        return;
    }
    m_timer.start(m_shared->options.closeTimeoutMs, this); // linger, then drop
}

void GatewaySession::connectBackend()
{
    m_state = State::Connecting;
    const HandshakeRequest &req = m_context->request;
    const Router::ApiRoute *api = nullptr;
    for (const auto &a : m_router->apis())
        if (a.api == m_context->route.api)
            api = &a;
    Q_ASSERT(api);

    BackendConnector::Request br;
    br.secure = api->endpointSecure;
    br.host = api->endpointHost;
    br.port = api->endpointPort;
    br.hostHeader = api->endpointHostHeader;
    br.verifyPeer = api->verifyBackendTls;
    br.target = m_backendTarget;
    br.subprotocols = req.subprotocols();
    br.timeoutMs = m_shared->options.backendTimeoutMs;
    br.socketBufferBytes = m_shared->options.socketBufferBytes;

    br.headers.reserve(4 + api->forwardHeaders.size());
    // (names as literals: no allocation each)
    if (req.hasHeader("Origin"))
        br.headers.append({QByteArrayLiteral("Origin"), req.header("Origin")});
    QByteArray xff = req.header("X-Forwarded-For");
    // the peer's address as m_clientAddress spells it (address:port)
    const qsizetype colon = m_clientAddress.lastIndexOf(u':');
    const QByteArray peer
        = (colon < 0 ? QStringView(m_clientAddress) : QStringView(m_clientAddress).first(colon))
              .toLatin1();
    xff = xff.isEmpty() ? peer : xff + ", " + peer;
    br.headers.append({QByteArrayLiteral("X-Forwarded-For"), xff});
    br.headers.append({QByteArrayLiteral("X-Forwarded-Proto"),
                       req.secure ? QByteArrayLiteral("wss") : QByteArrayLiteral("ws")});
    if (req.hasHeader("Host"))
        br.headers.append({QByteArrayLiteral("X-Forwarded-Host"), req.header("Host")});
    static const QList<QByteArray> neverForwarded = {"host",
                                                     "upgrade",
                                                     "connection",
                                                     "sec-websocket-key",
                                                     "sec-websocket-version",
                                                     "sec-websocket-protocol",
                                                     "sec-websocket-extensions",
                                                     "origin",
                                                     "x-forwarded-for",
                                                     "x-forwarded-proto",
                                                     "x-forwarded-host",
                                                     "forwarded", // its for= would be believed
                                                     "content-length",
                                                     "transfer-encoding"};
    for (const QByteArray &name : api->forwardHeaders) {
        if (neverForwarded.contains(name.toLower())
            || m_context->withheldHeaders.contains(name.toLower()))
            continue;
        for (const auto &h : req.headers)
            if (HandshakeRequest::sameName(h.first, name))
                br.headers.append(h);
    }

    m_connector = new BackendConnector(this, this);
    m_connector->start(br);
}

void GatewaySession::retireConnector()
{
    // deleted on the next turn: this may run inside one of its calls
    m_retiredConnector = std::exchange(m_connector, nullptr);
    m_dropConnector.schedule();
}

void GatewaySession::backendFailed(int status, const QString &reason)
{
    if (m_connector) {
        if (m_connector->outOfDescriptors())
            m_worker->countDescriptorRefusal();
        retireConnector();
    }
    reject(status, reason);
}

void GatewaySession::backendConnected()
{
    if (!clientConnected()) {
        m_connector->abort(); // closes the backend connection
        retireConnector();
        handleClientGone();
        return;
    }
    const QString subprotocol = m_connector->subprotocol();

    // Complete the client's upgrade now that the backend is there (step 6).
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: "
        + WebSocketCodec::acceptKey(m_context->request.header("Sec-WebSocket-Key")) + "\r\n";
    if (!subprotocol.isEmpty())
        response += "Sec-WebSocket-Protocol: " + subprotocol.toLatin1() + "\r\n";
    response += "\r\n";

    const GatewayOptions &o = m_shared->options;
    if (m_socket) {
        m_socket->write(response);
        m_socket->disconnect(this);
        m_client = new RelayLeg(m_socket, WebSocketCodec::Role::Server, o.readBufferBytes,
                                o.closeTimeoutMs, this);
        m_socket = nullptr;
    } else {
        qsizetype sent = 0; // what the kernel does not take now, the client leg sends
        if (sendPending(m_fd, response, &sent) == SendResult::Failed) {
            closeClient(); // the client is gone
            m_connector->abort();
            retireConnector();
            handleClientGone();
            return;
        }
        m_client = new RelayLeg(std::move(m_clientWatch), WebSocketCodec::Role::Server,
                                o.closeTimeoutMs, response.mid(sent), this);
        m_fd = -1;
    }
    const QByteArray backendLeftover = m_connector->leftover();
    if (m_connector->isBare()) {
        m_backend = new RelayLeg(m_connector->takeWatch(), WebSocketCodec::Role::Client,
                                 o.closeTimeoutMs, {}, this);
    } else {
        m_backend = new RelayLeg(m_connector->takeSocket(), WebSocketCodec::Role::Client,
                                 o.readBufferBytes, o.closeTimeoutMs, this);
    }
    retireConnector();
    m_client->setPeer(m_backend); // (and the backend's peer is the client)

    qint64 limit[2] = {o.maxMessageBytes, o.maxMessageBytes};
    for (const auto &p : m_policies->message)
        for (int d = 0; d < 2; ++d) {
            const qint64 l = p->maxMessageSize(d == 0 ? Direction::ClientToBackend
                                                      : Direction::BackendToClient);
            if (l >= 0 && (limit[d] < 0 || l < limit[d]))
                limit[d] = l;
        }
    m_client->setMaxMessageSize(limit[0]);
    m_backend->setMaxMessageSize(limit[1]);
    // each leg reads no more than the other has room for under the outgoing limit
    m_client->setPeerOutputLimit(o.highWaterBytes);
    m_backend->setPeerOutputLimit(o.highWaterBytes);

    // per message: direct calls (the legs are ours and die with us)
    m_client->setMessageHandler([this](bool binary, const QByteArray &payload, qint64 arrival) {
        relay(Direction::ClientToBackend, binary, payload, arrival);
    });
    m_backend->setMessageHandler([this](bool binary, const QByteArray &payload, qint64 arrival) {
        relay(Direction::BackendToClient, binary, payload, arrival);
    });
    m_client->setBytesWrittenHandler([this] { updateBackpressure(); });
    m_backend->setBytesWrittenHandler([this] { updateBackpressure(); });
    m_client->setListener(this); // (closes, protocol errors, pings, the end)
    m_backend->setListener(this);

    updateEventTemplate();
    m_state = State::Open;
    m_openedAt.start();
    m_countedPending = false;
    m_shared->pendingHandshakes.fetch_sub(1, std::memory_order_relaxed);
    m_countedOpen = true;
    m_shared->openConnections.fetch_add(1, std::memory_order_relaxed);
    // this connection's chain: policies with nothing to do for it are left out
    m_chain.clear();
    bool rewritten = false;
    for (const auto &p : m_policies->message) {
        p->connectionOpened(*m_context);
        if (rewritten || !p->forwardsEverything(*m_context))
            m_chain.push_back(p.get());
        rewritten = rewritten || p->readsPayload();
    }

    GatewayEvent e = event(GatewayEvent::Type::ConnectionOpened);
    e.status = 101;
    if (m_requestReadNs > 0)
        e.latencyUs = (nowNs() - m_requestReadNs) / 1000; // the handshake, backend included
    if (!subprotocol.isEmpty())
        e.reason = QStringLiteral("subprotocol ") + subprotocol;
    record(std::move(e));

    if (m_context->maxLifetime.count() > 0)
        m_timer.start(int(m_context->maxLifetime.count()), this); // see timerEvent()
    if (m_forwardPings) { // (legPingReceived())
        m_client->setReportPings(true);
        m_backend->setReportPings(true);
    }
    if (m_context->idleTimeout.count() > 0)
        m_idleTick.start(int(m_context->idleTimeout.count()), this); // see checkIdle()

    m_client->start(m_buffer);
    m_buffer.clear();
    m_backend->start(backendLeftover);
}

void GatewaySession::handleClientGone()
{
    switch (m_state) {
    case State::ReadingRequest:
        // left before sending a complete request (scanners, aborted handshakes)
        reject(0,
               m_buffer.isEmpty()
                   ? QStringLiteral("client closed the connection before sending a request")
                   : QStringLiteral("client closed the connection mid-request"));
        return;
    case State::Connecting:
        if (m_connector) {
            m_connector->abort();
            retireConnector();
        }
        reject(
            0,
            QStringLiteral("client closed the connection while the backend was being connected"));
        return;
    case State::Rejected:
        finish();
        return;
    default:
        return;
    }
}

// ---- relay ---------------------------------------------------------------------

void GatewaySession::relay(Direction direction, bool binary, const QByteArray &payload,
                           qint64 arrivalNs)
{
    if (m_state != State::Open)
        return;
    if (m_chain.empty() && !hasDelayed(index(direction))) {
        // nothing runs per message (no policy, nothing delayed before it)
        deliver(direction, binary, payload, arrivalNs, handOffNs(payload.size(), arrivalNs),
                QString());
        return;
    }
    RelayMessage message {direction, binary, payload};
    std::chrono::milliseconds delay {0};
    QString note; // findings of policies that let the message pass
    for (MessagePolicy *policy : m_chain) {
        const MessageVerdict verdict = policy->process(*m_context, message);
        if (verdict.throttled) {
            GatewayEvent t = event(GatewayEvent::Type::Throttled);
            t.direction = direction;
            t.size = message.payload.size();
            t.binary = message.binary;
            t.reason = verdict.reason;
            record(std::move(t));
        }
        if (verdict.action == MessageVerdict::Action::Forward) {
            delay += verdict.delay;
            if (!verdict.reason.isEmpty()) // reported, not enforced (monitor mode)
                note = note.isEmpty() ? verdict.reason
                                      : note + QStringLiteral("; ") + verdict.reason;
            continue;
        }
        if (verdict.action == MessageVerdict::Action::Drop) {
            GatewayEvent e = event(GatewayEvent::Type::MessageDropped);
            e.direction = direction;
            e.size = message.payload.size();
            e.binary = message.binary;
            e.reason = verdict.reason.isEmpty() ? policy->name() : verdict.reason;
            record(std::move(e));
            if (!verdict.errorFrame.isEmpty()) {
                RelayLeg *to = verdict.errorFrameTo == Leg::Client ? m_client : m_backend;
                to->sendMessage(false, verdict.errorFrame.toUtf8());
            }
            return;
        }
        // Close
        m_closeRecorded = true;
        m_closeCode = verdict.clientCloseCode;
        m_closeReason = verdict.reason.isEmpty() ? policy->name() : verdict.reason;
        m_closedBy = GatewayEvent::Party::Gateway;
        closeBoth(verdict.clientCloseCode, verdict.clientCloseReason, verdict.backendCloseCode,
                  verdict.backendCloseReason);
        return;
    }

    const int d = index(direction);
    if (delay.count() > 0 || hasDelayed(d)) {
        const qint64 due
            = nowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
        m_delayedBytes[d] += message.payload.size();
        if (!m_delayed[d]) // made when first needed: most connections never delay
            m_delayed[d] = std::make_unique<std::deque<Pending>>();
        m_delayed[d]->push_back(
            {due, message.binary, kept(message.payload), arrivalNs, std::move(note)});
        scheduleDelayed(d);
        updateBackpressure();
        return;
    }
    deliver(direction, message.binary, message.payload, arrivalNs,
            handOffNs(message.payload.size(), arrivalNs), note);
}

qint64 GatewaySession::handOffNs(qsizetype size, qint64 arrivalNs) const
{
    // Relayed in the pass that read it: the hand-off time is the read's, unless
    // the chain parses or rewrites payloads or the message is big (then the time
    // it took is worth a clock reading).
    return m_timeEachMessage || size >= 4096 ? nowNs() : arrivalNs;
}

void GatewaySession::scheduleDelayed(int d)
{
    if (!hasDelayed(d) || (m_delayTimer[d] && m_delayTimer[d]->isActive()))
        return;
    if (!m_delayTimer[d]) {
        m_delayTimer[d] = new QTimer(this);
        m_delayTimer[d]->setSingleShot(true);
        connect(m_delayTimer[d], &QTimer::timeout, this, [this, d] { drainDelayed(d); });
    }
    const qint64 waitNs = m_delayed[d]->front().dueNs - nowNs();
    m_delayTimer[d]->start(waitNs <= 0 ? 0 : int(waitNs / 1000000) + 1);
}

void GatewaySession::drainDelayed(int d)
{
    const qint64 now = nowNs();
    while (hasDelayed(d) && m_delayed[d]->front().dueNs <= now && m_state == State::Open) {
        Pending p = std::move(m_delayed[d]->front());
        m_delayed[d]->pop_front();
        m_delayedBytes[d] -= p.payload.size();
        deliver(d == 0 ? Direction::ClientToBackend : Direction::BackendToClient, p.binary,
                p.payload, p.arrivalNs, now, p.note);
    }
    scheduleDelayed(d);
    updateBackpressure();
}

void GatewaySession::deliver(Direction direction, bool binary, const QByteArray &payload,
                             qint64 arrivalNs, qint64 handOffNs, const QString &note)
{
    RelayLeg *to = direction == Direction::ClientToBackend ? m_backend : m_client;
    to->sendMessage(binary, payload);
    const int d = index(direction);
    ++m_messages[d];
    m_bytes[d] += payload.size();
    // the sink's queue only grows here: nothing to decide below the high-water mark
    if (m_pausedByBackpressure[d]
        || to->bytesToWrite() + m_delayedBytes[d] > m_shared->options.highWaterBytes)
        updateBackpressure();
    if (!recording())
        return;

    const qint64 now = handOffNs;
    const qint64 latencyUs = (now - arrivalNs) / 1000;
    const qint64 attach = m_payloadLog.bytesFor(now);
    if (note.isNull() && attach == 0) {
        // the usual case: a few bytes in the connection's run, no event of its own
        namespace R = MessageRecord;
        const quint8 bits
            = quint8((binary ? R::OpcodeBinary : R::OpcodeText)
                     | (direction == Direction::ClientToBackend ? 0 : R::DirectionOut));
        packMessage(wallMs(now), bits, payload.size(), latencyUs);
        return;
    }
    flushRun(); // the connection's messages stay in order

    // built in place in the worker's batch: no temporary event per message
    const bool fromTemplate = m_state == State::Open || m_state == State::Closing;
    GatewayEvent &e = fromTemplate
        ? m_worker->appendEvent(m_eventTemplate)
        : m_worker->appendEvent(event(GatewayEvent::Type::MessageRelayed, now));
    e.type = GatewayEvent::Type::MessageRelayed;
    e.timeMs = wallMs(now);
    e.direction = direction;
    e.size = payload.size();
    e.binary = binary;
    e.latencyUs = latencyUs;
    if (!note.isNull())
        e.reason = note; // e.g. what payload validation found in monitor mode
    if (attach < 0 || attach >= payload.size())
        e.payload = kept(payload); // shared when it can be
    else if (attach > 0)
        e.payload = payload.left(attach);
    m_worker->eventAppended();
}

void GatewaySession::packMessage(qint64 timeMs, quint8 bits, qint64 size, qint64 latencyUs)
{
    Run &r = m_run;
    if (r.count > 0
        && (r.count >= GatewayEvent::RunMessages || timeMs < r.firstTimeMs
            || timeMs - r.firstTimeMs >= GatewayEvent::MaxSpanMs))
        flushRun();
    if (r.count == 0) {
        r.firstTimeMs = timeMs;
        r.lastTimeMs = timeMs;
        if (!r.listed) {
            r.listed = true;
            m_worker->runStarted(this);
        }
    }
    // written in place (no append per message); room for about 256 small messages
    // at first, doubled when short
    if (r.records.size() - r.used < MessageRecord::PlainMaxBytes)
        r.records.resize(std::max<qsizetype>(2 * r.records.size(), GatewayEvent::RunMessages * 5));
    char *const start = r.records.data();
    r.used = MessageRecord::putPlain(start + r.used, quint64(timeMs - r.firstTimeMs), bits,
                                     quint64(size), quint64(std::max<qint64>(latencyUs, 0)))
        - start;
    r.lastTimeMs = std::max(r.lastTimeMs, timeMs);
    ++r.count;
}

bool GatewaySession::takeRun(GatewayEvent *run)
{
    m_run.listed = false;
    if (m_run.count == 0)
        return false;
    const bool fromTemplate = m_state == State::Open || m_state == State::Closing;
    *run = fromTemplate ? m_eventTemplate : event(GatewayEvent::Type::MessageRun);
    run->type = GatewayEvent::Type::MessageRun;
    run->timeMs = m_run.firstTimeMs;
    run->durationMs = m_run.lastTimeMs - m_run.firstTimeMs;
    m_run.records.truncate(std::exchange(m_run.used, 0));
    run->records = std::exchange(m_run.records, {});
    run->recordCount = std::exchange(m_run.count, 0);
    return true;
}

void GatewaySession::flushRun()
{
    if (m_run.count == 0)
        return;
    GatewayEvent run;
    const bool listed = m_run.listed;
    takeRun(&run);
    m_run.listed = listed; // still in the worker's list
    m_worker->record(std::move(run));
}

void GatewaySession::recordPing(Direction direction, const QByteArray &payload)
{
    if (!recording())
        return;
    GatewayEvent e = event(GatewayEvent::Type::PingForwarded);
    e.direction = direction;
    e.size = qMin<qsizetype>(payload.size(), 125); // what sendPing() passes on
    record(std::move(e));
}

void GatewaySession::updateBackpressure()
{
    if (m_state != State::Open || !m_client || !m_backend)
        return;
    const qint64 high = m_shared->options.highWaterBytes;
    const qint64 low = m_shared->options.lowWaterBytes;
    // direction 0: client -> backend; its source is the client leg, its sink the backend leg
    for (int d = 0; d < 2; ++d) {
        RelayLeg *source = d == 0 ? m_client : m_backend;
        RelayLeg *sink = d == 0 ? m_backend : m_client;
        const qint64 queued = sink->bytesToWrite() + m_delayedBytes[d];
        if (!m_pausedByBackpressure[d] && queued > high) {
            m_pausedByBackpressure[d] = true;
            source->pauseReading();
        } else if (m_pausedByBackpressure[d] && queued <= low) {
            m_pausedByBackpressure[d] = false;
            source->resumeReading();
        }
    }
}

// ---- closing -------------------------------------------------------------------

void GatewaySession::handleCloseReceived(Leg from, quint16 code, const QString &reason)
{
    if (!m_closeRecorded) {
        m_closeRecorded = true;
        m_closeCode = code;
        m_closeReason = reason;
        m_closedBy
            = from == Leg::Client ? GatewayEvent::Party::Client : GatewayEvent::Party::Backend;
    }
    m_state = State::Closing;
    // echo to the sender, pass on to the other side (1005 = no code: empty close frame)
    RelayLeg *sender = from == Leg::Client ? m_client : m_backend;
    RelayLeg *other = from == Leg::Client ? m_backend : m_client;
    other->close(code, reason);
    sender->close(code, reason);
}

void GatewaySession::handleProtocolError(Leg from, quint16 code, const QString &reason)
{
    if (!m_closeRecorded) {
        m_closeRecorded = true;
        m_closeCode = code;
        m_closeReason = reason;
        m_closedBy = GatewayEvent::Party::Gateway;
    }
    m_state = State::Closing;
    // the client of a failed backend gets 1011 (docs/gateway.md, close codes)
    if (from == Leg::Client)
        m_backend->close(1001, QStringLiteral("client connection failed"));
    else
        m_client->close(1011, QStringLiteral("backend connection failed"));
}

void GatewaySession::handleLegFinished(Leg leg, bool clean)
{
    (leg == Leg::Client ? m_clientFinished : m_backendFinished) = true;
    if (!m_closeRecorded) {
        m_closeRecorded = true;
        m_closeCode = 1006;
        m_closeReason = leg == Leg::Client ? QStringLiteral("client connection lost")
                                           : QStringLiteral("backend connection lost");
        m_closedBy
            = leg == Leg::Client ? GatewayEvent::Party::Client : GatewayEvent::Party::Backend;
    }
    Q_UNUSED(clean);
    m_state = State::Closing;
    RelayLeg *other = leg == Leg::Client ? m_backend : m_client;
    // A backend lost without a close (it crashed, was killed, its machine went away)
    // is a server failure for the client: 1011, which every client library accepts
    // (several refuse 1012-1014 as reserved, so 1014 "bad gateway" is not used).
    if (!other->isFinished()) {
        if (leg == Leg::Client)
            other->close(1001, QStringLiteral("client went away"));
        else
            other->close(1011, QStringLiteral("backend went away"));
    }
    if (m_clientFinished && m_backendFinished)
        finish();
}

void GatewaySession::closeBoth(quint16 clientCode, const QString &clientReason, quint16 backendCode,
                               const QString &backendReason)
{
    m_state = State::Closing;
    m_client->close(clientCode, clientReason);
    m_backend->close(backendCode, backendReason);
}

void GatewaySession::shutdown(quint16 code, const QString &reason)
{
    switch (m_state) {
    case State::ReadingRequest:
        reject(503, reason);
        break;
    case State::Connecting:
        if (m_connector) {
            m_connector->abort();
            retireConnector();
        }
        reject(503, reason);
        break;
    case State::Open:
    case State::Closing:
        if (!m_closeRecorded) {
            m_closeRecorded = true;
            m_closeCode = code;
            m_closeReason = reason;
            m_closedBy = GatewayEvent::Party::Gateway;
        }
        closeBoth(code, reason, code, reason);
        break;
    case State::Rejected:
    case State::Done:
        break;
    }
}

void GatewaySession::abortNow()
{
    if (m_client && m_backend) {
        shutdown(1001, QStringLiteral("gateway stopping"));
        m_client->abort();
        m_backend->abort();
    } else if (m_socket) {
        m_socket->abort();
    } else {
        closeClient();
    }
    finish();
}

void GatewaySession::checkIdle()
{
    if (m_state != State::Open || !m_client || !m_backend)
        return;
    // each tick: a leg that received something since the last one is alive; a silent
    // one gets a ping; a leg still silent a tick after its ping is dead (a leg we
    // stopped reading for backpressure counts as alive)
    RelayLeg *legs[2] = {m_client, m_backend};
    for (int i = 0; i < 2; ++i) {
        const quint64 frames = legs[i]->framesReceived();
        if (frames != m_idleFramesSeen[i] || legs[i]->isReadingPaused()) {
            m_idleFramesSeen[i] = frames;
            m_idlePingSent[i] = false;
        } else if (m_idlePingSent[i]) {
            shutdown(1001, QStringLiteral("idle timeout"));
            return;
        } else {
            legs[i]->sendPing(QByteArrayLiteral("gatehouse-keepalive"));
            m_idlePingSent[i] = true;
        }
    }
}

void GatewaySession::releasePolicies()
{
    const auto allowed = std::exchange(m_allowed, {});
    for (const auto &p : allowed)
        p->released(*m_context);
}

void GatewaySession::finish()
{
    if (m_state == State::Done)
        return;
    const bool wasOpen = m_client != nullptr;
    m_state = State::Done;
    m_timer.stop();
    m_idleTick.stop();
    if (wasOpen) {
        GatewayEvent e = event(GatewayEvent::Type::ConnectionClosed);
        e.closeCode = m_closeCode;
        e.closeReason = m_closeReason;
        e.closedBy = m_closedBy;
        e.messagesIn = m_messages[0];
        e.messagesOut = m_messages[1];
        e.durationMs = m_openedAt.isValid() ? m_openedAt.elapsed() : 0;
        record(std::move(e));
        if (m_policies)
            for (const auto &p : m_policies->message)
                p->connectionClosed(*m_context);
    }
    releasePolicies();
    m_worker->handleSessionFinished(this);
}

} // namespace Gatehouse::Gateway
