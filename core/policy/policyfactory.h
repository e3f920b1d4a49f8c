// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "gateway/gatewayevent.h"
#include "gateway/policyprovider.h"
#include "policy/connectioncounter.h"
#include "policy/credentialcheck.h"
#include "policy/credentialextractor.h"
#include "policy/windowcounter.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <mutex>

namespace Gatehouse::Policies {

class LogPolicy;

// Builds the running policy objects of an API from x-gatehouse `policies` (API-wide,
// at the document root) and channel-level `x-gatehouse: {policies: [...]}`. Each
// entry is {type: NAME, ...config}. A channel entry replaces the API-wide entries of
// its type; `enabled: false` switches a type off for that scope.
//
// Without an entry, these run by default: authenticate (when a credential verifier
// is set), sizeLimit (1 MiB in, 16 MiB out) and rateLimit (by the plan).
// Evaluation order does not depend on list order:
//   connection: authenticate, connectionThrottle, faultInjection
//   message:    sizeLimit, rateLimit, validatePayload, transform (list order), faultInjection, log
//
// API-wide policy objects are shared by all channels of the API, so per-API
// counters span channels; rate and connection counters are owned by the factory
// and survive reloads, so a reload neither resets a window nor forgets connections.
class PolicyFactory final : public Gateway::PolicyProvider
{
public:
    struct Options
    {
        CredentialVerifier verifier; // empty: no default authenticate; an explicit one answers 503
        WindowCounter::Clock clock; // empty: the system clock
        bool defaults = true; // add the default policies listed above
        quint64 faultSeed = 0; // 0: a random seed per faultInjection policy (unless configured)
    };

    static QStringList knownTypes();

    PolicyFactory();
    explicit PolicyFactory(Options options);
    ~PolicyFactory() override;

    Gateway::ChannelPolicies policiesFor(const std::shared_ptr<const Api> &api,
                                         const Channel &channel, QString *error) override;

    // Every configuration error of the API's policies (API-wide and every channel),
    // one line each; empty when the configuration is valid.
    QStringList check(const Api &api);

    // Warnings collected while building (fault injection switched on, ...).
    QStringList warnings() const;

    // Turns the payload of a gateway event into what the log keeps: masked and cut as
    // the log policy of the event's API and channel says (looked up by the event's
    // api key "context/version", then by API title, and channel address). Payloads
    // of channels without a log policy pass unchanged. Thread-safe; meant for
    // MessageLogStore / JsonLinesWriter `payloadFilter`, which run it on their
    // writer threads.
    std::function<QByteArray(const Gateway::GatewayEvent &)> payloadFilter() const;

    // The log policy that applies to a channel built before, if any.
    static std::shared_ptr<LogPolicy> logPolicy(const Gateway::ChannelPolicies &policies);

    // The policy list of a channel's x-gatehouse extension; `error` names the path.
    static QList<Policy> channelPolicyList(const Channel &channel, QString *error);
    // The API-wide policy list (x-gatehouse.policies).
    static QList<Policy> apiPolicyList(const Api &api, QString *error);
    // Where the authenticate policy of `channel` looks for a credential: the places
    // its (channel or API-wide) declaration names, else the defaults.
    static CredentialExtractor::Settings credentialPlaces(const Api &api, const Channel &channel);

    std::shared_ptr<WindowCounter> windowCounter() const { return m_windowCounter; }
    std::shared_ptr<ConnectionCounter> connectionCounter() const { return m_connectionCounter; }

private:
    struct Built;
    struct Entry;
    QList<Built> build(const std::shared_ptr<const Api> &api, const QList<Entry> &entries,
                       QString *error);
    static QString channelPath(const Channel &channel);

    Options m_options;
    std::shared_ptr<WindowCounter> m_windowCounter;
    std::shared_ptr<ConnectionCounter> m_connectionCounter;
    mutable std::mutex m_mutex;
    QStringList m_warnings;
    bool m_silent = false; // check()'s probe: collect warnings, print none
    struct ApiCache;
    QList<std::shared_ptr<ApiCache>> m_cache;
    struct LogRegistry;
    std::shared_ptr<LogRegistry> m_logRegistry;
};

} // namespace Gatehouse::Policies
