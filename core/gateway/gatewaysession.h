// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/backendconnector.h"
#include "gateway/connectioncontext.h"
#include "gateway/descriptorwatch.h"
#include "gateway/gateway.h"
#include "gateway/gatewayevent.h"
#include "gateway/gatewaylistener.h"
#include "gateway/gatewayshared.h"
#include "gateway/messagepolicy.h"
#include "gateway/payloadlogdecision.h"
#include "gateway/relayleg.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>
#include <vector>

class QTcpSocket;
class QTimer;

namespace Gatehouse::Gateway {

class GatewayWorker;

// One client connection from accept to close (DESIGN.md, "Gateway: one connection,
// step by step"): reads the upgrade request, routes it, runs the connection
// policies, connects the backend, completes the upgrade, relays messages through
// the message policies and propagates the close. Lives in its worker's thread.
class GatewaySession final
    : public QObject
    , private EpollEventDispatcher::Handler
    , private RelayLeg::Listener
    , private BackendConnector::Listener
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewaySession)

public:
    // A connection on a socket object (TLS listeners): takes ownership of `socket`.
    GatewaySession(quint64 id, QTcpSocket *socket, std::shared_ptr<GatewayShared> shared,
                   GatewayWorker *worker);
    // A plain TCP connection on its bare descriptor (owned from now on; set up by the
    // listener when `connection.prepared`, else here): the request is read and the
    // answer sent with system calls on it, and after the upgrade the client's relay
    // leg takes over the descriptor and its watch.
    GatewaySession(quint64 id, const AcceptedConnection &connection,
                   std::shared_ptr<GatewayShared> shared, GatewayWorker *worker);
    ~GatewaySession() override;

    void start();
    // Closes the connection from the gateway's side: open ones with `code` on both
    // legs, ones still in the handshake with 503.
    void shutdown(quint16 code, const QString &reason);
    void abortNow(); // stop without waiting: close frames flushed, sockets dropped

    quint64 id() const { return m_context->connectionId; }
    bool isOpen() const { return m_state == State::Open; }
    // What a view lists of this connection; false unless it is open.
    bool snapshot(ConnectionSnapshot *out) const;
    QString applicationId() const { return m_context->identity.applicationId; }
    const ConnectionContext &context() const { return *m_context; }
    // For the worker's batch: the packed messages not yet handed on (false: none);
    // the session leaves the worker's list of sessions with a run.
    bool takeRun(GatewayEvent *run);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class State { ReadingRequest, Connecting, Open, Closing, Rejected, Done };

    void descriptorReadable() override;
    void descriptorWritable() override;
    void legPingReceived(RelayLeg *leg, const QByteArray &payload) override;
    void legCloseReceived(RelayLeg *leg, quint16 code, const QString &reason) override;
    void legProtocolError(RelayLeg *leg, quint16 code, const QString &reason) override;
    void legFinished(RelayLeg *leg, bool clean) override;
    void backendConnected() override; // complete the client's upgrade, start relaying
    void backendFailed(int status, const QString &reason) override;
    void retireConnector(); // m_connector goes, deleted on the next turn

    void handleClientReadyRead();
    void processRequestBuffer();
    void handleRequest();
    // bare descriptor (plain TCP) until the upgrade
    void startBare();
    // The client's address and port in the request and as m_clientAddress.
    void setPeer(QHostAddress address, quint16 port);
    void handleClientReadable();
    qsizetype readClient(char *buffer, qsizetype size); // > 0 read; 0 nothing yet; < 0 gone
    bool flushClient(); // true when everything queued in m_out went to the kernel
    void handleClientWritable();
    void endRejection();
    void closeClient();
    bool clientConnected() const;
    void reject(int status, const QString &reason,
                const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void connectBackend();
    void handleClientGone();

    void relay(Direction direction, bool binary, const QByteArray &payload, qint64 arrivalNs);
    // `handOffNs`: when it is handed to the other leg (the event's time; latency is
    // handOffNs - arrivalNs)
    void deliver(Direction direction, bool binary, const QByteArray &payload, qint64 arrivalNs,
                 qint64 handOffNs, const QString &note = {});
    void drainDelayed(int direction);
    void scheduleDelayed(int direction);
    void updateBackpressure();
    qint64 handOffNs(qsizetype size, qint64 arrivalNs) const;
    void recordPing(Direction direction, const QByteArray &payload);
    void handleCloseReceived(Leg from, quint16 code, const QString &reason);
    void handleProtocolError(Leg from, quint16 code, const QString &reason);
    void handleLegFinished(Leg leg, bool clean);
    void closeBoth(quint16 clientCode, const QString &clientReason, quint16 backendCode,
                   const QString &backendReason);
    void checkIdle();
    void releasePolicies();
    void finish();

    GatewayEvent event(GatewayEvent::Type type) const;
    GatewayEvent event(GatewayEvent::Type type, qint64 steadyNs) const;
    void updateEventTemplate();
    // query parameters a connection policy found a credential in (never forwarded)
    QStringList credentialQuery() const;
    bool recording() const { return !m_shared->sinks.isEmpty(); }
    void record(GatewayEvent &&e);
    void packMessage(qint64 timeMs, quint8 bits, qint64 size, qint64 latencyUs);
    void flushRun(); // hands the run on to the worker's batch (before any other event)

    std::shared_ptr<GatewayShared> m_shared;
    GatewayWorker *m_worker;
    std::shared_ptr<const Router> m_router;
    const ChannelPolicies *m_policies = nullptr;
    std::vector<MessagePolicy *> m_chain; // of m_policies->message: what runs per message
    // what each relayed message reads and writes, together (a few cache lines per
    // connection while many connections take turns)
    State m_state = State::ReadingRequest;
    bool m_timeEachMessage = false; // a policy parses or rewrites payloads
    PayloadLogDecision m_payloadLog; // which payloads the log events carry
    RelayLeg *m_client = nullptr;
    RelayLeg *m_backend = nullptr;
    qint64 m_messages[2] = {0, 0};
    qint64 m_bytes[2] = {0, 0};
    bool m_pausedByBackpressure[2] = {false, false}; // [direction]: its source leg is paused
    qint64 m_delayedBytes[2] = {0, 0};
    struct Pending
    {
        qint64 dueNs;
        bool binary;
        QByteArray payload;
        qint64 arrivalNs;
        QString note;
    };
    // (a std::deque allocates even when empty: made when first needed)
    std::unique_ptr<std::deque<Pending>> m_delayed[2];
    bool hasDelayed(int d) const { return m_delayed[d] && !m_delayed[d]->empty(); }
    // the relayed messages not yet handed on, packed (GatewayEvent::Type::MessageRun)
    struct Run
    {
        QByteArray records; // the first `used` bytes are the run's
        qsizetype used = 0;
        qint64 firstTimeMs = 0;
        qint64 lastTimeMs = 0;
        int count = 0;
        bool listed = false; // in the worker's list of sessions with runs to hand on
    };
    Run m_run;

    QList<std::shared_ptr<ConnectionPolicy>> m_allowed; // to release
    QPointer<QTcpSocket> m_socket; // client socket until the upgrade (TLS)
    int m_fd = -1; // client descriptor until the upgrade (plain TCP), owned
    bool m_fdPrepared = false; // non-blocking, TCP_NODELAY, peer address known
    // of m_fd: read, and write while a rejection waits for room; goes to the client leg
    DescriptorWatch m_clientWatch;
    QByteArray m_out; // rejection not yet taken by the kernel
    qsizetype m_outOffset = 0;
    QBasicTimer m_timer; // handshake / linger / lifetime
    QBasicTimer m_idleTick; // keep-alive tick (idle timeout)
    quint64 m_idleFramesSeen[2] = {0, 0}; // [client, backend] at the last tick
    bool m_idlePingSent[2] = {false, false};
    bool m_forwardPings = false;
    BackendConnector *m_connector = nullptr;
    BackendConnector *m_retiredConnector = nullptr; // deleted by m_dropConnector
    EpollEventDispatcher::Deferred m_dropConnector;
    QByteArray m_buffer;
    QByteArray m_backendTarget;
    QString m_backendOrigin; // ws://host:port; + m_backendTarget is what the log shows
    // allocated apart: a session object over 1 KiB would make every connection's
    // allocation sweep malloc's caches of small freed chunks (glibc does that for
    // requests of that size)
    std::unique_ptr<ConnectionContext> m_context = std::make_unique<ConnectionContext>();
    QElapsedTimer m_openedAt;
    qint64 m_requestReadNs = 0; // when the upgrade request was read whole (steady clock)
    QString m_clientAddress;
    GatewayEvent m_eventTemplate; // fields every event of this connection shares

    // close bookkeeping
    bool m_closeRecorded = false;
    quint16 m_closeCode = 0;
    QString m_closeReason;
    GatewayEvent::Party m_closedBy = GatewayEvent::Party::Gateway;
    bool m_clientFinished = false;
    bool m_backendFinished = false;
    bool m_countedOpen = false;
    bool m_countedPending = false;
    QTimer *m_delayTimer[2] = {nullptr, nullptr};
};

} // namespace Gatehouse::Gateway
