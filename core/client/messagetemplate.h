// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse::Client {

// Variables in a message to send, filled in at each send:
//   {{uuid}}       a new random UUID
//   {{timestamp}}  milliseconds since 1970 (UTC)
//   {{isoTime}}    the time as ISO 8601 with milliseconds (UTC)
//   {{counter}}    1, 2, 3, ... (per sender)
//   {{random}}     a random whole number from 0 to 999999
//   {{env.NAME}}   the environment variable NAME (an error when it is not set)
// Anything else in double braces is an error, so a typo does not go out unnoticed.
class MessageTemplate final
{
public:
    // The text with its variables filled in; on a problem, `*error` names it and the
    // result is empty.
    static QString expand(const QString &text, quint64 counter, QString *error);
    // Whether the text holds any variable at all.
    static bool hasVariables(const QString &text);
};

} // namespace Gatehouse::Client
