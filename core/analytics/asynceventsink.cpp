// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/asynceventsink.h"

#include <QLoggingCategory>
#include <QTimer>
#include <QVarLengthArray>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace Gatehouse::Analytics {

Q_LOGGING_CATEGORY(lcLog, "gatehouse.log")

AsyncEventSink::AsyncEventSink(std::unique_ptr<EventWriter> writer, QObject *parent)
    : AsyncEventSink(std::move(writer), Options(), parent)
{ }

AsyncEventSink::AsyncEventSink(std::unique_ptr<EventWriter> writer, const Options &options,
                               QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_writer(std::move(writer))
    , m_queue(options.capacity)
{
    if (m_options.batchSize < 1)
        m_options.batchSize = 1;
    m_options.maxBatchSize = std::max(m_options.maxBatchSize, m_options.batchSize);
}

AsyncEventSink::~AsyncEventSink()
{
    stop();
    delete m_context; // its thread has finished
}

bool AsyncEventSink::start(QString *error)
{
    if (m_running)
        return true;
    m_thread.setObjectName(m_options.threadName);
    m_thread.start();
    delete m_context;
    m_context = new QObject;
    m_context->moveToThread(&m_thread);

    bool opened = false;
    QString openError;
    QMetaObject::invokeMethod(
        m_context,
        [this, &opened, &openError] {
#ifdef Q_OS_LINUX
            // A lower share (nice) for this thread only, when asked; by default the
            // writer runs like the relay, so that under full load it keeps up rather
            // than dropping events.
            if (m_options.niceness != 0)
                ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), m_options.niceness);
#endif
            opened = m_writer->open(&openError);
            if (!opened)
                return;
            auto *timer = new QTimer(m_context);
            timer->setInterval(m_options.flushInterval);
            connect(timer, &QTimer::timeout, m_context, [this] { drain(); });
            timer->start();
        },
        Qt::BlockingQueuedConnection);
    if (!opened) {
        m_thread.quit();
        m_thread.wait();
        if (error)
            *error = openError;
        std::lock_guard lock(m_errorMutex);
        m_lastError = openError;
        return false;
    }
    m_running = true;
    return true;
}

void AsyncEventSink::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_paused = false;
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            drain();
            m_writer->close();
            qDeleteAll(m_context->children()); // the timer: stopped in its own thread
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void AsyncEventSink::consume(const QList<Gateway::GatewayEvent> &events)
{
    if (events.isEmpty())
        return;
    m_queue.push(events);
    if (m_running && m_queue.size() >= m_options.batchSize && !m_wakePending.exchange(true)) {
        QMetaObject::invokeMethod(
            m_context, [this] { drain(); }, Qt::QueuedConnection);
    }
}

bool AsyncEventSink::flush()
{
    if (!m_running || m_paused)
        return false;
    const qint64 target = m_queue.accepted();
    QMetaObject::invokeMethod(
        m_context, [this] { drain(); }, Qt::BlockingQueuedConnection);
    return m_written.load() + m_failed.load() >= target;
}

void AsyncEventSink::setPaused(bool paused)
{
    m_paused = paused;
}

QString AsyncEventSink::lastError() const
{
    std::lock_guard lock(m_errorMutex);
    return m_lastError;
}

void AsyncEventSink::writeBatch(EventSlices slices, qsizetype n)
{
    QString error;
    if (m_writer->write(slices, &error)) {
        m_written.fetch_add(n);
        m_lastWriteFailed = false;
        Q_EMIT batchWritten(n);
        return;
    }
    m_failed.fetch_add(n);
    m_lastWriteFailed = true;
    {
        std::lock_guard lock(m_errorMutex);
        m_lastError = error;
    }
    // not printed here, once per batch while the disk is full: the owner reports
    // (failedEvents(), writeFailed(); GatewayRuntime says how many were lost)
    Q_EMIT writeFailed(error);
}

void AsyncEventSink::drain()
{
    m_wakePending = false;
    if (m_paused)
        return;
    // The producers' batches, written in transactions of up to batchSize events
    // (more when there is a backlog):
    // each transaction is a list of slices of the batches (small batches joined,
    // big ones cut), pointing into the batches; no event is copied or moved.
    const QList<QList<Gateway::GatewayEvent>> batches = m_queue.takeAll();
    qsizetype waiting = 0;
    for (const QList<Gateway::GatewayEvent> &events : batches)
        waiting += events.size();
    const qsizetype batchSize
        = std::clamp(waiting / 4, m_options.batchSize, m_options.maxBatchSize);
    QVarLengthArray<EventSpan, 32> slices;
    qsizetype pending = 0;
    for (const QList<Gateway::GatewayEvent> &events : batches) {
        const EventSpan all(events.constData(), size_t(events.size()));
        size_t start = 0;
        while (start < all.size()) {
            const size_t n = std::min(all.size() - start, size_t(batchSize - pending));
            slices.append(all.subspan(start, n));
            pending += qsizetype(n);
            start += n;
            if (pending == batchSize) {
                writeBatch(EventSlices(slices.constData(), size_t(slices.size())), pending);
                slices.clear();
                pending = 0;
            }
        }
    }
    if (pending > 0)
        writeBatch(EventSlices(slices.constData(), size_t(slices.size())), pending);
    const qint64 dropped = m_queue.dropped();
    if (dropped != m_reportedDrops) {
        qCWarning(lcLog).noquote()
            << QStringLiteral(
                   "message log: %1 events dropped because the writer fell behind (queue of %2)")
                   .arg(dropped - m_reportedDrops)
                   .arg(m_queue.capacity());
        m_reportedDrops = dropped;
        Q_EMIT eventsDropped(dropped);
    }
}

} // namespace Gatehouse::Analytics
