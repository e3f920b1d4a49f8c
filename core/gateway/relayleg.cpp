// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/relayleg.h"

#include <QStringDecoder>
#include <QTcpSocket>
#include <QTimer>
#include <QtEndian>

#include <chrono>

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
    // ASCII fast path: most relayed text is JSON
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    qsizetype i = 0;
    const qsizetype n = bytes.size();
    while (i < n && p[i] < 0x80)
        ++i;
    if (i == n)
        return true;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder(QByteArrayView(bytes).sliced(i));
    Q_UNUSED(decoded);
    return !decoder.hasError();
}

} // namespace

RelayLeg::RelayLeg(QTcpSocket *socket, WebSocketCodec::Role role, qint64 readBufferSize,
                   int closeTimeoutMs, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_codec(role)
    , m_closeTimer(new QTimer(this))
{
    socket->setParent(this);
    socket->setReadBufferSize(readBufferSize);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_closeTimer->setSingleShot(true);
    m_closeTimer->setInterval(closeTimeoutMs);
    connect(m_closeTimer, &QTimer::timeout, this, &RelayLeg::abort);
}

RelayLeg::~RelayLeg()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QString RelayLeg::peer() const
{
    if (!m_socket)
        return {};
    return m_socket->peerAddress().toString() + u':' + QString::number(m_socket->peerPort());
}

void RelayLeg::start(const QByteArray &alreadyRead)
{
    m_started = true;
    m_in = alreadyRead;
    connect(m_socket, &QIODevice::readyRead, this, &RelayLeg::handleReadyRead);
    connect(m_socket, &QIODevice::bytesWritten, this, &RelayLeg::bytesWritten);
    connect(m_socket, &QAbstractSocket::disconnected, this, &RelayLeg::handleDisconnected);
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        QMetaObject::invokeMethod(this, &RelayLeg::handleDisconnected, Qt::QueuedConnection);
        return;
    }
    if (!m_in.isEmpty() || m_socket->bytesAvailable())
        QMetaObject::invokeMethod(this, &RelayLeg::handleReadyRead, Qt::QueuedConnection);
}

qint64 RelayLeg::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

qint64 RelayLeg::bufferedBytes() const
{
    return (m_in.size() - m_offset) + m_message.size()
        + (m_socket ? m_socket->bytesAvailable() : 0);
}

void RelayLeg::sendMessage(bool binary, const QByteArray &payload)
{
    if (!m_socket || m_closeSent || m_finished)
        return;
    m_socket->write(
        m_codec.encode(binary ? WebSocketCodec::Binary : WebSocketCodec::Text, payload));
}

void RelayLeg::sendPing(const QByteArray &payload)
{
    if (!m_socket || m_closeSent || m_finished)
        return;
    m_socket->write(m_codec.encode(WebSocketCodec::Ping, payload.left(125)));
}

void RelayLeg::close(quint16 code, const QString &reason)
{
    if (!m_socket || m_finished)
        return;
    if (!m_closeSent) {
        m_closeSent = true;
        m_socket->write(
            m_codec.encode(WebSocketCodec::Close, WebSocketCodec::closePayload(code, reason)));
    }
    if (m_closeReceived)
        finishClose();
    else
        m_closeTimer->start(); // wait for the peer's close frame, not forever
}

void RelayLeg::finishClose()
{
    // Both close frames exchanged. The server side closes TCP first (RFC 6455 7.1.1);
    // as a client we give the server a moment to do so.
    if (m_codec.role() == WebSocketCodec::Role::Server)
        m_socket->disconnectFromHost();
    m_closeTimer->start();
}

void RelayLeg::abort()
{
    if (m_socket)
        m_socket->abort();
    handleDisconnected();
}

void RelayLeg::pauseReading()
{
    m_paused = true;
}

void RelayLeg::resumeReading()
{
    if (!m_paused)
        return;
    m_paused = false;
    if (!m_resumeQueued) {
        m_resumeQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_resumeQueued = false;
                handleReadyRead();
            },
            Qt::QueuedConnection);
    }
}

void RelayLeg::handleReadyRead()
{
    if (!m_socket || m_finished || m_paused)
        return;
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
    WebSocketCodec::Frame frame;
    while (!m_paused && !m_closeReceived && m_socket) {
        const qint64 limit = m_maxMessageSize < 0 ? -1 : m_maxMessageSize - m_message.size();
        const auto result = m_codec.parse(m_in, &m_offset, limit, &frame);
        if (result == WebSocketCodec::Result::NeedMore)
            break;
        if (result == WebSocketCodec::Result::Error) {
            failProtocol(m_codec.errorCode(), m_codec.errorString());
            return;
        }
        if (!handleFrame(frame))
            return;
    }
    // keep memory small: an idle connection holds no read buffer of its own
    if (m_offset == m_in.size()) {
        m_in = QByteArray();
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
            m_socket->write(m_codec.encode(WebSocketCodec::Pong, frame.payload));
            if (m_reportPings)
                emit pingReceived(frame.payload);
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
        emit closeFrameReceived(code, reason);
        return false;
    }
    case WebSocketCodec::Text:
    case WebSocketCodec::Binary:
        if (m_inMessage) {
            failProtocol(1002, QStringLiteral("new message before the previous one ended"));
            return false;
        }
        m_inMessage = true;
        m_messageBinary = frame.opcode == WebSocketCodec::Binary;
        m_messageStartNs = nowNs();
        m_message = std::move(frame.payload);
        break;
    case WebSocketCodec::Continuation:
        if (!m_inMessage) {
            failProtocol(1002, QStringLiteral("continuation frame without a message"));
            return false;
        }
        m_message.append(frame.payload);
        break;
    default:
        return true;
    }

    if (!frame.fin)
        return true;
    m_inMessage = false;
    QByteArray message = std::move(m_message);
    m_message = QByteArray();
    if (!m_messageBinary && !isValidUtf8(message)) {
        failProtocol(1007, QStringLiteral("text message is not valid UTF-8"));
        return false;
    }
    if (m_closeSent)
        return true; // closing: data that crosses our close frame is discarded
    emit messageReceived(m_messageBinary, message, m_messageStartNs);
    return !m_finished;
}

void RelayLeg::failProtocol(quint16 code, const QString &reason)
{
    m_closeReceived = true; // read nothing more from this peer
    if (m_socket && !m_closeSent) {
        m_closeSent = true;
        m_socket->write(
            m_codec.encode(WebSocketCodec::Close, WebSocketCodec::closePayload(code, reason)));
        m_socket->disconnectFromHost();
    }
    m_closeTimer->start();
    emit protocolErrorOccurred(code, reason);
}

void RelayLeg::handleDisconnected()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closeTimer->stop();
    // queued: the disconnect may surface inside a call the session is making
    const bool clean = m_closeSent && m_closeReceived;
    QMetaObject::invokeMethod(
        this, [this, clean] { emit finished(clean); }, Qt::QueuedConnection);
}

} // namespace Gatehouse::Gateway
