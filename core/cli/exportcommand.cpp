// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"

#include "asyncapi/asyncapireader.h"
#include "asyncapi/wso2export.h"

#include <QCommandLineParser>

namespace Gatehouse::Cli {

// gatehouse-cli export FILE --wso2 [--format yaml|json] [-o OUT]
int exportCommand(const QStringList &arguments)
{
    const QString name = QStringLiteral("export");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Export an AsyncAPI document (2.0-2.6 or 3.0-3.1, YAML or JSON) for another "
        "product.\n"
        "--wso2 writes the AsyncAPI 2.6 definition of a WebSocket API that WSO2 API Manager "
        "4.x imports (Publisher > Create API > Import AsyncAPI Definition): x-uri-mapping and "
        "x-auth-type on every topic, every scope x-scopes names declared in the oauth2 "
        "security scheme, x-gatehouse.endpoint as the production server. What it "
        "drops or changes is listed on standard error, one warning a line. The document must "
        "load without errors.\n"
        "Exit status: 0 exported, 1 the document has errors or the output cannot be written, "
        "2 usage error."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("The AsyncAPI document to export."));
    const QCommandLineOption wso2Option(
        QStringLiteral("wso2"),
        QStringLiteral("Export for WSO2 API Manager 4.x (required: the only target so far)."));
    const QCommandLineOption formatOption(
        QStringLiteral("format"),
        QStringLiteral(
            "Output format: yaml or json (default: json when OUT ends in .json, else yaml)."),
        QStringLiteral("yaml|json"));
    const QCommandLineOption outputOption(
        {QStringLiteral("o"), QStringLiteral("output")},
        QStringLiteral("Write to OUT (atomically) instead of standard output."),
        QStringLiteral("OUT"));
    parser.addOptions({wso2Option, formatOption, outputOption});

    if (!parser.parse(arguments))
        return usageError(name, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1)
        return usageError(name,
                          files.isEmpty()
                              ? QStringLiteral("no file given; usage: gatehouse-cli export FILE "
                                               "--wso2 [--format yaml|json] [-o OUT]")
                              : QStringLiteral("one file at a time, got %1").arg(files.size()));
    if (!parser.isSet(wso2Option))
        return usageError(name,
                          QStringLiteral("say what to export for: --wso2 (WSO2 API "
                                         "Manager)"));
    const QString output = parser.value(outputOption);
    if (parser.isSet(outputOption) && output.isEmpty())
        return usageError(name, QStringLiteral("-o needs a file name"));
    Wso2Export::Format format = Wso2Export::Format::Yaml;
    if (parser.isSet(formatOption)) {
        const QString f = parser.value(formatOption).toLower();
        if (f == QLatin1String("json"))
            format = Wso2Export::Format::Json;
        else if (f != QLatin1String("yaml") && f != QLatin1String("yml"))
            return usageError(name,
                              QStringLiteral("unknown format '%1'; use yaml or json")
                                  .arg(parser.value(formatOption)));
    } else {
        format = AsyncApiConverter::formatForPath(output, Wso2Export::Format::Yaml);
    }

    const ReadResult read = AsyncApiReader::readFile(files.first());
    for (const Diagnostic &d : read.diagnostics)
        err() << d.toString() << '\n';
    if (!read.ok()) {
        if (read.diagnostics.isEmpty())
            err() << files.first() << ": error: could not be read as an AsyncAPI document\n";
        err() << "gatehouse-cli export: " << files.first() << " has errors; nothing exported"
              << Qt::endl;
        return ExitFailure;
    }
    const Wso2Export::Result exported = Wso2Export::exportDocument(read, format);
    if (!exported.ok())
        return failure(name, exported.error);
    printFindings(files.first(), exported.losses);
    if (!writeOutput(name, output, exported.data))
        return ExitFailure;
    return ExitOk;
}

} // namespace Gatehouse::Cli
