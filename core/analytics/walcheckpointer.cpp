// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/walcheckpointer.h"

#include <QFile>
#include <QLoggingCategory>

#include <sqlite3.h>

#include <chrono>

#ifdef Q_OS_LINUX
#include <pthread.h>
#endif

namespace Gatehouse::Analytics {

Q_DECLARE_LOGGING_CATEGORY(lcLog)

WalCheckpointer::WalCheckpointer(const Options &options)
    : m_options(options)
{
    m_options.pages = std::max(1, m_options.pages);
    m_options.limitPages = std::max(1, m_options.limitPages);
}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

bool WalCheckpointer::start(sqlite3 *writer, const QString &path, QString *error)
{
    if (m_thread.joinable())
        return true;
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot open a checkpoint connection (%1)")
                         .arg(QString::fromUtf8(m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc)));
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    }
    // a checkpoint syncs the WAL before it copies and the database after
    sqlite3_exec(m_db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    m_writer = writer;
    m_stopping = false;
    m_requested = false;
    m_requestedAt = 0;
    m_thread = std::thread([this] { run(); });
    // replaces SQLite's automatic checkpoint on the writer's connection
    sqlite3_wal_hook(m_writer, &WalCheckpointer::walHook, this);
    return true;
}

void WalCheckpointer::stop()
{
    if (m_writer) {
        sqlite3_wal_hook(m_writer, nullptr, nullptr);
        m_writer = nullptr;
    }
    if (m_thread.joinable()) {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    sqlite3_close_v2(m_db);
    m_db = nullptr;
}

QString WalCheckpointer::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

int WalCheckpointer::walHook(void *self, sqlite3 *db, const char *name, int frames)
{
    auto *c = static_cast<WalCheckpointer *>(self);
    if (frames >= c->m_options.limitPages) {
        // written without a pause for the background to catch up with: copy the
        // rest here, so that the next write starts the WAL over
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
        ++c->m_writerCheckpoints;
        c->m_requestedAt = 0;
        return SQLITE_OK;
    }
    if (frames < c->m_requestedAt) // the WAL started over
        c->m_requestedAt = 0;
    if (frames - c->m_requestedAt >= c->m_options.pages) {
        c->m_requestedAt = frames;
        {
            std::lock_guard lock(c->m_mutex);
            c->m_requested = true;
        }
        c->m_wake.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::run()
{
    using namespace std::chrono_literals;
#ifdef Q_OS_LINUX
    pthread_setname_np(pthread_self(), "gatehouse-ckpt");
#endif
    std::unique_lock lock(m_mutex);
    bool behind = false; // the last checkpoint left frames written while it ran
    while (!m_stopping) {
        if (behind)
            m_wake.wait_for(lock, 100ms, [this] { return m_stopping || m_requested; });
        else
            m_wake.wait(lock, [this] { return m_stopping || m_requested; });
        if (m_stopping)
            break;
        m_requested = false;
        lock.unlock();
        int walFrames = 0;
        int copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(m_db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                                 &walFrames, &copied);
        lock.lock();
        if (rc == SQLITE_OK) {
            ++m_checkpoints;
            behind = copied < walFrames;
        } else {
            behind = false; // until the writer asks again
            const QString error = QString::fromUtf8(sqlite3_errmsg(m_db));
            if (error != m_error)
                qCWarning(lcLog).noquote() << "message log: background checkpoint:" << error;
            m_error = error;
        }
    }
}

} // namespace Gatehouse::Analytics
