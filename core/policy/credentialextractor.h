// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/handshakerequest.h"

#include <QString>
#include <QStringList>

namespace Gatehouse::Policies {

// Finds the credential a client presented in its handshake. Pure: no lookups.
//
// Places, in order of precedence (the first one present wins; the others are
// ignored, but never forwarded):
//   1. `Authorization: Bearer TOKEN`
//   2. the API key header (default `apikey`)
//   3. the access token query parameter (default `access_token`, for browsers)
//   4. the API key query parameter (default `apikey`)
// Every query parameter with one of the credential names is listed in
// `queryParameters` so the gateway strips it before forwarding to the backend.
class CredentialExtractor final
{
public:
    enum class Source { None, AuthorizationHeader, ApiKeyHeader, AccessTokenQuery, ApiKeyQuery };

    struct Settings
    {
        bool bearerHeader = true;
        QString apiKeyHeader = QStringLiteral("apikey"); // empty = not accepted
        QString accessTokenQuery = QStringLiteral("access_token"); // empty = not accepted
        QString apiKeyQuery = QStringLiteral("apikey"); // empty = not accepted
    };

    struct Result
    {
        Source source = Source::None;
        QString secret; // empty when none was found
        QString problem; // a malformed credential (e.g. "Authorization: Basic"), when nothing
                         // usable was found
        QStringList
            queryParameters; // credential-carrying query parameter names present in the request
        bool isApiKey() const
        {
            return source == Source::ApiKeyHeader || source == Source::ApiKeyQuery;
        }
        bool found() const { return source != Source::None; }
    };

    static Result extract(const Gateway::HandshakeRequest &request, const Settings &settings);
    // "Authorization header", "apikey header", "access_token query parameter", ...
    static QString describe(Source source, const Settings &settings);
};

} // namespace Gatehouse::Policies
