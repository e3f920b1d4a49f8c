// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/authenticatepolicy.h"
#include "policy/ratelimitpolicy.h"
#include "policy/windowcounter.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::ConnectionContext;
using Gateway::Direction;
using Gateway::Leg;
using Gateway::MessageVerdict;
using Gateway::RelayMessage;

namespace {

// A clock the test moves by hand.
struct ManualClock
{
    std::shared_ptr<std::atomic<qint64>> now = std::make_shared<std::atomic<qint64>>(0);
    WindowCounter::Clock clock() const
    {
        auto n = now;
        return [n] { return n->load(); };
    }
    void set(qint64 ms) { now->store(ms); }
};

ConnectionContext context(quint64 id, const QString &app, const QString &plan = {})
{
    ConnectionContext c;
    c.connectionId = id;
    c.route.apiKey = QStringLiteral("/chats/1.0.0");
    c.identity.applicationId = app;
    c.identity.plan = plan;
    return c;
}

RelayMessage text(Direction d = Direction::ClientToBackend)
{
    return RelayMessage {d, false, QByteArrayLiteral("hi")};
}

const qint64 Minute = 60'000;
// 2026-01-01T00:00:00Z, a whole minute
const qint64 T0 = 1'767'225'600'000;

} // namespace

class TestRateLimitPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void windowStart_data();
    void windowStart();
    void boundaryExact_data();
    void boundaryExact();
    void retryAfter();
    void bothDirectionsCount();
    void softModeFrame();
    void hardModeCloses();
    void sharedAcrossConnectionsOfOneApplication();
    void separateApplications();
    void planFromAttributes();
    void unknownPlanIsUnlimited();
    void forwardsEverythingOnlyWhenUnlimited();
    void anonymousByAddress();
    void threadedExactCount();
    void connectionStateDropped();
    void idleCountersPruned();
    void parseErrors_data();
    void parseErrors();
};

void TestRateLimitPolicy::windowStart_data()
{
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("window");
    QTest::addColumn<qint64>("start");
    QTest::newRow("aligned") << T0 << Minute << T0;
    QTest::newRow("inside") << T0 + 59'999 << Minute << T0;
    QTest::newRow("next") << T0 + 60'000 << Minute << T0 + 60'000;
    QTest::newRow("second") << qint64(1'500) << qint64(1000) << qint64(1000);
    QTest::newRow("negative") << qint64(-1) << qint64(1000) << qint64(-1000);
    QTest::newRow("day") << T0 + 3 * 3'600'000 << qint64(86'400'000) << T0;
}

void TestRateLimitPolicy::windowStart()
{
    QFETCH(qint64, now);
    QFETCH(qint64, window);
    QFETCH(qint64, start);
    QCOMPARE(WindowCounter::windowStart(now, window), start);
}

void TestRateLimitPolicy::boundaryExact_data()
{
    // limit 3 per minute; events at the given offsets from a minute start; the
    // expected verdicts ("+" forwarded, "-" throttled)
    QTest::addColumn<QList<qint64>>("offsets");
    QTest::addColumn<QString>("expected");
    QTest::newRow("three-fit") << QList<qint64> {0, 1, 2} << QStringLiteral("+++");
    QTest::newRow("fourth-throttled") << QList<qint64> {0, 1, 2, 3} << QStringLiteral("+++-");
    QTest::newRow("last-ms-of-window") << QList<qint64> {0, 1, 2, 59'999} << QStringLiteral("+++-");
    QTest::newRow("first-ms-of-next") << QList<qint64> {0, 1, 2, 60'000} << QStringLiteral("++++");
    QTest::newRow("end-bunching") << QList<qint64> {59'997, 59'998, 59'999, 60'000,
                                                    60'001, 60'002, 60'003}
                                  << QStringLiteral("++++++-");
    QTest::newRow("throttled-not-counted")
        << QList<qint64> {0, 1, 2, 3, 4, 60'000, 60'001, 60'002, 60'003}
        << QStringLiteral("+++--+++-");
}

void TestRateLimitPolicy::boundaryExact()
{
    QFETCH(QList<qint64>, offsets);
    QFETCH(QString, expected);
    ManualClock clock;
    RateLimitPolicy::Settings s;
    s.events = 3;
    s.unit = Plan::Unit::Minute;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    const auto ctx = context(1, QStringLiteral("app1"));
    policy.connectionOpened(ctx);
    QString got;
    for (qint64 offset : offsets) {
        clock.set(T0 + offset);
        RelayMessage m = text();
        got += policy.process(ctx, m).action == MessageVerdict::Action::Forward ? u'+' : u'-';
    }
    QCOMPARE(got, expected);
}

void TestRateLimitPolicy::retryAfter()
{
    ManualClock clock;
    WindowCounter counter(clock.clock());
    clock.set(T0 + 45'000);
    QVERIFY(counter.hit(QStringLiteral("k"), 1, Minute).allowed);
    const auto r = counter.hit(QStringLiteral("k"), 1, Minute);
    QVERIFY(!r.allowed);
    QCOMPARE(r.retryAfterMs, qint64(15'000));
    QCOMPARE(r.count, quint64(1));
}

void TestRateLimitPolicy::bothDirectionsCount()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.events = 2;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    const auto ctx = context(1, QStringLiteral("app1"));
    RelayMessage in = text(Direction::ClientToBackend);
    RelayMessage out = text(Direction::BackendToClient);
    QCOMPARE(policy.process(ctx, in).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(ctx, out).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(ctx, out).action, MessageVerdict::Action::Drop);
    QCOMPARE(policy.process(ctx, in).action, MessageVerdict::Action::Drop);
}

void TestRateLimitPolicy::softModeFrame()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.events = 1;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    const auto ctx = context(1, QStringLiteral("app1"));
    RelayMessage m = text();
    QCOMPARE(policy.process(ctx, m).action, MessageVerdict::Action::Forward);
    const MessageVerdict v = policy.process(ctx, m);
    QCOMPARE(v.action, MessageVerdict::Action::Drop);
    QCOMPARE(v.errorFrame,
             QStringLiteral(R"({"error":4003,"reason":"Websocket frame throttled out"})"));
    QCOMPARE(v.errorFrameTo, Leg::Client);
    QVERIFY(v.throttled);
    QVERIFY(!v.reason.isEmpty());

    RelayMessage back = text(Direction::BackendToClient);
    const MessageVerdict vb = policy.process(ctx, back);
    QCOMPARE(vb.action, MessageVerdict::Action::Drop);
    QCOMPARE(vb.errorFrameTo, Leg::Backend); // the sender
}

void TestRateLimitPolicy::hardModeCloses()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.events = 1;
    s.mode = RateLimitPolicy::Mode::Hard;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    const auto ctx = context(1, QStringLiteral("app1"));
    RelayMessage m = text();
    policy.process(ctx, m);
    const MessageVerdict v = policy.process(ctx, m);
    QCOMPARE(v.action, MessageVerdict::Action::Close);
    QCOMPARE(v.clientCloseCode, quint16(1008));
    QVERIFY(v.throttled);
}

void TestRateLimitPolicy::sharedAcrossConnectionsOfOneApplication()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.events = 2;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    const auto a = context(1, QStringLiteral("app1"));
    const auto b = context(2, QStringLiteral("app1"));
    RelayMessage m = text();
    QCOMPARE(policy.process(a, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(b, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(a, m).action, MessageVerdict::Action::Drop);
    QCOMPARE(policy.process(b, m).action, MessageVerdict::Action::Drop);
}

void TestRateLimitPolicy::separateApplications()
{
    ManualClock clock;
    clock.set(T0);
    const QList<Plan> plans {{QStringLiteral("Gold"), {}, 2, Plan::Unit::Second, 0},
                             {QStringLiteral("Bronze"), {}, 1, Plan::Unit::Second, 0}};
    RateLimitPolicy policy({}, plans, std::make_shared<WindowCounter>(clock.clock()));
    const auto gold = context(1, QStringLiteral("a"), QStringLiteral("gold"));
    const auto bronze = context(2, QStringLiteral("b"), QStringLiteral("Bronze"));
    RelayMessage m = text();
    QCOMPARE(policy.process(gold, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(gold, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(gold, m).action, MessageVerdict::Action::Drop);
    QCOMPARE(policy.process(bronze, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(bronze, m).action, MessageVerdict::Action::Drop);
    clock.set(T0 + 1000);
    QCOMPARE(policy.process(bronze, m).action, MessageVerdict::Action::Forward);
}

void TestRateLimitPolicy::planFromAttributes()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy policy({}, {}, std::make_shared<WindowCounter>(clock.clock()));
    auto ctx = context(1, QStringLiteral("a"), QStringLiteral("Custom"));
    ctx.plan.known = true;
    ctx.plan.events = 1;
    ctx.plan.unitMs = 1000;
    ctx.plan.name = QStringLiteral("Custom");
    const auto limit = policy.limitFor(ctx);
    QCOMPARE(limit.events, quint64(1));
    QCOMPARE(limit.windowMs, qint64(1000));
    RelayMessage m = text();
    QCOMPARE(policy.process(ctx, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(ctx, m).action, MessageVerdict::Action::Drop);
}

void TestRateLimitPolicy::unknownPlanIsUnlimited()
{
    RateLimitPolicy policy({}, {}, std::make_shared<WindowCounter>());
    const auto ctx = context(1, QStringLiteral("a"), QStringLiteral("Nope"));
    QCOMPARE(policy.limitFor(ctx).events, quint64(0));
    RelayMessage m = text();
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(policy.process(ctx, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.counter()->size(), 0); // nothing counted for unlimited
}

void TestRateLimitPolicy::forwardsEverythingOnlyWhenUnlimited()
{
    // The gateway leaves the policy out of a connection's chain when it says so:
    // only right for a connection it counts nothing for.
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy policy({}, {}, std::make_shared<WindowCounter>(clock.clock()));
    const auto unlimited = context(1, QStringLiteral("a"), QStringLiteral("Nope"));
    policy.connectionOpened(unlimited);
    QVERIFY(policy.forwardsEverything(unlimited));

    auto limited = context(2, QStringLiteral("b"), QStringLiteral("Custom"));
    limited.plan.known = true;
    limited.plan.events = 1;
    limited.plan.unitMs = 1000;
    policy.connectionOpened(limited);
    QVERIFY(!policy.forwardsEverything(limited));
    RelayMessage m = text();
    QCOMPARE(policy.process(limited, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(limited, m).action, MessageVerdict::Action::Drop);
}

void TestRateLimitPolicy::anonymousByAddress()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.anonymousEvents = 1;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    auto a = context(1, {});
    a.request.peerAddress = QHostAddress(QStringLiteral("127.0.0.1"));
    auto b = context(2, {});
    b.request.peerAddress = QHostAddress(QStringLiteral("127.0.0.2"));
    RelayMessage m = text();
    QCOMPARE(policy.process(a, m).action, MessageVerdict::Action::Forward);
    QCOMPARE(policy.process(a, m).action, MessageVerdict::Action::Drop);
    QCOMPARE(policy.process(b, m).action, MessageVerdict::Action::Forward);
}

void TestRateLimitPolicy::threadedExactCount()
{
    // 8 threads x 5000 messages against a limit of 12345: exactly 12345 pass.
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.events = 12345;
    s.unit = Plan::Unit::Hour;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    std::atomic<int> forwarded {0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            const auto ctx = context(static_cast<quint64>(t + 1), QStringLiteral("app"));
            for (int i = 0; i < 5000; ++i) {
                RelayMessage m = text();
                if (policy.process(ctx, m).action == MessageVerdict::Action::Forward)
                    ++forwarded;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(forwarded.load(), 12345);
}

void TestRateLimitPolicy::connectionStateDropped()
{
    RateLimitPolicy::Settings s;
    s.events = 5;
    RateLimitPolicy policy(s, {});
    const auto ctx = context(7, QStringLiteral("a"));
    policy.connectionOpened(ctx);
    QCOMPARE(policy.trackedConnections(), 1);
    policy.connectionClosed(ctx);
    QCOMPARE(policy.trackedConnections(), 0);
}

void TestRateLimitPolicy::idleCountersPruned()
{
    ManualClock clock;
    clock.set(T0);
    RateLimitPolicy::Settings s;
    s.anonymousEvents = 10;
    RateLimitPolicy policy(s, {}, std::make_shared<WindowCounter>(clock.clock()));
    auto held = context(1, QStringLiteral("app"));
    held.identity.applicationId.clear();
    held.request.peerAddress = QHostAddress(QStringLiteral("10.0.0.1"));
    policy.connectionOpened(held); // stays open: its counter must survive
    RelayMessage m = text();
    policy.process(held, m);
    for (quint64 i = 0; i < 1023; ++i) {
        auto c = context(100 + i, {});
        c.request.peerAddress = QHostAddress(quint32(0x0B000000 + i));
        policy.process(c, m);
        policy.connectionClosed(c);
    }
    QCOMPARE(policy.counter()->size(), 1024);
    clock.set(T0 + 2 * 86'400'000);
    auto last = context(5000, {});
    policy.connectionClosed(last); // the 1024th close prunes
    QCOMPARE(policy.counter()->size(), 1);
    QCOMPARE(policy.process(held, m).action, MessageVerdict::Action::Forward);
}

void TestRateLimitPolicy::parseErrors_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("error");
    QTest::newRow("ok") << QStringLiteral(R"({"type":"rateLimit","events":10,"unit":"second"})")
                        << QString();
    QTest::newRow("bad-unit")
        << QStringLiteral(R"({"type":"rateLimit","events":10,"unit":"fortnight"})")
        << QStringLiteral("p.unit: expected second, minute, hour or day, got \"fortnight\"");
    QTest::newRow("bad-events") << QStringLiteral(R"({"type":"rateLimit","events":"ten"})")
                                << QStringLiteral("p.events: expected an integer, got \"ten\"");
    QTest::newRow("negative") << QStringLiteral(R"({"type":"rateLimit","events":-1})")
                              << QStringLiteral("p.events: must be >= 0, got -1");
    QTest::newRow("bad-mode") << QStringLiteral(R"({"type":"rateLimit","mode":"strict"})")
                              << QStringLiteral(
                                     "p.mode: expected one of soft, hard, got \"strict\"");
    QTest::newRow("unknown-key")
        << QStringLiteral(R"({"type":"rateLimit","limit":5})")
        << QStringLiteral("p.limit: unknown key (expected one of: type, enabled, mode, "
                          "events, unit, defaultPlan, anonymousEvents, anonymousUnit)");
    QTest::newRow("unknown-plan")
        << QStringLiteral(R"({"type":"rateLimit","defaultPlan":"Platinum"})")
        << QStringLiteral("p.defaultPlan: no plan named \"Platinum\" in x-gatehouse.plans");
}

void TestRateLimitPolicy::parseErrors()
{
    QFETCH(QString, config);
    QFETCH(QString, error);
    PolicyConfig c(Json::parse(config.toStdString()), QStringLiteral("p"));
    RateLimitPolicy::parse(c, {{QStringLiteral("Gold"), {}, 10, Plan::Unit::Minute, 0}});
    QCOMPARE(c.error(), error);
}

QTEST_GUILESS_MAIN(TestRateLimitPolicy)
#include "tst_ratelimitpolicy.moc"
