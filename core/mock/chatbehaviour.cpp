// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/chatbehaviour.h"

#include "mock/mockconnection.h"
#include "mock/mockserver.h"

namespace Gatehouse {

ChatBehaviour::ChatBehaviour(MockServer *server, const MockConfig &config)
    : MockBehaviour(server)
    , m_config(config)
{ }

QString ChatBehaviour::roomOf(const MockConnection *connection)
{
    const auto parameters = connection->parameters();
    if (parameters.contains(QStringLiteral("room")))
        return parameters.value(QStringLiteral("room"));
    return parameters.isEmpty() ? QString() : parameters.first();
}

QString ChatBehaviour::fill(const QString &text, const QString &room) const
{
    QString out = text;
    return out.replace(QStringLiteral("{room}"), room);
}

void ChatBehaviour::handleOpened(MockConnection *connection)
{
    if (connection->routeName() == u"notifications") {
        connection->sendText(m_config.subscribedText);
        return;
    }
    if (connection->routeName() != u"room")
        return;
    const QString room = roomOf(connection);
    connection->sendText(fill(m_config.joinedText, room));
    const QString notice = fill(m_config.someoneJoinedText, room);
    for (MockConnection *c : server()->connections())
        if (c->routeName() == u"notifications")
            c->sendText(notice);
}

void ChatBehaviour::handleText(MockConnection *connection, const QString &text)
{
    if (connection->routeName() != u"room")
        return; // notifications is one-way, as in the tutorial's backend
    const QString room = roomOf(connection);
    for (MockConnection *c : server()->connections())
        if (c != connection && c->routeName() == u"room" && roomOf(c) == room)
            c->sendText(text);
}

void ChatBehaviour::handleBinary(MockConnection *connection, const QByteArray &data)
{
    if (connection->routeName() != u"room")
        return;
    const QString room = roomOf(connection);
    for (MockConnection *c : server()->connections())
        if (c != connection && c->routeName() == u"room" && roomOf(c) == room)
            c->sendBinary(data);
}

} // namespace Gatehouse
