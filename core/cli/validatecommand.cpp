// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"

#include "api/json.h"
#include "asyncapi/asyncapireader.h"
#include "runtime/settingscheck.h"

#include <QCommandLineParser>
#include <QFile>

namespace Gatehouse::Cli {

namespace {

Json diagnosticToJson(const Diagnostic &d)
{
    Json object = Json::object();
    object["file"] = toStdString(d.location.file);
    object["line"] = d.location.line;
    object["column"] = d.location.column;
    object["severity"] = d.severity == Diagnostic::Severity::Error ? "error" : "warning";
    object["message"] = toStdString(d.message);
    object["pointer"] = toStdString(d.pointer);
    return object;
}

ReadResult readStandardInput()
{
    QFile input;
    if (!input.open(stdin, QIODevice::ReadOnly))
        return AsyncApiReader::readData(QByteArray(), QStringLiteral("<stdin>"));
    return AsyncApiReader::readData(input.readAll(), QStringLiteral("<stdin>"));
}

} // namespace

// gatehouse-cli validate [--strict] [--format text|json] [-v] FILE...
int validateCommand(const QStringList &arguments)
{
    const QString name = QStringLiteral("validate");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Check AsyncAPI documents: the official AsyncAPI JSON Schema of their version, "
        "Gatehouse's x-gatehouse schema, semantic rules, and the gateway policy and mock "
        "settings that serve and mock would read. Prints one "
        "file:line:col: severity: message line per problem on stderr.\n"
        "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error."));
    parser.addHelpOption();
    parser.addPositionalArgument(
        QStringLiteral("FILE"),
        QStringLiteral("AsyncAPI documents (YAML or JSON); - reads standard input"),
        QStringLiteral("FILE..."));
    const QCommandLineOption strictOption(QStringLiteral("strict"),
                                          QStringLiteral("Treat warnings as errors."));
    const QCommandLineOption formatOption(
        QStringLiteral("format"),
        QStringLiteral("Output format: text (diagnostics on stderr) or json (an array on stdout)."),
        QStringLiteral("text|json"), QStringLiteral("text"));
    const QCommandLineOption verboseOption(
        {QStringLiteral("v"), QStringLiteral("verbose")},
        QStringLiteral("Also print FILE: valid for each valid file."));
    parser.addOptions({strictOption, formatOption, verboseOption});

    if (!parser.parse(arguments))
        return usageError(name, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QString format = parser.value(formatOption);
    if (format != QLatin1String("text") && format != QLatin1String("json"))
        return usageError(name,
                          QStringLiteral("unknown format '%1'; use text or json").arg(format));
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        return usageError(
            name,
            QStringLiteral("no file given; usage: gatehouse-cli validate [--strict] FILE..."));

    const bool strict = parser.isSet(strictOption);
    const bool json = format == QLatin1String("json");
    bool failed = false;
    Json all = Json::array();
    for (const QString &file : files) {
        // "-" reads the document from standard input, for editors and pipes.
        const ReadResult result
            = file == QLatin1String("-") ? readStandardInput() : AsyncApiReader::readFile(file);
        QList<Diagnostic> diagnostics = result.diagnostics;
        checkGatewaySettings(result, &diagnostics);
        bool fileFailed = !result.api.has_value() || hasErrors(diagnostics);
        for (const Diagnostic &d : std::as_const(diagnostics)) {
            if (strict && d.severity == Diagnostic::Severity::Warning)
                fileFailed = true;
            if (json)
                all.push_back(diagnosticToJson(d));
            else
                err() << d.toString() << '\n';
        }
        if (fileFailed && diagnostics.isEmpty()) {
            // The reader gave no model and said nothing: still one line saying what.
            Diagnostic d;
            d.location.file = file;
            d.message = QStringLiteral("could not be read as an AsyncAPI document");
            if (json)
                all.push_back(diagnosticToJson(d));
            else
                err() << d.toString() << '\n';
        }
        failed = failed || fileFailed;
        if (!fileFailed && parser.isSet(verboseOption) && !json)
            out() << file << ": valid\n";
    }
    if (json)
        out() << toQString(all.dump(2)) << '\n';
    err().flush();
    out().flush();
    return failed ? ExitFailure : ExitOk;
}

} // namespace Gatehouse::Cli
