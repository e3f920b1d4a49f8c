// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "gateway/gatewayeventsink.h"
#include "gateway/gatewayoptions.h"
#include "gateway/payloadloggrants.h"
#include "gateway/policyprovider.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace Gatehouse::Gateway {

// Which open connections to close (revocation); empty fields match anything.
struct ConnectionFilter
{
    QString applicationId;
    QString credentialId;
    QString apiTitle;
    QString apiVersion;
    QList<quint64> connectionIds; // empty: any
};

// One open connection as a view lists it: taken on request (Gateway::listConnections),
// never sent per message.
struct ConnectionSnapshot
{
    quint64 id = 0;
    QString api; // /chats/1.0.0
    QString apiTitle;
    QString channel; // the channel's address template
    QString path; // as the client asked
    QString application; // application id; empty when anonymous
    QString applicationName;
    QString clientAddress;
    qint64 openedAtMs = 0; // since the epoch
    qint64 messagesIn = 0; // client to backend
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
};

class GatewayWorker;
class Router;
struct GatewayShared;

// The embedded WebSocket gateway, as the desktop app and `gatehouse-cli serve`
// use it: listeners, worker threads and the routing table for a set of APIs.
// Lives in the thread that creates it (e.g. the GUI thread); the workers accept and
// relay connections on threads of their own, so a busy creating thread never delays
// accepting or relaying.
class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)

public:
    explicit Gateway(QObject *parent = nullptr);
    ~Gateway() override; // drops open connections (use stop() for a clean close)

    // Before start():
    void setOptions(const GatewayOptions &options);
    GatewayOptions options() const { return m_options; }
    void setPolicyProvider(std::shared_ptr<PolicyProvider> provider);
    void addEventSink(std::shared_ptr<GatewayEventSink> sink);
    // Where run-time payload logging grants are kept (shared with whoever grants, so
    // that grants outlive a restart); the gateway has its own until this is called.
    void setPayloadLogGrants(std::shared_ptr<PayloadLogGrants> grants);
    std::shared_ptr<PayloadLogGrants> payloadLogGrants() const { return m_payloadLogGrants; }
    // Which listeners serve an API: indexes into the listeners given to start(), empty
    // for all of them; a non-empty `error` (one line) refuses the API, e.g. when it
    // names an address the gateway does not listen on. Applied at start() and at
    // every reload(). Without a selector every API is served on every listener.
    using ListenerSelector = std::function<QList<int>(const Api &api, QString *error)>;
    void setListenerSelector(ListenerSelector selector);

    // Starts serving `apis` on `listeners`. False, with errorString(), when an API
    // cannot be served, a certificate cannot be loaded or an address is taken.
    bool start(const QList<ListenerConfig> &listeners, const QList<Api> &apis);
    // New documents apply to connections opened from now on; open ones keep theirs.
    bool reload(const QList<Api> &apis);
    // Closes every connection with 1001 and stops listening; stopped() follows.
    void stop();
    // Closes the open connections that match (revoked credential, blocked
    // subscription, deleted application) with `code` on both legs.
    void closeConnections(const ConnectionFilter &filter, quint16 code = 1008,
                          const QString &reason = QStringLiteral("credentials revoked"));

    // Asks every worker for its open connections; connectionsListed() follows with
    // all of them (in this object's thread).
    void listConnections();

    bool isRunning() const { return m_running; }
    QString errorString() const { return m_error; }
    // The listeners as bound (port filled in when 0 was asked for).
    QList<ListenerConfig> listeners() const;
    quint16 serverPort(int listener = 0) const;
    int openConnections() const;
    // Accepted connections whose session still exists but is not (or no longer)
    // open: handshakes in progress and rejected ones not yet cleaned up.
    int pendingHandshakes() const;
    // Connections refused so far because the process had no file descriptor left
    // (accepted with the descriptor held in reserve, answered 503 and closed).
    quint64 descriptorLimitRefusals() const
    {
        return m_descriptorLimitRefusals.load(std::memory_order_relaxed);
    }
    // One line per API served on `listener` (-1: every API), e.g. "/chats/1.0.0  Chats
    // API 1.0.0: /notifications, /rooms/{roomID}".
    QStringList servedApis(int listener = -1) const;
    // The channel address templates of each API served, by API key ("/chats/1.0.0").
    QHash<QString, QStringList> servedChannels() const;

signals:
    void started();
    void reloaded();
    void stopped(int closedConnections);
    void connectionsListed(const QList<Gatehouse::Gateway::ConnectionSnapshot> &connections);

private:
    void handleWorkerDrained(int closed);
    void finishStop();
    void teardown();
    void stopListening();
    std::shared_ptr<const Router> buildRouter(const QList<ListenerConfig> &listeners,
                                              const QList<Api> &apis, QString *error) const;

    GatewayOptions m_options;
    ListenerSelector m_listenerSelector;
    std::shared_ptr<PolicyProvider> m_policyProvider;
    QList<std::shared_ptr<GatewayEventSink>> m_sinks;
    std::shared_ptr<PayloadLogGrants> m_payloadLogGrants = std::make_shared<PayloadLogGrants>();
    std::shared_ptr<GatewayShared> m_shared;
    QList<QThread *> m_threads;
    QList<GatewayWorker *> m_workers;
    bool m_running = false;
    bool m_stopping = false;
    int m_pendingWorkers = 0;
    // listConnections(): what the workers answered so far, and how many are to come
    QList<ConnectionSnapshot> m_listing;
    int m_listingPending = 0;
    int m_closedTotal = 0;
    QString m_error;
    std::atomic<quint64> m_descriptorLimitRefusals {0}; // counted by the listeners
};

} // namespace Gatehouse::Gateway
