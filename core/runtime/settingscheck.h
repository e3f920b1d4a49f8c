// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/asyncapireader.h"

#include <QList>

namespace Gatehouse {

// Appends the findings of the gateway's policy and mock settings readers (what
// `serve` and `mock` would refuse) as diagnostics at the node they name, such as
// /x-gatehouse/policies/1/events; those at or below a place an error in
// `diagnostics` already names are left out. `validate` and the window both show them.
void checkGatewaySettings(const ReadResult &result, QList<Diagnostic> *diagnostics);

} // namespace Gatehouse
