// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connectionpolicy.h"
#include "gateway/messagepolicy.h"
#include "policy/policyconfig.h"

#include <QHash>

#include <chrono>
#include <mutex>
#include <random>

namespace Gatehouse::Policies {

// Fault injection for testing clients: added latency (fixed plus random jitter),
// a message drop rate, and forced disconnects after N messages or T seconds. All
// off by default. When on, every connection carries the flag "fault-injection"
// (copied into each of its log events) and the factory warns at start.
//
// Random choices come from a per-connection generator seeded with the policy's
// seed and the connection id, so a run with a fixed seed is reproducible whatever
// the interleaving of connections. It is both a connection policy (flags, the
// lifetime limit) and a message policy (latency, drops, message count).
class FaultInjectionPolicy final
    : public Gateway::ConnectionPolicy
    , public Gateway::MessagePolicy
{
public:
    static constexpr const char *Flag = "fault-injection";

    enum class Directions { Both, ClientToBackend, BackendToClient };

    struct Settings
    {
        std::chrono::milliseconds latency {0};
        std::chrono::milliseconds jitter {0}; // extra latency, uniform in [0, jitter]
        double dropRate = 0; // 0..1
        qint64 disconnectAfterMessages = 0; // 0 = never; the message after the Nth closes
        std::chrono::milliseconds disconnectAfter {0}; // 0 = never
        quint16 closeCode = 1001;
        Directions directions = Directions::Both;
        quint64 seed = 0; // 0 = random

        bool isActive() const
        {
            return latency.count() > 0 || jitter.count() > 0 || dropRate > 0
                || disconnectAfterMessages > 0 || disconnectAfter.count() > 0;
        }
    };

    static Settings parse(PolicyConfig &config);

    explicit FaultInjectionPolicy(const Settings &settings);

    const Settings &settings() const { return m_settings; }
    // One line saying what is switched on, e.g. "latency 200 ms ±50 ms, drop 10% of messages".
    QString summary() const;

    QString name() const override { return QStringLiteral("faultInjection"); }
    Gateway::ConnectionDecision evaluate(Gateway::ConnectionContext &context) override;
    Gateway::MessageVerdict process(const Gateway::ConnectionContext &context,
                                    Gateway::RelayMessage &message) override;
    bool forwardsEverything(const Gateway::ConnectionContext &context) override
    {
        Q_UNUSED(context);
        return !m_settings.isActive();
    }
    void connectionClosed(const Gateway::ConnectionContext &context) override;

private:
    struct State
    {
        std::mt19937_64 rng;
        qint64 messages = 0;
    };

    Settings m_settings;
    std::mutex m_mutex;
    QHash<quint64, State> m_states;
};

} // namespace Gatehouse::Policies
