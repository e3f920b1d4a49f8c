// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/savedmessages.h"

#include <QSettings>
#include <QVariantList>
#include <QVariantMap>

namespace Gatehouse {

namespace {

const QString settingsKey = QStringLiteral("client/savedMessages");

} // namespace

SavedMessages::SavedMessages(QObject *parent)
    : QObject(parent)
{
    const QVariantMap all = QSettings().value(settingsKey).toMap();
    for (auto it = all.begin(); it != all.end(); ++it)
        for (const QVariant &v : it.value().toList()) {
            const QVariantMap m = v.toMap();
            const QString name = m.value(QStringLiteral("name")).toString();
            if (!name.isEmpty())
                m_messages[it.key()].append({name, m.value(QStringLiteral("format")).toInt(),
                                             m.value(QStringLiteral("text")).toString()});
        }
}

QList<SavedMessages::Message> SavedMessages::messages(const QString &api) const
{
    return m_messages.value(api);
}

void SavedMessages::save(const QString &api, const Message &message)
{
    QList<Message> &list = m_messages[api];
    auto it = std::find_if(list.begin(), list.end(),
                           [&message](const Message &m) { return m.name == message.name; });
    if (it != list.end())
        *it = message;
    else
        list.append(message);
    write();
    Q_EMIT changed(api);
}

void SavedMessages::remove(const QString &api, const QString &name)
{
    auto it = m_messages.find(api);
    if (it == m_messages.end())
        return;
    it->removeIf([&name](const Message &m) { return m.name == name; });
    if (it->isEmpty())
        m_messages.erase(it);
    write();
    Q_EMIT changed(api);
}

void SavedMessages::write() const
{
    QVariantMap all;
    for (auto it = m_messages.begin(); it != m_messages.end(); ++it) {
        QVariantList list;
        for (const Message &m : it.value())
            list.append(QVariantMap {{QStringLiteral("name"), m.name},
                                     {QStringLiteral("format"), m.format},
                                     {QStringLiteral("text"), m.text}});
        all.insert(it.key(), list);
    }
    QSettings().setValue(settingsKey, all);
}

} // namespace Gatehouse
