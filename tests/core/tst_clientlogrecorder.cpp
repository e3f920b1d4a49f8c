// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"
#include "client/clientevent.h"
#include "client/clientlogrecorder.h"
#include "gateway/gatewayeventsink.h"

#include <QTemporaryDir>
#include <QTest>

#include <mutex>

using namespace Gatehouse;
using Client::ClientEvent;
using Gateway::GatewayEvent;

namespace {

class Collect final : public Gateway::GatewayEventSink
{
public:
    void consume(const QList<GatewayEvent> &events) override { received.append(events); }
    QList<GatewayEvent> received;
};

ClientEvent clientEvent(ClientEvent::Kind kind, qint64 timeMs, QByteArray data = {},
                        bool out = false)
{
    ClientEvent e;
    e.kind = kind;
    e.timeMs = timeMs;
    e.data = std::move(data);
    e.outgoing = out;
    if (kind == ClientEvent::Kind::Sent || kind == ClientEvent::Kind::Received)
        e.opcode = ClientEvent::Text;
    return e;
}

// A session: connect, open, send, receive, ping (left out), the server closes.
QList<ClientEvent> session(qint64 t0)
{
    ClientEvent closed = clientEvent(ClientEvent::Kind::Closed, t0 + 50);
    closed.closeCode = 1001;
    closed.text = QStringLiteral("going away");
    ClientEvent response = clientEvent(ClientEvent::Kind::Response, t0 + 1);
    response.status = 101;
    return {clientEvent(ClientEvent::Kind::Connecting, t0),
            response,
            clientEvent(ClientEvent::Kind::Opened, t0 + 2),
            clientEvent(ClientEvent::Kind::Sent, t0 + 10, "hello", true),
            clientEvent(ClientEvent::Kind::Ping, t0 + 11),
            clientEvent(ClientEvent::Kind::Received, t0 + 12, "hi there"),
            closed};
}

} // namespace

class TestClientLogRecorder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sessionRows();
    void refusedAndUnreachable();
    void secretsInTheUrlStayOut();
    void intoTheMessageLog();
    void eventJsonRoundTrip();
    void eventJsonRejected_data();
    void eventJsonRejected();
};

void TestClientLogRecorder::sessionRows()
{
    auto sink = std::make_shared<Collect>();
    Client::ClientLogRecorder recorder(sink,
                                       {QStringLiteral("rooms/r1"),
                                        QUrl(QStringLiteral("ws://127.0.0.1:9/chats/rooms/r1")),
                                        QStringLiteral("/rooms/{roomId}")});
    recorder.record(session(1000));
    const QList<GatewayEvent> &rows = sink->received;
    QCOMPARE(rows.size(), 4); // opened, sent, received, closed; no ping
    QVERIFY(rows.at(0).type == GatewayEvent::Type::ConnectionOpened);
    QCOMPARE(rows.at(0).status, 101);
    QVERIFY(rows.at(1).type == GatewayEvent::Type::MessageRelayed);
    QVERIFY(rows.at(1).direction == Gateway::Direction::ClientToBackend);
    QCOMPARE(rows.at(1).payload, QByteArray("hello"));
    QVERIFY(rows.at(2).direction == Gateway::Direction::BackendToClient);
    QCOMPARE(rows.at(2).size, 8);
    const GatewayEvent &closed = rows.at(3);
    QVERIFY(closed.type == GatewayEvent::Type::ConnectionClosed);
    QCOMPARE(closed.closeCode, quint16(1001));
    QCOMPARE(closed.closeReason, QStringLiteral("going away"));
    QVERIFY(closed.closedBy == GatewayEvent::Party::Backend);
    QCOMPARE(closed.messagesIn, 1);
    QCOMPARE(closed.messagesOut, 1);
    QCOMPARE(closed.durationMs, 48);
    for (const GatewayEvent &e : rows) {
        QCOMPARE(e.connectionId, recorder.connectionId());
        QVERIFY(e.sharesDetailsWith(rows.first()));
        QCOMPARE(e.details().channel, QStringLiteral("/rooms/{roomId}"));
        QCOMPARE(e.details().apiTitle, QStringLiteral("rooms/r1"));
        QCOMPARE(e.details().flags, QStringList {QStringLiteral("client")});
    }
    // a reconnect is a connection of its own
    const quint64 first = recorder.connectionId();
    recorder.record(session(2000));
    QVERIFY(recorder.connectionId() != first);
    QCOMPARE(sink->received.size(), 8);
}

void TestClientLogRecorder::refusedAndUnreachable()
{
    auto sink = std::make_shared<Collect>();
    Client::ClientLogRecorder recorder(sink, {{}, QUrl(QStringLiteral("ws://127.0.0.1:9/x")), {}});
    ClientEvent refused = clientEvent(ClientEvent::Kind::Response, 2, "no token");
    refused.status = 401;
    refused.text = QStringLiteral("Unauthorized");
    ClientEvent error = clientEvent(ClientEvent::Kind::Error, 3);
    error.text = QStringLiteral("the server refused the connection (HTTP 401)");
    recorder.record({clientEvent(ClientEvent::Kind::Connecting, 1), refused, error});
    QCOMPARE(sink->received.size(), 1); // the refusal once, not the error after it as well
    QVERIFY(sink->received.at(0).type == GatewayEvent::Type::ConnectionRejected);
    QCOMPARE(sink->received.at(0).status, 401);
    QCOMPARE(sink->received.at(0).reason, QStringLiteral("HTTP 401 Unauthorized"));
    QCOMPARE(sink->received.at(0).details().channel, QStringLiteral("/x"));

    ClientEvent unreachable = clientEvent(ClientEvent::Kind::Error, 5);
    unreachable.text = QStringLiteral("connection refused");
    recorder.record({clientEvent(ClientEvent::Kind::Connecting, 4), unreachable});
    QCOMPARE(sink->received.size(), 2);
    QVERIFY(sink->received.at(1).type == GatewayEvent::Type::ConnectionRejected);
    QCOMPARE(sink->received.at(1).status, 0);
    QCOMPARE(sink->received.at(1).reason, QStringLiteral("connection refused"));

    // a network error on an open connection ends it as 1006
    ClientEvent dropped = clientEvent(ClientEvent::Kind::Error, 9);
    dropped.text = QStringLiteral("the remote host closed the connection");
    recorder.record({clientEvent(ClientEvent::Kind::Connecting, 6),
                     clientEvent(ClientEvent::Kind::Opened, 7), dropped});
    QCOMPARE(sink->received.size(), 4);
    QVERIFY(sink->received.at(3).type == GatewayEvent::Type::ConnectionClosed);
    QCOMPARE(sink->received.at(3).closeCode, quint16(1006));
}

void TestClientLogRecorder::secretsInTheUrlStayOut()
{
    auto sink = std::make_shared<Collect>();
    Client::ClientLogRecorder recorder(
        sink,
        {{}, QUrl(QStringLiteral("wss://user:pw@example.test:8443/feed?apikey=s3cret#x")), {}});
    recorder.record(session(0));
    QVERIFY(!sink->received.isEmpty());
    const GatewayEvent::Details &d = sink->received.first().details();
    QCOMPARE(d.backendUrl, QStringLiteral("wss://example.test:8443/feed"));
    QCOMPARE(d.path, QStringLiteral("/feed"));
}

void TestClientLogRecorder::intoTheMessageLog()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Analytics::MessageLogStore::Options options;
    options.path = dir.filePath(QStringLiteral("messages.db"));
    auto store = std::make_shared<Analytics::MessageLogStore>(options);
    QString error;
    QVERIFY2(store->open(&error), qPrintable(error));
    Client::ClientLogRecorder recorder(
        store, {QStringLiteral("echo"), QUrl(QStringLiteral("ws://127.0.0.1:9/echo")), {}});
    recorder.record(session(1'700'000'000'000));
    QVERIFY(store->flush());
    store->close();

    Analytics::MessageLogReader reader;
    QVERIFY2(reader.open(options.path, &error), qPrintable(error));
    const QList<Analytics::LogRecord> rows = reader.query({}, 0, 100, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 4);
    int messages = 0;
    for (const Analytics::LogRecord &r : rows) {
        QCOMPARE(r.connectionId, recorder.connectionId());
        QVERIFY(r.flags.contains(QStringLiteral("client")));
        if (r.kind == Analytics::LogRecord::Kind::Message) {
            ++messages;
            QVERIFY(r.payload == "hello" || r.payload == "hi there");
        }
    }
    QCOMPARE(messages, 2);
    Analytics::LogFilter filter;
    filter.text = QStringLiteral("hi there");
    QCOMPARE(reader.count(filter, &error), 1);
}

void TestClientLogRecorder::eventJsonRoundTrip()
{
    QList<ClientEvent> events = session(1'700'000'000'123);
    ClientEvent binary
        = clientEvent(ClientEvent::Kind::Received, 1'700'000'000'200, QByteArray("\x00\xff", 2));
    binary.opcode = ClientEvent::Binary;
    binary.roundTripUs = 1500;
    ClientEvent response = clientEvent(ClientEvent::Kind::Response, 1'700'000'000'300, "denied");
    response.status = 403;
    response.text = QStringLiteral("Forbidden");
    response.headers = {{"Content-Type", "text/plain"}};
    events << binary << response;
    quint64 seq = 0;
    for (ClientEvent &e : events)
        e.sequence = ++seq;
    for (const ClientEvent &e : std::as_const(events)) {
        QString error;
        const std::optional<ClientEvent> back = ClientEvent::fromJson(e.toJson(), &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->toJson().dump(), e.toJson().dump());
        QCOMPARE(back->data, e.data);
        QCOMPARE(back->timeMs, e.timeMs);
        QCOMPARE(back->closeCode, e.closeCode);
    }
}

void TestClientLogRecorder::eventJsonRejected_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("array") << "[1]"
                           << "not a JSON object";
    QTest::newRow("kind") << R"({"kind":"shout","time":"2026-01-01T00:00:00.000Z"})"
                          << "unknown kind \"shout\"";
    QTest::newRow("time") << R"({"kind":"sent","time":"yesterday"})"
                          << "no valid \"time\"";
}

void TestClientLogRecorder::eventJsonRejected()
{
    QFETCH(QString, json);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!ClientEvent::fromJson(Json::parse(json.toStdString()), &why));
    QCOMPARE(why, error);
}

QTEST_GUILESS_MAIN(TestClientLogRecorder)
#include "tst_clientlogrecorder.moc"
