// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QStringList>
#include <QTextStream>

namespace Gatehouse {
struct Diagnostic;
}

// gatehouse-cli: the headless front end. Each command lives in its own file pair
// (validatecommand.cpp, servecommand.cpp, ...) and is listed in cli.cpp.
namespace Gatehouse::Cli {

enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

// Entry point of gatehouse-cli: creates the application object and dispatches.
int run(int argc, char *argv[]);

// Standard output and error, shared by all commands (UTF-8, flushed at exit).
QTextStream &out();
QTextStream &err();

// A command receives its own arguments, with the program name and the command
// name as the first element ("gatehouse-cli validate"), ready for QCommandLineParser.
using CommandFunction = int (*)(const QStringList &arguments);

struct Command
{
    const char *name;
    const char *summary;
    CommandFunction function;
};

const QList<Command> &commands();

// Prints "gatehouse-cli CMD: message" to stderr and returns ExitUsage; for
// commands to report a usage error in the one-line form every command uses.
int usageError(const QString &command, const QString &message);

// Prints "gatehouse-cli CMD: message" to stderr and returns ExitFailure.
int failure(const QString &command, const QString &message);

// Prints what a conversion or an export did not carry over to stderr, one
// "file:line:col: warning: message" line each; a finding without a place of its own
// names `file`.
void printFindings(const QString &file, const QList<Diagnostic> &findings);

// Writes `data` to standard output as is, or atomically to `path`; prints the
// reason as "gatehouse-cli CMD: ..." and returns false when it cannot.
bool writeOutput(const QString &command, const QString &path, const QByteArray &data);

} // namespace Gatehouse::Cli
