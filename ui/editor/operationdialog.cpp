// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/operationdialog.h"

#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QUndoStack>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

QString text(const Json &object, const char *member)
{
    const auto it = object.find(member);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                 : QString();
}

// The key a local `$ref` names under `prefix` ("#/channels/"), or empty.
QString refKey(const Json &value, const QString &prefix)
{
    if (!value.is_object())
        return {};
    const QString ref = text(value, "$ref");
    QStringList tokens;
    if (!ref.startsWith(prefix) || !SourceText::splitPointer(u'/' + ref.mid(prefix.size()), &tokens)
        || tokens.size() != 1)
        return {};
    return tokens.constFirst();
}

QString token(const QString &key)
{
    return SourceText::joinPointer({key}).mid(1);
}

} // namespace

OperationDialog::OperationDialog(DocumentEditor *editor, const QString &pointer, QWidget *parent)
    : QDialog(parent)
    , m_editor(editor)
    , m_pointer(pointer)
    , m_id(new QLineEdit)
    , m_title(new QLineEdit)
    , m_summary(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_replyChannel(new QComboBox)
    , m_replyMessage(new QComboBox)
    , m_problem(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("operationDialog"));
    m_v3 = pointer.startsWith(u"/operations/");
    QStringList tokens;
    SourceText::splitPointer(pointer, &tokens);
    m_label = m_v3 ? tokens.value(1) : tr("%1 of %2").arg(tokens.value(2), tokens.value(1));
    setWindowTitle(tr("Operation %1").arg(m_label));
    m_id->setAccessibleName(tr("Operation id"));
    m_id->setToolTip(m_v3 ? tr("The operation's key under operations (rename it in the Source "
                               "tab or with Rename Component)")
                          : tr("operationId: a unique name of the operation, for code "
                               "generators and documentation"));
    m_id->setReadOnly(m_v3);
    m_title->setAccessibleName(tr("Operation title"));
    m_title->setToolTip(tr("title: a human-friendly title of the operation"));
    m_summary->setAccessibleName(tr("Operation summary"));
    m_summary->setToolTip(tr("summary: a short summary of what the operation does"));
    m_description->setAccessibleName(tr("Operation description"));
    m_description->setToolTip(tr("description: a longer description (CommonMark)"));
    m_description->setTabChangesFocus(true);
    m_description->setMinimumHeight(fontMetrics().lineSpacing() * 5);
    m_replyChannel->setAccessibleName(tr("Reply channel"));
    m_replyChannel->setToolTip(tr("reply.channel: the channel the answer to this operation's "
                                  "message comes on"));
    m_replyMessage->setAccessibleName(tr("Reply message"));
    m_replyMessage->setToolTip(tr("reply.messages: the message the answer carries"));
    m_problem->setAccessibleName(tr("Operation problem"));
    m_problem->setWordWrap(true);
    m_problem->hide();

    Json op = Json::object();
    if (m_editor) {
        const auto value = SourceText::parseFragment(m_editor->source().fragment(pointer));
        if (value && value->is_object())
            op = *value;
    }
    m_id->setText(m_v3 ? tokens.value(1) : text(op, "operationId"));
    m_title->setText(text(op, "title"));
    m_summary->setText(text(op, "summary"));
    m_description->setPlainText(text(op, "description"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Id:"), m_id);
    if (m_v3)
        form->addRow(tr("&Title:"), m_title);
    else
        m_title->hide();
    form->addRow(tr("&Summary:"), m_summary);
    form->addRow(tr("&Description:"), m_description);
    if (m_v3) {
        m_replyChannel->addItem(tr("no reply"), QString());
        if (m_editor)
            for (const QString &channel : m_editor->source().keys(QStringLiteral("/channels")))
                m_replyChannel->addItem(channel, channel);
        const Json reply = op.value("reply", Json());
        const QString channel = reply.is_object()
            ? refKey(reply.value("channel", Json()), u"#/channels/"_qs)
            : QString();
        m_replyChannel->setCurrentIndex(std::max(0, m_replyChannel->findData(channel)));
        fillReplyMessages();
        const Json messages = reply.is_object() ? reply.value("messages", Json()) : Json();
        if (messages.is_array() && messages.size() == 1)
            m_replyMessage->setCurrentIndex(
                std::max(0,
                         m_replyMessage->findData(refKey(
                             messages[0], u"#/channels/" + token(channel) + u"/messages/"))));
        connect(m_replyChannel, &QComboBox::currentIndexChanged, this,
                &OperationDialog::fillReplyMessages);
        auto *reply_ = new QLabel(tr("The answer a client gets to this operation's message "
                                     "(request/reply):"));
        reply_->setWordWrap(true);
        form->addRow(reply_);
        form->addRow(tr("Reply &channel:"), m_replyChannel);
        form->addRow(tr("Reply &message:"), m_replyMessage);
    } else {
        m_replyChannel->hide();
        m_replyMessage->hide();
    }
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &OperationDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void OperationDialog::fillReplyMessages()
{
    const QString channel = m_replyChannel->currentData().toString();
    m_replyMessage->clear();
    m_replyMessage->addItem(tr("every message of the channel"), QString());
    if (m_editor && !channel.isEmpty())
        for (const QString &m :
             m_editor->source().keys(u"/channels/" + token(channel) + u"/messages"))
            m_replyMessage->addItem(m, m);
    m_replyMessage->setEnabled(!channel.isEmpty());
}

bool OperationDialog::apply(QString *error)
{
    QString why;
    if (!m_editor) {
        if (error)
            *error = tr("the document is closed");
        return false;
    }
    static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9_.\\-]+$"));
    const QString id = m_id->text().trimmed();
    if (!m_v3 && !id.isEmpty() && !idPattern.match(id).hasMatch())
        why = tr("Id: \"%1\" is not an operationId (letters, digits, '.', '-' and '_')").arg(id);
    bool ok = why.isEmpty();
    if (ok) {
        Json op = Json::object();
        const auto value = SourceText::parseFragment(m_editor->source().fragment(m_pointer));
        if (value && value->is_object())
            op = *value;
        // member, new value (null: removed)
        QList<std::pair<QString, Json>> changes;
        const auto field = [&](const char *member, const QString &value) {
            const Json next = value.isEmpty() ? Json() : Json(value.toStdString());
            if (op.value(member, Json()) != next)
                changes.append({QString::fromLatin1(member), next});
        };
        if (!m_v3)
            field("operationId", id);
        else
            field("title", m_title->text().trimmed());
        field("summary", m_summary->text().trimmed());
        field("description", m_description->toPlainText().trimmed());
        if (m_v3) {
            const QString channel = m_replyChannel->currentData().toString();
            Json reply = op.value("reply", Json());
            if (channel.isEmpty()) {
                if (!reply.is_null())
                    changes.append({QStringLiteral("reply"), Json()});
            } else {
                if (!reply.is_object())
                    reply = Json::object();
                const QString channelRef = u"#/channels/" + token(channel);
                reply["channel"] = Json::object({{"$ref", channelRef.toStdString()}});
                const QString message = m_replyMessage->currentData().toString();
                if (message.isEmpty())
                    reply.erase("messages");
                else
                    reply["messages"] = Json::array({Json::object(
                        {{"$ref",
                          QString(channelRef + u"/messages/" + token(message)).toStdString()}})});
                if (op.value("reply", Json()) != reply)
                    changes.append({QStringLiteral("reply"), reply});
            }
        }
        if (!changes.isEmpty()) {
            const QString name = tr("Edit operation %1").arg(m_label);
            QUndoStack *undo = m_editor->undoStack();
            undo->beginMacro(name);
            for (const auto &[member, next] : std::as_const(changes)) {
                const QString at = m_pointer + u'/' + token(member);
                ok = next.is_null() ? (!m_editor->has(at) || m_editor->remove(at, QString(), &why))
                                    : m_editor->setValue(at, next, QString(), &why);
                if (!ok)
                    break;
            }
            undo->endMacro();
            if (!ok && undo->canUndo() && undo->undoText() == name)
                undo->undo();
        }
    }
    if (error)
        *error = why;
    return ok;
}

void OperationDialog::accept()
{
    QString why;
    if (apply(&why)) {
        QDialog::accept();
        return;
    }
    m_problem->setText(why);
    m_problem->setVisible(true);
}

} // namespace Gatehouse
