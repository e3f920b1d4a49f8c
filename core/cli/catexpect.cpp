// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/catexpect.h"

#include "cli/cli.h"
#include "client/clientscenarioreport.h"
#include "client/clientscenariorunner.h"

#include <QCoreApplication>

namespace Gatehouse::Cli {

namespace {

const QString Name = QStringLiteral("cat");
constexpr int ExitError = 255; // as cat gives for a connection that cannot open

} // namespace

int runExpectations(const QString &file, const QString &junitFile,
                    const std::optional<Client::ClientOptions> &defaultConnection,
                    const Client::ClientOptions &baseOptions)
{
    QString error;
    std::optional<Client::ClientScenario> scenario = Client::ClientScenario::load(file, &error);
    if (!scenario)
        return usageError(Name, error);
    if (!defaultConnection && scenario->usesDefaultConnection())
        return usageError(Name, scenario->defaultConnectionProblem());

    Client::ClientScenarioRunner runner(*scenario);
    if (defaultConnection)
        runner.setDefaultConnection(*defaultConnection);
    runner.setBaseOptions(baseOptions);
    QObject::connect(&runner, &Client::ClientScenarioRunner::stepFinished, &runner,
                     [](const Client::ClientScenarioRunner::StepResult &step) {
                         out() << Client::ClientScenarioReport::stepLine(step) << Qt::endl;
                     });
    QObject::connect(&runner, &Client::ClientScenarioRunner::finished, &runner,
                     [] { QCoreApplication::exit(0); });
    runner.start();
    if (runner.isRunning())
        QCoreApplication::exec();

    const Client::ClientScenarioRunner::Result &result = runner.result();
    const bool reported = junitFile.isEmpty()
        || Client::ClientScenarioReport::writeJUnit(junitFile, *scenario, result, &error);
    if (!reported)
        err() << "error: " << error << Qt::endl;
    if (!result.connectionError.isEmpty()) {
        err() << "error: " << result.connectionError << Qt::endl;
        return ExitError;
    }
    out() << Client::ClientScenarioReport::summary(result) << Qt::endl;
    return result.passed() && reported ? ExitOk : ExitFailure;
}

} // namespace Gatehouse::Cli
