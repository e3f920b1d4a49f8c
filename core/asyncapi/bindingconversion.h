// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QStringList>

namespace Gatehouse {

// Brings 2.x operation and message bindings into the form AsyncAPI 3.0's binding
// schemas accept, for the protocols whose bindings changed incompatibly (http, amqp):
// fields the 3.0 bindings do not have (http `type`, amqp `replyTo`, ...) are
// dropped, and a bindingVersion 3.0 does not know becomes the latest one. Other
// protocols' bindings are kept as written.
class BindingConversion final
{
public:
    enum class Kind { Operation, Message };

    // `changes` gets one line per change, such as "http: 'type' dropped (the 3.0 http
    // operation binding has no such field)".
    static Json toV3(const Json &bindings, Kind kind, QStringList *changes = nullptr);
};

} // namespace Gatehouse
