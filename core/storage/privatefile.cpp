// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/privatefile.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Gatehouse::PrivateFile {

namespace {

bool restrict(const QString &path, bool create, QString *error)
{
    const QByteArray name = QFile::encodeName(path);
    struct stat st = {};
    if (::lstat(name.constData(), &st) != 0) {
        if (errno != ENOENT || !create)
            return true; // nothing there; the writer reports what it cannot open
        const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ::close(fd);
            return true;
        }
        if (errno == EEXIST) // created meanwhile by someone else: check it below
            return restrict(path, false, error);
        if (error)
            *error = QStringLiteral("%1: cannot create: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) == 0)
        return true;
    if (::chmod(name.constData(), st.st_mode & 0700) != 0) {
        if (error)
            *error = QStringLiteral("%1: cannot make it private (mode 0600): %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

} // namespace

bool prepare(const QString &path, QString *error, bool sqliteCompanions)
{
    if (path.isEmpty() || path == u":memory:")
        return true;
    if (!restrict(path, true, error))
        return false;
    if (sqliteCompanions)
        for (const char *suffix : {"-wal", "-shm", "-journal"})
            if (!restrict(path + QLatin1String(suffix), false, error))
                return false;
    return true;
}

} // namespace Gatehouse::PrivateFile
