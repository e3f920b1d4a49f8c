// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connectionpolicy.h"
#include "policy/credentialcheck.h"
#include "policy/credentialextractor.h"
#include "policy/policyconfig.h"

namespace Gatehouse::Policies {

// Authenticates and authorizes a handshake: finds the credential
// (CredentialExtractor), has the credential store check it for the API, then
// checks the channel's x-scopes. Channels (or all their operations) marked
// `x-auth-type: None` are open to anonymous clients.
//
//   no credential / unknown / expired / revoked  -> 401 + WWW-Authenticate: Bearer ...
//   not subscribed / subscription blocked        -> 403
//   a scope of the channel's operations missing  -> 403 + error="insufficient_scope"
//
// Credential query parameters are never forwarded: they are listed in the attribute
// CredentialQueryAttribute, and the session leaves them out of the backend request.
// On success context.identity is filled in, and the subscription's plan is left in
// the attributes Plan*Attribute for the throttling policies.
class AuthenticatePolicy final : public Gateway::ConnectionPolicy
{
public:
    static constexpr const char *CredentialQueryAttribute
        = "gatehouse.credentialQuery"; // QStringList
    // (the subscription's plan goes to ConnectionContext::plan)

    struct Settings
    {
        CredentialExtractor::Settings places;
        QString realm = QStringLiteral("gatehouse");
        bool strictPlaces = true; // API keys only in the API key places, tokens only in the others
    };

    static Settings parse(PolicyConfig &config);

    AuthenticatePolicy(const Settings &settings, CredentialVerifier verifier);

    QString name() const override { return QStringLiteral("authenticate"); }
    Gateway::ConnectionDecision evaluate(Gateway::ConnectionContext &context) override;

    // True when the channel needs no credential (x-auth-type: None on the channel,
    // or on every operation of the channel that sets it).
    static bool isOpen(const Api &api, const Channel &channel);
    // Union of the x-scopes of the channel's operations.
    static QStringList requiredScopes(const Api &api, const Channel &channel);

private:
    Gateway::ConnectionDecision unauthorized(const QString &reason, const QString &error) const;

    Settings m_settings;
    CredentialVerifier m_verifier;
    QByteArray m_apiKeyHeaderLower; // withheld from the backend unless it was verified
};

} // namespace Gatehouse::Policies
