// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/portholder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

namespace Gatehouse {

namespace {

// Socket inodes listening on `port`, from /proc/net/tcp and /proc/net/tcp6.
QSet<QString> listeningInodes(quint16 port)
{
    QSet<QString> inodes;
    for (const QString &table :
         {QStringLiteral("/proc/net/tcp"), QStringLiteral("/proc/net/tcp6")}) {
        QFile file(table);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            continue;
        file.readLine(); // header
        while (!file.atEnd()) {
            const QList<QByteArray> fields = file.readLine().simplified().split(' ');
            if (fields.size() < 10)
                continue;
            const QByteArray &local = fields.at(1);
            const qsizetype colon = local.lastIndexOf(':');
            bool ok = false;
            const uint localPort = local.mid(colon + 1).toUInt(&ok, 16);
            if (ok && localPort == port && fields.at(3) == "0A") // 0A = LISTEN
                inodes.insert(QString::fromLatin1(fields.at(9)));
        }
    }
    inodes.remove(QStringLiteral("0"));
    return inodes;
}

} // namespace

QString PortHolder::describe(quint16 port)
{
    const QSet<QString> inodes = listeningInodes(port);
    if (inodes.isEmpty())
        return {};
    QSet<QString> targets;
    for (const QString &inode : inodes)
        targets.insert(QStringLiteral("socket:[%1]").arg(inode));

    const QStringList pids
        = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool numeric = false;
        pid.toUInt(&numeric);
        if (!numeric)
            continue;
        const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
        const QStringList entries = fds.entryList(QDir::System | QDir::NoDotAndDotDot);
        for (const QString &fd : entries) {
            if (!targets.contains(QFileInfo(fds.filePath(fd)).symLinkTarget().section(u'/', -1))
                && !targets.contains(QFile::symLinkTarget(fds.filePath(fd))))
                continue;
            QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
            QString name;
            if (comm.open(QIODevice::ReadOnly))
                name = QString::fromUtf8(comm.readAll()).trimmed();
            return name.isEmpty() ? QStringLiteral("pid %1").arg(pid)
                                  : QStringLiteral("%1 (pid %2)").arg(name, pid);
        }
    }
    return {};
}

} // namespace Gatehouse
