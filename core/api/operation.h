// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Gatehouse {

// An operation, always from the application's point of view (AsyncAPI 3.x):
// Send = the application sends to the channel (2.x `subscribe`),
// Receive = the application receives from the channel (2.x `publish`).
// For a gateway in front of a backend, the "application" is the backend: Send
// operations are what the server pushes to clients, Receive what clients send.
struct Operation
{
    enum class Action { Send, Receive };

    QString id; // operationId (2.x) or operations key (3.x)
    Action action = Action::Send;
    QString channelId;
    QStringList messageIds; // empty = every message of the channel
    QString title;
    QString summary;
    QString description;
    QString uriMapping; // x-uri-mapping, e.g. /rooms?room={uri.var.roomID}
    QStringList scopes; // x-scopes
    QString authType; // x-auth-type on the operation (2.x); empty when absent
    Json security; // security requirements as written; null when absent
    Json reply; // 3.x Operation Reply object as written; null when absent
    Json bindings;
    Json extra;
    friend bool operator==(const Operation &, const Operation &) = default;
};

} // namespace Gatehouse
