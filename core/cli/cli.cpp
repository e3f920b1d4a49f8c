// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"

#include "cli/commands.h"

#include "asyncapi/diagnostic.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

#include <cstdio>

namespace Gatehouse::Cli {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

const QList<Command> &commands()
{
    static const QList<Command> table = {
        {"validate", "Check an AsyncAPI document; print file:line:col diagnostics",
         validateCommand},
        {"convert", "Convert an AsyncAPI document to 2.6 or 3.0, YAML or JSON", convertCommand},
        {"export", "Export an AsyncAPI document for WSO2 API Manager (--wso2)", exportCommand},
        {"serve", "Run the gateway for one or more APIs", serveCommand},
        {"mock", "Run a built-in mock backend for an API", mockCommand},
        {"cat", "Talk to a WebSocket server from the terminal (wscat's flags)", catCommand},
        {"log", "Read the message log: filter, follow, JSON Lines", logCommand},
        {"apps", "Create, list and delete applications", appsCommand},
        {"subscribe", "Subscribe an application to an API with a plan", subscribeCommand},
        {"keys", "Issue, list and revoke access tokens and API keys", keysCommand},
    };
    return table;
}

int usageError(const QString &command, const QString &message)
{
    err() << "gatehouse-cli " << command << ": " << message << Qt::endl;
    return ExitUsage;
}

int failure(const QString &command, const QString &message)
{
    err() << "gatehouse-cli " << command << ": " << message << Qt::endl;
    return ExitFailure;
}

void printFindings(const QString &file, const QList<Diagnostic> &findings)
{
    for (Diagnostic d : findings) {
        if (d.location.file.isEmpty()) {
            d.location.file = file;
            d.location.line = 0;
        }
        d.severity = Diagnostic::Severity::Warning; // the work is done; this is what it left
        err() << d.toString() << '\n';
    }
    err().flush();
}

bool writeOutput(const QString &command, const QString &path, const QByteArray &data)
{
    if (path.isEmpty()) {
        err().flush();
        out().flush();
        // Bytes straight to stdout: the document is UTF-8 already.
        if (std::fwrite(data.constData(), 1, static_cast<size_t>(data.size()), stdout)
                != static_cast<size_t>(data.size())
            || std::fflush(stdout) != 0) {
            failure(command, QStringLiteral("cannot write to standard output"));
            return false;
        }
        return true;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        failure(command,
                QStringLiteral("cannot write %1: %2")
                    .arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    return true;
}

namespace {

void printHelp()
{
    QTextStream &o = out();
    o << "Usage: gatehouse-cli COMMAND [OPTIONS] [ARGS]\n\n"
      << "Gatehouse headless tool: validate and convert AsyncAPI documents, run the\n"
      << "gateway and mock backends, manage applications and credentials.\n\n"
      << "Commands:\n";
    for (const Command &c : commands())
        o << "  " << QString::fromLatin1(c.name).leftJustified(10) << "  " << c.summary << '\n';
    o << "\nRun 'gatehouse-cli COMMAND --help' for a command's options.\n"
      << "Exit codes: 0 ok, 1 the work failed, 2 usage error.\n";
    o.flush();
}

} // namespace

int run(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gatehouse"));
    QCoreApplication::setOrganizationName(QStringLiteral("gatehouse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GATEHOUSE_VERSION));

    const QStringList args = QCoreApplication::arguments();
    int code = ExitUsage;
    if (args.size() < 2) {
        printHelp();
        code = ExitUsage;
    } else if (args.at(1) == QLatin1String("--help") || args.at(1) == QLatin1String("-h")
               || args.at(1) == QLatin1String("help")) {
        printHelp();
        code = ExitOk;
    } else if (args.at(1) == QLatin1String("--version") || args.at(1) == QLatin1String("-V")) {
        out() << "gatehouse-cli " << QCoreApplication::applicationVersion() << Qt::endl;
        code = ExitOk;
    } else {
        const QString name = args.at(1);
        const Command *found = nullptr;
        for (const Command &c : commands())
            if (name == QLatin1String(c.name))
                found = &c;
        if (!found) {
            err() << "gatehouse-cli: unknown command '" << name
                  << "'; run 'gatehouse-cli --help' for the list" << Qt::endl;
            code = ExitUsage;
        } else {
            QStringList commandArgs = args.mid(2);
            commandArgs.prepend(QStringLiteral("gatehouse-cli ") + name);
            code = found->function(commandArgs);
        }
    }
    out().flush();
    err().flush();
    return code;
}

} // namespace Gatehouse::Cli
