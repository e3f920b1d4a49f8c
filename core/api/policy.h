// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QString>

namespace Gatehouse {

// A gateway policy as declared in x-gatehouse: its type (e.g. "rateLimit") and its
// configuration. core/policy turns these into running policy objects.
struct Policy
{
    QString type;
    Json config; // the policy's object as written
    friend bool operator==(const Policy &, const Policy &) = default;
};

} // namespace Gatehouse
