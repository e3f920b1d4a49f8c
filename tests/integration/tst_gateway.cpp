// SPDX-License-Identifier: GPL-3.0-or-later
// The gateway engine end to end: real sockets on 127.0.0.1, an in-process echo
// backend (QWebSocketServer) and QWebSocket / raw TCP clients.
#include "gateway/connectionpolicy.h"
#include "gateway/gateway.h"
#include "gateway/gatewayeventsink.h"
#include "gateway/messagepolicy.h"
#include "gateway/policyprovider.h"
#include "gateway/relayleg.h"
#include "gateway/websocketcodec.h"
#include "policy/sizelimitpolicy.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMutex>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QWebSocketServer>
#include <QtEndian>

#include <algorithm>
#include <atomic>
#include <span>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <functional>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace Gatehouse;
using namespace Gatehouse::Gateway;

namespace {

bool waitFor(const std::function<bool()> &condition, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QTest::qSleep(1);
    }
    return true;
}

// In-process backend: echoes text and binary; "close:CODE:REASON" makes it close;
// "flood:N:SIZE" makes it send N binary messages of SIZE bytes.
class EchoBackend final : public QObject
{
public:
    EchoBackend()
        : server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode)
    {
        server.setSupportedSubprotocols({QStringLiteral("chat.v2")});
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = server.nextPendingConnection()) {
                ws->setParent(this);
                sockets.append(ws);
                requests.append(ws->request());
                protocols.append(ws->subprotocol());
                connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &m) {
                    if (m.startsWith(u"close:")) {
                        const QStringList parts = m.split(u':');
                        ws->close(QWebSocketProtocol::CloseCode(parts.value(1).toInt()),
                                  parts.value(2));
                    } else if (m.startsWith(u"flood:")) {
                        const QStringList parts = m.split(u':');
                        const QByteArray chunk(parts.value(2).toInt(), 'x');
                        for (int i = 0; i < parts.value(1).toInt(); ++i)
                            ws->sendBinaryMessage(chunk);
                    } else {
                        ws->sendTextMessage(m);
                    }
                });
                connect(ws, &QWebSocket::binaryMessageReceived, ws,
                        [ws](const QByteArray &m) { ws->sendBinaryMessage(m); });
                connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                    closeCodes.append(int(ws->closeCode()));
                    closeReasons.append(ws->closeReason());
                });
            }
        });
    }
    ~EchoBackend() override
    {
        // the sockets' last signals must not reach members already destroyed
        for (QWebSocket *ws : std::as_const(sockets))
            ws->disconnect(this);
        qDeleteAll(sockets);
    }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()); }

    QWebSocketServer server;
    QList<QWebSocket *> sockets;
    QList<QNetworkRequest> requests;
    QStringList protocols;
    QList<int> closeCodes; // int: application codes are not CloseCode values
    QStringList closeReasons;
};

class CollectingSink final : public GatewayEventSink
{
public:
    void consume(const QList<GatewayEvent> &batch) override
    {
        QMutexLocker lock(&mutex);
        for (const GatewayEvent &e : batch) {
            if (e.type == GatewayEvent::Type::MessageRun) {
                runs.append(e);
                events.append(messages(e)); // the messages it packs, one event each
            } else {
                events.append(e);
            }
        }
    }
    int count(GatewayEvent::Type type)
    {
        QMutexLocker lock(&mutex);
        return int(std::count_if(events.cbegin(), events.cend(),
                                 [type](const GatewayEvent &e) { return e.type == type; }));
    }
    QList<GatewayEvent> of(GatewayEvent::Type type)
    {
        QMutexLocker lock(&mutex);
        QList<GatewayEvent> out;
        for (const auto &e : std::as_const(events))
            if (e.type == type)
                out.append(e);
        return out;
    }
    QMutex mutex;
    QList<GatewayEvent> events; // runs unpacked
    QList<GatewayEvent> runs; // as they came
};

// Rejects connections that lack "X-Test-Key: ok" with 401, counts releases.
class KeyPolicy final : public ConnectionPolicy
{
public:
    QString name() const override { return QStringLiteral("test-key"); }
    ConnectionDecision evaluate(ConnectionContext &context) override
    {
        if (context.request.header("X-Test-Key") == "huge") // larger than socket buffers
            return ConnectionDecision::reject(403, QString(8 * 1024 * 1024, u'h'));
        if (context.request.header("X-Test-Key") == "limit")
            return ConnectionDecision::reject(429, QStringLiteral("too many"),
                                              {{"Retry-After", "7"}});
        if (context.request.header("X-Test-Key") != "ok")
            return ConnectionDecision::reject(401, QStringLiteral("key required"),
                                              {{"WWW-Authenticate", "Bearer realm=\"test\""}});
        context.identity.applicationId = QStringLiteral("app-1");
        context.attributes.insert(QStringLiteral("gatehouse.credentialQuery"),
                                  QStringList {QStringLiteral("mykey")});
        ++allowed;
        return ConnectionDecision::allow();
    }
    void released(const ConnectionContext &) override { ++releasedCount; }
    std::atomic<int> allowed {0};
    std::atomic<int> releasedCount {0};
};

// "drop" is dropped with an error frame; "kill" closes with 1008; upper-cases "shout".
class TestMessagePolicy final : public MessagePolicy
{
public:
    QString name() const override { return QStringLiteral("test-messages"); }
    qint64 maxMessageSize(Direction d) const override
    {
        return d == Direction::ClientToBackend ? 1024 * 1024 : -1;
    }
    MessageVerdict process(const ConnectionContext &, RelayMessage &m) override
    {
        if (m.direction != Direction::ClientToBackend || m.binary)
            return MessageVerdict::forward();
        if (m.payload == "drop")
            return MessageVerdict::drop(QStringLiteral("dropped by test"),
                                        QStringLiteral("{\"error\":4003,\"reason\":\"dropped\"}"));
        if (m.payload == "kill")
            return MessageVerdict::close(1008, QStringLiteral("policy violation"));
        if (m.payload == "shout")
            m.payload = "SHOUT";
        if (m.payload == "odd") { // reported, not enforced (like validation in monitor mode)
            MessageVerdict v = MessageVerdict::forward();
            v.reason = QStringLiteral("looks odd");
            return v;
        }
        if (m.payload.startsWith("slow"))
            return MessageVerdict::forwardAfter(std::chrono::milliseconds(300));
        return MessageVerdict::forward();
    }
};

// Counts what the gateway asks of it; says it has nothing to do for any connection.
class IdlePolicy final : public MessagePolicy
{
public:
    QString name() const override { return QStringLiteral("idle"); }
    MessageVerdict process(const ConnectionContext &, RelayMessage &) override
    {
        ++processed;
        return MessageVerdict::forward();
    }
    bool forwardsEverything(const ConnectionContext &) override
    {
        ++asked;
        return true;
    }
    std::atomic<int> processed {0};
    std::atomic<int> asked {0};
};

// Appends " (rewritten by a policy)" to every message to the backend: 24 bytes more.
class AppendingPolicy final : public MessagePolicy
{
public:
    QString name() const override { return QStringLiteral("append"); }
    bool readsPayload() const override { return true; }
    MessageVerdict process(const ConnectionContext &, RelayMessage &m) override
    {
        if (m.direction == Direction::ClientToBackend)
            m.payload.append(" (rewritten by a policy)");
        return MessageVerdict::forward();
    }
};

class TestProvider final : public PolicyProvider
{
public:
    ChannelPolicies policiesFor(const std::shared_ptr<const Api> &api, const Channel &,
                                QString *) override
    {
        ChannelPolicies p;
        if (api->title == u"Secured")
            p.connection.append(keyPolicy);
        p.message.append(messagePolicy);
        p.message.append(extraMessage);
        return p;
    }
    QList<std::shared_ptr<MessagePolicy>> extraMessage; // after messagePolicy
    std::shared_ptr<KeyPolicy> keyPolicy = std::make_shared<KeyPolicy>();
    std::shared_ptr<TestMessagePolicy> messagePolicy = std::make_shared<TestMessagePolicy>();
};

Api chatsApi(const QString &endpoint, const QString &title = QStringLiteral("Chats"),
             const QString &context = QStringLiteral("/chats"))
{
    Api api;
    api.title = title;
    api.version = QStringLiteral("1.0.0");
    api.gatehouse.endpoint = endpoint;
    api.gatehouse.context = context;
    Channel notifications;
    notifications.id = QStringLiteral("notifications");
    notifications.address = QStringLiteral("/notifications");
    Channel rooms;
    rooms.id = QStringLiteral("rooms");
    rooms.address = QStringLiteral("/rooms/{roomID}");
    api.channels = {notifications, rooms};
    Operation op;
    op.id = QStringLiteral("joinRoom");
    op.channelId = QStringLiteral("rooms");
    op.uriMapping = QStringLiteral("/rooms?room={uri.var.roomID}");
    api.operations = {op};
    return api;
}

// A raw listening socket on 127.0.0.1 at a free port (-1 on failure), optionally
// with SO_REUSEPORT; `address` gets where it listens.
int listenOnLoopback(int backlog, bool reusePort, sockaddr_in *address)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    *address = sockaddr_in {};
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof *address;
    if ((reusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        || ::bind(fd, reinterpret_cast<const sockaddr *>(address), sizeof *address) != 0
        || ::listen(fd, backlog) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(address), &length) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

struct HttpAnswer
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    bool closed = false;
};

// Sends raw bytes and collects what the gateway answers until it closes (or timeout).
// RLIMIT_NOFILE lowered to the descriptors open now plus `left`, and every descriptor
// below it that is free, or that another thread frees meanwhile, taken (a hole), so
// that exactly `left` are free; until restore() or the end of the scope, when the
// limit is put back and the holes closed.
class DescriptorLimit
{
    Q_DISABLE_COPY_MOVE(DescriptorLimit)

public:
    explicit DescriptorLimit(int left)
    {
        if (::getrlimit(RLIMIT_NOFILE, &m_saved) != 0)
            return;
        const int lowestFree = ::dup(0);
        if (lowestFree < 0)
            return;
        ::close(lowestFree);
        rlimit tight = m_saved;
        tight.rlim_cur = rlim_t(lowestFree) + rlim_t(left);
        m_active = ::setrlimit(RLIMIT_NOFILE, &tight) == 0;
        for (int hole = ::dup(0); m_active && hole >= 0; hole = ::dup(0))
            m_holes.push_back(hole);
        for (int i = 0; i < left && !m_holes.empty(); ++i) {
            ::close(m_holes.back());
            m_holes.pop_back();
        }
    }
    ~DescriptorLimit()
    {
        restore();
        for (int fd : m_holes)
            ::close(fd);
    }
    bool isActive() const { return m_active; }
    void takeHole(int fd) { m_holes.push_back(fd); }
    void restore()
    {
        if (m_active)
            ::setrlimit(RLIMIT_NOFILE, &m_saved);
        m_active = false;
    }

private:
    rlimit m_saved {};
    bool m_active = false;
    std::vector<int> m_holes;
};

// 127.0.0.1:port for ::connect()
sockaddr_in loopbackAddress(quint16 port)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

HttpAnswer rawRequest(quint16 port, const QByteArray &request, int timeoutMs = 5000,
                      bool waitForClose = true)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    HttpAnswer answer;
    if (!waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, timeoutMs))
        return answer;
    socket.write(request);
    QByteArray data;
    waitFor(
        [&] {
            data += socket.readAll();
            if (!waitForClose && data.contains("\r\n\r\n"))
                return true;
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    data += socket.readAll();
    answer.closed = socket.state() == QAbstractSocket::UnconnectedState;
    const qsizetype end = data.indexOf("\r\n\r\n");
    answer.head = end < 0 ? data : data.left(end);
    answer.body = end < 0 ? QByteArray() : data.mid(end + 4);
    const QList<QByteArray> statusLine = answer.head.left(answer.head.indexOf("\r\n")).split(' ');
    answer.status = statusLine.value(1).toInt();
    return answer;
}

// What a backend answers in Sec-WebSocket-Accept to the upgrade `request` it read.
QByteArray acceptFor(const QByteArray &request)
{
    QByteArray key;
    for (const QByteArray &line : request.split('\n'))
        if (line.toLower().startsWith("sec-websocket-key:"))
            key = line.mid(18).trimmed();
    return WebSocketCodec::acceptKey(key);
}

QByteArray upgradeRequest(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + extra + "\r\n";
}

QByteArray maskedFrame(quint8 opcode, const QByteArray &payload, bool mask = true)
{
    QByteArray f;
    f.append(char(0x80 | opcode));
    Q_ASSERT(payload.size() < 126);
    f.append(char((mask ? 0x80 : 0) | payload.size()));
    const char key[4] = {0x11, 0x22, 0x33, 0x44};
    QByteArray body = payload;
    if (mask) {
        f.append(key, 4);
        for (qsizetype i = 0; i < body.size(); ++i)
            body[i] = char(body[i] ^ key[i % 4]);
    }
    return f + body;
}

// A raw client connected through the upgrade; what followed the 101 in `rest`.
bool openRawClient(QTcpSocket &socket, quint16 port, const QByteArray &path, QByteArray *rest)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return false;
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket.write(upgradeRequest(path));
    QByteArray data;
    if (!waitFor([&] {
            data += socket.readAll();
            return data.contains("\r\n\r\n");
        })
        || !data.startsWith("HTTP/1.1 101 "))
        return false;
    *rest = data.mid(data.indexOf("\r\n\r\n") + 4);
    return true;
}

} // namespace

class TestGateway final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void codecEncodesIntoABuffer();

    void relaysTextAndBinary();
    void routesWithUriMappingAndStripsCredentials();
    void channelWithoutMappingUsesRequestPath();
    void headOfExactly16KiBAccepted();
    void backendTargetRebuilt_data();
    void backendTargetRebuilt();
    void clientForwardingHeadersNotTrusted();
    void mostSpecificApiRoutes();
    void defaultVersion();
    void rejects_data();
    void rejects();
    void connectionPolicyRejections();
    void backendRefused502();
    void backendSilent504();
    void backendHttpError();
    void backendByHostName();
    void backendIpv6Literal();
    void backendClosesBeforeAnswering502();
    void backendConnectPending504();
    void backendFramesRightAfterUpgrade();
    void backendAnswers_data();
    void backendAnswers();
    void clientGoneWhileBackendConnects();
    void stopDuringHandshake503_data();
    void stopDuringHandshake503();
    void requestInSmallPieces();
    void largeRejectionDeliveredWhole();
    void subprotocolNegotiated();
    void forwardsOriginAndXForwardedFor();
    void clientAddressByListenerFamily_data();
    void clientAddressByListenerFamily();
    void closeFromClientPropagates();
    void closeFromBackendPropagates();
    void closeEndsWhenPeersCloseTcp();
    void applicationCloseCodeFromRawClient();
    void messagePolicies();
    void sizeLimitCloses1009();
    void delayedMessagesKeepOrder();
    void framesSentBeforeUpgradeAreRelayed();
    void protocolErrors_data();
    void protocolErrors();
    void backpressureBoundsMemory();
    void stopClosesWith1001();
    void reloadKeepsOpenConnections();
    void manyConnectionsDropped();
    void manyStalledHandshakesReleased();
    void acceptResumesAfterRunningOutOfDescriptors();
    void backendWithoutDescriptorCountsAsRefusal();
    void pingsForwardedOnlyWhenAsked_data();
    void pingsForwardedOnlyWhenAsked();
    void idleTimeoutKeepsAnsweringPeers();
    void idleTimeoutClosesSilentClient();
    void noIdleTimeoutByDefault();
    void keepAliveFromXGatehouse();
    void badKeepAliveSettingsRefused_data();
    void badKeepAliveSettingsRefused();
    void handshakeTimeout408();
    void handshakeTimeoutNotExtendedByTrickle();
    void acceptsWhileCreatingThreadIsBusy();
    void eventsRecorded();
    void passedFindingsReachTheLog();
    void secureListener();
    void startFailsClearly();
    void addressSharedByAnotherProgramIsRefused();
    void workersShareTheAddressAndFreeItOnStop();
    void relayLegsOnEitherDispatcher_data();
    void relayLegsOnEitherDispatcher();
    void framesSplitAcrossReads();
    void fragmentsAcrossReads();
    void loggedPayloadsOutliveTheirRead();
    void policiesWithNothingToDoLeftOut();
    void messagesPackedIntoRuns();
    void rewrittenMessagesStillChecked();

private:
    bool startGateway(const QList<Api> &apis, GatewayOptions options = {});
    QString wsUrl(const QString &path) const
    {
        return QStringLiteral("ws://127.0.0.1:%1%2").arg(m_gateway->serverPort()).arg(path);
    }
    QWebSocket *openClient(const QString &path, const QStringList &protocols = {},
                           const QList<QPair<QByteArray, QByteArray>> &headers = {});

    std::unique_ptr<EchoBackend> m_backend;
    std::unique_ptr<Gatehouse::Gateway::Gateway> m_gateway;
    std::shared_ptr<CollectingSink> m_sink;
    std::shared_ptr<TestProvider> m_provider;
    QList<QWebSocket *> m_clients;
};

void TestGateway::init()
{
    m_backend = std::make_unique<EchoBackend>();
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    m_sink = std::make_shared<CollectingSink>();
    m_provider = std::make_shared<TestProvider>();
}

void TestGateway::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_gateway.reset();
    m_backend.reset();
}

bool TestGateway::startGateway(const QList<Api> &apis, GatewayOptions options)
{
    if (options.workerThreads == 0)
        options.workerThreads = 2;
    m_gateway->setOptions(options);
    m_gateway->addEventSink(m_sink);
    m_gateway->setPolicyProvider(m_provider);
    ListenerConfig l;
    l.port = 0;
    const bool ok = m_gateway->start({l}, apis);
    if (!ok)
        qWarning() << m_gateway->errorString();
    return ok;
}

QWebSocket *TestGateway::openClient(const QString &path, const QStringList &protocols,
                                    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    auto *ws = new QWebSocket;
    m_clients.append(ws);
    QNetworkRequest request {QUrl(wsUrl(path))};
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(protocols);
    ws->open(request, options);
    return ws;
}

void TestGateway::relaysTextAndBinary()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QSignalSpy binary(ws, &QWebSocket::binaryMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("hello ☃"));
    QByteArray blob(70000, '\0');
    for (int i = 0; i < blob.size(); ++i)
        blob[i] = char(i * 7);
    ws->sendBinaryMessage(blob);
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("hello ☃"));
    QTRY_COMPARE(binary.size(), 1);
    QCOMPARE(binary.at(0).at(0).toByteArray(), blob);
    QCOMPARE(m_gateway->openConnections(), 1);
    // ping is answered by the gateway leg
    QSignalSpy pong(ws, &QWebSocket::pong);
    ws->ping("abc");
    QTRY_COMPARE(pong.size(), 1);
    QCOMPARE(pong.at(0).at(1).toByteArray(), QByteArray("abc"));
}

void TestGateway::routesWithUriMappingAndStripsCredentials()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(
        QStringLiteral("/chats/1.0.0/rooms/room%201?access_token=secret&x=1&apikey=k&y=a%26b"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_backend->requests.size(), 1);
    const QUrl seen = m_backend->requests.at(0).url();
    QCOMPARE(seen.path(), QStringLiteral("/rooms"));
    QCOMPARE(seen.query(QUrl::FullyEncoded), QStringLiteral("room=room%201&x=1&y=a%26b"));
}

void TestGateway::channelWithoutMappingUsesRequestPath()
{
    Api api = chatsApi(m_backend->url() + QStringLiteral("/base/"));
    QVERIFY(startGateway({api}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications?x=%2F"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_backend->requests.at(0).url().path(), QStringLiteral("/base/notifications"));
    QCOMPARE(m_backend->requests.at(0).url().query(QUrl::FullyEncoded), QStringLiteral("x=%2F"));
}

void TestGateway::headOfExactly16KiBAccepted()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    const QByteArray base = upgradeRequest("/chats/1.0.0/notifications", "X-Pad: \r\n");
    const QByteArray pad(16 * 1024 - base.size(), 'p');
    const QByteArray request
        = upgradeRequest("/chats/1.0.0/notifications", "X-Pad: " + pad + "\r\n");
    QCOMPARE(request.size(), 16 * 1024);
    const HttpAnswer a = rawRequest(m_gateway->serverPort(), request, 5000, false);
    QCOMPARE(a.status, 101);
}

// What reaches the backend is rebuilt from the channel's template and the decoded
// parameters: the client's spelling never goes through, CR and LF stay encoded.
void TestGateway::backendTargetRebuilt_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("unmapped") << QByteArray("/chats/1.0.0/files/caf%c3%a9")
                              << QByteArray("/files/caf%C3%A9");
    QTest::newRow("unmapped-raw-utf8")
        << QByteArray("/chats/1.0.0/files/caf\xc3\xa9") << QByteArray("/files/caf%C3%A9");
    QTest::newRow("unmapped-semicolon")
        << QByteArray("/chats/1.0.0/files/..;a") << QByteArray("/files/..%3Ba");
    QTest::newRow("unmapped-crlf") << QByteArray("/chats/1.0.0/files/a%0D%0AX-Injected:%201")
                                   << QByteArray("/files/a%0D%0AX-Injected:%201");
    QTest::newRow("mapped-crlf") << QByteArray("/chats/1.0.0/rooms/a%0d%0aX-Injected:%201")
                                 << QByteArray("/rooms?room=a%0D%0AX-Injected:%201");
    QTest::newRow("query-crlf") << QByteArray("/chats/1.0.0/notifications?x=%0D%0AX-Injected:1")
                                << QByteArray("/notifications?x=%0D%0AX-Injected:1");
    QTest::newRow("query-odd-bytes") << QByteArray("/chats/1.0.0/notifications?x=\"<\xc3\xa9>")
                                     << QByteArray("/notifications?x=%22%3C%C3%A9%3E");
    QTest::newRow("credentials-any-spelling")
        << QByteArray("/chats/1.0.0/notifications?%61ccess_token=s&ACCESS_TOKEN=s&API_KEY=s&x=1")
        << QByteArray("/notifications?x=1");
}

void TestGateway::backendTargetRebuilt()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, target);
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    auto seen = std::make_shared<QByteArray>();
    connect(&raw, &QTcpServer::newConnection, this, [&raw, seen] {
        QTcpSocket *peer = raw.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer, seen] {
            *seen += peer->readAll();
            if (seen->contains("\r\n\r\n"))
                peer->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                            + acceptFor(*seen) + "\r\n\r\n");
        });
    });
    Api api = chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(raw.serverPort()));
    Channel files;
    files.id = QStringLiteral("files");
    files.address = QStringLiteral("/files/{name}");
    api.channels.append(files);
    QVERIFY(startGateway({api}));
    const HttpAnswer a = rawRequest(m_gateway->serverPort(), upgradeRequest(path), 5000, false);
    QCOMPARE(a.status, 101);
    const QByteArray requestLine = "GET " + target + " HTTP/1.1\r\n";
    QVERIFY2(seen->startsWith(requestLine), seen->constData());
    QVERIFY(!seen->contains("\r\nX-Injected"));
    QCOMPARE(seen->count("\r\n\r\n"), 1);
    // the log names what was sent, byte for byte
    QTRY_VERIFY(!m_sink->of(GatewayEvent::Type::ConnectionOpened).isEmpty());
    QCOMPARE(m_sink->of(GatewayEvent::Type::ConnectionOpened).at(0).details().backendUrl,
             QStringLiteral("ws://127.0.0.1:%1").arg(raw.serverPort()) + QString::fromUtf8(target));
}

void TestGateway::clientForwardingHeadersNotTrusted()
{
    Api api = chatsApi(m_backend->url());
    api.gatehouse.raw = Json {
        {"forwardHeaders", Json::array({"X-Forwarded-For", "X-Forwarded-Proto", "Forwarded"})}};
    QVERIFY(startGateway({api}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"), {},
                                {{"X-Forwarded-For", "6.6.6.6"},
                                 {"X-Forwarded-Proto", "https"},
                                 {"Forwarded", "for=6.6.6.6;proto=https"}});
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    const QNetworkRequest &r = m_backend->requests.at(0);
    QCOMPARE(r.rawHeader("X-Forwarded-For"), QByteArray("6.6.6.6, 127.0.0.1"));
    QCOMPARE(r.rawHeader("X-Forwarded-Proto"), QByteArray("ws"));
    QVERIFY(!r.hasRawHeader("Forwarded"));
}

// Two versions on one context, the first the default: a path with the second's
// version goes to the second, even where a channel of the first would match it.
void TestGateway::mostSpecificApiRoutes()
{
    EchoBackend second;
    Api v1 = chatsApi(m_backend->url(), QStringLiteral("News"), QStringLiteral("/v"));
    v1.gatehouse.defaultVersion = true;
    Channel any;
    any.id = QStringLiteral("any");
    any.address = QStringLiteral("/{section}/news");
    Channel news;
    news.id = QStringLiteral("news");
    news.address = QStringLiteral("/news");
    v1.channels = {any, news};
    v1.operations.clear();
    Api v2 = v1;
    v2.version = QStringLiteral("2.0.0");
    v2.gatehouse.endpoint = second.url();
    v2.gatehouse.defaultVersion = false;
    v2.channels = {news};
    QVERIFY(startGateway({v1, v2}));
    QWebSocket *toSecond = openClient(QStringLiteral("/v/2.0.0/news"));
    QTRY_COMPARE(toSecond->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(second.requests.size(), 1);
    QVERIFY(m_backend->requests.isEmpty());
    QWebSocket *toDefault = openClient(QStringLiteral("/v/news"));
    QTRY_COMPARE(toDefault->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_backend->requests.size(), 1);
    // a path of the second version that it does not serve is its 404, not the first's
    const HttpAnswer a = rawRequest(m_gateway->serverPort(), upgradeRequest("/v/2.0.0/x/news"));
    QCOMPARE(a.status, 404);
    QVERIFY2(a.body.contains("/v/2.0.0"), a.body.constData());
    QCOMPARE(m_backend->requests.size(), 1);
}

void TestGateway::defaultVersion()
{
    Api api = chatsApi(m_backend->url());
    api.gatehouse.defaultVersion = true;
    QVERIFY(startGateway({api}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QWebSocket *ws2 = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws2->state(), QAbstractSocket::ConnectedState);
}

void TestGateway::rejects_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expectInHead");
    QTest::addColumn<QByteArray>("expectInBody");

    QTest::newRow("unknown-api") << upgradeRequest("/nope/1.0.0/notifications") << 404
                                 << QByteArray() << QByteArray("no API");
    QTest::newRow("unknown-channel") << upgradeRequest("/chats/1.0.0/nothing") << 404
                                     << QByteArray() << QByteArray("no channel");
    QTest::newRow("wrong-version-path")
        << upgradeRequest("/chats/2.0.0/notifications") << 404 << QByteArray() << QByteArray();
    QTest::newRow("empty-param") << upgradeRequest("/chats/1.0.0/rooms/") << 404 << QByteArray()
                                 << QByteArray();
    QTest::newRow("plain-http") << QByteArray(
        "GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\n\r\n")
                                << 426 << QByteArray("Upgrade: websocket")
                                << QByteArray("/chats/1.0.0");
    QTest::newRow("wrong-ws-version")
        << QByteArray("GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 8\r\n\r\n")
        << 426 << QByteArray("Sec-WebSocket-Version: 13") << QByteArray();
    QTest::newRow("bad-key") << QByteArray(
        "GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n")
                             << 400 << QByteArray() << QByteArray("Sec-WebSocket-Key");
    QTest::newRow("post") << QByteArray(
        "POST /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n")
                          << 405 << QByteArray("Allow: GET") << QByteArray();
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage",
                                           18)
                             << 400 << QByteArray() << QByteArray("not an HTTP request");
    QTest::newRow("garbage-text") << QByteArray("hello there\r\n\r\n") << 400 << QByteArray()
                                  << QByteArray();
    QTest::newRow("folded-header") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n")
                                   << 400 << QByteArray() << QByteArray("folded");
    QTest::newRow("tab-in-target") << upgradeRequest("/chats/1.0.0/rooms/a\tb") << 400
                                   << QByteArray() << QByteArray("bad request target");
    QTest::newRow("duplicate-host")
        << upgradeRequest("/chats/1.0.0/notifications", "Host: other\r\n") << 400 << QByteArray()
        << QByteArray("more than one Host");
    QTest::newRow("duplicate-key")
        << upgradeRequest("/chats/1.0.0/notifications",
                          "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n")
        << 400 << QByteArray() << QByteArray("more than one Sec-WebSocket-Key");
    QTest::newRow("duplicate-authorization")
        << upgradeRequest("/chats/1.0.0/notifications",
                          "Authorization: Bearer a\r\nauthorization: Basic dTpw\r\n")
        << 400 << QByteArray() << QByteArray("more than one Authorization");
    QTest::newRow("mapped-query-parameter-added")
        << upgradeRequest("/chats/1.0.0/rooms/room1?room=admin") << 400 << QByteArray()
        << QByteArray("'room' is set by the URL mapping");
    QTest::newRow("dot-segment-parameter") << upgradeRequest("/chats/1.0.0/rooms/%2E%2E") << 404
                                           << QByteArray() << QByteArray("no channel");
    QTest::newRow("dot-segment-once-decoded") << upgradeRequest("/chats/1.0.0/rooms/%252E%252e")
                                              << 400 << QByteArray() << QByteArray("dot segment");
    QTest::newRow("slash-in-parameter") << upgradeRequest("/chats/1.0.0/rooms/a%2Fb") << 400
                                        << QByteArray() << QByteArray("must not contain");
    QTest::newRow("backslash-in-parameter") << upgradeRequest("/chats/1.0.0/rooms/..\\x") << 400
                                            << QByteArray() << QByteArray("must not contain");
    // 16 KiB of request head is the limit: one byte more is refused
    {
        const QByteArray base = upgradeRequest("/chats/1.0.0/notifications", "X-Pad: \r\n");
        const QByteArray pad(16 * 1024 - base.size() + 1, 'p');
        QTest::newRow("one-byte-over-16KiB")
            << upgradeRequest("/chats/1.0.0/notifications", "X-Pad: " + pad + "\r\n") << 431
            << QByteArray() << QByteArray("16384");
    }
    QTest::newRow("huge-header") << ("GET / HTTP/1.1\r\nX-Big: " + QByteArray(1024 * 1024, 'a')
                                     + "\r\n\r\n")
                                 << 431 << QByteArray() << QByteArray();
}

void TestGateway::rejects()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, expectInHead);
    QFETCH(QByteArray, expectInBody);
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    const HttpAnswer answer = rawRequest(m_gateway->serverPort(), request);
    QCOMPARE(answer.status, status);
    QVERIFY(answer.closed);
    QVERIFY2(answer.head.contains(expectInHead), answer.head.constData());
    QVERIFY2(answer.body.contains(expectInBody), answer.body.constData());
    QVERIFY(m_backend->requests.isEmpty());
    // and the gateway still serves
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
}

void TestGateway::connectionPolicyRejections()
{
    QVERIFY(startGateway({chatsApi(m_backend->url(), QStringLiteral("Secured"))}));
    HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 401);
    QVERIFY(a.head.contains("WWW-Authenticate: Bearer realm=\"test\""));
    a = rawRequest(m_gateway->serverPort(),
                   upgradeRequest("/chats/1.0.0/notifications", "X-Test-Key: limit\r\n"));
    QCOMPARE(a.status, 429);
    QVERIFY(a.head.contains("Retry-After: 7"));
    QVERIFY(m_backend->requests.isEmpty());

    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications?mykey=s3cret&keep=1"),
                                {}, {{"X-Test-Key", "ok"}});
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_backend->requests.at(0).url().query(), QStringLiteral("keep=1"));
    QCOMPARE(m_provider->keyPolicy->allowed.load(), 1);
    QCOMPARE(m_provider->keyPolicy->releasedCount.load(), 0);
    ws->close();
    QTRY_COMPARE(m_provider->keyPolicy->releasedCount.load(), 1);

    // revocation closes the application's open connections, and only those
    QWebSocket *revoked
        = openClient(QStringLiteral("/chats/1.0.0/notifications"), {}, {{"X-Test-Key", "ok"}});
    QTRY_COMPARE(revoked->state(), QAbstractSocket::ConnectedState);
    m_gateway->closeConnections({QStringLiteral("other-app"), {}, {}, {}});
    QTest::qWait(200);
    QCOMPARE(revoked->state(), QAbstractSocket::ConnectedState);
    m_gateway->closeConnections({QStringLiteral("app-1"), {}, {}, {}}, 1008,
                                QStringLiteral("key revoked"));
    QTRY_COMPARE(revoked->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(int(revoked->closeCode()), 1008);
    QCOMPARE(revoked->closeReason(), QStringLiteral("key revoked"));
}

void TestGateway::backendRefused502()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(port))}));
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 502);
    QVERIFY2(a.body.contains("refused"), a.body.constData());
}

void TestGateway::backendSilent504()
{
    QTcpServer silent; // accepts TCP, never answers the upgrade
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    GatewayOptions o;
    o.backendTimeoutMs = 300;
    QVERIFY(
        startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort()))}, o));
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 504);
}

void TestGateway::backendHttpError()
{
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this, [&http] {
        QTcpSocket *s = http.nextPendingConnection();
        connect(s, &QTcpSocket::readyRead, s, [s] {
            s->readAll();
            s->write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            s->disconnectFromHost();
        });
    });
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(http.serverPort()))}));
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 403);
    QVERIFY2(a.body.contains("backend answered"), a.body.constData());
}

void TestGateway::backendByHostName()
{
    // a host name takes the socket-object path (name lookup), an IP literal the bare one
    const QString byName = QStringLiteral("ws://localhost:%1").arg(m_backend->server.serverPort());
    QVERIFY(startGateway({chatsApi(byName)}));
    QWebSocket *ws
        = openClient(QStringLiteral("/chats/1.0.0/notifications"), {QStringLiteral("chat.v2")});
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(ws->subprotocol(), QStringLiteral("chat.v2"));
    ws->sendTextMessage(QStringLiteral("by name"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("by name"));
    QCOMPARE(m_backend->requests.value(0).rawHeader("X-Forwarded-For"), QByteArray("127.0.0.1"));

    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::Any, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    m_gateway.reset();
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://localhost:%1").arg(port))}));
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 502);
    QVERIFY2(a.body.contains("refused"), a.body.constData());
}

void TestGateway::backendIpv6Literal()
{
    QWebSocketServer server(QStringLiteral("echo6"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHostIPv6, 0))
        QSKIP("no IPv6 loopback here");
    QList<QNetworkRequest> requests;
    connect(&server, &QWebSocketServer::newConnection, this, [&server, &requests] {
        while (QWebSocket *s = server.nextPendingConnection()) {
            requests.append(s->request());
            s->setParent(&server);
            connect(s, &QWebSocket::textMessageReceived, s,
                    [s](const QString &m) { s->sendTextMessage(m + u'!'); });
        }
    });
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://[::1]:%1").arg(server.serverPort()))}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("six"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("six!"));
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.at(0).rawHeader("Host"),
             QByteArray("[::1]:") + QByteArray::number(server.serverPort()));
    ws->close();
    QTRY_COMPARE(m_gateway->openConnections(), 0);
}

void TestGateway::backendClosesBeforeAnswering502()
{
    QTcpServer rude; // reads the upgrade request, then hangs up without a word
    QVERIFY(rude.listen(QHostAddress::LocalHost, 0));
    connect(&rude, &QTcpServer::newConnection, this, [&rude] {
        QTcpSocket *s = rude.nextPendingConnection();
        connect(s, &QTcpSocket::readyRead, s, [s] {
            if (s->readAll().contains("\r\n\r\n"))
                s->disconnectFromHost();
        });
    });
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(rude.serverPort()))}));
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 502);
    QVERIFY2(a.body.contains("closed"), a.body.constData());
    QVERIFY(a.closed);
    QTRY_COMPARE(m_gateway->pendingHandshakes(), 0);
}

void TestGateway::backendFramesRightAfterUpgrade()
{
    // A backend that sends frames in the same segment as its 101: the gateway read
    // them with the answer and the client gets them, in order, before anything else.
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    QByteArray seen;
    QTcpSocket *peer = nullptr;
    connect(&raw, &QTcpServer::newConnection, this, [&] {
        peer = raw.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, this, [&] {
            seen += peer->readAll();
            if (!seen.contains("\r\n\r\n") || seen.startsWith("done"))
                return;
            const QByteArray accept = acceptFor(seen);
            // unmasked text frames from the server side
            peer->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                        + accept + "\r\n\r\n" + maskedFrame(0x1, "first", false)
                        + maskedFrame(0x1, "second", false));
            seen = "done";
        });
    });
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(raw.serverPort()))}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(text.size(), 2);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("first"));
    QCOMPARE(text.at(1).at(0).toString(), QStringLiteral("second"));
}

void TestGateway::backendAnswers_data()
{
    QTest::addColumn<QByteArray>("answer"); // {accept}: the right Sec-WebSocket-Accept
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("why");
    const QByteArray upgrade = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n";
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n") << 502
                              << QByteArray("not HTTP");
    QTest::newRow("status not a number")
        << QByteArray("HTTP/1.1 1O1 Switching\r\n\r\n") << 502 << QByteArray("not HTTP");
    QTest::newRow("redirect") << QByteArray("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n") << 502
                              << QByteArray("302 Found instead of upgrading");
    QTest::newRow("no Upgrade header")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: {accept}\r\n\r\n")
        << 502 << QByteArray("without a WebSocket upgrade");
    QTest::newRow("wrong accept") << QByteArray(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: c2VjcmV0\r\n\r\n")
                                  << 502 << QByteArray("wrong Sec-WebSocket-Accept");
    QTest::newRow("extension not offered")
        << upgrade + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
        << 502 << QByteArray("extension");
    QTest::newRow("subprotocol not offered") << upgrade + "Sec-WebSocket-Protocol: mqtt\r\n\r\n"
                                             << 502 << QByteArray("subprotocol 'mqtt'");
    QTest::newRow("header names in any case, token lists")
        << QByteArray("HTTP/1.1 101 OK\r\nuPgRaDe: WebSocket\r\n"
                      "connection: keep-alive, Upgrade\r\nsec-websocket-ACCEPT:  {accept} \r\n\r\n")
        << 101 << QByteArray();
}

// What the backend answers to the gateway's upgrade: anything but a proper 101 is
// a 502 for the client, with the reason in the body.
void TestGateway::backendAnswers()
{
    QFETCH(QByteArray, answer);
    QFETCH(int, status);
    QFETCH(QByteArray, why);
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    connect(&raw, &QTcpServer::newConnection, this, [&raw, answer] {
        QTcpSocket *peer = raw.nextPendingConnection();
        auto seen = std::make_shared<QByteArray>();
        connect(peer, &QTcpSocket::readyRead, peer, [peer, seen, answer] {
            *seen += peer->readAll();
            if (!seen->contains("\r\n\r\n"))
                return;
            const QByteArray accept = acceptFor(*seen);
            peer->write(QByteArray(answer).replace("{accept}", accept));
            seen->clear();
        });
    });
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(raw.serverPort()))}));
    const bool upgraded = status == 101; // (then the connection stays open)
    const HttpAnswer a = rawRequest(m_gateway->serverPort(),
                                    upgradeRequest("/chats/1.0.0/notifications"), 5000, !upgraded);
    QCOMPARE(a.status, status);
    if (!upgraded)
        QVERIFY2(a.body.contains(why), a.body.constData());
}

void TestGateway::backendConnectPending504()
{
    // A backend whose accept queue is full drops the gateway's SYN: the connect stays
    // in progress (the request waits for a writable socket) until the backend timeout.
    sockaddr_in address {};
    const int listening = listenOnLoopback(0, false, &address);
    QVERIFY2(listening >= 0, strerror(errno));
    const auto closeListening = qScopeGuard([listening] { ::close(listening); });
    // fill the accept queue (never accepted)
    std::vector<int> fillers;
    const auto closeFillers = qScopeGuard([&fillers] {
        for (int fd : fillers)
            ::close(fd);
    });
    for (int i = 0; i < 3; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
        fillers.push_back(fd);
    }
    QTest::qWait(50);

    GatewayOptions o;
    o.backendTimeoutMs = 400;
    QVERIFY(startGateway(
        {chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(ntohs(address.sin_port)))}, o));
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 504);
    QVERIFY2(a.body.contains("did not answer within 400 ms"), a.body.constData());
    QTRY_COMPARE(m_gateway->pendingHandshakes(), 0);
    // and the gateway still serves
    m_gateway.reset();
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
}

void TestGateway::clientGoneWhileBackendConnects()
{
    QTcpServer silent; // accepts TCP, never answers the upgrade
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> accepted;
    connect(&silent, &QTcpServer::newConnection, this, [&silent, &accepted] {
        while (QTcpSocket *s = silent.nextPendingConnection())
            accepted.append(s);
    });
    GatewayOptions o;
    o.backendTimeoutMs = 20000; // the client leaves long before
    QVERIFY(
        startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort()))}, o));
    {
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
        QVERIFY(client.waitForConnected(5000));
        client.write(upgradeRequest("/chats/1.0.0/notifications"));
        QTRY_COMPARE(accepted.size(), 1);
        QTRY_VERIFY(accepted.at(0)->bytesAvailable() > 0); // the upgrade request arrived
        QCOMPARE(m_gateway->pendingHandshakes(), 1);
        client.abort();
    }
    QTRY_COMPARE(m_sink->count(GatewayEvent::Type::ConnectionRejected), 1);
    const GatewayEvent e = m_sink->of(GatewayEvent::Type::ConnectionRejected).at(0);
    QVERIFY2(e.reason.contains(u"while the backend was being connected"), qPrintable(e.reason));
    // the gateway closed its backend connection too
    QTRY_COMPARE(accepted.at(0)->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(m_gateway->pendingHandshakes(), 0);
    qDeleteAll(accepted);
}

void TestGateway::stopDuringHandshake503_data()
{
    QTest::addColumn<bool>("requestComplete");
    QTest::newRow("reading the request") << false;
    QTest::newRow("connecting the backend") << true;
}

void TestGateway::stopDuringHandshake503()
{
    QFETCH(bool, requestComplete);
    QTcpServer silent; // accepts TCP, never answers the upgrade
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> accepted;
    connect(&silent, &QTcpServer::newConnection, this, [&silent, &accepted] {
        while (QTcpSocket *s = silent.nextPendingConnection())
            accepted.append(s);
    });
    const auto deleteAccepted = qScopeGuard([&accepted] { qDeleteAll(accepted); });
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort()))}));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(client.waitForConnected(5000));
    if (requestComplete) {
        client.write(upgradeRequest("/chats/1.0.0/notifications"));
        QTRY_COMPARE(accepted.size(), 1);
    } else {
        client.write("GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\n");
    }
    QTRY_COMPARE(m_gateway->pendingHandshakes(), 1);
    QSignalSpy stopped(m_gateway.get(), &Gatehouse::Gateway::Gateway::stopped);
    m_gateway->stop();
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += client.readAll();
        return client.state() == QAbstractSocket::UnconnectedState;
    }));
    data += client.readAll();
    QVERIFY2(data.startsWith("HTTP/1.1 503 "), data.constData());
    QTRY_COMPARE(stopped.size(), 1);
    QCOMPARE(m_gateway->pendingHandshakes(), 0);
    if (requestComplete) // the backend connection in progress was closed too
        QTRY_COMPARE(accepted.at(0)->state(), QAbstractSocket::UnconnectedState);
}

void TestGateway::requestInSmallPieces()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const QByteArray request
        = upgradeRequest("/chats/1.0.0/notifications?a=1", "Sec-WebSocket-Protocol: chat.v2\r\n");
    QByteArray data;
    for (qsizetype i = 0; i < request.size(); i += 7) {
        socket.write(request.mid(i, 7));
        QVERIFY(socket.waitForBytesWritten(1000));
        QTest::qWait(2); // separate segments, separate reads
        data += socket.readAll();
        if (i + 7 < request.size()) // nothing before the request is complete
            QVERIFY2(data.isEmpty(), data.constData());
    }
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n");
    }));
    QVERIFY2(data.startsWith("HTTP/1.1 101 "), data.constData());
    QVERIFY(data.contains("Sec-WebSocket-Protocol: chat.v2\r\n"));
    QCOMPARE(m_backend->requests.size(), 1);
    QCOMPARE(m_backend->requests.at(0).url().query(), QStringLiteral("a=1"));
    data = data.mid(data.indexOf("\r\n\r\n") + 4);
    socket.write(maskedFrame(0x1, "in pieces"));
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("in pieces");
    }));
    QCOMPARE(m_gateway->openConnections(), 1);
}

void TestGateway::largeRejectionDeliveredWhole()
{
    // a rejection far larger than the socket buffers, to a client that reads late:
    // the gateway waits for room and sends all of it before closing
    QVERIFY(startGateway({chatsApi(m_backend->url(), QStringLiteral("Secured"))}));
    QTcpSocket socket;
    socket.setReadBufferSize(1); // the test reads; the kernel holds the rest
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(upgradeRequest("/chats/1.0.0/notifications", "X-Test-Key: huge\r\n"));
    QVERIFY(socket.waitForBytesWritten(1000));
    QTest::qWait(300); // the gateway fills the buffers and waits
    socket.setReadBufferSize(0);
    QByteArray data;
    QVERIFY(waitFor(
        [&] {
            data += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        20000));
    data += socket.readAll();
    const qsizetype end = data.indexOf("\r\n\r\n");
    QVERIFY(end > 0);
    QVERIFY2(data.startsWith("HTTP/1.1 403 "), data.left(100).constData());
    const QByteArray body = data.mid(end + 4);
    QCOMPARE(body.size(), 8 * 1024 * 1024 + 1);
    QVERIFY(data.left(end).contains("Content-Length: 8388609"));
    QCOMPARE(body.count('h'), 8 * 1024 * 1024);
    QTRY_COMPARE(m_gateway->pendingHandshakes(), 0);
}

void TestGateway::subprotocolNegotiated()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"),
                                {QStringLiteral("chat.v1"), QStringLiteral("chat.v2")});
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(ws->subprotocol(), QStringLiteral("chat.v2"));
    QCOMPARE(m_backend->protocols.value(0), QStringLiteral("chat.v2"));

    QWebSocket *none
        = openClient(QStringLiteral("/chats/1.0.0/notifications"), {QStringLiteral("other")});
    QTRY_COMPARE(none->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(none->subprotocol(), QString());
}

void TestGateway::forwardsOriginAndXForwardedFor()
{
    Api api = chatsApi(m_backend->url());
    api.gatehouse.raw = Json {{"forwardHeaders", Json::array({"X-Trace"})}};
    QVERIFY(startGateway({api}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"), {},
                                {{"Origin", "http://example.test"},
                                 {"X-Trace", "t-1"},
                                 {"Authorization", "Bearer secret"},
                                 {"X-Other", "no"}});
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    const QNetworkRequest &r = m_backend->requests.at(0);
    QCOMPARE(r.rawHeader("Origin"), QByteArray("http://example.test"));
    QCOMPARE(r.rawHeader("X-Forwarded-For"), QByteArray("127.0.0.1"));
    QCOMPARE(r.rawHeader("X-Trace"), QByteArray("t-1"));
    QVERIFY(!r.hasRawHeader("Authorization"));
    QVERIFY(!r.hasRawHeader("X-Other"));
}

void TestGateway::clientAddressByListenerFamily_data()
{
    QTest::addColumn<QHostAddress>("listen");
    QTest::addColumn<QString>("connectTo");
    QTest::addColumn<QByteArray>("forwardedFor");
    QTest::newRow("ipv4") << QHostAddress(QHostAddress::LocalHost) << QStringLiteral("127.0.0.1")
                          << QByteArray("127.0.0.1");
    QTest::newRow("ipv6") << QHostAddress(QHostAddress::LocalHostIPv6) << QStringLiteral("[::1]")
                          << QByteArray("::1");
    // a dual-stack listener sees an IPv4 client as ::ffff:127.0.0.1
    QTest::newRow("dual-stack") << QHostAddress(QHostAddress::Any) << QStringLiteral("127.0.0.1")
                                << QByteArray("127.0.0.1");
}

void TestGateway::clientAddressByListenerFamily()
{
    QFETCH(QHostAddress, listen);
    QFETCH(QString, connectTo);
    QFETCH(QByteArray, forwardedFor);
    {
        QTcpServer probe;
        if (!probe.listen(listen, 0))
            QSKIP("this address family is not available here");
    }
    GatewayOptions options;
    options.workerThreads = 2;
    m_gateway->setOptions(options);
    m_gateway->addEventSink(m_sink);
    m_gateway->setPolicyProvider(m_provider);
    ListenerConfig l;
    l.address = listen;
    l.port = 0;
    QVERIFY2(m_gateway->start({l}, {chatsApi(m_backend->url())}),
             qPrintable(m_gateway->errorString()));
    auto *ws = new QWebSocket;
    m_clients.append(ws);
    ws->open(QUrl(QStringLiteral("ws://%1:%2/chats/1.0.0/notifications")
                      .arg(connectTo)
                      .arg(m_gateway->serverPort())));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_backend->requests.value(0).rawHeader("X-Forwarded-For"), forwardedFor);
    ws->close();
    QTRY_COMPARE(m_sink->count(GatewayEvent::Type::ConnectionClosed), 1);
    const GatewayEvent opened = m_sink->of(GatewayEvent::Type::ConnectionOpened).value(0);
    QVERIFY2(opened.details().clientAddress.startsWith(QString::fromLatin1(forwardedFor) + u':'),
             qPrintable(opened.details().clientAddress));
}

void TestGateway::closeFromClientPropagates()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    // (codes above 1023 cannot be used through QWebSocket's CloseCode enum without
    // undefined behaviour; the raw-frame tests cover application codes)
    ws->close(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("bye now"));
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(m_backend->closeCodes.at(0), 1003);
    QCOMPARE(m_backend->closeReasons.at(0), QStringLiteral("bye now"));
    QTRY_COMPARE(disconnected.size(), 1);
    QTRY_COMPARE(m_gateway->openConnections(), 0);
}

void TestGateway::closeEndsWhenPeersCloseTcp()
{
    // After the close frames, the connection ends when the peers close TCP, not when
    // the close timeout gives up on them (set far beyond QTRY's patience here).
    GatewayOptions o;
    o.closeTimeoutMs = 60000;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("done"));
    QTRY_COMPARE(m_sink->of(GatewayEvent::Type::ConnectionClosed).size(), 1);
    QCOMPARE(m_sink->of(GatewayEvent::Type::ConnectionClosed).at(0).closeCode, quint16(1000));
}

void TestGateway::closeFromBackendPropagates()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    ws->sendTextMessage(QStringLiteral("close:1011:backend says bye"));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(int(ws->closeCode()), 1011);
    QCOMPARE(ws->closeReason(), QStringLiteral("backend says bye"));
    QTRY_COMPARE(m_gateway->openConnections(), 0);
}

void TestGateway::applicationCloseCodeFromRawClient()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n");
    }));
    QTRY_COMPARE(m_backend->sockets.size(), 1);
    QByteArray payload(2, '\0');
    qToBigEndian<quint16>(4000, payload.data());
    payload += "app done";
    socket.write(maskedFrame(0x8, payload));
    data.clear();
    // the gateway echoes the close and then closes TCP
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }));
    data += socket.readAll();
    QVERIFY(data.size() >= 4);
    QCOMPARE(quint8(data.at(0)), quint8(0x88));
    QCOMPARE(int(qFromBigEndian<quint16>(data.constData() + 2)), 4000);
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(m_backend->closeCodes.at(0), 4000);
    QCOMPARE(m_backend->closeReasons.at(0), QStringLiteral("app done"));
}

void TestGateway::messagePolicies()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("drop"));
    ws->sendTextMessage(QStringLiteral("shout"));
    QTRY_COMPARE(text.size(), 2);
    QCOMPARE(text.at(0).at(0).toString(),
             QStringLiteral("{\"error\":4003,\"reason\":\"dropped\"}"));
    QCOMPARE(text.at(1).at(0).toString(), QStringLiteral("SHOUT"));
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    ws->sendTextMessage(QStringLiteral("kill"));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(int(ws->closeCode()), 1008);
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(int(m_backend->closeCodes.at(0)), 1001);
}

void TestGateway::sizeLimitCloses1009()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    ws->sendBinaryMessage(QByteArray(2 * 1024 * 1024, 'z')); // limit is 1 MiB client->backend
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(int(ws->closeCode()), 1009);
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(int(m_backend->closeCodes.at(0)), 1001);
}

void TestGateway::delayedMessagesKeepOrder()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("slow 1"));
    ws->sendTextMessage(QStringLiteral("fast 2"));
    ws->sendTextMessage(QStringLiteral("slow 3"));
    QTRY_COMPARE(text.size(), 3);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("slow 1"));
    QCOMPARE(text.at(1).at(0).toString(), QStringLiteral("fast 2")); // waited behind "slow 1"
    QCOMPARE(text.at(2).at(0).toString(), QStringLiteral("slow 3"));
}

void TestGateway::framesSentBeforeUpgradeAreRelayed()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    // request and two frames in one write, before the backend is even connected
    socket.write(upgradeRequest("/chats/1.0.0/notifications") + maskedFrame(0x1, "early one")
                 + maskedFrame(0x1, "early two"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("early one") && data.contains("early two");
    }));
    QVERIFY(data.startsWith("HTTP/1.1 101"));
    QVERIFY(data.indexOf("early one") < data.indexOf("early two"));
}

void TestGateway::protocolErrors_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<int>("expectedCode");
    QTest::newRow("unmasked") << maskedFrame(0x1, "hi", false) << 1002;
    QTest::newRow("invalid-utf8") << maskedFrame(0x1, QByteArray("\xc3\x28", 2)) << 1007;
    QByteArray badClose(2, '\0');
    qToBigEndian<quint16>(999, badClose.data());
    QTest::newRow("invalid-close-code") << maskedFrame(0x8, badClose) << 1002;
    QByteArray reserved(2, '\0');
    qToBigEndian<quint16>(1006, reserved.data());
    QTest::newRow("reserved-close-code") << maskedFrame(0x8, reserved) << 1002;
    QTest::newRow("unknown-opcode") << maskedFrame(0x3, "x") << 1002;
    QTest::newRow("continuation-first") << maskedFrame(0x0, "x") << 1002;
}

void TestGateway::protocolErrors()
{
    QFETCH(QByteArray, frames);
    QFETCH(int, expectedCode);
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n");
    }));
    QVERIFY(data.startsWith("HTTP/1.1 101"));
    data = data.mid(data.indexOf("\r\n\r\n") + 4);
    socket.write(frames);
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }));
    data += socket.readAll();
    QVERIFY(data.size() >= 4);
    QCOMPARE(quint8(data.at(0)), quint8(0x88)); // close frame
    QCOMPARE(int(qFromBigEndian<quint16>(data.constData() + 2)), expectedCode);
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(int(m_backend->closeCodes.at(0)), 1001);
}

void TestGateway::backpressureBoundsMemory()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    // a client that upgrades and then does not read
    QTcpSocket socket;
    socket.setReadBufferSize(64 * 1024);
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.read(4096);
        return data.contains("\r\n\r\n");
    }));
    QTRY_COMPARE(m_backend->sockets.size(), 1);
    QWebSocket *backendSide = m_backend->sockets.at(0);

    const qint64 total = 256LL * 256 * 1024; // 64 MiB
    socket.write(maskedFrame(0x1, "flood:256:262144"));
    QTRY_VERIFY(backendSide->bytesToWrite() > 0);
    // let the transfer run as far as it can while the client does not read
    QTest::qWait(1500);
    const qint64 stuck = backendSide->bytesToWrite();
    // what is not stuck at the backend sits in the gateway and kernel buffers: bounded
    QVERIFY2(stuck > total - 24 * 1024 * 1024,
             qPrintable(QStringLiteral("backend could push %1 bytes").arg(total - stuck)));

    // now read everything: all of it arrives
    qint64 received = data.size() - (data.indexOf("\r\n\r\n") + 4);
    QVERIFY(waitFor(
        [&] {
            received += socket.readAll().size();
            return received >= total;
        },
        60000));
    QTRY_COMPARE(backendSide->bytesToWrite(), 0);
}

void TestGateway::stopClosesWith1001()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QList<QWebSocket *> clients;
    for (int i = 0; i < 3; ++i)
        clients.append(openClient(QStringLiteral("/chats/1.0.0/rooms/r%1").arg(i)));
    for (QWebSocket *ws : clients)
        QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QSignalSpy stopped(m_gateway.get(), &Gatehouse::Gateway::Gateway::stopped);
    m_gateway->stop();
    QTRY_COMPARE(stopped.size(), 1);
    QCOMPARE(stopped.at(0).at(0).toInt(), 3);
    for (QWebSocket *ws : clients) {
        QTRY_COMPARE(ws->state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(int(ws->closeCode()), 1001);
    }
    QTRY_COMPARE(m_backend->closeCodes.size(), 3);
    for (auto code : m_backend->closeCodes)
        QCOMPARE(int(code), 1001);
    QVERIFY(!m_gateway->isRunning());
    // not listening any more
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(!probe.waitForConnected(1000) || m_gateway->serverPort() == 0);
}

void TestGateway::reloadKeepsOpenConnections()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *old = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy oldText(old, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(old->state(), QAbstractSocket::ConnectedState);

    Api v2 = chatsApi(m_backend->url(), QStringLiteral("Chats"), QStringLiteral("/talk"));
    QVERIFY2(m_gateway->reload({v2}), qPrintable(m_gateway->errorString()));
    old->sendTextMessage(QStringLiteral("still here"));
    QTRY_COMPARE(oldText.size(), 1);
    QCOMPARE(old->state(), QAbstractSocket::ConnectedState);

    QWebSocket *fresh = openClient(QStringLiteral("/talk/1.0.0/notifications"));
    QTRY_COMPARE(fresh->state(), QAbstractSocket::ConnectedState);
    const HttpAnswer a
        = rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"));
    QCOMPARE(a.status, 404);

    Api broken = v2;
    broken.gatehouse.endpoint.clear();
    QVERIFY(!m_gateway->reload({broken}));
    QVERIFY(m_gateway->errorString().contains(u"endpoint"));
    QWebSocket *still = openClient(QStringLiteral("/talk/1.0.0/notifications"));
    QTRY_COMPARE(still->state(), QAbstractSocket::ConnectedState);
}

void TestGateway::acceptResumesAfterRunningOutOfDescriptors()
{
    // With no descriptor left the listener refuses connections with the descriptor
    // it keeps in reserve (closed at once: these sent no request yet) instead of
    // leaving them in the backlog; once descriptors are free, it serves again.
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    // one connection served first: a sanitizer build checks a virtual call's type
    // once per type, and that check needs a descriptor of its own (a pipe), so the
    // first call under the limit would be reported as an invalid object
    QCOMPARE(rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/notifications"), 5000,
                        false)
                 .status,
             101);
    QTRY_COMPARE(m_gateway->openConnections(), 0);
    const sockaddr_in address = loopbackAddress(m_gateway->serverPort());
    std::vector<int> clients;
    const auto closeClients = qScopeGuard([&clients] {
        for (int fd : clients)
            ::close(fd);
    });
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        clients.push_back(fd);
    }
    QTest::qWait(200); // what earlier tests left to close is closed first
    DescriptorLimit limit(0); // every new descriptor fails now (EMFILE)
    QVERIFY(limit.isActive());
    bool connected = true;
    QList<ssize_t> reads;
    for (int fd : std::span(clients).first(3)) { // connecting needs no new descriptor
        connected = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0
            && connected;
        const timeval timeout {10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        char buffer[64] = {};
        reads.append(::read(fd, buffer, sizeof buffer)); // 0: closed by the gateway
    }
    int attempt = ::dup(0);
    if (attempt >= 0) {
        // the gateway's reserve, caught between the close of the connection it
        // refused and the reserve's reopening (a slow build shows it): no other
        // descriptor may be free
        limit.takeHole(attempt);
        attempt = ::dup(0);
    }
    limit.restore();
    if (attempt >= 0)
        ::close(attempt);
    QVERIFY(connected);
    QCOMPARE(attempt, -1); // the limit was in force
    QCOMPARE(reads, QList<ssize_t>({0, 0, 0}));
    QCOMPARE(m_gateway->pendingHandshakes(), 0);

    const int fd = clients.back();
    QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    const QByteArray request = "GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\n\r\n";
    QCOMPARE(::write(fd, request.constData(), size_t(request.size())), request.size());
    const timeval timeout {10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[64] = {};
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    QVERIFY2(n > 0, "no answer after descriptors were free again");
    QVERIFY2(QByteArray(buffer).startsWith("HTTP/1.1 426 "), buffer);
}

void TestGateway::backendWithoutDescriptorCountsAsRefusal()
{
    // One descriptor left: the listener accepts the connection with it, and then its
    // backend connection finds none. The client gets 503, and the refusal is counted
    // with the listeners' own (descriptorLimitRefusals(), the metric and warning).
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    const QByteArray request = upgradeRequest("/chats/1.0.0/notifications");
    // served once first (see acceptResumesAfterRunningOutOfDescriptors), then let go
    QCOMPARE(rawRequest(m_gateway->serverPort(), request, 5000, false).status, 101);
    QTRY_COMPARE(m_gateway->openConnections(), 0);
    QTest::qWait(200);
    const quint64 before = m_gateway->descriptorLimitRefusals();

    const sockaddr_in address = loopbackAddress(m_gateway->serverPort());
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(client >= 0);
    const auto closeClient = qScopeGuard([client] { ::close(client); });
    DescriptorLimit limit(1); // the one left: the listener takes it
    QVERIFY(limit.isActive());

    const bool connected
        = ::connect(client, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    const bool sent = connected
        && ::write(client, request.constData(), size_t(request.size())) == request.size();
    const timeval timeout {10, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[64] = {};
    const ssize_t n = sent ? ::read(client, buffer, sizeof buffer - 1) : -1;
    limit.restore();
    QVERIFY(connected && sent);
    QVERIFY2(n > 0 && QByteArray(buffer).startsWith("HTTP/1.1 503 "), buffer);
    QCOMPARE(m_gateway->descriptorLimitRefusals(), before + 1);
}

void TestGateway::manyConnectionsDropped()
{
    // 10,000 connections opened and dropped at once (half reset right away, half
    // after a partial request), in batches when the descriptor limit requires it:
    // both ends live in this process, so each connection costs two descriptors.
    rlimit limit {};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    const int total = 10000;
    const int batch = limit.rlim_cur == RLIM_INFINITY
        ? total
        : int(qBound<rlim_t>(100, limit.rlim_cur > 1300 ? (limit.rlim_cur - 1000) / 3 : 100,
                             rlim_t(total)));

    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    const sockaddr_in address = loopbackAddress(m_gateway->serverPort());

    int opened = 0;
    for (int done = 0; done < total;) {
        const int n = qMin(batch, total - done);
        std::vector<pollfd> fds;
        fds.reserve(size_t(n));
        for (int i = 0; i < n; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            QVERIFY2(fd >= 0, strerror(errno));
            const int r
                = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
            QVERIFY2(r == 0 || errno == EINPROGRESS, strerror(errno));
            fds.push_back({fd, POLLOUT, 0});
            if (i % 128 == 127)
                QCoreApplication::processEvents(); // (the gateway object lives in this thread)
        }
        // wait until every connect finished (connected or failed)
        std::vector<bool> finished(fds.size(), false);
        int waiting = n;
        QDeadlineTimer deadline(20000);
        while (waiting > 0 && !deadline.hasExpired()) {
            std::vector<pollfd> pending;
            std::vector<size_t> which;
            for (size_t i = 0; i < fds.size(); ++i)
                if (!finished[i]) {
                    pending.push_back(fds[i]);
                    which.push_back(i);
                }
            ::poll(pending.data(), nfds_t(pending.size()), 10);
            for (size_t k = 0; k < pending.size(); ++k)
                if (pending[k].revents) {
                    finished[which[k]] = true;
                    --waiting;
                }
            QCoreApplication::processEvents();
        }
        QCOMPARE(waiting, 0);
        // drop them all at once
        for (size_t i = 0; i < fds.size(); ++i) {
            const int fd = fds[i].fd;
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error == 0)
                ++opened;
            if (i % 2) {
                const char partial[] = "GET /chats/1.0.0/noti";
                QVERIFY(::write(fd, partial, sizeof partial - 1) > 0 || error != 0);
            } else {
                const linger reset {1, 0};
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            }
            ::close(fd);
        }
        done += n;
        // every session of this batch is gone before the next one opens
        QVERIFY2(waitFor(
                     [&] {
                         return m_sink->count(GatewayEvent::Type::ConnectionRejected) == opened
                             && m_gateway->pendingHandshakes() == 0;
                     },
                     20000),
                 qPrintable(QStringLiteral("%1 opened, %2 rejected, %3 sessions left")
                                .arg(opened)
                                .arg(m_sink->count(GatewayEvent::Type::ConnectionRejected))
                                .arg(m_gateway->pendingHandshakes())));
    }
    QCOMPARE(opened, total);

    // and a normal client is still served
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 10000);
    ws->sendTextMessage(QStringLiteral("alive"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(m_gateway->openConnections(), 1);
    ws->close();
    QTRY_COMPARE(m_gateway->openConnections(), 0);
    QCOMPARE(m_gateway->pendingHandshakes(), 0);
    QCOMPARE(m_sink->count(GatewayEvent::Type::ConnectionRejected), total);
}

// 5,000 clients that open a connection and stall half way through the handshake
// (some sent part of a request, some nothing, some part and then shut their side)
// hold the gateway only until the handshake timeout: each gets its 408 and every
// session is released.
void TestGateway::manyStalledHandshakesReleased()
{
    rlimit limit {};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    // both ends live in this process: two descriptors per connection
    const int total = limit.rlim_cur == RLIM_INFINITY
        ? 5000
        : int(qBound<rlim_t>(100, (limit.rlim_cur - 1000) / 2, 5000));

    GatewayOptions o;
    o.handshakeTimeoutMs = 2000;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    const sockaddr_in address = loopbackAddress(m_gateway->serverPort());

    std::vector<int> fds;
    auto closeAll = qScopeGuard([&] {
        for (int fd : fds)
            ::close(fd);
    });
    for (int i = 0; i < total; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        QVERIFY2(fd >= 0, strerror(errno));
        fds.push_back(fd);
        const int r = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
        QVERIFY2(r == 0 || errno == EINPROGRESS, strerror(errno));
        if (i % 128 == 127)
            QCoreApplication::processEvents();
    }
    for (int i = 0; i < total; ++i) {
        pollfd p {fds[size_t(i)], POLLOUT, 0};
        QDeadlineTimer deadline(20000);
        while (::poll(&p, 1, 0) == 0 && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QVERIFY(p.revents & POLLOUT);
        const char partial[] = "GET /chats/1.0.0/noti";
        if (i % 3 != 1)
            QVERIFY(::write(fds[size_t(i)], partial, sizeof partial - 1) > 0);
        if (i % 3 == 2)
            ::shutdown(fds[size_t(i)], SHUT_WR);
    }
    QVERIFY2(waitFor(
                 [&] {
                     return m_sink->count(GatewayEvent::Type::ConnectionRejected) == total
                         && m_gateway->pendingHandshakes() == 0;
                 },
                 30000),
             qPrintable(QStringLiteral("%1 connections, %2 rejected, %3 sessions left")
                            .arg(total)
                            .arg(m_sink->count(GatewayEvent::Type::ConnectionRejected))
                            .arg(m_gateway->pendingHandshakes())));
    int timedOut = 0;
    for (const GatewayEvent &e : m_sink->of(GatewayEvent::Type::ConnectionRejected))
        timedOut += e.status == 408 ? 1 : 0;
    QVERIFY2(timedOut >= total * 2 / 3, qPrintable(QString::number(timedOut)));
    // the clients that are still there read their 408
    int answered = 0;
    for (size_t i = 0; i < fds.size(); i += 3) {
        char head[16] = {};
        if (::recv(fds[i], head, sizeof head - 1, 0) > 0
            && QByteArrayView(head).startsWith("HTTP/1.1 408"))
            ++answered;
    }
    QCOMPARE(answered, int((fds.size() + 2) / 3));
    QCOMPARE(m_gateway->openConnections(), 0);
}

void TestGateway::pingsForwardedOnlyWhenAsked_data()
{
    QTest::addColumn<bool>("forward");
    QTest::newRow("answered only") << false;
    QTest::newRow("forwarded") << true;
}

void TestGateway::pingsForwardedOnlyWhenAsked()
{
    QFETCH(bool, forward);
    GatewayOptions o;
    o.forwardPings = forward;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(m_backend->sockets.size(), 1);
    QWebSocket *backendSide = m_backend->sockets.at(0);
    QSignalSpy clientPong(ws, &QWebSocket::pong);
    QSignalSpy backendPong(backendSide, &QWebSocket::pong);
    // each leg answers pings itself (QWebSocket does not report pings it receives,
    // so forwarding is observed through a raw backend below)
    ws->ping("from-client");
    backendSide->ping("from-backend");
    QTRY_COMPARE(clientPong.size(), 1);
    QTRY_COMPARE(backendPong.size(), 1);
    QCOMPARE(clientPong.at(0).at(1).toByteArray(), QByteArray("from-client"));
    QCOMPARE(backendPong.at(0).at(1).toByteArray(), QByteArray("from-backend"));
    if (forward) { // forwarded pings are logged, one event per ping and direction
        QTRY_COMPARE(m_sink->count(GatewayEvent::Type::PingForwarded), 2);
        const auto pings = m_sink->of(GatewayEvent::Type::PingForwarded);
        QCOMPARE(pings.at(0).direction == Direction::ClientToBackend ? pings.at(0).size
                                                                     : pings.at(1).size,
                 qint64(11)); // "from-client"
        QVERIFY(pings.at(0).direction != pings.at(1).direction);
    }

    // a raw backend shows whether the client's ping reached it
    QByteArray seen;
    QTcpSocket *rawPeer = nullptr;
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    connect(&raw, &QTcpServer::newConnection, this, [&] {
        rawPeer = raw.nextPendingConnection();
        connect(rawPeer, &QTcpSocket::readyRead, this, [&] {
            seen += rawPeer->readAll();
            if (seen.contains("\r\n\r\n") && !seen.startsWith("done")) {
                const QByteArray accept = acceptFor(seen);
                rawPeer->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                               + accept + "\r\n\r\n");
                seen = "done";
            }
        });
    });
    m_gateway.reset();
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    QVERIFY(startGateway({chatsApi(QStringLiteral("ws://127.0.0.1:%1").arg(raw.serverPort()))}, o));
    QWebSocket *second = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(second->state(), QAbstractSocket::ConnectedState);
    QSignalSpy secondPong(second, &QWebSocket::pong);
    second->ping("keep-me");
    QTRY_COMPARE(secondPong.size(), 1); // answered by the gateway either way
    second->sendTextMessage(QStringLiteral("marker"));
    // the gateway masks what it sends to the backend: look for the opcode bytes
    QVERIFY(waitFor([&] { return seen.size() > 4 && seen.contains(char(0x81)); }));
    const bool pingSeen = seen.mid(4).startsWith(char(0x89));
    QCOMPARE(pingSeen, forward);
    if (!forward)
        QCOMPARE(m_sink->count(GatewayEvent::Type::PingForwarded), 0);
}

void TestGateway::idleTimeoutKeepsAnsweringPeers()
{
    GatewayOptions o;
    o.idleTimeoutMs = 400;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    // both peers (QWebSocket) answer the keep-alive pings: no close over five periods
    QTest::qWait(2000);
    QCOMPARE(disconnected.size(), 0);
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    ws->sendTextMessage(QStringLiteral("still here"));
    QTRY_COMPARE(text.size(), 1);
}

void TestGateway::idleTimeoutClosesSilentClient()
{
    GatewayOptions o;
    o.idleTimeoutMs = 150;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    // a raw client that completes the upgrade and then never answers anything
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n");
    }));
    QVERIFY(data.startsWith("HTTP/1.1 101"));
    data = data.mid(data.indexOf("\r\n\r\n") + 4);
    QTRY_COMPARE(m_backend->sockets.size(), 1);
    QVERIFY(waitFor(
        [&] {
            data += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000));
    data += socket.readAll();
    // first a keep-alive ping, then close 1001 "idle timeout"
    QVERIFY(data.size() >= 2);
    QCOMPARE(quint8(data.at(0)), quint8(0x89));
    const qsizetype close = data.indexOf(char(0x88));
    QVERIFY(close > 0);
    QCOMPARE(int(qFromBigEndian<quint16>(data.constData() + close + 2)), 1001);
    QVERIFY(data.mid(close + 4).startsWith("idle timeout"));
    // the backend gets 1001 too
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(m_backend->closeCodes.at(0), 1001);
    QCOMPARE(m_backend->closeReasons.at(0), QStringLiteral("idle timeout"));
    QTRY_COMPARE(m_gateway->openConnections(), 0);
    QTRY_COMPARE(m_sink->of(GatewayEvent::Type::ConnectionClosed).size(), 1);
    QCOMPARE(m_sink->of(GatewayEvent::Type::ConnectionClosed).at(0).closeReason,
             QStringLiteral("idle timeout"));
}

void TestGateway::noIdleTimeoutByDefault()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n");
    }));
    data = data.mid(data.indexOf("\r\n\r\n") + 4);
    QTest::qWait(1000);
    data += socket.readAll();
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    QVERIFY(data.isEmpty()); // no pings, no close
}

void TestGateway::keepAliveFromXGatehouse()
{
    // the API's x-gatehouse idleTimeout overrides the gateway's (none here)
    Api api = chatsApi(m_backend->url());
    api.gatehouse.raw = Json::object();
    api.gatehouse.raw["idleTimeout"] = "150ms";
    QVERIFY(startGateway({api}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor(
        [&] {
            data += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000));
    data += socket.readAll();
    const qsizetype close = data.indexOf(char(0x88), data.indexOf("\r\n\r\n"));
    QVERIFY(close > 0);
    QCOMPARE(int(qFromBigEndian<quint16>(data.constData() + close + 2)), 1001);
    QVERIFY(data.mid(close + 4).startsWith("idle timeout"));

    // and 0 switches off the gateway's
    m_gateway.reset();
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    api.gatehouse.raw["idleTimeout"] = 0;
    GatewayOptions o;
    o.idleTimeoutMs = 100;
    QVERIFY(startGateway({api}, o));
    QTcpSocket second;
    second.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(waitFor([&] { return second.state() == QAbstractSocket::ConnectedState; }));
    second.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray head;
    QVERIFY(waitFor([&] {
        head += second.readAll();
        return head.contains("\r\n\r\n");
    }));
    QTest::qWait(600);
    QCOMPARE(second.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(second.readAll(), QByteArray()); // no ping
}

void TestGateway::badKeepAliveSettingsRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("jsonValue");
    QTest::newRow("idle-word") << QStringLiteral("idleTimeout") << QStringLiteral("\"soon\"");
    QTest::newRow("idle-negative") << QStringLiteral("idleTimeout") << QStringLiteral("-5");
    QTest::newRow("idle-huge") << QStringLiteral("idleTimeout")
                               << QStringLiteral("\"9999999999h\"");
    QTest::newRow("forward-string") << QStringLiteral("forwardPings") << QStringLiteral("\"yes\"");
}

void TestGateway::badKeepAliveSettingsRefused()
{
    QFETCH(QString, key);
    QFETCH(QString, jsonValue);
    Api api = chatsApi(m_backend->url());
    api.gatehouse.raw = Json::object();
    api.gatehouse.raw[key.toStdString()] = Json::parse(jsonValue.toStdString());
    m_gateway->setPolicyProvider(m_provider);
    ListenerConfig l;
    l.port = 0;
    QVERIFY(!m_gateway->start({l}, {api}));
    QVERIFY2(m_gateway->errorString().contains(QStringLiteral("x-gatehouse.") + key),
             qPrintable(m_gateway->errorString()));
}

void TestGateway::handshakeTimeout408()
{
    GatewayOptions o;
    o.handshakeTimeoutMs = 300;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    const HttpAnswer a = rawRequest(m_gateway->serverPort(),
                                    "GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\n");
    QCOMPARE(a.status, 408);
    QVERIFY(a.closed);
}

// A client that trickles its request (slowloris) is not given more time for it.
void TestGateway::handshakeTimeoutNotExtendedByTrickle()
{
    GatewayOptions o;
    o.handshakeTimeoutMs = 1000;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    QCOMPARE(GatewayOptions().handshakeTimeoutMs, 10000);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const QByteArray request = upgradeRequest("/chats/1.0.0/notifications");
    QElapsedTimer clock;
    clock.start();
    QByteArray answer;
    for (qsizetype i = 0; i < request.size() - 1 && clock.elapsed() < 8000; ++i) {
        if (socket.state() == QAbstractSocket::ConnectedState)
            socket.write(request.mid(i, 1));
        waitFor([&] { return false; }, 100); // one byte per 100 ms
        answer += socket.readAll();
        if (answer.contains("\r\n\r\n"))
            break;
    }
    QVERIFY2(answer.startsWith("HTTP/1.1 408 "), answer.constData());
    QVERIFY(clock.elapsed() < 5000); // long before the request would have been complete
}

void TestGateway::acceptsWhileCreatingThreadIsBusy()
{
    // The desktop app embeds the gateway in its GUI thread: accepting must not wait
    // for that thread. Here the creating thread blocks without processing events
    // while another thread asks for a non-upgrade request, which the gateway
    // answers (426) without the creating thread.
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    const quint16 port = m_gateway->serverPort();
    std::atomic<bool> answered {false};
    std::atomic<bool> done {false};
    QByteArray answer;
    std::thread client([&] {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const timeval timeout {5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        const sockaddr_in address = loopbackAddress(port);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0) {
            const char request[] = "GET /chats/1.0.0/notifications HTTP/1.1\r\nHost: x\r\n\r\n";
            if (::write(fd, request, sizeof request - 1) > 0) {
                char buffer[512];
                const ssize_t n = ::read(fd, buffer, sizeof buffer);
                if (n > 0) {
                    answer = QByteArray(buffer, qsizetype(n));
                    answered = true;
                }
            }
        }
        ::close(fd);
        done = true;
    });
    QDeadlineTimer deadline(6000);
    while (!done && !deadline.hasExpired())
        QThread::msleep(10); // busy "GUI thread": no events processed
    const bool answeredWhileBusy = answered;
    client.join();
    QVERIFY2(answeredWhileBusy, "no answer while the creating thread was busy");
    QVERIFY2(answer.startsWith("HTTP/1.1 426"), answer.constData());
}

void TestGateway::passedFindingsReachTheLog()
{
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("odd"));
    ws->sendTextMessage(QStringLiteral("plain"));
    QTRY_COMPARE(text.size(), 2); // both relayed (echoed)
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("odd"));
    QList<GatewayEvent> in;
    QTRY_VERIFY([&] {
        in.clear();
        for (const GatewayEvent &e : m_sink->of(GatewayEvent::Type::MessageRelayed))
            if (e.direction == Direction::ClientToBackend)
                in.append(e);
        return in.size() == 2;
    }());
    QCOMPARE(in.at(0).reason, QStringLiteral("looks odd"));
    QVERIFY(in.at(1).reason.isEmpty());
    QCOMPARE(m_sink->count(GatewayEvent::Type::MessageDropped), 0);
}

// Frames appended to a buffer that already holds bytes (as relay legs queue them)
// come out as encode() makes them and parse back to what was sent, masked or not.
void TestGateway::codecEncodesIntoABuffer()
{
    const QByteArray small("hello");
    const QByteArray medium(300, 'm'); // 16-bit length
    const QByteArray large(70000, 'L'); // 64-bit length
    WebSocketCodec server(WebSocketCodec::Role::Server);
    QByteArray out("xy");
    server.encodeTo(out, WebSocketCodec::Text, small);
    server.encodeTo(out, WebSocketCodec::Binary, medium);
    server.encodeTo(out, WebSocketCodec::Binary, large);
    QCOMPARE(out,
             QByteArray("xy") + server.encode(WebSocketCodec::Text, small)
                 + server.encode(WebSocketCodec::Binary, medium)
                 + server.encode(WebSocketCodec::Binary, large));

    WebSocketCodec client(WebSocketCodec::Role::Client);
    WebSocketCodec reader(WebSocketCodec::Role::Server); // reads what a client sends
    QByteArray masked;
    for (const QByteArray &payload : {small, medium, large})
        client.encodeTo(masked, WebSocketCodec::Text, payload);
    qsizetype offset = 0;
    for (const QByteArray &payload : {small, medium, large}) {
        WebSocketCodec::Frame frame;
        QCOMPARE(reader.parse(masked, &offset, -1, &frame), WebSocketCodec::Result::Frame);
        QCOMPARE(frame.opcode, quint8(WebSocketCodec::Text));
        QVERIFY(frame.fin);
        QCOMPARE(frame.payload, payload);
    }
    QCOMPARE(offset, masked.size());
}

void TestGateway::eventsRecorded()
{
    const qint64 startMs = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    rawRequest(m_gateway->serverPort(), upgradeRequest("/chats/1.0.0/nothing"));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/rooms/room1"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("12345"));
    QTRY_COMPARE(text.size(), 1);
    ws->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("done"));

    QTRY_COMPARE(m_sink->of(GatewayEvent::Type::ConnectionClosed).size(), 1);
    const auto rejected = m_sink->of(GatewayEvent::Type::ConnectionRejected);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(rejected.at(0).status, 404);
    QCOMPARE(rejected.at(0).details().path, QStringLiteral("/chats/1.0.0/nothing"));
    const auto opened = m_sink->of(GatewayEvent::Type::ConnectionOpened);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.at(0).details().api, QStringLiteral("/chats/1.0.0"));
    QCOMPARE(opened.at(0).details().channel, QStringLiteral("/rooms/{roomID}"));
    QVERIFY(opened.at(0).details().backendUrl.endsWith(u"/rooms?room=room1"));
    const auto messages = m_sink->of(GatewayEvent::Type::MessageRelayed);
    QCOMPARE(messages.size(), 2);
    QVERIFY(messages.at(0).direction == Direction::ClientToBackend);
    QCOMPARE(messages.at(0).size, 5);
    QVERIFY(messages.at(1).direction == Direction::BackendToClient);
    QCOMPARE(messages.at(0).connectionId, opened.at(0).connectionId);
    const auto closed = m_sink->of(GatewayEvent::Type::ConnectionClosed).at(0);
    QCOMPARE(closed.closeCode, quint16(1000));
    QCOMPARE(closed.closeReason, QStringLiteral("done"));
    QVERIFY(closed.closedBy == GatewayEvent::Party::Client);
    QCOMPARE(closed.messagesIn, 1);
    QCOMPARE(closed.messagesOut, 1);
    // wall-clock times (message events take theirs from the steady clock plus an
    // offset): within the test's time, in the order things happened
    const qint64 endMs = QDateTime::currentMSecsSinceEpoch();
    const QList<qint64> times = {rejected.at(0).timeMs, opened.at(0).timeMs, messages.at(0).timeMs,
                                 messages.at(1).timeMs, closed.timeMs};
    for (qsizetype i = 0; i < times.size(); ++i) {
        QVERIFY2(times.at(i) >= startMs - 1 && times.at(i) <= endMs + 1,
                 qPrintable(QStringLiteral("event %1 at %2, test from %3 to %4")
                                .arg(i)
                                .arg(times.at(i))
                                .arg(startMs)
                                .arg(endMs)));
        if (i > 0)
            QVERIFY(times.at(i) >= times.at(i - 1) - 1);
    }
    QVERIFY(messages.at(0).latencyUs >= 0 && messages.at(0).latencyUs < 10'000'000);
}

void TestGateway::secureListener()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString cert = dir.filePath(QStringLiteral("cert.pem"));
    const QString key = dir.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                   key, QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=localhost")});
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        QSKIP("openssl could not make a test certificate");

    m_gateway->setOptions([] {
        GatewayOptions o;
        o.workerThreads = 2;
        return o;
    }());
    m_gateway->addEventSink(m_sink);
    ListenerConfig l;
    l.port = 0;
    l.tls = true;
    l.certificateFile = cert;
    l.privateKeyFile = key;
    QVERIFY2(m_gateway->start({l}, {chatsApi(m_backend->url())}),
             qPrintable(m_gateway->errorString()));
    QCOMPARE(m_gateway->listeners().at(0).toString().left(6), QStringLiteral("wss://"));

    auto *ws = new QWebSocket;
    m_clients.append(ws);
    connect(ws, &QWebSocket::sslErrors, ws,
            [ws](const QList<QSslError> &) { ws->ignoreSslErrors(); });
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    ws->open(QUrl(QStringLiteral("wss://127.0.0.1:%1/chats/1.0.0/notifications")
                      .arg(m_gateway->serverPort())));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 10000);
    ws->sendTextMessage(QStringLiteral("over tls"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("over tls"));
    QCOMPARE(m_backend->requests.at(0).rawHeader("X-Forwarded-Proto"), QByteArray("wss"));
}

void TestGateway::startFailsClearly()
{
    Api noEndpoint = chatsApi(QString());
    m_gateway->setOptions([] {
        GatewayOptions o;
        o.workerThreads = 1;
        return o;
    }());
    ListenerConfig l;
    l.port = 0;
    QVERIFY(!m_gateway->start({l}, {noEndpoint}));
    QVERIFY2(m_gateway->errorString().contains(u"endpoint"), qPrintable(m_gateway->errorString()));

    Api badMapping = chatsApi(m_backend->url());
    badMapping.operations[0].uriMapping = QStringLiteral("/rooms?room={uri.var.other}");
    QVERIFY(!m_gateway->start({l}, {badMapping}));
    QVERIFY2(m_gateway->errorString().contains(u"other"), qPrintable(m_gateway->errorString()));

    QVERIFY(m_gateway->start({l}, {chatsApi(m_backend->url())}));
    Gatehouse::Gateway::Gateway second;
    ListenerConfig taken = l;
    taken.port = m_gateway->serverPort();
    QVERIFY(!second.start({taken}, {chatsApi(m_backend->url())}));
    QVERIFY2(second.errorString().contains(u"cannot listen"), qPrintable(second.errorString()));
}

// Every worker listens on a socket of its own (SO_REUSEPORT). Another program that
// listens with SO_REUSEPORT too would get a share of the connections; the gateway
// refuses to start instead, as on an address taken the ordinary way.
void TestGateway::addressSharedByAnotherProgramIsRefused()
{
    sockaddr_in address {};
    const int other = listenOnLoopback(16, true, &address);
    QVERIFY2(other >= 0, strerror(errno));
    const auto closeOther = qScopeGuard([other] { ::close(other); });

    GatewayOptions o;
    o.workerThreads = 2;
    m_gateway->setOptions(o);
    ListenerConfig l;
    l.port = ntohs(address.sin_port);
    QVERIFY(!m_gateway->start({l}, {chatsApi(m_backend->url())}));
    const QString expected
        = QStringLiteral("cannot listen on ws://127.0.0.1:%1: the address is already in use")
              .arg(l.port);
    QVERIFY2(m_gateway->errorString().contains(expected), qPrintable(m_gateway->errorString()));
}

// Each of the workers accepts on the same address; stop() lets go of it at once, so
// that a gateway started right after gets it.
void TestGateway::workersShareTheAddressAndFreeItOnStop()
{
    GatewayOptions o;
    o.workerThreads = 3;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, o));
    const quint16 port = m_gateway->serverPort();
    QVERIFY(port != 0);
    // connections from many source ports: the kernel spreads them over the workers'
    // sockets, and each is served
    QList<QWebSocket *> clients;
    for (int i = 0; i < 24; ++i)
        clients.append(openClient(QStringLiteral("/chats/1.0.0/notifications")));
    for (QWebSocket *c : std::as_const(clients))
        QTRY_COMPARE(c->state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(m_gateway->openConnections(), 24);

    QSignalSpy stopped(m_gateway.get(), &Gatehouse::Gateway::Gateway::stopped);
    m_gateway->stop();
    QTcpServer next; // the address is free as stop() returns
    QVERIFY2(next.listen(QHostAddress::LocalHost, port), qPrintable(next.errorString()));
    next.close();
    QTRY_COMPARE(stopped.size(), 1);
    ListenerConfig again;
    again.port = port;
    QVERIFY2(m_gateway->start({again}, {chatsApi(m_backend->url())}),
             qPrintable(m_gateway->errorString()));
    QCOMPARE(m_gateway->serverPort(), port);
}

void TestGateway::relayLegsOnEitherDispatcher_data()
{
    QTest::addColumn<bool>("epoll");
    QTest::newRow("Qt's dispatcher: socket notifiers") << false;
    QTest::newRow("epoll dispatcher: direct watches") << true;
}

void TestGateway::relayLegsOnEitherDispatcher()
{
    // Two legs talking to each other over a socket pair, in a thread with the gateway's
    // epoll dispatcher (the descriptors become direct watches) or in this thread with
    // Qt's dispatcher (socket notifiers). The per-message callbacks may send and
    // close from inside the call; a message larger than the kernel buffer waits for
    // the socket to become writable and reports its bytes written.
    QFETCH(bool, epoll);
    int fds[2] = {-1, -1};
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    auto *context = new QObject;
    std::unique_ptr<QThread> thread;
    if (epoll) {
        thread = std::make_unique<QThread>();
        thread->setEventDispatcher(new EpollEventDispatcher);
        context->moveToThread(thread.get());
        thread->start();
    }
    auto run = [&](const std::function<void()> &f) {
        if (epoll)
            QMetaObject::invokeMethod(context, f, Qt::BlockingQueuedConnection);
        else
            f();
    };
    const auto cleanup = qScopeGuard([&] {
        run([&] { delete context; });
        if (thread) {
            thread->quit();
            thread->wait();
        }
    });

    QMutex mutex;
    QByteArrayList log;
    auto add = [&](const QByteArray &item) {
        QMutexLocker locker(&mutex);
        log.append(item);
    };
    auto has = [&](const QByteArray &item) {
        QMutexLocker locker(&mutex);
        return log.contains(item);
    };
    std::atomic<int> written {0};
    RelayLeg *server = nullptr;
    RelayLeg *client = nullptr;
    int notifiers = -1;
    run([&] {
        server = new RelayLeg(fds[0], WebSocketCodec::Role::Server, 5000, {}, context);
        client = new RelayLeg(fds[1], WebSocketCodec::Role::Client, 5000, {}, context);
        server->setMessageHandler([&](bool binary, const QByteArray &payload, qint64) {
            add("server got " + (binary ? QByteArray::number(payload.size()) : payload));
            if (payload == "close")
                server->close(1000, QStringLiteral("bye"));
            else if (!binary)
                server->sendMessage(false, payload.toUpper());
        });
        client->setMessageHandler(
            [&](bool, const QByteArray &payload, qint64) { add("client got " + payload); });
        client->setBytesWrittenHandler([&] { written.fetch_add(1); });
        connect(client, &RelayLeg::closeFrameReceived, context,
                [&](quint16 code, const QString &reason) {
                    add("client close " + QByteArray::number(code) + ' ' + reason.toUtf8());
                    client->close(code, reason);
                });
        connect(server, &RelayLeg::finished, context,
                [&](bool clean) { add(clean ? "server finished clean" : "server finished"); });
        connect(client, &RelayLeg::finished, context,
                [&](bool clean) { add(clean ? "client finished clean" : "client finished"); });
        server->start({});
        client->start({});
        notifiers = DescriptorWatch::notifierWatches();
    });
    QCOMPARE(notifiers, epoll ? 0 : 2);

    run([&] { client->sendMessage(false, "hello"); });
    QTRY_VERIFY(has("client got HELLO"));
    QVERIFY(has("server got hello"));

    constexpr qsizetype Big = 8 * 1024 * 1024;
    qint64 queued = 0;
    run([&] {
        client->sendMessage(true, QByteArray(Big, 'b'));
        queued = client->bytesToWrite();
    });
    QVERIFY(queued > 0); // the kernel took only part of it
    QTRY_VERIFY(has("server got " + QByteArray::number(Big)));
    QTRY_VERIFY(written.load() >= 1);
    run([&] { queued = client->bytesToWrite(); });
    QCOMPARE(queued, 0);

    // the server closes from inside its message callback; the client answers
    run([&] { client->sendMessage(false, "close"); });
    QTRY_VERIFY(has("server finished clean"));
    QTRY_VERIFY(has("client finished clean"));
    QVERIFY(has("client close 1000 bye"));
}

void TestGateway::framesSplitAcrossReads()
{
    // A read that ends inside a frame keeps the partial frame for the next read (the
    // client leg parses in place and copies only what is left); several frames in
    // one read are relayed one by one, in order.
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_gateway->serverPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket.write(upgradeRequest("/chats/1.0.0/notifications"));
    QByteArray data;
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n");
    }));
    QVERIFY2(data.startsWith("HTTP/1.1 101 "), data.constData());
    data = data.mid(data.indexOf("\r\n\r\n") + 4);

    const QByteArray first = maskedFrame(0x1, "first whole");
    const QByteArray second = maskedFrame(0x1, "second split in three pieces");
    const QByteArray third = maskedFrame(0x2, QByteArray(100, 'x'));
    const QList<QByteArray> writes
        = {second.left(3), second.mid(3, 9), second.mid(12) + first + third.left(5), third.mid(5)};
    for (const QByteArray &piece : writes) {
        socket.write(piece);
        QVERIFY(socket.waitForBytesWritten(1000));
        QTest::qWait(20); // separate segments, separate reads
    }
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.size() >= 2 + 11 + 2 + 28 + 2 + 100;
    }));
    // the echoes, unmasked, in order
    const QByteArray expected = QByteArray("\x81\x1c") + "second split in three pieces" + "\x81\x0b"
        + "first whole" + "\x82\x64" + QByteArray(100, 'x');
    QCOMPARE(data, expected);
    QCOMPARE(m_gateway->openConnections(), 1);
}

void TestGateway::fragmentsAcrossReads()
{
    // The first fragment is parsed in place from the read buffer; the message must
    // keep its own copy, since later reads reuse that buffer.
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QTcpSocket socket;
    QByteArray data;
    QVERIFY(openRawClient(socket, m_gateway->serverPort(), "/chats/1.0.0/notifications", &data));
    QByteArray start = maskedFrame(0x1, "frag-");
    start[0] = char(0x01); // text, not final
    const QByteArray middle = [] {
        QByteArray f = maskedFrame(0x0, "men");
        f[0] = char(0x00); // continuation, not final
        return f;
    }();
    const QByteArray end = maskedFrame(0x0, "ted"); // continuation, final
    const QList<QByteArray> pieces = {start, middle + maskedFrame(0x9, "ping in between"), end};
    for (const QByteArray &piece : pieces) {
        socket.write(piece);
        QVERIFY(socket.waitForBytesWritten(1000));
        QTest::qWait(20); // separate segments, separate reads
    }
    const QByteArray pong = QByteArray("\x8a\x0f") + "ping in between";
    const QByteArray echo = QByteArray("\x81\x0b") + "frag-mented";
    QVERIFY(waitFor([&] {
        data += socket.readAll();
        return data.size() >= pong.size() + echo.size();
    }));
    QCOMPARE(data, pong + echo);
}

void TestGateway::loggedPayloadsOutliveTheirRead()
{
    // Payloads attached to events are taken from the read buffer: they must stay
    // what was sent after later reads (both directions) have reused that buffer.
    GatewayOptions options;
    options.eventPayloadBytes = -1;
    QVERIFY(startGateway({chatsApi(m_backend->url())}, options));
    QTcpSocket socket;
    QByteArray data;
    QVERIFY(openRawClient(socket, m_gateway->serverPort(), "/chats/1.0.0/notifications", &data));
    const QList<QList<QByteArray>> rounds
        = {{"one", "two", "three"}, {"uno", "dos", "tres"}, {"eins", "zwei", "drei"}};
    QList<QByteArray> sent;
    qsizetype expectedBytes = 0;
    for (const QList<QByteArray> &round : rounds) {
        QByteArray write;
        for (const QByteArray &m : round) {
            write += maskedFrame(0x1, m); // one write: parsed from one read
            sent.append(m);
            expectedBytes += 2 + m.size();
        }
        socket.write(write);
        QVERIFY(socket.waitForBytesWritten(1000));
        QVERIFY(waitFor([&] {
            data += socket.readAll();
            return data.size() >= expectedBytes;
        }));
    }
    QTRY_COMPARE(m_sink->of(GatewayEvent::Type::MessageRelayed).size(), 2 * sent.size());
    QList<QByteArray> in;
    QList<QByteArray> out;
    for (const GatewayEvent &e : m_sink->of(GatewayEvent::Type::MessageRelayed))
        (e.direction == Direction::ClientToBackend ? in : out).append(e.payload);
    QCOMPARE(in, sent);
    QCOMPARE(out, sent); // the echoes
}

void TestGateway::messagesPackedIntoRuns()
{
    // Relayed messages go to the sinks packed, a run per connection and batch, not
    // an event each; unpacked they are every message, in order, between the
    // connection's open and close events.
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    const int n = 600;
    for (int i = 0; i < n; ++i)
        ws->sendTextMessage(QString(10 + i % 50, u'x'));
    QTRY_COMPARE_WITH_TIMEOUT(text.size(), n, 10000);
    ws->close();
    QTRY_COMPARE(m_sink->count(GatewayEvent::Type::ConnectionClosed), 1);

    QMutexLocker lock(&m_sink->mutex);
    QVERIFY(!m_sink->runs.isEmpty());
    // far fewer events than messages (each worker batch takes a run: how many depends
    // on how fast the machine is)
    QVERIFY2(m_sink->runs.size() * 4 < 2 * n, qPrintable(QString::number(m_sink->runs.size())));
    qint64 packed = 0;
    for (const GatewayEvent &run : std::as_const(m_sink->runs)) {
        QVERIFY(run.recordCount > 0);
        QVERIFY(run.recordCount <= GatewayEvent::RunMessages);
        QVERIFY(run.durationMs >= 0 && run.durationMs < GatewayEvent::MaxSpanMs);
        QCOMPARE(run.details().channel, u"/notifications"_qs);
        packed += run.recordCount;
    }
    QCOMPARE(packed, qint64(2 * n));
    QList<int> order; // the types in turn
    QList<qint64> in;
    QList<qint64> out;
    for (const GatewayEvent &e : std::as_const(m_sink->events)) {
        if (order.isEmpty() || order.last() != int(e.type))
            order.append(int(e.type));
        if (e.type != GatewayEvent::Type::MessageRelayed)
            continue;
        (e.direction == Direction::ClientToBackend ? in : out).append(e.size);
    }
    const QList<int> expected {int(GatewayEvent::Type::ConnectionOpened),
                               int(GatewayEvent::Type::MessageRelayed),
                               int(GatewayEvent::Type::ConnectionClosed)};
    QCOMPARE(order, expected);
    QCOMPARE(in.size(), n);
    for (int i = 0; i < n; ++i)
        QCOMPARE(in.at(i), qint64(10 + i % 50));
    QCOMPARE(out, in); // the echoes
}

void TestGateway::policiesWithNothingToDoLeftOut()
{
    // A policy that forwards everything for a connection is asked once, when the
    // connection opens, and not run for each message.
    auto idle = std::make_shared<IdlePolicy>();
    m_provider->extraMessage = {idle};
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    for (const char *m : {"one", "two", "shout"})
        ws->sendTextMessage(QString::fromLatin1(m));
    QTRY_COMPARE(text.size(), 3);
    QCOMPARE(text.at(2).at(0).toString(), QStringLiteral("SHOUT")); // the chain still runs
    QCOMPARE(idle->asked.load(), 1);
    QCOMPARE(idle->processed.load(), 0);
}

void TestGateway::rewrittenMessagesStillChecked()
{
    // A size limit is enforced while frames are read, so it is left out of the
    // chain, unless a policy before it rewrites messages: a message that fitted
    // when it was read may not fit any more.
    Policies::SizeLimitPolicy::Settings limit;
    limit.clientToBackend = 32;
    auto idle = std::make_shared<IdlePolicy>();
    m_provider->extraMessage = {std::make_shared<AppendingPolicy>(),
                                std::make_shared<Policies::SizeLimitPolicy>(limit), idle};
    QVERIFY(startGateway({chatsApi(m_backend->url())}));
    QWebSocket *ws = openClient(QStringLiteral("/chats/1.0.0/notifications"));
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendTextMessage(QStringLiteral("short")); // 5 + 24 bytes: fits
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("short (rewritten by a policy)"));
    QCOMPARE(idle->processed.load(), 2); // after a rewriting policy: kept (message and echo)
    ws->sendTextMessage(QStringLiteral("twenty bytes of text")); // 20 + 24: too big
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(int(ws->closeCode()), 1009);
    QTRY_COMPARE(m_backend->closeCodes.size(), 1);
    QCOMPARE(int(m_backend->closeCodes.at(0)), 1001);
    QCOMPARE(text.size(), 1);
}

QTEST_GUILESS_MAIN(TestGateway)
#include "tst_gateway.moc"
