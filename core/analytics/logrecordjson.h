// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/logrecord.h"
#include "api/json.h"

#include <QList>
#include <QString>

namespace Gatehouse::Analytics {

// What a row of the message log is: "opened", "rejected", "message", "dropped",
// "throttled" or "closed".
QString kindName(const LogRecord &record);
// The kind names a filter can ask for: kindName()'s, then "handshake" (opened and
// rejected) and "close".
QStringList kindNames();
// Sets `filter`'s kinds, handshakes and actions to pass the rows of these kind
// names (kindNames(); "message" is a relayed message) and nothing else; an empty
// list passes every row. False, with `error` naming the first unknown name and
// the filter untouched, when a name is not one of them.
bool selectKinds(LogFilter *filter, const QStringList &names, QString *error = nullptr);
// A row as one JSON object (time as ISO 8601 UTC, kind, connection, labels, and what
// the kind has: status and addresses, direction and payload, close code and counts);
// `gatehouse-cli log --json` and the window's exports write these (logexport.h).
Json toJson(const LogRecord &record);

} // namespace Gatehouse::Analytics
