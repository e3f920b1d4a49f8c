// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/messagepolicy.h"

#include <QByteArray>
#include <QSharedData>
#include <QSharedDataPointer>
#include <QString>
#include <QStringList>

namespace Gatehouse::Gateway {

// One thing that happened in the gateway, as a plain value (DESIGN.md: every step
// emits a structured event). Fields that do not apply to a type stay empty/zero.
struct GatewayEvent
{
    enum class Type {
        ConnectionOpened, // upgrade completed on both legs
        ConnectionRejected, // handshake answered with an HTTP error: status, reason
        MessageRelayed, // direction, size, binary, latencyUs
        MessageDropped, // a message policy dropped it: reason
        Throttled, // a rate limit hit (also reported as Dropped/Closed)
        ConnectionClosed, // closeCode, closeReason, closedBy
        PingForwarded, // a ping passed on to the other leg (forwardPings): direction, size
        MessageRun, // relayed messages of one connection, packed: records, recordCount
    };
    enum class Party { Client, Backend, Gateway };

    Type type = Type::ConnectionOpened;
    qint64 timeMs = 0; // milliseconds since the epoch (UTC)
    quint64 connectionId = 0; // unique per gateway run; 0 when no connection existed
    int status = 0; // Rejected: the HTTP status; Opened: 101
    QString reason; // Rejected / Dropped / Throttled: why; Relayed: what a policy found but
                    // let pass (payload validation in monitor mode)
    Direction direction = Direction::ClientToBackend;
    qint64 size = 0; // payload bytes
    bool binary = false;
    qint64 latencyUs = 0; // MessageRelayed: time from arrival to hand-off to the other leg;
                          // 0 for a message under 4 KiB handed on in the pass that read it
                          // when no policy parses payloads (one clock reading per read).
                          // Opened / Rejected: the handshake, from the request read whole
                          // to the answer (the backend's connect and upgrade included)
    QByteArray payload; // only when the gateway is asked to attach payloads (truncated)
    quint16 closeCode = 0; // ConnectionClosed
    QString closeReason;
    Party closedBy = Party::Gateway;
    qint64 messagesIn = 0; // ConnectionClosed: messages client->backend over the connection
    qint64 messagesOut = 0; //                   messages backend->client
    qint64 durationMs = 0; // ConnectionClosed: how long the connection was open;
                           // MessageRun: from its first message to its last
    // MessageRun: `recordCount` messages in the packed form of gateway/messagerecord.h,
    // their times relative to timeMs (the first message's). The relay packs the
    // messages it relays without a reason or payload to log (a few bytes each
    // instead of an event each) and hands a connection's run on when it holds
    // RunMessages, spans MaxSpanMs, before any other event of the connection, and
    // with every batch of the worker. messages() unpacks a run.
    QByteArray records;
    qint64 recordCount = 0;
    static constexpr int RunMessages = 256;
    static constexpr qint64 MaxSpanMs = 1000;

    // What every event of one connection shares. Set once per connection and shared
    // by pointer: copying an event copies no string (one reference count for all).
    struct Details : QSharedData
    {
        QString api; // "context/version", e.g. /chats/1.0.0; empty when unrouted
        QString apiTitle;
        QString channel; // channel address template, e.g. /rooms/{roomID}
        QString path; // request path as sent (without query)
        QString application; // application id; empty when anonymous
        QString clientAddress; // ip:port of the client
        QString backendUrl; // backend URL (without credentials)
        QStringList flags; // e.g. "fault-injection", "tls"
    };
    using DetailsPointer = QSharedDataPointer<Details>;

    // Reading never copies nor detaches (safe while other threads hold copies);
    // an event without details reads an empty (static) Details.
    const Details &details() const { return m_details ? *m_details : emptyDetails(); }
    // Creates the details, or detaches them from the other events sharing them.
    Details &editDetails();
    // The shared details themselves (null when none were set): for noticing by
    // pointer that two events share them, and for keeping them alive.
    const DetailsPointer &detailsPointer() const { return m_details; }
    bool sharesDetailsWith(const GatewayEvent &other) const { return m_details == other.m_details; }
    static const Details &emptyDetails();

private:
    DetailsPointer m_details;
};

// The events a MessageRun stands for, one per message (MessageRelayed, MessageDropped,
// Throttled or PingForwarded as its bits say; each with the run's connection and
// details); any other event as itself. For sinks that handle messages one by one.
QList<GatewayEvent> messages(const GatewayEvent &event);

QString toString(GatewayEvent::Type type);
QString toString(GatewayEvent::Party party);
QString toString(Direction direction);

} // namespace Gatehouse::Gateway
