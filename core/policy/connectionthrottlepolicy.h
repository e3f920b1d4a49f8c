// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"
#include "gateway/connectionpolicy.h"
#include "policy/connectioncounter.h"
#include "policy/policyconfig.h"

#include <QHash>
#include <QList>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace Gatehouse::Policies {

// Caps concurrent connections per API, per application and per plan. A refused
// handshake gets 429 with Retry-After (or 503, as webMethods answers). The place
// taken in evaluate() is given back in released().
class ConnectionThrottlePolicy final : public Gateway::ConnectionPolicy
{
public:
    struct Settings
    {
        qint64 maxConnections = 0; // whole API (all channels sharing this policy); 0 = none
        qint64 maxPerApplication = 0; // each application; 0 = none
        QHash<QString, qint64> maxPerPlan; // all applications on a plan together
        bool planCaps = true; // a plan's maxConnections caps each application on it
        int status = 429; // 429 or 503
        int retryAfterSeconds = 1; // Retry-After header; 0 = none
    };

    static Settings parse(PolicyConfig &config, const QList<Plan> &plans);

    ConnectionThrottlePolicy(const Settings &settings, const QList<Plan> &plans,
                             std::shared_ptr<ConnectionCounter> counter = {});

    QString name() const override { return QStringLiteral("connectionThrottle"); }
    Gateway::ConnectionDecision evaluate(Gateway::ConnectionContext &context) override;
    void released(const Gateway::ConnectionContext &context) override;

    std::shared_ptr<ConnectionCounter> counter() const { return m_counter; }
    qsizetype heldSlots() const;

private:
    Settings m_settings;
    QList<Plan> m_plans;
    std::shared_ptr<ConnectionCounter> m_counter;
    mutable std::mutex m_mutex;
    std::unordered_map<quint64, ConnectionSlot> m_slots;
};

} // namespace Gatehouse::Policies
