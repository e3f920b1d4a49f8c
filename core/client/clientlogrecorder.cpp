// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientlogrecorder.h"

#include "gateway/gatewayeventsink.h"

#include <atomic>

namespace Gatehouse::Client {

using Gateway::GatewayEvent;

namespace {

// Apart from the gateway's ids of the same run (which count up from 1).
std::atomic<quint64> nextConnectionId {quint64(1) << 40};

} // namespace

ClientLogRecorder::ClientLogRecorder(std::shared_ptr<Gateway::GatewayEventSink> sink,
                                     const Source &source)
    : m_sink(std::move(sink))
{
    setSource(source);
}

void ClientLogRecorder::setSource(const Source &source)
{
    m_template = GatewayEvent();
    GatewayEvent::Details &d = m_template.editDetails();
    d.apiTitle = source.name;
    d.path = source.url.path();
    d.channel = source.channel.isEmpty() ? d.path : source.channel;
    d.backendUrl
        = source.url.adjusted(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemoveFragment)
              .toString();
    d.flags = {QStringLiteral("client")};
}

GatewayEvent ClientLogRecorder::event(GatewayEvent::Type type, qint64 timeMs) const
{
    GatewayEvent e = m_template;
    e.type = type;
    e.timeMs = timeMs;
    e.connectionId = m_connectionId;
    return e;
}

void ClientLogRecorder::record(const QList<ClientEvent> &events)
{
    QList<GatewayEvent> out;
    auto closeWith
        = [&](const ClientEvent &c, quint16 code, const QString &reason, GatewayEvent::Party by) {
              GatewayEvent e = event(GatewayEvent::Type::ConnectionClosed, c.timeMs);
              e.closeCode = code;
              e.closeReason = reason;
              e.closedBy = by;
              e.messagesIn = m_messagesIn;
              e.messagesOut = m_messagesOut;
              e.durationMs = c.timeMs - m_openedAtMs;
              out.append(e);
              m_open = false;
              m_ended = true;
          };
    for (const ClientEvent &c : events) {
        switch (c.kind) {
        case ClientEvent::Kind::Connecting:
            m_connectionId = nextConnectionId.fetch_add(1, std::memory_order_relaxed);
            m_open = false;
            m_ended = false;
            m_messagesIn = m_messagesOut = 0;
            break;
        case ClientEvent::Kind::Response:
            if (c.status != 101 && !m_ended) {
                GatewayEvent e = event(GatewayEvent::Type::ConnectionRejected, c.timeMs);
                e.status = c.status;
                e.reason = QStringLiteral("HTTP %1 %2").arg(c.status).arg(c.text).trimmed();
                out.append(e);
                m_ended = true;
            }
            break;
        case ClientEvent::Kind::Opened: {
            GatewayEvent e = event(GatewayEvent::Type::ConnectionOpened, c.timeMs);
            e.status = 101;
            out.append(e);
            m_open = true;
            m_openedAtMs = c.timeMs;
            break;
        }
        case ClientEvent::Kind::Sent:
        case ClientEvent::Kind::Received: {
            GatewayEvent e = event(GatewayEvent::Type::MessageRelayed, c.timeMs);
            const bool sent = c.kind == ClientEvent::Kind::Sent;
            e.direction
                = sent ? Gateway::Direction::ClientToBackend : Gateway::Direction::BackendToClient;
            e.size = c.data.size();
            e.binary = c.opcode == ClientEvent::Binary;
            e.payload = c.data;
            ++(sent ? m_messagesIn : m_messagesOut);
            out.append(e);
            break;
        }
        case ClientEvent::Kind::Closed:
            if (m_open)
                closeWith(c, c.closeCode, c.text,
                          c.outgoing ? GatewayEvent::Party::Client : GatewayEvent::Party::Backend);
            break;
        case ClientEvent::Kind::Error:
            if (m_open) {
                closeWith(c, 1006, c.text, GatewayEvent::Party::Gateway);
            } else if (!m_ended) {
                // no connection came of the attempt: unreachable, TLS, timeout
                GatewayEvent e = event(GatewayEvent::Type::ConnectionRejected, c.timeMs);
                e.reason = c.text;
                out.append(e);
                m_ended = true;
            }
            break;
        default:
            break;
        }
    }
    if (!out.isEmpty() && m_sink)
        m_sink->consume(out);
}

} // namespace Gatehouse::Client
