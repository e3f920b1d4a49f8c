// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/alertmonitor.h"
#include "api/api.h"
#include "gateway/gateway.h"
#include "gateway/gatewayoptions.h"
#include "gateway/listenerplan.h"
#include "gateway/payloadloggrants.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>

namespace Gatehouse {
namespace Analytics {
class AsyncEventSink;
class GatewayMetrics;
} // namespace Analytics
namespace Credentials {
class SecretStore;
class SqliteCredentialRegistry;
} // namespace Credentials
class AdminServer;

// Runs a set of API documents: reads them, plans the listeners, opens the credential
// registry (its changes close connections that lost their right to be open), builds
// the policies, opens the message log and the JSON Lines log, starts the mock
// backends and the gateway, and reloads or stops all of it. The one place that wires
// a run: `gatehouse-cli serve` and the desktop app are front ends over it.
//
// Lives in one thread (the one that calls start()); the gateway's own threads do the
// relaying. What it has to say while starting (problems, warnings, what it started)
// comes as reported() lines, each one line that names what it is about.
class GatewayRuntime final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayRuntime)

public:
    enum class State { Stopped, Starting, Running, Stopping, Failed };
    Q_ENUM(State)

    enum class ReportKind {
        Diagnostic, // a document's problem, "file:line:col: error: ..."
        Error, // why the run could not start (or reload)
        Warning, // it runs, but not all as asked
        Info, // what was started, e.g. a mock backend
    };
    Q_ENUM(ReportKind)

    struct Settings
    {
        Gateway::GatewayOptions options;
        // Every API on these addresses; unset: each document's x-gatehouse listen /
        // tlsListen, else 127.0.0.1:9099.
        std::optional<Gateway::ListenerConfig> listen;
        std::optional<Gateway::ListenerConfig> tlsListen;
        // The credential registry; empty: $GATEHOUSE_DB, else gatehouse.db in the
        // user's data folder, as `gatehouse-cli apps/keys` choose it.
        QString registryPath;
        // Where JWT signing keys are read (nullptr: only GATEHOUSE_SIGNING_KEY).
        std::shared_ptr<Credentials::SecretStore> secrets;
        QString logDatabase; // message log (SQLite); empty: none
        // A message log that cannot be opened is a warning, and the run goes on without
        // it (the desktop app's own log), instead of a reason not to start (--log-db).
        bool logDatabaseOptional = false;
        // The message log is kept within these (checked in the background at start and
        // every 10 minutes); 0: no limit.
        qint64 logMaxAgeMs = 30LL * 24 * 3600 * 1000;
        qint64 logMaxBytes = 1024LL * 1024 * 1024;
        // The metrics are rolled up into one-minute rows in the message log's database
        // (MetricsHistory) every historyIntervalMs and at stop, and kept this long;
        // 0: no limit.
        qint64 historyMaxAgeMs = 30LL * 24 * 3600 * 1000;
        int historyIntervalMs = 60000;
        // Alert thresholds by API key ("/chats/1.0.0"); each measure set (> 0) replaces
        // the one of the document's x-gatehouse.alerts. Checked every alertIntervalMs.
        QHash<QString, Analytics::AlertThresholds> alerts;
        int alertIntervalMs = 1000;
        QString logFile; // JSON Lines log; empty: none
        bool withMocks = false; // also run each API's built-in mock at its endpoint
        // With withMocks: the mock kind for documents that do not name one in
        // x-gatehouse.mock (echo, broadcast, chat, examples); empty: chosen from the API.
        QString mockKind;
        QList<std::shared_ptr<Gateway::GatewayEventSink>> sinks; // more event consumers
        bool metrics = true; // count connections, messages and latencies (metrics())
        bool metricsPerApplication = false; // an application label on every series
        // Count into these (kept by the caller across runs); null: the runtime's own.
        std::shared_ptr<Analytics::GatewayMetrics> sharedMetrics;
        // Serve /metrics, /healthz and /api/stats here ("PORT" on 127.0.0.1, or
        // "HOST:PORT"); empty: not served.
        QString adminAddress;
    };

    explicit GatewayRuntime(QObject *parent = nullptr);
    ~GatewayRuntime() override; // drops what is still open; stop() first for a clean close

    void setSettings(const Settings &settings);
    const Settings &settings() const { return m_settings; }

    // Reads `files` and starts serving them. False, in state Failed with
    // errorString(), when anything the run needs could not be had; then nothing is
    // left running. A backend that is not up yet is no reason to fail: clients get
    // 502 until it is.
    bool start(const QStringList &files);
    // Reads the same documents again and serves what they say now; connections of
    // APIs whose routing did not change stay open. False (still serving the previous
    // documents) with errorString() when a document has errors or cannot be served;
    // that line, with the first error's file:line:column, is also reported() as the
    // one Error of the reload.
    bool reload();
    // Closes every connection with 1001 and stops; stopped() follows.
    void stop();

    State state() const { return m_state; }
    // Why start() or reload() failed: one line, naming the document, address or file.
    QString errorString() const { return m_error; }
    QStringList files() const { return m_files; }
    // ws:// and wss:// URLs of the listeners as bound (port 0 resolved).
    QStringList listenUrls() const;
    // One line per API served, "/chats/1.0.0  Chats 1.0.0: /notifications, ...", and
    // for several listeners which serve what (as `serve` prints them).
    QStringList describeListeners() const;
    // Open connections: connectionsListed() follows (nothing when not running).
    void listConnections();
    // Closes these open connections with `code` and `reason` (both sent to the client
    // and the backend); connectionClosed events follow as usual.
    void closeConnections(const QList<quint64> &ids, quint16 code, const QString &reason);
    // Logs the payloads of `api`'s messages ("/chats/1.0.0"; only those of `channel`'s
    // template and of `application` when given) for `duration` from now, whatever its
    // log policy says, masked and cut as that policy says; the grant ends by itself
    // (reported) and outlives a restart of this runtime. The id of the grant, or 0
    // with a one-line `error` when not running, the API or channel is not served or
    // the duration is not positive. `sample`: one message in this many of each
    // connection (PayloadLogGrants::grant).
    quint64 grantPayloadLogging(const QString &api, const QString &channel,
                                const QString &application, std::chrono::milliseconds duration,
                                QString *error = nullptr, int sample = 1);
    // Ends a grant early; false when there is no such grant (any more).
    bool endPayloadLogging(quint64 id);
    std::shared_ptr<Gateway::PayloadLogGrants> payloadLogGrants() const
    {
        return m_payloadLogGrants;
    }
    // Replaces settings().alerts, for the current run too.
    void setAlertThresholds(const QHash<QString, Analytics::AlertThresholds> &thresholds);

    // The gateway of the current (or last stopped) run; null before the first start.
    Gateway::Gateway *gateway() const { return m_gateway.get(); }
    Credentials::SqliteCredentialRegistry *registry() const { return m_registry.get(); }
    // The metrics of every run of this runtime (null with settings().metrics off).
    std::shared_ptr<Analytics::GatewayMetrics> metrics() const { return m_metrics; }
    // http://host:port of the admin endpoint while it serves; empty otherwise.
    QString adminUrl() const;

Q_SIGNALS:
    void stateChanged(Gatehouse::GatewayRuntime::State state);
    void reported(Gatehouse::GatewayRuntime::ReportKind kind, const QString &line);
    void reloaded(int apis);
    void stopped(int closedConnections);
    void connectionsListed(const QList<Gatehouse::Gateway::ConnectionSnapshot> &connections);
    // An alert threshold of `api` was crossed (raised) or is back under (cleared);
    // `text` is the line also reported (a Warning when raised, Info when cleared);
    // `measure` is which (an Analytics::AlertMonitor::Measure).
    void alerted(qint64 timeMs, const QString &api, bool raised, const QString &text, int measure);
    // A payload logging grant was made, ended early or ran out.
    void payloadLoggingChanged();

private:
    struct Loaded;
    // reportDiagnostics: each error of a document is also a reported() Diagnostic.
    bool load(const QStringList &files, Loaded *loaded, bool reportDiagnostics = true);
    bool fail(const QString &error);
    void setState(State state);
    void teardown();
    void releaseParts(); // all but the gateway
    void handleGatewayStopped(int closed);
    void probeBackends(const QList<Api> &apis);
    void checkLogs(); // events the logs could not store: counted and reported
    void checkRefusals(); // connections refused for lack of descriptors: the same
    // Writes the metrics' ended minutes (all: the current one too) to the history.
    void writeHistory(bool all);
    void setAlerts(const QHash<QString, Analytics::AlertThresholds> &fromDocuments);
    void checkAlerts();

    Settings m_settings;
    State m_state = State::Stopped;
    QString m_error;
    QStringList m_files;
    Gateway::ListenerPlan m_plan;
    struct Parts;
    std::unique_ptr<Parts> m_parts;
    std::unique_ptr<Credentials::SqliteCredentialRegistry> m_registry;
    std::unique_ptr<Gateway::Gateway> m_gateway;
    std::shared_ptr<Analytics::GatewayMetrics> m_metrics;
    std::shared_ptr<Analytics::AsyncEventSink> m_metricsSink;
    std::unique_ptr<AdminServer> m_admin;
    std::shared_ptr<Gateway::PayloadLogGrants> m_payloadLogGrants
        = std::make_shared<Gateway::PayloadLogGrants>();
    QSet<quint64> m_endedGrants; // ended early: their timers say nothing
    QHash<quint64, QString> m_grantTargets; // what each grant covers, until its timer ran
};

} // namespace Gatehouse
