// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/secretstore.h"

#include "credentials/filesecretstore.h"
#include "credentials/keychainsecretstore.h"

#include <QMetaObject>
#include <QPointer>

namespace Gatehouse::Credentials {

std::unique_ptr<SecretStore> SecretStore::atLocation(const QString &location)
{
    if (location.startsWith(QLatin1String("file:")) && location.size() > 5)
        return std::make_unique<FileSecretStore>(location.sliced(5));
    if (location.startsWith(QLatin1String("keychain:")) && location.size() > 9)
        return std::make_unique<KeychainSecretStore>(location.sliced(9));
    return nullptr;
}

QString SecretStore::credentialKey(const QString &credentialId)
{
    return QStringLiteral("credential/") + credentialId;
}

QString SecretStore::signingKeyName()
{
    return QStringLiteral("signing-key/hs256");
}

void SecretStore::finishLater(QObject *context, Callback done, Result result)
{
    QObject *target = context ? context : this;
    QMetaObject::invokeMethod(
        target,
        [done = std::move(done), result = std::move(result)] {
            if (done)
                done(result);
        },
        Qt::QueuedConnection);
}

} // namespace Gatehouse::Credentials
