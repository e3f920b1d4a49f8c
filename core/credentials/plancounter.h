// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"

#include <QtGlobal>

#include <atomic>
#include <limits>
#include <mutex>

namespace Gatehouse::Credentials {

// The live usage of one plan by one subscription: a fixed-window event counter and
// a count of open connections. Windows are aligned to the Unix epoch, so they start
// on a whole UTC second, minute, hour or day (a day window rolls over at 00:00 UTC).
// An event at exactly the first millisecond of a window counts in the new window.
//
// Threads: every method may be called from any thread at once (gateway workers share
// one counter per subscription). Event counting takes a short per-counter mutex,
// never held across anything else; unlimited plans take no lock at all.
class PlanCounter final
{
public:
    explicit PlanCounter(const Plan &plan);
    Q_DISABLE_COPY_MOVE(PlanCounter)

    const Plan &plan() const { return m_plan; }

    // Counts `events` events at `nowMs` (ms since the epoch) if they fit into the
    // current window; returns false and counts nothing if they do not. A clock that
    // goes backwards counts in the current window (no reset).
    bool tryConsume(qint64 nowMs, quint64 events = 1);

    // Events counted in the window containing nowMs, and how many more fit
    // (quint64 max for unlimited plans).
    quint64 used(qint64 nowMs) const;
    quint64 remaining(qint64 nowMs) const;

    // First ms of the window that contains nowMs, and ms from nowMs until the next
    // window starts (for a Retry-After header; at least 1).
    qint64 windowStart(qint64 nowMs) const;
    qint64 msUntilReset(qint64 nowMs) const;

    // Concurrent connections: tryOpenConnection() returns false when the plan's
    // maxConnections are all open; every successful call needs one connectionClosed().
    bool tryOpenConnection();
    void connectionClosed();
    int openConnections() const { return m_connections.load(std::memory_order_relaxed); }

    static qint64 windowStartFor(Plan::Unit unit, qint64 nowMs);

private:
    const Plan m_plan;
    const qint64 m_windowMs;
    mutable std::mutex m_mutex;
    qint64 m_windowStart = std::numeric_limits<qint64>::min(); // guarded by m_mutex
    quint64 m_count = 0; // guarded by m_mutex
    std::atomic<int> m_connections {0};
};

} // namespace Gatehouse::Credentials
