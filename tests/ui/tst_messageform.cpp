// SPDX-License-Identifier: GPL-3.0-or-later
// MessageForm: the Design tab's messages edit the document's text through
// DocumentEditor: fields, the payload schema as typed, examples checked and generated.
#include "asyncapi/documentloader.h"
#include "asyncapi/jsonschemavalidator.h"
#include "editor/documenteditor.h"
#include "editor/messageform.h"
#include "editor/schematextedit.h"

#include "testsupport.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Gatehouse;

namespace {

QByteArray sample(const QString &name)
{
    QFile file(Test::sourcePath(u"resources/samples/"_qs + name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool readOnce(DocumentEditor &editor)
{
    return QTest::qWaitFor([&] { return !editor.isReading() && editor.lastRead().api; }, 20000);
}

template<typename T>
T *control(const QWidget &form, const QString &name)
{
    for (T *w : form.findChildren<T *>())
        if (w->accessibleName() == name)
            return w;
    return nullptr;
}

// The user replaces a code field's text by typing it.
void type(SchemaTextEdit *field, const QByteArray &text)
{
    field->setFocus();
    field->selectAll();
    field->removeSelectedText();
    field->insert(QString::fromUtf8(text));
}

// A document whose messages carry object payloads, examples and a shared schema.
const QByteArray Orders = "asyncapi: 2.6.0\n"
                          "info:\n"
                          "  title: Orders\n"
                          "  version: 1.0.0\n"
                          "channels:\n"
                          "  /orders:\n"
                          "    subscribe:\n"
                          "      message:\n"
                          "        $ref: '#/components/messages/OrderPlaced'\n"
                          "components:\n"
                          "  messages:\n"
                          "    # sent when an order is placed\n"
                          "    OrderPlaced:\n"
                          "      name: orderPlaced\n"
                          "      payload:\n"
                          "        type: object\n"
                          "        required: [id]\n"
                          "        properties:\n"
                          "          id: {$ref: '#/components/schemas/Id'}\n"
                          "          total: {type: number, minimum: 0}\n"
                          "      examples:\n"
                          "        - name: small\n"
                          "          payload: {id: A1, total: 3}\n"
                          "  schemas:\n"
                          "    Id:\n"
                          "      type: string\n"
                          "      pattern: '^[A-Z][0-9]+$'\n";

} // namespace

class TestMessageForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void listsAndEditsFields();
    void payloadKeepsWhatWasTyped();
    void badPayloadIsMarkedAndNotWritten();
    void headersSchema();
    void examplesAreCheckedAgainstTheTypedSchema();
    void examplesInViewWithoutScrolling();
    void generatedExampleMatches();
    void renameFollowsReferences();
    void deleteAndDuplicate();
    void keyboardLeavesTheCodeField();
    void inlineMessages();
    void inlineMessagesOfVersion3();
    void messageInAnotherFile();

private:
    QTemporaryDir m_dir;
};

void TestMessageForm::listsAndEditsFields()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("chats.yaml")), original);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QCOMPARE(form.messages(),
             (QStringList {u"Notification"_qs, u"ChatMessage"_qs, u"RoomGreeting"_qs}));
    form.selectMessage(QStringLiteral("ChatMessage"));
    auto *title = control<QLineEdit>(form, u"Message title"_qs);
    QVERIFY(title);
    QCOMPARE(title->text(), u"Chat message"_qs);
    QCOMPARE(form.payloadEditor()->text(), u"type: string\nminLength: 1\nmaxLength: 4096"_qs);
    QCOMPARE(form.exampleCount(), 1);
    QVERIFY(form.exampleProblem(0).isEmpty());

    title->setFocus();
    title->setText(QStringLiteral("Line of chat"));
    title->setModified(true);
    Q_EMIT title->editingFinished();
    QByteArray expected = original;
    expected.replace("      title: Chat message\n", "      title: Line of chat\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Set title of message ChatMessage"_qs);

    // an empty content type removes the member (the document's default applies)
    auto *contentType = control<QComboBox>(form, u"Message content type"_qs);
    QVERIFY(contentType);
    QCOMPARE(contentType->currentText(), u"text/plain"_qs);
    contentType->lineEdit()->setText(QString());
    contentType->lineEdit()->setModified(true);
    Q_EMIT contentType->lineEdit()->editingFinished();
    QVERIFY(!editor.text().mid(editor.text().indexOf("ChatMessage:"), 200).contains("contentType"));

    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestMessageForm::payloadKeepsWhatWasTyped()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("orders.yaml")), Orders);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QCOMPARE(form.currentMessage(), u"OrderPlaced"_qs);
    const QByteArray shown = form.payloadEditor()->fragment();
    QCOMPARE(shown,
             QByteArray("type: object\n"
                        "required: [id]\n"
                        "properties:\n"
                        "  id: {$ref: '#/components/schemas/Id'}\n"
                        "  total: {type: number, minimum: 0}"));
    // the user adds a property with a comment, in their own layout
    const QByteArray typed = shown + "\n  # in the shop's currency\n  currency:   {type: string}\n";
    type(form.payloadEditor(), typed);
    QVERIFY(form.payloadEditor()->isEdited());
    form.checkPayloadNow();
    QVERIFY2(form.payloadProblem().isEmpty(), qPrintable(form.payloadProblem()));
    QString error;
    QVERIFY2(form.applyPayload(&error), qPrintable(error));
    QByteArray expected = Orders;
    expected.replace("          total: {type: number, minimum: 0}\n",
                     "          total: {type: number, minimum: 0}\n"
                     "          # in the shop's currency\n"
                     "          currency:   {type: string}\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Edit payload schema of message OrderPlaced"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    QVERIFY(editor.lastRead()
                .api->message(QStringLiteral("OrderPlaced"))
                ->payload["properties"]
                .contains("currency"));
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), Orders);
}

void TestMessageForm::badPayloadIsMarkedAndNotWritten()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("bad.yaml")), Orders);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    type(form.payloadEditor(), "type: object\nproperties:\n  id: {type: string\n");
    form.checkPayloadNow();
    QVERIFY(!form.payloadProblem().isEmpty());
    QVERIFY2(form.payloadProblem().startsWith(u"line "), qPrintable(form.payloadProblem()));
    QVERIFY(form.payloadEditor()->problemLine() > 0);
    QVERIFY(!form.applyPayload());
    QCOMPARE(editor.text(), Orders);
    // a schema that parses but is not a JSON Schema
    type(form.payloadEditor(), "type: 12\n");
    form.checkPayloadNow();
    QVERIFY(!form.payloadProblem().isEmpty());
    QVERIFY(!form.applyPayload());
    QCOMPARE(editor.text(), Orders);
    // what was typed stays while the document is read again
    editor.readNow();
    QVERIFY(readOnce(editor));
    QCOMPARE(form.payloadEditor()->fragment(), QByteArray("type: 12\n"));
}

void TestMessageForm::headersSchema()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("headers.yaml")), Orders);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QVERIFY(form.headersEditor()->fragment().isEmpty());
    QVERIFY(form.headersProblem().isEmpty());
    // not an object schema: marked, not written
    type(form.headersEditor(), "type: string\n");
    QCOMPARE(form.headersProblem(), u"headers: not a JSON Schema of type object"_qs);
    QVERIFY(!form.applyHeaders());
    QCOMPARE(editor.text(), Orders);
    type(form.headersEditor(),
         "type: object\nproperties:\n  # who asked\n  requestId: {type: "
         "string}\n");
    QVERIFY(form.headersProblem().isEmpty());
    QVERIFY(form.applyHeaders());
    QCOMPARE(editor.undoStack()->undoText(), u"Edit headers schema of message OrderPlaced"_qs);
    QByteArray expected = Orders;
    expected.replace("          payload: {id: A1, total: 3}\n",
                     "          payload: {id: A1, total: 3}\n      headers:\n        type: "
                     "object\n        properties:\n          # who asked\n          requestId: "
                     "{type: string}\n");
    QCOMPARE(editor.text(), expected);
    QVERIFY(readOnce(editor));
    QVERIFY(editor.lastRead().api->messages.constFirst().headers
            == Json::parse(R"({"type":"object","properties":{"requestId":{"type":"string"}}})"));
    // emptied: removed
    type(form.headersEditor(), "");
    QVERIFY(form.applyHeaders());
    QCOMPARE(editor.text(), Orders);
    QVERIFY(form.focusField(u"/components/messages/OrderPlaced/headers"_qs));
    QTRY_VERIFY(form.headersEditor()->hasFocus());
}

void TestMessageForm::examplesAreCheckedAgainstTheTypedSchema()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("examples.yaml")), Orders);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QCOMPARE(form.exampleCount(), 1);
    QVERIFY2(form.exampleProblem(0).isEmpty(), qPrintable(form.exampleProblem(0)));
    // a total may no longer be 3: the example turns red before anything is written
    QByteArray schema = form.payloadEditor()->fragment();
    schema.replace("minimum: 0", "minimum: 10");
    type(form.payloadEditor(), schema);
    form.checkPayloadNow();
    QVERIFY(form.payloadProblem().isEmpty());
    QVERIFY(form.exampleProblem(0).contains(u"/total"));
    QCOMPARE(editor.text(), Orders);

    // the example field: edited and checked as typed, written when left
    type(form.payloadEditor(), form.payloadEditor()->fragment()); // back as typed
    form.selectExample(0);
    QCOMPARE(form.exampleEditor()->fragment(), QByteArray("{id: A1, total: 3}"));
    type(form.exampleEditor(), "{id: a1, total: 30}");
    auto *status = control<QLabel>(form, u"Example check"_qs);
    QVERIFY(status);
    QVERIFY2(status->text().contains(u"/id"), qPrintable(status->text()));
    type(form.exampleEditor(), "{id: B7, total: 30}");
    QVERIFY2(status->text().startsWith(u"Matches"), qPrintable(status->text()));
    QVERIFY(form.applyExample());
    QVERIFY(editor.text().contains("          payload: {id: B7, total: 30}\n"));
}

// In the room the window gives the form at its default size (1400x860, or a
// 1600x1000 screen at 200 % scaling), the fields, the schemas and the selected
// example with its check are all in view: the fields' scroll area has nothing to
// scroll.
void TestMessageForm::examplesInViewWithoutScrolling()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("in-view.yaml")), Orders);
    MessageForm form;
    form.resize(840, 690);
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    form.selectExample(0);
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    auto *fields = control<QScrollArea>(form, u"Message fields"_qs);
    QVERIFY(fields);
    auto *status = control<QLabel>(form, u"Example check"_qs);
    QVERIFY(status);
    QTRY_VERIFY2(status->text().startsWith(u"Matches"), qPrintable(status->text()));
    QTRY_COMPARE(fields->verticalScrollBar()->maximum(), 0);
    const QRect inViewport(status->mapTo(fields->viewport(), QPoint(0, 0)), status->size());
    QVERIFY2(fields->viewport()->rect().contains(inViewport),
             qPrintable(QStringLiteral("example check at %1,%2 %3x%4, viewport height %5")
                            .arg(inViewport.x())
                            .arg(inViewport.y())
                            .arg(inViewport.width())
                            .arg(inViewport.height())
                            .arg(fields->viewport()->height())));
}

void TestMessageForm::generatedExampleMatches()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("generate.yaml")), Orders);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QString error;
    QVERIFY2(form.generateExample(&error), qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Generate example of message OrderPlaced"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(form.exampleCount(), 2, 20000);
    QVERIFY2(form.exampleProblem(1).isEmpty(), qPrintable(form.exampleProblem(1)));
    // the generated payload follows the shared schema of its id
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading(), 20000);
    const Message *message = editor.lastRead().api->message(QStringLiteral("OrderPlaced"));
    QCOMPARE(message->examples.size(), 2);
    const Json id = message->examples.at(1).payload["id"];
    QVERIFY(id.is_string());
    QVERIFY(QRegularExpression(QStringLiteral("^[A-Z][0-9]+$"))
                .match(QString::fromStdString(id.get<std::string>()))
                .hasMatch());
    QVERIFY(editor.lastRead().ok());
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), Orders);

    // with no examples yet, the list is created
    QByteArray bare = Orders;
    bare.replace("      examples:\n        - name: small\n          payload: {id: A1, total: 3}\n",
                 "");
    DocumentEditor editor2(m_dir.filePath(QStringLiteral("bare.yaml")), bare);
    form.setEditor(&editor2);
    QVERIFY(readOnce(editor2));
    QCOMPARE(form.exampleCount(), 0);
    QVERIFY(form.generateExample());
    QTRY_COMPARE_WITH_TIMEOUT(form.exampleCount(), 1, 20000);
    QVERIFY(editor2.lastRead().ok());
}

void TestMessageForm::renameFollowsReferences()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("rename.yaml")), original);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    const int uses = int(original.count("'#/components/messages/ChatMessage'"));
    QVERIFY(uses >= 1);
    QString error;
    QVERIFY2(form.renameMessage(u"ChatMessage"_qs, u"ChatLine"_qs, &error), qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Rename message ChatMessage"_qs);
    QVERIFY(!editor.text().contains("#/components/messages/ChatMessage"));
    QCOMPARE(int(editor.text().count("'#/components/messages/ChatLine'")), uses);
    QVERIFY(editor.text().contains("    ChatLine:\n      name: chatMessage\n"));
    QCOMPARE(form.currentMessage(), u"ChatLine"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    // a name taken is refused, and nothing changes
    QVERIFY(!form.renameMessage(u"ChatLine"_qs, u"Notification"_qs, &error));
    QVERIFY(error.contains(u"Notification"));
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestMessageForm::deleteAndDuplicate()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("delete.yaml")), original);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    // a message in use is not deleted: that would leave a $ref to nothing
    QString error;
    QVERIFY(!form.deleteMessage(u"ChatMessage"_qs, &error));
    QVERIFY2(error.contains(u"/channels/"), qPrintable(error));
    QCOMPARE(editor.text(), original);

    QVERIFY(form.duplicateMessage(u"ChatMessage"_qs, &error));
    QCOMPARE(form.currentMessage(), u"ChatMessageCopy"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    const Api &api = *editor.lastRead().api;
    Message copy = *api.message(u"ChatMessageCopy"_qs);
    copy.id = QStringLiteral("ChatMessage");
    QVERIFY(copy == *api.message(u"ChatMessage"_qs));
    // an unused message goes
    QVERIFY2(form.deleteMessage(u"ChatMessageCopy"_qs, &error), qPrintable(error));
    QCOMPARE(editor.text(), original);

    QVERIFY(form.addMessage(u"Typing"_qs, &error));
    QVERIFY(editor.text().contains("    Typing:\n"));
    QVERIFY(!form.addMessage(u"Typing"_qs, &error));
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestMessageForm::keyboardLeavesTheCodeField()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("keys.yaml")), Orders);
    MessageForm form;
    form.show();
    QVERIFY(QTest::qWaitForWindowActive(&form));
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    form.payloadEditor()->setFocus();
    QTRY_VERIFY(form.payloadEditor()->hasFocus());
    // Tab indents inside the field; Ctrl+Tab moves on, writing what was typed
    QTest::keyClick(form.payloadEditor(), Qt::Key_End, Qt::ControlModifier);
    QTest::keyClick(form.payloadEditor(), Qt::Key_Return);
    QTest::keyClicks(form.payloadEditor(), QStringLiteral("additionalProperties: false"));
    QVERIFY(form.payloadEditor()->hasFocus());
    QTest::keyClick(form.payloadEditor(), Qt::Key_Tab, Qt::ControlModifier);
    QTRY_VERIFY(!form.payloadEditor()->hasFocus());
    QVERIFY2(editor.text().contains("additionalProperties: false\n"), editor.text().constData());
    QCOMPARE(editor.undoStack()->undoText(), u"Edit payload schema of message OrderPlaced"_qs);
}

QTEST_MAIN(TestMessageForm)
// A message a $ref takes into another file of the document is edited in the form,
// and the edits change that file only.
void TestMessageForm::messageInAnotherFile()
{
    QTemporaryDir dir;
    QByteArray text;
    const QString main = Test::copyMultiFileDocument(dir.path(), &text);
    QVERIFY(!main.isEmpty());
    DocumentEditor editor(main, text);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QTRY_COMPARE_WITH_TIMEOUT(editor.fileCount(), 3, 20000);
    form.selectMessage(QStringLiteral("chat"));
    QCOMPARE(form.currentMessage(), u"chat"_qs);
    auto *title = control<QLineEdit>(form, u"Message title"_qs);
    auto *name = control<QLineEdit>(form, u"Message name"_qs);
    QVERIFY(title && name);
    QVERIFY(title->isEnabled());
    QCOMPARE(name->text(), u"chat"_qs);
    QCOMPARE(form.payloadEditor()->fragment(), QByteArray("$ref: 'schemas/common.yaml#/ChatLine'"));
    const auto notes = form.findChildren<QLabel *>();
    const bool said = std::any_of(notes.begin(), notes.end(), [&](const QLabel *label) {
        return label->isVisibleTo(&form) && label->text().contains(u"messages.yaml"_qs)
            && label->text().contains(u"#/chat"_qs);
    });
    QVERIFY(said);

    const QByteArray messages = editor.text(1);
    title->setFocus();
    title->setText(QStringLiteral("Chat line"));
    title->setModified(true);
    Q_EMIT title->editingFinished();
    QCOMPARE(editor.text(), text);
    QVERIFY(editor.text(1).contains("  title: Chat line\n"));
    QCOMPARE(editor.text(1).size(), messages.size() + QByteArray("  title: Chat line\n").size());
    QCOMPARE(editor.undoStack()->undoText(), u"Set title of message chat"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    QCOMPARE(editor.lastRead().api->message(u"chat"_qs)->title, u"Chat line"_qs);
    QCOMPARE(title->text(), u"Chat line"_qs);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(1), messages);
}

#include "tst_messageform.moc"

namespace {

// Messages written inline in channels: one alone, one among a oneOf beside a $ref.
const QByteArray Inline = "asyncapi: 2.6.0\n"
                          "info:\n"
                          "  title: Inline\n"
                          "  version: 1.0.0\n"
                          "channels:\n"
                          "  /chat:\n"
                          "    publish:\n"
                          "      # what a client says\n"
                          "      message:\n"
                          "        name: line\n"
                          "        title: A line\n"
                          "        payload:\n"
                          "          type: string # any text\n"
                          "          maxLength: 10\n"
                          "        examples:\n"
                          "          - payload: hello\n"
                          "  /news:\n"
                          "    subscribe:\n"
                          "      message:\n"
                          "        oneOf:\n"
                          "          - $ref: '#/components/messages/Headline'\n"
                          "          - payload: {type: integer}\n"
                          "components:\n"
                          "  messages:\n"
                          "    Headline:\n"
                          "      payload: {type: string}\n"
                          "  schemas:\n"
                          "    Text:\n"
                          "      $ref: '#/channels/~1chat/publish/message/payload'\n";

} // namespace

void TestMessageForm::inlineMessages()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("inline.yaml")), Inline);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QCOMPARE(form.messages(),
             (QStringList {u"Headline"_qs, u"/chat publish (inline)"_qs,
                           u"/news subscribe message 2 (inline)"_qs}));
    auto *makeComponent = control<QPushButton>(form, u"Make the inline message a component"_qs);
    auto *rename = control<QPushButton>(form, u"Rename message"_qs);
    QVERIFY(makeComponent && rename);
    QVERIFY(!makeComponent->isVisible());

    // the inline message's fields are those written in the channel
    form.selectMessage(u"/chat publish (inline)"_qs);
    QCOMPARE(form.currentPointer(), u"/channels/~1chat/publish/message"_qs);
    QVERIFY(form.isInline());
    QVERIFY(makeComponent->isVisible() && makeComponent->isEnabled());
    QVERIFY(!rename->isEnabled());
    auto *title = control<QLineEdit>(form, u"Message title"_qs);
    QCOMPARE(title->text(), u"A line"_qs);
    QCOMPARE(form.payloadEditor()->text(), u"type: string # any text\nmaxLength: 10"_qs);
    QCOMPARE(form.exampleCount(), 1);
    QVERIFY(form.exampleProblem(0).isEmpty());

    // an edit changes the channel's text only there
    title->setFocus();
    title->setText(QStringLiteral("One line"));
    title->setModified(true);
    Q_EMIT title->editingFinished();
    QByteArray expected = Inline;
    expected.replace("        title: A line\n", "        title: One line\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Set title of message /chat publish (inline)"_qs);
    editor.undoStack()->undo();

    // a problem in it opens its field
    form.selectMessage(u"Headline"_qs);
    QVERIFY(form.focusField(u"/channels/~1chat/publish/message/payload/maxLength"_qs));
    QCOMPARE(form.currentPointer(), u"/channels/~1chat/publish/message"_qs);
    QVERIFY(form.payloadEditor()->hasFocus());
    QVERIFY(!form.focusField(u"/channels/~1chat/publish/x-scopes"_qs));

    // Make Component: the text moves with its comment, a $ref stays, and the $ref
    // that named the old place follows
    QString error;
    QVERIFY(!form.makeComponent(form.currentPointer(), u"Headline"_qs, &error));
    QVERIFY2(error.contains(u"Headline"), qPrintable(error));
    QCOMPARE(editor.text(), Inline);
    QVERIFY2(form.makeComponent(form.currentPointer(), u"Line"_qs, &error), qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Make message Line a component"_qs);
    QCOMPARE(form.currentMessage(), u"Line"_qs);
    QVERIFY(!form.isInline());
    const QByteArray text = editor.text();
    QVERIFY2(text.contains("      message:\n        $ref: '#/components/messages/Line'\n")
                 || text.contains("      message:\n        $ref: \"#/components/messages/Line\"\n"),
             text.constData());
    QVERIFY2(text.contains("    Line:\n      name: line\n      title: A line\n      payload:\n"
                           "        type: string # any text\n"),
             text.constData());
    QVERIFY2(text.contains("    Text:\n      $ref: '#/components/messages/Line/payload'\n"),
             text.constData());
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    QVERIFY(!form.messages().contains(u"/chat publish (inline)"_qs));
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), Inline);

    // the oneOf item
    form.selectMessage(u"/news subscribe message 2 (inline)"_qs);
    QCOMPARE(form.currentPointer(), u"/channels/~1news/subscribe/message/oneOf/1"_qs);
    QCOMPARE(form.payloadEditor()->text(), u"{type: integer}"_qs);
}

void TestMessageForm::inlineMessagesOfVersion3()
{
    const QByteArray document = "asyncapi: 3.0.0\n"
                                "info: {title: Three, version: 1.0.0}\n"
                                "channels:\n"
                                "  chat:\n"
                                "    address: /chat\n"
                                "    messages:\n"
                                "      line:\n"
                                "        summary: A line of chat\n"
                                "        payload: {type: string}\n"
                                "operations:\n"
                                "  send:\n"
                                "    action: send\n"
                                "    channel: {$ref: '#/channels/chat'}\n"
                                "    messages:\n"
                                "      - $ref: '#/channels/chat/messages/line'\n";
    DocumentEditor editor(m_dir.filePath(QStringLiteral("inline3.yaml")), document);
    MessageForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QCOMPARE(form.messages(), QStringList {u"chat line (inline)"_qs});
    QCOMPARE(control<QLineEdit>(form, u"Message summary"_qs)->text(), u"A line of chat"_qs);
    QString error;
    QVERIFY2(form.makeComponent(form.currentPointer(), u"Line"_qs, &error), qPrintable(error));
    const QByteArray text = editor.text();
    // the operation's $ref into the channel keeps naming the channel's message,
    // which is now a $ref to the component
    QVERIFY2(
        text.contains("    messages:\n      line:\n        $ref: '#/components/messages/Line'\n"),
        text.constData());
    QVERIFY2(text.contains("components:\n  messages:\n    Line:\n      summary: A line of chat\n"),
             text.constData());
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    QVERIFY2(editor.lastRead().diagnostics.isEmpty() || editor.lastRead().ok(), "reads");
}
