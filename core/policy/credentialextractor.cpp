// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/credentialextractor.h"

namespace Gatehouse::Policies {

namespace {

bool isBearerWithoutToken(const QByteArray &value)
{
    return value.compare("bearer", Qt::CaseInsensitive) == 0;
}

// Why an Authorization value is not taken. Only a registered scheme name is quoted:
// a value sent without "Bearer " is the secret itself, and no part of it belongs
// in a reason (reasons reach the logs and the client).
QString unsupportedScheme(const QByteArray &value)
{
    static const QList<QByteArrayView> known
        = {"Basic",       "Digest",        "DPoP",      "GNAP",
           "HOBA",        "Mutual",        "Negotiate", "NTLM",
           "OAuth",       "PrivateToken",  "Token",     "ApiKey",
           "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid",     "AWS4-HMAC-SHA256"};
    const qsizetype space = value.indexOf(' ');
    const QByteArrayView scheme = QByteArrayView(value).first(space < 0 ? value.size() : space);
    for (QByteArrayView k : known)
        if (scheme.compare(k, Qt::CaseInsensitive) == 0)
            return QStringLiteral("unsupported Authorization scheme \"%1\" (use Bearer)")
                .arg(QString::fromLatin1(k));
    return QStringLiteral("the Authorization header is not \"Bearer TOKEN\"");
}

} // namespace

CredentialExtractor::Result CredentialExtractor::extract(const Gateway::HandshakeRequest &request,
                                                         const Settings &settings)
{
    Result result;
    for (const auto &[name, value] : request.query) {
        Q_UNUSED(value);
        const bool isCredential
            = (!settings.accessTokenQuery.isEmpty() && name == settings.accessTokenQuery)
            || (!settings.apiKeyQuery.isEmpty() && name == settings.apiKeyQuery);
        if (isCredential && !result.queryParameters.contains(name))
            result.queryParameters.append(name);
    }

    auto take = [&result](Source source, const QString &secret) {
        result.source = source;
        result.secret = secret;
        result.problem.clear();
    };

    if (settings.bearerHeader && request.hasHeader("Authorization")) {
        const QByteArray value = request.header("Authorization").trimmed();
        const QByteArray token = request.bearerToken();
        if (!token.isEmpty()) {
            take(Source::AuthorizationHeader, QString::fromLatin1(token));
            return result;
        }
        result.problem = isBearerWithoutToken(value)
            ? QStringLiteral("empty bearer token in the Authorization header")
            : unsupportedScheme(value);
    }
    if (!settings.apiKeyHeader.isEmpty() && request.hasHeader(settings.apiKeyHeader.toLatin1())) {
        const QByteArray key = request.header(settings.apiKeyHeader.toLatin1()).trimmed();
        if (!key.isEmpty()) {
            take(Source::ApiKeyHeader, QString::fromLatin1(key));
            return result;
        }
        if (result.problem.isEmpty())
            result.problem = QStringLiteral("empty %1 header").arg(settings.apiKeyHeader);
    }
    auto fromQuery = [&](const QString &name, Source source) {
        if (name.isEmpty())
            return false;
        const auto value = request.queryValue(name);
        if (!value)
            return false;
        if (value->isEmpty()) {
            if (result.problem.isEmpty())
                result.problem = QStringLiteral("empty %1 query parameter").arg(name);
            return false;
        }
        take(source, *value);
        return true;
    };
    if (fromQuery(settings.accessTokenQuery, Source::AccessTokenQuery))
        return result;
    fromQuery(settings.apiKeyQuery, Source::ApiKeyQuery);
    return result;
}

QString CredentialExtractor::describe(Source source, const Settings &settings)
{
    switch (source) {
    case Source::None:
        return QStringLiteral("no credential");
    case Source::AuthorizationHeader:
        return QStringLiteral("Authorization header");
    case Source::ApiKeyHeader:
        return QStringLiteral("%1 header").arg(settings.apiKeyHeader);
    case Source::AccessTokenQuery:
        return QStringLiteral("%1 query parameter").arg(settings.accessTokenQuery);
    case Source::ApiKeyQuery:
        return QStringLiteral("%1 query parameter").arg(settings.apiKeyQuery);
    }
    return {};
}

} // namespace Gatehouse::Policies
