// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/backendconnector.h"

#include "gateway/websocketcodec.h"

#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

namespace Gatehouse::Gateway {

BackendConnector::BackendConnector(QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        fail(504, QStringLiteral("backend did not answer within %1 ms").arg(m_request.timeoutMs));
    });
}

BackendConnector::~BackendConnector()
{
    abort();
}

void BackendConnector::start(const Request &request)
{
    m_request = request;
    QByteArray key(16, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(key.data()), 4);
    m_key = key.toBase64();

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
    m_timer->start(request.timeoutMs);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.data()))
        ssl->connectToHostEncrypted(request.host, request.port);
    else
        m_socket->connectToHost(request.host, request.port);
}

void BackendConnector::abort()
{
    m_done = true;
    m_timer->stop();
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

void BackendConnector::handleConnected()
{
    if (m_done)
        return;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    QByteArray host = m_request.host.toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    const quint16 defaultPort = m_request.secure ? 443 : 80;
    if (m_request.port != defaultPort)
        host += ':' + QByteArray::number(m_request.port);

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
    m_socket->write(req);
}

void BackendConnector::handleReadyRead()
{
    if (m_done)
        return;
    m_buffer += m_socket->read(
        qMin(m_socket->bytesAvailable(), m_request.maxResponseBytes + 4 - m_buffer.size()));
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_buffer.size() > m_request.maxResponseBytes)
            fail(502,
                 QStringLiteral("backend answer header larger than %1 bytes")
                     .arg(m_request.maxResponseBytes));
        return;
    }
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    const QList<QByteArray> statusParts = lines.value(0).trimmed().split(' ');
    bool ok = false;
    const int status = statusParts.value(1).toInt(&ok);
    if (!statusParts.value(0).startsWith("HTTP/1.") || !ok) {
        fail(502, QStringLiteral("backend answered something that is not HTTP"));
        return;
    }
    if (status != 101) {
        if (status >= 400 && status <= 599)
            fail(status,
                 QStringLiteral("backend answered %1")
                     .arg(QString::fromLatin1(lines.value(0).trimmed())));
        else
            fail(502,
                 QStringLiteral("backend answered %1 instead of upgrading")
                     .arg(QString::fromLatin1(lines.value(0).trimmed())));
        return;
    }
    QByteArray upgrade, connection, accept, protocol, extensions;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "upgrade")
            upgrade = value;
        else if (name == "connection")
            connection = value;
        else if (name == "sec-websocket-accept")
            accept = value;
        else if (name == "sec-websocket-protocol")
            protocol = value;
        else if (name == "sec-websocket-extensions")
            extensions = value;
    }
    if (upgrade.toLower() != "websocket" || !connection.toLower().contains("upgrade")) {
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
    m_timer->stop();
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
    abort();
    emit failed(status, reason);
}

} // namespace Gatehouse::Gateway
