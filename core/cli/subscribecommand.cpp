// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/credentialclisupport.h"

#include "api/api.h"
#include "api/json.h"
#include "credentials/plancatalog.h"
#include "credentials/sqlitecredentialregistry.h"

#include <QCommandLineParser>

namespace Gatehouse::Cli {

using namespace Gatehouse::Credentials;
namespace Support = CredentialSupport;

namespace {

const QString commandName = QStringLiteral("subscribe");

int failure(const QString &message)
{
    return Cli::failure(commandName, message);
}

QStringList planNames(const QList<Plan> &plans)
{
    QStringList names;
    for (const Plan &p : plans)
        names.append(p.name);
    return names;
}

int listPlans(const QList<Plan> &documentPlans, bool json)
{
    const QList<Plan> plans = PlanCatalog::merged(documentPlans);
    auto isBuiltIn = [&documentPlans](const Plan &p) {
        for (const Plan &d : documentPlans)
            if (d.name.compare(p.name, Qt::CaseInsensitive) == 0)
                return false;
        return true;
    };
    if (json) {
        Json list = Json::array();
        for (const Plan &p : plans) {
            Json j = Json::object();
            j["name"] = toStdString(p.name);
            j["events"] = p.events;
            j["unit"] = toStdString(PlanCatalog::unitName(p.unit));
            j["maxConnections"] = p.maxConnections;
            j["limit"] = toStdString(PlanCatalog::describeLimit(p));
            j["source"] = isBuiltIn(p) ? "built-in" : "document";
            j["description"] = toStdString(p.description);
            list.push_back(j);
        }
        out() << toQString(list.dump(2)) << '\n';
        return ExitOk;
    }
    for (const Plan &p : plans)
        out() << p.name.leftJustified(16) << "  " << PlanCatalog::describeLimit(p).leftJustified(26)
              << "  " << (isBuiltIn(p) ? "built-in" : "document") << '\n';
    return ExitOk;
}

} // namespace

// gatehouse-cli subscribe APP --api FILE|TITLE:VERSION --plan PLAN [--limit N/UNIT]
//     [--max-connections N] [--block|--unblock|--remove]
// gatehouse-cli subscribe --list-plans [--api FILE] [--json]
int subscribeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Subscribe an application to an API with a throttling plan, or change the "
        "subscription.\n"
        "  subscribe APP --api FILE|TITLE:VERSION --plan PLAN\n"
        "  subscribe APP --api FILE|TITLE:VERSION --plan NAME --limit 100/minute\n"
        "  subscribe APP --api ... --block | --unblock | --remove\n"
        "  subscribe --list-plans [--api FILE] [--json]\n"
        "Built-in plans: AsyncUnlimited, AsyncGold (50000/day), AsyncSilver (25000/day), "
        "AsyncBronze (5000/day); a document's x-gatehouse plans are offered too."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("APP"), QStringLiteral("Application name"));
    parser.addOption({QStringLiteral("api"),
                      QStringLiteral("The API: an AsyncAPI document, or TITLE:VERSION."),
                      QStringLiteral("FILE|TITLE:VERSION")});
    parser.addOption(
        {QStringLiteral("plan"), QStringLiteral("Throttling plan name."), QStringLiteral("PLAN")});
    parser.addOption({QStringLiteral("limit"),
                      QStringLiteral("Define a custom plan PLAN: EVENTS/UNIT with UNIT second, "
                                     "minute, hour or day, or 'unlimited'."),
                      QStringLiteral("N/UNIT")});
    parser.addOption({QStringLiteral("max-connections"),
                      QStringLiteral("Cap on concurrent connections for a custom plan."),
                      QStringLiteral("N")});
    parser.addOption(
        {QStringLiteral("block"),
         QStringLiteral("Block the subscription (403 for new connections, open ones close).")});
    parser.addOption({QStringLiteral("unblock"), QStringLiteral("Unblock the subscription.")});
    parser.addOption({QStringLiteral("remove"), QStringLiteral("Remove the subscription.")});
    parser.addOption(
        {QStringLiteral("list-plans"), QStringLiteral("List the plans to choose from.")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("With --list-plans: JSON output.")});
    Support::addCommonOptions(parser);

    if (!parser.parse(arguments))
        return usageError(commandName, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();

    if (parser.isSet(QStringLiteral("list-plans"))) {
        if (!positional.isEmpty())
            return usageError(commandName, QStringLiteral("--list-plans takes no APP"));
        QList<Plan> documentPlans;
        if (parser.isSet(QStringLiteral("api"))) {
            QString error;
            const auto ref = Support::resolveApi(parser.value(QStringLiteral("api")), &error);
            if (!ref)
                return failure(error);
            if (ref->api)
                documentPlans = ref->api->gatehouse.plans;
        }
        return listPlans(documentPlans, parser.isSet(QStringLiteral("json")));
    }
    if (parser.isSet(QStringLiteral("json")))
        return usageError(commandName, QStringLiteral("--json only goes with --list-plans"));

    if (positional.size() != 1)
        return usageError(commandName, QStringLiteral("expected exactly one APP"));
    if (!parser.isSet(QStringLiteral("api")))
        return usageError(commandName, QStringLiteral("missing --api FILE|TITLE:VERSION"));
    const int changes = int(parser.isSet(QStringLiteral("block")))
        + int(parser.isSet(QStringLiteral("unblock")))
        + int(parser.isSet(QStringLiteral("remove")));
    if (changes > 1)
        return usageError(commandName,
                          QStringLiteral("--block, --unblock and --remove exclude each other"));
    const bool planGiven = parser.isSet(QStringLiteral("plan"));
    if (changes == 0 && !planGiven)
        return usageError(commandName, QStringLiteral("missing --plan PLAN (see --list-plans)"));
    if (parser.isSet(QStringLiteral("remove")) && planGiven)
        return usageError(commandName, QStringLiteral("--remove takes no --plan"));
    if ((parser.isSet(QStringLiteral("limit")) || parser.isSet(QStringLiteral("max-connections")))
        && !planGiven)
        return usageError(
            commandName,
            QStringLiteral("--limit and --max-connections define a plan: name it with --plan"));

    const QString appName = positional.first();
    QString error;
    const auto ref = Support::resolveApi(parser.value(QStringLiteral("api")), &error);
    if (!ref)
        return failure(error);
    const QString apiName = ref->title + QLatin1Char(':') + ref->version;

    // Resolve the plan before touching the database.
    std::optional<Plan> plan;
    if (planGiven) {
        const QString planName = parser.value(QStringLiteral("plan"));
        const QList<Plan> documentPlans = ref->api ? ref->api->gatehouse.plans : QList<Plan>();
        if (parser.isSet(QStringLiteral("limit"))) {
            if (PlanCatalog::find(planName, documentPlans))
                return failure(
                    QStringLiteral("plan '%1' already exists; give the custom limit another name")
                        .arg(planName));
            plan = PlanCatalog::parseLimit(planName, parser.value(QStringLiteral("limit")), &error);
            if (!plan)
                return failure(QStringLiteral("--limit: ") + error);
        } else {
            plan = PlanCatalog::find(planName, documentPlans);
            if (!plan)
                return failure(QStringLiteral("unknown plan '%1'; available: %2%3")
                                   .arg(planName,
                                        planNames(PlanCatalog::merged(documentPlans))
                                            .join(QStringLiteral(", ")),
                                        ref->api
                                            ? QString()
                                            : QStringLiteral(" (or define one with --limit)")));
        }
        if (parser.isSet(QStringLiteral("max-connections"))) {
            bool ok = false;
            const int max = parser.value(QStringLiteral("max-connections")).toInt(&ok);
            if (!ok || max < 0)
                return failure(QStringLiteral("--max-connections '%1': expected a number >= 0")
                                   .arg(parser.value(QStringLiteral("max-connections"))));
            plan->maxConnections = max;
        }
    }

    SqliteCredentialRegistry registry;
    if (!Support::openRegistry(parser, &registry, &error))
        return failure(error);

    if (parser.isSet(QStringLiteral("remove"))) {
        if (!registry.unsubscribe(appName, ref->title, ref->version, &error))
            return failure(error);
        out() << "Removed the subscription of " << appName << " to " << apiName << '\n';
        return ExitOk;
    }
    if (plan) {
        const auto sub = registry.subscribe(appName, ref->title, ref->version, *plan, &error);
        if (!sub)
            return failure(error);
        out() << "Subscribed " << appName << " to " << apiName << " with plan " << sub->plan.name
              << " (" << PlanCatalog::describeLimit(sub->plan) << ")"
              << (sub->blocked && !parser.isSet(QStringLiteral("unblock")) ? " [blocked]" : "")
              << '\n';
    }
    if (parser.isSet(QStringLiteral("block")) || parser.isSet(QStringLiteral("unblock"))) {
        const bool block = parser.isSet(QStringLiteral("block"));
        if (!registry.setSubscriptionBlocked(appName, ref->title, ref->version, block, &error))
            return failure(error);
        out() << (block ? "Blocked" : "Unblocked") << " the subscription of " << appName << " to "
              << apiName << '\n';
    }
    return ExitOk;
}

} // namespace Gatehouse::Cli
