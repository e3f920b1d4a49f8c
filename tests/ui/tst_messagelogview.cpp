// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logquery.h"
#include "analytics/logrecordjson.h"
#include "analytics/messagelogmodel.h"
#include "analytics/messagelogstore.h"
#include "analytics/messagelogview.h"
#include "client/jsonhighlighter.h"
#include "readablecolour.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QToolButton>

#include <cmath>
#include <semaphore>

using namespace Gatehouse;
using Gateway::GatewayEvent;

namespace {

// `connections` connections of `messages` messages each, one millisecond apart, the
// last ending a little before now.
QList<GatewayEvent> traffic(quint64 firstId, int connections, int messages, qint64 endMs)
{
    QList<GatewayEvent> out;
    qint64 t = endMs - qint64(connections) * (messages + 2);
    for (quint64 id = firstId; id < firstId + quint64(connections); ++id) {
        GatewayEvent opened;
        opened.type = GatewayEvent::Type::ConnectionOpened;
        opened.connectionId = id;
        opened.timeMs = t++;
        opened.status = 101;
        GatewayEvent::Details &d = opened.editDetails();
        d.api = QStringLiteral("/chats/1.0.0");
        d.channel = QStringLiteral("/rooms/{roomID}");
        d.application = QStringLiteral("app_%1").arg(id % 3);
        out.append(opened);
        for (int m = 0; m < messages; ++m) {
            GatewayEvent e = opened;
            e.type = GatewayEvent::Type::MessageRelayed;
            e.timeMs = t++;
            e.direction
                = m % 2 ? Gateway::Direction::BackendToClient : Gateway::Direction::ClientToBackend;
            e.payload = QStringLiteral("{\"n\": %1, \"conn\": %2}").arg(m).arg(id).toUtf8();
            e.size = e.payload.size();
            out.append(e);
        }
        GatewayEvent closed = opened;
        closed.type = GatewayEvent::Type::ConnectionClosed;
        closed.timeMs = t++;
        closed.closeCode = 1000;
        out.append(closed);
    }
    return out;
}

} // namespace

class TestMessageLogView final : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(QStringLiteral("messages.db"));
        Analytics::MessageLogStore::Options o;
        o.path = m_path;
        m_store = std::make_unique<Analytics::MessageLogStore>(o);
        QVERIFY(m_store->open());
    }
    void cleanup()
    {
        m_store.reset();
        m_dir.reset();
    }

    // 100,000 rows: counted, read page by page as the view scrolls, never all at once.
    void manyRowsPageByPage()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_store->consume(traffic(1, 1000, 98, now - 1000)); // 100,000 rows
        QVERIFY(m_store->flush());
        MessageLogView view;
        view.resize(1200, 700);
        QAbstractItemModelTester tester(view.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setFollowing(false);
        view.setDatabase(m_path);
        view.show();
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 100'000, 10000);
        QTRY_VERIFY(view.model()->record(0) != nullptr);
        QCOMPARE(int(view.model()->record(0)->kind), int(Analytics::LogRecord::Kind::Handshake));
        // the end, then back to the middle: each page read when shown, the window free
        QElapsedTimer clock;
        clock.start();
        view.list()->scrollToBottom();
        QTRY_VERIFY(view.model()->record(99'999) != nullptr);
        QCOMPARE(int(view.model()->record(99'999)->kind), int(Analytics::LogRecord::Kind::Close));
        view.list()->scrollTo(view.model()->index(50'000, 0));
        QTRY_VERIFY(view.model()->record(50'000) != nullptr);
        QVERIFY(clock.elapsed() < 10000);
        // the selected message reads below, its payload as indented JSON
        view.list()->setCurrentIndex(view.model()->index(50'001, 0));
        QTRY_VERIFY(view.detailView()->toPlainText().contains(u"\"conn\": "));
    }

    // The payload pane's JSON colours follow the palette, light or dark: each keeps a
    // contrast of 4.5:1 or more with the pane's background.
    void payloadColoursFollowThePalette()
    {
        MessageLogView view;
        auto *highlighter = view.findChild<JsonHighlighter *>();
        QVERIFY(highlighter);
        using Role = JsonHighlighter::Role;
        for (const bool dark : {true, false}) {
            QPalette p = view.palette();
            p.setColor(QPalette::Base, dark ? QColor(0x1e, 0x1e, 0x1e) : QColor(Qt::white));
            p.setColor(QPalette::Text, dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(Qt::black));
            view.setPalette(p);
            const QColor base = view.detailView()->palette().color(QPalette::Base);
            QCOMPARE(base, p.color(QPalette::Base));
            for (const Role role : {Role::Name, Role::String, Role::Number, Role::Literal})
                QVERIFY2(
                    ReadableColour::contrast(highlighter->format(role).foreground().color(), base)
                        >= 4.5,
                    qPrintable(QString::number(int(role))));
        }
    }

    // More rows than the table shows at a time: the newest window first, the older and
    // newer ones a button away, a live tail sliding the window at the end (a table view
    // keeps an entry per row: 10,000,000 of them stalled the window).
    void showsAWindowOfManyRows()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 start = now - 1200; // 200 rows, one a millisecond from here
        m_store->consume(traffic(1, 20, 8, now - 1000));
        QVERIFY(m_store->flush());
        MessageLogView view;
        view.setTimeRange(0);
        MessageLogModel *model = view.model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model->setWindowRows(50);
        view.setDatabase(m_path);
        view.show();
        QTRY_COMPARE(model->totalRows(), 200);
        QCOMPARE(model->rowCount(), 50);
        QCOMPARE(model->windowStart(), 150); // the newest
        // a row's time tells which of all the rows it is
        const auto timeOf = [model](int row) -> qint64 {
            QElapsedTimer wait;
            wait.start();
            while (wait.elapsed() < 10000) {
                if (const Analytics::LogRecord *r = model->record(row))
                    return r->timeMs;
                QTest::qWait(5);
            }
            return -1;
        };
        QCOMPARE(timeOf(0), start + 150);
        QCOMPARE(timeOf(49), start + 199);
        auto *bar = view.findChild<QWidget *>(QStringLiteral("logWindow"));
        auto *rows = view.findChild<QLabel *>(QStringLiteral("logWindowRows"));
        auto *older = view.findChild<QPushButton *>(QStringLiteral("logOlder"));
        auto *newer = view.findChild<QPushButton *>(QStringLiteral("logNewer"));
        auto *newest = view.findChild<QPushButton *>(QStringLiteral("logNewest"));
        QVERIFY(bar && rows && older && newer && newest);
        QVERIFY(bar->isVisible());
        QVERIFY2(rows->text().startsWith(u"Rows 151 to 200 of 200"), qPrintable(rows->text()));
        QVERIFY(!rows->accessibleName().isEmpty());
        for (QPushButton *b : {older, newer, newest}) // (named by their text)
            QVERIFY(!b->text().isEmpty() && !b->toolTip().isEmpty());
        QVERIFY(older->isEnabled());
        QVERIFY(!newer->isEnabled());

        // half a window back, then to the first rows
        older->click();
        QCOMPARE(model->windowStart(), 125);
        QCOMPARE(timeOf(0), start + 125);
        QVERIFY(newer->isEnabled());
        for (int i = 0; i < 6; ++i)
            if (older->isEnabled())
                older->click();
        QCOMPARE(model->windowStart(), 0);
        QCOMPARE(timeOf(0), start);
        QVERIFY(!older->isEnabled());

        // new rows while older ones are shown: counted, the window stays
        m_store->consume(traffic(21, 5, 8, now)); // 50 rows, later
        QVERIFY(m_store->flush());
        model->refresh();
        QTRY_COMPARE(model->totalRows(), 250);
        QCOMPARE(model->windowStart(), 0);
        QCOMPARE(model->rowCount(), 50);
        QVERIFY2(rows->text().startsWith(u"Rows 1 to 50 of 250"), qPrintable(rows->text()));

        // the newest again; new rows then slide the window along
        newest->click();
        QCOMPARE(model->windowStart(), 200);
        QVERIFY(model->windowAtEnd());
        m_store->consume(traffic(26, 2, 8, now + 100)); // 20 rows, later still
        QVERIFY(m_store->flush());
        model->refresh();
        QTRY_COMPARE(model->totalRows(), 270);
        QCOMPARE(model->windowStart(), 220);
        QCOMPARE(model->rowCount(), 50);
        QCOMPARE(timeOf(49), now + 100 - 1);

        // a filter shows the newest of what it selects
        view.setKinds({u"opened"_qs, u"closed"_qs});
        QTRY_COMPARE(model->totalRows(), 54);
        QCOMPARE(model->windowStart(), 4);
        // a window for all of them: no bar
        model->setWindowRows(1000);
        QCOMPARE(model->windowStart(), 0);
        QTRY_VERIFY(!bar->isVisible());
    }

    // Jumping through the log: the place shown last is read first, and the places
    // passed on the way are dropped unread (LogQuery serves the newest fetches).
    void jumpsReadTheNewestPlaceFirst()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_store->consume(traffic(1, 1000, 98, now - 1000)); // 100,000 rows
        QVERIFY(m_store->flush());
        MessageLogView view;
        view.setFollowing(false);
        view.setDatabase(m_path);
        MessageLogModel *model = view.model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 100'000, 10000);
        // The places are asked for while the query's thread is held, as when a reader
        // is busy with a page: otherwise a thread that wakes between two of them (a
        // busy machine) serves whichever was newest then, and the test would depend
        // on that timing.
        auto *query = model->findChild<Analytics::LogQuery *>();
        QVERIFY(query);
        QThread *thread = query->findChild<QThread *>(QStringLiteral("gatehouse-log-query"));
        QVERIFY(thread);
        std::binary_semaphore held {0};
        std::binary_semaphore release {0};
        auto *holder = new QObject;
        holder->moveToThread(thread);
        QMetaObject::invokeMethod(holder, [&held, &release, holder] {
            held.release();
            release.acquire();
            holder->deleteLater();
        });
        held.acquire();
        auto unhold = qScopeGuard([&release] { release.release(); });
        for (int row = 5'000; row < 100'000; row += 10'000)
            QVERIFY(model->record(row) == nullptr); // asks for its page
        unhold.dismiss();
        release.release();
        QTRY_VERIFY_WITH_TIMEOUT(model->isRead(95'000), 10000);
        QTest::qWait(300); // what was still waiting has been served by now
        for (const int passed : {25'000, 35'000, 45'000})
            QVERIFY2(!model->isRead(passed), qPrintable(QString::number(passed)));
        // asked for again, a dropped page is read
        QVERIFY(model->record(35'000) == nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(model->record(35'000) != nullptr, 10000);
    }

    void filtersAndTimeline()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_store->consume(traffic(1, 20, 8, now - 1000)); // 200 rows
        QVERIFY(m_store->flush());
        MessageLogView view;
        view.setFollowing(false);
        view.setDatabase(m_path);
        view.show();
        QTRY_COMPARE(view.model()->rowCount(), 200);
        view.setKinds({u"opened"_qs, u"closed"_qs});
        QTRY_COMPARE(view.model()->rowCount(), 40);
        QCOMPARE(view.findChild<QToolButton *>(QStringLiteral("logKinds"))->text(),
                 u"Opened, Closed"_qs);
        view.setKinds({u"rejected"_qs, u"dropped"_qs, u"throttled"_qs});
        QTRY_COMPARE(view.model()->rowCount(), 0); // nothing was refused
        view.setKinds({u"message"_qs});
        QTRY_COMPARE(view.model()->rowCount(), 160);
        QVERIFY(view.model()->filter().actions == QStringList {u"relayed"_qs});
        view.setKinds({});
        QCOMPARE(view.kinds().size(), 6);
        QTRY_COMPARE(view.model()->rowCount(), 200);
        // a filter from elsewhere (the dashboard) sets every control
        Analytics::LogFilter asked;
        QVERIFY(Analytics::selectKinds(&asked, {u"rejected"_qs, u"throttled"_qs}));
        asked.api = QStringLiteral("chats");
        asked.direction = QStringLiteral("in");
        asked.fromMs = now - 60'000;
        asked.toMs = now + 60'000;
        view.searchEdit()->setText(QStringLiteral("left over"));
        view.showFilter(asked);
        QCOMPARE(view.kinds(), (QStringList {u"rejected"_qs, u"throttled"_qs}));
        QCOMPARE(view.searchEdit()->text(), QString());
        QCOMPARE(view.findChild<QLineEdit *>(QStringLiteral("logApi"))->text(), u"chats"_qs);
        QCOMPARE(view.findChild<QComboBox *>(QStringLiteral("logDirection"))->currentData(),
                 QVariant(u"in"_qs));
        const Analytics::LogFilter &shown = view.model()->filter();
        QCOMPARE(shown.fromMs, asked.fromMs);
        QCOMPARE(shown.toMs, asked.toMs);
        QVERIFY(shown.kinds == asked.kinds && shown.actions == asked.actions
                && shown.handshakes == asked.handshakes);
        QCOMPARE(shown.api, asked.api);
        QTRY_COMPARE(view.model()->rowCount(), 0);
        view.showFilter({});
        QCOMPARE(view.kinds().size(), 6);
        QTRY_COMPARE(view.model()->rowCount(), 200);
        view.searchEdit()->setText(QStringLiteral("\"conn\": 7}"));
        QTRY_COMPARE(view.model()->rowCount(), 8); // that connection's messages
        view.searchEdit()->clear();
        QTRY_COMPARE(view.model()->rowCount(), 200);
        // one connection's timeline, from the selected row
        auto *exportHar = view.findChild<QPushButton *>(QStringLiteral("logExportHar"));
        QVERIFY(exportHar && !exportHar->isEnabled()); // no row selected yet
        view.list()->setCurrentIndex(view.model()->index(15, 0));
        QTRY_VERIFY(view.model()->record(15));
        QTRY_VERIFY(exportHar->isEnabled());
        const quint64 id = view.model()->record(15)->connectionId;
        view.showConnection(id);
        QTRY_COMPARE(view.model()->rowCount(), 10);
        QTRY_VERIFY(view.model()->record(9));
        QCOMPARE(int(view.model()->record(9)->kind), int(Analytics::LogRecord::Kind::Close));
        // copy rows as JSON Lines
        view.list()->selectAll();
        QTRY_VERIFY(view.model()->record(0) && view.model()->record(9));
        view.copySelected();
        QCOMPARE(QApplication::clipboard()->text().count(u'\n'), 10);
        // export what the filter selects
        const QString out = m_dir->filePath(QStringLiteral("export.jsonl"));
        QSignalSpy exported(&view, &MessageLogView::exported);
        view.exportJsonLines(out);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(0).at(0).toLongLong(), 10);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), 10);
        // as CSV: a header and the same rows
        const QString csv = m_dir->filePath(QStringLiteral("export.csv"));
        view.exportCsv(csv);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(1).at(0).toLongLong(), 10);
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QByteArray csvText = csvFile.readAll();
        QCOMPARE(csvText.count("\r\n"), 11);
        QVERIFY(csvText.startsWith("time,kind,connection,"));
        // the selected row's connection as HAR
        const QString har = m_dir->filePath(QStringLiteral("connection.har"));
        view.exportHar(id, har);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(2).at(0).toLongLong(), 8);
        QVERIFY(view.findChild<QLabel *>(QStringLiteral("logStatus"))
                    ->text()
                    .startsWith(u"Exported 8 message(s) to "));
        QFile harFile(har);
        QVERIFY(harFile.open(QIODevice::ReadOnly));
        const QJsonObject entry = QJsonDocument::fromJson(harFile.readAll())
                                      .object()[u"log"_qs][u"entries"_qs][0]
                                      .toObject();
        QCOMPARE(entry[u"response"_qs][u"status"_qs].toInt(), 101);
        const QJsonArray messages = entry[u"_webSocketMessages"_qs].toArray();
        QCOMPARE(messages.size(), 8);
        QCOMPARE(messages[0][u"type"_qs].toString(), u"send"_qs);
        QCOMPARE(messages[1][u"type"_qs].toString(), u"receive"_qs);
        QCOMPARE(messages[0][u"opcode"_qs].toInt(), 1);
        QCOMPARE(messages[0][u"data"_qs].toString(),
                 QStringLiteral("{\"n\": 0, \"conn\": %1}").arg(id));
    }

    // API, channel, application, direction, status and close code, typed or chosen.
    void labelFilters()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QList<GatewayEvent> events = traffic(1, 6, 4, now - 5000); // 36 rows, app_0..app_2
        GatewayEvent refused;
        refused.type = GatewayEvent::Type::ConnectionRejected;
        refused.connectionId = 50;
        refused.timeMs = now - 500;
        refused.status = 401;
        GatewayEvent::Details &d = refused.editDetails();
        d.api = QStringLiteral("/stocks/2.0.0");
        d.channel = QStringLiteral("/quotes");
        d.application = QStringLiteral("app_9");
        GatewayEvent closed = refused;
        closed.type = GatewayEvent::Type::ConnectionClosed;
        closed.connectionId = 51;
        closed.timeMs = now - 400;
        closed.status = 0;
        closed.closeCode = 1008;
        events << refused << closed;
        m_store->consume(events);
        QVERIFY(m_store->flush());
        MessageLogView view;
        view.setFollowing(false);
        view.setDatabase(m_path);
        view.show();
        QTRY_COMPARE(view.model()->rowCount(), 38);
        auto edit = [&view](const char *name) {
            auto *e = view.findChild<QLineEdit *>(QLatin1String(name));
            return e;
        };
        for (const char *name :
             {"logApi", "logChannel", "logApplication", "logStatusCode", "logCloseCode"})
            QVERIFY2(edit(name), name);
        auto *direction = view.findChild<QComboBox *>(QStringLiteral("logDirection"));
        QVERIFY(direction);

        QTest::keyClicks(edit("logApi"), QStringLiteral("stocks"));
        QTRY_COMPARE(view.model()->rowCount(), 2);
        edit("logApi")->clear();
        edit("logChannel")->setText(QStringLiteral("QUOTES")); // any case
        QTRY_COMPARE(view.model()->rowCount(), 2);
        edit("logChannel")->setText(QStringLiteral("rooms"));
        QTRY_COMPARE(view.model()->rowCount(), 36);
        edit("logChannel")->clear();
        edit("logApplication")->setText(QStringLiteral("app_1")); // connections 1 and 4
        QTRY_COMPARE(view.model()->rowCount(), 12);
        direction->setCurrentIndex(direction->findData(QStringLiteral("out")));
        QTRY_COMPARE(view.model()->rowCount(), 4);
        QTRY_VERIFY(view.model()->record(3));
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(view.model()->record(row)->direction, QStringLiteral("out"));
            QCOMPARE(view.model()->record(row)->application, QStringLiteral("app_1"));
        }
        edit("logApplication")->clear();
        QTRY_COMPARE(view.model()->rowCount(), 12);
        direction->setCurrentIndex(0);
        QTRY_COMPARE(view.model()->rowCount(), 38);
        edit("logStatusCode")->setText(QStringLiteral("401"));
        QTRY_COMPARE(view.model()->rowCount(), 1);
        edit("logStatusCode")->setText(QStringLiteral("101"));
        QTRY_COMPARE(view.model()->rowCount(), 6);
        edit("logStatusCode")->clear();
        edit("logCloseCode")->setText(QStringLiteral("1008"));
        QTRY_COMPARE(view.model()->rowCount(), 1);
        QTRY_VERIFY(view.model()->record(0));
        QCOMPARE(view.model()->record(0)->connectionId, quint64(51));
    }

    // Every filter has a name for screen readers and is reached with Tab, in order.
    void filtersByKeyboard()
    {
        MessageLogView view;
        view.setFollowing(false);
        view.setDatabase(m_path);
        view.show();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        const QStringList names {u"logRange"_qs,      u"logSearch"_qs,      u"logApi"_qs,
                                 u"logChannel"_qs,    u"logApplication"_qs, u"logDirection"_qs,
                                 u"logStatusCode"_qs, u"logCloseCode"_qs,   u"logKinds"_qs};
        view.findChild<QWidget *>(names.first())->setFocus();
        QStringList reached;
        for (int i = 0; i < 40 && reached.size() < names.size(); ++i) {
            QWidget *focus = QApplication::focusWidget();
            QVERIFY(focus);
            if (names.contains(focus->objectName()) && !reached.contains(focus->objectName())) {
                QVERIFY2(!focus->accessibleName().isEmpty(), qPrintable(focus->objectName()));
                reached.append(focus->objectName());
            }
            QTest::keyClick(focus, Qt::Key_Tab);
        }
        QCOMPARE(reached, names);
    }

    // Following: rows written while the view is shown appear at the end, in view.
    void followsTheTail()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_store->consume(traffic(1, 50, 8, now - 5000)); // 500 rows
        QVERIFY(m_store->flush());
        MessageLogView view;
        view.resize(1000, 500);
        view.setDatabase(m_path);
        view.show();
        view.setFollowing(true);
        QTRY_COMPARE(view.model()->rowCount(), 500);
        m_store->consume(traffic(100, 5, 8, QDateTime::currentMSecsSinceEpoch()));
        QVERIFY(m_store->flush());
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 550, 5000);
        QScrollBar *bar = view.list()->verticalScrollBar();
        QTRY_COMPARE(bar->value(), bar->maximum());
    }

    // A JSON Lines log of serve --log-file, read offline: its rows, its broken lines
    // with their numbers, the filters; then back to the live log.
    void opensJsonLinesFile()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_store->consume(traffic(1, 3, 8, now - 1000)); // 30 live rows
        QVERIFY(m_store->flush());
        const QString file = m_dir->filePath(QStringLiteral("messages.jsonl"));
        // two days old: shown whatever the time range was
        QVERIFY(Test::writeJsonLinesLog(file, traffic(10, 4, 6, now - 2 * 86'400'000))); // 32
        QFile f(file);
        QVERIFY(f.open(QIODevice::Append));
        f.write("{\"event\": \"message\", \"timeMs\": 12,\n\"kind\":\n");
        f.close();

        MessageLogView view;
        view.setFollowing(false);
        view.setDatabase(m_path);
        view.show();
        QTRY_COMPARE(view.model()->rowCount(), 30);
        auto *live = view.findChild<QPushButton *>(QStringLiteral("logLive"));
        QVERIFY(live && live->isHidden());
        QVERIFY(view.findChild<QPushButton *>(QStringLiteral("logOpenFile")));
        QSignalSpy opened(&view, &MessageLogView::logFileOpened);
        view.openLogFile(file);
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.at(0).at(1).toLongLong(), 32);
        const QStringList problems = opened.at(0).at(2).toStringList();
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems.at(0).startsWith(u"messages.jsonl:33: not JSON: "),
                 qPrintable(problems.at(0)));
        QVERIFY2(problems.at(1).startsWith(u"messages.jsonl:34: not JSON: "),
                 qPrintable(problems.at(1)));
        QCOMPARE(view.logFile(), file);
        QTRY_COMPARE(view.model()->rowCount(), 32);
        QVERIFY(!live->isHidden());
        auto *status = view.findChild<QLabel *>(QStringLiteral("logStatus"));
        QTRY_VERIFY2(status->text().contains(u"messages.jsonl: 32 row(s), 2 broken line(s)"),
                     qPrintable(status->text()));
        QCOMPARE(view.detailView()->toPlainText(), problems.join(u'\n'));
        auto *direction = view.findChild<QComboBox *>(QStringLiteral("logDirection"));
        direction->setCurrentIndex(direction->findData(QStringLiteral("in")));
        QTRY_COMPARE(view.model()->rowCount(), 12);
        direction->setCurrentIndex(0);
        QTRY_COMPARE(view.model()->rowCount(), 32);
        // an export is of the file's rows
        const QString out = m_dir->filePath(QStringLiteral("file.csv"));
        QSignalSpy exported(&view, &MessageLogView::exported);
        view.exportCsv(out);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(0).at(0).toLongLong(), 32);

        live->click();
        QVERIFY(view.logFile().isEmpty());
        QTRY_COMPARE(view.model()->rowCount(), 30);
        QVERIFY(live->isHidden());

        // a file that cannot be read: said, the live log stays
        view.openLogFile(m_dir->filePath(QStringLiteral("none.jsonl")));
        QVERIFY(opened.wait(10000));
        QVERIFY(opened.at(1).at(3).toString().contains(u"none.jsonl"));
        QTRY_VERIFY(status->text().contains(u"none.jsonl"));
        QCOMPARE(view.model()->rowCount(), 30);
    }

    // Rows are coloured by what they are, readable on light and dark bases alike
    // (WCAG's 4.5:1), and the legend says what each colour means in the palette used.
    void rowColours()
    {
        using Analytics::LogRecord;
        using Shade = MessageLogModel::Shade;
        auto record
            = [](LogRecord::Kind kind, bool accepted, const char *action, const char *direction) {
                  LogRecord r;
                  r.kind = kind;
                  r.accepted = accepted;
                  r.action = QString::fromLatin1(action);
                  r.direction = QString::fromLatin1(direction);
                  return r;
              };
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Handshake, true, "", ""))
                == Shade::Opened);
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Handshake, false, "", ""))
                == Shade::Rejected);
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Message, true, "relayed", "in"))
                == Shade::In);
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Message, true, "relayed", "out"))
                == Shade::Out);
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Message, true, "throttled", "in"))
                == Shade::Throttled);
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Message, true, "dropped", "in"))
                == Shade::Dropped);
        QVERIFY(MessageLogModel::shadeOf(record(LogRecord::Kind::Close, true, "", ""))
                == Shade::Closed);

        auto luminance = [](const QColor &c) {
            auto channel = [](double v) {
                return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
            };
            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF())
                + 0.0722 * channel(c.blueF());
        };
        auto contrast = [&](const QColor &a, const QColor &b) {
            const double la = luminance(a);
            const double lb = luminance(b);
            return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
        };
        for (int s = 0; s <= int(Shade::Closed); ++s) {
            const QColor light = MessageLogModel::colour(Shade(s), false);
            const QColor dark = MessageLogModel::colour(Shade(s), true);
            QVERIFY2(contrast(light, Qt::white) >= 4.5, qPrintable(light.name()));
            QVERIFY2(contrast(light, QColor(0xf0, 0xf0, 0xf0)) >= 4.5, qPrintable(light.name()));
            QVERIFY2(contrast(dark, QColor(0x1e, 0x1e, 0x1e)) >= 4.5, qPrintable(dark.name()));
            QVERIFY2(contrast(dark, QColor(0x33, 0x33, 0x33)) >= 4.5, qPrintable(dark.name()));
        }

        const QPalette before = QApplication::palette();
        MessageLogView view;
        const QString rejectedLight = MessageLogModel::colour(Shade::Rejected, false).name();
        const QString rejectedDark = MessageLogModel::colour(Shade::Rejected, true).name();
        QPalette light = before;
        light.setColor(QPalette::Base, Qt::white);
        QApplication::setPalette(light);
        QVERIFY(!MessageLogModel::darkPalette());
        QTRY_VERIFY(view.legend()->text().contains(rejectedLight));
        QPalette dark = before;
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        QApplication::setPalette(dark);
        QVERIFY(MessageLogModel::darkPalette());
        QTRY_VERIFY(view.legend()->text().contains(rejectedDark));
        for (const char *word :
             {"opened", "rejected", "message in", "message out", "throttled", "closed"})
            QVERIFY2(view.legend()->text().contains(QLatin1String(word)), word);
        QVERIFY(!view.legend()->accessibleName().isEmpty());
        QApplication::setPalette(before);
    }

    void missingLogSaysSo()
    {
        MessageLogView view;
        view.setDatabase(m_dir->filePath(QStringLiteral("none.db")));
        view.show();
        QTRY_VERIFY(view.model()->lastError().contains(u"no message log yet"));
        QCOMPARE(view.model()->rowCount(), 0);
    }

    // A file that is no message log: one line in the status that says so.
    void badLogSaysSo()
    {
        const QString path = m_dir->filePath(QStringLiteral("garbage.db"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int i = 0; i < 100; ++i)
            f.write("not a database at all, just some text\n");
        f.close();
        MessageLogView view;
        view.setDatabase(path);
        view.show();
        QTRY_VERIFY(view.model()->lastError().contains(
            u"not a Gatehouse message log (not an SQLite database)"));
        QVERIFY(!view.model()->lastError().contains(u'\n'));
        auto *status = view.findChild<QLabel *>(QStringLiteral("logStatus"));
        QVERIFY(status);
        QTRY_VERIFY(status->text().contains(u"not a Gatehouse message log"));
        QCOMPARE(view.model()->rowCount(), 0);
    }

    // A log damaged deep inside opens and shows what can be read; the status says it
    // is damaged once the check (off the GUI thread) has looked through it.
    void damagedLogSaysSo()
    {
        const QString path = m_dir->filePath(QStringLiteral("damaged.db"));
        QString why;
        QVERIFY2(Test::writeDamagedMessageLog(path, &why), qPrintable(why));
        MessageLogView view;
        view.setTimeRange(0); // all of it: the log is of another day
        view.setDatabase(path);
        view.show();
        auto *status = view.findChild<QLabel *>(QStringLiteral("logStatus"));
        QVERIFY(status);
        QTRY_VERIFY(status->text().contains(u"the message log is damaged ("));
        QVERIFY(!status->text().contains(u'\n'));
        QVERIFY(!status->toolTip().isEmpty()); // what SQLite found, line by line
        // a sound log: no such words
        view.setDatabase(m_path);
        QTest::qWait(300);
        QVERIFY2(!status->text().contains(u"damaged"), qPrintable(status->text()));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Analytics::MessageLogStore> m_store;
    QString m_path;
};

QTEST_MAIN(TestMessageLogView)
#include "tst_messagelogview.moc"
