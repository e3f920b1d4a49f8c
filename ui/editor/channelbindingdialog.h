// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QPointer>

class QComboBox;
class QDialogButtonBox;
class QLabel;

namespace Gatehouse {

class DocumentEditor;
class SchemaTextEdit;

// A channel's WebSocket binding (`bindings.ws` of the channel, AsyncAPI's ws binding
// 0.1.0): the HTTP method of the upgrade request and JSON Schemas (of type object) of
// the query parameters and headers a client sends with it. Each schema is checked as
// typed; OK writes the binding as one undo step ("Set WebSocket binding of channel
// /rooms"), keeping what else the binding says; emptied fields leave it, and an empty
// binding goes.
class ChannelBindingDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelBindingDialog)

public:
    ChannelBindingDialog(DocumentEditor *editor, const QString &channelKey,
                         QWidget *parent = nullptr);

    QComboBox *methodBox() const { return m_method; }
    SchemaTextEdit *queryField() const { return m_query; }
    SchemaTextEdit *headersField() const { return m_headers; }
    // Why the fields cannot be written (empty: they can).
    QString problem() const;
    // Writes the fields into the document; false with the reason.
    bool apply(QString *error = nullptr);

    void accept() override;

private:
    QString pointer() const;
    void check();

    QPointer<DocumentEditor> m_editor;
    QString m_channel;
    QComboBox *m_method;
    SchemaTextEdit *m_query;
    SchemaTextEdit *m_headers;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Gatehouse
