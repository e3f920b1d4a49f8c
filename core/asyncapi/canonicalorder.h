// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <initializer_list>

// The key order the AsyncAPI writer uses, shared with the reader so that a model
// read from a written document equals the model it was written from.
namespace Gatehouse::CanonicalOrder {

// Known keys first in the given order, then every other key in its current order.
inline Json sortKeys(Json obj, std::initializer_list<const char *> order)
{
    if (!obj.is_object())
        return obj;
    Json out = Json::object();
    for (const char *k : order) {
        const auto it = obj.find(k);
        if (it != obj.end())
            out[k] = std::move(*it);
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool known = false;
        for (const char *k : order)
            known = known || it.key() == k;
        if (!known)
            out[it.key()] = std::move(it.value());
    }
    return out;
}

inline Json info(const Json &obj)
{
    return sortKeys(obj,
                    {"title", "version", "description", "termsOfService", "contact", "license",
                     "tags", "externalDocs"});
}

inline Json components(const Json &obj)
{
    return sortKeys(obj,
                    {"schemas", "servers", "channels", "operations", "messages", "securitySchemes",
                     "parameters", "correlationIds", "replies", "replyAddresses", "externalDocs",
                     "tags", "operationTraits", "messageTraits", "serverBindings",
                     "channelBindings", "operationBindings", "messageBindings"});
}

} // namespace Gatehouse::CanonicalOrder
