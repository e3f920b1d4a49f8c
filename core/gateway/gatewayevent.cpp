// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewayevent.h"

namespace Gatehouse::Gateway {

const GatewayEvent::Details &GatewayEvent::emptyDetails()
{
    static const Details empty;
    return empty;
}

GatewayEvent::Details &GatewayEvent::editDetails()
{
    if (!m_details)
        m_details.reset(new Details);
    return *m_details; // the non-const access detaches when shared
}

QString toString(GatewayEvent::Type type)
{
    switch (type) {
    case GatewayEvent::Type::ConnectionOpened:
        return QStringLiteral("opened");
    case GatewayEvent::Type::ConnectionRejected:
        return QStringLiteral("rejected");
    case GatewayEvent::Type::MessageRelayed:
        return QStringLiteral("message");
    case GatewayEvent::Type::MessageDropped:
        return QStringLiteral("dropped");
    case GatewayEvent::Type::Throttled:
        return QStringLiteral("throttled");
    case GatewayEvent::Type::ConnectionClosed:
        return QStringLiteral("closed");
    case GatewayEvent::Type::PingForwarded:
        return QStringLiteral("ping");
    }
    return {};
}

QString toString(GatewayEvent::Party party)
{
    switch (party) {
    case GatewayEvent::Party::Client:
        return QStringLiteral("client");
    case GatewayEvent::Party::Backend:
        return QStringLiteral("backend");
    case GatewayEvent::Party::Gateway:
        return QStringLiteral("gateway");
    }
    return {};
}

QString toString(Direction direction)
{
    return direction == Direction::ClientToBackend ? QStringLiteral("in") : QStringLiteral("out");
}

} // namespace Gatehouse::Gateway
