// SPDX-License-Identifier: GPL-3.0-or-later
// The message log block reader: the input is the `data` of a row of
// log_message_blocks (messageblock.h: a single block, a mixed block of either
// format, or damage) in a log database the writer created, read back through
// MessageLogReader as the window and `gatehouse-cli log` read it: every message, a
// text search, one connection, and the count. A log file may come from anywhere
// (copied, truncated, written by another build), so every byte is outside input.
//
// Input: byte 0 the row's message count (0-255, as stored; the reader must not
// trust it), then the block's data.
#include "fuzzsupport.h"

#include "analytics/messagelogreader.h"
#include "analytics/sqlitelogwriter.h"

#include <QDir>
#include <QFile>

#include <sqlite3.h>

using namespace Gatehouse;
using namespace Gatehouse::Analytics;

namespace {

constexpr qint64 FirstTimeMs = 1'750'000'000'000;

struct Log
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *clear = nullptr;
    sqlite3_stmt *insert = nullptr;
    MessageLogReader reader;
};

Log &log()
{
    static Log *l = [] {
        Fuzz::application(); // QSqlDatabase loads its driver through the application
        auto *out = new Log; // lives until the process ends
        const QString path = QDir(Fuzz::scratchDir()).filePath(QStringLiteral("log.db"));
        {
            SqliteLogWriter::Options options;
            options.path = path;
            SqliteLogWriter writer(options); // creates the schema as the gateway does
            QString error;
            if (!writer.open(&error))
                qFatal("message_block: %s", qPrintable(error));
            writer.close();
        }
        if (sqlite3_open(QFile::encodeName(path).constData(), &out->db) != SQLITE_OK
            || sqlite3_prepare_v2(out->db, "DELETE FROM log_message_blocks", -1, &out->clear,
                                  nullptr)
                != SQLITE_OK
            || sqlite3_prepare_v2(out->db,
                                  "INSERT INTO log_message_blocks (id, connection_id,"
                                  " first_time_ms, last_time_ms, count, api, channel,"
                                  " application, flags, data)"
                                  " VALUES (1, ?, ?, ?, ?, 'chats/1.0.0', '/rooms/{id}',"
                                  " 'app', 'tls', ?)",
                                  -1, &out->insert, nullptr)
                != SQLITE_OK)
            qFatal("message_block: cannot prepare the log");
        if (!out->reader.open(path))
            qFatal("message_block: the reader cannot open the log");
        return out;
    }();
    return *l;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::Input input(data, size);
    const quint8 count = input.byte();
    const QByteArrayView block = input.rest();
    Log &l = log();
    sqlite3_reset(l.clear);
    sqlite3_step(l.clear);
    // a single block's row names its connection; mixed ones have 0
    const bool single = !block.isEmpty() && block.front() == 1;
    sqlite3_reset(l.insert);
    sqlite3_bind_int64(l.insert, 1, single ? 7 : 0);
    sqlite3_bind_int64(l.insert, 2, FirstTimeMs);
    sqlite3_bind_int64(l.insert, 3, FirstTimeMs + 999);
    sqlite3_bind_int64(l.insert, 4, count);
    sqlite3_bind_blob(l.insert, 5, block.data(), int(block.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(l.insert) != SQLITE_DONE)
        qFatal("message_block: cannot write the block");

    LogFilter all;
    (void)l.reader.query(all, 0, 5000);
    (void)l.reader.count(all);
    LogFilter text;
    text.text = QStringLiteral("ab");
    (void)l.reader.query(text, 0, 100);
    LogFilter connection;
    connection.connectionId = 7;
    connection.fromMs = FirstTimeMs + 1;
    connection.toMs = FirstTimeMs + 500;
    (void)l.reader.query(connection, 1, 100);
    (void)l.reader.count(connection);
    return 0;
}
