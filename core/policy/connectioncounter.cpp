// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/connectioncounter.h"

namespace Gatehouse::Policies {

ConnectionSlot::ConnectionSlot(std::shared_ptr<ConnectionCounter> counter, QStringList keys)
    : m_counter(std::move(counter))
    , m_keys(std::move(keys))
{ }

ConnectionSlot::~ConnectionSlot()
{
    release();
}

ConnectionSlot::ConnectionSlot(ConnectionSlot &&other) noexcept
    : m_counter(std::move(other.m_counter))
    , m_keys(std::move(other.m_keys))
{
    other.m_counter.reset();
}

ConnectionSlot &ConnectionSlot::operator=(ConnectionSlot &&other) noexcept
{
    if (this != &other) {
        release();
        m_counter = std::move(other.m_counter);
        m_keys = std::move(other.m_keys);
        other.m_counter.reset();
    }
    return *this;
}

void ConnectionSlot::release()
{
    if (m_counter) {
        m_counter->release(m_keys);
        m_counter.reset();
        m_keys.clear();
    }
}

std::optional<ConnectionSlot> ConnectionCounter::tryAcquire(const QList<Request> &requests,
                                                            Refusal *refused)
{
    QStringList keys;
    {
        std::lock_guard lock(m_mutex);
        for (const Request &r : requests) {
            if (r.limit > 0 && m_counts.value(r.key) >= r.limit) {
                if (refused)
                    *refused = {r.key, r.limit};
                return std::nullopt;
            }
        }
        for (const Request &r : requests) {
            ++m_counts[r.key];
            keys.append(r.key);
        }
    }
    return ConnectionSlot(shared_from_this(), std::move(keys));
}

qint64 ConnectionCounter::count(const QString &key) const
{
    std::lock_guard lock(m_mutex);
    return m_counts.value(key);
}

void ConnectionCounter::release(const QStringList &keys)
{
    std::lock_guard lock(m_mutex);
    for (const QString &key : keys) {
        auto it = m_counts.find(key);
        if (it == m_counts.end())
            continue;
        if (--it.value() <= 0)
            m_counts.erase(it);
    }
}

} // namespace Gatehouse::Policies
