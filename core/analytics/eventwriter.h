// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayevent.h"

#include <QList>
#include <QString>

#include <span>

namespace Gatehouse::Analytics {

// A run of events inside one queued batch (no copy: it points into the batch).
using EventSpan = std::span<const Gateway::GatewayEvent>;
// The events of one write, oldest first: consecutive pieces of the queued batches.
using EventSlices = std::span<const EventSpan>;

// Where an AsyncEventSink writes its batches (SQLite, a JSON Lines file, ...).
// Every method runs on the sink's writer thread, never on a gateway thread.
class EventWriter
{
public:
    virtual ~EventWriter() = default;
    // Opens the destination; false with a one-line `error` (what and where).
    virtual bool open(QString *error) = 0;
    // Writes one transaction's events, all or nothing where the destination allows
    // it. The events stay valid (and unchanged) until write() returns.
    virtual bool write(EventSlices events, QString *error) = 0;
    virtual void close() = 0;
};

} // namespace Gatehouse::Analytics
