// SPDX-License-Identifier: GPL-3.0-or-later
#include "benchconnection.h"

#include "frames.h"

#include <QTcpSocket>

#include <chrono>
#include <cstring>

namespace Bench {

qint64 BenchConnection::nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

BenchConnection::BenchConnection(QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
{
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_socket->write(m_request);
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &BenchConnection::handleReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (!m_open && !m_done) {
            m_done = true;
            emit failed(m_socket->errorString().toUtf8());
        }
    });
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_open = false;
        emit closed();
    });
}

void BenchConnection::open(const QString &host, quint16 port, const QByteArray &path,
                           const QList<QPair<QByteArray, QByteArray>> &headers)
{
    m_request = "GET " + path + " HTTP/1.1\r\nHost: " + host.toLatin1() + ':'
        + QByteArray::number(port)
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
          "dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n";
    for (const auto &h : headers)
        m_request += h.first + ": " + h.second + "\r\n";
    m_request += "\r\n";
    m_socket->connectToHost(host, port);
}

qint64 BenchConnection::bytesToWrite() const
{
    return m_socket->bytesToWrite();
}

void BenchConnection::send(int size)
{
    QByteArray payload(qMax(size, 8), 'x');
    const qint64 t = nowNs();
    std::memcpy(payload.data(), &t, 8);
    m_socket->write(encodeFrame(0x2, payload, true));
}

void BenchConnection::closeNow()
{
    if (m_open)
        m_socket->write(encodeFrame(0x8, QByteArray("\x03\xe8", 2), true));
    m_socket->disconnectFromHost();
}

void BenchConnection::handleReadyRead()
{
    m_in += m_socket->readAll();
    qsizetype offset = 0;
    if (!m_open) {
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        if (!m_in.startsWith("HTTP/1.1 101")) {
            m_done = true;
            emit failed(m_in.left(m_in.indexOf("\r\n")));
            m_socket->abort();
            return;
        }
        m_open = true;
        offset = end + 4;
        emit opened();
    }
    Frame frame;
    while (parseFrame(m_in, &offset, &frame)) {
        if (frame.opcode == 0x8) {
            m_socket->disconnectFromHost();
            break;
        }
        if ((frame.opcode == 0x1 || frame.opcode == 0x2) && frame.payload.size() >= 8) {
            qint64 t;
            std::memcpy(&t, frame.payload.constData(), 8);
            emit echoed(nowNs() - t);
        }
    }
    m_in.remove(0, offset);
}

} // namespace Bench
