// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/credentialinfo.h"

namespace Gatehouse::Credentials {

QString credentialTypeName(CredentialType type)
{
    switch (type) {
    case CredentialType::AccessToken:
        return QStringLiteral("token");
    case CredentialType::ApiKey:
        return QStringLiteral("apikey");
    case CredentialType::Jwt:
        return QStringLiteral("jwt");
    }
    return QStringLiteral("token");
}

bool credentialTypeFromName(const QString &name, CredentialType *type)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("token") || n == QLatin1String("access-token"))
        *type = CredentialType::AccessToken;
    else if (n == QLatin1String("apikey") || n == QLatin1String("api-key")
             || n == QLatin1String("key"))
        *type = CredentialType::ApiKey;
    else if (n == QLatin1String("jwt"))
        *type = CredentialType::Jwt;
    else
        return false;
    return true;
}

} // namespace Gatehouse::Credentials
