// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "asyncapi/jsonschemavalidator.h"
#include "mock/mockserver.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QWebSocket>
#include <QtTest>

using namespace Gatehouse;

namespace {

// A WebSocket client that keeps what it receives.
class Client final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Client)

public:
    Client()
    {
        connect(&socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &t) { texts.append(t); });
        connect(&socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &b) { binaries.append(b); });
    }

    bool open(quint16 port, const QString &path)
    {
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port).arg(path)));
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; },
                               5000);
    }

    Json lastJson() const
    {
        return texts.isEmpty() ? Json() : Json::parse(texts.last().toStdString(), nullptr, false);
    }

    QWebSocket socket;
    QStringList texts;
    QList<QByteArray> binaries;
};

Channel channel(const QString &id, const QString &address, const QStringList &messages = {})
{
    Channel c;
    c.id = id;
    c.address = address;
    c.messageIds = messages;
    return c;
}

Operation operation(const QString &id, Operation::Action action, const QString &channelId,
                    const QString &uriMapping = {})
{
    Operation o;
    o.id = id;
    o.action = action;
    o.channelId = channelId;
    o.uriMapping = uriMapping;
    return o;
}

Message message(const QString &id, const Json &payload, const QList<Json> &examples = {})
{
    Message m;
    m.id = id;
    m.payload = payload;
    for (const Json &e : examples) {
        MessageExample example;
        example.payload = e;
        m.examples.append(example);
    }
    return m;
}

// The WSO2 tutorial's Chats API as the reader makes it.
Api chatsApi(const Json &mock = Json {{"kind", "chat"}})
{
    Api api;
    api.title = QStringLiteral("Chats");
    api.defaultContentType = QStringLiteral("text/plain");
    api.channels = {channel(QStringLiteral("/notifications"), QStringLiteral("/notifications")),
                    channel(QStringLiteral("/rooms/{roomID}"), QStringLiteral("/rooms/{roomID}"))};
    api.operations = {operation(QStringLiteral("receiveNotifications"), Operation::Action::Send,
                                QStringLiteral("/notifications"), QStringLiteral("/notifications")),
                      operation(QStringLiteral("sendRoomMessage"), Operation::Action::Receive,
                                QStringLiteral("/rooms/{roomID}"),
                                QStringLiteral("/rooms?room={uri.var.roomID}"))};
    api.gatehouse.endpoint = QStringLiteral("ws://localhost:8080");
    api.gatehouse.mock = mock;
    return api;
}

const Json PriceSchema = Json::parse(R"({
    "type": "object",
    "required": ["symbol", "price"],
    "properties": {
        "symbol": {"type": "string", "enum": ["ACME", "GLOBEX"]},
        "price": {"type": "number", "minimum": 0},
        "time": {"type": "string", "format": "date-time"}
    },
    "additionalProperties": false
})");

// A market ticker (send only) and a ping/pong request/reply pair on /rpc.
Api examplesApi(const QList<Json> &priceExamples = {})
{
    Api api;
    api.title = QStringLiteral("Market");
    api.asyncapiVersion = QStringLiteral("3.0.0");
    api.channels
        = {channel(QStringLiteral("ticker"), QStringLiteral("/ticker"), {QStringLiteral("price")}),
           channel(QStringLiteral("ping"), QStringLiteral("/rpc"), {QStringLiteral("ping")}),
           channel(QStringLiteral("pong"), QStringLiteral("/rpc"), {QStringLiteral("pong")})};
    Operation receivePing = operation(QStringLiteral("receivePing"), Operation::Action::Receive,
                                      QStringLiteral("ping"));
    receivePing.reply = Json::parse(R"({"channel": {"$ref": "#/channels/pong"}})");
    api.operations = {
        operation(QStringLiteral("sendPrices"), Operation::Action::Send, QStringLiteral("ticker")),
        receivePing};
    Message ping = message(QStringLiteral("ping"), Json {{"$ref", "#/components/schemas/ping"}});
    ping.correlationId = Json {{"location", "$message.payload#/reqid"}};
    Message pong = message(QStringLiteral("pong"), Json {{"$ref", "#/components/schemas/pong"}},
                           {Json {{"event", "pong"}, {"reqid", 1}}});
    pong.correlationId = Json {{"location", "$message.payload#/reqid"}};
    api.messages = {message(QStringLiteral("price"), PriceSchema, priceExamples), ping, pong};
    api.schemas = Json::parse(R"({
        "ping": {"type": "object", "required": ["event"],
                 "properties": {"event": {"const": "ping"}, "reqid": {"$ref": "#/components/schemas/reqid"}}},
        "pong": {"type": "object", "required": ["event"],
                 "properties": {"event": {"const": "pong"}, "reqid": {"$ref": "#/components/schemas/reqid"}}},
        "reqid": {"type": "integer", "minimum": 0}
    })");
    api.gatehouse.mock
        = Json {{"kind", "examples"}, {"channels", {{"ticker", {{"interval", 30}}}}}};
    return api;
}

quint16 start(MockServer &server)
{
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

// Sends a raw HTTP request and returns the status line (the server runs on this
// thread, so wait with the event loop running).
QByteArray rawStatusLine(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    QByteArray response;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                     [&] { response += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000))
        return {};
    socket.write(request);
    if (!QTest::qWaitFor([&] { return response.contains("\r\n"); }, 5000))
        return {};
    return response.left(response.indexOf("\r\n"));
}

} // namespace

class TestMockServer final : public QObject
{
    Q_OBJECT

private slots:
    void echoKeepsOpcode();
    void echoIsDefaultWithoutSendOperations();
    void broadcastReachesOthersNotSelf();
    void broadcastServerTime();
    void chatTutorial();
    void chatTextsConfigurable();
    void unknownPathIs404();
    void plainHttpIs426();
    void examplesPushGeneratedValidValues();
    void examplesSkipInvalidExamples();
    void examplesRequestReplyKeepsCorrelationId();
    void examplesInvalidMessageNamesField();
    void examplesUnparseableJson();
    void examplesSendOnlyChannel();
    void scenarioRunsInOrder();
    void scenarioMismatchClosesWith1008();
    void scenarioErrorsAreProblems();
    void listenOnBusyPortFails();
    void listenOnEndpoint();
};

void TestMockServer::echoKeepsOpcode()
{
    MockServer server(chatsApi(Json {{"kind", "echo"}}));
    const quint16 port = start(server);
    QVERIFY(port);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/anything")));
    client.socket.sendTextMessage(QStringLiteral("héllo"));
    QTRY_COMPARE(client.texts, QStringList {QStringLiteral("héllo")});
    const QByteArray bytes("\x00\x01\xfe\xff", 4);
    client.socket.sendBinaryMessage(bytes);
    QTRY_COMPARE(client.binaries, QList<QByteArray> {bytes});
    QCOMPARE(client.texts.size(), 1);
}

void TestMockServer::echoIsDefaultWithoutSendOperations()
{
    Api api;
    api.channels = {channel(QStringLiteral("in"), QStringLiteral("/in"))};
    api.operations
        = {operation(QStringLiteral("recv"), Operation::Action::Receive, QStringLiteral("in"))};
    MockServer server(api);
    QCOMPARE(server.kind(), MockConfig::Kind::Echo);
    MockServer examples(examplesApi());
    QCOMPARE(examples.kind(), MockConfig::Kind::Examples);
}

void TestMockServer::broadcastReachesOthersNotSelf()
{
    MockServer server(chatsApi(Json {{"kind", "broadcast"}}));
    const quint16 port = start(server);
    Client a, b, c, d;
    QVERIFY(a.open(port, QStringLiteral("/rooms?room=one")));
    QVERIFY(b.open(port, QStringLiteral("/rooms?room=one")));
    QVERIFY(c.open(port, QStringLiteral("/rooms?room=two")));
    QVERIFY(d.open(port, QStringLiteral("/rooms?room=two")));
    QTRY_COMPARE(server.connections().size(), 4);

    a.socket.sendTextMessage(QStringLiteral("hi"));
    QTRY_COMPARE(b.texts, QStringList {QStringLiteral("hi")});
    // Sentinels: what arrives next proves nothing else came before it.
    b.socket.sendTextMessage(QStringLiteral("back"));
    QTRY_COMPARE(a.texts, QStringList {QStringLiteral("back")});
    d.socket.sendTextMessage(QStringLiteral("two"));
    QTRY_COMPARE(c.texts, QStringList {QStringLiteral("two")});

    a.socket.sendBinaryMessage(QByteArray("\x01\x02", 2));
    QTRY_COMPARE(b.binaries.size(), 1);
    QCOMPARE(b.binaries.first(), QByteArray("\x01\x02", 2));
}

void TestMockServer::broadcastServerTime()
{
    MockServer server(chatsApi(
        Json {{"kind", "broadcast"}, {"broadcast", {{"serverTime", true}, {"interval", 20}}}}));
    const quint16 port = start(server);
    Client a;
    QVERIFY(a.open(port, QStringLiteral("/time")));
    QTRY_VERIFY(a.texts.size() >= 2);
    const QDateTime time = QDateTime::fromString(a.texts.first(), Qt::ISODateWithMs);
    QVERIFY2(time.isValid(), qPrintable(a.texts.first()));
}

void TestMockServer::chatTutorial()
{
    MockServer server(chatsApi());
    QCOMPARE(server.kind(), MockConfig::Kind::Chat);
    const quint16 port = start(server);
    Client notifications, alice, bob, carol, dave;
    QVERIFY(notifications.open(port, QStringLiteral("/notifications")));
    QTRY_COMPARE(notifications.texts, QStringList {QStringLiteral("Subscribed to notifications!")});

    QVERIFY(alice.open(port, QStringLiteral("/rooms?room=room1")));
    QTRY_COMPARE(alice.texts, QStringList {QStringLiteral("You joined room1!")});
    QTRY_COMPARE(notifications.texts.size(), 2);
    QCOMPARE(notifications.texts.at(1), QStringLiteral("Someone joined room1!"));

    QVERIFY(bob.open(port, QStringLiteral("/rooms?room=room1")));
    QTRY_COMPARE(bob.texts, QStringList {QStringLiteral("You joined room1!")});
    QVERIFY(carol.open(port, QStringLiteral("/rooms?room=room2")));
    QTRY_COMPARE(carol.texts, QStringList {QStringLiteral("You joined room2!")});
    QTRY_COMPARE(notifications.texts,
                 (QStringList {QStringLiteral("Subscribed to notifications!"),
                               QStringLiteral("Someone joined room1!"),
                               QStringLiteral("Someone joined room1!"),
                               QStringLiteral("Someone joined room2!")}));

    alice.socket.sendTextMessage(QStringLiteral("Hello bob"));
    QTRY_COMPARE(bob.texts.size(), 2);
    QCOMPARE(bob.texts.at(1), QStringLiteral("Hello bob"));
    bob.socket.sendTextMessage(QStringLiteral("Hi alice"));
    QTRY_COMPARE(alice.texts.size(), 2);
    QCOMPARE(alice.texts.at(1), QStringLiteral("Hi alice")); // not her own message

    // Nothing leaked to room2 or to notifications: the next thing carol sees is dave.
    QVERIFY(dave.open(port, QStringLiteral("/rooms?room=room2")));
    dave.socket.sendTextMessage(QStringLiteral("room2 only"));
    QTRY_COMPARE(carol.texts,
                 (QStringList {QStringLiteral("You joined room2!"), QStringLiteral("room2 only")}));
    QTRY_COMPARE(notifications.texts.size(), 5);
    QCOMPARE(notifications.texts.last(), QStringLiteral("Someone joined room2!"));
}

void TestMockServer::chatTextsConfigurable()
{
    MockServer server(chatsApi(Json::parse(R"({"kind": "chat", "chat": {
        "subscribed": "Hi!", "joined": "Welcome to {room}", "someoneJoined": "+1 in {room}",
        "room": "/chat/{room}"}})")));
    const quint16 port = start(server);
    Client n, a;
    QVERIFY(n.open(port, QStringLiteral("/notifications")));
    QTRY_COMPARE(n.texts, QStringList {QStringLiteral("Hi!")});
    QVERIFY(a.open(port, QStringLiteral("/chat/lobby")));
    QTRY_COMPARE(a.texts, QStringList {QStringLiteral("Welcome to lobby")});
    QTRY_COMPARE(n.texts.size(), 2);
    QCOMPARE(n.texts.last(), QStringLiteral("+1 in lobby"));
}

void TestMockServer::unknownPathIs404()
{
    MockServer server(chatsApi());
    const quint16 port = start(server);
    const QByteArray status = rawStatusLine(
        port,
        "GET /nowhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QCOMPARE(status, QByteArray("HTTP/1.1 404 Not Found"));
    // the room route needs its query
    const QByteArray noRoom = rawStatusLine(
        port,
        "GET /rooms HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QCOMPARE(noRoom, QByteArray("HTTP/1.1 404 Not Found"));
}

void TestMockServer::plainHttpIs426()
{
    MockServer server(chatsApi());
    const quint16 port = start(server);
    QCOMPARE(rawStatusLine(port, "GET /notifications HTTP/1.1\r\nHost: x\r\n\r\n"),
             QByteArray("HTTP/1.1 426 Upgrade Required"));
}

void TestMockServer::examplesPushGeneratedValidValues()
{
    MockServer server(examplesApi());
    QVERIFY(server.problems().isEmpty());
    const quint16 port = start(server);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/ticker")));
    QTRY_VERIFY(client.texts.size() >= 5);
    const JsonSchemaValidator validator(PriceSchema);
    for (const QString &text : std::as_const(client.texts)) {
        const Json value = Json::parse(text.toStdString(), nullptr, false);
        QVERIFY2(validator.accepts(value), qPrintable(text));
    }
}

void TestMockServer::examplesSkipInvalidExamples()
{
    const Json good = Json {{"symbol", "GLOBEX"}, {"price", 10.5}};
    MockServer server(examplesApi({Json {{"symbol", "ACME"}, {"price", -1}}, good}));
    const auto problems = server.problems();
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().pointer,
             QStringLiteral("/components/messages/price/examples/0/payload"));
    QVERIFY2(problems.first().message.contains(QStringLiteral("price")),
             qPrintable(problems.first().message));
    QVERIFY2(problems.first().message.contains(QStringLiteral("/price")),
             qPrintable(problems.first().message));

    const quint16 port = start(server);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/ticker")));
    QTRY_VERIFY(client.texts.size() >= 3);
    for (const QString &text : std::as_const(client.texts))
        QCOMPARE(Json::parse(text.toStdString()), good);
}

void TestMockServer::examplesRequestReplyKeepsCorrelationId()
{
    MockServer server(examplesApi());
    const quint16 port = start(server);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/rpc")));
    client.socket.sendTextMessage(QStringLiteral(R"({"event": "ping", "reqid": 42})"));
    QTRY_COMPARE(client.texts.size(), 1);
    QCOMPARE(client.lastJson(), (Json {{"event", "pong"}, {"reqid", 42}}));
    client.socket.sendTextMessage(QStringLiteral(R"({"event": "ping", "reqid": 7})"));
    QTRY_COMPARE(client.texts.size(), 2);
    QCOMPARE(client.lastJson(), (Json {{"event", "pong"}, {"reqid", 7}}));
}

void TestMockServer::examplesInvalidMessageNamesField()
{
    MockServer server(examplesApi());
    const quint16 port = start(server);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/rpc")));
    client.socket.sendTextMessage(QStringLiteral(R"({"event": "ping", "reqid": "seven"})"));
    QTRY_COMPARE(client.texts.size(), 1);
    const Json error = client.lastJson();
    QVERIFY2(error.is_object() && error.contains("error"), qPrintable(client.texts.last()));
    QCOMPARE(error["field"], Json("/reqid"));
    QVERIFY(error["reason"].get<std::string>().find("integer") != std::string::npos);
    QVERIFY(error["error"].get<std::string>().find("/reqid") != std::string::npos);
    QCOMPARE(error["message"], Json("ping"));
}

void TestMockServer::examplesUnparseableJson()
{
    MockServer server(examplesApi());
    const quint16 port = start(server);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/rpc")));
    client.socket.sendTextMessage(QStringLiteral("{oops"));
    QTRY_COMPARE(client.texts.size(), 1);
    const Json error = client.lastJson();
    QVERIFY2(error.is_object(), qPrintable(client.texts.last()));
    QVERIFY2(QString::fromStdString(error["error"].get<std::string>())
                 .startsWith(QStringLiteral("not valid JSON")),
             qPrintable(client.texts.last()));
    QVERIFY(client.socket.state() == QAbstractSocket::ConnectedState);
}

void TestMockServer::examplesSendOnlyChannel()
{
    Api api = examplesApi();
    api.gatehouse.mock["channels"]["ticker"]["interval"] = 0; // one push on connect only
    MockServer server(api);
    const quint16 port = start(server);
    Client client;
    QVERIFY(client.open(port, QStringLiteral("/ticker")));
    QTRY_COMPARE(client.texts.size(), 1);
    client.socket.sendTextMessage(QStringLiteral(R"({"symbol": "ACME", "price": 1})"));
    QTRY_COMPARE(client.texts.size(), 2);
    const Json error = client.lastJson();
    QVERIFY2(error.contains("error"), qPrintable(client.texts.last()));
    QVERIFY2(error["error"].get<std::string>().find("only sends") != std::string::npos,
             qPrintable(client.texts.last()));
}

void TestMockServer::scenarioRunsInOrder()
{
    Api api = chatsApi(Json::parse(R"({"kind": "echo", "scenarios": {"/notifications": [
        {"send": "welcome"},
        {"expect": {"type": "hello", "name": "*"}},
        {"send": {"type": "ack"}},
        {"expect": "/^bye/"},
        {"wait": 10},
        {"close": 4000, "reason": "done"}]}})"));
    MockServer server(api);
    QVERIFY(server.problems().isEmpty());
    const quint16 port = start(server);
    Client client;
    QSignalSpy closed(&client.socket, &QWebSocket::disconnected);
    QVERIFY(client.open(port, QStringLiteral("/notifications")));
    QTRY_COMPARE(client.texts, QStringList {QStringLiteral("welcome")});
    client.socket.sendTextMessage(
        QStringLiteral(R"({"type": "hello", "name": "ann", "extra": 1})"));
    QTRY_COMPARE(client.texts.size(), 2);
    QCOMPARE(client.lastJson(), (Json {{"type", "ack"}}));
    client.socket.sendTextMessage(QStringLiteral("bye now"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(int(client.socket.closeCode()), 4000);
    QCOMPARE(client.socket.closeReason(), QStringLiteral("done"));

    // Other channels keep the kind's behaviour (echo).
    Client other;
    QVERIFY(other.open(port, QStringLiteral("/rooms?room=a")));
    other.socket.sendTextMessage(QStringLiteral("x"));
    QTRY_COMPARE(other.texts, QStringList {QStringLiteral("x")});
}

void TestMockServer::scenarioMismatchClosesWith1008()
{
    Api api = chatsApi(Json::parse(R"({"kind": "echo", "scenarios": {"/notifications": [
        {"expect": {"type": "hello"}}, {"send": "never"}]}})"));
    MockServer server(api);
    const quint16 port = start(server);
    Client client;
    QSignalSpy closed(&client.socket, &QWebSocket::disconnected);
    QVERIFY(client.open(port, QStringLiteral("/notifications")));
    client.socket.sendTextMessage(QStringLiteral(R"({"type": "bye"})"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(int(client.socket.closeCode()), 1008);
    QCOMPARE(client.texts.size(), 1);
    const QString error = client.texts.first();
    QVERIFY2(error.contains(QStringLiteral("step 1")) && error.contains(QStringLiteral("/type")),
             qPrintable(error));
}

void TestMockServer::scenarioErrorsAreProblems()
{
    MockServer server(chatsApi(
        Json::parse(R"({"kind": "chat", "scenarios": {"x": [{"jump": 1}, {"wait": -4}]}})")));
    const auto problems = server.problems();
    QCOMPARE(problems.size(), 2);
    QVERIFY(problems.at(0).message.contains(QStringLiteral("scenarios.x[0]")));
    QVERIFY(problems.at(1).message.contains(QStringLiteral("scenarios.x[1].wait")));

    MockServer badKind(chatsApi(Json {{"kind", "parrot"}}));
    QCOMPARE(badKind.problems().size(), 1);
    QVERIFY(badKind.problems().first().message.contains(QStringLiteral("unknown kind 'parrot'")));
}

void TestMockServer::listenOnBusyPortFails()
{
    MockServer first(chatsApi());
    const quint16 port = start(first);
    MockServer second(chatsApi());
    QVERIFY(!second.listen(QHostAddress::LocalHost, port));
    QCOMPARE(second.serverError(), QAbstractSocket::AddressInUseError);

    MockServer third(chatsApi());
    QVERIFY(!third.listenOn(QStringLiteral("127.0.0.1"), port));
    const QString expected
        = QStringLiteral("cannot listen on 127.0.0.1:%1: port %1 is already in use by ").arg(port);
    QVERIFY2(third.errorString().startsWith(expected), qPrintable(third.errorString()));
    QVERIFY2(third.errorString().endsWith(
                 QStringLiteral("(pid %1)").arg(QCoreApplication::applicationPid())),
             qPrintable(third.errorString()));
}

void TestMockServer::listenOnEndpoint()
{
    Api api = chatsApi();
    api.gatehouse.endpoint = QStringLiteral("ws://127.0.0.1:0/backend");
    MockServer server(api);
    QVERIFY2(server.listenOnEndpoint(), qPrintable(server.errorString()));
    QVERIFY(server.serverPort() > 0);
    Client client; // the endpoint's path is a prefix of every backend path
    QVERIFY(client.open(server.serverPort(), QStringLiteral("/backend/notifications")));
    QTRY_COMPARE(client.texts, QStringList {QStringLiteral("Subscribed to notifications!")});

    api.gatehouse.endpoint = QStringLiteral("http://localhost:8080");
    MockServer wrongScheme(api);
    QVERIFY(!wrongScheme.listenOnEndpoint());
    QVERIFY2(wrongScheme.errorString().contains(QStringLiteral("is not a ws://host:port URL")),
             qPrintable(wrongScheme.errorString()));

    api.gatehouse.mock = Json {{"kind", "chat"}, {"listen", "127.0.0.1:0"}};
    MockServer mockListen(api); // x-gatehouse.mock.listen wins over the endpoint
    QVERIFY2(mockListen.listenOnEndpoint(), qPrintable(mockListen.errorString()));
}

QTEST_GUILESS_MAIN(TestMockServer)
#include "tst_mockserver.moc"
