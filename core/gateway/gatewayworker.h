// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/epolleventdispatcher.h"
#include "gateway/gatewayevent.h"
#include "gateway/gatewaylistener.h"
#include "gateway/gatewayshared.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

#include <atomic>
#include <memory>
#include <vector>

class QTimer;

namespace Gatehouse::Gateway {

class GatewaySession;
struct ConnectionFilter;
struct ConnectionSnapshot;

// One gateway worker: lives in its own thread with its own event loop, accepts the
// connections of its own listening sockets (one per gateway address, shared with the
// other workers through SO_REUSEPORT), owns their sessions, and batches their events
// for the sinks.
class GatewayWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayWorker)

public:
    explicit GatewayWorker(std::shared_ptr<GatewayShared> shared);
    ~GatewayWorker() override;

    // All of these run in the worker's thread (call through QMetaObject::invokeMethod).
    // Accepts on `descriptors` (listening sockets, by listener index; taken over).
    void startListening(const std::vector<int> &descriptors, std::atomic<quint64> *refusals);
    // Closes the listening sockets (what waits in their backlogs is reset).
    void stopListening();
    // A connection refused for want of a descriptor after it was accepted (its
    // backend connection could not be made): counted with the listeners' refusals.
    void countDescriptorRefusal()
    {
        if (m_refusals)
            m_refusals->fetch_add(1, std::memory_order_relaxed);
    }
    void handleConnection(const AcceptedConnection &connection, int listenerIndex);
    // Stop: closes every connection with `code`; drained() follows once all are gone
    // (or the close timeout passed).
    void closeAll(quint16 code, const QString &reason);
    void closeMatching(const ConnectionFilter &filter, quint16 code, const QString &reason);
    QList<ConnectionSnapshot> snapshot() const;
    // Immediate teardown (destructor path): close frames flushed, sockets dropped.
    void abortAll();

    void record(GatewayEvent &&event);
    // Recording without a temporary: appendEvent() adds a copy of `from` to the batch
    // and returns it to fill in; eventAppended() must follow before the next append.
    GatewayEvent &appendEvent(const GatewayEvent &from)
    {
        m_events.append(from);
        return m_events.last();
    }
    void eventAppended();
    // A session started packing messages (GatewayEvent::Type::MessageRun): its run
    // goes with the next batch at the latest. runForgotten(): it is going away.
    void runStarted(GatewaySession *session);
    void runForgotten(GatewaySession *session);
    void flushEvents();
    // A session ended: it is deleted on the next turn of the loop.
    void handleSessionFinished(GatewaySession *session);
    // The index of the listener that accepted `session`'s connection; -1 if unknown.
    int listenerIndex(const GatewaySession *session) const
    {
        return m_listenerOf.value(session, -1);
    }

signals:
    void drained(int closedConnections);

private:
    void checkDrained();
    void reapSessions();

    std::shared_ptr<GatewayShared> m_shared;
    // Sessions are owned here, not as QObject children: a child's removal searches the
    // parent's list of every connection, and its events cost each connection twice.
    // A session lives in m_sessions, then in m_finished until reapSessions().
    QSet<GatewaySession *> m_sessions;
    QHash<const GatewaySession *, int> m_listenerOf; // listeners serve different APIs
    QList<GatewayEvent> m_events;
    QList<GatewaySession *> m_runSessions; // sessions that may have a run to hand on
    QTimer *m_flushTimer = nullptr;
    QTimer *m_stopTimer = nullptr;
    QTimer *m_trimTimer = nullptr; // gives freed memory back after connections closed
    bool m_stopping = false;
    int m_closedOnStop = 0;
    std::vector<GatewayListener *> m_listeners; // children
    std::atomic<quint64> *m_refusals = nullptr; // the gateway's, from startListening()
    std::vector<GatewaySession *> m_finished; // to delete (reapSessions())
    EpollEventDispatcher::Deferred m_reap;
};

} // namespace Gatehouse::Gateway
