// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"
#include "credentials/application.h"
#include "credentials/credentialinfo.h"
#include "credentials/subscription.h"

#include <QString>
#include <QStringList>

namespace Gatehouse::Credentials {

// The answer of CredentialSnapshot::authenticate(): who is calling and with which
// plan, or why not. Statuses below NoSubscription are authentication failures
// (HTTP 401), the others authorization failures (HTTP 403).
struct AuthResult
{
    enum class Status {
        Ok,
        Missing, // no credential presented                     401
        Unknown, // not a credential this registry issued       401
        Malformed, // a JWT that does not parse                   401
        UnsupportedAlgorithm, // JWT alg other than HS256 (incl. "none")     401
        BadSignature, // JWT signature does not match                401
        NoSigningKey, // a JWT, but no signing key is loaded          401
        Expired, //                                             401
        NotYetValid, // JWT nbf in the future                       401
        WrongAudience, // JWT aud names another API                    401
        Revoked, //                                             401
        NoSubscription, // application not subscribed to this API      403
        WrongApi, // credential restricted to another API        403
        Blocked, // subscription blocked                        403
    };

    Status status = Status::Unknown;
    QString reason; // one line, safe to send to the client
    // Filled when the credential is known, also for Revoked, Expired and the 403
    // statuses; never contains the secret.
    Application application;
    CredentialInfo credential;
    Subscription subscription; // filled when status is Ok or Blocked
    Plan plan; // == subscription.plan
    QStringList scopes; // granted scopes (credential's, or the JWT's)

    bool ok() const { return status == Status::Ok; }
    // 200, 401 or 403.
    int httpStatus() const { return httpStatusOf(status); }
    static int httpStatusOf(Status status)
    {
        if (status == Status::Ok)
            return 200;
        return status >= Status::NoSubscription ? 403 : 401;
    }
};

} // namespace Gatehouse::Credentials
