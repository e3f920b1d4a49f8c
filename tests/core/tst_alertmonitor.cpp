// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/alertmonitor.h"
#include "analytics/gatewaymetrics.h"
#include "gateway/gatewayevent.h"

#include <QTest>

using namespace Gatehouse;
using Analytics::AlertMonitor;
using Analytics::AlertThresholds;
using Measure = AlertMonitor::Measure;

namespace {

const QString Chats = QStringLiteral("/chats/1.0.0");
const QString Other = QStringLiteral("/other/1");

AlertMonitor::Totals totals(qint64 rejected, qint64 open = 0, qint64 throttled = 0)
{
    AlertMonitor::Totals t;
    t.rejected = rejected;
    t.open = open;
    t.throttled = throttled;
    return t;
}

} // namespace

class TestAlertMonitor final : public QObject
{
    Q_OBJECT
private slots:
    // Over the threshold: raised once; still over: nothing more; under 90% of it:
    // cleared once. The rates are over the last minute of the fake clock.
    void crossingAndHysteresis()
    {
        AlertMonitor monitor;
        AlertThresholds t;
        t.rejectedPerSecond = 1;
        monitor.setThresholds({{Chats, t}});
        qint64 now = 1'000'000;
        qint64 rejected = 0;
        QVERIFY(monitor.evaluate({{Chats, totals(rejected)}}, now).isEmpty());
        // 0.5/s for 20 s: under
        for (int i = 0; i < 20; ++i) {
            now += 1000;
            rejected += i % 2;
            QVERIFY(monitor.evaluate({{Chats, totals(rejected)}}, now).isEmpty());
        }
        // 5 in one second: 15 in 21 s, over 0.7/s... then more
        now += 1000;
        rejected += 20;
        QList<AlertMonitor::Alert> alerts = monitor.evaluate({{Chats, totals(rejected)}}, now);
        QCOMPARE(alerts.size(), 1);
        QVERIFY(alerts.at(0).raised);
        QVERIFY(alerts.at(0).measure == Measure::Rejections);
        QCOMPARE(alerts.at(0).api, Chats);
        QCOMPARE(alerts.at(0).timeMs, now);
        QVERIFY(alerts.at(0).value > 1);
        QVERIFY2(alerts.at(0).text().startsWith(u"alert: /chats/1.0.0: "),
                 qPrintable(alerts.at(0).text()));
        QVERIFY(alerts.at(0).text().endsWith(u"(threshold 1)"));
        QVERIFY(monitor.isRaised(Chats, Measure::Rejections));
        // still over: no second alert
        now += 1000;
        rejected += 5;
        QVERIFY(monitor.evaluate({{Chats, totals(rejected)}}, now).isEmpty());
        // quiet: the minute's rate falls; between 90% and 100% it stays raised
        bool cleared = false;
        for (int i = 0; i < 70 && !cleared; ++i) {
            now += 1000;
            alerts = monitor.evaluate({{Chats, totals(rejected)}}, now);
            if (!alerts.isEmpty()) {
                QCOMPARE(alerts.size(), 1);
                QVERIFY(!alerts.at(0).raised);
                QVERIFY(alerts.at(0).value < 0.9);
                QVERIFY(alerts.at(0).text().startsWith(u"alert cleared: "));
                cleared = true;
            }
        }
        QVERIFY(cleared);
        QVERIFY(!monitor.isRaised(Chats, Measure::Rejections));
    }

    // Between 90% and 100% of the threshold nothing changes either way.
    void hysteresisBand()
    {
        AlertMonitor monitor;
        AlertThresholds t;
        t.openConnections = 10;
        monitor.setThresholds({{Chats, t}});
        QVERIFY(monitor.evaluate({{Chats, totals(0, 10)}}, 1000).isEmpty()); // at: not over
        QCOMPARE(monitor.evaluate({{Chats, totals(0, 11)}}, 2000).size(), 1);
        QVERIFY(monitor.evaluate({{Chats, totals(0, 9)}}, 3000).isEmpty()); // 90%: kept
        QVERIFY(monitor.evaluate({{Chats, totals(0, 12)}}, 4000).isEmpty()); // still raised
        const QList<AlertMonitor::Alert> cleared = monitor.evaluate({{Chats, totals(0, 8)}}, 5000);
        QCOMPARE(cleared.size(), 1);
        QVERIFY(!cleared.at(0).raised);
        QVERIFY(cleared.at(0).measure == Measure::OpenConnections);
        QCOMPARE(monitor.evaluate({{Chats, totals(0, 11)}}, 6000).size(), 1); // again
    }

    // Each API has its own thresholds and state; an API without any is not watched.
    void perApi()
    {
        AlertMonitor monitor;
        AlertThresholds chats;
        chats.openConnections = 5;
        AlertThresholds other;
        other.throttledPerSecond = 2;
        monitor.setThresholds({{Chats, chats}, {Other, other}});
        QList<AlertMonitor::Alert> alerts = monitor.evaluate(
            {{Chats, totals(0, 6)}, {Other, totals(0, 6)}, {QStringLiteral("/x/1"), totals(0, 99)}},
            1000);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.at(0).api, Chats);
        alerts = monitor.evaluate(
            {{Chats, totals(0, 6)}, {Other, totals(0, 6, 30)}, {QStringLiteral("/x/1"), {}}},
            11000);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.at(0).api, Other);
        QVERIFY(alerts.at(0).measure == Measure::Throttling);
        QCOMPARE(alerts.at(0).value, 3.0); // 30 in 10 s
        QVERIFY(monitor.isRaised(Chats, Measure::OpenConnections));
        QVERIFY(!monitor.isRaised(Chats, Measure::Throttling));
        // new thresholds for one API start it afresh; the other keeps its state
        chats.openConnections = 50;
        monitor.setThresholds({{Chats, chats}, {Other, other}});
        QVERIFY(!monitor.isRaised(Chats, Measure::OpenConnections));
        QVERIFY(monitor.isRaised(Other, Measure::Throttling));
    }

    // The relay p99 from the metrics' buckets of the window.
    void relayP99FromTheMetrics()
    {
        Analytics::GatewayMetrics metrics;
        AlertMonitor monitor;
        AlertThresholds t;
        t.relayP99Us = 100;
        monitor.setThresholds({{Chats, t}});
        auto relayed = [](qint64 latencyUs) {
            Gateway::GatewayEvent e;
            e.type = Gateway::GatewayEvent::Type::MessageRelayed;
            e.connectionId = 1;
            e.timeMs = 1000;
            e.editDetails().api = Chats;
            e.editDetails().channel = QStringLiteral("/rooms");
            e.latencyUs = latencyUs;
            return e;
        };
        metrics.add({relayed(5)});
        QVERIFY(monitor.evaluate(metrics.apiTotals(), 1000).isEmpty());
        QList<Gateway::GatewayEvent> slow;
        for (int i = 0; i < 10; ++i)
            slow.append(relayed(2000));
        metrics.add(slow);
        const QList<AlertMonitor::Alert> alerts = monitor.evaluate(metrics.apiTotals(), 2000);
        QCOMPARE(alerts.size(), 1);
        QVERIFY(alerts.at(0).measure == Measure::RelayP99);
        QCOMPARE(alerts.at(0).value, 2500.0); // the bucket up to 2.5 ms
    }

    void fromJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<double>("rejected");
        QTest::addColumn<qint64>("open");
        QTest::newRow("none") << QByteArray("null") << true << 0.0 << qint64(0);
        QTest::newRow("all") << QByteArray(R"({"rejectedPerSecond": 2.5, "throttledPerSecond": 1,
                                   "relayP99Us": 500, "openConnections": 100})")
                             << true << 2.5 << qint64(100);
        QTest::newRow("negative") << QByteArray(R"({"openConnections": -1})") << false << 0.0
                                  << qint64(0);
        QTest::newRow("text") << QByteArray(R"({"rejectedPerSecond": "5"})") << false << 0.0
                              << qint64(0);
        QTest::newRow("not an object") << QByteArray("[1]") << false << 0.0 << qint64(0);
    }
    void fromJson()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, ok);
        QFETCH(double, rejected);
        QFETCH(qint64, open);
        AlertThresholds t;
        QString error;
        QCOMPARE(AlertThresholds::fromJson(Json::parse(json.toStdString()), &t, &error), ok);
        QCOMPARE(error.isEmpty(), ok);
        if (!ok) {
            QVERIFY(error.contains(u"x-gatehouse.alerts"));
            return;
        }
        QCOMPARE(t.rejectedPerSecond, rejected);
        QCOMPARE(t.openConnections, open);
    }
};

QTEST_GUILESS_MAIN(TestAlertMonitor)
#include "tst_alertmonitor.moc"
