// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCommandLineParser>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Gatehouse {
struct Api;
namespace Credentials {
class SecretStore;
class SqliteCredentialRegistry;
} // namespace Credentials
} // namespace Gatehouse

// Shared by the apps, subscribe and keys commands: the --db / --secrets-file options,
// opening the registry, choosing the secret store and waiting for asynchronous jobs.
namespace Gatehouse::Cli::CredentialSupport {

// Adds --db FILE and --secrets-file FILE.
void addCommonOptions(QCommandLineParser &parser);

// --db, else GATEHOUSE_DB, else <AppDataLocation>/gatehouse.db.
QString databasePath(const QCommandLineParser &parser);

// Opens the registry; false with a one-line error.
bool openRegistry(const QCommandLineParser &parser, Credentials::SqliteCredentialRegistry *registry,
                  QString *error);

// The secret store the user chose (as openSecretStore, unchecked); nullptr with a
// one-line error when GATEHOUSE_SECRETS names none.
std::unique_ptr<Credentials::SecretStore> chosenSecretStore(const QCommandLineParser &parser,
                                                            QString *error);

// The secret store the user chose: --secrets-file FILE (or GATEHOUSE_SECRETS_FILE), the
// environment (GATEHOUSE_SECRETS=env), else the OS keychain. Checks it is usable;
// nullptr with a one-line error otherwise (for the keychain, naming the alternatives).
// `forWriting` false: the error is only the store's own reason (for clean-up
// warnings, where the alternatives do not matter).
std::unique_ptr<Credentials::SecretStore> openSecretStore(const QCommandLineParser &parser,
                                                          QString *error, bool forWriting = true);

// Runs an event loop until `start` calls the function it is given (or the time runs
// out: false). `finished` is a parameter of `start`: a callback that runs later must
// capture it by value, not by reference.
bool waitFor(const std::function<void(std::function<void()> finished)> &start,
             int timeoutMs = 120000);

// "TITLE:VERSION" split at the last colon.
bool parseApiName(const QString &text, QString *title, QString *version);

// --api FILE|TITLE:VERSION: an existing file is read with AsyncApiReader (its title,
// version and x-gatehouse plans); otherwise TITLE:VERSION.
struct ApiReference
{
    QString title;
    QString version;
    std::shared_ptr<const Api> api; // set when read from a file
};
std::optional<ApiReference> resolveApi(const QString &text, QString *error);

// "1h", "30m", "7d", "2w", "45s", "never" (0), or an ISO 8601 date/time (UTC when
// no offset). Absolute ms since the epoch; nullopt with `error` when unreadable.
std::optional<qint64> parseExpiry(const QString &text, qint64 nowMs, QString *error);

// "2026-11-25 13:49 UTC", "never" for 0.
QString formatTime(qint64 ms, const QString &zeroText);

} // namespace Gatehouse::Cli::CredentialSupport
