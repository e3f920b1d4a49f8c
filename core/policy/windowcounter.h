// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

#include <array>
#include <functional>
#include <memory>
#include <mutex>

namespace Gatehouse::Policies {

// Counts events per key in fixed time windows (a plan's "N events per minute").
// Windows are aligned to the epoch in UTC: a minute window runs from hh:mm:00.000
// to hh:mm:59.999, and an event at exactly hh:mm+1:00.000 is the first of the next
// window, so counts are exact at window boundaries. Only allowed events are
// counted. Thread-safe: buckets are found in a sharded map and each bucket has
// its own short lock; callers on the hot path keep the Bucket they got.
class WindowCounter final
{
public:
    // Milliseconds since the epoch; injectable for tests.
    using Clock = std::function<qint64()>;

    struct Result
    {
        bool allowed = true;
        quint64 count = 0; // events counted in the current window, this one included
        qint64 windowStartMs = 0;
        qint64 retryAfterMs = 0; // when not allowed: time until the window ends
    };

    class Bucket final
    {
    public:
        // Counts one event at `nowMs` unless the window already holds `limit`
        // events. limit 0 = unlimited (nothing is counted).
        Result hit(qint64 nowMs, quint64 limit, qint64 windowMs);
        // Events counted in the window that contains `nowMs`.
        quint64 count(qint64 nowMs, qint64 windowMs) const;

    private:
        friend class WindowCounter;
        mutable std::mutex m_mutex;
        qint64 m_windowStart = std::numeric_limits<qint64>::min();
        quint64 m_count = 0;
    };

    static qint64 windowStart(qint64 nowMs, qint64 windowMs);

    explicit WindowCounter(Clock clock = {});

    qint64 now() const { return m_clock(); }
    std::shared_ptr<Bucket> bucket(const QString &key);
    Result hit(const QString &key, quint64 limit, qint64 windowMs);
    qsizetype size() const;
    // Forgets buckets nobody else holds (they restart at zero when used again,
    // which is right once their window has passed).
    void prune(qint64 olderThanMs);

private:
    struct Shard
    {
        mutable std::mutex mutex;
        QHash<QString, std::shared_ptr<Bucket>> buckets;
    };
    Shard &shardFor(const QString &key);

    Clock m_clock;
    std::array<Shard, 16> m_shards;
};

} // namespace Gatehouse::Policies
