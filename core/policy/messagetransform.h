// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "policy/policyconfig.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>

namespace Gatehouse::Policies {

// A list of edits applied to a text message, in order, without code:
//   {set: "/a/b", value: X}        set a JSON field (intermediate objects are created)
//   {remove: "/a/b"}               remove a JSON field
//   {rename: "/a", to: "/b"}       move a JSON field
//   {envelope: "data", with: {..}} wrap the JSON payload: {"data": payload, ...with}
//   {prepend: "text"} / {append: "text"}
//   {replace: "regex", with: "text"}  (\1 ... refer to groups)
// JSON edits apply only to payloads that parse as JSON; others pass them by
// unchanged. Binary messages are never changed.
class MessageTransform final
{
public:
    struct Step
    {
        enum class Kind { Set, Remove, Rename, Envelope, Prepend, Append, Replace };
        Kind kind = Kind::Set;
        std::string pointer; // Set, Remove, Rename (from)
        std::string target; // Rename (to)
        std::string key; // Envelope
        Json value; // Set: the value; Envelope: extra members (object or null)
        QString text; // Prepend, Append, Replace (with)
        QRegularExpression pattern; // Replace
        bool isJson() const
        {
            return kind == Kind::Set || kind == Kind::Remove || kind == Kind::Rename
                || kind == Kind::Envelope;
        }
    };

    // Reads a list of steps; errors name the step and key.
    static MessageTransform parse(PolicyConfig &config, const QString &key);

    MessageTransform() = default;
    explicit MessageTransform(QList<Step> steps);

    bool isEmpty() const { return m_steps.isEmpty(); }
    qsizetype size() const { return m_steps.size(); }

    // Applies the steps to a text payload; returns true when it changed.
    bool apply(QByteArray &payload) const;

private:
    QList<Step> m_steps;
};

} // namespace Gatehouse::Policies
