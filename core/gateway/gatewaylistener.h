// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTcpServer>

#include <functional>

namespace Gatehouse::Gateway {

// The acceptor: a QTcpServer that does not create sockets itself but hands each
// accepted descriptor to a worker thread, which creates the socket there.
class GatewayListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayListener)

public:
    using Handler = std::function<void(qintptr descriptor)>;
    explicit GatewayListener(Handler handler, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Handler m_handler;
};

} // namespace Gatehouse::Gateway
