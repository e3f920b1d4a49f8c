// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/faultinjectionpolicy.h"

#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::ConnectionContext;
using Gateway::Direction;
using Gateway::MessageVerdict;
using Gateway::RelayMessage;

namespace {

ConnectionContext context(quint64 id)
{
    ConnectionContext c;
    c.connectionId = id;
    return c;
}

// The verdicts for `n` messages as a string: + forwarded, d dropped, x closed,
// with the delay after forwarded ones when `withDelay`.
QString run(FaultInjectionPolicy &policy, quint64 connection, int n, bool withDelay = false)
{
    QString out;
    const auto ctx = context(connection);
    for (int i = 0; i < n; ++i) {
        RelayMessage m {i % 2 ? Direction::BackendToClient : Direction::ClientToBackend, false,
                        "m"};
        const auto v = policy.process(ctx, m);
        switch (v.action) {
        case MessageVerdict::Action::Forward:
            out += u'+';
            if (withDelay)
                out += QString::number(v.delay.count()) + u' ';
            break;
        case MessageVerdict::Action::Drop:
            out += u'd';
            break;
        case MessageVerdict::Action::Close:
            out += u'x';
            break;
        }
    }
    return out;
}

} // namespace

class TestFaultInjectionPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void offByDefault();
    void fixedLatency();
    void seededDeterminism();
    void dropRateRoughly();
    void disconnectAfterMessages();
    void disconnectAfterTime();
    void directionFilter();
    void parseErrors_data();
    void parseErrors();
};

void TestFaultInjectionPolicy::offByDefault()
{
    FaultInjectionPolicy policy {FaultInjectionPolicy::Settings()};
    QVERIFY(!policy.settings().isActive());
    auto ctx = context(1);
    QVERIFY(policy.evaluate(ctx).allowed());
    QVERIFY(ctx.flags.isEmpty());
    QCOMPARE(run(policy, 1, 5, true), u"+0 +0 +0 +0 +0 "_qs);
    QVERIFY(policy.forwardsEverything(ctx)); // off: left out of the chain
}

void TestFaultInjectionPolicy::fixedLatency()
{
    FaultInjectionPolicy::Settings s;
    s.latency = std::chrono::milliseconds(250);
    FaultInjectionPolicy policy(s);
    auto ctx = context(1);
    QVERIFY(policy.evaluate(ctx).allowed());
    QCOMPARE(ctx.flags, QStringList {u"fault-injection"_qs});
    QCOMPARE(run(policy, 1, 3, true), u"+250 +250 +250 "_qs);
    QVERIFY(!policy.forwardsEverything(ctx));
}

void TestFaultInjectionPolicy::seededDeterminism()
{
    FaultInjectionPolicy::Settings s;
    s.jitter = std::chrono::milliseconds(100);
    s.dropRate = 0.3;
    s.seed = 42;
    FaultInjectionPolicy a(s);
    FaultInjectionPolicy b(s);
    // same seed, same connection: the same choices, whatever else runs in between
    const QString first = run(a, 7, 50, true);
    run(b, 8, 13, true);
    QCOMPARE(run(b, 7, 50, true), first);
    QVERIFY(first.contains(u'd'));
    // another connection gets another stream
    FaultInjectionPolicy c(s);
    QVERIFY(run(c, 9, 50, true) != first);
    // another seed gives other choices
    s.seed = 43;
    FaultInjectionPolicy d(s);
    QVERIFY(run(d, 7, 50, true) != first);
}

void TestFaultInjectionPolicy::dropRateRoughly()
{
    FaultInjectionPolicy::Settings s;
    s.dropRate = 0.25;
    s.seed = 1;
    FaultInjectionPolicy policy(s);
    const QString out = run(policy, 1, 4000);
    const auto drops = out.count(u'd');
    QVERIFY2(drops > 800 && drops < 1200, qPrintable(QString::number(drops)));
    s.dropRate = 1;
    FaultInjectionPolicy all(s);
    QCOMPARE(run(all, 1, 5), u"ddddd"_qs);
}

void TestFaultInjectionPolicy::disconnectAfterMessages()
{
    FaultInjectionPolicy::Settings s;
    s.disconnectAfterMessages = 3;
    s.closeCode = 4000;
    FaultInjectionPolicy policy(s);
    QCOMPARE(run(policy, 1, 5), u"+++xx"_qs);
    RelayMessage m {Direction::ClientToBackend, false, "m"};
    const auto v = policy.process(context(1), m);
    QCOMPARE(v.clientCloseCode, quint16(4000));
    QVERIFY(v.reason.contains(u"after 3 messages"));
    policy.connectionClosed(context(1));
    QCOMPARE(run(policy, 1, 4), u"+++x"_qs); // state forgotten with the connection
}

void TestFaultInjectionPolicy::disconnectAfterTime()
{
    FaultInjectionPolicy::Settings s;
    s.disconnectAfter = std::chrono::seconds(5);
    FaultInjectionPolicy policy(s);
    auto ctx = context(1);
    policy.evaluate(ctx);
    QCOMPARE(ctx.maxLifetime, std::chrono::milliseconds(5000));
    auto shorter = context(2);
    shorter.maxLifetime = std::chrono::milliseconds(1000);
    policy.evaluate(shorter);
    QCOMPARE(shorter.maxLifetime, std::chrono::milliseconds(1000));
}

void TestFaultInjectionPolicy::directionFilter()
{
    FaultInjectionPolicy::Settings s;
    s.dropRate = 1;
    s.directions = FaultInjectionPolicy::Directions::BackendToClient;
    FaultInjectionPolicy policy(s);
    QCOMPARE(run(policy, 1, 4), u"+d+d"_qs);
}

void TestFaultInjectionPolicy::parseErrors_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("error");
    QTest::newRow("ok") << u"{\"latency\":\"200ms\",\"jitter\":50,\"dropRate\":0.1,\"seed\":7}"_qs
                        << QString();
    QTest::newRow("rate") << u"{\"dropRate\":2}"_qs
                          << u"p.dropRate: must be between 0 and 1, got 2"_qs;
    QTest::newRow("latency")
        << u"{\"latency\":\"slow\"}"_qs
        << u"p.latency: expected a duration such as 250ms, 5s, 2m or a number of milliseconds, got \"slow\""_qs;
    QTest::newRow("code")
        << u"{\"closeCode\":1006}"_qs
        << u"p.closeCode: 1006 cannot be sent in a close frame (use 1000-1014 or 3000-4999)"_qs;
    QTest::newRow("direction")
        << u"{\"direction\":\"up\"}"_qs
        << u"p.direction: expected one of both, clientToBackend, backendToClient, got \"up\""_qs;
}

void TestFaultInjectionPolicy::parseErrors()
{
    QFETCH(QString, config);
    QFETCH(QString, error);
    PolicyConfig c(Json::parse(config.toStdString()), QStringLiteral("p"));
    const auto s = FaultInjectionPolicy::parse(c);
    QCOMPARE(c.error(), error);
    if (error.isEmpty()) {
        QCOMPARE(s.latency, std::chrono::milliseconds(200));
        QCOMPARE(s.jitter, std::chrono::milliseconds(50));
        QCOMPARE(s.seed, quint64(7));
    }
}

QTEST_GUILESS_MAIN(TestFaultInjectionPolicy)
#include "tst_faultinjectionpolicy.moc"
