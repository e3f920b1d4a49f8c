// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogreader.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include <atomic>

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

// The union of the selected kinds with their WHERE clauses; `binds` gets the values.
QString unionSql(const LogFilter &filter, QVariantList *binds)
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
        if (!filter.kinds.isEmpty() && !filter.kinds.contains(b.kind))
            continue;
        QString sql = QStringLiteral("SELECT ") + QLatin1String(b.columns)
            + QStringLiteral(" WHERE time_ms >= ? AND time_ms < ?");
        binds->append(filter.fromMs);
        binds->append(filter.toMs);
        if (filter.connectionId != 0) {
            sql += QStringLiteral(" AND connection_id = ?");
            binds->append(static_cast<qlonglong>(filter.connectionId));
            if (b.kind == LogRecord::Kind::Message) {
                // log_messages has no connection index (it would cost every relayed
                // message an index insert): the time index narrows the scan to what
                // came after the connection's handshake
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
        parts.append(sql);
    }
    return parts.join(QStringLiteral(" UNION ALL "));
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

QList<LogRecord> MessageLogReader::query(const LogFilter &filter, qint64 offset, qint64 limit,
                                         QString *error)
{
    QList<LogRecord> records;
    if (!isOpen()) {
        if (error)
            *error = QStringLiteral("message log: not open");
        return records;
    }
    QVariantList binds;
    const QString inner = unionSql(filter, &binds);
    if (inner.isEmpty())
        return records;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(inner + QStringLiteral(" ORDER BY time_ms, kind, id LIMIT ? OFFSET ?"))) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return records;
    }
    for (const QVariant &v : std::as_const(binds))
        q.addBindValue(v);
    q.addBindValue(std::max<qint64>(0, limit));
    q.addBindValue(std::max<qint64>(0, offset));
    if (!q.exec()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return records;
    }
    while (q.next()) {
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
        records.append(r);
    }
    return records;
}

qint64 MessageLogReader::count(const LogFilter &filter, QString *error)
{
    if (!isOpen()) {
        if (error)
            *error = QStringLiteral("message log: not open");
        return 0;
    }
    QVariantList binds;
    const QString inner = unionSql(filter, &binds);
    if (inner.isEmpty())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.prepare(QStringLiteral("SELECT COUNT(*) FROM (") + inner + u')')) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return 0;
    }
    for (const QVariant &v : std::as_const(binds))
        q.addBindValue(v);
    if (!q.exec() || !q.next()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return 0;
    }
    return q.value(0).toLongLong();
}

} // namespace Gatehouse::Analytics
