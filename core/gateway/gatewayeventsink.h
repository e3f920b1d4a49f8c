// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayevent.h"

#include <QList>

namespace Gatehouse::Gateway {

// Receives the gateway's events in batches. Each worker thread collects its
// events and hands them over every few milliseconds (or when a batch is full), so
// consume() is called from several threads at once: implementations must be
// thread-safe and must return quickly (queue the batch and do the work, e.g. SQLite
// inserts, on their own thread). The relay never waits for a sink.
class GatewayEventSink
{
public:
    virtual ~GatewayEventSink() = default;
    virtual void consume(const QList<GatewayEvent> &events) = 0;
};

} // namespace Gatehouse::Gateway
