// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/ratelimitpolicy.h"

namespace Gatehouse::Policies {

using Gateway::Direction;
using Gateway::Leg;
using Gateway::MessageVerdict;

QString RateLimitPolicy::throttledFrame()
{
    return QStringLiteral(R"({"error":4003,"reason":"Websocket frame throttled out"})");
}

qint64 RateLimitPolicy::unitMs(Plan::Unit unit)
{
    switch (unit) {
    case Plan::Unit::Second:
        return 1000;
    case Plan::Unit::Minute:
        return 60'000;
    case Plan::Unit::Hour:
        return 3'600'000;
    case Plan::Unit::Day:
        return 86'400'000;
    }
    return 60'000;
}

std::optional<Plan::Unit> RateLimitPolicy::parseUnit(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"s" || t == u"sec" || t == u"second" || t == u"seconds")
        return Plan::Unit::Second;
    if (t == u"min" || t == u"minute" || t == u"minutes")
        return Plan::Unit::Minute;
    if (t == u"h" || t == u"hour" || t == u"hours")
        return Plan::Unit::Hour;
    if (t == u"d" || t == u"day" || t == u"days")
        return Plan::Unit::Day;
    return std::nullopt;
}

RateLimitPolicy::Settings RateLimitPolicy::parse(PolicyConfig &config, const QList<Plan> &plans)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"), QStringLiteral("mode"),
                      QStringLiteral("events"), QStringLiteral("unit"),
                      QStringLiteral("defaultPlan"), QStringLiteral("anonymousEvents"),
                      QStringLiteral("anonymousUnit")});
    Settings s;
    s.mode = config.string(QStringLiteral("mode"), QStringLiteral("soft"),
                           {QStringLiteral("soft"), QStringLiteral("hard")})
            == u"hard"
        ? Mode::Hard
        : Mode::Soft;
    s.events = static_cast<quint64>(config.integer(QStringLiteral("events"), 0, 0));
    auto readUnit = [&config](const QString &key, Plan::Unit fallback) {
        if (!config.has(key))
            return fallback;
        const QString text = config.string(key);
        if (auto u = parseUnit(text))
            return *u;
        if (config.ok())
            config.fail(
                key, QStringLiteral("expected second, minute, hour or day, got \"%1\"").arg(text));
        return fallback;
    };
    s.unit = readUnit(QStringLiteral("unit"), Plan::Unit::Minute);
    s.defaultPlan = config.string(QStringLiteral("defaultPlan"));
    if (!s.defaultPlan.isEmpty()) {
        bool known = s.defaultPlan.compare(u"Unlimited", Qt::CaseInsensitive) == 0;
        for (const Plan &p : plans)
            known = known || p.name.compare(s.defaultPlan, Qt::CaseInsensitive) == 0;
        if (!known)
            config.fail(
                QStringLiteral("defaultPlan"),
                QStringLiteral("no plan named \"%1\" in x-gatehouse.plans").arg(s.defaultPlan));
    }
    s.anonymousEvents
        = static_cast<quint64>(config.integer(QStringLiteral("anonymousEvents"), 0, 0));
    s.anonymousUnit = readUnit(QStringLiteral("anonymousUnit"), Plan::Unit::Minute);
    return s;
}

RateLimitPolicy::RateLimitPolicy(const Settings &settings, const QList<Plan> &plans,
                                 std::shared_ptr<WindowCounter> counter)
    : m_settings(settings)
    , m_plans(plans)
    , m_counter(counter ? std::move(counter) : std::make_shared<WindowCounter>())
{ }

RateLimitPolicy::Limit RateLimitPolicy::limitFor(const Gateway::ConnectionContext &context) const
{
    Limit limit;
    const auto &identity = context.identity;
    if (identity.applicationId.isEmpty()) {
        limit.events = m_settings.anonymousEvents;
        limit.windowMs = unitMs(m_settings.anonymousUnit);
        limit.key = context.route.apiKey + QStringLiteral("\nanonymous\n")
            + context.request.peerAddress.toString();
        limit.plan = QStringLiteral("anonymous");
        return limit;
    }
    limit.key = context.route.apiKey + QStringLiteral("\napp\n") + identity.applicationId;
    if (m_settings.events > 0) {
        limit.events = m_settings.events;
        limit.windowMs = unitMs(m_settings.unit);
        limit.plan = QStringLiteral("policy");
        return limit;
    }
    // The subscription's own plan, as the authenticate policy found it.
    if (context.plan.known) {
        limit.events = context.plan.events;
        limit.windowMs = context.plan.unitMs;
        limit.plan = context.plan.name;
        if (limit.windowMs <= 0)
            limit.events = 0;
        return limit;
    }
    auto findPlan = [this](const QString &name) -> const Plan * {
        for (const Plan &p : m_plans)
            if (p.name.compare(name, Qt::CaseInsensitive) == 0)
                return &p;
        return nullptr;
    };
    const Plan *plan = identity.plan.isEmpty() ? nullptr : findPlan(identity.plan);
    if (!plan && !m_settings.defaultPlan.isEmpty())
        plan = findPlan(m_settings.defaultPlan);
    if (plan) {
        limit.events = plan->events;
        limit.windowMs = unitMs(plan->unit);
        limit.plan = plan->name;
    } else {
        limit.plan = identity.plan.isEmpty() ? QStringLiteral("Unlimited") : identity.plan;
    }
    return limit;
}

std::shared_ptr<const RateLimitPolicy::ConnectionState>
RateLimitPolicy::stateFor(const Gateway::ConnectionContext &context)
{
    Shard &shard = m_shards[context.connectionId % m_shards.size()];
    {
        std::lock_guard lock(shard.mutex);
        if (auto it = shard.connections.constFind(context.connectionId);
            it != shard.connections.cend())
            return it.value();
    }
    auto state = std::make_shared<ConnectionState>();
    state->limit = limitFor(context);
    if (state->limit.events > 0)
        state->bucket = m_counter->bucket(state->limit.key);
    std::lock_guard lock(shard.mutex);
    auto &slot = shard.connections[context.connectionId];
    if (!slot)
        slot = std::move(state);
    return slot;
}

void RateLimitPolicy::connectionOpened(const Gateway::ConnectionContext &context)
{
    stateFor(context);
}

bool RateLimitPolicy::forwardsEverything(const Gateway::ConnectionContext &context)
{
    return !stateFor(context)->bucket;
}

void RateLimitPolicy::connectionClosed(const Gateway::ConnectionContext &context)
{
    {
        Shard &shard = m_shards[context.connectionId % m_shards.size()];
        std::lock_guard lock(shard.mutex);
        shard.connections.remove(context.connectionId);
    }
    // Counters of applications (and anonymous addresses) nobody uses any more would
    // pile up; a window never lasts longer than a day, so older ones are empty anyway.
    if ((m_closes.fetch_add(1, std::memory_order_relaxed) & 1023) == 1023)
        m_counter->prune(m_counter->now() - unitMs(Plan::Unit::Day));
}

qsizetype RateLimitPolicy::trackedConnections() const
{
    qsizetype n = 0;
    for (const Shard &shard : m_shards) {
        std::lock_guard lock(shard.mutex);
        n += shard.connections.size();
    }
    return n;
}

MessageVerdict RateLimitPolicy::process(const Gateway::ConnectionContext &context,
                                        Gateway::RelayMessage &message)
{
    // the state kept in the context saves a shard lock and a hash lookup per message
    auto *state = static_cast<const ConnectionState *>(context.policyState(this));
    if (!state) {
        std::shared_ptr<const ConnectionState> found = stateFor(context);
        state = found.get();
        context.setPolicyState(this, std::const_pointer_cast<ConnectionState>(std::move(found)));
    }
    if (!state->bucket)
        return MessageVerdict::forward();
    const auto result
        = state->bucket->hit(m_counter->now(), state->limit.events, state->limit.windowMs);
    if (result.allowed)
        return MessageVerdict::forward();

    const QString why = QStringLiteral("plan %1 allows %2 messages per %3 s; retry in %4 ms")
                            .arg(state->limit.plan)
                            .arg(state->limit.events)
                            .arg(state->limit.windowMs / 1000)
                            .arg(result.retryAfterMs);
    MessageVerdict v;
    if (m_settings.mode == Mode::Hard) {
        v = MessageVerdict::close(1008, QStringLiteral("Websocket frame throttled out"), 1001,
                                  QStringLiteral("client throttled out"));
    } else {
        const Leg sender
            = message.direction == Direction::ClientToBackend ? Leg::Client : Leg::Backend;
        v = MessageVerdict::drop(why, throttledFrame(), sender);
    }
    v.reason = why;
    v.throttled = true;
    return v;
}

} // namespace Gatehouse::Policies
