// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/credentialsnapshot.h"

#include "credentials/jwt.h"
#include "credentials/tokengenerator.h"

namespace Gatehouse::Credentials {

namespace {

QString subscriptionKey(const QString &applicationId, const QString &apiTitle,
                        const QString &apiVersion)
{
    return applicationId + QLatin1Char('\n') + apiTitle + QLatin1Char('\n') + apiVersion;
}

AuthResult::Status statusFor(Jwt::Error error)
{
    switch (error) {
    case Jwt::Error::None:
        return AuthResult::Status::Ok;
    case Jwt::Error::Malformed:
        return AuthResult::Status::Malformed;
    case Jwt::Error::UnsupportedAlgorithm:
        return AuthResult::Status::UnsupportedAlgorithm;
    case Jwt::Error::BadSignature:
        return AuthResult::Status::BadSignature;
    case Jwt::Error::Expired:
        return AuthResult::Status::Expired;
    case Jwt::Error::NotYetValid:
        return AuthResult::Status::NotYetValid;
    case Jwt::Error::WrongAudience:
        return AuthResult::Status::WrongAudience;
    }
    return AuthResult::Status::Malformed;
}

} // namespace

CredentialSnapshot::CredentialSnapshot(QList<Application> applications,
                                       QList<Subscription> subscriptions,
                                       QList<CredentialInfo> credentials, QByteArray signingKey)
    : m_applications(std::move(applications))
    , m_subscriptions(std::move(subscriptions))
    , m_credentials(std::move(credentials))
    , m_signingKey(std::move(signingKey))
{
    for (qsizetype i = 0; i < m_applications.size(); ++i)
        m_applicationIndex.insert(m_applications.at(i).id, i);
    for (qsizetype i = 0; i < m_credentials.size(); ++i) {
        const CredentialInfo &c = m_credentials.at(i);
        m_credentialById.insert(c.id, i);
        if (!c.secretHash.isEmpty())
            m_credentialByHash.insert(c.secretHash, i);
    }
    for (qsizetype i = 0; i < m_subscriptions.size(); ++i) {
        const Subscription &s = m_subscriptions.at(i);
        m_subscriptionIndex.insert(subscriptionKey(s.applicationId, s.apiTitle, s.apiVersion), i);
    }
}

CredentialSnapshot::Verification CredentialSnapshot::verify(const QString &secret,
                                                            const QString &apiTitle,
                                                            const QString &apiVersion,
                                                            qint64 nowMs) const
{
    Verification v;
    auto rejected = [&v](AuthResult::Status status, const QString &reason) {
        v.status = status;
        v.reason = reason;
        return v;
    };
    const QString presented = secret.trimmed();
    if (presented.isEmpty())
        return rejected(AuthResult::Status::Missing, QStringLiteral("no credential presented"));

    if (Jwt::looksLikeJwt(presented)) {
        v.jwt = true;
        if (m_signingKey.isEmpty())
            return rejected(AuthResult::Status::NoSigningKey,
                            QStringLiteral("JWTs cannot be verified: no signing key loaded"));
        const QString audience = apiTitle + QLatin1Char(':') + apiVersion;
        const Jwt::Verification jwt = Jwt::verify(presented, m_signingKey, audience, nowMs / 1000);
        if (!jwt.ok())
            return rejected(statusFor(jwt.error), jwt.reason);
        v.jwtScopes = jwt.claims.scopes;
    }

    const auto found = m_credentialByHash.constFind(TokenGenerator::hash(presented));
    if (found == m_credentialByHash.constEnd())
        return rejected(AuthResult::Status::Unknown, QStringLiteral("unknown credential"));
    const CredentialInfo &credential = m_credentials.at(found.value());
    const auto app = m_applicationIndex.constFind(credential.applicationId);
    if (app == m_applicationIndex.constEnd())
        return rejected(AuthResult::Status::Unknown, QStringLiteral("unknown credential"));

    // Known credential: who it belongs to is reported even when it is refused, for
    // the gateway's events (never the secret).
    v.application = &m_applications.at(app.value());
    v.credential = &credential;
    if (credential.isRevoked())
        return rejected(AuthResult::Status::Revoked, QStringLiteral("credential revoked"));
    if (credential.isExpired(nowMs))
        return rejected(AuthResult::Status::Expired, QStringLiteral("credential expired"));
    authorize(v, apiTitle, apiVersion);
    return v;
}

AuthResult CredentialSnapshot::authenticate(const QString &secret, const QString &apiTitle,
                                            const QString &apiVersion, qint64 nowMs) const
{
    Verification v = verify(secret, apiTitle, apiVersion, nowMs);
    AuthResult result;
    result.status = v.status;
    result.reason = std::move(v.reason);
    if (v.application)
        result.application = *v.application;
    if (v.credential) {
        result.credential = *v.credential;
        // (the scopes only once the credential is neither revoked nor expired)
        if (v.status != AuthResult::Status::Revoked && v.status != AuthResult::Status::Expired)
            result.scopes = v.scopes();
    }
    if (v.subscription) {
        result.subscription = *v.subscription;
        result.plan = v.subscription->plan;
    }
    return result;
}

void CredentialSnapshot::authorize(Verification &v, const QString &apiTitle,
                                   const QString &apiVersion) const
{
    const CredentialInfo &c = *v.credential;
    if (!c.apiTitle.isEmpty() && (c.apiTitle != apiTitle || c.apiVersion != apiVersion)) {
        v.status = AuthResult::Status::WrongApi;
        v.reason
            = QStringLiteral("credential is not valid for API %1:%2").arg(apiTitle, apiVersion);
        return;
    }
    const auto sub
        = m_subscriptionIndex.constFind(subscriptionKey(v.application->id, apiTitle, apiVersion));
    if (sub == m_subscriptionIndex.constEnd()) {
        v.status = AuthResult::Status::NoSubscription;
        v.reason = QStringLiteral("application '%1' is not subscribed to API %2:%3")
                       .arg(v.application->name, apiTitle, apiVersion);
        return;
    }
    v.subscription = &m_subscriptions.at(sub.value());
    if (v.subscription->blocked) {
        v.status = AuthResult::Status::Blocked;
        v.reason = QStringLiteral("subscription of application '%1' to API %2:%3 is blocked")
                       .arg(v.application->name, apiTitle, apiVersion);
        return;
    }
    v.status = AuthResult::Status::Ok;
}

std::optional<Application> CredentialSnapshot::applicationById(const QString &id) const
{
    const auto it = m_applicationIndex.constFind(id);
    if (it == m_applicationIndex.constEnd())
        return std::nullopt;
    return m_applications.at(it.value());
}

std::optional<Application> CredentialSnapshot::applicationByName(const QString &name) const
{
    for (const Application &a : m_applications)
        if (a.name == name)
            return a;
    return std::nullopt;
}

std::optional<CredentialInfo> CredentialSnapshot::credentialById(const QString &id) const
{
    const auto it = m_credentialById.constFind(id);
    if (it == m_credentialById.constEnd())
        return std::nullopt;
    return m_credentials.at(it.value());
}

std::optional<Subscription> CredentialSnapshot::subscription(const QString &applicationId,
                                                             const QString &apiTitle,
                                                             const QString &apiVersion) const
{
    const auto it
        = m_subscriptionIndex.constFind(subscriptionKey(applicationId, apiTitle, apiVersion));
    if (it == m_subscriptionIndex.constEnd())
        return std::nullopt;
    return m_subscriptions.at(it.value());
}

QList<Subscription> CredentialSnapshot::subscriptionsOf(const QString &applicationId) const
{
    QList<Subscription> result;
    for (const Subscription &s : m_subscriptions)
        if (s.applicationId == applicationId)
            result.append(s);
    return result;
}

QList<CredentialInfo> CredentialSnapshot::credentialsOf(const QString &applicationId) const
{
    QList<CredentialInfo> result;
    for (const CredentialInfo &c : m_credentials)
        if (c.applicationId == applicationId)
            result.append(c);
    return result;
}

} // namespace Gatehouse::Credentials
