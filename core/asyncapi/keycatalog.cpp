// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/keycatalog.h"

#include "api/json.h"
#include "asyncapi/gatehouseschema.h"
#include "asyncapi/sourcetext.h"

#include <optional>

namespace Gatehouse {

namespace {

using Key = KeyCatalog::Key;

enum class Kind {
    None,
    Root,
    Info,
    Contact,
    License,
    Server,
    ServerVariable,
    Channel,
    Operation,
    Message,
    Components,
    SecurityScheme,
    Parameter,
    Tag,
    ExternalDocs,
    Schema,
};

// The keys of one AsyncAPI object; `since`/`until` limit a key to major versions.
struct Entry
{
    const char *name;
    const char *description;
    int since = 2;
    int until = 3;
};

// clang-format off
const Entry RootKeys[] = {
    {"asyncapi", "The AsyncAPI version the document is written in, such as 2.6.0 or 3.0.0."},
    {"id", "A URI that identifies the application the document describes."},
    {"info", "The API's title, version and description."},
    {"servers", "Where the API is served: each server's host, protocol and security."},
    {"defaultContentType", "The content type of messages that do not say their own, such as application/json."},
    {"channels", "The topics (WebSocket paths) of the API, by name."},
    {"operations", "What the application sends and receives, by name.", 3, 3},
    {"components", "Definitions the document refers to with $ref: messages, schemas, security schemes and more."},
    {"tags", "Tags to group the API's parts by.", 2, 2},
    {"externalDocs", "A link to more documentation.", 2, 2},
    {"x-gatehouse", "How the Gatehouse gateway serves the API: context, endpoint, policies, plans and the mock."},
};
const Entry InfoKeys[] = {
    {"title", "The API's name."},
    {"version", "The version of the API (not of AsyncAPI)."},
    {"description", "What the API is for; CommonMark is allowed."},
    {"termsOfService", "A URL of the terms of service."},
    {"contact", "Who to contact about the API."},
    {"license", "The API's licence."},
    {"tags", "Tags to group the API by.", 3, 3},
    {"externalDocs", "A link to more documentation.", 3, 3},
};
const Entry ContactKeys[] = {
    {"name", "The name of the person or organisation."},
    {"url", "A URL to reach them."},
    {"email", "An e-mail address to reach them."},
};
const Entry LicenseKeys[] = {
    {"name", "The licence's name, such as Apache 2.0."},
    {"url", "A URL of the licence text."},
};
const Entry ServerKeys[] = {
    {"url", "The server's URL, such as ws://localhost:8080; may hold {variables}.", 2, 2},
    {"host", "The server's host and port, such as localhost:8080.", 3, 3},
    {"pathname", "The path on the host, such as /api.", 3, 3},
    {"protocol", "The protocol, such as ws or wss."},
    {"protocolVersion", "The protocol's version, such as 13 for WebSocket."},
    {"title", "A short title of the server.", 3, 3},
    {"summary", "A short summary of the server.", 3, 3},
    {"description", "What the server is; CommonMark is allowed."},
    {"variables", "Values of the {variables} in the server's address."},
    {"security", "The security schemes a client may use to connect."},
    {"tags", "Tags to group servers by."},
    {"externalDocs", "A link to more documentation.", 3, 3},
    {"bindings", "Protocol-specific settings of the server."},
};
const Entry ServerVariableKeys[] = {
    {"enum", "The values the variable may take."},
    {"default", "The value used when none is given."},
    {"description", "What the variable is for."},
    {"examples", "Example values."},
};
const Entry ChannelKeys[] = {
    {"address", "The channel's path, such as /rooms/{roomID}; null when it is not known in advance.", 3, 3},
    {"messages", "The messages that may be sent on the channel, by name.", 3, 3},
    {"title", "A short title of the channel.", 3, 3},
    {"summary", "A short summary of the channel.", 3, 3},
    {"description", "What the channel is for; CommonMark is allowed."},
    {"servers", "The servers the channel is on (all when left out)."},
    {"subscribe", "What a client receives on the channel.", 2, 2},
    {"publish", "What a client sends on the channel.", 2, 2},
    {"parameters", "The {parameters} of the channel's path, with their schemas."},
    {"tags", "Tags to group channels by.", 3, 3},
    {"externalDocs", "A link to more documentation.", 3, 3},
    {"bindings", "Protocol-specific settings: for WebSockets, the handshake's query and headers."},
    {"x-uri-mapping", "The backend path this topic is forwarded to, such as /rooms?room={roomID}."},
    {"x-scopes", "The OAuth2 scopes a token needs to use this topic."},
    {"x-auth-type", "Whether a client must present a credential on this topic: Any or None."},
};
const Entry OperationKeys[] = {
    {"action", "send or receive: whether the application sends or receives the messages.", 3, 3},
    {"channel", "A $ref to the channel of the operation.", 3, 3},
    {"operationId", "A name of the operation unique in the document.", 2, 2},
    {"title", "A short title of the operation.", 3, 3},
    {"summary", "A short summary of the operation."},
    {"description", "What the operation does; CommonMark is allowed."},
    {"security", "The security schemes that apply to the operation."},
    {"tags", "Tags to group operations by."},
    {"externalDocs", "A link to more documentation."},
    {"bindings", "Protocol-specific settings of the operation."},
    {"traits", "Operation traits merged into this operation."},
    {"message", "The message (or oneOf messages) of the operation.", 2, 2},
    {"messages", "$refs to the channel's messages this operation uses.", 3, 3},
    {"reply", "The reply to a request, for request-reply operations.", 3, 3},
    {"x-uri-mapping", "The backend path this topic is forwarded to, such as /rooms?room={roomID}."},
    {"x-scopes", "The OAuth2 scopes a token needs to use this topic."},
    {"x-auth-type", "Whether a client must present a credential on this topic: Any or None."},
};
const Entry MessageKeys[] = {
    {"headers", "The schema of the message's headers."},
    {"payload", "The schema of the message's payload."},
    {"correlationId", "Where the id that ties a reply to its request is found."},
    {"schemaFormat", "The format of the payload schema, when not AsyncAPI's own.", 2, 2},
    {"contentType", "The content type of the payload, such as application/json."},
    {"name", "A machine-friendly name of the message."},
    {"title", "A human-friendly title of the message."},
    {"summary", "A short summary of the message."},
    {"description", "What the message is; CommonMark is allowed."},
    {"tags", "Tags to group messages by."},
    {"externalDocs", "A link to more documentation."},
    {"bindings", "Protocol-specific settings of the message."},
    {"examples", "Examples of the message: each with a payload (and headers), and a name."},
    {"traits", "Message traits merged into this message."},
};
const Entry ComponentsKeys[] = {
    {"schemas", "Reusable schemas, by name."},
    {"servers", "Reusable servers, by name.", 3, 3},
    {"channels", "Reusable channels, by name.", 3, 3},
    {"operations", "Reusable operations, by name.", 3, 3},
    {"messages", "Reusable messages, by name."},
    {"securitySchemes", "The ways a client may prove who it is, by name."},
    {"serverVariables", "Reusable server variables, by name."},
    {"parameters", "Reusable channel parameters, by name."},
    {"correlationIds", "Reusable correlation ids, by name."},
    {"replies", "Reusable replies, by name.", 3, 3},
    {"replyAddresses", "Reusable reply addresses, by name.", 3, 3},
    {"externalDocs", "Reusable external documentation, by name.", 3, 3},
    {"tags", "Reusable tags, by name.", 3, 3},
    {"operationTraits", "Reusable operation traits, by name."},
    {"messageTraits", "Reusable message traits, by name."},
    {"serverBindings", "Reusable server bindings, by name."},
    {"channelBindings", "Reusable channel bindings, by name."},
    {"operationBindings", "Reusable operation bindings, by name."},
    {"messageBindings", "Reusable message bindings, by name."},
};
const Entry SecuritySchemeKeys[] = {
    {"type", "The kind of credential: httpApiKey, http (bearer), oauth2, openIdConnect, userPassword and more."},
    {"description", "What the scheme is; CommonMark is allowed."},
    {"name", "The header or query parameter that carries an API key (httpApiKey)."},
    {"in", "Where an API key is sent: header, query or cookie (httpApiKey)."},
    {"scheme", "The HTTP authorization scheme, such as bearer (http)."},
    {"bearerFormat", "What the bearer token is, such as JWT (http)."},
    {"flows", "The OAuth2 flows (oauth2)."},
    {"openIdConnectUrl", "The OpenID Connect discovery URL (openIdConnect)."},
    {"scopes", "The scopes this scheme needs.", 3, 3},
};
const Entry ParameterKeys[] = {
    {"description", "What the parameter is."},
    {"schema", "The schema of the parameter's values.", 2, 2},
    {"enum", "The values the parameter may take.", 3, 3},
    {"default", "The value used when none is given.", 3, 3},
    {"examples", "Example values.", 3, 3},
    {"location", "A runtime expression saying where the value is found."},
};
const Entry TagKeys[] = {
    {"name", "The tag's name."},
    {"description", "What the tag groups."},
    {"externalDocs", "A link to more documentation."},
};
const Entry ExternalDocsKeys[] = {
    {"url", "The documentation's URL."},
    {"description", "What the documentation is."},
};
const Entry SchemaKeys[] = {
    {"type", "The JSON type: object, array, string, number, integer, boolean or null."},
    {"properties", "The members of an object, each with its schema."},
    {"required", "The members an object must have."},
    {"additionalProperties", "Whether (or with which schema) other members are allowed."},
    {"items", "The schema of an array's items."},
    {"enum", "The values allowed."},
    {"const", "The only value allowed."},
    {"format", "A format of strings, such as date-time, email or uuid."},
    {"title", "A short title."},
    {"description", "What the value is."},
    {"default", "The value assumed when none is given."},
    {"examples", "Example values."},
    {"minimum", "The smallest number allowed."},
    {"maximum", "The largest number allowed."},
    {"exclusiveMinimum", "Numbers must be greater than this."},
    {"exclusiveMaximum", "Numbers must be less than this."},
    {"multipleOf", "Numbers must be a multiple of this."},
    {"minLength", "The shortest string allowed."},
    {"maxLength", "The longest string allowed."},
    {"pattern", "A regular expression strings must match."},
    {"minItems", "The fewest items an array may have."},
    {"maxItems", "The most items an array may have."},
    {"uniqueItems", "Whether an array's items must all differ."},
    {"minProperties", "The fewest members an object may have."},
    {"maxProperties", "The most members an object may have."},
    {"allOf", "Schemas the value must all match."},
    {"anyOf", "Schemas the value must match at least one of."},
    {"oneOf", "Schemas the value must match exactly one of."},
    {"not", "A schema the value must not match."},
    {"discriminator", "The member whose value names the schema that applies."},
    {"deprecated", "Whether the value should no longer be used."},
    {"readOnly", "Whether the value is only ever sent, never received."},
    {"writeOnly", "Whether the value is only ever received, never sent."},
};
// clang-format on

template<size_t N>
QList<Key> keysOf(const Entry (&entries)[N], int major)
{
    QList<Key> out;
    for (const Entry &e : entries)
        if (major >= e.since && major <= e.until)
            out.append({QString::fromLatin1(e.name), QString::fromUtf8(e.description)});
    return out;
}

QList<Key> keysOf(Kind kind, int major)
{
    switch (kind) {
    case Kind::Root:
        return keysOf(RootKeys, major);
    case Kind::Info:
        return keysOf(InfoKeys, major);
    case Kind::Contact:
        return keysOf(ContactKeys, major);
    case Kind::License:
        return keysOf(LicenseKeys, major);
    case Kind::Server:
        return keysOf(ServerKeys, major);
    case Kind::ServerVariable:
        return keysOf(ServerVariableKeys, major);
    case Kind::Channel:
        return keysOf(ChannelKeys, major);
    case Kind::Operation:
        return keysOf(OperationKeys, major);
    case Kind::Message:
        return keysOf(MessageKeys, major);
    case Kind::Components:
        return keysOf(ComponentsKeys, major);
    case Kind::SecurityScheme:
        return keysOf(SecuritySchemeKeys, major);
    case Kind::Parameter:
        return keysOf(ParameterKeys, major);
    case Kind::Tag:
        return keysOf(TagKeys, major);
    case Kind::ExternalDocs:
        return keysOf(ExternalDocsKeys, major);
    case Kind::Schema:
        return keysOf(SchemaKeys, major);
    case Kind::None:
        break;
    }
    return {};
}

bool isIndex(const QString &token)
{
    bool ok = false;
    token.toUInt(&ok);
    return ok;
}

// What a place inside a schema is, given the tokens below the schema's root.
Kind schemaKind(const QStringList &rest)
{
    qsizetype i = 0;
    while (i < rest.size()) {
        const QString &t = rest[i];
        if ((t == u"properties" || t == u"patternProperties") && i + 1 < rest.size())
            i += 2;
        else if ((t == u"allOf" || t == u"anyOf" || t == u"oneOf") && i + 1 < rest.size()
                 && isIndex(rest[i + 1]))
            i += 2;
        else if (t == u"items" || t == u"additionalProperties" || t == u"not")
            i += 1;
        else
            return Kind::None;
    }
    return Kind::Schema;
}

// What AsyncAPI object the mapping at `t` is.
Kind kindOf(const QStringList &t, int major)
{
    const qsizetype n = t.size();
    auto at = [&](qsizetype i, const char *name) { return i < n && t[i] == QLatin1String(name); };
    if (n == 0)
        return Kind::Root;
    if (at(0, "info")) {
        if (n == 1)
            return Kind::Info;
        if (n == 2 && at(1, "contact"))
            return Kind::Contact;
        if (n == 2 && at(1, "license"))
            return Kind::License;
        if (n == 2 && at(1, "externalDocs"))
            return Kind::ExternalDocs;
        if (n == 3 && at(1, "tags"))
            return Kind::Tag;
        return Kind::None;
    }
    if (n == 2 && at(0, "tags"))
        return Kind::Tag;
    if (n == 1 && at(0, "externalDocs"))
        return Kind::ExternalDocs;
    // servers/*, components/servers/* and the same for channels and operations
    QStringList r = t;
    if (at(0, "components")) {
        if (n == 1)
            return Kind::Components;
        if (n == 3) {
            const QString &group = t[1];
            if (group == u"messages" || group == u"messageTraits")
                return Kind::Message;
            if (group == u"securitySchemes")
                return Kind::SecurityScheme;
            if (group == u"parameters")
                return Kind::Parameter;
            if (group == u"operationTraits")
                return Kind::Operation;
            if (group == u"serverVariables")
                return Kind::ServerVariable;
            if (group == u"tags")
                return Kind::Tag;
            if (group == u"externalDocs")
                return Kind::ExternalDocs;
        }
        if (n >= 3 && t[1] == u"schemas")
            return schemaKind(t.mid(3));
        if (n >= 3 && t[1] == u"messages")
            r = t.mid(1); // messages/NAME/... handled below
        else if (n >= 3 && (t[1] == u"servers" || t[1] == u"channels" || t[1] == u"operations"))
            r = t.mid(1);
        else
            return Kind::None;
    }
    const qsizetype m = r.size();
    auto rat = [&](qsizetype i, const char *name) { return i < m && r[i] == QLatin1String(name); };
    // a message, wherever it stands, and the schemas in it
    auto inMessage = [&](qsizetype from) -> Kind {
        if (from == m)
            return Kind::Message;
        if (rat(from, "payload") || rat(from, "headers"))
            return schemaKind(r.mid(from + 1));
        if (from + 2 == m && rat(from, "examples"))
            return Kind::None;
        if (from + 2 == m && rat(from, "tags"))
            return Kind::Tag;
        if (from + 1 == m && rat(from, "externalDocs"))
            return Kind::ExternalDocs;
        return Kind::None;
    };
    if (rat(0, "messages") && m >= 2)
        return inMessage(2);
    if (rat(0, "servers") && m >= 2) {
        if (m == 2)
            return Kind::Server;
        if (m == 4 && rat(2, "variables"))
            return Kind::ServerVariable;
        return Kind::None;
    }
    if (rat(0, "operations") && m >= 2 && major >= 3)
        return m == 2 ? Kind::Operation : Kind::None;
    if (rat(0, "channels") && m >= 2) {
        if (m == 2)
            return Kind::Channel;
        if (rat(2, "parameters") && m >= 4) {
            if (m == 4)
                return Kind::Parameter;
            if (rat(4, "schema"))
                return schemaKind(r.mid(5));
            return Kind::None;
        }
        if (major >= 3 && rat(2, "messages") && m >= 4)
            return inMessage(4);
        if (major < 3 && (rat(2, "publish") || rat(2, "subscribe"))) {
            if (m == 3)
                return Kind::Operation;
            if (rat(3, "message")) {
                if (m >= 6 && rat(4, "oneOf") && isIndex(r[5]))
                    return inMessage(6);
                return inMessage(4);
            }
        }
        return Kind::None;
    }
    if (rat(0, "parameters") && m >= 2) { // components/parameters/NAME/schema
        if (rat(2, "schema"))
            return schemaKind(r.mid(3));
    }
    return Kind::None;
}

// ---- x-gatehouse, from its schema ------------------------------------------------

// The schema a local "$ref" names, or the schema itself.
const Json *resolved(const Json *schema)
{
    const Json &root = gatehouseSchema();
    for (int hops = 0; schema && schema->is_object() && schema->contains("$ref") && hops < 8;
         ++hops) {
        const std::string ref
            = (*schema)["$ref"].is_string() ? (*schema)["$ref"].get<std::string>() : std::string();
        if (ref.rfind("#/", 0) != 0)
            return nullptr;
        QStringList tokens;
        if (!SourceText::splitPointer(QString::fromStdString(ref.substr(1)), &tokens))
            return nullptr;
        const Json *at = &root;
        for (const QString &token : std::as_const(tokens)) {
            const std::string key = token.toStdString();
            if (!at->is_object() || !at->contains(key))
                return nullptr;
            at = &(*at)[key];
        }
        schema = at;
    }
    return schema;
}

// A schema and the branches (allOf, anyOf, oneOf) it is made of.
QList<const Json *> branches(const Json *schema)
{
    QList<const Json *> out;
    schema = resolved(schema);
    if (!schema || !schema->is_object())
        return out;
    out.append(schema);
    for (const char *combiner : {"allOf", "anyOf", "oneOf"}) {
        const auto it = schema->find(combiner);
        if (it == schema->end() || !it->is_array())
            continue;
        for (const Json &branch : *it)
            out.append(branches(&branch));
    }
    return out;
}

// The schemas that apply at `tokens` below `schema`.
QList<const Json *> schemasAt(const Json *schema, const QStringList &tokens)
{
    QList<const Json *> current = branches(schema);
    for (const QString &token : tokens) {
        const std::string key = token.toStdString();
        QList<const Json *> next;
        for (const Json *s : std::as_const(current)) {
            if (const auto p = s->find("properties"); p != s->end() && p->contains(key)) {
                next.append(branches(&(*p)[key]));
                continue;
            }
            if (const auto a = s->find("additionalProperties"); a != s->end() && a->is_object())
                next.append(branches(&*a));
            if (const auto i = s->find("items"); i != s->end() && i->is_object() && isIndex(token))
                next.append(branches(&*i));
        }
        current = next;
        if (current.isEmpty())
            break;
    }
    return current;
}

QList<Key> gatehouseKeys(const QStringList &tokens)
{
    QList<Key> out;
    QStringList seen;
    for (const Json *s : schemasAt(&gatehouseSchema(), tokens)) {
        const auto p = s->find("properties");
        if (p == s->end() || !p->is_object())
            continue;
        for (auto it = p->begin(); it != p->end(); ++it) {
            const QString name = QString::fromStdString(it.key());
            if (seen.contains(name))
                continue;
            seen.append(name);
            const Json *property = resolved(&it.value());
            QString description;
            if (property && property->is_object() && property->contains("description")
                && (*property)["description"].is_string())
                description = QString::fromStdString((*property)["description"].get<std::string>());
            if (description.isEmpty() && it.value().is_object()
                && it.value().contains("description") && it.value()["description"].is_string())
                description = QString::fromStdString(it.value()["description"].get<std::string>());
            out.append({name, description});
        }
    }
    return out;
}

} // namespace

QList<KeyCatalog::Key> KeyCatalog::keysFor(const QStringList &tokens, int major)
{
    if (!tokens.isEmpty() && tokens.first() == u"x-gatehouse")
        return gatehouseKeys(tokens.mid(1));
    return keysOf(kindOf(tokens, major), major);
}

QList<KeyCatalog::Key> KeyCatalog::keysAt(const QString &pointer, int major)
{
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens))
        return {};
    return keysFor(tokens, major);
}

QString KeyCatalog::describe(const QString &pointer, int major)
{
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens) || tokens.isEmpty())
        return {};
    const QString name = tokens.takeLast();
    for (const Key &key : keysFor(tokens, major))
        if (key.name == name)
            return key.description;
    return {};
}

} // namespace Gatehouse
