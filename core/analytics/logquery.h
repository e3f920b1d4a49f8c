// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/gatewaymetrics.h"
#include "analytics/logrecord.h"
#include "analytics/metricshistory.h"

#include <QList>
#include <QObject>
#include <QString>

#include <deque>
#include <memory>
#include <mutex>

class QThread;

namespace Gatehouse::Analytics {

class MessageLogReader;

// The message log read on a thread of its own, for a caller that must never wait
// (the window): count() and fetch() return at once, counted() and fetched() bring
// the answers, each with the generation it was asked for, so a caller that changed
// its filter meanwhile knows an answer is stale.
//
// Fetches are served newest first, and only the newest MaxPendingFetches wait: a
// caller that jumps through a long log gets the rows it shows now first, and those
// of the places it passed are dropped (fetchDropped()) instead of read one by one.
class LogQuery final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogQuery)
public:
    explicit LogQuery(QObject *parent = nullptr);
    ~LogQuery() override;

    static constexpr std::size_t MaxPendingFetches = 4;

    void setDatabase(const QString &path);
    void count(quint64 generation, const LogFilter &filter);
    void fetch(quint64 generation, const LogFilter &filter, qint64 offset, qint64 limit);
    // kind: MessageLogReader::TalkerKind as an int
    void topTalkers(quint64 generation, int kind, qint64 fromMs, qint64 toMs, int limit,
                    const MetricsScope &scope = {});
    // The metrics' history (MetricsHistory::read) of the query's window.
    void history(quint64 generation, const MetricsHistory::Query &query);
    // The alerts kept of [fromMs, toMs] (MetricsHistory::readAlerts).
    void alerts(quint64 generation, qint64 fromMs, qint64 toMs);

Q_SIGNALS:
    void counted(quint64 generation, qint64 count, const QString &error);
    void fetched(quint64 generation, qint64 offset,
                 const QList<Gatehouse::Analytics::LogRecord> &rows, const QString &error);
    // A fetch was dropped unread (newer ones came); emitted in fetch()'s caller.
    void fetchDropped(quint64 generation, qint64 offset);
    void talkersFound(quint64 generation, const QList<Gatehouse::Analytics::Talker> &talkers,
                      const QString &error);
    void historyRead(quint64 generation,
                     const QList<Gatehouse::Analytics::GatewayMetrics::Point> &points,
                     const QString &error);
    void alertsRead(quint64 generation,
                    const QList<Gatehouse::Analytics::MetricsHistory::AlertMark> &alerts,
                    const QString &error);

private:
    bool ensureOpen(QString *error); // on the worker thread
    void runFetch(); // on the worker thread: the newest fetch waiting

    struct PendingFetch
    {
        quint64 generation;
        LogFilter filter;
        qint64 offset;
        qint64 limit;
    };
    std::mutex m_fetchMutex;
    std::deque<PendingFetch> m_fetches; // oldest first

    QThread *m_thread;
    QObject *m_worker; // lives in m_thread; the reader is used there only
    std::unique_ptr<MessageLogReader> m_reader;
    QString m_path;
    QString m_openPath;
};

} // namespace Gatehouse::Analytics
