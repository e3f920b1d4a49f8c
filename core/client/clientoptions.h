// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientevent.h"

#include <QByteArray>
#include <QNetworkProxy>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

namespace Gatehouse::Client {

class ClientCookieJar;

// How a client connection opens and behaves: what wscat's flags and a client tab's
// settings say.
struct ClientOptions
{
    QUrl url; // ws:// or wss:// (http:// and https:// are taken as ws:// and wss://)
    HeaderList headers; // sent with the upgrade request, in order
    // Names of headers, in lower case, whose values the history shows as "***" (besides
    // Authorization, Cookie and names with token, secret or key in them).
    QList<QByteArray> secretHeaders;
    QStringList subprotocols; // Sec-WebSocket-Protocol
    QString origin; // Origin (none when empty)
    QString basicAuth; // "user:password" -> Authorization: Basic
    int protocolVersion = 13; // Sec-WebSocket-Version (13; 8 for old servers)

    // TLS (wss://)
    QString caFile; // PEM certificates trusted besides the system's
    QString certificateFile; // PEM client certificate
    QString keyFile; // PEM private key of the client certificate
    QByteArray passphrase; // of the key
    bool insecure = false; // accept an untrusted or mismatched certificate (said in a Warning)

    // "http://[user:pass@]host:port" (HTTP CONNECT) or "socks5://host:port"; empty: none.
    QString proxy;

    int handshakeTimeoutMs = 10000;
    bool followRedirects = false;
    int maxRedirects = 10;

    // Reconnect after the connection drops or cannot be opened (not after our own
    // close): after reconnectDelayMs, doubling up to maxReconnectDelayMs.
    bool reconnect = false;
    int maxReconnects = 10; // 0: no limit
    int reconnectDelayMs = 1000;
    int maxReconnectDelayMs = 30000;

    int pingIntervalMs = 0; // keep-alive pings (0: none); each pong gives a round trip
    bool autoPong = true; // answer the server's pings
    qint64 maxMessageSize = 64 * 1024 * 1024; // bigger incoming messages close with 1009

    // Cookies sent with the upgrade request and filled from the answer's Set-Cookie
    // (none when null).
    std::shared_ptr<ClientCookieJar> cookies;

    // Messages sent after every (re)open, in order, before anything else.
    QList<QPair<quint8, QByteArray>> onOpen;

    // A one-line problem with these options ("proxy: ..."), empty when they can be used.
    QString validate() const;
    // The URL normalised to ws:// or wss://.
    QUrl webSocketUrl() const;
    // The proxy the options name (NoProxy when none); std::nullopt when it cannot be read.
    std::optional<QNetworkProxy> networkProxy(QString *error = nullptr) const;
};

// The URL for people and histories: user info and the values of query parameters that
// carry credentials (access_token, apikey, api_key, token, ...) replaced by "***".
QString maskedUrl(const QUrl &url);

} // namespace Gatehouse::Client
