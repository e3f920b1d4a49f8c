// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/credentialinfo.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>

namespace Gatehouse::Credentials {

class CredentialRegistry;
class SecretStore;

// What to issue: see `gatehouse-cli keys issue`.
struct IssueRequest
{
    QString applicationName;
    CredentialType type = CredentialType::AccessToken;
    QString apiTitle; // optional for tokens/keys (restricts them); the JWT aud
    QString apiVersion;
    QStringList scopes;
    qint64 expiresMs = 0; // absolute, ms since the epoch; 0 = never
};

struct IssuedCredential
{
    CredentialInfo info;
    QString secret; // plaintext: show once
};

// Issues and revokes credentials, keeping the registry (hashes) and the secret store
// (plaintext) in step, asynchronously: the secret is stored first and the registry
// row written only when that worked, so a failure leaves nothing behind. Revocation
// updates the registry first (it is what the gateway checks) and then removes the
// stored secret; a secret store failure there is reported but does not undo it.
class CredentialIssuer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialIssuer)

public:
    using IssueCallback = std::function<void(const IssuedCredential &issued, const QString &error)>;
    using DoneCallback = std::function<void(const QString &error)>;
    using KeyCallback = std::function<void(const QByteArray &key, const QString &error)>;

    CredentialIssuer(CredentialRegistry *registry, SecretStore *secrets, QObject *parent = nullptr);
    ~CredentialIssuer() override;

    // Validates the request, then issues. `done` gets an empty error on success.
    void issue(const IssueRequest &request, IssueCallback done);

    // Revokes `credentialId` (error when unknown or already revoked) and deletes its
    // stored secret. `warning` in done(): the secret could not be removed.
    void revoke(const QString &credentialId,
                std::function<void(const QString &error, const QString &warning)> done);

    // Reads the HS256 signing key from the secret store; when there is none and
    // `createIfMissing`, makes a new one and stores it. Also passes it to the registry.
    void loadSigningKey(bool createIfMissing, KeyCallback done);

    // Checks the request against the registry's current state (application exists,
    // expiry in the future, JWT audience resolvable); fills in the JWT audience from
    // the application's only subscription when none was given.
    bool validate(IssueRequest *request, qint64 nowMs, QString *error) const;

private:
    void finishIssue(const IssueRequest &request, const QByteArray &signingKey, IssueCallback done);

    QPointer<CredentialRegistry> m_registry;
    QPointer<SecretStore> m_secrets;
};

} // namespace Gatehouse::Credentials
