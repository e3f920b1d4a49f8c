// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/relayleg.h"

#include "gateway/descriptorio.h"
#include "gateway/epolleventdispatcher.h"

#include <QHostAddress>
#include <QSslSocket>
#include <QStringDecoder>
#include <QTcpSocket>
#include <QTimerEvent>
#include <QtEndian>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gatehouse::Gateway {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool isValidUtf8(const QByteArray &bytes)
{
    // ASCII fast path, 8 bytes at a time: most relayed text is JSON
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    qsizetype i = 0;
    const qsizetype n = bytes.size();
    for (; i + 8 <= n; i += 8) {
        quint64 word;
        std::memcpy(&word, p + i, 8);
        if (word & 0x8080808080808080ULL)
            break;
    }
    while (i < n && p[i] < 0x80)
        ++i;
    if (i == n)
        return true;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder(QByteArrayView(bytes).sliced(i));
    Q_UNUSED(decoded);
    return !decoder.hasError();
}

// Descriptor-mode reads land here first. When nothing is pending, the leg parses
// straight from it (its m_in borrows it, no copy) and takes what is left when done;
// `t_readBufferUser` is the leg whose m_in borrows it now, if any.
thread_local char t_readBuffer[64 * 1024];
thread_local RelayLeg *t_readBufferUser = nullptr;

// The smallest read when the peer's queue is at or over its limit (see
// setPeerOutputLimit): progress for a message under way, little held beyond the limit.
constexpr qsizetype MinimumRead = 4 * 1024;

// While its peer processes a read, a leg writes into this buffer instead of its own
// (swapped in at cork(), swapped back when the kernel took everything): one buffer
// per thread, warm in the cache, where with many connections a leg's own buffer is
// not (and idle legs keep no output buffer). `t_writeBufferUser` holds it now; the
// thread keeps at most 64 KiB of it.
thread_local QByteArray t_writeBuffer;
thread_local RelayLeg *t_writeBufferUser = nullptr;

} // namespace

RelayLeg::RelayLeg(QTcpSocket *socket, WebSocketCodec::Role role, qint64 readBufferSize,
                   int closeTimeoutMs, QObject *parent)
    : QObject(parent)
    , m_codec(role)
    , m_closeTimeoutMs(closeTimeoutMs)
    , m_later(this, [this] { runLater(); })
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Take a plain TCP connection over from its socket object: flush what it still
    // buffers for writing (the 101 or the upgrade request, small), keep what it
    // has read, and continue on a duplicate of its descriptor.
    const bool plain = !qobject_cast<QSslSocket *>(socket)
        && socket->state() == QAbstractSocket::ConnectedState && socket->socketDescriptor() >= 0;
    if (plain) {
        socket->flush();
        if (socket->bytesToWrite() == 0) {
            const int fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
            if (fd >= 0) {
                m_fd = fd;
                m_in = socket->readAll(); // start() puts what the session read first
                // closes the socket's own descriptor only; deleted later because we
                // may be inside one of its signals
                socket->disconnect();
                socket->abort();
                socket->deleteLater();
                return;
            }
        }
    }
    socket->setParent(this);
    socket->setReadBufferSize(readBufferSize);
    m_socket = socket;
}

RelayLeg::RelayLeg(DescriptorWatch &&watch, WebSocketCodec::Role role, int closeTimeoutMs,
                   const QByteArray &unsent, QObject *parent)
    : QObject(parent)
    , m_fd(watch.descriptor())
    , m_codec(role)
    , m_closeTimeoutMs(closeTimeoutMs)
    , m_later(this, [this] { runLater(); })
    , m_watch(std::move(watch))
{
    if (m_watch.isActive())
        m_watch.setHandler(this); // (start() sets what it waits for)
    if (!unsent.isEmpty())
        writeBytes(unsent);
}

RelayLeg::RelayLeg(int descriptor, WebSocketCodec::Role role, int closeTimeoutMs,
                   const QByteArray &unsent, QObject *parent)
    : QObject(parent)
    , m_fd(descriptor)
    , m_codec(role)
    , m_closeTimeoutMs(closeTimeoutMs)
    , m_later(this, [this] { runLater(); })
{
    if (!unsent.isEmpty())
        writeBytes(unsent);
}

RelayLeg::~RelayLeg()
{
    setPeer(nullptr);
    releaseReadBuffer();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    closeDescriptor();
}

void RelayLeg::setPeer(RelayLeg *peer)
{
    if (m_peer == peer)
        return;
    if (m_peer && m_peer->m_peer == this)
        m_peer->m_peer = nullptr;
    m_peer = peer;
    if (peer) {
        if (peer->m_peer && peer->m_peer != this)
            peer->m_peer->m_peer = nullptr;
        peer->m_peer = this;
    }
}

QString RelayLeg::peer() const
{
    if (m_socket)
        return m_socket->peerAddress().toString() + u':' + QString::number(m_socket->peerPort());
    if (m_fd < 0)
        return {};
    sockaddr_storage address {};
    socklen_t length = sizeof address;
    if (::getpeername(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return {};
    QHostAddress host(reinterpret_cast<const sockaddr *>(&address));
    return host.toString() + u':' + QString::number(portOf(address));
}

void RelayLeg::start(const QByteArray &alreadyRead)
{
    m_started = true;
    m_in.prepend(alreadyRead);
    if (m_fd >= 0) {
        updateInterest();
        if (!m_in.isEmpty())
            later(LaterRead);
        return;
    }
    if (!m_socket)
        return; // the descriptor failed before the start; finished() is on its way
    connect(m_socket, &QIODevice::readyRead, this, &RelayLeg::handleReadyRead);
    connect(m_socket, &QIODevice::bytesWritten, this, &RelayLeg::reportBytesWritten);
    connect(m_socket, &QAbstractSocket::disconnected, this, &RelayLeg::handleDisconnected);
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        later(LaterDisconnected);
        return;
    }
    if (!m_in.isEmpty() || m_socket->bytesAvailable())
        later(LaterRead);
}

void RelayLeg::later(quint8 work)
{
    m_laterWork |= work;
    m_later.schedule();
}

void RelayLeg::runLater()
{
    // in the order a queued call each would have run in
    const quint8 work = m_laterWork;
    m_laterWork = 0;
    if (work & LaterRead)
        handleReadyRead();
    if (work & LaterDisconnected)
        handleDisconnected();
    if (work & LaterFinished) {
        if (m_listener)
            m_listener->legFinished(this, m_finishedClean);
        emit finished(m_finishedClean);
    }
}

qint64 RelayLeg::bytesToWrite() const
{
    if (m_fd >= 0)
        return m_out.size() - m_outOffset;
    return m_socket ? m_socket->bytesToWrite() : 0;
}

qint64 RelayLeg::bufferedBytes() const
{
    return (m_in.size() - m_offset) + m_message.size()
        + (m_socket ? m_socket->bytesAvailable() : 0);
}

// ---- transport ----------------------------------------------------------------

void RelayLeg::updateInterest()
{
    if (m_fd < 0)
        return;
    const bool read = m_started && !m_paused;
    const bool write = m_writeWanted;
    if (!m_watch.isActive()) {
        m_watch.start(m_fd, this, read, write);
        return;
    }
    if (m_watch.isReadEnabled() != read || m_watch.isWriteEnabled() != write)
        m_watch.setEnabled(read, write);
}

void RelayLeg::descriptorReadable()
{
    if (!m_started)
        return; // an adopted watch still waiting to read (level-triggered: it comes again)
    handleReadyRead();
}

void RelayLeg::descriptorWritable()
{
    handleWritable();
}

void RelayLeg::reportBytesWritten()
{
    if (m_onBytesWritten)
        m_onBytesWritten();
}

void RelayLeg::writeBytes(const QByteArray &bytes)
{
    if (m_socket) {
        m_socket->write(bytes);
        return;
    }
    if (m_fd < 0 || m_disconnectWhenWritten)
        return;
    if (m_corked > 0 || m_out.size() > m_outOffset) {
        // held back for one send at uncork(), or waiting for the kernel: keep the order
        if (m_out.size() == m_outOffset && !m_outBorrowed) {
            m_out = bytes; // shared, not copied
            m_outOffset = 0;
        } else {
            m_out.append(bytes);
        }
        return;
    }
    m_out = bytes;
    m_outOffset = 0;
    flushOut();
}

bool RelayLeg::flushOut()
{
    switch (sendPending(m_fd, m_out, &m_outOffset)) {
    case SendResult::Done:
        break;
    case SendResult::WouldBlock:
        // the kernel buffer is full: continue when it has room
        if (!m_writeWanted) {
            m_writeWanted = true;
            updateInterest();
        }
        return false;
    case SendResult::Failed:
        abortTransport(); // the peer is gone (EPIPE, ECONNRESET, ...)
        return false;
    }
    // a small buffer is kept for the next frames (no allocation per message); a big
    // one is given back, so an idle connection holds little memory
    if (m_outBorrowed || (m_out.capacity() <= 4096 && m_out.isDetached()))
        m_out.resize(0);
    else
        m_out = QByteArray();
    m_outOffset = 0;
    if (m_writeWanted) {
        m_writeWanted = false;
        updateInterest();
    }
    return true;
}

void RelayLeg::cork()
{
    if (++m_corked > 1 || m_fd < 0 || m_out.size() > m_outOffset || t_writeBufferUser)
        return;
    // nothing waiting for the kernel: write into the thread's buffer until uncork()
    m_out.swap(t_writeBuffer); // (ours, empty, waits there)
    m_out.resize(0);
    m_outOffset = 0;
    m_outBorrowed = true;
    t_writeBufferUser = this;
}

void RelayLeg::uncork()
{
    if (m_corked == 0 || --m_corked > 0)
        return;
    // what was held back counted as waiting to be written; tell the session when
    // it is gone, so that backpressure it caused is lifted
    if (m_fd >= 0 && m_out.size() > m_outOffset && !m_writeWanted && flushOut())
        reportBytesWritten();
    returnWriteBuffer();
}

void RelayLeg::returnWriteBuffer()
{
    if (!m_outBorrowed)
        return;
    m_outBorrowed = false;
    t_writeBufferUser = nullptr;
    if (m_out.size() > m_outOffset)
        return; // the kernel is full: the buffer stays with what waits in it
    m_outOffset = 0;
    // a big message grew it: the thread does not keep that much for good
    if (m_out.capacity() > qsizetype(sizeof t_readBuffer))
        m_out = QByteArray();
    else
        m_out.resize(0);
    m_out.swap(t_writeBuffer);
}

void RelayLeg::handleWritable()
{
    if (m_fd < 0 || !flushOut())
        return;
    if (m_disconnectWhenWritten) {
        m_disconnectWhenWritten = false;
        closeDescriptor();
        handleDisconnected();
        return;
    }
    reportBytesWritten();
}

void RelayLeg::disconnectTransport()
{
    if (m_socket) {
        m_socket->disconnectFromHost();
        return;
    }
    if (m_fd < 0)
        return;
    if (m_out.size() > m_outOffset && !flushOut()) {
        if (m_fd >= 0)
            m_disconnectWhenWritten = true; // handleWritable() closes when done
        return;
    }
    closeDescriptor();
    later(LaterDisconnected);
}

void RelayLeg::abortTransport()
{
    if (m_socket) {
        m_socket->abort();
        return;
    }
    if (m_fd < 0)
        return;
    closeDescriptor();
    later(LaterDisconnected);
}

qsizetype RelayLeg::readRoom() const
{
    constexpr qsizetype Full = sizeof t_readBuffer;
    if (m_peerOutputLimit < 0 || !m_peer)
        return Full;
    const qint64 room = m_peerOutputLimit - m_peer->bytesToWrite();
    return qsizetype(std::clamp<qint64>(room, MinimumRead, Full));
}

bool RelayLeg::readDescriptor(qsizetype size)
{
    char *const buffer = t_readBuffer;
    const auto want = size_t(std::min<qsizetype>(size, sizeof t_readBuffer));
    if (m_fd < 0 || m_paused)
        return false;
    if (t_readBufferUser) // (this leg after an earlier read, or one still parsing)
        t_readBufferUser->releaseReadBuffer();
    ssize_t n = 0;
    do
        n = ::recv(m_fd, buffer, want, 0); // (read() takes a longer way)
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        if (m_offset == m_in.size() && size_t(n) < sizeof t_readBuffer) {
            // the usual case: one read, parsed in place; handleReadyRead() releases
            // the buffer after parsing
            m_in = QByteArray::fromRawData(buffer, n);
            m_offset = 0;
            m_inBorrowed = true;
            t_readBufferUser = this;
            return size_t(n) == want;
        }
        if (m_offset == m_in.size()) {
            m_in = QByteArray(buffer, n);
            m_offset = 0;
        } else {
            m_in.append(buffer, n);
        }
        return size_t(n) == want; // the kernel may hold more
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    // end of stream or an error: the TCP connection is over
    abortTransport();
    return false;
}

void RelayLeg::releaseReadBuffer()
{
    if (!m_inBorrowed)
        return;
    m_inBorrowed = false;
    if (t_readBufferUser == this)
        t_readBufferUser = nullptr;
    // what is left (a partial frame) is copied; nothing left, nothing kept
    m_in = m_offset < m_in.size() ? QByteArray(m_in.constData() + m_offset, m_in.size() - m_offset)
                                  : QByteArray();
    m_offset = 0;
}

void RelayLeg::closeDescriptor()
{
    // the watch goes with the descriptor (no epoll_ctl: the close removes it)
    m_writeWanted = false;
    m_watch.closeDescriptor(m_fd);
    m_fd = -1;
    m_outOffset = 0;
    if (m_outBorrowed) { // unsent output goes; the buffer goes back to the thread
        m_out.resize(0);
        returnWriteBuffer();
    }
    m_out = QByteArray();
}

void RelayLeg::startCloseTimer()
{
    m_closeTimer.start(m_closeTimeoutMs, this); // (re)started: no timer object per leg
}

void RelayLeg::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_closeTimer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_closeTimer.stop(); // one shot
    abort();
}

// ---- WebSocket ------------------------------------------------------------------

void RelayLeg::sendMessage(bool binary, const QByteArray &payload)
{
    if (!hasTransport() || m_closeSent || m_finished)
        return;
    const quint8 opcode = binary ? WebSocketCodec::Binary : WebSocketCodec::Text;
    if (m_socket || m_fd < 0 || m_disconnectWhenWritten) {
        writeBytes(m_codec.encode(opcode, payload));
        return;
    }
    // descriptor mode: the frame is encoded straight into the output buffer
    const bool pending = m_out.size() > m_outOffset; // waiting for the kernel
    if (!pending) {
        m_out.resize(0); // keeps a small buffer's capacity (see flushOut)
        m_outOffset = 0;
    } else if (m_outOffset > 0 && m_out.size() + payload.size() + 14 > m_out.capacity()) {
        // what the kernel took is moved out before the buffer would grow: a slow
        // reader's buffer then holds what waits (up to the outgoing limit and a
        // message), not also what left before it
        const qsizetype waiting = m_out.size() - m_outOffset;
        char *const data = m_out.data();
        std::memmove(data, data + m_outOffset, size_t(waiting));
        m_out.resize(waiting);
        m_outOffset = 0;
    }
    m_codec.encodeTo(m_out, opcode, payload);
    if (m_corked > 0 || pending)
        return; // leaves at uncork(), or when the kernel takes the queue
    flushOut();
}

void RelayLeg::sendPing(const QByteArray &payload)
{
    if (!hasTransport() || m_closeSent || m_finished)
        return;
    writeBytes(m_codec.encode(WebSocketCodec::Ping, payload.left(125)));
}

void RelayLeg::close(quint16 code, const QString &reason)
{
    if (!hasTransport() || m_finished)
        return;
    if (!m_closeSent) {
        m_closeSent = true;
        writeBytes(
            m_codec.encode(WebSocketCodec::Close, WebSocketCodec::closePayload(code, reason)));
    }
    if (m_closeReceived)
        finishClose();
    else
        startCloseTimer(); // wait for the peer's close frame, not forever
}

void RelayLeg::finishClose()
{
    // Both close frames exchanged. The server side closes TCP first (RFC 6455 7.1.1);
    // as a client we give the server a moment to do so.
    if (m_codec.role() == WebSocketCodec::Role::Server)
        disconnectTransport();
    startCloseTimer();
}

void RelayLeg::abort()
{
    if (m_socket)
        m_socket->abort();
    closeDescriptor();
    handleDisconnected();
}

void RelayLeg::pauseReading()
{
    if (m_paused)
        return;
    m_paused = true;
    updateInterest();
}

void RelayLeg::resumeReading()
{
    if (!m_paused)
        return;
    m_paused = false;
    updateInterest();
    later(LaterRead);
}

void RelayLeg::handleReadyRead()
{
    if (!m_started || !hasTransport() || m_finished || m_paused)
        return;
    if (m_fd >= 0) {
        if (m_closeReceived) { // nothing may follow a close frame: discard it
            static thread_local char sink[16 * 1024];
            ssize_t n = 0;
            while ((n = ::read(m_fd, sink, sizeof sink)) > 0) { }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                abortTransport(); // the peer closed TCP: the connection is over
            return;
        }
        // what this read makes us send to the other leg goes out in one send
        // (callbacks close or abort legs but never delete one)
        RelayLeg *const peer = m_peer;
        if (peer)
            peer->cork();
        // A few reads per notification at most, so that one busy peer cannot starve
        // the other connections of this worker (the watch is level-triggered); each
        // read is parsed before the next, so that reading stops as soon as the
        // messages handed on pause it (backpressure), and takes no more than the
        // peer's queue has room for: what is read and not passed on stays bounded by
        // the outgoing limit plus a message, not by the reads of a batch. A later
        // round needs room for a full small read (the held-back writes count); the
        // next notification comes once they are flushed.
        for (int round = 0; round < 4; ++round) {
            const qsizetype room = readRoom();
            if (round > 0 && room <= MinimumRead)
                break;
            const bool more = readDescriptor(room);
            processBuffer();
            if (!more || m_paused || m_fd < 0 || m_closeReceived || m_finished)
                break;
        }
        releaseReadBuffer();
        if (peer)
            peer->uncork();
        return;
    }
    if (m_closeReceived) {
        m_socket->skip(m_socket->bytesAvailable()); // nothing may follow a close frame
        return;
    }
    if (m_socket->bytesAvailable()) {
        if (m_offset == m_in.size()) {
            m_in = m_socket->readAll(); // nothing pending: take the read as is, no copy
            m_offset = 0;
        } else {
            m_in.append(m_socket->readAll());
        }
    }
    processBuffer();
}

void RelayLeg::processBuffer()
{
    // the messages of one read arrived together: one clock reading for all of them
    m_readNs = nowNs();
    WebSocketCodec::Frame frame;
    while (!m_paused && !m_closeReceived && hasTransport()) {
        if (m_in.size() - m_offset < 2)
            break;
        const qint64 limit = m_maxMessageSize < 0 ? -1 : m_maxMessageSize - m_message.size();
        // frames are unmasked where they lie and handed on as views of the buffer
        // (the thread's read buffer, writable, or our own copy): no copy per message
        char *const in = m_inBorrowed ? const_cast<char *>(m_in.constData()) : m_in.data();
        const auto result = m_codec.parseInPlace(in, m_in.size(), &m_offset, limit, &frame);
        if (result == WebSocketCodec::Result::NeedMore)
            break;
        if (result == WebSocketCodec::Result::Error) {
            failProtocol(m_codec.errorCode(), m_codec.errorString());
            return;
        }
        if (!handleFrame(frame))
            return;
    }
    // keep memory small: an idle connection holds no read buffer of its own, and one
    // paused (the other side takes no more) only what it has not parsed yet
    if (m_offset == m_in.size()) {
        m_in = QByteArray();
        m_offset = 0;
    } else if (m_paused && m_offset > 0 && !m_inBorrowed) {
        m_in = QByteArray(m_in.constData() + m_offset, m_in.size() - m_offset);
        m_offset = 0;
    } else if (m_offset > 64 * 1024) {
        m_in.remove(0, m_offset);
        m_offset = 0;
    }
}

bool RelayLeg::handleFrame(WebSocketCodec::Frame &frame)
{
    ++m_framesReceived;
    switch (frame.opcode) {
    case WebSocketCodec::Ping:
        if (!m_closeSent) {
            writeBytes(m_codec.encode(WebSocketCodec::Pong, frame.payload));
            if (m_reportPings) {
                frame.payload.detach(); // may be kept: not a view of the read buffer
                if (m_listener)
                    m_listener->legPingReceived(this, frame.payload);
                emit pingReceived(frame.payload);
            }
        }
        return true;
    case WebSocketCodec::Pong:
        return true;
    case WebSocketCodec::Close: {
        quint16 code = 1005;
        QString reason;
        if (frame.payload.size() == 1) {
            failProtocol(1002, QStringLiteral("close frame with a one-byte payload"));
            return false;
        }
        if (frame.payload.size() >= 2) {
            code = qFromBigEndian<quint16>(frame.payload.constData());
            if (!WebSocketCodec::isValidCloseCode(code)) {
                failProtocol(1002, QStringLiteral("invalid close code %1").arg(code));
                return false;
            }
            const QByteArray text = frame.payload.mid(2);
            if (!isValidUtf8(text)) {
                failProtocol(1007, QStringLiteral("close reason is not valid UTF-8"));
                return false;
            }
            reason = QString::fromUtf8(text);
        }
        m_closeReceived = true;
        if (m_closeSent)
            finishClose();
        if (m_listener)
            m_listener->legCloseReceived(this, code, reason);
        emit closeFrameReceived(code, reason);
        return false;
    }
    case WebSocketCodec::Text:
    case WebSocketCodec::Binary: {
        if (m_inMessage) {
            failProtocol(1002, QStringLiteral("new message before the previous one ended"));
            return false;
        }
        const bool binary = frame.opcode == WebSocketCodec::Binary;
        if (frame.fin) // the usual case: a message in one frame, handed on as it lies
            return handleMessage(binary, frame.ascii, frame.payload, m_readNs);
        m_inMessage = true;
        m_messageBinary = binary;
        m_messageStartNs = m_readNs;
        m_message = frame.payload;
        m_message.detach(); // the rest comes with later reads: keep a copy
        return true;
    }
    case WebSocketCodec::Continuation: {
        if (!m_inMessage) {
            failProtocol(1002, QStringLiteral("continuation frame without a message"));
            return false;
        }
        m_message.append(frame.payload);
        if (!frame.fin)
            return true;
        m_inMessage = false;
        const QByteArray message = std::move(m_message);
        m_message = QByteArray();
        return handleMessage(m_messageBinary, false, message, m_messageStartNs);
    }
    default:
        return true;
    }
}

bool RelayLeg::handleMessage(bool binary, bool ascii, const QByteArray &message, qint64 startNs)
{
    if (!binary && !ascii && !isValidUtf8(message)) {
        failProtocol(1007, QStringLiteral("text message is not valid UTF-8"));
        return false;
    }
    if (m_closeSent)
        return true; // closing: data that crosses our close frame is discarded
    if (m_onMessage)
        m_onMessage(binary, message, startNs);
    return !m_finished;
}

void RelayLeg::failProtocol(quint16 code, const QString &reason)
{
    m_closeReceived = true; // read nothing more from this peer
    if (hasTransport() && !m_closeSent) {
        m_closeSent = true;
        writeBytes(
            m_codec.encode(WebSocketCodec::Close, WebSocketCodec::closePayload(code, reason)));
        disconnectTransport();
    }
    startCloseTimer();
    if (m_listener)
        m_listener->legProtocolError(this, code, reason);
    emit protocolErrorOccurred(code, reason);
}

void RelayLeg::handleDisconnected()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closeTimer.stop();
    // later: the disconnect may surface inside a call the session is making
    m_finishedClean = m_closeSent && m_closeReceived;
    later(LaterFinished);
}

} // namespace Gatehouse::Gateway
