// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse::Analytics {

// The message log's schema version, kept in the file's user_version: 1 had a row per
// message (log_messages), 2 packs messages into blocks; 0 is a file of a build that
// did not write the version yet (read as 1 or 2 by its tables).
class LogSchema final
{
public:
    static constexpr int Version = 2;

    // Looks at an existing message log before anything is read from or written to it,
    // through a read-only connection of its own: false with a one-line reason (without
    // the path) when the file is no SQLite database or a damaged one, was written by a
    // newer Gatehouse, or stays locked by another program for busyTimeoutMs. A missing
    // or empty file passes (it becomes a new log).
    static bool check(const QString &path, int busyTimeoutMs, QString *why);
};

} // namespace Gatehouse::Analytics
