// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractEventDispatcher>

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace Gatehouse::Gateway {

// An event dispatcher for the gateway's worker threads built on Linux epoll.
// Qt's own Unix dispatcher hands every socket notifier to poll() on every turn of
// the loop, so its cost grows with the number of open connections (two sockets
// each); here the kernel keeps the interest list and a turn costs what is ready.
// Timers are kept ordered by deadline; posted events and wake-ups (an eventfd)
// behave as in Qt's dispatchers. Install it with QThread::setEventDispatcher()
// before the thread starts; after that every call but wakeUp() and interrupt()
// comes from that thread.
//
// Descriptors the gateway drives itself can skip Qt's notifier machinery: a watch
// (addWatch()) calls its Handler straight from the loop, with no event, no notifier
// and no signal in between, and epoll's own data finds the watch (no lookup).
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // What a watch calls when its descriptor is ready. A handler may change or remove
    // any watch (its own included) and add new ones from inside the call.
    class Handler
    {
    public:
        virtual void descriptorReadable() = 0;
        virtual void descriptorWritable() = 0;

    protected:
        ~Handler() = default;
    };
    // Work an object wants done on a later turn of the loop, after what is ready now,
    // without a posted event: the object keeps a Deferred and calls schedule(). It
    // runs once however often it was scheduled before its turn, and not at all when
    // cancelled or destroyed first. On other dispatchers it is a queued call to
    // `owner`.
    class Deferred
    {
    public:
        Deferred(QObject *owner, std::function<void()> run)
            : m_owner(owner)
            , m_run(std::move(run))
        { }
        ~Deferred() { cancel(); }
        Deferred(const Deferred &) = delete;
        Deferred &operator=(const Deferred &) = delete;

        void schedule();
        void cancel();
        bool isScheduled() const { return m_scheduled; }

    private:
        friend class EpollEventDispatcher;
        QObject *m_owner;
        std::function<void()> m_run;
        EpollEventDispatcher *m_dispatcher = nullptr; // while scheduled on one
        size_t m_slot = 0; // in m_dispatcher's list
        quint64 m_ticket = 0; // other dispatchers: which queued call counts
        std::shared_ptr<bool> m_alive; // other dispatchers: gone with this object
        bool m_scheduled = false;
    };

    // Names a watch; 0 is none. Stale ids (removed watches) are ignored safely.
    using WatchId = quint64;

    // The current thread's dispatcher if it is one of these, else null.
    static EpollEventDispatcher *current();

    // Watches `descriptor` for `handler` (a descriptor has either a watch or socket
    // notifiers, not both: notifiers it had go silent). A hang-up or error is reported
    // to whichever side is enabled. Returns 0 when epoll refused the descriptor.
    WatchId addWatch(int descriptor, Handler *handler, bool read, bool write);
    // Calls `handler` from now on (the same descriptor, the same registration).
    void setWatchHandler(WatchId id, Handler *handler);
    // Changes what the watch waits for; epoll is told only when that changes.
    void setWatchEnabled(WatchId id, bool read, bool write);
    void setWatchReadEnabled(WatchId id, bool on);
    void setWatchWriteEnabled(WatchId id, bool on);
    bool isWatchReadEnabled(WatchId id) const;
    bool isWatchWriteEnabled(WatchId id) const;
    // Ends the watch; its handler is not called again, not even for events already
    // collected in the current turn. `descriptorClosing`: the caller closes the
    // descriptor right after, which takes it out of epoll (no epoll_ctl here).
    void removeWatch(WatchId id, bool descriptorClosing = false);

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
    // The eventfd writes so far: wake-ups from other threads (a wake-up from the
    // loop's own thread needs none).
    quint64 wakeWrites() const { return m_wakeWrites.load(std::memory_order_relaxed); }

private:
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 events = 0; // what epoll watches now
    };
    struct Timer
    {
        QObject *object = nullptr; // null: no timer of this id here
        qint64 intervalMs = 0;
        qint64 dueNs = 0;
        quint64 order = 0; // equal deadlines fire in the order they were set
        int heapIndex = -1; // place in m_deadlines
        Qt::TimerType type = Qt::CoarseTimer;
        bool delivering = false; // its QTimerEvent is being handled now
    };

    struct DirectWatch
    {
        Handler *handler = nullptr; // null: slot free
        int fd = -1;
        quint32 generation = 0; // bumped on removal; part of the WatchId
        quint32 events = 0; // what epoll watches now
    };

    void wakeThroughEventfd();
    bool runDeferred();
    void updateWatch(int fd, Watch &watch);
    DirectWatch *directWatch(WatchId id);
    const DirectWatch *directWatch(WatchId id) const;
    void updateDirectWatch(WatchId id, DirectWatch &watch, quint32 events);
    void dispatchDirect(quint64 data, quint32 what);
    void activate(QSocketNotifier *notifier);
    bool fireTimers();
    int waitTimeoutMs() const;
    void setDue(int timerId, Timer &timer, qint64 dueNs);
    Timer *timer(int timerId);
    // m_deadlines is a binary heap of timer ids, earliest deadline first; each timer
    // knows its place, so that stopping one is no search and no allocation
    bool earlier(int a, int b) const;
    void placeInHeap(int index, int timerId);
    void siftUp(int index);
    void siftDown(int index);
    void removeFromHeap(int index);

    int m_epoll = -1;
    int m_wake = -1; // eventfd
    std::atomic<bool> m_wakePending {false};
    bool m_selfWake = false; // woken from its own thread: the next turn does not wait
    std::atomic<quint64> m_wakeWrites {0};
    std::atomic<quint64> m_interrupts {0}; // interrupt() calls so far
    std::unordered_map<int, Watch> m_watches; // by descriptor
    std::vector<DirectWatch> m_direct; // by slot (the low half of a WatchId)
    std::vector<quint32> m_freeDirect; // free slots of m_direct
    // by timer id (Qt hands out small ids and reuses them): starting and stopping a
    // timer, as every connection does a few times, allocates nothing
    std::vector<Timer> m_timers;
    std::vector<int> m_deadlines; // timer ids (see earlier())
    quint64 m_timerOrder = 0;
    struct DueTimer
    {
        int id;
        quint64 order; // the timer's as fireTimers() set it: changed means restarted
    };
    std::vector<DueTimer> m_due; // fireTimers()'s list, kept for its capacity
    std::vector<Deferred *> m_deferred; // scheduled; null: cancelled
    bool m_runningDeferred = false;
};

} // namespace Gatehouse::Gateway
