// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QStringView>

#include <cerrno>

#include <sys/socket.h>

class QHostAddress;

namespace Gatehouse::Gateway {

// The socket address of address:port (IPv4, or IPv6 with its scope) in `*out`, and its
// length; 0 when the address is neither.
socklen_t toSocketAddress(const QHostAddress &address, quint16 port, sockaddr_storage *out);
// The socket address of an IP literal ("127.0.0.1", "::1") and port, and its length;
// 0 for anything else (a host name, an IPv6 address with a scope): no allocation.
socklen_t literalSocketAddress(QStringView host, quint16 port, sockaddr_storage *out);
// The port of an IPv4 or IPv6 socket address, in host order.
quint16 portOf(const sockaddr_storage &address);

// Fixes a socket's kernel send and receive buffers at `bytes` each (SO_SNDBUF,
// SO_RCVBUF: no autotuning then); nothing when `bytes` is 0. On a listening socket
// the connections it accepts inherit them.
inline void setSocketBuffers(int fd, int bytes)
{
    if (bytes <= 0 || fd < 0)
        return;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

// What sendPending() left behind.
enum class SendResult {
    Done, // everything went to the kernel
    WouldBlock, // the kernel buffer is full: go on when the descriptor is writable
    Failed, // the peer is gone (EPIPE, ECONNRESET, ...); errno says why
};

// Sends `data` from `*offset` on a non-blocking socket until the kernel has all of it
// or takes no more, advancing `*offset`. Never raises SIGPIPE.
inline SendResult sendPending(int fd, const QByteArray &data, qsizetype *offset)
{
    while (*offset < data.size()) {
        const ssize_t n
            = ::send(fd, data.constData() + *offset, size_t(data.size() - *offset), MSG_NOSIGNAL);
        if (n > 0) {
            *offset += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return SendResult::WouldBlock;
        if (n == 0)
            errno = EPIPE;
        return SendResult::Failed;
    }
    return SendResult::Done;
}

} // namespace Gatehouse::Gateway
