// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse::PrivateFile {

// Makes `path` a file only its owner can read and write (mode 0600) before a writer
// opens it: a missing file is created empty with that mode (so it is never readable
// by others, whatever the umask), an existing regular file loses its group and other
// permission bits. SQLite creates a database's -wal, -shm and -journal files with the
// database file's mode; existing ones are restricted here too. Anything that is not a
// regular file (a terminal, /dev/stdout, a pipe) is left alone. False, with `error`
// set to one line naming the file, when the mode cannot be set.
bool prepare(const QString &path, QString *error = nullptr, bool sqliteCompanions = false);

} // namespace Gatehouse::PrivateFile
