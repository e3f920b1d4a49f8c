// SPDX-License-Identifier: GPL-3.0-or-later
#include "recentfiles.h"

#include <QFileInfo>
#include <QSettings>

namespace Gatehouse {

namespace {
const QString settingsKey = QStringLiteral("recentFiles");
}

RecentFiles::RecentFiles(QSettings *settings)
    : m_settings(settings)
{ }

QStringList RecentFiles::read() const
{
    if (m_settings)
        return m_settings->value(settingsKey).toStringList();
    return QSettings().value(settingsKey).toStringList();
}

void RecentFiles::write(const QStringList &files) const
{
    if (m_settings) {
        m_settings->setValue(settingsKey, files);
        return;
    }
    QSettings settings;
    settings.setValue(settingsKey, files);
}

QStringList RecentFiles::files() const
{
    const QStringList stored = read();
    QStringList existing;
    for (const QString &file : stored)
        if (!file.isEmpty() && QFileInfo(file).isFile() && !existing.contains(file))
            existing.append(file);
    while (existing.size() > MaxCount)
        existing.removeLast();
    if (existing != stored)
        write(existing);
    return existing;
}

void RecentFiles::add(const QString &path)
{
    if (path.isEmpty() || path.startsWith(QLatin1Char(':')))
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = read();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > MaxCount)
        list.removeLast();
    write(list);
}

void RecentFiles::remove(const QString &path)
{
    QStringList list = read();
    list.removeAll(QFileInfo(path).absoluteFilePath());
    list.removeAll(path);
    write(list);
}

void RecentFiles::clear()
{
    write({});
}

} // namespace Gatehouse
