// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mock/messagecatalog.h"
#include "mock/mockbehaviour.h"

#include <QStringList>

#include <memory>

namespace Gatehouse {

struct Operation;

// The examples kind, driven by the AsyncAPI document. On every connection it pushes
// the messages of the channel's send operations (examples in turn, or values
// generated from the schema) at the channel's interval; it checks what clients send
// against the messages of the receive operations, answers an invalid message with an
// error frame that names the field and the reason, and answers a request of a 3.x
// request/reply operation with the reply message, correlation id copied over.
class ExamplesBehaviour final : public MockBehaviour
{
public:
    ExamplesBehaviour(MockServer *server, std::shared_ptr<MessageCatalog> catalog);

    void handleOpened(MockConnection *connection) override;
    void handleText(MockConnection *connection, const QString &text) override;
    void handleBinary(MockConnection *connection, const QByteArray &data) override;

    // {"error": "..."} with optional details, as one JSON text frame.
    static void sendError(MockConnection *connection, const QString &message,
                          const Json &details = Json::object());

private:
    void handleFrame(MockConnection *connection, const MessageCatalog::Frame &frame);
    void send(MockConnection *connection, const QString &messageId, const Json &payload);
    void reply(MockConnection *connection, const Operation &operation,
               const MessageCatalog::Entry &request, const Json &value);
    QStringList messagesOf(const Operation &operation) const;
    QStringList replyMessagesOf(const Operation &operation) const;

    std::shared_ptr<MessageCatalog> m_catalog;
};

} // namespace Gatehouse
