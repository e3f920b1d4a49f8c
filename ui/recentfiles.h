// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

class QSettings;

namespace Gatehouse {

// The most recently opened API documents, newest first, kept in QSettings.
// Files that no longer exist are pruned when the list is read.
class RecentFiles final
{
public:
    static constexpr int MaxCount = 10;

    // `settings` is not owned; nullptr uses the application's default QSettings.
    explicit RecentFiles(QSettings *settings = nullptr);

    QStringList files() const;
    // Moves `path` (made absolute) to the front; resource paths (:/...) are ignored.
    void add(const QString &path);
    void remove(const QString &path);
    void clear();

private:
    QStringList read() const;
    void write(const QStringList &files) const;

    QSettings *m_settings;
};

} // namespace Gatehouse
