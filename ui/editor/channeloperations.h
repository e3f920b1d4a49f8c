// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/operation.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Gatehouse {

class DocumentEditor;

// The operations of one channel as the document's text says them, 2.x and 3.x alike:
// what clients send to the backend (Operation::Action::Receive: 2.x `publish`, 3.x
// `action: receive`) and what the backend pushes to clients (Send: `subscribe`,
// `action: send`), with the message each carries. The Design tab's channel form
// reads and writes them through these; every change is one step of the document's
// undo history.
class ChannelOperations
{
public:
    ChannelOperations(DocumentEditor *editor, QString channelKey);

    struct Found
    {
        QString pointer; // "/channels/~1rooms/publish", "/operations/sendRooms"
        // the message it carries: a component message (2.x) or a message of the
        // channel (3.x); empty with `any` for every message of the channel, or with
        // `inlineOrMany` for one written in place or several
        QString message;
        bool any = false;
        bool inlineOrMany = false;
    };
    QList<Found> find(Operation::Action action) const;
    // What an operation's message can be: 2.x the component messages, 3.x the
    // channel's messages.
    QStringList messageChoices() const;
    bool isV3() const;

    // Adds the operation (with the first message there is, and the URL mapping, who
    // may connect and scopes of the channel's other operation), or removes it.
    bool set(Operation::Action action, bool on, QString *error = nullptr);
    // Makes the operation carry `message` (3.x: empty for every message of the channel).
    bool setMessage(Operation::Action action, const QString &message, QString *error = nullptr);

private:
    QString channelPointer() const;
    QString messageRef(const QString &message) const;

    DocumentEditor *m_editor;
    QString m_channel;
};

} // namespace Gatehouse
