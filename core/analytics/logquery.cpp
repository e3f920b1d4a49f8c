// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logquery.h"

#include "analytics/messagelogreader.h"

#include <QFileInfo>
#include <QThread>

namespace Gatehouse::Analytics {

LogQuery::LogQuery(QObject *parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_worker(new QObject)
    , m_reader(std::make_unique<MessageLogReader>())
{
    qRegisterMetaType<QList<Gatehouse::Analytics::LogRecord>>();
    qRegisterMetaType<QList<Gatehouse::Analytics::Talker>>();
    qRegisterMetaType<QList<Gatehouse::Analytics::GatewayMetrics::Point>>();
    qRegisterMetaType<QList<Gatehouse::Analytics::MetricsHistory::AlertMark>>();
    m_thread->setObjectName(QStringLiteral("gatehouse-log-query"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

LogQuery::~LogQuery()
{
    // the reader goes in its thread, where its connection was opened
    QMetaObject::invokeMethod(
        m_worker, [this] { m_reader.reset(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void LogQuery::setDatabase(const QString &path)
{
    QMetaObject::invokeMethod(m_worker, [this, path] { m_path = path; });
}

bool LogQuery::ensureOpen(QString *error)
{
    if (m_reader->isOpen() && m_openPath == m_path)
        return true;
    m_reader->close();
    if (m_path.isEmpty() || !QFileInfo(m_path).isFile()) {
        *error = m_path.isEmpty() ? QStringLiteral("no message log")
                                  : QStringLiteral("%1: no message log yet").arg(m_path);
        return false;
    }
    if (!m_reader->open(m_path, error))
        return false;
    m_openPath = m_path;
    return true;
}

void LogQuery::count(quint64 generation, const LogFilter &filter)
{
    QMetaObject::invokeMethod(m_worker, [this, generation, filter] {
        QString error;
        const qint64 n = ensureOpen(&error) ? m_reader->count(filter, &error) : 0;
        Q_EMIT counted(generation, error.isEmpty() ? n : 0, error);
    });
}

void LogQuery::fetch(quint64 generation, const LogFilter &filter, qint64 offset, qint64 limit)
{
    std::vector<std::pair<quint64, qint64>> dropped;
    {
        std::lock_guard lock(m_fetchMutex);
        m_fetches.push_back({generation, filter, offset, limit});
        while (m_fetches.size() > MaxPendingFetches) {
            dropped.emplace_back(m_fetches.front().generation, m_fetches.front().offset);
            m_fetches.pop_front();
        }
    }
    for (const auto &[g, o] : dropped)
        Q_EMIT fetchDropped(g, o);
    QMetaObject::invokeMethod(m_worker, [this] { runFetch(); });
}

void LogQuery::runFetch()
{
    PendingFetch f;
    {
        std::lock_guard lock(m_fetchMutex);
        if (m_fetches.empty())
            return; // dropped
        f = std::move(m_fetches.back());
        m_fetches.pop_back();
    }
    QString error;
    QList<LogRecord> rows;
    if (ensureOpen(&error))
        rows = m_reader->query(f.filter, f.offset, f.limit, &error);
    Q_EMIT fetched(f.generation, f.offset, rows, error);
}

void LogQuery::topTalkers(quint64 generation, int kind, qint64 fromMs, qint64 toMs, int limit,
                          const MetricsScope &scope)
{
    QMetaObject::invokeMethod(m_worker, [this, generation, kind, fromMs, toMs, limit, scope] {
        QString error;
        QList<Talker> talkers;
        if (ensureOpen(&error))
            talkers = m_reader->topTalkers(MessageLogReader::TalkerKind(kind), fromMs, toMs, limit,
                                           &error, scope);
        Q_EMIT talkersFound(generation, talkers, error);
    });
}

void LogQuery::history(quint64 generation, const MetricsHistory::Query &query)
{
    QMetaObject::invokeMethod(m_worker, [this, generation, query] {
        QString error;
        const QList<GatewayMetrics::Point> points = MetricsHistory::read(m_path, query, &error);
        Q_EMIT historyRead(generation, points, error);
    });
}

void LogQuery::alerts(quint64 generation, qint64 fromMs, qint64 toMs)
{
    QMetaObject::invokeMethod(m_worker, [this, generation, fromMs, toMs] {
        QString error;
        const QList<MetricsHistory::AlertMark> marks
            = MetricsHistory::readAlerts(m_path, fromMs, toMs, &error);
        Q_EMIT alertsRead(generation, marks, error);
    });
}

} // namespace Gatehouse::Analytics
