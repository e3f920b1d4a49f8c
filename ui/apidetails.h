// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "apitreemodel.h"

#include <QCoreApplication>
#include <QString>

namespace Gatehouse {

// Renders the details of one item of an Api as HTML for the details pane:
// descriptions, gateway extensions (x-uri-mapping, x-scopes, x-auth-type),
// schemas pretty-printed as JSON and examples.
class ApiDetails final
{
    Q_DECLARE_TR_FUNCTIONS(ApiDetails)

public:
    // `id` and `channelId` as ApiTreeModel::IdRole and ChannelIdRole give them.
    static QString html(const Api &api, ApiTreeModel::Kind kind, const QString &id,
                        const QString &channelId);
    // Shown when nothing is selected or no API is loaded.
    static QString placeholder(const QString &text);

    static QString apiHtml(const Api &api);
    static QString serverHtml(const Api &api, const Server &server);
    static QString channelHtml(const Api &api, const Channel &channel);
    static QString operationHtml(const Api &api, const Operation &operation);
    static QString parameterHtml(const Channel &channel, const ChannelParameter &parameter);
    static QString messageHtml(const Api &api, const Message &message);
    static QString securitySchemeHtml(const SecurityScheme &scheme);
    static QString gatewayHtml(const GatewaySettings &settings);
    static QString gatewayEntryHtml(const GatewaySettings &settings, const QString &key);

    // Two-space indented JSON; strings at the top level are shown as they are.
    static QString prettyJson(const Json &value);
};

} // namespace Gatehouse
