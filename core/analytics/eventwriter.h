// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayevent.h"

#include <QList>
#include <QString>

namespace Gatehouse::Analytics {

// Where an AsyncEventSink writes its batches (SQLite, a JSON Lines file, ...).
// Every method runs on the sink's writer thread, never on a gateway thread.
class EventWriter
{
public:
    virtual ~EventWriter() = default;
    // Opens the destination; false with a one-line `error` (what and where).
    virtual bool open(QString *error) = 0;
    // Writes one batch, all or nothing where the destination allows it.
    virtual bool write(const QList<Gateway::GatewayEvent> &events, QString *error) = 0;
    virtual void close() = 0;
};

} // namespace Gatehouse::Analytics
