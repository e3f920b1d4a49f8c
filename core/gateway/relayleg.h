// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/descriptorwatch.h"
#include "gateway/epolleventdispatcher.h"
#include "gateway/websocketcodec.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QTcpSocket;

namespace Gatehouse::Gateway {

// One upgraded WebSocket connection of a relayed pair (the client's or the
// backend's), speaking RFC 6455 over a socket the gateway owns. It reassembles
// messages, answers pings, runs the close handshake, and can stop reading so
// that TCP flow control holds back a fast sender while the other leg drains.
//
// A plain TCP connection is taken over from its QTcpSocket after the upgrade and
// driven on the bare descriptor: one read notifier that stays enabled, reads
// straight into the frame parser, writes straight to the kernel (queued only when
// the kernel buffer is full). That saves the socket's buffer copies, its
// FIONREAD call and two notifier toggles per message, and a few KiB per
// connection. TLS connections keep their QSslSocket. The descriptor's
// DescriptorWatch calls the leg straight from an EpollEventDispatcher's loop
// (QSocketNotifiers on other dispatchers).
//
// The per-message notifications (a message arrived, queued bytes left) are plain
// callbacks set once by the owner, not signals; the rare ones are signals.
//
// Lives in a gateway worker thread with its socket; all calls from that thread.
class RelayLeg final
    : public QObject
    , private EpollEventDispatcher::Handler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RelayLeg)

public:
    // Takes ownership of `socket` (re-parented). `readBufferSize` bounds what the
    // socket buffers while reading is paused.
    RelayLeg(QTcpSocket *socket, WebSocketCodec::Role role, qint64 readBufferSize,
             int closeTimeoutMs, QObject *parent = nullptr);
    // Adopts the watch of a connected, non-blocking plain TCP descriptor (owned from
    // now on, as is the watch: its epoll registration stays); the leg waits for
    // nothing until start(). `unsent`: bytes of the handshake the kernel did not take
    // yet; they go first.
    RelayLeg(DescriptorWatch &&watch, WebSocketCodec::Role role, int closeTimeoutMs,
             const QByteArray &unsent = {}, QObject *parent = nullptr);
    // The same for a descriptor nobody watches yet.
    RelayLeg(int descriptor, WebSocketCodec::Role role, int closeTimeoutMs,
             const QByteArray &unsent = {}, QObject *parent = nullptr);
    ~RelayLeg() override;

    // Called for every complete message (`arrivalNs`: steady clock when its first
    // frame arrived). The callee may close or abort this leg or the other one, but
    // must not delete a leg (deleteLater() is fine). `payload` may be a view of the
    // read buffer (QByteArray::fromRawData), valid during the call only: a callee
    // that keeps it must detach its copy.
    using MessageHandler
        = std::function<void(bool binary, const QByteArray &payload, qint64 arrivalNs)>;
    void setMessageHandler(MessageHandler handler) { m_onMessage = std::move(handler); }
    // Called when bytes that were queued for writing have left (so that backpressure
    // can be lifted); same rules as the message handler.
    void setBytesWrittenHandler(std::function<void()> handler)
    {
        m_onBytesWritten = std::move(handler);
    }
    // The rare notifications as calls to the owner (no signal connection to make for
    // every connection); the signals below come as well, after each call.
    class Listener
    {
    public:
        virtual void legPingReceived(RelayLeg *leg, const QByteArray &payload) = 0;
        virtual void legCloseReceived(RelayLeg *leg, quint16 code, const QString &reason) = 0;
        virtual void legProtocolError(RelayLeg *leg, quint16 code, const QString &reason) = 0;
        virtual void legFinished(RelayLeg *leg, bool clean) = 0;

    protected:
        ~Listener() = default;
    };
    void setListener(Listener *listener) { m_listener = listener; }

    void setMaxMessageSize(qint64 bytes) { m_maxMessageSize = bytes; }
    // The outgoing buffer limit of the peer leg (what this one relays to): a read
    // takes no more than the room left under it in the peer's queue (at least a
    // small read, so that a message still completes and the owner's backpressure
    // pauses this leg). What was read but could not be passed on then stays within
    // the limit plus one message, instead of a whole read beyond it. -1: no limit.
    void setPeerOutputLimit(qint64 bytes) { m_peerOutputLimit = bytes; }
    // The leg this one relays to: while a read of ours is processed, its writes
    // are held back and leave in one send (many small messages, one system call).
    // Mutual: the peer points back here, and whichever leg is deleted first unlinks
    // the pair.
    void setPeer(RelayLeg *peer);
    // When on, pingReceived() is emitted for every ping (which is still answered here).
    void setReportPings(bool on) { m_reportPings = on; }
    // Begins reading; `alreadyRead` are bytes that followed the handshake.
    void start(const QByteArray &alreadyRead);

    void sendMessage(bool binary, const QByteArray &payload);
    void sendPing(const QByteArray &payload = {});
    // Sends a close frame (once) and completes the closing handshake; then the
    // connection ends and finished() follows. Code 1005 sends an empty close frame.
    void close(quint16 code, const QString &reason);
    // Drops the TCP connection at once.
    void abort();

    void pauseReading();
    void resumeReading();
    bool isReadingPaused() const { return m_paused; }

    qint64 bytesToWrite() const;
    qint64 bufferedBytes() const; // read side: unparsed + partial message
    bool isFinished() const { return m_finished; }
    bool closeSent() const { return m_closeSent; }
    bool closeReceived() const { return m_closeReceived; }
    QString peer() const;
    // Frames of any kind received so far (data, ping, pong, close): the session's
    // idle check compares it between ticks instead of being told about each frame.
    quint64 framesReceived() const { return m_framesReceived; }

protected:
    void timerEvent(QTimerEvent *event) override;

signals:
    // A ping arrived (and was answered); only with setReportPings(true).
    void pingReceived(const QByteArray &payload);
    // The peer sent a close frame; `code` 1005 when it carried none.
    void closeFrameReceived(quint16 code, const QString &reason);
    // The peer broke the protocol (or sent too big a message); the leg has already
    // sent close `code` to it.
    void protocolErrorOccurred(quint16 code, const QString &reason);
    // The TCP connection is gone; `clean` when the close handshake completed first.
    void finished(bool clean);

private:
    void descriptorReadable() override;
    void descriptorWritable() override;
    void later(quint8 work);
    void runLater();
    void updateInterest(); // descriptor mode: what to wait for, from the state
    void reportBytesWritten();
    void handleReadyRead();
    // one read of at most `size` bytes (up to the thread's read buffer); true when it
    // got all it asked for (more may wait)
    bool readDescriptor(qsizetype size);
    qsizetype readRoom() const; // what the next read may take (see setPeerOutputLimit)
    void releaseReadBuffer(); // m_in borrows the thread's read buffer: copy what is left
    void handleWritable();
    void writeBytes(const QByteArray &bytes);
    bool flushOut(); // true when everything queued went to the kernel
    void cork();
    void uncork();
    void returnWriteBuffer(); // a borrowed write buffer goes back to the thread
    void disconnectTransport(); // close TCP once what is queued has been written
    void abortTransport();
    void closeDescriptor();
    bool hasTransport() const { return m_fd >= 0 || m_socket; }
    void startCloseTimer();
    void processBuffer();
    bool handleFrame(WebSocketCodec::Frame &frame);
    // a whole message: checked (UTF-8), then handed on; false when the leg failed or ended
    bool handleMessage(bool binary, bool ascii, const QByteArray &message, qint64 startNs);
    void failProtocol(quint16 code, const QString &reason);
    void handleDisconnected();
    void finishClose();

    QPointer<QTcpSocket> m_socket; // TLS (or a socket that could not be taken over)
    int m_fd = -1; // plain TCP: the descriptor, owned
    // state every read and message looks at first (with m_fd: one cache line)
    bool m_reportPings = false;
    bool m_paused = false;
    bool m_closeSent = false;
    bool m_closeReceived = false;
    bool m_finished = false;
    bool m_started = false;
    bool m_writeWanted = false; // the kernel buffer was full: wait until writable
    MessageHandler m_onMessage;
    std::function<void()> m_onBytesWritten;
    QByteArray m_out; // descriptor mode: what the kernel did not take yet
    qsizetype m_outOffset = 0;
    bool m_disconnectWhenWritten = false;
    int m_corked = 0;
    bool m_outBorrowed = false; // m_out is the thread's write buffer (cork() to uncork())
    RelayLeg *m_peer = nullptr; // (a plain pointer: a guard costs a cache miss per read)
    WebSocketCodec m_codec;
    QBasicTimer m_closeTimer; // runs while a close is under way
    int m_closeTimeoutMs;
    // work for a later turn of the loop (a read of what is already buffered, the end
    // of the transport, telling the owner): one deferred call for all of it
    enum : quint8 { LaterRead = 1, LaterDisconnected = 2, LaterFinished = 4 };
    EpollEventDispatcher::Deferred m_later;
    quint8 m_laterWork = 0;
    bool m_finishedClean = false;
    Listener *m_listener = nullptr;
    QByteArray m_in;
    bool m_inBorrowed = false; // m_in is the thread's read buffer (see readDescriptor())
    qsizetype m_offset = 0;
    QByteArray m_message;
    bool m_inMessage = false;
    bool m_messageBinary = false;
    qint64 m_messageStartNs = 0;
    qint64 m_readNs = 0; // steady clock when the bytes being processed were read
    qint64 m_maxMessageSize = -1;
    qint64 m_peerOutputLimit = -1;
    quint64 m_framesReceived = 0;
    DescriptorWatch m_watch; // of m_fd (started at the first updateInterest())
};

} // namespace Gatehouse::Gateway
