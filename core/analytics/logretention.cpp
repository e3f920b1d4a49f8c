// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logretention.h"

#include <QDateTime>
#include <QFile>
#include <QThread>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>
#include <limits>

namespace Gatehouse::Analytics {

namespace {

// The log's tables and the column that says how old a row is.
struct Table
{
    const char *name;
    const char *time;
};
constexpr Table Tables[] = {
    {"log_handshakes", "time_ms"},
    {"log_message_blocks", "last_time_ms"},
    {"log_closes", "time_ms"},
    {"log_messages", "time_ms"}, // files of earlier builds
};

class Connection
{
public:
    ~Connection() { sqlite3_close(db); }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(db)); }

    qint64 integer(const QByteArray &sql, bool *ok = nullptr) const
    {
        sqlite3_stmt *q = nullptr;
        qint64 v = 0;
        const bool prepared = sqlite3_prepare_v2(db, sql.constData(), -1, &q, nullptr) == SQLITE_OK;
        const int rc = prepared ? sqlite3_step(q) : SQLITE_ERROR;
        if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
            v = sqlite3_column_int64(q, 0);
        if (ok)
            *ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
        sqlite3_finalize(q);
        return v;
    }
    bool hasTable(const char *name) const
    {
        return integer(
                   QByteArray("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='")
                   + name + "'")
            > 0;
    }
    qint64 usedBytes() const
    {
        return (integer("PRAGMA page_count") - integer("PRAGMA freelist_count"))
            * integer("PRAGMA page_size");
    }
    // Deletes the rows older than `cutoff` in batches; false on an error.
    bool deleteBefore(const Table &t, qint64 cutoff, int batch, qint64 *deleted)
    {
        const QByteArray sql = QByteArray("DELETE FROM ") + t.name
            + " WHERE rowid IN (SELECT rowid FROM " + t.name + " WHERE " + t.time
            + " < ?1 ORDER BY " + t.time + " LIMIT ?2)";
        sqlite3_stmt *q = nullptr;
        if (sqlite3_prepare_v2(db, sql.constData(), -1, &q, nullptr) != SQLITE_OK)
            return false;
        for (;;) {
            sqlite3_bind_int64(q, 1, cutoff);
            sqlite3_bind_int(q, 2, batch);
            const int rc = sqlite3_step(q); // a transaction of its own
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) {
                sqlite3_finalize(q);
                return false;
            }
            const int n = sqlite3_changes(db);
            *deleted += n;
            if (n < batch)
                break;
        }
        sqlite3_finalize(q);
        return true;
    }

    sqlite3 *db = nullptr;
};

} // namespace

bool LogRetention::enforce(const QString &path, const Options &options, qint64 nowMs,
                           Result *result, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    };
    Result r;
    Connection c;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &c.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK)
        return fail(c.db ? c.error() : QStringLiteral("cannot be opened"));
    sqlite3_busy_timeout(c.db, 5000); // the writer's transactions are short
    QList<const Table *> tables;
    for (const Table &t : Tables)
        if (c.hasTable(t.name))
            tables.append(&t);
    const int batch = std::max(1, options.batchRows);
    r.usedBytesBefore = c.usedBytes();
    // the history's minutes and the alerts that marked them
    for (const Table &history :
         {Table {"metrics_minutes", "minute_ms"}, Table {"metrics_alerts", "time_ms"}})
        if (options.historyMaxAgeMs > 0 && c.hasTable(history.name)
            && !c.deleteBefore(history, nowMs - options.historyMaxAgeMs, batch, &r.deletedRows))
            return fail(c.error());
    if (options.maxAgeMs > 0)
        for (const Table *t : std::as_const(tables))
            if (!c.deleteBefore(*t, nowMs - options.maxAgeMs, batch, &r.deletedRows))
                return fail(c.error());
    // over the size: the oldest twentieth of the time the log spans, again and again
    if (options.maxBytes > 0 && c.usedBytes() > options.maxBytes) {
        qint64 oldest = std::numeric_limits<qint64>::max();
        qint64 newest = std::numeric_limits<qint64>::min();
        for (const Table *t : std::as_const(tables)) {
            const QByteArray name(t->name);
            const QByteArray time(t->time);
            if (c.integer("SELECT count(*) FROM " + name) == 0)
                continue;
            oldest = std::min(oldest, c.integer("SELECT min(" + time + ") FROM " + name));
            newest = std::max(newest, c.integer("SELECT max(" + time + ") FROM " + name));
        }
        const qint64 step = std::max<qint64>(1, (newest - oldest) / 20);
        for (qint64 cutoff = oldest + step;
             c.usedBytes() > options.maxBytes && cutoff <= newest + 1; cutoff += step)
            for (const Table *t : std::as_const(tables))
                if (!c.deleteBefore(*t, cutoff, batch, &r.deletedRows))
                    return fail(c.error());
    }
    r.usedBytesAfter = c.usedBytes();
    if (result)
        *result = r;
    return true;
}

LogRetentionRunner::LogRetentionRunner(const QString &path, const LogRetention::Options &options,
                                       int intervalMs, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_options(options)
    , m_intervalMs(intervalMs)
    , m_thread(new QThread(this))
{
    m_thread->setObjectName(QStringLiteral("gatehouse-retention"));
}

LogRetentionRunner::~LogRetentionRunner()
{
    m_thread->quit();
    m_thread->wait();
}

void LogRetentionRunner::start()
{
    if (m_thread->isRunning())
        return;
    auto *timer = new QTimer;
    timer->setInterval(m_intervalMs);
    timer->moveToThread(m_thread);
    m_timer = timer;
    connect(m_thread, &QThread::finished, timer, &QObject::deleteLater);
    auto run = [this] {
        LogRetention::Result r;
        QString error;
        if (LogRetention::enforce(m_path, m_options, QDateTime::currentMSecsSinceEpoch(), &r,
                                  &error))
            Q_EMIT enforced(r.deletedRows, r.usedBytesAfter);
        else
            Q_EMIT failed(error);
    };
    connect(timer, &QTimer::timeout, timer, run);
    m_thread->start();
    QMetaObject::invokeMethod(timer, [timer, run] {
        run();
        timer->start();
    });
}

} // namespace Gatehouse::Analytics
