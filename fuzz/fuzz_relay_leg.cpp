// SPDX-License-Identifier: GPL-3.0-or-later
// The WebSocket frame reader of a relay leg, both directions: a client leg (Server
// role: frames must be masked) and a backend leg (Client role: unmasked) relay to
// each other as in a session, each on one end of a socket pair whose other end the
// target writes the input to, in the chunks the input says, reading between chunks
// (so a frame arrives in any number of reads, or many frames in one). Messages are
// checked byte by byte when they arrive (they are views of the read buffer) and
// sent on by the other leg; pings are answered, closes answered and relayed.
//
// Input: byte 0 options (bit 0-1 message size limit, bit 2 close timeout 0 or 10 s),
// then commands: a byte whose bits 0-1 say what (0 bytes to the client leg,
// 1 bytes to the backend leg, 2 pause/resume the client leg, 3 the backend leg) and
// bits 2-7 the chunk length - 1 (63: a length byte follows, then up to 4 KiB in
// 16-byte steps), then that many bytes.
#include "fuzzsupport.h"

#include "gateway/relayleg.h"

#include <QPointer>
#include <QTcpSocket> // (relayleg.h holds a QPointer to one)

#include <cerrno>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Gatehouse;
using Gateway::RelayLeg;
using Gateway::WebSocketCodec;

namespace {

// Reads and drops what a leg sent to the target's end of its pair.
void drain(int fd)
{
    char sink[16 * 1024];
    while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) { }
}

// Sends `bytes` to a leg; when its end is full (the leg paused, or has not read yet)
// the leg gets a few turns of the loop, then the rest is dropped.
void writeAll(int fd, QByteArrayView bytes)
{
    qsizetype done = 0;
    int waits = 0;
    while (done < bytes.size() && waits < 4) {
        const ssize_t n = ::send(fd, bytes.data() + done, size_t(bytes.size() - done),
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0)
            done += n;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ++waits;
            Fuzz::processEvents();
        } else if (n < 0 && errno != EINTR)
            return; // the leg closed its end
    }
}

quint64 touch(const QByteArray &payload)
{
    quint64 sum = 0;
    for (const char c : payload)
        sum = sum * 31 + quint8(c);
    return sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::application();
    Fuzz::Input input(data, size);
    const quint8 options = input.byte();
    static constexpr qint64 Limits[] = {-1, 16, 1024, 64 * 1024};
    const qint64 maxMessageSize = Limits[options & 3];
    const int closeTimeoutMs = (options & 4) ? 10000 : 0;

    int clientPair[2];
    int backendPair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, clientPair) != 0)
        return 0;
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, backendPair) != 0) {
        ::close(clientPair[0]);
        ::close(clientPair[1]);
        return 0;
    }
    // the legs own [0]; the target plays the client on clientPair[1] and the backend
    // on backendPair[1]
    QPointer<RelayLeg> client
        = new RelayLeg(clientPair[0], WebSocketCodec::Role::Server, closeTimeoutMs);
    QPointer<RelayLeg> backend
        = new RelayLeg(backendPair[0], WebSocketCodec::Role::Client, closeTimeoutMs);
    client->setPeer(backend);
    client->setMaxMessageSize(maxMessageSize);
    backend->setMaxMessageSize(maxMessageSize);
    client->setReportPings(true);
    quint64 sum = 0;
    auto relay = [&sum](RelayLeg *to) {
        return [&sum, to](bool binary, const QByteArray &payload, qint64) {
            sum += touch(payload);
            to->sendMessage(binary, payload);
        };
    };
    client->setMessageHandler(relay(backend));
    backend->setMessageHandler(relay(client));
    auto relayClose = [](RelayLeg *from, RelayLeg *to) {
        QObject::connect(from, &RelayLeg::closeFrameReceived, to,
                         [to](quint16 code, const QString &reason) { to->close(code, reason); });
        QObject::connect(from, &RelayLeg::protocolErrorOccurred, to,
                         [to](quint16, const QString &) { to->close(1011, QString()); });
        QObject::connect(from, &RelayLeg::finished, to, [to](bool) { to->abort(); });
    };
    relayClose(client, backend);
    relayClose(backend, client);
    QObject::connect(client, &RelayLeg::pingReceived, client,
                     [&sum](const QByteArray &payload) { sum += touch(payload); });
    client->start({});
    backend->start({});

    while (!input.atEnd() && client && backend) {
        const quint8 command = input.byte();
        qsizetype length = (command >> 2) + 1;
        if (length == 64)
            length = (qsizetype(input.byte()) + 1) * 16;
        switch (command & 3) {
        case 0:
            writeAll(clientPair[1], input.take(length));
            break;
        case 1:
            writeAll(backendPair[1], input.take(length));
            break;
        case 2:
            client->isReadingPaused() ? client->resumeReading() : client->pauseReading();
            break;
        case 3:
            backend->isReadingPaused() ? backend->resumeReading() : backend->pauseReading();
            break;
        }
        Fuzz::processEvents();
        drain(clientPair[1]);
        drain(backendPair[1]);
    }
    // let what is under way finish: queued reads, closes, timers of 0 ms
    for (int i = 0; i < 4; ++i) {
        Fuzz::processEvents();
        drain(clientPair[1]);
        drain(backendPair[1]);
    }
    delete client.data();
    delete backend.data();
    Fuzz::processEvents(); // deferred deletes, queued calls to the legs (dropped)
    ::close(clientPair[1]);
    ::close(backendPair[1]);
    if (sum == 1) // keeps the checksum (and so the reads of every byte) alive
        std::fputc(0, stderr);
    return 0;
}
