// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "api/plan.h"
#include "gateway/connectioncontext.h"

#include <QString>

#include <functional>
#include <optional>

namespace Gatehouse::Policies {

// What the credential store said about a presented secret for one API. The
// authenticate policy turns it into the handshake's answer; the store behind it
// (registry lookup, JWT verification) is core/credentials'.
struct CredentialCheck
{
    enum class Outcome {
        Ok,
        Unauthenticated, // unknown, malformed, expired, revoked, bad signature  -> 401
        Forbidden, // not subscribed, subscription blocked, wrong API        -> 403
        Unavailable, // the store cannot answer right now                      -> 503
    };

    Outcome outcome = Outcome::Unauthenticated;
    QString reason; // one line, safe to send to the client
    Gateway::ConnectionIdentity identity; // filled when Ok
    std::optional<Plan> plan; // the subscription's plan, when known

    static CredentialCheck ok(Gateway::ConnectionIdentity identity,
                              std::optional<Plan> plan = std::nullopt)
    {
        CredentialCheck c;
        c.outcome = Outcome::Ok;
        c.identity = std::move(identity);
        c.plan = std::move(plan);
        return c;
    }
    static CredentialCheck fail(Outcome outcome, const QString &reason)
    {
        CredentialCheck c;
        c.outcome = outcome;
        c.reason = reason;
        return c;
    }
};

// Checks a secret for an API. Must be thread-safe and must not block (an in-memory
// lookup; core/credentials' snapshot does that).
using CredentialVerifier = std::function<CredentialCheck(const QString &secret, const Api &api)>;

} // namespace Gatehouse::Policies
