// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QByteArrayView>

namespace Gatehouse {

// JSON from the network (messages a client or a backend sends) is parsed with a
// nesting limit. nlohmann parses any depth, but what then reads the value (dump(),
// schema validation, masking, pattern matching) recurses once per level: a 1 MiB
// message of '[' would overflow a gateway thread's stack. Text nested deeper than
// MaxJsonDepth is not JSON to Gatehouse (the limit of documents, DocumentLoader).
inline constexpr int MaxJsonDepth = 512;

// Position of the first bracket of `text` nested deeper than `max`, or -1 (brackets
// inside strings do not count; the text need not be valid JSON).
inline qsizetype jsonTooDeepAt(QByteArrayView text, int max = MaxJsonDepth)
{
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return -1;
}

// `text` parsed as JSON; a discarded value (is_discarded()) when it is not JSON or
// nests deeper than MaxJsonDepth. Never throws.
inline Json parseBoundedJson(QByteArrayView text)
{
    if (jsonTooDeepAt(text) >= 0)
        return Json(Json::value_t::discarded);
    return Json::parse(text.begin(), text.end(), nullptr, false);
}

} // namespace Gatehouse
