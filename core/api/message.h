// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QList>
#include <QString>

namespace Gatehouse {

// One example of a message: payload and headers as the document gives them.
struct MessageExample
{
    QString name;
    QString summary;
    Json headers; // null when absent
    Json payload; // null when absent
    friend bool operator==(const MessageExample &, const MessageExample &) = default;
};

// A message that travels on a channel (AsyncAPI Message Object).
struct Message
{
    QString id; // key under components.messages / channel messages, or messageId
    QString name; // machine-friendly name (AsyncAPI `name`)
    QString title;
    QString summary;
    QString description;
    QString contentType; // empty: the document's defaultContentType applies
    Json payload; // JSON Schema as written (local $refs kept); null when absent
    Json headers; // JSON Schema of the headers; null when absent
    Json correlationId; // Correlation ID object; null when absent
    QList<MessageExample> examples;
    Json bindings; // null when absent
    Json extra; // every other field (x- extensions, unknown keys), in order
    bool inlined = false; // defined inline in a channel/operation, not under components.messages
    friend bool operator==(const Message &, const Message &) = default;
};

} // namespace Gatehouse
