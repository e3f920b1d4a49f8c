// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/credentialinfo.h"

#include <QByteArray>
#include <QString>

namespace Gatehouse::Credentials {

// Secrets and ids for credentials. Secrets carry 256 bits from
// QRandomGenerator::system() (the OS CSPRNG), base64url without padding, behind a
// recognisable prefix so secret scanners can find leaked ones:
//   gh_at_<43 chars>  access token       gh_ak_<43 chars>  API key
// Ids are short, random and unrelated to the secret: at_/ak_/jwt_ + 12 hex digits.
class TokenGenerator final
{
public:
    static constexpr int SecretBytes = 32;

    static QLatin1String prefix(CredentialType type); // "gh_at_", "gh_ak_", "" for JWT
    static QString newSecret(CredentialType type); // AccessToken or ApiKey
    static QString newCredentialId(CredentialType type);
    static QString newApplicationId();
    static QString newSubscriptionId();
    static QByteArray newSigningKey(); // 32 random bytes for HS256

    static QByteArray randomBytes(int count);
    static QString base64Url(const QByteArray &bytes); // no padding

    // Lowercase hex SHA-256 of the UTF-8 secret: what the database stores.
    static QString hash(const QString &secret);

    // Compares in time independent of where the inputs differ (length may leak).
    static bool constantTimeEquals(const QByteArray &a, const QByteArray &b);
};

} // namespace Gatehouse::Credentials
