// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logschema.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

namespace Gatehouse::Analytics {

bool LogSchema::check(const QString &path, int busyTimeoutMs, QString *why)
{
    const QFileInfo info(path);
    if (!info.exists() || (info.isFile() && info.size() == 0))
        return true;
    auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (!info.isFile())
        return fail(QStringLiteral("not a file"));
    sqlite3 *db = nullptr;
    int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    qint64 version = 0;
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, std::max(0, busyTimeoutMs));
        sqlite3_stmt *q = nullptr;
        // the schema is read too: a file that is not a database fails here
        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &q, nullptr);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(q);
            rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
        }
        sqlite3_finalize(q);
        q = nullptr;
        if (rc == SQLITE_OK) {
            rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, nullptr);
            if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
                version = sqlite3_column_int64(q, 0);
                rc = SQLITE_OK;
            }
            sqlite3_finalize(q);
        }
    }
    const int code = db ? sqlite3_extended_errcode(db) & 0xff : rc;
    const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString();
    sqlite3_close(db);
    if (rc != SQLITE_OK) {
        switch (code) {
        case SQLITE_NOTADB:
            return fail(QStringLiteral("not a Gatehouse message log (not an SQLite database)"));
        case SQLITE_CORRUPT:
            return fail(QStringLiteral("the message log is damaged (%1)").arg(message));
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return fail(QStringLiteral("locked by another program (waited %1 s); try again "
                                       "when it is done")
                            .arg(double(busyTimeoutMs) / 1000.0));
        case SQLITE_PERM:
        case SQLITE_CANTOPEN:
        case SQLITE_AUTH:
            return fail(QStringLiteral("cannot be opened (%1)").arg(message));
        default:
            return fail(message.isEmpty() ? QStringLiteral("cannot be read") : message);
        }
    }
    if (version > Version)
        return fail(QStringLiteral("written by a newer Gatehouse (message log schema %1; this "
                                   "version reads up to %2): nothing was changed")
                        .arg(version)
                        .arg(Version));
    return true;
}

} // namespace Gatehouse::Analytics
