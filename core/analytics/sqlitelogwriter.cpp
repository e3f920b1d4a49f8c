// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/sqlitelogwriter.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <sqlite3.h>

namespace Gatehouse::Analytics {

using Gateway::GatewayEvent;

namespace {

const char *const SchemaSql
    = "CREATE TABLE IF NOT EXISTS log_handshakes ("
      " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
      " accepted INTEGER NOT NULL, status INTEGER NOT NULL, reason TEXT,"
      " api TEXT, api_title TEXT, channel TEXT, path TEXT, application TEXT,"
      " client_address TEXT, backend_url TEXT, flags TEXT);"
      "CREATE TABLE IF NOT EXISTS log_messages ("
      " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
      " direction TEXT NOT NULL, action TEXT NOT NULL, size INTEGER NOT NULL,"
      " opcode TEXT NOT NULL, latency_us INTEGER, api TEXT, channel TEXT, application TEXT,"
      " reason TEXT, payload BLOB, payload_truncated INTEGER NOT NULL DEFAULT 0, flags TEXT);"
      "CREATE TABLE IF NOT EXISTS log_closes ("
      " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
      " code INTEGER, reason TEXT, closed_by TEXT, messages_in INTEGER, messages_out INTEGER,"
      " duration_ms INTEGER, api TEXT, channel TEXT, application TEXT, flags TEXT);"
      "CREATE INDEX IF NOT EXISTS log_handshakes_time ON log_handshakes(time_ms);"
      "CREATE INDEX IF NOT EXISTS log_handshakes_connection ON log_handshakes(connection_id);"
      "CREATE INDEX IF NOT EXISTS log_messages_time ON log_messages(time_ms);"
      // no connection index on log_messages: the reader finds a connection's
      // messages through the time index (an index insert per message is dear)
      "DROP INDEX IF EXISTS log_messages_connection;"
      "CREATE INDEX IF NOT EXISTS log_closes_time ON log_closes(time_ms);"
      "CREATE INDEX IF NOT EXISTS log_closes_connection ON log_closes(connection_id);";

const char *const HandshakeSql
    = "INSERT INTO log_handshakes (time_ms, connection_id, accepted, status, reason, api,"
      " api_title, channel, path, application, client_address, backend_url, flags)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
const char *const MessageSql
    = "INSERT INTO log_messages (time_ms, connection_id, direction, action, size, opcode,"
      " latency_us, api, channel, application, reason, payload, payload_truncated, flags)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
const char *const CloseSql
    = "INSERT INTO log_closes (time_ms, connection_id, code, reason, closed_by, messages_in,"
      " messages_out, duration_ms, api, channel, application, flags)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

// A statement's text parameters as UTF-8: the strings every event of a connection
// shares are converted once per connection, not once per message.
struct ConnectionText
{
    QString api; // the event's strings, to notice when they change
    QString channel;
    QString application;
    QStringList flags;
    bool filled = false;
    QByteArray apiUtf8;
    QByteArray channelUtf8;
    QByteArray applicationUtf8;
    QByteArray flagsUtf8;
};

// The text must stay unchanged until the statement has been stepped.
void bindText(sqlite3_stmt *stmt, int index, const QByteArray &utf8)
{
    if (utf8.isNull())
        sqlite3_bind_null(stmt, index);
    else
        sqlite3_bind_text(stmt, index, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
}

void bindTransient(sqlite3_stmt *stmt, int index, const QByteArray &utf8)
{
    if (utf8.isNull())
        sqlite3_bind_null(stmt, index);
    else
        sqlite3_bind_text(stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

void bindStatic(sqlite3_stmt *stmt, int index, const char *text)
{
    sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
}

void bindString(sqlite3_stmt *stmt, int index, const QString &text)
{
    bindTransient(stmt, index, text.isNull() ? QByteArray() : text.toUtf8());
}

QByteArray flagsUtf8(const QStringList &flags)
{
    return flags.join(u',').toUtf8();
}

} // namespace

struct SqliteLogWriter::Database
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *handshake = nullptr;
    sqlite3_stmt *message = nullptr;
    sqlite3_stmt *close = nullptr;
    sqlite3_stmt *begin = nullptr;
    sqlite3_stmt *commit = nullptr;
    QHash<quint64, ConnectionText> connections;

    ~Database()
    {
        for (sqlite3_stmt *s : {handshake, message, close, begin, commit})
            sqlite3_finalize(s);
        sqlite3_close_v2(db);
    }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(db)); }
    bool exec(const char *sql)
    {
        return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    bool prepare(const char *sql, sqlite3_stmt **stmt)
    {
        return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr)
            == SQLITE_OK;
    }
    // Runs a bound statement to completion and makes it ready for the next row
    // (every parameter is bound again for each row).
    bool step(sqlite3_stmt *stmt)
    {
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        return rc == SQLITE_DONE;
    }

    const ConnectionText &text(const GatewayEvent &e)
    {
        ConnectionText &t = connections[e.connectionId];
        // events of one connection share their strings: compare cheaply, convert rarely
        if (!t.filled || !t.api.isSharedWith(e.api) || !t.channel.isSharedWith(e.channel)
            || !t.application.isSharedWith(e.application) || t.flags != e.flags) {
            t.api = e.api;
            t.channel = e.channel;
            t.application = e.application;
            t.flags = e.flags;
            t.filled = true;
            t.apiUtf8 = e.api.isNull() ? QByteArray() : e.api.toUtf8();
            t.channelUtf8 = e.channel.isNull() ? QByteArray() : e.channel.toUtf8();
            t.applicationUtf8 = e.application.isNull() ? QByteArray() : e.application.toUtf8();
            t.flagsUtf8 = flagsUtf8(e.flags);
        }
        return t;
    }
};

SqliteLogWriter::SqliteLogWriter(const Options &options)
    : m_options(options)
{ }

SqliteLogWriter::~SqliteLogWriter()
{
    close();
}

bool SqliteLogWriter::open(QString *error)
{
    if (m_db)
        return true;
    auto fail = [&](const QString &why) {
        if (error)
            *error = m_options.path.isEmpty() ? why
                                              : QStringLiteral("%1: %2").arg(m_options.path, why);
        m_db.reset();
        return false;
    };
    if (m_options.path.isEmpty())
        return fail(QStringLiteral("message log: no database file given"));
    const QFileInfo info(m_options.path);
    if (!info.absoluteDir().exists() && !QDir().mkpath(info.absolutePath())) {
        if (error)
            *error = QStringLiteral("%1: cannot create the folder").arg(info.absolutePath());
        return false;
    }
    auto d = std::make_unique<Database>();
    const int rc = sqlite3_open_v2(QFile::encodeName(m_options.path).constData(), &d->db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    m_db = std::move(d);
    if (rc != SQLITE_OK)
        return fail(m_db->db ? m_db->error() : QStringLiteral("cannot open the database"));
    Database &db = *m_db;
    sqlite3_busy_timeout(db.db, 5000);
    sqlite3_stmt *wal = nullptr;
    bool walOn = false;
    if (db.prepare("PRAGMA journal_mode=WAL", &wal) && sqlite3_step(wal) == SQLITE_ROW) {
        const auto *mode = reinterpret_cast<const char *>(sqlite3_column_text(wal, 0));
        walOn = mode && qstricmp(mode, "wal") == 0;
    }
    sqlite3_finalize(wal);
    if (!walOn)
        return fail(QStringLiteral("cannot switch the database to WAL mode (%1)").arg(db.error()));
    if (!db.exec("PRAGMA synchronous=NORMAL") || !db.exec("BEGIN") || !db.exec(SchemaSql)
        || !db.exec("COMMIT")) {
        const QString why = db.error();
        db.exec("ROLLBACK");
        return fail(why);
    }
    if (!db.prepare(HandshakeSql, &db.handshake) || !db.prepare(MessageSql, &db.message)
        || !db.prepare(CloseSql, &db.close) || !db.prepare("BEGIN", &db.begin)
        || !db.prepare("COMMIT", &db.commit))
        return fail(db.error());
    return true;
}

bool SqliteLogWriter::write(const QList<GatewayEvent> &events, QString *error)
{
    if (!m_db) {
        if (error)
            *error = QStringLiteral("message log: the database is not open");
        return false;
    }
    Database &d = *m_db;
    auto failed = [&] {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.path, d.error());
        d.exec("ROLLBACK");
        return false;
    };
    if (!d.step(d.begin))
        return failed();
    for (const GatewayEvent &e : events) {
        const auto connection = static_cast<sqlite3_int64>(e.connectionId);
        switch (e.type) {
        case GatewayEvent::Type::ConnectionOpened:
        case GatewayEvent::Type::ConnectionRejected: {
            sqlite3_stmt *q = d.handshake;
            const bool accepted = e.type == GatewayEvent::Type::ConnectionOpened;
            sqlite3_bind_int64(q, 1, e.timeMs);
            sqlite3_bind_int64(q, 2, connection);
            sqlite3_bind_int(q, 3, accepted ? 1 : 0);
            sqlite3_bind_int(q, 4, e.status != 0 ? e.status : (accepted ? 101 : 0));
            bindString(q, 5, e.reason);
            bindString(q, 6, e.api);
            bindString(q, 7, e.apiTitle);
            bindString(q, 8, e.channel);
            bindString(q, 9, e.path);
            bindString(q, 10, e.application);
            bindString(q, 11, e.clientAddress);
            bindString(q, 12, e.backendUrl);
            bindTransient(q, 13, flagsUtf8(e.flags));
            if (!d.step(q))
                return failed();
            if (!accepted)
                d.connections.remove(e.connectionId);
            break;
        }
        case GatewayEvent::Type::MessageRelayed:
        case GatewayEvent::Type::MessageDropped:
        case GatewayEvent::Type::Throttled:
        case GatewayEvent::Type::PingForwarded: {
            sqlite3_stmt *q = d.message;
            QByteArray payload;
            bool truncated = false;
            if (m_options.payloads && !e.payload.isEmpty()) {
                payload = m_options.payloadFilter ? m_options.payloadFilter(e) : e.payload;
                truncated = e.payload.size() < e.size;
                if (m_options.maxPayloadSize >= 0 && payload.size() > m_options.maxPayloadSize) {
                    qsizetype cut = m_options.maxPayloadSize;
                    while (!e.binary && cut > 0
                           && (static_cast<unsigned char>(payload.at(cut)) & 0xC0) == 0x80)
                        --cut;
                    payload.truncate(cut);
                    truncated = true;
                }
            }
            const ConnectionText &t = d.text(e);
            sqlite3_bind_int64(q, 1, e.timeMs);
            sqlite3_bind_int64(q, 2, connection);
            bindStatic(q, 3, e.direction == Gateway::Direction::ClientToBackend ? "in" : "out");
            const char *action = e.type == GatewayEvent::Type::MessageDropped ? "dropped"
                : e.type == GatewayEvent::Type::Throttled                     ? "throttled"
                                                                              : "relayed";
            bindStatic(q, 4, action);
            sqlite3_bind_int64(q, 5, e.size);
            const char *opcode = e.type == GatewayEvent::Type::PingForwarded ? "ping"
                : e.binary                                                   ? "binary"
                                                                             : "text";
            bindStatic(q, 6, opcode);
            sqlite3_bind_int64(q, 7, e.latencyUs);
            bindText(q, 8, t.apiUtf8);
            bindText(q, 9, t.channelUtf8);
            bindText(q, 10, t.applicationUtf8);
            bindString(q, 11, e.reason);
            if (payload.isNull())
                sqlite3_bind_null(q, 12);
            else
                sqlite3_bind_blob64(q, 12, payload.constData(), sqlite3_uint64(payload.size()),
                                    SQLITE_STATIC); // `payload` outlives the step
            sqlite3_bind_int(q, 13, truncated ? 1 : 0);
            bindText(q, 14, t.flagsUtf8);
            if (!d.step(q))
                return failed();
            break;
        }
        case GatewayEvent::Type::ConnectionClosed: {
            sqlite3_stmt *q = d.close;
            sqlite3_bind_int64(q, 1, e.timeMs);
            sqlite3_bind_int64(q, 2, connection);
            sqlite3_bind_int(q, 3, int(e.closeCode));
            bindString(q, 4, e.closeReason);
            bindTransient(q, 5, Gateway::toString(e.closedBy).toUtf8());
            sqlite3_bind_int64(q, 6, e.messagesIn);
            sqlite3_bind_int64(q, 7, e.messagesOut);
            sqlite3_bind_int64(q, 8, e.durationMs);
            bindString(q, 9, e.api);
            bindString(q, 10, e.channel);
            bindString(q, 11, e.application);
            bindTransient(q, 12, flagsUtf8(e.flags));
            if (!d.step(q))
                return failed();
            d.connections.remove(e.connectionId);
            break;
        }
        }
    }
    if (!d.step(d.commit))
        return failed();
    return true;
}

void SqliteLogWriter::close()
{
    m_db.reset();
}

} // namespace Gatehouse::Analytics
