// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gatehouse {

// Matches request paths against a channel address template such as
// /rooms/{roomID}, yielding the parameters (roomID=room1).
//
// A template is split at '/'; each segment is literal text with at most one
// {parameter}, optionally between a literal prefix and suffix (room-{id}.json).
// A request path is split at '/' before percent-decoding, so an encoded slash
// (%2F) stays inside its parameter. Segments are compared after decoding (UTF-8).
// One trailing slash on either side is ignored. A parameter never matches an empty
// value, "." or "..", so mapped backend paths cannot be walked upwards.
class TopicMatcher
{
public:
    TopicMatcher() = default;
    explicit TopicMatcher(const QString &addressTemplate);

    bool isValid() const { return m_error.isEmpty(); }
    // Why the template is not valid, in one line; empty when valid.
    QString errorString() const { return m_error; }
    QString addressTemplate() const { return m_template; }
    QStringList parameterNames() const;
    // Higher for more literal templates; used to prefer /rooms/lobby over /rooms/{id}.
    int specificity() const;

    // `path` is the raw request path (percent-encoded); a query (?...) is ignored.
    // Returns the decoded parameters, or nullopt when the path does not match.
    std::optional<QMap<QString, QString>> match(const QString &path) const;

    // Percent-decodes one path segment as UTF-8; nullopt when the encoding or the
    // UTF-8 is invalid.
    static std::optional<QString> decodeSegment(QStringView segment);

private:
    struct Segment
    {
        QString prefix; // the whole segment when there is no parameter
        QString parameter; // empty: literal segment
        QString suffix;
    };

    QString m_template;
    QString m_error;
    QList<Segment> m_segments;
};

} // namespace Gatehouse
