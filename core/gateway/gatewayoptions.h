// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace Gatehouse::Gateway {

// One address the gateway listens on: ws, or wss with a certificate and key.
struct ListenerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 9099; // 0: any free port (see Gateway::serverPort)
    bool tls = false;
    QString certificateFile; // PEM
    QString privateKeyFile; // PEM (RSA or EC), unencrypted

    QString toString() const; // ws://127.0.0.1:9099
};

// Tuning knobs of the engine. The defaults suit a developer machine.
struct GatewayOptions
{
    int workerThreads = 0; // 0: QThread::idealThreadCount()
    int listenBacklog = 1024; // each worker's listening socket's backlog
    int handshakeTimeoutMs = 10000; // a client must send its request within this
    qsizetype maxRequestHeaderBytes = 16 * 1024;
    int backendTimeoutMs = 10000; // connect + upgrade to the backend, else 504
    int closeTimeoutMs = 3000; // wait this long for the peer's close frame / FIN
    // Keep-alive: a leg that received nothing for this long gets a ping; when it
    // still sends nothing (no pong, no message) for as long again, the connection
    // is closed with 1001 "idle timeout" on both legs. 0: none (the default).
    int idleTimeoutMs = 0;
    // Pings are always answered by the gateway at the leg they arrive on; with this
    // they are also passed on to the other side (its pong is absorbed by the gateway).
    bool forwardPings = false;
    qint64 maxMessageBytes = 64 * 1024 * 1024; // hard cap per message; policies set lower ones
    qint64 readBufferBytes = 64 * 1024; // per socket while reading is paused
    // The outgoing buffer limit: when more than this waits to be written to one side
    // (its peer reads slower than the other side sends), the gateway stops reading
    // from the other side ... 64 KiB: a client that never reads then costs the
    // gateway under 128 KiB (bench/README.md, stalled readers).
    qint64 highWaterBytes = 64 * 1024;
    qint64 lowWaterBytes = 32 * 1024; // ... and reads again below this (half by default)
    // The kernel's send and receive buffers of every socket of a relayed connection
    // (SO_SNDBUF and SO_RCVBUF, both legs); 0: the kernel's own, which grow with
    // autotuning up to net.ipv4.tcp_wmem / tcp_rmem (4 and 6 MiB by default), so a
    // client that never reads can hold megabytes of kernel memory. The kernel keeps
    // twice the size asked for (its bookkeeping included).
    int socketBufferBytes = 0;
    int eventFlushIntervalMs = 50;
    int eventBatchSize = 512;
    qint64 eventPayloadBytes
        = 0; // attach up to this many payload bytes to message events (-1: all)
};

} // namespace Gatehouse::Gateway
