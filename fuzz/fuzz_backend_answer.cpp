// SPDX-License-Identifier: GPL-3.0-or-later
// The backend's handshake answer reader: a BackendConnector opens a ws:// leg to a
// listener of the target on 127.0.0.1 (the bare descriptor path the gateway takes
// for IP literals) and the target answers the upgrade request with the input, in
// the chunks it says. `@ACCEPT@` in the input is replaced by the right
// Sec-WebSocket-Accept for the request's key (which is random), so that inputs can
// reach what follows that check. Then the target closes its end (with a reset:
// thousands of connections per second must not leave TIME_WAIT behind).
//
// Input: byte 0 options (bits 0-1 the answer size limit: 64, 1 KiB, 16 KiB (the
// default), 64 KiB), then chunks: a length byte (0: the rest), then that many bytes.
#include "fuzzsupport.h"

#include "gateway/backendconnector.h"
#include "gateway/websocketcodec.h"

#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Gatehouse;
using Gateway::BackendConnector;

namespace {

struct Listener
{
    int fd = -1;
    quint16 port = 0;
};

const Listener &listener()
{
    static const Listener l = [] {
        Listener out;
        out.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (out.fd < 0 || ::bind(out.fd, reinterpret_cast<sockaddr *>(&address), length) != 0
            || ::listen(out.fd, 16) != 0
            || ::getsockname(out.fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            qFatal("backend_answer: cannot listen on 127.0.0.1");
        out.port = ntohs(address.sin_port);
        return out;
    }();
    return l;
}

int acceptConnection()
{
    pollfd p {listener().fd, POLLIN, 0};
    for (int i = 0; i < 100 && ::poll(&p, 1, 0) == 0; ++i)
        Fuzz::processEvents(); // the connect completes in the connector's loop
    if (!(p.revents & POLLIN))
        return -1;
    return ::accept4(listener().fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

// Reads the upgrade request and returns its Sec-WebSocket-Key.
QByteArray readRequest(int fd)
{
    QByteArray request;
    char buffer[4096];
    for (int i = 0; i < 1000 && !request.contains("\r\n\r\n"); ++i) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0)
            request.append(buffer, n);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            break;
        else
            Fuzz::processEvents();
    }
    const QByteArray name = "\r\nSec-WebSocket-Key: ";
    const qsizetype at = request.indexOf(name);
    if (at < 0)
        qFatal("backend_answer: no Sec-WebSocket-Key in the upgrade request");
    const qsizetype start = at + name.size();
    return request.mid(start, request.indexOf("\r\n", start) - start);
}

void closeWithReset(int fd)
{
    const linger reset {1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::application();
    Fuzz::Input input(data, size);
    const quint8 options = input.byte();
    static constexpr qsizetype Limits[] = {64, 1024, 16 * 1024, 64 * 1024};

    BackendConnector connector;
    bool done = false;
    bool succeeded = false;
    QObject::connect(&connector, &BackendConnector::succeeded, &connector, [&] {
        done = true;
        succeeded = true;
    });
    QObject::connect(&connector, &BackendConnector::failed, &connector,
                     [&](int, const QString &) { done = true; });
    BackendConnector::Request request;
    request.host = QStringLiteral("127.0.0.1");
    request.port = listener().port;
    request.target = "/fuzz?x=1";
    request.subprotocols = {QStringLiteral("chat"), QStringLiteral("v2.chat")};
    request.timeoutMs = 5000;
    request.maxResponseBytes = Limits[options & 3];
    connector.start(request);

    const int fd = acceptConnection();
    if (fd < 0)
        qFatal("backend_answer: the connector did not connect");
    const QByteArray accept = Gateway::WebSocketCodec::acceptKey(readRequest(fd));
    QByteArray answer = input.rest().toByteArray();
    answer.replace("@ACCEPT@", accept);

    Fuzz::Input chunks(reinterpret_cast<const uint8_t *>(answer.constData()),
                       size_t(answer.size()));
    while (!chunks.atEnd() && !done) {
        const quint8 length = chunks.byte();
        const QByteArrayView chunk = length ? chunks.take(length) : chunks.rest();
        if (::send(fd, chunk.data(), size_t(chunk.size()), MSG_NOSIGNAL) != chunk.size())
            break; // the connector closed (it read a complete answer, or too much)
        Fuzz::processEvents();
    }
    closeWithReset(fd);
    if (!Fuzz::processEventsUntil([&] { return done; }, 5000))
        qFatal("backend_answer: no outcome 5 s after the backend closed");
    if (succeeded) {
        (void)connector.leftover();
        (void)connector.subprotocol();
        Gateway::DescriptorWatch watch = connector.takeWatch();
        const int leg = watch.release();
        if (leg >= 0)
            closeWithReset(leg);
    }
    return 0;
}
