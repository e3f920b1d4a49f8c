// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

namespace Gatehouse::Analytics {

// Checkpoints the message log's WAL from a thread and connection of its own, so
// that the writer never waits for a checkpoint's fsyncs. (SQLite's automatic
// checkpoint runs inside the commit that fills the WAL: on a loaded machine its
// fsyncs took from 0.1 to 2 s, while the gateway kept queueing a million events a
// second for the writer.)
//
// The writer's WAL hook asks for a PASSIVE checkpoint whenever `pages` frames were
// added since the last request; the thread runs it, and runs it again after a
// short wait while frames written meanwhile are left. A PASSIVE checkpoint never
// blocks the writer; the WAL starts over at the first write after one that copied
// everything. Under writes without any pause that moment may not come: at
// `limitPages` frames the writer checkpoints itself (RESTART), which bounds the
// file (most of it is copied already by then).
class WalCheckpointer final
{
public:
    struct Options
    {
        int pages = 1000; // frames added before a background checkpoint
        int limitPages = 65536; // WAL frames at which the writer checkpoints itself
    };

    explicit WalCheckpointer(const Options &options);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // Opens a connection of its own to `path` (the writer's database, in WAL mode),
    // starts the thread and installs the WAL hook on `writer`; false with `error`.
    bool start(sqlite3 *writer, const QString &path, QString *error);
    // Removes the hook, joins the thread and closes its connection. Before the
    // writer's connection closes (which then checkpoints what is left).
    void stop();

    // Background checkpoints run / checkpoints the writer had to run itself.
    qint64 checkpoints() const { return m_checkpoints.load(); }
    qint64 writerCheckpoints() const { return m_writerCheckpoints.load(); }
    // The last background checkpoint's error, empty when none failed.
    QString lastError() const;

private:
    static int walHook(void *self, sqlite3 *db, const char *name, int frames);
    void run();

    Options m_options;
    sqlite3 *m_writer = nullptr;
    sqlite3 *m_db = nullptr; // this thread's connection
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_requested = false;
    bool m_stopping = false;
    QString m_error;
    int m_requestedAt = 0; // WAL frames at the last request (writer thread only)
    std::atomic<qint64> m_checkpoints {0};
    std::atomic<qint64> m_writerCheckpoints {0};
};

} // namespace Gatehouse::Analytics
