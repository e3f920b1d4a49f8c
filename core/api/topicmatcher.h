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
//
// What goes to a backend is rebuilt from the template (render), never the client's
// raw path, and the gateway refuses values that a backend could read as a path of
// its own (refusedValue).
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
    std::optional<QMap<QString, QString>> match(QStringView path) const;

    // The path of this template with `parameters` in place, each literal and value
    // percent-encoded as one path segment (UrlMapper::encodePathSegment): what the
    // client's path means, in one canonical spelling. "/" for the root template.
    QString render(const QMap<QString, QString> &parameters) const;

    // Why a decoded parameter value must not be sent on to a backend, in one line
    // naming `name`; empty when it may. Refused: a dot segment ("." or ".."), and
    // '/' or '\' unless `separatorsAllowed`, in the value itself or in what it
    // decodes to once more (for backends that decode twice).
    static QString refusedValue(const QString &name, const QString &value,
                                bool separatorsAllowed = false);

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
    QString m_literalPath; // render()'s result when there is no parameter
};

} // namespace Gatehouse
