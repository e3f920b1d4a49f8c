// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "api/plan.h"
#include "api/policy.h"

#include <QList>
#include <QString>

namespace Gatehouse {

// The root `x-gatehouse` extension: how the embedded gateway serves this API.
// `raw` is the object as written and is what the writer emits; the typed fields are
// read from it for convenience. Concerns that add keys read them from `raw`.
struct GatewaySettings
{
    QString endpoint; // backend, e.g. ws://localhost:8080
    QString context; // e.g. /chats
    bool defaultVersion = false; // also serve at /{context} without the version
    QString listen; // e.g. 127.0.0.1:9099
    QString tlsListen; // e.g. 127.0.0.1:8099
    QString certificateFile;
    QString privateKeyFile;
    QList<Plan> plans;
    QList<Policy> policies; // API-wide policies
    Json mock; // mock backend settings; null when absent
    Json raw; // the whole x-gatehouse object; null when absent
    friend bool operator==(const GatewaySettings &, const GatewaySettings &) = default;
};

} // namespace Gatehouse
