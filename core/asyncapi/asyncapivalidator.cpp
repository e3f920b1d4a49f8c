// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapivalidator.h"

namespace Gatehouse {

QList<Diagnostic> AsyncApiValidator::validate(const Document &)
{
    return {}; // placeholder until schema validation lands
}

} // namespace Gatehouse
