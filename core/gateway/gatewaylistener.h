// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/descriptorwatch.h"

#include <QBasicTimer>
#include <QHostAddress>
#include <QObject>

#include <atomic>
#include <functional>

namespace Gatehouse::Gateway {

// A connection a listener took: its descriptor and, when `prepared`, its peer
// address; a prepared descriptor is already non-blocking with TCP_NODELAY (inherited
// from the listening socket), so the worker needs no system call to set it up.
struct AcceptedConnection
{
    qintptr descriptor = -1;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool prepared = false;
};

// The listening sockets of one gateway address, one per worker. Each has SO_REUSEPORT:
// the kernel spreads new connections over them, and each worker accepts its own in
// its own loop (no thread in between, no hand-over). Before the first is bound, the
// address is bound once without SO_REUSEPORT and let go, so that an address another
// program (or another gateway) listens on is refused rather than shared.
class ListeningSockets final
{
    Q_DISABLE_COPY(ListeningSockets)

public:
    struct Options
    {
        int count = 1; // sockets to open
        int backlog = 1024;
        int socketBuffers = 0; // setSocketBuffers(); connections inherit them
    };
    ListeningSockets() = default;
    ~ListeningSockets(); // closes those not taken
    ListeningSockets(ListeningSockets &&other) noexcept;
    ListeningSockets &operator=(ListeningSockets &&other) noexcept;

    // Opens them on address:port (0: a free port, the same for all). False with a
    // one-line `error` (what and why, without the address).
    bool open(const QHostAddress &address, quint16 port, const Options &options, QString *error);
    quint16 port() const { return m_port; }
    int count() const { return int(m_descriptors.size()); }
    // Hands socket `i` over (to a GatewayListener); -1 when already taken.
    int take(int i);

private:
    void closeAll();

    std::vector<int> m_descriptors;
    quint16 m_port = 0;
};

// One worker's listener: accepts the connections of its listening socket (accept4
// with the peer address, non-blocking, close-on-exec) when the worker's loop reports
// it readable, and hands each to the handler in the same thread. Lives in the thread
// that created it; it creates no socket objects.
class GatewayListener final
    : public QObject
    , private EpollEventDispatcher::Handler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayListener)

public:
    using Handler = std::function<void(const AcceptedConnection &connection)>;
    // Takes `descriptor`, a listening socket (ListeningSockets::take()); it is closed
    // with this listener. Connections wait in its backlog until startAccepting().
    GatewayListener(int descriptor, Handler handler, QObject *parent = nullptr);
    ~GatewayListener() override;

    void startAccepting();
    // Counts the connections refused for lack of descriptors (refuseWithReserve()) in
    // `counter`, which outlives this listener; read on any thread.
    void setRefusalCounter(std::atomic<quint64> *counter) { m_refusals = counter; }

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void descriptorReadable() override { acceptPending(); }
    void descriptorWritable() override { }
    void acceptPending();
    // Out of descriptors: frees the reserve, takes one connection with it, answers
    // 503 when its request has arrived, closes it and takes the reserve back. True
    // when a connection was refused and the reserve is back.
    bool refuseWithReserve();

    int m_fd = -1;
    Handler m_handler;
    DescriptorWatch m_watch;
    QBasicTimer m_retry; // after running out of descriptors
    // A descriptor (/dev/null) held back for refusing connections when the process
    // runs out (EMFILE): without it a connection would wait in the backlog, its
    // client not knowing why.
    int m_reserve = -1;
    std::atomic<quint64> *m_refusals = nullptr;
};

} // namespace Gatehouse::Gateway
