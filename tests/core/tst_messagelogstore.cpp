// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/asynceventsink.h"
#include "analytics/eventqueue.h"
#include "analytics/eventsinkfanout.h"
#include "analytics/gatewayeventjson.h"
#include "analytics/jsonlineswriter.h"
#include "analytics/logintegrity.h"
#include "analytics/logrecordjson.h"
#include "analytics/logschema.h"
#include "analytics/messageblock.h"
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"
#include "analytics/sqlitelogwriter.h"
#include "gateway/messagerecord.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

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
    e.editDetails().api = QStringLiteral("/chats/1.0.0");
    e.editDetails().channel = QStringLiteral("/rooms/{roomID}");
    e.editDetails().application = QStringLiteral("app_1");
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
    e.editDetails().api = QStringLiteral("/chats/1.0.0");
    e.editDetails().channel = QStringLiteral("/notifications");
    e.editDetails().path = QStringLiteral("/chats/1.0.0/notifications");
    e.editDetails().clientAddress = QStringLiteral("127.0.0.1:5555");
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
    e.editDetails().flags = {QStringLiteral("fault-injection")};
    return e;
}

// The rows a query returns from the database at `path`, each as its column values
// (a connection of its own, closed again; empty when the query fails).
QList<QVariantList> sqlRows(const QString &path, const QString &sql)
{
    static int queries = 0;
    const QString name = QStringLiteral("rows-%1").arg(++queries);
    QList<QVariantList> rows;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QSqlQuery q(db);
        if (db.open() && q.exec(sql)) {
            while (q.next()) {
                QVariantList row;
                for (int i = 0; i < q.record().count(); ++i)
                    row.append(q.value(i));
                rows.append(row);
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

// Writes `events` in one transaction, handed over as slices of at most `slice`.
bool writeEvents(SqliteLogWriter &writer, const QList<GatewayEvent> &events, QString *error,
                 qsizetype slice = 0)
{
    QList<EventSpan> slices;
    const EventSpan all(events.constData(), size_t(events.size()));
    const size_t step = slice > 0 ? size_t(slice) : std::max<size_t>(1, all.size());
    for (size_t start = 0; start < all.size(); start += step)
        slices.append(all.subspan(start, std::min(step, all.size() - start)));
    return writer.write(EventSlices(slices.constData(), size_t(slices.size())), error);
}

// A run of `count` messages packed as the relay packs them: one every `stepMs`
// from `time`, sizes 100, 101, ..., alternating in and out.
GatewayEvent run(quint64 connection, qint64 time, int count, qint64 stepMs = 1)
{
    namespace R = Gateway::MessageRecord;
    GatewayEvent e = message(connection, time, QByteArray());
    e.type = GatewayEvent::Type::MessageRun;
    e.size = 0;
    e.latencyUs = 0;
    for (int i = 0; i < count; ++i) {
        const quint8 bits = quint8(R::OpcodeText | (i % 2 ? R::DirectionOut : 0));
        R::appendPlain(e.records, quint64(i * stepMs), bits, quint64(100 + i), quint64(i));
    }
    e.recordCount = count;
    e.durationMs = (count - 1) * stepMs;
    return e;
}

GatewayEvent dropped(quint64 connection, qint64 time, const QString &reason)
{
    GatewayEvent e = message(connection, time, "nope");
    e.type = GatewayEvent::Type::MessageDropped;
    e.reason = reason;
    return e;
}

GatewayEvent throttled(quint64 connection, qint64 time, const QString &reason)
{
    GatewayEvent e = dropped(connection, time, reason);
    e.type = GatewayEvent::Type::Throttled;
    return e;
}

LogRecord::Kind kindOf(const GatewayEvent &e)
{
    switch (e.type) {
    case GatewayEvent::Type::ConnectionOpened:
    case GatewayEvent::Type::ConnectionRejected:
        return LogRecord::Kind::Handshake;
    case GatewayEvent::Type::ConnectionClosed:
        return LogRecord::Kind::Close;
    default:
        return LogRecord::Kind::Message;
    }
}

// What the reader must return for `filter`, worked out from the events themselves.
bool expected(const GatewayEvent &e, const LogFilter &f)
{
    if (e.timeMs < f.fromMs || e.timeMs >= f.toMs)
        return false;
    if (f.connectionId != 0 && e.connectionId != f.connectionId)
        return false;
    const LogRecord::Kind kind = kindOf(e);
    if (!f.kinds.isEmpty() && !f.kinds.contains(kind))
        return false;
    if (!e.details().api.contains(f.api, Qt::CaseInsensitive)
        || !e.details().channel.contains(f.channel, Qt::CaseInsensitive))
        return false;
    if (!f.application.isEmpty() && e.details().application != f.application)
        return false;
    if (!f.direction.isEmpty()
        && (kind != LogRecord::Kind::Message || Gateway::toString(e.direction) != f.direction))
        return false;
    if (f.status != 0 && (kind != LogRecord::Kind::Handshake || e.status != f.status))
        return false;
    if (f.closeCode != 0 && (kind != LogRecord::Kind::Close || e.closeCode != f.closeCode))
        return false;
    if (kind == LogRecord::Kind::Handshake && f.handshakes != LogFilter::Handshakes::Any
        && (e.type == GatewayEvent::Type::ConnectionOpened)
            != (f.handshakes == LogFilter::Handshakes::Accepted))
        return false;
    const QString action = e.type == GatewayEvent::Type::MessageDropped ? QStringLiteral("dropped")
        : e.type == GatewayEvent::Type::Throttled ? QStringLiteral("throttled")
                                                  : QStringLiteral("relayed");
    if (kind == LogRecord::Kind::Message && !f.actions.isEmpty() && !f.actions.contains(action))
        return false;
    if (f.text.isEmpty())
        return true;
    QStringList texts {e.details().api, e.details().channel, e.details().application};
    switch (kind) {
    case LogRecord::Kind::Handshake:
        texts << e.reason << e.details().path << e.details().clientAddress;
        break;
    case LogRecord::Kind::Message:
        texts << e.reason << QString::fromUtf8(e.payload);
        break;
    case LogRecord::Kind::Close:
        texts << e.closeReason;
        break;
    }
    return std::any_of(texts.cbegin(), texts.cend(),
                       [&](const QString &t) { return t.contains(f.text, Qt::CaseInsensitive); });
}

// Handshakes, messages in and out, drops and closes of five connections whose
// messages interleave in time, with ties between kinds.
QList<GatewayEvent> mixedTraffic()
{
    QList<GatewayEvent> events;
    for (quint64 c = 1; c <= 5; ++c) {
        GatewayEvent h = handshake(c, T0 + qint64(c), 101);
        if (c == 4)
            h.editDetails().channel = h.editDetails().path = QStringLiteral("/special/Lobby");
        events.append(h);
    }
    for (int i = 0; i < 400; ++i) {
        const qint64 time = T0 + 5 + i / 3; // several messages per millisecond
        quint64 c = 1 + quint64(i * 7 % 5);
        if (i >= 150 && i < 300 && i % 4 != 0)
            c = 3; // a busy one: blocks of its own
        if (c == 2 && time > T0 + 100)
            c = 1; // 2 closed
        GatewayEvent m = message(c, time, QStringLiteral("c%1-m%2").arg(c).arg(i).toUtf8(),
                                 i % 2 ? Gateway::Direction::BackendToClient
                                       : Gateway::Direction::ClientToBackend);
        if (c == 4)
            m.editDetails().channel = QStringLiteral("/special/Lobby");
        if (c == 5) {
            m.editDetails().api = QStringLiteral("/stocks/2.0.0");
            m.editDetails().application = QStringLiteral("app_5");
        }
        if (i == 123)
            m.payload = "the Haystack-Needle is here";
        if (i % 50 == 0)
            events.append(handshake(9, time, 429, QStringLiteral("too many")));
        events.append(i == 77        ? dropped(c, time, QStringLiteral("schema Violation"))
                          : i == 200 ? throttled(c, time, QStringLiteral("rate limit"))
                                     : m);
    }
    events.append(closed(2, T0 + 100)); // in the middle of the others' messages
    GatewayEvent last = closed(5, T0 + 200);
    last.closeCode = 1008;
    last.editDetails().api = QStringLiteral("/stocks/2.0.0");
    last.editDetails().application = QStringLiteral("app_5");
    events.append(last);
    return events;
}

// A writer that records batch sizes; used to check batching without SQLite.
class RecordingWriter final : public EventWriter
{
public:
    std::shared_ptr<QList<qsizetype>> batches = std::make_shared<QList<qsizetype>>();
    // where each slice's events are (to check they were not copied)
    std::shared_ptr<QList<const GatewayEvent *>> slices
        = std::make_shared<QList<const GatewayEvent *>>();
    bool open(QString *) override { return true; }
    bool write(EventSlices events, QString *) override
    {
        qsizetype n = 0;
        for (const EventSpan &slice : events) {
            n += qsizetype(slice.size());
            slices->append(slice.data());
        }
        batches->append(n);
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
    void jsonLinesUnpackRuns();
    void eventJsonRoundTrip();
    void forwardedPingsAreLogged();
    void fanOut();
    void blocksMergeInTimeOrder();
    void blockLimits();
    void selectKindsByName();
    void countMatchesQuery_data();
    void countMatchesQuery();
    void legacyMessagesTable();
    void payloadCutsAndBinary();
    void writeErrorKeepsWhatWasWritten();
    void damagedFile();
    void connectionAcrossRuns();
    void textChangeStartsNewRun();
    void sharedDetailsOfAlternatingConnections();
    void freedDetailsAreNotTakenForNew();
    void damagedBlock();
    void damageDeepInTheFile();
    void compactRunsShareText();
    void firstMixedFormatStillRead();
    void packedRunsStoredAsTheyCame();
    void checkpointsInTheBackground();
    void writerCheckpointsAtTheLimit();
    void deepPagesStartLater();

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
    auto slices = writer->slices;
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

    // small batches are joined, big ones cut, and the writer sees the events
    // where the producers put them (slices of their lists, no copies)
    batches->clear();
    slices->clear();
    sink.setPaused(true);
    QList<QList<GatewayEvent>> pushed;
    for (const int size : {30, 30, 30, 30, 150, 5}) {
        QList<GatewayEvent> batch;
        for (int i = 0; i < size; ++i)
            batch.append(message(2, T0 + i));
        sink.consume(batch);
        pushed.append(batch); // shares the list the queue holds
    }
    sink.setPaused(false);
    QVERIFY(sink.flush());
    QCOMPARE(*batches, (QList<qsizetype> {100, 100, 75}));
    const QList<const GatewayEvent *> expectedSlices {
        pushed[0].constData(),      pushed[1].constData(),      pushed[2].constData(),
        pushed[3].constData(),      pushed[3].constData() + 10, pushed[4].constData(),
        pushed[4].constData() + 80, pushed[5].constData()};
    QCOMPARE(*slices, expectedSlices);
    sink.stop();

    // a backlog (more than 4 x batchSize waiting) is written in bigger
    // transactions, up to maxBatchSize
    auto backlogWriter = std::make_unique<RecordingWriter>();
    auto backlogBatches = backlogWriter->batches;
    options.maxBatchSize = 300;
    AsyncEventSink behind(std::move(backlogWriter), options);
    QVERIFY(behind.start());
    behind.setPaused(true);
    QList<GatewayEvent> many;
    for (int i = 0; i < 1000; ++i)
        many.append(message(3, T0 + i));
    behind.consume(many);
    behind.consume(many.first(440));
    behind.setPaused(false);
    QVERIFY(behind.flush());
    QCOMPARE(*backlogBatches, (QList<qsizetype> {300, 300, 300, 300, 240}));
    behind.consume(many.first(350)); // 350 / 4 < 100: back to batchSize
    QVERIFY(behind.flush());
    QCOMPARE(backlogBatches->mid(5), (QList<qsizetype> {100, 100, 100, 50}));
    behind.stop();
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
                   handshake(2, T0 + 4, 401, QStringLiteral("missing credentials")),
                   // text that is not ASCII is stored as UTF-8 all the same
                   handshake(3, T0 + 5, 403, QStringLiteral("Kanal »räume/€« verweigert"))});
    QTRY_VERIFY(!written.isEmpty()); // the timer writes without flush()
    QTRY_COMPARE(store.sink()->writtenEvents(), qint64(6));

    // an independent connection sees the rows while the writer keeps its own open
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), u"wal"_qs);
        // the two messages of connection 1 (one transaction) are a run in one mixed
        // block (too few for a block of its own)
        QVERIFY(q.exec(QStringLiteral(
                    "SELECT COUNT(*), SUM(count), MIN(first_time_ms), MAX(last_time_ms),"
                    " MIN(connection_id), hex(substr(MIN(data), 1, 1)) FROM log_message_blocks"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toInt(), 2);
        QCOMPARE(q.value(2).toLongLong(), T0 + 1);
        QCOMPARE(q.value(3).toLongLong(), T0 + 2);
        QCOMPARE(q.value(4).toInt(), 0);
        QCOMPARE(q.value(5).toString(), u"03"_qs); // FormatMixedCompact
        QVERIFY(!q.exec(QStringLiteral("SELECT COUNT(*) FROM log_messages"))); // not created
        QVERIFY(q.exec(QStringLiteral(
            "SELECT accepted, status, reason FROM log_handshakes ORDER BY time_ms")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toInt(), 101);
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QCOMPARE(q.value(1).toInt(), 401);
        QCOMPARE(q.value(2).toString(), u"missing credentials"_qs);
        QVERIFY(q.next());
        QCOMPARE(q.value(2).toString(), u"Kanal »räume/€« verweigert"_qs);
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
        QCOMPARE(indexes, 5); // time and connection; blocks: (time, connection) only
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    store.close();
    // reopening keeps the rows and the schema
    MessageLogStore again(options);
    QVERIFY(again.open(&error));
    MessageLogReader reader;
    QVERIFY(reader.open(path, &error));
    QCOMPARE(reader.count({}), qint64(6));
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
    // (expected before the writer may run again: its timer could report first)
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"2000 events dropped"_qs));
    store.sink()->setPaused(false);
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

// A packed run is written as a line per message, like messages logged one by one.
void TestMessageLogStore::jsonLinesUnpackRuns()
{
    const QString path = m_dir.filePath(QStringLiteral("runs.jsonl"));
    JsonLinesWriter::Options options;
    options.path = path;
    AsyncEventSink sink(std::make_unique<JsonLinesWriter>(options));
    QVERIFY(sink.start());
    sink.consume({handshake(4, T0, 101), run(4, T0 + 1, 3, 5), closed(4, T0 + 20)});
    QVERIFY(sink.flush());
    sink.stop();
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 6); // 5 lines + the empty rest
    for (int i = 0; i < 3; ++i) {
        const Json m = Json::parse(lines.at(1 + i).toStdString());
        QCOMPARE(m.at("event").get<std::string>(), std::string("message"));
        QCOMPARE(m.at("connection").get<int>(), 4);
        QCOMPARE(m.at("timeMs").get<qint64>(), T0 + 1 + 5 * i);
        QCOMPARE(m.at("size").get<int>(), 100 + i);
        QCOMPARE(m.at("direction").get<std::string>(), std::string(i % 2 ? "out" : "in"));
        QCOMPARE(m.at("latencyUs").get<int>(), i);
        QCOMPARE(m.at("channel").get<std::string>(), std::string("/rooms/{roomID}"));
    }
    QCOMPARE(Json::parse(lines.at(4).toStdString()).at("event").get<std::string>(),
             std::string("closed"));
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
        QCOMPARE(back->details().api, e.details().api);
        QCOMPARE(back->details().channel, e.details().channel);
        QCOMPARE(back->details().path, e.details().path);
        QCOMPARE(back->details().application, e.details().application);
        QCOMPARE(back->details().clientAddress, e.details().clientAddress);
        QCOMPARE(back->details().flags, e.details().flags);
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

void TestMessageLogStore::blocksMergeInTimeOrder()
{
    const QString path = m_dir.filePath(QStringLiteral("merge.db"));
    SqliteLogWriter::Options options;
    options.ownBlockMessages = 32; // connection 3 gets blocks of its own
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    const QList<GatewayEvent> events = mixedTraffic();
    // transactions of 61 events handed over in slices of 13: blocks of every
    // connection in each transaction, overlapping in time
    for (qsizetype start = 0; start < events.size(); start += 61)
        QVERIFY2(writeEvents(writer, events.mid(start, 61), &error, 13), qPrintable(error));
    writer.close();

    MessageLogReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.count({}, &error), qint64(events.size()));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QList<LogRecord> all = reader.query({}, 0, 100'000);
    QCOMPARE(all.size(), events.size());
    // both kinds of blocks: connection 3's own and mixed ones
    const QList<QVariantList> kinds = sqlRows(path,
                                              u"SELECT connection_id FROM log_message_blocks"
                                              " GROUP BY connection_id ORDER BY connection_id"_qs);
    QCOMPARE(kinds, (QList<QVariantList> {{0}, {3}}));
    for (qsizetype i = 1; i < all.size(); ++i) {
        const LogRecord &a = all.at(i - 1);
        const LogRecord &b = all.at(i);
        const bool ordered = a.timeMs != b.timeMs ? a.timeMs < b.timeMs
            : a.kind != b.kind                    ? a.kind < b.kind
                                                  : a.id < b.id;
        QVERIFY2(ordered, qPrintable(QStringLiteral("row %1 out of order").arg(i)));
    }
    // every message comes back once, with its connection, time and payload
    QMultiHash<QByteArray, QPair<quint64, qint64>> sent;
    for (const GatewayEvent &e : events) {
        if (kindOf(e) == LogRecord::Kind::Message)
            sent.insert(e.payload, {e.connectionId, e.timeMs});
    }
    qsizetype messages = 0;
    for (const LogRecord &r : all) {
        if (r.kind != LogRecord::Kind::Message)
            continue;
        ++messages;
        QVERIFY2(sent.remove(r.payload, {r.connectionId, r.timeMs}) == 1, r.payload.constData());
    }
    QCOMPARE(messages, qsizetype(400));
    QVERIFY(sent.isEmpty());
    // pages of 7 are the same rows, ids unique per kind across pages
    QList<LogRecord> paged;
    for (qint64 offset = 0;; offset += 7) {
        const auto page = reader.query({}, offset, 7);
        QVERIFY(page.size() <= 7);
        paged += page;
        if (page.size() < 7)
            break;
    }
    QCOMPARE(paged.size(), all.size());
    QSet<QPair<int, qint64>> ids;
    for (qsizetype i = 0; i < paged.size(); ++i) {
        QCOMPARE(paged.at(i).id, all.at(i).id);
        QCOMPARE(int(paged.at(i).kind), int(all.at(i).kind));
        QCOMPARE(paged.at(i).payload, all.at(i).payload);
        ids.insert({int(paged.at(i).kind), paged.at(i).id});
    }
    QCOMPARE(ids.size(), all.size());
    // a page in the middle of a time range that cuts through blocks
    LogFilter range;
    range.fromMs = T0 + 40;
    range.toMs = T0 + 90;
    const auto inRange = reader.query(range, 0, 100'000);
    const auto middle = reader.query(range, 10, 5);
    QCOMPARE(middle.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(middle.at(i).id, inRange.at(10 + i).id);
    // direction and action survive the packing
    const auto it = std::find_if(all.cbegin(), all.cend(),
                                 [](const LogRecord &r) { return r.action == u"dropped"; });
    QVERIFY(it != all.cend());
    QCOMPARE(it->reason, u"schema Violation"_qs);
    QCOMPARE(qsizetype(std::count_if(all.cbegin(), all.cend(),
                                     [](const LogRecord &r) { return r.direction == u"out"; })),
             qsizetype(199)); // 200 odd ones, but #77 is a drop of an incoming message
}

void TestMessageLogStore::blockLimits()
{
    // one transaction: more messages than a block holds, a span longer than a
    // block may cover and a clock that steps back all give further blocks
    const QString path = m_dir.filePath(QStringLiteral("limits.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    options.payloads = false;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    QList<GatewayEvent> events;
    for (int i = 0; i < MessageBlock::MaxMessages + 10; ++i)
        events.append(message(1, T0));
    events.append(message(1, T0 + MessageBlock::MaxSpanMs + 5));
    events.append(message(1, T0 - 3)); // the clock stepped back
    QVERIFY2(writeEvents(writer, events, &error), qPrintable(error));
    writer.close();
    QList<int> counts;
    for (const QVariantList &row : sqlRows(path,
                                           u"SELECT count, last_time_ms - first_time_ms"
                                           " FROM log_message_blocks ORDER BY id"_qs)) {
        counts.append(row.at(0).toInt());
        QVERIFY(row.at(1).toLongLong() < MessageBlock::MaxSpanMs);
    }
    QCOMPARE(counts, (QList<int> {MessageBlock::MaxMessages, 10, 1, 1}));
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    const auto rows = reader.query({}, 0, 100'000);
    QCOMPARE(rows.size(), events.size());
    QCOMPARE(rows.first().timeMs, T0 - 3);
    QCOMPARE(rows.last().timeMs, T0 + MessageBlock::MaxSpanMs + 5);
    QSet<qint64> ids;
    for (const LogRecord &r : rows)
        ids.insert(r.id);
    QCOMPARE(ids.size(), rows.size());
    LogFilter late;
    late.fromMs = T0 + 1;
    QCOMPARE(reader.count(late), qint64(1));
    QCOMPARE(reader.query(late).size(), 1);
}

void TestMessageLogStore::selectKindsByName()
{
    LogFilter f;
    QVERIFY(selectKinds(&f, {QStringLiteral("handshake"), QStringLiteral(" Throttled ")}));
    QVERIFY(f.kinds
            == (QList<LogRecord::Kind> {LogRecord::Kind::Handshake, LogRecord::Kind::Message}));
    QVERIFY(f.handshakes == LogFilter::Handshakes::Any);
    QCOMPARE(f.actions, QStringList {u"throttled"_qs});
    QVERIFY(selectKinds(&f, {QStringLiteral("rejected"), QStringLiteral("close")}));
    QVERIFY(f.kinds
            == (QList<LogRecord::Kind> {LogRecord::Kind::Handshake, LogRecord::Kind::Close}));
    QVERIFY(f.handshakes == LogFilter::Handshakes::Rejected);
    QVERIFY(f.actions.isEmpty());
    // every action is no action filter; nothing named is every row
    QVERIFY(selectKinds(&f, {u"message"_qs, u"dropped"_qs, u"throttled"_qs, u"opened"_qs}));
    QVERIFY(f.handshakes == LogFilter::Handshakes::Accepted);
    QVERIFY(f.actions.isEmpty());
    QVERIFY(selectKinds(&f, {}));
    QVERIFY(f.kinds.isEmpty() && f.actions.isEmpty() && f.handshakes == LogFilter::Handshakes::Any);
    // an unknown name leaves the filter as it was
    f.kinds = {LogRecord::Kind::Close};
    QString error;
    QVERIFY(!selectKinds(&f, {u"closed"_qs, u"pings"_qs}, &error));
    QCOMPARE(error,
             u"'pings' is not a kind: use opened, rejected, message, dropped, throttled, "
             "closed, handshake, close"_qs);
    QVERIFY(f.kinds == QList<LogRecord::Kind> {LogRecord::Kind::Close});
}

void TestMessageLogStore::countMatchesQuery_data()
{
    QTest::addColumn<LogFilter>("filter");
    auto add = [](const char *name, const LogFilter &f) { QTest::newRow(name) << f; };
    add("everything", {});
    LogFilter f;
    f.fromMs = T0 + 33;
    f.toMs = T0 + 71;
    add("range through blocks", f);
    f = {};
    f.fromMs = T0 + 100;
    add("from the middle", f);
    f = {};
    f.connectionId = 3;
    add("connection", f);
    f.connectionId = 2;
    add("closed connection", f);
    f.connectionId = 3;
    f.fromMs = T0 + 20;
    f.toMs = T0 + 60;
    add("connection and range", f);
    f = {};
    f.kinds = {LogRecord::Kind::Message};
    add("messages", f);
    f.kinds = {LogRecord::Kind::Handshake, LogRecord::Kind::Close};
    add("handshakes and closes", f);
    f = {};
    f.text = QStringLiteral("haystack-NEEDLE");
    add("text only in a payload", f);
    f.text = QStringLiteral("violation");
    add("text only in a reason", f);
    f.text = QStringLiteral("lobby");
    add("text in a channel", f);
    f.fromMs = T0 + 50;
    f.toMs = T0 + 52;
    add("text in a channel, short range", f);
    f = {};
    f.text = QStringLiteral("c3-m1");
    f.kinds = {LogRecord::Kind::Message};
    add("text in many payloads", f);
    f = {};
    f.text = QStringLiteral("nowhere at all");
    add("text nowhere", f);
    // labels: in rows, in blocks of one connection and in runs of mixed blocks
    f = {};
    f.api = QStringLiteral("STOCKS");
    add("api", f);
    f.fromMs = T0 + 40;
    f.toMs = T0 + 90;
    add("api and range", f);
    f = {};
    f.channel = QStringLiteral("lobby");
    add("channel", f);
    f.channel = QStringLiteral("rooms");
    f.connectionId = 3;
    add("channel and connection", f);
    f = {};
    f.application = QStringLiteral("app_1");
    add("application", f);
    f.application = QStringLiteral("app"); // the whole id, not a part
    add("application is not a part", f);
    f = {};
    f.direction = QStringLiteral("out");
    add("direction out", f);
    f.direction = QStringLiteral("in");
    f.connectionId = 3;
    add("direction in, one connection", f);
    f.connectionId = 0;
    f.text = QStringLiteral("c1-m");
    add("direction and text", f);
    f = {};
    f.status = 429;
    add("status", f);
    f.status = 101;
    f.api = QStringLiteral("chats");
    add("status and api", f);
    f = {};
    f.closeCode = 1008;
    add("close code", f);
    f.direction = QStringLiteral("in");
    add("close code and direction: nothing", f);
    f = {};
    f.kinds = {LogRecord::Kind::Handshake};
    f.direction = QStringLiteral("out");
    add("handshakes with a direction: nothing", f);
    // kinds by name: which handshakes, which messages
    auto kinds = [](const QStringList &names) {
        LogFilter k;
        QString error;
        if (!selectKinds(&k, names, &error))
            qFatal("%s", qPrintable(error));
        return k;
    };
    add("rejected", kinds({QStringLiteral("rejected")}));
    add("opened", kinds({QStringLiteral("opened")}));
    add("throttled", kinds({QStringLiteral("throttled")}));
    add("dropped and throttled", kinds({QStringLiteral("dropped"), QStringLiteral("throttled")}));
    add("relayed", kinds({QStringLiteral("message")}));
    add("rejected and throttled", kinds({QStringLiteral("rejected"), QStringLiteral("throttled")}));
    f = kinds({QStringLiteral("message"), QStringLiteral("closed")});
    add("relayed and closed", f);
    f.fromMs = T0 + 40;
    f.toMs = T0 + 90;
    add("relayed and closed, range", f);
    f = kinds({QStringLiteral("message")});
    f.direction = QStringLiteral("out");
    add("relayed out", f);
    f = kinds({QStringLiteral("throttled")});
    f.connectionId = 1;
    add("throttled of a connection", f);
}

void TestMessageLogStore::countMatchesQuery()
{
    QFETCH(LogFilter, filter);
    const QString path = m_dir.filePath(QStringLiteral("counts.db"));
    const QList<GatewayEvent> events = mixedTraffic();
    if (!QFile::exists(path)) {
        MessageLogStore::Options options;
        options.path = path;
        options.queue.batchSize = 37;
        MessageLogStore store(options);
        QVERIFY(store.open());
        for (qsizetype start = 0; start < events.size(); start += 50)
            store.consume(events.mid(start, 50));
        QVERIFY(store.flush());
    }
    const auto want
        = qsizetype(std::count_if(events.cbegin(), events.cend(),
                                  [&](const GatewayEvent &e) { return expected(e, filter); }));
    MessageLogReader reader;
    QString error;
    QVERIFY(reader.open(path, &error));
    const auto rows = reader.query(filter, 0, 100'000, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), want);
    QCOMPARE(reader.count(filter, &error), qint64(want));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const LogRecord &r : rows) {
        QVERIFY(r.timeMs >= filter.fromMs && r.timeMs < filter.toMs);
        if (filter.connectionId != 0)
            QCOMPARE(r.connectionId, filter.connectionId);
    }
}

void TestMessageLogStore::legacyMessagesTable()
{
    // a file written by an earlier build: a log_messages row per message
    const QString path = m_dir.filePath(QStringLiteral("legacy.db"));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("legacy"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        const QStringList schema {
            u"CREATE TABLE log_handshakes (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
            " connection_id INTEGER NOT NULL, accepted INTEGER NOT NULL, status INTEGER NOT NULL,"
            " reason TEXT, api TEXT, api_title TEXT, channel TEXT, path TEXT, application TEXT,"
            " client_address TEXT, backend_url TEXT, flags TEXT)"_qs,
            u"CREATE TABLE log_messages (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
            " connection_id INTEGER NOT NULL, direction TEXT NOT NULL, action TEXT NOT NULL,"
            " size INTEGER NOT NULL, opcode TEXT NOT NULL, latency_us INTEGER, api TEXT,"
            " channel TEXT, application TEXT, reason TEXT, payload BLOB,"
            " payload_truncated INTEGER NOT NULL DEFAULT 0, flags TEXT)"_qs,
            u"CREATE TABLE log_closes (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
            " connection_id INTEGER NOT NULL, code INTEGER, reason TEXT, closed_by TEXT,"
            " messages_in INTEGER, messages_out INTEGER, duration_ms INTEGER, api TEXT,"
            " channel TEXT, application TEXT, flags TEXT)"_qs,
            u"CREATE INDEX log_messages_time ON log_messages(time_ms)"_qs,
            u"INSERT INTO log_handshakes (time_ms, connection_id, accepted, status, api, channel)"
            " VALUES (1767225600000, 1, 1, 101, '/chats/1.0.0', '/rooms/{roomID}')"_qs,
            u"INSERT INTO log_messages (id, time_ms, connection_id, direction, action, size,"
            " opcode, latency_us, api, channel, payload) VALUES (4100, 1767225600002, 1, 'in',"
            " 'relayed', 3, 'text', 7, '/chats/1.0.0', '/rooms/{roomID}', 'old')"_qs,
            u"INSERT INTO log_messages (id, time_ms, connection_id, direction, action, size,"
            " opcode, latency_us, reason, payload_truncated) VALUES (4101, 1767225600010, 1,"
            " 'out', 'dropped', 9, 'binary', 0, 'too big', 1)"_qs,
        };
        for (const QString &sql : schema)
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("legacy"));

    MessageLogReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    auto rows = reader.query({}, 0, 100, &error); // before the new writer ever ran
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.at(1).payload, QByteArray("old"));
    QCOMPARE(rows.at(1).id, qint64(4100));
    QCOMPARE(rows.at(2).action, u"dropped"_qs);
    QVERIFY(rows.at(2).binary);
    QVERIFY(rows.at(2).payloadTruncated);

    // the new writer adds blocks next to the old rows; ids stay unique
    MessageLogStore::Options options;
    options.path = path;
    {
        MessageLogStore store(options);
        QVERIFY2(store.open(&error), qPrintable(error));
        store.consume({message(1, T0 + 1, "new1"), message(1, T0 + 5, "new2"),
                       message(1, T0 + 10, "new3"), closed(1, T0 + 20)});
        QVERIFY(store.flush());
    }
    rows = reader.query({}, 0, 100, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<QByteArray> payloads;
    QSet<qint64> ids;
    for (const LogRecord &r : rows) {
        payloads.append(r.payload);
        if (r.kind == LogRecord::Kind::Message)
            ids.insert(r.id);
    }
    QCOMPARE(payloads,
             (QList<QByteArray> {"", "new1", "old", "new2", "", "new3", ""})); // time order
    QCOMPARE(ids.size(), 5);
    QVERIFY(*std::min_element(ids.cbegin(), ids.cend()) == 4100);
    LogFilter text;
    text.text = QStringLiteral("TOO BIG");
    QCOMPARE(reader.count(text), qint64(1));
    LogFilter messages;
    messages.kinds = {LogRecord::Kind::Message};
    messages.fromMs = T0 + 2;
    QCOMPARE(reader.count(messages), qint64(4));
    QCOMPARE(reader.query(messages, 1, 2).first().payload, QByteArray("new2"));
    // actions are selected in the old rows too
    LogFilter drops;
    QVERIFY(selectKinds(&drops, {u"dropped"_qs}));
    QCOMPARE(reader.count(drops), qint64(1));
    QCOMPARE(reader.query(drops).first().reason, u"too big"_qs);
    QVERIFY(selectKinds(&drops, {u"message"_qs, u"opened"_qs}));
    QCOMPARE(reader.count(drops), qint64(5));
}

void TestMessageLogStore::payloadCutsAndBinary()
{
    const QString path = m_dir.filePath(QStringLiteral("cuts.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    options.maxPayloadSize = 4;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    GatewayEvent binary = message(1, T0, QByteArray("\x00\x80\xff\x01\x02\x03", 6));
    binary.binary = true;
    GatewayEvent utf8 = message(1, T0 + 1, QStringLiteral("aé€x").toUtf8()); // 1+2+3+1 bytes
    GatewayEvent partial = message(1, T0 + 2, "ab");
    partial.size = 1000; // the gateway attached only the start
    GatewayEvent empty = message(1, T0 + 3, QByteArray());
    QVERIFY2(writeEvents(writer, {binary, utf8, partial, empty}, &error), qPrintable(error));
    writer.close();
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    const auto rows = reader.query({});
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows.at(0).payload, QByteArray("\x00\x80\xff\x01", 4)); // cut anywhere
    QCOMPARE(rows.at(0).opcode, u"binary"_qs);
    QVERIFY(rows.at(0).payloadTruncated);
    QCOMPARE(rows.at(1).payload, QStringLiteral("aé").toUtf8()); // not inside a character
    QVERIFY(rows.at(1).payloadTruncated);
    QCOMPARE(rows.at(2).payload, QByteArray("ab"));
    QVERIFY(rows.at(2).payloadTruncated);
    QCOMPARE(rows.at(2).size, qint64(1000));
    QVERIFY(rows.at(3).payload.isEmpty());
    QVERIFY(!rows.at(3).payloadTruncated);
    QCOMPARE(rows.at(3).latencyUs, qint64(42));
}

void TestMessageLogStore::writeErrorKeepsWhatWasWritten()
{
    const QString path = m_dir.filePath(QStringLiteral("locked.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    options.busyTimeoutMs = 50;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    QVERIFY2(writeEvents(writer, {handshake(1, T0, 101), message(1, T0 + 1, "first")}, &error),
             qPrintable(error));
    {
        // another process holds the write lock: the next write fails at once
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("BEGIN IMMEDIATE")));
        error.clear();
        QVERIFY(!writeEvents(writer, {message(1, T0 + 2, "lost"), closed(1, T0 + 3)}, &error));
        QVERIFY2(error.startsWith(path + u": "), qPrintable(error));
        QVERIFY2(error.contains(u"locked"), qPrintable(error));
        QVERIFY(!error.contains(u'\n'));
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("locker"));
    // the connection's messages go on in a fresh block; nothing earlier is lost
    QVERIFY2(writeEvents(writer, {message(1, T0 + 4, "again"), closed(1, T0 + 5)}, &error),
             qPrintable(error));
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    const auto rows = reader.query({});
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows.at(1).payload, QByteArray("first"));
    QCOMPARE(rows.at(2).payload, QByteArray("again"));
    QCOMPARE(rows.at(3).kind, LogRecord::Kind::Close);
    QCOMPARE(reader.count({}), qint64(4));
}

void TestMessageLogStore::damagedFile()
{
    const QString path = m_dir.filePath(QStringLiteral("garbage.db"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(8192, 'x'));
    file.close();
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY(!writer.open(&error));
    QVERIFY2(error.startsWith(path + u": "), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    QVERIFY(!writeEvents(writer, {message(1, T0)}, &error));
    QVERIFY(!error.isEmpty());
    MessageLogReader reader;
    error.clear();
    if (reader.open(path, &error)) {
        QVERIFY(reader.query({}, 0, 10, &error).isEmpty());
        QVERIFY(!error.isEmpty());
        QVERIFY2(!error.contains(u'\n'), qPrintable(error));
        error.clear();
        QCOMPARE(reader.count({}, &error), qint64(0));
        QVERIFY(!error.isEmpty());
    }
    QVERIFY(QFileInfo(path).size() == 8192); // left as it was
}

void TestMessageLogStore::connectionAcrossRuns()
{
    // connection ids restart with every gateway run: a connection filter finds the
    // messages of every run that used the id, also after a close of an earlier run
    const QString path = m_dir.filePath(QStringLiteral("runs.db"));
    MessageLogStore::Options options;
    options.path = path;
    {
        MessageLogStore run1(options);
        QVERIFY(run1.open());
        run1.consume({handshake(1, T0, 101), message(1, T0 + 1, "run1"), closed(1, T0 + 10),
                      handshake(2, T0 + 20, 101), message(2, T0 + 21, "other")});
        QVERIFY(run1.flush());
    }
    MessageLogStore run2(options);
    QVERIFY(run2.open());
    run2.consume({handshake(1, T0 + 50'000, 101), message(1, T0 + 50'001, "run2a")});
    QVERIFY(run2.flush());
    run2.consume({message(1, T0 + 90'000, "run2b")}); // still open, much later
    QVERIFY(run2.flush());
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    LogFilter one;
    one.connectionId = 1;
    one.kinds = {LogRecord::Kind::Message};
    auto rows = reader.query(one);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.at(0).payload, QByteArray("run1"));
    QCOMPARE(rows.at(2).payload, QByteArray("run2b"));
    QCOMPARE(reader.count(one), qint64(3));
    run2.consume({closed(1, T0 + 90'001)});
    QVERIFY(run2.flush());
    QCOMPARE(reader.count(one), qint64(3));
    QCOMPARE(reader.query(one).size(), 3);
    one.connectionId = 2;
    QCOMPARE(reader.count(one), qint64(1));
}

// Runs the relay packed (GatewayEvent::Type::MessageRun) are stored as they came:
// long ones as rows of their own, short ones in the mixed block, in order with the
// connection's other events; the reader returns every message.
void TestMessageLogStore::packedRunsStoredAsTheyCame()
{
    const QString path = m_dir.filePath(QStringLiteral("packed.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    const QList<GatewayEvent> events {
        handshake(1, T0, 101),
        message(1, T0 + 1, "before"), // an event of its own, before the runs
        run(1, T0 + 2, GatewayEvent::RunMessages), // a row of its own
        run(2, T0 + 5, 3, 2), // short: in the mixed block
        dropped(1, T0 + 300, QStringLiteral("too big")),
        run(1, T0 + 301, 10), // short again, after the dropped one
        run(3, T0 + 400, 0), // empty: nothing
        closed(1, T0 + 500),
    };
    QVERIFY2(writeEvents(writer, events, &error, 3), qPrintable(error));
    writer.close();
    // the message before the long run ends as a run of one (mixed); the long run is
    // a row; the rest share the mixed block
    const QList<QVariantList> blocks
        = sqlRows(path, u"SELECT connection_id, count FROM log_message_blocks ORDER BY id"_qs);
    QCOMPARE(blocks, (QList<QVariantList> {{1, GatewayEvent::RunMessages}, {0, 1 + 3 + 1 + 10}}));

    MessageLogReader reader;
    QVERIFY(reader.open(path));
    LogFilter one;
    one.connectionId = 1;
    one.kinds = {LogRecord::Kind::Message};
    QList<LogRecord> rows = reader.query(one, 0, 1000, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 1 + GatewayEvent::RunMessages + 1 + 10);
    std::sort(rows.begin(), rows.end(), [](const LogRecord &a, const LogRecord &b) {
        return std::pair(a.timeMs, a.size) < std::pair(b.timeMs, b.size);
    });
    QCOMPARE(rows.first().payload, QByteArray("before"));
    for (int i = 0; i < GatewayEvent::RunMessages; ++i) {
        const LogRecord &r = rows.at(1 + i);
        QCOMPARE(r.timeMs, T0 + 2 + i);
        QCOMPARE(r.size, qint64(100 + i));
        QCOMPARE(r.latencyUs, qint64(i));
        QCOMPARE(r.direction, i % 2 ? u"out"_qs : u"in"_qs);
        QCOMPARE(r.action, u"relayed"_qs);
        QCOMPARE(r.opcode, u"text"_qs);
        QCOMPARE(r.api, u"/chats/1.0.0"_qs);
        QCOMPARE(r.channel, u"/rooms/{roomID}"_qs);
        QCOMPARE(r.application, u"app_1"_qs);
    }
    QCOMPARE(rows.at(1 + GatewayEvent::RunMessages).action, u"dropped"_qs);
    QCOMPARE(rows.last().timeMs, T0 + 310);
    QCOMPARE(rows.last().size, qint64(109));
    one.connectionId = 2;
    rows = reader.query(one, 0, 1000, &error);
    QCOMPARE(rows.size(), 3);
    std::sort(rows.begin(), rows.end(),
              [](const LogRecord &a, const LogRecord &b) { return a.timeMs < b.timeMs; });
    QCOMPARE(rows.at(2).timeMs, T0 + 9);
    QCOMPARE(rows.at(2).size, qint64(102));
    one.connectionId = 3;
    QCOMPARE(reader.count(one), qint64(0));
}

// The WAL is copied into the database by a thread of its own while the writer
// goes on; the writer itself never runs a checkpoint below the limit.
void TestMessageLogStore::checkpointsInTheBackground()
{
    const QString path = m_dir.filePath(QStringLiteral("background.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    options.checkpoint.pages = 16;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    const qint64 initialSize = QFileInfo(path).size();
    const QByteArray payload(1000, 'p');
    QList<GatewayEvent> batch;
    qint64 written = 0;
    for (int t = 0; t < 20; ++t) { // 20 transactions of about 50 KiB
        batch.clear();
        for (int i = 0; i < 50; ++i)
            batch.append(message(quint64(1 + i % 3), T0 + t * 10 + i / 10, payload));
        QVERIFY2(writeEvents(writer, batch, &error), qPrintable(error));
        written += batch.size();
    }
    QTRY_VERIFY(writer.backgroundCheckpoints() > 0);
    QCOMPARE(writer.writerCheckpoints(), 0);
    // copied while the writer is still open: the database file itself grew
    QTRY_VERIFY(QFileInfo(path).size() > initialSize + 500 * 1024);
    writer.close();
    QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal"))); // the last one at close

    MessageLogReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.count({}, &error), written);
    const QList<LogRecord> some = reader.query({}, 0, 10);
    QCOMPARE(some.size(), 10);
    QCOMPARE(some.first().payload, payload);
}

// Written without a pause the background may never copy everything at once, so
// the WAL would not start over: at the limit the writer checkpoints itself.
void TestMessageLogStore::writerCheckpointsAtTheLimit()
{
    const QString path = m_dir.filePath(QStringLiteral("limit.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    options.checkpoint.pages = 1'000'000; // no background checkpoint
    options.checkpoint.limitPages = 64;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    const QByteArray payload(1000, 'q');
    qint64 largestWal = 0;
    qint64 written = 0;
    for (int t = 0; t < 40; ++t) {
        QList<GatewayEvent> batch;
        for (int i = 0; i < 20; ++i)
            batch.append(message(7, T0 + t, payload));
        QVERIFY2(writeEvents(writer, batch, &error), qPrintable(error));
        written += batch.size();
        largestWal = std::max(largestWal, QFileInfo(path + QStringLiteral("-wal")).size());
    }
    QVERIFY(writer.writerCheckpoints() > 0);
    QCOMPARE(writer.backgroundCheckpoints(), 0);
    // 40 transactions of 20 KiB would be 800 KiB of WAL; it started over instead
    QVERIFY2(largestWal < 64 * 4096 + 64 * 1024, qPrintable(QString::number(largestWal)));
    writer.close();
    MessageLogReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.count({}, &error), written);
}

// In a mixed block a run whose strings are those of the run before it says so in
// one byte each, and its time is relative to that run's: many connections with
// the same api, channel and application cost a few bytes per run.
void TestMessageLogStore::compactRunsShareText()
{
    const QString path = m_dir.filePath(QStringLiteral("compact.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    QList<GatewayEvent> events;
    for (int round = 0; round < 2; ++round) {
        for (quint64 c = 1; c <= 100; ++c) {
            GatewayEvent e = message(c, T0 + round * 10 + qint64(c % 7), "m");
            if (c == 50) // one connection with other text between the others
                e.editDetails().channel = QStringLiteral("/rooms/other");
            if (c == 60)
                e.editDetails().flags = {QStringLiteral("tls")};
            events.append(e);
        }
    }
    QVERIFY2(writeEvents(writer, events, &error), qPrintable(error));
    writer.close();
    const QList<QVariantList> stats
        = sqlRows(path,
                  u"SELECT COUNT(*), SUM(length(data)), hex(substr(MIN(data), 1, 1))"
                  " FROM log_message_blocks"_qs);
    QCOMPARE(stats.size(), 1);
    QCOMPARE(stats.at(0).at(0).toInt(), 1); // one mixed block of 100 runs
    QCOMPARE(stats.at(0).at(2).toString(), u"03"_qs);
    // 100 runs of 2 messages (2 x 6 bytes): with every run's strings spelt out (about
    // 40 bytes) it would be over 5 KB
    QVERIFY2(stats.at(0).at(1).toInt() < 2500, qPrintable(stats.at(0).at(1).toString()));
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    const QList<LogRecord> rows = reader.query({}, 0, 1000, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), events.size());
    QHash<quint64, int> seen;
    for (const LogRecord &r : rows) {
        ++seen[r.connectionId];
        QCOMPARE(r.api, QStringLiteral("/chats/1.0.0"));
        QCOMPARE(r.application, QStringLiteral("app_1"));
        QCOMPARE(r.channel,
                 r.connectionId == 50 ? QStringLiteral("/rooms/other")
                                      : QStringLiteral("/rooms/{roomID}"));
        QCOMPARE(r.flags,
                 r.connectionId == 60 ? QStringList {QStringLiteral("tls")} : QStringList());
        const qint64 round = r.timeMs >= T0 + 10 ? 1 : 0;
        QCOMPARE(r.timeMs, T0 + round * 10 + qint64(r.connectionId % 7));
    }
    QCOMPARE(seen.size(), 100);
    for (const int n : std::as_const(seen))
        QCOMPARE(n, 2);
}

// Files written before the compact layout hold mixed blocks of the first one.
void TestMessageLogStore::firstMixedFormatStillRead()
{
    const QString path = m_dir.filePath(QStringLiteral("mixed2.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    QVERIFY(writeEvents(writer, {message(9, T0 + 100, "newer")}, &error));
    writer.close();

    QByteArray data(1, char(MessageBlock::FormatMixed));
    for (quint64 c : {7, 8}) {
        QByteArray messages;
        MessageBlock::Message m;
        m.timeMs = T0 + qint64(c);
        m.size = 3;
        m.latencyUs = 5;
        m.bits = MessageBlock::OpcodeText | MessageBlock::HasPayload;
        m.payload = "old";
        MessageBlock::append(messages, T0 + qint64(c), m);
        MessageBlock::Run run;
        run.connectionId = c;
        run.firstTimeMs = T0 + qint64(c);
        run.count = 1;
        run.api = "/chats/1.0.0";
        run.channel = c == 7 ? QByteArray("/a") : QByteArray("/b");
        run.application = "app_old";
        MessageBlock::appendRun(data, run, messages);
    }
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("mixed2"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.prepare(QStringLiteral(
            "INSERT INTO log_message_blocks (connection_id, first_time_ms, last_time_ms, count,"
            " data) VALUES (0, ?, ?, 2, ?)")));
        q.addBindValue(T0 + 7);
        q.addBindValue(T0 + 8);
        q.addBindValue(data);
        QVERIFY(q.exec());
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("mixed2"));
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    QCOMPARE(reader.count({}, &error), qint64(3));
    const QList<LogRecord> rows = reader.query({}, 0, 10, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.at(0).connectionId, quint64(7));
    QCOMPARE(rows.at(0).channel, QStringLiteral("/a"));
    QCOMPARE(rows.at(0).application, QStringLiteral("app_old"));
    QCOMPARE(rows.at(0).payload, QByteArray("old"));
    QCOMPARE(rows.at(1).connectionId, quint64(8));
    QCOMPARE(rows.at(1).channel, QStringLiteral("/b"));
    QCOMPARE(rows.at(2).payload, QByteArray("newer"));
}

void TestMessageLogStore::damagedBlock()
{
    // a block whose data is damaged (or of a format this build does not know) is
    // read as far as it is whole; the rest of the log is unaffected
    const QString path = m_dir.filePath(QStringLiteral("damaged.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    QVERIFY(writeEvents(writer, {message(1, T0, "a"), message(1, T0 + 1, "b")}, &error));
    QVERIFY(writeEvents(writer, {message(2, T0 + 2, "c")}, &error));
    writer.close();
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("damage"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        // the first block loses its last bytes; a third one has an unknown format
        QVERIFY(q.exec(
            QStringLiteral("UPDATE log_message_blocks SET data = substr(data, 1, length(data) - 1)"
                           " WHERE id = (SELECT MIN(id) FROM log_message_blocks)")));
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO log_message_blocks (connection_id, first_time_ms, last_time_ms, count,"
            " data) VALUES (3, 1767225600003, 1767225600003, 5, x'07ffffffffffffffffffffff')")));
        // a compact mixed block whose first run says "the previous run's api"
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO log_message_blocks (connection_id, first_time_ms, last_time_ms, count,"
            " data) VALUES (0, 1767225600000, 1767225600000, 1, x'0304c0f4bbe4db660101000000')")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("damage"));
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    const auto rows = reader.query({}, 0, 100, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).payload, QByteArray("a"));
    QCOMPARE(rows.at(1).payload, QByteArray("c"));
    LogFilter range;
    range.fromMs = T0 + 1;
    QCOMPARE(reader.count(range), qint64(1));
}

void TestMessageLogStore::damageDeepInTheFile()
{
    // A page in the middle of the file overwritten (a failing disk, another program):
    // opening the log does not see it (the header and the schema are whole); the
    // integrity check does, on its own thread too, and says it in one line.
    const QString path = m_dir.filePath(QStringLiteral("deep-damage.db"));
    const QString soundPath = m_dir.filePath(QStringLiteral("sound.db"));
    {
        SqliteLogWriter::Options options;
        options.path = soundPath;
        SqliteLogWriter writer(options);
        QString error;
        QVERIFY2(writer.open(&error), qPrintable(error));
        QVERIFY2(writeEvents(writer, {message(1, T0, "a"), message(2, T0 + 1, "b")}, &error),
                 qPrintable(error));
        writer.close();
    }
    const LogIntegrity::Result sound = LogIntegrity::check(soundPath);
    QVERIFY(sound.checked);
    QVERIFY2(sound.problems.isEmpty(), qPrintable(sound.problems.join(u'\n')));
    QVERIFY(LogIntegrity::describe(sound).isEmpty());
    QVERIFY(LogIntegrity::check(m_dir.filePath(QStringLiteral("none.db"))).checked);

    QString damage;
    QVERIFY2(Test::writeDamagedMessageLog(path, &damage), qPrintable(damage));
    QString why;
    QVERIFY2(LogSchema::check(path, 1000, &why), qPrintable(why)); // opening sees nothing
    const LogIntegrity::Result damaged = LogIntegrity::check(path);
    QVERIFY(damaged.damaged());
    const QString line = LogIntegrity::describe(damaged);
    QVERIFY2(line.startsWith(u"the message log is damaged (") && !line.contains(u'\n'),
             qPrintable(line));

    LogIntegrityCheck check(path);
    QSignalSpy finished(&check, &LogIntegrityCheck::finished);
    check.start();
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(qvariant_cast<LogIntegrity::Result>(finished.at(0).at(0)).damaged());

    // stopped: no answer
    LogIntegrity::Stop stop;
    stop.stop();
    const LogIntegrity::Result stopped = LogIntegrity::check(path, &stop);
    QVERIFY2(!stopped.checked, qPrintable(stopped.problems.join(u"\n")));
    QVERIFY(!stopped.error.isEmpty());

    // a log another program keeps locked: the check waits for it, and deleting the
    // check (a window moving to another log) does not wait out that wait
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
        db.setDatabaseName(soundPath);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA locking_mode=EXCLUSIVE")));
        QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        QVERIFY(q.exec(QStringLiteral("DELETE FROM log_message_blocks WHERE 0")));
        auto waiting = std::make_unique<LogIntegrityCheck>(soundPath);
        QSignalSpy answered(waiting.get(), &LogIntegrityCheck::finished);
        waiting->start();
        QTest::qWait(300);
        QVERIFY(waiting->isRunning()); // still waiting for the lock
        QElapsedTimer deleting;
        deleting.start();
        waiting.reset();
        QVERIFY2(deleting.elapsed() < 1000, qPrintable(QString::number(deleting.elapsed())));
        QCOMPARE(answered.size(), 0);
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("locker"));
}

void TestMessageLogStore::textChangeStartsNewRun()
{
    // a run has one api/channel/application/flags: a change within a transaction
    // (long runs and short ones) starts another run
    const QString path = m_dir.filePath(QStringLiteral("text.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    QList<GatewayEvent> events;
    for (int i = 0; i < 50; ++i) {
        GatewayEvent e = message(1, T0 + i / 10, "x");
        e.editDetails().channel = i < 40 ? QStringLiteral("/long") : QStringLiteral("/short");
        if (i >= 45)
            e.editDetails().flags = {QStringLiteral("tls"), QStringLiteral("fault-injection")};
        events.append(e);
        GatewayEvent other = message(2, T0 + i / 10, "y");
        other.editDetails().application = i % 2 ? QString() : QStringLiteral("app_2");
        events.append(other);
    }
    QVERIFY2(writeEvents(writer, events, &error), qPrintable(error));
    writer.close();
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    LogFilter one;
    one.connectionId = 1;
    const auto rows = reader.query(one, 0, 1000);
    QCOMPARE(rows.size(), 50);
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(rows.at(i).channel, i < 40 ? u"/long"_qs : u"/short"_qs);
        QCOMPARE(rows.at(i).flags.size(), i >= 45 ? 2 : 0);
    }
    LogFilter two;
    two.connectionId = 2;
    const auto others = reader.query(two, 0, 1000);
    QCOMPARE(others.size(), 50);
    QCOMPARE(std::count_if(others.cbegin(), others.cend(),
                           [](const LogRecord &r) { return r.application == u"app_2"; }),
             25);
    LogFilter text;
    text.text = QStringLiteral("/SHORT");
    QCOMPARE(reader.count(text), qint64(10));
    QCOMPARE(reader.query(text).size(), 10);
}

void TestMessageLogStore::sharedDetailsOfAlternatingConnections()
{
    // as the gateway makes them: every event of a connection a copy of its template
    // (shared details); the templates rebuilt midway, once with the same text
    // (other details, equal strings) and once with another channel
    const QString path = m_dir.filePath(QStringLiteral("shared.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    auto makeTemplate = [](quint64 connection, const QString &api, const QString &channel,
                           const QString &application, const QStringList &flags) {
        GatewayEvent t = message(connection, T0, "x");
        GatewayEvent::Details &d = t.editDetails();
        d.api = api;
        d.channel = channel;
        d.application = application;
        d.flags = flags;
        return t;
    };
    GatewayEvent one
        = makeTemplate(1, u"/chats/1.0.0"_qs, u"/rooms/{roomID}"_qs, u"app_1"_qs, {u"tls"_qs});
    GatewayEvent two = makeTemplate(2, u"/news/2.0.0"_qs, u"/headlines"_qs, QString(), {});
    struct Expected
    {
        QString api, channel, application;
        QStringList flags;
    };
    QHash<quint64, QList<Expected>> expected;
    QList<GatewayEvent> events;
    for (int i = 0; i < 60; ++i) {
        if (i == 20)
            one = makeTemplate(1, u"/chats/1.0.0"_qs, u"/rooms/{roomID}"_qs, u"app_1"_qs,
                               {u"tls"_qs});
        if (i == 40) {
            GatewayEvent next = one;
            next.editDetails().channel = QStringLiteral("/lobby");
            one = next;
        }
        for (const GatewayEvent *t : {&one, &two}) {
            GatewayEvent e = *t;
            e.timeMs = T0 + i;
            e.payload = QByteArray::number(i);
            e.size = e.payload.size();
            QVERIFY(e.sharesDetailsWith(*t));
            events.append(e);
            const GatewayEvent::Details &d = t->details();
            expected[t->connectionId].append({d.api, d.channel, d.application, d.flags});
        }
        if (i % 25 == 24) { // some in another transaction
            QVERIFY2(writeEvents(writer, events, &error), qPrintable(error));
            events.clear();
        }
    }
    QVERIFY2(writeEvents(writer, events, &error), qPrintable(error));
    writer.close();

    MessageLogReader reader;
    QVERIFY(reader.open(path));
    for (quint64 connection : {1, 2}) {
        LogFilter filter;
        filter.connectionId = connection;
        const auto rows = reader.query(filter, 0, 1000);
        const QList<Expected> &want = expected.value(connection);
        QCOMPARE(rows.size(), want.size());
        for (int i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows.at(i).payload, QByteArray::number(i));
            QCOMPARE(rows.at(i).api, want.at(i).api);
            QCOMPARE(rows.at(i).channel, want.at(i).channel);
            QCOMPARE(rows.at(i).application, want.at(i).application);
            QCOMPARE(rows.at(i).flags, want.at(i).flags);
        }
    }
    QCOMPARE(expected.value(1).at(45).channel, u"/lobby"_qs);
}

void TestMessageLogStore::freedDetailsAreNotTakenForNew()
{
    // a connection's details freed once written; new details (likely at the same
    // address) with another text must not be taken for the old ones
    const QString path = m_dir.filePath(QStringLiteral("reused.db"));
    SqliteLogWriter::Options options;
    options.path = path;
    SqliteLogWriter writer(options);
    QString error;
    QVERIFY2(writer.open(&error), qPrintable(error));
    const QStringList channels {u"/first"_qs, u"/second"_qs, u"/third"_qs};
    for (int round = 0; round < channels.size(); ++round) {
        QList<GatewayEvent> events;
        GatewayEvent t = message(1, T0 + round, "x");
        t.editDetails().channel = channels.at(round);
        for (int i = 0; i < 3; ++i)
            events.append(t);
        t = GatewayEvent();
        QVERIFY2(writeEvents(writer, events, &error), qPrintable(error));
    }
    writer.close();
    MessageLogReader reader;
    QVERIFY(reader.open(path));
    LogFilter filter;
    filter.connectionId = 1;
    const auto rows = reader.query(filter, 0, 1000);
    QCOMPARE(rows.size(), 9);
    for (int i = 0; i < rows.size(); ++i)
        QCOMPARE(rows.at(i).channel, channels.at(i / 3));
}

// A page at least SeekRows deep is read from a time just before it: the same rows as
// reading every record before it, for any filter, with handshakes, closes and
// payload messages among the packed runs.
void TestMessageLogStore::deepPagesStartLater()
{
    const QString path = m_dir.filePath(QStringLiteral("deep.db"));
    QList<GatewayEvent> events;
    qint64 t = T0;
    for (quint64 c = 1; c <= 40; ++c)
        events.append(handshake(c, t++, 101));
    for (int round = 0; round < 25; ++round) {
        for (quint64 c = 1; c <= 40; ++c) {
            events.append(run(c, t, 60, 1));
            if ((round + c) % 7 == 0)
                events.append(
                    message(c, t + 61, QByteArrayLiteral("order-") + QByteArray::number(round)));
            if (round % 5 == 4 && c % 8 == 0) // some reconnect: a close and a handshake
                events.append(closed(c, t + 62)), events.append(handshake(c, t + 63, 101));
            t += 3;
        }
    }
    {
        MessageLogStore::Options options;
        options.path = path;
        MessageLogStore store(options);
        QVERIFY(store.open());
        for (qsizetype start = 0; start < events.size(); start += 100)
            store.consume(events.mid(start, 100));
        QVERIFY(store.flush());
    }
    MessageLogReader reader;
    QString error;
    QVERIFY(reader.open(path, &error));
    const qint64 total = reader.count({}, &error);
    QVERIFY2(total > 3 * MessageLogReader::SeekRows, qPrintable(QString::number(total)));
    auto key = [](const LogRecord &r) {
        return QStringLiteral("%1 %2 %3 %4")
            .arg(r.timeMs)
            .arg(int(r.kind))
            .arg(r.id)
            .arg(r.connectionId);
    };
    QList<LogFilter> filters;
    filters.append(LogFilter {});
    LogFilter f;
    f.connectionId = 8;
    filters.append(f);
    f = {};
    f.fromMs = T0 + 200;
    filters.append(f);
    f = {};
    f.text = QStringLiteral("order-");
    filters.append(f);
    f = {};
    f.kinds = {LogRecord::Kind::Message};
    f.direction = QStringLiteral("out");
    filters.append(f);
    for (const LogFilter &filter : std::as_const(filters)) {
        const qint64 count = reader.count(filter, &error);
        const QList<LogRecord> all = reader.query(filter, 0, count + 10, &error);
        QCOMPARE(qint64(all.size()), count);
        for (const qint64 offset : {MessageLogReader::SeekRows, MessageLogReader::SeekRows + 1234,
                                    count / 2, count - 100, count - 1, count + 5}) {
            if (offset < 0)
                continue;
            const QList<LogRecord> page = reader.query(filter, offset, 200, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            const QList<LogRecord> want = all.mid(std::min<qint64>(offset, all.size()), 200);
            QCOMPARE(page.size(), want.size());
            for (qsizetype i = 0; i < page.size(); ++i)
                QCOMPARE(key(page.at(i)), key(want.at(i)));
        }
    }
}

QTEST_GUILESS_MAIN(TestMessageLogStore)
#include "tst_messagelogstore.moc"
