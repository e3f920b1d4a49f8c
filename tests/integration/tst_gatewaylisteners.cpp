// SPDX-License-Identifier: GPL-3.0-or-later
// Separate listeners per API: each API reachable only on the listeners that serve
// it, the others answer as for an unknown path. Real sockets on 127.0.0.1 port 0,
// in-process echo backends, QWebSocket and raw TCP clients.
#include "gateway/gateway.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <QDir>
#include <QUrl>

#include <memory>

#include <netinet/in.h>
#include <sys/socket.h>

using namespace Gatehouse;
using namespace Gatehouse::Gateway;

namespace {

// Echoes text with its own name in front, so a test sees which backend answered.
class NamedEcho final : public QObject
{
public:
    explicit NamedEcho(const QString &name)
        : m_name(name)
        , m_server(name, QWebSocketServer::NonSecureMode)
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = m_server.nextPendingConnection()) {
                ws->setParent(this);
                connect(ws, &QWebSocket::textMessageReceived, ws,
                        [this, ws](const QString &m) { ws->sendTextMessage(m_name + u':' + m); });
            }
        });
    }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1").arg(m_server.serverPort()); }

private:
    QString m_name;
    QWebSocketServer m_server;
};

Api echoApi(const QString &title, const QString &context, const QString &endpoint)
{
    Api api;
    api.title = title;
    api.version = QStringLiteral("1.0.0");
    api.gatehouse.endpoint = endpoint;
    api.gatehouse.context = context;
    Channel echo;
    echo.id = QStringLiteral("echo");
    echo.address = QStringLiteral("/echo");
    api.channels = {echo};
    return api;
}

// The status line and body of the gateway's answer to `request`.
QByteArray rawAnswer(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray answer;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(100);
        answer += socket.readAll();
    }
    return answer + socket.readAll();
}

QByteArray upgrade(const QByteArray &path)
{
    return "GET " + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

QList<ListenerConfig> twoListeners()
{
    ListenerConfig l;
    l.port = 0;
    return {l, l};
}

} // namespace

class TestGatewayListeners final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void eachApiOnlyOnItsListener_data();
    void eachApiOnlyOnItsListener();
    void longerContextElsewhereDoesNotHide();
    void notUpgradeListsOnlyTheListenersApis();
    void samePathOnTwoListeners();
    void samePathOnOneListenerIsAnError_data();
    void samePathOnOneListenerIsAnError();
    void selectorErrorsRefuseStartAndReload();
    void reloadMovesApisAndKeepsOpenConnections();
    void withoutSelectorEveryListenerServesEverything();
    void socketBuffersOfBothLegs();

private:
    // Selector: listeners by API title ("A" -> {0}); titles not listed: every listener.
    void selectByTitle(const QHash<QString, QList<int>> &table);
    QString echoOn(quint16 port, const QString &path); // the backend's answer or ""

    std::unique_ptr<NamedEcho> m_one;
    std::unique_ptr<NamedEcho> m_two;
    std::unique_ptr<Gatehouse::Gateway::Gateway> m_gateway;
    QList<QWebSocket *> m_clients;
};

void TestGatewayListeners::init()
{
    m_one = std::make_unique<NamedEcho>(QStringLiteral("one"));
    m_two = std::make_unique<NamedEcho>(QStringLiteral("two"));
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    GatewayOptions o;
    o.workerThreads = 2;
    m_gateway->setOptions(o);
}

void TestGatewayListeners::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_gateway.reset();
    m_one.reset();
    m_two.reset();
}

void TestGatewayListeners::selectByTitle(const QHash<QString, QList<int>> &table)
{
    m_gateway->setListenerSelector(
        [table](const Api &api, QString *) { return table.value(api.title); });
}

QString TestGatewayListeners::echoOn(quint16 port, const QString &path)
{
    auto *ws = new QWebSocket;
    m_clients.append(ws);
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port).arg(path)));
    if (!QTest::qWaitFor(
            [&] {
                return ws->state() == QAbstractSocket::ConnectedState || !disconnected.isEmpty();
            },
            10000)
        || ws->state() != QAbstractSocket::ConnectedState)
        return {};
    ws->sendTextMessage(QStringLiteral("hi"));
    if (!QTest::qWaitFor([&] { return !text.isEmpty(); }, 10000))
        return {};
    return text.at(0).at(0).toString();
}

void TestGatewayListeners::eachApiOnlyOnItsListener_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("servedOn");
    QTest::addColumn<QString>("backend");
    QTest::newRow("a") << QStringLiteral("/a/1.0.0/echo") << 0 << QStringLiteral("one");
    QTest::newRow("b") << QStringLiteral("/b/1.0.0/echo") << 1 << QStringLiteral("two");
}

void TestGatewayListeners::eachApiOnlyOnItsListener()
{
    QFETCH(QString, path);
    QFETCH(int, servedOn);
    QFETCH(QString, backend);
    const QList<Api> apis = {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url()),
                             echoApi(QStringLiteral("B"), QStringLiteral("/b"), m_two->url())};
    selectByTitle({{QStringLiteral("A"), {0}}, {QStringLiteral("B"), {1}}});
    QVERIFY2(m_gateway->start(twoListeners(), apis), qPrintable(m_gateway->errorString()));
    QCOMPARE(m_gateway->listeners().size(), 2);
    const quint16 own = m_gateway->serverPort(servedOn);
    const quint16 other = m_gateway->serverPort(1 - servedOn);
    QVERIFY(own != other);

    QCOMPARE(echoOn(own, path), backend + QStringLiteral(":hi"));

    // on the other listener the API does not exist: the same 404 as an unknown path
    const QByteArray unknown = rawAnswer(other, upgrade("/nowhere/echo"));
    const QByteArray answer = rawAnswer(other, upgrade(path.toUtf8()));
    QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.constData());
    QVERIFY2(unknown.startsWith("HTTP/1.1 404"), unknown.constData());
    QVERIFY2(answer.contains("no API is served at"), answer.constData());
    QCOMPARE(echoOn(other, path), QString());
    QCOMPARE(m_gateway->openConnections(), 1);
}

void TestGatewayListeners::longerContextElsewhereDoesNotHide()
{
    // B's context is a longer prefix of A's paths; on A's listener B does not exist,
    // so it cannot answer "no channel matches" for A's requests
    Api b = echoApi(QStringLiteral("B"), QStringLiteral("/a/1.0.0/echo"), m_two->url());
    b.version.clear();
    selectByTitle({{QStringLiteral("A"), {0}}, {QStringLiteral("B"), {1}}});
    QVERIFY(m_gateway->start(
        twoListeners(), {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url()), b}));
    QCOMPARE(echoOn(m_gateway->serverPort(0), QStringLiteral("/a/1.0.0/echo")),
             QStringLiteral("one:hi"));
    QCOMPARE(echoOn(m_gateway->serverPort(1), QStringLiteral("/a/1.0.0/echo/echo")),
             QStringLiteral("two:hi"));
    const QByteArray onB = rawAnswer(m_gateway->serverPort(1), upgrade("/a/1.0.0/echo"));
    QVERIFY2(onB.startsWith("HTTP/1.1 404"), onB.constData());
}

void TestGatewayListeners::notUpgradeListsOnlyTheListenersApis()
{
    selectByTitle({{QStringLiteral("A"), {0}}, {QStringLiteral("B"), {1}}});
    QVERIFY(m_gateway->start(twoListeners(),
                             {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url()),
                              echoApi(QStringLiteral("B"), QStringLiteral("/b"), m_two->url())}));
    const QByteArray get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const QByteArray first = rawAnswer(m_gateway->serverPort(0), get);
    QVERIFY2(first.startsWith("HTTP/1.1 426"), first.constData());
    QVERIFY2(first.contains("/a/1.0.0  A 1.0.0: /echo"), first.constData());
    QVERIFY2(!first.contains("/b/1.0.0"), first.constData());
    const QByteArray second = rawAnswer(m_gateway->serverPort(1), get);
    QVERIFY2(second.startsWith("HTTP/1.1 426"), second.constData());
    QVERIFY2(second.contains("/b/1.0.0  B 1.0.0: /echo"), second.constData());
    QVERIFY2(!second.contains("/a/1.0.0"), second.constData());

    QCOMPARE(m_gateway->servedApis(0), QStringList {QStringLiteral("/a/1.0.0  A 1.0.0: /echo")});
    QCOMPARE(m_gateway->servedApis(1), QStringList {QStringLiteral("/b/1.0.0  B 1.0.0: /echo")});
    QCOMPARE(m_gateway->servedApis().size(), 2);
}

void TestGatewayListeners::samePathOnTwoListeners()
{
    // two versions of a deployment with the same context and version, one per listener
    selectByTitle({{QStringLiteral("Blue"), {0}}, {QStringLiteral("Green"), {1}}});
    QVERIFY2(
        m_gateway->start(twoListeners(),
                         {echoApi(QStringLiteral("Blue"), QStringLiteral("/shop"), m_one->url()),
                          echoApi(QStringLiteral("Green"), QStringLiteral("/shop"), m_two->url())}),
        qPrintable(m_gateway->errorString()));
    QCOMPARE(echoOn(m_gateway->serverPort(0), QStringLiteral("/shop/1.0.0/echo")),
             QStringLiteral("one:hi"));
    QCOMPARE(echoOn(m_gateway->serverPort(1), QStringLiteral("/shop/1.0.0/echo")),
             QStringLiteral("two:hi"));
}

void TestGatewayListeners::samePathOnOneListenerIsAnError_data()
{
    QTest::addColumn<QList<int>>("blue");
    QTest::addColumn<QList<int>>("green");
    QTest::addColumn<QString>("where");
    QTest::newRow("both-on-1") << QList<int> {1} << QList<int> {1} << QStringLiteral(" on ws://");
    QTest::newRow("overlap") << QList<int> {0, 1} << QList<int> {1} << QStringLiteral(" on ws://");
    QTest::newRow("one-everywhere")
        << QList<int> {} << QList<int> {0} << QStringLiteral(" on ws://");
    QTest::newRow("both-everywhere") << QList<int> {} << QList<int> {} << QString();
}

void TestGatewayListeners::samePathOnOneListenerIsAnError()
{
    QFETCH(QList<int>, blue);
    QFETCH(QList<int>, green);
    QFETCH(QString, where);
    selectByTitle({{QStringLiteral("Blue"), blue}, {QStringLiteral("Green"), green}});
    QVERIFY(!m_gateway->start(
        twoListeners(),
        {echoApi(QStringLiteral("Blue"), QStringLiteral("/shop"), m_one->url()),
         echoApi(QStringLiteral("Green"), QStringLiteral("/shop"), m_two->url())}));
    const QString error = m_gateway->errorString();
    QVERIFY2(error.startsWith(
                 QStringLiteral("APIs 'Blue' and 'Green' are both served at /shop/1.0.0") + where),
             qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    QVERIFY(!m_gateway->isRunning());
}

void TestGatewayListeners::selectorErrorsRefuseStartAndReload()
{
    bool refuse = true;
    int index = 0;
    m_gateway->setListenerSelector([&refuse, &index](const Api &api, QString *error) {
        if (refuse && api.title == u"B")
            *error = QStringLiteral("API 'B': x-gatehouse.listen 127.0.0.1:1 is not open");
        return QList<int> {index};
    });
    const QList<Api> apis = {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url()),
                             echoApi(QStringLiteral("B"), QStringLiteral("/b"), m_two->url())};
    QVERIFY(!m_gateway->start(twoListeners(), apis));
    QCOMPARE(m_gateway->errorString(),
             QStringLiteral("API 'B': x-gatehouse.listen 127.0.0.1:1 is not open"));

    refuse = false;
    index = 2; // out of range
    QVERIFY(!m_gateway->start(twoListeners(), apis));
    QVERIFY2(m_gateway->errorString().contains(u"listener 2 does not exist"),
             qPrintable(m_gateway->errorString()));

    index = 1;
    QVERIFY(m_gateway->start(twoListeners(), {apis.at(0)}));
    refuse = true;
    QSignalSpy reloaded(m_gateway.get(), &Gatehouse::Gateway::Gateway::reloaded);
    QVERIFY(!m_gateway->reload(apis));
    QVERIFY(m_gateway->errorString().contains(u"is not open"));
    QCOMPARE(reloaded.size(), 0);
    // the previous table still serves
    QCOMPARE(echoOn(m_gateway->serverPort(1), QStringLiteral("/a/1.0.0/echo")),
             QStringLiteral("one:hi"));
    QCOMPARE(echoOn(m_gateway->serverPort(0), QStringLiteral("/a/1.0.0/echo")), QString());
}

void TestGatewayListeners::reloadMovesApisAndKeepsOpenConnections()
{
    QHash<QString, QList<int>> table = {{QStringLiteral("A"), {0}}, {QStringLiteral("B"), {1}}};
    m_gateway->setListenerSelector(
        [&table](const Api &api, QString *) { return table.value(api.title); });
    const QList<Api> apis = {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url()),
                             echoApi(QStringLiteral("B"), QStringLiteral("/b"), m_two->url())};
    QVERIFY(m_gateway->start(twoListeners(), apis));
    const quint16 first = m_gateway->serverPort(0);
    const quint16 second = m_gateway->serverPort(1);

    auto *open = new QWebSocket;
    m_clients.append(open);
    QSignalSpy openText(open, &QWebSocket::textMessageReceived);
    open->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/a/1.0.0/echo").arg(first)));
    QTRY_COMPARE_WITH_TIMEOUT(open->state(), QAbstractSocket::ConnectedState, 10000);

    // A moves to the second listener, B to both
    table = {{QStringLiteral("A"), {1}}, {QStringLiteral("B"), {0, 1}}};
    QSignalSpy reloaded(m_gateway.get(), &Gatehouse::Gateway::Gateway::reloaded);
    QVERIFY2(m_gateway->reload(apis), qPrintable(m_gateway->errorString()));
    QCOMPARE(reloaded.size(), 1);
    QCOMPARE(m_gateway->serverPort(0), first); // listeners stay open as they were
    QCOMPARE(m_gateway->serverPort(1), second);

    QCOMPARE(echoOn(first, QStringLiteral("/a/1.0.0/echo")), QString());
    QCOMPARE(echoOn(second, QStringLiteral("/a/1.0.0/echo")), QStringLiteral("one:hi"));
    QCOMPARE(echoOn(first, QStringLiteral("/b/1.0.0/echo")), QStringLiteral("two:hi"));
    QCOMPARE(echoOn(second, QStringLiteral("/b/1.0.0/echo")), QStringLiteral("two:hi"));

    // the connection opened before the reload still relays
    open->sendTextMessage(QStringLiteral("still"));
    QTRY_COMPARE(openText.size(), 1);
    QCOMPARE(openText.at(0).at(0).toString(), QStringLiteral("one:still"));
}

void TestGatewayListeners::withoutSelectorEveryListenerServesEverything()
{
    QVERIFY(m_gateway->start(twoListeners(),
                             {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url()),
                              echoApi(QStringLiteral("B"), QStringLiteral("/b"), m_two->url())}));
    for (int l = 0; l < 2; ++l) {
        QCOMPARE(echoOn(m_gateway->serverPort(l), QStringLiteral("/a/1.0.0/echo")),
                 QStringLiteral("one:hi"));
        QCOMPARE(echoOn(m_gateway->serverPort(l), QStringLiteral("/b/1.0.0/echo")),
                 QStringLiteral("two:hi"));
        QCOMPARE(m_gateway->servedApis(l), m_gateway->servedApis());
    }
}

namespace {

// The kernel buffers (SO_SNDBUF, SO_RCVBUF) of this process's IPv4 sockets whose
// local or peer port is `port`.
QList<QPair<int, int>> socketBuffers(quint16 port, bool peer)
{
    QList<QPair<int, int>> out;
    for (const QString &name :
         QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System)) {
        const int fd = name.toInt();
        sockaddr_in address {};
        socklen_t length = sizeof address;
        const int found = peer ? ::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length)
                               : ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
        if (found != 0 || address.sin_family != AF_INET || ntohs(address.sin_port) != port)
            continue;
        int send = 0, receive = 0;
        socklen_t size = sizeof send;
        ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send, &size);
        size = sizeof receive;
        ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive, &size);
        if (peer || ::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
            out.append({send, receive}); // (a connected socket, not the listener)
    }
    return out;
}

} // namespace

// GatewayOptions::socketBufferBytes (serve --socket-buffers) fixes the kernel buffers
// of the client's connection and of the one to the backend; the kernel keeps twice
// what is asked for.
void TestGatewayListeners::socketBuffersOfBothLegs()
{
    GatewayOptions o;
    o.workerThreads = 2;
    o.socketBufferBytes = 48 * 1024;
    m_gateway->setOptions(o);
    ListenerConfig l;
    l.port = 0;
    QVERIFY(
        m_gateway->start({l}, {echoApi(QStringLiteral("A"), QStringLiteral("/a"), m_one->url())}));
    const quint16 port = m_gateway->serverPort(0);
    QCOMPARE(echoOn(port, QStringLiteral("/a/1.0.0/echo")), QStringLiteral("one:hi"));
    const QList<QPair<int, int>> expected {{96 * 1024, 96 * 1024}};
    // the gateway's side of the client connection (the client's own has the port as its peer)
    QCOMPARE(socketBuffers(port, false), expected);
    // the gateway's connection to the backend (the backend's own has the port as its name)
    const auto backendPort = quint16(QUrl(m_one->url()).port());
    QCOMPARE(socketBuffers(backendPort, true), expected);
}

QTEST_GUILESS_MAIN(TestGatewayListeners)
#include "tst_gatewaylisteners.moc"
