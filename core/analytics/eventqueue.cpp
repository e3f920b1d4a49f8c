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
        const qsizetype room = m_capacity - m_size;
        taken = std::min(room, events.size());
        if (taken == events.size())
            m_batches.append(events); // shares the list
        else if (taken > 0)
            m_batches.append(events.first(taken));
        m_size += taken;
    }
    m_accepted.fetch_add(taken, std::memory_order_relaxed);
    if (taken < events.size())
        m_dropped.fetch_add(events.size() - taken, std::memory_order_relaxed);
    return taken;
}

QList<QList<Gateway::GatewayEvent>> EventQueue::takeAll()
{
    QList<QList<Gateway::GatewayEvent>> out;
    std::lock_guard lock(m_mutex);
    out.swap(m_batches);
    m_size = 0;
    return out;
}

qsizetype EventQueue::size() const
{
    std::lock_guard lock(m_mutex);
    return m_size;
}

} // namespace Gatehouse::Analytics
