// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clienthistory.h"

#include <algorithm>

namespace Gatehouse::Client {

ClientHistory::ClientHistory(qsizetype maxEvents, qint64 maxBytes)
    : m_maxEvents(std::max<qsizetype>(1, maxEvents))
    , m_maxBytes(std::max<qint64>(0, maxBytes))
{ }

quint64 ClientHistory::append(ClientEvent event)
{
    std::lock_guard lock(m_mutex);
    event.sequence = m_next++;
    switch (event.kind) {
    case ClientEvent::Kind::Received:
        ++m_totals.received;
        m_totals.receivedBytes += event.data.size();
        break;
    case ClientEvent::Kind::Sent:
        ++m_totals.sent;
        m_totals.sentBytes += event.data.size();
        break;
    case ClientEvent::Kind::Ping:
        ++m_totals.pings;
        break;
    case ClientEvent::Kind::Pong:
        ++m_totals.pongs;
        break;
    default:
        break;
    }
    m_bytes += event.data.size();
    m_events.push_back(std::move(event));
    trim();
    return m_next - 1;
}

void ClientHistory::trim()
{
    // the newest event stays even when it alone is over the byte limit
    while (m_events.size() > 1
           && (qsizetype(m_events.size()) > m_maxEvents || m_bytes > m_maxBytes)) {
        m_bytes -= m_events.front().data.size();
        m_events.pop_front();
    }
}

QList<ClientEvent> ClientHistory::since(quint64 sequence, quint64 *skipped,
                                        qsizetype maxCount) const
{
    std::lock_guard lock(m_mutex);
    QList<ClientEvent> out;
    if (skipped)
        *skipped = 0;
    if (m_events.empty())
        return out;
    const quint64 first = m_events.front().sequence;
    if (skipped && sequence + 1 < first)
        *skipped = first - sequence - 1;
    const quint64 start = std::max(sequence + 1, first);
    if (start > m_events.back().sequence)
        return out;
    qsizetype count = qsizetype(m_events.back().sequence - start + 1);
    if (maxCount > 0)
        count = std::min(count, maxCount);
    out.reserve(count);
    const auto from = m_events.begin() + qsizetype(start - first);
    for (auto it = from; it != from + count; ++it)
        out.append(*it);
    return out;
}

ClientHistory::Totals ClientHistory::totals() const
{
    std::lock_guard lock(m_mutex);
    return m_totals;
}

quint64 ClientHistory::lastSequence() const
{
    std::lock_guard lock(m_mutex);
    return m_next - 1;
}

qsizetype ClientHistory::size() const
{
    std::lock_guard lock(m_mutex);
    return qsizetype(m_events.size());
}

qint64 ClientHistory::bytes() const
{
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

void ClientHistory::clear()
{
    std::lock_guard lock(m_mutex);
    m_events.clear();
    m_bytes = 0;
}

void ClientHistory::setLimits(qsizetype maxEvents, qint64 maxBytes)
{
    std::lock_guard lock(m_mutex);
    m_maxEvents = std::max<qsizetype>(1, maxEvents);
    m_maxBytes = std::max<qint64>(0, maxBytes);
    trim();
}

qsizetype ClientHistory::maxEvents() const
{
    std::lock_guard lock(m_mutex);
    return m_maxEvents;
}

qint64 ClientHistory::maxBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_maxBytes;
}

} // namespace Gatehouse::Client
