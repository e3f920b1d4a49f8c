// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/windowcounter.h"

#include <QDateTime>

namespace Gatehouse::Policies {

qint64 WindowCounter::windowStart(qint64 nowMs, qint64 windowMs)
{
    if (windowMs <= 0)
        return nowMs;
    qint64 r = nowMs % windowMs;
    if (r < 0)
        r += windowMs;
    return nowMs - r;
}

WindowCounter::Result WindowCounter::Bucket::hit(qint64 nowMs, quint64 limit, qint64 windowMs)
{
    Result result;
    if (limit == 0 || windowMs <= 0)
        return result;
    const qint64 start = windowStart(nowMs, windowMs);
    std::lock_guard lock(m_mutex);
    if (start != m_windowStart) {
        // A later window starts empty. (A clock that steps back lands in an
        // earlier window, which also starts empty: never more than `limit` per window.)
        m_windowStart = start;
        m_count = 0;
    }
    result.windowStartMs = start;
    if (m_count >= limit) {
        result.allowed = false;
        result.count = m_count;
        result.retryAfterMs = start + windowMs - nowMs;
        return result;
    }
    result.count = ++m_count;
    return result;
}

quint64 WindowCounter::Bucket::count(qint64 nowMs, qint64 windowMs) const
{
    std::lock_guard lock(m_mutex);
    return windowStart(nowMs, windowMs) == m_windowStart ? m_count : 0;
}

WindowCounter::WindowCounter(Clock clock)
    : m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{ }

WindowCounter::Shard &WindowCounter::shardFor(const QString &key)
{
    return m_shards[qHash(key) % m_shards.size()];
}

std::shared_ptr<WindowCounter::Bucket> WindowCounter::bucket(const QString &key)
{
    Shard &shard = shardFor(key);
    std::lock_guard lock(shard.mutex);
    auto &slot = shard.buckets[key];
    if (!slot)
        slot = std::make_shared<Bucket>();
    return slot;
}

WindowCounter::Result WindowCounter::hit(const QString &key, quint64 limit, qint64 windowMs)
{
    if (limit == 0)
        return {};
    return bucket(key)->hit(m_clock(), limit, windowMs);
}

qsizetype WindowCounter::size() const
{
    qsizetype n = 0;
    for (const Shard &shard : m_shards) {
        std::lock_guard lock(shard.mutex);
        n += shard.buckets.size();
    }
    return n;
}

void WindowCounter::prune(qint64 olderThanMs)
{
    for (Shard &shard : m_shards) {
        std::lock_guard lock(shard.mutex);
        for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
            const bool unused = it.value().use_count() == 1;
            bool old = false;
            if (unused) {
                std::lock_guard bucketLock(it.value()->m_mutex);
                old = it.value()->m_windowStart < olderThanMs;
            }
            if (unused && old)
                it = shard.buckets.erase(it);
            else
                ++it;
        }
    }
}

} // namespace Gatehouse::Policies
