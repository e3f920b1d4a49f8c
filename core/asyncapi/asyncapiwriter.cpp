// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapiwriter.h"

#include "asyncapi/bindingconversion.h"
#include "asyncapi/canonicalorder.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/yamlemitter.h"

#include <QFileInfo>
#include <QHash>
#include <QSaveFile>
#include <QSet>

#include <string>

namespace Gatehouse {

namespace {

using TargetVersion = AsyncApiWriter::TargetVersion;

std::string s(const QString &text)
{
    return text.toStdString();
}

std::string refPath(std::initializer_list<std::string> tokens)
{
    std::string out = "#";
    for (const std::string &t : tokens)
        out += '/' + DocumentLoader::escapePointerToken(t);
    return out;
}

Json refObject(std::initializer_list<std::string> tokens)
{
    Json o = Json::object();
    o["$ref"] = refPath(tokens);
    return o;
}

using CanonicalOrder::sortKeys;

// Appends a member the object does not have yet, without ordered_json's linear
// lookup (the big maps, channels and operations, have thousands of members).
void appendMember(Json &obj, std::string key, Json value)
{
    static_cast<std::vector<std::pair<const std::string, Json>> &>(obj.get_ref<Json::object_t &>())
        .emplace_back(std::move(key), std::move(value));
}

void setString(Json &obj, const char *key, const QString &value)
{
    if (!value.isEmpty())
        obj[key] = s(value);
}

void setJson(Json &obj, const char *key, const Json &value)
{
    if (!value.is_null())
        obj[key] = value;
}

// Adds the fields of `extra` that the object does not have yet, in order.
void mergeExtra(Json &obj, const Json &extra, std::initializer_list<const char *> skip = {})
{
    if (!extra.is_object())
        return;
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        bool skipped = false;
        for (const char *k : skip)
            skipped = skipped || it.key() == k;
        if (!skipped && !obj.contains(it.key()))
            obj[it.key()] = it.value();
    }
}

class Writer
{
public:
    Writer(const Api &api, TargetVersion version)
        : m_api(api)
        , m_v3(version == TargetVersion::V3_0)
        , m_sourceV3(api.asyncapiVersion.startsWith(u'3'))
    {
        for (const Channel &c : api.channels)
            if (!m_channels.contains(c.id))
                m_channels.insert(c.id, &c);
        for (const Message &m : api.messages)
            if (!m_messages.contains(m.id))
                m_messages.insert(m.id, &m);
        for (const Operation &op : api.operations)
            m_operationsOn[op.channelId].append(&op);
    }

    Json write();

private:
    Json info();
    Json server(const Server &server);
    Json security(const Json &requirements);
    Json securityScheme(const SecurityScheme &scheme);
    Json message(const Message &message, const QString &explicitMessageId = {});
    Json parameter(const ChannelParameter &parameter);
    Json parameterObject(const Json &raw, bool fromV3);
    Json components();
    Json messageRef(const QString &id);
    QString channelAuthType(const Channel &channel) const;
    Json channel3(const Channel &channel);
    Json operation3(const Operation &op);
    Json channel2(const Channel &channel);
    Json operation2(const Operation &op, const Channel &channel, const char *kind);
    QString messageKey(const Channel &channel, const QString &id) const;

    const Channel *channelById(const QString &id) const { return m_channels.value(id); }
    const Message *findMessage(const QString &id) const { return m_messages.value(id); }

    const Api &m_api;
    bool m_v3;
    bool m_sourceV3;
    QHash<QString, const Channel *> m_channels;
    QHash<QString, const Message *> m_messages;
    QHash<QString, QList<const Operation *>> m_operationsOn;
};

Json Writer::write()
{
    Json root = Json::object();
    root["asyncapi"] = m_v3 ? "3.0.0" : "2.6.0";
    setString(root, "id", m_api.id);
    root["info"] = info();
    setString(root, "defaultContentType", m_api.defaultContentType);
    if (!m_api.servers.isEmpty()) {
        Json servers = Json::object();
        for (const Server &srv : m_api.servers)
            servers[s(srv.id)] = server(srv);
        root["servers"] = std::move(servers);
    }
    Json channels = Json::object();
    if (m_v3) {
        QSet<QString> seen;
        for (const Channel &c : m_api.channels) {
            if (seen.contains(c.id))
                continue;
            seen.insert(c.id);
            appendMember(channels, s(c.id), channel3(c));
        }
        if (!channels.empty())
            root["channels"] = std::move(channels);
        Json operations = Json::object();
        seen.clear();
        for (const Operation &op : m_api.operations) {
            if (seen.contains(op.id))
                continue;
            seen.insert(op.id);
            appendMember(operations, s(op.id), operation3(op));
        }
        if (!operations.empty())
            root["operations"] = std::move(operations);
    } else {
        // 2.x keys channels by address: of several channels with one address
        // (possible in 3.x) the first is kept.
        QSet<QString> seen;
        for (const Channel &c : m_api.channels) {
            // A 3.x channel without an address (decided at runtime) goes under its id.
            const QString key = c.address.isEmpty() ? c.id : c.address;
            if (seen.contains(key))
                continue;
            seen.insert(key);
            appendMember(channels, s(key), channel2(c));
        }
        root["channels"] = std::move(channels); // required in 2.x
    }
    Json comps = components();
    if (!comps.empty())
        root["components"] = std::move(comps);
    if (!m_v3) {
        setJson(root, "tags", m_api.tags);
        setJson(root, "externalDocs", m_api.externalDocs);
    }
    setJson(root, "x-gatehouse", m_api.gatehouse.raw);
    mergeExtra(root, m_api.extra);
    if (m_v3)
        return sortKeys(std::move(root),
                        {"asyncapi", "id", "info", "defaultContentType", "servers", "channels",
                         "operations", "components", "x-gatehouse"});
    return sortKeys(std::move(root),
                    {"asyncapi", "id", "info", "servers", "defaultContentType", "channels",
                     "components", "tags", "externalDocs", "x-gatehouse"});
}

Json Writer::info()
{
    Json info = m_api.info.is_object() ? m_api.info : Json::object();
    info.erase("title");
    info.erase("version");
    info.erase("description");
    info["title"] = s(m_api.title);
    info["version"] = s(m_api.version);
    setString(info, "description", m_api.description);
    if (m_v3) {
        setJson(info, "tags", m_api.tags);
        setJson(info, "externalDocs", m_api.externalDocs);
    }
    return CanonicalOrder::info(info);
}

Json Writer::server(const Server &srv)
{
    Json o = Json::object();
    if (m_v3) {
        o["host"] = s(srv.host);
        setString(o, "pathname", srv.pathname);
    } else {
        // Keep the url as written while it still says the same host and path.
        QString url = srv.host + srv.pathname;
        if (!srv.url.isEmpty()) {
            QString rest = srv.url;
            const qsizetype scheme = rest.indexOf(QLatin1String("://"));
            if (scheme >= 0)
                rest = rest.mid(scheme + 3);
            if (rest == url)
                url = srv.url;
        }
        o["url"] = s(url);
    }
    o["protocol"] = s(srv.protocol);
    setString(o, "protocolVersion", srv.protocolVersion);
    if (m_v3) {
        setString(o, "title", srv.title);
        setString(o, "summary", srv.summary);
    }
    setString(o, "description", srv.description);
    setJson(o, "variables", srv.variables);
    if (!srv.security.is_null())
        o["security"] = security(srv.security);
    setJson(o, "bindings", srv.bindings);
    if (m_v3)
        mergeExtra(o, srv.extra, {"url"});
    else
        mergeExtra(o, srv.extra,
                   {"host", "pathname", "externalDocs"}); // 2.x servers have no externalDocs
    return sortKeys(o,
                    {"host", "url", "pathname", "protocol", "protocolVersion", "title", "summary",
                     "description", "variables", "security", "tags", "externalDocs", "bindings"});
}

// Security requirements: 2.x `[{scheme: [scopes]}]` <-> 3.x `[{$ref: ...}, {inline scheme,
// scopes}]`.
Json Writer::security(const Json &requirements)
{
    if (m_v3 == m_sourceV3 || !requirements.is_array())
        return requirements;
    Json out = Json::array();
    if (m_v3) {
        for (const Json &item : requirements) {
            if (!item.is_object())
                continue;
            for (auto it = item.begin(); it != item.end(); ++it) {
                const bool noScopes = !it.value().is_array() || it.value().empty();
                const SecurityScheme *scheme = nullptr;
                for (const SecurityScheme &sc : m_api.securitySchemes)
                    if (s(sc.id) == it.key())
                        scheme = &sc;
                if (noScopes || !scheme) {
                    out.push_back(refObject({"components", "securitySchemes", it.key()}));
                } else {
                    Json inlineScheme = securityScheme(*scheme);
                    inlineScheme["scopes"] = it.value();
                    out.push_back(inlineScheme);
                }
            }
        }
        return out;
    }
    for (const Json &item : requirements) {
        if (!item.is_object())
            continue;
        const auto ref = item.find("$ref");
        if (ref != item.end() && ref->is_string()) {
            const std::string r = ref->get<std::string>();
            const std::string prefix = "#/components/securitySchemes/";
            if (r.rfind(prefix, 0) == 0) {
                Json req = Json::object();
                req[r.substr(prefix.size())] = Json::array();
                out.push_back(req);
            }
            continue;
        }
        // An inline scheme with scopes: name the declared scheme of the same type.
        const QString type = QString::fromStdString(item.value("type", std::string()));
        for (const SecurityScheme &sc : m_api.securitySchemes) {
            if (sc.type == type) {
                Json req = Json::object();
                req[s(sc.id)] = item.value("scopes", Json::array());
                out.push_back(req);
                break;
            }
        }
    }
    return out;
}

Json Writer::securityScheme(const SecurityScheme &sc)
{
    Json o = Json::object();
    o["type"] = s(sc.type);
    setString(o, "description", sc.description);
    setString(o, "name", sc.name);
    setString(o, "in", sc.in);
    setString(o, "scheme", sc.scheme);
    setString(o, "bearerFormat", sc.bearerFormat);
    if (sc.flows.is_object()) {
        Json flows = Json::object();
        for (auto f = sc.flows.begin(); f != sc.flows.end(); ++f)
            flows[f.key()] = m_v3 ? f.value() : renamedKey(f.value(), "availableScopes", "scopes");
        o["flows"] = flows;
    } else {
        setJson(o, "flows", sc.flows);
    }
    setString(o, "openIdConnectUrl", sc.openIdConnectUrl);
    if (m_v3)
        setJson(o, "scopes", sc.scopes);
    mergeExtra(o, sc.extra);
    return sortKeys(o,
                    {"type", "description", "name", "in", "scheme", "bearerFormat", "flows",
                     "openIdConnectUrl", "scopes"});
}

Json Writer::message(const Message &m, const QString &explicitMessageId)
{
    Json o = Json::object();
    if (!m_v3)
        setString(o, "messageId", explicitMessageId);
    setString(o, "name", m.name);
    setString(o, "title", m.title);
    setString(o, "summary", m.summary);
    setString(o, "description", m.description);
    setString(o, "contentType", m.contentType);
    setJson(o, "headers", m.headers);
    Json payload = m.payload;
    if (m_v3 && !m_sourceV3 && m.extra.is_object() && m.extra.contains("schemaFormat")
        && !payload.is_null()) {
        // 3.x puts a non-default schema format next to the schema (Multi Format Schema).
        Json multi = Json::object();
        multi["schemaFormat"] = m.extra["schemaFormat"];
        multi["schema"] = payload;
        payload = multi;
    } else if (!m_v3 && m_sourceV3 && payload.is_object() && payload.size() == 2
               && payload.contains("schemaFormat") && payload.contains("schema")) {
        o["schemaFormat"] = payload["schemaFormat"];
        payload = payload["schema"];
    }
    setJson(o, "payload", payload);
    setJson(o, "correlationId", m.correlationId);
    setJson(o, "bindings",
            m_v3 && !m_sourceV3
                ? BindingConversion::toV3(m.bindings, BindingConversion::Kind::Message)
                : m.bindings);
    if (!m.examples.isEmpty()) {
        Json examples = Json::array();
        for (const MessageExample &e : m.examples) {
            Json ex = Json::object();
            setString(ex, "name", e.name);
            setString(ex, "summary", e.summary);
            setJson(ex, "headers", e.headers);
            setJson(ex, "payload", e.payload);
            examples.push_back(ex);
        }
        o["examples"] = examples;
    }
    if (m_v3)
        mergeExtra(o, m.extra, {"messageId", "schemaFormat"});
    else
        mergeExtra(o, m.extra);
    return sortKeys(o,
                    {"messageId", "name", "title", "summary", "description", "contentType",
                     "schemaFormat", "headers", "payload", "correlationId", "tags", "externalDocs",
                     "bindings", "examples", "traits"});
}

// A 2.x parameter object {description, schema, location} <-> 3.x {enum, default,
// description, examples, location}, as the official converter maps them.
Json Writer::parameterObject(const Json &raw, bool fromV3)
{
    if (!raw.is_object() || raw.contains("$ref") || fromV3 == m_v3)
        return raw;
    Json o = Json::object();
    if (m_v3) {
        const Json schema = raw.value("schema", Json::object());
        if (schema.is_object()) {
            if (schema.contains("enum"))
                o["enum"] = schema["enum"];
            if (schema.contains("default"))
                o["default"] = schema["default"];
        }
        if (raw.contains("description"))
            o["description"] = raw["description"];
        else if (schema.is_object() && schema.contains("description"))
            o["description"] = schema["description"];
        if (schema.is_object() && schema.contains("examples"))
            o["examples"] = schema["examples"];
        if (raw.contains("location"))
            o["location"] = raw["location"];
        mergeExtra(o, raw, {"schema"});
        return o;
    }
    Json schema = Json::object();
    schema["type"] = "string";
    if (raw.contains("enum"))
        schema["enum"] = raw["enum"];
    if (raw.contains("default"))
        schema["default"] = raw["default"];
    if (raw.contains("examples"))
        schema["examples"] = raw["examples"];
    if (raw.contains("description"))
        o["description"] = raw["description"];
    o["schema"] = schema;
    if (raw.contains("location"))
        o["location"] = raw["location"];
    mergeExtra(o, raw, {"enum", "default", "examples"});
    return o;
}

Json Writer::parameter(const ChannelParameter &p)
{
    if (!p.ref.isEmpty()) {
        Json o = Json::object();
        o["$ref"] = s(p.ref);
        return o;
    }
    Json o = Json::object();
    setString(o, "description", p.description);
    if (m_v3) {
        Json enumValues = Json::array();
        for (const QString &v : p.enumValues)
            enumValues.push_back(s(v));
        if (!enumValues.empty())
            o["enum"] = enumValues;
        setString(o, "default", p.defaultValue);
        if (!m_sourceV3 && p.schema.is_object() && p.schema.contains("examples"))
            o["examples"] = p.schema["examples"];
        setString(o, "location", p.location);
        mergeExtra(o, p.extra, {"schema"});
        return sortKeys(o, {"enum", "default", "description", "examples", "location"});
    }
    Json schema = p.schema;
    if (schema.is_null()
        && (!p.enumValues.isEmpty() || !p.defaultValue.isEmpty()
            || (p.extra.is_object() && p.extra.contains("examples")))) {
        schema = Json::object();
        schema["type"] = "string";
        if (!p.enumValues.isEmpty()) {
            Json enumValues = Json::array();
            for (const QString &v : p.enumValues)
                enumValues.push_back(s(v));
            schema["enum"] = enumValues;
        }
        setString(schema, "default", p.defaultValue);
        if (p.extra.is_object() && p.extra.contains("examples"))
            schema["examples"] = p.extra["examples"];
    }
    setJson(o, "schema", schema);
    setString(o, "location", p.location);
    mergeExtra(o, p.extra, {"enum", "default", "examples"});
    return sortKeys(o, {"description", "schema", "location"});
}

Json Writer::components()
{
    Json c = m_api.components.is_object() ? m_api.components : Json::object();
    if (m_v3 != m_sourceV3 && c.contains("parameters") && c["parameters"].is_object()) {
        Json params = Json::object();
        for (auto it = c["parameters"].begin(); it != c["parameters"].end(); ++it)
            params[it.key()] = parameterObject(it.value(), m_sourceV3);
        c["parameters"] = params;
    }
    setJson(c, "schemas", m_api.schemas);
    Json messages = Json::object();
    for (const Message &m : m_api.messages)
        if (!m.inlined)
            messages[s(m.id)] = message(m);
    if (!messages.empty())
        c["messages"] = messages;
    Json schemes = Json::object();
    for (const SecurityScheme &sc : m_api.securitySchemes)
        schemes[s(sc.id)] = securityScheme(sc);
    if (!schemes.empty())
        c["securitySchemes"] = schemes;
    return CanonicalOrder::components(c);
}

QString Writer::messageKey(const Channel &channel, const QString &id) const
{
    const qsizetype i = channel.messageIds.indexOf(id);
    if (i >= 0 && i < channel.messageKeys.size() && !channel.messageKeys.at(i).isEmpty())
        return channel.messageKeys.at(i);
    return id;
}

QString Writer::channelAuthType(const Channel &channel) const
{
    if (!channel.authType.isEmpty())
        return channel.authType;
    // 2.x: the channel is open only when every operation says None; an operation
    // that says nothing is Any (the gateway's rule, AuthenticatePolicy::isOpen)
    QString found;
    bool unset = false;
    for (const Operation *op : m_operationsOn.value(channel.id)) {
        if (op->authType.isEmpty())
            unset = true;
        else if (found.isEmpty() || op->authType.compare(u"None", Qt::CaseInsensitive) != 0)
            found = op->authType;
    }
    if (unset && found.compare(u"None", Qt::CaseInsensitive) == 0)
        return QStringLiteral("Any");
    return found;
}

Json Writer::channel3(const Channel &c)
{
    Json o = Json::object();
    o["address"] = s(c.address);
    Json messages = Json::object();
    for (const QString &id : c.messageIds) {
        const Message *m = findMessage(id);
        const std::string key = s(messageKey(c, id));
        if (m && m->inlined)
            messages[key] = message(*m);
        else
            messages[key] = refObject({"components", "messages", s(id)});
    }
    if (!messages.empty())
        o["messages"] = messages;
    setString(o, "title", c.title);
    setString(o, "summary", c.summary);
    setString(o, "description", c.description);
    if (!c.servers.isEmpty()) {
        Json servers = Json::array();
        for (const QString &srv : c.servers)
            servers.push_back(refObject({"servers", s(srv)}));
        o["servers"] = servers;
    }
    if (!c.parameters.isEmpty()) {
        Json params = Json::object();
        for (const ChannelParameter &p : c.parameters)
            params[s(p.name)] = parameter(p);
        o["parameters"] = params;
    }
    setJson(o, "bindings", c.bindings);
    setString(o, "x-auth-type", channelAuthType(c));
    mergeExtra(o, c.extra, {"x-channelId"});
    return sortKeys(o,
                    {"address", "messages", "title", "summary", "description", "servers",
                     "parameters", "tags", "externalDocs", "bindings", "x-auth-type"});
}

Json Writer::operation3(const Operation &op)
{
    Json o = Json::object();
    o["action"] = op.action == Operation::Action::Send ? "send" : "receive";
    o["channel"] = refObject({"channels", s(op.channelId)});
    setString(o, "title", op.title);
    setString(o, "summary", op.summary);
    setString(o, "description", op.description);
    if (!op.security.is_null())
        o["security"] = security(op.security);
    setJson(o, "bindings",
            m_sourceV3 ? op.bindings
                       : BindingConversion::toV3(op.bindings, BindingConversion::Kind::Operation));
    if (!op.messageIds.isEmpty()) {
        const Channel *channel = channelById(op.channelId);
        Json messages = Json::array();
        for (const QString &id : op.messageIds) {
            if (channel && channel->messageIds.contains(id))
                messages.push_back(refObject(
                    {"channels", s(op.channelId), "messages", s(messageKey(*channel, id))}));
            else
                messages.push_back(refObject({"components", "messages", s(id)}));
        }
        o["messages"] = messages;
    }
    setJson(o, "reply", op.reply);
    setString(o, "x-uri-mapping", op.uriMapping);
    if (!op.scopes.isEmpty()) {
        Json scopes = Json::array();
        for (const QString &sc : op.scopes)
            scopes.push_back(s(sc));
        o["x-scopes"] = scopes;
    }
    // x-auth-type lives on the channel in 3.x; keep it here only where it differs.
    if (const Channel *channel = channelById(op.channelId)) {
        if (!op.authType.isEmpty() && op.authType != channelAuthType(*channel))
            o["x-auth-type"] = s(op.authType);
    } else {
        setString(o, "x-auth-type", op.authType);
    }
    mergeExtra(o, op.extra, {"operationId", "message"});
    return sortKeys(o,
                    {"action", "channel", "title", "summary", "description", "security", "tags",
                     "externalDocs", "bindings", "traits", "messages", "reply", "x-uri-mapping",
                     "x-scopes", "x-auth-type"});
}

Json Writer::channel2(const Channel &c)
{
    Json o = Json::object();
    setString(o, "description", c.description);
    if (!c.servers.isEmpty()) {
        Json servers = Json::array();
        for (const QString &srv : c.servers)
            servers.push_back(s(srv));
        o["servers"] = servers;
    }
    if (!c.parameters.isEmpty()) {
        Json params = Json::object();
        for (const ChannelParameter &p : c.parameters)
            params[s(p.name)] = parameter(p);
        o["parameters"] = params;
    }
    // 2.x has one publish and one subscribe operation per channel.
    const Operation *publish = nullptr;
    const Operation *subscribe = nullptr;
    for (const Operation *op : m_operationsOn.value(c.id)) {
        if (op->action == Operation::Action::Receive && !publish)
            publish = op;
        if (op->action == Operation::Action::Send && !subscribe)
            subscribe = op;
    }
    if (publish)
        o["publish"] = operation2(*publish, c, "publish");
    if (subscribe)
        o["subscribe"] = operation2(*subscribe, c, "subscribe");
    setJson(o, "bindings", c.bindings);
    if (c.id != (c.address.isEmpty() ? c.id : c.address))
        o["x-channelId"] = s(c.id);
    // WSO2 reads x-auth-type from the operations in 2.x; a channel without
    // operations keeps it on the channel.
    if (!publish && !subscribe)
        setString(o, "x-auth-type", c.authType);
    // 2.x channels have no title, summary, tags or externalDocs.
    mergeExtra(o, c.extra, {"address", "messages", "title", "summary", "tags", "externalDocs"});
    return sortKeys(o,
                    {"description", "servers", "parameters", "publish", "subscribe", "bindings",
                     "x-channelId", "x-auth-type"});
}

Json Writer::operation2(const Operation &op, const Channel &c, const char *kind)
{
    Json o = Json::object();
    const QString generatedId = c.id + u'.' + QLatin1String(kind);
    if (op.id != generatedId)
        o["operationId"] = s(op.id);
    setString(o, "summary", op.summary);
    setString(o, "description", op.description);
    if (!op.security.is_null())
        o["security"] = security(op.security);
    setJson(o, "bindings", op.bindings);

    const QStringList ids = op.messageIds.isEmpty() ? c.messageIds : op.messageIds;
    const QStringList idParts = op.id.split(u'.');
    const QString operationKind = idParts.size() == 1 ? op.id : idParts.constLast();
    Json items = Json::array();
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const QString &id = ids.at(i);
        const Message *m = findMessage(id);
        if (m && m->inlined) {
            // What the reader would call this message without a messageId.
            const QString generated = ids.size() > 1
                ? QString(operationKind + QStringLiteral(".message.") + QString::number(i))
                : QString(operationKind + QStringLiteral(".message"));
            const QString key = messageKey(c, id);
            items.push_back(message(*m, key == generated ? QString() : id));
        } else {
            items.push_back(refObject({"components", "messages", s(id)}));
        }
    }
    if (items.size() == 1) {
        o["message"] = items[0];
    } else if (items.size() > 1) {
        Json oneOf = Json::object();
        oneOf["oneOf"] = items;
        o["message"] = oneOf;
    }
    setString(o, "x-uri-mapping", op.uriMapping);
    if (!op.scopes.isEmpty()) {
        Json scopes = Json::array();
        for (const QString &sc : op.scopes)
            scopes.push_back(s(sc));
        o["x-scopes"] = scopes;
    }
    setString(o, "x-auth-type", op.authType.isEmpty() ? c.authType : op.authType);
    mergeExtra(o, op.extra, {"action", "channel", "messages", "reply", "title"});
    return sortKeys(o,
                    {"operationId", "summary", "description", "security", "tags", "externalDocs",
                     "bindings", "traits", "message", "x-uri-mapping", "x-scopes", "x-auth-type"});
}

} // namespace

Json AsyncApiWriter::toJson(const Api &api, TargetVersion version)
{
    return Writer(api, version).write();
}

QByteArray AsyncApiWriter::toYaml(const Json &value)
{
    return YamlEmitter().document(value);
}

QByteArray AsyncApiWriter::write(const Api &api, TargetVersion version, Format format)
{
    const Json json = toJson(api, version);
    if (format == Format::Json)
        return QByteArray::fromStdString(json.dump(2, ' ', false, Json::error_handler_t::replace))
            + '\n';
    return toYaml(json);
}

bool AsyncApiWriter::save(const Api &api, const QString &path, TargetVersion version, Format format,
                          QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray data = write(api, version, format);
    if (file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Gatehouse
