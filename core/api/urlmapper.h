// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gatehouse {

// Renders an x-uri-mapping template such as /rooms?room={uri.var.roomID} with the
// parameters a TopicMatcher found (roomID=room1 -> /rooms?room=room1).
//
// Placeholders are {uri.var.NAME} (WSO2's form) or {NAME}. Values are
// percent-encoded for where they land: in the path everything but RFC 3986
// unreserved characters is encoded (a '/' in a value becomes %2F and cannot add a
// segment); in the query '&', '=', '+', '#' and spaces are encoded too. Literal text
// of the template is kept as written.
class UrlMapper
{
public:
    UrlMapper() = default;
    explicit UrlMapper(const QString &mappingTemplate);

    bool isValid() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    QString mappingTemplate() const { return m_template; }
    // Names of the variables the template uses (without "uri.var."), in order.
    QStringList variables() const;

    // The rendered path and query (e.g. /rooms?room=room1); nullopt, with `error`
    // set, when a variable has no value.
    std::optional<QString> render(const QMap<QString, QString> &parameters,
                                  QString *error = nullptr) const;

    static QString encodePathSegment(const QString &value);
    static QString encodeQueryComponent(const QString &value);

private:
    struct Piece
    {
        QString literal; // used when variable is empty
        QString variable;
        bool inQuery = false;
    };

    QString m_template;
    QString m_error;
    QList<Piece> m_pieces;
};

} // namespace Gatehouse
