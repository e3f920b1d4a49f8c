// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewayevent.h"
#include "gateway/messagerecord.h"

#include <QTest>

using namespace Gatehouse;
using Gateway::GatewayEvent;

class TestGatewayEvent final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void copiesShareDetails();
    void editingACopyDetaches();
    void noDetailsReadsEmpty();
    void packedMessagesRoundTrip_data();
    void packedMessagesRoundTrip();
    void runUnpacksIntoMessages();
    void damagedRunStopsAtTheDamage();
};

void TestGatewayEvent::packedMessagesRoundTrip_data()
{
    QTest::addColumn<qint64>("sinceFirst");
    QTest::addColumn<int>("bits");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("latency");
    namespace R = Gateway::MessageRecord;
    QTest::newRow("small") << qint64(0) << int(R::OpcodeText) << qint64(64) << qint64(0);
    QTest::newRow("two-byte numbers")
        << qint64(999) << int(R::OpcodeBinary | R::DirectionOut) << qint64(4096) << qint64(300);
    QTest::newRow("big") << qint64(1) << int(R::OpcodeText) << (qint64(1) << 40)
                         << (qint64(1) << 35);
}

// What the relay packs per message reads back as it was, and takes the bytes
// its varints need (a 64-byte message at once: 4 bytes).
void TestGatewayEvent::packedMessagesRoundTrip()
{
    QFETCH(qint64, sinceFirst);
    QFETCH(int, bits);
    QFETCH(qint64, size);
    QFETCH(qint64, latency);
    namespace R = Gateway::MessageRecord;
    QByteArray data;
    R::appendPlain(data, quint64(sinceFirst), quint8(bits), quint64(size), quint64(latency));
    R::Message m;
    m.timeMs = 1000 + sinceFirst;
    m.bits = quint8(bits);
    m.size = size;
    m.latencyUs = latency;
    QByteArray viaAppend;
    R::append(viaAppend, 1000, m);
    QCOMPARE(data, viaAppend); // the same bytes as the general form
    if (QTest::currentDataTag() == QByteArray("small"))
        QCOMPARE(data.size(), 4);
    qsizetype pos = 0;
    R::Message read;
    QVERIFY(R::next(data, &pos, 1000, &read));
    QCOMPARE(pos, data.size());
    QCOMPARE(read.timeMs, 1000 + sinceFirst);
    QCOMPARE(int(read.bits), bits);
    QCOMPARE(read.size, size);
    QCOMPARE(read.latencyUs, latency);
    QVERIFY(!R::next(data, &pos, 1000, &read)); // the end
}

void TestGatewayEvent::runUnpacksIntoMessages()
{
    namespace R = Gateway::MessageRecord;
    GatewayEvent run;
    run.type = GatewayEvent::Type::MessageRun;
    run.connectionId = 7;
    run.timeMs = 5000;
    run.editDetails().channel = QStringLiteral("/rooms/{roomID}");
    R::appendPlain(run.records, 0, R::OpcodeText, 5, 10);
    R::appendPlain(run.records, 3, R::OpcodeBinary | R::DirectionOut, 6, 0);
    R::Message dropped;
    dropped.timeMs = 5004;
    dropped.bits = R::ActionDropped | R::OpcodeText | R::HasReason;
    dropped.size = 7;
    dropped.reason = "too big";
    R::append(run.records, run.timeMs, dropped);
    run.recordCount = 3;
    run.durationMs = 4;

    const QList<GatewayEvent> events = Gateway::messages(run);
    QCOMPARE(events.size(), 3);
    QVERIFY(events.at(0).type == GatewayEvent::Type::MessageRelayed);
    QCOMPARE(events.at(0).timeMs, qint64(5000));
    QCOMPARE(events.at(0).size, qint64(5));
    QCOMPARE(events.at(0).latencyUs, qint64(10));
    QVERIFY(events.at(0).direction == Gateway::Direction::ClientToBackend);
    QVERIFY(!events.at(0).binary);
    QCOMPARE(events.at(1).timeMs, qint64(5003));
    QVERIFY(events.at(1).direction == Gateway::Direction::BackendToClient);
    QVERIFY(events.at(1).binary);
    QVERIFY(events.at(2).type == GatewayEvent::Type::MessageDropped);
    QCOMPARE(events.at(2).reason, u"too big"_qs);
    for (const GatewayEvent &e : events) {
        QCOMPARE(e.connectionId, quint64(7));
        QVERIFY(e.sharesDetailsWith(run));
        QVERIFY(e.records.isEmpty());
        QCOMPARE(e.recordCount, qint64(0));
    }
    // any other event is itself
    GatewayEvent opened;
    opened.type = GatewayEvent::Type::ConnectionOpened;
    opened.status = 101;
    QCOMPARE(Gateway::messages(opened).size(), 1);
    QCOMPARE(Gateway::messages(opened).first().status, 101);
}

void TestGatewayEvent::damagedRunStopsAtTheDamage()
{
    namespace R = Gateway::MessageRecord;
    GatewayEvent run;
    run.type = GatewayEvent::Type::MessageRun;
    R::appendPlain(run.records, 0, R::OpcodeText, 5, 0);
    run.records.append(char(0x80)); // a varint that never ends
    run.recordCount = 2;
    QCOMPARE(Gateway::messages(run).size(), 1);
    run.recordCount = 1; // never more than the count
    R::appendPlain(run.records, 0, R::OpcodeText, 5, 0);
    QCOMPARE(Gateway::messages(run).size(), 1);
}

void TestGatewayEvent::copiesShareDetails()
{
    GatewayEvent e;
    e.editDetails().api = QStringLiteral("/chats/1.0.0");
    e.editDetails().flags = {QStringLiteral("tls")};
    const GatewayEvent::Details *before = &e.details();

    const GatewayEvent copy = e;
    QCOMPARE(&copy.details(), before);
    QVERIFY(copy.sharesDetailsWith(e));
    QCOMPARE(copy.detailsPointer().constData(), e.detailsPointer().constData());
    QCOMPARE(copy.details().api, u"/chats/1.0.0"_qs);
    QCOMPARE(copy.details().flags, QStringList {u"tls"_qs});
    // reading through the original (non-const) does not detach either
    QCOMPARE(e.details().api, u"/chats/1.0.0"_qs);
    QCOMPARE(&e.details(), before);
    QCOMPARE(&copy.details(), before);

    QList<GatewayEvent> batch(3, e);
    for (const GatewayEvent &b : batch)
        QCOMPARE(&b.details(), before);
}

void TestGatewayEvent::editingACopyDetaches()
{
    GatewayEvent original;
    original.editDetails().channel = QStringLiteral("/rooms/{roomID}");
    original.editDetails().application = QStringLiteral("app_1");
    const GatewayEvent::Details *before = &original.details();

    GatewayEvent copy = original;
    copy.editDetails().channel = QStringLiteral("/notifications");
    QVERIFY(&copy.details() != before);
    QVERIFY(!copy.sharesDetailsWith(original));
    QCOMPARE(&original.details(), before);
    QCOMPARE(original.details().channel, u"/rooms/{roomID}"_qs);
    QCOMPARE(copy.details().channel, u"/notifications"_qs);
    QCOMPARE(copy.details().application, u"app_1"_qs); // the rest was copied

    // editing details that nothing else shares keeps them in place
    GatewayEvent::Details *own = &copy.editDetails();
    copy.editDetails().path = QStringLiteral("/chats/1.0.0/notifications");
    QCOMPARE(&copy.editDetails(), own);
    QCOMPARE(copy.details().path, u"/chats/1.0.0/notifications"_qs);
}

void TestGatewayEvent::noDetailsReadsEmpty()
{
    const GatewayEvent e;
    QVERIFY(!e.detailsPointer());
    QVERIFY(e.details().api.isEmpty());
    QVERIFY(e.details().apiTitle.isEmpty());
    QVERIFY(e.details().channel.isEmpty());
    QVERIFY(e.details().path.isEmpty());
    QVERIFY(e.details().application.isEmpty());
    QVERIFY(e.details().clientAddress.isEmpty());
    QVERIFY(e.details().backendUrl.isEmpty());
    QVERIFY(e.details().flags.isEmpty());
    QCOMPARE(&e.details(), &GatewayEvent::emptyDetails());
    QVERIFY(e.sharesDetailsWith(GatewayEvent()));

    // editing an event without details gives it its own; the empty ones stay empty
    GatewayEvent other;
    other.editDetails().api = QStringLiteral("/x/1");
    QVERIFY(other.detailsPointer());
    QVERIFY(&other.details() != &GatewayEvent::emptyDetails());
    QVERIFY(GatewayEvent::emptyDetails().api.isEmpty());
    QVERIFY(e.details().api.isEmpty());
}

QTEST_GUILESS_MAIN(TestGatewayEvent)
#include "tst_gatewayevent.moc"
