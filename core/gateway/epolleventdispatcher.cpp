// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QScopeGuard>
#include <QSocketNotifier>

#include <array>
#include <cerrno>
#include <chrono>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Gatehouse::Gateway {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr qint64 NsPerMs = 1'000'000;

// epoll data of a watch: this bit, the slot's generation (31 bits) above the slot
// index (32 bits). Notifier registrations carry the bare descriptor (high half 0).
constexpr quint64 DirectTag = quint64(1) << 63;

quint64 directId(quint32 slot, quint32 generation)
{
    return DirectTag | (quint64(generation & 0x7fffffffU) << 32) | slot;
}

quint32 interest(bool read, bool write)
{
    return (read ? quint32(EPOLLIN | EPOLLRDHUP) : 0U) | (write ? quint32(EPOLLOUT) : 0U);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
    , m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll >= 0 && m_wake >= 0) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = m_wake;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev);
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    for (Deferred *d : m_deferred) // never to run: their owners outlive the loop
        if (d) {
            d->m_scheduled = false;
            d->m_dispatcher = nullptr;
        }
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

// ---- socket notifiers ------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    Watch &w = m_watches[fd];
    QSocketNotifier **slot = &w.read;
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        break;
    case QSocketNotifier::Write:
        slot = &w.write;
        break;
    case QSocketNotifier::Exception:
        slot = &w.exception;
        break;
    }
    // Another notifier of this type still registered means its descriptor was closed
    // without unregistering and the number now belongs to a new one, which epoll does
    // not watch (it dropped the old one on close): add it again even if the events
    // stay the same.
    if (*slot && *slot != notifier)
        w.events = 0;
    *slot = notifier;
    updateWatch(fd, w);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    Watch &w = it->second;
    if (w.read == notifier)
        w.read = nullptr;
    if (w.write == notifier)
        w.write = nullptr;
    if (w.exception == notifier)
        w.exception = nullptr;
    updateWatch(fd, w);
    if (!w.read && !w.write && !w.exception)
        m_watches.erase(it);
}

void EpollEventDispatcher::updateWatch(int fd, Watch &w)
{
    quint32 events = 0;
    if (w.read)
        events |= EPOLLIN | EPOLLRDHUP;
    if (w.write)
        events |= EPOLLOUT;
    if (w.exception)
        events |= EPOLLPRI;
    if (events == w.events)
        return;
    epoll_event ev {};
    ev.events = events;
    ev.data.fd = fd;
    if (events == 0) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev); // fails harmlessly on a closed fd
    } else if (w.events == 0) {
        if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    } else if (::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
        // the descriptor was closed and reused without unregistering first
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    }
    w.events = events;
}

// ---- direct watches --------------------------------------------------------------

EpollEventDispatcher *EpollEventDispatcher::current()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

EpollEventDispatcher::DirectWatch *EpollEventDispatcher::directWatch(WatchId id)
{
    if (!(id & DirectTag))
        return nullptr;
    const quint32 slot = quint32(id);
    if (slot >= m_direct.size())
        return nullptr;
    DirectWatch &w = m_direct[slot];
    if (!w.handler || directId(slot, w.generation) != id)
        return nullptr;
    return &w;
}

const EpollEventDispatcher::DirectWatch *EpollEventDispatcher::directWatch(WatchId id) const
{
    return const_cast<EpollEventDispatcher *>(this)->directWatch(id);
}

EpollEventDispatcher::WatchId EpollEventDispatcher::addWatch(int descriptor, Handler *handler,
                                                             bool read, bool write)
{
    if (descriptor < 0 || !handler || m_epoll < 0)
        return 0;
    // notifiers of the descriptor go silent; their epoll registration is modified
    // below instead of deleted and added
    bool registered = false;
    if (const auto it = m_watches.find(descriptor); it != m_watches.end()) {
        registered = it->second.events != 0;
        m_watches.erase(it);
    }

    quint32 slot = 0;
    if (!m_freeDirect.empty()) {
        slot = m_freeDirect.back();
        m_freeDirect.pop_back();
    } else {
        slot = quint32(m_direct.size());
        m_direct.emplace_back();
    }
    DirectWatch &w = m_direct[slot];
    w.handler = handler;
    w.fd = descriptor;
    const WatchId id = directId(slot, w.generation);
    const quint32 events = interest(read, write);
    if (events == 0) {
        if (registered) {
            epoll_event ev {};
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, descriptor, &ev);
        }
        w.events = 0;
        return id;
    }
    epoll_event ev {};
    ev.events = events;
    ev.data.u64 = id;
    int rc = ::epoll_ctl(m_epoll, registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, descriptor, &ev);
    if (rc != 0 && (errno == EEXIST || errno == ENOENT)) // closed and reused unnoticed
        rc = ::epoll_ctl(m_epoll, registered ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, descriptor, &ev);
    if (rc != 0) {
        w.handler = nullptr;
        ++w.generation;
        m_freeDirect.push_back(slot);
        return 0;
    }
    w.events = events;
    return id;
}

void EpollEventDispatcher::updateDirectWatch(WatchId id, DirectWatch &w, quint32 events)
{
    if (events == w.events)
        return;
    epoll_event ev {};
    ev.events = events;
    ev.data.u64 = id;
    // with nothing to wait for the descriptor leaves epoll: it would report a hang-up
    // on every turn otherwise
    if (events == 0) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, w.fd, &ev);
    } else if (w.events == 0) {
        if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, w.fd, &ev) != 0 && errno == EEXIST)
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, w.fd, &ev);
    } else if (::epoll_ctl(m_epoll, EPOLL_CTL_MOD, w.fd, &ev) != 0 && errno == ENOENT) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, w.fd, &ev);
    }
    w.events = events;
}

void EpollEventDispatcher::setWatchHandler(WatchId id, Handler *handler)
{
    if (!handler)
        return;
    if (DirectWatch *w = directWatch(id))
        w->handler = handler;
}

void EpollEventDispatcher::setWatchEnabled(WatchId id, bool read, bool write)
{
    if (DirectWatch *w = directWatch(id))
        updateDirectWatch(id, *w, interest(read, write));
}

void EpollEventDispatcher::setWatchReadEnabled(WatchId id, bool on)
{
    if (DirectWatch *w = directWatch(id))
        updateDirectWatch(id, *w, interest(on, w->events & EPOLLOUT));
}

void EpollEventDispatcher::setWatchWriteEnabled(WatchId id, bool on)
{
    if (DirectWatch *w = directWatch(id))
        updateDirectWatch(id, *w, interest(w->events & EPOLLIN, on));
}

bool EpollEventDispatcher::isWatchReadEnabled(WatchId id) const
{
    const DirectWatch *w = directWatch(id);
    return w && (w->events & EPOLLIN);
}

bool EpollEventDispatcher::isWatchWriteEnabled(WatchId id) const
{
    const DirectWatch *w = directWatch(id);
    return w && (w->events & EPOLLOUT);
}

void EpollEventDispatcher::removeWatch(WatchId id, bool descriptorClosing)
{
    DirectWatch *w = directWatch(id);
    if (!w)
        return;
    if (w->events != 0 && !descriptorClosing) {
        epoll_event ev {};
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, w->fd, &ev);
    }
    w->handler = nullptr;
    w->fd = -1;
    w->events = 0;
    ++w->generation; // events of this turn still naming it are dropped
    m_freeDirect.push_back(quint32(id));
}

void EpollEventDispatcher::dispatchDirect(quint64 data, quint32 what)
{
    // The watch is looked up again before each call: the handler (or an earlier one
    // of this turn) may have changed or removed it.
    if (what & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        DirectWatch *w = directWatch(data);
        if (!w)
            return;
        if (w->events & EPOLLIN)
            w->handler->descriptorReadable();
    }
    if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        DirectWatch *w = directWatch(data);
        if (w && (w->events & EPOLLOUT))
            w->handler->descriptorWritable();
    }
}

void EpollEventDispatcher::activate(QSocketNotifier *notifier)
{
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
}

// ---- deferred work ---------------------------------------------------------------

void EpollEventDispatcher::Deferred::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    if (EpollEventDispatcher *d = current()) {
        m_dispatcher = d;
        m_slot = d->m_deferred.size();
        d->m_deferred.push_back(this);
        return;
    }
    // another dispatcher: a queued call to the owner, which may outlive this object
    const quint64 ticket = ++m_ticket;
    if (!m_alive)
        m_alive = std::make_shared<bool>(true);
    QMetaObject::invokeMethod(
        m_owner,
        [this, alive = std::weak_ptr<bool>(m_alive), ticket] {
            if (alive.expired() || !m_scheduled || m_ticket != ticket)
                return; // destroyed, or cancelled (perhaps scheduled again: a later call counts)
            m_scheduled = false;
            m_run();
        },
        Qt::QueuedConnection);
}

void EpollEventDispatcher::Deferred::cancel()
{
    if (!m_scheduled)
        return;
    m_scheduled = false;
    ++m_ticket;
    if (m_dispatcher)
        m_dispatcher->m_deferred[m_slot] = nullptr;
    m_dispatcher = nullptr;
}

bool EpollEventDispatcher::runDeferred()
{
    // what was scheduled before this pass; what its work schedules waits for the next
    // (as does all of it in a nested loop started from a deferred call)
    const size_t count = m_deferred.size();
    if (count == 0 || m_runningDeferred)
        return false;
    m_runningDeferred = true;
    const auto done = qScopeGuard([this] { m_runningDeferred = false; });
    for (size_t i = 0; i < count; ++i) {
        Deferred *d = m_deferred[i];
        if (!d)
            continue;
        m_deferred[i] = nullptr;
        d->m_scheduled = false;
        d->m_dispatcher = nullptr;
        d->m_run(); // may delete other Deferreds (cancelled above) or schedule anew
    }
    m_deferred.erase(m_deferred.begin(), m_deferred.begin() + qsizetype(count));
    for (size_t i = 0; i < m_deferred.size(); ++i)
        if (m_deferred[i])
            m_deferred[i]->m_slot = i;
    return true;
}

// ---- timers ----------------------------------------------------------------------

EpollEventDispatcher::Timer *EpollEventDispatcher::timer(int timerId)
{
    if (timerId <= 0 || size_t(timerId) >= m_timers.size() || !m_timers[size_t(timerId)].object)
        return nullptr;
    return &m_timers[size_t(timerId)];
}

bool EpollEventDispatcher::earlier(int a, int b) const
{
    const Timer &x = m_timers[size_t(a)];
    const Timer &y = m_timers[size_t(b)];
    return x.dueNs != y.dueNs ? x.dueNs < y.dueNs : x.order < y.order;
}

void EpollEventDispatcher::placeInHeap(int index, int timerId)
{
    m_deadlines[size_t(index)] = timerId;
    m_timers[size_t(timerId)].heapIndex = index;
}

void EpollEventDispatcher::siftUp(int index)
{
    const int id = m_deadlines[size_t(index)];
    while (index > 0) {
        const int parent = (index - 1) / 2;
        if (!earlier(id, m_deadlines[size_t(parent)]))
            break;
        placeInHeap(index, m_deadlines[size_t(parent)]);
        index = parent;
    }
    placeInHeap(index, id);
}

void EpollEventDispatcher::siftDown(int index)
{
    const int count = int(m_deadlines.size());
    const int id = m_deadlines[size_t(index)];
    for (;;) {
        int child = 2 * index + 1;
        if (child >= count)
            break;
        if (child + 1 < count
            && earlier(m_deadlines[size_t(child + 1)], m_deadlines[size_t(child)]))
            ++child;
        if (!earlier(m_deadlines[size_t(child)], id))
            break;
        placeInHeap(index, m_deadlines[size_t(child)]);
        index = child;
    }
    placeInHeap(index, id);
}

void EpollEventDispatcher::removeFromHeap(int index)
{
    const int removed = m_deadlines[size_t(index)];
    m_timers[size_t(removed)].heapIndex = -1;
    const int last = m_deadlines.back();
    m_deadlines.pop_back();
    if (index == int(m_deadlines.size()))
        return;
    placeInHeap(index, last);
    siftDown(index);
    siftUp(m_timers[size_t(last)].heapIndex);
}

void EpollEventDispatcher::setDue(int timerId, Timer &timer, qint64 dueNs)
{
    timer.dueNs = dueNs;
    timer.order = ++m_timerOrder;
    if (timer.heapIndex < 0) {
        m_deadlines.push_back(timerId);
        timer.heapIndex = int(m_deadlines.size()) - 1;
        siftUp(timer.heapIndex);
        return;
    }
    // a later deadline (the usual case: a restart) moves down, an earlier one up
    siftDown(timer.heapIndex);
    siftUp(timer.heapIndex);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    if (timerId <= 0 || !object)
        return;
    if (size_t(timerId) >= m_timers.size())
        m_timers.resize(qMax(size_t(timerId) + 1, m_timers.size() * 2));
    Timer &t = m_timers[size_t(timerId)];
    t.object = object;
    t.intervalMs = qMax<qint64>(0, interval);
    t.type = timerType;
    t.delivering = false;
    setDue(timerId, t, nowNs() + t.intervalMs * NsPerMs);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    Timer *t = timer(timerId);
    if (!t)
        return false;
    if (t->heapIndex >= 0)
        removeFromHeap(t->heapIndex);
    *t = Timer();
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (size_t id = 1; id < m_timers.size(); ++id)
        if (m_timers[id].object == object) {
            unregisterTimer(int(id));
            any = true;
        }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (size_t id = 1; id < m_timers.size(); ++id) {
        const Timer &t = m_timers[id];
        if (t.object && t.object == object)
            list.append(TimerInfo(int(id), int(t.intervalMs), t.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const Timer *t = timer(timerId);
    if (!t)
        return -1;
    const qint64 left = t->dueNs - nowNs();
    return left <= 0 ? 0 : int((left + NsPerMs - 1) / NsPerMs);
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    if (m_deadlines.empty())
        return -1;
    const qint64 left = m_timers[size_t(m_deadlines.front())].dueNs - nowNs();
    if (left <= 0)
        return 0;
    // round up: waking before the deadline would only spin
    return int(qMin<qint64>((left + NsPerMs - 1) / NsPerMs, 24 * 3600 * 1000));
}

bool EpollEventDispatcher::fireTimers()
{
    if (m_deadlines.empty())
        return false;
    const qint64 now = nowNs();
    if (m_timers[size_t(m_deadlines.front())].dueNs > now)
        return false;
    // The timers due now, in deadline order, each set to its next deadline before any
    // fires; each fires once per pass even if its interval is shorter than the pass
    // (interval 0 timers fire once per turn of the loop). A handler may start a nested
    // loop that fires timers too: this pass works on its own list.
    std::vector<DueTimer> due;
    due.swap(m_due);
    due.clear();
    while (!m_deadlines.empty()) {
        const int id = m_deadlines.front();
        Timer &t = m_timers[size_t(id)];
        if (t.dueNs > now)
            break;
        // the next deadline counts from the previous one, not from now, unless
        // that one has already passed (a busy loop skips beats instead of bursting)
        qint64 next = t.dueNs + t.intervalMs * NsPerMs;
        if (next <= now)
            next = now + qMax<qint64>(1, t.intervalMs * NsPerMs);
        setDue(id, t, next);
        due.push_back({id, t.order});
    }
    bool fired = false;
    for (const DueTimer &d : due) {
        Timer *t = timer(d.id);
        if (!t || t->order != d.order)
            continue; // stopped or restarted by an earlier timer of this pass
        // a handler that runs a nested event loop does not get its own timer again
        // inside it (as with Qt's dispatchers); the beat is skipped
        if (t->delivering)
            continue;
        t->delivering = true;
        QTimerEvent event(d.id);
        QCoreApplication::sendEvent(t->object, &event); // may add timers: `t` may move
        fired = true;
        if (Timer *after = timer(d.id))
            after->delivering = false;
    }
    due.clear();
    if (m_due.capacity() < due.capacity())
        m_due.swap(due);
    return fired;
}

// ---- the loop --------------------------------------------------------------------

namespace {
// The dispatcher whose processEvents() the current thread is in (null: none).
thread_local EpollEventDispatcher *t_running = nullptr;
} // namespace

void EpollEventDispatcher::wakeUp()
{
    // From the loop's own thread (an event posted by a handler, a deleteLater()):
    // the loop is not waiting, it only must not wait on its next turn. No eventfd
    // write and read, no extra epoll_wait() turn to drain it.
    if (t_running == this) {
        m_selfWake = true;
        return;
    }
    wakeThroughEventfd();
}

void EpollEventDispatcher::wakeThroughEventfd()
{
    if (m_wakePending.exchange(true, std::memory_order_acq_rel))
        return;
    m_wakeWrites.fetch_add(1, std::memory_order_relaxed);
    const quint64 one = 1;
    [[maybe_unused]] const auto n = ::write(m_wake, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupts.fetch_add(1, std::memory_order_acq_rel);
    // always through the eventfd: from the loop's own thread too, so that a nested
    // processEvents() started before the interrupted call decides to wait returns
    wakeThroughEventfd();
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // An interrupt() from now on makes this call return. A count rather than a flag
    // cleared here: a nested call (a QEventLoop started by a posted event) must not
    // clear an interrupt meant for this one and leave it waiting with the wake-up used.
    const quint64 interruptsAtStart = m_interrupts.load(std::memory_order_acquire);
    EpollEventDispatcher *const outer = t_running;
    t_running = this;
    const auto restore = qScopeGuard([outer] { t_running = outer; });
    emit awake();
    m_selfWake = false; // what this thread posted so far is sent now
    QCoreApplication::sendPostedEvents();
    bool progress = runDeferred();

    const bool wait = flags.testFlag(QEventLoop::WaitForMoreEvents)
        && m_interrupts.load(std::memory_order_acquire) == interruptsAtStart && !m_selfWake
        && m_deferred.empty();
    if (wait)
        emit aboutToBlock();
    // (whatever aboutToBlock() posted is sent on the next turn, without waiting)
    const int timeout = wait && !m_selfWake && m_deferred.empty() ? waitTimeoutMs() : 0;
    std::array<epoll_event, 256> events;
    int ready = ::epoll_wait(m_epoll, events.data(), int(events.size()), timeout);
    if (ready < 0)
        ready = 0; // EINTR: a signal; the caller loops
    if (wait)
        emit awake();

    for (int i = 0; i < ready; ++i) {
        const quint64 data = events[i].data.u64;
        const quint32 what = events[i].events;
        if (data & DirectTag) {
            if (!flags.testFlag(QEventLoop::ExcludeSocketNotifiers)) {
                dispatchDirect(data, what);
                progress = true;
            }
            continue;
        }
        const int fd = int(data);
        if (fd == m_wake) {
            quint64 count = 0;
            [[maybe_unused]] const auto n = ::read(m_wake, &count, sizeof count);
            m_wakePending.store(false, std::memory_order_release);
            progress = true;
            continue;
        }
        if (flags.testFlag(QEventLoop::ExcludeSocketNotifiers))
            continue; // level-triggered: reported again on a later turn
        // Look the descriptor up again before each activation: an earlier handler
        // may have disabled or deleted a notifier of this turn.
        auto notifierFor = [this, fd](QSocketNotifier *Watch::*member) -> QSocketNotifier * {
            const auto it = m_watches.find(fd);
            return it == m_watches.end() ? nullptr : it->second.*member;
        };
        if (what & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
            if (QSocketNotifier *n = notifierFor(&Watch::read)) {
                activate(n);
                progress = true;
            }
        }
        if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
            if (QSocketNotifier *n = notifierFor(&Watch::write)) {
                activate(n);
                progress = true;
            }
        }
        // a hang-up or error goes to every notifier of the descriptor, as in Qt's
        // dispatchers (an exception-only watch would otherwise be woken on every turn
        // without anyone being told)
        if (what & (EPOLLPRI | EPOLLHUP | EPOLLERR)) {
            if (QSocketNotifier *n = notifierFor(&Watch::exception)) {
                activate(n);
                progress = true;
            }
        }
    }
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        progress = fireTimers() || progress;
    return progress;
}

} // namespace Gatehouse::Gateway
