// SPDX-License-Identifier: GPL-3.0-or-later
// Which relayed messages carry their payload to the log: the log policy's sampling
// and run-time grants (core/gateway/payloadlogdecision.h, payloadloggrants.h).
#include "gateway/payloadlogdecision.h"
#include "gateway/payloadloggrants.h"
#include "policy/logpolicy.h"

#include <QDateTime>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Gateway;
using namespace std::chrono_literals;

namespace {

// A connection to /chats/1.0.0 /rooms/{roomID} by app_1.
struct Connection
{
    std::shared_ptr<Api> api = std::make_shared<Api>();
    Channel channel;
    ConnectionContext context;

    explicit Connection(const QString &address = u"/rooms/{roomID}"_qs,
                        const QString &application = u"app_1"_qs)
    {
        channel.address = address;
        context.route.api = api;
        context.route.channel = &channel;
        context.route.apiKey = u"/chats/1.0.0"_qs;
        context.identity.applicationId = application;
    }
};

QList<int> attachedAmong(PayloadLogDecision &decision, int messages, qint64 nowNs)
{
    QList<int> out;
    for (int i = 1; i <= messages; ++i)
        if (decision.bytesFor(nowNs) != 0)
            out.append(i);
    return out;
}

} // namespace

class TestPayloadLogDecision final : public QObject
{
    Q_OBJECT

private slots:
    void offByDefault();
    void everyMessageWithoutSampling();
    void sampledOneInN_data();
    void sampledOneInN();
    void grantMatches_data();
    void grantMatches();
    void grantSeenByOpenConnection();
    void grantEnds();
    void revokedGrant();
    void sameTargetReplaced();
    void logPolicyAsksForSampleAndGrantBytes();
    void sampledGrant();
};

void TestPayloadLogDecision::offByDefault()
{
    Connection c;
    PayloadLogDecision d;
    d.setUp({}, nullptr, &c.context);
    QVERIFY(d.never());
    QVERIFY(attachedAmong(d, 10, 0).isEmpty());

    PayloadLogGrants grants; // a log, but nothing granted
    d.setUp({}, &grants, &c.context);
    QVERIFY(!d.never());
    QVERIFY(attachedAmong(d, 10, PayloadLogGrants::steadyNowNs()).isEmpty());
}

void TestPayloadLogDecision::everyMessageWithoutSampling()
{
    Connection c;
    PayloadLogDecision d;
    d.setUp({4096, 1, 4096}, nullptr, &c.context);
    QCOMPARE(attachedAmong(d, 5, 0), (QList<int> {1, 2, 3, 4, 5}));
    d.setUp({-1, 1, 4096}, nullptr, &c.context);
    QCOMPARE(d.bytesFor(0), qint64(-1)); // all of it
}

void TestPayloadLogDecision::sampledOneInN_data()
{
    QTest::addColumn<int>("sample");
    QTest::addColumn<QList<int>>("attached");
    QTest::newRow("1") << 1 << QList<int> {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    QTest::newRow("3") << 3 << QList<int> {1, 4, 7, 10};
    QTest::newRow("5") << 5 << QList<int> {1, 6};
    QTest::newRow("100") << 100 << QList<int> {1};
}

// The connection's 1st, (N+1)th, (2N+1)th ... message
void TestPayloadLogDecision::sampledOneInN()
{
    QFETCH(int, sample);
    QFETCH(QList<int>, attached);
    Connection c;
    PayloadLogGrants grants;
    PayloadLogDecision d;
    d.setUp({2048, sample, 4096}, &grants, &c.context);
    QCOMPARE(attachedAmong(d, 10, PayloadLogGrants::steadyNowNs()), attached);
}

void TestPayloadLogDecision::grantMatches_data()
{
    QTest::addColumn<QString>("api");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QString>("application");
    QTest::addColumn<bool>("granted");
    QTest::newRow("whole API") << u"/chats/1.0.0"_qs << QString() << QString() << true;
    QTest::newRow("its channel") << u"/chats/1.0.0"_qs << u"/rooms/{roomID}"_qs << QString()
                                 << true;
    QTest::newRow("its application") << u"/chats/1.0.0"_qs << QString() << u"app_1"_qs << true;
    QTest::newRow("both") << u"/chats/1.0.0"_qs << u"/rooms/{roomID}"_qs << u"app_1"_qs << true;
    QTest::newRow("other channel")
        << u"/chats/1.0.0"_qs << u"/notifications"_qs << QString() << false;
    QTest::newRow("other application")
        << u"/chats/1.0.0"_qs << u"/rooms/{roomID}"_qs << u"app_2"_qs << false;
    QTest::newRow("other API") << u"/chats/2.0.0"_qs << QString() << QString() << false;
    QTest::newRow("a path is not its template")
        << u"/chats/1.0.0"_qs << u"/rooms/room1"_qs << QString() << false;
}

void TestPayloadLogDecision::grantMatches()
{
    QFETCH(QString, api);
    QFETCH(QString, channel);
    QFETCH(QString, application);
    QFETCH(bool, granted);
    Connection c;
    PayloadLogGrants grants;
    grants.grant(api, channel, application, 10min);
    PayloadLogDecision d;
    d.setUp({0, 1, 1000}, &grants, &c.context);
    const qint64 now = PayloadLogGrants::steadyNowNs();
    QCOMPARE(d.bytesFor(now), granted ? qint64(1000) : qint64(0));
    // ten minutes on, it has ended by itself
    QCOMPARE(d.bytesFor(now + 601'000'000'000LL), qint64(0));
}

// A connection open before the grant gets it at its next message, and loses it when
// the grant is revoked.
void TestPayloadLogDecision::grantSeenByOpenConnection()
{
    Connection c;
    PayloadLogGrants grants;
    PayloadLogDecision d;
    d.setUp({0, 1, 4096}, &grants, &c.context);
    QCOMPARE(d.bytesFor(PayloadLogGrants::steadyNowNs()), qint64(0));
    const quint64 id = grants.grant(u"/chats/1.0.0"_qs, u"/rooms/{roomID}"_qs, {}, 1h);
    QVERIFY(id != 0);
    QCOMPARE(d.bytesFor(PayloadLogGrants::steadyNowNs()), qint64(4096));
    QVERIFY(grants.revoke(id));
    QCOMPARE(d.bytesFor(PayloadLogGrants::steadyNowNs()), qint64(0));
}

void TestPayloadLogDecision::grantEnds()
{
    Connection c;
    PayloadLogGrants grants;
    grants.grant(u"/chats/1.0.0"_qs, {}, {}, 50ms);
    QCOMPARE(grants.active().size(), 1);
    const PayloadLogGrants::Grant g = grants.active().constFirst();
    QCOMPARE(g.describe(), u"/chats/1.0.0"_qs);
    QVERIFY(g.remainingMs(QDateTime::currentMSecsSinceEpoch()) <= 50);
    PayloadLogDecision d;
    d.setUp({0, 1, 4096}, &grants, &c.context);
    QCOMPARE(d.bytesFor(PayloadLogGrants::steadyNowNs()), qint64(4096));
    QTest::qWait(80);
    QCOMPARE(d.bytesFor(PayloadLogGrants::steadyNowNs()), qint64(0));
    QVERIFY(grants.active().isEmpty());
    QVERIFY(!grants.revoke(g.id)); // nothing left to end
}

void TestPayloadLogDecision::revokedGrant()
{
    PayloadLogGrants grants;
    const quint64 a = grants.grant(u"/chats/1.0.0"_qs, {}, u"app_1"_qs, 1h);
    const quint64 b = grants.grant(u"/chats/1.0.0"_qs, u"/notifications"_qs, {}, 1h);
    QCOMPARE(grants.active().size(), 2);
    QCOMPARE(grants.active().constLast().describe(), u"/chats/1.0.0 /notifications"_qs);
    QCOMPARE(grants.active().constFirst().describe(), u"/chats/1.0.0 application app_1"_qs);
    const quint64 before = grants.generation();
    QVERIFY(grants.revoke(a));
    QVERIFY(grants.generation() != before);
    QVERIFY(!grants.revoke(a));
    QCOMPARE(grants.active().size(), 1);
    QCOMPARE(grants.active().constFirst().id, b);
    grants.revokeAll();
    QVERIFY(grants.active().isEmpty());
}

// Granting the same again sets a new end instead of adding a second grant.
void TestPayloadLogDecision::sameTargetReplaced()
{
    PayloadLogGrants grants;
    grants.grant(u"/chats/1.0.0"_qs, u"/rooms/{roomID}"_qs, {}, 1h);
    const quint64 id = grants.grant(u"/chats/1.0.0"_qs, u"/rooms/{roomID}"_qs, {}, 10min);
    QCOMPARE(grants.active().size(), 1);
    QCOMPARE(grants.active().constFirst().id, id);
    QVERIFY(grants.active().constFirst().remainingMs(QDateTime::currentMSecsSinceEpoch())
            <= 10 * 60 * 1000);
}

void TestPayloadLogDecision::logPolicyAsksForSampleAndGrantBytes()
{
    Policies::LogPolicy::Settings s;
    s.maxPayloadSize = 100;
    s.sample = 10;
    Policies::LogPolicy off(s); // payloads off: no sampling, but a grant gets 100 bytes
    QCOMPARE(off.eventPayloadBytes(), qint64(0));
    QCOMPARE(off.payloadSample(), 1);
    QCOMPARE(off.grantedPayloadBytes(), qint64(100));
    s.payloads = true;
    Policies::LogPolicy on(s);
    QCOMPARE(on.eventPayloadBytes(), qint64(100));
    QCOMPARE(on.payloadSample(), 10);
    s.masking.fields = {u"password"_qs}; // masks see more than is kept
    QCOMPARE(Policies::LogPolicy(s).grantedPayloadBytes(), qint64(64 * 1024));
}

// A grant of one message in N keeps the first of a connection and every Nth after it;
// where a sampled and a full grant both cover a connection, every message is kept.
void TestPayloadLogDecision::sampledGrant()
{
    Connection c;
    PayloadLogGrants grants;
    PayloadLogDecision d;
    d.setUp({0, 1, 4096}, &grants, &c.context);
    const quint64 id = grants.grant(u"/chats/1.0.0"_qs, u"/rooms/{roomID}"_qs, {}, 1h, 10);
    QCOMPARE(grants.active().constFirst().sample, 10);
    QCOMPARE(grants.active().constFirst().sampleText(), u", one message in 10"_qs);
    const qint64 now = PayloadLogGrants::steadyNowNs();
    QCOMPARE(attachedAmong(d, 25, now), (QList<int> {1, 11, 21}));
    // the application's connections in full as well: the smaller sample wins
    grants.grant(u"/chats/1.0.0"_qs, {}, u"app_1"_qs, 1h);
    QCOMPARE(attachedAmong(d, 3, now), (QList<int> {1, 2, 3}));
    QCOMPARE(grants.active().constLast().sampleText(), QString());
    // that one stopped: one in 10 again, starting with the next message
    QVERIFY(grants.revoke(grants.active().constLast().id));
    QCOMPARE(attachedAmong(d, 12, now), (QList<int> {1, 11}));
    QVERIFY(grants.revoke(id));
    QVERIFY(attachedAmong(d, 12, now).isEmpty());
    // a sample below 1 is every message
    grants.grant(u"/chats/1.0.0"_qs, {}, {}, 1h, 0);
    QCOMPARE(grants.active().constFirst().sample, 1);
}

QTEST_GUILESS_MAIN(TestPayloadLogDecision)
#include "tst_payloadlogdecision.moc"
