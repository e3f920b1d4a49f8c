// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mock/mockbehaviour.h"
#include "mock/mockconfig.h"

namespace Gatehouse {

// The chat kind, the backend of the WSO2 WebSocket tutorial: a client on the
// notifications path is greeted and told when someone joins a room; a client on the
// room path (/rooms?room=ID) is told it joined, and its messages reach every other
// member of that room. Route names "notifications" and "room" come from MockServer.
class ChatBehaviour final : public MockBehaviour
{
public:
    ChatBehaviour(MockServer *server, const MockConfig &config);

    void handleOpened(MockConnection *connection) override;
    void handleText(MockConnection *connection, const QString &text) override;
    void handleBinary(MockConnection *connection, const QByteArray &data) override;

    static QString roomOf(const MockConnection *connection);

private:
    QString fill(const QString &text, const QString &room) const;

    MockConfig m_config;
};

} // namespace Gatehouse
