// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"

#include <QMap>
#include <QString>

#include <memory>

namespace Gatehouse::Gateway {

// Where a handshake request was routed: which API and channel it addresses, the
// channel parameters taken from its path (the backend request it maps to is the
// router's Result::backendOrigin and backendTarget).
struct RouteMatch
{
    std::shared_ptr<const Api> api; // keeps the API alive while the connection is open
    const Channel *channel = nullptr; // points into *api
    const Operation *operation = nullptr; // operation whose x-uri-mapping was used; may be null
    QString apiKey; // "context/version" of the API, e.g. /chats/1.0.0
    QString topicPath; // request path after /{context}/{version}, e.g. /rooms/room1
    QMap<QString, QString> parameters; // decoded channel parameters, e.g. roomID=room1

    bool isValid() const { return api && channel; }
};

} // namespace Gatehouse::Gateway
