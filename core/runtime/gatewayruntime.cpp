// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime/gatewayruntime.h"

#include "analytics/asynceventsink.h"
#include "analytics/gatewaymetrics.h"
#include "analytics/jsonlineswriter.h"
#include "analytics/logintegrity.h"
#include "analytics/logretention.h"
#include "analytics/messagelogstore.h"
#include "analytics/metricshistory.h"
#include "asyncapi/asyncapireader.h"
#include "credentials/credentialinfo.h"
#include "credentials/secretstore.h"
#include "credentials/sqlitecredentialregistry.h"
#include "gateway/gateway.h"
#include "gateway/gatewayeventsink.h"
#include "gateway/router.h"
#include "mock/mockconfig.h"
#include "mock/mockserver.h"
#include "policy/policyfactory.h"
#include "runtime/adminserver.h"

#include <QDateTime>
#include <QFileInfo>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <array>
#include <vector>

namespace Gatehouse {

namespace {

Policies::CredentialVerifier makeVerifier(const Credentials::CredentialRegistry *registry)
{
    return [registry](const QString &secret, const Api &api) {
        std::shared_ptr<const Credentials::CredentialSnapshot> snapshot; // (what r points into)
        const auto r = registry->verify(secret, api.title, api.version, &snapshot);
        if (r.ok()) {
            Gateway::ConnectionIdentity identity;
            identity.applicationId = r.application->id;
            identity.applicationName = r.application->name;
            identity.plan = r.subscription->plan.name;
            identity.scopes = r.scopes();
            identity.credentialId = r.credential->id;
            identity.credentialKind = Credentials::credentialTypeName(r.credential->type);
            return Policies::CredentialCheck::ok(std::move(identity), r.subscription->plan);
        }
        return Policies::CredentialCheck::fail(
            Credentials::AuthResult::httpStatusOf(r.status) == 403
                ? Policies::CredentialCheck::Outcome::Forbidden
                : Policies::CredentialCheck::Outcome::Unauthenticated,
            r.reason);
    };
}

} // namespace

struct GatewayRuntime::Loaded
{
    QList<Api> apis;
    QStringList files; // absolute
    QStringList problems; // the errors of the documents that cannot be served
    QHash<QString, Analytics::AlertThresholds> alerts; // x-gatehouse.alerts by API key
};

// What a run holds besides the gateway and the registry.
struct GatewayRuntime::Parts
{
    std::shared_ptr<Policies::PolicyFactory> factory;
    std::shared_ptr<Analytics::MessageLogStore> logStore;
    std::unique_ptr<Analytics::LogIntegrityCheck> integrity; // of logStore's file, once
    std::unique_ptr<Analytics::LogRetentionRunner> retention;
    std::shared_ptr<Analytics::AsyncEventSink> logFile;
    std::vector<std::unique_ptr<MockServer>> mocks;
    // What checkLogs() saw of each log at its last look
    struct LogHealth
    {
        qint64 failed = 0;
        qint64 dropped = 0;
        qint64 reportedFailed = 0;
        qint64 lastReportMs = 0;
        bool failing = false;
    };
    std::array<LogHealth, 2> logHealth; // the message log, the JSON Lines log
    std::unique_ptr<QTimer> logWatch;
    // What checkRefusals() saw and said of the descriptor-limit refusals
    quint64 refusalsCounted = 0;
    quint64 refusalsReported = 0;
    qint64 refusalsReportedMs = 0;
    std::unique_ptr<QTimer> refusalWatch;
    std::unique_ptr<QTimer> historyTimer; // writeHistory() once a minute
    Analytics::AlertMonitor alertMonitor;
    QHash<QString, Analytics::AlertThresholds> documentAlerts;
    std::unique_ptr<QTimer> alertTimer; // checkAlerts()
};

GatewayRuntime::GatewayRuntime(QObject *parent)
    : QObject(parent)
{ }

GatewayRuntime::~GatewayRuntime()
{
    teardown();
    if (m_metricsSink)
        m_metricsSink->stop();
}

void GatewayRuntime::setSettings(const Settings &settings)
{
    m_settings = settings;
}

void GatewayRuntime::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

bool GatewayRuntime::fail(const QString &error)
{
    m_error = error;
    Q_EMIT reported(ReportKind::Error, error);
    teardown();
    setState(State::Failed);
    return false;
}

bool GatewayRuntime::load(const QStringList &files, Loaded *loaded, bool reportDiagnostics)
{
    QStringList refused;
    for (const QString &file : files) {
        ReadResult result = AsyncApiReader::readFile(file);
        for (const Diagnostic &d : std::as_const(result.diagnostics)) {
            if (d.severity != Diagnostic::Severity::Error)
                continue;
            loaded->problems.append(d.toString());
            if (reportDiagnostics)
                Q_EMIT reported(ReportKind::Diagnostic, d.toString());
        }
        if (!result.ok() || !result.api) {
            refused.append(file);
            if (result.diagnostics.isEmpty())
                loaded->problems.append(file + QStringLiteral(": cannot be read"));
            continue;
        }
        Analytics::AlertThresholds alerts;
        QString why;
        const Json &raw = result.api->gatehouse.raw;
        if (!Analytics::AlertThresholds::fromJson(
                raw.is_object() ? raw.value("alerts", Json()) : Json(), &alerts, &why)) {
            refused.append(file);
            loaded->problems.append(QStringLiteral("%1: %2").arg(file, why));
            if (reportDiagnostics)
                Q_EMIT reported(ReportKind::Diagnostic, loaded->problems.constLast());
            continue;
        }
        if (alerts.any())
            loaded->alerts.insert(Gateway::Router::apiPath(*result.api), alerts);
        loaded->apis.append(*result.api);
        loaded->files.append(QFileInfo(file).absoluteFilePath());
    }
    if (refused.isEmpty())
        return true;
    m_error = QStringLiteral("%1: cannot be served (errors above)").arg(refused.join(u", "));
    return false;
}

bool GatewayRuntime::start(const QStringList &files)
{
    if (m_state == State::Starting || m_state == State::Running || m_state == State::Stopping) {
        m_error = QStringLiteral("already running; stop it first");
        return false;
    }
    teardown();
    m_error.clear();
    m_files = files;
    setState(State::Starting);

    Loaded loaded;
    if (!load(files, &loaded))
        return fail(m_error);

    m_plan = Gateway::ListenerPlan();
    m_plan.wsOverride = m_settings.listen;
    m_plan.wssOverride = m_settings.tlsListen;
    QString error;
    if (!m_plan.build(loaded.apis, loaded.files, &error))
        return fail(error);
    for (const QString &warning : m_plan.warnings())
        Q_EMIT reported(ReportKind::Warning, warning);

    // Credentials: the registry answers the authenticate policy; its changes close
    // connections that lost their right to be open.
    m_registry = std::make_unique<Credentials::SqliteCredentialRegistry>();
    QString registryPath = m_settings.registryPath;
    if (registryPath.isEmpty())
        registryPath = qEnvironmentVariable("GATEHOUSE_DB");
    if (registryPath.isEmpty())
        registryPath = Credentials::SqliteCredentialRegistry::defaultDatabasePath();
    if (!m_registry->open(registryPath, &error))
        return fail(error);
    m_registry->startWatching();
    // The JWT signing key: GATEHOUSE_SIGNING_KEY, else the secret store, read in the
    // background and again when the first JWT appears later.
    m_registry->setSigningKeySource(m_settings.secrets.get());

    m_parts = std::make_unique<Parts>();
    Policies::PolicyFactory::Options factoryOptions;
    factoryOptions.verifier = makeVerifier(m_registry.get());
    m_parts->factory = std::make_shared<Policies::PolicyFactory>(factoryOptions);
    QStringList problems;
    for (const Api &api : std::as_const(loaded.apis))
        for (const QString &problem : m_parts->factory->check(api))
            problems.append(api.title + QStringLiteral(": ") + problem);
    if (!problems.isEmpty()) {
        for (qsizetype i = 0; i + 1 < problems.size(); ++i)
            Q_EMIT reported(ReportKind::Error, problems.at(i));
        return fail(problems.constLast());
    }

    m_gateway = std::make_unique<Gateway::Gateway>();
    m_gateway->setOptions(m_settings.options);
    m_gateway->setPolicyProvider(m_parts->factory);
    m_gateway->setPayloadLogGrants(m_payloadLogGrants);
    m_gateway->setListenerSelector(
        [this](const Api &api, QString *why) { return m_plan.listenersFor(api, why); });

    if (!m_settings.logDatabase.isEmpty()) {
        Analytics::MessageLogStore::Options o;
        o.path = m_settings.logDatabase;
        o.payloadFilter = m_parts->factory->payloadFilter(); // masking, on the writer thread
        m_parts->logStore = std::make_shared<Analytics::MessageLogStore>(o);
        if (m_parts->logStore->open(&error)) {
            m_gateway->addEventSink(m_parts->logStore);
            // damage deep in the file does not show on opening: looked for meanwhile
            m_parts->integrity = std::make_unique<Analytics::LogIntegrityCheck>(o.path);
            connect(m_parts->integrity.get(), &Analytics::LogIntegrityCheck::finished, this,
                    [this, path = o.path](const Analytics::LogIntegrity::Result &result) {
                        if (result.damaged())
                            Q_EMIT reported(
                                ReportKind::Warning,
                                QStringLiteral("message log %1: %2")
                                    .arg(path, Analytics::LogIntegrity::describe(result)));
                    });
            m_parts->integrity->start();
            if (m_settings.logMaxAgeMs > 0 || m_settings.logMaxBytes > 0
                || m_settings.historyMaxAgeMs > 0) {
                Analytics::LogRetention::Options r;
                r.maxAgeMs = m_settings.logMaxAgeMs;
                r.maxBytes = m_settings.logMaxBytes;
                r.historyMaxAgeMs = m_settings.historyMaxAgeMs;
                m_parts->retention = std::make_unique<Analytics::LogRetentionRunner>(o.path, r);
                connect(m_parts->retention.get(), &Analytics::LogRetentionRunner::enforced, this,
                        [this](qint64 deleted, qint64 used) {
                            if (deleted > 0)
                                Q_EMIT reported(
                                    ReportKind::Info,
                                    QStringLiteral("message log: %1 old rows removed, %2 MiB in "
                                                   "use")
                                        .arg(deleted)
                                        .arg(double(used) / (1024.0 * 1024.0), 0, 'f', 1));
                        });
                connect(m_parts->retention.get(), &Analytics::LogRetentionRunner::failed, this,
                        [this](const QString &why) {
                            Q_EMIT reported(ReportKind::Warning,
                                            QStringLiteral("message log retention: %1").arg(why));
                        });
                m_parts->retention->start();
            }
        } else if (m_settings.logDatabaseOptional) {
            Q_EMIT reported(ReportKind::Warning,
                            QStringLiteral("message log %1; running without it").arg(error));
            m_parts->logStore.reset();
        } else {
            return fail(QStringLiteral("message log %1").arg(error));
        }
    }
    if (!m_settings.logFile.isEmpty()) {
        Analytics::JsonLinesWriter::Options o;
        o.path = m_settings.logFile;
        o.payloadFilter = m_parts->factory->payloadFilter();
        m_parts->logFile = std::make_shared<Analytics::AsyncEventSink>(
            std::make_unique<Analytics::JsonLinesWriter>(o));
        if (!m_parts->logFile->start(&error))
            return fail(QStringLiteral("log file %1: %2").arg(o.path, error));
        m_gateway->addEventSink(m_parts->logFile);
    }
    for (const auto &sink : std::as_const(m_settings.sinks))
        m_gateway->addEventSink(sink);
    if (m_settings.metrics) {
        // one set for every run of this runtime: counters only ever grow
        if (m_settings.sharedMetrics && m_metrics != m_settings.sharedMetrics) {
            if (m_metricsSink)
                m_metricsSink->stop();
            m_metricsSink.reset();
            m_metrics = m_settings.sharedMetrics;
        }
        if (!m_metrics) {
            Analytics::GatewayMetrics::Options o;
            o.applicationLabel = m_settings.metricsPerApplication;
            m_metrics = std::make_shared<Analytics::GatewayMetrics>(o);
        }
        if (!m_metricsSink) {
            m_metricsSink = Analytics::GatewayMetrics::makeSink(m_metrics);
            if (!m_metricsSink->start(&error))
                return fail(QStringLiteral("metrics: %1").arg(error));
        }
        m_gateway->addEventSink(m_metricsSink);
        // the history: written off the relay path, here, once a minute (without a
        // database the minutes are only let go, so they never pile up)
        m_parts->historyTimer = std::make_unique<QTimer>();
        m_parts->historyTimer->setInterval(std::max(1000, m_settings.historyIntervalMs));
        connect(m_parts->historyTimer.get(), &QTimer::timeout, this,
                [this] { writeHistory(false); });
        m_parts->historyTimer->start();
        setAlerts(loaded.alerts);
        m_parts->alertTimer = std::make_unique<QTimer>();
        m_parts->alertTimer->setInterval(std::max(10, m_settings.alertIntervalMs));
        connect(m_parts->alertTimer.get(), &QTimer::timeout, this, &GatewayRuntime::checkAlerts);
        m_parts->alertTimer->start();
    }
    if (m_parts->logStore || m_parts->logFile) {
        if (m_metrics)
            m_metrics->addLogEventsNotStored(0); // the series is there from the start
        m_parts->logWatch = std::make_unique<QTimer>();
        m_parts->logWatch->setInterval(500);
        connect(m_parts->logWatch.get(), &QTimer::timeout, this, &GatewayRuntime::checkLogs);
        m_parts->logWatch->start();
    }
    if (!m_settings.adminAddress.isEmpty()) {
        if (!m_metrics)
            return fail(QStringLiteral("the admin endpoint needs metrics on"));
        m_admin = std::make_unique<AdminServer>(m_metrics,
                                                [this] { return m_state == State::Running; });
        m_admin->setRuntime(this);
        if (!m_admin->listen(m_settings.adminAddress, &error))
            return fail(error);
        Q_EMIT reported(ReportKind::Info,
                        QStringLiteral("admin endpoint %1/metrics").arg(m_admin->url()));
    }

    Gateway::Gateway *gateway = m_gateway.get();
    using Credentials::CredentialRegistry;
    connect(m_registry.get(), &CredentialRegistry::credentialRevoked, gateway,
            [gateway](const QString &credentialId) {
                gateway->closeConnections({{}, credentialId, {}, {}}, 1008,
                                          QStringLiteral("credential revoked"));
            });
    connect(m_registry.get(), &CredentialRegistry::subscriptionBlocked, gateway,
            [gateway](const QString &app, const QString &title, const QString &version) {
                gateway->closeConnections({app, {}, title, version}, 1008,
                                          QStringLiteral("subscription blocked"));
            });
    connect(m_registry.get(), &CredentialRegistry::subscriptionRemoved, gateway,
            [gateway](const QString &app, const QString &title, const QString &version) {
                gateway->closeConnections({app, {}, title, version}, 1008,
                                          QStringLiteral("subscription removed"));
            });
    connect(m_registry.get(), &CredentialRegistry::applicationDeleted, gateway,
            [gateway](const QString &app) {
                gateway->closeConnections({app, {}, {}, {}}, 1008,
                                          QStringLiteral("application deleted"));
            });
    connect(gateway, &Gateway::Gateway::stopped, this, &GatewayRuntime::handleGatewayStopped);
    connect(gateway, &Gateway::Gateway::connectionsListed, this,
            &GatewayRuntime::connectionsListed);

    // Mock backends first, so the gateway finds its backends listening.
    if (m_settings.withMocks) {
        for (const Api &api : std::as_const(loaded.apis)) {
            auto mock = std::make_unique<MockServer>(api);
            if (!m_settings.mockKind.isEmpty() && api.gatehouse.mock.is_null()) {
                const std::optional<MockConfig::Kind> kind
                    = MockConfig::kindFromString(m_settings.mockKind);
                if (!kind)
                    return fail(QStringLiteral("unknown mock kind '%1' (echo, broadcast, chat, "
                                               "examples)")
                                    .arg(m_settings.mockKind));
                mock->setKind(*kind);
            }
            for (const MockServer::Problem &problem : mock->problems())
                Q_EMIT reported(
                    ReportKind::Warning,
                    QStringLiteral("%1 mock: %2%3")
                        .arg(api.title,
                             problem.pointer.isEmpty() ? QString() : problem.pointer + u": ",
                             problem.message));
            if (!mock->listenOnEndpoint())
                return fail(QStringLiteral("%1 mock: %2").arg(api.title, mock->errorString()));
            Q_EMIT reported(ReportKind::Info,
                            QStringLiteral("mock %1 for %2 %3 listening on %4")
                                .arg(MockConfig::kindName(mock->kind()), api.title, api.version,
                                     api.gatehouse.endpoint));
            m_parts->mocks.push_back(std::move(mock));
        }
    }

    if (!m_gateway->start(m_plan.listeners(), loaded.apis))
        return fail(m_gateway->errorString());
    if (m_metrics)
        m_metrics->addDescriptorLimitRefusals(0); // the series is there from the start
    m_parts->refusalWatch = std::make_unique<QTimer>();
    m_parts->refusalWatch->setInterval(500);
    connect(m_parts->refusalWatch.get(), &QTimer::timeout, this, &GatewayRuntime::checkRefusals);
    m_parts->refusalWatch->start();
    for (const QString &warning : m_parts->factory->warnings())
        Q_EMIT reported(ReportKind::Warning, warning);
    setState(State::Running);
    probeBackends(loaded.apis);
    return true;
}

void GatewayRuntime::probeBackends(const QList<Api> &apis)
{
    // One TCP connect per backend: one that is not up yet is worth a warning (its
    // clients get 502 until it is), not a failure to start.
    QStringList seen;
    for (const Api &api : apis) {
        const QUrl endpoint(api.gatehouse.endpoint);
        const QString key = endpoint.host() + u':'
            + QString::number(endpoint.port(endpoint.scheme() == u"wss" ? 443 : 80));
        if (endpoint.host().isEmpty() || seen.contains(key))
            continue;
        seen.append(key);
        auto *probe = new QTcpSocket(this);
        auto *timer = new QTimer(probe);
        timer->setSingleShot(true);
        const QString title = api.title;
        const QString url = api.gatehouse.endpoint;
        auto warn = [this, probe, timer, title, url](const QString &why) {
            probe->disconnect(); // once
            timer->stop();
            if (m_state == State::Running)
                Q_EMIT reported(ReportKind::Warning,
                                QStringLiteral("%1: backend %2 %3; clients get 502 until it "
                                               "is up")
                                    .arg(title, url, why));
            probe->deleteLater();
        };
        connect(probe, &QTcpSocket::connected, probe, [probe] {
            probe->abort();
            probe->deleteLater();
        });
        connect(probe, &QAbstractSocket::errorOccurred, probe, [probe, warn] {
            warn(probe->error() == QAbstractSocket::ConnectionRefusedError
                     ? QStringLiteral("refused the connection")
                     : QStringLiteral("cannot be reached: ") + probe->errorString());
        });
        connect(timer, &QTimer::timeout, probe, [probe, warn] {
            probe->abort();
            warn(QStringLiteral("did not answer within 5 s"));
        });
        timer->start(5000);
        probe->connectToHost(endpoint.host(),
                             quint16(endpoint.port(endpoint.scheme() == u"wss" ? 443 : 80)));
    }
}

void GatewayRuntime::checkLogs()
{
    // A log that cannot be written (a full disk, an I/O error) does not stop the
    // relay: its events are counted as not stored (the metric) and said in a line
    // when it starts failing, every 10 s while it goes on, and once when it works
    // again. (A queue overflow is said by the sink itself, and counted here.)
    if (!m_parts)
        return;
    const std::array<std::pair<Analytics::AsyncEventSink *, QString>, 2> logs {
        std::pair {m_parts->logStore ? m_parts->logStore->sink() : nullptr,
                   QStringLiteral("message log")},
        std::pair {m_parts->logFile.get(), QStringLiteral("log file")}};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (size_t i = 0; i < logs.size(); ++i) {
        Analytics::AsyncEventSink *sink = logs[i].first;
        if (!sink)
            continue;
        Parts::LogHealth &h = m_parts->logHealth[i];
        const qint64 failed = sink->failedEvents();
        const qint64 dropped = sink->droppedEvents();
        if (m_metrics && failed + dropped > h.failed + h.dropped)
            m_metrics->addLogEventsNotStored(failed + dropped - h.failed - h.dropped);
        if (failed > h.failed) {
            if (!h.failing || now - h.lastReportMs >= 10000) {
                Q_EMIT reported(ReportKind::Warning,
                                QStringLiteral("%1: %2 events not stored (%3 in all): %4")
                                    .arg(logs[i].second)
                                    .arg(failed - h.reportedFailed)
                                    .arg(failed + dropped)
                                    .arg(sink->lastError()));
                h.reportedFailed = failed;
                h.lastReportMs = now;
            }
            h.failing = true;
        }
        if (h.failing && !sink->lastWriteFailed()) {
            Q_EMIT reported(ReportKind::Info,
                            QStringLiteral("%1: storing events again (%2 events not stored in "
                                           "all)")
                                .arg(logs[i].second)
                                .arg(failed + dropped));
            h.failing = false;
        }
        h.failed = failed;
        h.dropped = dropped;
    }
}

void GatewayRuntime::checkRefusals()
{
    // Out of descriptors the listeners refuse connections (503) instead of leaving
    // them in the backlog: counted in the metrics, and said in a line when it starts
    // and every 10 s while it goes on.
    if (!m_parts || !m_gateway)
        return;
    const quint64 refused = m_gateway->descriptorLimitRefusals();
    if (refused == m_parts->refusalsCounted)
        return;
    if (m_metrics)
        m_metrics->addDescriptorLimitRefusals(qint64(refused - m_parts->refusalsCounted));
    m_parts->refusalsCounted = refused;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_parts->refusalsReportedMs >= 10000) {
        Q_EMIT reported(ReportKind::Warning,
                        QStringLiteral("%1 connection(s) refused: no file descriptor left (%2 "
                                       "in all; the limit is ulimit -n)")
                            .arg(refused - m_parts->refusalsReported)
                            .arg(refused));
        m_parts->refusalsReported = refused;
        m_parts->refusalsReportedMs = now;
    }
}

bool GatewayRuntime::reload()
{
    if (m_state != State::Running || !m_gateway) {
        m_error = QStringLiteral("not running");
        return false;
    }
    // A reload is reported in one line, whatever the number of problems: the first
    // says what and where (file:line:column), the rest are counted.
    Loaded again;
    const bool read = load(m_files, &again, false);
    if (!read || !m_gateway->reload(again.apis)) {
        QString why = m_gateway->errorString();
        if (!read) {
            why = again.problems.value(0, m_error);
            if (again.problems.size() > 1)
                why += QStringLiteral(" (and %1 more error(s))").arg(again.problems.size() - 1);
        }
        m_error = QStringLiteral("reload failed: %1; still serving the previous documents")
                      .arg(why.simplified());
        Q_EMIT reported(ReportKind::Error, m_error);
        return false;
    }
    setAlerts(again.alerts);
    Q_EMIT reloaded(int(again.apis.size()));
    return true;
}

void GatewayRuntime::setAlerts(const QHash<QString, Analytics::AlertThresholds> &fromDocuments)
{
    if (!m_parts)
        return;
    m_parts->documentAlerts = fromDocuments;
    QHash<QString, Analytics::AlertThresholds> all = fromDocuments;
    // the settings' thresholds replace the document's measure by measure
    for (auto it = m_settings.alerts.cbegin(); it != m_settings.alerts.cend(); ++it) {
        Analytics::AlertThresholds &t = all[it.key()];
        const Analytics::AlertThresholds &o = it.value();
        if (o.rejectedPerSecond > 0)
            t.rejectedPerSecond = o.rejectedPerSecond;
        if (o.throttledPerSecond > 0)
            t.throttledPerSecond = o.throttledPerSecond;
        if (o.relayP99Us > 0)
            t.relayP99Us = o.relayP99Us;
        if (o.openConnections > 0)
            t.openConnections = o.openConnections;
    }
    m_parts->alertMonitor.setThresholds(all);
}

void GatewayRuntime::setAlertThresholds(
    const QHash<QString, Analytics::AlertThresholds> &thresholds)
{
    m_settings.alerts = thresholds;
    if (m_parts)
        setAlerts(m_parts->documentAlerts);
}

void GatewayRuntime::checkAlerts()
{
    if (!m_metrics || !m_parts)
        return;
    const QList<Analytics::AlertMonitor::Alert> alerts = m_parts->alertMonitor.evaluate(
        m_metrics->apiTotals(), QDateTime::currentMSecsSinceEpoch());
    QList<Analytics::MetricsHistory::AlertMark> marks;
    for (const Analytics::AlertMonitor::Alert &a : alerts) {
        const QString text = a.text();
        Q_EMIT reported(a.raised ? ReportKind::Warning : ReportKind::Info, text);
        Q_EMIT alerted(a.timeMs, a.api, a.raised, text, int(a.measure));
        marks.append({a.timeMs, a.api, int(a.measure), a.raised, text});
    }
    // kept beside the history, so that the charts of a later start are marked too
    QString error;
    if (!marks.isEmpty() && m_parts->logStore
        && !Analytics::MetricsHistory::writeAlerts(m_parts->logStore->path(), marks, &error))
        Q_EMIT reported(ReportKind::Warning, QStringLiteral("alerts %1").arg(error));
}

void GatewayRuntime::listConnections()
{
    if (m_state == State::Running && m_gateway)
        m_gateway->listConnections();
}

void GatewayRuntime::closeConnections(const QList<quint64> &ids, quint16 code,
                                      const QString &reason)
{
    if (m_state != State::Running || !m_gateway || ids.isEmpty())
        return;
    Gateway::ConnectionFilter filter;
    filter.connectionIds = ids;
    m_gateway->closeConnections(filter, code, reason);
}

void GatewayRuntime::stop()
{
    if (!m_gateway || !m_gateway->isRunning()) {
        const bool wasRunning = m_state == State::Running || m_state == State::Stopping;
        teardown();
        setState(State::Stopped);
        if (wasRunning)
            Q_EMIT stopped(0);
        return;
    }
    setState(State::Stopping);
    m_gateway->stop();
}

void GatewayRuntime::handleGatewayStopped(int closed)
{
    // (inside the gateway's signal: it is deleted at the next start or with this)
    releaseParts();
    setState(State::Stopped);
    Q_EMIT stopped(closed);
}

void GatewayRuntime::teardown()
{
    // the gateway first: no more events for the logs, no more connections to mocks
    m_gateway.reset();
    releaseParts();
}

quint64 GatewayRuntime::grantPayloadLogging(const QString &api, const QString &channel,
                                            const QString &application,
                                            std::chrono::milliseconds duration, QString *error,
                                            int sample)
{
    auto failed = [error](const QString &why) {
        if (error)
            *error = QStringLiteral("payload logging: %1").arg(why);
        return quint64(0);
    };
    if (m_state != State::Running || !m_gateway)
        return failed(QStringLiteral("the gateway is not running"));
    if (!m_parts || (!m_parts->logStore && !m_parts->logFile))
        return failed(QStringLiteral("the gateway keeps no message log (--log-db or --log-file)"));
    const QHash<QString, QStringList> servedChannels = m_gateway->servedChannels();
    const auto served = servedChannels.constFind(api);
    if (served == servedChannels.cend()) {
        QStringList apis = servedChannels.keys();
        apis.sort();
        return failed(QStringLiteral("API '%1' is not served (served: %2)")
                          .arg(api, apis.join(QStringLiteral(", "))));
    }
    if (!channel.isEmpty() && !served->contains(channel))
        return failed(QStringLiteral("API %1 has no channel '%2' (channels: %3)")
                          .arg(api, channel, served->join(QStringLiteral(", "))));
    if (duration.count() <= 0)
        return failed(QStringLiteral("the duration must be more than 0"));
    if (sample < 1)
        return failed(QStringLiteral("the sample must be 1 (every message) or more"));
    const quint64 id = m_payloadLogGrants->grant(api, channel, application, duration, sample);
    Gateway::PayloadLogGrants::Grant granted;
    for (const auto &g : m_payloadLogGrants->active())
        if (g.id == id)
            granted = g;
    // a grant this one replaces ends with it: its own end is not reported
    for (quint64 earlier : std::as_const(m_grantTargets).keys(granted.describe()))
        m_endedGrants.insert(earlier);
    m_grantTargets.insert(id, granted.describe());
    Q_EMIT reported(ReportKind::Info,
                    QStringLiteral("payload logging on for %1%2 until %3")
                        .arg(granted.describe(), granted.sampleText(),
                             QDateTime::fromMSecsSinceEpoch(granted.untilMs)
                                 .toString(QStringLiteral("HH:mm:ss"))));
    Q_EMIT payloadLoggingChanged();
    // says when it ran out (unless it was ended early or replaced by then)
    // (precise: a coarse timer may fire up to 5 % early, before the grant ended)
    QTimer::singleShot(
        duration + std::chrono::milliseconds(5), Qt::PreciseTimer, this, [this, granted] {
            for (const auto &g : m_payloadLogGrants->active())
                if (g.id == granted.id || g.describe() == granted.describe())
                    return;
            m_grantTargets.remove(granted.id);
            if (!m_endedGrants.remove(granted.id)) {
                Q_EMIT reported(
                    ReportKind::Info,
                    QStringLiteral("payload logging ended for %1").arg(granted.describe()));
                Q_EMIT payloadLoggingChanged();
            }
        });
    return id;
}

bool GatewayRuntime::endPayloadLogging(quint64 id)
{
    QString what;
    for (const auto &g : m_payloadLogGrants->active())
        if (g.id == id)
            what = g.describe();
    if (!m_payloadLogGrants->revoke(id))
        return false;
    m_endedGrants.insert(id);
    Q_EMIT reported(ReportKind::Info, QStringLiteral("payload logging ended for %1").arg(what));
    Q_EMIT payloadLoggingChanged();
    return true;
}

QString GatewayRuntime::adminUrl() const
{
    return m_admin ? m_admin->url() : QString();
}

void GatewayRuntime::writeHistory(bool all)
{
    if (!m_metrics || !m_parts || !m_parts->historyTimer)
        return;
    if (all && m_metricsSink)
        m_metricsSink->flush(); // what the gateway said last counts too
    const QList<Analytics::GatewayMetrics::Minute> rows
        = m_metrics->takeMinutes(QDateTime::currentMSecsSinceEpoch(), all);
    if (!m_parts->logStore || rows.isEmpty())
        return;
    QString error;
    if (!Analytics::MetricsHistory::write(m_parts->logStore->path(), rows, &error))
        Q_EMIT reported(ReportKind::Warning, QStringLiteral("metrics history %1").arg(error));
}

void GatewayRuntime::releaseParts()
{
    m_admin.reset();
    writeHistory(true);
    if (m_parts) {
        if (m_parts->logStore)
            m_parts->logStore->close();
        if (m_parts->logFile)
            m_parts->logFile->stop();
        m_parts.reset();
    }
    m_registry.reset();
}

QStringList GatewayRuntime::listenUrls() const
{
    QStringList urls;
    if (m_gateway)
        for (const Gateway::ListenerConfig &l : m_gateway->listeners())
            urls.append(l.toString());
    return urls;
}

QStringList GatewayRuntime::describeListeners() const
{
    QStringList lines;
    if (!m_gateway)
        return lines;
    const QList<Gateway::ListenerConfig> listeners = m_gateway->listeners();
    const QStringList all = m_gateway->servedApis();
    bool same = true;
    for (qsizetype i = 0; i < listeners.size(); ++i)
        same = same && m_gateway->servedApis(int(i)) == all;
    for (qsizetype i = 0; i < listeners.size(); ++i) {
        lines.append(QStringLiteral("listening on ") + listeners.at(i).toString());
        if (!same)
            for (const QString &line : m_gateway->servedApis(int(i)))
                lines.append(QStringLiteral("  serving ") + line);
    }
    if (same)
        for (const QString &line : all)
            lines.append(QStringLiteral("serving ") + line);
    return lines;
}

} // namespace Gatehouse
