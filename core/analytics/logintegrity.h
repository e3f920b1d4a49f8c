// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <mutex>
#include <thread>

struct sqlite3;

namespace Gatehouse::Analytics {

// Looks through a whole message log for damage that opening it does not show (a page
// in the middle overwritten, a torn write from a failing disk): SQLite's quick_check
// over a read-only connection of its own, so the log's writer and readers go on.
// LogSchema::check() only reads the header and the schema.
class LogIntegrity final
{
public:
    struct Result
    {
        bool checked = false; // false: the check itself could not run (see error)
        QStringList problems; // empty: sound; else at most maxProblems, as SQLite says them
        QString error;
        bool damaged() const { return checked && !problems.isEmpty(); }
    };

    // Ends a check under way from another thread (then its result is not checked).
    class Stop
    {
    public:
        void stop();

    private:
        friend class LogIntegrity;
        std::mutex m_mutex;
        sqlite3 *m_db = nullptr; // the check's connection while it runs
        std::atomic<bool> m_stopped {false}; // (also read by the check's busy wait)
    };

    // Checks `path` now, on this thread; `stop` (may be null) can end it early. A
    // missing file is sound.
    static Result check(const QString &path, Stop *stop = nullptr, int maxProblems = 5);
    // One line for people: "the message log is damaged (PROBLEM, and N more): ..." with
    // what to do about it.
    static QString describe(const Result &result);
};

// LogIntegrity::check() on a thread of its own; finished() in the owner's thread.
// Deleting it stops a check under way and waits for it.
class LogIntegrityCheck final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogIntegrityCheck)
public:
    explicit LogIntegrityCheck(const QString &path, QObject *parent = nullptr);
    ~LogIntegrityCheck() override;
    void start();
    bool isRunning() const { return m_thread.joinable() && !m_done.load(); }

Q_SIGNALS:
    void finished(const Gatehouse::Analytics::LogIntegrity::Result &result);

private:
    QString m_path;
    LogIntegrity::Stop m_stop;
    std::atomic<bool> m_done {false};
    std::thread m_thread;
};

} // namespace Gatehouse::Analytics

Q_DECLARE_METATYPE(Gatehouse::Analytics::LogIntegrity::Result)
