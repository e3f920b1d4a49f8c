// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/handshakerequest.h"
#include "gateway/routematch.h"

#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

namespace Gatehouse::Gateway {

// Who is on the other end of a connection, as far as the connection policies
// found out. An authenticating policy fills it in; later policies (authorize,
// throttle) and the message policies read it. Empty applicationId = anonymous.
struct ConnectionIdentity
{
    QString applicationId;
    QString applicationName;
    QString subscriber; // owner / user name when known
    QString plan; // throttling plan name of the subscription
    QStringList scopes; // scopes granted to the credential
    QString credentialKind; // "jwt", "token", "apiKey", ... ; empty when anonymous
    QString credentialId; // token / key id (never the secret itself)
};

// Everything known about one connection while its handshake is checked. Passed
// to every ConnectionPolicy in turn (mutable, so a policy can record what later
// policies need), and kept for the connection's lifetime.
struct ConnectionContext
{
    quint64 connectionId = 0;
    HandshakeRequest request;
    RouteMatch route;
    ConnectionIdentity identity;
    QVariantMap attributes; // free-form notes policies leave for each other
    // The subscription plan an authenticating policy found (known: it found one),
    // for the rate limit and connection throttle policies.
    struct Plan
    {
        bool known = false;
        QString name;
        quint64 events = 0; // per unit; 0: unlimited
        qint64 unitMs = 60'000;
        int maxConnections = 0; // 0: no cap
    } plan;

    // Limits a policy may set for this connection; zero = none.
    std::chrono::milliseconds maxLifetime {0}; // close with 1001 after this long
    std::chrono::milliseconds idleTimeout {0}; // keep-alive ping, then 1001 (see GatewayOptions)
    QStringList flags; // e.g. "fault-injection"; copied into every event of the connection
    // Lower-case names of client headers never to forward, whatever the API's
    // forwardHeaders say: e.g. an Authorization header beside the credential that
    // was verified, which nobody checked.
    QList<QByteArray> withheldHeaders;

    // What a message policy keeps for this connection, found on the relay path
    // without a lock (a context belongs to one worker thread). Keyed by the policy,
    // which outlives the connection (the connection holds its router).
    void *policyState(const void *policy) const
    {
        for (const auto &entry : m_policyState)
            if (entry.first == policy)
                return entry.second.get();
        return nullptr;
    }
    void setPolicyState(const void *policy, std::shared_ptr<void> state) const
    {
        for (auto &entry : m_policyState)
            if (entry.first == policy) {
                entry.second = std::move(state);
                return;
            }
        m_policyState.emplace_back(policy, std::move(state));
    }

private:
    mutable std::vector<std::pair<const void *, std::shared_ptr<void>>> m_policyState;
};

} // namespace Gatehouse::Gateway
