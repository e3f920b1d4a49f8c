// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "api/topicmatcher.h"
#include "api/urlmapper.h"
#include "gateway/handshakerequest.h"
#include "gateway/policyprovider.h"
#include "gateway/routematch.h"

#include <QList>
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
        ChannelPolicies policies;
    };
    struct ApiRoute
    {
        std::shared_ptr<const Api> api;
        QString context; // /chats
        QString version; // 1.0.0 (empty: none)
        bool defaultVersion = false;
        QUrl endpoint; // ws://localhost:8080
        bool verifyBackendTls = true;
        int idleTimeoutMs = -1; // x-gatehouse idleTimeout; -1: GatewayOptions' (0: none)
        int forwardPings = -1; // x-gatehouse forwardPings; -1: GatewayOptions', 0 / 1
        QStringList credentialParameters; // never forwarded to the backend
        QList<QByteArray> forwardHeaders; // client headers copied to the backend request
        QList<ChannelRoute> channels; // most specific first
        QString key() const; // /chats/1.0.0
    };
    struct Result
    {
        int status = 0; // 0: routed; otherwise 404 / 500
        QString reason;
        RouteMatch match;
        QByteArray backendTarget; // path?query for the backend request line
        const ApiRoute *api = nullptr;
        const ChannelRoute *channel = nullptr;
    };

    // Builds the table; nullptr with `error` (one line: what and where) when an API
    // cannot be served (no endpoint, bad template, two APIs on the same path, ...).
    static std::shared_ptr<const Router> build(const QList<std::shared_ptr<const Api>> &apis,
                                               PolicyProvider *policies, QString *error);

    Result route(const HandshakeRequest &request) const;
    const QList<ApiRoute> &apis() const { return m_apis; }
    // One line per served API for the 426 answer: "/chats/1.0.0  Chats API (ws://...)".
    QStringList describe() const;

private:
    QList<ApiRoute> m_apis; // longest context first
};

} // namespace Gatehouse::Gateway
