// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/policyfactory.h"

#include "policy/authenticatepolicy.h"
#include "policy/connectionthrottlepolicy.h"
#include "policy/faultinjectionpolicy.h"
#include "policy/logpolicy.h"
#include "policy/payloadvalidationpolicy.h"
#include "policy/policyconfig.h"
#include "policy/ratelimitpolicy.h"
#include "policy/sizelimitpolicy.h"
#include "policy/transformpolicy.h"

#include <QLoggingCategory>

#include <algorithm>

namespace Gatehouse::Policies {

Q_LOGGING_CATEGORY(lcPolicy, "gatehouse.policy")

namespace {

const QString Authenticate = QStringLiteral("authenticate");
const QString ConnectionThrottle = QStringLiteral("connectionThrottle");
const QString RateLimit = QStringLiteral("rateLimit");
const QString SizeLimit = QStringLiteral("sizeLimit");
const QString ValidatePayload = QStringLiteral("validatePayload");
const QString Transform = QStringLiteral("transform");
const QString FaultInjection = QStringLiteral("faultInjection");
const QString Log = QStringLiteral("log");

// Evaluation order of the types (see the class comment).
int rank(const QString &type)
{
    static const QStringList order {Authenticate,    ConnectionThrottle, SizeLimit,      RateLimit,
                                    ValidatePayload, Transform,          FaultInjection, Log};
    return static_cast<int>(order.indexOf(type));
}

} // namespace

struct PolicyFactory::Entry
{
    QString type;
    Json config;
    QString path; // JSON path of the entry, for errors
    bool apiLevel = false;
    int apiIndex = -1; // index in the API-wide list (for sharing)
};

struct PolicyFactory::Built
{
    QString type;
    std::shared_ptr<Gateway::ConnectionPolicy> connection;
    std::shared_ptr<Gateway::MessagePolicy> message;
};

struct PolicyFactory::ApiCache
{
    std::weak_ptr<const Api> api;
    QHash<int, Built> shared; // API-wide entry index -> built objects
    QHash<QString, Built> defaults; // default policies by type
};

struct PolicyFactory::LogRegistry
{
    mutable std::mutex mutex;
    QHash<QString, std::shared_ptr<const LogPolicy>> byKey; // "context/version\nchannel"
    QHash<QString, std::shared_ptr<const LogPolicy>> byTitle; // "title\nchannel"
};

QStringList PolicyFactory::knownTypes()
{
    return {Authenticate,    ConnectionThrottle, RateLimit,      SizeLimit,
            ValidatePayload, Transform,          FaultInjection, Log};
}

PolicyFactory::PolicyFactory()
    : PolicyFactory(Options())
{ }

PolicyFactory::PolicyFactory(Options options)
    : m_options(std::move(options))
    , m_windowCounter(std::make_shared<WindowCounter>(m_options.clock))
    , m_connectionCounter(std::make_shared<ConnectionCounter>())
    , m_logRegistry(std::make_shared<LogRegistry>())
{ }

PolicyFactory::~PolicyFactory() = default;

QStringList PolicyFactory::warnings() const
{
    std::lock_guard lock(m_mutex);
    return m_warnings;
}

QString PolicyFactory::channelPath(const Channel &channel)
{
    QString key = channel.id.isEmpty() ? channel.address : channel.id;
    key.replace(u'"', QStringLiteral("\\\""));
    return QStringLiteral("channels[\"%1\"].x-gatehouse.policies").arg(key);
}

namespace {

QList<Policy> readList(const Json &list, const QString &path, QString *error)
{
    QList<Policy> result;
    if (list.is_null())
        return result;
    if (!list.is_array()) {
        if (error)
            *error = QStringLiteral("%1: expected a list of policies, got %2")
                         .arg(path, PolicyConfig::describe(list));
        return result;
    }
    int i = 0;
    for (const Json &item : list) {
        const QString itemPath = QStringLiteral("%1[%2]").arg(path).arg(i++);
        if (!item.is_object()) {
            if (error)
                *error = QStringLiteral("%1: expected an object with a type, got %2")
                             .arg(itemPath, PolicyConfig::describe(item));
            return {};
        }
        const auto type = item.find("type");
        if (type == item.end()) {
            if (error)
                *error = QStringLiteral("%1: missing \"type\" (one of: %2)")
                             .arg(itemPath, PolicyFactory::knownTypes().join(QStringLiteral(", ")));
            return {};
        }
        if (!type->is_string()) {
            if (error)
                *error = QStringLiteral("%1.type: expected a string, got %2")
                             .arg(itemPath, PolicyConfig::describe(*type));
            return {};
        }
        result.append(Policy {toQString(type->get<std::string>()), item});
    }
    return result;
}

} // namespace

QList<Policy> PolicyFactory::apiPolicyList(const Api &api, QString *error)
{
    const Json &raw = api.gatehouse.raw;
    if (raw.is_object() && raw.contains("policies"))
        return readList(raw.at("policies"), QStringLiteral("x-gatehouse.policies"), error);
    return api.gatehouse.policies;
}

QList<Policy> PolicyFactory::channelPolicyList(const Channel &channel, QString *error)
{
    if (!channel.extra.is_object())
        return {};
    const auto ext = channel.extra.find("x-gatehouse");
    if (ext == channel.extra.end() || ext->is_null())
        return {};
    if (!ext->is_object()) {
        if (error)
            *error = channelPath(channel).chopped(QStringLiteral(".policies").size())
                + QStringLiteral(": expected an object, got ") + PolicyConfig::describe(*ext);
        return {};
    }
    const auto list = ext->find("policies");
    if (list == ext->end())
        return {};
    return readList(*list, channelPath(channel), error);
}

CredentialExtractor::Settings PolicyFactory::credentialPlaces(const Api &api,
                                                              const Channel &channel)
{
    QList<Policy> list = channelPolicyList(channel, nullptr);
    if (std::none_of(list.cbegin(), list.cend(),
                     [](const Policy &p) { return p.type == Authenticate; }))
        list = apiPolicyList(api, nullptr);
    for (const Policy &p : list) {
        if (p.type != Authenticate)
            continue;
        PolicyConfig config(p.config, QStringLiteral("authenticate"));
        const AuthenticatePolicy::Settings settings = AuthenticatePolicy::parse(config);
        if (config.ok())
            return settings.places;
    }
    return {};
}

QList<PolicyFactory::Built> PolicyFactory::build(const std::shared_ptr<const Api> &api,
                                                 const QList<Entry> &entries, QString *error)
{
    QList<Built> result;
    for (const Entry &entry : entries) {
        PolicyConfig config(entry.config, entry.path);
        if (!knownTypes().contains(entry.type)) {
            *error = QStringLiteral("%1.type: unknown policy type \"%2\" (known: %3)")
                         .arg(entry.path, entry.type, knownTypes().join(QStringLiteral(", ")));
            return {};
        }
        Built built;
        built.type = entry.type;
        const QList<Plan> &plans = api->gatehouse.plans;
        if (entry.type == Authenticate) {
            auto s = AuthenticatePolicy::parse(config);
            built.connection = std::make_shared<AuthenticatePolicy>(s, m_options.verifier);
        } else if (entry.type == ConnectionThrottle) {
            auto s = ConnectionThrottlePolicy::parse(config, plans);
            built.connection
                = std::make_shared<ConnectionThrottlePolicy>(s, plans, m_connectionCounter);
        } else if (entry.type == RateLimit) {
            auto s = RateLimitPolicy::parse(config, plans);
            built.message = std::make_shared<RateLimitPolicy>(s, plans, m_windowCounter);
        } else if (entry.type == SizeLimit) {
            built.message = std::make_shared<SizeLimitPolicy>(SizeLimitPolicy::parse(config));
        } else if (entry.type == Transform) {
            auto s = TransformPolicy::parse(config);
            if (config.ok())
                built.message = std::make_shared<TransformPolicy>(s);
        } else if (entry.type == FaultInjection) {
            auto s = FaultInjectionPolicy::parse(config);
            if (s.seed == 0 && m_options.faultSeed != 0)
                s.seed = m_options.faultSeed;
            auto policy = std::make_shared<FaultInjectionPolicy>(s);
            if (config.ok() && s.isActive()) {
                const QString warning = QStringLiteral("FAULT INJECTION IS ON for %1 (%2): %3")
                                            .arg(api->title, entry.path, policy->summary());
                std::lock_guard lock(m_mutex);
                if (!m_warnings.contains(warning)) {
                    m_warnings.append(warning);
                    if (!m_silent)
                        qCWarning(lcPolicy).noquote() << warning;
                }
            }
            built.connection = policy;
            built.message = policy;
        } else if (entry.type == Log) {
            built.message = std::make_shared<LogPolicy>(LogPolicy::parse(config));
        }
        // validatePayload is built per channel by the caller
        if (!config.ok()) {
            *error = config.error();
            return {};
        }
        result.append(built);
    }
    return result;
}

Gateway::ChannelPolicies PolicyFactory::policiesFor(const std::shared_ptr<const Api> &api,
                                                    const Channel &channel, QString *error)
{
    QString localError;
    QString &err = error ? *error : localError;
    err.clear();
    if (!api)
        return {};

    const QList<Policy> apiList = apiPolicyList(*api, &err);
    if (!err.isEmpty())
        return {};
    const QList<Policy> channelList = channelPolicyList(channel, &err);
    if (!err.isEmpty())
        return {};

    // Channel entries replace the API-wide entries of their type.
    QStringList channelTypes;
    for (const Policy &p : channelList)
        channelTypes.append(p.type);
    QList<Entry> entries;
    for (int i = 0; i < apiList.size(); ++i) {
        if (channelTypes.contains(apiList.at(i).type))
            continue;
        entries.append({apiList.at(i).type, apiList.at(i).config,
                        QStringLiteral("x-gatehouse.policies[%1]").arg(i), true, i});
    }
    for (int i = 0; i < channelList.size(); ++i)
        entries.append({channelList.at(i).type, channelList.at(i).config,
                        channelPath(channel) + QStringLiteral("[%1]").arg(i), false, -1});

    // `enabled: false` switches a type off; check enabled's own type first.
    QStringList disabled;
    QList<Entry> active;
    for (const Entry &e : entries) {
        const auto enabled = e.config.find("enabled");
        if (enabled != e.config.end() && !enabled->is_boolean()) {
            err = QStringLiteral("%1.enabled: expected true or false, got %2")
                      .arg(e.path, PolicyConfig::describe(*enabled));
            return {};
        }
        if (enabled != e.config.end() && !enabled->get<bool>()) {
            disabled.append(e.type);
            continue;
        }
        active.append(e);
    }
    QStringList declared = disabled;
    for (const Entry &e : active)
        declared.append(e.type);

    // Find or create the cache of this API's shared objects.
    std::shared_ptr<ApiCache> cache;
    {
        std::lock_guard lock(m_mutex);
        m_cache.removeIf([](const std::shared_ptr<ApiCache> &c) { return c->api.expired(); });
        for (const auto &c : std::as_const(m_cache))
            if (c->api.lock() == api)
                cache = c;
        if (!cache) {
            cache = std::make_shared<ApiCache>(ApiCache {api, {}, {}});
            m_cache.append(cache);
        }
    }

    QList<Built> built;
    for (const Entry &e : active) {
        if (e.type == ValidatePayload) {
            PolicyConfig config(e.config, e.path);
            const auto settings = PayloadValidationPolicy::parse(config);
            if (!config.ok()) {
                err = config.error();
                return {};
            }
            QString schemaError;
            auto policy
                = std::make_shared<PayloadValidationPolicy>(settings, *api, channel, &schemaError);
            if (!schemaError.isEmpty()) {
                err = QStringLiteral("%1: channel %2: %3")
                          .arg(e.path, channel.address, schemaError);
                return {};
            }
            built.append({e.type, nullptr, policy});
            continue;
        }
        if (e.apiLevel) {
            std::unique_lock lock(m_mutex);
            if (auto it = cache->shared.constFind(e.apiIndex); it != cache->shared.cend()) {
                built.append(it.value());
                continue;
            }
            lock.unlock();
            const QList<Built> one = build(api, {e}, &err);
            if (!err.isEmpty())
                return {};
            lock.lock();
            cache->shared.insert(e.apiIndex, one.constFirst());
            built.append(one.constFirst());
            continue;
        }
        const QList<Built> one = build(api, {e}, &err);
        if (!err.isEmpty())
            return {};
        built.append(one);
    }

    if (m_options.defaults) {
        auto addDefault = [&](const QString &type, auto make) {
            if (declared.contains(type))
                return;
            std::lock_guard lock(m_mutex);
            auto it = cache->defaults.find(type);
            if (it == cache->defaults.end())
                it = cache->defaults.insert(type, make());
            built.append(it.value());
        };
        if (m_options.verifier)
            addDefault(Authenticate, [&] {
                return Built {Authenticate,
                              std::make_shared<AuthenticatePolicy>(AuthenticatePolicy::Settings {},
                                                                   m_options.verifier),
                              nullptr};
            });
        addDefault(SizeLimit, [&] {
            return Built {SizeLimit, nullptr, std::make_shared<SizeLimitPolicy>()};
        });
        addDefault(RateLimit, [&] {
            return Built {RateLimit, nullptr,
                          std::make_shared<RateLimitPolicy>(RateLimitPolicy::Settings {},
                                                            api->gatehouse.plans, m_windowCounter)};
        });
    }

    std::stable_sort(built.begin(), built.end(),
                     [](const Built &a, const Built &b) { return rank(a.type) < rank(b.type); });
    Gateway::ChannelPolicies result;
    for (const Built &b : built) {
        if (b.connection)
            result.connection.append(b.connection);
        if (b.message)
            result.message.append(b.message);
    }

    // Remember the channel's log policy for payloadFilter() (a reload replaces it).
    const QString context = api->gatehouse.context.endsWith(u'/')
        ? api->gatehouse.context.chopped(1)
        : api->gatehouse.context;
    const QString key = (api->version.isEmpty() ? context : context + u'/' + api->version) + u'\n'
        + channel.address;
    const QString titleKey = api->title + u'\n' + channel.address;
    std::shared_ptr<const LogPolicy> log = logPolicy(result);
    {
        std::lock_guard lock(m_logRegistry->mutex);
        if (log) {
            m_logRegistry->byKey.insert(key, log);
            m_logRegistry->byTitle.insert(titleKey, log);
        } else {
            m_logRegistry->byKey.remove(key);
            m_logRegistry->byTitle.remove(titleKey);
        }
    }
    return result;
}

QStringList PolicyFactory::check(const Api &api)
{
    QStringList errors;
    // A throwaway factory so that checking leaves no shared state behind.
    Options options = m_options;
    options.defaults = false;
    PolicyFactory probe(options);
    probe.m_silent = true;
    auto copy = std::make_shared<const Api>(api);
    QString error;
    apiPolicyList(api, &error);
    if (!error.isEmpty())
        return {error};
    for (const Channel &channel : api.channels) {
        error.clear();
        probe.policiesFor(copy, channel, &error);
        if (!error.isEmpty() && !errors.contains(error))
            errors.append(error);
    }
    if (api.channels.isEmpty()) {
        Channel none;
        probe.policiesFor(copy, none, &error);
        if (!error.isEmpty())
            errors.append(error);
    }
    return errors;
}

std::function<QByteArray(const Gateway::GatewayEvent &)> PolicyFactory::payloadFilter() const
{
    std::shared_ptr<const LogRegistry> registry = m_logRegistry;
    return [registry](const Gateway::GatewayEvent &e) -> QByteArray {
        std::shared_ptr<const LogPolicy> log;
        {
            std::lock_guard lock(registry->mutex);
            const Gateway::GatewayEvent::Details &d = e.details();
            log = registry->byKey.value(d.api + u'\n' + d.channel);
            if (!log)
                log = registry->byTitle.value(d.apiTitle + u'\n' + d.channel);
        }
        return log ? log->maskedPayload(e.payload, e.binary) : e.payload;
    };
}

std::shared_ptr<LogPolicy> PolicyFactory::logPolicy(const Gateway::ChannelPolicies &policies)
{
    for (const auto &p : policies.message)
        if (auto log = std::dynamic_pointer_cast<LogPolicy>(p))
            return log;
    return nullptr;
}

} // namespace Gatehouse::Policies
