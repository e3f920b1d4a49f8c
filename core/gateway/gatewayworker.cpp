// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewayworker.h"

#include "gateway/gateway.h"
#include "gateway/gatewaysession.h"

#include <QSslSocket>
#include <QTimer>

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace Gatehouse::Gateway {

namespace {

// Memory of connections that closed goes back to the system: what glibc's arenas
// keep free between live chunks stays resident otherwise (it returns only the top
// of a heap by itself), and buffers of stalled or busy connections leave many such
// pages behind (tst_gateway_faults stalledReaders; bench/README.md).
constexpr int TrimDelayMs = 1000;

void giveBackFreedMemory()
{
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

} // namespace

GatewayWorker::GatewayWorker(std::shared_ptr<GatewayShared> shared)
    : m_shared(std::move(shared))
    , m_flushTimer(new QTimer(this))
    , m_stopTimer(new QTimer(this))
    , m_trimTimer(new QTimer(this))
    , m_reap(this, [this] { reapSessions(); })
{
    // once a second at most, a second after connections began to close (not
    // postponed by more closes, so that a steady churn is trimmed too)
    m_trimTimer->setInterval(TrimDelayMs);
    m_trimTimer->setSingleShot(true);
    connect(m_trimTimer, &QTimer::timeout, this, &giveBackFreedMemory);
    m_flushTimer->setInterval(m_shared->options.eventFlushIntervalMs);
    m_flushTimer->setSingleShot(true);
    connect(m_flushTimer, &QTimer::timeout, this, &GatewayWorker::flushEvents);
    m_stopTimer->setSingleShot(true);
    connect(m_stopTimer, &QTimer::timeout, this, [this] {
        // peers that do not finish the close handshake in time are dropped
        for (GatewaySession *s : QSet<GatewaySession *>(m_sessions))
            s->abortNow();
        checkDrained();
    });
}

GatewayWorker::~GatewayWorker()
{
    stopListening();
    abortAll();
    reapSessions(); // the finished ones not yet deleted
    flushEvents();
}

void GatewayWorker::startListening(const std::vector<int> &descriptors,
                                   std::atomic<quint64> *refusals)
{
    m_refusals = refusals;
    for (size_t i = 0; i < descriptors.size(); ++i) {
        const int listenerIndex = int(i);
        auto *listener = new GatewayListener(
            descriptors[i],
            [this, listenerIndex](const AcceptedConnection &connection) {
                handleConnection(connection, listenerIndex);
            },
            this);
        listener->setRefusalCounter(refusals);
        listener->startAccepting();
        m_listeners.push_back(listener);
    }
}

void GatewayWorker::stopListening()
{
    for (GatewayListener *listener : std::exchange(m_listeners, {}))
        delete listener;
}

void GatewayWorker::handleConnection(const AcceptedConnection &connection, int listenerIndex)
{
    const qintptr descriptor = connection.descriptor;
    if (m_stopping) {
        ::close(int(descriptor));
        return;
    }
    const bool secure = m_shared->listeners.value(listenerIndex).tls;
    GatewaySession *session = nullptr;
    QSslSocket *ssl = nullptr;
    if (secure) {
        ssl = new QSslSocket;
        ssl->setSslConfiguration(m_shared->tls.value(listenerIndex));
        if (!ssl->setSocketDescriptor(descriptor)) {
            delete ssl;
            ::close(int(descriptor));
            return;
        }
        const quint64 id = m_shared->nextConnectionId.fetch_add(1, std::memory_order_relaxed);
        session = new GatewaySession(id, ssl, m_shared, this);
    } else {
        // plain TCP: the handshake runs on the bare descriptor (no socket object)
        const quint64 id = m_shared->nextConnectionId.fetch_add(1, std::memory_order_relaxed);
        session = new GatewaySession(id, connection, m_shared, this);
    }
    m_sessions.insert(session);
    m_listenerOf.insert(session, listenerIndex);
    if (ssl)
        ssl->startServerEncryption();
    session->start();
}

void GatewayWorker::handleSessionFinished(GatewaySession *session)
{
    if (!m_sessions.remove(session))
        return;
    m_listenerOf.remove(session);
    // not now: this runs inside the session's own calls
    m_finished.push_back(session);
    m_reap.schedule();
    if (!m_trimTimer->isActive())
        m_trimTimer->start();
    checkDrained();
}

void GatewayWorker::closeAll(quint16 code, const QString &reason)
{
    m_stopping = true;
    for (GatewaySession *s : QSet<GatewaySession *>(m_sessions)) {
        if (s->isOpen())
            ++m_closedOnStop;
        s->shutdown(code, reason);
    }
    m_stopTimer->start(m_shared->options.closeTimeoutMs + 500);
    checkDrained();
}

void GatewayWorker::closeMatching(const ConnectionFilter &filter, quint16 code,
                                  const QString &reason)
{
    auto matches
        = [](const QString &want, const QString &have) { return want.isEmpty() || want == have; };
    for (GatewaySession *s : QSet<GatewaySession *>(m_sessions)) {
        if (!s->isOpen())
            continue;
        const ConnectionContext &c = s->context();
        const Api *api = c.route.api.get();
        if (matches(filter.applicationId, c.identity.applicationId)
            && matches(filter.credentialId, c.identity.credentialId)
            && matches(filter.apiTitle, api ? api->title : QString())
            && matches(filter.apiVersion, api ? api->version : QString())
            && (filter.connectionIds.isEmpty() || filter.connectionIds.contains(c.connectionId)))
            s->shutdown(code, reason);
    }
}

QList<ConnectionSnapshot> GatewayWorker::snapshot() const
{
    QList<ConnectionSnapshot> list;
    for (const GatewaySession *s : m_sessions) {
        ConnectionSnapshot snap;
        if (s->snapshot(&snap))
            list.append(std::move(snap));
    }
    return list;
}

void GatewayWorker::abortAll()
{
    m_stopping = true;
    for (GatewaySession *s : QSet<GatewaySession *>(m_sessions))
        s->abortNow();
    qDeleteAll(m_sessions);
    m_sessions.clear();
    m_listenerOf.clear();
}

void GatewayWorker::reapSessions()
{
    const std::vector<GatewaySession *> finished = std::exchange(m_finished, {});
    for (GatewaySession *session : finished)
        delete session;
    if (m_finished.capacity() < finished.capacity()) // keep the room for the next ones
        m_finished.reserve(finished.capacity());
}

void GatewayWorker::checkDrained()
{
    if (!m_stopping || !m_sessions.isEmpty() || m_closedOnStop < 0)
        return;
    m_stopTimer->stop();
    flushEvents();
    const int closed = m_closedOnStop;
    m_closedOnStop = -1; // report once
    emit drained(closed);
}

void GatewayWorker::record(GatewayEvent &&event)
{
    if (m_shared->sinks.isEmpty())
        return;
    m_events.append(std::move(event));
    eventAppended();
}

void GatewayWorker::eventAppended()
{
    const qsizetype n = m_events.size();
    if (n >= m_shared->options.eventBatchSize)
        flushEvents();
    else if (n == 1 && !m_flushTimer->isActive()) // the first of a batch (or a run before
        m_flushTimer->start(); //                     it): it waits flushInterval at most
}

void GatewayWorker::runStarted(GatewaySession *session)
{
    m_runSessions.append(session);
    if (m_events.isEmpty() && !m_flushTimer->isActive()) // its first message waits that long
        m_flushTimer->start();
}

void GatewayWorker::runForgotten(GatewaySession *session)
{
    m_runSessions.removeOne(session);
}

void GatewayWorker::flushEvents()
{
    // the sessions' runs go with the batch (appended without flushing again)
    GatewayEvent run;
    for (GatewaySession *session : std::exchange(m_runSessions, {})) {
        if (session->takeRun(&run))
            m_events.append(std::move(run));
    }
    if (m_events.isEmpty())
        return;
    const QList<GatewayEvent> batch = std::exchange(m_events, {});
    m_events.reserve(
        qMin(batch.size(), qsizetype(m_shared->options.eventBatchSize))); // no regrowth
    for (const auto &sink : m_shared->sinks)
        sink->consume(batch);
}

} // namespace Gatehouse::Gateway
