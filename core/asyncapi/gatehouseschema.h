// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

namespace Gatehouse {

// The x-gatehouse JSON Schema compiled into the application
// (resources/schemas/x-gatehouse.schema.json), read once; an empty object if it
// cannot be read. Key completion and the policy and mock forms read it.
const Json &gatehouseSchema();

} // namespace Gatehouse
