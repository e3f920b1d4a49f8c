// SPDX-License-Identifier: GPL-3.0-or-later
// The sample documents and the shared AsyncAPI examples, read from their files and
// served by their mocks.
#include "testsupport.h"

#include "asyncapi/asyncapireader.h"
#include "asyncapi/jsonschemavalidator.h"
#include "mock/mockserver.h"

#include <QWebSocket>

#include <QtTest>
#include <set>

using namespace Gatehouse;

namespace {

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
    Json json(qsizetype i) const { return Json::parse(texts.at(i).toStdString(), nullptr, false); }

    QWebSocket socket;
    QStringList texts;
    QList<QByteArray> binaries;
};

Api read(const QString &file)
{
    const ReadResult result = AsyncApiReader::readFile(file);
    if (!result.ok()) {
        for (const Diagnostic &d : result.diagnostics)
            qWarning("%s", qPrintable(d.toString()));
    }
    return result.api.value_or(Api());
}

QString sample(const char *name)
{
    return Test::sourcePath(QStringLiteral("resources/samples/") + QLatin1String(name));
}

} // namespace

class TestMockSamples final : public QObject
{
    Q_OBJECT

private slots:
    void samplesRunClean_data();
    void samplesRunClean();
    void echoSample();
    void marketDataPushesValidPrices();
    void iotBinaryFrames();
    void krakenRequestReply();
};

void TestMockSamples::samplesRunClean_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<MockConfig::Kind>("kind");
    QTest::addColumn<QString>("endpoint");
    QTest::newRow("chats") << sample("chats.asyncapi.yaml") << MockConfig::Kind::Chat
                           << QStringLiteral("localhost:8080");
    QTest::newRow("market data") << sample("market-data.asyncapi.yaml")
                                 << MockConfig::Kind::Examples << QStringLiteral("localhost:8081");
    QTest::newRow("echo") << sample("echo.asyncapi.yaml") << MockConfig::Kind::Echo
                          << QStringLiteral("localhost:8082");
    QTest::newRow("iot") << sample("iot-telemetry.asyncapi.yaml") << MockConfig::Kind::Examples
                         << QStringLiteral("localhost:8083");
}

// Each sample reads without diagnostics, its mock finds no problem and listens
// where its endpoint says (distinct ports, so they run side by side).
void TestMockSamples::samplesRunClean()
{
    QFETCH(QString, file);
    QFETCH(MockConfig::Kind, kind);
    QFETCH(QString, endpoint);
    const ReadResult result = AsyncApiReader::readFile(file);
    QVERIFY(result.api);
    QStringList diagnostics;
    for (const Diagnostic &d : result.diagnostics)
        diagnostics.append(d.toString());
    QVERIFY2(diagnostics.isEmpty(), qPrintable(diagnostics.join(u'\n')));

    MockServer server(*result.api);
    QCOMPARE(server.kind(), kind);
    QStringList problems;
    for (const MockProblem &p : server.problems())
        problems.append(p.message);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QVERIFY(!server.routes().isEmpty());
    QString host;
    quint16 port = 0;
    QString error;
    QVERIFY2(MockServer::endpointAddress(*result.api, &host, &port, &error), qPrintable(error));
    QCOMPARE(QStringLiteral("%1:%2").arg(host).arg(port), endpoint);
}

void TestMockSamples::echoSample()
{
    MockServer server(read(sample("echo.asyncapi.yaml")));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    Client client;
    QVERIFY(client.open(server.serverPort(), QStringLiteral("/echo")));
    client.socket.sendTextMessage(QStringLiteral("Hello, echo!"));
    QTRY_COMPARE(client.texts, QStringList {QStringLiteral("Hello, echo!")});
}

void TestMockSamples::marketDataPushesValidPrices()
{
    const Api api = read(sample("market-data.asyncapi.yaml"));
    MockServer server(api);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const JsonSchemaValidator price(api.resolved(Json {{"$ref", "#/components/schemas/Price"}}));
    Client ticker;
    QVERIFY(ticker.open(server.serverPort(), QStringLiteral("/ticker")));
    QTRY_VERIFY_WITH_TIMEOUT(ticker.texts.size() >= 3, 10000);
    QSet<QString> distinct;
    for (qsizetype i = 0; i < ticker.texts.size(); ++i) {
        const auto errors = price.validate(ticker.json(i));
        QVERIFY2(errors.isEmpty(),
                 qPrintable(ticker.texts.at(i) + u' ' + errors.value(0).toString()));
        distinct.insert(ticker.texts.at(i));
    }
    QVERIFY(distinct.size() > 1); // generated, not the one example over and over

    Client quotes;
    QVERIFY(quotes.open(server.serverPort(), QStringLiteral("/quotes")));
    quotes.socket.sendTextMessage(
        QStringLiteral(R"({"type": "quote", "requestId": 31, "symbol": "UMBRELLA"})"));
    QTRY_COMPARE(quotes.texts.size(), 1);
    const Json quote = quotes.json(0);
    QCOMPARE(quote["requestId"], Json(31));
    QCOMPARE(quote["type"], Json("quote"));
    QVERIFY(quote.contains("bid"));
}

void TestMockSamples::iotBinaryFrames()
{
    MockServer server(read(sample("iot-telemetry.asyncapi.yaml")));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();

    Client device;
    QVERIFY(device.open(port, QStringLiteral("/devices/sn-42/commands")));
    QTRY_COMPARE(device.binaries.size(), 1);
    QCOMPARE(device.binaries.first(), QByteArray::fromHex("01000000")); // "report now"
    QVERIFY(device.texts.isEmpty());

    Client dashboard;
    QVERIFY(dashboard.open(port, QStringLiteral("/live")));
    QTRY_VERIFY(dashboard.binaries.size() >= 1);
    QCOMPARE(dashboard.binaries.first(), QByteArray::fromHex("0101002a092914000ce4695bb200abcd"));

    Client sensor;
    QVERIFY(sensor.open(port, QStringLiteral("/devices/sn-42/telemetry")));
    sensor.socket.sendBinaryMessage(
        QByteArray::fromHex("0100002bfe701f400c1c695bb23c1234")); // valid: no answer
    sensor.socket.sendBinaryMessage(QByteArray::fromHex("0102")); // too short
    QTRY_COMPARE(sensor.texts.size(), 1);
    const Json error = sensor.json(0);
    QVERIFY2(error.contains("error") && error["message"] == Json("Reading"),
             qPrintable(sensor.texts.first()));
    QVERIFY(sensor.binaries.isEmpty());

    // unknown device path segment count: 404 before the upgrade
    QWebSocket stray;
    QSignalSpy failed(&stray, &QWebSocket::disconnected);
    stray.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/devices/telemetry").arg(port)));
    QTRY_COMPARE(failed.size(), 1);
}

// The shared Kraken example (3.1): pushes heartbeat and status, answers ping with
// pong and subscribe with a subscription status, request ids carried over.
void TestMockSamples::krakenRequestReply()
{
    const Api api = read(Test::examplePath(
        QStringLiteral("3.1/kraken-websocket-request-reply-multiple-channels.yml")));
    QVERIFY(!api.channels.isEmpty());
    MockServer server(api);
    QCOMPARE(server.kind(), MockConfig::Kind::Examples);
    // one of subscriptionStatus's examples has status "unsubscribed", not in the enum
    bool reported = false;
    for (const MockProblem &p : server.problems())
        reported = reported
            || (p.message.contains(QStringLiteral("'subscriptionStatus'"))
                && p.message.contains(QStringLiteral("#1")));
    QVERIFY(reported);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));

    Client client;
    QVERIFY(client.open(server.serverPort(), QStringLiteral("/")));
    QTRY_VERIFY(client.texts.size() >= 2); // heartbeat and systemStatus on connect
    std::set<std::string> pushed;
    for (qsizetype i = 0; i < client.texts.size(); ++i)
        pushed.insert(client.json(i).value("event", std::string()));
    QVERIFY(pushed.count("heartbeat") && pushed.count("systemStatus"));

    const qsizetype before = client.texts.size();
    client.socket.sendTextMessage(QStringLiteral(R"({"event": "ping", "reqid": 42})"));
    QTRY_VERIFY(client.texts.size() > before);
    bool ponged = false;
    QTRY_VERIFY([&] {
        for (qsizetype i = before; i < client.texts.size(); ++i)
            if (client.json(i).value("event", std::string()) == "pong") {
                ponged = client.json(i).value("reqid", 0) == 42;
                return true;
            }
        return false;
    }());
    QVERIFY(ponged);

    const qsizetype mark = client.texts.size();
    client.socket.sendTextMessage(QStringLiteral(
        R"({"event": "subscribe", "reqid": 7, "pair": ["XBT/EUR"], "subscription": {"name": "ticker"}})"));
    QTRY_VERIFY([&] {
        for (qsizetype i = mark; i < client.texts.size(); ++i)
            if (client.json(i).value("event", std::string()) == "subscriptionStatus")
                return client.json(i).value("reqid", 0) == 7;
        return false;
    }());

    // a subscribe with a name the enum does not have is answered with an error frame
    const qsizetype mark2 = client.texts.size();
    client.socket.sendTextMessage(
        QStringLiteral(R"({"event": "subscribe", "subscription": {"name": "weather"}})"));
    QTRY_VERIFY([&] {
        for (qsizetype i = mark2; i < client.texts.size(); ++i)
            if (client.json(i).contains("error"))
                return client.json(i).value("field", std::string()) == "/subscription/name";
        return false;
    }());
}

QTEST_GUILESS_MAIN(TestMockSamples)
#include "tst_mocksamples.moc"
