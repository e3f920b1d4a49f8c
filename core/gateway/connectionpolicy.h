// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connectioncontext.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace Gatehouse::Gateway {

// What a connection policy decided about a handshake: allow, or reject with an
// HTTP status, a one-line reason (also the response body) and extra response
// headers (WWW-Authenticate for 401, Retry-After for 429, ...).
struct ConnectionDecision
{
    int status = 0; // 0 = allowed; otherwise the HTTP status to answer
    QString reason;
    QList<QPair<QByteArray, QByteArray>> headers;

    bool allowed() const { return status == 0; }
    static ConnectionDecision allow() { return {}; }
    static ConnectionDecision reject(int status, const QString &reason,
                                     QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        return {status, reason, std::move(headers)};
    }
};

// A check made once per connection, at the handshake, after routing and before
// the gateway connects to the backend (DESIGN.md, "Gateway: one connection, step
// by step", step 4): authentication (401), authorization (403), connection limits
// (429 / 503). The gateway evaluates the policies of the connection's API and
// channel in list order and stops at the first rejection.
//
// Threads: one policy object serves every connection of its API, from all gateway
// worker threads at once. evaluate() and released() must be thread-safe and must
// not block (no network, no waiting for locks held across I/O); counters shared
// between connections should be atomics or guarded by a short mutex.
//
// Lifecycle: for every evaluate() that returned allow(), the gateway calls
// released() exactly once with the same context when that connection ends, whether
// it was later rejected by another policy, failed to reach the backend, or was open
// and closed. A concurrency limit increments in evaluate() and decrements there.
class ConnectionPolicy
{
public:
    virtual ~ConnectionPolicy() = default;

    // Short name for logs, e.g. "authenticate".
    virtual QString name() const = 0;

    // Decide about the connection. May fill in context.identity, context.attributes,
    // context.maxLifetime / idleTimeout and context.flags for later policies.
    virtual ConnectionDecision evaluate(ConnectionContext &context) = 0;

    // The connection that evaluate() allowed has ended (see above).
    virtual void released(const ConnectionContext &context) { Q_UNUSED(context); }
};

} // namespace Gatehouse::Gateway
