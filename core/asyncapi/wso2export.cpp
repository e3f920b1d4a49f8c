// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/wso2export.h"

#include "asyncapi/asyncapivalidator.h"
#include "asyncapi/asyncapiwriter.h"
#include "asyncapi/conversionnotes.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/yamlemitter.h"
#include "policy/policyfactory.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <map>
#include <set>

namespace Gatehouse {

namespace {

using Format = AsyncApiConverter::Format;

const char *const Oauth2Key = "oauth2"; // the scheme WSO2 reads scopes from

QString joinedList(const QStringList &items)
{
    return items.join(QStringLiteral(", "));
}
// Parameter names of an address template, in order: /rooms/{roomID} -> roomID.
QStringList addressParameters(const QString &address)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]+)\\}"));
    QStringList names;
    auto it = placeholder.globalMatch(address);
    while (it.hasNext()) {
        const QString name = it.next().captured(1);
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

// Gatehouse connects a channel without x-uri-mapping to the path the client asked
// for; WSO2 would connect to the bare endpoint. The same path in WSO2's template form.
QString addressMapping(const QString &address)
{
    QString mapping = address;
    for (const QString &name : addressParameters(address))
        mapping.replace(u'{' + name + u'}', QStringLiteral("{uri.var.%1}").arg(name));
    return mapping;
}

bool isNone(const QString &authType)
{
    return authType.compare(u"None", Qt::CaseInsensitive) == 0;
}

// Whether an `authenticate` entry of `policies` switches authentication off;
// nullopt when the list has no such entry.
std::optional<bool> authenticateOff(const QList<Policy> &policies)
{
    for (const Policy &p : policies) {
        if (p.type != QLatin1String("authenticate"))
            continue;
        const Json enabled
            = p.config.is_object() ? p.config.value("enabled", Json(true)) : Json(true);
        return enabled.is_boolean() && !enabled.get<bool>();
    }
    return std::nullopt;
}

struct ModelIndex
{
    explicit ModelIndex(const Api &api)
    {
        for (const Channel &c : api.channels) {
            const QString key = c.address.isEmpty() ? c.id : c.address;
            if (!byKey.contains(key))
                byKey.insert(key, &c);
        }
        for (const Operation &op : api.operations)
            operationsOn[op.channelId].append(&op);
    }
    QHash<QString, const Channel *> byKey; // the 2.x channels key -> channel
    QHash<QString, QList<const Operation *>> operationsOn;
};

class Exporter
{
public:
    Exporter(const ReadResult &read, ConversionNotes &notes)
        : m_api(*read.api)
        , m_index(*read.api)
        , m_notes(notes)
        , m_fromV3(read.api->asyncapiVersion.startsWith(u'3'))
    { }

    Json run();

private:
    QString channelPointer(const Channel &c) const
    {
        return ConversionNotes::pointerTo(
            {QStringLiteral("channels"), m_fromV3 ? c.id : c.address});
    }
    QString operationPointer(const Channel &c, const Operation *op, const char *kind) const
    {
        if (op && m_fromV3)
            return ConversionNotes::pointerTo({QStringLiteral("operations"), op->id});
        return ConversionNotes::pointerTo(
            {QStringLiteral("channels"), c.address, QLatin1String(kind)});
    }
    const Operation *operationOf(const Channel &c, Operation::Action action) const
    {
        for (const Operation *op : m_index.operationsOn.value(c.id))
            if (op->action == action)
                return op;
        return nullptr;
    }
    bool channelOpen(const Channel &c) const;

    void mapGatehouse(Json &root);
    void mapServers(Json &root);
    void mapChannels(Json &root);
    void mapChannel(const QString &key, Json &item, const Channel *channel);
    void declareScopes(Json &root);

    const Api &m_api;
    ModelIndex m_index;
    ConversionNotes &m_notes;
    bool m_fromV3;
    bool m_authenticateOff = false; // x-gatehouse.policies switch authenticate off
    QSet<QString> m_droppedServers;
    QStringList m_scopes; // every scope an operation names, in order
};

bool Exporter::channelOpen(const Channel &c) const
{
    if (const auto off = authenticateOff(Policies::PolicyFactory::channelPolicyList(c, nullptr)))
        return *off;
    if (m_authenticateOff)
        return true;
    // The gateway's rule (AuthenticatePolicy::isOpen), with the operations indexed:
    // the model's own lookup is linear, and documents have thousands of channels.
    if (!c.authType.isEmpty())
        return isNone(c.authType);
    const QList<const Operation *> operations = m_index.operationsOn.value(c.id);
    return !operations.isEmpty()
        && std::all_of(operations.cbegin(), operations.cend(),
                       [](const Operation *op) { return isNone(op->authType); });
}

// x-gatehouse: the endpoint goes to the servers, the rest has no place in WSO2's
// definition and is listed.
void Exporter::mapGatehouse(Json &root)
{
    m_authenticateOff
        = authenticateOff(Policies::PolicyFactory::apiPolicyList(m_api, nullptr)).value_or(false);
    const Json raw = m_api.gatehouse.raw;
    root.erase("x-gatehouse");
    if (!raw.is_object())
        return;
    for (auto it = raw.begin(); it != raw.end(); ++it) {
        const QString key = toQString(it.key());
        const QString pointer = ConversionNotes::pointerTo({QStringLiteral("x-gatehouse"), key});
        QString message;
        if (key == QLatin1String("endpoint")) {
            continue; // the production server (mapServers)
        } else if (key == QLatin1String("context")) {
            message = QStringLiteral("x-gatehouse.context: an AsyncAPI definition has no place "
                                     "for the context in WSO2 API Manager; enter %1 as the "
                                     "Context when importing")
                          .arg(m_api.gatehouse.context);
        } else if (key == QLatin1String("defaultVersion")) {
            message = QStringLiteral("x-gatehouse.defaultVersion: set 'Default Version' on the "
                                     "API in WSO2's Publisher instead; left out");
        } else if (key == QLatin1String("plans")) {
            message = QStringLiteral("x-gatehouse.plans: WSO2 API Manager keeps business plans "
                                     "(subscription policies) outside the definition; choose "
                                     "them in the Publisher; left out");
        } else if (key == QLatin1String("policies")) {
            message = m_authenticateOff
                ? QStringLiteral("x-gatehouse.policies: authenticate is switched off, so every "
                                 "topic is written with x-auth-type None; the other policies "
                                 "have no place in WSO2's definition and are left out")
                : QStringLiteral("x-gatehouse.policies: Gatehouse's policies have no place in "
                                 "WSO2's definition (WSO2 has its own policies); left out");
        } else {
            message = QStringLiteral("x-gatehouse.%1: Gatehouse's own setting, which WSO2 API "
                                     "Manager does not read; left out")
                          .arg(key);
        }
        m_notes.add(pointer, message);
    }
}

// WSO2's servers are the backend endpoints: `production` (and `sandbox`).
void Exporter::mapServers(Json &root)
{
    const QString endpoint = m_api.gatehouse.endpoint;
    const Json servers = root.value("servers", Json::object());
    Json kept = Json::object();
    if (!endpoint.isEmpty()) {
        Json production = Json::object();
        production["url"] = toStdString(endpoint);
        production["protocol"] = endpoint.startsWith(u"wss:", Qt::CaseInsensitive) ? "wss" : "ws";
        production["description"] = "The backend WebSocket server (x-gatehouse.endpoint).";
        kept["production"] = production;
        for (auto it = servers.begin(); it != servers.end(); ++it) {
            const QString id = toQString(it.key());
            m_droppedServers.insert(id);
            m_notes.add(ConversionNotes::pointerTo({QStringLiteral("servers"), id}),
                        QStringLiteral("server '%1' left out: in WSO2 API Manager the servers "
                                       "are the backend endpoints; x-gatehouse.endpoint (%2) is "
                                       "written as server 'production'")
                            .arg(id, endpoint));
        }
    } else {
        for (auto it = servers.begin(); it != servers.end(); ++it) {
            const QString id = toQString(it.key());
            const QString protocol
                = toQString(it.value().value("protocol", std::string())).toLower();
            if (protocol == QLatin1String("ws") || protocol == QLatin1String("wss")) {
                kept[it.key()] = it.value();
                continue;
            }
            m_droppedServers.insert(id);
            m_notes.add(ConversionNotes::pointerTo({QStringLiteral("servers"), id}),
                        QStringLiteral("server '%1' left out: its protocol is '%2', and a WSO2 "
                                       "WebSocket API's servers are ws or wss endpoints")
                            .arg(id, protocol));
        }
        if (kept.empty())
            m_notes.add({},
                        QStringLiteral("the document names no ws or wss backend (x-gatehouse."
                                       "endpoint or a server); enter the endpoint when "
                                       "importing into WSO2 API Manager"));
    }
    if (kept.empty())
        root.erase("servers");
    else
        root["servers"] = kept;
}

void Exporter::mapChannels(Json &root)
{
    const Json channels = root.value("channels", Json::object());
    QSet<QString> keys; // ordered_json looks members up one by one: thousands of channels
    for (auto it = channels.begin(); it != channels.end(); ++it)
        keys.insert(toQString(it.key()));
    Json out = Json::object();
    auto &members = static_cast<std::vector<std::pair<const std::string, Json>> &>(
        out.get_ref<Json::object_t &>());
    for (auto it = channels.begin(); it != channels.end(); ++it) {
        const QString key = toQString(it.key());
        const Channel *channel = m_index.byKey.value(key);
        QString topic = key;
        if (!topic.startsWith(u'/')) {
            topic.prepend(u'/');
            if (keys.contains(topic)) {
                topic = key; // another channel has that name already
            } else {
                m_notes.add(channel ? channelPointer(*channel) : QString(),
                            QStringLiteral("channel '%1' is written as topic '%2': WSO2 API "
                                           "Manager's topics are paths")
                                .arg(key, topic));
            }
        }
        keys.insert(topic);
        Json item = it.value();
        mapChannel(topic, item, channel);
        members.emplace_back(toStdString(topic), std::move(item));
    }
    root["channels"] = std::move(out);
}

void Exporter::mapChannel(const QString &topic, Json &item, const Channel *channel)
{
    const QString where = channel ? channelPointer(*channel) : QString();

    // Channels on servers that are left out.
    if (auto servers = item.find("servers"); servers != item.end() && servers->is_array()) {
        Json keptServers = Json::array();
        for (const Json &s : *servers)
            if (!s.is_string() || !m_droppedServers.contains(toQString(s.get<std::string>())))
                keptServers.push_back(s);
        if (keptServers.size() != servers->size()) {
            m_notes.add(where,
                        QStringLiteral("channel '%1': its list of servers names servers that "
                                       "are left out; the topic is on every endpoint")
                            .arg(topic));
            if (keptServers.empty())
                item.erase("servers");
            else
                *servers = keptServers;
        }
    }

    // A channel's own x-gatehouse (policies) has no place in WSO2's definition.
    if (item.contains("x-gatehouse")) {
        item.erase("x-gatehouse");
        m_notes.add(where + QStringLiteral("/x-gatehouse"),
                    QStringLiteral("channel '%1': its x-gatehouse policies have no place in "
                                   "WSO2's definition; left out")
                        .arg(topic));
    }

    // WSO2 makes topics from operations: a channel without one gets a subscribe.
    if (!item.contains("publish") && !item.contains("subscribe")) {
        item["subscribe"] = Json::object();
        m_notes.add(where,
                    QStringLiteral("channel '%1' has no operation; WSO2 API Manager makes "
                                   "topics from operations, so a subscribe operation is added")
                        .arg(topic));
    }

    // One x-uri-mapping for the channel, as Gatehouse uses it: the first operation's
    // that has one, else the address itself.
    QString mapping;
    for (const char *kind : {"publish", "subscribe"}) {
        const auto op = item.find(kind);
        if (op != item.end() && op->is_object() && op->contains("x-uri-mapping")
            && (*op)["x-uri-mapping"].is_string()) {
            mapping = toQString((*op)["x-uri-mapping"].get<std::string>());
            break;
        }
    }
    if (channel) {
        for (const Operation *op : m_index.operationsOn.value(channel->id))
            if (!op->uriMapping.isEmpty()) {
                mapping = op->uriMapping;
                break;
            }
    }
    const bool defaultMapping = mapping.isEmpty();
    if (defaultMapping)
        mapping = addressMapping(topic);

    const bool open = channel ? channelOpen(*channel) : m_authenticateOff;
    const QString authType = open ? QStringLiteral("None") : QStringLiteral("Any");
    QStringList saidAuthTypes;
    for (const char *kind : {"publish", "subscribe"}) {
        const auto found = item.find(kind);
        if (found == item.end() || !found->is_object())
            continue;
        Json &op = *found;
        const Operation *model = channel
            ? operationOf(*channel,
                          qstrcmp(kind, "publish") == 0 ? Operation::Action::Receive
                                                        : Operation::Action::Send)
            : nullptr;
        const QString opWhere = channel ? operationPointer(*channel, model, kind) : QString();
        if (!op.contains("x-uri-mapping")) {
            op["x-uri-mapping"] = toStdString(mapping);
            m_notes.add(opWhere,
                        defaultMapping
                            ? QStringLiteral("channel '%1' %2: x-uri-mapping %3 added (the "
                                             "topic's own path, where Gatehouse connects; WSO2 "
                                             "would connect to the bare endpoint)")
                                  .arg(topic, QLatin1String(kind), mapping)
                            : QStringLiteral("channel '%1' %2: x-uri-mapping %3 added (the "
                                             "channel's mapping, which Gatehouse uses for both "
                                             "directions)")
                                  .arg(topic, QLatin1String(kind), mapping));
        }
        if (op.contains("x-auth-type") && op["x-auth-type"].is_string())
            saidAuthTypes.append(toQString(op["x-auth-type"].get<std::string>()));
        op["x-auth-type"] = toStdString(authType);

        // Scopes: x-scopes as written, else those of the operation's own security
        // requirements (WSO2 reads only x-scopes).
        if (!op.contains("x-scopes")) {
            QStringList fromSecurity;
            const Json security = op.value("security", Json::array());
            for (const Json &requirement : security)
                if (requirement.is_object())
                    for (auto r = requirement.begin(); r != requirement.end(); ++r)
                        if (r.value().is_array())
                            for (const Json &s : r.value())
                                if (s.is_string()
                                    && !fromSecurity.contains(toQString(s.get<std::string>())))
                                    fromSecurity.append(toQString(s.get<std::string>()));
            if (!fromSecurity.isEmpty()) {
                Json scopes = Json::array();
                for (const QString &s : std::as_const(fromSecurity))
                    scopes.push_back(toStdString(s));
                op["x-scopes"] = scopes;
                m_notes.add(opWhere,
                            QStringLiteral("channel '%1' %2: x-scopes [%3] taken from its "
                                           "security requirement (WSO2 reads scopes from "
                                           "x-scopes)")
                                .arg(topic, QLatin1String(kind), joinedList(fromSecurity)));
            }
        }
        if (op.contains("x-scopes") && op["x-scopes"].is_array())
            for (const Json &s : op["x-scopes"])
                if (s.is_string() && !m_scopes.contains(toQString(s.get<std::string>())))
                    m_scopes.append(toQString(s.get<std::string>()));
    }
    // WSO2's importer reads x-auth-type on the channel: one value for the topic.
    saidAuthTypes.removeDuplicates();
    if (saidAuthTypes.size() > 1
        || (saidAuthTypes.size() == 1 && isNone(saidAuthTypes.constFirst()) != isNone(authType)))
        m_notes.add(where,
                    QStringLiteral("channel '%1': its operations say x-auth-type %2; WSO2 API "
                                   "Manager takes one per topic, written as %3 (what Gatehouse "
                                   "enforces)")
                        .arg(topic, saidAuthTypes.join(QStringLiteral(" and ")), authType));
    item["x-auth-type"] = toStdString(authType);
}

// Every scope an operation names is declared in components.securitySchemes.oauth2's
// implicit flow, which is where WSO2 API Manager looks them up.
void Exporter::declareScopes(Json &root)
{
    Json &components = root["components"];
    if (!components.is_object())
        components = Json::object();
    Json &schemes = components["securitySchemes"];
    if (!schemes.is_object())
        schemes = Json::object();

    // Descriptions and an authorization URL from the document's own OAuth2 schemes.
    QHash<QString, std::string> descriptions;
    std::string authorizationUrl;
    for (auto s = schemes.begin(); s != schemes.end(); ++s) {
        if (!s.value().is_object() || s.value().value("type", std::string()) != "oauth2")
            continue;
        const Json flows = s.value().value("flows", Json::object());
        for (auto f = flows.begin(); f != flows.end(); ++f) {
            if (!f.value().is_object())
                continue;
            if (authorizationUrl.empty() && f.value().contains("authorizationUrl")
                && f.value()["authorizationUrl"].is_string())
                authorizationUrl = f.value()["authorizationUrl"].get<std::string>();
            const Json scopes = f.value().value("scopes", Json::object());
            for (auto sc = scopes.begin(); sc != scopes.end(); ++sc)
                if (sc.value().is_string() && !descriptions.contains(toQString(sc.key())))
                    descriptions.insert(toQString(sc.key()), sc.value().get<std::string>());
        }
    }
    if (authorizationUrl.empty())
        authorizationUrl = Wso2Export::DefaultAuthorizationUrl;

    // A scheme called oauth2 that is not OAuth2 moves aside, with the requirements
    // naming it.
    if (schemes.contains(Oauth2Key)
        && schemes[Oauth2Key].value("type", std::string()) != "oauth2") {
        std::string other = "oauth2-" + schemes[Oauth2Key].value("type", std::string("scheme"));
        while (schemes.contains(other))
            other += "-1";
        schemes[other] = schemes[Oauth2Key];
        schemes.erase(Oauth2Key);
        const auto rename = [&other](Json &owner) {
            if (!owner.is_object() || !owner.contains("security") || !owner["security"].is_array())
                return;
            for (Json &requirement : owner["security"])
                if (requirement.is_object() && requirement.contains(Oauth2Key)) {
                    requirement[other] = requirement[Oauth2Key];
                    requirement.erase(Oauth2Key);
                }
        };
        if (root.contains("servers"))
            for (auto &server : root["servers"].items())
                rename(server.value());
        if (root.contains("channels"))
            for (auto &channel : root["channels"].items())
                for (const char *kind : {"publish", "subscribe"})
                    if (channel.value().contains(kind))
                        rename(channel.value()[kind]);
        m_notes.add(ConversionNotes::pointerTo({QStringLiteral("components"),
                                                QStringLiteral("securitySchemes"),
                                                QLatin1String(Oauth2Key)}),
                    QStringLiteral("security scheme 'oauth2' is renamed '%1': WSO2 API Manager "
                                   "reads its scopes from an OAuth2 scheme of that name")
                        .arg(toQString(other)));
    }

    Json &oauth2 = schemes[Oauth2Key];
    if (!oauth2.is_object()) {
        oauth2 = Json::object();
        oauth2["type"] = "oauth2";
        oauth2["description"] = "The scopes of the API's topics, where WSO2 API Manager reads "
                                "them (x-scopes names them).";
    }
    Json &flows = oauth2["flows"];
    if (!flows.is_object())
        flows = Json::object();
    Json &implicit = flows["implicit"];
    if (!implicit.is_object())
        implicit = Json::object();
    if (!implicit.contains("authorizationUrl"))
        implicit["authorizationUrl"] = authorizationUrl;
    Json &scopes = implicit["scopes"];
    if (!scopes.is_object())
        scopes = Json::object();
    for (const QString &scope : std::as_const(m_scopes))
        if (!scopes.contains(toStdString(scope)))
            scopes[toStdString(scope)] = descriptions.value(scope);
    if (!implicit.contains("x-scopes-bindings"))
        implicit["x-scopes-bindings"] = Json::object();
}

Json Exporter::run()
{
    Json root = AsyncApiWriter::toJson(m_api, AsyncApiWriter::TargetVersion::V2_6);
    mapGatehouse(root);
    mapServers(root);
    mapChannels(root);
    declareScopes(root);
    return root;
}

// Drops message examples that do not match their schemas (2.x parsers reject them),
// listing each.
void dropMismatchedExamples(Json &root, const QString &fileName, ConversionNotes &notes)
{
    Document written;
    written.root = root;
    written.fileName = fileName;
    std::map<std::string, std::set<std::size_t>> drop; // message pointer -> indexes
    for (const Diagnostic &d : AsyncApiValidator::validateExamples(written)) {
        const qsizetype at = d.pointer.indexOf(QLatin1String("/examples/"));
        if (at < 0)
            continue;
        const QString rest = d.pointer.mid(at + 10);
        bool ok = false;
        const std::size_t index = rest.section(u'/', 0, 0).toULongLong(&ok);
        if (!ok)
            continue;
        const std::string message = toStdString(d.pointer.left(at));
        if (drop[message].insert(index).second)
            notes.add({},
                      QStringLiteral("example %1 of the message at %2 is left out: it does not "
                                     "match its schema (%3), which AsyncAPI 2.x parsers reject")
                          .arg(index)
                          .arg(d.pointer.left(at), d.message));
    }
    for (const auto &[pointer, indexes] : drop) {
        try {
            Json &message = root.at(Json::json_pointer(pointer));
            Json &examples = message["examples"];
            for (auto i = indexes.rbegin(); i != indexes.rend(); ++i)
                if (*i < examples.size())
                    examples.erase(*i);
            if (examples.empty())
                message.erase("examples");
        } catch (const std::exception &) { }
    }
}

QByteArray serialized(const Json &root, Format format)
{
    if (format == Format::Json)
        return QByteArray::fromStdString(root.dump(2, ' ', false, Json::error_handler_t::replace))
            + '\n';
    return YamlEmitter().document(root);
}

} // namespace

Wso2Export::Result Wso2Export::exportDocument(const QByteArray &text, const QString &fileName,
                                              Format format)
{
    return exportDocument(AsyncApiReader::readData(text, fileName), format);
}

Wso2Export::Result Wso2Export::exportDocument(const ReadResult &read, Format format)
{
    Result result;
    if (!read.ok()) {
        QString first;
        for (const Diagnostic &d : read.diagnostics)
            if (d.severity == Diagnostic::Severity::Error && first.isEmpty())
                first = d.toString();
        result.error = first.isEmpty()
            ? QStringLiteral("the document cannot be read as AsyncAPI")
            : QStringLiteral("the document has errors; fix them first (%1)").arg(first);
        return result;
    }
    ConversionNotes notes(read.document);
    Diagnostic layout;
    layout.severity = Diagnostic::Severity::Warning;
    layout.message = QStringLiteral("the exported document is written from the model: "
                                    "comments, the layout and the key order do not carry over");
    notes.append({layout});
    // What AsyncAPI 2.6 cannot say (a 3.x document), and parts from other files.
    notes.append(AsyncApiConverter::losses(read, AsyncApiConverter::TargetVersion::V2_6));

    Json root = Exporter(read, notes).run();
    dropMismatchedExamples(root, read.document.fileName, notes);
    result.data = serialized(root, format);

    // What a parser would still hold against it.
    const ReadResult back = AsyncApiReader::readData(result.data, read.document.fileName);
    for (Diagnostic d : back.diagnostics) {
        if (d.severity != Diagnostic::Severity::Error)
            continue;
        d.location = {};
        d.message
            = QStringLiteral("the exported document would have this problem: %1").arg(d.message);
        notes.append({d});
    }
    result.losses = notes.take();
    return result;
}

} // namespace Gatehouse
