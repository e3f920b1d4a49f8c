// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace Gatehouse {

class MockConnection;
class MockServer;

// What a mock kind does with its clients. MockServer calls these as connections
// open, send and close; the behaviour answers through MockConnection and finds the
// other clients through MockServer::connections().
class MockBehaviour
{
public:
    explicit MockBehaviour(MockServer *server)
        : m_server(server)
    { }
    virtual ~MockBehaviour() = default;
    MockBehaviour(const MockBehaviour &) = delete;
    MockBehaviour &operator=(const MockBehaviour &) = delete;

    virtual void start() { }
    virtual void handleOpened(MockConnection *) { }
    virtual void handleText(MockConnection *, const QString &) { }
    virtual void handleBinary(MockConnection *, const QByteArray &) { }
    virtual void handleClosed(MockConnection *) { }

protected:
    MockServer *server() const { return m_server; }

private:
    MockServer *m_server;
};

} // namespace Gatehouse
