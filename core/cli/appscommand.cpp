// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/credentialclisupport.h"

#include "api/json.h"
#include "credentials/plancatalog.h"
#include "credentials/secretstore.h"
#include "credentials/sqlitecredentialregistry.h"

#include <QCommandLineParser>
#include <QDateTime>

namespace Gatehouse::Cli {

using namespace Gatehouse::Credentials;
namespace Support = CredentialSupport;

namespace {

const QString commandName = QStringLiteral("apps");

int failure(const QString &message)
{
    return Cli::failure(commandName, message);
}

int listApplications(const SqliteCredentialRegistry &registry, bool json)
{
    const auto snapshot = registry.snapshot();
    if (json) {
        Json list = Json::array();
        for (const Application &app : snapshot->applications()) {
            Json a = Json::object();
            a["id"] = toStdString(app.id);
            a["name"] = toStdString(app.name);
            a["description"] = toStdString(app.description);
            a["created"] = toStdString(
                QDateTime::fromMSecsSinceEpoch(app.createdMs, Qt::UTC).toString(Qt::ISODate));
            Json subs = Json::array();
            for (const Subscription &s : snapshot->subscriptionsOf(app.id)) {
                Json j = Json::object();
                j["api"] = toStdString(s.apiKey());
                j["title"] = toStdString(s.apiTitle);
                j["version"] = toStdString(s.apiVersion);
                j["plan"] = toStdString(s.plan.name);
                j["limit"] = toStdString(PlanCatalog::describeLimit(s.plan));
                j["blocked"] = s.blocked;
                subs.push_back(j);
            }
            a["subscriptions"] = subs;
            int active = 0;
            for (const CredentialInfo &c : snapshot->credentialsOf(app.id))
                if (!c.isRevoked())
                    ++active;
            a["activeCredentials"] = active;
            list.push_back(a);
        }
        out() << toQString(list.dump(2)) << '\n';
        return ExitOk;
    }
    if (snapshot->applications().isEmpty()) {
        out() << "No applications. Create one with: gatehouse-cli apps create NAME\n";
        return ExitOk;
    }
    for (const Application &app : snapshot->applications()) {
        out() << app.name << "  (" << app.id << ", created "
              << Support::formatTime(app.createdMs, QStringLiteral("?")) << ")\n";
        if (!app.description.isEmpty())
            out() << "  " << app.description << '\n';
        const auto subs = snapshot->subscriptionsOf(app.id);
        for (const Subscription &s : subs)
            out() << "  subscribed to " << s.apiKey() << " with " << s.plan.name << " ("
                  << PlanCatalog::describeLimit(s.plan) << ")" << (s.blocked ? " [blocked]" : "")
                  << '\n';
        if (subs.isEmpty())
            out() << "  no subscriptions\n";
        int active = 0;
        for (const CredentialInfo &c : snapshot->credentialsOf(app.id))
            if (!c.isRevoked())
                ++active;
        out() << "  " << active << (active == 1 ? " active credential\n" : " active credentials\n");
    }
    return ExitOk;
}

} // namespace

// gatehouse-cli apps create NAME [--description D] | list [--json] | delete NAME
int appsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Manage applications, the clients that subscribe to APIs and hold credentials.\n"
        "  apps create NAME [--description TEXT]\n"
        "  apps list [--json]\n"
        "  apps delete NAME   (also deletes its subscriptions and credentials)"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("ACTION"),
                                 QStringLiteral("create, list or delete"));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Application name"),
                                 QStringLiteral("[NAME]"));
    parser.addOption({QStringLiteral("description"),
                      QStringLiteral("Description of a new application."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("List as JSON.")});
    Support::addCommonOptions(parser);

    if (!parser.parse(arguments))
        return usageError(commandName, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(commandName, QStringLiteral("missing action: create, list or delete"));
    const QString action = positional.first();
    const bool needsName = action == QLatin1String("create") || action == QLatin1String("delete");
    if (!needsName && action != QLatin1String("list"))
        return usageError(
            commandName,
            QStringLiteral("unknown action '%1': use create, list or delete").arg(action));
    if (needsName && positional.size() != 2)
        return usageError(commandName, QStringLiteral("%1 needs exactly one NAME").arg(action));
    if (!needsName && positional.size() != 1)
        return usageError(commandName, QStringLiteral("list takes no NAME"));
    if (action != QLatin1String("create") && parser.isSet(QStringLiteral("description")))
        return usageError(commandName, QStringLiteral("--description only goes with create"));
    if (action != QLatin1String("list") && parser.isSet(QStringLiteral("json")))
        return usageError(commandName, QStringLiteral("--json only goes with list"));

    SqliteCredentialRegistry registry;
    QString error;
    if (!Support::openRegistry(parser, &registry, &error))
        return failure(error);

    if (action == QLatin1String("list"))
        return listApplications(registry, parser.isSet(QStringLiteral("json")));

    const QString name = positional.at(1);
    if (action == QLatin1String("create")) {
        const auto app
            = registry.createApplication(name, parser.value(QStringLiteral("description")), &error);
        if (!app)
            return failure(error);
        out() << "Created application " << app->name << " (" << app->id << ")\n";
        return ExitOk;
    }

    // delete: the registry first (that is what the gateway checks), then the stored
    // secrets of the application's credentials, best effort.
    const auto snapshot = registry.snapshot();
    const auto app = snapshot->applicationByName(name);
    if (!app)
        return failure(QStringLiteral("no application named '%1'").arg(name));
    const QList<CredentialInfo> credentials = snapshot->credentialsOf(app->id);
    if (!registry.deleteApplication(name, &error))
        return failure(error);
    out() << "Deleted application " << name << " with its subscriptions and " << credentials.size()
          << (credentials.size() == 1 ? " credential\n" : " credentials\n");
    if (credentials.isEmpty())
        return ExitOk;

    auto store = Support::openSecretStore(parser, &error, false);
    if (!store) {
        err() << "gatehouse-cli apps: warning: could not remove stored secrets: " << error
              << Qt::endl;
        return ExitOk;
    }
    if (!store->keepsIssuedSecrets())
        return ExitOk;
    QStringList problems;
    for (const CredentialInfo &c : credentials) {
        Support::waitFor([&](std::function<void()> finished) {
            store->remove(SecretStore::credentialKey(c.id), store.get(),
                          [&problems, finished](const SecretStore::Result &r) {
                              if (!r.ok() && r.status != SecretStore::Result::Status::NotFound)
                                  problems.append(r.error);
                              finished();
                          });
        });
    }
    if (!problems.isEmpty())
        err() << "gatehouse-cli apps: warning: " << problems.size()
              << " stored secrets were not removed: " << problems.first() << Qt::endl;
    return ExitOk;
}

} // namespace Gatehouse::Cli
