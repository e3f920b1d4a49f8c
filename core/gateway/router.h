// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "api/topicmatcher.h"
#include "api/urlmapper.h"
#include "gateway/handshakerequest.h"
#include "gateway/policyprovider.h"
#include "gateway/routematch.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace Gatehouse::Gateway {

// The routing table of a gateway run: which API serves which /{context}/{version},
// each channel's matcher and URL mapping, and the policies that apply. Built once
// per start/reload and shared read-only by all worker threads.
class Router
{
public:
    struct ChannelRoute
    {
        const Channel *channel = nullptr;
        const Operation *operation = nullptr; // the operation carrying x-uri-mapping, if any
        TopicMatcher matcher;
        UrlMapper mapper; // invalid/empty when there is no mapping
        bool hasMapping = false;
        QStringList mappedQueryNames; // query parameters the mapping sets (clients may not)
        // Parameters whose schema lets '/' or '\\' through: the values it lists or
        // the pattern they must match (TopicMatcher::refusedValue)
        struct ParameterAllowance
        {
            QStringList values;
            QString pattern;
        };
        QMap<QString, ParameterAllowance> allowances;
        ChannelPolicies policies;
    };
    struct ApiRoute
    {
        std::shared_ptr<const Api> api;
        QString context; // /chats
        QString version; // 1.0.0 (empty: none)
        bool defaultVersion = false;
        QUrl endpoint; // ws://localhost:8080
        // from the endpoint, made once: its path without a trailing '/' (encoded), and
        // its ws://host:port
        QString endpointPath;
        QString backendOrigin;
        QString endpointHost; // its host, port and scheme (wss: secure)
        QByteArray endpointHostHeader; // host[:port] as the Host header of a request
        quint16 endpointPort = 80;
        bool endpointSecure = false;
        bool verifyBackendTls = true;
        int idleTimeoutMs = -1; // x-gatehouse idleTimeout; -1: GatewayOptions' (0: none)
        int forwardPings = -1; // x-gatehouse forwardPings; -1: GatewayOptions', 0 / 1
        QStringList credentialParameters; // never forwarded to the backend
        QList<QByteArray> forwardHeaders; // client headers copied to the backend request
        QList<ChannelRoute> channels; // most specific first
        QList<int> listeners; // indexes of the listeners serving it; empty: every listener
        QString keyPath; // /chats/1.0.0: the context and version, made once by build()
        const QString &key() const { return keyPath; }
        bool servedOn(int listener) const
        {
            return listener < 0 || listeners.isEmpty() || listeners.contains(listener);
        }
    };
    struct Result
    {
        int status = 0; // 0: routed; otherwise 404 / 500
        QString reason;
        RouteMatch match;
        QByteArray backendTarget; // path?query for the backend request line
        QString backendOrigin; // ws://host:port of the endpoint; + backendTarget = what is sent
        const ApiRoute *api = nullptr;
        const ChannelRoute *channel = nullptr;
    };

    // Builds the table; nullptr with `error` (one line: what and where) when an API
    // cannot be served (no endpoint, bad template, two APIs on the same path of the
    // same listener, ...). `apiListeners[i]` lists the listeners serving apis[i]
    // (missing or empty: every listener); `listenerNames` name them in errors.
    static std::shared_ptr<const Router> build(const QList<std::shared_ptr<const Api>> &apis,
                                               PolicyProvider *policies, QString *error,
                                               const QList<QList<int>> &apiListeners = {},
                                               const QStringList &listenerNames = {});

    // Routes a request that arrived on listener `listenerIndex` (-1: any): APIs not
    // served there are unknown to it, as if they did not exist (404). The most
    // specific API wins: /{context}/{version} before a default version's /{context}.
    // The backend target is rebuilt from the channel's template (or its mapping) and
    // the decoded parameters, never copied from the client's path; a parameter value
    // that could walk the backend's path is refused with 400, as is a client query
    // parameter that the mapping sets.
    Result route(const HandshakeRequest &request, int listenerIndex = -1) const;
    // The path under which `api` is served: its context (or a slug of its title when
    // it has none) and its version, "/chats/1.0.0".
    static QString apiPath(const Api &api);
    // A path a client can open for `channel`: apiPath() and the channel's address with a
    // sample value for each parameter (its first enum value, default, first example or
    // schema default, else its name), percent-encoded: "/chats/1.0.0/rooms/room1".
    static QString samplePath(const Api &api, const Channel &channel);
    const QList<ApiRoute> &apis() const { return m_apis; }
    // One line per API served on `listenerIndex` (-1: every API), for the 426 answer
    // and serve's output: "/chats/1.0.0  Chats API 1.0.0: /notifications, ...".
    QStringList describe(int listenerIndex = -1) const;

private:
    QList<ApiRoute> m_apis; // longest context first
};

} // namespace Gatehouse::Gateway
