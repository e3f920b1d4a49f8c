// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/backendroute.h"

#include <QRegularExpression>
#include <QUrl>

namespace Gatehouse {

namespace {

// {uri.var.NAME} -> {NAME}: the mock matches both spellings the same way.
QString normalizeVariables(QString text)
{
    static const QRegularExpression wso2(QStringLiteral("\\{uri\\.var\\.([^}]*)\\}"));
    return text.replace(wso2, QStringLiteral("{\\1}"));
}

QString decodeQueryComponent(QString text)
{
    text.replace(u'+', u' ');
    return QUrl::fromPercentEncoding(text.toUtf8());
}

} // namespace

BackendRoute::BackendRoute(const QString &routeTemplate, const QString &prefix)
    : m_template(routeTemplate)
{
    QString normalized = normalizeVariables(routeTemplate.trimmed());
    QString path = normalized;
    QString query;
    const qsizetype q = normalized.indexOf(u'?');
    if (q >= 0) {
        path = normalized.left(q);
        query = normalized.mid(q + 1);
    }
    if (!path.startsWith(u'/'))
        path.prepend(u'/');
    QString base = prefix;
    if (base.endsWith(u'/'))
        base.chop(1);
    if (!base.isEmpty() && !base.startsWith(u'/'))
        base.prepend(u'/');
    path = base + path;

    m_path = TopicMatcher(path);
    if (!m_path.isValid()) {
        m_error = m_path.errorString();
        return;
    }
    for (const QString &pair : query.split(u'&', Qt::SkipEmptyParts)) {
        QueryItem item;
        const qsizetype eq = pair.indexOf(u'=');
        item.key = decodeQueryComponent(eq < 0 ? pair : pair.left(eq));
        const QString value = eq < 0 ? QString() : pair.mid(eq + 1);
        if (value.startsWith(u'{') && value.endsWith(u'}') && value.count(u'{') == 1) {
            item.variable = value.mid(1, value.size() - 2);
            if (item.variable.isEmpty()) {
                m_error = QStringLiteral("route '%1': empty {} in the query").arg(routeTemplate);
                return;
            }
        } else if (value.contains(u'{') || value.contains(u'}')) {
            m_error = QStringLiteral("route '%1': a query value must be literal or one {variable}")
                          .arg(routeTemplate);
            return;
        } else {
            item.literal = decodeQueryComponent(value);
        }
        m_query.append(item);
    }
}

QStringList BackendRoute::variables() const
{
    QStringList names = m_path.parameterNames();
    for (const QueryItem &item : m_query)
        if (!item.variable.isEmpty())
            names.append(item.variable);
    return names;
}

int BackendRoute::specificity() const
{
    int score = m_path.specificity();
    for (const QueryItem &item : m_query)
        score += item.variable.isEmpty() ? 2 : 1;
    return score;
}

std::optional<QMap<QString, QString>> BackendRoute::match(const QString &pathAndQuery) const
{
    if (!isValid())
        return std::nullopt;
    const qsizetype q = pathAndQuery.indexOf(u'?');
    const QString path = q < 0 ? pathAndQuery : pathAndQuery.left(q);
    auto parameters = m_path.match(path);
    if (!parameters)
        return std::nullopt;

    QMap<QString, QString> query;
    if (q >= 0) {
        for (const QString &pair : pathAndQuery.mid(q + 1).split(u'&', Qt::SkipEmptyParts)) {
            const qsizetype eq = pair.indexOf(u'=');
            const QString key = decodeQueryComponent(eq < 0 ? pair : pair.left(eq));
            if (!query.contains(key))
                query.insert(key, decodeQueryComponent(eq < 0 ? QString() : pair.mid(eq + 1)));
        }
    }
    for (const QueryItem &item : m_query) {
        const auto it = query.constFind(item.key);
        if (it == query.constEnd())
            return std::nullopt;
        if (item.variable.isEmpty()) {
            if (*it != item.literal)
                return std::nullopt;
        } else {
            if (it->isEmpty())
                return std::nullopt;
            parameters->insert(item.variable, *it);
        }
    }
    return parameters;
}

} // namespace Gatehouse
