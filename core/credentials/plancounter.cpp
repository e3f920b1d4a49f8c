// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/plancounter.h"

#include "credentials/plancatalog.h"

#include <limits>

namespace Gatehouse::Credentials {

PlanCounter::PlanCounter(const Plan &plan)
    : m_plan(plan)
    , m_windowMs(PlanCatalog::windowLengthMs(plan.unit))
{ }

qint64 PlanCounter::windowStartFor(Plan::Unit unit, qint64 nowMs)
{
    const qint64 length = PlanCatalog::windowLengthMs(unit);
    // Floor division, also right for times before the epoch.
    qint64 index = nowMs / length;
    if (nowMs % length < 0)
        --index;
    return index * length;
}

bool PlanCounter::tryConsume(qint64 nowMs, quint64 events)
{
    if (m_plan.events == 0)
        return true;
    const qint64 start = windowStartFor(m_plan.unit, nowMs);
    std::lock_guard lock(m_mutex);
    if (start > m_windowStart) {
        m_windowStart = start;
        m_count = 0;
    }
    if (events > m_plan.events - m_count)
        return false;
    m_count += events;
    return true;
}

quint64 PlanCounter::used(qint64 nowMs) const
{
    if (m_plan.events == 0)
        return 0;
    const qint64 start = windowStartFor(m_plan.unit, nowMs);
    std::lock_guard lock(m_mutex);
    return start > m_windowStart ? 0 : m_count;
}

quint64 PlanCounter::remaining(qint64 nowMs) const
{
    if (m_plan.events == 0)
        return std::numeric_limits<quint64>::max();
    return m_plan.events - used(nowMs);
}

qint64 PlanCounter::windowStart(qint64 nowMs) const
{
    return windowStartFor(m_plan.unit, nowMs);
}

qint64 PlanCounter::msUntilReset(qint64 nowMs) const
{
    return windowStartFor(m_plan.unit, nowMs) + m_windowMs - nowMs;
}

bool PlanCounter::tryOpenConnection()
{
    if (m_plan.maxConnections <= 0) {
        m_connections.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    int current = m_connections.load(std::memory_order_relaxed);
    do {
        if (current >= m_plan.maxConnections)
            return false;
    } while (!m_connections.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
    return true;
}

void PlanCounter::connectionClosed()
{
    int current = m_connections.load(std::memory_order_relaxed);
    do {
        if (current <= 0)
            return; // unbalanced call: never go negative
    } while (!m_connections.compare_exchange_weak(current, current - 1, std::memory_order_relaxed));
}

} // namespace Gatehouse::Credentials
