// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewaylistener.h"

#include "gateway/descriptorio.h"

#include <QTimerEvent>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gatehouse::Gateway {

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

QString errorText(int error)
{
    switch (error) {
    case EADDRINUSE:
        return QStringLiteral("the address is already in use");
    case EADDRNOTAVAIL:
        return QStringLiteral("the address is not one of this machine's");
    case EACCES:
        return QStringLiteral("permission denied (ports below 1024 need privileges)");
    default:
        return QString::fromLocal8Bit(::strerror(error));
    }
}

// A socket bound to address:port (listening when `backlog` >= 0), or -1 with errno.
// `shared`: with SO_REUSEPORT.
int bindSocket(const QHostAddress &address, quint16 port, bool shared, int backlog,
               int socketBuffers)
{
    // QHostAddress::Any is "::" for both IPv6 and IPv4, or any IPv4 address where
    // there is no IPv6
    const bool dualStack = address == QHostAddress(QHostAddress::Any);
    sockaddr_storage storage;
    socklen_t length = toSocketAddress(dualStack ? QHostAddress(QHostAddress::AnyIPv6) : address,
                                       port, &storage);
    if (length == 0) { // (a null address)
        errno = EAFNOSUPPORT;
        return -1;
    }
    int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && dualStack) {
        length = toSocketAddress(QHostAddress(QHostAddress::AnyIPv4), port, &storage);
        fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    if (fd < 0)
        return -1;
    const int one = 1;
    const int zero = 0;
    // (a restart need not wait for its old connections' TIME_WAIT, as with QTcpServer)
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (shared)
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    // "::" as asked: IPv6 only, or IPv6 and IPv4 (other addresses have one family)
    if (storage.ss_family == AF_INET6
        && (dualStack || address == QHostAddress(QHostAddress::AnyIPv6)))
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dualStack ? &zero : &one, sizeof one);
    // connections inherit these: one call here instead of one per connection
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setSocketBuffers(fd, socketBuffers);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0
        || (backlog >= 0 && ::listen(fd, backlog) != 0)) {
        const int error = errno;
        ::close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

quint16 boundPort(int fd)
{
    sockaddr_storage storage {};
    socklen_t length = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    return portOf(storage);
}

} // namespace

// ---- ListeningSockets ----------------------------------------------------------

ListeningSockets::~ListeningSockets()
{
    closeAll();
}

ListeningSockets::ListeningSockets(ListeningSockets &&other) noexcept
    : m_descriptors(std::exchange(other.m_descriptors, {}))
    , m_port(other.m_port)
{ }

ListeningSockets &ListeningSockets::operator=(ListeningSockets &&other) noexcept
{
    if (this != &other) {
        closeAll();
        m_descriptors = std::exchange(other.m_descriptors, {});
        m_port = other.m_port;
    }
    return *this;
}

void ListeningSockets::closeAll()
{
    for (int fd : m_descriptors)
        if (fd >= 0)
            ::close(fd);
    m_descriptors.clear();
}

bool ListeningSockets::open(const QHostAddress &address, quint16 port, const Options &options,
                            QString *error)
{
    closeAll();
    if (port != 0) {
        // Taken by anyone (another gateway's shared sockets too)? A socket bound
        // without SO_REUSEPORT cannot share the address with one that listens.
        const int probe = bindSocket(address, port, false, -1, 0);
        if (probe < 0) {
            *error = errorText(errno);
            return false;
        }
        ::close(probe);
    }
    quint16 bound = port;
    for (int i = 0; i < qMax(1, options.count); ++i) {
        const int fd = bindSocket(address, bound, true, options.backlog, options.socketBuffers);
        if (fd < 0) {
            *error = errorText(errno);
            closeAll();
            return false;
        }
        m_descriptors.push_back(fd);
        if (bound == 0) // the others on the port the kernel chose for the first
            bound = boundPort(fd);
    }
    m_port = bound;
    return true;
}

int ListeningSockets::take(int i)
{
    if (i < 0 || i >= count())
        return -1;
    return std::exchange(m_descriptors[size_t(i)], -1);
}

// ---- GatewayListener -----------------------------------------------------------

GatewayListener::GatewayListener(int descriptor, Handler handler, QObject *parent)
    : QObject(parent)
    , m_fd(descriptor)
    , m_handler(std::move(handler))
    , m_reserve(openReserve())
{ }

GatewayListener::~GatewayListener()
{
    // what waits in the backlog is reset with the close
    m_watch.closeDescriptor(m_fd);
    if (m_reserve >= 0)
        ::close(m_reserve);
}

void GatewayListener::startAccepting()
{
    if (m_fd >= 0 && !m_watch.isActive())
        m_watch.start(m_fd, this, true, false);
}

void GatewayListener::acceptPending()
{
    // a bounded batch per wake-up (the watch is level-triggered): the connections of
    // this worker get their turn in between
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage address {};
        socklen_t length = sizeof address;
        const int fd = ::accept4(m_fd, reinterpret_cast<sockaddr *>(&address), &length,
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
                if (refuseWithReserve())
                    continue;
                [[fallthrough]];
            case ENOBUFS:
            case ENOMEM:
                // (or no reserve) the connections wait in the backlog; try again
                // shortly instead of spinning on the ready socket
                m_watch.setReadEnabled(false);
                m_retry.start(100, this);
                return;
            default: // EAGAIN: nothing more for now
                return;
            }
        }
        AcceptedConnection c;
        c.descriptor = fd;
        c.peerAddress = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
        c.peerPort = portOf(address);
        c.prepared = true;
        m_handler(c);
    }
}

bool GatewayListener::refuseWithReserve()
{
    if (m_reserve < 0)
        m_reserve = openReserve();
    if (m_reserve < 0)
        return false;
    ::close(m_reserve);
    m_reserve = -1;
    const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
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
        QObject::timerEvent(event);
        return;
    }
    m_retry.stop();
    m_watch.setReadEnabled(true);
}

} // namespace Gatehouse::Gateway
