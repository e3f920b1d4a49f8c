// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime/runtimehost.h"

#include "analytics/gatewaymetrics.h"
#include "credentials/secretstore.h"
#include "runtime/eventline.h"

namespace Gatehouse {

RuntimeHost::RuntimeHost(QObject *parent)
    : QObject(parent)
    , m_runtime(new GatewayRuntime)
    , m_lines(std::make_shared<EventLineSink>())
    , m_metrics(std::make_shared<Analytics::GatewayMetrics>())
{
    m_thread.setObjectName(QStringLiteral("gatehouse-runtime"));
    m_runtime->moveToThread(&m_thread);
    // In the runtime's thread: the state with what goes with it, handed over as values.
    connect(m_runtime, &GatewayRuntime::stateChanged, m_runtime,
            [this](GatewayRuntime::State state) {
                const QStringList urls = m_runtime->listenUrls();
                const QStringList description = m_runtime->describeListeners();
                const QString error = m_runtime->errorString();
                QMetaObject::invokeMethod(
                    this,
                    [this, state, urls, description, error] {
                        handleState(state, urls, description, error);
                    },
                    Qt::QueuedConnection);
            });
    connect(m_runtime, &GatewayRuntime::reported, this, &RuntimeHost::reported);
    connect(m_runtime, &GatewayRuntime::reloaded, m_runtime, [this](int apis) {
        const QStringList description = m_runtime->describeListeners();
        QMetaObject::invokeMethod(
            this,
            [this, apis, description] {
                m_description = description;
                Q_EMIT reloaded(apis);
            },
            Qt::QueuedConnection);
    });
    connect(m_runtime, &GatewayRuntime::stopped, this, &RuntimeHost::stopped);
    connect(m_runtime, &GatewayRuntime::connectionsListed, m_runtime,
            [this](const QList<Gateway::ConnectionSnapshot> &connections) {
                QMetaObject::invokeMethod(
                    this, [this, connections] { Q_EMIT connectionsListed(connections); },
                    Qt::QueuedConnection);
            });
    connect(
        m_runtime, &GatewayRuntime::alerted, m_runtime,
        [this](qint64 timeMs, const QString &api, bool raised, const QString &text, int measure) {
            QMetaObject::invokeMethod(
                this, [=, this] { Q_EMIT alerted(timeMs, api, raised, text, measure); },
                Qt::QueuedConnection);
        });
    connect(m_runtime, &GatewayRuntime::payloadLoggingChanged, m_runtime, [this] {
        const QList<Gateway::PayloadLogGrants::Grant> grants
            = m_runtime->payloadLogGrants()->active();
        QMetaObject::invokeMethod(
            this,
            [this, grants] {
                m_grants = grants;
                Q_EMIT payloadLoggingChanged();
            },
            Qt::QueuedConnection);
    });
    m_thread.start();
}

RuntimeHost::~RuntimeHost()
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime] { delete runtime; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool RuntimeHost::isActive() const
{
    return m_state == GatewayRuntime::State::Starting || m_state == GatewayRuntime::State::Running
        || m_state == GatewayRuntime::State::Stopping;
}

void RuntimeHost::start(const QStringList &files, GatewayRuntime::Settings settings)
{
    m_files = files;
    m_lines->takeLines(); // a new run starts a new output
    settings.sinks.append(m_lines);
    settings.sharedMetrics = m_metrics;
    // the store answers in the thread it lives in: the runtime's
    if (settings.secrets && settings.secrets->thread() != &m_thread && !settings.secrets->parent())
        settings.secrets->moveToThread(&m_thread);
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime,
        [runtime, files, settings] {
            runtime->setSettings(settings);
            runtime->start(files);
        },
        Qt::QueuedConnection);
}

void RuntimeHost::reload()
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime] { runtime->reload(); }, Qt::QueuedConnection);
}

void RuntimeHost::stop()
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime] { runtime->stop(); }, Qt::QueuedConnection);
}

void RuntimeHost::listConnections()
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime] { runtime->listConnections(); }, Qt::QueuedConnection);
}

void RuntimeHost::closeConnections(const QList<quint64> &ids, quint16 code, const QString &reason)
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime, ids, code, reason] { runtime->closeConnections(ids, code, reason); },
        Qt::QueuedConnection);
}

void RuntimeHost::setAlertThresholds(const QHash<QString, Analytics::AlertThresholds> &thresholds)
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime, thresholds] { runtime->setAlertThresholds(thresholds); },
        Qt::QueuedConnection);
}

void RuntimeHost::grantPayloadLogging(const QString &api, const QString &channel,
                                      const QString &application,
                                      std::chrono::milliseconds duration, int sample)
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime,
        [this, runtime, api, channel, application, duration, sample] {
            QString error;
            if (runtime->grantPayloadLogging(api, channel, application, duration, &error, sample)
                == 0)
                QMetaObject::invokeMethod(
                    this,
                    [this, error] { Q_EMIT reported(GatewayRuntime::ReportKind::Warning, error); },
                    Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void RuntimeHost::endPayloadLogging(quint64 id)
{
    GatewayRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime, id] { runtime->endPayloadLogging(id); }, Qt::QueuedConnection);
}

void RuntimeHost::handleState(GatewayRuntime::State state, const QStringList &urls,
                              const QStringList &description, const QString &error)
{
    m_state = state;
    m_urls = urls;
    m_description = description;
    m_error = error;
    Q_EMIT stateChanged(state);
}

} // namespace Gatehouse
