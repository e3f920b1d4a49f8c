// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"

#include "api/json.h"
#include "asyncapi/asyncapireader.h"
#include "mock/mockconfig.h"
#include "policy/policyfactory.h"

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

// The JSON Pointer of a dotted path such as "x-gatehouse.policies[1].events" or
// "channels./rooms/{id}.x-gatehouse.policies[0]", matched against the document so
// that keys containing dots are found; stops at the first part it cannot follow.
QString pointerOfPath(const Json &root, const QString &path)
{
    QString pointer;
    const Json *node = &root;
    QString rest = path;
    while (!rest.isEmpty() && node) {
        if (node->is_array()) {
            const qsizetype close = rest.indexOf(u']');
            bool ok = false;
            const auto index
                = rest.startsWith(u'[') && close > 0 ? rest.mid(1, close - 1).toULongLong(&ok) : 0;
            if (!ok || index >= node->size())
                break;
            pointer += u'/' + QString::number(index);
            node = &(*node)[index];
            rest = rest.mid(close + 1);
        } else if (node->is_object()) {
            QString best;
            for (auto it = node->begin(); it != node->end(); ++it) {
                const QString key = toQString(it.key());
                if (key.size() > best.size() && rest.startsWith(key)
                    && (rest.size() == key.size() || rest.at(key.size()) == u'.'
                        || rest.at(key.size()) == u'['))
                    best = key;
            }
            if (best.isEmpty())
                break;
            QString token = best;
            token.replace(u'~', QStringLiteral("~0")).replace(u'/', QStringLiteral("~1"));
            pointer += u'/' + token;
            node = &(*node)[toStdString(best)];
            rest = rest.mid(best.size());
        } else {
            break;
        }
        if (rest.startsWith(u'.'))
            rest = rest.mid(1);
    }
    return pointer;
}

// Findings of the gateway's policy and mock configuration readers, which `serve`
// and `mock` would refuse, as diagnostics; those at or below a place the schema
// check already reported are left out.
void checkGatewaySettings(const ReadResult &result, QList<Diagnostic> *diagnostics)
{
    if (!result.api)
        return;
    QStringList problems = Policies::PolicyFactory().check(*result.api);
    MockConfig::fromJson(result.api->gatehouse.mock, &problems);
    for (const QString &problem : std::as_const(problems)) {
        const qsizetype colon = problem.indexOf(QStringLiteral(": "));
        const QString pointer
            = pointerOfPath(result.document.root, colon > 0 ? problem.left(colon) : QString());
        bool reported = false;
        for (const Diagnostic &d : std::as_const(*diagnostics))
            reported = reported
                || (d.severity == Diagnostic::Severity::Error && !d.pointer.isEmpty()
                    && (pointer == d.pointer || pointer.startsWith(d.pointer + u'/')
                        || d.pointer.startsWith(pointer + u'/')));
        if (reported)
            continue;
        Diagnostic d;
        d.pointer = pointer;
        d.location = result.document.locate(pointer);
        d.message = problem;
        diagnostics->append(d);
    }
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
