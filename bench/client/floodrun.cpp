// SPDX-License-Identifier: GPL-3.0-or-later
#include "floodrun.h"

#include "floodserver.h"

#include "client/clientmessagemodel.h"
#include "client/clienttab.h"

#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>

#include <ctime>

namespace Gatehouse::Bench {

namespace {

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 when unreadable.
qint64 statusKiB(const QByteArray &field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = field + ':';
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

// CPU time the calling thread has used.
qint64 threadCpuNs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// Sets VmHWM back to the current resident memory (Linux 4.0 and later).
void resetPeakMemory()
{
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    if (clearRefs.open(QIODevice::WriteOnly))
        clearRefs.write("5");
}

} // namespace

FloodRun::FloodRun(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_thread(new QThread(this))
    , m_server(new FloodServer)
{
    m_thread->setObjectName(QStringLiteral("flood server"));
    m_server->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_server, &QObject::deleteLater);
    m_thread->start();
}

FloodRun::~FloodRun()
{
    delete m_tab;
    m_thread->quit();
    m_thread->wait();
}

bool FloodRun::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    QTimer poll;
    connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done() || clock.elapsed() >= timeoutMs)
            loop.quit();
    });
    poll.start(1);
    if (!done())
        loop.exec();
    return done();
}

qint64 FloodRun::countedMessages() const
{
    // what the user reads: "↓ N received   ↑ ..."
    static const QRegularExpression received(QStringLiteral("(\\d+) received"));
    const auto *counters = m_tab->findChild<QLabel *>(QStringLiteral("clientCounters"));
    if (!counters)
        return -1;
    const auto match = received.match(counters->text());
    return match.hasMatch() ? match.captured(1).toLongLong() : 0;
}

void FloodRun::handleTick()
{
    const double gapMs = double(m_sinceTick.nsecsElapsed()) / 1e6;
    m_sinceTick.restart();
    const qint64 cpuNs = threadCpuNs();
    m_longestBusyMs = std::max(m_longestBusyMs, double(cpuNs - m_threadCpuNs) / 1e6);
    m_threadCpuNs = cpuNs;
    m_longestGapMs = std::max(m_longestGapMs, gapMs);
    if (gapMs > 50)
        ++m_gapsOver50Ms;
}

FloodRun::Result FloodRun::run()
{
    Result result;
    quint16 port = 0;
    QMetaObject::invokeMethod(
        m_server, [this, &port] { port = m_server->listen(); }, Qt::BlockingQueuedConnection);
    if (!port) {
        result.error = QStringLiteral("the flood server cannot listen");
        return result;
    }

    m_tab = new ClientTab;
    m_tab->resize(1200, 800);
    m_tab->show();
    if (m_settings.historyLimit > 0)
        m_tab->setHistoryLimit(m_settings.historyLimit);
    m_tab->urlEdit()->setText(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
    m_tab->connectToServer();
    if (!waitUntil([this] { return m_tab->isConnected(); }, 10000)) {
        result.error = QStringLiteral("the tab did not connect");
        return result;
    }
    waitUntil([] { return false; }, 500); // let the tab settle
    result.rssBeforeKiB = statusKiB("VmRSS");
    resetPeakMemory();

    QTimer ticks;
    ticks.setTimerType(Qt::PreciseTimer);
    connect(&ticks, &QTimer::timeout, this, &FloodRun::handleTick);
    m_longestGapMs = 0;
    m_gapsOver50Ms = 0;
    m_longestBusyMs = 0;
    m_threadCpuNs = threadCpuNs();
    m_sinceTick.start();
    ticks.start(5);

    QElapsedTimer wall;
    wall.start();
    m_tab->setComposerText(
        QStringLiteral("flood %1 %2").arg(m_settings.messages).arg(m_settings.size));
    if (!m_tab->sendComposed()) {
        result.error = QStringLiteral("the tab did not send the flood command");
        return result;
    }
    const bool all
        = waitUntil([this] { return countedMessages() >= m_settings.messages; }, 15 * 60 * 1000);
    result.wallMs = double(wall.nsecsElapsed()) / 1e6;
    result.received = countedMessages();
    result.longestGapMs = m_longestGapMs;
    result.gapsOver50Ms = m_gapsOver50Ms;
    result.longestBusyMs = m_longestBusyMs;
    ticks.stop();
    if (!all) {
        result.error = QStringLiteral("only %1 of %2 messages were counted in time")
                           .arg(result.received)
                           .arg(m_settings.messages);
        return result;
    }
    result.messagesPerSecond = double(m_settings.messages) * 1000.0 / result.wallMs;
    result.rssPeakKiB = statusKiB("VmHWM");
    waitUntil([] { return false; }, 1000);
    result.rssAfterKiB = statusKiB("VmRSS");
    m_tab->refreshNow();
    result.keptEvents = m_tab->messageModel()->eventCount();
    result.ok = true;
    return result;
}

} // namespace Gatehouse::Bench
