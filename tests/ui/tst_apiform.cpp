// SPDX-License-Identifier: GPL-3.0-or-later
// ApiForm: the topic editor's form edits the document's text through DocumentEditor.
#include "editor/apiform.h"
#include "editor/channelbindingdialog.h"
#include "editor/documenteditor.h"
#include "editor/schematextedit.h"

#include "testsupport.h"

#include <Qsci/qsciscintilla.h>

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFocusEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
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

// The form's control that assistive technology knows by `name`.
template<typename T>
T *control(const QWidget &form, const QString &name)
{
    for (T *w : form.findChildren<T *>())
        if (w->accessibleName() == name)
            return w;
    return nullptr;
}

bool readOnce(DocumentEditor &editor)
{
    return QTest::qWaitFor([&] { return !editor.isReading() && editor.lastRead().api; }, 20000);
}

} // namespace

class TestApiForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void fieldsEditTheText();
    void channelsAndMappingPreview();
    void renameFollowsReferences();
    void everyControlIsNamed();
    void hiddenFormCatchesUpWhenShown();
    void focusFieldOfPointer();
    void whoMayConnectAndScopes();
    void channelParameters();
    void channelOperations();
    void channelBinding();
    void largeDocumentIsNotParsedHere();
    void channelInAnotherFile();

private:
    QTemporaryDir m_dir;
};

void TestApiForm::fieldsEditTheText()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("chats.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    auto *title = control<QLineEdit>(form, u"API title"_qs);
    QVERIFY(title);
    QCOMPARE(title->accessibleName(), u"API title"_qs);
    QCOMPARE(title->text(), u"Chats"_qs);
    title->setText(QStringLiteral("Chats: rooms"));
    Q_EMIT title->editingFinished();
    QVERIFY(editor.text().contains("title: 'Chats: rooms'\n"));
    // leaving the field while the edit is being read keeps what was typed (the
    // model still says the old title until then)
    QVERIFY(editor.isReading());
    title->clearFocus();
    Q_EMIT editor.textChanged(0, TextChange {});
    QCOMPARE(title->text(), u"Chats: rooms"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading(), 20000);
    QCOMPARE(title->text(), u"Chats: rooms"_qs);
    QCOMPARE(editor.undoStack()->undoText(), u"Set API title"_qs);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

// A form in a tab the user is not looking at does not read the text after every
// change (a parse of the whole document each time); it catches up when shown.
void TestApiForm::hiddenFormCatchesUpWhenShown()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("hidden.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    auto *channels = control<QListWidget>(form, u"Channels"_qs);
    QVERIFY(channels);
    QCOMPARE(channels->count(), 2);
    form.hide();
    QVERIFY(editor.setValue(u"/channels/~1alerts"_qs, Json::object(), u"Add channel"_qs));
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().api
                                 && editor.lastRead().api->channels.size() == 3,
                             20000);
    QCOMPARE(channels->count(), 2); // not followed while hidden
    form.show();
    QCOMPARE(channels->count(), 3);
    QCOMPARE(channels->item(0)->text(), u"/notifications"_qs);
    QCOMPARE(channels->item(2)->text(), u"/alerts"_qs);
}

// The Problems list takes a problem of a node the form edits to its field.
void TestApiForm::focusFieldOfPointer()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("focus.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    const auto focused = [&] {
        QWidget *w = form.focusWidget();
        return w ? w->accessibleName() : QString();
    };
    QVERIFY(form.focusField(u"/info/version"_qs));
    QCOMPARE(focused(), u"API version"_qs);
    QVERIFY(form.focusField(u"/channels/~1rooms~1{roomID}/publish/x-uri-mapping"_qs));
    QCOMPARE(form.currentChannel(), u"/rooms/{roomID}"_qs);
    QCOMPARE(focused(), u"URL mapping"_qs);
    QVERIFY(form.focusField(u"/channels/~1notifications/description"_qs));
    QCOMPARE(form.currentChannel(), u"/notifications"_qs);
    QCOMPARE(focused(), u"Channel description"_qs);
    // nodes the form has no field for, and channels that are not there
    QVERIFY(!form.focusField(u"/channels/~1notifications/subscribe/message"_qs));
    QVERIFY(!form.focusField(u"/channels/~1nowhere/description"_qs));
    QVERIFY(!form.focusField(u"/components/schemas/Nothing"_qs));
    QVERIFY(form.focusField(u"/channels/~1rooms~1{roomID}/subscribe/x-auth-type"_qs));
    QCOMPARE(QApplication::focusWidget()->accessibleName(), u"Who may connect"_qs);
    QVERIFY(form.focusField(u"/channels/~1rooms~1{roomID}/publish/x-scopes"_qs));
    QCOMPARE(QApplication::focusWidget()->accessibleName(), u"Scopes"_qs);
    QVERIFY(!form.focusField(u"info/title"_qs));
}

void TestApiForm::channelsAndMappingPreview()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("chats.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    auto *channels = control<QListWidget>(form, u"Channels"_qs);
    QStringList keys;
    for (int i = 0; i < channels->count(); ++i)
        keys.append(channels->item(i)->text());
    QCOMPARE(keys, (QStringList {u"/notifications"_qs, u"/rooms/{roomID}"_qs}));

    // The preview uses the gateway's own matcher and mapper.
    form.selectChannel(QStringLiteral("/rooms/{roomID}"));
    QCOMPARE(form.preview(), u"ws://localhost:8080/rooms?room=roomID1"_qs);
    QLineEdit *sample = nullptr;
    QLineEdit *mapping = nullptr;
    for (auto *edit : form.findChildren<QLineEdit *>()) {
        if (edit->accessibleName() == u"Sample request path")
            sample = edit;
        if (edit->accessibleName() == u"URL mapping")
            mapping = edit;
    }
    QVERIFY(sample && mapping);
    QCOMPARE(mapping->text(), u"/rooms?room={uri.var.roomID}"_qs);
    sample->setText(QStringLiteral("/rooms/room 1"));
    QCOMPARE(form.preview(), u"ws://localhost:8080/rooms?room=room%201"_qs);
    sample->setText(QStringLiteral("/other"));
    QVERIFY(form.preview().contains(u"does not match"));

    // The mapping goes to every operation of the channel, as one step.
    sample->setText(QStringLiteral("/rooms/lobby"));
    mapping->setText(QStringLiteral("/chat/{uri.var.roomID}"));
    QCOMPARE(form.preview(), u"ws://localhost:8080/chat/lobby"_qs);
    Q_EMIT mapping->editingFinished();
    QCOMPARE(editor.text().count("x-uri-mapping: /chat/{uri.var.roomID}"), 2);
    QCOMPARE(editor.undoStack()->undoText(), u"Set URL mapping of channel /rooms/{roomID}"_qs);

    QString error;
    QVERIFY2(form.addChannel(QStringLiteral("/alerts/{level}"), &error), qPrintable(error));
    QCOMPARE(form.currentChannel(), u"/alerts/{level}"_qs);
    // the address's parameter is declared with it, so the document stays valid
    QVERIFY2(editor.text().contains("  /alerts/{level}:\n    parameters:\n      level:\n"
                                    "        schema:\n          type: string\n"),
             editor.text().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    QVERIFY2(form.moveChannel(QStringLiteral("/alerts/{level}"), 0, &error), qPrintable(error));
    QCOMPARE(channels->item(0)->text(), u"/alerts/{level}"_qs);
    QVERIFY2(form.renameChannel(QStringLiteral("/notifications"), QStringLiteral("/news"), &error),
             qPrintable(error));
    QVERIFY2(form.deleteChannel(QStringLiteral("/alerts/{level}"), &error), qPrintable(error));
    keys.clear();
    for (int i = 0; i < channels->count(); ++i)
        keys.append(channels->item(i)->text());
    QCOMPARE(keys, (QStringList {u"/news"_qs, u"/rooms/{roomID}"_qs}));
    const auto valid = [&] { return !editor.isReading() && editor.lastRead().ok(); };
    QTRY_VERIFY_WITH_TIMEOUT(valid(), 20000);
    QCOMPARE(editor.lastRead().api->channels.size(), 2);

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestApiForm::renameFollowsReferences()
{
    const QByteArray original = sample(QStringLiteral("iot-telemetry.asyncapi.yaml"));
    QVERIFY(original.contains("'#/channels/telemetry'"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("iot.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    QString error;
    QVERIFY2(
        form.renameChannel(QStringLiteral("telemetry"), QStringLiteral("deviceTelemetry"), &error),
        qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Rename channel telemetry"_qs);
    QVERIFY(!editor.text().contains("#/channels/telemetry'"));
    QVERIFY(!editor.text().contains("#/channels/telemetry/"));
    QVERIFY(editor.text().contains("'#/channels/deviceTelemetry'"));
    QVERIFY(editor.text().contains("'#/channels/deviceTelemetry/messages/reading'"));
    const auto valid = [&] { return !editor.isReading() && editor.lastRead().ok(); };
    QTRY_VERIFY_WITH_TIMEOUT(valid(), 20000);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestApiForm::everyControlIsNamed()
{
    ApiForm form;
    form.show();
    for (QWidget *w : form.findChildren<QWidget *>()) {
        if (w->window() != &form || qobject_cast<QHeaderView *>(w)
            || w->inherits("QTableCornerButton"))
            continue; // a combo box's popup list or a table's header, named by their owner
        if (auto *button = qobject_cast<QAbstractButton *>(w)) // named by its text
            QVERIFY2(!button->accessibleName().isEmpty() || !button->text().isEmpty(),
                     w->metaObject()->className());
        else if (qobject_cast<QLineEdit *>(w) || qobject_cast<QPlainTextEdit *>(w)
                 || qobject_cast<QAbstractItemView *>(w) || qobject_cast<QComboBox *>(w)
                 || qobject_cast<QsciScintilla *>(w))
            QVERIFY2(!w->accessibleName().isEmpty(), w->metaObject()->className());
    }
}

void TestApiForm::whoMayConnectAndScopes()
{
    // 2.x: x-auth-type and x-scopes on every operation of the channel
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("auth.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    form.selectChannel(u"/rooms/{roomID}"_qs);
    QCOMPARE(form.authType(), u"Any"_qs);
    QVERIFY(form.scopes().isEmpty());
    auto *warning = control<QLabel>(form, u"Open channel warning"_qs);
    QVERIFY(warning && warning->isHidden());
    QString error;
    QVERIFY2(form.setAuthType(u"None"_qs, &error), qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Open channel /rooms/{roomID} to anyone"_qs);
    QCOMPARE(int(editor.text().count("x-auth-type: None")), 2);
    QCOMPARE(int(editor.text().count("x-auth-type: Any")), 1); // /notifications keeps its own
    QVERIFY(!warning->isHidden());
    auto *scopes = control<QLineEdit>(form, u"Scopes"_qs);
    QVERIFY(scopes);
    scopes->setFocus();
    scopes->setText(u"chat:read, chat:write"_qs);
    scopes->setModified(true);
    Q_EMIT scopes->editingFinished();
    QCOMPARE(int(editor.text().count("x-scopes:\n        - chat:read\n        - chat:write\n")), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    for (const Operation &op : editor.lastRead().api->operations)
        if (op.channelId == u"/rooms/{roomID}")
            QCOMPARE(op.scopes, (QStringList {u"chat:read"_qs, u"chat:write"_qs}));
    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);

    // 3.x: x-auth-type on the channel
    const QByteArray iot = sample(QStringLiteral("iot-telemetry.asyncapi.yaml"));
    DocumentEditor editor3(m_dir.filePath(QStringLiteral("auth3.yaml")), iot);
    form.setEditor(&editor3);
    QVERIFY(readOnce(editor3));
    const QString channel = form.currentChannel();
    QVERIFY(!channel.isEmpty());
    QVERIFY(form.setAuthType(u"None"_qs, &error));
    QVERIFY(readOnce(editor3));
    QCOMPARE(editor3.lastRead().api->channel(channel)->authType, u"None"_qs);
    QVERIFY(form.setAuthType(QString(), &error));
    QVERIFY(!iot.contains("x-auth-type"));
    QCOMPARE(editor3.text(), iot); // not set again: the member is gone
}

void TestApiForm::channelParameters()
{
    QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    // an address {name} with no parameter, and a parameter the address does not use
    original.replace("  /notifications:\n", "  /notifications/{topic}:\n");
    original.replace("          pattern: '^[A-Za-z0-9_-]{1,64}$'\n",
                     "          pattern: '^[A-Za-z0-9_-]{1,64}$'\n"
                     "      old:\n        schema:\n          type: string\n"
                     "      roomID2:\n        $ref: '#/components/parameters/Room'\n");
    QVERIFY(original.contains("roomID2"));
    original.append("  # not a parameter\n");
    original.replace("  securitySchemes:\n",
                     "  parameters:\n    Room:\n      description: A "
                     "room.\n      schema:\n        type: string\n"
                     "  securitySchemes:\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("parameters.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    form.selectChannel(QStringLiteral("/notifications/{topic}"));
    QCOMPARE(form.parameterRows(),
             QStringList {u"topic — not declared: Declare Missing adds it"_qs});
    QVERIFY(form.declareMissingParameters());
    QVERIFY(editor.text().contains("  /notifications/{topic}:\n    description: Notifications "
                                   "about activity in the chat rooms.\n"));
    QVERIFY(editor.text().contains("    parameters:\n      topic:\n        schema:\n          "
                                   "type: string\n"));
    QVERIFY(readOnce(editor));
    QCOMPARE(form.parameterRows(), QStringList {u"topic — string"_qs});
    QVERIFY(form.setParameterDescription(QStringLiteral("topic"), QStringLiteral("What about.")));
    QVERIFY(editor.text().contains("      topic:\n        schema:\n          type: string\n"
                                   "        description: What about.\n"));
    QVERIFY(readOnce(editor));
    QCOMPARE(form.parameterRows(), QStringList {u"topic — What about. (string)"_qs});

    form.selectChannel(QStringLiteral("/rooms/{roomID}"));
    QCOMPARE(form.parameterRows(),
             (QStringList {u"roomID — Name of the room to join. (string)"_qs,
                           u"old — not in the address: Remove Unused takes it out"_qs,
                           u"roomID2 — not in the address: Remove Unused takes it out"_qs}));
    QVERIFY(form.removeUnusedParameters());
    QCOMPARE(editor.undoStack()->undoText(),
             u"Remove parameters old, roomID2 of channel /rooms/{roomID}"_qs);
    QVERIFY(!editor.text().contains("      old:\n"));
    QVERIFY(!editor.text().contains("roomID2"));
    QVERIFY(editor.text().contains("    Room:\n")); // the component stays

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

// Whether clients send on a channel and whether the backend pushes are its
// operations, added and removed from two boxes with the message each carries: 2.x
// publish and subscribe, 3.x operations naming the channel.
void TestApiForm::channelOperations()
{
    const QByteArray v2 = "asyncapi: 2.6.0\n"
                          "info: {title: Ops, version: '1'}\n"
                          "channels:\n"
                          "  /news:\n"
                          "    subscribe:\n"
                          "      x-uri-mapping: /feed\n"
                          "      message:\n"
                          "        $ref: '#/components/messages/News'\n"
                          "  /comments:\n"
                          "    publish:\n"
                          "      message:\n"
                          "        $ref: '#/components/messages/Comment'\n"
                          "components:\n"
                          "  messages:\n"
                          "    News: {payload: {type: string}}\n"
                          "    Comment: {payload: {type: string}}\n";
    {
        DocumentEditor editor(m_dir.filePath(QStringLiteral("ops2.yaml")), v2);
        ApiForm form;
        form.show();
        form.setEditor(&editor);
        QVERIFY(readOnce(editor));
        form.selectChannel(QStringLiteral("/news"));
        QCheckBox *sends = form.operationBox(Operation::Action::Receive);
        QCheckBox *pushes = form.operationBox(Operation::Action::Send);
        QVERIFY(!sends->isChecked());
        QVERIFY(pushes->isChecked());
        QCOMPARE(form.operationMessageBox(Operation::Action::Send)->currentText(), u"News"_qs);
        QVERIFY(!form.operationMessageBox(Operation::Action::Receive)->isEnabled());
        QVERIFY(!sends->accessibleName().isEmpty());
        // another channel shows its own
        form.selectChannel(QStringLiteral("/comments"));
        QVERIFY(sends->isChecked());
        QVERIFY(!pushes->isChecked());
        QCOMPARE(form.operationMessageBox(Operation::Action::Receive)->currentText(),
                 u"Comment"_qs);
        form.selectChannel(QStringLiteral("/news"));
        QVERIFY(!sends->isChecked());

        // clients may send: publish, with the channel's URL mapping and a message
        sends->click();
        QVERIFY(form.hasOperation(Operation::Action::Receive));
        QVERIFY2(editor.text().contains("    publish:\n      message:\n        $ref: "
                                        "'#/components/messages/News'\n      x-uri-mapping: "
                                        "/feed\n")
                     || editor.text().contains("    publish:\n      message:\n        $ref: "
                                               "\"#/components/messages/News\"\n"),
                 editor.text().constData());
        QCOMPARE(editor.text().count("x-uri-mapping: /feed"), 2);
        QCOMPARE(editor.undoStack()->undoText(), u"Let clients send on channel /news"_qs);
        QVERIFY(form.operationMessageBox(Operation::Action::Receive)->isEnabled());
        QString error;
        QVERIFY2(form.setOperationMessage(Operation::Action::Receive, u"Comment"_qs, &error),
                 qPrintable(error));
        QVERIFY(editor.text().contains("#/components/messages/Comment"));
        QCOMPARE(form.operationMessageBox(Operation::Action::Receive)->currentText(),
                 u"Comment"_qs);
        QVERIFY(!form.setOperationMessage(Operation::Action::Receive, u"Nope"_qs, &error));
        QCOMPARE(error, u"There is no message Nope among the components"_qs);
        // the backend no longer pushes
        pushes->click();
        QVERIFY(!editor.text().contains("subscribe:"));
        QVERIFY(!pushes->isChecked());
        QCOMPARE(editor.undoStack()->undoText(), u"Stop the backend pushing on channel /news"_qs);
        while (editor.undoStack()->canUndo())
            editor.undoStack()->undo();
        QCOMPARE(editor.text(), v2);
        QTRY_VERIFY(form.operationBox(Operation::Action::Send)->isChecked());
    }

    const QByteArray v3 = "asyncapi: 3.0.0\n"
                          "info: {title: Ops, version: '1'}\n"
                          "channels:\n"
                          "  news:\n"
                          "    address: /news\n"
                          "    messages:\n"
                          "      News: {$ref: '#/components/messages/News'}\n"
                          "operations:\n"
                          "  sendNews:\n"
                          "    action: send\n"
                          "    channel: {$ref: '#/channels/news'}\n"
                          "    messages: [{$ref: '#/channels/news/messages/News'}]\n"
                          "components:\n"
                          "  messages:\n"
                          "    News: {payload: {type: string}}\n";
    DocumentEditor editor(m_dir.filePath(QStringLiteral("ops3.yaml")), v3);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    form.selectChannel(QStringLiteral("news"));
    QVERIFY(form.operationBox(Operation::Action::Send)->isChecked());
    QVERIFY(!form.operationBox(Operation::Action::Receive)->isChecked());
    QCOMPARE(form.operationMessageBox(Operation::Action::Send)->currentText(), u"News"_qs);
    QString error;
    QVERIFY2(form.setOperation(Operation::Action::Receive, true, &error), qPrintable(error));
    QVERIFY2(editor.text().contains("  receiveNews:\n    action: receive\n    channel:\n"),
             editor.text().constData());
    QVERIFY(editor.text().contains("#/channels/news/messages/News"));
    QVERIFY(form.operationBox(Operation::Action::Receive)->isChecked());
    // every message of the channel: the list goes
    QVERIFY2(form.setOperationMessage(Operation::Action::Receive, QString(), &error),
             qPrintable(error));
    QCOMPARE(form.operationMessageBox(Operation::Action::Receive)->currentText(),
             u"every message of the channel"_qs);
    QVERIFY2(form.setOperation(Operation::Action::Send, false, &error), qPrintable(error));
    QVERIFY(!editor.text().contains("sendNews"));
    QVERIFY(editor.text().contains("receiveNews"));
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), v3);
}

// A channel's WebSocket binding: the query and headers schemas a client sends,
// checked as typed and written as one step; emptied, the binding goes.
void TestApiForm::channelBinding()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("binding.yaml")), original);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readOnce(editor));
    form.selectChannel(QStringLiteral("/notifications"));
    QVERIFY(form.bindingSummary().startsWith(u"none"));
    auto *dialog = qobject_cast<ChannelBindingDialog *>(form.editBinding());
    QVERIFY(dialog);
    QVERIFY(dialog->problem().isEmpty());
    QVERIFY(!dialog->queryField()->accessibleName().isEmpty());
    // not an object schema: said, and nothing written
    dialog->queryField()->setText(QStringLiteral("type: string\n"));
    QCOMPARE(dialog->problem(), u"Query: not a JSON Schema of type object"_qs);
    QString error;
    QVERIFY(!dialog->apply(&error));
    QCOMPARE(editor.text(), original);
    dialog->queryField()->setText(QStringLiteral("type: object\nproperties:\n  token: {type: "
                                                 "string}\nrequired: [token]\n"));
    dialog->headersField()->setText(QStringLiteral("{type: object, properties: {X-Client: "
                                                   "{type: string}}}"));
    dialog->methodBox()->setCurrentIndex(dialog->methodBox()->findData(u"GET"_qs));
    QVERIFY(dialog->problem().isEmpty());
    dialog->accept();
    QVERIFY2(editor.text().contains("    bindings:\n      ws:\n"), editor.text().constData());
    QVERIFY(editor.text().contains("bindingVersion: 0.1.0"));
    QCOMPARE(editor.undoStack()->undoText(), u"Set WebSocket binding of channel /notifications"_qs);
    QCOMPARE(form.bindingSummary(), u"GET; query: token; headers: X-Client"_qs);
    QTRY_VERIFY(!form.findChild<ChannelBindingDialog *>());
    QVERIFY(editor.lastRead().api || readOnce(editor));

    // shown again as written; emptied, the binding goes
    dialog = qobject_cast<ChannelBindingDialog *>(form.editBinding());
    QVERIFY(dialog->queryField()->text().contains(u"token"));
    QCOMPARE(dialog->methodBox()->currentText(), u"GET"_qs);
    dialog->queryField()->setText(QString());
    dialog->headersField()->setText(QString());
    dialog->methodBox()->setCurrentIndex(0);
    QVERIFY2(dialog->apply(&error), qPrintable(error));
    QCOMPARE(editor.text().count("      ws:\n"), original.count("      ws:\n"));
    dialog->reject();
    form.selectChannel(QStringLiteral("/rooms/{roomID}")); // the sample's own binding
    QCOMPARE(form.bindingSummary(), u"GET; query: none; headers: none"_qs);
    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

// The places of a large text are parsed with its read, off the GUI thread: after a
// channel is added, moved or renamed, the list shows it at once and the operations
// wait for that read, instead of parsing the text here.
void TestApiForm::largeDocumentIsNotParsedHere()
{
    QByteArray text = "asyncapi: 2.6.0\ninfo: {title: Large, version: '1'}\nchannels:\n";
    for (int i = 0; text.size() <= DocumentEditor::CheapSourceBytes; ++i)
        text += "  /c" + QByteArray::number(i)
            + ":\n    description: a channel of a large document, long enough to count\n"
              "    subscribe:\n      message: {payload: {type: string}}\n";
    DocumentEditor editor(m_dir.filePath(QStringLiteral("large.yaml")), text);
    ApiForm form;
    form.show();
    form.setEditor(&editor); // (shown before the first read)
    QVERIFY(editor.isReading());
    QVERIFY(!editor.hasParsedSource());
    QVERIFY(readOnce(editor));
    QVERIFY(editor.hasParsedSource()); // with the read
    QVERIFY(!editor.hasCheapSource() || editor.hasParsedSource());
    QListWidget *list = nullptr;
    for (QListWidget *l : form.findChildren<QListWidget *>())
        if (l->accessibleName() == u"Channels")
            list = l;
    QVERIFY(list);
    const int channels = list->count();
    QVERIFY(channels > 100);
    form.selectChannel(QStringLiteral("/c7"));
    QVERIFY(form.operationBox(Operation::Action::Send)->isChecked());

    QVERIFY(form.addChannel(QStringLiteral("/added")));
    QVERIFY(!editor.hasParsedSource()); // not here
    QVERIFY(!editor.hasCheapSource());
    QCOMPARE(list->count(), channels + 1);
    QCOMPARE(list->item(channels)->text(), u"/added"_qs);
    QCOMPARE(form.currentChannel(), u"/added"_qs);
    QVERIFY(form.moveChannel(QStringLiteral("/added"), 0));
    QVERIFY(!editor.hasParsedSource());
    QCOMPARE(list->item(0)->text(), u"/added"_qs);
    // (a rename looks for references in its own edited text)
    QVERIFY(form.renameChannel(QStringLiteral("/added"), QStringLiteral("/first")));
    QCOMPARE(list->item(0)->text(), u"/first"_qs);
    QCOMPARE(form.currentChannel(), u"/first"_qs);
    // the read brings the places, and the operations of the channel (none yet)
    QVERIFY(readOnce(editor));
    QVERIFY(editor.hasParsedSource());
    QCOMPARE(list->count(), channels + 1);
    QCOMPARE(list->item(0)->text(), u"/first"_qs);
    QVERIFY(!form.operationBox(Operation::Action::Send)->isChecked());
    QVERIFY(form.operationBox(Operation::Action::Send)->isEnabled());
    QVERIFY(editor.text().contains("channels:\n  /first: {}\n  /c0:\n"));
}

// A channel a $ref takes into another file: the form shows it and its edits change
// that file.
void TestApiForm::channelInAnotherFile()
{
    QTemporaryDir dir;
    const QString main = dir.filePath(u"main.yaml"_qs);
    const QByteArray mainText = "asyncapi: 3.0.0\n"
                                "info: {title: Split, version: '1'}\n"
                                "channels:\n"
                                "  rooms:\n"
                                "    $ref: 'channels.yaml#/rooms'\n";
    QVERIFY(Test::writeFile(main, mainText));
    const QByteArray channels = "# the channels\n"
                                "rooms:\n"
                                "  address: /rooms/{id}\n"
                                "  description: Rooms\n"
                                "  parameters:\n"
                                "    id: {}\n";
    QVERIFY(Test::writeFile(dir.filePath(u"channels.yaml"_qs), channels));
    DocumentEditor editor(main, mainText);
    ApiForm form;
    form.show();
    form.setEditor(&editor);
    QTRY_VERIFY_WITH_TIMEOUT(
        editor.fileCount() == 2 && !editor.isReading() && editor.lastRead().ok(), 20000);
    form.selectChannel(u"rooms"_qs);
    auto *description = control<QPlainTextEdit>(form, u"Channel description"_qs);
    QVERIFY(description);
    QTRY_COMPARE(description->toPlainText(), u"Rooms"_qs);
    const auto leave = [description] {
        QFocusEvent out(QEvent::FocusOut);
        QCoreApplication::sendEvent(description, &out);
    };
    description->setPlainText(u"Every room"_qs);
    leave();
    QCOMPARE(editor.text(), mainText);
    QByteArray expected = channels;
    expected.replace("description: Rooms", "description: Every room");
    QCOMPARE(editor.text(1), expected);
    // emptied: removed where it is written
    description->setPlainText(QString());
    leave();
    QByteArray removed = channels;
    removed.replace("  description: Rooms\n", "");
    QCOMPARE(editor.text(1), removed);
    QCOMPARE(editor.text(), mainText);
}

QTEST_MAIN(TestApiForm)
#include "tst_apiform.moc"
