// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/echobehaviour.h"

#include "mock/mockconnection.h"

namespace Gatehouse {

void EchoBehaviour::handleText(MockConnection *connection, const QString &text)
{
    connection->sendText(text);
}

void EchoBehaviour::handleBinary(MockConnection *connection, const QByteArray &data)
{
    connection->sendBinary(data);
}

} // namespace Gatehouse
