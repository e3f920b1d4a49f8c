// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapireader.h"

#include "asyncapi/asyncapivalidator.h"
#include "asyncapi/canonicalorder.h"
#include "asyncapi/documentloader.h"

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <unordered_map>

namespace Gatehouse {

namespace {

QString unescapeToken(QString token)
{
    token.replace(QLatin1String("~1"), QLatin1String("/"));
    token.replace(QLatin1String("~0"), QLatin1String("~"));
    return token;
}

// Splits "#/a/b~1c" into {"a", "b/c"}; nullopt when not a local pointer.
std::optional<QStringList> localRefTokens(const QString &ref)
{
    if (!ref.startsWith(QLatin1String("#/")))
        return std::nullopt;
    QStringList tokens = ref.mid(2).split(u'/');
    for (QString &t : tokens)
        t = unescapeToken(t);
    return tokens;
}

// NAME when `ref` is "#/<prefix>/NAME", e.g. localRefName(ref, {"components",
// "messages"}) for #/components/messages/NAME.
std::optional<QString> localRefName(const QString &ref, std::initializer_list<const char *> prefix)
{
    const std::optional<QStringList> tokens = localRefTokens(ref);
    if (!tokens || tokens->size() != qsizetype(prefix.size()) + 1)
        return std::nullopt;
    qsizetype i = 0;
    for (const char *expected : prefix)
        if (tokens->at(i++) != QLatin1String(expected))
            return std::nullopt;
    return tokens->constLast();
}

QStringList addressParameters(const QString &address)
{
    static const QRegularExpression re(QStringLiteral("\\{([^{}]*)\\}"));
    QStringList names;
    auto it = re.globalMatch(address);
    while (it.hasNext())
        names.append(it.next().captured(1));
    return names;
}

class Reader
{
public:
    Reader(const Document &document, QList<Diagnostic> &diagnostics)
        : m_doc(document)
        , m_diags(diagnostics)
    { }

    std::optional<Api> read();

private:
    // --- diagnostics
    void report(Diagnostic::Severity severity, const QString &pointer, const QString &message)
    {
        Diagnostic d;
        d.severity = severity;
        d.location = m_doc.locate(pointer);
        d.message = message;
        d.pointer = pointer;
        m_diags.append(d);
    }
    void error(const QString &pointer, const QString &message)
    {
        report(Diagnostic::Severity::Error, pointer, message);
    }
    void warning(const QString &pointer, const QString &message)
    {
        report(Diagnostic::Severity::Warning, pointer, message);
    }

    static QString child(const QString &pointer, const std::string &key)
    {
        return pointer + u'/' + QString::fromStdString(DocumentLoader::escapePointerToken(key));
    }
    static QString child(const QString &pointer, size_t index)
    {
        return pointer + u'/' + QString::number(index);
    }
    static QString where(const QString &pointer)
    {
        return pointer.isEmpty() ? QStringLiteral("the document root")
                                 : QStringLiteral("'%1'").arg(pointer);
    }

    // A string field; numbers and booleans are accepted as their text.
    QString str(const Json &obj, const char *key, const QString &pointer)
    {
        const auto it = obj.find(key);
        if (it == obj.end() || it->is_null())
            return {};
        if (it->is_string())
            return QString::fromStdString(it->get<std::string>());
        if (it->is_number() || it->is_boolean())
            return QString::fromStdString(it->dump());
        error(child(pointer, key),
              QStringLiteral("'%1' must be a string, not %2")
                  .arg(QLatin1String(key), describeJsonType(*it)));
        return {};
    }

    // A JSON value kept as written; null when absent.
    static Json raw(const Json &obj, const char *key)
    {
        const auto it = obj.find(key);
        return it == obj.end() ? Json() : *it;
    }

    bool expectObject(const Json &value, const QString &pointer, const QString &what)
    {
        if (value.is_object())
            return true;
        error(pointer,
              QStringLiteral("%1 must be a mapping, not %2").arg(what, describeJsonType(value)));
        return false;
    }

    // Calls `read(item, itemPointer)` for each mapping in the list `obj[key]`;
    // reports a value that is not a list, and items that are not mappings (naming
    // each as `itemWhat`, "a plan").
    template<typename Read>
    void forEachListedObject(const Json &obj, const char *key, const QString &pointer,
                             const QString &itemWhat, Read read)
    {
        const auto list = obj.find(key);
        if (list == obj.end())
            return;
        const QString lp = child(pointer, key);
        if (!list->is_array()) {
            error(lp,
                  QStringLiteral("'%1' must be a list, not %2")
                      .arg(QLatin1String(key), describeJsonType(*list)));
            return;
        }
        for (size_t i = 0; i < list->size(); ++i) {
            const Json &item = (*list)[i];
            const QString ip = child(lp, i);
            if (expectObject(item, ip, itemWhat))
                read(item, ip);
        }
    }

    // Everything in `obj` except the keys in `known`, in document order.
    static Json rest(const Json &obj, std::initializer_list<const char *> known)
    {
        Json out = Json::object();
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            bool isKnown = false;
            for (const char *k : known)
                isKnown = isKnown || it.key() == k;
            if (!isKnown)
                out[it.key()] = it.value();
        }
        return out;
    }

    // Target of a local ref in the document, or nullptr.
    // The fragment is a JSON Pointer, possibly percent-encoded (#/channels/%7Bid%7D).
    const Json *lookup(const QString &ref) const
    {
        if (!ref.startsWith(u'#'))
            return nullptr;
        QString fragment = ref.mid(1);
        if (fragment.contains(u'%'))
            fragment = QUrl::fromPercentEncoding(fragment.toUtf8());
        if (fragment.isEmpty())
            return &m_doc.root;
        if (!fragment.startsWith(u'/'))
            return nullptr;
        const Json *node = &m_doc.root;
        for (const QString &token : fragment.mid(1).split(u'/')) {
            const std::string key = unescapeToken(token).toStdString();
            if (node->is_object()) {
                node = member(*node, key);
            } else if (node->is_array()) {
                bool ok = false;
                const qulonglong i = token.toULongLong(&ok);
                node = ok && i < node->size() ? &(*node)[static_cast<size_t>(i)] : nullptr;
            } else {
                node = nullptr;
            }
            if (!node)
                return nullptr;
        }
        return node;
    }

    // A member of an object; big objects (channels, operations, messages) get a
    // hash index, as ordered_json finds keys by a linear search.
    const Json *member(const Json &object, const std::string &key) const
    {
        if (object.size() < 32) {
            const auto it = object.find(key);
            return it == object.end() ? nullptr : &*it;
        }
        auto &index = m_memberIndexes[&object];
        if (index.empty())
            for (auto it = object.begin(); it != object.end(); ++it)
                index.emplace(it.key(), &it.value());
        const auto found = index.find(key);
        return found == index.end() ? nullptr : found->second;
    }

    static QString refOf(const Json &value)
    {
        if (value.is_object()) {
            const auto it = value.find("$ref");
            if (it != value.end() && it->is_string())
                return QString::fromStdString(it->get<std::string>());
        }
        return {};
    }

    // `value`, or the target of its local $ref; nullptr when the $ref leads nowhere
    // (the unresolved-ref check reports that).
    const Json *resolved(const Json &value) const
    {
        const QString ref = refOf(value);
        return ref.isEmpty() ? &value : lookup(ref);
    }

    // The root's mapping `key` ("channels"), or nullptr when it is absent or (with
    // an error) not a mapping.
    const Json *section(const Json &root, const char *key)
    {
        const auto it = root.find(key);
        if (it == root.end()
            || !expectObject(*it, child(QString(), key),
                             QStringLiteral("'%1'").arg(QLatin1String(key))))
            return nullptr;
        return &*it;
    }

    void readInfo(Api &api, const Json &root);
    void readServers(Api &api, const Json &root);
    void readComponents(Api &api, const Json &root);
    Message readMessage(const Json &obj, const QString &pointer, const QString &id, bool inlined);
    SecurityScheme readSecurityScheme(const Json &obj, const QString &pointer, const QString &id);
    ChannelParameter readParameter(const Json &value, const QString &pointer, const QString &name);
    // Fields 2.x and 3.x channels share: description, x-auth-type, bindings.
    void readChannelCommon(Channel &channel, const Json &obj, const QString &pointer);
    void readChannelParameters(Channel &channel, const Json &obj, const QString &pointer);
    void readWsBinding(Channel &channel, const QString &pointer);
    void readChannels2(Api &api, const Json &root);
    void readOperation2(Api &api, Channel &channel, const Json &op, const QString &pointer,
                        Operation::Action action, const char *kind);
    void readChannels3(Api &api, const Json &root);
    void readOperations3(Api &api, const Json &root);
    void readOperationCommon(Operation &op, const Json &obj, const QString &pointer);
    void readGatehouse(Api &api, const Json &root);
    Plan readPlan(const Json &obj, const QString &pointer);
    void checkRefs(const Json &node, const QString &pointer, int depth);
    void checkChannels(const Api &api);
    QString uniqueMessageId(const Api &api, const QString &wanted, const QString &channelId);

    // The model's lookups are linear; documents with thousands of channels and
    // messages are read through these indexes instead.
    void addMessage(Api &api, const Message &message)
    {
        if (!m_messageIndex.contains(message.id))
            m_messageIndex.insert(message.id, api.messages.size());
        api.messages.append(message);
    }
    const Message *findMessage(const Api &api, const QString &id) const
    {
        const auto it = m_messageIndex.constFind(id);
        return it == m_messageIndex.constEnd() ? nullptr : &api.messages.at(*it);
    }
    void addChannel(Api &api, const Channel &channel)
    {
        if (!m_channelIndex.contains(channel.id))
            m_channelIndex.insert(channel.id, api.channels.size());
        api.channels.append(channel);
    }
    const Channel *findChannel(const Api &api, const QString &id) const
    {
        const auto it = m_channelIndex.constFind(id);
        return it == m_channelIndex.constEnd() ? nullptr : &api.channels.at(*it);
    }

    const Document &m_doc;
    QList<Diagnostic> &m_diags;
    QHash<QString, qsizetype> m_messageIndex;
    QHash<QString, qsizetype> m_channelIndex;
    mutable std::unordered_map<const Json *, std::unordered_map<std::string, const Json *>>
        m_memberIndexes;
    int m_major = 2;
    QHash<QString, QString> m_channelPointers; // channel id -> pointer
    QHash<QString, QString> m_addressPointers; // channel id -> pointer of the address
    QHash<QString, QString> m_operationPointers; // operation id -> pointer
};

std::optional<Api> Reader::read()
{
    const Json &root = m_doc.root;
    const auto versionIt = root.find("asyncapi");
    if (versionIt == root.end()) {
        error(QString(),
              QStringLiteral("missing required field 'asyncapi' (the AsyncAPI version, e.g. "
                             "'2.6.0' or '3.0.0')"));
        return std::nullopt;
    }
    const QString version = versionIt->is_string()
        ? QString::fromStdString(versionIt->get<std::string>())
        : QString::fromStdString(versionIt->dump());
    if (!AsyncApiReader::isSupportedVersion(version)) {
        error(
            QStringLiteral("/asyncapi"),
            QStringLiteral("unsupported AsyncAPI version '%1'; Gatehouse reads 2.0–2.6 and 3.0–3.1")
                .arg(version));
        return std::nullopt;
    }
    m_major = version.startsWith(u'3') ? 3 : 2;

    Api api;
    api.asyncapiVersion = version;
    api.id = str(root, "id", QString());
    api.defaultContentType = str(root, "defaultContentType", QString());
    readInfo(api, root);
    readServers(api, root);
    readComponents(api, root);
    if (m_major == 2) {
        readChannels2(api, root);
        api.tags = raw(root, "tags");
        api.externalDocs = raw(root, "externalDocs");
    } else {
        readChannels3(api, root);
        readOperations3(api, root);
    }
    readGatehouse(api, root);
    if (m_major == 2)
        api.extra = rest(root,
                         {"asyncapi", "id", "info", "servers", "defaultContentType", "channels",
                          "components", "tags", "externalDocs", "x-gatehouse"});
    else
        api.extra = rest(root,
                         {"asyncapi", "id", "info", "servers", "defaultContentType", "channels",
                          "operations", "components", "x-gatehouse"});
    checkRefs(root, QString(), 0);
    checkChannels(api);
    return api;
}

void Reader::readInfo(Api &api, const Json &root)
{
    if (!root.contains("info")) {
        error(QString(),
              QStringLiteral("missing required field 'info' (with 'title' and 'version')"));
        return;
    }
    const Json *found = section(root, "info");
    if (!found)
        return;
    const Json &info = *found;
    const QString p = QStringLiteral("/info");
    api.title = str(info, "title", p);
    api.version = str(info, "version", p);
    api.description = str(info, "description", p);
    if (!info.contains("title"))
        error(p, QStringLiteral("missing required field 'title' in 'info'"));
    if (!info.contains("version"))
        error(p, QStringLiteral("missing required field 'version' in 'info'"));
    if (m_major == 3) {
        api.tags = raw(info, "tags");
        api.externalDocs = raw(info, "externalDocs");
        api.info = CanonicalOrder::info(rest(info, {"tags", "externalDocs"}));
    } else {
        api.info = CanonicalOrder::info(info);
    }
}

void Reader::readServers(Api &api, const Json &root)
{
    const Json *servers = section(root, "servers");
    if (!servers)
        return;
    const QString p = QStringLiteral("/servers");
    for (auto s = servers->begin(); s != servers->end(); ++s) {
        const QString sp = child(p, s.key());
        // An unresolved $ref is kept as written.
        const Json *target = resolved(s.value());
        const Json &obj = target ? *target : s.value();
        if (!expectObject(obj, sp,
                          QStringLiteral("server '%1'").arg(QString::fromStdString(s.key()))))
            continue;
        Server server;
        server.id = QString::fromStdString(s.key());
        server.protocol = str(obj, "protocol", sp);
        server.protocolVersion = str(obj, "protocolVersion", sp);
        server.description = str(obj, "description", sp);
        server.variables = raw(obj, "variables");
        server.security = raw(obj, "security");
        server.bindings = raw(obj, "bindings");
        if (m_major == 2) {
            server.url = str(obj, "url", sp);
            // As the official converter splits it: [scheme://]host[/path].
            QString remainder = server.url;
            const qsizetype scheme = remainder.indexOf(QLatin1String("://"));
            QString schemeName;
            if (scheme >= 0) {
                schemeName = remainder.left(scheme);
                remainder = remainder.mid(scheme + 3);
            }
            const qsizetype slash = remainder.indexOf(u'/');
            server.host = slash < 0 ? remainder : remainder.left(slash);
            server.pathname = slash < 0 ? QString() : remainder.mid(slash);
            if (server.protocol.isEmpty())
                server.protocol = schemeName;
            server.extra = Reader::rest(obj,
                                        {"url", "protocol", "protocolVersion", "description",
                                         "variables", "security", "bindings"});
        } else {
            server.host = str(obj, "host", sp);
            server.pathname = str(obj, "pathname", sp);
            server.title = str(obj, "title", sp);
            server.summary = str(obj, "summary", sp);
            server.extra
                = Reader::rest(obj,
                               {"host", "pathname", "protocol", "protocolVersion", "title",
                                "summary", "description", "variables", "security", "bindings"});
        }
        api.servers.append(server);
    }
}

void Reader::readComponents(Api &api, const Json &root)
{
    const Json *found = section(root, "components");
    if (!found)
        return;
    const Json &components = *found;
    const QString p = QStringLiteral("/components");
    api.schemas = raw(components, "schemas");
    if (const auto m = components.find("messages"); m != components.end()) {
        const QString mp = child(p, "messages");
        if (expectObject(*m, mp, QStringLiteral("'components.messages'"))) {
            for (auto msg = m->begin(); msg != m->end(); ++msg) {
                const QString id = QString::fromStdString(msg.key());
                const QString msgPointer = child(mp, msg.key());
                const QString ref = refOf(msg.value());
                if (!ref.isEmpty()) {
                    // A component that is itself a ref: its target, under this id (the
                    // writer writes the target's content here). An unresolved ref is
                    // reported elsewhere and kept as written.
                    const Json *target = lookup(ref);
                    Message message = target && target->is_object()
                        ? readMessage(*target, msgPointer, id, false)
                        : Message {};
                    message.id = id;
                    if (!target || !target->is_object())
                        message.extra = msg.value();
                    addMessage(api, message);
                    continue;
                }
                if (expectObject(msg.value(), msgPointer, QStringLiteral("message '%1'").arg(id)))
                    addMessage(api, readMessage(msg.value(), msgPointer, id, false));
            }
        }
    }
    if (const auto s = components.find("securitySchemes"); s != components.end()) {
        const QString sp = child(p, "securitySchemes");
        if (expectObject(*s, sp, QStringLiteral("'components.securitySchemes'"))) {
            for (auto scheme = s->begin(); scheme != s->end(); ++scheme) {
                const QString schemePointer = child(sp, scheme.key());
                if (expectObject(scheme.value(), schemePointer,
                                 QStringLiteral("security scheme '%1'")
                                     .arg(QString::fromStdString(scheme.key()))))
                    api.securitySchemes.append(readSecurityScheme(
                        scheme.value(), schemePointer, QString::fromStdString(scheme.key())));
            }
        }
    }
    Json other = rest(components, {"schemas", "messages", "securitySchemes"});
    if (!other.empty())
        api.components = CanonicalOrder::components(other);
}

Message Reader::readMessage(const Json &obj, const QString &pointer, const QString &id,
                            bool inlined)
{
    Message m;
    m.id = id;
    m.inlined = inlined;
    m.name = str(obj, "name", pointer);
    m.title = str(obj, "title", pointer);
    m.summary = str(obj, "summary", pointer);
    m.description = str(obj, "description", pointer);
    m.contentType = str(obj, "contentType", pointer);
    m.payload = raw(obj, "payload");
    m.headers = raw(obj, "headers");
    m.correlationId = raw(obj, "correlationId");
    m.bindings = raw(obj, "bindings");
    forEachListedObject(obj, "examples", pointer, QStringLiteral("an example"),
                        [&](const Json &e, const QString &ep) {
                            MessageExample example;
                            example.name = str(e, "name", ep);
                            example.summary = str(e, "summary", ep);
                            example.headers = raw(e, "headers");
                            example.payload = raw(e, "payload");
                            m.examples.append(example);
                        });
    // An inline 2.x message's messageId is its id in the model.
    if (inlined)
        m.extra = rest(obj,
                       {"messageId", "name", "title", "summary", "description", "contentType",
                        "payload", "headers", "correlationId", "examples", "bindings"});
    else
        m.extra = rest(obj,
                       {"name", "title", "summary", "description", "contentType", "payload",
                        "headers", "correlationId", "examples", "bindings"});
    return m;
}

SecurityScheme Reader::readSecurityScheme(const Json &obj, const QString &pointer,
                                          const QString &id)
{
    SecurityScheme s;
    s.id = id;
    s.type = str(obj, "type", pointer);
    s.description = str(obj, "description", pointer);
    s.name = str(obj, "name", pointer);
    s.in = str(obj, "in", pointer);
    s.scheme = str(obj, "scheme", pointer);
    s.bearerFormat = str(obj, "bearerFormat", pointer);
    s.openIdConnectUrl = str(obj, "openIdConnectUrl", pointer);
    s.scopes = raw(obj, "scopes");
    s.flows = raw(obj, "flows");
    if (m_major == 2 && s.flows.is_object()) {
        // The model keeps 3.x names: flows.<kind>.availableScopes.
        Json flows = Json::object();
        for (auto f = s.flows.begin(); f != s.flows.end(); ++f)
            flows[f.key()] = renamedKey(f.value(), "scopes", "availableScopes");
        s.flows = flows;
    }
    if (s.type.isEmpty())
        error(pointer,
              QStringLiteral("missing required field 'type' in security scheme '%1'").arg(id));
    s.extra = rest(obj,
                   {"type", "description", "name", "in", "scheme", "bearerFormat", "flows",
                    "openIdConnectUrl", "scopes"});
    return s;
}

ChannelParameter Reader::readParameter(const Json &value, const QString &pointer,
                                       const QString &name)
{
    ChannelParameter param;
    param.name = name;
    Json obj = value;
    if (const QString ref = refOf(value); !ref.isEmpty()) {
        param.ref = ref;
        const Json *target = lookup(ref);
        if (!target || !target->is_object())
            return param; // reported by the unresolved-ref check
        obj = *target;
    }
    if (!expectObject(obj, pointer, QStringLiteral("parameter '%1'").arg(name)))
        return param;
    param.description = str(obj, "description", pointer);
    param.location = str(obj, "location", pointer);
    auto toStrings = [](const Json &list) {
        QStringList out;
        if (list.is_array())
            for (const Json &v : list)
                out.append(v.is_string() ? QString::fromStdString(v.get<std::string>())
                                         : QString::fromStdString(v.dump()));
        return out;
    };
    auto toText = [](const Json &v) {
        if (v.is_null())
            return QString();
        return v.is_string() ? QString::fromStdString(v.get<std::string>())
                             : QString::fromStdString(v.dump());
    };
    if (m_major == 2) {
        param.schema = raw(obj, "schema");
        if (param.schema.is_object()) {
            param.enumValues = toStrings(raw(param.schema, "enum"));
            param.defaultValue = toText(raw(param.schema, "default"));
        }
        if (param.ref.isEmpty())
            param.extra = rest(obj, {"description", "schema", "location"});
    } else {
        param.enumValues = toStrings(raw(obj, "enum"));
        param.defaultValue = toText(raw(obj, "default"));
        if (param.ref.isEmpty())
            param.extra = rest(obj, {"description", "enum", "default", "location"});
    }
    if (!param.ref.isEmpty())
        param.extra = Json();
    return param;
}

void Reader::readChannelCommon(Channel &channel, const Json &obj, const QString &pointer)
{
    channel.description = str(obj, "description", pointer);
    channel.authType = str(obj, "x-auth-type", pointer);
    channel.bindings = raw(obj, "bindings");
    readWsBinding(channel, pointer);
}

void Reader::readChannelParameters(Channel &channel, const Json &obj, const QString &pointer)
{
    const auto params = obj.find("parameters");
    if (params == obj.end())
        return;
    const QString pp = child(pointer, "parameters");
    if (expectObject(*params, pp, QStringLiteral("'parameters'")))
        for (auto prm = params->begin(); prm != params->end(); ++prm)
            channel.parameters.append(readParameter(prm.value(), child(pp, prm.key()),
                                                    QString::fromStdString(prm.key())));
}

void Reader::readWsBinding(Channel &channel, const QString &pointer)
{
    if (!channel.bindings.is_object())
        return;
    const auto ws = channel.bindings.find("ws");
    if (ws == channel.bindings.end() || !ws->is_object())
        return;
    const QString wp = child(child(pointer, "bindings"), "ws");
    channel.ws.present = true;
    channel.ws.method = str(*ws, "method", wp);
    channel.ws.query = raw(*ws, "query");
    channel.ws.headers = raw(*ws, "headers");
    channel.ws.bindingVersion = str(*ws, "bindingVersion", wp);
}

QString Reader::uniqueMessageId(const Api &api, const QString &wanted, const QString &channelId)
{
    if (!findMessage(api, wanted))
        return wanted;
    QString candidate = channelId + u'.' + wanted;
    for (int n = 2; findMessage(api, candidate); ++n)
        candidate = channelId + u'.' + wanted + u'.' + QString::number(n);
    return candidate;
}

QStringList scopeList(const Json &v)
{
    QStringList out;
    if (v.is_string())
        out.append(QString::fromStdString(v.get<std::string>()));
    else if (v.is_array())
        for (const Json &s : v)
            if (s.is_string())
                out.append(QString::fromStdString(s.get<std::string>()));
    return out;
}

void Reader::readChannels2(Api &api, const Json &root)
{
    if (!root.contains("channels")) {
        error(QString(), QStringLiteral("missing required field 'channels'"));
        return;
    }
    const Json *channels = section(root, "channels");
    if (!channels)
        return;
    const QString p = QStringLiteral("/channels");
    static const Json emptyChannel = Json::object();
    QHash<QString, QString> operationIdPointers;
    for (auto c = channels->begin(); c != channels->end(); ++c) {
        const QString cp = child(p, c.key());
        const QString address = QString::fromStdString(c.key());
        const Json *target = resolved(c.value());
        if (!target)
            continue;
        const Json &obj = target->is_null() ? emptyChannel : *target;
        if (!expectObject(obj, cp, QStringLiteral("channel '%1'").arg(address)))
            continue;
        Channel channel;
        channel.address = address;
        channel.id = str(obj, "x-channelId", cp);
        if (channel.id.isEmpty())
            channel.id = address;
        readChannelCommon(channel, obj, cp);
        if (const auto s = obj.find("servers"); s != obj.end()) {
            if (s->is_array())
                channel.servers = scopeList(*s);
            else
                error(child(cp, "servers"),
                      QStringLiteral("'servers' must be a list of server names, not %1")
                          .arg(describeJsonType(*s)));
        }
        readChannelParameters(channel, obj, cp);
        channel.extra = rest(obj,
                             {"x-channelId", "description", "x-auth-type", "bindings", "servers",
                              "parameters", "publish", "subscribe"});
        if (findChannel(api, channel.id)) {
            error(obj.contains("x-channelId") ? child(cp, "x-channelId") : cp,
                  QStringLiteral("duplicate channel id '%1' (x-channelId)").arg(channel.id));
            continue;
        }
        m_channelPointers.insert(channel.id, cp);
        m_addressPointers.insert(channel.id, cp);
        addChannel(api, channel);
        const qsizetype index = api.channels.size() - 1;
        for (const auto &[kind, action] : {std::pair {"publish", Operation::Action::Receive},
                                           std::pair {"subscribe", Operation::Action::Send}}) {
            const auto op = obj.find(kind);
            if (op == obj.end())
                continue;
            const QString op_p = child(cp, kind);
            if (!expectObject(*op, op_p, QStringLiteral("'%1'").arg(QLatin1String(kind))))
                continue;
            readOperation2(api, api.channels[index], *op, op_p, action, kind);
            const QString opId = api.operations.constLast().id;
            if (operationIdPointers.contains(opId))
                error(child(op_p, "operationId"),
                      QStringLiteral("duplicate operationId '%1' (also at %2)").arg(opId, [&] {
                          const SourceLocation l = m_doc.locate(operationIdPointers.value(opId));
                          return QStringLiteral("line %1").arg(l.line);
                      }()));
            else
                operationIdPointers.insert(opId, child(op_p, "operationId"));
        }
    }
}

void Reader::readOperationCommon(Operation &op, const Json &obj, const QString &pointer)
{
    op.title = str(obj, "title", pointer);
    op.summary = str(obj, "summary", pointer);
    op.description = str(obj, "description", pointer);
    op.uriMapping = str(obj, "x-uri-mapping", pointer);
    op.authType = str(obj, "x-auth-type", pointer);
    if (const auto s = obj.find("x-scopes"); s != obj.end()) {
        if (!s->is_array() && !s->is_string())
            error(child(pointer, "x-scopes"),
                  QStringLiteral("'x-scopes' must be a list of scope names, not %1")
                      .arg(describeJsonType(*s)));
        op.scopes = scopeList(*s);
    }
    op.security = raw(obj, "security");
    op.bindings = raw(obj, "bindings");
}

void Reader::readOperation2(Api &api, Channel &channel, const Json &obj, const QString &pointer,
                            Operation::Action action, const char *kind)
{
    Operation op;
    op.action = action;
    op.channelId = channel.id;
    const QString explicitId = str(obj, "operationId", pointer);
    op.id = explicitId.isEmpty() ? channel.id + u'.' + QLatin1String(kind) : explicitId;
    if (!m_operationPointers.contains(op.id))
        m_operationPointers.insert(op.id, pointer);
    readOperationCommon(op, obj, pointer);
    op.extra = rest(obj,
                    {"operationId", "title", "summary", "description", "x-uri-mapping",
                     "x-auth-type", "x-scopes", "security", "bindings", "message"});

    // Message ids and channel message keys as the official 2.x -> 3.0 converter
    // names them: the message's messageId, else "<operation>.message[.<index>]".
    const QStringList idParts = op.id.split(u'.');
    const QString operationKind = idParts.size() == 1 ? op.id : idParts.constLast();
    const auto msgIt = obj.find("message");
    if (msgIt != obj.end()) {
        const QString mp = child(pointer, "message");
        QList<std::pair<const Json *, QString>> items; // message, pointer
        std::optional<int> indexed;
        if (msgIt->is_object() && msgIt->contains("oneOf") && (*msgIt)["oneOf"].is_array()) {
            const Json &list = (*msgIt)["oneOf"];
            for (size_t i = 0; i < list.size(); ++i)
                items.append({&list[i], child(child(mp, "oneOf"), i)});
            indexed = 0;
        } else {
            items.append({&*msgIt, mp});
        }
        for (qsizetype i = 0; i < items.size(); ++i) {
            const Json &m = *items[i].first;
            const QString itemPointer = items[i].second;
            const QString generatedKey = indexed
                ? QString(operationKind + QStringLiteral(".message.") + QString::number(i))
                : QString(operationKind + QStringLiteral(".message"));
            QString id;
            QString key;
            if (const QString ref = refOf(m); !ref.isEmpty()) {
                const std::optional<QString> name = localRefName(ref, {"components", "messages"});
                if (!name) {
                    error(child(itemPointer, "$ref"),
                          QStringLiteral(
                              "a message $ref must point to #/components/messages/NAME, not '%1'")
                              .arg(ref));
                    continue;
                }
                id = *name;
                const Json *target = lookup(ref);
                if (target && target->is_object() && target->contains("messageId")
                    && (*target)["messageId"].is_string())
                    key = QString::fromStdString((*target)["messageId"].get<std::string>());
            } else {
                if (!expectObject(m, itemPointer, QStringLiteral("a message")))
                    continue;
                const QString messageId = str(m, "messageId", itemPointer);
                key = messageId.isEmpty() ? generatedKey : messageId;
                if (!messageId.isEmpty()) {
                    if (const Message *existing = findMessage(api, messageId)) {
                        // The same inline message written out for a second operation is
                        // the same message; a different one under the same id is an error.
                        if (!existing->inlined
                            || !(*existing == readMessage(m, itemPointer, messageId, true))) {
                            error(child(itemPointer, "messageId"),
                                  QStringLiteral("duplicate message id '%1'").arg(messageId));
                            continue;
                        }
                        id = messageId;
                    }
                }
                if (id.isEmpty()) {
                    id = messageId.isEmpty() ? uniqueMessageId(api, generatedKey, channel.id)
                                             : messageId;
                    addMessage(api, readMessage(m, itemPointer, id, true));
                }
            }
            if (key.isEmpty())
                key = generatedKey;
            op.messageIds.append(id);
            if (!channel.messageIds.contains(id)) {
                channel.messageIds.append(id);
                channel.messageKeys.append(key);
            }
        }
    }
    api.operations.append(op);
}

void Reader::readChannels3(Api &api, const Json &root)
{
    const Json *channels = section(root, "channels");
    if (!channels)
        return;
    const QString p = QStringLiteral("/channels");
    for (auto c = channels->begin(); c != channels->end(); ++c) {
        const QString cp = child(p, c.key());
        const Json *target = resolved(c.value());
        if (!target)
            continue;
        const Json &obj = *target;
        if (!expectObject(obj, cp,
                          QStringLiteral("channel '%1'").arg(QString::fromStdString(c.key()))))
            continue;
        Channel channel;
        channel.id = QString::fromStdString(c.key());
        channel.address = str(obj, "address", cp);
        channel.title = str(obj, "title", cp);
        channel.summary = str(obj, "summary", cp);
        readChannelCommon(channel, obj, cp);
        if (const auto s = obj.find("servers"); s != obj.end()) {
            const QString sp = child(cp, "servers");
            if (!s->is_array()) {
                error(sp,
                      QStringLiteral("'servers' must be a list of server $refs, not %1")
                          .arg(describeJsonType(*s)));
            } else {
                for (size_t i = 0; i < s->size(); ++i) {
                    if (const auto name = localRefName(refOf((*s)[i]), {"servers"}))
                        channel.servers.append(*name);
                    else
                        error(
                            child(sp, i),
                            QStringLiteral("a channel's server must be a $ref to #/servers/NAME"));
                }
            }
        }
        readChannelParameters(channel, obj, cp);
        if (const auto msgs = obj.find("messages"); msgs != obj.end()) {
            const QString mp = child(cp, "messages");
            if (expectObject(*msgs, mp, QStringLiteral("'messages'"))) {
                for (auto m = msgs->begin(); m != msgs->end(); ++m) {
                    const QString key = QString::fromStdString(m.key());
                    const QString itemPointer = child(mp, m.key());
                    QString id;
                    if (const QString ref = refOf(m.value()); !ref.isEmpty()) {
                        const std::optional<QString> name
                            = localRefName(ref, {"components", "messages"});
                        if (!name) {
                            error(child(itemPointer, "$ref"),
                                  QStringLiteral("a channel message $ref must point to "
                                                 "#/components/messages/NAME, not '%1'")
                                      .arg(ref));
                            continue;
                        }
                        id = *name;
                    } else {
                        if (!expectObject(m.value(), itemPointer,
                                          QStringLiteral("message '%1'").arg(key)))
                            continue;
                        id = uniqueMessageId(api, key, channel.id);
                        addMessage(api, readMessage(m.value(), itemPointer, id, true));
                    }
                    channel.messageIds.append(id);
                    channel.messageKeys.append(key);
                }
            }
        }
        channel.extra = rest(obj,
                             {"address", "title", "summary", "description", "x-auth-type",
                              "bindings", "servers", "parameters", "messages"});
        m_channelPointers.insert(channel.id, cp);
        m_addressPointers.insert(channel.id, obj.contains("address") ? child(cp, "address") : cp);
        addChannel(api, channel);
    }
}

void Reader::readOperations3(Api &api, const Json &root)
{
    const Json *operations = section(root, "operations");
    if (!operations)
        return;
    const QString p = QStringLiteral("/operations");
    for (auto o = operations->begin(); o != operations->end(); ++o) {
        const QString op_p = child(p, o.key());
        const Json *target = resolved(o.value());
        if (!target)
            continue;
        const Json &obj = *target;
        if (!expectObject(obj, op_p,
                          QStringLiteral("operation '%1'").arg(QString::fromStdString(o.key()))))
            continue;
        Operation op;
        op.id = QString::fromStdString(o.key());
        const QString action = str(obj, "action", op_p);
        if (action == QLatin1String("send")) {
            op.action = Operation::Action::Send;
        } else if (action == QLatin1String("receive")) {
            op.action = Operation::Action::Receive;
        } else if (action.isEmpty()) {
            error(op_p,
                  QStringLiteral(
                      "missing required field 'action' (send or receive) in operation '%1'")
                      .arg(op.id));
        } else {
            error(child(op_p, "action"),
                  QStringLiteral("'action' must be 'send' or 'receive', not '%1'").arg(action));
        }
        const std::optional<QString> channelName
            = localRefName(refOf(raw(obj, "channel")), {"channels"});
        if (!obj.contains("channel")) {
            error(op_p,
                  QStringLiteral("missing required field 'channel' in operation '%1'").arg(op.id));
        } else if (!channelName) {
            error(child(op_p, "channel"),
                  QStringLiteral("'channel' must be a $ref to #/channels/NAME"));
        } else {
            op.channelId = *channelName;
            if (!findChannel(api, op.channelId))
                error(child(child(op_p, "channel"), "$ref"),
                      QStringLiteral("operation '%1' is on unknown channel '%2'")
                          .arg(op.id, op.channelId));
        }
        m_operationPointers.insert(op.id, op_p);
        readOperationCommon(op, obj, op_p);
        op.reply = raw(obj, "reply");
        if (const auto msgs = obj.find("messages"); msgs != obj.end()) {
            const QString mp = child(op_p, "messages");
            if (!msgs->is_array()) {
                error(mp,
                      QStringLiteral("'messages' must be a list of $refs, not %1")
                          .arg(describeJsonType(*msgs)));
            } else {
                for (size_t i = 0; i < msgs->size(); ++i) {
                    const QString ref = refOf((*msgs)[i]);
                    const std::optional<QStringList> mt = localRefTokens(ref);
                    QString id;
                    if (mt && mt->size() == 4 && mt->at(0) == QLatin1String("channels")
                        && mt->at(2) == QLatin1String("messages")) {
                        if (mt->at(1) != op.channelId)
                            error(
                                child(child(mp, i), "$ref"),
                                QStringLiteral(
                                    "message '%1' is not a message of the operation's channel '%2'")
                                    .arg(ref, op.channelId));
                        if (const Channel *ch = findChannel(api, mt->at(1))) {
                            const qsizetype k = ch->messageKeys.indexOf(mt->at(3));
                            if (k >= 0)
                                id = ch->messageIds.at(k);
                        }
                    } else if (const auto name = localRefName(ref, {"components", "messages"})) {
                        id = *name;
                    } else {
                        error(child(mp, i),
                              QStringLiteral("an operation's message must be a $ref to "
                                             "#/channels/CHANNEL/messages/NAME"));
                        continue;
                    }
                    if (id.isEmpty()) {
                        error(child(child(mp, i), "$ref"),
                              QStringLiteral("unresolved message $ref '%1'").arg(ref));
                        continue;
                    }
                    op.messageIds.append(id);
                }
            }
        }
        op.extra = rest(obj,
                        {"action", "channel", "title", "summary", "description", "x-uri-mapping",
                         "x-auth-type", "x-scopes", "security", "bindings", "messages", "reply"});
        api.operations.append(op);
    }
}

void Reader::readGatehouse(Api &api, const Json &root)
{
    const Json *found = section(root, "x-gatehouse");
    if (!found)
        return;
    const Json &g = *found;
    const QString p = QStringLiteral("/x-gatehouse");
    GatewaySettings &s = api.gatehouse;
    s.raw = g;
    s.endpoint = str(g, "endpoint", p);
    s.context = str(g, "context", p);
    s.listen = str(g, "listen", p);
    s.tlsListen = str(g, "tlsListen", p);
    // the documented names (x-gatehouse.schema.json); the older *File names still read
    s.certificateFile = str(g, g.contains("certificate") ? "certificate" : "certificateFile", p);
    s.privateKeyFile = str(g, g.contains("privateKey") ? "privateKey" : "privateKeyFile", p);
    s.mock = raw(g, "mock");
    if (const auto d = g.find("defaultVersion"); d != g.end()) {
        if (d->is_boolean())
            s.defaultVersion = d->get<bool>();
        else
            error(child(p, "defaultVersion"),
                  QStringLiteral("'defaultVersion' must be true or false"));
    }
    forEachListedObject(
        g, "plans", p, QStringLiteral("a plan"),
        [&](const Json &pl, const QString &ip) { s.plans.append(readPlan(pl, ip)); });
    forEachListedObject(g, "policies", p, QStringLiteral("a policy"),
                        [&](const Json &pol, const QString &ip) {
                            Policy policy;
                            policy.type = str(pol, "type", ip);
                            if (policy.type.isEmpty())
                                error(ip, QStringLiteral("a policy needs a 'type'"));
                            policy.config = pol;
                            s.policies.append(policy);
                        });
}

Plan Reader::readPlan(const Json &pl, const QString &ip)
{
    Plan plan;
    plan.name = str(pl, "name", ip);
    plan.description = str(pl, "description", ip);
    if (plan.name.isEmpty())
        error(ip, QStringLiteral("a plan needs a 'name'"));
    if (const auto e = pl.find("events"); e != pl.end()) {
        if (e->is_number_unsigned() || (e->is_number_integer() && e->get<qint64>() >= 0))
            plan.events = e->get<quint64>();
        else
            error(child(ip, "events"), QStringLiteral("'events' must be a whole number >= 0"));
    }
    const QString unit = str(pl, "unit", ip);
    if (unit.isEmpty() || unit == QLatin1String("day"))
        plan.unit = Plan::Unit::Day;
    else if (unit == QLatin1String("second"))
        plan.unit = Plan::Unit::Second;
    else if (unit == QLatin1String("minute"))
        plan.unit = Plan::Unit::Minute;
    else if (unit == QLatin1String("hour"))
        plan.unit = Plan::Unit::Hour;
    else
        error(child(ip, "unit"),
              QStringLiteral("'unit' must be second, minute, hour or day, not '%1'").arg(unit));
    if (const auto mc = pl.find("maxConnections"); mc != pl.end()) {
        if (mc->is_number_integer() && mc->get<qint64>() >= 0 && mc->get<qint64>() <= INT_MAX)
            plan.maxConnections = mc->get<int>();
        else
            error(child(ip, "maxConnections"),
                  QStringLiteral("'maxConnections' must be a whole number >= 0"));
    }
    return plan;
}

void Reader::checkRefs(const Json &node, const QString &pointer, int depth)
{
    if (depth > DocumentLoader::MaxDepth + DocumentLoader::MaxRefChain)
        return;
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            const QString p = child(pointer, it.key());
            if (it.key() == "$ref" && it.value().is_string()) {
                const QString ref = QString::fromStdString(it.value().get<std::string>());
                if (ref.startsWith(u'#') && !lookup(ref))
                    error(p,
                          QStringLiteral(
                              "unresolved $ref '%1': nothing at that place in the document")
                              .arg(ref));
                continue;
            }
            checkRefs(it.value(), p, depth + 1);
        }
    } else if (node.is_array()) {
        for (size_t i = 0; i < node.size(); ++i)
            checkRefs(node[i], child(pointer, i), depth + 1);
    }
}

void Reader::checkChannels(const Api &api)
{
    static const QRegularExpression twoInSegment(QStringLiteral("\\}[^/]*\\{"));
    for (const Channel &c : api.channels) {
        const QString ap = m_addressPointers.value(c.id);
        const QStringList inAddress = addressParameters(c.address);
        QStringList declared;
        for (const ChannelParameter &prm : c.parameters)
            declared.append(prm.name);
        for (const QString &name : inAddress)
            if (!declared.contains(name))
                error(ap,
                      QStringLiteral("address '%1' uses parameter '%2', which is missing from the "
                                     "channel's 'parameters'")
                          .arg(c.address, name));
        const QString cp = m_channelPointers.value(c.id);
        for (const QString &name : declared)
            if (!inAddress.contains(name))
                error(child(child(cp, "parameters"), name.toStdString()),
                      QStringLiteral("parameter '%1' does not appear in the address '%2'")
                          .arg(name, c.address));
        for (const QString &segment : c.address.split(u'/'))
            if (segment.contains(twoInSegment))
                warning(
                    ap,
                    QStringLiteral("two parameters in one path segment ('%1'); the gateway cannot "
                                   "tell where one ends and the next begins")
                        .arg(segment));
        for (const QString &id : c.messageIds)
            if (!findMessage(api, id))
                error(cp,
                      QStringLiteral("channel '%1' refers to unknown message '%2'").arg(c.id, id));
        for (qsizetype i = 0; i < c.servers.size(); ++i) {
            bool known = false;
            for (const Server &s : api.servers)
                known = known || s.id == c.servers.at(i);
            if (!known)
                error(child(child(cp, "servers"), static_cast<size_t>(i)),
                      QStringLiteral("channel '%1' lists unknown server '%2'")
                          .arg(c.id, c.servers.at(i)));
        }
    }
    if (m_major != 2)
        return; // 3.x requirements are $refs, checked with every other $ref
    // 2.x security requirements name schemes of components.securitySchemes.
    auto checkSecurity = [&](const Json &security, const QString &pointer) {
        if (!security.is_array())
            return;
        for (size_t i = 0; i < security.size(); ++i) {
            if (!security[i].is_object())
                continue;
            for (auto it = security[i].begin(); it != security[i].end(); ++it) {
                bool known = false;
                for (const SecurityScheme &s : api.securitySchemes)
                    known = known || s.id.toStdString() == it.key();
                if (!known)
                    error(child(child(child(pointer, "security"), i), it.key()),
                          QStringLiteral("security requirement names unknown security scheme '%1'; "
                                         "declare it under components.securitySchemes")
                              .arg(QString::fromStdString(it.key())));
            }
        }
    };
    for (const Server &s : api.servers)
        checkSecurity(s.security, child(QStringLiteral("/servers"), s.id.toStdString()));
    for (const Operation &op : api.operations)
        checkSecurity(op.security, m_operationPointers.value(op.id));
}

} // namespace

bool AsyncApiReader::isSupportedVersion(const QString &version)
{
    static const QRegularExpression re(QStringLiteral("^(2\\.[0-6]|3\\.[01])\\.\\d+$"));
    return re.match(version).hasMatch();
}

ReadResult AsyncApiReader::readDocument(Document document, QList<Diagnostic> diagnostics)
{
    ReadResult result;
    result.document = std::move(document);
    result.diagnostics = std::move(diagnostics);
    if (hasErrors(result.diagnostics) || !result.document.root.is_object())
        return result;
    QList<Diagnostic> own;
    Reader reader(result.document, own);
    result.api = reader.read();
    result.diagnostics.append(own);
    if (result.api) {
        // Schema findings that repeat one of the reader's own (same node) are left out.
        const QList<Diagnostic> schema = AsyncApiValidator::validate(result.document);
        for (const Diagnostic &d : schema) {
            bool duplicate = false;
            for (const Diagnostic &o : std::as_const(own))
                duplicate = duplicate || (o.pointer == d.pointer && o.severity == d.severity);
            if (!duplicate)
                result.diagnostics.append(d);
        }
    }
    return result;
}

ReadResult AsyncApiReader::readFile(const QString &path)
{
    DocumentLoader::Result loaded = DocumentLoader::loadFile(path);
    return readDocument(std::move(loaded.document), std::move(loaded.diagnostics));
}

ReadResult AsyncApiReader::readData(const QByteArray &data, const QString &fileName,
                                    const QHash<QString, QByteArray> &texts)
{
    DocumentLoader::Result loaded = DocumentLoader::loadData(
        data, fileName.isEmpty() ? QStringLiteral("<input>") : fileName, texts);
    return readDocument(std::move(loaded.document), std::move(loaded.diagnostics));
}

} // namespace Gatehouse
