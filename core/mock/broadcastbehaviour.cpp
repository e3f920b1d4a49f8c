// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/broadcastbehaviour.h"

#include "mock/mockconnection.h"
#include "mock/mockserver.h"

#include <QDateTime>
#include <QTimer>

namespace Gatehouse {

BroadcastBehaviour::BroadcastBehaviour(MockServer *server, bool serverTime, int intervalMs)
    : MockBehaviour(server)
    , m_serverTime(serverTime)
    , m_intervalMs(intervalMs)
{ }

BroadcastBehaviour::~BroadcastBehaviour() = default;

void BroadcastBehaviour::start()
{
    if (!m_serverTime)
        return;
    m_timer = std::make_unique<QTimer>();
    m_timer->setInterval(m_intervalMs);
    QObject::connect(m_timer.get(), &QTimer::timeout, server(), [this] {
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        for (MockConnection *c : server()->connections())
            c->sendText(now);
    });
    m_timer->start();
}

void BroadcastBehaviour::handleText(MockConnection *connection, const QString &text)
{
    for (MockConnection *c : server()->connections())
        if (c != connection && c->path() == connection->path())
            c->sendText(text);
}

void BroadcastBehaviour::handleBinary(MockConnection *connection, const QByteArray &data)
{
    for (MockConnection *c : server()->connections())
        if (c != connection && c->path() == connection->path())
            c->sendBinary(data);
}

} // namespace Gatehouse
