// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientconnection.h"

#include "client/clientcookiejar.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>

namespace Gatehouse::Client {

using Gateway::WebSocketCodec;

namespace {

constexpr qsizetype MaxHeaderBytes = 64 * 1024;
constexpr qsizetype MaxBodyBytes = 64 * 1024;
constexpr int CloseWaitMs = 3000;
constexpr int BodyWaitMs = 500;
constexpr int MaxOutstandingPings = 64;

bool headerIs(const HeaderList &headers, QByteArrayView name, QByteArray *value)
{
    for (const auto &[n, v] : headers)
        if (n.compare(name, Qt::CaseInsensitive) == 0) {
            *value = v;
            return true;
        }
    return false;
}

bool hasToken(const QByteArray &value, QByteArrayView token)
{
    for (const QByteArray &part : value.split(','))
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QString hostPort(const QUrl &url)
{
    const int port = url.port(url.scheme() == u"wss" ? 443 : 80);
    return QStringLiteral("%1:%2").arg(url.host()).arg(port);
}

} // namespace

ClientConnection::ClientConnection(QObject *parent)
    : QObject(parent)
    , m_history(std::make_shared<ClientHistory>())
    , m_handshakeTimer(new QTimer(this))
    , m_pingTimer(new QTimer(this))
    , m_reconnectTimer(new QTimer(this))
    , m_closeTimer(new QTimer(this))
    , m_bodyTimer(new QTimer(this))
{
    m_clock.start();
    for (QTimer *t : {m_handshakeTimer, m_reconnectTimer, m_closeTimer, m_bodyTimer})
        t->setSingleShot(true);
    connect(m_handshakeTimer, &QTimer::timeout, this, &ClientConnection::handleHandshakeTimeout);
    connect(m_pingTimer, &QTimer::timeout, this, &ClientConnection::sendKeepAlivePing);
    connect(m_reconnectTimer, &QTimer::timeout, this, &ClientConnection::connectSocket);
    connect(m_closeTimer, &QTimer::timeout, this, [this] {
        // the server did not answer our close: give up on it
        dropSocket();
    });
    connect(m_bodyTimer, &QTimer::timeout, this, &ClientConnection::finishRefusal);
}

ClientConnection::~ClientConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ClientConnection::setOptions(const ClientOptions &options)
{
    m_options = options;
}

void ClientConnection::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void ClientConnection::record(ClientEvent event)
{
    if (!event.timeMs)
        event.timeMs = QDateTime::currentMSecsSinceEpoch();
    m_history->append(std::move(event));
    if (m_notifyPending)
        return;
    m_notifyPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_notifyPending = false;
            Q_EMIT eventsAdded();
        },
        Qt::QueuedConnection);
}

void ClientConnection::fail(const QString &error)
{
    m_error = error;
    ClientEvent e;
    e.kind = ClientEvent::Kind::Error;
    e.text = error;
    record(std::move(e));
}

bool ClientConnection::open()
{
    if (m_state == State::Connecting || m_state == State::Open || m_state == State::Closing)
        return false;
    m_reconnectTimer->stop();
    const QString problem = m_options.validate();
    if (!problem.isEmpty()) {
        fail(problem);
        setState(State::Closed);
        Q_EMIT finished();
        return false;
    }
    m_url = m_options.webSocketUrl();
    m_redirects = 0;
    m_attempt = 0;
    m_userClosed = false;
    connectSocket();
    return true;
}

void ClientConnection::connectSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_in.clear();
    m_handshakeDone = false;
    m_closeSent = false;
    m_closeRecorded = false;
    m_failing = false;
    m_refused = false;
    m_bodyExpected = -1;
    m_fragments.clear();
    m_fragmentOpcode = 0;
    m_responseStatus = 0;
    m_responseReason.clear();
    m_responseHeaders.clear();
    m_responseBody.clear();
    m_subprotocol.clear();
    m_closeCode = 0;
    m_closeReason.clear();
    m_closedByUs = false;
    m_error.clear();
    m_socketError = QAbstractSocket::UnknownSocketError;
    m_pings.clear();
    m_lastSentUs = -1;

    auto *socket = new QSslSocket(this);
    m_socket = socket;
    QString proxyError;
    socket->setProxy(*m_options.networkProxy(&proxyError));
    connect(socket, &QSslSocket::connected, this, &ClientConnection::handleConnected);
    connect(socket, &QSslSocket::encrypted, this, &ClientConnection::handleEncrypted);
    connect(socket, &QSslSocket::readyRead, this, &ClientConnection::handleReadyRead);
    connect(socket, &QSslSocket::disconnected, this, &ClientConnection::handleDisconnected);
    connect(socket, &QSslSocket::errorOccurred, this, &ClientConnection::handleSocketError);
    connect(socket, &QSslSocket::sslErrors, this, [this, socket](const QList<QSslError> &errors) {
        QStringList texts;
        for (const QSslError &e : errors)
            texts.append(e.errorString());
        if (m_options.insecure) {
            ClientEvent w;
            w.kind = ClientEvent::Kind::Warning;
            w.text = QStringLiteral("accepting an untrusted certificate of %1: %2")
                         .arg(hostPort(m_url), texts.join(QStringLiteral("; ")));
            record(std::move(w));
            socket->ignoreSslErrors();
        } else {
            m_error = QStringLiteral("TLS: the certificate of %1 is not trusted: %2")
                          .arg(hostPort(m_url), texts.join(QStringLiteral("; ")));
        }
    });

    ClientEvent connecting;
    connecting.kind = ClientEvent::Kind::Connecting;
    connecting.text = maskedUrl(m_url);
    record(std::move(connecting));
    setState(State::Connecting);
    m_handshakeTimer->start(m_options.handshakeTimeoutMs);

    const bool tls = m_url.scheme() == u"wss";
    const quint16 port = quint16(m_url.port(tls ? 443 : 80));
    if (tls) {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        if (!m_options.caFile.isEmpty()) {
            QList<QSslCertificate> cas = config.caCertificates();
            const QList<QSslCertificate> extra
                = QSslCertificate::fromPath(m_options.caFile, QSsl::Pem);
            if (extra.isEmpty()) {
                fail(QStringLiteral("TLS: no PEM certificate in '%1'").arg(m_options.caFile));
                m_userClosed = true; // trying again would not help
                dropSocket();
                return;
            }
            cas.append(extra);
            config.setCaCertificates(cas);
        }
        if (!m_options.certificateFile.isEmpty()) {
            const QList<QSslCertificate> certs
                = QSslCertificate::fromPath(m_options.certificateFile, QSsl::Pem);
            QFile keyFile(m_options.keyFile);
            QSslKey key;
            if (keyFile.open(QIODevice::ReadOnly)) {
                const QByteArray pem = keyFile.readAll();
                for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
                    key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey,
                                  m_options.passphrase);
                    if (!key.isNull())
                        break;
                }
            }
            if (certs.isEmpty() || key.isNull()) {
                fail(certs.isEmpty()
                         ? QStringLiteral("TLS: no PEM certificate in '%1'")
                               .arg(m_options.certificateFile)
                         : QStringLiteral("TLS: cannot read the private key '%1' (wrong "
                                          "passphrase, or not a PEM key)")
                               .arg(m_options.keyFile));
                m_userClosed = true;
                dropSocket();
                return;
            }
            config.setLocalCertificate(certs.constFirst());
            config.setPrivateKey(key);
        }
        socket->setSslConfiguration(config);
        socket->connectToHostEncrypted(m_url.host(), port);
    } else {
        socket->connectToHost(m_url.host(), port);
    }
}

void ClientConnection::handleConnected()
{
    if (m_url.scheme() == u"wss")
        return; // the request goes out once TLS is up
    handleEncrypted();
}

void ClientConnection::handleEncrypted()
{
    QByteArray key(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(key.data()), 4);
    m_key = key.toBase64();

    QByteArray target = m_url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (m_url.hasQuery())
        target += '?' + m_url.query(QUrl::FullyEncoded).toLatin1();
    const bool tls = m_url.scheme() == u"wss";
    const int defaultPort = tls ? 443 : 80;
    QByteArray host = QUrl::toAce(m_url.host());
    if (host.isEmpty())
        host = m_url.host().toLatin1();
    if (m_url.host().contains(u':'))
        host = '[' + host + ']';
    if (m_url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(m_url.port());

    HeaderList headers;
    QByteArray ownHost;
    if (headerIs(m_options.headers, "Host", &ownHost))
        host = ownHost; // the options name the host (wscat --host)
    headers.append({"Host", host});
    headers.append({QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")});
    headers.append({QByteArrayLiteral("Connection"), QByteArrayLiteral("Upgrade")});
    headers.append({"Sec-WebSocket-Key", m_key});
    headers.append({"Sec-WebSocket-Version", QByteArray::number(m_options.protocolVersion)});
    if (!m_options.subprotocols.isEmpty())
        headers.append(
            {"Sec-WebSocket-Protocol", m_options.subprotocols.join(QStringLiteral(", ")).toUtf8()});
    if (!m_options.origin.isEmpty())
        headers.append({"Origin", m_options.origin.toUtf8()});
    QString userInfo = m_options.basicAuth;
    if (userInfo.isEmpty() && !m_url.userName().isEmpty())
        userInfo = m_url.userName() + u':' + m_url.password();
    if (!userInfo.isEmpty())
        headers.append({"Authorization", "Basic " + userInfo.toUtf8().toBase64()});
    for (const auto &header : m_options.headers)
        if (header.first.compare("Host", Qt::CaseInsensitive) != 0)
            headers.append(header);
    if (m_options.cookies) {
        const QByteArray cookie = m_options.cookies->cookieHeader(m_url);
        if (!cookie.isEmpty())
            headers.append({QByteArrayLiteral("Cookie"), cookie});
    }

    QByteArray request = "GET " + target + " HTTP/1.1\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    request += "\r\n";
    m_socket->write(request);

    // the history keeps the request with credentials masked
    m_requestHeaders.clear();
    ClientEvent requestEvent;
    requestEvent.kind = ClientEvent::Kind::Request;
    requestEvent.outgoing = true;
    const QString shownTarget
        = maskedUrl(QUrl(QStringLiteral("ws://h") + QString::fromLatin1(target)));
    requestEvent.text = QStringLiteral("GET %1 HTTP/1.1").arg(shownTarget.mid(6));
    for (const auto &[name, value] : headers) {
        const QByteArray lower = name.toLower();
        const bool secret = lower == "authorization" || lower == "cookie"
            || lower == "proxy-authorization" || lower.contains("token") || lower.contains("secret")
            || (lower.contains("key") && lower != "sec-websocket-key")
            || m_options.secretHeaders.contains(lower);
        m_requestHeaders.append({name, secret ? QByteArray("***") : value});
    }
    requestEvent.headers = m_requestHeaders;
    record(std::move(requestEvent));
}

void ClientConnection::handleReadyRead()
{
    if (!m_socket)
        return;
    m_in += m_socket->readAll();
    if (!m_handshakeDone) {
        if (m_refused) {
            m_responseBody = m_in.left(MaxBodyBytes);
            if (m_bodyExpected >= 0 && m_in.size() >= m_bodyExpected)
                finishRefusal();
            return;
        }
        if (!readHandshake())
            return;
    }
    readFrames();
}

bool ClientConnection::readHandshake()
{
    const qsizetype end = m_in.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_in.size() > MaxHeaderBytes) {
            fail(QStringLiteral("the server's answer to the upgrade has over %1 KiB of headers")
                     .arg(MaxHeaderBytes / 1024));
            dropSocket();
        }
        return false;
    }
    const QList<QByteArray> lines = m_in.left(end).split('\n');
    m_in.remove(0, end + 4);
    const QByteArray statusLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = statusLine.split(' ');
    bool ok = false;
    const int status = parts.value(1).toInt(&ok);
    if (!statusLine.startsWith("HTTP/1.") || !ok) {
        fail(QStringLiteral("the server did not answer with HTTP: '%1'")
                 .arg(QString::fromLatin1(statusLine.left(80))));
        dropSocket();
        return false;
    }
    m_responseStatus = status;
    m_responseReason
        = QString::fromLatin1(statusLine.mid(parts.value(0).size() + parts.value(1).size() + 2));
    m_responseHeaders.clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            m_responseHeaders.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    m_handshakeTimer->stop();
    if (m_options.cookies)
        for (const auto &[name, value] : std::as_const(m_responseHeaders))
            if (name.compare("Set-Cookie", Qt::CaseInsensitive) == 0)
                m_options.cookies->store(m_url, value);

    if (status != 101) {
        // read the body of the refusal (bounded), then report it
        m_refused = true;
        m_handshakeTimer->start(m_options.handshakeTimeoutMs);
        QByteArray length;
        if (headerIs(m_responseHeaders, "Content-Length", &length))
            m_bodyExpected = std::min<qint64>(length.trimmed().toLongLong(), MaxBodyBytes);
        m_responseBody = m_in.left(MaxBodyBytes);
        if (m_bodyExpected >= 0 && m_in.size() >= m_bodyExpected)
            finishRefusal();
        else
            m_bodyTimer->start(BodyWaitMs);
        return false;
    }

    ClientEvent answer;
    answer.kind = ClientEvent::Kind::Response;
    answer.status = status;
    answer.text = m_responseReason;
    answer.headers = m_responseHeaders;
    record(std::move(answer));

    QByteArray value;
    QString problem;
    if (!headerIs(m_responseHeaders, "Upgrade", &value) || !hasToken(value, "websocket"))
        problem = QStringLiteral("no 'Upgrade: websocket' in the server's 101 answer");
    else if (!headerIs(m_responseHeaders, "Connection", &value) || !hasToken(value, "upgrade"))
        problem = QStringLiteral("no 'Connection: Upgrade' in the server's 101 answer");
    else if (!headerIs(m_responseHeaders, "Sec-WebSocket-Accept", &value)
             || value != WebSocketCodec::acceptKey(m_key))
        problem = QStringLiteral("invalid Sec-WebSocket-Accept in the server's answer");
    else if (headerIs(m_responseHeaders, "Sec-WebSocket-Extensions", &value) && !value.isEmpty())
        problem = QStringLiteral("the server chose extension '%1' that was not offered")
                      .arg(QString::fromLatin1(value));
    if (problem.isEmpty() && headerIs(m_responseHeaders, "Sec-WebSocket-Protocol", &value)) {
        m_subprotocol = QString::fromUtf8(value.trimmed());
        if (!m_options.subprotocols.contains(m_subprotocol))
            problem = QStringLiteral("the server chose subprotocol '%1' that was not offered")
                          .arg(m_subprotocol);
    }
    if (!problem.isEmpty()) {
        fail(problem);
        dropSocket();
        return false;
    }

    m_handshakeDone = true;
    m_attempt = 0;
    setState(State::Open);
    ClientEvent openedEvent;
    openedEvent.kind = ClientEvent::Kind::Opened;
    openedEvent.text = m_subprotocol;
    record(std::move(openedEvent));
    if (m_options.pingIntervalMs > 0)
        m_pingTimer->start(m_options.pingIntervalMs);
    for (const auto &[opcode, payload] : m_options.onOpen)
        send(opcode, payload);
    Q_EMIT opened();
    return m_socket != nullptr;
}

void ClientConnection::finishRefusal()
{
    if (!m_refused)
        return;
    m_refused = false;
    m_bodyTimer->stop();
    m_handshakeTimer->stop();
    ClientEvent answer;
    answer.kind = ClientEvent::Kind::Response;
    answer.status = m_responseStatus;
    answer.text = m_responseReason;
    answer.headers = m_responseHeaders;
    answer.data = m_responseBody;
    record(std::move(answer));

    QByteArray location;
    if (m_responseStatus >= 300 && m_responseStatus < 400 && m_options.followRedirects
        && headerIs(m_responseHeaders, "Location", &location)) {
        if (m_redirects >= m_options.maxRedirects) {
            fail(QStringLiteral("more than %1 redirects").arg(m_options.maxRedirects));
            dropSocket();
            return;
        }
        QUrl next = m_url.resolved(QUrl::fromEncoded(location));
        if (next.scheme() == u"http")
            next.setScheme(QStringLiteral("ws"));
        else if (next.scheme() == u"https")
            next.setScheme(QStringLiteral("wss"));
        if (!next.isValid() || (next.scheme() != u"ws" && next.scheme() != u"wss")) {
            fail(QStringLiteral("cannot follow the redirect to '%1'")
                     .arg(QString::fromLatin1(location)));
            dropSocket();
            return;
        }
        ++m_redirects;
        m_url = next;
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        connectSocket();
        return;
    }
    fail(QStringLiteral("Unexpected server response: %1").arg(m_responseStatus));
    // a refusal is an answer: reconnecting only helps when the server is in trouble
    if (m_responseStatus < 500)
        m_userClosed = true;
    dropSocket();
}

void ClientConnection::readFrames()
{
    if (m_failing) {
        m_in.clear();
        return;
    }
    qsizetype offset = 0;
    while (m_socket && m_handshakeDone && !m_failing) {
        WebSocketCodec::Frame frame;
        const qint64 room = m_options.maxMessageSize - m_fragments.size();
        const auto result = m_codec.parse(m_in, &offset, std::max<qint64>(room, 0), &frame);
        if (result == WebSocketCodec::Result::NeedMore)
            break;
        if (result == WebSocketCodec::Result::Error) {
            m_in.clear();
            failConnection(m_codec.errorCode(), m_codec.errorString());
            return;
        }
        handleFrame(frame);
    }
    if (offset > 0)
        m_in.remove(0, std::min(offset, m_in.size()));
}

void ClientConnection::handleFrame(const WebSocketCodec::Frame &frame)
{
    switch (frame.opcode) {
    case WebSocketCodec::Text:
    case WebSocketCodec::Binary:
        if (m_fragmentOpcode) {
            failConnection(1002, QStringLiteral("a new message began before the last one ended"));
            return;
        }
        if (frame.fin) {
            deliverMessage(frame.opcode, frame.payload);
        } else {
            m_fragmentOpcode = frame.opcode;
            m_fragments = frame.payload;
        }
        return;
    case WebSocketCodec::Continuation:
        if (!m_fragmentOpcode) {
            failConnection(1002, QStringLiteral("a continuation frame without a message"));
            return;
        }
        m_fragments += frame.payload;
        if (frame.fin) {
            const quint8 opcode = std::exchange(m_fragmentOpcode, 0);
            deliverMessage(opcode, std::exchange(m_fragments, {}));
        }
        return;
    case WebSocketCodec::Ping: {
        ClientEvent e;
        e.kind = ClientEvent::Kind::Ping;
        e.data = frame.payload;
        record(e);
        if (m_options.autoPong && !m_closeSent) {
            writeFrame(WebSocketCodec::Pong, frame.payload);
            e.kind = ClientEvent::Kind::Pong;
            e.outgoing = true;
            e.timeMs = 0;
            record(std::move(e));
        }
        return;
    }
    case WebSocketCodec::Pong: {
        ClientEvent e;
        e.kind = ClientEvent::Kind::Pong;
        e.data = frame.payload;
        const auto it = m_pings.constFind(frame.payload);
        if (it != m_pings.cend()) {
            e.roundTripUs = m_clock.nsecsElapsed() / 1000 - it.value();
            m_pings.erase(it);
        }
        record(std::move(e));
        return;
    }
    case WebSocketCodec::Close: {
        quint16 code = 1005;
        QString reason;
        if (frame.payload.size() >= 2) {
            code = quint16((uchar(frame.payload[0]) << 8) | uchar(frame.payload[1]));
            reason = QString::fromUtf8(frame.payload.mid(2));
        }
        if (!m_closeSent) {
            m_closedByUs = false;
            sendClose(code == 1005 ? 1000 : code, {});
        }
        m_closeCode = code;
        m_closeReason = reason;
        if (!m_closeRecorded) {
            m_closeRecorded = true;
            ClientEvent e;
            e.kind = ClientEvent::Kind::Closed;
            e.closeCode = code;
            e.text = reason;
            e.outgoing = m_closedByUs;
            record(std::move(e));
        }
        // the server closes the TCP connection first (RFC 6455 7.1.1); we wait for it
        m_closeTimer->start(CloseWaitMs);
        return;
    }
    default:
        failConnection(1002, QStringLiteral("unknown opcode %1").arg(frame.opcode));
    }
}

void ClientConnection::deliverMessage(quint8 opcode, QByteArray payload)
{
    if (opcode == WebSocketCodec::Text && !QUtf8StringView(payload).isValidUtf8()) {
        failConnection(1007, QStringLiteral("a text message that is not valid UTF-8"));
        return;
    }
    ClientEvent e;
    e.kind = ClientEvent::Kind::Received;
    e.opcode = opcode;
    e.data = std::move(payload);
    if (m_lastSentUs >= 0) {
        e.roundTripUs = m_clock.nsecsElapsed() / 1000 - m_lastSentUs;
        m_lastSentUs = -1;
    }
    record(std::move(e));
}

void ClientConnection::failConnection(quint16 code, const QString &why)
{
    fail(QStringLiteral("%1: %2").arg(ClientEvent::closeCodeMeaning(code), why));
    if (!m_closeSent) {
        m_closedByUs = true;
        sendClose(code, why.left(100));
    }
    m_closeCode = code;
    m_closeReason = why;
    // the close frame goes out before the connection does; what else arrives is ignored
    m_failing = true;
    m_in.clear();
    if (m_socket) {
        m_socket->disconnectFromHost();
        m_closeTimer->start(CloseWaitMs);
    } else {
        dropSocket();
    }
}

void ClientConnection::writeFrame(quint8 opcode, QByteArrayView payload)
{
    if (m_socket)
        m_socket->write(m_codec.encode(opcode, payload));
}

void ClientConnection::sendClose(quint16 code, const QString &reason)
{
    if (m_closeSent || !m_socket)
        return;
    m_closeSent = true;
    m_pingTimer->stop();
    writeFrame(WebSocketCodec::Close, WebSocketCodec::closePayload(code, reason));
}

bool ClientConnection::send(quint8 opcode, const QByteArray &payload)
{
    if (m_state != State::Open || m_closeSent || !m_socket)
        return false;
    writeFrame(opcode, payload);
    m_lastSentUs = m_clock.nsecsElapsed() / 1000;
    ClientEvent e;
    e.kind = ClientEvent::Kind::Sent;
    e.outgoing = true;
    e.opcode = opcode;
    e.data = payload;
    record(std::move(e));
    return true;
}

bool ClientConnection::sendControl(quint8 opcode, const QByteArray &payload)
{
    if (m_state != State::Open || m_closeSent || payload.size() > 125)
        return false;
    writeFrame(opcode, payload);
    ClientEvent e;
    e.kind = opcode == WebSocketCodec::Ping ? ClientEvent::Kind::Ping : ClientEvent::Kind::Pong;
    e.outgoing = true;
    e.data = payload;
    record(std::move(e));
    return true;
}

bool ClientConnection::ping(const QByteArray &payload)
{
    const qint64 sentAtUs = m_clock.nsecsElapsed() / 1000;
    if (!sendControl(WebSocketCodec::Ping, payload))
        return false;
    if (m_pings.size() >= MaxOutstandingPings)
        m_pings.clear(); // a server that never answers: forget the old ones
    m_pings.insert(payload, sentAtUs);
    return true;
}

bool ClientConnection::pong(const QByteArray &payload)
{
    return sendControl(WebSocketCodec::Pong, payload);
}

void ClientConnection::sendKeepAlivePing()
{
    ping(QByteArray::number(++m_pingCounter));
}

void ClientConnection::close(quint16 code, const QString &reason)
{
    m_userClosed = true;
    if (m_state == State::WaitingToReconnect) {
        m_reconnectTimer->stop();
        setState(State::Closed);
        Q_EMIT finished();
        return;
    }
    if (m_state == State::Connecting) {
        abort();
        return;
    }
    if (m_state != State::Open)
        return;
    m_closedByUs = true;
    m_closeCode = code;
    m_closeReason = reason;
    sendClose(code, reason);
    setState(State::Closing);
    m_closeTimer->start(CloseWaitMs);
}

void ClientConnection::note(ClientEvent::Kind kind, const QString &text)
{
    ClientEvent e;
    e.kind = kind;
    e.text = text;
    record(std::move(e));
}

void ClientConnection::abort()
{
    m_userClosed = true;
    m_reconnectTimer->stop();
    if (m_socket)
        dropSocket();
    else if (m_state == State::WaitingToReconnect)
        connectionEnded();
}

void ClientConnection::dropSocket()
{
    if (!m_socket) {
        connectionEnded();
        return;
    }
    QSslSocket *socket = m_socket;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
    m_socket = nullptr;
    connectionEnded();
}

void ClientConnection::handleDisconnected()
{
    if (!m_socket)
        return;
    if (m_refused) {
        m_responseBody = m_in.left(MaxBodyBytes);
        finishRefusal();
        return;
    }
    dropSocket();
}

void ClientConnection::handleSocketError()
{
    if (!m_socket)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    m_socketError = error;
    if (error == QAbstractSocket::RemoteHostClosedError) {
        handleDisconnected();
        return;
    }
    if (m_error.isEmpty() || !m_error.startsWith(u"TLS")) {
        const QString where = hostPort(m_url);
        QString what = m_socket->errorString();
        if (m_state == State::Connecting && !m_handshakeDone)
            fail(QStringLiteral("cannot connect to %1: %2").arg(where, what));
        else
            fail(QStringLiteral("connection to %1 lost: %2").arg(where, what));
    } else {
        fail(m_error);
    }
    dropSocket();
}

void ClientConnection::handleHandshakeTimeout()
{
    if (m_refused) {
        finishRefusal();
        return;
    }
    fail(QStringLiteral("no WebSocket handshake with %1 within %2 ms")
             .arg(hostPort(m_url))
             .arg(m_options.handshakeTimeoutMs));
    dropSocket();
}

void ClientConnection::connectionEnded()
{
    m_handshakeTimer->stop();
    m_pingTimer->stop();
    m_closeTimer->stop();
    m_bodyTimer->stop();
    const bool wasOpen = m_handshakeDone;
    m_handshakeDone = false;
    if (wasOpen && !m_closeRecorded) {
        m_closeRecorded = true;
        if (!m_closeCode) {
            m_closeCode = 1006;
            m_closedByUs = false;
        }
        ClientEvent e;
        e.kind = ClientEvent::Kind::Closed;
        e.closeCode = m_closeCode;
        e.text = m_closeReason;
        e.outgoing = m_closedByUs;
        record(std::move(e));
    }
    const bool retry = m_options.reconnect && !m_userClosed
        && (m_options.maxReconnects <= 0 || m_attempt < m_options.maxReconnects);
    if (!retry) {
        setState(State::Closed);
        Q_EMIT finished();
        return;
    }
    ++m_attempt;
    const qint64 delay
        = std::min<qint64>(qint64(m_options.reconnectDelayMs) << std::min(m_attempt - 1, 20),
                           m_options.maxReconnectDelayMs);
    ClientEvent e;
    e.kind = ClientEvent::Kind::Reconnecting;
    e.text = m_options.maxReconnects > 0
        ? QStringLiteral("in %1 ms (attempt %2 of %3)")
              .arg(delay)
              .arg(m_attempt)
              .arg(m_options.maxReconnects)
        : QStringLiteral("in %1 ms (attempt %2)").arg(delay).arg(m_attempt);
    record(std::move(e));
    setState(State::WaitingToReconnect);
    m_reconnectTimer->start(int(delay));
}

} // namespace Gatehouse::Client
