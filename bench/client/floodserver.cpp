// SPDX-License-Identifier: GPL-3.0-or-later
#include "floodserver.h"

#include <QWebSocket>
#include <QWebSocketServer>

namespace Gatehouse::Bench {

namespace {

// Enough to keep the loopback connection busy between two writes of the socket.
constexpr qint64 MaxQueuedBytes = 4 * 1024 * 1024;

} // namespace

FloodServer::FloodServer(QObject *parent)
    : QObject(parent)
    , m_server(new QWebSocketServer(QStringLiteral("flood"), QWebSocketServer::NonSecureMode, this))
{
    connect(m_server, &QWebSocketServer::newConnection, this, &FloodServer::handleNewConnection);
}

FloodServer::~FloodServer() = default;

quint16 FloodServer::listen()
{
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        return 0;
    return m_server->serverPort();
}

void FloodServer::handleNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, socket](const QString &command) { handleCommand(socket, command); });
        connect(socket, &QWebSocket::bytesWritten, this, [this, socket] {
            if (socket == m_flooded)
                pump();
        });
    }
}

void FloodServer::handleCommand(QWebSocket *socket, const QString &command)
{
    const QStringList words = command.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    bool countOk = false;
    bool sizeOk = false;
    const qint64 count = words.value(1).toLongLong(&countOk);
    const int size = words.value(2).toInt(&sizeOk);
    if (words.size() != 3 || words.first() != QLatin1String("flood") || !countOk || !sizeOk
        || count < 0 || size < 0) {
        socket->sendTextMessage(QStringLiteral("usage: flood N SIZE"));
        return;
    }
    m_flooded = socket;
    m_payload = QString(size, QLatin1Char('x'));
    m_left = count;
    pump();
}

void FloodServer::pump()
{
    if (!m_flooded)
        return;
    while (m_left > 0 && m_flooded->bytesToWrite() < MaxQueuedBytes) {
        m_flooded->sendTextMessage(m_payload);
        --m_left;
    }
}

} // namespace Gatehouse::Bench
