// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewaylistener.h"

namespace Gatehouse::Gateway {

GatewayListener::GatewayListener(Handler handler, QObject *parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
{ }

void GatewayListener::incomingConnection(qintptr descriptor)
{
    m_handler(descriptor);
}

} // namespace Gatehouse::Gateway
