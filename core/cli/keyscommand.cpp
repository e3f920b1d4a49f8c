// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/credentialclisupport.h"

#include "api/json.h"
#include "credentials/credentialissuer.h"
#include "credentials/secretstore.h"
#include "credentials/sqlitecredentialregistry.h"

#include <QCommandLineParser>
#include <QDateTime>

namespace Gatehouse::Cli {

using namespace Gatehouse::Credentials;
namespace Support = CredentialSupport;

namespace {

const QString commandName = QStringLiteral("keys");

int failure(const QString &message)
{
    return Cli::failure(commandName, message);
}

QString statusOf(const CredentialInfo &c, qint64 nowMs)
{
    if (c.isRevoked())
        return QStringLiteral("revoked");
    if (c.isExpired(nowMs))
        return QStringLiteral("expired");
    return QStringLiteral("active");
}

QString apiOf(const CredentialInfo &c)
{
    return c.apiTitle.isEmpty() ? QString() : c.apiTitle + QLatin1Char(':') + c.apiVersion;
}

int listKeys(const SqliteCredentialRegistry &registry, const QString &appName, bool json)
{
    const auto snapshot = registry.snapshot();
    const auto app = snapshot->applicationByName(appName);
    if (!app)
        return failure(QStringLiteral("no application named '%1'").arg(appName));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<CredentialInfo> credentials = snapshot->credentialsOf(app->id);
    if (json) {
        Json list = Json::array();
        for (const CredentialInfo &c : credentials) {
            Json j = Json::object();
            j["id"] = toStdString(c.id);
            j["type"] = toStdString(credentialTypeName(c.type));
            j["api"] = toStdString(apiOf(c));
            Json scopes = Json::array();
            for (const QString &s : c.scopes)
                scopes.push_back(toStdString(s));
            j["scopes"] = scopes;
            j["created"] = toStdString(
                QDateTime::fromMSecsSinceEpoch(c.createdMs, Qt::UTC).toString(Qt::ISODate));
            j["expires"] = c.expiresMs
                ? Json(toStdString(
                    QDateTime::fromMSecsSinceEpoch(c.expiresMs, Qt::UTC).toString(Qt::ISODate)))
                : Json(nullptr);
            j["lastUsed"] = c.lastUsedMs
                ? Json(toStdString(
                    QDateTime::fromMSecsSinceEpoch(c.lastUsedMs, Qt::UTC).toString(Qt::ISODate)))
                : Json(nullptr);
            j["status"] = toStdString(statusOf(c, now));
            list.push_back(j);
        }
        out() << toQString(list.dump(2)) << '\n';
        return ExitOk;
    }
    if (credentials.isEmpty()) {
        out() << "No credentials for " << appName << ". Issue one with: gatehouse-cli keys issue "
              << appName << '\n';
        return ExitOk;
    }
    out() << QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                 .arg(QStringLiteral("ID").leftJustified(16),
                      QStringLiteral("TYPE").leftJustified(6),
                      QStringLiteral("STATUS").leftJustified(7),
                      QStringLiteral("API").leftJustified(16),
                      QStringLiteral("SCOPES").leftJustified(14),
                      QStringLiteral("EXPIRES").leftJustified(20), QStringLiteral("LAST USED"));
    for (const CredentialInfo &c : credentials) {
        const QString scopes
            = c.scopes.isEmpty() ? QStringLiteral("-") : c.scopes.join(QLatin1Char(','));
        const QString api = c.apiTitle.isEmpty() ? QStringLiteral("any") : apiOf(c);
        out()
            << QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                   .arg(c.id.leftJustified(16), credentialTypeName(c.type).leftJustified(6),
                        statusOf(c, now).leftJustified(7), api.leftJustified(16),
                        scopes.leftJustified(14),
                        Support::formatTime(c.expiresMs, QStringLiteral("never")).leftJustified(20),
                        Support::formatTime(c.lastUsedMs, QStringLiteral("never")));
    }
    return ExitOk;
}

} // namespace

// gatehouse-cli keys issue APP [--type token|jwt|apikey] [--api TITLE:VERSION]
//     [--scopes a,b] [--expires 1h|30m|7d|never]
// gatehouse-cli keys list APP [--json] | keys revoke ID | keys show ID
int keysCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Issue, list and revoke an application's credentials.\n"
        "  keys issue APP [--type token|jwt|apikey] [--api TITLE:VERSION] [--scopes a,b] "
        "[--expires 1h]\n"
        "      prints only the secret on stdout, once; it is kept in the OS keychain\n"
        "  keys list APP [--json]   ids, types, scopes, expiry, last use; never secrets\n"
        "  keys revoke ID           takes effect at once, also for open connections\n"
        "  keys show ID             prints a stored secret again (from the keychain)"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("ACTION"),
                                 QStringLiteral("issue, list, revoke or show"));
    parser.addPositionalArgument(QStringLiteral("APP|ID"),
                                 QStringLiteral("Application name or credential id"));
    parser.addOption({QStringLiteral("type"),
                      QStringLiteral("Credential type: token (default), jwt or apikey."),
                      QStringLiteral("TYPE"), QStringLiteral("token")});
    parser.addOption(
        {QStringLiteral("api"),
         QStringLiteral("Restrict to one API (the JWT audience): TITLE:VERSION or a document."),
         QStringLiteral("TITLE:VERSION")});
    parser.addOption({QStringLiteral("scopes"), QStringLiteral("Comma-separated scopes granted."),
                      QStringLiteral("a,b")});
    parser.addOption(
        {QStringLiteral("expires"),
         QStringLiteral("Lifetime (30m, 1h, 7d, 2w), an ISO date/time, or never (default)."),
         QStringLiteral("WHEN"), QStringLiteral("never")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("With list: JSON output.")});
    Support::addCommonOptions(parser);

    if (!parser.parse(arguments))
        return usageError(commandName, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(commandName,
                          QStringLiteral("missing action: issue, list, revoke or show"));
    const QString action = positional.first();
    static const QStringList actions = {QStringLiteral("issue"), QStringLiteral("list"),
                                        QStringLiteral("revoke"), QStringLiteral("show")};
    if (!actions.contains(action))
        return usageError(
            commandName,
            QStringLiteral("unknown action '%1': use issue, list, revoke or show").arg(action));
    if (positional.size() != 2)
        return usageError(
            commandName,
            QStringLiteral("%1 needs exactly one %2")
                .arg(action,
                     action == QLatin1String("issue") || action == QLatin1String("list")
                         ? QStringLiteral("APP")
                         : QStringLiteral("ID")));
    const bool issuing = action == QLatin1String("issue");
    for (const char *option : {"type", "api", "scopes", "expires"})
        if (!issuing && parser.isSet(QLatin1String(option)))
            return usageError(
                commandName,
                QStringLiteral("--%1 only goes with issue").arg(QLatin1String(option)));
    if (action != QLatin1String("list") && parser.isSet(QStringLiteral("json")))
        return usageError(commandName, QStringLiteral("--json only goes with list"));
    const QString target = positional.at(1);

    IssueRequest request;
    QString error;
    if (issuing) {
        request.applicationName = target;
        if (!credentialTypeFromName(parser.value(QStringLiteral("type")), &request.type))
            return usageError(commandName,
                              QStringLiteral("unknown --type '%1': use token, jwt or apikey")
                                  .arg(parser.value(QStringLiteral("type"))));
        if (parser.isSet(QStringLiteral("scopes")))
            request.scopes = parser.value(QStringLiteral("scopes"))
                                 .split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (QString &s : request.scopes)
            s = s.trimmed();
        const auto expiry = Support::parseExpiry(parser.value(QStringLiteral("expires")),
                                                 QDateTime::currentMSecsSinceEpoch(), &error);
        if (!expiry)
            return failure(error);
        request.expiresMs = *expiry;
        if (parser.isSet(QStringLiteral("api"))) {
            const auto ref = Support::resolveApi(parser.value(QStringLiteral("api")), &error);
            if (!ref)
                return failure(error);
            request.apiTitle = ref->title;
            request.apiVersion = ref->version;
        }
    }

    SqliteCredentialRegistry registry;
    if (!Support::openRegistry(parser, &registry, &error))
        return failure(error);

    if (action == QLatin1String("list"))
        return listKeys(registry, target, parser.isSet(QStringLiteral("json")));

    if (issuing) {
        // Check everything the registry can tell before asking for the keychain.
        CredentialIssuer precheck(&registry, nullptr);
        if (!precheck.validate(&request, QDateTime::currentMSecsSinceEpoch(), &error))
            return failure(error);
        auto store = Support::openSecretStore(parser, &error);
        if (!store)
            return failure(error);
        CredentialIssuer issuer(&registry, store.get());
        IssuedCredential issued;
        const bool finished = Support::waitFor([&](std::function<void()> done) {
            issuer.issue(request, [&, done](const IssuedCredential &result, const QString &why) {
                issued = result;
                error = why;
                done();
            });
        });
        if (!finished)
            return failure(QStringLiteral("timed out waiting for %1").arg(store->description()));
        if (!error.isEmpty())
            return failure(error);
        out() << issued.secret << Qt::endl;
        err() << "gatehouse-cli keys: issued " << credentialTypeName(issued.info.type) << ' '
              << issued.info.id << " for " << request.applicationName
              << (issued.info.apiTitle.isEmpty() ? QString()
                                                 : QStringLiteral(" on ") + apiOf(issued.info))
              << ", expires " << Support::formatTime(issued.info.expiresMs, QStringLiteral("never"))
              << (store->keepsIssuedSecrets() ? QStringLiteral("; kept in ") + store->description()
                                              : QStringLiteral("; not kept anywhere: store it now"))
              << Qt::endl;
        return ExitOk;
    }

    const auto credential = registry.snapshot()->credentialById(target);
    if (!credential)
        return failure(QStringLiteral("no credential with id '%1'").arg(target));

    if (action == QLatin1String("show")) {
        if (credential->isRevoked())
            return failure(QStringLiteral("credential '%1' is revoked").arg(target));
        auto store = Support::openSecretStore(parser, &error);
        if (!store)
            return failure(error);
        SecretStore::Result read;
        Support::waitFor([&](std::function<void()> done) {
            store->read(SecretStore::credentialKey(target), store.get(),
                        [&, done](const SecretStore::Result &r) {
                            read = r;
                            done();
                        });
        });
        if (!read.ok())
            return failure(read.status == SecretStore::Result::Status::NotFound
                               ? QStringLiteral("the secret of '%1' is not in %2")
                                     .arg(target, store->description())
                               : read.error);
        out() << QString::fromUtf8(read.data) << Qt::endl;
        return ExitOk;
    }

    // revoke: the registry first, whatever the secret store says.
    if (credential->isRevoked())
        return failure(QStringLiteral("credential '%1' is already revoked").arg(target));
    QString storeError;
    auto store = Support::openSecretStore(parser, &storeError, false);
    CredentialIssuer issuer(&registry, store.get());
    QString warning;
    Support::waitFor([&](std::function<void()> done) {
        issuer.revoke(target, [&, done](const QString &why, const QString &note) {
            error = why;
            warning = note;
            done();
        });
    });
    if (!error.isEmpty())
        return failure(error);
    out() << "Revoked " << target << '\n';
    // the issuer removed the secret where it was kept when issued (recorded with it);
    // only an older record leaves the store of this invocation as the one place known
    if (!store && credential->secretStore.isEmpty())
        warning = QStringLiteral("could not remove a stored secret: ") + storeError;
    if (!warning.isEmpty())
        err() << "gatehouse-cli keys: warning: " << warning << Qt::endl;
    return ExitOk;
}

} // namespace Gatehouse::Cli
