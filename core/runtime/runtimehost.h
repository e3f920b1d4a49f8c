// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "runtime/gatewayruntime.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>

#include <memory>

namespace Gatehouse {

class EventLineSink;

// A GatewayRuntime in a thread of its own, for a caller whose thread must never wait
// (the desktop app's GUI thread): reading documents, opening the registry and the
// logs, binding ports and stopping all happen there; the caller gets the outcome as
// queued signals and reads the last known state without locking.
class RuntimeHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RuntimeHost)

public:
    explicit RuntimeHost(QObject *parent = nullptr);
    ~RuntimeHost() override; // drops what is still open and joins the thread

    // Asynchronous: stateChanged() and reported() tell what happened. `settings.sinks`
    // gets eventLines() added.
    void start(const QStringList &files, GatewayRuntime::Settings settings);
    void reload();
    void stop(); // connections are closed with 1001; stopped() follows
    void listConnections(); // connectionsListed() follows while running
    void closeConnections(const QList<quint64> &ids, quint16 code, const QString &reason);
    // Alert thresholds by API key over the documents' own (GatewayRuntime::Settings::
    // alerts), for this run and the next ones; alerted() tells of crossings.
    void setAlertThresholds(const QHash<QString, Analytics::AlertThresholds> &thresholds);
    // GatewayRuntime::grantPayloadLogging / endPayloadLogging in the runtime's thread;
    // payloadLoggingChanged() follows, or a reported() warning saying why not.
    void grantPayloadLogging(const QString &api, const QString &channel, const QString &application,
                             std::chrono::milliseconds duration, int sample = 1);
    void endPayloadLogging(quint64 id);
    // The payload logging grants as last reported (some may have ended since).
    QList<Gateway::PayloadLogGrants::Grant> payloadLogGrants() const { return m_grants; }

    GatewayRuntime::State state() const { return m_state; }
    bool isActive() const; // starting, running or stopping
    QStringList files() const { return m_files; }
    QStringList listenUrls() const { return m_urls; }
    QStringList describeListeners() const { return m_description; }
    QString errorString() const { return m_error; }
    // Connection events as lines, to take a few times a second.
    std::shared_ptr<EventLineSink> eventLines() const { return m_lines; }
    // What every run of this host counted (connections, messages, latencies); read it
    // from any thread.
    std::shared_ptr<Analytics::GatewayMetrics> metrics() const { return m_metrics; }

Q_SIGNALS:
    void stateChanged(Gatehouse::GatewayRuntime::State state);
    void reported(Gatehouse::GatewayRuntime::ReportKind kind, const QString &line);
    void reloaded(int apis);
    void stopped(int closedConnections);
    void connectionsListed(const QList<Gatehouse::Gateway::ConnectionSnapshot> &connections);
    void alerted(qint64 timeMs, const QString &api, bool raised, const QString &text, int measure);
    void payloadLoggingChanged();

private:
    void handleState(GatewayRuntime::State state, const QStringList &urls,
                     const QStringList &description, const QString &error);

    QThread m_thread;
    GatewayRuntime *m_runtime = nullptr; // lives in m_thread
    std::shared_ptr<EventLineSink> m_lines;
    std::shared_ptr<Analytics::GatewayMetrics> m_metrics;
    GatewayRuntime::State m_state = GatewayRuntime::State::Stopped;
    QStringList m_files;
    QStringList m_urls;
    QStringList m_description;
    QString m_error;
    QList<Gateway::PayloadLogGrants::Grant> m_grants;
};

} // namespace Gatehouse
