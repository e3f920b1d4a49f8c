// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gateway.h"

#include "gateway/epolleventdispatcher.h"
#include "gateway/gatewaylistener.h"
#include "gateway/gatewayshared.h"
#include "gateway/gatewayworker.h"
#include "gateway/router.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QThread>

#include <mutex>

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace Gatehouse::Gateway {

QString ListenerConfig::toString() const
{
    // QHostAddress::Any (IPv6 and IPv4) reads "0.0.0.0" in Qt, as if IPv4 only
    const QString host = address == QHostAddress(QHostAddress::Any) ? QStringLiteral("[::]")
        : address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                              : address.toString();
    return (tls ? QStringLiteral("wss://") : QStringLiteral("ws://")) + host + u':'
        + QString::number(port);
}

namespace {

// Big buffers (the output a slow peer has not taken yet, held up to the outgoing
// buffer limit; big messages) get pages of their own and give them back whole when
// freed. Otherwise glibc raises its threshold to the size of the first such buffer
// freed, later ones come from the heap, and there they fragment it and stay resident
// after their connections close (tst_gateway_faults stalledReaders; bench/README.md).
// Process-wide, once; a threshold set in GLIBC_TUNABLES is left alone.
void keepBigBuffersMapped()
{
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        if (!qEnvironmentVariable("GLIBC_TUNABLES").contains(u"mmap_threshold"))
            ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    });
#endif
}

QList<std::shared_ptr<const Api>> share(const QList<Api> &apis)
{
    QList<std::shared_ptr<const Api>> out;
    for (const Api &api : apis)
        out.append(std::make_shared<const Api>(api));
    return out;
}

bool loadTls(const ListenerConfig &l, QSslConfiguration *config, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(l.certificateFile, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = QStringLiteral("%1: no PEM certificate could be read").arg(l.certificateFile);
        return false;
    }
    QFile keyFile(l.privateKeyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(l.privateKeyFile, keyFile.errorString());
        return false;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        *error = QStringLiteral("%1: not an unencrypted PEM RSA or EC private key")
                     .arg(l.privateKeyFile);
        return false;
    }
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    *config = c;
    return true;
}

} // namespace

Gateway::Gateway(QObject *parent)
    : QObject(parent)
{ }

Gateway::~Gateway()
{
    teardown();
}

void Gateway::setOptions(const GatewayOptions &options)
{
    m_options = options;
}

void Gateway::setPolicyProvider(std::shared_ptr<PolicyProvider> provider)
{
    m_policyProvider = std::move(provider);
}

void Gateway::addEventSink(std::shared_ptr<GatewayEventSink> sink)
{
    if (sink)
        m_sinks.append(std::move(sink));
}

void Gateway::setPayloadLogGrants(std::shared_ptr<PayloadLogGrants> grants)
{
    if (grants)
        m_payloadLogGrants = std::move(grants);
}

void Gateway::setListenerSelector(ListenerSelector selector)
{
    m_listenerSelector = std::move(selector);
}

std::shared_ptr<const Router> Gateway::buildRouter(const QList<ListenerConfig> &listeners,
                                                   const QList<Api> &apis, QString *error) const
{
    QList<QList<int>> apiListeners;
    if (m_listenerSelector) {
        for (const Api &api : apis) {
            QString selectorError;
            QList<int> indexes = m_listenerSelector(api, &selectorError);
            if (!selectorError.isEmpty()) {
                *error = selectorError;
                return nullptr;
            }
            for (int i : std::as_const(indexes))
                if (i < 0 || i >= listeners.size()) {
                    *error = QStringLiteral("API '%1': listener %2 does not exist (%3 given)")
                                 .arg(api.title)
                                 .arg(i)
                                 .arg(listeners.size());
                    return nullptr;
                }
            apiListeners.append(std::move(indexes));
        }
    }
    QStringList names;
    for (const ListenerConfig &l : listeners)
        names.append(l.toString());
    return Router::build(share(apis), m_policyProvider.get(), error, apiListeners, names);
}

bool Gateway::start(const QList<ListenerConfig> &listeners, const QList<Api> &apis)
{
    if (m_running || m_stopping) {
        m_error = QStringLiteral("gateway is already running");
        return false;
    }
    keepBigBuffersMapped();
    m_error.clear();
    if (listeners.isEmpty()) {
        m_error = QStringLiteral("no listen address given");
        return false;
    }
    QString error;
    auto router = buildRouter(listeners, apis, &error);
    if (!router) {
        m_error = error;
        return false;
    }

    auto shared = std::make_shared<GatewayShared>();
    shared->options = m_options;
    shared->sinks = m_sinks;
    shared->payloadLogGrants = m_payloadLogGrants;
    shared->setRouter(router);
    for (const ListenerConfig &l : listeners) {
        QSslConfiguration tls;
        if (l.tls && !loadTls(l, &tls, &m_error))
            return false;
        shared->listeners.append(l);
        shared->tls.append(tls);
    }

    // The listening sockets first, so that a taken address fails before the workers
    // exist: one per worker on each address (SO_REUSEPORT), each worker accepting its
    // own. Connections wait in the kernel's backlog until the workers run.
    const int threads = m_options.workerThreads > 0 ? m_options.workerThreads
                                                    : qMax(1, QThread::idealThreadCount());
    std::vector<ListeningSockets> sockets(size_t(listeners.size()));
    for (qsizetype i = 0; i < listeners.size(); ++i) {
        const ListenerConfig &l = listeners.at(i);
        ListeningSockets::Options o;
        o.count = threads;
        o.backlog = m_options.listenBacklog;
        o.socketBuffers = m_options.socketBufferBytes;
        QString error;
        if (!sockets[size_t(i)].open(l.address, l.port, o, &error)) {
            m_error = QStringLiteral("cannot listen on %1: %2").arg(l.toString(), error);
            return false;
        }
        shared->listeners[i].port = sockets[size_t(i)].port();
    }

    m_shared = shared;
    for (int i = 0; i < threads; ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("gateway-worker-%1").arg(i));
        auto dispatcher = std::make_unique<EpollEventDispatcher>();
        if (dispatcher->isValid())
            thread->setEventDispatcher(dispatcher.release());
        auto *worker = new GatewayWorker(m_shared);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        connect(worker, &GatewayWorker::drained, this, &Gateway::handleWorkerDrained);
        m_threads.append(thread);
        m_workers.append(worker);
        thread->start();
        std::vector<int> own; // this worker's socket on each address
        for (ListeningSockets &s : sockets)
            own.push_back(s.take(i));
        QMetaObject::invokeMethod(
            worker,
            [worker, own = std::move(own), refusals = &m_descriptorLimitRefusals] {
                worker->startListening(own, refusals);
            },
            Qt::QueuedConnection);
    }
    m_running = true;
    emit started();
    return true;
}

bool Gateway::reload(const QList<Api> &apis)
{
    if (!m_running) {
        m_error = QStringLiteral("gateway is not running");
        return false;
    }
    QString error;
    auto router = buildRouter(m_shared->listeners, apis, &error);
    if (!router) {
        m_error = error;
        return false;
    }
    m_shared->setRouter(router);
    emit reloaded();
    return true;
}

void Gateway::stop()
{
    if (!m_running || m_stopping)
        return;
    m_stopping = true;
    stopListening();
    m_pendingWorkers = int(m_workers.size());
    m_closedTotal = 0;
    for (GatewayWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(
            worker, [worker] { worker->closeAll(1001, QStringLiteral("gateway stopping")); },
            Qt::QueuedConnection);
    if (m_pendingWorkers == 0)
        finishStop();
}

void Gateway::closeConnections(const ConnectionFilter &filter, quint16 code, const QString &reason)
{
    for (GatewayWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(
            worker, [worker, filter, code, reason] { worker->closeMatching(filter, code, reason); },
            Qt::QueuedConnection);
}

void Gateway::listConnections()
{
    if (m_listingPending > 0)
        return; // the answer under way serves this request too
    if (m_workers.isEmpty() || m_stopping) {
        emit connectionsListed({});
        return;
    }
    m_listing.clear();
    m_listingPending = int(m_workers.size());
    for (GatewayWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(
            worker,
            [this, worker] {
                QList<ConnectionSnapshot> part = worker->snapshot();
                QMetaObject::invokeMethod(
                    this,
                    [this, part = std::move(part)] {
                        m_listing.append(part);
                        if (--m_listingPending == 0)
                            emit connectionsListed(std::exchange(m_listing, {}));
                    },
                    Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
}

void Gateway::handleWorkerDrained(int closed)
{
    if (!m_stopping)
        return;
    m_closedTotal += closed;
    if (--m_pendingWorkers == 0)
        finishStop();
}

void Gateway::finishStop()
{
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
    }
    qDeleteAll(m_threads);
    m_threads.clear();
    m_workers.clear(); // deleted in their threads on QThread::finished
    m_shared.reset();
    m_running = false;
    m_stopping = false;
    emit stopped(m_closedTotal);
}

void Gateway::stopListening()
{
    // now, not with the workers' next turn: the addresses are free when this returns
    for (GatewayWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(
            worker, [worker] { worker->stopListening(); }, Qt::BlockingQueuedConnection);
}

void Gateway::teardown()
{
    stopListening();
    for (GatewayWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(
            worker, [worker] { worker->abortAll(); }, Qt::QueuedConnection);
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
    }
    qDeleteAll(m_threads);
    m_threads.clear();
    m_workers.clear();
    m_shared.reset();
    m_running = false;
    m_stopping = false;
}

QList<ListenerConfig> Gateway::listeners() const
{
    return m_shared ? m_shared->listeners : QList<ListenerConfig>();
}

quint16 Gateway::serverPort(int listener) const
{
    return m_shared ? m_shared->listeners.value(listener).port : 0;
}

int Gateway::openConnections() const
{
    return m_shared ? m_shared->openConnections.load(std::memory_order_relaxed) : 0;
}

int Gateway::pendingHandshakes() const
{
    return m_shared ? m_shared->pendingHandshakes.load(std::memory_order_relaxed) : 0;
}

QHash<QString, QStringList> Gateway::servedChannels() const
{
    QHash<QString, QStringList> out;
    const auto router = m_shared ? m_shared->router() : nullptr;
    if (!router)
        return out;
    for (const Router::ApiRoute &api : router->apis()) {
        QStringList &channels = out[api.key()];
        for (const Router::ChannelRoute &channel : api.channels)
            if (channel.channel)
                channels.append(channel.channel->address);
    }
    return out;
}

QStringList Gateway::servedApis(int listener) const
{
    if (!m_shared)
        return {};
    const auto router = m_shared->router();
    return router ? router->describe(listener) : QStringList();
}

} // namespace Gatehouse::Gateway
