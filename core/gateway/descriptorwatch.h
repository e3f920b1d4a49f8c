// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/epolleventdispatcher.h"

class QSocketNotifier;

namespace Gatehouse::Gateway {

// Waits for a socket descriptor to become readable or writable and tells a handler,
// for the one connection it belongs to. On a thread running an EpollEventDispatcher
// it is a direct watch of that dispatcher: no QObject, no signal, no allocation per
// connection. Elsewhere (Qt's own dispatcher) it makes QSocketNotifiers.
//
// A connection's watch passes from object to object as the connection goes through
// its stages (the handshake reader, the relay leg): moving it keeps its epoll
// registration, and setHandler() names who is called from now on. It never closes
// the descriptor except through closeDescriptor(); destroying it ends the watch.
// All calls from the thread it was started in.
class DescriptorWatch
{
public:
    using Handler = EpollEventDispatcher::Handler;

    DescriptorWatch() = default;
    ~DescriptorWatch();
    DescriptorWatch(DescriptorWatch &&other) noexcept;
    DescriptorWatch &operator=(DescriptorWatch &&other) noexcept;
    DescriptorWatch(const DescriptorWatch &) = delete;
    DescriptorWatch &operator=(const DescriptorWatch &) = delete;

    // Watches `descriptor` for `handler` (ending any watch this one had). False when
    // neither epoll nor a notifier could take it.
    bool start(int descriptor, Handler *handler, bool read, bool write);
    void setHandler(Handler *handler);
    void setEnabled(bool read, bool write);
    void setReadEnabled(bool on) { setEnabled(on, m_write); }
    void setWriteEnabled(bool on) { setEnabled(m_read, on); }
    bool isReadEnabled() const { return m_read; }
    bool isWriteEnabled() const { return m_write; }
    bool isActive() const { return m_fd >= 0; }
    int descriptor() const { return m_fd; }

    // Watches of the calling thread that run on QSocketNotifiers (no epoll dispatcher).
    static int notifierWatches();

    // Ends the watch; the descriptor stays open (and is returned).
    int release();
    // Ends the watch and closes its descriptor (with no epoll_ctl: the close takes it
    // out of the epoll set); a watch never started closes `unwatched` (if >= 0), the
    // descriptor its owner holds.
    void closeDescriptor(int unwatched = -1);

private:
    struct Notifiers; // the fallback
    void apply();

    EpollEventDispatcher *m_dispatcher = nullptr;
    EpollEventDispatcher::WatchId m_id = 0;
    Notifiers *m_notifiers = nullptr; // owned
    int m_fd = -1;
    bool m_read = false;
    bool m_write = false;
};

} // namespace Gatehouse::Gateway
