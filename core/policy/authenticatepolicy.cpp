// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/authenticatepolicy.h"

#include <QUrlQuery>

namespace Gatehouse::Policies {

using Gateway::ConnectionDecision;

namespace {

QByteArray quoted(const QString &s)
{
    QString escaped = s;
    escaped.replace(u'\\', QStringLiteral("\\\\"));
    escaped.replace(u'"', QStringLiteral("\\\""));
    // header values must stay on one line and in Latin-1
    escaped.replace(u'\r', u' ');
    escaped.replace(u'\n', u' ');
    return '"' + escaped.toLatin1() + '"';
}

} // namespace

AuthenticatePolicy::Settings AuthenticatePolicy::parse(PolicyConfig &config)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"),
                      QStringLiteral("bearerHeader"), QStringLiteral("apiKeyHeader"),
                      QStringLiteral("accessTokenQuery"), QStringLiteral("apiKeyQuery"),
                      QStringLiteral("realm"), QStringLiteral("strictPlaces")});
    Settings s;
    s.places.bearerHeader = config.boolean(QStringLiteral("bearerHeader"), true);
    auto name = [&config](const QString &key, const QString &fallback) {
        const Json *v = config.value(key);
        if (v && v->is_boolean() && !v->get<bool>())
            return QString(); // false = this place is not accepted
        const QString n = config.string(key, fallback);
        for (QChar c : n) {
            if (c.unicode() <= 0x20 || c.unicode() >= 0x7f
                || QStringLiteral("()<>@,;:\\\"/[]?={}").contains(c)) {
                config.fail(
                    key, QStringLiteral("\"%1\" is not a valid header or parameter name").arg(n));
                return fallback;
            }
        }
        return n;
    };
    s.places.apiKeyHeader = name(QStringLiteral("apiKeyHeader"), s.places.apiKeyHeader);
    s.places.accessTokenQuery = name(QStringLiteral("accessTokenQuery"), s.places.accessTokenQuery);
    s.places.apiKeyQuery = name(QStringLiteral("apiKeyQuery"), s.places.apiKeyQuery);
    s.realm = config.string(QStringLiteral("realm"), s.realm);
    s.strictPlaces = config.boolean(QStringLiteral("strictPlaces"), true);
    return s;
}

AuthenticatePolicy::AuthenticatePolicy(const Settings &settings, CredentialVerifier verifier)
    : m_settings(settings)
    , m_verifier(std::move(verifier))
    , m_apiKeyHeaderLower(settings.places.apiKeyHeader.toLatin1().toLower())
{ }

bool AuthenticatePolicy::isOpen(const Api &api, const Channel &channel)
{
    if (!channel.authType.isEmpty())
        return channel.authType.compare(u"None", Qt::CaseInsensitive) == 0;
    // 2.x: open only when every operation says None; one that says nothing is Any
    const QList<const Operation *> ops = api.operationsOn(channel.id);
    if (ops.isEmpty())
        return false;
    for (const Operation *op : ops)
        if (op->authType.compare(u"None", Qt::CaseInsensitive) != 0)
            return false;
    return true;
}

QStringList AuthenticatePolicy::requiredScopes(const Api &api, const Channel &channel)
{
    QStringList scopes;
    for (const Operation *op : api.operationsOn(channel.id))
        for (const QString &s : op->scopes)
            if (!scopes.contains(s))
                scopes.append(s);
    return scopes;
}

ConnectionDecision AuthenticatePolicy::unauthorized(const QString &reason,
                                                    const QString &error) const
{
    QByteArray challenge = "Bearer realm=" + quoted(m_settings.realm);
    if (!error.isEmpty())
        challenge += ", error=" + quoted(error) + ", error_description=" + quoted(reason);
    return ConnectionDecision::reject(401, reason,
                                      {{QByteArrayLiteral("WWW-Authenticate"), challenge}});
}

ConnectionDecision AuthenticatePolicy::evaluate(Gateway::ConnectionContext &context)
{
    const CredentialExtractor::Result found
        = CredentialExtractor::extract(context.request, m_settings.places);

    // Never forward credentials to the backend, whatever happens next.
    if (!found.queryParameters.isEmpty())
        context.attributes.insert(QString::fromLatin1(CredentialQueryAttribute),
                                  found.queryParameters);

    const Api *api = context.route.api.get();
    const Channel *channel = context.route.channel;
    if (api && channel && isOpen(*api, *channel))
        return ConnectionDecision::allow();

    if (!found.found()) {
        if (!found.problem.isEmpty())
            return unauthorized(found.problem, QStringLiteral("invalid_request"));
        QStringList places;
        if (m_settings.places.bearerHeader)
            places.append(QStringLiteral("Authorization: Bearer TOKEN"));
        if (!m_settings.places.accessTokenQuery.isEmpty())
            places.append(QStringLiteral("?%1=TOKEN").arg(m_settings.places.accessTokenQuery));
        if (!m_settings.places.apiKeyHeader.isEmpty())
            places.append(
                QStringLiteral("an API key in the %1 header").arg(m_settings.places.apiKeyHeader));
        if (!m_settings.places.apiKeyQuery.isEmpty())
            places.append(QStringLiteral("?%1=KEY").arg(m_settings.places.apiKeyQuery));
        return unauthorized(
            QStringLiteral("missing credentials: send %1").arg(places.join(QStringLiteral(" or "))),
            {});
    }

    if (!m_verifier || !api)
        return ConnectionDecision::reject(
            503, QStringLiteral("no credential store is available to check credentials"));

    CredentialCheck check = m_verifier(found.secret, *api);
    switch (check.outcome) {
    case CredentialCheck::Outcome::Ok:
        break;
    case CredentialCheck::Outcome::Unauthenticated:
        return unauthorized(check.reason.isEmpty() ? QStringLiteral("invalid credentials")
                                                   : check.reason,
                            QStringLiteral("invalid_token"));
    case CredentialCheck::Outcome::Forbidden:
        return ConnectionDecision::reject(
            403, check.reason.isEmpty() ? QStringLiteral("forbidden") : check.reason);
    case CredentialCheck::Outcome::Unavailable:
        return ConnectionDecision::reject(
            503,
            check.reason.isEmpty() ? QStringLiteral("the credential store is unavailable")
                                   : check.reason);
    }

    const QString &kind = check.identity.credentialKind;
    if (m_settings.strictPlaces && !kind.isEmpty()) {
        const bool isKey = kind.compare(u"apiKey", Qt::CaseInsensitive) == 0;
        if (isKey && !found.isApiKey())
            return unauthorized(
                QStringLiteral("an API key must be sent in the %1")
                    .arg(m_settings.places.apiKeyHeader.isEmpty()
                             ? QStringLiteral("%1 query parameter")
                                   .arg(m_settings.places.apiKeyQuery)
                             : QStringLiteral("%1 header").arg(m_settings.places.apiKeyHeader)),
                QStringLiteral("invalid_token"));
        if (!isKey && found.isApiKey())
            return unauthorized(
                QStringLiteral("an access token must be sent as Authorization: Bearer TOKEN"),
                QStringLiteral("invalid_token"));
    }

    if (channel) {
        QStringList missing;
        for (const QString &scope : requiredScopes(*api, *channel))
            if (!check.identity.scopes.contains(scope))
                missing.append(scope);
        if (!missing.isEmpty()) {
            const QByteArray challenge = "Bearer realm=" + quoted(m_settings.realm)
                + ", error=\"insufficient_scope\", scope=" + quoted(missing.join(u' '));
            return ConnectionDecision::reject(
                403, QStringLiteral("missing scope: %1").arg(missing.join(QStringLiteral(", "))),
                {{QByteArrayLiteral("WWW-Authenticate"), challenge}});
        }
    }

    // Only the credential that was verified may reach the backend (forwardHeaders):
    // the other places held something nobody checked.
    if (found.source != CredentialExtractor::Source::AuthorizationHeader)
        context.withheldHeaders.append(QByteArrayLiteral("authorization"));
    if (found.source != CredentialExtractor::Source::ApiKeyHeader
        && !m_settings.places.apiKeyHeader.isEmpty())
        context.withheldHeaders.append(m_apiKeyHeaderLower);
    context.identity = std::move(check.identity); // (nothing reads it after this)
    if (check.plan) {
        context.identity.plan = check.plan->name;
        Gateway::ConnectionContext::Plan &plan = context.plan;
        plan.known = true;
        plan.name = check.plan->name;
        plan.events = check.plan->events;
        switch (check.plan->unit) {
        case Plan::Unit::Second:
            plan.unitMs = 1000;
            break;
        case Plan::Unit::Minute:
            plan.unitMs = 60'000;
            break;
        case Plan::Unit::Hour:
            plan.unitMs = 3'600'000;
            break;
        case Plan::Unit::Day:
            plan.unitMs = 86'400'000;
            break;
        }
        plan.maxConnections = check.plan->maxConnections;
    }
    return ConnectionDecision::allow();
}

} // namespace Gatehouse::Policies
