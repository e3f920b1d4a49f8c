// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/alertmonitor.h"
#include "analytics/dashboardview.h"
#include "analytics/gatewaymetrics.h"
#include "analytics/messagelogstore.h"
#include "analytics/metricshistory.h"
#include "readablecolour.h"

#include <QAbstractButton>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QValueAxis>

using namespace Gatehouse;
using Analytics::GatewayMetrics;
using Gateway::GatewayEvent;

namespace {

GatewayEvent make(GatewayEvent::Type type, quint64 id, qint64 timeMs)
{
    GatewayEvent e;
    e.type = type;
    e.connectionId = id;
    e.timeMs = timeMs;
    e.editDetails().api = QStringLiteral("/chats/1.0.0");
    e.editDetails().channel = QStringLiteral("/rooms/{roomID}");
    return e;
}

// A scripted minute: 3 connections open, one closes, one refused with 401, 20
// messages in and 10 out, 2 throttled; the last of it in the last complete second
// that a refresh at `nowMs` shows (2 s before).
std::shared_ptr<GatewayMetrics> scripted(qint64 nowMs)
{
    auto metrics = std::make_shared<GatewayMetrics>();
    QList<GatewayEvent> events;
    for (quint64 id = 1; id <= 3; ++id) {
        GatewayEvent opened = make(GatewayEvent::Type::ConnectionOpened, id, nowMs - 7000);
        opened.latencyUs = 2000;
        events.append(opened);
    }
    GatewayEvent refused = make(GatewayEvent::Type::ConnectionRejected, 4, nowMs - 6000);
    refused.status = 401;
    events.append(refused);
    for (int i = 0; i < 30; ++i) {
        GatewayEvent m = make(GatewayEvent::Type::MessageRelayed, 1, nowMs - 5000);
        m.direction
            = i < 20 ? Gateway::Direction::ClientToBackend : Gateway::Direction::BackendToClient;
        m.size = 10;
        events.append(m);
    }
    events.append(make(GatewayEvent::Type::Throttled, 2, nowMs - 4000));
    events.append(make(GatewayEvent::Type::Throttled, 2, nowMs - 4000));
    GatewayEvent closed = make(GatewayEvent::Type::ConnectionClosed, 3, nowMs - 3000);
    closed.closeCode = 1000;
    closed.closedBy = GatewayEvent::Party::Client;
    events.append(closed);
    metrics->add(events);
    return metrics;
}

double sumOf(const QList<QPointF> &points)
{
    double sum = 0;
    for (const QPointF &p : points)
        sum += p.y();
    return sum;
}

} // namespace

class TestDashboard final : public QObject
{
    Q_OBJECT
private slots:
    void figuresAndLines()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        DashboardView view;
        view.resize(1200, 800);
        view.setPaused(true); // drawn only when asked to
        view.setMetrics(scripted(now));
        view.setWindowSeconds(60);
        view.refresh(now);
        QCOMPARE(view.chartTitles().size(), 6);
        QCOMPARE(view.figure(QStringLiteral("open")), QStringLiteral("2"));
        QCOMPARE(view.figure(QStringLiteral("rejected")), QStringLiteral("1"));
        QCOMPARE(view.figure(QStringLiteral("throttled")), QStringLiteral("2"));
        QCOMPARE(view.figure(QStringLiteral("handshake")), QStringLiteral("2.50 ms"));
        const QList<QPointF> open = view.points(QStringLiteral("open"));
        QCOMPARE(open.size(), 60); // one point a second
        QCOMPARE(open.constLast().y(), 2.0);
        QCOMPARE(open.constFirst().y(), 0.0); // before the three opened
        QCOMPARE(sumOf(view.points(QStringLiteral("messages in"))), 20.0);
        QCOMPARE(sumOf(view.points(QStringLiteral("messages out"))), 10.0);
        QCOMPARE(sumOf(view.points(QStringLiteral("rejected 401"))), 1.0);
        QCOMPARE(sumOf(view.points(QStringLiteral("throttled"))), 2.0);
        // a status with rejections is drawn; the others stay out of the chart
        QChart *refusals = view.chartView(2)->chart();
        int shown = 0;
        for (QAbstractSeries *series : refusals->series())
            if (series->isVisible() && series->name().startsWith(u"rejected"))
                ++shown;
        QCOMPARE(shown, 1);
        // the last 15 minutes in 10 s steps: the same messages, as rates
        view.setWindowSeconds(900);
        view.refresh(now);
        QCOMPARE(view.points(QStringLiteral("open")).size(), 90);
        QCOMPARE(sumOf(view.points(QStringLiteral("messages in"))) * 10, 20.0);
    }

    // The value axis keeps its scale while the values fit it and fill more than a
    // third of it; it follows them up at once, and down when they shrink below that.
    void axisKeepsItsScale()
    {
        QVERIFY(DashboardView::keepsAxis(120, 100));
        QVERIFY(DashboardView::keepsAxis(120, 41));
        QVERIFY(!DashboardView::keepsAxis(120, 121)); // over it: up at once
        QVERIFY(!DashboardView::keepsAxis(120, 40)); // a third: down
        QVERIFY(!DashboardView::keepsAxis(120, 0));
        QVERIFY(!DashboardView::keepsAxis(0, 0)); // a new chart
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        DashboardView view;
        view.resize(1200, 800);
        view.setPaused(true);
        view.setMetrics(scripted(now));
        view.setWindowSeconds(60);
        view.refresh(now);
        const auto *axis
            = qobject_cast<QValueAxis *>(view.chartView(1)->chart()->axes(Qt::Vertical).value(0));
        QVERIFY(axis);
        const double max = axis->max();
        QVERIFY2(max >= 10 && max < 40, qPrintable(QString::number(max))); // 10 msg/s at most
        view.refresh(now + 100); // the same values: the same scale
        QCOMPARE(axis->max(), max);
    }

    // The time axis reads as a clock: the last minute with hours, minutes and
    // seconds (minutes:seconds alone read as a time of day), longer windows with
    // hours and minutes.
    void timeAxisReadsAsAClock()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        DashboardView view;
        view.resize(1200, 800);
        view.setPaused(true);
        view.setMetrics(scripted(now));
        const auto formatOf = [&view] {
            const auto *axis = qobject_cast<QDateTimeAxis *>(
                view.chartView(0)->chart()->axes(Qt::Horizontal).value(0));
            return axis ? axis->format() : QString();
        };
        view.setWindowSeconds(60);
        view.refresh(now);
        QCOMPARE(formatOf(), QStringLiteral("hh:mm:ss"));
        view.setWindowSeconds(900);
        view.refresh(now);
        QCOMPARE(formatOf(), QStringLiteral("hh:mm"));
    }

    // A steady 100 messages a second: the lines end on the last complete second, not
    // on the one still counting (which would show a drop at every refresh), while
    // the open connections are those open now.
    void lastSecondIsComplete()
    {
        const qint64 now = 1'700'000'000'300; // 300 ms into its second
        auto metrics = std::make_shared<GatewayMetrics>();
        QList<GatewayEvent> events;
        events.append(make(GatewayEvent::Type::ConnectionOpened, 1, now - 20000));
        for (qint64 second = now - now % 1000 - 10000; second <= now; second += 1000)
            for (int i = 0; i < (second > now - 1000 ? 30 : 100); ++i) {
                GatewayEvent m = make(GatewayEvent::Type::MessageRelayed, 1, second + i);
                m.direction = Gateway::Direction::ClientToBackend;
                events.append(m);
            }
        events.append(make(GatewayEvent::Type::ConnectionOpened, 2, now - 100));
        metrics->add(events);
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(metrics);
        view.setWindowSeconds(60);
        view.refresh(now);
        const QList<QPointF> in = view.points(QStringLiteral("messages in"));
        QCOMPARE(in.constLast().y(), 100.0);
        QCOMPARE(qint64(in.constLast().x()),
                 now - now % 1000 - 1000); // the end of the second before
        QCOMPARE(view.figure(QStringLiteral("in")), QStringLiteral("100"));
        QCOMPARE(view.figure(QStringLiteral("open")), QStringLiteral("2"));
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 1.0);
    }

    void exports()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        DashboardView view;
        view.resize(1200, 800);
        view.show();
        view.setPaused(true);
        view.setMetrics(scripted(now));
        view.refresh(now);
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("figures.csv"));
        QCOMPARE(view.exportCsv(csv), QString());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = file.readAll().split('\n');
        QVERIFY2(rows.constFirst().startsWith(
                     "time,open,messages_in,messages_out,throttled,rejected_401,rejected_403,"),
                 rows.constFirst().constData());
        QCOMPARE(rows.size(), 1 + 60 + 1); // header, rows, the end of the last line
        QVERIFY(rows.at(60).endsWith(",0") || rows.at(60).contains(",2,"));
        const QString png = dir.filePath(QStringLiteral("open.png"));
        QCOMPARE(view.exportPng(0, png), QString());
        QVERIFY(QImage(png).width() > 100);
        QVERIFY(!view.exportPng(0, QStringLiteral("/nonexistent/dir/x.png")).isEmpty());
    }

    // Paused, it holds still while the gateway goes on; resumed, it catches up.
    void pauseHoldsStill()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        std::shared_ptr<GatewayMetrics> metrics = scripted(now);
        DashboardView view;
        view.show();
        view.setMetrics(metrics);
        QTRY_COMPARE(view.figure(QStringLiteral("open")), QStringLiteral("2"));
        view.setPaused(true);
        QVERIFY(view.findChild<QLabel *>(QStringLiteral("dashboardState"))
                    ->text()
                    .startsWith(u"Paused at "));
        metrics->add(
            {make(GatewayEvent::Type::ConnectionOpened, 9, QDateTime::currentMSecsSinceEpoch())});
        QTest::qWait(1300);
        QCOMPARE(view.figure(QStringLiteral("open")), QStringLiteral("2"));
        view.setPaused(false);
        QTRY_COMPARE(view.figure(QStringLiteral("open")), QStringLiteral("3"));
    }

    // A point clicked asks for the log of its step; Show in Log for the whole window.
    void pointsOpenTheLog()
    {
        // (the last second shown is the one complete 500 ms before now)
        const qint64 now = 1'700'000'002'000;
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(scripted(now));
        view.setWindowSeconds(900); // 10 s steps
        view.refresh(now);
        QSignalSpy asked(&view, &DashboardView::logRequested);
        auto filter
            = [&](qsizetype i) { return qvariant_cast<Analytics::LogFilter>(asked.at(i).at(0)); };
        // the window's steps end a second after each tenth: a click near the last point
        view.clickPoint(QStringLiteral("rejected 401"), 1'700'000'001'000 - 10);
        QCOMPARE(asked.size(), 1);
        QCOMPARE(filter(0).fromMs, 1'699'999'991'000);
        QCOMPARE(filter(0).toMs, 1'700'000'001'000);
        // of the cause the line counts: 401 rejections
        QVERIFY(filter(0).kinds
                == QList<Analytics::LogRecord::Kind> {Analytics::LogRecord::Kind::Handshake});
        QVERIFY(filter(0).handshakes == Analytics::LogFilter::Handshakes::Rejected);
        QCOMPARE(filter(0).status, 401);
        QCOMPARE(filter(0).api, QString()); // every API shown
        view.clickPoint(QStringLiteral("rejected 401"), 1'699'999'990'500); // in the step before
        QCOMPARE(filter(1).toMs, 1'699'999'991'000);
        view.clickPoint(QStringLiteral("messages out"), 1'699'999'990'500);
        QCOMPARE(filter(2).direction, u"out"_qs);
        QCOMPARE(filter(2).actions, QStringList {u"relayed"_qs});
        view.clickPoint(QStringLiteral("throttled"), 1'699'999'990'500);
        QCOMPARE(filter(3).actions, QStringList {u"throttled"_qs});
        QVERIFY(filter(3).kinds
                == QList<Analytics::LogRecord::Kind> {Analytics::LogRecord::Kind::Message});
        view.clickPoint(QStringLiteral("open"), 1'699'999'990'500);
        QVERIFY(filter(4).kinds
                == (QList<Analytics::LogRecord::Kind> {Analytics::LogRecord::Kind::Handshake,
                                                       Analytics::LogRecord::Kind::Close}));
        QVERIFY(filter(4).handshakes == Analytics::LogFilter::Handshakes::Accepted);
        // one API shown: its rows only
        view.setApi(QStringLiteral("/chats/1.0.0"));
        view.clickPoint(QStringLiteral("rejected other"), 1'699'999'990'500);
        QCOMPARE(filter(5).api, u"/chats/1.0.0"_qs);
        QCOMPARE(filter(5).status, 0);
        view.findChild<QAbstractButton *>(QStringLiteral("dashboardShowInLog"))->click();
        QCOMPARE(asked.size(), 7);
        QCOMPARE(filter(6).toMs - filter(6).fromMs, 900'000);
        QVERIFY(filter(6).kinds.isEmpty());
        QCOMPARE(filter(6).api, u"/chats/1.0.0"_qs);
    }

    // The API box shows the APIs seen; one chosen narrows every chart to it.
    void oneApi()
    {
        const qint64 now = 1'700'000'000'500;
        const qint64 shownAt = now + 2000; // the seconds of the events complete
        std::shared_ptr<GatewayMetrics> metrics = scripted(now);
        GatewayEvent other = make(GatewayEvent::Type::ConnectionOpened, 9, now - 500);
        other.editDetails().api = QStringLiteral("/stocks/2.0.0");
        metrics->add({other});
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(metrics);
        view.setWindowSeconds(60);
        view.refresh(shownAt);
        QComboBox *apis = view.apiBox();
        QCOMPARE(apis->count(), 3);
        QCOMPARE(apis->itemText(0), u"All APIs"_qs);
        QCOMPARE(apis->itemText(2), u"/stocks/2.0.0"_qs);
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 3.0);
        apis->setCurrentIndex(2);
        view.refresh(shownAt);
        QCOMPARE(view.api(), std::optional<QString>(u"/stocks/2.0.0"_qs));
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 1.0);
        QCOMPARE(sumOf(view.points(QStringLiteral("messages in"))), 0.0);
        QCOMPARE(view.figure(QStringLiteral("rejected")), QStringLiteral("0"));
        view.setApi(std::nullopt);
        view.refresh(shownAt);
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 3.0);
    }

    // The channel and application boxes list what was seen (the channels of the API
    // chosen) and narrow the charts and the log asked for to it.
    void channelAndApplication()
    {
        const qint64 now = 1'700'000'000'500;
        const qint64 shownAt = now + 2000; // the seconds of the events complete
        std::shared_ptr<GatewayMetrics> metrics = scripted(now);
        GatewayEvent news = make(GatewayEvent::Type::ConnectionOpened, 9, now - 4500);
        news.editDetails().channel = QStringLiteral("/news");
        news.editDetails().application = QStringLiteral("app_x");
        QList<GatewayEvent> events {news};
        for (int i = 0; i < 5; ++i) {
            GatewayEvent m = news;
            m.type = GatewayEvent::Type::MessageRelayed;
            m.timeMs = now - 1500;
            events.append(m);
        }
        GatewayEvent stocks = make(GatewayEvent::Type::ConnectionOpened, 10, now - 500);
        stocks.editDetails().api = QStringLiteral("/stocks/2.0.0");
        stocks.editDetails().channel = QStringLiteral("/prices");
        events.append(stocks);
        metrics->add(events);
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(metrics);
        view.setWindowSeconds(60);
        view.refresh(shownAt);
        auto texts = [](const QComboBox *box) {
            QStringList out;
            for (int i = 0; i < box->count(); ++i)
                out.append(box->itemText(i));
            return out;
        };
        QCOMPARE(
            texts(view.channelBox()),
            (QStringList {u"All channels"_qs, u"/news"_qs, u"/prices"_qs, u"/rooms/{roomID}"_qs}));
        QCOMPARE(texts(view.applicationBox()),
                 (QStringList {u"All applications"_qs, u"(no application)"_qs, u"app_x"_qs}));
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 4.0);

        view.channelBox()->setCurrentIndex(1); // /news
        view.refresh(shownAt);
        QVERIFY(view.scope()
                == (Analytics::MetricsScope {std::nullopt, u"/news"_qs, std::nullopt}));
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 1.0);
        QCOMPARE(sumOf(view.points(QStringLiteral("messages in"))), 5.0);
        QCOMPARE(view.figure(QStringLiteral("rejected")), QStringLiteral("0"));

        // an API chosen: its channels only (and the one chosen stays)
        view.setApi(QStringLiteral("/stocks/2.0.0"));
        view.refresh(shownAt);
        QCOMPARE(texts(view.channelBox()),
                 (QStringList {u"All channels"_qs, u"/news"_qs, u"/prices"_qs}));
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 0.0);
        view.channelBox()->setCurrentIndex(0);
        view.refresh(shownAt);
        QCOMPARE(texts(view.channelBox()), (QStringList {u"All channels"_qs, u"/prices"_qs}));
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 1.0);

        // the connections without an application: the scripted ones and the stock one
        view.setScope({std::nullopt, std::nullopt, QString()});
        view.refresh(shownAt);
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 3.0);
        QCOMPARE(sumOf(view.points(QStringLiteral("messages in"))), 20.0);
        QCOMPARE(view.figure(QStringLiteral("rejected")), QStringLiteral("1"));

        // one application on one channel; the log asked for is theirs
        view.setScope({u"/chats/1.0.0"_qs, u"/news"_qs, u"app_x"_qs});
        view.refresh(shownAt);
        QCOMPARE(view.applicationBox()->currentText(), u"app_x"_qs);
        QCOMPARE(view.channelBox()->currentText(), u"/news"_qs);
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 1.0);
        const Analytics::LogFilter f
            = view.logFilterFor(QStringLiteral("messages in"), now - 60'000, now);
        QCOMPARE(f.api, u"/chats/1.0.0"_qs);
        QCOMPARE(f.channel, u"/news"_qs);
        QCOMPARE(f.application, u"app_x"_qs);
        // a scope not seen yet is offered as chosen
        view.setScope({std::nullopt, u"/later"_qs, u"app_later"_qs});
        QCOMPARE(view.channelBox()->currentText(), u"/later"_qs);
        QCOMPARE(view.applicationBox()->currentText(), u"app_later"_qs);
        view.refresh(shownAt);
        QCOMPARE(view.points(QStringLiteral("open")).constLast().y(), 0.0);
        // the history names no application unless the gateway keeps them: said so
        auto *state = view.findChild<QLabel *>(QStringLiteral("dashboardState"));
        view.setWindowSeconds(86400);
        view.refresh(shownAt);
        QVERIFY2(state->text().contains(u"no applications"), qPrintable(state->text()));
        view.setScope({});
        view.refresh(shownAt);
        QVERIFY(!state->text().contains(u"no applications"));
    }

    // The top talkers of the window come from the message log, by the kind chosen.
    void topTalkersFromTheLog()
    {
        QTemporaryDir dir;
        Analytics::MessageLogStore::Options o;
        o.path = dir.filePath(QStringLiteral("messages.db"));
        Analytics::MessageLogStore store(o);
        QVERIFY(store.open());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (quint64 id = 1; id <= 3; ++id) {
            GatewayEvent opened = make(GatewayEvent::Type::ConnectionOpened, id, now - 5000);
            opened.editDetails().application = QStringLiteral("app_%1").arg(id == 3 ? 2 : 1);
            GatewayEvent closed = opened;
            closed.type = GatewayEvent::Type::ConnectionClosed;
            closed.timeMs = now - 1000;
            closed.messagesIn = qint64(id) * 10;
            store.consume({opened, closed});
        }
        QVERIFY(store.flush());
        DashboardView view;
        view.setPaused(true);
        view.setDatabase(o.path);
        view.refreshTalkers(now);
        QTRY_COMPARE(view.talkersModel()->rowCount(), 2);
        // 30 messages each (10 + 20, and 30): more connection attempts first
        QCOMPARE(view.talkersModel()->item(0, 0)->text(), QStringLiteral("app_1"));
        QCOMPARE(view.talkersModel()->item(0, 1)->text(), QStringLiteral("30"));
        QCOMPARE(view.talkersModel()->item(0, 2)->text(), QStringLiteral("2"));
        QCOMPARE(view.talkersModel()->item(1, 0)->text(), QStringLiteral("app_2"));
        QCOMPARE(view.talkersModel()->item(1, 2)->text(), QStringLiteral("1"));
        view.talkerKindBox()->setCurrentIndex(1); // channels
        QTRY_COMPARE(view.talkersModel()->rowCount(), 1);
        QTRY_COMPARE(view.talkersModel()->item(0, 0)->text(), QStringLiteral("/rooms/{roomID}"));
        // a talker activated: its rows of the log
        QSignalSpy asked(&view, &DashboardView::logRequested);
        auto *list = view.findChild<QTreeView *>(QStringLiteral("dashboardTalkers"));
        QVERIFY(list);
        Q_EMIT list->activated(view.talkersModel()->index(0, 1));
        QCOMPARE(asked.size(), 1);
        const auto f = qvariant_cast<Analytics::LogFilter>(asked.at(0).at(0));
        QCOMPARE(f.channel, u"/rooms/{roomID}"_qs);
        QVERIFY(f.kinds.isEmpty());
        QCOMPARE(f.toMs - f.fromMs, qint64(view.windowSeconds()) * 1000);
        // narrowed to an application: its channels only
        view.setScope({std::nullopt, std::nullopt, u"app_2"_qs});
        QTRY_COMPARE(view.talkersModel()->rowCount(), 1);
        QTRY_COMPARE(view.talkersModel()->item(0, 1)->text(), QStringLiteral("30"));
        QTRY_COMPARE(view.talkersModel()->item(0, 2)->text(), QStringLiteral("1"));
        view.setScope({u"/elsewhere/1"_qs, std::nullopt, std::nullopt});
        QTRY_COMPARE(view.talkersModel()->rowCount(), 0);
        store.close();
    }

    // A restarted app opens on the history in the database: the long windows and the
    // part of a short one from before the metrics began are read from the rows the
    // last run rolled up, through a new store object over the same file.
    void historyAfterARestart()
    {
        QTemporaryDir dir;
        Analytics::MessageLogStore::Options o;
        o.path = dir.filePath(QStringLiteral("messages.db"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        {
            // the last run: 30 messages in, 40 minutes ago
            Analytics::MessageLogStore store(o);
            QVERIFY(store.open());
            GatewayMetrics::Options mo;
            mo.sinceMs = now - 2 * 3600 * 1000;
            GatewayMetrics metrics(mo);
            QList<GatewayEvent> events;
            for (int i = 0; i < 30; ++i) {
                GatewayEvent m = make(GatewayEvent::Type::MessageRelayed, 1, now - 40 * 60000);
                m.size = 10;
                events.append(m);
            }
            metrics.add(events);
            QString error;
            QVERIFY2(
                Analytics::MetricsHistory::write(o.path, metrics.takeMinutes(now, true), &error),
                qPrintable(error));
            store.close();
        }
        Analytics::MessageLogStore store(o); // the restarted app's
        QVERIFY(store.open());
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(std::make_shared<GatewayMetrics>()); // begins now: empty
        view.setDatabase(o.path);
        view.setWindowSeconds(86400);
        view.refresh(now);
        QTRY_VERIFY(view.historyAnswers() >= 1);
        QList<QPointF> in = view.points(QStringLiteral("messages in"));
        QCOMPARE(in.size(), 144); // 10-minute steps
        QCOMPARE(qRound(sumOf(in) * 600), 30); // rates over 600 s steps
        view.setWindowSeconds(3600);
        view.refresh(now);
        QTRY_VERIFY(view.historyAnswers() >= 2);
        in = view.points(QStringLiteral("messages in"));
        QCOMPARE(in.size(), 120); // 30-second steps
        // the minute's messages spread over its two 30-second steps
        QCOMPARE(qRound(sumOf(in) * 30), 30);
        view.setWindowSeconds(30 * 86400);
        view.refresh(now);
        QTRY_VERIFY(view.historyAnswers() >= 3);
        QCOMPARE(view.points(QStringLiteral("messages in")).size(), 180);
        store.close();
    }

    // The long windows end with the last complete second, at the rate seen so far:
    // the history (written a minute at a time) up to where the seconds in memory
    // begin, the memory after. A steady 10 messages a second, half of the last hour
    // in the history and half in memory, is 10 a second in every step of it, the
    // step where they meet and the one still going included.
    void longWindowsEndWithTheLiveSeconds()
    {
        QTemporaryDir dir;
        Analytics::MessageLogStore::Options o;
        o.path = dir.filePath(QStringLiteral("messages.db"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 since = now - now % 60000 - 25 * 60000; // this run began on a minute
        auto steady = [](GatewayMetrics *metrics, qint64 from, qint64 to) {
            QList<GatewayEvent> events;
            for (qint64 t = from - from % 1000; t < to; t += 1000)
                for (int i = 0; i < 10; ++i)
                    events.append(make(GatewayEvent::Type::MessageRelayed, 1, t));
            metrics->add(events);
        };
        {
            // the run before: the 25 minutes before this one began, in the history
            Analytics::MessageLogStore store(o);
            QVERIFY(store.open());
            GatewayMetrics::Options mo;
            mo.sinceMs = since - 25 * 60000;
            GatewayMetrics before(mo);
            steady(&before, since - 25 * 60000, since);
            QString error;
            QVERIFY2(
                Analytics::MetricsHistory::write(o.path, before.takeMinutes(since, true), &error),
                qPrintable(error));
            store.close();
        }
        Analytics::MessageLogStore store(o);
        QVERIFY(store.open());
        GatewayMetrics::Options mo;
        mo.sinceMs = since;
        auto metrics = std::make_shared<GatewayMetrics>(mo);
        steady(metrics.get(), since, now); // none of it in the history yet
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(metrics);
        view.setDatabase(o.path);
        for (const int window : {86400, 30 * 86400}) {
            view.setWindowSeconds(window);
            const int answers = view.historyAnswers();
            view.refresh(now);
            QTRY_VERIFY(view.historyAnswers() > answers);
            const QList<QPointF> in = view.points(QStringLiteral("messages in"));
            QVERIFY(!in.isEmpty());
            // the last point: the last complete second, at the step's rate so far (a
            // 4-hour step of the 30 days: 50 minutes of traffic in it)
            const qint64 settled = now - 1500;
            const qint64 end = settled - settled % 1000 + 1000;
            QCOMPARE(qint64(in.constLast().x()), end);
            const qint64 stepStart = qint64(in.at(in.size() - 2).x());
            const double soFar = 10.0 * double(end - std::max(stepStart, since - 25 * 60000))
                / double(end - stepStart);
            QVERIFY2(qAbs(in.constLast().y() - soFar) < 0.05,
                     qPrintable(QStringLiteral("%1, not %2").arg(in.constLast().y()).arg(soFar)));
            if (window == 86400) {
                // every 10-minute step within the 50 minutes: 10 a second
                for (const QPointF &p : in)
                    if (p.x() > double(since - 25 * 60000 + 600000))
                        QVERIFY2(qAbs(p.y() - 10.0) < 0.05,
                                 qPrintable(QStringLiteral("%1 at %2")
                                                .arg(p.y())
                                                .arg(QDateTime::fromMSecsSinceEpoch(qint64(p.x()))
                                                         .toString(Qt::ISODate))));
            }
        }
        store.close();
    }

    // An alert is marked on the chart of its measure, red where it was raised and
    // green where it cleared, while its moment is in the window and its API is shown.
    void alertMarkers()
    {
        using Measure = Analytics::AlertMonitor::Measure;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(scripted(now));
        view.setWindowSeconds(60);
        view.refresh(now);
        const QString chats = QStringLiteral("/chats/1.0.0");
        view.addAlertMarker(now - 5000, QStringLiteral("alert: /chats/1.0.0: 3 connections open"),
                            true, chats, int(Measure::OpenConnections));
        view.addAlertMarker(now - 4000, QStringLiteral("alert cleared: ..."), false, chats,
                            int(Measure::OpenConnections));
        view.addAlertMarker(now - 3000, QStringLiteral("alert: /other/1.0.0: throttling"), true,
                            QStringLiteral("/other/1.0.0"), int(Measure::Throttling));
        view.addAlertMarker(now - 2000, QStringLiteral("alert: relay"), true, chats,
                            int(Measure::RelayP99));
        view.addAlertMarker(now - 3600 * 1000, QStringLiteral("alert: long ago"), true, chats,
                            int(Measure::OpenConnections));
        view.refresh(now);
        QCOMPARE(view.alertMarkers(0), QList<qint64> {now - 5000});
        QCOMPARE(view.alertMarkers(0, false), QList<qint64> {now - 4000});
        QCOMPARE(view.alertMarkers(2), QList<qint64> {now - 3000});
        QCOMPARE(view.alertMarkers(5), QList<qint64> {now - 2000});
        QVERIFY(view.alertMarkers(1).isEmpty()); // messages: no alert of its own
        QCOMPARE(view.alertMarkers(), (QList<qint64> {now - 5000, now - 3000, now - 2000}));
        // another API shown: its markers only
        view.setScope({chats, std::nullopt, std::nullopt});
        view.refresh(now);
        QVERIFY(view.alertMarkers(2).isEmpty());
        QCOMPARE(view.alertMarkers(0), QList<qint64> {now - 5000});
        view.setScope({});
        view.refresh(now + 120000); // out of the minute shown
        QVERIFY(view.alertMarkers().isEmpty());
        QVERIFY(view.alertMarkers(-1, false).isEmpty());
    }

    // The alerts the gateway kept in the log's database mark the charts after a
    // restart too.
    void alertMarkersFromTheLog()
    {
        using Measure = Analytics::AlertMonitor::Measure;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString chats = QStringLiteral("/chats/1.0.0");
        QString error;
        QVERIFY2(Analytics::MetricsHistory::writeAlerts(
                     path,
                     {{now - 9000, chats, int(Measure::OpenConnections), true,
                       QStringLiteral("alert: /chats/1.0.0: 3 connections open")},
                      {now - 6000, chats, int(Measure::OpenConnections), false,
                       QStringLiteral("alert cleared: /chats/1.0.0: 1 connection open")}},
                     &error),
                 qPrintable(error));
        DashboardView view;
        view.setPaused(true);
        view.setMetrics(scripted(now));
        view.setWindowSeconds(60);
        view.setDatabase(path);
        view.refresh(now);
        QTRY_COMPARE(view.alertMarkers(0), QList<qint64> {now - 9000});
        QCOMPARE(view.alertMarkers(0, false), QList<qint64> {now - 6000});
        QVERIFY(view.alertMarkers(1).isEmpty());
    }

    // The charts follow the palette, light or dark: their background and text, and
    // lines that keep a contrast of 4.5:1 or more on that background.
    void followsThePalette()
    {
        DashboardView view;
        for (const bool dark : {true, false}) {
            QPalette p = view.palette();
            p.setColor(QPalette::Base, dark ? QColor(0x1e, 0x1e, 0x1e) : QColor(Qt::white));
            p.setColor(QPalette::Text, dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(Qt::black));
            p.setColor(QPalette::Window,
                       dark ? QColor(0x2b, 0x2b, 0x2b) : QColor(0xef, 0xef, 0xef));
            view.setPalette(p);
            for (int i = 0; i < view.chartTitles().size(); ++i) {
                QChart *chart = view.chartView(i)->chart();
                QCOMPARE(chart->backgroundBrush().color(), p.color(QPalette::Base));
                QCOMPARE(chart->titleBrush().color(), p.color(QPalette::Text));
                QCOMPARE(chart->axes().constFirst()->labelsColor(), p.color(QPalette::Text));
                for (QAbstractSeries *series : chart->series())
                    if (auto *line = qobject_cast<QLineSeries *>(series))
                        QVERIFY2(
                            ReadableColour::contrast(line->pen().color(), p.color(QPalette::Base))
                                >= 4.5,
                            qPrintable(line->name()));
            }
        }
    }

    void everyControlIsNamed()
    {
        DashboardView view;
        const QList<QWidget *> widgets = view.findChildren<QWidget *>();
        for (QWidget *w : widgets) {
            if (qobject_cast<QAbstractButton *>(w) || qobject_cast<QComboBox *>(w)
                || qobject_cast<QChartView *>(w))
                QVERIFY2(!w->accessibleName().isEmpty()
                             || !qobject_cast<QAbstractButton *>(w)->text().isEmpty(),
                         qPrintable(w->objectName()));
        }
        for (int i = 0; i < 6; ++i)
            QVERIFY(!view.chartView(i)->accessibleName().isEmpty());
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
