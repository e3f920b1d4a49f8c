// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/sqlitelogwriter.h"

#include "storage/privatefile.h"

#include "analytics/loggedpayload.h"
#include "analytics/logschema.h"
#include "analytics/messageblock.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <sqlite3.h>

#include <array>
#include <unordered_map>

namespace Gatehouse::Analytics {

using Gateway::GatewayEvent;

namespace {

// log_messages (a row per message, schema 1) is no longer created; the reader
// still reads it in files written by earlier builds.
const char *const SchemaSql
    = "CREATE TABLE IF NOT EXISTS log_handshakes ("
      " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
      " accepted INTEGER NOT NULL, status INTEGER NOT NULL, reason TEXT,"
      " api TEXT, api_title TEXT, channel TEXT, path TEXT, application TEXT,"
      " client_address TEXT, backend_url TEXT, flags TEXT);"
      "CREATE TABLE IF NOT EXISTS log_message_blocks ("
      " id INTEGER PRIMARY KEY, connection_id INTEGER NOT NULL, first_time_ms INTEGER NOT NULL,"
      " last_time_ms INTEGER NOT NULL, count INTEGER NOT NULL, api TEXT, channel TEXT,"
      " application TEXT, flags TEXT, data BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS log_closes ("
      " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, connection_id INTEGER NOT NULL,"
      " code INTEGER, reason TEXT, closed_by TEXT, messages_in INTEGER, messages_out INTEGER,"
      " duration_ms INTEGER, api TEXT, channel TEXT, application TEXT, flags TEXT);"
      "CREATE INDEX IF NOT EXISTS log_handshakes_time ON log_handshakes(time_ms);"
      "CREATE INDEX IF NOT EXISTS log_handshakes_connection ON log_handshakes(connection_id);"
      // one index entry per block, always at the end of the index (times grow):
      // a connection's blocks are found by scanning it over the connection's
      // lifetime, reading its own blocks and the mixed ones (connection_id 0) but
      // not other connections' own blocks; an index on the connection alone would
      // be written in one place per open connection at every commit
      "CREATE INDEX IF NOT EXISTS log_message_blocks_time"
      " ON log_message_blocks(first_time_ms, connection_id);"
      "CREATE INDEX IF NOT EXISTS log_closes_time ON log_closes(time_ms);"
      "CREATE INDEX IF NOT EXISTS log_closes_connection ON log_closes(connection_id);";

const char *const HandshakeSql
    = "INSERT INTO log_handshakes (time_ms, connection_id, accepted, status, reason, api,"
      " api_title, channel, path, application, client_address, backend_url, flags)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
const char *const BlockSql
    = "INSERT INTO log_message_blocks (id, connection_id, first_time_ms, last_time_ms, count,"
      " api, channel, application, flags, data) VALUES (?,?,?,?,?,?,?,?,?,?)";
const char *const CloseSql
    = "INSERT INTO log_closes (time_ms, connection_id, code, reason, closed_by, messages_in,"
      " messages_out, duration_ms, api, channel, application, flags)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

// A statement's text parameters as UTF-8: the strings every event of a connection
// shares are converted once per connection, not once per message.
struct ConnectionText
{
    // the details of the event the text was made from, to notice when they change:
    // held (not just their address), so that freed details whose address is reused
    // for another connection's can never be taken for the same
    GatewayEvent::DetailsPointer details;
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

void bindString(sqlite3_stmt *stmt, int index, const QString &text)
{
    if (text.isNull()) {
        sqlite3_bind_null(stmt, index);
        return;
    }
    // Most of the text is ASCII (names, paths, addresses): copied into a buffer the
    // writer keeps for this parameter's number, which stays as it is until the row
    // is stepped (SQLITE_STATIC: SQLite takes no copy of its own); no new UTF-8
    // array per column of every event. step() clears the bindings after each row.
    thread_local std::array<QByteArray, 16> buffers;
    if (index < 1 || size_t(index) > buffers.size()) {
        bindTransient(stmt, index, text.toUtf8());
        return;
    }
    QByteArray &ascii = buffers[size_t(index - 1)];
    const qsizetype n = text.size();
    if (ascii.capacity() < n)
        ascii.reserve(qMax<qsizetype>(n, 64));
    ascii.resize(n);
    char *to = ascii.data();
    const auto *from = reinterpret_cast<const char16_t *>(text.constData());
    for (qsizetype i = 0; i < n; ++i) {
        if (from[i] >= 0x80) { // not ASCII: the whole conversion
            bindTransient(stmt, index, text.toUtf8());
            return;
        }
        to[i] = char(from[i]);
    }
    sqlite3_bind_text(stmt, index, to, int(n), SQLITE_STATIC);
}

QByteArray flagsUtf8(const QStringList &flags)
{
    return flags.join(u',').toUtf8();
}

// What the writer keeps per open connection: its text and the run being filled
// (as the data of a single block: format byte, then the messages).
struct Connection
{
    ConnectionText text;
    QByteArray data; // capacity kept between runs
    qint64 firstTimeMs = 0;
    qint64 lastTimeMs = 0;
    int count = 0; // messages in the run; 0 = no run open
};

bool same(const QString &a, const QString &b)
{
    // details built apart may still share their strings (a pointer comparison);
    // literals and null strings share nothing and are compared by content
    return a.isSharedWith(b) || a == b;
}

// Whether the event has the text `t` was made from. Events of one connection share
// their details: the common case is a pointer comparison, the strings are compared
// only when the details differ (e.g. built anew for an event of its own).
bool sameText(const ConnectionText &t, const GatewayEvent &e)
{
    if (!t.filled)
        return false;
    if (t.details == e.detailsPointer())
        return true;
    const GatewayEvent::Details &a = t.details ? *t.details : GatewayEvent::emptyDetails();
    const GatewayEvent::Details &b = e.details();
    return same(a.api, b.api) && same(a.channel, b.channel) && same(a.application, b.application)
        && a.flags == b.flags;
}

void setText(ConnectionText &t, const GatewayEvent &e)
{
    const GatewayEvent::Details &d = e.details();
    t.details = e.detailsPointer();
    t.filled = true;
    t.apiUtf8 = d.api.isNull() ? QByteArray() : d.api.toUtf8();
    t.channelUtf8 = d.channel.isNull() ? QByteArray() : d.channel.toUtf8();
    t.applicationUtf8 = d.application.isNull() ? QByteArray() : d.application.toUtf8();
    t.flagsUtf8 = flagsUtf8(d.flags);
}

} // namespace

struct SqliteLogWriter::Database
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *handshake = nullptr;
    sqlite3_stmt *block = nullptr;
    sqlite3_stmt *close = nullptr;
    sqlite3_stmt *begin = nullptr;
    sqlite3_stmt *commit = nullptr;
    // node-based: a Connection stays where it is while others are added
    std::unordered_map<quint64, Connection> connections;
    QList<quint64> openBlocks; // connections with a block open, in the order opened
    quint64 lastId = 0; // the connection of the previous message and its state
    Connection *last = nullptr;
    qint64 firstBlockId = 0; // > 0: the id the next block gets (above legacy ids)
    QByteArray mixed; // the mixed block being filled (format in messageblock.h)
    QByteArray single; // a packed run as a single block
    // its last run: time and text (copies: that connection may be gone by the next)
    qint64 mixedPreviousTimeMs = 0;
    int ownBlockMessages = MessageBlock::OwnBlockMessages;
    std::array<QByteArray, 4> mixedPreviousText;
    qint64 mixedFirstTimeMs = 0;
    qint64 mixedLastTimeMs = 0;
    int mixedCount = 0;

    std::unique_ptr<WalCheckpointer> checkpointer; // stopped before the writer closes

    ~Database()
    {
        checkpointer.reset();
        for (sqlite3_stmt *s : {handshake, block, close, begin, commit})
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
    // (every parameter is bound again for each row; text bound without a copy,
    // bindString(), is let go here, before its buffer is used again).
    bool step(sqlite3_stmt *stmt)
    {
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return rc == SQLITE_DONE;
    }
    // One integer from a query; `fallback` when it has no row or fails.
    qint64 scalar(const char *sql, qint64 fallback)
    {
        sqlite3_stmt *q = nullptr;
        qint64 value = fallback;
        if (sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK
            && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
            value = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        return value;
    }

    Connection &connection(quint64 id)
    {
        if (!last || lastId != id) {
            last = &connections[id];
            lastId = id;
        }
        return *last;
    }
    void forget(quint64 id)
    {
        connections.erase(id);
        last = nullptr;
    }

    // Inserts one row of log_message_blocks.
    bool insertRow(quint64 connection, qint64 firstTimeMs, qint64 lastTimeMs, int count,
                   const ConnectionText *text, QByteArrayView data)
    {
        sqlite3_stmt *q = block;
        if (firstBlockId > 0)
            sqlite3_bind_int64(q, 1, firstBlockId);
        else
            sqlite3_bind_null(q, 1);
        sqlite3_bind_int64(q, 2, static_cast<sqlite3_int64>(connection));
        sqlite3_bind_int64(q, 3, firstTimeMs);
        sqlite3_bind_int64(q, 4, lastTimeMs);
        sqlite3_bind_int(q, 5, count);
        bindText(q, 6, text ? text->apiUtf8 : QByteArray());
        bindText(q, 7, text ? text->channelUtf8 : QByteArray());
        bindText(q, 8, text ? text->applicationUtf8 : QByteArray());
        bindText(q, 9, text ? text->flagsUtf8 : QByteArray());
        sqlite3_bind_blob64(q, 10, data.constData(), sqlite3_uint64(data.size()), SQLITE_STATIC);
        if (!step(q))
            return false;
        if (firstBlockId > 0)
            ++firstBlockId;
        return true;
    }
    bool insertMixed()
    {
        if (mixedCount == 0)
            return true;
        const int count = std::exchange(mixedCount, 0);
        const bool ok = insertRow(0, mixedFirstTimeMs, mixedLastTimeMs, count, nullptr, mixed);
        if (mixed.capacity() > 256 * 1024)
            mixed = QByteArray();
        return ok;
    }
    // Ends the connection's open run (if any): a row of its own when it is long
    // enough, else a part of the mixed block.
    bool finishRun(quint64 id, Connection &c)
    {
        if (c.count == 0)
            return true;
        const int count = std::exchange(c.count, 0);
        const bool ok = storeRun(id, c.text, c.firstTimeMs, c.lastTimeMs, count, c.data);
        if (count >= ownBlockMessages && c.data.capacity() > 64 * 1024)
            c.data = QByteArray(); // a burst of big payloads: do not keep its memory
        return ok;
    }
    // Stores a run: `single` is its single block (FormatSingle, then its messages).
    bool storeRun(quint64 id, const ConnectionText &text, qint64 firstTimeMs, qint64 lastTimeMs,
                  int count, QByteArrayView single)
    {
        if (count >= ownBlockMessages)
            return insertRow(id, firstTimeMs, lastTimeMs, count, &text, single);
        if (mixedCount > 0
            && (mixedCount + count > MessageBlock::MaxMessages
                || std::max(mixedLastTimeMs, lastTimeMs) - std::min(mixedFirstTimeMs, firstTimeMs)
                    >= MessageBlock::MaxSpanMs)
            && !insertMixed())
            return false;
        const bool firstRun = mixedCount == 0;
        if (firstRun) {
            mixed.resize(0);
            mixed.append(char(MessageBlock::FormatMixedCompact));
            mixedFirstTimeMs = firstTimeMs;
            mixedLastTimeMs = lastTimeMs;
        }
        MessageBlock::CompactRun run;
        run.connectionId = id;
        run.firstTimeMs = firstTimeMs;
        run.count = count;
        run.text = {text.apiUtf8, text.channelUtf8, text.applicationUtf8, text.flagsUtf8};
        MessageBlock::CompactRun previous;
        previous.firstTimeMs = mixedPreviousTimeMs;
        for (size_t i = 0; i < previous.text.size(); ++i)
            previous.text[i] = mixedPreviousText[i];
        MessageBlock::appendCompactRun(mixed, run, firstRun ? nullptr : &previous,
                                       single.sliced(1));
        // kept for the next run; usually the same strings: no copy then
        mixedPreviousTimeMs = firstTimeMs;
        for (size_t i = 0; i < run.text.size(); ++i) {
            if (mixedPreviousText[i].isNull() != run.text[i].isNull()
                || mixedPreviousText[i] != run.text[i])
                mixedPreviousText[i] = run.text[i].toByteArray();
        }
        mixedFirstTimeMs = std::min(mixedFirstTimeMs, firstTimeMs);
        mixedLastTimeMs = std::max(mixedLastTimeMs, lastTimeMs);
        mixedCount += count;
        return true;
    }
    // After a failed transaction: the open blocks were not written.
    void dropOpenBlocks()
    {
        for (auto &[id, c] : connections)
            c.count = 0;
        openBlocks.clear();
        mixedCount = 0;
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
    // it says who connected where and when: for its owner's eyes only
    if (QString why; !PrivateFile::prepare(m_options.path, &why, true)) {
        if (error)
            *error = why;
        return false;
    }
    // a newer build's log, a damaged file or another program's lock: refused before
    // anything is written (switching to WAL would already change the file)
    if (QString why; !LogSchema::check(m_options.path, m_options.busyTimeoutMs, &why))
        return fail(why);
    auto d = std::make_unique<Database>();
    const int rc = sqlite3_open_v2(QFile::encodeName(m_options.path).constData(), &d->db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    m_db = std::move(d);
    if (rc != SQLITE_OK)
        return fail(m_db->db ? m_db->error() : QStringLiteral("cannot open the database"));
    Database &db = *m_db;
    db.ownBlockMessages = std::max(1, m_options.ownBlockMessages);
    sqlite3_busy_timeout(db.db, std::max(0, m_options.busyTimeoutMs));
    sqlite3_stmt *wal = nullptr;
    bool walOn = false;
    if (db.prepare("PRAGMA journal_mode=WAL", &wal) && sqlite3_step(wal) == SQLITE_ROW) {
        const auto *mode = reinterpret_cast<const char *>(sqlite3_column_text(wal, 0));
        walOn = mode && qstricmp(mode, "wal") == 0;
    }
    sqlite3_finalize(wal);
    if (!walOn)
        return fail(QStringLiteral("cannot switch the database to WAL mode (%1)").arg(db.error()));
    // after a burst the WAL starts over at a size it keeps; cut it back to 64 MiB
    if (!db.exec("PRAGMA synchronous=NORMAL") || !db.exec("PRAGMA journal_size_limit=67108864")
        || !db.exec("BEGIN") || !db.exec(SchemaSql)
        || (db.scalar("PRAGMA user_version", 0) < LogSchema::Version
            && !db.exec(QByteArray("PRAGMA user_version=" + QByteArray::number(LogSchema::Version))
                            .constData()))
        || !db.exec("COMMIT")) {
        const QString why = db.error();
        db.exec("ROLLBACK");
        return fail(why);
    }
    // Message ids are block id * MaxMessages + index: blocks start above the ids of
    // a log_messages table written by an earlier build, so ids stay unique.
    if (db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                  " AND name = 'log_messages'",
                  0)
            > 0
        && db.scalar("SELECT COUNT(*) FROM log_message_blocks", 0) == 0) {
        const qint64 legacyMax = db.scalar("SELECT MAX(id) FROM log_messages", 0);
        if (legacyMax > 0)
            db.firstBlockId = legacyMax / MessageBlock::MaxMessages + 1;
    }
    if (!db.prepare(HandshakeSql, &db.handshake) || !db.prepare(BlockSql, &db.block)
        || !db.prepare(CloseSql, &db.close) || !db.prepare("BEGIN", &db.begin)
        || !db.prepare("COMMIT", &db.commit))
        return fail(db.error());
    db.checkpointer = std::make_unique<WalCheckpointer>(m_options.checkpoint);
    QString why;
    if (!db.checkpointer->start(db.db, m_options.path, &why))
        return fail(why);
    return true;
}

bool SqliteLogWriter::write(EventSlices slices, QString *error)
{
    if (!m_db) {
        if (error)
            *error = QStringLiteral("message log: the database is not open");
        return false;
    }
    Database &d = *m_db;
    const qint64 firstBlockId = d.firstBlockId;
    auto failed = [&] {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.path, d.error());
        d.exec("ROLLBACK");
        d.dropOpenBlocks();
        d.firstBlockId = firstBlockId;
        return false;
    };
    if (!d.step(d.begin))
        return failed();
    for (const EventSpan &events : slices) {
        for (const GatewayEvent &e : events) {
            if (!writeEvent(e))
                return failed();
        }
    }
    for (const quint64 id : std::as_const(d.openBlocks)) {
        const auto it = d.connections.find(id);
        if (it != d.connections.end() && !d.finishRun(id, it->second))
            return failed();
    }
    d.openBlocks.clear();
    if (!d.insertMixed())
        return failed();
    if (!d.step(d.commit))
        return failed();
    return true;
}

bool SqliteLogWriter::writeEvent(const GatewayEvent &e)
{
    Database &d = *m_db;
    const auto connection = static_cast<sqlite3_int64>(e.connectionId);
    switch (e.type) {
    case GatewayEvent::Type::MessageRelayed:
    case GatewayEvent::Type::MessageDropped:
    case GatewayEvent::Type::Throttled:
    case GatewayEvent::Type::PingForwarded: {
        MessageBlock::Message m;
        m.timeMs = e.timeMs;
        m.size = e.size;
        m.latencyUs = e.latencyUs;
        m.bits = e.type == GatewayEvent::Type::MessageDropped ? MessageBlock::ActionDropped
            : e.type == GatewayEvent::Type::Throttled         ? MessageBlock::ActionThrottled
                                                              : MessageBlock::ActionRelayed;
        m.bits |= e.type == GatewayEvent::Type::PingForwarded ? MessageBlock::OpcodePing
            : e.binary                                        ? MessageBlock::OpcodeBinary
                                                              : MessageBlock::OpcodeText;
        if (e.direction != Gateway::Direction::ClientToBackend)
            m.bits |= MessageBlock::DirectionOut;
        QByteArray reason;
        if (!e.reason.isEmpty()) {
            reason = e.reason.toUtf8();
            m.reason = reason;
            m.bits |= MessageBlock::HasReason;
        }
        QByteArray filtered;
        if (m_options.payloads && !e.payload.isEmpty()) {
            QByteArrayView payload = e.payload;
            if (m_options.payloadFilter) {
                filtered = m_options.payloadFilter(e);
                payload = filtered;
            }
            bool truncated = e.payload.size() < e.size;
            const qsizetype kept = keptPayloadSize(payload, m_options.maxPayloadSize, e.binary);
            if (kept < payload.size()) {
                payload.truncate(kept);
                truncated = true;
            }
            m.payload = payload;
            m.bits |= MessageBlock::HasPayload;
            if (truncated)
                m.bits |= MessageBlock::PayloadTruncated;
        }

        Connection &c = d.connection(e.connectionId);
        const bool textChanged = !sameText(c.text, e);
        if (c.count > 0
            && (textChanged || e.timeMs < c.firstTimeMs
                || e.timeMs - c.firstTimeMs >= MessageBlock::MaxSpanMs
                || c.count >= MessageBlock::MaxMessages)) {
            if (!d.finishRun(e.connectionId, c))
                return false;
        }
        if (textChanged)
            setText(c.text, e);
        if (c.count == 0) {
            c.data.resize(0); // keeps the capacity
            c.data.append(char(MessageBlock::FormatSingle));
            c.firstTimeMs = e.timeMs;
            c.lastTimeMs = e.timeMs;
            d.openBlocks.append(e.connectionId);
        }
        MessageBlock::append(c.data, c.firstTimeMs, m);
        c.lastTimeMs = std::max(c.lastTimeMs, e.timeMs);
        ++c.count;
        return true;
    }
    case GatewayEvent::Type::MessageRun: {
        // packed by the relay: stored as it is (a row of its own or a part of the
        // mixed block), after the connection's messages before it
        if (e.recordCount <= 0)
            return true;
        Connection &c = d.connection(e.connectionId);
        if (c.count > 0 && !d.finishRun(e.connectionId, c))
            return false;
        if (!sameText(c.text, e))
            setText(c.text, e);
        d.single.resize(0);
        d.single.append(char(MessageBlock::FormatSingle));
        d.single.append(e.records);
        const int count = int(std::min<qint64>(e.recordCount, MessageBlock::MaxMessages));
        const bool ok = d.storeRun(e.connectionId, c.text, e.timeMs, e.timeMs + e.durationMs, count,
                                   d.single);
        if (d.single.capacity() > 64 * 1024)
            d.single = QByteArray();
        return ok;
    }
    case GatewayEvent::Type::ConnectionOpened:
    case GatewayEvent::Type::ConnectionRejected: {
        sqlite3_stmt *q = d.handshake;
        const bool accepted = e.type == GatewayEvent::Type::ConnectionOpened;
        sqlite3_bind_int64(q, 1, e.timeMs);
        sqlite3_bind_int64(q, 2, connection);
        sqlite3_bind_int(q, 3, accepted ? 1 : 0);
        sqlite3_bind_int(q, 4, e.status != 0 ? e.status : (accepted ? 101 : 0));
        bindString(q, 5, e.reason);
        const GatewayEvent::Details &details = e.details();
        bindString(q, 6, details.api);
        bindString(q, 7, details.apiTitle);
        bindString(q, 8, details.channel);
        bindString(q, 9, details.path);
        bindString(q, 10, details.application);
        bindString(q, 11, details.clientAddress);
        bindString(q, 12, details.backendUrl);
        bindTransient(q, 13, flagsUtf8(details.flags));
        if (!d.step(q))
            return false;
        if (!accepted)
            return forgetConnection(e.connectionId);
        return true;
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
        const GatewayEvent::Details &details = e.details();
        bindString(q, 9, details.api);
        bindString(q, 10, details.channel);
        bindString(q, 11, details.application);
        bindTransient(q, 12, flagsUtf8(details.flags));
        if (!d.step(q))
            return false;
        return forgetConnection(e.connectionId);
    }
    }
    return true;
}

bool SqliteLogWriter::forgetConnection(quint64 id)
{
    Database &d = *m_db;
    const auto it = d.connections.find(id);
    if (it == d.connections.end())
        return true;
    if (!d.finishRun(id, it->second)) // its last messages, before it is forgotten
        return false;
    d.forget(id);
    return true;
}

qint64 SqliteLogWriter::backgroundCheckpoints() const
{
    return m_db && m_db->checkpointer ? m_db->checkpointer->checkpoints() : 0;
}

qint64 SqliteLogWriter::writerCheckpoints() const
{
    return m_db && m_db->checkpointer ? m_db->checkpointer->writerCheckpoints() : 0;
}

void SqliteLogWriter::close()
{
    m_db.reset();
}

} // namespace Gatehouse::Analytics
