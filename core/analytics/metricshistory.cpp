// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/metricshistory.h"

#include <QFile>
#include <QHash>
#include <QtEndian>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace Gatehouse::Analytics {

namespace {

const char *const SchemaSql
    = "CREATE TABLE IF NOT EXISTS metrics_minutes ("
      " minute_ms INTEGER NOT NULL, api TEXT NOT NULL, channel TEXT NOT NULL,"
      " application TEXT NOT NULL, attempts INTEGER NOT NULL, opened INTEGER NOT NULL,"
      " rejected INTEGER NOT NULL, throttled INTEGER NOT NULL, closed INTEGER NOT NULL,"
      " messages_in INTEGER NOT NULL, messages_out INTEGER NOT NULL,"
      " bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL,"
      " open_end INTEGER NOT NULL, open_max INTEGER NOT NULL,"
      " relay BLOB, handshake BLOB, rejected_by BLOB);"
      "CREATE INDEX IF NOT EXISTS metrics_minutes_time ON metrics_minutes(minute_ms);";

const char *const AlertSchemaSql
    = "CREATE TABLE IF NOT EXISTS metrics_alerts ("
      " time_ms INTEGER NOT NULL, api TEXT NOT NULL, measure INTEGER NOT NULL,"
      " raised INTEGER NOT NULL, text TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS metrics_alerts_time ON metrics_alerts(time_ms);";

const char *const InsertSql
    = "INSERT INTO metrics_minutes (minute_ms, api, channel, application, attempts, opened,"
      " rejected, throttled, closed, messages_in, messages_out, bytes_in, bytes_out,"
      " open_end, open_max, relay, handshake, rejected_by)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

// Whether the table has the column (files of earlier builds lack rejected_by).
bool hasColumn(sqlite3 *db, const char *column)
{
    sqlite3_stmt *q = nullptr;
    const QByteArray sql = QByteArray("SELECT ") + column + " FROM metrics_minutes LIMIT 0";
    const bool ok = sqlite3_prepare_v2(db, sql.constData(), -1, &q, nullptr) == SQLITE_OK;
    sqlite3_finalize(q);
    return ok;
}

// N counts, little-endian 32-bit each
template<size_t N>
QByteArray packed(const std::array<qint32, N> &b)
{
    QByteArray out(qsizetype(N * 4), Qt::Uninitialized);
    for (size_t i = 0; i < N; ++i)
        qToLittleEndian<qint32>(b[i], out.data() + i * 4);
    return out;
}

template<size_t N>
void addPacked(const void *data, int bytes, std::array<double, N> *to, double share)
{
    const auto *p = static_cast<const uchar *>(data);
    for (size_t i = 0; i < N && int(i + 1) * 4 <= bytes; ++i)
        (*to)[i] += share * qFromLittleEndian<qint32>(p + i * 4);
}

double quantile(const std::array<double, 15> &counts, const std::vector<double> &bounds, double q)
{
    double total = 0;
    for (double c : counts)
        total += c;
    if (total <= 0)
        return 0;
    const double rank = std::max(q * total, 1e-9);
    double n = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
        n += counts[k];
        if (n >= rank - 1e-9)
            return bounds[std::min(k, bounds.size() - 1)];
    }
    return bounds.back();
}

struct Connection
{
    ~Connection() { sqlite3_close(db); }
    QString error() const
    {
        return db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("cannot be opened");
    }
    sqlite3 *db = nullptr;
};

void bindText(sqlite3_stmt *q, int i, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    sqlite3_bind_text(q, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

// What a minute of the query holds, over every row that matched
struct MinuteSum
{
    std::array<double, 9> counts {}; // attempts .. bytes_out, as in the SELECT
    std::array<double, 15> relay {};
    std::array<double, 15> handshake {};
    std::array<double, 8> rejectedBy {}; // GatewayMetrics::rejectionSlot()
    QHash<QString, qint64> openBySeries; // the most open per series in the minute
};

// Opens the log at `path` for writing (made when missing) and runs `schemaSql`;
// false with the reason in `why`.
bool openForWriting(Connection *c, const QString &path, const char *schemaSql, QString *why)
{
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        *why = c->error();
        return false;
    }
    sqlite3_busy_timeout(c->db, 5000); // the log writer's transactions are short
    if (sqlite3_exec(c->db, schemaSql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        *why = c->error();
        return false;
    }
    return true;
}

// Inserts a row per item with `sql`, `bind` binding an item's values, in one
// transaction: all or, with the reason in `why`, none.
template<typename Item, typename Bind>
bool insertAll(Connection &c, const char *sql, const QList<Item> &items, Bind bind, QString *why)
{
    if (items.isEmpty())
        return true;
    if (sqlite3_exec(c.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        *why = c.error();
        return false;
    }
    sqlite3_stmt *q = nullptr;
    bool ok = sqlite3_prepare_v2(c.db, sql, -1, &q, nullptr) == SQLITE_OK;
    for (qsizetype i = 0; ok && i < items.size(); ++i) {
        bind(q, items.at(i));
        ok = sqlite3_step(q) == SQLITE_DONE;
        if (!ok)
            *why = c.error();
        sqlite3_reset(q);
    }
    if (!ok && why->isEmpty())
        *why = c.error();
    sqlite3_finalize(q);
    if (ok && sqlite3_exec(c.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        *why = c.error();
        ok = false;
    }
    if (!ok)
        sqlite3_exec(c.db, "ROLLBACK", nullptr, nullptr, nullptr);
    return ok;
}

} // namespace

bool MetricsHistory::write(const QString &path, const QList<GatewayMetrics::Minute> &rows,
                           QString *error)
{
    Connection c;
    QString why;
    bool ok = openForWriting(&c, path, SchemaSql, &why);
    // (files of earlier builds lack rejected_by)
    if (ok && !hasColumn(c.db, "rejected_by")
        && sqlite3_exec(c.db, "ALTER TABLE metrics_minutes ADD COLUMN rejected_by BLOB", nullptr,
                        nullptr, nullptr)
            != SQLITE_OK) {
        why = c.error();
        ok = false;
    }
    ok = ok
        && insertAll(
             c, InsertSql, rows,
             [](sqlite3_stmt *q, const GatewayMetrics::Minute &m) {
                 sqlite3_bind_int64(q, 1, m.startMs);
                 bindText(q, 2, m.api);
                 bindText(q, 3, m.channel);
                 bindText(q, 4, m.application);
                 const qint64 values[]
                     = {m.attempts,    m.opened,  m.rejected, m.throttled, m.closed, m.messagesIn,
                        m.messagesOut, m.bytesIn, m.bytesOut, m.open,      m.openMax};
                 for (int i = 0; i < 11; ++i)
                     sqlite3_bind_int64(q, 5 + i, values[i]);
                 const QByteArray relay = packed(m.relay);
                 const QByteArray handshake = packed(m.handshake);
                 const QByteArray rejectedBy = packed(m.rejectedBy);
                 sqlite3_bind_blob(q, 16, relay.constData(), int(relay.size()), SQLITE_TRANSIENT);
                 sqlite3_bind_blob(q, 17, handshake.constData(), int(handshake.size()),
                                   SQLITE_TRANSIENT);
                 sqlite3_bind_blob(q, 18, rejectedBy.constData(), int(rejectedBy.size()),
                                   SQLITE_TRANSIENT);
             },
             &why);
    if (!ok && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return ok;
}

bool MetricsHistory::writeAlerts(const QString &path, const QList<AlertMark> &alerts,
                                 QString *error)
{
    Connection c;
    QString why;
    const bool ok = openForWriting(&c, path, AlertSchemaSql, &why)
        && insertAll(
                        c,
                        "INSERT INTO metrics_alerts (time_ms, api, measure, raised, text)"
                        " VALUES (?,?,?,?,?)",
                        alerts,
                        [](sqlite3_stmt *q, const AlertMark &a) {
                            sqlite3_bind_int64(q, 1, a.timeMs);
                            bindText(q, 2, a.api);
                            sqlite3_bind_int(q, 3, a.measure);
                            sqlite3_bind_int(q, 4, a.raised ? 1 : 0);
                            bindText(q, 5, a.text);
                        },
                        &why);
    if (!ok && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return ok;
}

QList<MetricsHistory::AlertMark> MetricsHistory::readAlerts(const QString &path, qint64 fromMs,
                                                            qint64 toMs, QString *error, int limit)
{
    QList<AlertMark> out;
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return QList<AlertMark>();
    };
    if (!QFile::exists(path))
        return fail(QStringLiteral("no such file"));
    Connection c;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &c.db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK)
        return fail(c.error());
    sqlite3_busy_timeout(c.db, 5000);
    sqlite3_stmt *q = nullptr;
    // (no table yet: written by a build before alerts were kept, or none raised)
    if (sqlite3_prepare_v2(c.db,
                           "SELECT count(*) FROM sqlite_master WHERE type='table'"
                           " AND name='metrics_alerts'",
                           -1, &q, nullptr)
        != SQLITE_OK)
        return fail(c.error());
    const bool table = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
    sqlite3_finalize(q);
    if (!table)
        return out;
    if (sqlite3_prepare_v2(c.db,
                           "SELECT time_ms, api, measure, raised, text FROM metrics_alerts"
                           " WHERE time_ms >= ?1 AND time_ms <= ?2 ORDER BY time_ms DESC LIMIT ?3",
                           -1, &q, nullptr)
        != SQLITE_OK)
        return fail(c.error());
    sqlite3_bind_int64(q, 1, fromMs);
    sqlite3_bind_int64(q, 2, toMs);
    sqlite3_bind_int(q, 3, std::max(0, limit));
    int rc;
    auto text = [q](int column) {
        return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q, column)),
                                 sqlite3_column_bytes(q, column));
    };
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        AlertMark a;
        a.timeMs = sqlite3_column_int64(q, 0);
        a.api = text(1);
        a.measure = sqlite3_column_int(q, 2);
        a.raised = sqlite3_column_int(q, 3) != 0;
        a.text = text(4);
        out.append(a);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return fail(c.error());
    std::reverse(out.begin(), out.end());
    return out;
}

QList<GatewayMetrics::Point> MetricsHistory::read(const QString &path, const Query &query,
                                                  QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return QList<GatewayMetrics::Point>();
    };
    const qint64 step = std::max<qint64>(1000, query.stepMs);
    const qint64 steps = std::max<qint64>(
        0,
        ((query.coveredToMs < 0 ? query.toMs : std::min(query.toMs, query.coveredToMs))
         - query.fromMs + step - 1)
            / step);
    // the minutes counted end here: the last step's end, or where the history ends
    const qint64 toMs = query.coveredToMs < 0
        ? query.fromMs + steps * step
        : std::min(query.fromMs + steps * step, query.coveredToMs);
    if (!QFile::exists(path))
        return fail(QStringLiteral("no such file"));
    Connection c;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &c.db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK)
        return fail(c.error());
    sqlite3_busy_timeout(c.db, 5000);

    std::map<qint64, MinuteSum> minutes;
    sqlite3_stmt *has = nullptr;
    bool table = false;
    if (sqlite3_prepare_v2(c.db,
                           "SELECT count(*) FROM sqlite_master WHERE type='table'"
                           " AND name='metrics_minutes'",
                           -1, &has, nullptr)
        != SQLITE_OK)
        return fail(c.error());
    if (sqlite3_step(has) == SQLITE_ROW)
        table = sqlite3_column_int(has, 0) > 0;
    sqlite3_finalize(has);
    if (table) {
        QByteArray sql = "SELECT minute_ms, api, channel, application, attempts, opened, rejected,"
                         " throttled, closed, messages_in, messages_out, bytes_in, bytes_out,"
                         " open_max, relay, handshake, ";
        sql += hasColumn(c.db, "rejected_by") ? "rejected_by" : "NULL";
        sql += " FROM metrics_minutes WHERE minute_ms > ?1 AND minute_ms < ?2";
        const MetricsScope &scope = query.scope;
        if (scope.api)
            sql += " AND api = ?3";
        if (scope.channel)
            sql += " AND channel = ?4";
        if (scope.application)
            sql += " AND application = ?5";
        sqlite3_stmt *q = nullptr;
        if (sqlite3_prepare_v2(c.db, sql.constData(), -1, &q, nullptr) != SQLITE_OK)
            return fail(c.error());
        sqlite3_bind_int64(q, 1, query.fromMs - 60000);
        sqlite3_bind_int64(q, 2, toMs);
        if (scope.api)
            bindText(q, 3, *scope.api);
        if (scope.channel)
            bindText(q, 4, *scope.channel);
        if (scope.application)
            bindText(q, 5, *scope.application);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            MinuteSum &m = minutes[sqlite3_column_int64(q, 0)];
            for (int i = 0; i < 9; ++i)
                m.counts[size_t(i)] += double(sqlite3_column_int64(q, 4 + i));
            auto text = [q](int i) {
                return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q, i)),
                                         sqlite3_column_bytes(q, i));
            };
            qint64 &open = m.openBySeries[text(1) + u'\n' + text(2) + u'\n' + text(3)];
            open = std::max(open, sqlite3_column_int64(q, 13));
            addPacked(sqlite3_column_blob(q, 14), sqlite3_column_bytes(q, 14), &m.relay, 1);
            addPacked(sqlite3_column_blob(q, 15), sqlite3_column_bytes(q, 15), &m.handshake, 1);
            if (sqlite3_column_type(q, 16) == SQLITE_BLOB)
                addPacked(sqlite3_column_blob(q, 16), sqlite3_column_bytes(q, 16), &m.rejectedBy,
                          1);
            else // a row of an earlier build: its rejections by no known status
                m.rejectedBy.back() += double(sqlite3_column_int64(q, 6));
        }
        const QString why = c.error();
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return fail(why);
    }

    struct StepSum
    {
        std::array<double, 9> counts {};
        std::array<double, 15> relay {};
        std::array<double, 15> handshake {};
        std::array<double, 8> rejectedBy {};
        qint64 open = 0;
    };
    std::vector<StepSum> sums(static_cast<size_t>(steps));
    for (const auto &[start, m] : minutes) {
        qint64 open = 0;
        for (qint64 o : m.openBySeries)
            open += o;
        // the steps the minute [start, start + 60 s) overlaps, each its share by time
        const qint64 first = std::max<qint64>(0, (start - query.fromMs) / step);
        for (qint64 i = first; i < steps; ++i) {
            const qint64 a = query.fromMs + i * step;
            const qint64 b = std::min(a + step, toMs);
            const qint64 overlap = std::min(b, start + 60000) - std::max(a, start);
            if (a >= start + 60000)
                break;
            if (overlap <= 0)
                continue;
            const double share = double(overlap) / 60000.0;
            StepSum &s = sums[size_t(i)];
            for (size_t k = 0; k < s.counts.size(); ++k)
                s.counts[k] += share * m.counts[k];
            for (size_t k = 0; k < 15; ++k) {
                s.relay[k] += share * m.relay[k];
                s.handshake[k] += share * m.handshake[k];
            }
            for (size_t k = 0; k < s.rejectedBy.size(); ++k)
                s.rejectedBy[k] += share * m.rejectedBy[k];
            s.open = std::max(s.open, open);
        }
    }
    QList<GatewayMetrics::Point> out;
    out.reserve(qsizetype(steps));
    for (qint64 i = 0; i < steps; ++i) {
        const StepSum &s = sums[size_t(i)];
        GatewayMetrics::Point p;
        p.endMs = std::min(query.fromMs + (i + 1) * step, toMs);
        const double seconds = double(p.endMs - (query.fromMs + i * step)) / 1000.0;
        p.open = double(s.open);
        p.attemptsPerSecond = s.counts[0] / seconds;
        p.rejected = std::llround(s.counts[2]);
        p.throttled = std::llround(s.counts[3]);
        p.rejectedPerSecond = s.counts[2] / seconds;
        p.throttledPerSecond = s.counts[3] / seconds;
        for (size_t k = 0; k < s.rejectedBy.size(); ++k)
            p.rejectedByStatusPerSecond[k] = s.rejectedBy[k] / seconds;
        p.messagesInPerSecond = s.counts[5] / seconds;
        p.messagesOutPerSecond = s.counts[6] / seconds;
        p.relayP50Us = quantile(s.relay, GatewayMetrics::relayBounds(), 0.5) * 1e6;
        p.relayP99Us = quantile(s.relay, GatewayMetrics::relayBounds(), 0.99) * 1e6;
        p.handshakeP50Ms = quantile(s.handshake, GatewayMetrics::handshakeBounds(), 0.5) * 1e3;
        p.handshakeP99Ms = quantile(s.handshake, GatewayMetrics::handshakeBounds(), 0.99) * 1e3;
        out.append(p);
    }
    return out;
}

} // namespace Gatehouse::Analytics
