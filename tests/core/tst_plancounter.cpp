// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/plancatalog.h"
#include "credentials/plancounter.h"
#include "credentials/plancounterpool.h"

#include <QDateTime>
#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace Gatehouse;
using namespace Gatehouse::Credentials;

namespace {

qint64 utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), Qt::UTC).toMSecsSinceEpoch();
}

Plan plan(quint64 events, Plan::Unit unit, int maxConnections = 0)
{
    Plan p;
    p.name = QStringLiteral("Test");
    p.events = events;
    p.unit = unit;
    p.maxConnections = maxConnections;
    return p;
}

} // namespace

class TestPlanCounter final : public QObject
{
    Q_OBJECT

private slots:
    void builtInPlans();
    void documentPlansBesideBuiltIns();
    void parseLimit_data();
    void parseLimit();
    void windowStart_data();
    void windowStart();
    void fillsAndResetsAtBoundary_data();
    void fillsAndResetsAtBoundary();
    void dayRollsOverAtUtcMidnight();
    void multiEventConsumeIsAllOrNothing();
    void clockGoingBackwardsDoesNotReset();
    void unlimitedNeverRefuses();
    void msUntilReset();
    void connectionCap();
    void concurrentConsumersNeverExceedLimit();
    void poolSharesAndReplacesCounters();
};

void TestPlanCounter::builtInPlans()
{
    const QList<Plan> &plans = PlanCatalog::builtIn();
    QCOMPARE(plans.size(), 4);
    const auto gold = PlanCatalog::find(QStringLiteral("AsyncGold"));
    QVERIFY(gold);
    QCOMPARE(gold->events, 50000u);
    QCOMPARE(gold->unit, Plan::Unit::Day);
    QCOMPARE(PlanCatalog::find(QStringLiteral("asyncsilver"))->events, 25000u);
    QCOMPARE(PlanCatalog::find(QStringLiteral("AsyncBronze"))->events, 5000u);
    QCOMPARE(PlanCatalog::find(QStringLiteral("AsyncUnlimited"))->events, 0u);
    QVERIFY(!PlanCatalog::find(QStringLiteral("Platinum")));
}

void TestPlanCounter::documentPlansBesideBuiltIns()
{
    Plan custom = plan(10, Plan::Unit::Minute);
    custom.name = QStringLiteral("Chatty");
    Plan gold = plan(7, Plan::Unit::Hour);
    gold.name = QStringLiteral("AsyncGold");
    const QList<Plan> merged = PlanCatalog::merged({custom, gold});
    QCOMPARE(merged.size(), 5);
    QCOMPARE(merged.at(1).name, QStringLiteral("AsyncGold"));
    QCOMPARE(merged.at(1).events, 7u); // the document's declaration wins, in place
    QCOMPARE(merged.last().name, QStringLiteral("Chatty"));
    QCOMPARE(PlanCatalog::find(QStringLiteral("chatty"), {custom})->events, 10u);
}

void TestPlanCounter::parseLimit_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<quint64>("events");
    QTest::addColumn<int>("unit");
    QTest::newRow("per second") << "5/second" << true << quint64(5) << int(Plan::Unit::Second);
    QTest::newRow("per minute") << "100/minute" << true << quint64(100) << int(Plan::Unit::Minute);
    QTest::newRow("per hour short") << "3600/h" << true << quint64(3600) << int(Plan::Unit::Hour);
    QTest::newRow("per day plural")
        << "5000 / days" << true << quint64(5000) << int(Plan::Unit::Day);
    QTest::newRow("unlimited") << "unlimited" << true << quint64(0) << int(Plan::Unit::Day);
    QTest::newRow("zero") << "0/minute" << false << quint64(0) << 0;
    QTest::newRow("negative") << "-5/minute" << false << quint64(0) << 0;
    QTest::newRow("no unit") << "100" << false << quint64(0) << 0;
    QTest::newRow("bad unit") << "100/fortnight" << false << quint64(0) << 0;
    QTest::newRow("empty") << "" << false << quint64(0) << 0;
}

void TestPlanCounter::parseLimit()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QString error;
    const auto p = PlanCatalog::parseLimit(QStringLiteral("Custom"), text, &error);
    QCOMPARE(p.has_value(), valid);
    if (!valid) {
        QVERIFY(error.contains(text.isEmpty() ? QStringLiteral("invalid limit") : text));
        return;
    }
    QFETCH(quint64, events);
    QFETCH(int, unit);
    QCOMPARE(p->events, events);
    QCOMPARE(int(p->unit), unit);
    QCOMPARE(p->name, QStringLiteral("Custom"));
}

void TestPlanCounter::windowStart_data()
{
    QTest::addColumn<int>("unit");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("start");
    const qint64 t = utc(2026, 3, 14, 15, 9, 26, 535);
    QTest::newRow("second") << int(Plan::Unit::Second) << t << utc(2026, 3, 14, 15, 9, 26);
    QTest::newRow("minute") << int(Plan::Unit::Minute) << t << utc(2026, 3, 14, 15, 9);
    QTest::newRow("hour") << int(Plan::Unit::Hour) << t << utc(2026, 3, 14, 15);
    QTest::newRow("day") << int(Plan::Unit::Day) << t << utc(2026, 3, 14);
    QTest::newRow("day, first ms") << int(Plan::Unit::Day) << utc(2026, 3, 14) << utc(2026, 3, 14);
    QTest::newRow("day, last ms") << int(Plan::Unit::Day) << utc(2026, 3, 14) - 1
                                  << utc(2026, 3, 13);
    QTest::newRow("before epoch") << int(Plan::Unit::Second) << qint64(-1) << qint64(-1000);
}

void TestPlanCounter::windowStart()
{
    QFETCH(int, unit);
    QFETCH(qint64, now);
    QFETCH(qint64, start);
    QCOMPARE(PlanCounter::windowStartFor(Plan::Unit(unit), now), start);
}

void TestPlanCounter::fillsAndResetsAtBoundary_data()
{
    QTest::addColumn<int>("unit");
    QTest::addColumn<qint64>("length");
    QTest::newRow("second") << int(Plan::Unit::Second) << qint64(1000);
    QTest::newRow("minute") << int(Plan::Unit::Minute) << qint64(60000);
    QTest::newRow("hour") << int(Plan::Unit::Hour) << qint64(3600000);
    QTest::newRow("day") << int(Plan::Unit::Day) << qint64(86400000);
}

void TestPlanCounter::fillsAndResetsAtBoundary()
{
    QFETCH(int, unit);
    QFETCH(qint64, length);
    PlanCounter counter(plan(3, Plan::Unit(unit)));
    const qint64 start = utc(2026, 6, 1); // a boundary of every unit
    // Three events fit, spread to the window's first and last ms.
    QVERIFY(counter.tryConsume(start));
    QVERIFY(counter.tryConsume(start + length / 2));
    QVERIFY(counter.tryConsume(start + length - 1));
    QVERIFY(!counter.tryConsume(start + length - 1));
    QCOMPARE(counter.used(start + length - 1), 3u);
    QCOMPARE(counter.remaining(start + length - 1), 0u);
    // The first ms of the next window counts afresh.
    QCOMPARE(counter.used(start + length), 0u);
    QVERIFY(counter.tryConsume(start + length));
    QCOMPARE(counter.used(start + length), 1u);
    QCOMPARE(counter.remaining(start + length), 2u);
    // Skipping several windows also starts afresh.
    QVERIFY(counter.tryConsume(start + 10 * length + 3));
    QCOMPARE(counter.used(start + 10 * length + 3), 1u);
}

void TestPlanCounter::dayRollsOverAtUtcMidnight()
{
    PlanCounter bronze(*PlanCatalog::find(QStringLiteral("AsyncBronze")));
    const qint64 lastMs = utc(2026, 12, 31, 23, 59, 59, 999);
    QCOMPARE(bronze.windowStart(lastMs), utc(2026, 12, 31));
    QVERIFY(bronze.tryConsume(utc(2026, 12, 31, 0, 0, 0), 4999));
    QVERIFY(bronze.tryConsume(lastMs));
    QVERIFY(!bronze.tryConsume(lastMs));
    QCOMPARE(bronze.msUntilReset(lastMs), qint64(1));
    // New year, new day.
    QVERIFY(bronze.tryConsume(utc(2027, 1, 1)));
    QCOMPARE(bronze.used(utc(2027, 1, 1, 12)), 1u);
    QCOMPARE(bronze.remaining(utc(2027, 1, 1, 12)), 4999u);
}

void TestPlanCounter::multiEventConsumeIsAllOrNothing()
{
    PlanCounter counter(plan(10, Plan::Unit::Minute));
    const qint64 t = utc(2026, 1, 1, 10);
    QVERIFY(counter.tryConsume(t, 7));
    QVERIFY(!counter.tryConsume(t, 4));
    QCOMPARE(counter.used(t), 7u);
    QVERIFY(counter.tryConsume(t, 3));
    QVERIFY(!counter.tryConsume(t, 1));
}

void TestPlanCounter::clockGoingBackwardsDoesNotReset()
{
    PlanCounter counter(plan(2, Plan::Unit::Second));
    const qint64 t = utc(2026, 1, 1, 10, 0, 5);
    QVERIFY(counter.tryConsume(t));
    QVERIFY(counter.tryConsume(t));
    QVERIFY(!counter.tryConsume(t - 3000)); // an earlier window: still the current count
    QVERIFY(counter.tryConsume(t + 1000));
}

void TestPlanCounter::unlimitedNeverRefuses()
{
    PlanCounter counter(*PlanCatalog::find(QStringLiteral("AsyncUnlimited")));
    for (int i = 0; i < 100000; ++i)
        QVERIFY(counter.tryConsume(i));
    QCOMPARE(counter.remaining(0), std::numeric_limits<quint64>::max());
}

void TestPlanCounter::msUntilReset()
{
    PlanCounter counter(plan(1, Plan::Unit::Minute));
    QCOMPARE(counter.msUntilReset(utc(2026, 1, 1, 10, 0, 0)), qint64(60000));
    QCOMPARE(counter.msUntilReset(utc(2026, 1, 1, 10, 0, 59, 500)), qint64(500));
}

void TestPlanCounter::connectionCap()
{
    PlanCounter counter(plan(0, Plan::Unit::Day, 2));
    QVERIFY(counter.tryOpenConnection());
    QVERIFY(counter.tryOpenConnection());
    QVERIFY(!counter.tryOpenConnection());
    QCOMPARE(counter.openConnections(), 2);
    counter.connectionClosed();
    QVERIFY(counter.tryOpenConnection());
    counter.connectionClosed();
    counter.connectionClosed();
    counter.connectionClosed(); // unbalanced: stays at zero
    QCOMPARE(counter.openConnections(), 0);

    PlanCounter uncapped(plan(0, Plan::Unit::Day, 0));
    for (int i = 0; i < 1000; ++i)
        QVERIFY(uncapped.tryOpenConnection());
    QCOMPARE(uncapped.openConnections(), 1000);
}

void TestPlanCounter::concurrentConsumersNeverExceedLimit()
{
    PlanCounter counter(plan(10000, Plan::Unit::Hour, 50));
    const qint64 t = utc(2026, 5, 5, 5);
    std::atomic<int> accepted {0};
    std::atomic<int> connections {0};
    std::vector<std::thread> threads;
    for (int n = 0; n < 8; ++n) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i)
                if (counter.tryConsume(t + i % 1000))
                    accepted.fetch_add(1);
            for (int i = 0; i < 20; ++i)
                if (counter.tryOpenConnection())
                    connections.fetch_add(1);
        });
    }
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(accepted.load(), 10000);
    QCOMPARE(counter.used(t), 10000u);
    QCOMPARE(connections.load(), 50);
    QCOMPARE(counter.openConnections(), 50);
}

void TestPlanCounter::poolSharesAndReplacesCounters()
{
    PlanCounterPool pool;
    const Plan p = plan(5, Plan::Unit::Minute);
    auto a = pool.counterFor(QStringLiteral("sub_1"), p);
    auto b = pool.counterFor(QStringLiteral("sub_1"), p);
    QCOMPARE(a.get(), b.get());
    QVERIFY(a->tryConsume(0, 5));
    QVERIFY(!b->tryConsume(0));
    auto other = pool.counterFor(QStringLiteral("sub_2"), p);
    QVERIFY(other.get() != a.get());
    QCOMPARE(pool.size(), 2);
    // Another plan for the same key: a fresh counter; the old one stays usable.
    auto upgraded = pool.counterFor(QStringLiteral("sub_1"), plan(50, Plan::Unit::Minute));
    QVERIFY(upgraded.get() != a.get());
    QVERIFY(upgraded->tryConsume(0, 50));
    QCOMPARE(a->used(0), 5u);
    pool.remove(QStringLiteral("sub_1"));
    QCOMPARE(pool.size(), 1);
    pool.clear();
    QCOMPARE(pool.size(), 0);
}

QTEST_GUILESS_MAIN(TestPlanCounter)
#include "tst_plancounter.moc"
