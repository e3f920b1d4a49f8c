// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QPointer>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace Gatehouse {

class DocumentEditor;

// Operation Details… of a channel's operation (the Design tab's API & Channels): what
// the operation says of itself — its id (2.x operationId), title (3.x), summary and
// description — and, in 3.x, its reply: the channel the answer comes on and the message
// it carries (AsyncAPI's request/reply). OK writes what changed as one undo step;
// what else the operation says stays as written.
class OperationDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationDialog)

public:
    // `pointer`: the operation ("/channels/~1rooms/publish", "/operations/sendRooms").
    OperationDialog(DocumentEditor *editor, const QString &pointer, QWidget *parent = nullptr);

    QLineEdit *idField() const { return m_id; }
    QLineEdit *titleField() const { return m_title; }
    QLineEdit *summaryField() const { return m_summary; }
    QPlainTextEdit *descriptionField() const { return m_description; }
    QComboBox *replyChannelBox() const { return m_replyChannel; }
    QComboBox *replyMessageBox() const { return m_replyMessage; }
    bool isV3() const { return m_v3; }

    // Writes the fields into the document; false with the reason (nothing changed).
    bool apply(QString *error = nullptr);
    void accept() override;

private:
    void fillReplyMessages();
    QString replyPointer() const;

    QPointer<DocumentEditor> m_editor;
    QString m_pointer;
    QString m_label; // "sendRooms", "publish of /rooms"
    bool m_v3 = false;
    QLineEdit *m_id;
    QLineEdit *m_title;
    QLineEdit *m_summary;
    QPlainTextEdit *m_description;
    QComboBox *m_replyChannel;
    QComboBox *m_replyMessage;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Gatehouse
