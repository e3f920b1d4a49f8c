// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

namespace Gatehouse {

// Messages a tester named and saved to send again, per API: every client tab of the
// same API offers them. Their text keeps its variables ({{uuid}}, {{env.NAME}}, ...),
// filled in when sent. Kept in the settings (QSettings), so they come back after a
// restart.
class SavedMessages final : public QObject
{
    Q_OBJECT
public:
    struct Message
    {
        QString name;
        int format = 0; // ClientTab::Format
        QString text;
    };

    explicit SavedMessages(QObject *parent = nullptr);

    QList<Message> messages(const QString &api) const;
    // Adds the message, or replaces the one of the same name.
    void save(const QString &api, const Message &message);
    void remove(const QString &api, const QString &name);

Q_SIGNALS:
    void changed(const QString &api);

private:
    void write() const;

    QMap<QString, QList<Message>> m_messages;
};

} // namespace Gatehouse
