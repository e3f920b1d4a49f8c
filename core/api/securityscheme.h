// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QString>

namespace Gatehouse {

// How clients authenticate (AsyncAPI Security Scheme Object).
struct SecurityScheme
{
    QString id;
    QString type; // userPassword, apiKey, httpApiKey, http, oauth2, openIdConnect, ...
    QString description;
    QString name; // header or query parameter name (httpApiKey)
    QString in; // user, password, query, header, cookie
    QString scheme; // bearer, basic (http)
    QString bearerFormat;
    Json flows; // oauth2 flows; null when absent
    QString openIdConnectUrl;
    Json scopes; // 3.x: available scopes; null when absent
    Json extra;
    friend bool operator==(const SecurityScheme &, const SecurityScheme &) = default;
};

} // namespace Gatehouse
