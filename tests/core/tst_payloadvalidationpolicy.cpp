// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/payloadvalidationpolicy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::Direction;
using Gateway::Leg;
using Gateway::MessageVerdict;
using Gateway::RelayMessage;

namespace {

// A trading API: clients send orders (JSON), the backend sends quotes (JSON) or
// notices (plain text).
Api tradingApi()
{
    Api api;
    api.title = QStringLiteral("Trading");
    api.version = QStringLiteral("1.0.0");
    api.schemas = Json::parse(R"({"Price":{"type":"number","minimum":0}})");
    Message order;
    order.id = QStringLiteral("Order");
    order.contentType = QStringLiteral("application/json");
    order.payload = Json::parse(R"({"type":"object","required":["symbol","qty"],
        "properties":{"symbol":{"type":"string"},"qty":{"type":"integer","minimum":1},
        "limit":{"$ref":"#/components/schemas/Price"}}})");
    Message quote;
    quote.id = QStringLiteral("Quote");
    quote.payload = Json::parse(
        R"({"type":"object","required":["price"],"properties":{"price":{"type":"number"}}})");
    Message notice;
    notice.id = QStringLiteral("Notice");
    notice.contentType = QStringLiteral("text/plain");
    notice.payload = Json::parse(R"({"type":"string","maxLength":10})");
    api.messages = {order, quote, notice};
    Channel market;
    market.id = QStringLiteral("market");
    market.address = QStringLiteral("/market");
    market.messageIds = {order.id, quote.id, notice.id};
    api.channels = {market};
    Operation send;
    send.id = QStringLiteral("placeOrder");
    send.action = Operation::Action::Receive; // the backend receives orders
    send.channelId = market.id;
    send.messageIds = {order.id};
    Operation push;
    push.id = QStringLiteral("pushQuotes");
    push.action = Operation::Action::Send;
    push.channelId = market.id;
    push.messageIds = {quote.id, notice.id};
    api.operations = {send, push};
    return api;
}

} // namespace

class TestPayloadValidationPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void check_data();
    void check();
    void monitorForwards();
    void rejectCloses();
    void dropSendsFrame();
    void messageWithoutSchemaAcceptsAll();
    void badSchemaReported();
};

void TestPayloadValidationPolicy::check_data()
{
    QTest::addColumn<int>("direction");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QString>("problem"); // substring; empty = valid
    const int in = int(Direction::ClientToBackend);
    const int out = int(Direction::BackendToClient);
    QTest::newRow("order-ok") << in << QByteArray(R"({"symbol":"ACME","qty":3})") << false
                              << QString();
    QTest::newRow("order-missing")
        << in << QByteArray(R"({"symbol":"ACME"})") << false << u"does not match Order"_qs;
    QTest::newRow("order-ref-min")
        << in << QByteArray(R"({"symbol":"A","qty":1,"limit":-5})") << false << u"/limit"_qs;
    QTest::newRow("order-not-json")
        << in << QByteArray("buy ACME") << false
        << u"not JSON: parse error at line 1, column 1: syntax error"_qs;
    QTest::newRow("quote-as-order") << in << QByteArray(R"({"price":3})") << false << u"Order"_qs;
    QTest::newRow("quote-ok") << out << QByteArray(R"({"price":3.5})") << false << QString();
    QTest::newRow("notice-ok") << out << QByteArray("closing") << false << QString();
    QTest::newRow("notice-too-long")
        << out << QByteArray("the market is closing now") << false << u"does not match"_qs;
    QTest::newRow("binary-json-ok") << out << QByteArray(R"({"price":1})") << true << QString();
    QTest::newRow("binary-garbage") << out << QByteArray("\x01\x02", 2) << true << u"not JSON"_qs;
}

void TestPayloadValidationPolicy::check()
{
    QFETCH(int, direction);
    QFETCH(QByteArray, payload);
    QFETCH(bool, binary);
    QFETCH(QString, problem);
    const Api api = tradingApi();
    QString error;
    PayloadValidationPolicy policy({}, api, api.channels.first(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(policy.schemaCount(Direction::ClientToBackend), 1);
    QCOMPARE(policy.schemaCount(Direction::BackendToClient), 2);
    const QString got = policy.check(Direction(direction), payload, binary);
    if (problem.isEmpty())
        QVERIFY2(got.isEmpty(), qPrintable(got));
    else
        QVERIFY2(got.contains(problem), qPrintable(got));
}

void TestPayloadValidationPolicy::monitorForwards()
{
    const Api api = tradingApi();
    PayloadValidationPolicy policy({}, api, api.channels.first());
    RelayMessage m {Direction::ClientToBackend, false, R"({"qty":0})"};
    QTest::ignoreMessage(
        QtWarningMsg,
        QRegularExpression(u"payload does not match Order.*connection 0, client to backend"_qs));
    const auto v = policy.process({}, m);
    policy.process({}, m); // within the same second: counted, not printed
    QCOMPARE(v.action, MessageVerdict::Action::Forward);
    QVERIFY(v.reason.startsWith(u"payload does not match Order"));
    QCOMPARE(policy.violations(), qint64(2));
    RelayMessage ok {Direction::ClientToBackend, false, R"({"symbol":"A","qty":1})"};
    QVERIFY(policy.process({}, ok).reason.isEmpty());
    QCOMPARE(policy.violations(), qint64(2));
}

void TestPayloadValidationPolicy::rejectCloses()
{
    const Api api = tradingApi();
    PayloadValidationPolicy::Settings s;
    s.mode = PayloadValidationPolicy::Mode::Reject;
    PayloadValidationPolicy policy(s, api, api.channels.first());
    RelayMessage in {Direction::ClientToBackend, false, "{}"};
    auto v = policy.process({}, in);
    QCOMPARE(v.action, MessageVerdict::Action::Close);
    QCOMPARE(v.clientCloseCode, quint16(1007));
    QCOMPARE(v.backendCloseCode, quint16(1001));
    RelayMessage out {Direction::BackendToClient, false, "neither a quote nor a notice"};
    v = policy.process({}, out);
    QCOMPARE(v.clientCloseCode, quint16(1001));
    QCOMPARE(v.backendCloseCode, quint16(1007));
}

void TestPayloadValidationPolicy::dropSendsFrame()
{
    const Api api = tradingApi();
    PolicyConfig c(Json::parse(R"({"type":"validatePayload","mode":"drop"})"), QStringLiteral("p"));
    PayloadValidationPolicy policy(PayloadValidationPolicy::parse(c), api, api.channels.first());
    RelayMessage in {Direction::ClientToBackend, false, R"({"symbol":"A"})"};
    const auto v = policy.process({}, in);
    QCOMPARE(v.action, MessageVerdict::Action::Drop);
    QCOMPARE(v.errorFrameTo, Leg::Client);
    const QJsonObject frame = QJsonDocument::fromJson(v.errorFrame.toUtf8()).object();
    QCOMPARE(frame.value(u"error").toInt(), 4007);
    QVERIFY(frame.value(u"reason").toString().contains(u"qty"));
}

void TestPayloadValidationPolicy::messageWithoutSchemaAcceptsAll()
{
    Api api = tradingApi();
    api.messages[2].payload = Json(); // Notice without a schema: anything goes out
    PayloadValidationPolicy policy({}, api, api.channels.first());
    QCOMPARE(policy.schemaCount(Direction::BackendToClient), 0);
    QVERIFY(policy.check(Direction::BackendToClient, "whatever", true).isEmpty());
    QVERIFY(!policy.check(Direction::ClientToBackend, "whatever", false).isEmpty());
}

void TestPayloadValidationPolicy::badSchemaReported()
{
    Api api = tradingApi();
    api.messages[0].payload
        = Json::parse(R"({"type":"object","properties":{"a":{"type":"strin"}}})");
    QString error;
    PayloadValidationPolicy policy({}, api, api.channels.first(), &error);
    QVERIFY(error.startsWith(u"message Order: payload schema:"));
}

QTEST_GUILESS_MAIN(TestPayloadValidationPolicy)
#include "tst_payloadvalidationpolicy.moc"
