// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/gatewaymetrics.h"
#include "analytics/logretention.h"
#include "analytics/metricshistory.h"
#include "gateway/gatewayevent.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using namespace Qt::StringLiterals;
using Analytics::GatewayMetrics;
using Analytics::MetricsHistory;
using Gateway::GatewayEvent;

namespace {

constexpr qint64 T0 = 1'700'000'040'000; // a minute's start
constexpr qint64 Minute = 60000;

GatewayEvent make(GatewayEvent::Type type, quint64 id, qint64 timeMs,
                  const QString &api = QStringLiteral("/chats/1.0.0"),
                  const QString &channel = QStringLiteral("/rooms/{id}"))
{
    GatewayEvent e;
    e.type = type;
    e.connectionId = id;
    e.timeMs = timeMs;
    GatewayEvent::Details &d = e.editDetails();
    d.api = api;
    d.channel = channel;
    d.application = QStringLiteral("app_%1").arg(id % 2);
    return e;
}

GatewayEvent message(quint64 id, qint64 timeMs, bool out = false,
                     const QString &api = QStringLiteral("/chats/1.0.0"))
{
    GatewayEvent e = make(GatewayEvent::Type::MessageRelayed, id, timeMs, api);
    e.direction = out ? Gateway::Direction::BackendToClient : Gateway::Direction::ClientToBackend;
    e.size = 10;
    e.latencyUs = 20;
    return e;
}

GatewayEvent rejected(quint64 id, qint64 timeMs,
                      const QString &api = QStringLiteral("/chats/1.0.0"))
{
    GatewayEvent e = make(GatewayEvent::Type::ConnectionRejected, id, timeMs, api);
    e.status = 429;
    return e;
}

GatewayMetrics::Minute row(qint64 start, const QString &api, qint64 messagesIn, qint64 open = 0)
{
    GatewayMetrics::Minute m;
    m.startMs = start;
    m.api = api;
    m.channel = QStringLiteral("/rooms/{id}");
    m.messagesIn = messagesIn;
    m.open = m.openMax = open;
    return m;
}

} // namespace

class TestMetricsHistory final : public QObject
{
    Q_OBJECT
private slots:
    // Events are counted per minute and per API and channel; a minute is handed over
    // once it has ended (or at stop, with `all`), once.
    void minutesRollUp()
    {
        GatewayMetrics m;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, T0 + 1000),
               make(GatewayEvent::Type::ConnectionOpened, 2, T0 + 2000), message(1, T0 + 3000),
               message(1, T0 + 3001), message(2, T0 + 4000, true), rejected(3, T0 + 5000),
               rejected(4, T0 + 5000, QStringLiteral("/other/1")),
               make(GatewayEvent::Type::ConnectionOpened, 5, T0 + Minute + 10)});
        QVERIFY(m.takeMinutes(T0 + 59000).isEmpty()); // not ended yet
        const QList<GatewayMetrics::Minute> rows = m.takeMinutes(T0 + Minute + 500);
        QCOMPARE(rows.size(), 2); // the chats API and the other one
        const GatewayMetrics::Minute &chats
            = rows.at(0).api == u"/chats/1.0.0" ? rows.at(0) : rows.at(1);
        QCOMPARE(chats.startMs, T0);
        QCOMPARE(chats.attempts, 3);
        QCOMPARE(chats.opened, 2);
        QCOMPARE(chats.rejected, 1);
        QCOMPARE(chats.messagesIn, 2);
        QCOMPARE(chats.messagesOut, 1);
        QCOMPARE(chats.bytesIn, 20);
        QCOMPARE(chats.open, 2);
        QCOMPARE(chats.openMax, 2);
        QCOMPARE(chats.application, QString()); // no application label asked for
        QVERIFY(m.takeMinutes(T0 + Minute + 500).isEmpty()); // handed over once
        // the current minute, at stop
        const QList<GatewayMetrics::Minute> last = m.takeMinutes(T0 + Minute + 600, true);
        QCOMPARE(last.size(), 1);
        QCOMPARE(last.at(0).opened, 1);
        QCOMPARE(last.at(0).open, 3);
    }

    // A quiet minute with connections open still has a row: the open line has no gaps.
    void quietMinutesKeepTheOpenCount()
    {
        GatewayMetrics m;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, T0 + 1000)});
        QCOMPARE(m.takeMinutes(T0 + Minute).size(), 1);
        const QList<GatewayMetrics::Minute> quiet = m.takeMinutes(T0 + 2 * Minute + 1);
        QCOMPARE(quiet.size(), 1);
        QCOMPARE(quiet.at(0).startMs, T0 + Minute);
        QCOMPARE(quiet.at(0).open, 1);
        QCOMPARE(quiet.at(0).messagesIn, 0);
        GatewayEvent closed = make(GatewayEvent::Type::ConnectionClosed, 1, T0 + 2 * Minute + 5);
        m.add({closed});
        const QList<GatewayMetrics::Minute> end = m.takeMinutes(T0 + 3 * Minute);
        QCOMPARE(end.size(), 1);
        QCOMPARE(end.at(0).closed, 1);
        QCOMPARE(end.at(0).open, 0);
        QVERIFY(m.takeMinutes(T0 + 4 * Minute).isEmpty()); // nothing open: no rows
    }

    void applicationLabel()
    {
        GatewayMetrics::Options o;
        o.applicationLabel = true;
        GatewayMetrics m(o);
        m.add({message(1, T0), message(2, T0), message(2, T0 + 1)});
        const QList<GatewayMetrics::Minute> rows = m.takeMinutes(T0 + Minute);
        QCOMPARE(rows.size(), 2);
        QStringList apps {rows.at(0).application, rows.at(1).application};
        apps.sort();
        QCOMPARE(apps, (QStringList {QStringLiteral("app_0"), QStringLiteral("app_1")}));
    }

    // Rows written to a file are read back as chart points: per step, rates per
    // second, filtered by API, channel and application, and a new writer over the
    // same file (a restarted app) adds to what is there.
    void writeAndReadBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        QString error;
        const QString chats = QStringLiteral("/chats/1.0.0");
        const QString other = QStringLiteral("/other/1");
        GatewayMetrics::Minute first = row(T0, chats, 600, 3);
        first.application = QStringLiteral("app_1");
        first.rejected = 6;
        first.rejectedBy[GatewayMetrics::rejectionSlot(401)] = 4;
        first.rejectedBy[GatewayMetrics::rejectionSlot(503)] = 2;
        first.relay[3] = 10;
        QVERIFY2(MetricsHistory::write(
                     path, {first, row(T0, other, 60, 1), row(T0 + Minute, chats, 120, 2)}, &error),
                 qPrintable(error));
        // "restarted": another write of the same minute adds to it
        QVERIFY2(MetricsHistory::write(path, {row(T0 + Minute, chats, 60, 1)}, &error),
                 qPrintable(error));

        MetricsHistory::Query q;
        q.fromMs = T0;
        q.toMs = T0 + 3 * Minute;
        q.stepMs = Minute;
        QList<GatewayMetrics::Point> points = MetricsHistory::read(path, q, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(points.size(), 3);
        QCOMPARE(points.at(0).endMs, T0 + Minute);
        QCOMPARE(points.at(0).messagesInPerSecond, 11.0); // (600 + 60) / 60
        QCOMPARE(points.at(0).open, 4.0); // both APIs
        QCOMPARE(points.at(0).rejected, 6);
        QCOMPARE(points.at(0).rejectedByStatusPerSecond[GatewayMetrics::rejectionSlot(401)] * 60,
                 4.0);
        QCOMPARE(points.at(0).rejectedByStatusPerSecond[GatewayMetrics::rejectionSlot(503)] * 60,
                 2.0);
        QCOMPARE(points.at(0).rejectedByStatusPerSecond[7], 0.0);
        QCOMPARE(points.at(0).relayP99Us, 10.0); // bucket 3: up to 10 µs
        QCOMPARE(points.at(1).messagesInPerSecond, 3.0); // the two rows summed
        QCOMPARE(points.at(1).open, 2.0); // the most of one series, not a sum of rows
        QCOMPARE(points.at(2).messagesInPerSecond, 0.0);

        q.scope.api = other;
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.at(0).messagesInPerSecond, 1.0);
        QCOMPARE(points.at(1).messagesInPerSecond, 0.0);
        q.scope.api.reset();
        q.scope.application = QStringLiteral("app_1");
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.at(0).messagesInPerSecond, 10.0);
        q.scope.application.reset();
        q.scope.channel = QStringLiteral("/nowhere");
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.at(0).messagesInPerSecond, 0.0);
        // the requests that matched no API are asked for by the empty API, apart
        q.scope.channel.reset();
        GatewayMetrics::Minute unmatched = row(T0, QString(), 0, 0);
        unmatched.channel.clear();
        unmatched.rejected = 3;
        unmatched.rejectedBy[GatewayMetrics::rejectionSlot(404)] = 3;
        QVERIFY2(MetricsHistory::write(path, {unmatched}, &error), qPrintable(error));
        q.scope.api = QString();
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.at(0).rejected, 3);
        QCOMPARE(points.at(0).messagesInPerSecond, 0.0);
        QCOMPARE(points.at(1).messagesInPerSecond, 0.0);
        q.scope.api.reset();
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.at(0).rejected, 9);
        QCOMPARE(points.at(0).messagesInPerSecond, 11.0);

        // one step over both minutes, and steps shorter than a minute
        q.scope.channel.reset();
        q.stepMs = 2 * Minute;
        q.toMs = T0 + 2 * Minute;
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.size(), 1);
        QCOMPARE(points.at(0).messagesInPerSecond, 7.0); // (660 + 180) / 120
        q.stepMs = 30000;
        points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.size(), 4);
        QCOMPARE(points.at(0).messagesInPerSecond, 11.0);
        QCOMPARE(points.at(1).messagesInPerSecond, 11.0);
        QCOMPARE(points.at(3).messagesInPerSecond, 3.0);
    }

    // A history of an earlier build (no rejections by status) is read, and written to.
    void historyOfAnEarlierBuild()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("earlier"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral(
                "CREATE TABLE metrics_minutes (minute_ms INTEGER NOT NULL, api TEXT NOT NULL,"
                " channel TEXT NOT NULL, application TEXT NOT NULL, attempts INTEGER NOT NULL,"
                " opened INTEGER NOT NULL, rejected INTEGER NOT NULL, throttled INTEGER NOT NULL,"
                " closed INTEGER NOT NULL, messages_in INTEGER NOT NULL, messages_out INTEGER NOT"
                " NULL, bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, open_end INTEGER"
                " NOT NULL, open_max INTEGER NOT NULL, relay BLOB, handshake BLOB)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO metrics_minutes VALUES (%1, '/chats/1.0.0',"
                                          " '/rooms/{id}', '', 3, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0,"
                                          " NULL, NULL)")
                               .arg(T0)));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("earlier"));
        MetricsHistory::Query q;
        q.fromMs = T0;
        q.toMs = T0 + 2 * Minute;
        q.stepMs = Minute;
        QString error;
        QList<GatewayMetrics::Point> points = MetricsHistory::read(path, q, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(points.at(0).rejected, 3);
        QCOMPARE(points.at(0).rejectedByStatusPerSecond[7] * 60, 3.0); // by no known status
        GatewayMetrics::Minute next = row(T0 + Minute, QStringLiteral("/chats/1.0.0"), 0);
        next.rejected = 1;
        next.rejectedBy[GatewayMetrics::rejectionSlot(429)] = 1;
        QVERIFY2(MetricsHistory::write(path, {next}, &error), qPrintable(error));
        points = MetricsHistory::read(path, q, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(points.at(0).rejected, 3);
        QCOMPARE(points.at(1).rejectedByStatusPerSecond[GatewayMetrics::rejectionSlot(429)] * 60,
                 1.0);
    }

    void fileWithoutHistory()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        QString error;
        MetricsHistory::Query q;
        q.fromMs = T0;
        q.toMs = T0 + Minute;
        QVERIFY(MetricsHistory::read(path, q, &error).isEmpty());
        QVERIFY(error.contains(path));
        QVERIFY(MetricsHistory::write(path, {}, &error)); // just the table
        error.clear();
        const QList<GatewayMetrics::Point> points = MetricsHistory::read(path, q, &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(points.size(), 1);
        QCOMPARE(points.at(0).open, 0.0);
    }

    // The retention keeps the history for its own age limit.
    void retention()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        QString error;
        const QString chats = QStringLiteral("/chats/1.0.0");
        const qint64 day = 24 * 3600 * 1000LL;
        QVERIFY(MetricsHistory::write(
            path, {row(T0 - 40 * day, chats, 60), row(T0 - day, chats, 60)}, &error));
        Analytics::LogRetention::Options o;
        o.historyMaxAgeMs = 30 * day;
        Analytics::LogRetention::Result r;
        QVERIFY2(Analytics::LogRetention::enforce(path, o, T0, &r, &error), qPrintable(error));
        QCOMPARE(r.deletedRows, 1);
        MetricsHistory::Query q;
        q.fromMs = T0 - 41 * day;
        q.toMs = T0;
        q.stepMs = day;
        const QList<GatewayMetrics::Point> points = MetricsHistory::read(path, q, &error);
        QCOMPARE(points.size(), 41);
        QCOMPARE(points.at(1).messagesInPerSecond, 0.0); // 40 days old: gone
        QVERIFY(points.at(40).messagesInPerSecond > 0);
    }

    // Alerts are kept beside the history: read back by time, the newest when there
    // are too many, gone with the history's age limit; a file without any has none.
    void alertsKept()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        QString error;
        QVERIFY(MetricsHistory::readAlerts(path, 0, T0, &error).isEmpty());
        QVERIFY(error.contains(path)); // no file
        QVERIFY(MetricsHistory::write(path, {}, &error)); // a log without alerts
        error.clear();
        QVERIFY(MetricsHistory::readAlerts(path, 0, T0, &error).isEmpty());
        QVERIFY2(error.isEmpty(), qPrintable(error));

        const qint64 day = 24 * 3600 * 1000LL;
        const QString chats = QStringLiteral("/chats/1.0.0");
        QVERIFY(MetricsHistory::writeAlerts(
            path,
            {{T0 - 40 * day, chats, 0, true, QStringLiteral("alert: old")},
             {T0 - 2000, chats, 3, true, QStringLiteral("alert: /chats/1.0.0: 2 connections open")},
             {T0 - 1000, QStringLiteral("/stocks/2.0.0"), 1, true, QStringLiteral("alert: é")}},
            &error));
        QVERIFY(MetricsHistory::writeAlerts(
            path, {{T0, chats, 3, false, QStringLiteral("alert cleared: ...")}}, &error));
        const QList<MetricsHistory::AlertMark> recent
            = MetricsHistory::readAlerts(path, T0 - day, T0, &error);
        QCOMPARE(recent.size(), 3);
        QCOMPARE(recent.at(0).timeMs, T0 - 2000);
        QCOMPARE(recent.at(0).api, chats);
        QCOMPARE(recent.at(0).measure, 3);
        QVERIFY(recent.at(0).raised);
        QCOMPARE(recent.at(0).text, u"alert: /chats/1.0.0: 2 connections open"_qs);
        QCOMPARE(recent.at(1).text, u"alert: é"_qs);
        QVERIFY(!recent.at(2).raised);
        const QList<MetricsHistory::AlertMark> newest
            = MetricsHistory::readAlerts(path, 0, T0, &error, 2);
        QCOMPARE(newest.size(), 2);
        QCOMPARE(newest.at(0).timeMs, T0 - 1000);
        QCOMPARE(newest.at(1).timeMs, T0);

        Analytics::LogRetention::Options o;
        o.historyMaxAgeMs = 30 * day;
        Analytics::LogRetention::Result r;
        QVERIFY2(Analytics::LogRetention::enforce(path, o, T0, &r, &error), qPrintable(error));
        QCOMPARE(r.deletedRows, 1);
        QCOMPARE(MetricsHistory::readAlerts(path, 0, T0, &error).size(), 3);
        QVERIFY(!MetricsHistory::writeAlerts(dir.filePath(u"no/such/dir/log.db"_qs),
                                             {{T0, chats, 3, true, QStringLiteral("x")}}, &error));
        QVERIFY(error.contains(u"no/such/dir/log.db"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsHistory)
#include "tst_metricshistory.moc"
