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

CredentialSnapshot::Verification
CredentialRegistry::verify(const QString &secret, const QString &apiTitle,
                           const QString &apiVersion,
                           std::shared_ptr<const CredentialSnapshot> *snapshot) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    *snapshot = this->snapshot();
    CredentialSnapshot::Verification v = (*snapshot)->verify(secret, apiTitle, apiVersion, now);
    if (v.ok())
        markUsed(v.credential->id, now);
    return v;
}

} // namespace Gatehouse::Credentials
