// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

class QThread;
class QTimer;

namespace Gatehouse::Analytics {

// Keeps a message log within an age and a size: rows older than maxAgeMs go, then
// the oldest until the pages in use fit in maxBytes; the metrics' history rows go
// when older than historyMaxAgeMs. Deletes in small transactions
// of their own, so the log's writer waits a few milliseconds at most, never a sweep.
// The file keeps its size and reuses the freed pages.
class LogRetention final
{
public:
    struct Options
    {
        qint64 maxAgeMs = 30LL * 24 * 3600 * 1000; // 0: no age limit
        qint64 maxBytes = 1024LL * 1024 * 1024; // 0: no size limit
        // the metrics' one-minute rows (MetricsHistory), by age only: they are small
        qint64 historyMaxAgeMs = 30LL * 24 * 3600 * 1000; // 0: no age limit
        int batchRows = 2000; // rows per transaction
    };
    struct Result
    {
        qint64 deletedRows = 0;
        qint64 usedBytesBefore = 0;
        qint64 usedBytesAfter = 0;
    };

    // Once, now; false with a one-line error (the file and why).
    static bool enforce(const QString &path, const Options &options, qint64 nowMs, Result *result,
                        QString *error);
};

// LogRetention on a thread of its own: once at start(), then every interval.
class LogRetentionRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogRetentionRunner)
public:
    LogRetentionRunner(const QString &path, const LogRetention::Options &options,
                       int intervalMs = 10 * 60 * 1000, QObject *parent = nullptr);
    ~LogRetentionRunner() override;
    void start();

Q_SIGNALS:
    // From the runner's thread (queued to receivers elsewhere).
    void enforced(qint64 deletedRows, qint64 usedBytes);
    void failed(const QString &error);

private:
    QString m_path;
    LogRetention::Options m_options;
    int m_intervalMs;
    QThread *m_thread;
    QTimer *m_timer = nullptr; // lives in m_thread
};

} // namespace Gatehouse::Analytics
