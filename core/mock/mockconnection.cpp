// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/mockconnection.h"

#include "mock/mockserver.h"

#include <QWebSocket>

namespace Gatehouse {

namespace {

QString preview(const QString &text)
{
    constexpr int Max = 160;
    QString line = text.left(Max);
    line.replace(u'\n', QStringLiteral("\\n"));
    line.replace(u'\r', QStringLiteral("\\r"));
    if (text.size() > Max)
        line += QStringLiteral("... (%1 characters)").arg(text.size());
    return line;
}

} // namespace

MockConnection::MockConnection(QWebSocket *socket, int id, MockServer *server, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_id(id)
    , m_server(server)
{
    m_socket->setParent(this);
    const QUrl url = m_socket->requestUrl();
    m_path = url.path(QUrl::FullyEncoded);
    if (m_path.isEmpty())
        m_path = QStringLiteral("/");
    if (url.hasQuery())
        m_path += u'?' + url.query(QUrl::FullyEncoded);

    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_server->log(
            QStringLiteral("#%1 %2 received text: %3").arg(m_id).arg(m_path, preview(text)));
        Q_EMIT textReceived(text);
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
        m_server->log(QStringLiteral("#%1 %2 received binary: %3 bytes")
                          .arg(m_id)
                          .arg(m_path)
                          .arg(data.size()));
        Q_EMIT binaryReceived(data);
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        m_server->log(QStringLiteral("#%1 %2 closed (code %3%4)")
                          .arg(m_id)
                          .arg(m_path)
                          .arg(int(m_socket->closeCode()))
                          .arg(m_socket->closeReason().isEmpty()
                                   ? QString()
                                   : QStringLiteral(", ") + m_socket->closeReason()));
        Q_EMIT disconnected();
    });
}

MockConnection::~MockConnection() = default;

QString MockConnection::peer() const
{
    QHostAddress address = m_socket->peerAddress();
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        address = QHostAddress(v4);
    return QStringLiteral("%1:%2").arg(address.toString()).arg(m_socket->peerPort());
}

void MockConnection::setRoute(const QString &name, const QStringList &channelIds,
                              const QMap<QString, QString> &parameters)
{
    m_routeName = name;
    m_channelIds = channelIds;
    m_parameters = parameters;
}

bool MockConnection::isOpen() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

void MockConnection::sendText(const QString &text)
{
    if (!isOpen())
        return;
    m_server->log(QStringLiteral("#%1 %2 sent text: %3").arg(m_id).arg(m_path, preview(text)));
    m_socket->sendTextMessage(text);
}

void MockConnection::sendBinary(const QByteArray &data)
{
    if (!isOpen())
        return;
    m_server->log(
        QStringLiteral("#%1 %2 sent binary: %3 bytes").arg(m_id).arg(m_path).arg(data.size()));
    m_socket->sendBinaryMessage(data);
}

void MockConnection::close(int code, const QString &reason)
{
    if (!isOpen())
        return;
    m_server->log(QStringLiteral("#%1 %2 closing with code %3 %4")
                      .arg(m_id)
                      .arg(m_path)
                      .arg(code)
                      .arg(reason));
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

} // namespace Gatehouse
