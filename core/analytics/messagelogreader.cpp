// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogreader.h"

#include "analytics/logschema.h"
#include "analytics/messageblock.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include <atomic>
#include <limits>
#include <memory>
#include <queue>
#include <vector>

namespace Gatehouse::Analytics {

namespace {

// Columns every branch of the union selects, in this order.
const char *const HandshakeColumns
    = "0 AS kind, id, time_ms, connection_id, api, channel, application, reason, flags,"
      " accepted, status, path, client_address, backend_url,"
      " NULL AS direction, NULL AS action, 0 AS size, NULL AS opcode, 0 AS latency_us, NULL AS "
      "payload,"
      " 0 AS payload_truncated, 0 AS code, NULL AS closed_by, 0 AS messages_in, 0 AS messages_out,"
      " 0 AS duration_ms FROM log_handshakes";
const char *const MessageColumns
    = "1 AS kind, id, time_ms, connection_id, api, channel, application, reason, flags,"
      " 0, 0, NULL, NULL, NULL,"
      " direction, action, size, opcode, latency_us, payload,"
      " payload_truncated, 0, NULL, 0, 0, 0 FROM log_messages";
const char *const CloseColumns
    = "2 AS kind, id, time_ms, connection_id, api, channel, application, reason, flags,"
      " 0, 0, NULL, NULL, NULL,"
      " NULL, NULL, 0, NULL, 0, NULL,"
      " 0, code, closed_by, messages_in, messages_out, duration_ms FROM log_closes";

QString escapeLike(const QString &text)
{
    QString s = text;
    s.replace(u'\\', QStringLiteral("\\\\"));
    s.replace(u'%', QStringLiteral("\\%"));
    s.replace(u'_', QStringLiteral("\\_"));
    return u'%' + s + u'%';
}

// The WHERE terms for the labels of `filter` (API and channel contained in,
// application equal to); `binds` gets the values. Also used for blocks of messages
// of one connection, whose labels are columns of their row.
QString labelSql(const LogFilter &filter, QVariantList *binds)
{
    QString sql;
    if (!filter.api.isEmpty()) {
        sql += QStringLiteral(" AND api LIKE ? ESCAPE '\\'");
        binds->append(escapeLike(filter.api));
    }
    if (!filter.channel.isEmpty()) {
        sql += QStringLiteral(" AND channel LIKE ? ESCAPE '\\'");
        binds->append(escapeLike(filter.channel));
    }
    if (!filter.application.isEmpty()) {
        sql += QStringLiteral(" AND application = ?");
        binds->append(filter.application);
    }
    return sql;
}

// The union of the row-per-event tables (handshakes, closes and, in files of
// earlier builds, log_messages) for the selected kinds with their WHERE clauses;
// `binds` gets the values.
QString unionSql(const LogFilter &filter, bool legacyMessages, QVariantList *binds)
{
    struct Branch
    {
        LogRecord::Kind kind;
        const char *columns;
        QStringList textColumns;
    };
    const QList<Branch> branches {
        {LogRecord::Kind::Handshake,
         HandshakeColumns,
         {QStringLiteral("reason"), QStringLiteral("channel"), QStringLiteral("application"),
          QStringLiteral("path"), QStringLiteral("client_address"), QStringLiteral("api")}},
        {LogRecord::Kind::Message,
         MessageColumns,
         {QStringLiteral("reason"), QStringLiteral("channel"), QStringLiteral("application"),
          QStringLiteral("CAST(payload AS TEXT)"), QStringLiteral("api")}},
        {LogRecord::Kind::Close,
         CloseColumns,
         {QStringLiteral("reason"), QStringLiteral("channel"), QStringLiteral("application"),
          QStringLiteral("api")}},
    };
    QStringList parts;
    for (const Branch &b : branches) {
        if (!filter.admits(b.kind))
            continue;
        if (b.kind == LogRecord::Kind::Message && !legacyMessages)
            continue;
        QString sql = QStringLiteral("SELECT ") + QLatin1String(b.columns)
            + QStringLiteral(" WHERE time_ms >= ? AND time_ms < ?");
        binds->append(filter.fromMs);
        binds->append(filter.toMs);
        if (filter.connectionId != 0) {
            sql += QStringLiteral(" AND connection_id = ?");
            binds->append(static_cast<qlonglong>(filter.connectionId));
            if (b.kind == LogRecord::Kind::Message) {
                // log_messages has no connection index: the time index narrows the
                // scan to what came after the connection's handshake
                sql += QStringLiteral(" AND time_ms >= COALESCE((SELECT MIN(time_ms) FROM "
                                      "log_handshakes WHERE connection_id = ?), 0)");
                binds->append(static_cast<qlonglong>(filter.connectionId));
            }
        }
        if (!filter.text.isEmpty()) {
            QStringList likes;
            for (const QString &column : b.textColumns) {
                likes.append(column + QStringLiteral(" LIKE ? ESCAPE '\\'"));
                binds->append(escapeLike(filter.text));
            }
            sql += QStringLiteral(" AND (") + likes.join(QStringLiteral(" OR ")) + u')';
        }
        sql += labelSql(filter, binds);
        if (b.kind == LogRecord::Kind::Message && !filter.direction.isEmpty()) {
            sql += QStringLiteral(" AND direction = ?");
            binds->append(filter.direction);
        }
        if (b.kind == LogRecord::Kind::Message && !filter.actions.isEmpty()) {
            sql += QStringLiteral(" AND action IN (")
                + QStringList(filter.actions.size(), QStringLiteral("?")).join(u',') + u')';
            for (const QString &action : filter.actions)
                binds->append(action);
        }
        if (b.kind == LogRecord::Kind::Handshake
            && filter.handshakes != LogFilter::Handshakes::Any) {
            sql += QStringLiteral(" AND accepted = ?");
            binds->append(filter.handshakes == LogFilter::Handshakes::Accepted ? 1 : 0);
        }
        if (b.kind == LogRecord::Kind::Handshake && filter.status != 0) {
            sql += QStringLiteral(" AND status = ?");
            binds->append(filter.status);
        }
        if (b.kind == LogRecord::Kind::Close && filter.closeCode != 0) {
            sql += QStringLiteral(" AND code = ?");
            binds->append(filter.closeCode);
        }
        parts.append(sql);
    }
    return parts.join(QStringLiteral(" UNION ALL "));
}

LogRecord recordFromRow(const QSqlQuery &q)
{
    LogRecord r;
    r.kind = static_cast<LogRecord::Kind>(q.value(0).toInt());
    r.id = q.value(1).toLongLong();
    r.timeMs = q.value(2).toLongLong();
    r.connectionId = static_cast<quint64>(q.value(3).toLongLong());
    r.api = q.value(4).toString();
    r.channel = q.value(5).toString();
    r.application = q.value(6).toString();
    r.reason = q.value(7).toString();
    const QString flags = q.value(8).toString();
    r.flags = flags.isEmpty() ? QStringList() : flags.split(u',');
    r.accepted = q.value(9).toInt() != 0;
    r.status = q.value(10).toInt();
    r.path = q.value(11).toString();
    r.clientAddress = q.value(12).toString();
    r.backendUrl = q.value(13).toString();
    r.direction = q.value(14).toString();
    r.action = q.value(15).toString();
    r.size = q.value(16).toLongLong();
    r.opcode = q.value(17).toString();
    r.binary = r.opcode == u"binary";
    r.latencyUs = q.value(18).toLongLong();
    r.payload = q.value(19).toByteArray();
    r.payloadTruncated = q.value(20).toInt() != 0;
    r.closeCode = q.value(21).toInt();
    r.closedBy = q.value(22).toString();
    r.messagesIn = q.value(23).toLongLong();
    r.messagesOut = q.value(24).toLongLong();
    r.durationMs = q.value(25).toLongLong();
    return r;
}

char foldAscii(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

// The filter text as the blocks are searched: UTF-8, ASCII letters folded (as
// SQLite's LIKE does for the handshake and close rows).
class TextMatcher
{
public:
    explicit TextMatcher(const QString &text)
        : m_needle(text.toUtf8())
    {
        for (char &c : m_needle)
            c = foldAscii(c);
    }
    bool isEmpty() const { return m_needle.isEmpty(); }
    bool foundIn(QByteArrayView hay) const
    {
        const qsizetype n = m_needle.size();
        for (qsizetype i = 0; i + n <= hay.size(); ++i) {
            qsizetype j = 0;
            while (j < n && foldAscii(hay[i + j]) == m_needle[j])
                ++j;
            if (j == n)
                return true;
        }
        return false;
    }
    bool foundIn(const QString &hay) const
    {
        return !hay.isEmpty() && foundIn(QByteArrayView(hay.toUtf8()));
    }

private:
    QByteArray m_needle;
};

qint64 saturatingSub(qint64 a, qint64 b)
{
    return a < std::numeric_limits<qint64>::min() + b ? std::numeric_limits<qint64>::min() : a - b;
}

// A run of messages of one connection within a block (a single block is one run).
struct Run
{
    quint64 connectionId = 0;
    qint64 firstTimeMs = 0; // what the messages' times are relative to
    QString api;
    QString channel;
    QString application;
    QStringList flags;
    bool textMatches = true; // api, channel or application contain the filter text
    bool labelsMatch = true; // api, channel and application are the filter's
};

// One row of log_message_blocks, as far as the reader needs it.
struct Block
{
    qint64 id = 0;
    quint64 connectionId = 0; // single blocks; 0 for mixed ones
    qint64 firstTimeMs = 0;
    qint64 lastTimeMs = 0;
    qint64 count = 0;
    QByteArray data;
    quint8 format = 0;
    QList<Run> runs; // filled by forEachMessage
};

const char *const BlockColumns
    = "SELECT id, connection_id, first_time_ms, last_time_ms, count, api, channel, application,"
      " flags, data FROM log_message_blocks";

QStringList splitFlags(const QString &flags)
{
    return flags.isEmpty() ? QStringList() : flags.split(u',');
}

bool textMatches(const Run &run, const TextMatcher &text)
{
    return text.isEmpty() || text.foundIn(run.api) || text.foundIn(run.channel)
        || text.foundIn(run.application);
}

// As labelSql() does in SQL, for the runs of a block.
bool labelsMatch(const Run &run, const LogFilter &filter)
{
    return (filter.api.isEmpty() || run.api.contains(filter.api, Qt::CaseInsensitive))
        && (filter.channel.isEmpty() || run.channel.contains(filter.channel, Qt::CaseInsensitive))
        && (filter.application.isEmpty() || run.application == filter.application);
}

// Whether a message's direction is the filter's.
bool directionMatches(quint8 bits, const LogFilter &filter)
{
    if (filter.direction.isEmpty())
        return true;
    const bool out = (bits & MessageBlock::DirectionOut) != 0;
    return out == (filter.direction == u"out");
}

// Whether a message's action (relayed, dropped, throttled) is one of the filter's.
bool actionMatches(quint8 bits, const LogFilter &filter)
{
    if (filter.actions.isEmpty())
        return true;
    switch (bits & MessageBlock::ActionMask) {
    case MessageBlock::ActionDropped:
        return filter.actions.contains(u"dropped");
    case MessageBlock::ActionThrottled:
        return filter.actions.contains(u"throttled");
    default:
        return filter.actions.contains(u"relayed");
    }
}

// Whether every message of a block in range passes the filter's direction and
// actions (then a block can be counted without unpacking it).
bool everyMessagePasses(const LogFilter &filter)
{
    return filter.direction.isEmpty() && filter.actions.isEmpty();
}

Block blockFromRow(const QSqlQuery &q, const LogFilter &filter, const TextMatcher &text)
{
    Block b;
    b.id = q.value(0).toLongLong();
    b.connectionId = static_cast<quint64>(q.value(1).toLongLong());
    b.firstTimeMs = q.value(2).toLongLong();
    b.lastTimeMs = q.value(3).toLongLong();
    b.count = q.value(4).toLongLong();
    b.data = q.value(9).toByteArray();
    b.format = MessageBlock::formatOf(b.data);
    if (b.format == MessageBlock::FormatSingle) {
        Run run;
        run.connectionId = b.connectionId;
        run.firstTimeMs = b.firstTimeMs;
        run.api = q.value(5).toString();
        run.channel = q.value(6).toString();
        run.application = q.value(7).toString();
        run.flags = splitFlags(q.value(8).toString());
        run.textMatches = textMatches(run, text);
        run.labelsMatch = labelsMatch(run, filter);
        b.runs.append(run);
    }
    return b;
}

QString stringOf(const QByteArray &utf8)
{
    return utf8.isNull() ? QString() : QString::fromUtf8(utf8);
}

// Calls f(run index, message index, where the message starts, message) for the
// messages of a block that pass the filter. Reads the runs of a mixed block into
// b.runs. Damaged data ends the block where it is damaged.
template<typename F>
void forEachMessage(Block &b, const LogFilter &filter, const TextMatcher &text, F &&f)
{
    if (b.format == 0)
        return;
    qsizetype pos = 1;
    qint64 index = 0;
    auto messages = [&](qsizetype runIndex, qint64 count) {
        const Run &run = b.runs.at(runIndex);
        const bool connectionOk = run.labelsMatch
            && (filter.connectionId == 0 || run.connectionId == filter.connectionId);
        MessageBlock::Message m;
        for (qint64 i = 0; i < count && index < MessageBlock::MaxMessages; ++i, ++index) {
            const qsizetype start = pos;
            if (!MessageBlock::next(b.data, &pos, run.firstTimeMs, &m))
                return false;
            if (!connectionOk || m.timeMs < filter.fromMs || m.timeMs >= filter.toMs)
                continue;
            if (!run.textMatches && !text.foundIn(m.reason) && !text.foundIn(m.payload))
                continue;
            if (!directionMatches(m.bits, filter) || !actionMatches(m.bits, filter))
                continue;
            f(runIndex, index, start, m);
        }
        return true;
    };
    if (b.format == MessageBlock::FormatSingle) {
        messages(0, MessageBlock::MaxMessages);
        return;
    }
    MessageBlock::Run header; // the previous run: a compact header refers to it
    const bool compact = b.format == MessageBlock::FormatMixedCompact;
    bool first = true;
    while (pos < b.data.size() && index < MessageBlock::MaxMessages
           && (compact ? MessageBlock::nextCompactRun(b.data, &pos, std::exchange(first, false),
                                                      &header)
                       : MessageBlock::nextRun(b.data, &pos, &header))) {
        Run run;
        run.connectionId = header.connectionId;
        run.firstTimeMs = header.firstTimeMs;
        run.api = stringOf(header.api);
        run.channel = stringOf(header.channel);
        run.application = stringOf(header.application);
        run.flags = splitFlags(QString::fromUtf8(header.flags));
        run.textMatches = textMatches(run, text);
        run.labelsMatch = labelsMatch(run, filter);
        b.runs.append(run);
        if (!messages(b.runs.size() - 1, header.count))
            return;
    }
}

LogRecord recordFromBlock(const Block &b, const Run &run, qint64 index,
                          const MessageBlock::Message &m)
{
    LogRecord r;
    r.kind = LogRecord::Kind::Message;
    r.id = MessageBlock::messageId(b.id, index);
    r.timeMs = m.timeMs;
    r.connectionId = run.connectionId;
    r.api = run.api;
    r.channel = run.channel;
    r.application = run.application;
    r.flags = run.flags;
    if (m.bits & MessageBlock::HasReason)
        r.reason = QString::fromUtf8(m.reason);
    r.direction
        = (m.bits & MessageBlock::DirectionOut) ? QStringLiteral("out") : QStringLiteral("in");
    switch (m.bits & MessageBlock::ActionMask) {
    case MessageBlock::ActionDropped:
        r.action = QStringLiteral("dropped");
        break;
    case MessageBlock::ActionThrottled:
        r.action = QStringLiteral("throttled");
        break;
    default:
        r.action = QStringLiteral("relayed");
    }
    switch (m.bits & MessageBlock::OpcodeMask) {
    case MessageBlock::OpcodeBinary:
        r.opcode = QStringLiteral("binary");
        r.binary = true;
        break;
    case MessageBlock::OpcodePing:
        r.opcode = QStringLiteral("ping");
        break;
    default:
        r.opcode = QStringLiteral("text");
    }
    r.size = m.size;
    r.latencyUs = m.latencyUs;
    if (m.bits & MessageBlock::HasPayload)
        r.payload = m.payload.toByteArray();
    r.payloadTruncated = (m.bits & MessageBlock::PayloadTruncated) != 0;
    return r;
}

qint64 scalar(QSqlDatabase db, const QString &sql, quint64 connection, qint64 fallback)
{
    QSqlQuery q(db);
    if (!q.prepare(sql))
        return fallback;
    q.addBindValue(static_cast<qlonglong>(connection));
    if (!q.exec() || !q.next() || q.value(0).isNull())
        return fallback;
    return q.value(0).toLongLong();
}

// The WHERE clause selecting the blocks that may hold messages of the filter.
// There is no index on the connection (an index entry per block in as many
// places as there are open connections would make each write dearer): the
// index on (first_time_ms, connection_id) is scanned over the time range,
// narrowed to the connection's lifetime (its first handshake to its last close,
// when it has no later handshake), and only the connection's rows are read.
QString blockWhere(QSqlDatabase db, const LogFilter &filter, QVariantList *binds)
{
    qint64 from = saturatingSub(filter.fromMs, MessageBlock::MaxSpanMs);
    qint64 to = filter.toMs;
    if (filter.connectionId != 0) {
        const qint64 none = std::numeric_limits<qint64>::min();
        const qint64 opened = scalar(
            db, QStringLiteral("SELECT MIN(time_ms) FROM log_handshakes WHERE connection_id = ?"),
            filter.connectionId, none);
        if (opened != none)
            from = std::max(from, saturatingSub(opened, MessageBlock::MaxSpanMs));
        const qint64 lastOpened = scalar(
            db, QStringLiteral("SELECT MAX(time_ms) FROM log_handshakes WHERE connection_id = ?"),
            filter.connectionId, none);
        const qint64 closed = scalar(
            db, QStringLiteral("SELECT MAX(time_ms) FROM log_closes WHERE connection_id = ?"),
            filter.connectionId, none);
        // (slack for a wall clock that stepped back between a message and the close)
        if (closed != none && lastOpened <= closed
            && closed < std::numeric_limits<qint64>::max() - MessageBlock::MaxSpanMs)
            to = std::min(to, closed + MessageBlock::MaxSpanMs);
    }
    QString sql
        = QStringLiteral(" WHERE first_time_ms >= ? AND first_time_ms < ? AND last_time_ms >= ?");
    binds->append(from);
    binds->append(to);
    binds->append(filter.fromMs);
    if (filter.connectionId != 0) {
        sql += QStringLiteral(" AND connection_id IN (?, 0)"); // its own blocks, mixed ones
        binds->append(static_cast<qlonglong>(filter.connectionId));
    }
    // a connection's own blocks carry its labels; mixed ones are read run by run
    const QString labels = labelSql(filter, binds);
    if (!labels.isEmpty())
        sql += QStringLiteral(" AND (connection_id = 0 OR (1") + labels + QStringLiteral("))");
    return sql;
}

bool wantsMessages(const LogFilter &filter)
{
    return filter.admits(LogRecord::Kind::Message);
}

} // namespace

MessageLogReader::MessageLogReader()
{
    static std::atomic<int> serial {0};
    m_connectionName = QStringLiteral("gatehouse-log-reader-%1").arg(serial.fetch_add(1));
}

MessageLogReader::~MessageLogReader()
{
    close();
}

bool MessageLogReader::open(const QString &path, QString *error)
{
    close();
    if (!QFileInfo::exists(path)) {
        if (error)
            *error = QStringLiteral("%1: no such message log").arg(path);
        return false;
    }
    if (QString why; !LogSchema::check(path, 5000, &why)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(path, db.lastError().text());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connectionName);
            return false;
        }
    }
    m_path = path;
    return true;
}

void MessageLogReader::close()
{
    if (m_path.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_path.clear();
}

bool MessageLogReader::isOpen() const
{
    return !m_path.isEmpty();
}

MessageLogReader::Tables MessageLogReader::tables(QString *error)
{
    Tables t;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN"
                               " ('log_messages', 'log_message_blocks')"))) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        t.ok = false;
        return t;
    }
    while (q.next()) {
        if (q.value(0).toString() == u"log_messages")
            t.legacyMessages = true;
        else
            t.blocks = true;
    }
    return t;
}

QList<LogRecord> MessageLogReader::query(const LogFilter &filter, qint64 offset, qint64 limit,
                                         QString *error)
{
    return query(filter, offset, limit, error, true);
}

std::optional<std::pair<qint64, qint64>> MessageLogReader::seekStart(const LogFilter &filter,
                                                                     qint64 offset)
{
    // The first block by which the blocks' messages add up to `target`: every
    // message before its start is in an earlier block, so fewer than `target` of
    // them are (the blocks' counts are of every message, the filter's or not); the
    // last block when they never do.
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QVariantList binds;
    const QString where = blockWhere(db, filter, &binds);
    const QString crossing
        = QStringLiteral("SELECT first_time_ms FROM (SELECT first_time_ms, SUM(count) "
                         "OVER (ORDER BY first_time_ms ROWS UNBOUNDED PRECEDING) AS upto "
                         "FROM log_message_blocks")
        + where + QStringLiteral(") WHERE upto >= ? LIMIT 1");
    const QString last
        = QStringLiteral("SELECT MAX(first_time_ms) FROM log_message_blocks") + where;
    qint64 target = offset;
    for (int attempt = 0; attempt < 4 && target > 0; ++attempt) {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        bool found = q.prepare(crossing);
        for (const QVariant &v : std::as_const(binds))
            q.addBindValue(v);
        q.addBindValue(target);
        found = found && q.exec() && q.next();
        if (!found) {
            q = QSqlQuery(db);
            q.setForwardOnly(true);
            if (!q.prepare(last))
                return std::nullopt;
            for (const QVariant &v : std::as_const(binds))
                q.addBindValue(v);
            if (!q.exec() || !q.next() || q.value(0).isNull())
                return std::nullopt;
        }
        const qint64 start = std::min(q.value(0).toLongLong(), filter.toMs);
        if (start <= filter.fromMs)
            return std::nullopt;
        // what the filter selects before it, handshakes and closes included: when
        // they make it more than `offset`, an earlier block is looked for
        LogFilter before = filter;
        before.toMs = start;
        QString error;
        const qint64 skipped = count(before, &error);
        if (!error.isEmpty())
            return std::nullopt;
        if (skipped <= offset)
            return std::make_pair(start, skipped);
        target -= skipped - offset + 1;
    }
    return std::nullopt;
}

QList<LogRecord> MessageLogReader::query(const LogFilter &filter, qint64 offset, qint64 limit,
                                         QString *error, bool seek)
{
    QList<LogRecord> records;
    if (!isOpen()) {
        if (error)
            *error = QStringLiteral("message log: not open");
        return records;
    }
    offset = std::max<qint64>(0, offset);
    limit = std::max<qint64>(0, limit);
    if (limit == 0)
        return records;
    const Tables t = tables(error);
    if (!t.ok)
        return records;
    if (seek && offset >= SeekRows && t.blocks && wantsMessages(filter)) {
        if (const auto start = seekStart(filter, offset)) {
            LogFilter later = filter;
            later.fromMs = start->first;
            return query(later, offset - start->second, limit, error, false);
        }
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    auto failed = [&](const QSqlQuery &q) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return QList<LogRecord>();
    };

    // Two streams in time order, merged: the rows (handshakes, closes, legacy
    // messages) straight from SQL, and the messages unpacked from the blocks. Blocks
    // come in order of first_time_ms; blocks of different connections overlap in
    // time, so their messages wait in a heap until no block still unread can hold
    // an earlier one (its first_time_ms is later than the heap's earliest).
    QVariantList rowBinds;
    const QString rowSql = unionSql(filter, t.legacyMessages, &rowBinds);
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    bool rowValid = false;
    if (!rowSql.isEmpty()) {
        if (!rows.prepare(rowSql + QStringLiteral(" ORDER BY time_ms, kind, id")))
            return failed(rows);
        for (const QVariant &v : std::as_const(rowBinds))
            rows.addBindValue(v);
        if (!rows.exec())
            return failed(rows);
        rowValid = rows.next();
    }

    const TextMatcher text(filter.text);
    QSqlQuery blocks(db);
    blocks.setForwardOnly(true);
    bool blockValid = false;
    if (t.blocks && wantsMessages(filter)) {
        QVariantList binds;
        const QString where = blockWhere(db, filter, &binds);
        if (!blocks.prepare(QLatin1String(BlockColumns) + where
                            + QStringLiteral(" ORDER BY first_time_ms")))
            return failed(blocks);
        for (const QVariant &v : std::as_const(binds))
            blocks.addBindValue(v);
        if (!blocks.exec())
            return failed(blocks);
        blockValid = blocks.next();
    }

    struct Pending
    {
        qint64 timeMs;
        qint64 id;
        std::shared_ptr<const Block> block;
        qsizetype run;
        qint64 index;
        qsizetype pos; // where the message starts in the block's data
    };
    auto later = [](const Pending &a, const Pending &b) {
        return a.timeMs != b.timeMs ? a.timeMs > b.timeMs : a.id > b.id;
    };
    std::priority_queue<Pending, std::vector<Pending>, decltype(later)> heap(later);
    auto loadBlock = [&] {
        auto b = std::make_shared<Block>(blockFromRow(blocks, filter, text));
        std::shared_ptr<const Block> shared = b;
        forEachMessage(
            *b, filter, text,
            [&](qsizetype run, qint64 index, qsizetype pos, const MessageBlock::Message &m) {
                heap.push(
                    {m.timeMs, MessageBlock::messageId(b->id, index), shared, run, index, pos});
            });
        blockValid = blocks.next();
    };

    const qint64 wanted = offset + limit;
    qint64 seen = 0;
    while (seen < wanted) {
        // every block that may hold a message before the heap's earliest is loaded
        while (blockValid && (heap.empty() || blocks.value(2).toLongLong() <= heap.top().timeMs))
            loadBlock();
        if (heap.empty() && !rowValid)
            break;
        bool takeRow = rowValid;
        if (rowValid && !heap.empty()) {
            const qint64 rowTime = rows.value(2).toLongLong();
            const int rowKind = rows.value(0).toInt();
            const qint64 rowId = rows.value(1).toLongLong();
            const Pending &top = heap.top();
            const int messageKind = int(LogRecord::Kind::Message);
            takeRow = rowTime != top.timeMs ? rowTime < top.timeMs
                : rowKind != messageKind    ? rowKind < messageKind
                                            : rowId < top.id;
        }
        if (takeRow) {
            if (seen >= offset)
                records.append(recordFromRow(rows));
            rowValid = rows.next();
        } else {
            if (seen >= offset) {
                const Pending &top = heap.top();
                const Run &run = top.block->runs.at(top.run);
                qsizetype pos = top.pos;
                MessageBlock::Message m;
                MessageBlock::next(top.block->data, &pos, run.firstTimeMs, &m);
                records.append(recordFromBlock(*top.block, run, top.index, m));
            }
            heap.pop();
        }
        ++seen;
    }
    return records;
}

QList<Talker> MessageLogReader::topTalkers(TalkerKind kind, qint64 fromMs, qint64 toMs, int limit,
                                           QString *error, const MetricsScope &scope)
{
    QList<Talker> out;
    if (!isOpen()) {
        if (error)
            *error = QStringLiteral("message log: not open");
        return out;
    }
    const Tables t = tables(error);
    if (!t.ok)
        return out;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    const QString column = kind == TalkerKind::Application ? QStringLiteral("application")
        : kind == TalkerKind::Channel                      ? QStringLiteral("channel")
                                                           : QStringLiteral("client_address");
    // the scope's columns, of the table named `prefix` in the query
    QVariantList scopeBinds;
    auto scoped = [&scope, &scopeBinds](const QString &prefix) {
        QString where;
        scopeBinds.clear();
        const std::pair<const std::optional<QString> *, const char *> columns[] = {
            {&scope.api, "api"}, {&scope.channel, "channel"}, {&scope.application, "application"}};
        for (const auto &[value, column] : columns)
            if (*value) {
                where += QStringLiteral(" AND COALESCE(%1%2, '') = ?")
                             .arg(prefix, QLatin1String(column));
                // (a null string would bind NULL, which equals nothing)
                scopeBinds.append((*value)->isNull() ? QStringLiteral("") : **value);
            }
        return where;
    };
    QHash<QString, Talker> talkers;
    auto run = [&](const QString &sql, auto &&take) {
        QSqlQuery q(db);
        if (!q.prepare(sql)) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
            return false;
        }
        q.addBindValue(fromMs);
        q.addBindValue(toMs);
        for (const QVariant &v : std::as_const(scopeBinds))
            q.addBindValue(v);
        if (!q.exec()) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
            return false;
        }
        while (q.next()) {
            Talker &talker = talkers[q.value(0).toString()];
            talker.name = q.value(0).toString();
            take(talker, q);
        }
        return true;
    };
    if (!run(QStringLiteral("SELECT COALESCE(%1, ''), COUNT(*), SUM(accepted = 0) FROM "
                            "log_handshakes WHERE time_ms >= ? AND time_ms < ?%2 GROUP BY 1")
                 .arg(column, scoped(QString())),
             [](Talker &talker, const QSqlQuery &q) {
                 talker.attempts += q.value(1).toLongLong();
                 talker.rejected += q.value(2).toLongLong();
             }))
        return out;
    // messages: those of the connections that closed in the range (every close row
    // knows its application and channel, and counts its messages both ways)
    const QString messages = kind != TalkerKind::ClientAddress
        ? QStringLiteral("SELECT COALESCE(%1, ''), SUM(messages_in + messages_out) FROM "
                         "log_closes WHERE time_ms >= ? AND time_ms < ?%2 GROUP BY 1")
              .arg(column, scoped(QString()))
        : QStringLiteral("SELECT COALESCE(h.client_address, ''), SUM(c.messages_in + "
                         "c.messages_out) FROM log_closes c JOIN log_handshakes h ON "
                         "h.connection_id = c.connection_id AND h.accepted = 1 AND h.time_ms "
                         "BETWEEN c.time_ms - c.duration_ms - 60000 AND c.time_ms WHERE c.time_ms "
                         ">= ? AND c.time_ms < ?%1 GROUP BY 1")
              .arg(scoped(QStringLiteral("c.")));
    if (!run(messages, [](Talker &talker, const QSqlQuery &q) {
            talker.messages += q.value(1).toLongLong();
        }))
        return out;
    out = talkers.values();
    std::sort(out.begin(), out.end(), [](const Talker &a, const Talker &b) {
        return a.messages != b.messages ? a.messages > b.messages
            : a.attempts != b.attempts  ? a.attempts > b.attempts
                                        : a.name < b.name;
    });
    if (out.size() > limit)
        out.resize(limit);
    return out;
}

qint64 MessageLogReader::count(const LogFilter &filter, QString *error)
{
    if (!isOpen()) {
        if (error)
            *error = QStringLiteral("message log: not open");
        return 0;
    }
    const Tables t = tables(error);
    if (!t.ok)
        return 0;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    auto failed = [&](const QSqlQuery &q) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return qint64(0);
    };
    qint64 total = 0;
    QVariantList binds;
    const QString inner = unionSql(filter, t.legacyMessages, &binds);
    if (!inner.isEmpty()) {
        QSqlQuery q(db);
        if (!q.prepare(QStringLiteral("SELECT COUNT(*) FROM (") + inner + u')'))
            return failed(q);
        for (const QVariant &v : std::as_const(binds))
            q.addBindValue(v);
        if (!q.exec() || !q.next())
            return failed(q);
        total += q.value(0).toLongLong();
    }
    if (!t.blocks || !wantsMessages(filter))
        return total;

    // Blocks wholly inside the time range count as their `count` when all their
    // messages match: single blocks (of the connection asked for, if any) without a
    // text filter or whose own text matches. The others are unpacked.
    const TextMatcher text(filter.text);
    QVariantList blockBinds;
    const QString where = blockWhere(db, filter, &blockBinds);
    QString inside = QStringLiteral("first_time_ms >= ? AND last_time_ms < ?");
    QVariantList insideBinds {filter.fromMs, filter.toMs};
    if (filter.connectionId != 0) {
        inside += QStringLiteral(" AND connection_id = ?");
        insideBinds.append(static_cast<qlonglong>(filter.connectionId));
    } else if (!filter.api.isEmpty() || !filter.channel.isEmpty()
               || !filter.application.isEmpty()) {
        // mixed blocks hold runs of other labels: they are read run by run
        inside += QStringLiteral(" AND connection_id != 0");
    }
    // (a block holds both directions and every action: with a direction or actions,
    // every block is unpacked)
    const bool wholeBlocks = text.isEmpty() && everyMessagePasses(filter);
    if (wholeBlocks) {
        QSqlQuery q(db);
        // (blocks of a format this build cannot read are left out, as query() does)
        if (!q.prepare(QStringLiteral("SELECT SUM(count) FROM log_message_blocks") + where
                       + QStringLiteral(" AND ") + inside
                       + QStringLiteral(" AND substr(data, 1, 1) IN (?, ?, ?)")))
            return failed(q);
        for (const QVariant &v : std::as_const(blockBinds))
            q.addBindValue(v);
        for (const QVariant &v : std::as_const(insideBinds))
            q.addBindValue(v);
        q.addBindValue(QByteArray(1, char(MessageBlock::FormatSingle)));
        q.addBindValue(QByteArray(1, char(MessageBlock::FormatMixed)));
        q.addBindValue(QByteArray(1, char(MessageBlock::FormatMixedCompact)));
        if (!q.exec() || !q.next())
            return failed(q);
        total += q.value(0).toLongLong();
    }
    QSqlQuery q(db);
    q.setForwardOnly(true);
    QString sql = QLatin1String(BlockColumns) + where;
    if (wholeBlocks)
        sql += QStringLiteral(" AND NOT (") + inside + u')';
    if (!q.prepare(sql))
        return failed(q);
    for (const QVariant &v : std::as_const(blockBinds))
        q.addBindValue(v);
    if (wholeBlocks) {
        for (const QVariant &v : std::as_const(insideBinds))
            q.addBindValue(v);
    }
    if (!q.exec())
        return failed(q);
    while (q.next()) {
        Block b = blockFromRow(q, filter, text);
        if (b.format == MessageBlock::FormatSingle && b.runs.first().textMatches
            && b.runs.first().labelsMatch && everyMessagePasses(filter)
            && b.firstTimeMs >= filter.fromMs && b.lastTimeMs < filter.toMs
            && (filter.connectionId == 0 || b.connectionId == filter.connectionId)) {
            total += b.count;
            continue;
        }
        forEachMessage(
            b, filter, text,
            [&](qsizetype, qint64, qsizetype, const MessageBlock::Message &) { ++total; });
    }
    return total;
}

} // namespace Gatehouse::Analytics
