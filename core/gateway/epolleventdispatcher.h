// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractEventDispatcher>

#include <atomic>
#include <initializer_list>
#include <map>
#include <unordered_map>

namespace Gatehouse::Gateway {

// An event dispatcher for the gateway's worker threads built on Linux epoll.
// Qt's own Unix dispatcher hands every socket notifier to poll() on every turn of
// the loop, so its cost grows with the number of open connections (two sockets
// each); here the kernel keeps the interest list and a turn costs what is ready.
// Timers are kept ordered by deadline; posted events and wake-ups (an eventfd)
// behave as in Qt's dispatchers. Install it with QThread::setEventDispatcher()
// before the thread starts; after that every call but wakeUp() and interrupt()
// comes from that thread.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused an epoll instance (then use Qt's dispatcher).
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Deletes `notifiers` (those of `descriptor`; null ones are skipped) and closes
    // `descriptor`, which must be the only descriptor of its socket. When the calling
    // thread runs an EpollEventDispatcher, the notifiers leave without an epoll_ctl
    // call each: closing the socket takes it out of the epoll set anyway.
    static void closeDescriptor(int descriptor, std::initializer_list<QSocketNotifier *> notifiers);

private:
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 events = 0; // what epoll watches now
        bool closing = false; // closeDescriptor() under way: no epoll_ctl
    };
    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 dueNs = 0;
        bool delivering = false; // its QTimerEvent is being handled now
    };

    void updateWatch(int fd, Watch &watch);
    void activate(QSocketNotifier *notifier);
    bool fireTimers();
    int waitTimeoutMs() const;
    void setDue(int timerId, Timer &timer, qint64 dueNs);

    int m_epoll = -1;
    int m_wake = -1; // eventfd
    std::atomic<bool> m_wakePending {false};
    std::atomic<quint64> m_interrupts {0}; // interrupt() calls so far
    std::unordered_map<int, Watch> m_watches; // by descriptor
    std::unordered_map<int, Timer> m_timers; // by timer id
    std::multimap<qint64, int> m_deadlines; // due time (ns) -> timer id
};

} // namespace Gatehouse::Gateway
