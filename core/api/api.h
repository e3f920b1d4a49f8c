// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/channel.h"
#include "api/gatewaysettings.h"
#include "api/message.h"
#include "api/operation.h"
#include "api/securityscheme.h"
#include "api/server.h"

#include <QList>
#include <QString>

namespace Gatehouse {

// An API as Gatehouse understands it: the in-memory form of an AsyncAPI document,
// independent of the AsyncAPI version it was read from. The single source of truth
// for the editor, the gateway and the mocks.
struct Api
{
    QString asyncapiVersion; // version of the document it was read from, e.g. 2.6.0
    QString id; // AsyncAPI `id` (a URI); empty when absent
    QString title;
    QString version;
    QString description;
    QString defaultContentType;
    Json info; // the whole info object as written (contact, license, tags, x-...)
    QList<Server> servers;
    QList<Channel> channels;
    QList<Operation> operations;
    QList<Message> messages; // every message, component or inline, by id
    QList<SecurityScheme> securitySchemes;
    Json schemas; // components.schemas as written; null when absent
    Json components; // other components (parameters, traits, ...) as written
    GatewaySettings gatehouse;
    Json tags; // root tags (3.x: info.tags); null when absent
    Json externalDocs;
    Json extra; // other root fields and x- extensions, in order

    const Channel *channel(const QString &id) const;
    const Channel *channelByAddress(const QString &address) const;
    const Message *message(const QString &id) const;
    const Operation *operation(const QString &id) const;
    QList<const Operation *> operationsOn(const QString &channelId) const;

    // `schema` with local "#/components/schemas/..." (and other "#/...") $refs of this
    // API replaced by their targets, recursively; cyclic refs are left as $ref.
    Json resolved(const Json &schema) const;

    friend bool operator==(const Api &, const Api &) = default;
};

} // namespace Gatehouse
