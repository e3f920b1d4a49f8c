// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QString>

namespace Gatehouse {

// Matches a received value against a pattern written in a scenario's `expect` step.
//
// An object pattern matches an object that has every key of the pattern with a
// matching value (other keys are allowed). An array pattern matches an array of the
// same length, item by item. The string "*" matches any value; a string written as
// "/regex/" matches a string the regular expression finds a match in. Any other
// value must be equal (numbers compare by value).
class JsonPattern
{
public:
    // True when `value` matches; otherwise `why` (if given) says where and how it
    // differs, e.g. "/event: expected \"ping\", got \"pong\"".
    static bool matches(const Json &pattern, const Json &value, QString *why = nullptr);

    // The value a received text frame stands for: its JSON when it parses, else
    // the text itself as a JSON string.
    static Json valueOfText(const QString &text);
};

} // namespace Gatehouse
