// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/documentcommand.h"

#include "asyncapi/asyncapiconverter.h"
#include "asyncapi/asyncapiwriter.h"

#include <QCommandLineParser>

namespace Gatehouse::Cli {

// gatehouse-cli convert FILE --to 2.6|3.0 [--format yaml|json] [-o OUT]
int convertCommand(const QStringList &arguments)
{
    const QString name = QStringLiteral("convert");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Convert an AsyncAPI document (2.0-2.6 or 3.0-3.1, YAML or JSON) to AsyncAPI 2.6.0 or "
        "3.0.0, as YAML or JSON. Operations keep the application's point of view (2.x publish "
        "= 3.x receive); x-uri-mapping, x-scopes and x-auth-type move where WSO2 API Manager "
        "reads them. The document must load without errors. What the conversion cannot carry "
        "over is listed on standard error, one warning a line.\n"
        "Exit status: 0 converted, 1 the document has errors or the output cannot be written, "
        "2 usage error."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("The AsyncAPI document to convert."));
    const QCommandLineOption toOption(
        QStringLiteral("to"), QStringLiteral("Target AsyncAPI version: 2.6 or 3.0 (required)."),
        QStringLiteral("2.6|3.0"));
    parser.addOption(toOption);
    DocumentCommand document(name,
                             QStringLiteral("gatehouse-cli convert FILE --to 2.6|3.0 "
                                            "[--format yaml|json] [-o OUT]"));
    document.addOptions(parser);

    if (!parser.parse(arguments))
        return usageError(name, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    if (const int status = document.check(parser); status != ExitOk)
        return status;
    if (!parser.isSet(toOption))
        return usageError(name, QStringLiteral("--to is required: 2.6 or 3.0"));
    const QString to = parser.value(toOption);
    AsyncApiWriter::TargetVersion version;
    if (to == QLatin1String("2.6") || to == QLatin1String("2.6.0"))
        version = AsyncApiWriter::TargetVersion::V2_6;
    else if (to == QLatin1String("3.0") || to == QLatin1String("3.0.0"))
        version = AsyncApiWriter::TargetVersion::V3_0;
    else
        return usageError(
            name, QStringLiteral("unsupported target version '%1'; use 2.6 or 3.0").arg(to));

    const std::optional<ReadResult> result = document.read(QStringLiteral("converted"));
    if (!result)
        return ExitFailure;

    const AsyncApiConverter::Result converted
        = AsyncApiConverter::writeModel(*result, version, document.format());
    if (!converted.ok())
        return failure(name, converted.error);
    // What the conversion could not carry, as Save a Copy lists it in the window.
    printFindings(document.file(), converted.losses);
    QList<Diagnostic> examples = converted.exampleMismatches;
    for (Diagnostic &d : examples)
        d.message = QStringLiteral("example that AsyncAPI 2.x parsers reject (it does not match "
                                   "its schema): %1")
                        .arg(d.message);
    printFindings(document.file(), examples);
    if (!writeOutput(name, document.output(), converted.data))
        return ExitFailure;
    return ExitOk;
}

} // namespace Gatehouse::Cli
