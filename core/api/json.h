// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <nlohmann/json.hpp>

namespace Gatehouse {

// JSON values in the model keep their keys in document order, so that a document
// read and written again keeps the order its author chose.
using Json = nlohmann::ordered_json;

inline QString toQString(const std::string &s)
{
    return QString::fromStdString(s);
}

inline std::string toStdString(const QString &s)
{
    return s.toStdString();
}

// The kind of a value in the words a YAML author uses ("a list", "a mapping"), for
// diagnostics such as "channels must be a mapping, not a list".
inline QString describeJsonType(const Json &v)
{
    switch (v.type()) {
    case Json::value_t::array:
        return QStringLiteral("a list");
    case Json::value_t::object:
        return QStringLiteral("a mapping");
    case Json::value_t::null:
        return QStringLiteral("null");
    case Json::value_t::string:
        return QStringLiteral("a string");
    case Json::value_t::boolean:
        return QStringLiteral("a boolean");
    default:
        return QStringLiteral("a number");
    }
}

// `obj` with the member `from` renamed to `to`, in the same place; other values as
// they are (AsyncAPI 3 calls the OAuth flows' `scopes` `availableScopes`).
inline Json renamedKey(const Json &obj, const char *from, const char *to)
{
    if (!obj.is_object() || !obj.contains(from))
        return obj;
    Json out = Json::object();
    for (auto it = obj.begin(); it != obj.end(); ++it)
        out[it.key() == from ? std::string(to) : it.key()] = it.value();
    return out;
}

} // namespace Gatehouse
