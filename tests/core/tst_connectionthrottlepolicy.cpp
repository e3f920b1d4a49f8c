// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/authenticatepolicy.h"
#include "policy/connectioncounter.h"
#include "policy/connectionthrottlepolicy.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::ConnectionContext;

namespace {

ConnectionContext context(quint64 id, const QString &app = {}, const QString &plan = {})
{
    ConnectionContext c;
    c.connectionId = id;
    c.route.apiKey = QStringLiteral("/chats/1.0.0");
    c.identity.applicationId = app;
    c.identity.plan = plan;
    return c;
}

} // namespace

class TestConnectionThrottlePolicy final : public QObject
{
    Q_OBJECT

private slots:
    void slotReleasesOnDestruction();
    void slotAllOrNothing();
    void limits_data();
    void limits();
    void rejectionHeaders();
    void status503();
    void releaseFreesPlace();
    void releaseUnknownIsHarmless();
    void planAttributeCap();
    void concurrentAcquireNeverExceeds();
    void parseErrors_data();
    void parseErrors();
};

void TestConnectionThrottlePolicy::slotReleasesOnDestruction()
{
    auto counter = std::make_shared<ConnectionCounter>();
    {
        auto slot = counter->tryAcquire({{QStringLiteral("a"), 1}});
        QVERIFY(slot);
        QCOMPARE(counter->count(QStringLiteral("a")), 1);
        QVERIFY(!counter->tryAcquire({{QStringLiteral("a"), 1}}));
        ConnectionSlot moved = std::move(*slot);
        QVERIFY(!slot->isValid());
        QCOMPARE(counter->count(QStringLiteral("a")), 1);
    }
    QCOMPARE(counter->count(QStringLiteral("a")), 0);
}

void TestConnectionThrottlePolicy::slotAllOrNothing()
{
    auto counter = std::make_shared<ConnectionCounter>();
    auto first = counter->tryAcquire({{QStringLiteral("b"), 1}});
    QVERIFY(first);
    ConnectionCounter::Refusal refusal;
    QVERIFY(!counter->tryAcquire({{QStringLiteral("a"), 5}, {QStringLiteral("b"), 1}}, &refusal));
    QCOMPARE(refusal.key, QStringLiteral("b"));
    QCOMPARE(refusal.limit, qint64(1));
    QCOMPARE(counter->count(QStringLiteral("a")), 0); // nothing taken
}

void TestConnectionThrottlePolicy::limits_data()
{
    // Open connections in order (app:plan per entry); expected statuses
    QTest::addColumn<qint64>("perApi");
    QTest::addColumn<qint64>("perApp");
    QTest::addColumn<qint64>("goldTotal");
    QTest::addColumn<QStringList>("connections");
    QTest::addColumn<QList<int>>("statuses");
    QTest::newRow("api-cap") << qint64(2) << qint64(0) << qint64(0)
                             << QStringList {u"a:"_qs, u"b:"_qs, u"c:"_qs}
                             << QList<int> {0, 0, 429};
    QTest::newRow("app-cap") << qint64(0) << qint64(1) << qint64(0)
                             << QStringList {u"a:"_qs, u"a:"_qs, u"b:"_qs}
                             << QList<int> {0, 429, 0};
    QTest::newRow("plan-total") << qint64(0) << qint64(0) << qint64(2)
                                << QStringList {u"a:Gold"_qs, u"b:Gold"_qs, u"c:Gold"_qs,
                                                u"d:Silver"_qs}
                                << QList<int> {0, 0, 429, 0};
    QTest::newRow("plan-maxConnections-per-app")
        << qint64(0) << qint64(0) << qint64(0)
        << QStringList {u"a:Silver"_qs, u"a:Silver"_qs, u"b:Silver"_qs} << QList<int> {0, 429, 0};
    QTest::newRow("anonymous-only-api-cap")
        << qint64(1) << qint64(1) << qint64(0) << QStringList {u":"_qs, u":"_qs}
        << QList<int> {0, 429};
    QTest::newRow("unlimited") << qint64(0) << qint64(0) << qint64(0)
                               << QStringList {u"a:"_qs, u"a:"_qs, u"a:"_qs}
                               << QList<int> {0, 0, 0};
}

void TestConnectionThrottlePolicy::limits()
{
    QFETCH(qint64, perApi);
    QFETCH(qint64, perApp);
    QFETCH(qint64, goldTotal);
    QFETCH(QStringList, connections);
    QFETCH(QList<int>, statuses);
    ConnectionThrottlePolicy::Settings s;
    s.maxConnections = perApi;
    s.maxPerApplication = perApp;
    if (goldTotal)
        s.maxPerPlan.insert(QStringLiteral("gold"), goldTotal);
    const QList<Plan> plans {{QStringLiteral("Gold"), {}, 0, Plan::Unit::Day, 0},
                             {QStringLiteral("Silver"), {}, 0, Plan::Unit::Day, 1}};
    ConnectionThrottlePolicy policy(s, plans);
    QList<int> got;
    quint64 id = 0;
    for (const QString &c : connections) {
        auto ctx = context(++id, c.section(u':', 0, 0), c.section(u':', 1));
        got.append(policy.evaluate(ctx).status);
    }
    QCOMPARE(got, statuses);
}

void TestConnectionThrottlePolicy::rejectionHeaders()
{
    ConnectionThrottlePolicy::Settings s;
    s.maxConnections = 1;
    s.retryAfterSeconds = 7;
    ConnectionThrottlePolicy policy(s, {});
    auto a = context(1);
    auto b = context(2);
    QVERIFY(policy.evaluate(a).allowed());
    const auto d = policy.evaluate(b);
    QCOMPARE(d.status, 429);
    QCOMPARE(d.headers.size(), 1);
    QCOMPARE(d.headers.first().first, QByteArrayLiteral("Retry-After"));
    QCOMPARE(d.headers.first().second, QByteArrayLiteral("7"));
    QVERIFY(d.reason.contains(u"allows 1"));
}

void TestConnectionThrottlePolicy::status503()
{
    PolicyConfig config(
        Json::parse(
            R"({"type":"connectionThrottle","maxConnections":1,"status":503,"retryAfter":"30s"})"),
        QStringLiteral("p"));
    const auto s = ConnectionThrottlePolicy::parse(config, {});
    QVERIFY2(config.ok(), qPrintable(config.error()));
    ConnectionThrottlePolicy policy(s, {});
    auto a = context(1);
    auto b = context(2);
    QVERIFY(policy.evaluate(a).allowed());
    const auto d = policy.evaluate(b);
    QCOMPARE(d.status, 503);
    QCOMPARE(d.headers.first().second, QByteArrayLiteral("30"));
}

void TestConnectionThrottlePolicy::releaseFreesPlace()
{
    ConnectionThrottlePolicy::Settings s;
    s.maxPerApplication = 1;
    ConnectionThrottlePolicy policy(s, {});
    auto a = context(1, QStringLiteral("app"));
    auto b = context(2, QStringLiteral("app"));
    QVERIFY(policy.evaluate(a).allowed());
    QCOMPARE(policy.evaluate(b).status, 429);
    QCOMPARE(policy.heldSlots(), 1);
    policy.released(a);
    QCOMPARE(policy.heldSlots(), 0);
    QVERIFY(policy.evaluate(b).allowed());
}

void TestConnectionThrottlePolicy::releaseUnknownIsHarmless()
{
    ConnectionThrottlePolicy policy({}, {});
    auto a = context(1);
    policy.released(a); // never evaluated
    QVERIFY(policy.evaluate(a).allowed());
    policy.released(a);
    policy.released(a); // twice
    QCOMPARE(policy.counter()->count(QStringLiteral("api\n/chats/1.0.0")), 0);
}

void TestConnectionThrottlePolicy::planAttributeCap()
{
    ConnectionThrottlePolicy policy({}, {});
    auto a = context(1, QStringLiteral("app"), QStringLiteral("Custom"));
    a.plan.known = true;
    a.plan.maxConnections = 1;
    auto b = a;
    b.connectionId = 2;
    QVERIFY(policy.evaluate(a).allowed());
    QCOMPARE(policy.evaluate(b).status, 429);
}

void TestConnectionThrottlePolicy::concurrentAcquireNeverExceeds()
{
    ConnectionThrottlePolicy::Settings s;
    s.maxConnections = 50;
    ConnectionThrottlePolicy policy(s, {});
    std::atomic<int> allowed {0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100; ++i) {
                auto ctx = context(static_cast<quint64>(t * 1000 + i + 1));
                if (policy.evaluate(ctx).allowed())
                    ++allowed;
            }
        });
    for (auto &t : threads)
        t.join();
    QCOMPARE(allowed.load(), 50);
    QCOMPARE(policy.heldSlots(), 50);
}

void TestConnectionThrottlePolicy::parseErrors_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("error");
    QTest::newRow("ok") << QStringLiteral(
        R"({"maxConnections":10,"maxPerApplication":2,"maxPerPlan":{"Gold":5}})")
                        << QString();
    QTest::newRow("status") << QStringLiteral(R"({"status":500})")
                            << QStringLiteral("p.status: expected 429 or 503, got 500");
    QTest::newRow("plan") << QStringLiteral(R"({"maxPerPlan":{"Tin":5}})")
                          << QStringLiteral(
                                 "p.maxPerPlan.Tin: no plan named \"Tin\" in x-gatehouse.plans");
    QTest::newRow("plan-value") << QStringLiteral(R"({"maxPerPlan":{"Gold":"x"}})")
                                << QStringLiteral(
                                       "p.maxPerPlan.Gold: expected an integer, got \"x\"");
    QTest::newRow("retry")
        << QStringLiteral(R"({"retryAfter":"soon"})")
        << QStringLiteral("p.retryAfter: expected a duration such as 250ms, 5s, 2m or a number of "
                          "milliseconds, got \"soon\"");
}

void TestConnectionThrottlePolicy::parseErrors()
{
    QFETCH(QString, config);
    QFETCH(QString, error);
    PolicyConfig c(Json::parse(config.toStdString()), QStringLiteral("p"));
    ConnectionThrottlePolicy::parse(c, {{QStringLiteral("Gold"), {}, 0, Plan::Unit::Day, 0}});
    QCOMPARE(c.error(), error);
}

QTEST_GUILESS_MAIN(TestConnectionThrottlePolicy)
#include "tst_connectionthrottlepolicy.moc"
