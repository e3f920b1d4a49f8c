// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mock/mockbehaviour.h"

#include <memory>

QT_BEGIN_NAMESPACE
class QTimer;
QT_END_NAMESPACE

namespace Gatehouse {

// The broadcast kind: every message goes to every other client connected to the
// same path (path and query), with the same opcode; optionally the server time
// (ISO 8601, UTC) to every client at a fixed interval.
class BroadcastBehaviour final : public MockBehaviour
{
public:
    BroadcastBehaviour(MockServer *server, bool serverTime, int intervalMs);
    ~BroadcastBehaviour() override;

    void start() override;
    void handleText(MockConnection *connection, const QString &text) override;
    void handleBinary(MockConnection *connection, const QByteArray &data) override;

private:
    bool m_serverTime;
    int m_intervalMs;
    std::unique_ptr<QTimer> m_timer;
};

} // namespace Gatehouse
