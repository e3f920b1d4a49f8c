// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewayevent.h"

#include "gateway/messagerecord.h"

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

QList<GatewayEvent> messages(const GatewayEvent &event)
{
    if (event.type != GatewayEvent::Type::MessageRun)
        return {event};
    namespace R = MessageRecord;
    QList<GatewayEvent> out;
    out.reserve(event.recordCount);
    GatewayEvent proto = event;
    proto.records = QByteArray();
    proto.recordCount = 0;
    proto.durationMs = 0;
    qsizetype pos = 0;
    R::Message m;
    while (out.size() < event.recordCount && R::next(event.records, &pos, event.timeMs, &m)) {
        GatewayEvent &e = out.emplace_back(proto);
        const quint8 action = m.bits & R::ActionMask;
        e.type = (m.bits & R::OpcodeMask) == R::OpcodePing ? GatewayEvent::Type::PingForwarded
            : action == R::ActionDropped                   ? GatewayEvent::Type::MessageDropped
            : action == R::ActionThrottled                 ? GatewayEvent::Type::Throttled
                                                           : GatewayEvent::Type::MessageRelayed;
        e.timeMs = m.timeMs;
        e.direction
            = m.bits & R::DirectionOut ? Direction::BackendToClient : Direction::ClientToBackend;
        e.size = m.size;
        e.binary = (m.bits & R::OpcodeMask) == R::OpcodeBinary;
        e.latencyUs = m.latencyUs;
        if (m.bits & R::HasReason)
            e.reason = QString::fromUtf8(m.reason);
        if (m.bits & R::HasPayload)
            e.payload = m.payload.toByteArray();
    }
    return out;
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
    case GatewayEvent::Type::MessageRun:
        return QStringLiteral("messages");
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
