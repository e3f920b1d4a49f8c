// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/credentialclisupport.h"

#include "analytics/asynceventsink.h"
#include "analytics/jsonlineswriter.h"
#include "analytics/messagelogstore.h"
#include "asyncapi/asyncapireader.h"
#include "credentials/secretstore.h"
#include "credentials/sqlitecredentialregistry.h"
#include "gateway/gateway.h"
#include "gateway/gatewayeventsink.h"
#include "gateway/listenerplan.h"
#include "mock/mockserver.h"
#include "policy/policyconfig.h"
#include "policy/policyfactory.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QMutex>
#include <QSocketNotifier>

#include <csignal>
#include <limits>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace Gatehouse::Cli {

namespace {

using Gateway::GatewayEvent;

// One line per accepted / rejected / closed connection (-v).
class VerboseSink final : public Gateway::GatewayEventSink
{
public:
    void consume(const QList<GatewayEvent> &events) override
    {
        QMutexLocker lock(&m_mutex);
        for (const GatewayEvent &e : events) {
            const GatewayEvent::Details &d = e.details();
            const QString id = u'#' + QString::number(e.connectionId);
            const QString app
                = d.application.isEmpty() ? QString() : QStringLiteral(" app=") + d.application;
            switch (e.type) {
            case GatewayEvent::Type::ConnectionOpened:
                out() << "accepted " << id << ' ' << d.clientAddress << ' ' << d.path << " -> "
                      << d.backendUrl << app << '\n';
                break;
            case GatewayEvent::Type::ConnectionRejected:
                out() << "rejected " << id << ' ' << d.clientAddress << ' '
                      << (d.path.isEmpty() ? QStringLiteral("-") : d.path) << ' '
                      << (e.status ? QString::number(e.status) : QStringLiteral("(no answer)"))
                      << ' ' << e.reason << app << '\n';
                break;
            case GatewayEvent::Type::ConnectionClosed:
                out() << "closed " << id << ' ' << e.closeCode
                      << (e.closeReason.isEmpty() ? QString()
                                                  : QStringLiteral(" '%1'").arg(e.closeReason))
                      << " by " << Gateway::toString(e.closedBy) << " (" << e.messagesIn << " in, "
                      << e.messagesOut << " out, " << e.durationMs << " ms)" << app << '\n';
                break;
            default:
                continue;
            }
        }
        out().flush();
    }

private:
    QMutex m_mutex;
};

int signalPipe[2] = {-1, -1};

extern "C" void handleSignal(int signal)
{
    const char c = char(signal);
    const ssize_t written = ::write(signalPipe[1], &c, 1);
    (void)written;
}

bool parseListen(const QString &text, Gateway::ListenerConfig *config, QString *error)
{
    return Gateway::ListenerPlan::parseAddress(text, &config->address, &config->port, error);
}

struct LoadedApis
{
    QList<Api> apis;
    QStringList files;
};

bool loadApis(const QStringList &files, LoadedApis *loaded)
{
    bool ok = true;
    for (const QString &file : files) {
        ReadResult result = AsyncApiReader::readFile(file);
        for (const Diagnostic &d : std::as_const(result.diagnostics))
            if (d.severity == Diagnostic::Severity::Error)
                err() << d.toString() << Qt::endl;
        if (!result.ok() || !result.api) {
            err() << "gatehouse-cli serve: " << file << ": cannot be served (errors above)"
                  << Qt::endl;
            ok = false;
            continue;
        }
        loaded->apis.append(*result.api);
        loaded->files.append(QFileInfo(file).absoluteFilePath());
    }
    return ok;
}

Policies::CredentialVerifier makeVerifier(const Credentials::CredentialRegistry *registry)
{
    return [registry](const QString &secret, const Api &api) {
        const Credentials::AuthResult r = registry->authenticate(secret, api.title, api.version);
        if (r.ok()) {
            Gateway::ConnectionIdentity identity;
            identity.applicationId = r.application.id;
            identity.applicationName = r.application.name;
            identity.plan = r.plan.name;
            identity.scopes = r.scopes;
            identity.credentialId = r.credential.id;
            identity.credentialKind = Credentials::credentialTypeName(r.credential.type);
            return Policies::CredentialCheck::ok(identity, r.plan);
        }
        return Policies::CredentialCheck::fail(
            r.httpStatus() == 403 ? Policies::CredentialCheck::Outcome::Forbidden
                                  : Policies::CredentialCheck::Outcome::Unauthenticated,
            r.reason);
    };
}

// Where the gateway listens and what it serves: as one list when every listener
// serves every API, else each listener followed by its APIs.
void printListeners(const Gateway::Gateway &gateway)
{
    const QList<Gateway::ListenerConfig> listeners = gateway.listeners();
    const QStringList all = gateway.servedApis();
    bool same = true;
    for (qsizetype i = 0; i < listeners.size(); ++i)
        same = same && gateway.servedApis(int(i)) == all;
    for (qsizetype i = 0; i < listeners.size(); ++i) {
        out() << "listening on " << listeners.at(i).toString() << '\n';
        if (!same)
            for (const QString &line : gateway.servedApis(int(i)))
                out() << "  serving " << line << '\n';
    }
    if (same)
        for (const QString &line : all)
            out() << "serving " << line << '\n';
    out().flush();
}

} // namespace

// gatehouse-cli serve API... [--listen HOST:PORT] [--tls-listen HOST:PORT --cert F --key F]
//                   [--log-db F] [--log-file F] [--db F] [--secrets-file F] [--workers N]
//                   [--idle-timeout DURATION] [--forward-pings] [--with-mock] [-v]
int serveCommand(const QStringList &arguments)
{
    const QString name = QStringLiteral("serve");
    // Threads started from here on (gateway workers, log writers) use Qt's plain Unix
    // event dispatcher instead of GLib's: measured on loopback at 20,000 msg/s, the p99
    // round trip through the gateway drops from about 4 ms to under 1 ms. Set before
    // any thread exists, so no other thread reads the environment meanwhile.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Run the gateway for one or more AsyncAPI documents until SIGINT or SIGTERM "
        "(SIGHUP re-reads the documents). Each API is served at /{context}/{version} "
        "(x-gatehouse context, info.version) and relayed to its x-gatehouse endpoint."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("API"),
                                 QStringLiteral("AsyncAPI documents (YAML or JSON)"),
                                 QStringLiteral("API..."));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("ws address for every API (default: each document's x-gatehouse listen, "
                       "else 127.0.0.1:9099; documents naming different addresses are served "
                       "each on its own)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption tlsListenOption(
        QStringLiteral("tls-listen"),
        QStringLiteral("wss address for every API; needs --cert and --key (default: each "
                       "document's x-gatehouse tlsListen)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption certOption(QStringLiteral("cert"),
                                        QStringLiteral("PEM certificate (chain) for wss."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(
        QStringLiteral("key"), QStringLiteral("PEM private key for wss."), QStringLiteral("FILE"));
    const QCommandLineOption logDbOption(
        QStringLiteral("log-db"),
        QStringLiteral("Record handshakes, messages and closes in this SQLite file."),
        QStringLiteral("FILE"));
    const QCommandLineOption logFileOption(
        QStringLiteral("log-file"), QStringLiteral("Also append them to this JSON Lines file."),
        QStringLiteral("FILE"));
    const QCommandLineOption workersOption(
        QStringLiteral("workers"), QStringLiteral("Worker threads (default: one per core)."),
        QStringLiteral("N"));
    const QCommandLineOption verboseOption(
        {QStringLiteral("v"), QStringLiteral("verbose")},
        QStringLiteral("Print one line per accepted, rejected and closed connection."));
    const QCommandLineOption idleTimeoutOption(
        QStringLiteral("idle-timeout"),
        QStringLiteral("Ping a connection's leg after this long without traffic and close it "
                       "with 1001 when it stays silent as long again (e.g. 30s; default: none)."),
        QStringLiteral("DURATION"));
    const QCommandLineOption forwardPingsOption(
        QStringLiteral("forward-pings"),
        QStringLiteral("Also pass pings on to the other side (they are always answered)."));
    const QCommandLineOption withMockOption(
        QStringLiteral("with-mock"),
        QStringLiteral("Also run each API's built-in mock backend at its x-gatehouse endpoint "
                       "(kind from x-gatehouse.mock), for a demo with no backend."));
    parser.addOptions({listenOption, tlsListenOption, certOption, keyOption, logDbOption,
                       logFileOption, workersOption, idleTimeoutOption, forwardPingsOption,
                       withMockOption, verboseOption});
    CredentialSupport::addCommonOptions(parser);

    if (!parser.parse(arguments))
        return usageError(name, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        return usageError(name, QStringLiteral("no API document given"));

    Gateway::GatewayOptions options;
    if (parser.isSet(workersOption)) {
        bool ok = false;
        options.workerThreads = parser.value(workersOption).toInt(&ok);
        if (!ok || options.workerThreads < 1 || options.workerThreads > 256)
            return usageError(name,
                              QStringLiteral("--workers: '%1' is not a number from 1 to 256")
                                  .arg(parser.value(workersOption)));
    }
    if (parser.isSet(idleTimeoutOption)) {
        const auto idle = Policies::PolicyConfig::parseDuration(parser.value(idleTimeoutOption));
        if (!idle || idle->count() < 1 || idle->count() > std::numeric_limits<int>::max())
            return usageError(name,
                              QStringLiteral("--idle-timeout: '%1' is not a duration such as "
                                             "30s, 500ms or 5m")
                                  .arg(parser.value(idleTimeoutOption)));
        options.idleTimeoutMs = int(idle->count());
    }
    options.forwardPings = parser.isSet(forwardPingsOption);
    // --listen / --tls-listen serve every API there; without them each document's own
    // listen / tlsListen address is opened and serves the APIs that name it.
    Gateway::ListenerPlan plan;
    QString error;
    if (parser.isSet(listenOption)) {
        Gateway::ListenerConfig l;
        if (!parseListen(parser.value(listenOption), &l, &error))
            return usageError(name, QStringLiteral("--listen: ") + error);
        plan.wsOverride = l;
    }
    if (parser.isSet(tlsListenOption)) {
        Gateway::ListenerConfig l;
        if (!parseListen(parser.value(tlsListenOption), &l, &error))
            return usageError(name, QStringLiteral("--tls-listen: ") + error);
        if (!parser.isSet(certOption) || !parser.isSet(keyOption))
            return usageError(name,
                              QStringLiteral("--tls-listen needs --cert FILE and --key FILE"));
        l.tls = true;
        l.certificateFile = parser.value(certOption);
        l.privateKeyFile = parser.value(keyOption);
        plan.wssOverride = l;
    } else if (parser.isSet(certOption) || parser.isSet(keyOption)) {
        return usageError(name, QStringLiteral("--cert and --key go with --tls-listen"));
    }

    LoadedApis loaded;
    if (!loadApis(files, &loaded))
        return ExitFailure;

    if (!plan.build(loaded.apis, loaded.files, &error)) {
        err() << "gatehouse-cli serve: " << error << Qt::endl;
        return ExitFailure;
    }
    for (const QString &warning : plan.warnings())
        err() << "gatehouse-cli serve: warning: " << warning << Qt::endl;
    const QList<Gateway::ListenerConfig> listeners = plan.listeners();

    // Credentials: the registry answers the authenticate policy; its changes close
    // connections that lost their right to be open.
    Credentials::SqliteCredentialRegistry registry;
    if (!CredentialSupport::openRegistry(parser, &registry, &error)) {
        err() << "gatehouse-cli serve: " << error << Qt::endl;
        return ExitFailure;
    }
    registry.startWatching();
    // The JWT signing key: GATEHOUSE_SIGNING_KEY, else the secret store. The registry
    // reads it asynchronously and again when the first JWT appears later, so a key
    // created by `keys issue --type jwt` while serving is picked up without a restart.
    std::unique_ptr<Credentials::SecretStore> secrets
        = CredentialSupport::openSecretStore(parser, &error);
    if (!secrets && qEnvironmentVariableIsEmpty("GATEHOUSE_SIGNING_KEY"))
        err() << "gatehouse-cli serve: warning: JWTs will be refused: " << error << Qt::endl;
    registry.setSigningKeySource(secrets.get());

    Policies::PolicyFactory::Options factoryOptions;
    factoryOptions.verifier = makeVerifier(&registry);
    auto factory = std::make_shared<Policies::PolicyFactory>(factoryOptions);
    bool policiesOk = true;
    for (const Api &api : std::as_const(loaded.apis))
        for (const QString &problem : factory->check(api)) {
            err() << "gatehouse-cli serve: " << api.title << ": " << problem << Qt::endl;
            policiesOk = false;
        }
    if (!policiesOk)
        return ExitFailure;

    Gateway::Gateway gateway;
    gateway.setOptions(options);
    gateway.setPolicyProvider(factory);
    gateway.setListenerSelector(
        [&plan](const Api &api, QString *error) { return plan.listenersFor(api, error); });

    std::shared_ptr<Analytics::MessageLogStore> logStore;
    if (parser.isSet(logDbOption)) {
        Analytics::MessageLogStore::Options o;
        o.path = parser.value(logDbOption);
        o.payloadFilter = factory->payloadFilter(); // log policy masking, on the writer thread
        logStore = std::make_shared<Analytics::MessageLogStore>(o);
        if (!logStore->open(&error)) {
            err() << "gatehouse-cli serve: --log-db " << error << Qt::endl;
            return ExitFailure;
        }
        gateway.addEventSink(logStore);
    }
    std::shared_ptr<Analytics::AsyncEventSink> logFile;
    if (parser.isSet(logFileOption)) {
        Analytics::JsonLinesWriter::Options o;
        o.path = parser.value(logFileOption);
        o.payloadFilter = factory->payloadFilter();
        logFile = std::make_shared<Analytics::AsyncEventSink>(
            std::make_unique<Analytics::JsonLinesWriter>(o));
        if (!logFile->start(&error)) {
            err() << "gatehouse-cli serve: --log-file " << o.path << ": " << error << Qt::endl;
            return ExitFailure;
        }
        gateway.addEventSink(logFile);
    }
    if (parser.isSet(verboseOption))
        gateway.addEventSink(std::make_shared<VerboseSink>());

    using Gateway::ConnectionFilter;
    QObject::connect(&registry, &Credentials::CredentialRegistry::credentialRevoked, &gateway,
                     [&gateway](const QString &credentialId) {
                         gateway.closeConnections({{}, credentialId, {}, {}}, 1008,
                                                  QStringLiteral("credential revoked"));
                     });
    QObject::connect(&registry, &Credentials::CredentialRegistry::subscriptionBlocked, &gateway,
                     [&gateway](const QString &app, const QString &title, const QString &version) {
                         gateway.closeConnections({app, {}, title, version}, 1008,
                                                  QStringLiteral("subscription blocked"));
                     });
    QObject::connect(&registry, &Credentials::CredentialRegistry::subscriptionRemoved, &gateway,
                     [&gateway](const QString &app, const QString &title, const QString &version) {
                         gateway.closeConnections({app, {}, title, version}, 1008,
                                                  QStringLiteral("subscription removed"));
                     });
    QObject::connect(&registry, &Credentials::CredentialRegistry::applicationDeleted, &gateway,
                     [&gateway](const QString &app) {
                         gateway.closeConnections({app, {}, {}, {}}, 1008,
                                                  QStringLiteral("application deleted"));
                     });

    // Mock backends first, so the gateway finds its backends listening.
    std::vector<std::unique_ptr<MockServer>> mocks;
    if (parser.isSet(withMockOption)) {
        for (const Api &api : std::as_const(loaded.apis)) {
            auto mock = std::make_unique<MockServer>(api);
            for (const MockServer::Problem &problem : mock->problems())
                err() << "gatehouse-cli serve: warning: " << api.title << " mock: "
                      << (problem.pointer.isEmpty() ? QString() : problem.pointer + u": ")
                      << problem.message << Qt::endl;
            if (!mock->listenOnEndpoint()) {
                err() << "gatehouse-cli serve: " << api.title << " mock: " << mock->errorString()
                      << Qt::endl;
                return ExitFailure;
            }
            out() << "mock " << MockConfig::kindName(mock->kind()) << " for " << api.title << ' '
                  << api.version << " listening on " << api.gatehouse.endpoint << '\n';
            mocks.push_back(std::move(mock));
        }
    }

    if (!gateway.start(listeners, loaded.apis)) {
        err() << "gatehouse-cli serve: " << gateway.errorString() << Qt::endl;
        return ExitFailure;
    }
    for (const QString &warning : factory->warnings())
        err() << "gatehouse-cli serve: warning: " << warning << Qt::endl;
    printListeners(gateway);

    // Signals arrive through a socket pair so that the handler only writes a byte.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) {
        err() << "gatehouse-cli serve: cannot set up signal handling" << Qt::endl;
        return ExitFailure;
    }
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &gateway, [&] {
        char c = 0;
        if (::read(signalPipe[0], &c, 1) != 1)
            return;
        if (c == SIGHUP) {
            LoadedApis again;
            if (!loadApis(loaded.files, &again)) {
                err() << "gatehouse-cli serve: reload failed; still serving the previous documents"
                      << Qt::endl;
                return;
            }
            if (!gateway.reload(again.apis)) {
                err() << "gatehouse-cli serve: reload failed: " << gateway.errorString()
                      << Qt::endl;
                return;
            }
            out() << "reloaded " << again.apis.size() << " API document(s)" << Qt::endl;
            return;
        }
        if (gateway.isRunning()) {
            out() << "stopping" << Qt::endl;
            gateway.stop();
        }
    });
    QObject::connect(&gateway, &Gateway::Gateway::stopped, &gateway, [](int closed) {
        out() << "stopped; closed " << closed << " open connection(s)" << Qt::endl;
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = handleSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGHUP, &action, nullptr);

    const int exitCode = QCoreApplication::exec() == 0 ? ExitOk : ExitFailure;

    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    if (logStore)
        logStore->close();
    if (logFile)
        logFile->stop();
    ::close(signalPipe[0]);
    ::close(signalPipe[1]);
    return exitCode;
}

} // namespace Gatehouse::Cli
