// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/topicmatcher.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gatehouse {

// A backend path a mock serves, written like an x-uri-mapping
// (/rooms?room={uri.var.roomID}) or a channel address (/rooms/{roomID}), matched
// against the path and query a client connects to.
//
// The path part follows TopicMatcher; the query part lists `key=value` pairs where
// the value is literal text or one {variable}. Every key of the template must be
// present in the request (in any order); other request keys are ignored.
class BackendRoute
{
public:
    BackendRoute() = default;
    // `prefix` is the path of the backend endpoint (ws://host:8080/base -> /base),
    // prepended to the template.
    explicit BackendRoute(const QString &routeTemplate, const QString &prefix = {});

    bool isValid() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    QString routeTemplate() const { return m_template; }
    QStringList variables() const;
    int specificity() const;

    // `pathAndQuery` as sent in the request line, percent-encoded.
    std::optional<QMap<QString, QString>> match(const QString &pathAndQuery) const;

private:
    struct QueryItem
    {
        QString key;
        QString literal;
        QString variable; // empty: literal value
    };

    QString m_template;
    QString m_error;
    TopicMatcher m_path;
    QList<QueryItem> m_query;
};

} // namespace Gatehouse
