// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "gateway/gatewayoptions.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gatehouse::Gateway {

// Where to listen for a set of APIs and which APIs each address serves, as
// `gatehouse-cli serve` does it: every distinct address the APIs' x-gatehouse
// `listen` (ws) and `tlsListen` (wss) name is opened once and serves the APIs that
// name it; an API naming no `listen` is served on the default ws address. An
// override (--listen / --tls-listen) replaces the documents' addresses of its kind:
// every API is served there.
class ListenerPlan
{
public:
    std::optional<ListenerConfig> wsOverride; // --listen
    std::optional<ListenerConfig> wssOverride; // --tls-listen with its certificate and key
    ListenerConfig defaultWs; // for APIs without `listen`: 127.0.0.1:9099

    // Plans the listeners for `apis`; `documents[i]` is the file apis[i] was read
    // from (relative certificate paths are relative to its folder). False with
    // `error` (one line: what and where) on a bad address or conflicting addresses.
    bool build(const QList<Api> &apis, const QStringList &documents, QString *error);

    // In the order Gateway::start() takes them.
    const QList<ListenerConfig> &listeners() const { return m_listeners; }
    // e.g. an API's wss left out because its certificate files are missing
    const QStringList &warnings() const { return m_warnings; }
    // The listeners serving `api` (indexes into listeners()), for
    // Gateway::setListenerSelector; at a reload, an API naming an address that is
    // not open is an error.
    QList<int> listenersFor(const Api &api, QString *error) const;

    // "HOST:PORT", "[v6]:PORT", ":PORT" or "PORT"; the host defaults to 127.0.0.1,
    // "localhost" is 127.0.0.1, "*" and "0.0.0.0" any IPv4 address, "::" any address.
    static bool parseAddress(const QString &text, QHostAddress *address, quint16 *port,
                             QString *error);

private:
    int find(const QHostAddress &address, quint16 port, bool tls) const;
    void append(const ListenerConfig &listener, const QString &namedBy);

    QList<ListenerConfig> m_listeners;
    QStringList m_namedBy; // per listener: who asked for it, for messages
    QStringList m_warnings;
    QList<QPair<QHostAddress, quint16>> m_skippedTls; // tlsListen without certificate files
};

} // namespace Gatehouse::Gateway
