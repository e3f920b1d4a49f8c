// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mock/mockbehaviour.h"

namespace Gatehouse {

// The echo kind: every message goes back to its sender, with the same opcode.
class EchoBehaviour final : public MockBehaviour
{
public:
    using MockBehaviour::MockBehaviour;
    void handleText(MockConnection *connection, const QString &text) override;
    void handleBinary(MockConnection *connection, const QByteArray &data) override;
};

} // namespace Gatehouse
