// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logschema.h"
#include "analytics/messagelogreader.h"
#include "analytics/sqlitelogwriter.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace Gatehouse;
using Analytics::LogSchema;
using Analytics::MessageLogReader;
using Analytics::SqliteLogWriter;

namespace {

bool exec(const QString &path, const char *sql, sqlite3 **keep = nullptr)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open(QFile::encodeName(path).constData(), &db) != SQLITE_OK)
        return false;
    const bool ok = sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    if (keep)
        *keep = db;
    else
        sqlite3_close(db);
    return ok;
}

qint64 userVersion(const QString &path)
{
    sqlite3 *db = nullptr;
    sqlite3_open(QFile::encodeName(path).constData(), &db);
    sqlite3_stmt *q = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, nullptr);
    const qint64 v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

QByteArray digest(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// Opening `path` as a log to write and to read: both refused, each with one line
// that names the file and says `reason`, and the file as it was.
void expectRefused(const QString &path, const QString &reason, int busyTimeoutMs = 5000)
{
    const QByteArray before = digest(path);
    SqliteLogWriter::Options o;
    o.path = path;
    o.busyTimeoutMs = busyTimeoutMs;
    SqliteLogWriter writer(o);
    QString error;
    QVERIFY(!writer.open(&error));
    QVERIFY2(error.startsWith(path + QStringLiteral(": ")), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    MessageLogReader reader;
    error.clear();
    QVERIFY(!reader.open(path, &error));
    QVERIFY2(error.startsWith(path + QStringLiteral(": ")), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QCOMPARE(digest(path), before); // nothing overwritten
}

} // namespace

class TestLogSchema final : public QObject
{
    Q_OBJECT
private slots:
    // A new log says its schema version; one of an earlier build gets it.
    void versionWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        SqliteLogWriter::Options o;
        o.path = path;
        SqliteLogWriter writer(o);
        QString error;
        QVERIFY2(writer.open(&error), qPrintable(error));
        writer.close();
        QCOMPARE(userVersion(path), qint64(LogSchema::Version));
        QVERIFY(LogSchema::check(path, 100, &error));
        MessageLogReader reader;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        // missing and empty files are new logs
        QVERIFY(LogSchema::check(dir.filePath(QStringLiteral("none.db")), 100, &error));
        QFile empty(dir.filePath(QStringLiteral("empty.db")));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        QVERIFY(LogSchema::check(empty.fileName(), 100, &error));
    }

    void newerVersionRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        {
            SqliteLogWriter::Options o;
            o.path = path;
            SqliteLogWriter writer(o);
            QVERIFY(writer.open(nullptr));
            writer.close();
        }
        QVERIFY(exec(path, "PRAGMA journal_mode=DELETE; PRAGMA user_version=3"));
        expectRefused(path,
                      QStringLiteral("written by a newer Gatehouse (message log schema 3; "
                                     "this version reads up to 2)"));
        QCOMPARE(userVersion(path), 3);
    }

    void notADatabase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int i = 0; i < 200; ++i)
            f.write("this is no database, only text that looks like nothing SQLite wrote\n");
        f.close();
        expectRefused(path, QStringLiteral("not a Gatehouse message log (not an SQLite database)"));
    }

    void lockedByAnotherProgram()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        sqlite3 *other = nullptr;
        QVERIFY(exec(path,
                     "PRAGMA journal_mode=DELETE; CREATE TABLE t (x); BEGIN EXCLUSIVE;"
                     " INSERT INTO t VALUES (1)",
                     &other));
        expectRefused(path, QStringLiteral("locked by another program"), 100);
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
    }
};

QTEST_GUILESS_MAIN(TestLogSchema)
#include "tst_logschema.moc"
