// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/sqlitelogwriter.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

namespace Gatehouse::Analytics {

using Gateway::GatewayEvent;

namespace {

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = QStringLiteral("%1: %2").arg(db.databaseName(), q.lastError().text());
    return false;
}

QString flagsText(const QStringList &flags)
{
    return flags.join(u',');
}

} // namespace

struct SqliteLogWriter::Statements
{
    QSqlDatabase db;
    QSqlQuery handshake;
    QSqlQuery message;
    QSqlQuery close;
};

SqliteLogWriter::SqliteLogWriter(const Options &options)
    : m_options(options)
{
    static std::atomic<int> serial {0};
    m_connectionName = QStringLiteral("gatehouse-log-writer-%1").arg(serial.fetch_add(1));
}

SqliteLogWriter::~SqliteLogWriter()
{
    close();
}

bool SqliteLogWriter::createSchema(QSqlDatabase &db, QString *error)
{
    const QStringList statements {
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS log_handshakes ("
            " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
            " accepted INTEGER NOT NULL, status INTEGER NOT NULL, reason TEXT,"
            " api TEXT, api_title TEXT, channel TEXT, path TEXT, application TEXT,"
            " client_address TEXT, backend_url TEXT, flags TEXT)"),
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS log_messages ("
            " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
            " direction TEXT NOT NULL, action TEXT NOT NULL, size INTEGER NOT NULL,"
            " opcode TEXT NOT NULL, latency_us INTEGER, api TEXT, channel TEXT, application TEXT,"
            " reason TEXT, payload BLOB, payload_truncated INTEGER NOT NULL DEFAULT 0, flags "
            "TEXT)"),
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS log_closes ("
            " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
            " code INTEGER, reason TEXT, closed_by TEXT, messages_in INTEGER, messages_out INTEGER,"
            " duration_ms INTEGER, api TEXT, channel TEXT, application TEXT, flags TEXT)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS log_handshakes_time ON log_handshakes(time_ms)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS log_handshakes_connection ON "
                       "log_handshakes(connection_id)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS log_messages_time ON log_messages(time_ms)"),
        QStringLiteral(
            "CREATE INDEX IF NOT EXISTS log_messages_connection ON log_messages(connection_id)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS log_closes_time ON log_closes(time_ms)"),
        QStringLiteral(
            "CREATE INDEX IF NOT EXISTS log_closes_connection ON log_closes(connection_id)"),
    };
    if (!db.transaction()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(db.databaseName(), db.lastError().text());
        return false;
    }
    for (const QString &sql : statements) {
        if (!exec(db, sql, error)) {
            db.rollback();
            return false;
        }
    }
    return db.commit();
}

bool SqliteLogWriter::open(QString *error)
{
    if (m_statements)
        return true;
    const QFileInfo info(m_options.path);
    if (m_options.path.isEmpty()) {
        if (error)
            *error = QStringLiteral("message log: no database file given");
        return false;
    }
    if (!info.absoluteDir().exists() && !QDir().mkpath(info.absolutePath())) {
        if (error)
            *error = QStringLiteral("%1: cannot create the folder").arg(info.absolutePath());
        return false;
    }
    auto s = std::make_unique<Statements>();
    s->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    s->db.setDatabaseName(m_options.path);
    s->db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.path, why);
        s.reset();
        QSqlDatabase::removeDatabase(m_connectionName);
        return false;
    };
    if (!s->db.open())
        return fail(s->db.lastError().text());
    {
        QSqlQuery wal(s->db);
        if (!wal.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !wal.next()
            || wal.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0)
            return fail(QStringLiteral("cannot switch the database to WAL mode"));
    }
    QString schemaError;
    if (!exec(s->db, QStringLiteral("PRAGMA synchronous=NORMAL"), &schemaError)
        || !createSchema(s->db, &schemaError))
        return fail(schemaError.section(QStringLiteral(": "), 1));

    s->handshake = QSqlQuery(s->db);
    s->message = QSqlQuery(s->db);
    s->close = QSqlQuery(s->db);
    const bool prepared = s->handshake.prepare(QStringLiteral(
                              "INSERT INTO log_handshakes (time_ms, connection_id, accepted, "
                              "status, reason, api, api_title,"
                              " channel, path, application, client_address, backend_url, flags)"
                              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"))
        && s->message.prepare(
            QStringLiteral("INSERT INTO log_messages (time_ms, connection_id, direction, action, "
                           "size, opcode, latency_us,"
                           " api, channel, application, reason, payload, payload_truncated, flags)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
        && s->close.prepare(QStringLiteral(
            "INSERT INTO log_closes (time_ms, connection_id, code, reason, closed_by, messages_in,"
            " messages_out, duration_ms, api, channel, application, flags)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
    if (!prepared)
        return fail(s->db.lastError().text());
    m_statements = std::move(s);
    return true;
}

bool SqliteLogWriter::write(const QList<GatewayEvent> &events, QString *error)
{
    if (!m_statements) {
        if (error)
            *error = QStringLiteral("message log: the database is not open");
        return false;
    }
    Statements &s = *m_statements;
    auto failed = [&](const QSqlQuery &q) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.path, q.lastError().text());
        s.db.rollback();
        return false;
    };
    if (!s.db.transaction()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.path, s.db.lastError().text());
        return false;
    }
    for (const GatewayEvent &e : events) {
        const qlonglong connection = static_cast<qlonglong>(e.connectionId);
        switch (e.type) {
        case GatewayEvent::Type::ConnectionOpened:
        case GatewayEvent::Type::ConnectionRejected: {
            QSqlQuery &q = s.handshake;
            const bool accepted = e.type == GatewayEvent::Type::ConnectionOpened;
            q.addBindValue(e.timeMs);
            q.addBindValue(connection);
            q.addBindValue(accepted ? 1 : 0);
            q.addBindValue(e.status != 0 ? e.status : (accepted ? 101 : 0));
            q.addBindValue(e.reason);
            q.addBindValue(e.api);
            q.addBindValue(e.apiTitle);
            q.addBindValue(e.channel);
            q.addBindValue(e.path);
            q.addBindValue(e.application);
            q.addBindValue(e.clientAddress);
            q.addBindValue(e.backendUrl);
            q.addBindValue(flagsText(e.flags));
            if (!q.exec())
                return failed(q);
            break;
        }
        case GatewayEvent::Type::MessageRelayed:
        case GatewayEvent::Type::MessageDropped:
        case GatewayEvent::Type::Throttled: {
            QSqlQuery &q = s.message;
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
            const QString action = e.type == GatewayEvent::Type::MessageRelayed
                ? QStringLiteral("relayed")
                : e.type == GatewayEvent::Type::MessageDropped ? QStringLiteral("dropped")
                                                               : QStringLiteral("throttled");
            q.addBindValue(e.timeMs);
            q.addBindValue(connection);
            q.addBindValue(Gateway::toString(e.direction));
            q.addBindValue(action);
            q.addBindValue(e.size);
            q.addBindValue(e.binary ? QStringLiteral("binary") : QStringLiteral("text"));
            q.addBindValue(e.latencyUs);
            q.addBindValue(e.api);
            q.addBindValue(e.channel);
            q.addBindValue(e.application);
            q.addBindValue(e.reason);
            q.addBindValue(payload.isNull() ? QVariant(QMetaType(QMetaType::QByteArray))
                                            : QVariant(payload));
            q.addBindValue(truncated ? 1 : 0);
            q.addBindValue(flagsText(e.flags));
            if (!q.exec())
                return failed(q);
            break;
        }
        case GatewayEvent::Type::ConnectionClosed: {
            QSqlQuery &q = s.close;
            q.addBindValue(e.timeMs);
            q.addBindValue(connection);
            q.addBindValue(static_cast<int>(e.closeCode));
            q.addBindValue(e.closeReason);
            q.addBindValue(Gateway::toString(e.closedBy));
            q.addBindValue(e.messagesIn);
            q.addBindValue(e.messagesOut);
            q.addBindValue(e.durationMs);
            q.addBindValue(e.api);
            q.addBindValue(e.channel);
            q.addBindValue(e.application);
            q.addBindValue(flagsText(e.flags));
            if (!q.exec())
                return failed(q);
            break;
        }
        }
    }
    if (!s.db.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.path, s.db.lastError().text());
        s.db.rollback();
        return false;
    }
    return true;
}

void SqliteLogWriter::close()
{
    if (!m_statements)
        return;
    m_statements->handshake = QSqlQuery();
    m_statements->message = QSqlQuery();
    m_statements->close = QSqlQuery();
    m_statements->db.close();
    m_statements.reset();
    QSqlDatabase::removeDatabase(m_connectionName);
}

} // namespace Gatehouse::Analytics
