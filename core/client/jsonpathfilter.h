// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace Gatehouse::Client {

// A filter on JSON messages written as a path and an optional comparison:
//   $.type                 the member exists
//   $.type == "join"       it equals a JSON value (a bare word is a string)
//   $.user.id != 42        it differs (or is missing)
//   $.items[0].name == ann
//   $["odd key"] == 1
// Messages that are not JSON never match.
class JsonPathFilter final
{
public:
    // The filter, or std::nullopt with `*error` saying what is wrong and where.
    static std::optional<JsonPathFilter> parse(const QString &text, QString *error);
    // Whether a filter text is meant as a JSON path (it starts with "$").
    static bool looksLikePath(const QString &text);

    bool matches(const QByteArray &message) const;
    bool matches(const Json &value) const;

private:
    enum class Op { Exists, Equals, Differs };
    QList<std::variant<QString, qsizetype>> m_path; // member names and array indexes
    Op m_op = Op::Exists;
    Json m_value;
};

} // namespace Gatehouse::Client
