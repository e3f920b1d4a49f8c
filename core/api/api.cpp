// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/api.h"

#include <QSet>

namespace Gatehouse {

const Channel *Api::channel(const QString &id) const
{
    for (const Channel &c : channels)
        if (c.id == id)
            return &c;
    return nullptr;
}

const Channel *Api::channelByAddress(const QString &address) const
{
    for (const Channel &c : channels)
        if (c.address == address)
            return &c;
    return nullptr;
}

const Message *Api::message(const QString &id) const
{
    for (const Message &m : messages)
        if (m.id == id)
            return &m;
    return nullptr;
}

const Operation *Api::operation(const QString &id) const
{
    for (const Operation &o : operations)
        if (o.id == id)
            return &o;
    return nullptr;
}

QList<const Operation *> Api::operationsOn(const QString &channelId) const
{
    QList<const Operation *> result;
    for (const Operation &o : operations)
        if (o.channelId == channelId)
            result.append(&o);
    return result;
}

namespace {

const Json *lookupLocal(const Api &api, const std::string &ref)
{
    static const std::string schemasPrefix = "#/components/schemas/";
    if (ref.rfind(schemasPrefix, 0) == 0 && api.schemas.is_object()) {
        try {
            const Json::json_pointer ptr("/" + ref.substr(schemasPrefix.size()));
            if (api.schemas.contains(ptr))
                return &api.schemas.at(ptr);
        } catch (const Json::exception &) {
            return nullptr;
        }
    }
    static const std::string componentsPrefix = "#/components/";
    if (ref.rfind(componentsPrefix, 0) == 0 && api.components.is_object()) {
        try {
            const Json::json_pointer ptr("/" + ref.substr(componentsPrefix.size()));
            if (api.components.contains(ptr))
                return &api.components.at(ptr);
        } catch (const Json::exception &) {
            return nullptr;
        }
    }
    return nullptr;
}

Json resolveInto(const Api &api, const Json &node, QSet<QString> &active)
{
    if (node.is_object()) {
        const auto ref = node.find("$ref");
        if (ref != node.end() && ref->is_string()) {
            const std::string target = ref->get<std::string>();
            const QString key = QString::fromStdString(target);
            const Json *resolvedNode = lookupLocal(api, target);
            if (!resolvedNode || active.contains(key))
                return node; // unknown or cyclic: leave the reference in place
            active.insert(key);
            Json out = resolveInto(api, *resolvedNode, active);
            active.remove(key);
            return out;
        }
        Json out = Json::object();
        for (auto it = node.begin(); it != node.end(); ++it)
            out[it.key()] = resolveInto(api, it.value(), active);
        return out;
    }
    if (node.is_array()) {
        Json out = Json::array();
        for (const Json &item : node)
            out.push_back(resolveInto(api, item, active));
        return out;
    }
    return node;
}

} // namespace

Json Api::resolved(const Json &schema) const
{
    QSet<QString> active;
    return resolveInto(*this, schema, active);
}

} // namespace Gatehouse
