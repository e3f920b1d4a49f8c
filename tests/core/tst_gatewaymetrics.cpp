// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/gatewaymetrics.h"
#include "gateway/messagerecord.h"
#include "testsupport.h"

#include <QFile>
#include <QRegularExpression>

#include <QTest>

#include <algorithm>

using namespace Gatehouse;
using Analytics::CloseCause;
using Analytics::GatewayMetrics;
using Analytics::MetricsScope;
using Gateway::GatewayEvent;

namespace {

GatewayEvent make(GatewayEvent::Type type, quint64 id, qint64 timeMs,
                  const QString &channel = QStringLiteral("/rooms/{id}"))
{
    GatewayEvent e;
    e.type = type;
    e.connectionId = id;
    e.timeMs = timeMs;
    GatewayEvent::Details &d = e.editDetails();
    d.api = QStringLiteral("/chats/1.0.0");
    d.channel = channel;
    d.path = QStringLiteral("/chats/1.0.0/rooms/r%1").arg(id); // never a label
    d.application = QStringLiteral("app_%1").arg(id % 2);
    return e;
}

GatewayEvent closed(quint64 id, qint64 timeMs, quint16 code, GatewayEvent::Party by,
                    const QString &reason = {}, qint64 durationMs = 0)
{
    GatewayEvent e = make(GatewayEvent::Type::ConnectionClosed, id, timeMs);
    e.closeCode = code;
    e.closedBy = by;
    e.closeReason = reason;
    e.durationMs = durationMs;
    return e;
}

QStringList lines(const GatewayMetrics &m)
{
    return QString::fromUtf8(m.prometheusText()).split(u'\n', Qt::SkipEmptyParts);
}

// Seconds or minutes that count the same traffic: the same starts, messages, bytes,
// throttling and relay latency buckets.
template<typename T>
bool sameCounts(const QList<T> &a, const QList<T> &b)
{
    return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(), [](const T &x, const T &y) {
        return x.startMs == y.startMs && x.messagesIn == y.messagesIn
            && x.messagesOut == y.messagesOut && x.bytesIn == y.bytesIn && x.bytesOut == y.bytesOut
            && x.throttled == y.throttled && x.relay == y.relay;
    });
}

const QString labels = QStringLiteral("api=\"/chats/1.0.0\",channel=\"/rooms/{id}\"");

} // namespace

class TestGatewayMetrics final : public QObject
{
    Q_OBJECT
private slots:
    // Only a connection counted open is counted closed: closes of unknown or already
    // closed connections leave the gauge alone.
    void openGaugeNeverGoesWrong()
    {
        GatewayMetrics m;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 1000),
               make(GatewayEvent::Type::ConnectionOpened, 2, 1000),
               make(GatewayEvent::Type::ConnectionOpened, 3, 1000),
               make(GatewayEvent::Type::ConnectionOpened, 3, 1001), // twice: counted once
               closed(2, 1500, 1000, GatewayEvent::Party::Client),
               closed(2, 1600, 1000, GatewayEvent::Party::Client), // again
               closed(99, 1600, 1006, GatewayEvent::Party::Client)}); // never opened
        QCOMPARE(m.openConnections(), 2);
        QVERIFY(lines(m).contains(QStringLiteral("gatehouse_connections_open{%1} 2").arg(labels)));
        QVERIFY(lines(m).contains(
            QStringLiteral(
                "gatehouse_connection_closes_total{%1,code=\"1000\",cause=\"client_closed\"} 1")
                .arg(labels)));
        QVERIFY(!m.prometheusText().contains("code=\"1006\""));
    }

    void rejectionsAndAttempts()
    {
        GatewayMetrics m;
        GatewayEvent r401 = make(GatewayEvent::Type::ConnectionRejected, 1, 0);
        r401.status = 401;
        GatewayEvent r429 = make(GatewayEvent::Type::ConnectionRejected, 2, 0);
        r429.status = 429;
        m.add({r401, r401, r429, make(GatewayEvent::Type::ConnectionOpened, 3, 0)});
        const QStringList l = lines(m);
        QVERIFY(
            l.contains(QStringLiteral("gatehouse_connection_attempts_total{%1} 4").arg(labels)));
        QVERIFY(
            l.contains(QStringLiteral("gatehouse_handshake_rejections_total{%1,status=\"401\"} 2")
                           .arg(labels)));
        QVERIFY(
            l.contains(QStringLiteral("gatehouse_handshake_rejections_total{%1,status=\"429\"} 1")
                           .arg(labels)));
        QCOMPARE(m.stats()["rejections"]["401"].get<int>(), 2);
    }

    // Refusals at the descriptor limit: one unlabelled counter, there from the first
    // call on (serve makes it with 0), apart from the API series.
    void descriptorLimitRefusals()
    {
        GatewayMetrics m;
        QVERIFY(!m.prometheusText().contains("gatehouse_descriptor_limit_refusals_total"));
        m.addDescriptorLimitRefusals(0);
        QVERIFY(lines(m).contains(QStringLiteral("gatehouse_descriptor_limit_refusals_total 0")));
        m.addDescriptorLimitRefusals(3);
        m.addDescriptorLimitRefusals(2);
        const QStringList l = lines(m);
        QVERIFY(l.contains(QStringLiteral("gatehouse_descriptor_limit_refusals_total 5")));
        QVERIFY(
            l.contains(QStringLiteral("# TYPE gatehouse_descriptor_limit_refusals_total counter")));
        QVERIFY(!m.prometheusText().contains("gatehouse_handshake_rejections_total{"));
    }

    // Messages one by one and packed in runs count alike; pings are not messages.
    void messagesOneByOneAndInRuns()
    {
        GatewayMetrics m;
        GatewayEvent in = make(GatewayEvent::Type::MessageRelayed, 1, 5000);
        in.size = 10;
        in.latencyUs = 3;
        GatewayEvent throttled = make(GatewayEvent::Type::Throttled, 1, 5000);
        GatewayEvent run = make(GatewayEvent::Type::MessageRun, 1, 5000);
        namespace R = Gateway::MessageRecord;
        auto add = [&run](quint8 bits, qint64 size) {
            R::Message msg;
            msg.timeMs = 5000;
            msg.bits = bits;
            msg.size = size;
            R::append(run.records, 5000, msg);
            ++run.recordCount;
        };
        add(R::ActionRelayed | R::DirectionOut, 100);
        add(R::ActionRelayed | R::DirectionOut, 50);
        add(R::ActionRelayed | R::OpcodePing, 4);
        add(R::ActionDropped, 7);
        m.add({in, throttled, run});
        const QStringList l = lines(m);
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_messages_total{%1,direction=\"in\"} 1").arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_messages_total{%1,direction=\"out\"} 2").arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_message_bytes_total{%1,direction=\"out\"} 150").arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_messages_dropped_total{%1,direction=\"in\"} 1").arg(labels)));
        QVERIFY(
            l.contains(QStringLiteral("gatehouse_messages_throttled_total{%1,direction=\"in\"} 1")
                           .arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_message_relay_duration_seconds_count{%1} 3").arg(labels)));
        // 3 µs is over the 2.5 µs bucket and within the 5 µs one
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_message_relay_duration_seconds_bucket{%1,le=\"2.5e-06\"} 2")
                .arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_message_relay_duration_seconds_bucket{%1,le=\"5e-06\"} 3")
                .arg(labels)));
        const QList<GatewayMetrics::Second> seconds = m.lastSeconds(5999, 60);
        QCOMPARE(seconds.size(), 1);
        QCOMPARE(seconds.constFirst().messagesIn, 1);
        QCOMPARE(seconds.constFirst().messagesOut, 2);
        QCOMPARE(seconds.constFirst().bytesOut, 150);
        QCOMPARE(seconds.constFirst().throttled, 1);
    }

    // A run's relayed messages are added up per second before they reach the minutes
    // and seconds: a run across seconds and a minute's end, with drops, throttling
    // and pings among them, counts as the same messages one by one.
    void runAcrossSecondsCountsAsOneByOne()
    {
        namespace R = Gateway::MessageRecord;
        struct One
        {
            qint64 timeMs;
            quint8 bits;
            qint64 size;
            qint64 latencyUs;
        };
        const QList<One> messages {
            {59'100, R::ActionRelayed, 10, 3},
            {59'400, R::ActionRelayed | R::DirectionOut, 20, 40},
            {59'999, R::ActionThrottled, 5, 0},
            {60'000, R::ActionRelayed | R::DirectionOut, 30, 1},
            {60'000, R::ActionRelayed | R::OpcodePing, 4, 0},
            {60'500, R::ActionDropped | R::DirectionOut, 7, 0},
            {60'900, R::ActionRelayed | R::OpcodeBinary, 40, 2000},
            {61'000, R::ActionRelayed, 50, 200'000},
        };
        GatewayMetrics oneByOne;
        GatewayMetrics inARun;
        GatewayEvent run = make(GatewayEvent::Type::MessageRun, 1, 59'100);
        QList<GatewayEvent> events {make(GatewayEvent::Type::ConnectionOpened, 1, 59'000)};
        for (const One &o : messages) {
            R::Message msg;
            msg.timeMs = o.timeMs;
            msg.bits = o.bits;
            msg.size = o.size;
            msg.latencyUs = o.latencyUs;
            R::append(run.records, run.timeMs, msg);
            ++run.recordCount;
            if ((o.bits & R::OpcodeMask) == R::OpcodePing)
                continue;
            const quint8 action = o.bits & R::ActionMask;
            GatewayEvent e
                = make(action == R::ActionRelayed       ? GatewayEvent::Type::MessageRelayed
                           : action == R::ActionDropped ? GatewayEvent::Type::MessageDropped
                                                        : GatewayEvent::Type::Throttled,
                       1, o.timeMs);
            e.direction = (o.bits & R::DirectionOut) ? Gateway::Direction::BackendToClient
                                                     : Gateway::Direction::ClientToBackend;
            e.size = o.size;
            e.binary = (o.bits & R::OpcodeMask) == R::OpcodeBinary;
            e.latencyUs = o.latencyUs;
            events.append(e);
        }
        oneByOne.add(events);
        inARun.add({events.constFirst(), run});

        QCOMPARE(inARun.prometheusText(), oneByOne.prometheusText());
        const QList<GatewayMetrics::Second> a = inARun.lastSeconds(61'999, 60);
        const QList<GatewayMetrics::Second> b = oneByOne.lastSeconds(61'999, 60);
        QCOMPARE(a.size(), 3);
        QVERIFY2(sameCounts(a, b), "seconds");
        QCOMPARE(a[1].messagesOut, 1); // 60'000: the relayed one, not the ping
        QCOMPARE(a[1].messagesIn, 1);
        for (const MetricsScope &scope : inARun.scopesSeen()) {
            const auto x = inARun.timeline(61'999, 3, 3, scope);
            const auto y = oneByOne.timeline(61'999, 3, 3, scope);
            QCOMPARE(x.size(), y.size());
            for (qsizetype i = 0; i < x.size(); ++i) {
                QCOMPARE(x[i].messagesInPerSecond, y[i].messagesInPerSecond);
                QCOMPARE(x[i].messagesOutPerSecond, y[i].messagesOutPerSecond);
                QCOMPARE(x[i].relayP99Us, y[i].relayP99Us);
                QCOMPARE(x[i].throttled, y[i].throttled);
            }
        }
        const QList<GatewayMetrics::Minute> c = inARun.takeMinutes(0, true);
        const QList<GatewayMetrics::Minute> d = oneByOne.takeMinutes(0, true);
        QCOMPARE(c.size(), 2);
        QVERIFY2(sameCounts(c, d), "minutes");
        QCOMPARE(c[1].messagesIn, 2); // 60'900 and 61'000
    }

    // The events of many connections come interleaved, each connection's sharing its
    // details: each is counted in its own channel's series, also past the number of
    // connections whose details are remembered (GatewayMetrics::MaxKnown).
    void interleavedConnectionsCountInTheirChannels()
    {
        GatewayMetrics m;
        constexpr int Connections = 5000;
        QList<GatewayEvent> opened;
        for (int i = 0; i < Connections; ++i)
            opened.append(make(GatewayEvent::Type::ConnectionOpened, quint64(i), 1000,
                               i % 2 ? u"/odd"_qs : u"/even"_qs));
        QList<GatewayEvent> events = opened;
        for (int round = 0; round < 3; ++round)
            for (int i = 0; i < Connections; ++i) {
                GatewayEvent message = opened.at(i); // the connection's details, shared
                message.type = GatewayEvent::Type::MessageRelayed;
                message.size = 1;
                message.timeMs = 2000 + round;
                QVERIFY(message.sharesDetailsWith(opened.at(i)));
                events.append(message);
            }
        for (int i = 0; i < Connections; i += 2) {
            GatewayEvent close = opened.at(i);
            close.type = GatewayEvent::Type::ConnectionClosed;
            close.closeCode = 1000;
            close.closedBy = GatewayEvent::Party::Client;
            events.append(close);
        }
        m.add(events);
        const QStringList l = lines(m);
        for (const QString &channel : {u"/odd"_qs, u"/even"_qs}) {
            const QString at = u"api=\"/chats/1.0.0\",channel=\""_qs + channel + u'"';
            QVERIFY2(l.contains(QStringLiteral("gatehouse_messages_total{%1,direction=\"in\"} %2")
                                    .arg(at)
                                    .arg(3 * Connections / 2)),
                     qPrintable(channel));
            QVERIFY(l.contains(QStringLiteral("gatehouse_connections_open{%1} %2")
                                   .arg(at)
                                   .arg(channel == u"/odd" ? Connections / 2 : 0)));
        }
        QCOMPARE(m.openConnections(), Connections / 2);
    }

    // A bucket counts the observations up to and including its bound.
    void histogramBoundaries()
    {
        const std::vector<double> bounds {0.001, 0.01, 1};
        Analytics::Histogram h(&bounds);
        for (double v : {0.0, 0.001, 0.0010001, 0.01, 1.0, 2.0})
            h.observe(v);
        QCOMPARE(h.cumulative(0), 2); // 0 and exactly 0.001
        QCOMPARE(h.cumulative(1), 4);
        QCOMPARE(h.cumulative(2), 5);
        QCOMPARE(h.count(), 6); // +Inf
        QCOMPARE(h.sum(), 0.0 + 0.001 + 0.0010001 + 0.01 + 1.0 + 2.0);
        QCOMPARE(h.quantile(0.5), 0.01);
        QCOMPARE(h.quantile(0.99), 1.0); // beyond the last bound: read as the last
        QCOMPARE(Analytics::Histogram(&bounds).quantile(0.5), 0.0);
        // a value counted in a bucket the caller found counts as observe() counts it
        Analytics::Histogram known(&bounds);
        for (double v : {0.0, 0.001, 0.0010001, 0.01, 1.0, 2.0}) {
            const auto it = std::lower_bound(bounds.begin(), bounds.end(), v);
            known.observeInBucket(size_t(it - bounds.begin()), v);
        }
        for (size_t i = 0; i < bounds.size(); ++i)
            QCOMPARE(known.cumulative(i), h.cumulative(i));
        QCOMPARE(known.count(), h.count());
        QCOMPARE(known.sum(), h.sum());
    }

    // Durations land in seconds buckets; handshakes in milliseconds ones.
    void latenciesKeptApart()
    {
        GatewayMetrics m;
        GatewayEvent opened = make(GatewayEvent::Type::ConnectionOpened, 1, 0);
        opened.latencyUs = 1500; // 1.5 ms
        m.add({opened, closed(1, 0, 1000, GatewayEvent::Party::Backend, {}, 90'000)});
        const QStringList l = lines(m);
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_handshake_duration_seconds_bucket{%1,le=\"0.001\"} 0")
                .arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_handshake_duration_seconds_bucket{%1,le=\"0.0025\"} 1")
                .arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_connection_duration_seconds_bucket{%1,le=\"60\"} 0")
                .arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_connection_duration_seconds_bucket{%1,le=\"300\"} 1")
                .arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral("gatehouse_connection_duration_seconds_sum{%1} 90").arg(labels)));
        QVERIFY(l.contains(
            QStringLiteral(
                "gatehouse_connection_closes_total{%1,code=\"1000\",cause=\"backend_closed\"} 1")
                .arg(labels)));
    }

    void closeCauses_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("by");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("cause");
        using P = GatewayEvent::Party;
        QTest::newRow("client") << 1000 << int(P::Client) << QString() << "client_closed";
        QTest::newRow("client lost") << 1006 << int(P::Client) << "client connection lost"
                                     << "network_error";
        QTest::newRow("backend") << 1011 << int(P::Backend) << QString() << "backend_closed";
        QTest::newRow("backend lost") << 1006 << int(P::Backend) << "backend connection lost"
                                      << "network_error";
        QTest::newRow("idle") << 1001 << int(P::Gateway) << "idle timeout"
                              << "idle_timeout";
        QTest::newRow("stopping") << 1001 << int(P::Gateway) << "gateway stopping"
                                  << "gateway_stopping";
        QTest::newRow("revoked") << 1008 << int(P::Gateway) << "credential revoked"
                                 << "revoked";
        QTest::newRow("blocked") << 1008 << int(P::Gateway) << "subscription blocked"
                                 << "revoked";
        QTest::newRow("deleted") << 1008 << int(P::Gateway) << "application deleted"
                                 << "revoked";
        QTest::newRow("size") << 1009 << int(P::Gateway) << "message too big"
                              << "policy";
        QTest::newRow("failed") << 1002 << int(P::Gateway) << "client connection failed"
                                << "network_error";
    }

    void closeCauses()
    {
        QFETCH(int, code);
        QFETCH(int, by);
        QFETCH(QString, reason);
        QFETCH(QString, cause);
        const GatewayEvent e = closed(1, 0, quint16(code), GatewayEvent::Party(by), reason);
        QCOMPARE(Analytics::toString(Analytics::closeCause(e)), cause);
    }

    // Label values are escaped as the text format asks; the application label only
    // when asked for.
    void labelsEscapedAndApplicationOptIn()
    {
        GatewayMetrics m;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 0, QStringLiteral("/a\"b\\c\nd"))});
        QVERIFY2(m.prometheusText().contains("channel=\"/a\\\"b\\\\c\\nd\""), m.prometheusText());
        QVERIFY(!m.prometheusText().contains("application="));
        GatewayMetrics::Options o;
        o.applicationLabel = true;
        GatewayMetrics perApp(o);
        perApp.add({make(GatewayEvent::Type::ConnectionOpened, 1, 0),
                    make(GatewayEvent::Type::ConnectionOpened, 2, 0)});
        QVERIFY(perApp.prometheusText().contains(
            "gatehouse_connections_open{api=\"/chats/1.0.0\",channel=\"/rooms/"
            "{id}\",application=\"app_1\"} 1"));
        QVERIFY(perApp.prometheusText().contains("application=\"app_0\"} 1"));
        QVERIFY(!perApp.prometheusText().contains("rooms/r1")); // raw paths never
    }

    // A chart's points: rates over each step, the open connections at its end (known
    // before the window from what opened and closed in it), latency quantiles.
    void timelineForCharts()
    {
        GatewayMetrics m;
        // one connection open from before the window
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 1'000)});
        GatewayEvent opened = make(GatewayEvent::Type::ConnectionOpened, 2, 100'200);
        opened.latencyUs = 2000; // in the 2.5 ms bucket
        GatewayEvent rejected = make(GatewayEvent::Type::ConnectionRejected, 3, 101'500);
        rejected.status = 429;
        QList<GatewayEvent> messages;
        for (int i = 0; i < 10; ++i) {
            GatewayEvent e = make(GatewayEvent::Type::MessageRelayed, 2, 102'000 + i);
            e.latencyUs = i < 9 ? 0 : 40; // nine within 1 µs, one in the 50 µs bucket
            messages.append(e);
        }
        m.add(QList<GatewayEvent> {opened, rejected} + messages);
        m.add({closed(2, 103'100, 1000, GatewayEvent::Party::Client)});
        // seconds 100..103 in two points of two seconds
        const QList<GatewayMetrics::Point> points = m.timeline(103'900, 4, 2);
        QCOMPARE(points.size(), 2);
        QCOMPARE(points.at(0).endMs, 102'000);
        QCOMPARE(points.at(0).open, 2.0);
        QCOMPARE(points.at(0).attemptsPerSecond, 1.0); // 2 in 2 s
        QCOMPARE(points.at(0).rejected, 1);
        QCOMPARE(points.at(0).handshakeP99Ms, 2.5);
        QCOMPARE(points.at(1).endMs, 104'000);
        QCOMPARE(points.at(1).open, 1.0);
        QCOMPARE(points.at(1).messagesInPerSecond, 5.0);
        QCOMPARE(points.at(1).relayP50Us, 1.0);
        QCOMPARE(points.at(1).relayP99Us, 50.0);
        QCOMPARE(points.at(1).handshakeP99Ms, 0.0); // no handshake then
        // a window with nothing in it: the open connections as they are
        const QList<GatewayMetrics::Point> quiet = m.timeline(500'000, 60, 6);
        QCOMPARE(quiet.size(), 6);
        for (const GatewayMetrics::Point &p : quiet)
            QCOMPARE(p.open, 1.0);
    }

    // A window that ends before now (the Dashboard's ends on the last complete
    // second): its open connections are those at its end, not those open now; in
    // every scope.
    void timelineEndingBeforeNow()
    {
        GatewayMetrics m;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 100'000),
               make(GatewayEvent::Type::ConnectionOpened, 2, 100'500)});
        // after the window: one more opens, one closes, one opens and closes
        m.add({make(GatewayEvent::Type::ConnectionOpened, 3, 102'100),
               make(GatewayEvent::Type::ConnectionOpened, 4, 102'200),
               make(GatewayEvent::Type::ConnectionOpened, 5, 103'200),
               closed(1, 103'300, 1000, GatewayEvent::Party::Client),
               closed(5, 103'400, 1000, GatewayEvent::Party::Client)});
        const MetricsScope rooms {{}, QStringLiteral("/rooms/{id}"), {}};
        for (const MetricsScope &scope :
             {MetricsScope {}, MetricsScope {QStringLiteral("/chats/1.0.0"), {}, {}}, rooms}) {
            const auto before = m.timeline(101'900, 2, 2, scope);
            QCOMPARE(before.at(0).open, 2.0);
            QCOMPARE(before.at(1).open, 2.0);
            const auto now = m.timeline(103'900, 4, 4, scope);
            QCOMPARE(now.at(1).open, 2.0);
            QCOMPARE(now.at(2).open, 4.0);
            QCOMPARE(now.at(3).open, 3.0);
        }
    }

    // One API's chart points leave the others out; rejections are kept by status.
    void timelineOfOneApi()
    {
        GatewayMetrics m;
        GatewayEvent stocks = make(GatewayEvent::Type::ConnectionOpened, 7, 100'100);
        stocks.editDetails().api = QStringLiteral("/stocks/2.0.0");
        GatewayEvent stockMessage = make(GatewayEvent::Type::MessageRelayed, 7, 100'200);
        stockMessage.editDetails().api = QStringLiteral("/stocks/2.0.0");
        QList<GatewayEvent> events {make(GatewayEvent::Type::ConnectionOpened, 1, 100'000), stocks,
                                    stockMessage};
        for (const int status : {401, 401, 429, 418}) {
            GatewayEvent r = make(GatewayEvent::Type::ConnectionRejected, 9, 101'000);
            r.status = status;
            events.append(r);
        }
        m.add(events);
        m.add({closed(1, 101'500, 1000, GatewayEvent::Party::Client)});
        QCOMPARE(m.apis(), (QStringList {u"/chats/1.0.0"_qs, u"/stocks/2.0.0"_qs}));
        const auto all = m.timeline(101'900, 2, 2);
        const auto chats = m.timeline(101'900, 2, 2, {QStringLiteral("/chats/1.0.0")});
        const auto stocksOnly = m.timeline(101'900, 2, 2, {QStringLiteral("/stocks/2.0.0")});
        const auto none = m.timeline(101'900, 2, 2, {QStringLiteral("/nowhere")});
        QCOMPARE(all.at(0).open, 2.0);
        QCOMPARE(all.at(1).open, 1.0);
        QCOMPARE(all.at(0).attemptsPerSecond, 2.0);
        QCOMPARE(chats.at(0).open, 1.0);
        QCOMPARE(chats.at(1).open, 0.0);
        QCOMPARE(chats.at(0).messagesInPerSecond, 0.0);
        QCOMPARE(chats.at(1).rejected, 4);
        QCOMPARE(stocksOnly.at(0).open, 1.0);
        QCOMPARE(stocksOnly.at(1).open, 1.0); // still open
        QCOMPARE(stocksOnly.at(0).messagesInPerSecond, 1.0);
        QCOMPARE(stocksOnly.at(1).rejected, 0);
        QCOMPARE(none.at(1).open, 0.0);
        QCOMPARE(none.at(1).rejected, 0);
        // by status: 401 twice, 429 once, 418 among the others
        const auto &by = all.at(1).rejectedByStatusPerSecond;
        QCOMPARE(by[GatewayMetrics::rejectionSlot(401)], 2.0);
        QCOMPARE(by[GatewayMetrics::rejectionSlot(429)], 1.0);
        QCOMPARE(by[GatewayMetrics::rejectionSlot(403)], 0.0);
        QCOMPARE(GatewayMetrics::rejectionSlot(418), size_t(7));
        QCOMPARE(by[7], 1.0);
        // and in the minutes written to the history
        const QList<GatewayMetrics::Minute> minutes = m.takeMinutes(200'000);
        const auto chatMinute = std::find_if(minutes.cbegin(), minutes.cend(), [](const auto &x) {
            return x.api == u"/chats/1.0.0" && x.rejected > 0;
        });
        QVERIFY(chatMinute != minutes.cend());
        QCOMPARE(chatMinute->rejectedBy[GatewayMetrics::rejectionSlot(401)], 2);
        QCOMPARE(chatMinute->rejectedBy[7], 1);
    }

    // A channel, an application or both narrow the chart points to their
    // connections, late events included; the requests that matched nothing are a
    // scope of their own.
    void timelineOfChannelsAndApplications()
    {
        GatewayMetrics m;
        auto message = [](GatewayEvent::Type type, quint64 id, qint64 timeMs,
                          const QString &channel = QStringLiteral("/rooms/{id}")) {
            return make(type, id, timeMs, channel);
        };
        const QString lobby = QStringLiteral("/lobby");
        GatewayEvent unmatched;
        unmatched.type = GatewayEvent::Type::ConnectionRejected;
        unmatched.connectionId = 8;
        unmatched.timeMs = 101'000;
        unmatched.status = 404;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 100'000),
               make(GatewayEvent::Type::ConnectionOpened, 2, 100'000),
               message(GatewayEvent::Type::ConnectionOpened, 3, 100'100, lobby),
               message(GatewayEvent::Type::MessageRelayed, 1, 100'300),
               message(GatewayEvent::Type::MessageRelayed, 3, 101'200, lobby),
               message(GatewayEvent::Type::MessageRelayed, 3, 101'250, lobby),
               message(GatewayEvent::Type::Throttled, 3, 101'300, lobby), unmatched});
        // late: a second already passed in this cell
        m.add({message(GatewayEvent::Type::MessageRelayed, 2, 100'600),
               closed(1, 101'500, 1000, GatewayEvent::Party::Client)});

        const QString chats = QStringLiteral("/chats/1.0.0");
        const QString app1 = QStringLiteral("app_1");
        auto scope = [](std::optional<QString> api, std::optional<QString> channel,
                        std::optional<QString> application) {
            return MetricsScope {std::move(api), std::move(channel), std::move(application)};
        };
        const auto rooms = m.timeline(101'900, 2, 2, scope({}, u"/rooms/{id}"_qs, {}));
        QCOMPARE(rooms.at(0).open, 2.0);
        QCOMPARE(rooms.at(0).messagesInPerSecond, 2.0); // the late one counted
        QCOMPARE(rooms.at(1).open, 1.0);
        QCOMPARE(rooms.at(1).messagesInPerSecond, 0.0);
        QCOMPARE(rooms.at(1).throttled, 0);

        const auto ofApp1 = m.timeline(101'900, 2, 2, scope({}, {}, app1));
        QCOMPARE(ofApp1.at(0).open, 2.0); // connections 1 and 3
        QCOMPARE(ofApp1.at(0).messagesInPerSecond, 1.0);
        QCOMPARE(ofApp1.at(1).open, 1.0);
        QCOMPARE(ofApp1.at(1).messagesInPerSecond, 2.0);
        QCOMPARE(ofApp1.at(1).throttled, 1);
        QCOMPARE(ofApp1.at(1).rejected, 0);

        const auto lobbyOfApp1 = m.timeline(101'900, 2, 2, scope(chats, lobby, app1));
        QCOMPARE(lobbyOfApp1.at(0).open, 1.0);
        QCOMPARE(lobbyOfApp1.at(0).messagesInPerSecond, 0.0);
        QCOMPARE(lobbyOfApp1.at(1).messagesInPerSecond, 2.0);
        const auto lobbyOfApp0 = m.timeline(101'900, 2, 2, scope(chats, lobby, u"app_0"_qs));
        QCOMPARE(lobbyOfApp0.at(0).open, 0.0);
        QCOMPARE(lobbyOfApp0.at(1).messagesInPerSecond, 0.0);

        // the request that matched no API: by its empty API, or its empty application
        for (const MetricsScope &nothing :
             {scope(QString(), {}, {}), scope({}, {}, QString()), scope({}, QString(), {})}) {
            const auto points = m.timeline(101'900, 2, 2, nothing);
            QCOMPARE(points.at(1).rejected, 1);
            QCOMPARE(points.at(1).rejectedByStatusPerSecond[GatewayMetrics::rejectionSlot(404)],
                     1.0);
            QCOMPARE(points.at(1).open, 0.0);
            QCOMPARE(points.at(0).messagesInPerSecond, 0.0);
        }
        const auto all = m.timeline(101'900, 2, 2);
        QCOMPARE(all.at(1).rejected, 1);
        QCOMPARE(all.at(0).open, 3.0);

        const QList<MetricsScope> seen = m.scopesSeen();
        QCOMPARE(seen.size(), 4);
        QVERIFY(seen.at(0) == scope(QString(), QString(), QString()));
        QVERIFY(seen.at(1) == scope(chats, lobby, app1));
        QVERIFY(seen.at(2) == scope(chats, u"/rooms/{id}"_qs, u"app_0"_qs));
        QVERIFY(seen.at(3) == scope(chats, u"/rooms/{id}"_qs, app1));
    }

    // A cell keeps the seconds of the last keepSeconds only.
    void cellsKeepTheirWindow()
    {
        GatewayMetrics::Options o;
        o.keepSeconds = 10;
        GatewayMetrics m(o);
        const MetricsScope app1 {std::nullopt, std::nullopt, QStringLiteral("app_1")};
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 1'000),
               make(GatewayEvent::Type::MessageRelayed, 1, 2'000)});
        QCOMPARE(m.timeline(10'500, 10, 10, app1).at(1).messagesInPerSecond, 1.0);
        m.add({make(GatewayEvent::Type::MessageRelayed, 1, 30'000)});
        const auto points = m.timeline(30'500, 10, 10, app1);
        QCOMPARE(points.at(9).messagesInPerSecond, 1.0);
        QCOMPARE(points.at(0).open, 1.0); // opened long before, still open
        // a window reaching back past what is kept finds nothing there
        QCOMPARE(m.timeline(11'500, 10, 10, app1).at(0).messagesInPerSecond, 0.0);
    }

    // The Grafana dashboard that ships asks only for metrics the gateway serves.
    void grafanaDashboardMatches()
    {
        QFile file(Test::sourcePath(QStringLiteral("resources/grafana/gatehouse-dashboard.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const Json dashboard = Json::parse(file.readAll().toStdString(), nullptr, false);
        QVERIFY(!dashboard.is_discarded());
        GatewayMetrics m;
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 0)});
        const QString served = QString::fromUtf8(m.prometheusText());
        static const QRegularExpression metric(QStringLiteral("gatehouse_[a-z_]+"));
        int checked = 0;
        for (const Json &panel : dashboard["panels"])
            for (const Json &target : panel["targets"]) {
                const QString expr = QString::fromStdString(target["expr"].get<std::string>());
                for (const QRegularExpressionMatch &name : metric.globalMatch(expr)) {
                    // a histogram's series are its family's name and _bucket, _sum, _count
                    QString family = name.captured();
                    family.remove(QRegularExpression(QStringLiteral("_bucket$")));
                    QVERIFY2(served.contains(QStringLiteral("# TYPE ") + family + u' '),
                             qPrintable(name.captured()));
                    ++checked;
                }
            }
        QVERIFY(checked >= 8);
    }

    // One-second buckets: a second is counted where its events fall; the ring forgets
    // what is older than it keeps.
    void secondsRing()
    {
        GatewayMetrics::Options o;
        o.keepSeconds = 3;
        GatewayMetrics m(o);
        m.add({make(GatewayEvent::Type::ConnectionOpened, 1, 10'999),
               make(GatewayEvent::Type::ConnectionOpened, 2, 11'000),
               make(GatewayEvent::Type::ConnectionOpened, 3, 11'500)});
        QList<GatewayMetrics::Second> s = m.lastSeconds(11'700, 3);
        QCOMPARE(s.size(), 2);
        QCOMPARE(s.at(0).startMs, 10'000);
        QCOMPARE(s.at(0).opened, 1);
        QCOMPARE(s.at(1).startMs, 11'000);
        QCOMPARE(s.at(1).opened, 2);
        QCOMPARE(s.at(1).open, 3);
        // 13 s later the same slots hold newer seconds
        m.add({make(GatewayEvent::Type::ConnectionOpened, 4, 23'000)});
        s = m.lastSeconds(23'100, 3);
        QCOMPARE(s.size(), 1);
        QCOMPARE(s.constFirst().startMs, 23'000);
        // second 11 shared its slot with second 23 and is gone; second 10 is still there
        s = m.lastSeconds(11'700, 3);
        QCOMPARE(s.size(), 1);
        QCOMPARE(s.constFirst().startMs, 10'000);
    }
};

QTEST_GUILESS_MAIN(TestGatewayMetrics)
#include "tst_gatewaymetrics.moc"
