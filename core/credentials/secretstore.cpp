// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/secretstore.h"

#include <QMetaObject>
#include <QPointer>

namespace Gatehouse::Credentials {

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
