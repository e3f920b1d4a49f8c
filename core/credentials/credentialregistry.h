// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"
#include "credentials/authresult.h"
#include "credentials/credentialsnapshot.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace Gatehouse::Credentials {

// The registry of applications, subscriptions and credentials (service interface;
// SqliteCredentialRegistry implements it). Mutations run on the registry's own
// thread (the one it lives in) and either complete or change nothing; each returns
// false / nullopt with a one-line `error`.
//
// Read path for the gateway: snapshot() and authenticate() are thread-safe and never
// touch SQL. Changes are announced with signals (connect with a context object; they
// arrive queued in other threads): a revoked credential, a blocked subscription or a
// deleted application must close the connections that used them.
class CredentialRegistry : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialRegistry)

public:
    using QObject::QObject;
    ~CredentialRegistry() override = default;

    // The current state; never null. Thread-safe.
    virtual std::shared_ptr<const CredentialSnapshot> snapshot() const = 0;

    // snapshot()->authenticate(..., now) and, on success, markUsed(). Thread-safe.
    AuthResult authenticate(const QString &secret, const QString &apiTitle,
                            const QString &apiVersion) const;
    // The same without copies (the gateway's handshakes): the answer points into
    // `*snapshot`, which it sets to the snapshot it checked against.
    CredentialSnapshot::Verification
    verify(const QString &secret, const QString &apiTitle, const QString &apiVersion,
           std::shared_ptr<const CredentialSnapshot> *snapshot) const;

    // Records that a credential was used (thread-safe, cheap: batched and written
    // later by the registry's thread; shows as "last used" in `keys list`).
    virtual void markUsed(const QString &credentialId, qint64 nowMs) const = 0;

    // The HS256 key JWTs are signed and verified with (loaded from the secret store
    // by whoever owns the registry). Empty = JWTs are refused with NoSigningKey.
    virtual void setSigningKey(const QByteArray &key) = 0;

    virtual std::optional<Application> createApplication(const QString &name,
                                                         const QString &description, QString *error)
        = 0;
    // Deletes the application with its subscriptions and credentials.
    virtual bool deleteApplication(const QString &name, QString *error) = 0;

    // Subscribes (or re-subscribes with another plan) application `applicationName` to
    // the API. A new subscription is active; an existing one keeps its blocked state.
    virtual std::optional<Subscription>
    subscribe(const QString &applicationName, const QString &apiTitle, const QString &apiVersion,
              const Plan &plan, QString *error)
        = 0;
    virtual bool setSubscriptionBlocked(const QString &applicationName, const QString &apiTitle,
                                        const QString &apiVersion, bool blocked, QString *error)
        = 0;
    virtual bool unsubscribe(const QString &applicationName, const QString &apiTitle,
                             const QString &apiVersion, QString *error)
        = 0;

    // Records an issued credential: `info` with id, applicationId, type, secretHash
    // and times filled in (CredentialIssuer does this). The secret never reaches here.
    virtual bool addCredential(const CredentialInfo &info, QString *error) = 0;
    virtual bool revokeCredential(const QString &credentialId, QString *error) = 0;

Q_SIGNALS:
    void credentialRevoked(const QString &credentialId);
    void subscriptionBlocked(const QString &applicationId, const QString &apiTitle,
                             const QString &apiVersion);
    // Also emitted by unsubscribe(); connections of that app to that API must close.
    void subscriptionRemoved(const QString &applicationId, const QString &apiTitle,
                             const QString &apiVersion);
    // credentialRevoked() is emitted first for each of the application's credentials.
    void applicationDeleted(const QString &applicationId);
    // Any change, including ones made by another process (see
    // SqliteCredentialRegistry::startWatching()); snapshot() already returns the new state.
    void snapshotChanged();
};

} // namespace Gatehouse::Credentials
