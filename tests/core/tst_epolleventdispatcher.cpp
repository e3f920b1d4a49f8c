// SPDX-License-Identifier: GPL-3.0-or-later
// EpollEventDispatcher, the event dispatcher of the gateway's worker threads: timers,
// socket notifiers, posted events and wake-ups, and Qt's own sockets running on it.
// Each test runs its objects in a worker QThread that has the dispatcher installed and
// checks what they recorded from the test thread.
#include "gateway/epolleventdispatcher.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QMutex>
#include <QPointer>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <numeric>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Gatehouse::Gateway;

namespace {

// What the worker's handlers did, in order; written in the worker, read in the test.
class Log
{
public:
    void add(const QByteArray &item)
    {
        QMutexLocker locker(&m_mutex);
        m_items.append(item);
    }
    QByteArray joined() const
    {
        QMutexLocker locker(&m_mutex);
        return m_items.join(',');
    }
    int count(const QByteArray &item) const
    {
        QMutexLocker locker(&m_mutex);
        return int(m_items.count(item));
    }
    int size() const
    {
        QMutexLocker locker(&m_mutex);
        return int(m_items.size());
    }

private:
    mutable QMutex m_mutex;
    QByteArrayList m_items;
};

// Both ends of a non-blocking AF_UNIX stream socketpair, closed on destruction.
struct SocketPair
{
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
    }
    Q_DISABLE_COPY_MOVE(SocketPair)

    bool isValid() const { return fds[0] >= 0 && fds[1] >= 0; }
    int local() const { return fds[0]; }
    int peer() const { return fds[1]; }

    int fds[2] = {-1, -1};
};

// Whether an epoll set of this process watches descriptor number `fd` (the kernel's
// list in /proc/self/fdinfo).
bool epollWatches(int fd)
{
    QDir dir(QStringLiteral("/proc/self/fd"));
    for (const QString &name : dir.entryList(QDir::System | QDir::NoDotAndDotDot)) {
        char target[64] = {};
        const QByteArray link = dir.filePath(name).toLocal8Bit();
        if (::readlink(link.constData(), target, sizeof target - 1) <= 0
            || qstrcmp(target, "anon_inode:[eventpoll]") != 0)
            continue;
        QFile info(QStringLiteral("/proc/self/fdinfo/") + name);
        if (!info.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : info.readAll().split('\n')) {
            const QList<QByteArray> parts = line.simplified().split(' ');
            if (parts.size() >= 2 && parts.at(0) == "tfd:" && parts.at(1).toInt() == fd)
                return true;
        }
    }
    return false;
}

bool writeAll(int fd, const QByteArray &bytes)
{
    return ::write(fd, bytes.constData(), size_t(bytes.size())) == bytes.size();
}

QByteArray readAvailable(int fd)
{
    QByteArray all;
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        all.append(buffer, n);
    }
    return all;
}

// Writes to a non-blocking descriptor until the kernel buffer is full.
qint64 fillUntilFull(int fd)
{
    const QByteArray chunk(4096, 'f');
    qint64 total = 0;
    for (;;) {
        const auto n = ::write(fd, chunk.constData(), size_t(chunk.size()));
        if (n <= 0)
            break;
        total += n;
    }
    return total;
}

// Counts QTimerEvents per timer id, for tests of QObject::startTimer / killTimer.
class TimerCounter final : public QObject
{
public:
    explicit TimerCounter(Log *log)
        : m_log(log)
    { }

protected:
    void timerEvent(QTimerEvent *event) override
    {
        m_log->add(QByteArray::number(event->timerId()));
    }

private:
    Log *m_log;
};

class CountingReceiver final : public QObject
{
public:
    static constexpr QEvent::Type Type = QEvent::Type(QEvent::User + 17);
    std::atomic<int> received {0};

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != Type)
            return QObject::event(event);
        received.fetch_add(1);
        return true;
    }
};

// A direct watch of the worker's dispatcher; calls the functions set, removes its
// watch when it goes (create and delete it in the worker).
class TestWatch final
    : public QObject
    , public EpollEventDispatcher::Handler
{
public:
    TestWatch(int fd, QObject *parent)
        : QObject(parent)
        , fd(fd)
    { }
    ~TestWatch() override
    {
        if (EpollEventDispatcher *d = EpollEventDispatcher::current())
            d->removeWatch(id);
    }
    Q_DISABLE_COPY_MOVE(TestWatch)

    bool add(bool read, bool write)
    {
        id = EpollEventDispatcher::current()->addWatch(fd, this, read, write);
        return id != 0;
    }
    void descriptorReadable() override
    {
        if (onReadable)
            onReadable();
    }
    void descriptorWritable() override
    {
        if (onWritable)
            onWritable();
    }

    const int fd;
    EpollEventDispatcher::WatchId id = 0;
    std::function<void()> onReadable;
    std::function<void()> onWritable;
};

} // namespace

class TestEpollEventDispatcher final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // timers
    void singleShotAndRepeatingTimers();
    void timersFireInDeadlineOrder_data();
    void timersFireInDeadlineOrder();
    void manyTimersStartedAndStoppedAtRandom();
    void deferredWorkRunsOnTheNextTurn_data();
    void deferredWorkRunsOnTheNextTurn();
    void zeroTimerFiresOncePerTurn();
    void timerChangedByAnotherInTheSamePass_data();
    void timerChangedByAnotherInTheSamePass();
    void timerRestartedFromItsOwnTimeout_data();
    void timerRestartedFromItsOwnTimeout();
    void timerDoesNotReenterFromNestedLoop();
    void killTimerAndDeletedObject();
    void remainingTimeAndRegisteredTimers();
    void timerMovesBetweenThreads();

    // socket notifiers
    void readNotifierFiresOnData();
    void disabledNotifierIsNotActivated();
    void notifierChangedByAnotherInTheSameBatch_data();
    void notifierChangedByAnotherInTheSameBatch();
    void writeNotifierFiresWhenWritable();
    void exceptionNotifierHearsHangUp();
    void descriptorNumberReused_data();
    void descriptorNumberReused();
    void manyDescriptorsReadyAtOnce();
    void busySocketDoesNotStarveTimersOrPosts();
    void idleLoopWaits_data();
    void idleLoopWaits();

    // direct watches
    void watchReportsReadableAndWritable();
    void disabledWatchIsNotCalled();
    void watchRemovedDuringBatch_data();
    void watchRemovedDuringBatch();
    void watchDescriptorNumberReused_data();
    void watchDescriptorNumberReused();
    void watchesAndNotifiersTogether();

    // posted events, wake-ups, leaving the loop
    void postedEventsWakeBlockedLoop();
    void postsFromTheLoopsOwnThread();
    void postsFromManyThreads();
    void deleteLaterIsDelivered_data();
    void deleteLaterIsDelivered();
    void blockedProcessEventsReturns_data();
    void blockedProcessEventsReturns();
    void interruptSurvivesNestedProcessEvents();
    void quitReturnsFromExec_data();
    void quitReturnsFromExec();
    void excludeFlagsLeaveWorkForLater();

    // Qt's sockets
    void tcpEcho_data();
    void tcpEcho();

private:
    // Runs f in the worker thread and returns what it returns.
    template<typename F>
    auto inWorker(F &&f)
    {
        return Gatehouse::Test::runInThreadOf(m_context, std::forward<F>(f));
    }
    // Deletes what a test made in the worker, before the test's locals go away.
    void clearWorker();
    int blocks() const { return m_blocks.load(); }

    QThread *m_thread = nullptr;
    QPointer<EpollEventDispatcher> m_dispatcher;
    QObject *m_context = nullptr; // lives in the worker; parent of what a test makes there
    std::atomic<int> m_blocks {0}; // aboutToBlock() emissions of the worker's dispatcher
};

void TestEpollEventDispatcher::init()
{
    m_blocks = 0;
    m_thread = new QThread;
    auto *dispatcher = new EpollEventDispatcher;
    QVERIFY(dispatcher->isValid());
    m_dispatcher = dispatcher;
    connect(
        dispatcher, &QAbstractEventDispatcher::aboutToBlock, dispatcher,
        [this] { m_blocks.fetch_add(1); }, Qt::DirectConnection);
    m_thread->setEventDispatcher(dispatcher);
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    m_thread->start();
    QCOMPARE(inWorker([] { return QAbstractEventDispatcher::instance(); }),
             static_cast<QAbstractEventDispatcher *>(dispatcher));
}

void TestEpollEventDispatcher::clearWorker()
{
    if (m_thread && m_thread->isRunning())
        inWorker([this] { qDeleteAll(m_context->children()); });
}

void TestEpollEventDispatcher::cleanup()
{
    if (!m_thread)
        return;
    if (!m_thread->isRunning())
        m_thread->start(); // a test quit it; its objects still go away on their own thread
    inWorker([this] { delete m_context; });
    m_context = nullptr;
    m_thread->quit();
    QVERIFY(m_thread->wait(10000));
    delete m_thread;
    m_thread = nullptr;
}

// ---- timers ----------------------------------------------------------------------

void TestEpollEventDispatcher::singleShotAndRepeatingTimers()
{
    Log log;
    QTimer *single = nullptr;
    QTimer *repeating = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        single = new QTimer(m_context);
        single->setSingleShot(true);
        single->setTimerType(Qt::PreciseTimer);
        connect(single, &QTimer::timeout, m_context, [&] { log.add("single"); });
        repeating = new QTimer(m_context);
        repeating->setTimerType(Qt::PreciseTimer);
        connect(repeating, &QTimer::timeout, m_context, [&] { log.add("repeat"); });
        single->start(20);
        repeating->start(5);
    });
    QTRY_VERIFY_WITH_TIMEOUT(log.count("repeat") >= 10, 10000);
    QTRY_COMPARE(log.count("single"), 1);
    QVERIFY(!inWorker([&] { return single->isActive(); }));
    QVERIFY(inWorker([&] { return repeating->isActive(); }));

    // later turns fire the repeating timer again and the single shot never again
    const int seen = log.count("repeat");
    QTRY_VERIFY_WITH_TIMEOUT(log.count("repeat") >= seen + 5, 10000);
    QCOMPARE(log.count("single"), 1);

    inWorker([&] { repeating->stop(); });
    const int stopped = log.count("repeat");
    inWorker(
        [&] { QTimer::singleShot(30, Qt::PreciseTimer, m_context, [&] { log.add("marker"); }); });
    QTRY_COMPARE(log.count("marker"), 1);
    QCOMPARE(log.count("repeat"), stopped);
}

void TestEpollEventDispatcher::timersFireInDeadlineOrder_data()
{
    QTest::addColumn<QList<int>>("intervals");
    // deadlines 20 ms or more apart: a preempted start loop does not reorder them
    QTest::newRow("started latest first") << QList<int> {120, 80, 40, 0};
    QTest::newRow("mixed") << QList<int> {60, 20, 100, 0, 40};
    QTest::newRow("equal intervals keep start order") << QList<int> {40, 40, 40};
    QTest::newRow("two pairs") << QList<int> {80, 40, 80, 40};
}

void TestEpollEventDispatcher::timersFireInDeadlineOrder()
{
    QFETCH(QList<int>, intervals);
    std::vector<int> order(size_t(intervals.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return intervals.at(a) < intervals.at(b); });
    QByteArrayList expected;
    for (int i : order)
        expected.append(QByteArray::number(i));

    Log log;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        for (int i = 0; i < intervals.size(); ++i) {
            auto *timer = new QTimer(m_context);
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
            connect(timer, &QTimer::timeout, m_context,
                    [&log, i] { log.add(QByteArray::number(i)); });
            timer->start(intervals.at(i));
        }
        // keep the loop away until every deadline has passed: one pass fires them all
        QThread::msleep(250);
    });
    QTRY_COMPARE(log.size(), int(intervals.size()));
    QCOMPARE(log.joined(), expected.join(','));
}

void TestEpollEventDispatcher::deferredWorkRunsOnTheNextTurn_data()
{
    QTest::addColumn<bool>("epoll");
    QTest::newRow("epoll dispatcher") << true;
    QTest::newRow("Qt's dispatcher: queued calls") << false;
}

void TestEpollEventDispatcher::deferredWorkRunsOnTheNextTurn()
{
    // Deferred work runs after the call that scheduled it returned, once however
    // often it was scheduled, never when cancelled or destroyed first; what it
    // schedules runs after it.
    QFETCH(bool, epoll);
    using Deferred = EpollEventDispatcher::Deferred;
    Log log;
    std::unique_ptr<Deferred> a, b, c, d, e;
    auto setUp = [&](QObject *owner) {
        a = std::make_unique<Deferred>(owner, [&] {
            log.add("a");
            b->schedule(); // still scheduled: nothing more
            e->schedule();
        });
        e = std::make_unique<Deferred>(owner, [&] { log.add("e"); });
        b = std::make_unique<Deferred>(owner, [&] { log.add("b"); });
        c = std::make_unique<Deferred>(owner, [&] { log.add("c"); });
        d = std::make_unique<Deferred>(owner, [&] { log.add("d"); });
        a->schedule();
        a->schedule(); // once
        b->schedule();
        c->schedule();
        d->schedule();
        c->cancel();
        d.reset(); // destroyed before its turn
        log.add("scheduled");
        QVERIFY(a->isScheduled());
        QVERIFY(!c->isScheduled());
    };
    QObject owner;
    const auto clear = qScopeGuard([&, this] {
        if (epoll)
            inWorker([&] { a.reset(), b.reset(), c.reset(), e.reset(); });
        clearWorker();
    });
    if (epoll)
        inWorker([&] { setUp(m_context); });
    else
        setUp(&owner);
    QTRY_COMPARE(log.size(), 4);
    QTest::qWait(50);
    QCOMPARE(log.joined(), QByteArray("scheduled,a,b,e"));
}

void TestEpollEventDispatcher::manyTimersStartedAndStoppedAtRandom()
{
    // Hundreds of timers started, restarted and stopped in a random order, as the
    // gateway's connections do: exactly the ones left running fire, each once, in
    // the order of their deadlines (ties in the order they were last started).
    constexpr int Count = 300;
    Log log;
    std::vector<int> expected;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        QRandomGenerator random(17);
        std::vector<QTimer *> timers;
        std::vector<int> interval(Count, -1); // -1: stopped
        std::vector<int> startedAt(Count, 0);
        int step = 0;
        for (int i = 0; i < Count; ++i) {
            auto *timer = new QTimer(m_context);
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
            connect(timer, &QTimer::timeout, m_context,
                    [&log, i] { log.add(QByteArray::number(i)); });
            timers.push_back(timer);
        }
        for (int round = 0; round < 4 * Count; ++round) {
            const int i = int(random.bounded(Count));
            if (random.bounded(3) == 0) {
                timers[size_t(i)]->stop();
                interval[size_t(i)] = -1;
            } else {
                // deadlines 40 ms apart: a preempted loop here does not reorder them
                interval[size_t(i)] = 40 * int(1 + random.bounded(5));
                startedAt[size_t(i)] = ++step;
                timers[size_t(i)]->start(interval[size_t(i)]);
            }
        }
        for (int i = 0; i < Count; ++i)
            if (interval[size_t(i)] >= 0)
                expected.push_back(i);
        std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) {
            if (interval[size_t(a)] != interval[size_t(b)])
                return interval[size_t(a)] < interval[size_t(b)];
            return startedAt[size_t(a)] < startedAt[size_t(b)];
        });
    });
    QVERIFY(expected.size() > Count / 3);
    QByteArrayList want;
    for (int i : expected)
        want.append(QByteArray::number(i));
    QTRY_COMPARE_WITH_TIMEOUT(log.size(), int(expected.size()), 5000);
    QTest::qWait(100); // none fires twice
    QCOMPARE(log.joined(), want.join(','));
}

void TestEpollEventDispatcher::zeroTimerFiresOncePerTurn()
{
    struct Result
    {
        int beforeTurn = -1;
        int afterTurns = -1;
        QByteArray chainAfterFirst;
        QByteArray chainAfterSecond;
    };
    const Result r = inWorker([] {
        Result result;
        int fired = 0;
        QTimer zero;
        zero.setInterval(0);
        connect(&zero, &QTimer::timeout, &zero, [&] { ++fired; });
        zero.start();
        result.beforeTurn = fired;
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
        result.afterTurns = fired;
        zero.stop();

        // a 0 ms timer started from a timeout waits for the next turn
        QByteArrayList chain;
        QTimer a;
        QTimer b;
        a.setSingleShot(true);
        b.setSingleShot(true);
        connect(&a, &QTimer::timeout, &a, [&] {
            chain.append("a");
            b.start(0);
        });
        connect(&b, &QTimer::timeout, &b, [&] { chain.append("b"); });
        a.start(0);
        QCoreApplication::processEvents();
        result.chainAfterFirst = chain.join(',');
        QCoreApplication::processEvents();
        result.chainAfterSecond = chain.join(',');
        return result;
    });
    QCOMPARE(r.beforeTurn, 0);
    QCOMPARE(r.afterTurns, 5);
    QCOMPARE(r.chainAfterFirst, QByteArray("a"));
    QCOMPARE(r.chainAfterSecond, QByteArray("a,b"));
}

void TestEpollEventDispatcher::timerChangedByAnotherInTheSamePass_data()
{
    QTest::addColumn<QString>("action");
    QTest::newRow("stop") << QStringLiteral("stop");
    QTest::newRow("delete") << QStringLiteral("delete");
    QTest::newRow("restart later") << QStringLiteral("restart");
    QTest::newRow("stop and start another 0 ms timer") << QStringLiteral("replace");
}

void TestEpollEventDispatcher::timerChangedByAnotherInTheSamePass()
{
    QFETCH(QString, action);
    Log log;
    QTimer *first = nullptr;
    QTimer *second = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        first = new QTimer(m_context);
        second = new QTimer(m_context);
        auto *marker = new QTimer(m_context);
        for (QTimer *t : {first, second, marker}) {
            t->setSingleShot(true);
            t->setTimerType(Qt::PreciseTimer);
        }
        connect(first, &QTimer::timeout, m_context, [&, action] {
            log.add("first");
            if (action == u"stop") {
                second->stop();
            } else if (action == u"delete") {
                delete second;
                second = nullptr;
            } else if (action == u"restart") {
                second->start(60000);
            } else {
                second->stop();
                // likely takes the id just freed, which is still in this pass's list of
                // due timers: it must wait for its own deadline
                auto *replacement = new QTimer(m_context);
                replacement->setSingleShot(true);
                replacement->setTimerType(Qt::PreciseTimer);
                QElapsedTimer started;
                started.start();
                connect(replacement, &QTimer::timeout, m_context, [&log, started] {
                    log.add(started.elapsed() >= 25 ? "replacement" : "replacement too early");
                });
                replacement->start(30);
            }
        });
        connect(second, &QTimer::timeout, m_context, [&] { log.add("second"); });
        connect(marker, &QTimer::timeout, m_context, [&] { log.add("marker"); });
        first->start(10);
        second->start(20);
        marker->start(500);
        // both first and second are due when the loop next looks; the marker is not
        QThread::msleep(50);
    });
    QTRY_COMPARE(log.count("marker"), 1);
    if (action == u"replace")
        QCOMPARE(log.joined(), QByteArray("first,replacement,marker"));
    else
        QCOMPARE(log.joined(), QByteArray("first,marker"));
    if (action == u"restart") {
        QVERIFY(inWorker([&] { return second->isActive(); }));
        QVERIFY(inWorker([&] { return second->remainingTime(); }) > 1000);
    }
}

void TestEpollEventDispatcher::timerRestartedFromItsOwnTimeout_data()
{
    QTest::addColumn<bool>("singleShot");
    QTest::addColumn<int>("restartInterval");
    QTest::newRow("single shot, start()") << true << 10;
    QTest::newRow("single shot, start(0)") << true << 0;
    QTest::newRow("repeating, start(5)") << false << 5;
    QTest::newRow("repeating, start(0)") << false << 0;
}

void TestEpollEventDispatcher::timerRestartedFromItsOwnTimeout()
{
    QFETCH(bool, singleShot);
    QFETCH(int, restartInterval);
    Log log;
    QTimer *timer = nullptr;
    int fired = 0; // worker only
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        timer = new QTimer(m_context);
        timer->setSingleShot(singleShot);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, m_context, [&] {
            log.add("tick");
            if (++fired < 3)
                timer->start(restartInterval);
            else
                timer->stop();
        });
        timer->start(10);
    });
    QTRY_COMPARE(log.count("tick"), 3);
    inWorker(
        [&] { QTimer::singleShot(50, Qt::PreciseTimer, m_context, [&] { log.add("marker"); }); });
    QTRY_COMPARE(log.count("marker"), 1);
    QCOMPARE(log.joined(), QByteArray("tick,tick,tick,marker"));
    QVERIFY(!inWorker([&] { return timer->isActive(); }));
}

void TestEpollEventDispatcher::timerDoesNotReenterFromNestedLoop()
{
    // A timeout that runs a nested event loop for longer than its interval is not
    // delivered again inside that loop (as with Qt's own dispatchers).
    std::atomic<int> calls {0};
    std::atomic<int> maxDepth {0};
    Log log;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        auto *timer = new QTimer(m_context);
        timer->setTimerType(Qt::PreciseTimer);
        auto depth = std::make_shared<int>(0);
        connect(timer, &QTimer::timeout, m_context, [&, depth] {
            ++*depth;
            maxDepth = std::max(maxDepth.load(), *depth);
            if (calls.fetch_add(1) == 0) {
                QEventLoop loop;
                QTimer::singleShot(80, Qt::PreciseTimer, &loop, &QEventLoop::quit);
                loop.exec();
                log.add("nested loop done");
            }
            --*depth;
        });
        timer->start(5);
    });
    QTRY_COMPARE(log.count("nested loop done"), 1);
    QTRY_VERIFY(calls.load() >= 3);
    QCOMPARE(maxDepth.load(), 1);
}

void TestEpollEventDispatcher::killTimerAndDeletedObject()
{
    Log log;
    TimerCounter *counter = nullptr;
    int kept = 0;
    int killed = 0;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    const int registered = inWorker([&] {
        counter = new TimerCounter(&log);
        kept = counter->startTimer(5, Qt::PreciseTimer);
        killed = counter->startTimer(5, Qt::PreciseTimer);
        counter->killTimer(killed);
        return int(QAbstractEventDispatcher::instance()->registeredTimers(counter).size());
    });
    QCOMPARE(registered, 1);
    QVERIFY(kept > 0);
    QVERIFY(killed > 0 && killed != kept);
    QTRY_VERIFY(log.count(QByteArray::number(kept)) >= 3);
    QCOMPARE(log.count(QByteArray::number(killed)), 0);

    // deleting the object unregisters its timers: no event reaches the dead object
    struct AfterDelete
    {
        qsizetype registered = -1;
        bool unregisteredAgain = true;
        int remaining = 0;
    };
    const AfterDelete after = inWorker([&] {
        QObject *raw = counter;
        delete counter;
        counter = nullptr;
        auto *dispatcher = QAbstractEventDispatcher::instance();
        return AfterDelete {dispatcher->registeredTimers(raw).size(),
                            dispatcher->unregisterTimers(raw), dispatcher->remainingTime(kept)};
    });
    QCOMPARE(after.registered, 0);
    QVERIFY(!after.unregisteredAgain);
    QCOMPARE(after.remaining, -1);
    const int firings = log.size();
    inWorker(
        [&] { QTimer::singleShot(40, Qt::PreciseTimer, m_context, [&] { log.add("marker"); }); });
    QTRY_COMPARE(log.count("marker"), 1);
    QCOMPARE(log.size(), firings + 1);

    // the dispatcher's own calls: unregisterTimers(object) and unregisterTimer(id)
    struct Direct
    {
        bool firstAll = false;
        bool secondAll = true;
        qsizetype left = -1;
        bool one = false;
        bool oneAgain = true;
    };
    const Direct direct = inWorker([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        Direct d;
        TimerCounter a(&log);
        a.startTimer(1000);
        a.startTimer(2000);
        d.firstAll = dispatcher->unregisterTimers(&a);
        d.secondAll = dispatcher->unregisterTimers(&a);
        d.left = dispatcher->registeredTimers(&a).size();
        TimerCounter b(&log);
        const int id = b.startTimer(1000);
        d.one = dispatcher->unregisterTimer(id);
        d.oneAgain = dispatcher->unregisterTimer(id);
        return d;
    });
    QVERIFY(direct.firstAll);
    QVERIFY(!direct.secondAll);
    QCOMPARE(direct.left, 0);
    QVERIFY(direct.one);
    QVERIFY(!direct.oneAgain);
}

void TestEpollEventDispatcher::remainingTimeAndRegisteredTimers()
{
    struct Seen
    {
        int remaining = -2;
        int unknown = -2;
        int afterStop = -2;
        int timerId = 0;
        QList<QAbstractEventDispatcher::TimerInfo> precise;
        QList<QAbstractEventDispatcher::TimerInfo> coarse;
        QList<QAbstractEventDispatcher::TimerInfo> afterStopList;
    };
    const Seen seen = inWorker([] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        Seen s;
        QTimer precise;
        precise.setTimerType(Qt::PreciseTimer);
        precise.start(5000);
        s.timerId = precise.timerId();
        s.remaining = dispatcher->remainingTime(precise.timerId());
        s.precise = dispatcher->registeredTimers(&precise);
        Log unused;
        TimerCounter several(&unused);
        several.startTimer(3000, Qt::CoarseTimer);
        several.startTimer(7000, Qt::VeryCoarseTimer);
        s.coarse = dispatcher->registeredTimers(&several);
        s.unknown = dispatcher->remainingTime(987654);
        precise.stop();
        s.afterStop = dispatcher->remainingTime(s.timerId);
        s.afterStopList = dispatcher->registeredTimers(&precise);
        return s;
    });
    QVERIFY2(seen.remaining > 0 && seen.remaining <= 5000, QByteArray::number(seen.remaining));
    QCOMPARE(seen.unknown, -1);
    QCOMPARE(seen.afterStop, -1);
    QCOMPARE(seen.precise.size(), 1);
    QCOMPARE(seen.precise.at(0).timerId, seen.timerId);
    QCOMPARE(seen.precise.at(0).interval, 5000);
    QCOMPARE(seen.precise.at(0).timerType, Qt::PreciseTimer);
    QVERIFY(seen.afterStopList.isEmpty());
    QCOMPARE(seen.coarse.size(), 2);
    auto coarse = seen.coarse;
    std::sort(coarse.begin(), coarse.end(),
              [](const auto &a, const auto &b) { return a.interval < b.interval; });
    QCOMPARE(coarse.at(0).interval, 3000);
    QCOMPARE(coarse.at(0).timerType, Qt::CoarseTimer);
    QCOMPARE(coarse.at(1).interval, 7000);
    QCOMPARE(coarse.at(1).timerType, Qt::VeryCoarseTimer);

    // remainingTime counts down from the interval once a repeating timer has fired
    const int afterFiring = inWorker([] {
        QTimer timer;
        timer.setTimerType(Qt::PreciseTimer);
        QEventLoop loop;
        int fired = 0;
        connect(&timer, &QTimer::timeout, &loop, [&] {
            if (++fired == 2)
                loop.quit();
        });
        timer.start(20);
        loop.exec();
        return QAbstractEventDispatcher::instance()->remainingTime(timer.timerId());
    });
    QVERIFY2(afterFiring >= 0 && afterFiring <= 20, QByteArray::number(afterFiring));
}

void TestEpollEventDispatcher::timerMovesBetweenThreads()
{
    // QObject::moveToThread carries active timers over with registeredTimers() and
    // unregisterTimers(): the timer keeps firing on the other thread, both ways.
    Log log;
    QThread *mainThread = QThread::currentThread();
    QTimer *timer = nullptr;
    const auto clear = qScopeGuard([&] {
        if (timer && timer->thread() == mainThread)
            delete timer;
        else if (timer)
            inWorker([&] { delete timer; });
        timer = nullptr;
        clearWorker();
    });
    inWorker([&] {
        timer = new QTimer; // no parent: it changes threads
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, timer, [&log, mainThread] {
            log.add(QThread::currentThread() == mainThread ? "main" : "worker");
        });
        timer->start(5);
    });
    QTRY_VERIFY(log.count("worker") >= 2);
    inWorker([&] { timer->moveToThread(mainThread); });
    QTRY_VERIFY(log.count("main") >= 3);
    const int workerBefore = log.count("worker");
    timer->moveToThread(m_thread);
    QTRY_VERIFY(log.count("worker") >= workerBefore + 3);
    inWorker([&] {
        delete timer;
        timer = nullptr;
    });
}

// ---- socket notifiers ------------------------------------------------------------

void TestEpollEventDispatcher::readNotifierFiresOnData()
{
    SocketPair pair;
    QVERIFY(pair.isValid());
    Log log;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        auto *notifier = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
        connect(notifier, &QSocketNotifier::activated, m_context, [&, notifier] {
            const QByteArray data = readAvailable(pair.local());
            if (!data.isEmpty())
                return log.add(data);
            log.add("eof");
            notifier->setEnabled(false);
        });
    });
    // written from this thread while the worker waits
    QVERIFY(writeAll(pair.peer(), "hello"));
    QTRY_COMPARE(log.joined(), QByteArray("hello"));
    QVERIFY(writeAll(pair.peer(), "again"));
    QTRY_COMPARE(log.joined(), QByteArray("hello,again"));
    // the peer shutting down its side is reported as readable (end of file)
    ::shutdown(pair.peer(), SHUT_WR);
    QTRY_COMPARE(log.joined(), QByteArray("hello,again,eof"));
}

void TestEpollEventDispatcher::disabledNotifierIsNotActivated()
{
    SocketPair pair;
    SocketPair sentinel;
    QVERIFY(pair.isValid() && sentinel.isValid());
    Log log;
    QSocketNotifier *notifier = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        notifier = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
        connect(notifier, &QSocketNotifier::activated, m_context,
                [&] { log.add("pair:" + readAvailable(pair.local())); });
        auto *other = new QSocketNotifier(sentinel.local(), QSocketNotifier::Read, m_context);
        connect(other, &QSocketNotifier::activated, m_context,
                [&] { log.add("sentinel:" + readAvailable(sentinel.local())); });
        notifier->setEnabled(false);
    });
    QVERIFY(writeAll(pair.peer(), "late"));
    QVERIFY(writeAll(sentinel.peer(), "s"));
    QTRY_COMPARE(log.count("sentinel:s"), 1);
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.joined(), QByteArray("sentinel:s"));

    // enabling again reports the data that waited
    inWorker([&] { notifier->setEnabled(true); });
    QTRY_COMPARE(log.count("pair:late"), 1);

    // and disabling from inside its own handler stops it while data stays unread
    inWorker([&] {
        notifier->disconnect(m_context);
        connect(notifier, &QSocketNotifier::activated, m_context, [&] {
            log.add("once");
            notifier->setEnabled(false);
        });
    });
    QVERIFY(writeAll(pair.peer(), "unread"));
    QTRY_COMPARE(log.count("once"), 1);
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.count("once"), 1);
}

void TestEpollEventDispatcher::notifierChangedByAnotherInTheSameBatch_data()
{
    QTest::addColumn<bool>("deleteIt");
    QTest::newRow("delete the other") << true;
    QTest::newRow("disable the other") << false;
}

void TestEpollEventDispatcher::notifierChangedByAnotherInTheSameBatch()
{
    // Two descriptors become readable together, so one epoll_wait reports both; the
    // handler that runs first deletes (or disables) the other notifier, which then must
    // not be activated.
    QFETCH(bool, deleteIt);
    SocketPair one;
    SocketPair two;
    QVERIFY(one.isValid() && two.isValid());
    Log log;
    QSocketNotifier *first = nullptr;
    QSocketNotifier *second = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        first = new QSocketNotifier(one.local(), QSocketNotifier::Read, m_context);
        second = new QSocketNotifier(two.local(), QSocketNotifier::Read, m_context);
        auto handle = [&, deleteIt](const QByteArray &name, int fd, QSocketNotifier *&other) {
            log.add(name);
            readAvailable(fd);
            if (!other)
                return;
            if (deleteIt) {
                delete other;
                other = nullptr;
            } else {
                other->setEnabled(false);
            }
        };
        connect(first, &QSocketNotifier::activated, m_context,
                [&, handle] { handle("one", one.local(), second); });
        connect(second, &QSocketNotifier::activated, m_context,
                [&, handle] { handle("two", two.local(), first); });
        // both ready before the loop looks again
        writeAll(one.peer(), "x");
        writeAll(two.peer(), "y");
    });
    QTRY_COMPARE(log.size(), 1);
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.size(), 1);
    // the survivor still works
    const bool firstSurvived = log.joined() == "one";
    QVERIFY(writeAll(firstSurvived ? one.peer() : two.peer(), "z"));
    QTRY_COMPARE(log.size(), 2);
}

void TestEpollEventDispatcher::writeNotifierFiresWhenWritable()
{
    SocketPair pair;
    QVERIFY(pair.isValid());
    Log log;
    QSocketNotifier *notifier = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        notifier = new QSocketNotifier(pair.local(), QSocketNotifier::Write, m_context);
        connect(notifier, &QSocketNotifier::activated, m_context, [&] {
            log.add("writable");
            notifier->setEnabled(false);
        });
    });
    QTRY_COMPARE(log.count("writable"), 1);
    // disabled: a socket that stays writable is not reported again
    QCOMPARE(inWorker([&] {
                 for (int i = 0; i < 5; ++i)
                     QCoreApplication::processEvents();
                 return log.count("writable");
             }),
             1);

    // with the buffer full nothing is reported until the peer reads
    const qint64 filled = inWorker([&] {
        const qint64 n = fillUntilFull(pair.local());
        notifier->setEnabled(true);
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
        return n;
    });
    QVERIFY(filled > 0);
    QCOMPARE(log.count("writable"), 1);
    qint64 drained = 0;
    QTRY_VERIFY((drained += readAvailable(pair.peer()).size(), drained >= filled));
    QTRY_COMPARE(log.count("writable"), 2);
}

void TestEpollEventDispatcher::exceptionNotifierHearsHangUp()
{
    // As with Qt's dispatchers, a hang-up is reported to an Exception notifier too
    // (an exception-only watch that was not told would wake the loop on every turn).
    SocketPair pair;
    QVERIFY(pair.isValid());
    Log log;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        auto *n = new QSocketNotifier(pair.local(), QSocketNotifier::Exception, m_context);
        connect(n, &QSocketNotifier::activated, m_context, [&, n] {
            log.add("exception");
            n->setEnabled(false);
        });
    });
    QVERIFY(writeAll(pair.peer(), "ordinary data is no exception"));
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.size(), 0);
    ::close(pair.fds[1]);
    pair.fds[1] = -1;
    QTRY_COMPARE(log.joined(), QByteArray("exception"));
}

void TestEpollEventDispatcher::descriptorNumberReused_data()
{
    QTest::addColumn<QString>("order");
    QTest::addColumn<bool>("writeNotifier");
    QTest::newRow("notifier deleted, then descriptor closed")
        << QStringLiteral("delete,close") << false;
    QTest::newRow("descriptor closed, then notifier deleted")
        << QStringLiteral("close,delete") << false;
    QTest::newRow("descriptor closed, old notifier still there")
        << QStringLiteral("close") << false;
    QTest::newRow("descriptor closed, write notifier beside the old read one")
        << QStringLiteral("close") << true;
    QTest::newRow("notifier disabled, descriptor closed")
        << QStringLiteral("disable,close") << false;
}

void TestEpollEventDispatcher::descriptorNumberReused()
{
    // A new socket that gets the number of a closed one is watched like any other,
    // whatever happened to the notifier of the old one.
    QFETCH(QString, order);
    QFETCH(bool, writeNotifier);
    SocketPair oldPair;
    SocketPair newPair;
    QVERIFY(oldPair.isValid() && newPair.isValid());
    const int number = oldPair.local();
    Log log;
    QSocketNotifier *old = nullptr;
    QSocketNotifier *fresh = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        old = new QSocketNotifier(number, QSocketNotifier::Read, m_context);
        connect(old, &QSocketNotifier::activated, m_context, [&] {
            log.add("old");
            readAvailable(number);
        });
    });
    // the old socket is seen working first
    QVERIFY(writeAll(oldPair.peer(), "o"));
    QTRY_COMPARE(log.joined(), QByteArray("old"));

    const int reused = inWorker([&] {
        for (const QString &step : order.split(u',')) {
            if (step == u"delete") {
                delete old;
                old = nullptr;
            } else if (step == u"disable") {
                old->setEnabled(false);
            } else if (step == u"close") {
                ::close(number);
            }
        }
        // the new socket takes the old number (here, so no other thread can take it
        // in between)
        return ::dup3(newPair.local(), number, O_CLOEXEC);
    });
    oldPair.fds[0] = -1;
    QCOMPARE(reused, number);
    ::close(newPair.local());
    newPair.fds[0] = number;

    inWorker([&] {
        fresh = new QSocketNotifier(
            number, writeNotifier ? QSocketNotifier::Write : QSocketNotifier::Read, m_context);
        connect(fresh, &QSocketNotifier::activated, m_context, [&] {
            log.add("new");
            if (writeNotifier)
                fresh->setEnabled(false);
            else
                readAvailable(number);
        });
    });
    if (!writeNotifier)
        QVERIFY(writeAll(newPair.peer(), "n"));
    QTRY_COMPARE(log.count("new"), 1);
    QCOMPARE(log.count("old"), 1);

    // the old notifier going away later leaves the new one working
    inWorker([&] {
        delete old;
        old = nullptr;
        if (writeNotifier)
            fresh->setEnabled(true);
    });
    if (!writeNotifier)
        QVERIFY(writeAll(newPair.peer(), "m"));
    QTRY_COMPARE(log.count("new"), 2);
    QCOMPARE(log.count("old"), 1);
}

void TestEpollEventDispatcher::manyDescriptorsReadyAtOnce()
{
    // More descriptors ready than one epoll_wait() returns: every one is reported.
    constexpr int Pairs = 600;
    std::vector<std::unique_ptr<SocketPair>> pairs;
    for (int i = 0; i < Pairs; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        QVERIFY(pairs.back()->isValid());
    }
    std::atomic<int> activated {0};
    std::atomic<int> bytes {0};
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        for (const auto &pair : pairs) {
            auto *notifier = new QSocketNotifier(pair->local(), QSocketNotifier::Read, m_context);
            const int fd = pair->local();
            connect(notifier, &QSocketNotifier::activated, m_context, [&, fd] {
                activated.fetch_add(1);
                bytes.fetch_add(int(readAvailable(fd).size()));
            });
        }
        // all ready before the loop looks again
        for (const auto &pair : pairs)
            writeAll(pair->peer(), "!");
    });
    QTRY_COMPARE(bytes.load(), Pairs);
    QCOMPARE(activated.load(), Pairs);
}

void TestEpollEventDispatcher::busySocketDoesNotStarveTimersOrPosts()
{
    // A socket that stays readable (its handler never reads) is activated on every turn;
    // timers and posted events still get their turn, and the timer stops it.
    SocketPair pair;
    QVERIFY(pair.isValid());
    QVERIFY(writeAll(pair.peer(), "never read"));
    std::atomic<int> activations {0};
    std::atomic<int> posted {0};
    Log log;
    QSocketNotifier *notifier = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        notifier = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
        connect(notifier, &QSocketNotifier::activated, m_context,
                [&] { activations.fetch_add(1); });
    });
    QTRY_VERIFY(activations.load() > 100);
    QMetaObject::invokeMethod(
        m_context, [&] { posted.fetch_add(1); }, Qt::QueuedConnection);
    QTRY_COMPARE(posted.load(), 1);
    inWorker([&] {
        QTimer::singleShot(20, Qt::PreciseTimer, m_context, [&] {
            log.add(notifier->isEnabled() ? "timer while busy" : "timer after");
            notifier->setEnabled(false);
        });
    });
    QTRY_COMPARE(log.joined(), QByteArray("timer while busy"));
    const int stopped = inWorker([&] { return activations.load(); });
    QCOMPARE(inWorker([&] {
                 for (int i = 0; i < 5; ++i)
                     QCoreApplication::processEvents();
                 return activations.load();
             }),
             stopped);
}

// ---- direct watches --------------------------------------------------------------

void TestEpollEventDispatcher::watchReportsReadableAndWritable()
{
    SocketPair pair;
    QVERIFY(pair.isValid());
    Log log;
    TestWatch *watch = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    QVERIFY(inWorker([&] {
        watch = new TestWatch(pair.local(), m_context);
        watch->onReadable = [&] {
            const QByteArray data = readAvailable(pair.local());
            log.add(data.isEmpty() ? QByteArray("eof") : data);
            if (data.isEmpty())
                EpollEventDispatcher::current()->setWatchReadEnabled(watch->id, false);
        };
        watch->onWritable = [&] {
            log.add("writable");
            EpollEventDispatcher::current()->setWatchWriteEnabled(watch->id, false);
        };
        return watch->add(true, false);
    }));
    QVERIFY(epollWatches(pair.local()));
    QVERIFY(writeAll(pair.peer(), "hello"));
    QTRY_COMPARE(log.joined(), QByteArray("hello"));
    QVERIFY(writeAll(pair.peer(), "again"));
    QTRY_COMPARE(log.joined(), QByteArray("hello,again"));

    // write interest added and dropped from inside its own call: reported once
    QVERIFY(inWorker([&] {
        EpollEventDispatcher *d = EpollEventDispatcher::current();
        d->setWatchWriteEnabled(watch->id, true);
        return d->isWatchReadEnabled(watch->id) && d->isWatchWriteEnabled(watch->id);
    }));
    QTRY_COMPARE(log.count("writable"), 1);
    QCOMPARE(inWorker([&] {
                 for (int i = 0; i < 5; ++i)
                     QCoreApplication::processEvents();
                 return log.count("writable");
             }),
             1);

    // a full buffer is not writable until the peer reads
    const qint64 filled = inWorker([&] {
        const qint64 n = fillUntilFull(pair.local());
        EpollEventDispatcher::current()->setWatchWriteEnabled(watch->id, true);
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
        return n;
    });
    QVERIFY(filled > 0);
    QCOMPARE(log.count("writable"), 1);
    qint64 drained = 0;
    QTRY_VERIFY((drained += readAvailable(pair.peer()).size(), drained >= filled));
    QTRY_COMPARE(log.count("writable"), 2);

    // the peer shutting down its side is reported as readable (end of file)
    ::shutdown(pair.peer(), SHUT_WR);
    QTRY_COMPARE(log.count("eof"), 1);
    // nothing enabled: the descriptor leaves epoll (a hang-up would wake it forever)
    QVERIFY(!epollWatches(pair.local()));
    QCOMPARE(inWorker([&] {
                 for (int i = 0; i < 5; ++i)
                     QCoreApplication::processEvents();
                 return log.size();
             }),
             5);
}

void TestEpollEventDispatcher::disabledWatchIsNotCalled()
{
    SocketPair pair;
    SocketPair sentinel;
    QVERIFY(pair.isValid() && sentinel.isValid());
    Log log;
    TestWatch *watch = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    QVERIFY(inWorker([&] {
        watch = new TestWatch(pair.local(), m_context);
        watch->onReadable = [&] { log.add("pair:" + readAvailable(pair.local())); };
        auto *other = new TestWatch(sentinel.local(), m_context);
        other->onReadable = [&] { log.add("sentinel:" + readAvailable(sentinel.local())); };
        // added disabled: not in epoll at all
        return watch->add(false, false) && other->add(true, false)
            && !EpollEventDispatcher::current()->isWatchReadEnabled(watch->id);
    }));
    QVERIFY(!epollWatches(pair.local()));
    QVERIFY(writeAll(pair.peer(), "late"));
    QVERIFY(writeAll(sentinel.peer(), "s"));
    QTRY_COMPARE(log.count("sentinel:s"), 1);
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.joined(), QByteArray("sentinel:s"));

    // enabling reports the data that waited
    inWorker([&] { EpollEventDispatcher::current()->setWatchEnabled(watch->id, true, false); });
    QVERIFY(epollWatches(pair.local()));
    QTRY_COMPARE(log.count("pair:late"), 1);

    // disabling from inside its own call stops it while data stays unread
    inWorker([&] {
        watch->onReadable = [&] {
            log.add("once");
            EpollEventDispatcher::current()->setWatchReadEnabled(watch->id, false);
        };
    });
    QVERIFY(writeAll(pair.peer(), "unread"));
    QTRY_COMPARE(log.count("once"), 1);
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.count("once"), 1);
    QVERIFY(!epollWatches(pair.local()));
}

void TestEpollEventDispatcher::watchRemovedDuringBatch_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("own watch, from its read call") << QStringLiteral("own");
    QTest::newRow("other watch, removed") << QStringLiteral("remove");
    QTest::newRow("other watch, removed and its handler deleted") << QStringLiteral("delete");
    QTest::newRow("other watch, its slot reused by a new watch") << QStringLiteral("reuse");
}

void TestEpollEventDispatcher::watchRemovedDuringBatch()
{
    // Two descriptors become ready together, so one epoll_wait reports both; the
    // call that runs first removes a watch whose event is already collected. The
    // removed one must not be called (a deleted handler would crash here), nor a
    // new watch that took its slot.
    QFETCH(QString, what);
    SocketPair one;
    SocketPair two;
    SocketPair quiet; // never readable
    QVERIFY(one.isValid() && two.isValid() && quiet.isValid());
    Log log;
    TestWatch *first = nullptr;
    TestWatch *second = nullptr;
    TestWatch *fresh = nullptr;
    bool slotReused = false;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    QVERIFY(inWorker([&] {
        EpollEventDispatcher *d = EpollEventDispatcher::current();
        first = new TestWatch(one.local(), m_context);
        second = new TestWatch(two.local(), m_context);
        if (what == u"own") {
            // readable and writable at once: the write call must not follow the removal
            first->onReadable = [&] {
                log.add("one:read");
                readAvailable(one.local());
                // removes its watch; this closure goes with it, so nothing after
                delete std::exchange(first, nullptr);
            };
            first->onWritable = [&] { log.add("one:write"); };
            second->onReadable = [&] {
                log.add("two");
                readAvailable(two.local());
            };
            writeAll(one.peer(), "x");
            writeAll(two.peer(), "y");
            return first->add(true, true) && second->add(true, false);
        }
        auto handle = [&, d](const QByteArray &name, int fd, TestWatch *&other) {
            log.add(name);
            readAvailable(fd);
            if (!other)
                return;
            const auto oldId = other->id;
            if (what == u"remove") {
                d->removeWatch(other->id);
                other->id = 0;
            } else {
                delete other;
            }
            other = nullptr;
            if (what == u"reuse") {
                fresh = new TestWatch(quiet.local(), m_context);
                fresh->onReadable = [&] { log.add("fresh"); };
                fresh->onWritable = [&] { log.add("fresh"); };
                slotReused = fresh->add(true, false) && quint32(fresh->id) == quint32(oldId)
                    && fresh->id != oldId;
            }
        };
        first->onReadable = [&, handle] { handle("one", one.local(), second); };
        second->onReadable = [&, handle] { handle("two", two.local(), first); };
        // both ready before the loop looks again
        writeAll(one.peer(), "x");
        writeAll(two.peer(), "y");
        return first->add(true, false) && second->add(true, false);
    }));
    if (what == u"own") {
        QTRY_COMPARE(log.size(), 2);
        inWorker([] {
            for (int i = 0; i < 3; ++i)
                QCoreApplication::processEvents();
        });
        QCOMPARE(log.count("one:read"), 1);
        QCOMPARE(log.count("one:write"), 0);
        QCOMPARE(log.count("two"), 1);
        QVERIFY(!epollWatches(one.local()));
        return;
    }
    QTRY_COMPARE(log.size(), 1);
    inWorker([] {
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
    });
    QCOMPARE(log.size(), 1);
    if (what == u"reuse")
        QVERIFY(slotReused);
    // the survivor still works
    const bool firstSurvived = log.joined() == "one";
    QVERIFY(!epollWatches(firstSurvived ? two.local() : one.local()));
    QVERIFY(writeAll(firstSurvived ? one.peer() : two.peer(), "z"));
    QTRY_COMPARE(log.size(), 2);
    QCOMPARE(log.count("fresh"), 0);
}

void TestEpollEventDispatcher::watchDescriptorNumberReused_data()
{
    QTest::addColumn<bool>("closing");
    QTest::newRow("removed as closing, then closed") << true;
    QTest::newRow("removed, then closed") << false;
}

void TestEpollEventDispatcher::watchDescriptorNumberReused()
{
    // A new socket that gets the number of a closed one is watched like any other;
    // the old watch's id no longer names anything.
    QFETCH(bool, closing);
    SocketPair oldPair;
    SocketPair newPair;
    QVERIFY(oldPair.isValid() && newPair.isValid());
    const int number = oldPair.local();
    Log log;
    TestWatch *old = nullptr;
    TestWatch *fresh = nullptr;
    EpollEventDispatcher::WatchId oldId = 0;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    QVERIFY(inWorker([&] {
        old = new TestWatch(number, m_context);
        old->onReadable = [&] {
            log.add("old");
            readAvailable(number);
        };
        return old->add(true, false);
    }));
    QVERIFY(writeAll(oldPair.peer(), "o"));
    QTRY_COMPARE(log.joined(), QByteArray("old"));

    const int reused = inWorker([&] {
        oldId = old->id;
        EpollEventDispatcher::current()->removeWatch(old->id, closing);
        old->id = 0;
        // closing: no epoll_ctl, so epoll still lists it until the close
        const bool listed = epollWatches(number);
        ::close(number);
        if (listed != closing || epollWatches(number))
            return -2;
        return ::dup3(newPair.local(), number, O_CLOEXEC);
    });
    oldPair.fds[0] = -1;
    QCOMPARE(reused, number);
    ::close(newPair.local());
    newPair.fds[0] = number;

    QVERIFY(inWorker([&] {
        fresh = new TestWatch(number, m_context);
        fresh->onReadable = [&] {
            log.add("new");
            readAvailable(number);
        };
        return fresh->add(true, false);
    }));
    QVERIFY(writeAll(newPair.peer(), "n"));
    QTRY_COMPARE(log.count("new"), 1);

    // the stale id changes nothing
    inWorker([&] {
        EpollEventDispatcher *d = EpollEventDispatcher::current();
        d->setWatchEnabled(oldId, false, false);
        d->removeWatch(oldId);
        delete old;
        old = nullptr;
    });
    QVERIFY(epollWatches(number));
    QVERIFY(writeAll(newPair.peer(), "m"));
    QTRY_COMPARE(log.count("new"), 2);
    QCOMPARE(log.count("old"), 1);
}

void TestEpollEventDispatcher::watchesAndNotifiersTogether()
{
    // Watches and notifiers of other descriptors in one batch, and a watch removed
    // from a notifier's handler in that batch.
    SocketPair a;
    SocketPair b;
    SocketPair c;
    QVERIFY(a.isValid() && b.isValid() && c.isValid());
    Log log;
    TestWatch *watchA = nullptr;
    TestWatch *watchC = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    QVERIFY(inWorker([&] {
        watchA = new TestWatch(a.local(), m_context);
        watchA->onReadable = [&] { log.add("a:" + readAvailable(a.local())); };
        auto *notifier = new QSocketNotifier(b.local(), QSocketNotifier::Read, m_context);
        connect(notifier, &QSocketNotifier::activated, m_context,
                [&] { log.add("b:" + readAvailable(b.local())); });
        watchC = new TestWatch(c.local(), m_context);
        watchC->onReadable = [&] { log.add("c:" + readAvailable(c.local())); };
        return watchA->add(true, false) && watchC->add(true, false);
    }));
    QVERIFY(writeAll(a.peer(), "1"));
    QVERIFY(writeAll(b.peer(), "2"));
    QVERIFY(writeAll(c.peer(), "3"));
    QTRY_COMPARE(log.size(), 3);
    QCOMPARE(log.count("a:1") + log.count("b:2") + log.count("c:3"), 3);
}

void TestEpollEventDispatcher::idleLoopWaits_data()
{
    QTest::addColumn<QString>("state");
    QTest::newRow("nothing to do") << QStringLiteral("nothing");
    QTest::newRow("a quiet socket with a read notifier") << QStringLiteral("quiet");
    QTest::newRow("unread data, read notifier disabled") << QStringLiteral("unread");
    QTest::newRow("peer hung up, read notifier disabled") << QStringLiteral("hungup");
    QTest::newRow("full socket, write notifier enabled") << QStringLiteral("full");
    QTest::newRow("a timer a minute away") << QStringLiteral("timer");
    QTest::newRow("connected QTcpSockets, quiet") << QStringLiteral("tcp");
    QTest::newRow("QTcpSocket after its peer closed") << QStringLiteral("tcpclosed");
}

void TestEpollEventDispatcher::idleLoopWaits()
{
    // With nothing to do the loop waits in epoll_wait() instead of coming back: a
    // spinning loop would emit aboutToBlock() thousands of times in the quiet period.
    QFETCH(QString, state);
    SocketPair pair;
    QVERIFY(pair.isValid());
    Log log;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    if (state == u"quiet" || state == u"unread" || state == u"hungup") {
        inWorker([&] {
            auto *n = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
            connect(n, &QSocketNotifier::activated, m_context, [&, n] {
                log.add("read");
                n->setEnabled(false);
            });
        });
        if (state == u"unread")
            QVERIFY(writeAll(pair.peer(), "left unread"));
        if (state == u"hungup")
            ::shutdown(pair.peer(), SHUT_RDWR);
        if (state != u"quiet")
            QTRY_COMPARE(log.count("read"), 1);
    } else if (state == u"full") {
        QVERIFY(inWorker([&] {
            const bool full = fillUntilFull(pair.local()) > 0;
            auto *n = new QSocketNotifier(pair.local(), QSocketNotifier::Write, m_context);
            connect(n, &QSocketNotifier::activated, m_context, [&] { log.add("writable"); });
            return full;
        }));
    } else if (state == u"timer") {
        inWorker([&] {
            auto *t = new QTimer(m_context);
            connect(t, &QTimer::timeout, m_context, [&] { log.add("timeout"); });
            t->start(60000);
        });
    } else if (state == u"tcp" || state == u"tcpclosed") {
        const bool closing = state == u"tcpclosed";
        QTcpSocket *client = nullptr;
        QVERIFY(inWorker([&] {
            auto *server = new QTcpServer(m_context);
            if (!server->listen(QHostAddress::LocalHost, 0))
                return false;
            connect(server, &QTcpServer::newConnection, m_context, [&, server] {
                QTcpSocket *s = server->nextPendingConnection();
                s->setParent(m_context);
                connect(s, &QIODevice::readyRead, s, [s] { s->write(s->readAll()); });
                connect(s, &QAbstractSocket::disconnected, s, [&log, s] {
                    log.add("server side closed");
                    s->deleteLater();
                });
            });
            client = new QTcpSocket(m_context);
            connect(client, &QIODevice::readyRead, m_context,
                    [&] { log.add("echo:" + client->readAll()); });
            connect(client, &QAbstractSocket::connected, m_context, [&] { client->write("ping"); });
            client->connectToHost(QHostAddress::LocalHost, server->serverPort());
            return true;
        }));
        QTRY_COMPARE(log.joined(), QByteArray("echo:ping"));
        if (closing) {
            inWorker([&] { client->disconnectFromHost(); });
            QTRY_COMPARE(log.count("server side closed"), 1);
        }
    }
    // settle: the worker has handled everything above and gone back to wait
    inWorker([] {});
    QTRY_VERIFY(blocks() > 0);
    const int before = blocks();
    QTest::qWait(300);
    const int turns = blocks() - before;
    QVERIFY2(turns < 20, QByteArray(QByteArray::number(turns) + " turns").constData());
    QCOMPARE(log.count("timeout"), 0);
    QCOMPARE(log.count("writable"), 0);
}

// ---- posted events, wake-ups, leaving the loop -----------------------------------

void TestEpollEventDispatcher::postedEventsWakeBlockedLoop()
{
    auto *receiver = new CountingReceiver;
    receiver->moveToThread(m_thread);
    std::atomic<int> invoked {0};
    const auto clear = qScopeGuard([&] {
        inWorker([receiver] { delete receiver; });
        clearWorker();
    });
    // each post reaches a loop that has gone back to waiting with no timer pending
    for (int i = 0; i < 25; ++i) {
        int before = blocks();
        QCoreApplication::postEvent(receiver, new QEvent(CountingReceiver::Type));
        QTRY_COMPARE(receiver->received.load(), i + 1);
        QTRY_VERIFY(blocks() > before);

        before = blocks();
        QMetaObject::invokeMethod(
            m_context, [&] { invoked.fetch_add(1); }, Qt::QueuedConnection);
        QTRY_COMPARE(invoked.load(), i + 1);
        QTRY_VERIFY(blocks() > before);
    }
}

void TestEpollEventDispatcher::postsFromTheLoopsOwnThread()
{
    // An event posted by the loop's own thread (from a notifier's handler, from a
    // posted event, from aboutToBlock()) is sent on the next turn without waiting and
    // without an eventfd write. With no timer and nothing else to wake it, a loop that
    // waited would leave the chain unfinished.
    SocketPair pair;
    QVERIFY(pair.isValid());
    std::atomic<int> chain {0};
    std::atomic<int> fromAboutToBlock {0};
    constexpr int Links = 2000;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    // each link posts the next
    std::function<void()> link = [&, this] {
        if (chain.fetch_add(1) + 1 < Links)
            QMetaObject::invokeMethod(m_context, link, Qt::QueuedConnection);
    };
    const quint64 writesBefore = m_dispatcher->wakeWrites();
    inWorker([&] {
        auto *n = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
        connect(n, &QSocketNotifier::activated, m_context, [&, n] {
            n->setEnabled(false);
            QMetaObject::invokeMethod(m_context, link, Qt::QueuedConnection);
        });
        // one post from aboutToBlock(), the first time the loop is about to wait
        connect(
            m_dispatcher.data(), &QAbstractEventDispatcher::aboutToBlock, m_context,
            [&] {
                if (chain.load() == Links && fromAboutToBlock.load() == 0) {
                    fromAboutToBlock.store(-1);
                    QMetaObject::invokeMethod(
                        m_context, [&] { fromAboutToBlock.store(1); }, Qt::QueuedConnection);
                }
            },
            Qt::DirectConnection);
    });
    QVERIFY(writeAll(pair.peer(), "go"));
    QTRY_COMPARE(chain.load(), Links);
    QTRY_COMPARE(fromAboutToBlock.load(), 1);
    // the writes are the test's own calls into the worker (a few), not one per link
    QVERIFY2(m_dispatcher->wakeWrites() - writesBefore < 20,
             qPrintable(QString::number(m_dispatcher->wakeWrites() - writesBefore)));
}

void TestEpollEventDispatcher::postsFromManyThreads()
{
    auto *receiver = new CountingReceiver;
    receiver->moveToThread(m_thread);
    std::atomic<int> invoked {0};
    const auto clear = qScopeGuard([&] {
        inWorker([receiver] { delete receiver; });
        clearWorker();
    });
    constexpr int Threads = 4;
    constexpr int PerThread = 2000;
    std::vector<std::thread> posters;
    for (int t = 0; t < Threads; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < PerThread; ++i) {
                if ((i + t) % 2 == 0)
                    QCoreApplication::postEvent(receiver, new QEvent(CountingReceiver::Type));
                else
                    QMetaObject::invokeMethod(
                        m_context, [&] { invoked.fetch_add(1); }, Qt::QueuedConnection);
                if (i % 100 == 0)
                    std::this_thread::yield();
            }
        });
    }
    for (auto &poster : posters)
        poster.join();
    QTRY_COMPARE_WITH_TIMEOUT(receiver->received.load() + invoked.load(), Threads * PerThread,
                              20000);
}

void TestEpollEventDispatcher::deleteLaterIsDelivered_data()
{
    QTest::addColumn<QString>("from");
    QTest::newRow("a socket notifier") << QStringLiteral("socket");
    QTest::newRow("a timer") << QStringLiteral("timer");
    QTest::newRow("a posted call") << QStringLiteral("posted");
    QTest::newRow("a nested loop, once it returns") << QStringLiteral("nested");
}

void TestEpollEventDispatcher::deleteLaterIsDelivered()
{
    // deleteLater() from each kind of handler is carried out by the loop, with nothing
    // else happening afterwards to wake it.
    QFETCH(QString, from);
    SocketPair pair;
    QVERIFY(pair.isValid());
    std::atomic<bool> destroyed {false};
    Log log;
    QObject *doomed = nullptr;
    const auto clear = qScopeGuard([this] { clearWorker(); });
    inWorker([&] {
        doomed = new QObject; // no parent: only deleteLater() removes it
        connect(
            doomed, &QObject::destroyed, doomed, [&] { destroyed = true; }, Qt::DirectConnection);
        if (from == u"socket") {
            auto *n = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
            connect(n, &QSocketNotifier::activated, m_context, [&, n] {
                n->setEnabled(false);
                doomed->deleteLater();
            });
            writeAll(pair.peer(), "x");
        } else if (from == u"timer") {
            QTimer::singleShot(5, Qt::PreciseTimer, m_context, [&] { doomed->deleteLater(); });
        } else if (from == u"posted") {
            QMetaObject::invokeMethod(
                m_context, [&] { doomed->deleteLater(); }, Qt::QueuedConnection);
        } else {
            QMetaObject::invokeMethod(
                m_context,
                [&] {
                    QEventLoop loop;
                    QTimer::singleShot(5, Qt::PreciseTimer, &loop, [&] {
                        doomed->deleteLater();
                        loop.quit();
                    });
                    loop.exec();
                    log.add(destroyed ? "deleted inside the nested loop" : "nested loop done");
                },
                Qt::QueuedConnection);
        }
    });
    QTRY_VERIFY(destroyed.load());
    if (from == u"nested")
        QCOMPARE(log.joined(), QByteArray("nested loop done"));
}

void TestEpollEventDispatcher::blockedProcessEventsReturns_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("interrupt()") << QStringLiteral("interrupt");
    QTest::newRow("wakeUp()") << QStringLiteral("wakeUp");
    QTest::newRow("posted event") << QStringLiteral("post");
}

void TestEpollEventDispatcher::blockedProcessEventsReturns()
{
    // One processEvents(WaitForMoreEvents) call with nothing to do waits until another
    // thread interrupts or wakes the dispatcher.
    QFETCH(QString, how);
    auto *receiver = new CountingReceiver;
    receiver->moveToThread(m_thread);
    std::atomic<bool> entered {false};
    std::atomic<int> returned {0};
    const auto clear = qScopeGuard([&] {
        inWorker([receiver] { delete receiver; });
        clearWorker();
    });
    QPointer<EpollEventDispatcher> dispatcher = m_dispatcher;
    std::atomic<int> blocksAtEntry {0};
    QMetaObject::invokeMethod(
        m_context,
        [&, dispatcher] {
            // take what is already pending first (the wake-up of this very call, if the
            // post arrived while the loop was delivering, or one left by a test before):
            // the waiting call below must start with nothing to do
            dispatcher->processEvents(QEventLoop::AllEvents);
            blocksAtEntry = blocks();
            entered = true;
            dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
            returned.fetch_add(1);
        },
        Qt::QueuedConnection);
    QTRY_VERIFY(entered.load());
    QTRY_VERIFY(blocks() > blocksAtEntry.load()); // it went to wait
    QTest::qWait(50);
    QCOMPARE(returned.load(), 0); // nothing happened: it keeps waiting
    if (how == u"interrupt")
        m_dispatcher->interrupt();
    else if (how == u"wakeUp")
        m_dispatcher->wakeUp();
    else
        QCoreApplication::postEvent(receiver, new QEvent(CountingReceiver::Type));
    QTRY_COMPARE(returned.load(), 1);
    if (how == u"post")
        QCOMPARE(receiver->received.load(), 1);
}

void TestEpollEventDispatcher::interruptSurvivesNestedProcessEvents()
{
    // An interrupt() that arrives while a processEvents() call is handling events still
    // makes that call return when a nested processEvents() ran after it (as when
    // QThread::quit() meets a nested QEventLoop that is just starting): the nested call
    // must not use up the interrupt of the outer one and leave it waiting.
    std::atomic<int> returned {0};
    QPointer<EpollEventDispatcher> dispatcher = m_dispatcher;
    const auto clear = qScopeGuard([&] {
        if (!returned.load() && dispatcher)
            dispatcher->wakeUp(); // let a stuck call go so the worker can be cleaned up
        QTRY_VERIFY(returned.load() > 0);
        clearWorker();
    });
    QMetaObject::invokeMethod(
        m_context,
        [&, dispatcher] {
            // handled inside the outer call below, before it decides whether to wait
            QMetaObject::invokeMethod(
                m_context,
                [dispatcher] {
                    dispatcher->interrupt();
                    dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
                },
                Qt::QueuedConnection);
            dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
            returned.fetch_add(1);
        },
        Qt::QueuedConnection);
    QTRY_COMPARE(returned.load(), 1);
}

void TestEpollEventDispatcher::quitReturnsFromExec_data()
{
    QTest::addColumn<QString>("state");
    QTest::newRow("idle") << QStringLiteral("idle");
    QTest::newRow("busy with a 0 ms timer") << QStringLiteral("busy");
    QTest::newRow("waiting on a socket") << QStringLiteral("socket");
    QTest::newRow("inside a nested loop") << QStringLiteral("nested");
}

void TestEpollEventDispatcher::quitReturnsFromExec()
{
    QFETCH(QString, state);
    SocketPair pair;
    QVERIFY(pair.isValid());
    Log log;
    std::atomic<int> ticks {0};
    if (state == u"busy") {
        inWorker([&] {
            auto *zero = new QTimer(m_context);
            connect(zero, &QTimer::timeout, m_context, [&] { ticks.fetch_add(1); });
            zero->start(0);
        });
        QTRY_VERIFY(ticks.load() > 100);
    } else if (state == u"socket") {
        inWorker([&] {
            auto *n = new QSocketNotifier(pair.local(), QSocketNotifier::Read, m_context);
            connect(n, &QSocketNotifier::activated, m_context, [&] { log.add("read"); });
        });
    } else if (state == u"nested") {
        QMetaObject::invokeMethod(
            m_context,
            [&] {
                QEventLoop loop;
                log.add("nested started");
                loop.exec();
                log.add("nested returned");
            },
            Qt::QueuedConnection);
        QTRY_COMPARE(log.count("nested started"), 1);
    }
    m_thread->quit();
    QVERIFY(m_thread->wait(10000));
    if (state == u"nested")
        QCOMPARE(log.joined(), QByteArray("nested started,nested returned"));
    if (state == u"socket")
        QCOMPARE(log.size(), 0);
    // cleanup() starts the thread again (with Qt's dispatcher) to delete what is left
}

void TestEpollEventDispatcher::excludeFlagsLeaveWorkForLater()
{
    SocketPair pair;
    QVERIFY(pair.isValid());
    struct Result
    {
        int socketWhileExcluded = -1;
        int postedWhileExcluded = -1;
        int timerWhileExcluded = -1;
        int socketAfter = -1;
        QByteArray dataAfter;
        int timerWithTimersExcluded = -1;
        int socketWithTimersExcluded = -1;
        int timerAfter = -1;
    };
    const Result r = inWorker([&] {
        Result result;
        int socket = 0;
        int posted = 0;
        int timer = 0;
        QByteArray data;
        QSocketNotifier notifier(pair.local(), QSocketNotifier::Read);
        connect(&notifier, &QSocketNotifier::activated, &notifier, [&] {
            ++socket;
            data += readAvailable(pair.local());
        });
        QTimer zero;
        zero.setSingleShot(true);
        connect(&zero, &QTimer::timeout, &zero, [&] { ++timer; });

        writeAll(pair.peer(), "wait");
        zero.start(0);
        QMetaObject::invokeMethod(
            &notifier, [&] { ++posted; }, Qt::QueuedConnection);
        QEventLoop loop;
        for (int i = 0; i < 3; ++i)
            loop.processEvents(QEventLoop::ExcludeSocketNotifiers);
        result.socketWhileExcluded = socket;
        result.postedWhileExcluded = posted;
        result.timerWhileExcluded = timer;
        loop.processEvents();
        result.socketAfter = socket;
        result.dataAfter = data;

        writeAll(pair.peer(), "more");
        zero.start(0);
        for (int i = 0; i < 3; ++i)
            loop.processEvents(QEventLoop::X11ExcludeTimers);
        result.timerWithTimersExcluded = timer;
        result.socketWithTimersExcluded = socket;
        loop.processEvents();
        result.timerAfter = timer;
        return result;
    });
    QCOMPARE(r.socketWhileExcluded, 0);
    QCOMPARE(r.postedWhileExcluded, 1);
    QCOMPARE(r.timerWhileExcluded, 1);
    QCOMPARE(r.socketAfter, 1);
    QCOMPARE(r.dataAfter, QByteArray("wait"));
    QCOMPARE(r.timerWithTimersExcluded, 1);
    QCOMPARE(r.socketWithTimersExcluded, 2);
    QCOMPARE(r.timerAfter, 2);
}

// ---- Qt's sockets ----------------------------------------------------------------

void TestEpollEventDispatcher::tcpEcho_data()
{
    QTest::addColumn<bool>("clientInWorker");
    QTest::addColumn<int>("payloadSize");
    QTest::newRow("client on the epoll thread, small") << true << 5;
    QTest::newRow("client on the epoll thread, 4 MiB") << true << 4 * 1024 * 1024;
    QTest::newRow("client on the test thread, 1 MiB") << false << 1024 * 1024;
}

void TestEpollEventDispatcher::tcpEcho()
{
    QFETCH(bool, clientInWorker);
    QFETCH(int, payloadSize);
    QByteArray payload(payloadSize, Qt::Uninitialized);
    for (int i = 0; i < payloadSize; ++i)
        payload[i] = char('a' + (i * 7) % 26);

    Log log;
    QTcpServer *server = nullptr;
    QTcpSocket *client = nullptr;
    QByteArray echoed; // the client's thread only
    std::atomic<qsizetype> echoedSize {0};
    std::unique_ptr<QTcpSocket> localClient;
    const auto clear = qScopeGuard([&] {
        localClient.reset();
        clearWorker();
    });
    const quint16 port = inWorker([&]() -> quint16 {
        server = new QTcpServer(m_context);
        if (!server->listen(QHostAddress::LocalHost, 0))
            return 0;
        connect(server, &QTcpServer::newConnection, m_context, [&] {
            while (QTcpSocket *s = server->nextPendingConnection()) {
                log.add("accepted");
                connect(s, &QIODevice::readyRead, s, [s] { s->write(s->readAll()); });
                connect(s, &QAbstractSocket::disconnected, s, [&log, s] {
                    log.add("server saw disconnect");
                    s->deleteLater();
                });
            }
        });
        return server->serverPort();
    });
    QVERIFY(port != 0);

    auto setUpClient = [&](QTcpSocket *socket) {
        connect(socket, &QAbstractSocket::connected, socket, [&, socket] {
            log.add("connected");
            socket->write(payload);
        });
        connect(socket, &QIODevice::readyRead, socket, [&, socket] {
            echoed += socket->readAll();
            echoedSize = echoed.size();
        });
        socket->connectToHost(QHostAddress::LocalHost, port);
    };
    if (clientInWorker) {
        inWorker([&] {
            client = new QTcpSocket(m_context);
            setUpClient(client);
        });
    } else {
        localClient = std::make_unique<QTcpSocket>();
        setUpClient(localClient.get());
    }
    QTRY_COMPARE(log.count("connected"), 1);
    QTRY_COMPARE_WITH_TIMEOUT(echoedSize.load(), qsizetype(payloadSize), 30000);
    if (clientInWorker)
        QVERIFY(inWorker([&] { return echoed == payload; }));
    else
        QVERIFY(echoed == payload);
    QCOMPARE(log.count("accepted"), 1);

    if (clientInWorker)
        inWorker([&] { client->disconnectFromHost(); });
    else
        localClient->disconnectFromHost();
    QTRY_COMPARE(log.count("server saw disconnect"), 1);
}

QTEST_GUILESS_MAIN(TestEpollEventDispatcher)
#include "tst_epolleventdispatcher.moc"
