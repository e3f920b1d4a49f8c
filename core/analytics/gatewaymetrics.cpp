// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/gatewaymetrics.h"

#include "analytics/asynceventsink.h"
#include "gateway/messagerecord.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <deque>

namespace Gatehouse::Analytics {

using Gateway::GatewayEvent;
namespace R = Gateway::MessageRecord;

QString toString(CloseCause cause)
{
    switch (cause) {
    case CloseCause::ClientClosed:
        return QStringLiteral("client_closed");
    case CloseCause::BackendClosed:
        return QStringLiteral("backend_closed");
    case CloseCause::IdleTimeout:
        return QStringLiteral("idle_timeout");
    case CloseCause::Policy:
        return QStringLiteral("policy");
    case CloseCause::Revoked:
        return QStringLiteral("revoked");
    case CloseCause::GatewayStopping:
        return QStringLiteral("gateway_stopping");
    case CloseCause::NetworkError:
        break;
    }
    return QStringLiteral("network_error");
}

CloseCause closeCause(const GatewayEvent &closed)
{
    const QString &reason = closed.closeReason;
    if (closed.closedBy == GatewayEvent::Party::Client)
        return closed.closeCode == 1006 ? CloseCause::NetworkError : CloseCause::ClientClosed;
    if (closed.closedBy == GatewayEvent::Party::Backend)
        return closed.closeCode == 1006 ? CloseCause::NetworkError : CloseCause::BackendClosed;
    // closed by the gateway: its own reasons (gatewaysession.cpp, gatewayruntime.cpp)
    if (reason == u"idle timeout")
        return CloseCause::IdleTimeout;
    if (reason == u"gateway stopping")
        return CloseCause::GatewayStopping;
    if (reason == u"credential revoked" || reason.startsWith(u"subscription ")
        || reason == u"application deleted")
        return CloseCause::Revoked;
    if (reason.endsWith(u"connection failed") || closed.closeCode == 1006)
        return CloseCause::NetworkError;
    return CloseCause::Policy;
}

// ---- Histogram -----------------------------------------------------------------

Histogram::Histogram(const std::vector<double> *bounds)
    : m_bounds(bounds)
    , m_counts(bounds->size() + 1, 0)
{ }

void Histogram::observe(double value)
{
    const auto it = std::lower_bound(m_bounds->begin(), m_bounds->end(), value);
    observeInBucket(size_t(it - m_bounds->begin()), value);
}

void Histogram::observeInBucket(size_t bucket, double value)
{
    ++m_counts[bucket];
    ++m_count;
    m_sum += value;
}

qint64 Histogram::cumulative(size_t i) const
{
    qint64 n = 0;
    for (size_t k = 0; k <= i && k < m_counts.size(); ++k)
        n += m_counts[k];
    return n;
}

double Histogram::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(q * double(m_count))));
    qint64 n = 0;
    for (size_t k = 0; k < m_counts.size(); ++k) {
        n += m_counts[k];
        if (n >= rank)
            return k < m_bounds->size() ? (*m_bounds)[k] : m_bounds->back();
    }
    return m_bounds->back();
}

const std::vector<double> &GatewayMetrics::handshakeBounds()
{
    // milliseconds to seconds: a local backend answers in well under one
    static const std::vector<double> b {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return b;
}

const std::vector<double> &GatewayMetrics::relayBounds()
{
    // microseconds: a message is handed on within the read that brought it
    static const std::vector<double> b {1e-6,   2.5e-6, 5e-6, 1e-5,   2.5e-5, 5e-5, 1e-4,
                                        2.5e-4, 5e-4,   1e-3, 2.5e-3, 5e-3,   1e-2, 1e-1};
    return b;
}

const std::vector<double> &GatewayMetrics::durationBounds()
{
    // seconds to a day: WebSocket connections live long
    static const std::vector<double> b {1, 10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86400};
    return b;
}

// ---- GatewayMetrics ------------------------------------------------------------

struct GatewayMetrics::Series
{
    QString labels; // api="…",channel="…"[,application="…"]
    QString api;
    QString channel;
    qint64 attempts = 0;
    QMap<int, qint64> rejected; // by HTTP status
    qint64 messages[2] = {0, 0}; // in (client -> backend), out
    qint64 bytes[2] = {0, 0};
    qint64 dropped[2] = {0, 0};
    qint64 throttled[2] = {0, 0};
    QMap<QPair<int, int>, qint64> closes; // by code, cause
    qint64 open = 0;
    Histogram handshake {&handshakeBounds()};
    Histogram relay {&relayBounds()};
    Histogram duration {&durationBounds()};
    ApiSeconds *apiSeconds = nullptr; // of its API
};

struct GatewayMetrics::ApiSeconds
{
    std::vector<Second> ring; // by second, as m_seconds
    qint64 open = 0;
};

struct GatewayMetrics::Cell
{
    QString api;
    QString channel;
    QString application;
    std::deque<Second> seconds; // those with traffic, oldest first, the last keepSeconds
    qint64 open = 0;
};

struct GatewayMetrics::Rollup
{
    QString api;
    QString channel;
    QString application;
    qint64 open = 0;
    std::map<qint64, Minute> minutes; // by start, not handed over yet
    qint64 lastTakenMs = -1; // the start of the last minute handed over
};

namespace {

QString escaped(const QString &value)
{
    QString out = value;
    out.replace(u'\\', QStringLiteral("\\\\"));
    out.replace(u'"', QStringLiteral("\\\""));
    out.replace(u'\n', QStringLiteral("\\n"));
    return out;
}

QString number(double v)
{
    if (std::isinf(v))
        return QStringLiteral("+Inf");
    return QString::number(v, 'g', 12);
}

const char *directionName(int d)
{
    return d == 0 ? "in" : "out";
}

size_t bucketOf(const std::vector<double> &bounds, double value)
{
    return size_t(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
}

// The bound under which `q` of the counts fall (the last bound for the overflow).
template<size_t N>
double quantileOf(const std::array<qint64, N> &counts, const std::vector<double> &bounds, double q)
{
    qint64 total = 0;
    for (qint64 c : counts)
        total += c;
    if (total == 0)
        return 0;
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(q * double(total))));
    qint64 n = 0;
    for (size_t k = 0; k < N; ++k) {
        n += counts[k];
        if (n >= rank)
            return bounds[std::min(k, bounds.size() - 1)];
    }
    return bounds.back();
}

} // namespace

GatewayMetrics::GatewayMetrics()
    : GatewayMetrics(Options {})
{ }

GatewayMetrics::GatewayMetrics(const Options &options)
    : m_options(options)
    , m_seconds(size_t(std::max(1, options.keepSeconds)))
{
    for (Second &s : m_seconds)
        s.startMs = -1; // none yet
    m_sinceMs = options.sinceMs >= 0 ? options.sinceMs : QDateTime::currentMSecsSinceEpoch();
}

GatewayMetrics::~GatewayMetrics() = default;

namespace {

// Runs the metrics' add() on the sink's thread.
class MetricsWriter final : public EventWriter
{
public:
    explicit MetricsWriter(std::shared_ptr<GatewayMetrics> metrics)
        : m_metrics(std::move(metrics))
    { }
    bool open(QString *) override { return true; }
    bool write(EventSlices events, QString *) override
    {
        m_metrics->add(events);
        return true;
    }
    void close() override { }

private:
    std::shared_ptr<GatewayMetrics> m_metrics;
};

} // namespace

std::shared_ptr<AsyncEventSink> GatewayMetrics::makeSink(std::shared_ptr<GatewayMetrics> metrics)
{
    AsyncEventSink::Options o;
    o.threadName = QStringLiteral("gatehouse-metrics");
    o.flushInterval = std::chrono::milliseconds(200);
    return std::make_shared<AsyncEventSink>(std::make_unique<MetricsWriter>(std::move(metrics)), o);
}

void GatewayMetrics::add(EventSlices events)
{
    std::lock_guard lock(m_mutex);
    for (const EventSpan &span : events)
        for (const GatewayEvent &e : span)
            addOne(e);
}

void GatewayMetrics::add(const QList<GatewayEvent> &events)
{
    const EventSpan span(events.constData(), size_t(events.size()));
    add(EventSlices(&span, 1));
}

GatewayMetrics::Known &GatewayMetrics::known(const GatewayEvent &e)
{
    const GatewayEvent::Details *key = e.detailsPointer().constData();
    auto it = m_known.find(key);
    if (it == m_known.end()) {
        if (m_known.size() >= MaxKnown)
            m_known.clear();
        it = m_known.insert(key, Known {e.detailsPointer()});
    }
    return *it;
}

GatewayMetrics::Series &GatewayMetrics::series(const GatewayEvent &e)
{
    if (m_lastSeries && e.detailsPointer() && e.detailsPointer() == m_lastDetails)
        return *m_lastSeries;
    Known *seen = e.detailsPointer() ? &known(e) : nullptr;
    if (seen && seen->series) {
        m_lastDetails = e.detailsPointer();
        m_lastSeries = seen->series;
        return *seen->series;
    }
    const GatewayEvent::Details &d = e.details();
    QString labels
        = QStringLiteral("api=\"%1\",channel=\"%2\"").arg(escaped(d.api), escaped(d.channel));
    if (m_options.applicationLabel)
        labels += QStringLiteral(",application=\"%1\"").arg(escaped(d.application));
    std::unique_ptr<Series> &s = m_series[labels];
    if (!s) {
        s = std::make_unique<Series>();
        s->labels = labels;
        s->api = d.api;
        s->channel = d.channel;
        std::unique_ptr<ApiSeconds> &api = m_apiSeconds[d.api];
        if (!api) {
            api = std::make_unique<ApiSeconds>();
            api->ring.resize(m_seconds.size());
            for (Second &second : api->ring)
                second.startMs = -1;
        }
        s->apiSeconds = api.get();
    }
    m_lastDetails = e.detailsPointer();
    m_lastSeries = s.get();
    if (seen)
        seen->series = s.get();
    return *s;
}

namespace {

// The second of `timeMs` in a ring of seconds, emptied when it held an older one.
GatewayMetrics::Second &secondIn(std::vector<GatewayMetrics::Second> &ring, qint64 timeMs)
{
    const qint64 start = std::max<qint64>(0, timeMs - timeMs % 1000);
    GatewayMetrics::Second &s = ring[size_t((start / 1000) % qint64(ring.size()))];
    if (s.startMs != start) {
        s = GatewayMetrics::Second();
        s.startMs = start;
    }
    return s;
}

// The second of `timeMs` among a cell's seconds, added where it belongs when missing;
// seconds older than `keepMs` before the newest are let go.
GatewayMetrics::Second &secondIn(std::deque<GatewayMetrics::Second> &seconds, qint64 timeMs,
                                 qint64 keepMs)
{
    const qint64 start = std::max<qint64>(0, timeMs - timeMs % 1000);
    GatewayMetrics::Second fresh;
    fresh.startMs = start;
    if (seconds.empty() || seconds.back().startMs < start) {
        seconds.push_back(fresh);
        while (seconds.front().startMs <= start - keepMs)
            seconds.pop_front();
        return seconds.back();
    }
    // an event a little late (events of several threads meet here): search back
    auto it = seconds.end();
    while (it != seconds.begin()) {
        --it;
        if (it->startMs == start)
            return *it;
        if (it->startMs < start)
            return *seconds.insert(it + 1, fresh);
    }
    return *seconds.insert(seconds.begin(), fresh);
}

} // namespace

GatewayMetrics::Cell &GatewayMetrics::cell(const GatewayEvent &e)
{
    if (m_lastCell && e.detailsPointer() && e.detailsPointer() == m_lastCellDetails)
        return *m_lastCell;
    Known *seen = e.detailsPointer() ? &known(e) : nullptr;
    if (seen && seen->cell) {
        m_lastCellDetails = e.detailsPointer();
        m_lastCell = seen->cell;
        return *seen->cell;
    }
    const GatewayEvent::Details &d = e.details();
    std::unique_ptr<Cell> &c = m_cells[d.api + u'\n' + d.channel + u'\n' + d.application];
    if (!c) {
        c = std::make_unique<Cell>();
        c->api = d.api;
        c->channel = d.channel;
        c->application = d.application;
    }
    m_lastCellDetails = e.detailsPointer();
    m_lastCell = c.get();
    if (seen)
        seen->cell = c.get();
    return *c;
}

template<typename F>
void GatewayMetrics::eachSecond(Series &s, Cell *cell, qint64 timeMs, F &&f)
{
    f(secondIn(m_seconds, timeMs), m_openTotal);
    if (s.apiSeconds)
        f(secondIn(s.apiSeconds->ring, timeMs), s.apiSeconds->open);
    if (cell)
        f(secondIn(cell->seconds, timeMs, qint64(m_seconds.size()) * 1000), cell->open);
}

const std::array<int, 7> &GatewayMetrics::rejectionStatuses()
{
    static const std::array<int, 7> statuses {401, 403, 404, 429, 502, 503, 504};
    return statuses;
}

size_t GatewayMetrics::rejectionSlot(int status)
{
    const auto &statuses = rejectionStatuses();
    const auto it = std::find(statuses.cbegin(), statuses.cend(), status);
    return size_t(it - statuses.cbegin()); // the last slot when not found
}

GatewayMetrics::Minute &GatewayMetrics::minute(const GatewayEvent &e, qint64 timeMs)
{
    Rollup *r = m_lastRollup;
    if (!r || !e.detailsPointer() || e.detailsPointer() != m_lastRollupDetails) {
        Known *seen = e.detailsPointer() ? &known(e) : nullptr;
        r = seen ? seen->rollup : nullptr;
    }
    if (!r) {
        const GatewayEvent::Details &d = e.details();
        const QString application = m_options.applicationLabel ? d.application : QString();
        const QString key = d.api + u'\n' + d.channel + u'\n' + application;
        std::unique_ptr<Rollup> &slot = m_rollups[key];
        if (!slot) {
            slot = std::make_unique<Rollup>();
            slot->api = d.api;
            slot->channel = d.channel;
            slot->application = application;
        }
        r = slot.get();
        if (e.detailsPointer())
            known(e).rollup = r;
    }
    m_lastRollupDetails = e.detailsPointer();
    m_lastRollup = r;
    const qint64 start = std::max<qint64>(0, timeMs - timeMs % 60000);
    auto it = r->minutes.find(start);
    if (it == r->minutes.end()) {
        Minute m;
        m.startMs = start;
        m.api = r->api;
        m.channel = r->channel;
        m.application = r->application;
        m.open = m.openMax = r->open;
        it = r->minutes.emplace(start, m).first;
    }
    return it->second;
}

QList<GatewayMetrics::Minute> GatewayMetrics::takeMinutes(qint64 nowMs, bool all)
{
    std::lock_guard lock(m_mutex);
    const qint64 current = nowMs - nowMs % 60000;
    const qint64 lastEnded = current - 60000;
    QList<Minute> out;
    for (const auto &[key, r] : m_rollups) {
        for (auto it = r->minutes.begin(); it != r->minutes.end();) {
            if (!all && it->first >= current)
                break;
            r->lastTakenMs = std::max(r->lastTakenMs, it->first);
            out.append(it->second);
            it = r->minutes.erase(it);
        }
        if (r->open > 0 && r->lastTakenMs >= 0 && r->lastTakenMs < lastEnded) {
            Minute m;
            m.startMs = lastEnded;
            m.api = r->api;
            m.channel = r->channel;
            m.application = r->application;
            m.open = m.openMax = r->open;
            r->lastTakenMs = lastEnded;
            out.append(m);
        }
    }
    return out;
}

void GatewayMetrics::addOne(const GatewayEvent &e)
{
    switch (e.type) {
    case GatewayEvent::Type::ConnectionOpened: {
        Series &s = series(e);
        ++s.attempts;
        s.handshake.observe(double(e.latencyUs) / 1e6);
        Minute &m = minute(e, e.timeMs);
        ++m.attempts;
        ++m.opened;
        ++m.handshake[bucketOf(handshakeBounds(), double(e.latencyUs) / 1e6)];
        if (!m_open.contains(e.connectionId)) {
            m_open.insert(e.connectionId, &s);
            Cell &c = cell(e);
            m_openCell.insert(e.connectionId, &c);
            ++c.open;
            ++s.open;
            ++s.apiSeconds->open;
            ++m_openTotal;
            m_openRollup.insert(e.connectionId, m_lastRollup);
            m.open = ++m_lastRollup->open;
            m.openMax = std::max(m.openMax, m.open);
        }
        eachSecond(s, &cell(e), e.timeMs, [&](Second &sec, qint64 open) {
            ++sec.attempts;
            ++sec.opened;
            sec.open = open;
            ++sec.handshake[bucketOf(handshakeBounds(), double(e.latencyUs) / 1e6)];
        });
        break;
    }
    case GatewayEvent::Type::ConnectionRejected: {
        Series &s = series(e);
        ++s.attempts;
        ++s.rejected[e.status];
        if (e.latencyUs > 0)
            s.handshake.observe(double(e.latencyUs) / 1e6);
        Minute &m = minute(e, e.timeMs);
        ++m.attempts;
        ++m.rejected;
        ++m.rejectedBy[rejectionSlot(e.status)];
        if (e.latencyUs > 0)
            ++m.handshake[bucketOf(handshakeBounds(), double(e.latencyUs) / 1e6)];
        eachSecond(s, &cell(e), e.timeMs, [&](Second &sec, qint64) {
            ++sec.attempts;
            ++sec.rejected;
            ++sec.rejectedBy[rejectionSlot(e.status)];
            if (e.latencyUs > 0)
                ++sec.handshake[bucketOf(handshakeBounds(), double(e.latencyUs) / 1e6)];
        });
        break;
    }
    case GatewayEvent::Type::ConnectionClosed: {
        // only a connection counted open is counted closed: the gauge never goes wrong
        Series *opened = m_open.take(e.connectionId);
        if (!opened)
            break;
        --opened->open;
        --opened->apiSeconds->open;
        --m_openTotal;
        Cell *openedCell = m_openCell.take(e.connectionId);
        if (openedCell)
            --openedCell->open;
        ++opened->closes[{int(e.closeCode), int(closeCause(e))}];
        opened->duration.observe(double(e.durationMs) / 1000.0);
        if (Rollup *r = m_openRollup.take(e.connectionId)) {
            --r->open;
            auto it = r->minutes.find(std::max<qint64>(0, e.timeMs - e.timeMs % 60000));
            if (it == r->minutes.end()) {
                // the closing connection's own rollup (its details name it)
                m_lastRollup = r;
                m_lastRollupDetails = e.detailsPointer();
                Minute &m = minute(e, e.timeMs);
                ++m.closed;
                m.open = r->open;
            } else {
                ++it->second.closed;
                it->second.open = r->open;
            }
        }
        eachSecond(*opened, openedCell, e.timeMs, [](Second &sec, qint64 open) {
            ++sec.closed;
            sec.open = open;
        });
        break;
    }
    case GatewayEvent::Type::MessageRelayed:
    case GatewayEvent::Type::MessageDropped:
    case GatewayEvent::Type::Throttled: {
        const quint8 action = e.type == GatewayEvent::Type::MessageRelayed ? R::ActionRelayed
            : e.type == GatewayEvent::Type::MessageDropped                 ? R::ActionDropped
                                                                           : R::ActionThrottled;
        const quint8 direction
            = e.direction == Gateway::Direction::BackendToClient ? R::DirectionOut : 0;
        addMessage(e, quint8(action | direction | (e.binary ? R::OpcodeBinary : R::OpcodeText)),
                   e.timeMs, e.size, e.latencyUs);
        break;
    }
    case GatewayEvent::Type::MessageRun:
        addRun(e);
        break;
    case GatewayEvent::Type::PingForwarded:
        break;
    }
}

void GatewayMetrics::addMessage(const GatewayEvent &e, quint8 bits, qint64 timeMs, qint64 size,
                                qint64 latencyUs)
{
    if ((bits & R::OpcodeMask) == R::OpcodePing)
        return;
    Series &s = series(e);
    const int d = (bits & R::DirectionOut) ? 1 : 0;
    Minute &m = minute(e, timeMs);
    switch (bits & R::ActionMask) {
    case R::ActionRelayed: { // (a tally of one: see addRun())
        RunTally t;
        t.timeMs = timeMs;
        countRelayed(s, t, d, size, latencyUs);
        addTally(e, s, t);
        break;
    }
    case R::ActionDropped:
        ++s.dropped[d];
        break;
    default:
        ++s.throttled[d];
        eachSecond(s, &cell(e), timeMs, [](Second &sec, qint64) { ++sec.throttled; });
        ++m.throttled;
        break;
    }
}

void GatewayMetrics::addRun(const GatewayEvent &e)
{
    // A run is one connection's messages of a few milliseconds: the series, minute and
    // seconds are the same for most of them. Relayed ones are counted in a tally that
    // goes to the minute and the seconds when the second changes and at the end; the
    // series' histogram takes each latency as it comes (its sum is exact). The rest
    // (drops, throttling; rare) go one by one.
    Series &s = series(e);
    RunTally t;
    qsizetype pos = 0;
    R::Message m;
    for (qint64 i = 0; i < e.recordCount && R::next(e.records, &pos, e.timeMs, &m); ++i) {
        if ((m.bits & R::ActionMask) != R::ActionRelayed
            || (m.bits & R::OpcodeMask) == R::OpcodePing) {
            addMessage(e, m.bits, m.timeMs, m.size, m.latencyUs);
            continue;
        }
        if (t.timeMs >= 0 && m.timeMs / 1000 != t.timeMs / 1000) {
            addTally(e, s, t);
            t = RunTally();
        }
        if (t.timeMs < 0)
            t.timeMs = m.timeMs;
        countRelayed(s, t, (m.bits & R::DirectionOut) ? 1 : 0, m.size, m.latencyUs);
    }
    if (t.timeMs >= 0)
        addTally(e, s, t);
}

void GatewayMetrics::countRelayed(Series &s, RunTally &t, int d, qint64 size, qint64 latencyUs)
{
    // one bucket search per message for the histogram, the minute and the seconds
    const double seconds = double(latencyUs) / 1e6;
    const size_t bucket = bucketOf(relayBounds(), seconds);
    ++s.messages[d];
    s.bytes[d] += size;
    s.relay.observeInBucket(bucket, seconds);
    ++t.messages[size_t(d)];
    t.bytes[size_t(d)] += size;
    ++t.relay[bucket];
}

void GatewayMetrics::addTally(const GatewayEvent &e, Series &s, const RunTally &t)
{
    const auto add = [&t](auto &to) {
        to.messagesIn += t.messages[0];
        to.messagesOut += t.messages[1];
        to.bytesIn += t.bytes[0];
        to.bytesOut += t.bytes[1];
        for (size_t k = 0; k < t.relay.size(); ++k)
            to.relay[k] += t.relay[k];
    };
    add(minute(e, t.timeMs));
    eachSecond(s, &cell(e), t.timeMs, [&add](Second &sec, qint64) { add(sec); });
}

QHash<QString, AlertMonitor::Totals> GatewayMetrics::apiTotals() const
{
    std::lock_guard lock(m_mutex);
    QHash<QString, AlertMonitor::Totals> out;
    for (const auto &[key, s] : m_series) {
        AlertMonitor::Totals &t = out[s->api];
        for (qint64 n : s->rejected)
            t.rejected += n;
        t.throttled += s->throttled[0] + s->throttled[1];
        t.open += s->open;
        const size_t buckets = relayBounds().size() + 1;
        t.relayBuckets.resize(buckets, 0);
        qint64 below = 0;
        for (size_t k = 0; k < buckets; ++k) {
            const qint64 upTo = s->relay.cumulative(k);
            t.relayBuckets[k] += upTo - below;
            below = upTo;
        }
    }
    return out;
}

qint64 GatewayMetrics::openConnections() const
{
    std::lock_guard lock(m_mutex);
    return m_openTotal;
}

QList<GatewayMetrics::Second> GatewayMetrics::lastSeconds(qint64 nowMs, int count) const
{
    std::lock_guard lock(m_mutex);
    const qint64 last = nowMs - nowMs % 1000;
    const qint64 first
        = last - qint64(std::min<size_t>(size_t(std::max(count, 1)), m_seconds.size()) - 1) * 1000;
    QList<Second> out;
    for (qint64 start = std::max<qint64>(0, first); start <= last; start += 1000) {
        const Second &s = m_seconds[size_t((start / 1000) % qint64(m_seconds.size()))];
        if (s.startMs == start)
            out.append(s);
    }
    return out;
}

QStringList GatewayMetrics::apis() const
{
    std::lock_guard lock(m_mutex);
    QStringList out;
    for (const auto &[key, seconds] : m_apiSeconds)
        out.append(key);
    return out;
}

QList<MetricsScope> GatewayMetrics::scopesSeen() const
{
    std::lock_guard lock(m_mutex);
    QList<MetricsScope> out;
    for (const auto &[key, c] : m_cells)
        out.append(MetricsScope {c->api, c->channel, c->application});
    return out;
}

namespace {

void addSecond(GatewayMetrics::Second *to, const GatewayMetrics::Second &from)
{
    to->attempts += from.attempts;
    to->opened += from.opened;
    to->rejected += from.rejected;
    to->throttled += from.throttled;
    to->closed += from.closed;
    to->messagesIn += from.messagesIn;
    to->messagesOut += from.messagesOut;
    to->bytesIn += from.bytesIn;
    to->bytesOut += from.bytesOut;
    to->open += from.open;
    for (size_t k = 0; k < to->relay.size(); ++k) {
        to->relay[k] += from.relay[k];
        to->handshake[k] += from.handshake[k];
    }
    for (size_t k = 0; k < to->rejectedBy.size(); ++k)
        to->rejectedBy[k] += from.rejectedBy[k];
}

} // namespace

QList<GatewayMetrics::Point> GatewayMetrics::timeline(qint64 nowMs, int seconds, int points,
                                                      const MetricsScope &scope) const
{
    std::lock_guard lock(m_mutex);
    seconds = std::clamp(seconds, 1, int(m_seconds.size()));
    points = std::clamp(points, 1, seconds);
    const qint64 last = nowMs - nowMs % 1000;
    const qint64 first = last - qint64(seconds - 1) * 1000;
    // every API's seconds, one API's (none: an API not seen), or the sum of the cells
    // in the scope, second by second over the window
    const std::vector<Second> *ring = &m_seconds;
    qint64 openNow = m_openTotal;
    std::vector<Second> summed;
    if (scope.api && !scope.channel && !scope.application) {
        const auto it = m_apiSeconds.find(*scope.api);
        ring = it == m_apiSeconds.end() ? nullptr : &it->second->ring;
        openNow = it == m_apiSeconds.end() ? 0 : it->second->open;
    } else if (!scope.isAll()) {
        // laid out as a ring as long as the window, so `at` reads it as the others
        summed.resize(size_t(seconds));
        for (Second &s : summed)
            s.startMs = -1;
        openNow = 0;
        for (const auto &[key, c] : m_cells) {
            if (!scope.matches(c->api, c->channel, c->application))
                continue;
            openNow += c->open;
            auto it
                = std::lower_bound(c->seconds.begin(), c->seconds.end(), first,
                                   [](const Second &s, qint64 start) { return s.startMs < start; });
            for (; it != c->seconds.end(); ++it) {
                if (it->startMs > last) { // after the window (nowMs is not now)
                    openNow -= it->opened - it->closed;
                    continue;
                }
                Second &to = summed[size_t((it->startMs / 1000) % qint64(summed.size()))];
                if (to.startMs != it->startMs) {
                    to = Second();
                    to.startMs = it->startMs;
                }
                addSecond(&to, *it);
            }
        }
        ring = &summed;
    }
    auto at = [ring](qint64 start) -> const Second * {
        if (start < 0 || !ring)
            return nullptr;
        const Second &s = (*ring)[size_t((start / 1000) % qint64(ring->size()))];
        return s.startMs == start ? &s : nullptr;
    };
    // open at the end of the window: open now, less what opened after it, plus what
    // closed (a window that ends before now)
    if (ring != &summed && ring)
        for (const Second &s : *ring)
            if (s.startMs > last)
                openNow -= s.opened - s.closed;
    // open before the window: open at its end, less what opened in it, plus what closed
    qint64 open = openNow;
    for (qint64 start = first; start <= last; start += 1000)
        if (const Second *s = at(start))
            open += s->closed - s->opened;
    QList<Point> out;
    out.reserve(points);
    for (int p = 0; p < points; ++p) {
        // seconds [from, to) of this point
        const qint64 from = first + qint64(p) * seconds / points * 1000;
        const qint64 to = first + qint64(p + 1) * seconds / points * 1000;
        Point point;
        point.endMs = to;
        std::array<qint64, 15> relay {};
        std::array<qint64, 15> handshake {};
        Rejections rejectedBy {};
        qint64 attempts = 0, in = 0, outgoing = 0;
        for (qint64 start = from; start < to; start += 1000) {
            const Second *s = at(start);
            if (!s)
                continue;
            open += s->opened - s->closed;
            attempts += s->attempts;
            in += s->messagesIn;
            outgoing += s->messagesOut;
            point.rejected += s->rejected;
            point.throttled += s->throttled;
            for (size_t k = 0; k < relay.size(); ++k) {
                relay[k] += s->relay[k];
                handshake[k] += s->handshake[k];
            }
            for (size_t k = 0; k < rejectedBy.size(); ++k)
                rejectedBy[k] += s->rejectedBy[k];
        }
        const double span = double(to - from) / 1000.0;
        point.open = double(open);
        point.attemptsPerSecond = double(attempts) / span;
        point.messagesInPerSecond = double(in) / span;
        point.messagesOutPerSecond = double(outgoing) / span;
        point.rejectedPerSecond = double(point.rejected) / span;
        point.throttledPerSecond = double(point.throttled) / span;
        for (size_t k = 0; k < rejectedBy.size(); ++k)
            point.rejectedByStatusPerSecond[k] = double(rejectedBy[k]) / span;
        point.relayP50Us = quantileOf(relay, relayBounds(), 0.5) * 1e6;
        point.relayP99Us = quantileOf(relay, relayBounds(), 0.99) * 1e6;
        point.handshakeP50Ms = quantileOf(handshake, handshakeBounds(), 0.5) * 1e3;
        point.handshakeP99Ms = quantileOf(handshake, handshakeBounds(), 0.99) * 1e3;
        out.append(point);
    }
    return out;
}

QByteArray GatewayMetrics::prometheusText() const
{
    std::lock_guard lock(m_mutex);
    QString out;
    auto family = [&out](const char *name, const char *type, const QString &help) {
        out += QStringLiteral("# HELP %1 %2\n# TYPE %1 %3\n")
                   .arg(QLatin1String(name), help, QLatin1String(type));
    };
    auto line = [&out](const char *name, const QString &labels, const QString &value) {
        out += QLatin1String(name) + u'{' + labels + QStringLiteral("} ") + value + u'\n';
    };
    family("gatehouse_connections_open", "gauge",
           QStringLiteral("WebSocket connections open through the gateway."));
    for (const auto &[key, s] : m_series)
        line("gatehouse_connections_open", s->labels, QString::number(s->open));
    family("gatehouse_connection_attempts_total", "counter",
           QStringLiteral("Upgrade requests answered (opened or rejected)."));
    for (const auto &[key, s] : m_series)
        line("gatehouse_connection_attempts_total", s->labels, QString::number(s->attempts));
    family("gatehouse_handshake_rejections_total", "counter",
           QStringLiteral("Upgrade requests answered with an HTTP error, by status."));
    for (const auto &[key, s] : m_series)
        for (auto it = s->rejected.begin(); it != s->rejected.end(); ++it)
            line("gatehouse_handshake_rejections_total",
                 s->labels + QStringLiteral(",status=\"%1\"").arg(it.key()),
                 QString::number(it.value()));
    struct PerDirection
    {
        const char *name;
        const char *help;
    };
    const PerDirection perDirection[] = {
        {"gatehouse_messages_total",
         "Messages relayed; direction in is client to backend, out is backend to client."},
        {"gatehouse_message_bytes_total", "Payload bytes relayed."},
        {"gatehouse_messages_dropped_total",
         "Messages a policy dropped (throttled ones included)."},
        {"gatehouse_messages_throttled_total", "Messages a rate limit held back or dropped."},
    };
    for (int f = 0; f < 4; ++f) {
        family(perDirection[f].name, "counter", QString::fromLatin1(perDirection[f].help));
        for (const auto &[key, s] : m_series)
            for (int d = 0; d < 2; ++d) {
                const qint64 v = f == 0 ? s->messages[d]
                    : f == 1            ? s->bytes[d]
                    : f == 2            ? s->dropped[d]
                                        : s->throttled[d];
                line(perDirection[f].name,
                     s->labels
                         + QStringLiteral(",direction=\"%1\"").arg(QLatin1String(directionName(d))),
                     QString::number(v));
            }
    }
    family("gatehouse_connection_closes_total", "counter",
           QStringLiteral("Connections closed, by close code and cause."));
    for (const auto &[key, s] : m_series)
        for (auto it = s->closes.begin(); it != s->closes.end(); ++it)
            line("gatehouse_connection_closes_total",
                 s->labels
                     + QStringLiteral(",code=\"%1\",cause=\"%2\"")
                           .arg(it.key().first)
                           .arg(toString(CloseCause(it.key().second))),
                 QString::number(it.value()));
    auto histogram = [&](const char *name, const QString &help, Histogram Series::*member) {
        family(name, "histogram", help);
        const QString bucket = QLatin1String(name) + QStringLiteral("_bucket");
        const QByteArray bucketName = bucket.toLatin1();
        for (const auto &[key, s] : m_series) {
            const Histogram &h = (*s).*member;
            for (size_t i = 0; i < h.bounds().size(); ++i)
                line(bucketName.constData(),
                     s->labels + QStringLiteral(",le=\"%1\"").arg(number(h.bounds()[i])),
                     QString::number(h.cumulative(i)));
            line(bucketName.constData(), s->labels + QStringLiteral(",le=\"+Inf\""),
                 QString::number(h.count()));
            out += QLatin1String(name) + QStringLiteral("_sum{") + s->labels + QStringLiteral("} ")
                + number(h.sum()) + u'\n';
            out += QLatin1String(name) + QStringLiteral("_count{") + s->labels
                + QStringLiteral("} ") + QString::number(h.count()) + u'\n';
        }
    };
    histogram("gatehouse_handshake_duration_seconds",
              QStringLiteral("From the upgrade request read to the answer sent, the backend's "
                             "connect included."),
              &Series::handshake);
    histogram("gatehouse_message_relay_duration_seconds",
              QStringLiteral("From a message's arrival to its hand-off to the other side."),
              &Series::relay);
    histogram("gatehouse_connection_duration_seconds",
              QStringLiteral("How long connections were open, counted when they close."),
              &Series::duration);
    if (m_logCounted) {
        family("gatehouse_log_events_not_stored_total", "counter",
               QStringLiteral("Events the message log could not store (a write failed, e.g. on "
                              "a full disk, or its queue overflowed)."));
        out += QStringLiteral("gatehouse_log_events_not_stored_total %1\n").arg(m_logNotStored);
    }
    if (m_refusalsCounted) {
        family("gatehouse_descriptor_limit_refusals_total", "counter",
               QStringLiteral("Connections refused because the gateway had no file descriptor "
                              "left (answered 503 and closed before their request was read)."));
        out += QStringLiteral("gatehouse_descriptor_limit_refusals_total %1\n")
                   .arg(m_descriptorLimitRefusals);
    }
    return out.toUtf8();
}

void GatewayMetrics::addLogEventsNotStored(qint64 events)
{
    std::lock_guard lock(m_mutex);
    m_logCounted = true;
    m_logNotStored += events;
}

void GatewayMetrics::addDescriptorLimitRefusals(qint64 connections)
{
    std::lock_guard lock(m_mutex);
    m_refusalsCounted = true;
    m_descriptorLimitRefusals += connections;
}

Json GatewayMetrics::stats() const
{
    std::lock_guard lock(m_mutex);
    Json out = Json::object();
    qint64 attempts = 0;
    qint64 messages[2] = {0, 0};
    qint64 bytes[2] = {0, 0};
    qint64 dropped = 0;
    qint64 throttled = 0;
    Json rejected = Json::object();
    Json closes = Json::object();
    Histogram handshake(&handshakeBounds());
    Json series = Json::array();
    for (const auto &[key, s] : m_series) {
        attempts += s->attempts;
        for (int d = 0; d < 2; ++d) {
            messages[d] += s->messages[d];
            bytes[d] += s->bytes[d];
            dropped += s->dropped[d];
            throttled += s->throttled[d];
        }
        for (auto it = s->rejected.begin(); it != s->rejected.end(); ++it) {
            const std::string key = std::to_string(it.key());
            rejected[key] = rejected.value(key, qint64(0)) + it.value();
        }
        for (auto it = s->closes.begin(); it != s->closes.end(); ++it) {
            const std::string key = toString(CloseCause(it.key().second)).toStdString();
            closes[key] = closes.value(key, qint64(0)) + it.value();
        }
        series.push_back({{"api", s->api.toStdString()},
                          {"channel", s->channel.toStdString()},
                          {"open", s->open},
                          {"attempts", s->attempts},
                          {"messagesIn", s->messages[0]},
                          {"messagesOut", s->messages[1]},
                          {"handshakeP99Ms", s->handshake.quantile(0.99) * 1000},
                          {"relayP99Us", s->relay.quantile(0.99) * 1e6}});
    }
    out["openConnections"] = m_openTotal;
    out["connectionAttempts"] = attempts;
    out["rejections"] = rejected;
    out["messages"] = {{"in", messages[0]}, {"out", messages[1]}};
    out["bytes"] = {{"in", bytes[0]}, {"out", bytes[1]}};
    out["dropped"] = dropped;
    out["throttled"] = throttled;
    out["closes"] = closes;
    out["series"] = series;
    if (m_logCounted)
        out["logEventsNotStored"] = m_logNotStored;
    return out;
}

} // namespace Gatehouse::Analytics
