// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/backendconnector.h"

#include "gateway/descriptorio.h"
#include "gateway/epolleventdispatcher.h"
#include "gateway/handshakerequest.h"
#include "gateway/websocketcodec.h"

#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimerEvent>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gatehouse::Gateway {

BackendConnector::BackendConnector(Listener *listener, QObject *parent)
    : QObject(parent)
    , m_listener(listener)
{ }

BackendConnector::~BackendConnector()
{
    abort();
}

void BackendConnector::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_timer.stop();
    fail(504, QStringLiteral("backend did not answer within %1 ms").arg(m_request.timeoutMs));
}

void BackendConnector::start(const Request &request)
{
    m_request = request;
    // a nonce per request (RFC 6455 4.1), from a generator of this thread seeded from
    // the system's once: the global one takes a lock every worker contends for
    thread_local QRandomGenerator random = QRandomGenerator::securelySeeded();
    quint32 nonce[4];
    random.fillRange(nonce);
    m_key = QByteArray::fromRawData(reinterpret_cast<const char *>(nonce), sizeof nonce).toBase64();
    m_timer.start(request.timeoutMs, this);
    if (!request.secure) {
        m_starting = true;
        const bool bare = startBare();
        m_starting = false;
        if (bare)
            return;
    }

    if (request.secure) {
        auto *ssl = new QSslSocket(this);
        if (!request.verifyPeer)
            ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
        m_socket = ssl;
        connect(ssl, &QSslSocket::encrypted, this, &BackendConnector::handleConnected);
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QAbstractSocket::connected, this, &BackendConnector::handleConnected);
    }
    connect(m_socket, &QIODevice::readyRead, this, &BackendConnector::handleReadyRead);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &BackendConnector::handleError);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.data()))
        ssl->connectToHostEncrypted(request.host, request.port);
    else
        m_socket->connectToHost(request.host, request.port);
}

// ---- bare descriptor (ws:// to an IP literal) ---------------------------------------

bool BackendConnector::startBare()
{
    sockaddr_storage storage;
    const socklen_t length = literalSocketAddress(m_request.host, m_request.port, &storage);
    if (length == 0)
        return false; // a host name (or a scoped IPv6 address): the socket path

    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        failWithErrno(errno);
        return true;
    }
    m_fd = fd;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setSocketBuffers(fd, m_request.socketBufferBytes);
    m_out = upgradeRequest();
    m_sent = 0;
    // (EINTR: the connect goes on in the background, as with EINPROGRESS)
    const int result = ::connect(fd, reinterpret_cast<const sockaddr *>(&storage), length);
    if (result != 0 && errno != EINPROGRESS && errno != EINTR) {
        failWithErrno(errno);
        return true;
    }
    // One read watch for the whole handshake: it also reports a failed connect
    // (error / hang-up). The request goes out at once when the connect completed
    // within the call (usual on loopback), else when the socket becomes writable.
    m_watch.start(fd, this, true, false);
    sendBare();
    return true;
}

void BackendConnector::sendBare()
{
    if (m_done || m_fd < 0)
        return;
    switch (sendPending(m_fd, m_out, &m_sent)) {
    case SendResult::Done:
        break;
    case SendResult::WouldBlock:
        // still connecting (or a full buffer): go on when writable
        if (!m_watch.isWriteEnabled())
            m_watch.setWriteEnabled(true);
        return;
    case SendResult::Failed:
        failWithErrno(errno);
        return;
    }
    m_out = QByteArray();
    if (m_watch.isWriteEnabled())
        m_watch.setWriteEnabled(false);
}

void BackendConnector::descriptorReadable()
{
    handleBareReadable();
}

void BackendConnector::descriptorWritable()
{
    sendBare();
}

void BackendConnector::handleBareReadable()
{
    if (m_done || m_fd < 0)
        return;
    static thread_local char buffer[16 * 1024];
    const qsizetype room = m_request.maxResponseBytes + 4 - m_buffer.size();
    ssize_t n = 0;
    do
        n = ::read(m_fd, buffer, size_t(qBound<qsizetype>(1, room, qsizetype(sizeof buffer))));
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0) {
        failWithErrno(errno);
        return;
    }
    if (n == 0) {
        fail(502,
             QStringLiteral("backend connection failed (The remote host closed the connection)"));
        return;
    }
    m_buffer.append(buffer, n);
    processAnswer();
}

void BackendConnector::failWithErrno(int error)
{
    const QString what = QString::fromLocal8Bit(std::strerror(error));
    switch (error) {
    case ECONNREFUSED:
        fail(502, QStringLiteral("backend refused the connection (%1)").arg(what));
        break;
    case ETIMEDOUT:
        fail(504, QStringLiteral("backend timed out (%1)").arg(what));
        break;
    case EMFILE:
    case ENFILE:
        m_outOfDescriptors = true;
        [[fallthrough]];
    case ENOBUFS:
    case ENOMEM:
        // the gateway's own shortage, not the backend's fault
        fail(503,
             QStringLiteral("no file descriptor or memory left for the backend "
                            "connection (%1)")
                 .arg(what));
        break;
    default:
        fail(502, QStringLiteral("backend connection failed (%1)").arg(what));
        break;
    }
}

void BackendConnector::failLater(int status, const QString &reason)
{
    QMetaObject::invokeMethod(
        this, [this, status, reason] { fail(status, reason); }, Qt::QueuedConnection);
}

void BackendConnector::closeBare()
{
    // the watch goes with the descriptor (no epoll_ctl: the close removes it)
    m_watch.closeDescriptor(m_fd);
    m_fd = -1;
}

DescriptorWatch BackendConnector::takeWatch()
{
    m_fd = -1;
    return std::move(m_watch);
}

// ---- QTcpSocket / QSslSocket -------------------------------------------------------

void BackendConnector::abort()
{
    m_done = true;
    m_timer.stop();
    closeBare();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
}

QTcpSocket *BackendConnector::takeSocket()
{
    QTcpSocket *s = m_socket;
    if (s) {
        s->disconnect(this);
        s->setParent(nullptr);
    }
    m_socket = nullptr;
    return s;
}

QByteArray BackendConnector::hostHeader(const QString &host, quint16 port, bool secure)
{
    QByteArray value = host.toUtf8();
    if (value.contains(':')) // an IPv6 literal
        value = '[' + value + ']';
    if (port != (secure ? 443 : 80))
        value += ':' + QByteArray::number(port);
    return value;
}

QByteArray BackendConnector::upgradeRequest() const
{
    const QByteArray host = m_request.hostHeader.isEmpty()
        ? hostHeader(m_request.host, m_request.port, m_request.secure)
        : m_request.hostHeader;

    QByteArray req;
    req.reserve(512);
    req += "GET " + m_request.target + " HTTP/1.1\r\n";
    req += "Host: " + host + "\r\n";
    req += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    req += "Sec-WebSocket-Key: " + m_key + "\r\n";
    req += "Sec-WebSocket-Version: 13\r\n";
    if (!m_request.subprotocols.isEmpty())
        req += "Sec-WebSocket-Protocol: " + m_request.subprotocols.join(u", ").toLatin1() + "\r\n";
    for (const auto &h : m_request.headers)
        req += h.first + ": " + h.second + "\r\n";
    req += "\r\n";
    return req;
}

void BackendConnector::handleConnected()
{
    if (m_done)
        return;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    setSocketBuffers(int(m_socket->socketDescriptor()), m_request.socketBufferBytes);
    m_socket->write(upgradeRequest());
}

void BackendConnector::handleReadyRead()
{
    if (m_done)
        return;
    m_buffer += m_socket->read(
        qMin(m_socket->bytesAvailable(), m_request.maxResponseBytes + 4 - m_buffer.size()));
    processAnswer();
}

void BackendConnector::processAnswer()
{
    const qsizetype end = HandshakeRequest::findHeadEnd(m_buffer);
    if (end < 0) {
        if (m_buffer.size() > m_request.maxResponseBytes)
            fail(502,
                 QStringLiteral("backend answer header larger than %1 bytes")
                     .arg(m_request.maxResponseBytes));
        return;
    }
    // read as views of the buffer: no copy per line or header
    const QByteArrayView head = QByteArrayView(m_buffer).first(end);
    qsizetype pos = 0;
    auto nextLine = [&head, &pos] {
        qsizetype next = head.indexOf('\n', pos);
        if (next < 0)
            next = head.size();
        const QByteArrayView line = head.sliced(pos, next - pos).trimmed();
        pos = next + 1;
        return line;
    };
    const QByteArrayView statusLine = nextLine();
    const qsizetype space = statusLine.indexOf(' ');
    const QByteArrayView afterVersion = space < 0 ? QByteArrayView() : statusLine.sliced(space + 1);
    const qsizetype codeEnd = afterVersion.indexOf(' ');
    bool ok = false;
    const int status
        = QLatin1StringView(codeEnd < 0 ? afterVersion : afterVersion.first(codeEnd)).toInt(&ok);
    if (!statusLine.startsWith("HTTP/1.") || space < 0 || !ok) {
        fail(502, QStringLiteral("backend answered something that is not HTTP"));
        return;
    }
    if (status != 101) {
        if (status >= 400 && status <= 599)
            fail(status,
                 QStringLiteral("backend answered %1").arg(QString::fromLatin1(statusLine)));
        else
            fail(502,
                 QStringLiteral("backend answered %1 instead of upgrading")
                     .arg(QString::fromLatin1(statusLine)));
        return;
    }
    QByteArrayView upgrade, connection, accept, protocol, extensions;
    while (pos < head.size()) {
        const QByteArrayView line = nextLine();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArrayView name = line.first(colon).trimmed();
        auto is = [name](const char *header) { return HandshakeRequest::sameName(name, header); };
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (is("upgrade"))
            upgrade = value;
        else if (is("connection"))
            connection = value;
        else if (is("sec-websocket-accept"))
            accept = value;
        else if (is("sec-websocket-protocol"))
            protocol = value;
        else if (is("sec-websocket-extensions"))
            extensions = value;
    }
    if (QLatin1StringView(upgrade).compare(QLatin1StringView("websocket"), Qt::CaseInsensitive) != 0
        || !QLatin1StringView(connection)
                .contains(QLatin1StringView("upgrade"), Qt::CaseInsensitive)) {
        fail(502, QStringLiteral("backend answered 101 without a WebSocket upgrade"));
        return;
    }
    if (accept != WebSocketCodec::acceptKey(m_key)) {
        fail(502, QStringLiteral("backend answered with a wrong Sec-WebSocket-Accept"));
        return;
    }
    if (!extensions.isEmpty()) {
        fail(502, QStringLiteral("backend chose an extension that was not offered"));
        return;
    }
    m_subprotocol = QString::fromLatin1(protocol);
    if (!m_subprotocol.isEmpty() && !m_request.subprotocols.contains(m_subprotocol)) {
        fail(502,
             QStringLiteral("backend chose subprotocol '%1' that was not offered")
                 .arg(m_subprotocol));
        return;
    }
    m_leftover = end + 4 < m_buffer.size() ? m_buffer.mid(end + 4) : QByteArray();
    m_buffer = QByteArray();
    m_done = true;
    m_timer.stop();
    if (m_listener)
        m_listener->backendConnected();
    emit succeeded();
}

void BackendConnector::handleError()
{
    if (m_done || !m_socket)
        return;
    const auto error = m_socket->error();
    const QString what = m_socket->errorString();
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        fail(502, QStringLiteral("backend refused the connection (%1)").arg(what));
        break;
    case QAbstractSocket::HostNotFoundError:
        fail(502, QStringLiteral("backend host not found (%1)").arg(what));
        break;
    case QAbstractSocket::SocketTimeoutError:
        fail(504, QStringLiteral("backend timed out (%1)").arg(what));
        break;
    default:
        fail(502, QStringLiteral("backend connection failed (%1)").arg(what));
        break;
    }
}

void BackendConnector::fail(int status, const QString &reason)
{
    if (m_done)
        return;
    if (m_starting) {
        // not from inside start(): the caller has not finished setting up
        closeBare();
        m_timer.stop();
        failLater(status, reason);
        return;
    }
    abort();
    if (m_listener)
        m_listener->backendFailed(status, reason);
    emit failed(status, reason);
}

} // namespace Gatehouse::Gateway
