// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "api/message.h"
#include "editor/designsection.h"

#include <QTimer>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace Gatehouse {

class JsonSchemaValidator;
class SchemaTextEdit;
struct Api;

// The Design tab's messages: the document's component messages (add, rename with
// every `$ref` to them, duplicate, delete) and those written inline in a channel
// (listed after them in italics; Make Component moves one under components.messages
// and leaves a `$ref` in its place), and the selected one's name, title, summary,
// content type, payload schema, headers schema and examples.
//
// The payload schema is edited as text (YAML or JSON, as the document is written)
// and checked as it is typed: a line that does not parse or a schema that does not
// compile is underlined with the reason; leaving the field writes it into the
// document keeping what was typed (SourceText::setFragment). Each example shows
// whether it matches the schema, the one being typed included; "Generate Example"
// adds one made by the mock's value generator.
//
// A message that a `$ref` takes into another file of the document is edited here
// all the same: the edits change that file (DocumentEditor::place()).
class MessageForm final : public DesignSection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageForm)

public:
    explicit MessageForm(QWidget *parent = nullptr);
    ~MessageForm() override;

    // The message shown: its key under components.messages, or for one written
    // inline its label ("/chat publish (inline)"); the labels of all.
    QString currentMessage() const;
    void selectMessage(const QString &key);
    QStringList messages() const;
    // Where the message shown is written ("/components/messages/Chat",
    // "/channels/~1chat/publish/message"), and whether that is inline in a channel.
    QString currentPointer() const;
    bool isInline() const;
    void selectPointer(const QString &pointer);
    // Moves to the field that edits the node at `pointer` (a message listed here,
    // component or inline, or one of its fields, payload or examples); false when no
    // field here edits it.
    bool focusField(const QString &pointer);

    // Message actions (the buttons call these; tests too).
    bool addMessage(const QString &key, QString *error = nullptr);
    bool renameMessage(const QString &key, const QString &newKey, QString *error = nullptr);
    bool duplicateMessage(const QString &key, QString *error = nullptr);
    bool deleteMessage(const QString &key, QString *error = nullptr);
    // Moves the inline message at `pointer` under components.messages as `key`
    // (DocumentEditor::makeComponent) and shows it.
    bool makeComponent(const QString &pointer, const QString &key, QString *error = nullptr);

    SchemaTextEdit *payloadEditor() const { return m_payload; }
    // The headers schema (`headers`: a JSON Schema of type object), checked as typed
    // and written when the field is left; empty removes it.
    SchemaTextEdit *headersEditor() const { return m_headers; }
    QString headersProblem() const { return m_headersProblem; }
    bool applyHeaders(QString *error = nullptr);
    SchemaTextEdit *exampleEditor() const { return m_example; }
    // What the check of the payload field says now: empty when it is a valid schema.
    QString payloadProblem() const { return m_payloadProblem; }
    // Checks the payload field now instead of after the typing pause.
    void checkPayloadNow();
    // Writes the payload field into the document (what leaving it does).
    bool applyPayload(QString *error = nullptr);
    bool applyExample(QString *error = nullptr);
    // Writes what is typed in a field that has not been left yet (before a save).
    void commitPending();

    int exampleCount() const;
    void selectExample(int index);
    // Empty when example `index` matches the payload schema (the one in the field
    // when it is valid), else its first problem.
    QString exampleProblem(int index) const;
    bool generateExample(QString *error = nullptr);
    bool deleteExample(int index, QString *error = nullptr);

protected:
    void refresh() override;
    void editorChanged() override;

private:
    QString messagePointer(const QString &key) const;
    const Api *api() const;
    void refreshMessageFields();
    void refreshExamples();
    void showExample();
    void compileSchema(const Json &schema);
    void checkHeaders();
    void checkExample();
    void commitField(QLineEdit *field, const QString &member, const QString &what);
    void report(bool ok, const QString &error);
    // Reports how a list action went (`why` into `error`) and, when it worked, shows
    // the list as it is now with `select` selected; returns `ok`.
    bool finish(bool ok, const QString &why, QString *error, const QString &select);
    bool isReference() const;
    // The current message as written (in another file of the document when a
    // `$ref` leads there).
    std::optional<Message> currentValue() const;
    // The text of a node of the message where it is written, and whether that is JSON.
    QByteArray fragmentOf(const QString &pointer, bool *json) const;

    QListWidget *m_list;
    QPushButton *m_add;
    QPushButton *m_rename;
    QPushButton *m_duplicate;
    QPushButton *m_delete;
    QPushButton *m_makeComponent;
    QWidget *m_fields;
    QLabel *m_reference;
    QLineEdit *m_name;
    QLineEdit *m_title;
    QLineEdit *m_summary;
    QComboBox *m_contentType;
    SchemaTextEdit *m_payload;
    QLabel *m_payloadStatus;
    SchemaTextEdit *m_headers;
    QLabel *m_headersStatus;
    QString m_headersProblem;
    QListWidget *m_examples;
    QPushButton *m_generate;
    QPushButton *m_deleteExample;
    SchemaTextEdit *m_example;
    QLabel *m_exampleStatus;
    QLabel *m_status;
    QTimer m_checkTimer;
    std::unique_ptr<JsonSchemaValidator> m_validator;
    QString m_payloadProblem;
    QList<QString> m_exampleProblems;
    quint32 m_seed = 1;
    bool m_refreshing = false;
};

} // namespace Gatehouse
