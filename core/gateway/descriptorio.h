// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

#include <cerrno>

#include <sys/socket.h>

namespace Gatehouse::Gateway {

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
