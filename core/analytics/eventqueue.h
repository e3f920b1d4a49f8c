// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayevent.h"

#include <QList>

#include <atomic>
#include <mutex>

namespace Gatehouse::Analytics {

// A bounded multi-producer queue of gateway events. push() never waits for the
// consumer: it appends under a short mutex, and what does not fit is counted as
// dropped instead of blocking the relay. The consumer takes everything at once
// (swap), so the lock is held only for a list append or a swap.
class EventQueue final
{
public:
    explicit EventQueue(qsizetype capacity = 100'000);

    // Returns how many of `events` were accepted (the rest are dropped).
    qsizetype push(const QList<Gateway::GatewayEvent> &events);
    // Everything queued so far, oldest first; the queue is empty afterwards.
    QList<Gateway::GatewayEvent> takeAll();

    qsizetype size() const;
    qsizetype capacity() const { return m_capacity; }
    qint64 accepted() const { return m_accepted.load(std::memory_order_relaxed); }
    qint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }

private:
    const qsizetype m_capacity;
    mutable std::mutex m_mutex;
    QList<Gateway::GatewayEvent> m_events;
    std::atomic<qint64> m_accepted {0};
    std::atomic<qint64> m_dropped {0};
};

} // namespace Gatehouse::Analytics
