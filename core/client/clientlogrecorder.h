// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientevent.h"
#include "gateway/gatewayevent.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <memory>

namespace Gatehouse::Gateway {
class GatewayEventSink;
}

namespace Gatehouse::Client {

// Writes what a client connection saw into the message log, as the gateway writes
// what it relays: each attempt is a connection (opened, or rejected with its status
// or error), each message sent or received a row ("in" is what the client sent), the
// close with its code and who started it. Rows carry the flag "client", the tab's
// name as the API title and the URL without its query (where a credential may be)
// as the backend; pings and pongs are left out, as the gateway leaves them out.
// Not thread-safe: one thread records (the connection's).
class ClientLogRecorder final
{
public:
    struct Source
    {
        QString name; // the tab's title
        QUrl url;
        QString channel; // the channel's address template when known, else the URL's path
    };

    ClientLogRecorder(std::shared_ptr<Gateway::GatewayEventSink> sink, const Source &source);

    void setSource(const Source &source);
    // Hands the events' rows to the sink (which queues them; it never waits).
    void record(const QList<ClientEvent> &events);
    // The message log's connection id of the current (or last) attempt; 0 before one.
    quint64 connectionId() const { return m_connectionId; }

private:
    Gateway::GatewayEvent event(Gateway::GatewayEvent::Type type, qint64 timeMs) const;

    std::shared_ptr<Gateway::GatewayEventSink> m_sink;
    Gateway::GatewayEvent m_template; // its copies share the details
    quint64 m_connectionId = 0;
    bool m_open = false;
    bool m_ended = true;
    qint64 m_openedAtMs = 0;
    qint64 m_messagesIn = 0;
    qint64 m_messagesOut = 0;
};

} // namespace Gatehouse::Client
