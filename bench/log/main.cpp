// SPDX-License-Identifier: GPL-3.0-or-later
// gatehouse-bench-log: the message log at scale. Writes a log of --rows relayed
// messages as the gateway writes them (connections' messages packed in runs, one in
// ten runs followed by a message with its payload, handshakes and closes), then
// times filtered queries over it with MessageLogReader, then scrolls the window's
// Message Log view through it and measures the longest event-loop stall. Prints one
// JSON object. A benchmark, not a test: nothing here passes or fails.
#include "analytics/logrecord.h"
#include "analytics/messagelogmodel.h"
#include "analytics/messagelogreader.h"
#include "analytics/messagelogview.h"
#include "analytics/sqlitelogwriter.h"
#include "gateway/gatewayevent.h"
#include "gateway/messagerecord.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Gatehouse;
using Gateway::GatewayEvent;

namespace {

constexpr qint64 T0 = 1'767'225'600'000; // 2026-01-01
constexpr int Connections = 1000;
constexpr int RunMessages = 100; // messages per run, 1 ms apart
constexpr qint64 RunStepMs = 50; // between one run and the next: 2,000 messages/s

GatewayEvent event(GatewayEvent::Type type, quint64 connection, qint64 timeMs)
{
    GatewayEvent e;
    e.type = type;
    e.timeMs = timeMs;
    e.connectionId = connection;
    e.editDetails().api = QStringLiteral("/chats/1.0.0");
    e.editDetails().channel
        = connection % 2 ? QStringLiteral("/rooms/{roomID}") : QStringLiteral("/notifications");
    e.editDetails().application = QStringLiteral("app_%1").arg(connection % 50);
    e.editDetails().path = QStringLiteral("/chats/1.0.0/rooms/r%1").arg(connection);
    e.editDetails().clientAddress = QStringLiteral("127.0.0.1:%1").arg(20000 + connection);
    return e;
}

struct Written
{
    qint64 messages = 0;
    qint64 events = 0;
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    double seconds = 0;
    QString error;
};

// Writes the log: every connection opens, then rounds of one run per connection
// until `rows` messages are written, then every connection closes.
Written writeLog(const QString &path, qint64 rows)
{
    namespace R = Gateway::MessageRecord;
    Written out;
    Analytics::SqliteLogWriter::Options options;
    options.path = path;
    Analytics::SqliteLogWriter writer(options);
    QElapsedTimer clock;
    clock.start();
    if (!writer.open(&out.error))
        return out;
    std::vector<GatewayEvent> batch;
    batch.reserve(4096);
    const auto flush = [&] {
        const Analytics::EventSpan span(batch.data(), batch.size());
        const bool ok = batch.empty() || writer.write(Analytics::EventSlices(&span, 1), &out.error);
        out.events += qint64(batch.size());
        batch.clear();
        return ok;
    };
    qint64 t = T0;
    out.firstMs = t;
    for (int c = 1; c <= Connections; ++c) {
        GatewayEvent e = event(GatewayEvent::Type::ConnectionOpened, quint64(c), t);
        e.status = 101;
        e.latencyUs = 800;
        batch.push_back(std::move(e));
    }
    qint64 runs = 0;
    while (out.messages < rows) {
        for (int c = 1; c <= Connections && out.messages < rows; ++c) {
            const int count = int(std::min<qint64>(RunMessages, rows - out.messages));
            GatewayEvent e = event(GatewayEvent::Type::MessageRun, quint64(c), t);
            for (int i = 0; i < count; ++i) {
                const quint8 bits = quint8(R::OpcodeText | (i % 2 ? R::DirectionOut : 0));
                R::appendPlain(e.records, quint64(i), bits, quint64(60 + i % 40), quint64(30));
            }
            e.recordCount = count;
            e.durationMs = count - 1;
            batch.push_back(std::move(e));
            out.messages += count;
            // one run in ten is followed by a message whose payload was logged
            if (++runs % 10 == 0 && out.messages < rows) {
                GatewayEvent p = event(GatewayEvent::Type::MessageRelayed, quint64(c), t + count);
                p.payload = QStringLiteral("{\"order\":\"order-%1\",\"qty\":3}").arg(runs).toUtf8();
                p.size = p.payload.size();
                p.latencyUs = 35;
                batch.push_back(std::move(p));
                ++out.messages;
            }
            t += RunStepMs;
            if (batch.size() >= 4096 && !flush())
                return out;
        }
    }
    for (int c = 1; c <= Connections; ++c) {
        GatewayEvent e = event(GatewayEvent::Type::ConnectionClosed, quint64(c), t + c);
        e.closeCode = 1000;
        e.closedBy = GatewayEvent::Party::Client;
        e.durationMs = t - T0;
        batch.push_back(std::move(e));
    }
    out.lastMs = t + Connections;
    flush();
    writer.close();
    out.seconds = double(clock.nsecsElapsed()) / 1e9;
    return out;
}

// The median of `repeat` timings of `job`, in milliseconds.
double timed(int repeat, const std::function<void()> &job)
{
    std::vector<double> ms;
    for (int i = 0; i < repeat; ++i) {
        QElapsedTimer clock;
        clock.start();
        job();
        ms.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

QJsonArray runQueries(const QString &path, const Written &w, QString *error)
{
    Analytics::MessageLogReader reader;
    QJsonArray out;
    if (!reader.open(path, error))
        return out;
    const auto add = [&](const QString &name, const Analytics::LogFilter &f, qint64 offset) {
        qint64 rows = 0;
        qint64 count = 0;
        const double countMs = timed(3, [&] { count = reader.count(f); });
        const double pageMs = timed(3, [&] {
            rows = reader.query(f, offset < 0 ? std::max<qint64>(0, count + offset) : offset, 200)
                       .size();
        });
        out.append(QJsonObject {{QStringLiteral("query"), name},
                                {QStringLiteral("count"), double(count)},
                                {QStringLiteral("count_ms"), countMs},
                                {QStringLiteral("page_rows"), double(rows)},
                                {QStringLiteral("page_ms"), pageMs}});
    };
    Analytics::LogFilter all;
    add(QStringLiteral("everything, first page"), all, 0);
    add(QStringLiteral("everything, page in the middle"), all, -(w.messages / 2));
    add(QStringLiteral("everything, last page"), all, -200);
    Analytics::LogFilter connection;
    connection.connectionId = 500;
    add(QStringLiteral("one connection"), connection, 0);
    Analytics::LogFilter minute;
    minute.fromMs = w.firstMs + (w.lastMs - w.firstMs) / 2;
    minute.toMs = minute.fromMs + 60'000;
    add(QStringLiteral("one minute in the middle"), minute, 0);
    Analytics::LogFilter closes;
    closes.kinds = {Analytics::LogRecord::Kind::Close};
    add(QStringLiteral("closes"), closes, 0);
    Analytics::LogFilter text;
    text.text = QStringLiteral("order-4240\"");
    add(QStringLiteral("text in payloads"), text, 0);
    Analytics::LogFilter scoped;
    scoped.channel = QStringLiteral("rooms");
    scoped.application = QStringLiteral("app_7");
    scoped.direction = QStringLiteral("out");
    add(QStringLiteral("channel, application and direction"), scoped, 0);
    return out;
}

struct Scroll
{
    double longestStallMs = 0;
    int stallsOver50Ms = 0;
    double countedMs = 0; // from setDatabase to the row count known
    double loadP50Ms = 0; // a jump until the rows shown are read
    double loadP99Ms = 0;
    double loadMaxMs = 0;
    double filterStallMs = 0; // the longest stall while filters change, after the first count
    qint64 rows = 0; // all of them
    qint64 windowRows = 0; // the table's at a time
    QString error;
};

// Opens the Message Log view on the log and scrolls it as a user would: to the
// end, 300 pages up at 60 per second, then 100 jumps to random places (in other
// windows of rows when the table shows them a window at a time), each until the rows
// shown are read. A 1 ms timer measures the event loop's stalls meanwhile.
Scroll scrollView(const QString &path)
{
    Scroll out;
    MessageLogView view;
    view.resize(1200, 800);
    view.setFollowing(false);
    view.setTimeRange(0); // all of it: the log is of another day
    view.show();
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer heartbeat;
    heartbeat.setInterval(1);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double gapMs = double(now - last) / 1e6;
        out.longestStallMs = std::max(out.longestStallMs, gapMs);
        if (gapMs > 50)
            ++out.stallsOver50Ms;
        last = now;
    });
    const auto wait = [](int ms) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    };
    MessageLogModel *model = view.model();
    const qint64 opened = clock.nsecsElapsed();
    view.setDatabase(path);
    heartbeat.start();
    QElapsedTimer limit;
    limit.start();
    while (model->rowCount() == 0 && limit.elapsed() < 120'000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    out.countedMs = double(clock.nsecsElapsed() - opened) / 1e6;
    out.rows = model->totalRows();
    out.windowRows = model->rowCount();
    if (out.rows == 0) {
        out.error = QStringLiteral("the view showed no rows");
        return out;
    }
    QScrollBar *bar = view.list()->verticalScrollBar();
    const auto shownRead = [&] {
        const QModelIndex top = view.list()->indexAt(QPoint(4, 4));
        return top.isValid() && model->record(top.row()) != nullptr;
    };
    bar->setValue(bar->maximum());
    wait(200);
    for (int i = 0; i < 300; ++i) {
        bar->triggerAction(QAbstractSlider::SliderPageStepSub);
        wait(16);
    }
    std::vector<double> loads;
    auto *random = QRandomGenerator::global();
    for (int i = 0; i < 100; ++i) {
        // anywhere in the log: another window of rows when there are more than one
        if (out.rows > out.windowRows)
            model->showWindowAt(qint64(random->bounded(double(out.rows))));
        bar->setValue(int(random->bounded(bar->maximum() + 1)));
        QElapsedTimer t;
        t.start();
        while (!shownRead() && t.elapsed() < 20'000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        loads.push_back(double(t.nsecsElapsed()) / 1e6);
        wait(30);
    }
    // filters changed back and forth, the whole log shown again each time (the
    // longest stall from here on is kept apart from the first opening's)
    const double stallBefore = out.longestStallMs;
    out.longestStallMs = 0;
    for (int i = 0; i < 5; ++i) {
        view.setKinds({QStringLiteral("closed")});
        limit.restart();
        while (model->totalRows() == out.rows && limit.elapsed() < 20'000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        view.setKinds({});
        limit.restart();
        while (model->totalRows() != out.rows && limit.elapsed() < 20'000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        wait(50);
    }
    out.filterStallMs = out.longestStallMs;
    out.longestStallMs = std::max(stallBefore, out.longestStallMs);
    std::sort(loads.begin(), loads.end());
    out.loadP50Ms = loads[loads.size() / 2];
    out.loadP99Ms = loads[std::min(loads.size() - 1, loads.size() * 99 / 100)];
    out.loadMaxMs = loads.back();
    heartbeat.stop();
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes a message log of N messages, queries it and scrolls the "
                       "Message Log view through it."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("rows"), QStringLiteral("Messages to write (10000000)."),
                      QStringLiteral("N"), QStringLiteral("10000000")});
    parser.addOption({QStringLiteral("db"),
                      QStringLiteral("Use (or keep) the log at FILE instead of a temporary one; "
                                     "an existing file is queried as it is."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("no-scroll"), QStringLiteral("Skip the view.")});
    parser.process(app);
    const qint64 rows = parser.value(QStringLiteral("rows")).toLongLong();
    if (rows < Connections) {
        std::fprintf(stderr, "gatehouse-bench-log: --rows takes a number of at least %d\n",
                     Connections);
        return 2;
    }
    QTemporaryDir dir;
    const QString path = parser.isSet(QStringLiteral("db"))
        ? parser.value(QStringLiteral("db"))
        : dir.filePath(QStringLiteral("log.db"));
    QJsonObject json {{QStringLiteral("rows"), double(rows)}};
    Written w;
    if (QFileInfo::exists(path)) {
        // queried as it is: the time span from the log
        Analytics::MessageLogReader reader;
        QString error;
        if (!reader.open(path, &error)) {
            std::fprintf(stderr, "gatehouse-bench-log: %s\n", qPrintable(error));
            return 1;
        }
        const auto first = reader.query({}, 0, 1);
        const qint64 count = reader.count({});
        const auto lastRows = reader.query({}, std::max<qint64>(0, count - 1), 1);
        w.messages = count;
        w.firstMs = first.isEmpty() ? T0 : first.constFirst().timeMs;
        w.lastMs = lastRows.isEmpty() ? T0 : lastRows.constFirst().timeMs;
    } else {
        std::fprintf(stderr, "writing %lld messages...\n", static_cast<long long>(rows));
        w = writeLog(path, rows);
        if (!w.error.isEmpty()) {
            std::fprintf(stderr, "gatehouse-bench-log: %s\n", qPrintable(w.error));
            return 1;
        }
        json.insert(QStringLiteral("write_s"), w.seconds);
        json.insert(QStringLiteral("write_messages_per_s"), double(w.messages) / w.seconds);
    }
    json.insert(QStringLiteral("db_mib"), double(QFileInfo(path).size()) / (1024.0 * 1024.0));
    std::fprintf(stderr, "querying...\n");
    QString error;
    json.insert(QStringLiteral("queries"), runQueries(path, w, &error));
    if (!error.isEmpty()) {
        std::fprintf(stderr, "gatehouse-bench-log: %s\n", qPrintable(error));
        return 1;
    }
    if (!parser.isSet(QStringLiteral("no-scroll"))) {
        std::fprintf(stderr, "scrolling...\n");
        const Scroll s = scrollView(path);
        if (!s.error.isEmpty()) {
            std::fprintf(stderr, "gatehouse-bench-log: %s\n", qPrintable(s.error));
            return 1;
        }
        json.insert(
            QStringLiteral("view"),
            QJsonObject {{QStringLiteral("rows"), double(s.rows)},
                         {QStringLiteral("window_rows"), double(s.windowRows)},
                         {QStringLiteral("counted_ms"), s.countedMs},
                         {QStringLiteral("longest_stall_ms"), s.longestStallMs},
                         {QStringLiteral("filter_change_longest_stall_ms"), s.filterStallMs},
                         {QStringLiteral("stalls_over_50ms"), s.stallsOver50Ms},
                         {QStringLiteral("jump_to_rows_p50_ms"), s.loadP50Ms},
                         {QStringLiteral("jump_to_rows_p99_ms"), s.loadP99Ms},
                         {QStringLiteral("jump_to_rows_max_ms"), s.loadMaxMs}});
    }
    std::puts(QJsonDocument(json).toJson(QJsonDocument::Indented).constData());
    return 0;
}
