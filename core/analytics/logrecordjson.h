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
// A row as one JSON object (time as ISO 8601 UTC, kind, connection, labels, and what
// the kind has: status and addresses, direction and payload, close code and counts);
// `gatehouse-cli log --json` and the window's exports write these (logexport.h).
Json toJson(const LogRecord &record);

} // namespace Gatehouse::Analytics
