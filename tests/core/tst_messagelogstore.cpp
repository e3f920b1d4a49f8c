// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/asynceventsink.h"
#include "analytics/eventqueue.h"
#include "analytics/eventsinkfanout.h"
#include "analytics/gatewayeventjson.h"
#include "analytics/jsonlineswriter.h"
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"

#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Analytics;
using Gateway::GatewayEvent;

namespace {

const qint64 T0 = 1'767'225'600'000;

GatewayEvent message(quint64 connection, qint64 time, const QByteArray &payload = "hello",
                     Gateway::Direction direction = Gateway::Direction::ClientToBackend)
{
    GatewayEvent e;
    e.type = GatewayEvent::Type::MessageRelayed;
    e.timeMs = time;
    e.connectionId = connection;
    e.api = QStringLiteral("/chats/1.0.0");
    e.channel = QStringLiteral("/rooms/{roomID}");
    e.application = QStringLiteral("app_1");
    e.direction = direction;
    e.size = payload.size();
    e.payload = payload;
    e.latencyUs = 42;
    return e;
}

GatewayEvent handshake(quint64 connection, qint64 time, int status, const QString &reason = {})
{
    GatewayEvent e;
    e.type = status == 101 ? GatewayEvent::Type::ConnectionOpened
                           : GatewayEvent::Type::ConnectionRejected;
    e.timeMs = time;
    e.connectionId = connection;
    e.api = QStringLiteral("/chats/1.0.0");
    e.channel = QStringLiteral("/notifications");
    e.path = QStringLiteral("/chats/1.0.0/notifications");
    e.clientAddress = QStringLiteral("127.0.0.1:5555");
    e.status = status;
    e.reason = reason;
    return e;
}

GatewayEvent ping(quint64 connection, qint64 time)
{
    GatewayEvent e = message(connection, time, QByteArray());
    e.type = GatewayEvent::Type::PingForwarded;
    e.size = 4;
    e.latencyUs = 0;
    return e;
}

GatewayEvent closed(quint64 connection, qint64 time)
{
    GatewayEvent e;
    e.type = GatewayEvent::Type::ConnectionClosed;
    e.timeMs = time;
    e.connectionId = connection;
    e.closeCode = 1000;
    e.closeReason = QStringLiteral("bye");
    e.closedBy = GatewayEvent::Party::Client;
    e.messagesIn = 3;
    e.messagesOut = 4;
    e.durationMs = 1500;
    e.flags = {QStringLiteral("fault-injection")};
    return e;
}

// A writer that records batch sizes; used to check batching without SQLite.
class RecordingWriter final : public EventWriter
{
public:
    std::shared_ptr<QList<qsizetype>> batches = std::make_shared<QList<qsizetype>>();
    bool open(QString *) override { return true; }
    bool write(const QList<GatewayEvent> &events, QString *) override
    {
        batches->append(events.size());
        return true;
    }
    void close() override { }
};

} // namespace

class TestMessageLogStore final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void queueBoundAndDrops();
    void batchesAreBounded();
    void rowsLandAndWal();
    void readerQueries();
    void payloadTruncatedAndFiltered();
    void pausedWriterDropsInsteadOfBlocking();
    void openErrorIsOneLine();
    void jsonLines();
    void eventJsonRoundTrip();
    void forwardedPingsAreLogged();
    void fanOut();

private:
    QTemporaryDir m_dir;
};

void TestMessageLogStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")));
}

void TestMessageLogStore::queueBoundAndDrops()
{
    EventQueue queue(5);
    QCOMPARE(queue.push({message(1, 1), message(1, 2), message(1, 3)}), 3);
    QCOMPARE(queue.push({message(1, 4), message(1, 5), message(1, 6), message(1, 7)}), 2);
    QCOMPARE(queue.accepted(), qint64(5));
    QCOMPARE(queue.dropped(), qint64(2));
    const auto taken = queue.takeAll();
    QCOMPARE(taken.size(), 2); // the batches as pushed
    QCOMPARE(taken.first().size(), 3);
    QCOMPARE(taken.last().size(), 2);
    QCOMPARE(taken.last().last().timeMs, qint64(5)); // oldest kept, newest dropped
    QCOMPARE(queue.size(), 0);
    QCOMPARE(queue.push({message(1, 8)}), 1);
}

void TestMessageLogStore::batchesAreBounded()
{
    auto writer = std::make_unique<RecordingWriter>();
    auto batches = writer->batches;
    AsyncEventSink::Options options;
    options.batchSize = 100;
    options.flushInterval = std::chrono::hours(1); // only size and flush() trigger writes
    AsyncEventSink sink(std::move(writer), options);
    QVERIFY(sink.start());
    sink.setPaused(true);
    QList<GatewayEvent> events;
    for (int i = 0; i < 250; ++i)
        events.append(message(1, T0 + i));
    sink.consume(events);
    sink.setPaused(false);
    QVERIFY(sink.flush());
    QCOMPARE(*batches, (QList<qsizetype> {100, 100, 50}));
    QCOMPARE(sink.writtenEvents(), qint64(250));
    // reaching the batch size wakes the writer without flush()
    QSignalSpy written(&sink, &AsyncEventSink::batchWritten);
    QList<GatewayEvent> more;
    for (int i = 0; i < 100; ++i)
        more.append(message(1, T0 + i));
    sink.consume(more);
    QTRY_COMPARE(sink.writtenEvents(), qint64(350));
    sink.stop();
}

void TestMessageLogStore::rowsLandAndWal()
{
    const QString path = m_dir.filePath(QStringLiteral("rows.db"));
    MessageLogStore::Options options;
    options.path = path;
    options.queue.flushInterval = std::chrono::milliseconds(20);
    MessageLogStore store(options);
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    QSignalSpy written(store.sink(), &AsyncEventSink::batchWritten);
    store.consume({handshake(1, T0, 101), message(1, T0 + 1),
                   message(1, T0 + 2, "re", Gateway::Direction::BackendToClient), closed(1, T0 + 3),
                   handshake(2, T0 + 4, 401, QStringLiteral("missing credentials"))});
    QTRY_VERIFY(!written.isEmpty()); // the timer writes without flush()
    QTRY_COMPARE(store.sink()->writtenEvents(), qint64(5));

    // an independent connection sees the rows while the writer keeps its own open
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), u"wal"_qs);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM log_messages")) && q.next());
        QCOMPARE(q.value(0).toInt(), 2);
        QVERIFY(q.exec(QStringLiteral(
            "SELECT accepted, status, reason FROM log_handshakes ORDER BY time_ms")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toInt(), 101);
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QCOMPARE(q.value(1).toInt(), 401);
        QCOMPARE(q.value(2).toString(), u"missing credentials"_qs);
        QVERIFY(q.exec(QStringLiteral("SELECT code, reason, closed_by, flags FROM log_closes"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), 1000);
        QCOMPARE(q.value(2).toString(), u"client"_qs);
        QCOMPARE(q.value(3).toString(), u"fault-injection"_qs);
        QVERIFY(q.exec(QStringLiteral(
            "SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'log_%'")));
        int indexes = 0;
        while (q.next())
            ++indexes;
        QCOMPARE(indexes, 5); // time and connection on each table but log_messages: time only
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    store.close();
    // reopening keeps the rows and the schema
    MessageLogStore again(options);
    QVERIFY(again.open(&error));
    MessageLogReader reader;
    QVERIFY(reader.open(path, &error));
    QCOMPARE(reader.count({}), qint64(5));
}

void TestMessageLogStore::readerQueries()
{
    const QString path = m_dir.filePath(QStringLiteral("query.db"));
    MessageLogStore::Options options;
    options.path = path;
    MessageLogStore store(options);
    QVERIFY(store.open());
    QList<GatewayEvent> events;
    events.append(handshake(1, T0, 101));
    for (int i = 0; i < 30; ++i)
        events.append(message(1 + quint64(i % 2), T0 + 10 + i,
                              i == 7 ? QByteArray("needle 50%_off") : QByteArray("hay")));
    events.append(handshake(3, T0 + 100, 403, QStringLiteral("subscription blocked")));
    events.append(closed(1, T0 + 200));
    store.consume(events);
    QVERIFY(store.flush());

    MessageLogReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.count({}), qint64(33));
    // paging in time order
    const auto page1 = reader.query({}, 0, 10);
    const auto page2 = reader.query({}, 10, 10);
    QCOMPARE(page1.size(), 10);
    QCOMPARE(page1.first().kind, LogRecord::Kind::Handshake);
    QCOMPARE(page1.first().status, 101);
    QVERIFY(page1.last().timeMs <= page2.first().timeMs);
    QCOMPARE(reader.query({}, 30, 10).size(), 3);
    QCOMPARE(reader.query({}, 30, 10).last().kind, LogRecord::Kind::Close);
    // time range [from, to)
    LogFilter range;
    range.fromMs = T0 + 10;
    range.toMs = T0 + 20;
    QCOMPARE(reader.count(range), qint64(10));
    // text, with LIKE wildcards taken literally
    LogFilter text;
    text.text = QStringLiteral("50%_");
    const auto found = reader.query(text);
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().payload, QByteArray("needle 50%_off"));
    QCOMPARE(found.first().direction, u"in"_qs);
    QCOMPARE(found.first().action, u"relayed"_qs);
    QCOMPARE(found.first().latencyUs, qint64(42));
    text.text = QStringLiteral("BLOCKED");
    QCOMPARE(reader.query(text).first().status, 403);
    // connection and kinds
    LogFilter conn;
    conn.connectionId = 2;
    QCOMPARE(reader.count(conn), qint64(15));
    LogFilter kinds;
    kinds.kinds = {LogRecord::Kind::Close};
    const auto closes = reader.query(kinds);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closes.first().closeCode, 1000);
    QCOMPARE(closes.first().closedBy, u"client"_qs);
    QCOMPARE(closes.first().messagesOut, qint64(4));
    QCOMPARE(closes.first().flags, QStringList {u"fault-injection"_qs});
}

void TestMessageLogStore::payloadTruncatedAndFiltered()
{
    const QString path = m_dir.filePath(QStringLiteral("payload.db"));
    MessageLogStore::Options options;
    options.path = path;
    options.maxPayloadSize = 8;
    options.payloadFilter
        = [](const GatewayEvent &e) { return QByteArray(e.payload).replace("secret", "******"); };
    MessageLogStore store(options);
    QVERIFY(store.open());
    store.consume({message(1, T0, "my secret is long"), message(1, T0 + 1, "short")});
    QVERIFY(store.flush());
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    const auto rows = reader.query({});
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).payload, QByteArray("my *****"));
    QVERIFY(rows.at(0).payloadTruncated);
    QCOMPARE(rows.at(0).size, qint64(17));
    QCOMPARE(rows.at(1).payload, QByteArray("short"));
    QVERIFY(!rows.at(1).payloadTruncated);

    MessageLogStore::Options noPayloads = options;
    noPayloads.path = m_dir.filePath(QStringLiteral("nopayload.db"));
    noPayloads.payloads = false;
    MessageLogStore bare(noPayloads);
    QVERIFY(bare.open());
    bare.consume({message(1, T0, "hidden")});
    QVERIFY(bare.flush());
    MessageLogReader r2;
    QVERIFY(r2.open(noPayloads.path));
    QVERIFY(r2.query({}).first().payload.isEmpty());
}

void TestMessageLogStore::pausedWriterDropsInsteadOfBlocking()
{
    // A writer that cannot keep up: the producer's consume() returns at once and
    // what does not fit in the bounded queue is counted and reported.
    const QString path = m_dir.filePath(QStringLiteral("slow.db"));
    MessageLogStore::Options options;
    options.path = path;
    options.queue.capacity = 1000;
    MessageLogStore store(options);
    QVERIFY(store.open());
    store.sink()->setPaused(true);
    QSignalSpy dropped(store.sink(), &AsyncEventSink::eventsDropped);
    for (int batch = 0; batch < 30; ++batch) {
        QList<GatewayEvent> events;
        for (int i = 0; i < 100; ++i)
            events.append(message(1, T0 + batch * 100 + i));
        store.consume(events);
    }
    QCOMPARE(store.sink()->acceptedEvents(), qint64(1000));
    QCOMPARE(store.sink()->droppedEvents(), qint64(2000));
    QCOMPARE(store.sink()->queuedEvents(), 1000);
    QVERIFY(!store.flush()); // paused: nothing written yet
    store.sink()->setPaused(false);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"2000 events dropped"_qs));
    QVERIFY(store.flush());
    QCOMPARE(store.sink()->writtenEvents(), qint64(1000));
    QTRY_VERIFY(!dropped.isEmpty());
    QCOMPARE(dropped.last().first().toLongLong(), qint64(2000));
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    QCOMPARE(reader.count({}), qint64(1000));
}

void TestMessageLogStore::openErrorIsOneLine()
{
    QFile blocker(m_dir.filePath(QStringLiteral("afile")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    MessageLogStore::Options options;
    options.path = m_dir.filePath(QStringLiteral("afile/log.db")); // parent is a file
    MessageLogStore store(options);
    QString error;
    QVERIFY(!store.open(&error));
    QVERIFY2(error.contains(m_dir.filePath(QStringLiteral("afile"))), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    store.consume({message(1, T0)}); // harmless when not open
    QVERIFY(!store.flush());

    MessageLogReader reader;
    QVERIFY(!reader.open(m_dir.filePath(QStringLiteral("missing.db")), &error));
    QVERIFY(error.contains(u"no such message log"));
}

void TestMessageLogStore::jsonLines()
{
    const QString path = m_dir.filePath(QStringLiteral("log.jsonl"));
    JsonLinesWriter::Options options;
    options.path = path;
    options.maxPayloadSize = 4;
    AsyncEventSink sink(std::make_unique<JsonLinesWriter>(options));
    QVERIFY(sink.start());
    GatewayEvent binary = message(2, T0 + 1, QByteArray("\x00\x01\x02", 3));
    binary.binary = true;
    sink.consume(
        {handshake(2, T0, 101), binary, message(2, T0 + 2, "abcdefgh"), closed(2, T0 + 3)});
    QVERIFY(sink.flush());
    sink.stop();
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 5); // 4 lines + the empty rest after the last newline
    QVERIFY(lines.last().isEmpty());
    const Json opened = Json::parse(lines.at(0).toStdString());
    QCOMPARE(opened.at("event").get<std::string>(), std::string("opened"));
    QCOMPARE(opened.at("time").get<std::string>(), std::string("2026-01-01T00:00:00.000Z"));
    QCOMPARE(opened.at("status").get<int>(), 101);
    const Json bin = Json::parse(lines.at(1).toStdString());
    QCOMPARE(bin.at("payloadEncoding").get<std::string>(), std::string("base64"));
    QCOMPARE(bin.at("payload").get<std::string>(), std::string("AAEC"));
    const Json text = Json::parse(lines.at(2).toStdString());
    QCOMPARE(text.at("payload").get<std::string>(), std::string("abcd"));
    QVERIFY(text.at("payloadTruncated").get<bool>());
    const Json close = Json::parse(lines.at(3).toStdString());
    QCOMPARE(close.at("code").get<int>(), 1000);
    QCOMPARE(close.at("closedBy").get<std::string>(), std::string("client"));
    QCOMPARE(close.at("flags").at(0).get<std::string>(), std::string("fault-injection"));

    // appending keeps what is there
    AsyncEventSink again(std::make_unique<JsonLinesWriter>(options));
    QVERIFY(again.start());
    again.consume({closed(3, T0 + 9)});
    QVERIFY(again.flush());
    again.stop();
    file.seek(0);
    QCOMPARE(file.readAll().count('\n'), 5);
}

void TestMessageLogStore::eventJsonRoundTrip()
{
    for (const GatewayEvent &e : {handshake(1, T0, 429, QStringLiteral("too many")),
                                  message(1, T0, "x"), closed(1, T0), ping(1, T0)}) {
        const auto back = GatewayEventJson::fromJson(GatewayEventJson::toJson(e));
        QVERIFY(back);
        QCOMPARE(int(back->type), int(e.type));
        QCOMPARE(back->timeMs, e.timeMs);
        QCOMPARE(back->connectionId, e.connectionId);
        QCOMPARE(back->status, e.status);
        QCOMPARE(back->reason, e.reason);
        QCOMPARE(back->payload, e.payload);
        QCOMPARE(back->closeCode, e.closeCode);
        QCOMPARE(int(back->closedBy), int(e.closedBy));
        QCOMPARE(back->flags, e.flags);
    }
    QVERIFY(!GatewayEventJson::fromJson(Json::parse(R"({"event":"nope"})")));
    QVERIFY(!GatewayEventJson::fromJson(Json::array()));
}

void TestMessageLogStore::forwardedPingsAreLogged()
{
    const QString path = m_dir.filePath(QStringLiteral("pings.db"));
    MessageLogStore::Options options;
    options.path = path;
    MessageLogStore store(options);
    QVERIFY(store.open());
    store.consume({handshake(7, T0, 101), ping(7, T0 + 1), message(7, T0 + 2, "hi")});
    QVERIFY(store.flush());
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    LogFilter messages;
    messages.kinds = {LogRecord::Kind::Message};
    const auto rows = reader.query(messages);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).opcode, u"ping"_qs);
    QCOMPARE(rows.at(0).action, u"relayed"_qs);
    QCOMPARE(rows.at(0).size, qint64(4));
    QVERIFY(!rows.at(0).binary);
    QCOMPARE(rows.at(1).opcode, u"text"_qs);
    // the JSON line names it too
    QCOMPARE(
        QString::fromStdString(GatewayEventJson::toJson(ping(7, T0))["opcode"].get<std::string>()),
        u"ping"_qs);
    QCOMPARE(
        QString::fromStdString(GatewayEventJson::toJson(ping(7, T0))["event"].get<std::string>()),
        u"ping"_qs);
}

void TestMessageLogStore::fanOut()
{
    auto a = std::make_shared<EventSinkFanOut>();
    struct Counter final : Gateway::GatewayEventSink
    {
        qsizetype n = 0;
        void consume(const QList<GatewayEvent> &events) override { n += events.size(); }
    };
    auto c1 = std::make_shared<Counter>();
    auto c2 = std::make_shared<Counter>();
    EventSinkFanOut fan;
    fan.addSink(c1);
    fan.addSink(c2);
    fan.addSink(nullptr);
    QCOMPARE(fan.size(), 2);
    fan.consume({message(1, T0), message(1, T0)});
    QCOMPARE(c1->n, 2);
    QCOMPARE(c2->n, 2);
}

QTEST_GUILESS_MAIN(TestMessageLogStore)
#include "tst_messagelogstore.moc"
