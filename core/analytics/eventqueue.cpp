// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/eventqueue.h"

namespace Gatehouse::Analytics {

EventQueue::EventQueue(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(1, capacity))
{ }

qsizetype EventQueue::push(const QList<Gateway::GatewayEvent> &events)
{
    qsizetype taken = 0;
    {
        std::lock_guard lock(m_mutex);
        const qsizetype room = m_capacity - m_events.size();
        taken = std::min(room, events.size());
        if (taken == events.size())
            m_events.append(events);
        else
            m_events.append(events.first(taken));
    }
    m_accepted.fetch_add(taken, std::memory_order_relaxed);
    if (taken < events.size())
        m_dropped.fetch_add(events.size() - taken, std::memory_order_relaxed);
    return taken;
}

QList<Gateway::GatewayEvent> EventQueue::takeAll()
{
    QList<Gateway::GatewayEvent> out;
    std::lock_guard lock(m_mutex);
    out.swap(m_events);
    return out;
}

qsizetype EventQueue::size() const
{
    std::lock_guard lock(m_mutex);
    return m_events.size();
}

} // namespace Gatehouse::Analytics
