// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewaylistener.h"

#include <QSocketNotifier>
#include <QTimerEvent>

#include <cerrno>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace Gatehouse::Gateway {

GatewayListener::GatewayListener(Handler handler, QObject *parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
{ }

GatewayListener::~GatewayListener()
{
    // the notifier goes before QTcpServer closes the descriptor
    delete m_notifier;
    m_notifier = nullptr;
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
            case ENOBUFS:
            case ENOMEM:
                // out of descriptors or memory: the connections wait in the backlog;
                // try again shortly instead of spinning on the ready socket
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
