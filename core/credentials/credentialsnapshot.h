// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/application.h"
#include "credentials/authresult.h"
#include "credentials/credentialinfo.h"
#include "credentials/subscription.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace Gatehouse::Credentials {

// An immutable copy of the whole registry, indexed for lookups. The registry builds
// a new one after every change and hands it out as shared_ptr<const
// CredentialSnapshot>, so gateway worker threads authenticate without locks and
// without touching SQL; all const methods are safe from any thread.
class CredentialSnapshot final
{
public:
    CredentialSnapshot() = default;
    CredentialSnapshot(QList<Application> applications, QList<Subscription> subscriptions,
                       QList<CredentialInfo> credentials, QByteArray signingKey);

    // What verify() found: the outcome and the snapshot's own records (pointers into
    // it, valid while it lives; null where authenticate() leaves them empty).
    struct Verification
    {
        AuthResult::Status status = AuthResult::Status::Unknown;
        QString reason;
        const Application *application = nullptr;
        const CredentialInfo *credential = nullptr;
        const Subscription *subscription = nullptr;
        QStringList jwtScopes; // a JWT's: granted instead of the credential's
        bool jwt = false;

        bool ok() const { return status == AuthResult::Status::Ok; }
        const QStringList &scopes() const { return jwt ? jwtScopes : credential->scopes; }
    };

    // Checks a presented secret (opaque token, API key or JWT) for the API
    // apiTitle:apiVersion at time nowMs; see AuthResult for the outcomes.
    AuthResult authenticate(const QString &secret, const QString &apiTitle,
                            const QString &apiVersion, qint64 nowMs) const;
    // The same check without copying any record (the gateway's handshakes: a copy of
    // every string of four records, made and dropped again, cost more than the rest).
    Verification verify(const QString &secret, const QString &apiTitle, const QString &apiVersion,
                        qint64 nowMs) const;

    const QList<Application> &applications() const { return m_applications; }
    const QList<Subscription> &subscriptions() const { return m_subscriptions; }
    const QList<CredentialInfo> &credentials() const { return m_credentials; }
    bool hasSigningKey() const { return !m_signingKey.isEmpty(); }

    std::optional<Application> applicationById(const QString &id) const;
    std::optional<Application> applicationByName(const QString &name) const;
    std::optional<CredentialInfo> credentialById(const QString &id) const;
    std::optional<Subscription> subscription(const QString &applicationId, const QString &apiTitle,
                                             const QString &apiVersion) const;
    QList<Subscription> subscriptionsOf(const QString &applicationId) const;
    QList<CredentialInfo> credentialsOf(const QString &applicationId) const;

private:
    void authorize(Verification &v, const QString &apiTitle, const QString &apiVersion) const;

    QList<Application> m_applications;
    QList<Subscription> m_subscriptions;
    QList<CredentialInfo> m_credentials;
    QByteArray m_signingKey;
    QHash<QString, qsizetype> m_applicationIndex; // id -> index
    QHash<QString, qsizetype> m_credentialByHash; // secret hash -> index
    QHash<QString, qsizetype> m_credentialById; // id -> index
    QHash<QString, qsizetype> m_subscriptionIndex; // appId \n title \n version -> index
};

} // namespace Gatehouse::Credentials
