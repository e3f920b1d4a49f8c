// SPDX-License-Identifier: GPL-3.0-or-later
#include "echoserver.h"

#include "frames.h"
#include "gateway/epolleventdispatcher.h"

#include <QTcpSocket>
#include <QThread>

#include <memory>

namespace Bench {

namespace {

void serve(qintptr descriptor, QObject *worker)
{
    auto *socket = new QTcpSocket(worker);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto buffer = std::make_shared<QByteArray>();
    auto upgraded = std::make_shared<bool>(false);
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer, upgraded] {
        *buffer += socket->readAll();
        qsizetype offset = 0;
        if (!*upgraded) {
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            QByteArray key;
            for (const QByteArray &line : buffer->left(end).split('\n'))
                if (line.toLower().startsWith("sec-websocket-key:"))
                    key = line.mid(18).trimmed();
            socket->write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: "
                + acceptKey(key) + "\r\n\r\n");
            *upgraded = true;
            offset = end + 4;
        }
        Frame frame;
        QByteArray out;
        while (parseFrame(*buffer, &offset, &frame)) {
            if (frame.opcode == 0x8) {
                out += encodeFrame(0x8, frame.payload.left(2), false);
                socket->write(out);
                socket->disconnectFromHost();
                return;
            }
            if (frame.opcode == 0x9)
                out += encodeFrame(0xA, frame.payload, false);
            else if (frame.opcode == 0x1 || frame.opcode == 0x2)
                out += encodeFrame(frame.opcode, frame.payload, false);
        }
        buffer->remove(0, offset);
        if (!out.isEmpty())
            socket->write(out);
    });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

} // namespace

EchoServer::EchoServer(int threads, QObject *parent)
    : QTcpServer(parent)
{
    setListenBacklogSize(4096);
    for (int i = 0; i < qMax(1, threads); ++i) {
        auto *thread = new QThread(this);
        thread->setEventDispatcher(new Gatehouse::Gateway::EpollEventDispatcher);
        auto *worker = new QObject;
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
}

EchoServer::~EchoServer()
{
    for (QThread *t : std::as_const(m_threads)) {
        t->quit();
        t->wait();
    }
}

void EchoServer::incomingConnection(qintptr descriptor)
{
    QObject *worker = m_workers.at(m_next++ % m_workers.size());
    QMetaObject::invokeMethod(
        worker, [descriptor, worker] { serve(descriptor, worker); }, Qt::QueuedConnection);
}

} // namespace Bench
