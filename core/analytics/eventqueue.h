// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayevent.h"

#include <QList>

#include <atomic>
#include <mutex>

namespace Gatehouse::Analytics {

// A bounded multi-producer queue of gateway events. push() never waits for the
// consumer: it appends under a short mutex, and what does not fit is counted as
// dropped instead of blocking the relay. Batches are kept as the producers handed
// them over (an implicitly shared list, not copied event by event) and the consumer
// takes everything at once (swap), so the lock is held only for an append or a swap.
class EventQueue final
{
public:
    explicit EventQueue(qsizetype capacity = 100'000);

    // Returns how many of `events` were accepted (the rest are dropped).
    qsizetype push(const QList<Gateway::GatewayEvent> &events);
    // Everything queued so far as the batches pushed, oldest first; the queue is
    // empty afterwards.
    QList<QList<Gateway::GatewayEvent>> takeAll();

    qsizetype size() const;
    qsizetype capacity() const { return m_capacity; }
    qint64 accepted() const { return m_accepted.load(std::memory_order_relaxed); }
    qint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }

private:
    const qsizetype m_capacity;
    mutable std::mutex m_mutex;
    QList<QList<Gateway::GatewayEvent>> m_batches;
    qsizetype m_size = 0; // events in m_batches
    std::atomic<qint64> m_accepted {0};
    std::atomic<qint64> m_dropped {0};
};

} // namespace Gatehouse::Analytics
