// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/connectionthrottlepolicy.h"

namespace Gatehouse::Policies {

using Gateway::ConnectionDecision;

ConnectionThrottlePolicy::Settings ConnectionThrottlePolicy::parse(PolicyConfig &config,
                                                                   const QList<Plan> &plans)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"),
                      QStringLiteral("maxConnections"), QStringLiteral("maxPerApplication"),
                      QStringLiteral("maxPerPlan"), QStringLiteral("planCaps"),
                      QStringLiteral("status"), QStringLiteral("retryAfter")});
    Settings s;
    s.maxConnections = config.integer(QStringLiteral("maxConnections"), 0, 0);
    s.maxPerApplication = config.integer(QStringLiteral("maxPerApplication"), 0, 0);
    PolicyConfig perPlan = config.object(QStringLiteral("maxPerPlan"));
    for (auto it = perPlan.json().begin(); it != perPlan.json().end(); ++it) {
        const QString plan = toQString(it.key());
        bool known = false;
        for (const Plan &p : plans)
            known = known || p.name.compare(plan, Qt::CaseInsensitive) == 0;
        if (!known && !plans.isEmpty())
            perPlan.fail(plan,
                         QStringLiteral("no plan named \"%1\" in x-gatehouse.plans").arg(plan));
        s.maxPerPlan.insert(plan.toLower(), perPlan.integer(plan, 0, 0));
    }
    s.planCaps = config.boolean(QStringLiteral("planCaps"), true);
    s.status = static_cast<int>(config.integer(QStringLiteral("status"), 429, 0));
    if (s.status != 429 && s.status != 503) {
        config.fail(QStringLiteral("status"),
                    QStringLiteral("expected 429 or 503, got %1").arg(s.status));
        s.status = 429;
    }
    // a plain number is seconds, as in the Retry-After header itself
    if (const Json *retry = config.value(QStringLiteral("retryAfter")); retry && retry->is_number())
        s.retryAfterSeconds
            = static_cast<int>(config.integer(QStringLiteral("retryAfter"), 1, 0, 86'400));
    else
        s.retryAfterSeconds = static_cast<int>(
            config.duration(QStringLiteral("retryAfter"), std::chrono::seconds(1)).count() / 1000);
    return s;
}

ConnectionThrottlePolicy::ConnectionThrottlePolicy(const Settings &settings,
                                                   const QList<Plan> &plans,
                                                   std::shared_ptr<ConnectionCounter> counter)
    : m_settings(settings)
    , m_plans(plans)
    , m_counter(counter ? std::move(counter) : std::make_shared<ConnectionCounter>())
{ }

ConnectionDecision ConnectionThrottlePolicy::evaluate(Gateway::ConnectionContext &context)
{
    const auto &identity = context.identity;
    const QString api = context.route.apiKey;
    QList<ConnectionCounter::Request> requests;
    requests.append({QStringLiteral("api\n") + api, m_settings.maxConnections});
    if (!identity.applicationId.isEmpty()) {
        qint64 appLimit = m_settings.maxPerApplication;
        const int planCap = context.plan.known ? context.plan.maxConnections : 0;
        if (m_settings.planCaps && planCap > 0) {
            appLimit = appLimit > 0 ? std::min<qint64>(appLimit, planCap) : planCap;
        } else if (m_settings.planCaps && !context.plan.known && !identity.plan.isEmpty()) {
            for (const Plan &p : m_plans) {
                if (p.name.compare(identity.plan, Qt::CaseInsensitive) == 0 && p.maxConnections > 0)
                    appLimit = appLimit > 0 ? std::min<qint64>(appLimit, p.maxConnections)
                                            : p.maxConnections;
            }
        }
        requests.append({QStringLiteral("app\n") + api + u'\n' + identity.applicationId, appLimit});
        if (!identity.plan.isEmpty())
            requests.append({QStringLiteral("plan\n") + api + u'\n' + identity.plan.toLower(),
                             m_settings.maxPerPlan.value(identity.plan.toLower())});
    }

    ConnectionCounter::Refusal refusal;
    auto slot = m_counter->tryAcquire(requests, &refusal);
    if (!slot) {
        QString who;
        if (refusal.key.startsWith(u"api\n"))
            who = QStringLiteral("API %1").arg(api);
        else if (refusal.key.startsWith(u"app\n"))
            who = QStringLiteral("application %1")
                      .arg(identity.applicationName.isEmpty() ? identity.applicationId
                                                              : identity.applicationName);
        else
            who = QStringLiteral("plan %1").arg(identity.plan);
        QList<QPair<QByteArray, QByteArray>> headers;
        if (m_settings.retryAfterSeconds > 0)
            headers.append({QByteArrayLiteral("Retry-After"),
                            QByteArray::number(m_settings.retryAfterSeconds)});
        return ConnectionDecision::reject(
            m_settings.status,
            QStringLiteral("too many connections: %1 allows %2 at a time")
                .arg(who)
                .arg(refusal.limit),
            headers);
    }
    std::lock_guard lock(m_mutex);
    m_slots.insert_or_assign(context.connectionId, std::move(*slot));
    return ConnectionDecision::allow();
}

void ConnectionThrottlePolicy::released(const Gateway::ConnectionContext &context)
{
    ConnectionSlot slot;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_slots.find(context.connectionId);
        if (it == m_slots.end())
            return;
        slot = std::move(it->second);
        m_slots.erase(it);
    }
    // slot gives its places back here, outside our lock
}

qsizetype ConnectionThrottlePolicy::heldSlots() const
{
    std::lock_guard lock(m_mutex);
    return m_slots.size();
}

} // namespace Gatehouse::Policies
