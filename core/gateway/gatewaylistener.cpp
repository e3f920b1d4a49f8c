// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewaylistener.h"

#include "gateway/descriptorio.h"

#include <QSocketNotifier>
#include <QTimerEvent>

#include <cerrno>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gatehouse::Gateway {

GatewayListener::GatewayListener(Handler handler, QObject *parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
{ }

namespace {

constexpr char Refusal[] = "HTTP/1.1 503 Service Unavailable\r\n"
                           "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Length: 51\r\n"
                           "Retry-After: 1\r\n"
                           "Connection: close\r\n"
                           "\r\n"
                           "the gateway has no file descriptor left; try again\n";
static_assert(sizeof "the gateway has no file descriptor left; try again\n" - 1 == 51);

int openReserve()
{
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

} // namespace

GatewayListener::~GatewayListener()
{
    // the notifier goes before QTcpServer closes the descriptor
    delete m_notifier;
    m_notifier = nullptr;
    if (m_reserve >= 0)
        ::close(m_reserve);
}

void GatewayListener::prepareAccepting()
{
    pauseAccepting(); // QTcpServer's own notifier stays off
    const int fd = int(socketDescriptor());
    if (fd < 0 || m_notifier)
        return;
    // connections inherit it from the listening socket: one call here instead of one
    // per connection
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Gateway::setSocketBuffers(fd, m_socketBuffers);
    if (m_reserve < 0)
        m_reserve = openReserve();
    m_notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    m_notifier->setEnabled(false);
    connect(m_notifier, &QSocketNotifier::activated, this, &GatewayListener::acceptPending);
}

void GatewayListener::startAccepting()
{
    prepareAccepting();
    if (m_notifier)
        m_notifier->setEnabled(true);
}

void GatewayListener::stopAccepting()
{
    m_retry.stop();
    if (m_notifier)
        m_notifier->setEnabled(false);
}

void GatewayListener::acceptPending()
{
    const int listening = int(socketDescriptor());
    // a bounded batch per notification: the notifier is level-triggered
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage address {};
        socklen_t length = sizeof address;
        const int fd = ::accept4(listening, reinterpret_cast<sockaddr *>(&address), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            switch (errno) {
            case EINTR:
            case ECONNABORTED: // the client gave up while in the backlog
                continue;
            case EMFILE:
            case ENFILE:
                // out of descriptors: refuse the connection with the one kept in
                // reserve rather than leave it hanging in the backlog
                if (refuseWithReserve(listening))
                    continue;
                [[fallthrough]];
            case ENOBUFS:
            case ENOMEM:
                // (or no reserve) the connections wait in the backlog; try again
                // shortly instead of spinning on the ready socket
                m_notifier->setEnabled(false);
                m_retry.start(100, this);
                return;
            default: // EAGAIN: nothing more for now
                return;
            }
        }
        AcceptedConnection c;
        c.descriptor = fd;
        c.peerAddress = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
        c.peerPort = address.ss_family == AF_INET6
            ? ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port)
            : ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
        c.prepared = true;
        m_handler(c);
    }
}

bool GatewayListener::refuseWithReserve(int listening)
{
    if (m_reserve < 0)
        m_reserve = openReserve();
    if (m_reserve < 0)
        return false;
    ::close(m_reserve);
    m_reserve = -1;
    const int fd = ::accept4(listening, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        // What the client sent already is read first, so that the close is a FIN the
        // client reads after the answer, not a reset that may discard it. A client
        // that has sent nothing yet gets no answer, only the close.
        char request[4096];
        ssize_t n = 0;
        do
            n = ::recv(fd, request, sizeof request, 0);
        while (n < 0 && errno == EINTR);
        if (n > 0)
            (void)::send(fd, Refusal, sizeof Refusal - 1, MSG_NOSIGNAL);
        ::shutdown(fd, SHUT_WR);
        ::close(fd);
        if (m_refusals)
            m_refusals->fetch_add(1, std::memory_order_relaxed);
    }
    m_reserve = openReserve();
    return fd >= 0 && m_reserve >= 0;
}

void GatewayListener::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_retry.timerId()) {
        QTcpServer::timerEvent(event);
        return;
    }
    m_retry.stop();
    if (m_notifier)
        m_notifier->setEnabled(true);
}

void GatewayListener::incomingConnection(qintptr descriptor)
{
    // QTcpServer's own path (not used while startAccepting() is in force)
    AcceptedConnection c;
    c.descriptor = descriptor;
    m_handler(c);
}

} // namespace Gatehouse::Gateway
