// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/descriptorwatch.h"

#include <QSocketNotifier>

#include <memory>
#include <utility>

#include <unistd.h>

namespace Gatehouse::Gateway {

namespace {
thread_local int t_notifierWatches = 0;
}

struct DescriptorWatch::Notifiers
{
    Notifiers() { ++t_notifierWatches; }
    ~Notifiers() { --t_notifierWatches; }

    // Made when first wanted, then enabled and disabled (a connection that never
    // waits to write has no write notifier).
    void follow(std::unique_ptr<QSocketNotifier> &notifier, int fd, QSocketNotifier::Type type,
                bool on, void (Handler::*call)())
    {
        if (on && !notifier) {
            notifier = std::make_unique<QSocketNotifier>(fd, type);
            QObject::connect(notifier.get(), &QSocketNotifier::activated, notifier.get(),
                             [this, call] { (handler->*call)(); });
        }
        if (notifier && notifier->isEnabled() != on)
            notifier->setEnabled(on);
    }

    Handler *handler = nullptr;
    std::unique_ptr<QSocketNotifier> read;
    std::unique_ptr<QSocketNotifier> write;
};

DescriptorWatch::~DescriptorWatch()
{
    release();
}

DescriptorWatch::DescriptorWatch(DescriptorWatch &&other) noexcept
{
    *this = std::move(other);
}

DescriptorWatch &DescriptorWatch::operator=(DescriptorWatch &&other) noexcept
{
    if (this == &other)
        return *this;
    release();
    m_dispatcher = std::exchange(other.m_dispatcher, nullptr);
    m_id = std::exchange(other.m_id, 0);
    m_notifiers = std::exchange(other.m_notifiers, nullptr);
    m_fd = std::exchange(other.m_fd, -1);
    m_read = std::exchange(other.m_read, false);
    m_write = std::exchange(other.m_write, false);
    return *this;
}

bool DescriptorWatch::start(int descriptor, Handler *handler, bool read, bool write)
{
    release();
    if (descriptor < 0 || !handler)
        return false;
    m_fd = descriptor;
    m_read = read;
    m_write = write;
    m_dispatcher = EpollEventDispatcher::current();
    if (m_dispatcher) {
        m_id = m_dispatcher->addWatch(descriptor, handler, read, write);
        if (m_id)
            return true;
        m_dispatcher = nullptr; // epoll refused it: notifiers then
    }
    m_notifiers = new Notifiers;
    m_notifiers->handler = handler;
    apply();
    return true;
}

void DescriptorWatch::setHandler(Handler *handler)
{
    if (m_dispatcher)
        m_dispatcher->setWatchHandler(m_id, handler);
    else if (m_notifiers)
        m_notifiers->handler = handler;
}

void DescriptorWatch::setEnabled(bool read, bool write)
{
    if (m_fd < 0)
        return;
    m_read = read;
    m_write = write;
    apply();
}

void DescriptorWatch::apply()
{
    if (m_dispatcher) {
        m_dispatcher->setWatchEnabled(m_id, m_read, m_write);
        return;
    }
    if (!m_notifiers)
        return;
    m_notifiers->follow(m_notifiers->read, m_fd, QSocketNotifier::Read, m_read,
                        &Handler::descriptorReadable);
    m_notifiers->follow(m_notifiers->write, m_fd, QSocketNotifier::Write, m_write,
                        &Handler::descriptorWritable);
}

int DescriptorWatch::notifierWatches()
{
    return t_notifierWatches;
}

int DescriptorWatch::release()
{
    const int fd = m_fd;
    // (only through its own thread's dispatcher: an object deleted elsewhere after its
    // thread ended must not reach a dispatcher that is gone)
    if (m_dispatcher && m_dispatcher == EpollEventDispatcher::current())
        m_dispatcher->removeWatch(m_id);
    delete m_notifiers;
    m_notifiers = nullptr;
    m_dispatcher = nullptr;
    m_id = 0;
    m_fd = -1;
    m_read = m_write = false;
    return fd;
}

void DescriptorWatch::closeDescriptor(int unwatched)
{
    if (m_fd < 0) {
        if (unwatched >= 0)
            ::close(unwatched);
        return;
    }
    // the watch leaves without epoll_ctl (the close takes the descriptor out of the
    // epoll set); notifiers leave before their descriptor
    if (m_dispatcher && m_dispatcher == EpollEventDispatcher::current())
        m_dispatcher->removeWatch(m_id, true);
    m_dispatcher = nullptr;
    ::close(release());
}

} // namespace Gatehouse::Gateway
