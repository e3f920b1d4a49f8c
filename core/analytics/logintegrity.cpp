// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logintegrity.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace Gatehouse::Analytics {

void LogIntegrity::Stop::stop()
{
    std::lock_guard lock(m_mutex);
    m_stopped.store(true);
    if (m_db)
        sqlite3_interrupt(m_db); // the check ends at its next page
}

LogIntegrity::Result LogIntegrity::check(const QString &path, Stop *stop, int maxProblems)
{
    Result out;
    const QFileInfo info(path);
    if (!info.exists() || (info.isFile() && info.size() == 0)) {
        out.checked = true;
        return out;
    }
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        out.error = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("cannot open");
        sqlite3_close(db);
        return out;
    }
    // A log another connection keeps busy is waited for up to 5 s, in steps a stop
    // ends at once (whoever stops it may be waiting for this thread).
    struct Wait
    {
        Stop *stop;
    } wait {stop};
    sqlite3_busy_handler(
        db,
        [](void *data, int tries) -> int {
            const Stop *s = static_cast<Wait *>(data)->stop;
            if (tries >= 500 || (s && s->m_stopped.load()))
                return 0;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return 1;
        },
        &wait);
    if (stop) {
        std::lock_guard lock(stop->m_mutex);
        if (stop->m_stopped.load()) {
            sqlite3_close(db);
            out.error = QStringLiteral("stopped");
            return out;
        }
        stop->m_db = db;
    }
    sqlite3_stmt *q = nullptr;
    const QByteArray sql
        = "PRAGMA quick_check(" + QByteArray::number(std::max(1, maxProblems)) + ")";
    int rc = sqlite3_prepare_v2(db, sql.constData(), -1, &q, nullptr);
    QStringList rows;
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            rows.append(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q, 0)),
                                          sqlite3_column_bytes(q, 0)));
    }
    const int code = sqlite3_errcode(db) & 0xff;
    const QString message = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(q);
    if (stop) {
        std::lock_guard lock(stop->m_mutex); // (not interrupted once closed)
        stop->m_db = nullptr;
    }
    sqlite3_close(db);
    if (rc == SQLITE_DONE) {
        out.checked = true;
        if (!(rows.size() == 1 && rows.constFirst() == u"ok"))
            out.problems = rows;
    } else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        // so damaged that the check stops at it
        out.checked = true;
        out.problems = {message};
    } else {
        out.error = code == SQLITE_INTERRUPT ? QStringLiteral("stopped") : message;
    }
    if (stop) {
        std::lock_guard lock(stop->m_mutex);
        if (stop->m_stopped.load()) { // a result cut short is no result
            out = Result();
            out.error = QStringLiteral("stopped");
        }
    }
    return out;
}

QString LogIntegrity::describe(const Result &result)
{
    if (!result.damaged())
        return {};
    QString first = result.problems.constFirst().simplified();
    if (first.startsWith(u"*** in database main ***"))
        first = first.mid(24).trimmed();
    const QString more = result.problems.size() > 1
        ? QStringLiteral(", and %1 more").arg(result.problems.size() - 1)
        : QString();
    return QStringLiteral("the message log is damaged (%1%2): rows in the damaged part cannot "
                          "be read; move the file aside to start a new log")
        .arg(first, more);
}

LogIntegrityCheck::LogIntegrityCheck(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
{
    qRegisterMetaType<LogIntegrity::Result>();
}

LogIntegrityCheck::~LogIntegrityCheck()
{
    m_stop.stop();
    if (m_thread.joinable())
        m_thread.join();
}

void LogIntegrityCheck::start()
{
    if (m_thread.joinable())
        return; // once
    // The object outlives the thread (its destructor joins it); a call queued to it
    // and not delivered before it goes is dropped with it.
    m_thread = std::thread([this, path = m_path] {
        const LogIntegrity::Result result = LogIntegrity::check(path, &m_stop);
        m_done.store(true);
        if (!result.checked && result.error == u"stopped")
            return;
        QMetaObject::invokeMethod(
            this, [this, result] { Q_EMIT finished(result); }, Qt::QueuedConnection);
    });
}

} // namespace Gatehouse::Analytics
