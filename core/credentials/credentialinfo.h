// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace Gatehouse::Credentials {

enum class CredentialType {
    AccessToken, // opaque bearer token, gh_at_...
    ApiKey, // opaque API key, gh_ak_...
    Jwt, // HS256 JWT signed with the installation's signing key
};

// "token", "apikey", "jwt" (the CLI spelling) and back; false for anything else.
QString credentialTypeName(CredentialType type);
bool credentialTypeFromName(const QString &name, CredentialType *type);

// What the registry knows about an issued credential: never the secret itself,
// only its SHA-256 hash.
struct CredentialInfo
{
    QString id; // e.g. at_5d41402abc4b; also the JWT `jti`
    QString applicationId;
    CredentialType type = CredentialType::AccessToken;
    QStringList scopes;
    QString apiTitle; // empty = valid for every API the application subscribes to
    QString apiVersion;
    QString secretHash; // lowercase hex SHA-256 of the secret
    qint64 createdMs = 0;
    qint64 expiresMs = 0; // 0 = never expires
    qint64 revokedMs = 0; // 0 = not revoked
    qint64 lastUsedMs = 0; // 0 = never used
    // Where the secret was kept when it was issued (SecretStore::location(), e.g.
    // "file:/home/u/secrets.json"), so that revoking removes it there; empty: not
    // kept, or issued before this was recorded.
    QString secretStore;

    bool isRevoked() const { return revokedMs != 0; }
    bool isExpired(qint64 nowMs) const { return expiresMs != 0 && nowMs >= expiresMs; }
    friend bool operator==(const CredentialInfo &, const CredentialInfo &) = default;
};

} // namespace Gatehouse::Credentials
