// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/logrecord.h"
#include "api/json.h"

#include <QByteArray>
#include <QString>

namespace Gatehouse::Analytics {

class MessageLogReader;

// The message log written out for other tools: JSON Lines (logrecordjson.h's
// objects), CSV (RFC 4180: a header row, fields quoted where they hold a comma, a
// quote or a line break, lines ended by CRLF) and, for one connection, HAR 1.2 with
// the `_webSocketMessages` array browsers' developer tools read.

// The CSV header row and a row as CSV, each ended by CRLF. Payloads are text as
// they were, binary ones base64 (payload_encoding says so).
QByteArray csvHeader();
QByteArray toCsv(const LogRecord &record);

// Writes every row `filter` selects in the log at `databasePath` to `path`
// (atomically); the number of rows written, or -1 with a one-line error.
qint64 writeJsonLines(const QString &databasePath, const LogFilter &filter, const QString &path,
                      QString *error);
qint64 writeCsv(const QString &databasePath, const LogFilter &filter, const QString &path,
                QString *error);

// One connection as a HAR 1.2 log: an entry for its handshake (request URL =
// `origin` + the path asked for, status 101 or the refusal's status) whose
// `_webSocketMessages` hold its messages as Chrome writes them: type "send" (client
// to gateway) or "receive" (relayed to the client), time in seconds since the epoch,
// opcode 1 (text) or 2 (binary, data in base64), data. Pings and messages the
// gateway did not deliver to the client are left out. An empty `origin` is
// ws://localhost (wss:// for a TLS connection). Null with `error` set when the log
// has nothing of the connection.
Json harOf(MessageLogReader &reader, quint64 connectionId, const QString &origin, QString *error);
// harOf() written to `path` (atomically); the number of messages, or -1 with `error`.
qint64 writeHar(const QString &databasePath, quint64 connectionId, const QString &path,
                QString *error);

} // namespace Gatehouse::Analytics
