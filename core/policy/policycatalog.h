// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "api/policy.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gatehouse::Policies {

// One setting of a policy type, as the x-gatehouse schema describes it
// (definitions/policySettings): what it does, its default, and what kind of value it
// takes, so that a form can offer the right control and turn what is typed into the
// value the policy reads.
struct PolicySetting
{
    enum class Kind {
        Boolean, // true / false
        Choice, // one of `choices` (strings or integers as written in the schema)
        Integer,
        Number,
        Text,
        NameOrFalse, // a header or parameter name, or false for none
        Size, // bytes: a number or "64KiB"
        Duration, // milliseconds: a number or "250ms", "5s"
        Seconds, // seconds: a number, or a duration "30s"
        TextList, // a list of strings
        Structured, // an object or a list of objects, written as YAML
    };

    QString key;
    Kind kind = Kind::Text;
    QString format; // the schema's "format" ("size", "regex", ...)
    QString help;
    Json defaultValue; // null when the schema names none
    QList<Json> choices;
    std::optional<double> minimum;
    std::optional<double> maximum;

    // The default as a user reads it ("1MiB", "true", "none").
    QString defaultText() const;
};

struct PolicyType
{
    QString type; // "rateLimit"
    QString title; // "Rate limit"
    QString description;
    QList<PolicySetting> settings;

    const PolicySetting *setting(const QString &key) const;
};

// The policy types and their settings, and the mock's, read once from the x-gatehouse
// schema.
class PolicyCatalog final
{
public:
    static const QList<PolicyType> &types();
    static const PolicyType *type(const QString &type);
    // The settings of the built-in mock (x-gatehouse.mock as an object); the members
    // of its broadcast and chat objects as "broadcast/serverTime", "chat/room", ...
    static const QList<PolicySetting> &mockSettings();

    // The JSON value `text` (as typed in a form) stands for, or nothing with a
    // one-line reason ("expected a size such as 64KiB or a number of bytes, got
    // \"big\""). Empty text is not a value (the caller removes the setting). Not for
    // Structured settings, which are YAML fragments.
    static std::optional<Json> valueOf(const PolicySetting &setting, const QString &text,
                                       QString *error = nullptr);
    // What a form shows for a value of the setting (a list one item per line).
    static QString textOf(const PolicySetting &setting, const Json &value);
    // One line about a declared policy: "Rate limit: mode hard, anonymousEvents 60",
    // "Size limit: off".
    static QString summary(const Policy &policy);
};

} // namespace Gatehouse::Policies
