// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cattoken.h"

#include "cli/credentialclisupport.h"

#include "credentials/keychainsecretstore.h"
#include "credentials/secretstore.h"
#include "credentials/sqlitecredentialregistry.h"

#include <QCommandLineParser>

namespace Gatehouse::Cli::CatToken {

using namespace Gatehouse::Credentials;
namespace Support = CredentialSupport;

std::optional<CredentialInfo> newestUsable(const QCommandLineParser &parser,
                                           const QString &application, qint64 nowMs, QString *error)
{
    SqliteCredentialRegistry registry;
    if (!Support::openRegistry(parser, &registry, error))
        return std::nullopt;
    const auto snapshot = registry.snapshot();
    const auto app = snapshot->applicationByName(application);
    if (!app) {
        *error = QStringLiteral("no application named '%1'").arg(application);
        return std::nullopt;
    }
    const QList<CredentialInfo> credentials = snapshot->credentialsOf(app->id);
    std::optional<CredentialInfo> newest;
    for (const CredentialInfo &c : credentials) {
        if (c.isRevoked() || c.isExpired(nowMs))
            continue;
        if (!newest || c.createdMs >= newest->createdMs)
            newest = c;
    }
    if (!newest)
        *error = credentials.isEmpty()
            ? QStringLiteral("'%1' has no usable credential (none issued; issue one with: "
                             "gatehouse-cli keys issue %1)")
                  .arg(application)
            : QStringLiteral("'%1' has no usable credential (%2 revoked or expired; issue one "
                             "with: gatehouse-cli keys issue %1)")
                  .arg(application)
                  .arg(credentials.size());
    return newest;
}

QByteArray headerName(CredentialType type, const QString &override)
{
    if (!override.isEmpty())
        return override.toLatin1();
    return type == CredentialType::ApiKey ? QByteArrayLiteral("apikey")
                                          : QByteArrayLiteral("Authorization");
}

QByteArray headerValue(const QByteArray &name, const QByteArray &secret)
{
    if (name.compare("Authorization", Qt::CaseInsensitive) == 0)
        return "Bearer " + secret;
    return secret;
}

std::optional<QByteArray> readSecret(const QCommandLineParser &parser,
                                     const CredentialInfo &credential, QString *error)
{
    std::unique_ptr<SecretStore> store = SecretStore::atLocation(credential.secretStore);
    if (!store) {
        store = Support::chosenSecretStore(parser, error);
        if (!store)
            return std::nullopt;
    }
    SecretStore::Result read;
    const bool answered = Support::waitFor([&](std::function<void()> finished) {
        store->read(SecretStore::credentialKey(credential.id), store.get(),
                    [&read, finished](const SecretStore::Result &r) {
                        read = r;
                        finished();
                    });
    });
    const bool keychain = qobject_cast<KeychainSecretStore *>(store.get()) != nullptr;
    if (!answered) {
        *error = keychain ? QStringLiteral("the keychain cannot be reached: no answer in time")
                          : QStringLiteral("%1 did not answer in time").arg(store->description());
        return std::nullopt;
    }
    switch (read.status) {
    case SecretStore::Result::Status::Ok:
        if (read.data.isEmpty()) {
            *error = QStringLiteral("the secret of credential '%1' in %2 is empty")
                         .arg(credential.id, store->description());
            return std::nullopt;
        }
        return read.data;
    case SecretStore::Result::Status::NotFound:
        *error = QStringLiteral("the secret of credential '%1' is not in %2")
                     .arg(credential.id, store->description());
        return std::nullopt;
    case SecretStore::Result::Status::Unavailable:
        *error = keychain ? QStringLiteral("the keychain cannot be reached: ") + read.error
                          : read.error;
        return std::nullopt;
    case SecretStore::Result::Status::Failed:
        break;
    }
    *error = read.error;
    return std::nullopt;
}

} // namespace Gatehouse::Cli::CatToken
