// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"

#include "asyncapi/asyncapireader.h"

#include "mock/messagecatalog.h"
#include "mock/mockserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QSet>
#include <QSocketNotifier>
#include <QThread>

#include <csignal>
#include <memory>
#include <optional>
#include <unistd.h>

namespace Gatehouse::Cli {

namespace {

const QString Name = QStringLiteral("mock");

// SIGINT/SIGTERM -> a byte on a pipe -> QCoreApplication::quit() on the event loop.
int g_signalPipe[2] = {-1, -1};

void handleSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

struct ListenSpec
{
    QString host;
    quint16 port = 0;
};

std::optional<ListenSpec> parseListen(const QString &text)
{
    ListenSpec spec;
    QString portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || text.mid(close + 1, 1) != u":")
            return std::nullopt;
        spec.host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else if (text.count(u':') == 1) {
        spec.host = text.section(u':', 0, 0);
        portText = text.section(u':', 1);
    } else if (!text.contains(u':')) {
        spec.host = QStringLiteral("127.0.0.1");
        portText = text;
    } else {
        return std::nullopt;
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    spec.port = quint16(port);
    if (spec.host.isEmpty())
        spec.host = QStringLiteral("0.0.0.0");
    return spec;
}

} // namespace

int mockCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Run a built-in mock backend for an API: echo, broadcast, chat (the WSO2 tutorial's\n"
        "backend) or examples (messages from the AsyncAPI document). It listens where the\n"
        "API's x-gatehouse endpoint says and serves the backend paths of its URL mappings."));
    parser.addPositionalArgument(QStringLiteral("API"),
                                 QStringLiteral("The AsyncAPI document (YAML or JSON)."));
    const QCommandLineOption listenOption(
        QStringList {QStringLiteral("l"), QStringLiteral("listen")},
        QStringLiteral(
            "Listen on HOST:PORT instead of the x-gatehouse endpoint (port 0: any free port)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption kindOption(
        QStringList {QStringLiteral("k"), QStringLiteral("kind")},
        QStringLiteral(
            "Mock kind: echo, broadcast, chat or examples (default: x-gatehouse.mock.kind)."),
        QStringLiteral("KIND"));
    const QCommandLineOption verboseOption(
        QStringList {QStringLiteral("v"), QStringLiteral("verbose")},
        QStringLiteral("Log connections and messages to standard error."));
    parser.addOption(listenOption);
    parser.addOption(kindOption);
    parser.addOption(verboseOption);
    const QCommandLineOption helpOption = parser.addHelpOption();

    if (!parser.parse(arguments))
        return usageError(Name, parser.errorText());
    if (parser.isSet(helpOption)) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(
            Name,
            QStringLiteral("expected one API document, got %1; see --help").arg(positional.size()));

    std::optional<MockConfig::Kind> kind;
    if (parser.isSet(kindOption)) {
        kind = MockConfig::kindFromString(parser.value(kindOption));
        if (!kind)
            return usageError(Name,
                              QStringLiteral("unknown kind '%1' (echo, broadcast, chat, examples)")
                                  .arg(parser.value(kindOption)));
    }
    std::optional<ListenSpec> listen;
    if (parser.isSet(listenOption)) {
        listen = parseListen(parser.value(listenOption));
        if (!listen)
            return usageError(
                Name,
                QStringLiteral("--listen '%1' is not HOST:PORT").arg(parser.value(listenOption)));
    }
    const bool verbose = parser.isSet(verboseOption);
    const QString file = positional.first();

    ReadResult read = AsyncApiReader::readFile(file);
    for (const Diagnostic &d : std::as_const(read.diagnostics))
        err() << d.toString() << '\n';
    err().flush();
    if (!read.api) {
        if (read.diagnostics.isEmpty())
            err() << "gatehouse-cli mock: " << file << ": cannot read the document" << Qt::endl;
        return ExitFailure;
    }
    // A document with errors (an example that does not match its schema, say) still
    // runs: the mock leaves out what it cannot use and serves the rest.
    QSet<QString> reported;
    for (const Diagnostic &d : std::as_const(read.diagnostics))
        reported.insert(d.pointer);

    MockServer server(*read.api);
    if (kind)
        server.setKind(*kind);
    for (const MockProblem &problem : server.problems()) {
        Diagnostic d;
        d.severity = Diagnostic::Severity::Warning;
        d.message = problem.message;
        d.pointer = problem.pointer;
        if (!problem.messageId.isEmpty() && !read.document.locations.contains(d.pointer)) {
            if (const Message *m = read.api->message(problem.messageId)) {
                const QString found
                    = MessageCatalog::locateExample(read.document.root, *m, problem.exampleIndex);
                if (!found.isEmpty())
                    d.pointer = found;
            }
        }
        if (!d.pointer.isEmpty() && reported.contains(d.pointer))
            continue; // the reader said it already
        d.location
            = d.pointer.isEmpty() ? SourceLocation {file, 0, 0} : read.document.locate(d.pointer);
        if (d.location.file.isEmpty())
            d.location.file = file;
        err() << d.toString() << '\n';
    }
    err().flush();

    if (!listen && !server.config().listen.isEmpty()) {
        listen = parseListen(server.config().listen);
        if (!listen) {
            err() << "gatehouse-cli mock: " << file << ": x-gatehouse.mock.listen '"
                  << server.config().listen << "' is not HOST:PORT" << Qt::endl;
            return ExitFailure;
        }
    }
    if (!listen) {
        ListenSpec spec;
        QString error;
        if (!MockServer::endpointAddress(*read.api, &spec.host, &spec.port, &error)) {
            err() << "gatehouse-cli mock: " << file << ": " << error << "; use --listen HOST:PORT"
                  << Qt::endl;
            return ExitFailure;
        }
        listen = spec;
    }

    if (verbose) {
        QObject::connect(&server, &MockServer::activityLogged, &server, [](const QString &line) {
            err() << QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz")) << ' '
                  << line << Qt::endl;
        });
    }

    if (!server.listenOn(listen->host, listen->port)) {
        err() << "gatehouse-cli mock: " << server.errorString() << Qt::endl;
        return ExitFailure;
    }
    const quint16 port = server.serverPort();

    out() << "Mock backend (" << MockConfig::kindName(server.kind()) << ") for " << read.api->title
          << " listening on ws://"
          << (listen->host.contains(u':') ? u'[' + listen->host + u']' : listen->host) << ':'
          << port << '\n';
    for (const MockServer::Route &route : server.routes())
        out() << "  " << route.route.routeTemplate() << "  (" << route.name << ")\n";
    out() << "Press Ctrl+C to stop." << Qt::endl;

    std::unique_ptr<QSocketNotifier> notifier;
    if (g_signalPipe[0] >= 0 || ::pipe(g_signalPipe) == 0) {
        notifier = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        QObject::connect(notifier.get(), &QSocketNotifier::activated, &server,
                         [] { QCoreApplication::quit(); });
        std::signal(SIGINT, handleSignal);
        std::signal(SIGTERM, handleSignal);
    }

    QCoreApplication::exec();
    server.close();
    // Let the close frames (1001) go out before the process ends.
    QDeadlineTimer drain(1000);
    while (!server.connections().isEmpty() && !drain.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (verbose)
        err() << "gatehouse-cli mock: stopped" << Qt::endl;
    return ExitOk;
}

} // namespace Gatehouse::Cli
