// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include <atomic>
#include <chrono>
#include <mutex>

namespace Gatehouse::Gateway {

// Payload logging switched on at run time, for a while: the payloads of an API's
// messages (or of one channel template, or one application) go into the message log
// until the grant ends by itself, whatever the log policy says, masked as that policy
// says. Thread-safe: the UI or the admin endpoint grants and revokes, the relay reads.
//
// The relay asks generation() for each message it could attach a payload to (one
// load) and, when it changed, grantedUntilNs() for its connection (a lock and a short
// list walk), so the cost per message stays a load and two compares.
class PayloadLogGrants final
{
public:
    // What the gateway attaches of a granted payload when no log policy says more.
    static constexpr qint64 DefaultPayloadBytes = 4096;

    struct Grant
    {
        quint64 id = 0;
        QString api; // "/chats/1.0.0" (context/version)
        QString channel; // channel address template; empty: every channel of the API
        QString application; // application id; empty: every application
        qint64 untilMs = 0; // wall clock, ms since the epoch
        qint64 untilNs = 0; // steady clock (the relay's), ns
        int sample = 1; // one message in this many of a connection (1: every one)

        // "/chats/1.0.0 /rooms/{roomID} app_1" as far as it is limited
        QString describe() const;
        // "", or ", one message in 10"
        QString sampleText() const;
        qint64 remainingMs(qint64 nowMs) const { return std::max<qint64>(0, untilMs - nowMs); }
    };

    PayloadLogGrants() = default;
    Q_DISABLE_COPY_MOVE(PayloadLogGrants)

    // Grants payload logging for `duration` (> 0) from now, of one message in
    // `sample` of each connection (both directions counted together, the first kept);
    // returns the grant's id. A grant for the same API, channel and application
    // replaces the earlier one.
    quint64 grant(const QString &api, const QString &channel, const QString &application,
                  std::chrono::milliseconds duration, int sample = 1);
    // Ends a grant early; false when there is no such grant (or it has ended).
    bool revoke(quint64 id);
    void revokeAll();
    // The grants that have not ended, oldest first.
    QList<Grant> active() const;

    // Changes whenever a grant is added or removed.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }
    // Until when (steady clock ns) payloads of a connection to `api`'s `channel` by
    // `application` are granted; 0 when none are. `sample`: one message in how many,
    // the smallest of the grants that cover the connection.
    qint64 grantedUntilNs(const QString &api, const QString &channel, const QString &application,
                          int *sample = nullptr) const;

    static qint64 steadyNowNs();

private:
    void prune(qint64 nowNs); // drops ended grants; under m_mutex

    mutable std::mutex m_mutex;
    QList<Grant> m_grants;
    quint64 m_nextId = 1;
    std::atomic<quint64> m_generation {0};
};

} // namespace Gatehouse::Gateway
