// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayevent.h"
#include "gateway/gatewayeventsink.h"

#include <QMutex>
#include <QString>
#include <QStringList>

namespace Gatehouse {

// One line for a connection event, as `gatehouse-cli serve -v` prints it and the
// desktop app's Gateway output shows it: "accepted #3 127.0.0.1 /chats/1.0.0/... ->
// ws://...", "rejected #4 ... 401 missing credentials ...", "throttled #5 ...",
// "closed #3 1000 by client (2 in, 3 out, 5012 ms)". Empty for the events that are not
// about a connection's life (relayed messages).
QString eventLine(const Gateway::GatewayEvent &event);

// Collects eventLine()s on the gateway's threads for a view that takes them in
// batches (takeLines(), a few times a second), never one signal per event. Keeps at
// most `capacity` lines: the oldest go first when nobody takes them.
class EventLineSink final : public Gateway::GatewayEventSink
{
public:
    explicit EventLineSink(qsizetype capacity = 10000);
    void consume(const QList<Gateway::GatewayEvent> &events) override;
    // The lines since the last call, oldest first, and how many were dropped.
    QStringList takeLines(qsizetype *dropped = nullptr);

private:
    QMutex m_mutex;
    QStringList m_lines;
    qsizetype m_capacity;
    qsizetype m_dropped = 0;
};

} // namespace Gatehouse
