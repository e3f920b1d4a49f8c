// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/credentialregistry.h"

#include <QDateTime>

namespace Gatehouse::Credentials {

AuthResult CredentialRegistry::authenticate(const QString &secret, const QString &apiTitle,
                                            const QString &apiVersion) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    AuthResult result = snapshot()->authenticate(secret, apiTitle, apiVersion, now);
    if (result.ok())
        markUsed(result.credential.id, now);
    return result;
}

} // namespace Gatehouse::Credentials
