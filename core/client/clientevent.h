// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace Gatehouse::Client {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One thing that happened on a client connection, as its history keeps it.
struct ClientEvent
{
    enum class Kind {
        Connecting, // text: the URL (with secrets masked)
        Request, // the upgrade request: text "GET /path HTTP/1.1", headers (secrets masked)
        Response, // the handshake answer: status, reason phrase in text, headers, body
        Opened, // text: the subprotocol chosen (may be empty)
        Sent, // a message we sent: opcode, data
        Received, // a message from the server: opcode, data
        Ping, // a ping; outgoing says who sent it
        Pong, // a pong; roundTripUs when it answers one of our pings
        Closed, // closeCode, text = reason; outgoing = we started the close
        Error, // text: what went wrong, in one line
        Warning, // text: e.g. an untrusted certificate accepted
        Reconnecting, // text: "in 2 s (attempt 3 of 5)"
    };
    enum Opcode : quint8 { Text = 0x1, Binary = 0x2 };

    quint64 sequence = 0; // 1, 2, ... per connection, set by the history
    qint64 timeMs = 0; // since the epoch
    Kind kind = Kind::Connecting;
    bool outgoing = false; // sent by us (messages, pings, pongs, closes)
    quint8 opcode = 0; // Text or Binary for Sent/Received
    QByteArray data; // payload (messages, pings, pongs), body (Response)
    QString text;
    int status = 0; // Response: HTTP status
    HeaderList headers; // Response: the answer's headers; Connecting: what we sent
    quint16 closeCode = 0; // Closed
    qint64 roundTripUs = -1; // Pong: to our ping; Received: since the last Sent (request/reply)

    // The wire size: the payload's, or the body's.
    qsizetype size() const { return data.size(); }

    static QString kindName(Kind kind); // "received", "sent", ...
    // A binary payload that is a whole CBOR or MessagePack value, as indented JSON,
    // with the format's name in `*format`; empty when it is neither, or when it nests
    // deeper than MaxJsonDepth (the limit of JSON from the network), and then `*error`
    // says so ("CBOR nested deeper than 512 levels").
    static QString binaryAsJson(const QByteArray &data, QString *format = nullptr,
                                QString *error = nullptr);
    // What a close code means ("1008 policy violation"), for people.
    static QString closeCodeMeaning(quint16 code);
    // The event as one JSON object (time as ISO 8601, kind, direction, data as
    // text or base64 with its encoding), for exports and `cat --json`.
    Json toJson() const;
    // The event toJson() wrote (a saved history read back); nullopt with the reason
    // in `*error` when `json` is not one.
    static std::optional<ClientEvent> fromJson(const Json &json, QString *error = nullptr);
};

} // namespace Gatehouse::Client
