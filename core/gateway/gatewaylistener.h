// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QBasicTimer>
#include <QHostAddress>
#include <QTcpServer>

#include <atomic>
#include <functional>

class QSocketNotifier;

namespace Gatehouse::Gateway {

// A connection the acceptor took: its descriptor and, when `prepared`, its peer
// address; a prepared descriptor is already non-blocking with TCP_NODELAY (inherited
// from the listening socket), so the worker needs no system call to set it up.
struct AcceptedConnection
{
    qintptr descriptor = -1;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool prepared = false;
};

// The acceptor: listens with QTcpServer but accepts itself (accept4 with the peer
// address, non-blocking, close-on-exec) and hands each descriptor to a worker thread,
// which creates its session there. It creates no socket objects.
class GatewayListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayListener)

public:
    using Handler = std::function<void(const AcceptedConnection &connection)>;
    explicit GatewayListener(Handler handler, QObject *parent = nullptr);
    ~GatewayListener() override;

    // After listen(): prepareAccepting() pauses QTcpServer's own accepting and sets
    // the listening socket up (connections wait in the backlog); startAccepting() /
    // stopAccepting() start and stop taking them.
    void prepareAccepting();
    void startAccepting();
    void stopAccepting();
    // Counts the connections refused for lack of descriptors (refuseWithReserve()) in
    // `counter`, which outlives this listener; read on any thread.
    void setRefusalCounter(std::atomic<quint64> *counter) { m_refusals = counter; }
    // The kernel buffers of the connections accepted (setSocketBuffers(); 0: the
    // kernel's); set before prepareAccepting().
    void setSocketBuffers(int bytes) { m_socketBuffers = bytes; }

protected:
    void incomingConnection(qintptr descriptor) override;
    void timerEvent(QTimerEvent *event) override;

private:
    void acceptPending();
    // Out of descriptors: frees the reserve, takes one connection with it, answers
    // 503 when its request has arrived, closes it and takes the reserve back. True
    // when a connection was refused and the reserve is back.
    bool refuseWithReserve(int listening);

    Handler m_handler;
    QSocketNotifier *m_notifier = nullptr;
    QBasicTimer m_retry; // after running out of descriptors
    // A descriptor (/dev/null) held back for refusing connections when the process
    // runs out (EMFILE): without it a connection would wait in the backlog, its
    // client not knowing why.
    int m_reserve = -1;
    std::atomic<quint64> *m_refusals = nullptr;
    int m_socketBuffers = 0;
};

} // namespace Gatehouse::Gateway
