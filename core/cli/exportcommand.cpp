// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/documentcommand.h"

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
    parser.addOption(wso2Option);
    DocumentCommand document(
        name, QStringLiteral("gatehouse-cli export FILE --wso2 [--format yaml|json] [-o OUT]"));
    document.addOptions(parser);

    if (!parser.parse(arguments))
        return usageError(name, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    if (const int status = document.check(parser); status != ExitOk)
        return status;
    if (!parser.isSet(wso2Option))
        return usageError(name,
                          QStringLiteral("say what to export for: --wso2 (WSO2 API "
                                         "Manager)"));
    const std::optional<ReadResult> read = document.read(QStringLiteral("exported"));
    if (!read)
        return ExitFailure;
    const Wso2Export::Result exported = Wso2Export::exportDocument(*read, document.format());
    if (!exported.ok())
        return failure(name, exported.error);
    printFindings(document.file(), exported.losses);
    if (!writeOutput(name, document.output(), exported.data))
        return ExitFailure;
    return ExitOk;
}

} // namespace Gatehouse::Cli
