// SPDX-License-Identifier: GPL-3.0-or-later
// RelayLeg on a bare descriptor, the form every plain-TCP leg of the gateway takes
// after the upgrade. The leg holds one end of a socket pair and the test plays its
// peer on the other: messages in one read or byte by byte, fragments with a ping
// between them, UTF-8 checks over whole messages, and the bytes of the handshake
// the kernel did not take, which must leave before any frame. The leg runs in a
// worker thread, with the gateway's EpollEventDispatcher or with Qt's own
// (data-driven); the test thread reads and writes the peer's end directly.
#include "gateway/epolleventdispatcher.h"
#include "gateway/relayleg.h"
#include "gateway/websocketcodec.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QTest>
#include <QThread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

using namespace Gatehouse::Gateway;

namespace {

struct Received
{
    bool binary = false;
    QByteArray payload;
};

// What the leg reported, written in the worker and read in the test thread.
struct Log
{
    QMutex mutex;
    QList<Received> messages;
    QList<quint16> protocolErrors;
    int bytesWritten = 0;

    QList<Received> takeMessages()
    {
        QMutexLocker lock(&mutex);
        return messages;
    }
    QList<quint16> errors()
    {
        QMutexLocker lock(&mutex);
        return protocolErrors;
    }
    int writtenReports()
    {
        QMutexLocker lock(&mutex);
        return bytesWritten;
    }
};

// Reads from `fd` until `count` bytes came or 5 s passed.
QByteArray readExactly(int fd, qsizetype count)
{
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    char buffer[4096];
    while (out.size() < count && timer.elapsed() < 5000) {
        pollfd p {fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        const ssize_t n
            = ::recv(fd, buffer, size_t(std::min<qsizetype>(sizeof buffer, count - out.size())), 0);
        if (n <= 0)
            break;
        out.append(buffer, n);
    }
    return out;
}

// Writes all of `bytes` to the blocking end of the pair, `step` bytes at a time.
bool writeAll(int fd, const QByteArray &bytes, qsizetype step)
{
    int writes = 0;
    for (qsizetype at = 0; at < bytes.size();) {
        const ssize_t n = ::send(fd, bytes.constData() + at,
                                 size_t(std::min(step, bytes.size() - at)), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        at += n;
        if (step < bytes.size() && ++writes % 16 == 0)
            QThread::usleep(50); // let the leg read what came so far: partial frames
    }
    return true;
}

// A frame as a client sends it (masked).
QByteArray clientFrame(quint8 opcode, QByteArrayView payload, bool fin = true)
{
    return WebSocketCodec(WebSocketCodec::Role::Client).encode(opcode, payload, fin);
}

// A frame as the leg (server role) sends it (unmasked).
QByteArray serverFrame(quint8 opcode, QByteArrayView payload)
{
    return WebSocketCodec(WebSocketCodec::Role::Server).encode(opcode, payload);
}

} // namespace

class TestRelayLeg final : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();

    void messagesInAnyChunks_data();
    void messagesInAnyChunks();
    void utf8CheckedOverWholeMessages_data();
    void utf8CheckedOverWholeMessages();
    void unsentHandshakeBytesLeaveFirst_data();
    void unsentHandshakeBytesLeaveFirst();
    void readsOnlyWhatThePeerHasRoomFor_data();
    void readsOnlyWhatThePeerHasRoomFor();

private:
    // A worker thread with the chosen dispatcher, a socket pair (m_legEnd for the
    // leg, m_peer for the test) and the leg made in the worker.
    void startWorker(bool epoll);
    void makeLeg(const QByteArray &unsent = {});
    template<typename F>
    auto inWorker(F &&f)
    {
        return Gatehouse::Test::runInThreadOf(m_context, std::forward<F>(f));
    }

    QThread *m_thread = nullptr;
    QObject *m_context = nullptr; // lives in the worker; parent of the leg
    QPointer<RelayLeg> m_leg;
    Log m_log;
    int m_legEnd = -1; // owned by the leg once it is made
    int m_peer = -1;
};

void TestRelayLeg::startWorker(bool epoll)
{
    m_thread = new QThread;
    if (epoll) {
        auto *dispatcher = new EpollEventDispatcher;
        QVERIFY(dispatcher->isValid());
        m_thread->setEventDispatcher(dispatcher);
    }
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    m_thread->start();
    const bool onEpoll = inWorker([] { return EpollEventDispatcher::current() != nullptr; });
    QCOMPARE(onEpoll, epoll);

    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
    m_legEnd = pair[0];
    m_peer = pair[1];
    // the test's end blocks (reads are bounded by poll())
    const int flags = ::fcntl(m_peer, F_GETFL);
    QVERIFY(::fcntl(m_peer, F_SETFL, flags & ~O_NONBLOCK) == 0);
}

void TestRelayLeg::makeLeg(const QByteArray &unsent)
{
    m_leg = inWorker([this, unsent] {
        auto *leg = new RelayLeg(m_legEnd, WebSocketCodec::Role::Server, 1000, unsent, m_context);
        leg->setMessageHandler([this](bool binary, const QByteArray &payload, qint64) {
            QMutexLocker lock(&m_log.mutex);
            m_log.messages.append({binary, QByteArray(payload.constData(), payload.size())});
        });
        leg->setBytesWrittenHandler([this] {
            QMutexLocker lock(&m_log.mutex);
            ++m_log.bytesWritten;
        });
        connect(leg, &RelayLeg::protocolErrorOccurred, leg, [this](quint16 code, const QString &) {
            QMutexLocker lock(&m_log.mutex);
            m_log.protocolErrors.append(code);
        });
        leg->start({});
        return leg;
    });
    m_legEnd = -1;
    QVERIFY(m_leg);
}

void TestRelayLeg::cleanup()
{
    if (m_thread) {
        if (m_context)
            inWorker([this] { delete m_context; });
        m_context = nullptr;
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    if (m_legEnd >= 0)
        ::close(m_legEnd);
    if (m_peer >= 0)
        ::close(m_peer);
    m_legEnd = m_peer = -1;
    QMutexLocker lock(&m_log.mutex);
    m_log.messages.clear();
    m_log.protocolErrors.clear();
    m_log.bytesWritten = 0;
}

void TestRelayLeg::messagesInAnyChunks_data()
{
    QTest::addColumn<bool>("epoll");
    QTest::addColumn<qsizetype>("step"); // bytes per write of the peer
    for (bool epoll : {true, false}) {
        const char *d = epoll ? "epoll" : "qt";
        QTest::addRow("%s, one write", d) << epoll << qsizetype(1 << 20);
        QTest::addRow("%s, byte by byte", d) << epoll << qsizetype(1);
        QTest::addRow("%s, 7 bytes at a time", d) << epoll << qsizetype(7);
    }
}

void TestRelayLeg::messagesInAnyChunks()
{
    QFETCH(bool, epoll);
    QFETCH(qsizetype, step);
    startWorker(epoll);
    makeLeg();
    if (QTest::currentTestFailed())
        return;

    const QByteArray binary("\x00\x01\x02\xff", 4);
    const QByteArray big(70000, 'b'); // 64-bit length, more than one read
    QByteArray bytes;
    bytes += clientFrame(WebSocketCodec::Text, "one");
    bytes += clientFrame(WebSocketCodec::Binary, binary);
    bytes += clientFrame(WebSocketCodec::Text, "gr\xc3\xbc\xc3\x9f\x65"); // not ASCII
    // a message in fragments, a ping between them (control frames may interleave)
    bytes += clientFrame(WebSocketCodec::Text, "frag", false);
    bytes += clientFrame(WebSocketCodec::Ping, "are you there");
    bytes += clientFrame(WebSocketCodec::Continuation, "men", false);
    bytes += clientFrame(WebSocketCodec::Continuation, "ted");
    bytes += clientFrame(WebSocketCodec::Text, big);
    bytes += clientFrame(WebSocketCodec::Text, ""); // empty message
    QVERIFY(writeAll(m_peer, bytes, step));

    QTRY_COMPARE_WITH_TIMEOUT(m_log.takeMessages().size(), 6, 10000);
    const QList<Received> got = m_log.takeMessages();
    QCOMPARE(got[0].payload, QByteArray("one"));
    QVERIFY(!got[0].binary);
    QCOMPARE(got[1].payload, binary);
    QVERIFY(got[1].binary);
    QCOMPARE(got[2].payload, QByteArray("gr\xc3\xbc\xc3\x9f\x65"));
    QCOMPARE(got[3].payload, QByteArray("fragmented"));
    QVERIFY(!got[3].binary);
    QCOMPARE(got[4].payload, big);
    QCOMPARE(got[5].payload, QByteArray());
    QVERIFY(m_log.errors().isEmpty());

    // the ping was answered with its payload, nothing else was sent
    const QByteArray pong = serverFrame(WebSocketCodec::Pong, "are you there");
    QCOMPARE(readExactly(m_peer, pong.size()), pong);
    QCOMPARE(inWorker([this] { return m_leg->bufferedBytes(); }), qint64(0));
}

void TestRelayLeg::utf8CheckedOverWholeMessages_data()
{
    QTest::addColumn<bool>("epoll");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("delivered"); // empty: rejected with 1007
    const QByteArray euro("\xe2\x82\xac"); // three bytes of UTF-8
    for (bool epoll : {true, false}) {
        const char *d = epoll ? "epoll" : "qt";
        QTest::addRow("%s, character split over fragments", d)
            << epoll
            << clientFrame(WebSocketCodec::Text, QByteArray("price " + euro.left(1)), false)
                + clientFrame(WebSocketCodec::Continuation, euro.mid(1))
            << QByteArray("price " + euro);
        QTest::addRow("%s, invalid in one frame", d)
            << epoll << clientFrame(WebSocketCodec::Text, "bad \xc3\x28 byte") << QByteArray();
        QTest::addRow("%s, invalid over fragments", d)
            << epoll
            << clientFrame(WebSocketCodec::Text, "bad \xe2\x82", false)
                + clientFrame(WebSocketCodec::Continuation, "x")
            << QByteArray();
        QTest::addRow("%s, truncated character at the end", d)
            << epoll << clientFrame(WebSocketCodec::Text, QByteArray("cut " + euro.left(2)))
            << QByteArray();
        QTest::addRow("%s, binary is never checked", d)
            << epoll << clientFrame(WebSocketCodec::Binary, "\xc3\x28") << QByteArray("\xc3\x28");
    }
}

void TestRelayLeg::utf8CheckedOverWholeMessages()
{
    QFETCH(bool, epoll);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, delivered);
    startWorker(epoll);
    makeLeg();
    if (QTest::currentTestFailed())
        return;
    QVERIFY(writeAll(m_peer, bytes, bytes.size()));

    if (!delivered.isEmpty()) {
        QTRY_COMPARE(m_log.takeMessages().size(), 1);
        QCOMPARE(m_log.takeMessages().constFirst().payload, delivered);
        QVERIFY(m_log.errors().isEmpty());
        return;
    }
    QTRY_COMPARE(m_log.errors(), QList<quint16>({1007}));
    QVERIFY(m_log.takeMessages().isEmpty());
    // the peer is told why: a close frame with 1007
    const QByteArray head = readExactly(m_peer, 4);
    QCOMPARE(head.size(), 4);
    QCOMPARE(quint8(head[0]), quint8(0x80 | WebSocketCodec::Close));
    QCOMPARE((quint8(head[2]) << 8) | quint8(head[3]), 1007);
}

void TestRelayLeg::unsentHandshakeBytesLeaveFirst_data()
{
    QTest::addColumn<bool>("epoll");
    QTest::addColumn<bool>("kernelFull"); // the send buffer is full when the leg is made
    for (bool epoll : {true, false}) {
        const char *d = epoll ? "epoll" : "qt";
        QTest::addRow("%s, kernel has room", d) << epoll << false;
        QTest::addRow("%s, kernel buffer full", d) << epoll << true;
    }
}

void TestRelayLeg::unsentHandshakeBytesLeaveFirst()
{
    QFETCH(bool, epoll);
    QFETCH(bool, kernelFull);
    startWorker(epoll);
    if (QTest::currentTestFailed())
        return;

    // What the session had sent of the handshake before the leg took over: when the
    // kernel did not take all of it, the rest is the leg's to send before anything.
    QByteArray filler;
    if (kernelFull) {
        const int small = 4096;
        QCOMPARE(::setsockopt(m_legEnd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
        QCOMPARE(::setsockopt(m_peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
        const QByteArray chunk(1024, 'f');
        for (;;) {
            const ssize_t n = ::send(m_legEnd, chunk.constData(), size_t(chunk.size()), 0);
            if (n < 0) {
                QVERIFY(errno == EAGAIN || errno == EWOULDBLOCK);
                break;
            }
            filler.append(chunk.constData(), n);
        }
        QVERIFY(!filler.isEmpty());
    }
    const QByteArray unsent = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + WebSocketCodec::acceptKey("dGhlIHNhbXBsZSBub25jZQ==") + "\r\n\r\n";
    makeLeg(unsent);
    if (QTest::currentTestFailed())
        return;
    const qint64 queued = inWorker([this] {
        m_leg->sendMessage(false, "first message");
        m_leg->sendMessage(true, QByteArray(3000, 'x'));
        return m_leg->bytesToWrite();
    });
    const QByteArray frames = serverFrame(WebSocketCodec::Text, "first message")
        + serverFrame(WebSocketCodec::Binary, QByteArray(3000, 'x'));
    if (kernelFull)
        QCOMPARE(queued, qint64(unsent.size() + frames.size())); // all waits for room
    else
        QCOMPARE(queued, qint64(0));

    const QByteArray expected = filler + unsent + frames;
    const QByteArray got = readExactly(m_peer, expected.size());
    QCOMPARE(got.size(), expected.size());
    QVERIFY(got == expected);
    QTRY_COMPARE(inWorker([this] { return m_leg->bytesToWrite(); }), qint64(0));
    if (kernelFull)
        QTRY_VERIFY(m_log.writtenReports() > 0); // backpressure would be lifted
}

void TestRelayLeg::readsOnlyWhatThePeerHasRoomFor_data()
{
    QTest::addColumn<bool>("epoll");
    QTest::addRow("epoll") << true;
    QTest::addRow("qt") << false;
}

// A leg relays to a peer leg whose reader takes nothing (a stalled client), and the
// owner pauses it once the peer holds more than the outgoing limit, as the session
// does. With the limit set on the leg it reads only the room left under it (small
// reads at the limit): once paused, the peer holds the limit and the message that
// crossed it, and the leg less than a message it has not parsed, instead of up to a
// whole 64 KiB read.
void TestRelayLeg::readsOnlyWhatThePeerHasRoomFor()
{
    QFETCH(bool, epoll);
    startWorker(epoll);
    if (QTest::currentTestFailed())
        return;
    int pair[2]; // the peer leg's socket pair; the test never reads pair[1]
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
    const int stalled = pair[1];
    const int small = 4096; // (the kernel's queue fills at once)
    QCOMPARE(::setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    static constexpr qint64 Limit = 64 * 1024;
    const QByteArray message(16 * 1024, 'm');
    RelayLeg *peer = nullptr;
    m_leg = inWorker([&] {
        auto *leg = new RelayLeg(m_legEnd, WebSocketCodec::Role::Server, 1000, {}, m_context);
        peer = new RelayLeg(pair[0], WebSocketCodec::Role::Server, 1000, {}, m_context);
        leg->setPeer(peer);
        leg->setPeerOutputLimit(Limit);
        leg->setMessageHandler([leg, peer](bool binary, const QByteArray &payload, qint64) {
            peer->sendMessage(binary, payload);
            if (peer->bytesToWrite() > Limit)
                leg->pauseReading();
        });
        peer->setBytesWrittenHandler([leg, peer] {
            if (peer->bytesToWrite() <= Limit / 2)
                leg->resumeReading();
        });
        peer->start({});
        leg->start({});
        return leg;
    });
    m_legEnd = -1;
    QVERIFY(m_leg);

    // the test sends messages until the leg stops taking them
    const int flags = ::fcntl(m_peer, F_GETFL);
    QVERIFY(::fcntl(m_peer, F_SETFL, flags | O_NONBLOCK) == 0);
    const QByteArray frame = clientFrame(WebSocketCodec::Binary, message);
    QByteArray pending;
    QElapsedTimer quiet;
    quiet.start();
    while (quiet.elapsed() < 500) {
        if (pending.isEmpty())
            pending = frame;
        const ssize_t n = ::send(m_peer, pending.constData(), size_t(pending.size()), MSG_NOSIGNAL);
        if (n > 0) {
            pending.remove(0, n);
            quiet.start();
        } else {
            QVERIFY(errno == EAGAIN || errno == EWOULDBLOCK);
            QThread::msleep(5);
        }
    }

    const auto [paused, queued, unparsed] = inWorker([&] {
        return std::tuple {m_leg->isReadingPaused(), peer->bytesToWrite(), m_leg->bufferedBytes()};
    });
    qInfo("paused with %lld bytes queued to the stalled reader, %lld read and not parsed", queued,
          unparsed);
    QVERIFY(paused);
    QVERIFY2(queued <= Limit + message.size() + 4, qPrintable(QString::number(queued)));
    QVERIFY2(unparsed < frame.size(), qPrintable(QString::number(unparsed)));
    ::close(stalled);
}

QTEST_GUILESS_MAIN(TestRelayLeg)
#include "tst_relayleg.moc"
