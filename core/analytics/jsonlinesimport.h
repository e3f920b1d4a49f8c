// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <atomic>

namespace Gatehouse::Analytics {

// A JSON Lines log as `gatehouse-cli serve --log-file` writes it (an event a line,
// gatewayeventjson.h) read into a message log database, so that it is read,
// filtered and exported as the gateway's SQLite log is (MessageLogReader).
// Lines that are not an event are passed over and reported, one line each, as
// "messages.jsonl:17: not JSON: ..." or "messages.jsonl:18: not a gateway event".
class JsonLinesImport final
{
public:
    static constexpr int MaxProblems = 1000; // reported; the rest are only counted

    // Reads `jsonLinesPath` into a new message log at `databasePath` (a file that
    // must not exist yet). False with a one-line `error` when the file cannot be
    // read or the database written; broken lines are not errors. `cancel`, when
    // set from another thread, stops it (false, "cancelled").
    bool run(const QString &jsonLinesPath, const QString &databasePath, QString *error,
             const std::atomic<bool> *cancel = nullptr);

    qint64 events() const { return m_events; }
    qint64 brokenLines() const { return m_brokenLines; }
    // At most MaxProblems of them, in line order.
    const QStringList &problems() const { return m_problems; }

private:
    qint64 m_events = 0;
    qint64 m_brokenLines = 0;
    QStringList m_problems;
};

} // namespace Gatehouse::Analytics
