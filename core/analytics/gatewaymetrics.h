// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/alertmonitor.h"
#include "analytics/eventwriter.h"
#include "api/json.h"
#include "gateway/gatewayevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace Gatehouse::Analytics {

class AsyncEventSink;

// Which traffic a reading covers: one API (its key, context/version; the empty key is
// the requests that matched no API), one channel template, one application (the empty
// id is connections without one); each unset for every one. The dashboard's filters,
// the history's query and the top talkers take it.
struct MetricsScope
{
    std::optional<QString> api;
    std::optional<QString> channel;
    std::optional<QString> application;

    bool isAll() const { return !api && !channel && !application; }
    bool matches(const QString &a, const QString &c, const QString &app) const
    {
        return (!api || *api == a) && (!channel || *channel == c)
            && (!application || *application == app);
    }
    bool operator==(const MetricsScope &) const = default;
};

// Why a connection ended, from a small fixed set (never free text, so a metric's
// labels stay bounded).
enum class CloseCause {
    ClientClosed,
    BackendClosed,
    IdleTimeout,
    Policy,
    Revoked,
    GatewayStopping,
    NetworkError
};
QString toString(CloseCause cause); // "client_closed", ...
CloseCause closeCause(const Gateway::GatewayEvent &closed);

// Counts in fixed buckets, for one latency (Prometheus' histogram: each bucket counts
// the observations up to its bound, and the sum and count are kept).
class Histogram
{
public:
    Histogram() = default;
    explicit Histogram(const std::vector<double> *bounds);
    void observe(double value);
    // observe() for a value whose bucket (the index of the first bound >= value) the
    // caller already knows
    void observeInBucket(size_t bucket, double value);
    const std::vector<double> &bounds() const { return *m_bounds; }
    // The observations <= bounds()[i] (cumulative), and over every bound.
    qint64 cumulative(size_t i) const;
    qint64 count() const { return m_count; }
    double sum() const { return m_sum; }
    // The value under which `q` (0..1) of the observations fall, read off the
    // buckets (the upper bound of the bucket that holds it); 0 when empty.
    double quantile(double q) const;

private:
    const std::vector<double> *m_bounds = nullptr;
    std::vector<qint64> m_counts; // per bucket, plus one over the last bound
    qint64 m_count = 0;
    double m_sum = 0;
};

// The gateway's metrics, made from its events off the relay path: the events reach
// it through an AsyncEventSink (sink()), on a thread of its own. Readers on any
// thread take the Prometheus text, the stats as JSON, or the last hour second by
// second.
//
// Every series is per API, channel template (never a raw path) and, when asked for,
// application; the other labels are bounded too: HTTP status, direction, close code
// and cause. Three latencies are kept apart: the handshake (request read to 101),
// the relay of one message (arrival to hand-off) and a connection's duration.
class GatewayMetrics final
{
public:
    struct Options
    {
        bool applicationLabel = false; // opt-in: one series per application
        int keepSeconds = 3600; // one-second buckets kept in memory
        qint64 sinceMs = -1; // sinceMs(); -1: the time of construction
    };

    explicit GatewayMetrics(const Options &options);
    GatewayMetrics();
    ~GatewayMetrics();
    GatewayMetrics(const GatewayMetrics &) = delete;
    GatewayMetrics &operator=(const GatewayMetrics &) = delete;

    // A sink for the gateway that feeds these metrics from a thread of its own.
    static std::shared_ptr<AsyncEventSink> makeSink(std::shared_ptr<GatewayMetrics> metrics);

    // Adds events (the sink's thread calls this; tests may call it directly).
    void add(EventSlices events);
    void add(const QList<Gateway::GatewayEvent> &events);

    // The Prometheus text exposition format (version 0.0.4).
    QByteArray prometheusText() const;
    // Totals, open connections and latency quantiles as one JSON object (/api/stats).
    Json stats() const;
    qint64 openConnections() const;
    // Each API's counts for the alert thresholds (AlertMonitor), by API key.
    QHash<QString, AlertMonitor::Totals> apiTotals() const;

    // Events the message log could not store (its writes failed, on a full disk or
    // an I/O error, or its queue overflowed). The series is there from the first
    // call on (0 events: a run with a message log starts).
    void addLogEventsNotStored(qint64 events);
    // Connections the gateway refused because it had no file descriptor left (answered
    // 503 with the descriptor it keeps in reserve, before their request was read, so
    // in no API's series). The series is there from the first call on.
    void addDescriptorLimitRefusals(qint64 connections);

    // The HTTP statuses whose handshake rejections are counted apart (401, 403, 404,
    // 429, 502, 503, 504); a breakdown has one more slot for every other status.
    static const std::array<int, 7> &rejectionStatuses();
    static size_t rejectionSlot(int status); // where `status` counts in a breakdown
    using Rejections = std::array<qint32, 8>;

    // One second of traffic: what started or happened in it, and the connections open
    // at its end.
    struct Second
    {
        qint64 startMs = 0;
        qint64 attempts = 0;
        qint64 opened = 0;
        qint64 rejected = 0;
        qint64 throttled = 0;
        qint64 closed = 0;
        qint64 messagesIn = 0;
        qint64 messagesOut = 0;
        qint64 bytesIn = 0;
        qint64 bytesOut = 0;
        qint64 open = 0;
        // the latencies of the second, in the buckets of relayBounds() and
        // handshakeBounds() (one more for what is over the last bound)
        std::array<qint32, 15> relay {};
        std::array<qint32, 15> handshake {};
        Rejections rejectedBy {}; // `rejected` by status (rejectionSlot())
    };
    // The seconds with traffic among the last `count` up to `nowMs`, oldest first.
    QList<Second> lastSeconds(qint64 nowMs, int count) const;

    // The last `seconds` up to `nowMs` in `points` equal steps, for a chart: rates per
    // second over each step, the connections open at its end, latency quantiles; of
    // the traffic in `scope` only (every API, channel and application by default).
    struct Point
    {
        qint64 endMs = 0;
        double open = 0;
        double attemptsPerSecond = 0;
        double messagesInPerSecond = 0;
        double messagesOutPerSecond = 0;
        double rejectedPerSecond = 0;
        double throttledPerSecond = 0;
        qint64 rejected = 0;
        qint64 throttled = 0;
        double relayP50Us = 0;
        double relayP99Us = 0;
        double handshakeP50Ms = 0;
        double handshakeP99Ms = 0;
        std::array<double, 8> rejectedByStatusPerSecond {}; // by rejectionSlot()
    };
    QList<Point> timeline(qint64 nowMs, int seconds, int points,
                          const MetricsScope &scope = {}) const;
    // The APIs seen since these metrics were made (their keys: context/version), sorted.
    QStringList apis() const;
    // The API, channel and application of the traffic seen since these metrics were
    // made, every one set, sorted by API, channel, application. Kept whether or not
    // the application label is on: the seconds in memory are kept per application
    // either way (at most keepSeconds of them for each of these, and only the seconds
    // with traffic).
    QList<MetricsScope> scopesSeen() const;
    const Options &options() const { return m_options; }

    // One minute of one API, channel and application (empty without the
    // application label), for the history in the database (MetricsHistory).
    struct Minute
    {
        qint64 startMs = 0;
        QString api;
        QString channel;
        QString application;
        qint64 attempts = 0;
        qint64 opened = 0;
        qint64 rejected = 0;
        qint64 throttled = 0;
        qint64 closed = 0;
        qint64 messagesIn = 0;
        qint64 messagesOut = 0;
        qint64 bytesIn = 0;
        qint64 bytesOut = 0;
        qint64 open = 0; // at its end
        qint64 openMax = 0; // the most open at any time in it
        std::array<qint32, 15> relay {}; // as in Second
        std::array<qint32, 15> handshake {};
        Rejections rejectedBy {};
    };
    // Hands over the minutes that ended by `nowMs` (every minute when `all`, the
    // current one too) and forgets them: a caller writes them once a minute. A
    // series with connections open but no events in the last ended minute gets a
    // row of its own for it, so the open line has no gaps.
    QList<Minute> takeMinutes(qint64 nowMs, bool all = false);
    // Where the in-memory seconds begin (when these metrics were made): the
    // dashboard reads anything older from the database.
    qint64 sinceMs() const { return m_sinceMs; }

    static const std::vector<double> &handshakeBounds(); // seconds
    static const std::vector<double> &relayBounds();
    static const std::vector<double> &durationBounds();

private:
    struct Series; // per label set
    void addOne(const Gateway::GatewayEvent &e);
    void addMessage(const Gateway::GatewayEvent &run, quint8 bits, qint64 timeMs, qint64 size,
                    qint64 latencyUs);
    // The relayed messages of a run that fall in one second, added up before they go
    // to the minute and the seconds (once per second of the run, not per message).
    struct RunTally
    {
        qint64 timeMs = -1; // of the first of them; -1: none yet
        std::array<qint64, 2> messages {}; // in, out
        std::array<qint64, 2> bytes {};
        std::array<qint32, 15> relay {};
    };
    void addRun(const Gateway::GatewayEvent &run);
    // A relayed message (d: 0 in, 1 out) in the series' counters and histogram, and in
    // the tally for the minute and the seconds.
    void countRelayed(Series &s, RunTally &t, int d, qint64 size, qint64 latencyUs);
    void addTally(const Gateway::GatewayEvent &run, Series &s, const RunTally &t);
    Series &series(const Gateway::GatewayEvent &e);
    struct ApiSeconds; // the seconds of one API
    // Calls f(second, connections open) for the second of `timeMs` of every API and of
    // the API of `s`.
    struct Cell; // the seconds of one API, channel and application
    Cell &cell(const Gateway::GatewayEvent &e);
    template<typename F>
    void eachSecond(Series &s, Cell *cell, qint64 timeMs, F &&f);
    struct Rollup; // the minutes of one API, channel and application
    Minute &minute(const Gateway::GatewayEvent &e, qint64 timeMs);

    Options m_options;
    mutable std::mutex m_mutex;
    std::map<QString, std::unique_ptr<Series>> m_series; // by label text, sorted
    // the series of the last event's details (a connection's events share them)
    Gateway::GatewayEvent::DetailsPointer m_lastDetails;
    Series *m_lastSeries = nullptr;
    QHash<quint64, Series *> m_open; // open connections and the series they count in
    std::vector<Second> m_seconds; // a ring, by second
    std::map<QString, std::unique_ptr<ApiSeconds>> m_apiSeconds; // by API key
    std::map<QString, std::unique_ptr<Cell>> m_cells; // by API, channel and application
    Gateway::GatewayEvent::DetailsPointer m_lastCellDetails;
    Cell *m_lastCell = nullptr;
    // What the details of recent connections were found to count in: the events of
    // many connections come interleaved, each missing the last-details caches (each
    // miss makes a label text). The details are kept, so their address is not reused.
    struct Known
    {
        Gateway::GatewayEvent::DetailsPointer details;
        Series *series = nullptr;
        Cell *cell = nullptr;
        Rollup *rollup = nullptr;
    };
    static constexpr qsizetype MaxKnown = 4096;
    Known &known(const Gateway::GatewayEvent &e);
    QHash<const Gateway::GatewayEvent::Details *, Known> m_known;
    QHash<quint64, Cell *> m_openCell; // open connections by cell
    qint64 m_openTotal = 0;
    qint64 m_logNotStored = 0;
    bool m_logCounted = false;
    qint64 m_descriptorLimitRefusals = 0;
    bool m_refusalsCounted = false;
    qint64 m_sinceMs = 0;
    std::map<QString, std::unique_ptr<Rollup>> m_rollups;
    Gateway::GatewayEvent::DetailsPointer m_lastRollupDetails;
    Rollup *m_lastRollup = nullptr;
    QHash<quint64, Rollup *> m_openRollup; // open connections by rollup
};

} // namespace Gatehouse::Analytics
