// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

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

// `text` parsed as JSON, or nullopt with `error` saying why: the parser's own words
// without its internal tag ("parse error at line 1, column 3: syntax error ..."), or
// "nested deeper than 512 levels". Never throws.
inline std::optional<Json> parseBoundedJson(QByteArrayView text, QString *error)
{
    if (jsonTooDeepAt(text) >= 0) {
        *error = QStringLiteral("nested deeper than %1 levels").arg(MaxJsonDepth);
        return std::nullopt;
    }
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const std::exception &e) {
        // "[json.exception.parse_error.101] parse error at ..." -> "parse error at ..."
        QString what = QString::fromUtf8(e.what());
        if (what.startsWith(u"[json.exception.")) {
            const qsizetype end = what.indexOf(QStringLiteral("] "));
            if (end > 0)
                what.remove(0, end + 2);
        }
        *error = what;
        return std::nullopt;
    }
}

} // namespace Gatehouse
