// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"
#include "gateway/messagepolicy.h"
#include "policy/policyconfig.h"
#include "policy/windowcounter.h"

#include <QHash>
#include <QList>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>

namespace Gatehouse::Policies {

// Message rate limit by the application's plan (WSO2's rule: every WebSocket
// message in either direction is one event). The limit comes from the plan named
// in the connection's identity (x-gatehouse plans), or from the policy's own
// `events`/`unit` when set. Events are counted per application per API across
// all its connections; anonymous connections are counted per client address.
//
// Over the limit, soft mode (the default) drops the message and sends the sender
// the text frame {"error":4003,"reason":"Websocket frame throttled out"}; the
// connection stays open. Hard mode closes the connection with 1008.
class RateLimitPolicy final : public Gateway::MessagePolicy
{
public:
    static QString throttledFrame();

    enum class Mode { Soft, Hard };

    struct Settings
    {
        Mode mode = Mode::Soft;
        quint64 events = 0; // 0: take the limit from the plan
        Plan::Unit unit = Plan::Unit::Minute;
        QString defaultPlan; // plan for identities without a known plan
        quint64 anonymousEvents = 0; // limit for anonymous connections; 0 = unlimited
        Plan::Unit anonymousUnit = Plan::Unit::Minute;
    };

    static Settings parse(PolicyConfig &config, const QList<Plan> &plans);
    static qint64 unitMs(Plan::Unit unit);
    // "second" / "minute" / "hour" / "day" (also plural and "sec"/"min"); nullopt otherwise.
    static std::optional<Plan::Unit> parseUnit(const QString &text);

    RateLimitPolicy(const Settings &settings, const QList<Plan> &plans,
                    std::shared_ptr<WindowCounter> counter = {});

    QString name() const override { return QStringLiteral("rateLimit"); }
    Gateway::MessageVerdict process(const Gateway::ConnectionContext &context,
                                    Gateway::RelayMessage &message) override;
    // An unlimited plan (no counter for the connection): nothing to count.
    bool forwardsEverything(const Gateway::ConnectionContext &context) override;
    void connectionOpened(const Gateway::ConnectionContext &context) override;
    void connectionClosed(const Gateway::ConnectionContext &context) override;

    struct Limit
    {
        quint64 events = 0; // 0 = unlimited
        qint64 windowMs = 0;
        QString key; // counter key
        QString plan; // plan name the limit came from, for messages
    };
    // The limit that applies to a connection.
    Limit limitFor(const Gateway::ConnectionContext &context) const;

    std::shared_ptr<WindowCounter> counter() const { return m_counter; }
    qsizetype trackedConnections() const;

private:
    struct ConnectionState
    {
        Limit limit;
        std::shared_ptr<WindowCounter::Bucket> bucket;
    };
    struct Shard
    {
        mutable std::mutex mutex;
        QHash<quint64, std::shared_ptr<const ConnectionState>> connections;
    };
    std::shared_ptr<const ConnectionState> stateFor(const Gateway::ConnectionContext &context);

    Settings m_settings;
    QList<Plan> m_plans;
    std::shared_ptr<WindowCounter> m_counter;
    std::array<Shard, 8> m_shards;
    std::atomic<quint64> m_closes {0}; // every 1024 closes, forget counters idle for a day
};

} // namespace Gatehouse::Policies
