// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientevent.h"

#include <QList>

#include <deque>
#include <mutex>

namespace Gatehouse::Client {

// Everything a client connection saw, bounded in memory: the oldest events go when
// there are more than `maxEvents` or their payloads pass `maxBytes`. Readers on any
// thread ask for what came after the last sequence number they saw, so a view that
// falls behind loses the oldest events, never the newest, and knows how many.
class ClientHistory final
{
public:
    explicit ClientHistory(qsizetype maxEvents = 100000, qint64 maxBytes = 64 * 1024 * 1024);

    // Stamps the event with the next sequence number and keeps it; returns the number.
    quint64 append(ClientEvent event);
    // Events after `sequence` still kept, oldest first; `*skipped` tells how many after
    // it were dropped already (the reader fell behind the limit).
    // At most `maxCount` of them when it is above 0 (a reader taking them in portions).
    QList<ClientEvent> since(quint64 sequence, quint64 *skipped = nullptr,
                             qsizetype maxCount = 0) const;
    QList<ClientEvent> all() const { return since(0); }
    quint64 lastSequence() const;
    qsizetype size() const;
    qint64 bytes() const;
    void clear(); // forgets the events; numbering goes on

    // What went through since the start, kept or not (counters for a status line).
    struct Totals
    {
        quint64 received = 0;
        quint64 sent = 0;
        qint64 receivedBytes = 0;
        qint64 sentBytes = 0;
        quint64 pings = 0; // both ways
        quint64 pongs = 0;
    };
    Totals totals() const;

    void setLimits(qsizetype maxEvents, qint64 maxBytes);
    qsizetype maxEvents() const;
    qint64 maxBytes() const;

private:
    void trim(); // with m_mutex held

    mutable std::mutex m_mutex;
    std::deque<ClientEvent> m_events;
    quint64 m_next = 1;
    Totals m_totals;
    qint64 m_bytes = 0;
    qsizetype m_maxEvents;
    qint64 m_maxBytes;
};

} // namespace Gatehouse::Client
