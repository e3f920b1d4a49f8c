// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/router.h"

#include "gateway/backendconnector.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>
#include <optional>

namespace Gatehouse::Gateway {

namespace {

// "30s", "500ms", "5m", "1h" or a number of milliseconds; nullopt when invalid
std::optional<int> durationMs(const Json &value)
{
    if (value.is_number_integer()) {
        const qint64 n = value.get<qint64>();
        if (n < 0 || n > std::numeric_limits<int>::max())
            return std::nullopt;
        return int(n);
    }
    if (!value.is_string())
        return std::nullopt;
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d+)\\s*(ms|s|m|h)?\\s*$"));
    const auto m = re.match(QString::fromStdString(value.get<std::string>()));
    if (!m.hasMatch())
        return std::nullopt;
    const QString unit = m.captured(2);
    const qint64 factor = unit == u"s" ? 1000 : unit == u"m" ? 60000 : unit == u"h" ? 3600000 : 1;
    bool ok = false;
    const qint64 n = m.captured(1).toLongLong(&ok);
    if (!ok || n > std::numeric_limits<int>::max() / factor)
        return std::nullopt;
    return int(n * factor);
}

QString normalizeContext(QString context)
{
    context = context.trimmed();
    while (context.endsWith(u'/'))
        context.chop(1);
    if (!context.isEmpty() && !context.startsWith(u'/'))
        context.prepend(u'/');
    return context;
}

QString slug(const QString &title)
{
    QString out;
    for (QChar c : title.toLower()) {
        if (c.isLetterOrNumber())
            out.append(c);
        else if (!out.isEmpty() && !out.endsWith(u'-'))
            out.append(u'-');
    }
    while (out.endsWith(u'-'))
        out.chop(1);
    return out;
}

QStringList stringList(const Json &value)
{
    QStringList out;
    if (value.is_array())
        for (const Json &item : value)
            if (item.is_string())
                out.append(toQString(item.get<std::string>()));
    return out;
}

// Decoded names of the parameters in a query (a=1&b={x} -> a, b).
QStringList queryNames(QStringView query)
{
    QStringList names;
    for (QStringView pair : query.split(u'&', Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(u'=');
        const QString name = QUrl::fromPercentEncoding((eq < 0 ? pair : pair.first(eq)).toUtf8());
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

bool isQueryByte(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("-._~!$&'()*+,;=:@/?%").contains(c);
}

// A client's query pair as forwarded: what RFC 3986 allows in a query stays as sent
// (its %XX included), any other byte (non-ASCII, '"', '<', '\\', ...) is encoded.
QByteArray canonicalQueryPair(QByteArrayView pair)
{
    static const char hex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(pair.size());
    for (char c : pair) {
        if (isQueryByte(c)) {
            out.append(c);
        } else {
            const auto u = static_cast<unsigned char>(c);
            out.append('%');
            out.append(hex[u >> 4]);
            out.append(hex[u & 0xF]);
        }
    }
    return out;
}

bool separatorsAllowed(const Router::ChannelRoute &channel, const QString &name,
                       const QString &value)
{
    const auto it = channel.allowances.constFind(name);
    if (it == channel.allowances.constEnd())
        return false;
    if (it->values.contains(value))
        return true;
    if (it->pattern.isEmpty())
        return false;
    // JSON Schema's pattern: an ECMA 262 regular expression, not anchored
    const QRegularExpression re(it->pattern);
    return re.isValid() && re.match(value).hasMatch();
}

// The rest of `path` after `prefix` when it ends at a segment boundary.
std::optional<QStringView> stripPrefix(QStringView path, const QString &prefix)
{
    if (prefix.isEmpty())
        return path;
    if (!path.startsWith(prefix))
        return std::nullopt;
    const QStringView rest = path.sliced(prefix.size());
    if (!rest.isEmpty() && !rest.startsWith(u'/'))
        return std::nullopt;
    return rest;
}

QString apiName(const Api &api)
{
    return api.title.isEmpty() ? QStringLiteral("(untitled API)") : api.title;
}

// The context an API is served under: its own, or a slug of its title.
QString apiContext(const Api &api)
{
    const QString context = normalizeContext(api.gatehouse.context);
    return context.isEmpty() ? u'/' + slug(apiName(api)) : context;
}
} // namespace

QString Router::apiPath(const Api &api)
{
    const QString version = api.version.trimmed();
    return version.isEmpty() ? apiContext(api) : apiContext(api) + u'/' + version;
}

QString Router::samplePath(const Api &api, const Channel &channel)
{
    auto firstString = [](const Json &object, const char *key) {
        if (!object.is_object() || !object.contains(key))
            return QString();
        const Json &v = object.at(key);
        const Json &first = v.is_array() && !v.empty() ? v.front() : v;
        if (first.is_string())
            return toQString(first.get<std::string>());
        if (first.is_number_integer())
            return QString::number(first.get<qint64>());
        return QString();
    };
    QString path = channel.address;
    for (const ChannelParameter &p : channel.parameters) {
        QString value = p.enumValues.value(0, p.defaultValue);
        for (const char *key : {"enum", "default", "examples"})
            if (value.isEmpty())
                value = firstString(p.schema, key);
        if (value.isEmpty())
            value = firstString(p.extra, "examples");
        if (value.isEmpty())
            value = p.name;
        path.replace(QStringLiteral("{%1}").arg(p.name),
                     QString::fromLatin1(QUrl::toPercentEncoding(value)));
    }
    if (!path.startsWith(u'/'))
        path.prepend(u'/');
    return apiPath(api) + path;
}

std::shared_ptr<const Router> Router::build(const QList<std::shared_ptr<const Api>> &apis,
                                            PolicyProvider *policies, QString *error,
                                            const QList<QList<int>> &apiListeners,
                                            const QStringList &listenerNames)
{
    auto router = std::make_shared<Router>();
    auto setError = [error](const QString &e) {
        if (error)
            *error = e;
        return nullptr;
    };
    for (qsizetype apiIndex = 0; apiIndex < apis.size(); ++apiIndex) {
        const std::shared_ptr<const Api> &api = apis.at(apiIndex);
        if (!api)
            continue;
        const QString name = apiName(*api);
        ApiRoute route;
        route.api = api;
        route.context = apiContext(*api);
        route.version = api->version.trimmed();
        route.defaultVersion = api->gatehouse.defaultVersion;
        route.keyPath
            = route.version.isEmpty() ? route.context : route.context + u'/' + route.version;
        route.listeners = apiListeners.value(apiIndex);
        std::sort(route.listeners.begin(), route.listeners.end());
        route.listeners.erase(std::unique(route.listeners.begin(), route.listeners.end()),
                              route.listeners.end());
        const Json &raw = api->gatehouse.raw;

        if (api->gatehouse.endpoint.isEmpty())
            return setError(
                QStringLiteral("API '%1': x-gatehouse.endpoint (the backend URL) is missing")
                    .arg(name));
        route.endpoint = QUrl(api->gatehouse.endpoint, QUrl::StrictMode);
        const QString scheme = route.endpoint.scheme();
        if (!route.endpoint.isValid() || route.endpoint.host().isEmpty()
            || (scheme != u"ws" && scheme != u"wss"))
            return setError(
                QStringLiteral("API '%1': x-gatehouse.endpoint '%2' is not a ws:// or wss:// URL")
                    .arg(name, api->gatehouse.endpoint));
        route.endpointSecure = scheme == u"wss";
        route.endpointHost = route.endpoint.host();
        route.endpointPort = quint16(route.endpoint.port(route.endpointSecure ? 443 : 80));
        route.endpointHostHeader = BackendConnector::hostHeader(
            route.endpointHost, route.endpointPort, route.endpointSecure);
        route.endpointPath = route.endpoint.path(QUrl::FullyEncoded);
        while (route.endpointPath.endsWith(u'/'))
            route.endpointPath.chop(1);
        QUrl origin = route.endpoint;
        origin.setPath(QString());
        origin.setQuery(QString());
        origin.setFragment(QString());
        origin.setUserInfo(QString());
        route.backendOrigin = QString::fromUtf8(origin.toEncoded());
        if (raw.is_object() && raw.contains("backendTlsVerify")
            && raw["backendTlsVerify"].is_boolean())
            route.verifyBackendTls = raw["backendTlsVerify"].get<bool>();
        if (raw.is_object() && raw.contains("forwardPings")) {
            if (!raw["forwardPings"].is_boolean())
                return setError(
                    QStringLiteral("API '%1': x-gatehouse.forwardPings must be true or false")
                        .arg(name));
            route.forwardPings = raw["forwardPings"].get<bool>() ? 1 : 0;
        }
        if (raw.is_object() && raw.contains("idleTimeout")) {
            const std::optional<int> ms = durationMs(raw["idleTimeout"]);
            if (!ms)
                return setError(QStringLiteral("API '%1': x-gatehouse.idleTimeout must be a "
                                               "duration such as \"30s\", \"500ms\", \"5m\" "
                                               "or a number of milliseconds (0: none)")
                                    .arg(name));
            route.idleTimeoutMs = *ms;
        }

        route.credentialParameters
            = {QStringLiteral("access_token"), QStringLiteral("apikey"), QStringLiteral("api_key")};
        for (const SecurityScheme &s : api->securitySchemes)
            if (s.in == u"query" && !s.name.isEmpty()
                && !route.credentialParameters.contains(s.name))
                route.credentialParameters.append(s.name);
        if (raw.is_object())
            for (const QString &p : stringList(raw.value("credentialParameters", Json())))
                if (!route.credentialParameters.contains(p))
                    route.credentialParameters.append(p);
        if (raw.is_object())
            for (const QString &h : stringList(raw.value("forwardHeaders", Json())))
                route.forwardHeaders.append(h.toLatin1());

        for (const Channel &channel : api->channels) {
            if (channel.address.isEmpty())
                continue; // 3.x: address unknown until runtime; nothing to route
            ChannelRoute cr;
            cr.channel = &channel;
            QString address = channel.address;
            if (!address.startsWith(u'/'))
                address.prepend(u'/');
            cr.matcher = TopicMatcher(address);
            if (!cr.matcher.isValid())
                return setError(QStringLiteral("API '%1': %2").arg(name, cr.matcher.errorString()));
            for (const Operation *op : api->operationsOn(channel.id)) {
                if (!op->uriMapping.isEmpty()) {
                    cr.operation = op;
                    cr.mapper = UrlMapper(op->uriMapping);
                    cr.hasMapping = true;
                    break;
                }
            }
            if (cr.hasMapping) {
                if (!cr.mapper.isValid())
                    return setError(QStringLiteral("API '%1', operation '%2': %3")
                                        .arg(name, cr.operation->id, cr.mapper.errorString()));
                for (const QString &v : cr.mapper.variables())
                    if (!cr.matcher.parameterNames().contains(v))
                        return setError(
                            QStringLiteral("API '%1', operation '%2': x-uri-mapping uses "
                                           "'%3', which channel '%4' does not have")
                                .arg(name, cr.operation->id, v, channel.address));
                if (const qsizetype q = cr.operation->uriMapping.indexOf(u'?'); q >= 0)
                    cr.mappedQueryNames
                        = queryNames(QStringView(cr.operation->uriMapping).sliced(q + 1));
            }
            for (const ChannelParameter &p : channel.parameters) {
                ChannelRoute::ParameterAllowance allow;
                allow.values = p.enumValues;
                if (p.schema.is_object()) {
                    for (const char *key : {"enum", "const"}) {
                        const Json v = p.schema.value(key, Json());
                        for (const Json &item : v.is_array() ? v : Json::array({v}))
                            if (item.is_string())
                                allow.values.append(toQString(item.get<std::string>()));
                    }
                    if (p.schema.contains("pattern") && p.schema["pattern"].is_string())
                        allow.pattern = toQString(p.schema["pattern"].get<std::string>());
                }
                if (!allow.values.isEmpty() || !allow.pattern.isEmpty())
                    cr.allowances.insert(p.name, allow);
            }
            if (policies) {
                QString policyError;
                cr.policies = policies->policiesFor(api, channel, &policyError);
                if (!policyError.isEmpty())
                    return setError(QStringLiteral("API '%1', channel '%2': %3")
                                        .arg(name, channel.address, policyError));
            }
            route.channels.append(std::move(cr));
        }
        std::stable_sort(route.channels.begin(), route.channels.end(),
                         [](const ChannelRoute &a, const ChannelRoute &b) {
                             return a.matcher.specificity() > b.matcher.specificity();
                         });
        for (const ApiRoute &other : std::as_const(router->m_apis)) {
            if (other.key() != route.key())
                continue;
            // the same path on different listeners is fine; on a shared one it is not
            const bool everywhere = other.listeners.isEmpty() && route.listeners.isEmpty();
            int shared = -1; // a listener serving both, for the message
            for (int l : route.listeners.isEmpty() ? other.listeners : route.listeners)
                if (shared < 0 && other.servedOn(l) && route.servedOn(l))
                    shared = l;
            if (!everywhere && shared < 0)
                continue;
            const QString where = shared >= 0 && shared < listenerNames.size()
                ? QStringLiteral(" on ") + listenerNames.at(shared)
                : QString();
            return setError(QStringLiteral("APIs '%1' and '%2' are both served at %3%4")
                                .arg(other.api->title, name, route.key(), where));
        }
        router->m_apis.append(std::move(route));
    }
    std::stable_sort(
        router->m_apis.begin(), router->m_apis.end(),
        [](const ApiRoute &a, const ApiRoute &b) { return a.key().size() > b.key().size(); });
    return router;
}

Router::Result Router::route(const HandshakeRequest &request, int listenerIndex) const
{
    Result result;
    // APIs whose /{context}/{version} the path starts with come first; only when there
    // is none does a default (or unversioned) API's /{context} get the path, so that a
    // default version never captures another version's paths.
    const ApiRoute *found = nullptr;
    QStringView topic; // of request.path
    for (int pass = 0; pass < 2 && !found; ++pass) {
        for (const ApiRoute &api : m_apis) {
            if (!api.servedOn(listenerIndex))
                continue;
            std::optional<QStringView> rest;
            if (pass == 0 && !api.version.isEmpty())
                rest = stripPrefix(request.path, api.key());
            else if (pass == 1 && (api.version.isEmpty() || api.defaultVersion))
                rest = stripPrefix(request.path, api.context);
            if (rest) {
                found = &api;
                topic = *rest;
                break;
            }
        }
    }
    if (!found) {
        result.status = 404;
        result.reason = QStringLiteral("no API is served at '%1'").arg(request.path);
        return result;
    }
    const ApiRoute &api = *found;

    QString refusal; // why a channel whose template matched was refused
    for (const ChannelRoute &channel : api.channels) {
        auto params = channel.matcher.match(topic);
        if (!params)
            continue;
        QString refused;
        for (auto it = params->cbegin(); it != params->cend() && refused.isEmpty(); ++it)
            refused = TopicMatcher::refusedValue(it.key(), it.value(),
                                                 separatorsAllowed(channel, it.key(), it.value()));
        if (!refused.isEmpty()) {
            if (refusal.isEmpty())
                refusal = refused;
            continue; // a less specific channel may still take the path as it is
        }

        QString mapped;
        if (channel.hasMapping) {
            QString error;
            const auto rendered = channel.mapper.render(*params, &error);
            if (!rendered) {
                result.status = 500;
                result.reason = error;
                return result;
            }
            mapped = *rendered;
        } else {
            mapped = channel.matcher.render(*params);
        }
        if (!mapped.startsWith(u'/'))
            mapped.prepend(u'/');

        // endpoint path + mapped path; mapped query + the client's query minus credentials
        QString path = mapped;
        QByteArray query;
        if (const qsizetype q = mapped.indexOf(u'?'); q >= 0) {
            path = mapped.first(q);
            query = mapped.sliced(q + 1).toUtf8();
        }
        path = api.endpointPath + path;
        for (const QByteArray &pair : request.rawQuery.split('&')) {
            if (pair.isEmpty())
                continue;
            const qsizetype eq = pair.indexOf('=');
            const QString name = QUrl::fromPercentEncoding(eq < 0 ? pair : pair.left(eq));
            if (api.credentialParameters.contains(name, Qt::CaseInsensitive))
                continue;
            if (channel.mappedQueryNames.contains(name, Qt::CaseInsensitive)) {
                result.status = 400;
                result.reason = QStringLiteral("query parameter '%1' is set by the URL mapping "
                                               "of channel '%2'; a client cannot send it")
                                    .arg(name, channel.matcher.addressTemplate());
                return result;
            }
            if (!query.isEmpty())
                query.append('&');
            query.append(canonicalQueryPair(pair));
        }
        result.backendTarget = path.toUtf8();
        if (!query.isEmpty())
            result.backendTarget += '?' + query;
        result.backendOrigin = api.backendOrigin;
        result.match.api = api.api;
        result.match.channel = channel.channel;
        result.match.operation = channel.operation;
        result.match.apiKey = api.key();
        result.match.topicPath = topic.toString();
        result.match.parameters = *params;
        result.api = &api;
        result.channel = &channel;
        return result;
    }
    if (!refusal.isEmpty()) {
        result.status = 400;
        result.reason = refusal;
        return result;
    }
    result.status = 404;
    result.reason = QStringLiteral("no channel of %1 matches '%2'")
                        .arg(api.key(), topic.isEmpty() ? QStringLiteral("/") : topic);
    return result;
}

QStringList Router::describe(int listenerIndex) const
{
    QStringList lines;
    for (const ApiRoute &api : m_apis) {
        if (!api.servedOn(listenerIndex))
            continue;
        QStringList topics;
        for (const ChannelRoute &c : api.channels)
            topics.append(c.matcher.addressTemplate());
        lines.append(QStringLiteral("%1  %2 %3: %4")
                         .arg(api.key(), api.api->title, api.api->version, topics.join(u", ")));
    }
    return lines;
}

} // namespace Gatehouse::Gateway
