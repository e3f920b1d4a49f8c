// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientscenariorunner.h"

#include <QByteArray>
#include <QString>

namespace Gatehouse::Client {

// What a scenario run gives to people and to CI: one line per step and a summary for
// the terminal, and a JUnit XML report (a testsuite per scenario file, a testcase per
// step) for CI servers.
class ClientScenarioReport final
{
public:
    // "ok 3 bob expect text \"hello\" (12 ms)", "FAILED 4 ... (200 ms): why",
    // "skipped 5 alice close 1000: step 4 failed".
    static QString stepLine(const ClientScenarioRunner::StepResult &step);
    // "5 passed, 1 failed" (", 2 skipped" when some were).
    static QString summary(const ClientScenarioRunner::Result &result);
    // The JUnit XML of one run; a connection that could not open is an <error>.
    static QByteArray junitXml(const ClientScenario &scenario,
                               const ClientScenarioRunner::Result &result);
    // Writes junitXml() to `path` atomically; false with `*error` when it cannot.
    static bool writeJUnit(const QString &path, const ClientScenario &scenario,
                           const ClientScenarioRunner::Result &result, QString *error);
};

} // namespace Gatehouse::Client
