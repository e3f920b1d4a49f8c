// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Gatehouse {

// A parameter of a channel address template such as {roomID}.
struct ChannelParameter
{
    QString name;
    QString description;
    Json schema; // JSON Schema (2.x) or null; 3.x enum/default/examples live in `extra`
    QStringList enumValues;
    QString defaultValue;
    QString location; // runtime expression, e.g. $message.payload#/user/id
    Json extra;
    QString ref; // local $ref the parameter was read from (e.g. #/components/parameters/x);
                 // written back as that ref; the fields above hold its target
    friend bool operator==(const ChannelParameter &, const ChannelParameter &) = default;
};

// The `ws` channel binding: how a client opens the connection.
struct WsChannelBinding
{
    bool present = false;
    QString method; // GET or POST
    Json query; // JSON Schema of the query parameters; null when absent
    Json headers; // JSON Schema of the handshake headers; null when absent
    QString bindingVersion;
    friend bool operator==(const WsChannelBinding &, const WsChannelBinding &) = default;
};

// A channel (topic). `address` is the template clients connect to, e.g. /rooms/{roomID}.
struct Channel
{
    QString id; // 3.x channels key; in 2.x documents derived from the address
    QString address;
    QString title;
    QString summary;
    QString description;
    QList<ChannelParameter> parameters;
    QStringList messageIds; // messages the channel carries (ids into Api::messages)
    QStringList messageKeys; // 3.x key of each messageIds entry in the channel's `messages`
                             // map (same length as messageIds; empty entry = the id)
    QStringList servers; // server ids this channel is available on; empty = all
    WsChannelBinding ws;
    Json bindings; // all channel bindings as written (including ws); null when absent
    QString authType; // x-auth-type (Any / None); empty when absent
    Json extra;
    friend bool operator==(const Channel &, const Channel &) = default;
};

} // namespace Gatehouse
