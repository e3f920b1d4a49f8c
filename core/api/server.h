// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QString>
#include <QStringList>

namespace Gatehouse {

// A server the API is available on (AsyncAPI Server Object), in 3.x terms.
struct Server
{
    QString id;
    QString host; // host[:port]; 2.x url split into host and pathname
    QString pathname;
    QString protocol; // ws, wss, mqtt, ...
    QString protocolVersion;
    QString title;
    QString summary;
    QString description;
    Json variables; // null when absent
    Json security; // null when absent
    Json bindings;
    Json extra;
    QString url; // 2.x url as written (kept when it still matches host+pathname)
    friend bool operator==(const Server &, const Server &) = default;
};

} // namespace Gatehouse
