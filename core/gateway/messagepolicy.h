// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connectioncontext.h"

#include <QByteArray>
#include <QString>

#include <chrono>

namespace Gatehouse::Gateway {

enum class Direction { ClientToBackend, BackendToClient };
enum class Leg { Client, Backend };

// One whole WebSocket data message (fragments already joined) on its way through
// the gateway. A policy may change it in place (transformations).
struct RelayMessage
{
    Direction direction = Direction::ClientToBackend;
    bool binary = false; // false: text (payload is UTF-8)
    QByteArray payload;
};

// What a message policy decided about one message.
struct MessageVerdict
{
    enum class Action {
        Forward, // pass it on (possibly transformed), after `delay`
        Drop, // do not pass it on; optionally send `errorFrame` (text) to `errorFrameTo`
        Close, // close both legs with the codes below
    };

    Action action = Action::Forward;
    std::chrono::milliseconds delay {0}; // Forward only: hold the message back this long
                                         // (later messages of the same direction wait behind it)
    QString errorFrame; // Drop only: text frame to send, empty = none
    Leg errorFrameTo = Leg::Client;
    quint16 clientCloseCode = 1001; // Close only
    QString clientCloseReason;
    quint16 backendCloseCode = 1001;
    QString backendCloseReason;
    QString reason; // for the event log: why dropped / closed
    bool throttled = false; // emit a Throttled event (rate limits)

    static MessageVerdict forward() { return {}; }
    static MessageVerdict forwardAfter(std::chrono::milliseconds d)
    {
        MessageVerdict v;
        v.delay = d;
        return v;
    }
    static MessageVerdict drop(const QString &reason, const QString &errorFrame = {},
                               Leg to = Leg::Client)
    {
        MessageVerdict v;
        v.action = Action::Drop;
        v.reason = reason;
        v.errorFrame = errorFrame;
        v.errorFrameTo = to;
        return v;
    }
    static MessageVerdict close(quint16 clientCode, const QString &clientReason,
                                quint16 backendCode = 1001, const QString &backendReason = {})
    {
        MessageVerdict v;
        v.action = Action::Close;
        v.clientCloseCode = clientCode;
        v.clientCloseReason = clientReason;
        v.backendCloseCode = backendCode;
        v.backendCloseReason = backendReason;
        v.reason = clientReason;
        return v;
    }
};

// A step of the per-message chain (DESIGN.md step 7): rate limit, size limit,
// payload validation, transformation, fault injection. The gateway runs the chain
// of the connection's API and channel in list order for every data message in
// either direction; the first verdict that is not Forward ends the chain. Control
// frames (ping, pong, close) do not pass through the chain.
//
// Threads: one policy object serves every connection of its API from all worker
// threads at once; process() must be thread-safe, cheap and must never block (it
// runs on the relay path). Per-connection state belongs in a map keyed by
// context.connectionId, dropped in connectionClosed().
class MessagePolicy
{
public:
    virtual ~MessagePolicy() = default;

    virtual QString name() const = 0;

    // Largest message this policy lets through in `direction`, or -1 for no limit.
    // The gateway enforces the smallest limit of the chain while it reassembles
    // frames, before buffering the whole message: the sender gets close 1009 and
    // the other leg 1001.
    virtual qint64 maxMessageSize(Direction direction) const
    {
        Q_UNUSED(direction);
        return -1;
    }

    virtual MessageVerdict process(const ConnectionContext &context, RelayMessage &message) = 0;

    // How much of each relayed payload the gateway should attach to its
    // MessageRelayed events for the log: 0 = none (default), -1 = all of it (the sink
    // masks and truncates), N = the first N bytes. The largest wish of the chain wins
    // (with GatewayOptions::eventPayloadBytes). Attaching shares the buffer, no copy.
    virtual qint64 eventPayloadBytes() const { return 0; }
    // Attach a payload to one message in this many of a connection (the log policy's
    // `sample`); the largest of the chain wins. 1: every message.
    virtual int payloadSample() const { return 1; }
    // Like eventPayloadBytes(), while payload logging of the connection is granted at
    // run time (PayloadLogGrants) whatever the policy's own setting; 0: no opinion
    // (the gateway then attaches PayloadLogGrants::DefaultPayloadBytes).
    virtual qint64 grantedPayloadBytes() const { return 0; }

    // True when process() parses or rewrites the payload, so that its time per
    // message is worth measuring: the gateway then reads the clock for each message
    // it hands on (MessageRelayed latencyUs), not once per read.
    virtual bool readsPayload() const { return false; }

    // True when process() would forward every message of this connection that fits
    // maxMessageSize(), unchanged and at once: a rate limit on an unlimited plan, a
    // size limit (the relay enforces it while reading), fault injection that is off.
    // Asked once, after connectionOpened(); the gateway then leaves the policy out of
    // this connection's chain, unless a policy before it reads or rewrites payloads
    // (a rewritten message may no longer fit).
    virtual bool forwardsEverything(const ConnectionContext &context)
    {
        Q_UNUSED(context);
        return false;
    }

    // The connection has been opened (after the upgrade) / has ended.
    virtual void connectionOpened(const ConnectionContext &context) { Q_UNUSED(context); }
    virtual void connectionClosed(const ConnectionContext &context) { Q_UNUSED(context); }
};

} // namespace Gatehouse::Gateway
