// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "mock/backendroute.h"
#include "mock/jsonpattern.h"
#include "mock/mockconfig.h"

#include <QtTest>

using namespace Gatehouse;

using Parameters = QMap<QString, QString>;

class TestMockConfig final : public QObject
{
    Q_OBJECT

private slots:
    void routes_data();
    void routes();
    void invalidRoutes_data();
    void invalidRoutes();
    void patterns_data();
    void patterns();
    void config();
    void configErrors_data();
    void configErrors();
};

void TestMockConfig::routes_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("request");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<Parameters>("parameters");

    QTest::newRow("wso2 mapping") << QStringLiteral("/rooms?room={uri.var.roomID}") << QString()
                                  << QStringLiteral("/rooms?room=room1") << true
                                  << Parameters {
                                         {QStringLiteral("roomID"), QStringLiteral("room1")}};
    QTest::newRow("plain variable") << QStringLiteral("/rooms?room={room}") << QString()
                                    << QStringLiteral("/rooms?x=1&room=a%20b") << true
                                    << Parameters {{QStringLiteral("room"), QStringLiteral("a b")}};
    QTest::newRow("plus is space")
        << QStringLiteral("/rooms?room={room}") << QString() << QStringLiteral("/rooms?room=a+b")
        << true << Parameters {{QStringLiteral("room"), QStringLiteral("a b")}};
    QTest::newRow("missing query") << QStringLiteral("/rooms?room={room}") << QString()
                                   << QStringLiteral("/rooms") << false << Parameters {};
    QTest::newRow("empty query value") << QStringLiteral("/rooms?room={room}") << QString()
                                       << QStringLiteral("/rooms?room=") << false << Parameters {};
    QTest::newRow("literal query") << QStringLiteral("/feed?format=json") << QString()
                                   << QStringLiteral("/feed?format=json") << true << Parameters {};
    QTest::newRow("literal query differs")
        << QStringLiteral("/feed?format=json") << QString() << QStringLiteral("/feed?format=xml")
        << false << Parameters {};
    QTest::newRow("address") << QStringLiteral("/devices/{id}/telemetry") << QString()
                             << QStringLiteral("/devices/d%2F1/telemetry") << true
                             << Parameters {{QStringLiteral("id"), QStringLiteral("d/1")}};
    QTest::newRow("address ignores query")
        << QStringLiteral("/notifications") << QString() << QStringLiteral("/notifications?token=x")
        << true << Parameters {};
    QTest::newRow("other path") << QStringLiteral("/notifications") << QString()
                                << QStringLiteral("/rooms") << false << Parameters {};
    QTest::newRow("no leading slash") << QStringLiteral("ticker") << QString()
                                      << QStringLiteral("/ticker") << true << Parameters {};
    QTest::newRow("root") << QStringLiteral("/") << QString() << QStringLiteral("/") << true
                          << Parameters {};
    QTest::newRow("endpoint prefix")
        << QStringLiteral("/notifications") << QStringLiteral("/backend/")
        << QStringLiteral("/backend/notifications") << true << Parameters {};
    QTest::newRow("prefix required")
        << QStringLiteral("/notifications") << QStringLiteral("/backend")
        << QStringLiteral("/notifications") << false << Parameters {};
    QTest::newRow("path and query variables")
        << QStringLiteral("/chat/{uri.var.org}?room={uri.var.room}") << QString()
        << QStringLiteral("/chat/acme?room=lobby") << true
        << Parameters {{QStringLiteral("org"), QStringLiteral("acme")},
                       {QStringLiteral("room"), QStringLiteral("lobby")}};
}

void TestMockConfig::routes()
{
    QFETCH(QString, route);
    QFETCH(QString, prefix);
    QFETCH(QString, request);
    QFETCH(bool, matches);
    QFETCH(Parameters, parameters);
    const BackendRoute r(route, prefix);
    QVERIFY2(r.isValid(), qPrintable(r.errorString()));
    const auto result = r.match(request);
    QCOMPARE(result.has_value(), matches);
    if (matches)
        QCOMPARE(*result, parameters);
}

void TestMockConfig::invalidRoutes_data()
{
    QTest::addColumn<QString>("route");
    QTest::newRow("unclosed brace") << QStringLiteral("/rooms/{id");
    QTest::newRow("brace in query literal") << QStringLiteral("/rooms?room=x{id}");
    QTest::newRow("empty query variable") << QStringLiteral("/rooms?room={}");
}

void TestMockConfig::invalidRoutes()
{
    QFETCH(QString, route);
    const BackendRoute r(route);
    QVERIFY(!r.isValid());
    QVERIFY(!r.errorString().isEmpty());
    QVERIFY(!r.match(QStringLiteral("/rooms?room=a")));
}

void TestMockConfig::patterns_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<QString>("why");

    QTest::newRow("subset object")
        << QByteArray(R"({"type": "hello"})") << QStringLiteral(R"({"type":"hello","n":1})") << true
        << QString();
    QTest::newRow("different value")
        << QByteArray(R"({"type": "hello"})") << QStringLiteral(R"({"type":"bye"})") << false
        << QStringLiteral("/type: expected \"hello\", got \"bye\"");
    QTest::newRow("missing key") << QByteArray(R"({"a": {"b": 1}})")
                                 << QStringLiteral(R"({"a":{}})") << false
                                 << QStringLiteral("/a/b: missing");
    QTest::newRow("wildcard") << QByteArray(R"({"id": "*"})") << QStringLiteral(R"({"id":[1,2]})")
                              << true << QString();
    QTest::newRow("wildcard needs key") << QByteArray(R"({"id": "*"})") << QStringLiteral("{}")
                                        << false << QStringLiteral("/id: missing");
    QTest::newRow("regex") << QByteArray(R"("/^bye/")") << QStringLiteral("bye now") << true
                           << QString();
    QTest::newRow("regex fails") << QByteArray(R"("/^bye/")") << QStringLiteral("hi") << false
                                 << QStringLiteral(
                                        "(root): expected a match of /^bye/, got \"hi\"");
    QTest::newRow("plain text") << QByteArray(R"("hello")") << QStringLiteral("hello") << true
                                << QString();
    QTest::newRow("number by value")
        << QByteArray(R"({"n": 1})") << QStringLiteral(R"({"n":1.0})") << true << QString();
    QTest::newRow("array items") << QByteArray(R"([1, "*"])") << QStringLiteral(R"([1,"x"])")
                                 << true << QString();
    QTest::newRow("array length") << QByteArray(R"([1])") << QStringLiteral(R"([1,2])") << false
                                  << QStringLiteral(
                                         "(root): expected an array of 1 items, got [1,2]");
    QTest::newRow("object vs text")
        << QByteArray(R"({"a": 1})") << QStringLiteral("not json") << false
        << QStringLiteral("(root): expected an object, got \"not json\"");
}

void TestMockConfig::patterns()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);
    QFETCH(QString, why);
    QString reason;
    QCOMPARE(JsonPattern::matches(Json::parse(pattern.toStdString()),
                                  JsonPattern::valueOfText(text), &reason),
             matches);
    QCOMPARE(reason, why);
}

void TestMockConfig::config()
{
    QStringList errors;
    const MockConfig c = MockConfig::fromJson(Json::parse(R"({
        "kind": "examples", "seed": 9, "listen": "127.0.0.1:0", "interval": 250,
        "broadcast": {"serverTime": true, "interval": 100},
        "chat": {"joined": "In {room}"},
        "channels": {"ticker": {"rate": 4, "generate": true}, "/slow": {"interval": 0}, "plain": {}},
        "scenarios": {"demo": {"repeat": true, "steps": [{"wait": 5}, {"send": {"a": 1}},
                                                          {"expect": "x", "timeout": 50},
                                                          {"sendBinary": "AAE="}, {"close": 4001}]}}
    })"),
                                              &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
    QCOMPARE(c.kind, MockConfig::Kind::Examples);
    QCOMPARE(c.seed, 9u);
    QCOMPARE(c.listen, QStringLiteral("127.0.0.1:0"));
    QVERIFY(c.serverTime);
    QCOMPARE(c.serverTimeIntervalMs, 100);
    QCOMPARE(c.joinedText, QStringLiteral("In {room}"));
    QCOMPARE(c.subscribedText, QStringLiteral("Subscribed to notifications!"));
    QCOMPARE(c.intervalFor(QStringLiteral("ticker"), QStringLiteral("/ticker")),
             250); // rate 4 per second
    QCOMPARE(c.intervalFor(QStringLiteral("x"), QStringLiteral("/slow")), 0);
    QCOMPARE(c.intervalFor(QStringLiteral("plain"), QString()), 250);
    QCOMPARE(c.intervalFor(QStringLiteral("other"), QString()), 250);
    QVERIFY(c.generates(QStringLiteral("ticker"), QString()));
    QVERIFY(!c.generates(QStringLiteral("plain"), QString()));
    const Scenario *s = c.scenarioFor(QStringLiteral("demo"), QString());
    QVERIFY(s);
    QVERIFY(s->repeat);
    QCOMPARE(s->steps.size(), 5);
    QCOMPARE(s->steps.at(0).type, ScenarioStep::Type::Wait);
    QCOMPARE(s->steps.at(1).value, (Json {{"a", 1}}));
    QCOMPARE(s->steps.at(2).milliseconds, 50);
    QVERIFY(s->steps.at(3).binary);
    QCOMPARE(s->steps.at(4).closeCode, 4001);

    QCOMPARE(MockConfig::fromJson(Json("chat"), &errors).kind, MockConfig::Kind::Chat);
    QVERIFY(!MockConfig::fromJson(Json(), &errors).kind);
    QVERIFY(errors.isEmpty());
}

void TestMockConfig::configErrors_data()
{
    QTest::addColumn<QByteArray>("mock");
    QTest::addColumn<QString>("error");
    QTest::newRow("kind")
        << QByteArray(R"({"kind": "parrot"})")
        << QStringLiteral(
               "x-gatehouse.mock.kind: unknown kind 'parrot' (echo, broadcast, chat, examples)");
    QTest::newRow("shorthand kind")
        << QByteArray(R"("parrot")")
        << QStringLiteral(
               "x-gatehouse.mock: unknown kind 'parrot' (echo, broadcast, chat, examples)");
    QTest::newRow("seed") << QByteArray(R"({"seed": -1})")
                          << QStringLiteral("x-gatehouse.mock.seed: must be a whole number >= 0");
    QTest::newRow("server time")
        << QByteArray(R"({"broadcast": {"serverTime": "yes"}})")
        << QStringLiteral("x-gatehouse.mock.broadcast.serverTime: must be true or false");
    QTest::newRow("chat text") << QByteArray(R"({"chat": {"joined": 3}})")
                               << QStringLiteral("x-gatehouse.mock.chat.joined: must be text");
    QTest::newRow("rate") << QByteArray(R"({"channels": {"t": {"rate": 0}}})")
                          << QStringLiteral("x-gatehouse.mock.channels.t: must be {interval: "
                                            "milliseconds} or {rate: messages per second}");
    QTest::newRow("generate") << QByteArray(R"({"channels": {"t": {"generate": 1}}})")
                              << QStringLiteral(
                                     "x-gatehouse.mock.channels.t.generate: must be true or false");
    QTest::newRow("step")
        << QByteArray(R"({"scenarios": {"s": [{"send": "a", "wait": 1}]}})")
        << QStringLiteral(
               "x-gatehouse.mock.scenarios.s[0]: a step needs exactly one of wait, send, "
               "sendBinary, expect, close");
    QTest::newRow("close code")
        << QByteArray(R"({"scenarios": {"s": [{"close": 1005}]}})")
        << QStringLiteral("x-gatehouse.mock.scenarios.s[0].close: 1005 is not a close code a "
                          "server may send");
    QTest::newRow("steps missing")
        << QByteArray(R"({"scenarios": {"s": {"repeat": true}}})")
        << QStringLiteral("x-gatehouse.mock.scenarios.s: missing 'steps'");
    QTest::newRow("not an object")
        << QByteArray("[1]")
        << QStringLiteral("x-gatehouse.mock: must be an object such as {kind: echo}");
}

void TestMockConfig::configErrors()
{
    QFETCH(QByteArray, mock);
    QFETCH(QString, error);
    QStringList errors;
    MockConfig::fromJson(Json::parse(mock.toStdString()), &errors);
    QCOMPARE(errors, QStringList {error});
}

QTEST_GUILESS_MAIN(TestMockConfig)
#include "tst_mockconfig.moc"
