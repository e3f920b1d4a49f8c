// SPDX-License-Identifier: GPL-3.0-or-later
// OperationDialog: an operation's id, title, summary, description and (3.x) reply,
// written into the document's text as one undo step; opened from the Design tab.
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "editor/operationdialog.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Gatehouse;

namespace {

const QByteArray Three = "asyncapi: 3.0.0\n"
                         "info: {title: Quotes, version: 1.0.0}\n"
                         "channels:\n"
                         "  ask:\n"
                         "    address: /ask\n"
                         "    messages:\n"
                         "      question: {payload: {type: string}}\n"
                         "  answers:\n"
                         "    address: /answers\n"
                         "    messages:\n"
                         "      answer: {payload: {type: string}}\n"
                         "      refusal: {payload: {type: string}}\n"
                         "operations:\n"
                         "  askQuestion:\n"
                         "    action: receive\n"
                         "    # what clients ask\n"
                         "    channel: {$ref: '#/channels/ask'}\n";

const QByteArray Two = "asyncapi: 2.6.0\n"
                       "info: {title: Chat, version: 1.0.0}\n"
                       "channels:\n"
                       "  /chat:\n"
                       "    publish:\n"
                       "      summary: Say something\n"
                       "      message: {payload: {type: string}}\n";

bool readOnce(DocumentEditor &editor)
{
    return QTest::qWaitFor([&] { return !editor.isReading() && editor.lastRead().api; }, 20000);
}

} // namespace

class TestOperationDialog final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void titleAndReplyOf3()
    {
        DocumentEditor editor(m_dir.filePath(QStringLiteral("three.yaml")), Three);
        QVERIFY(readOnce(editor));
        OperationDialog dialog(&editor, QStringLiteral("/operations/askQuestion"));
        QVERIFY(dialog.isV3());
        QCOMPARE(dialog.idField()->text(), u"askQuestion"_qs);
        QVERIFY(dialog.idField()->isReadOnly());
        QCOMPARE(dialog.replyChannelBox()->currentData().toString(), QString());
        QVERIFY(!dialog.replyMessageBox()->isEnabled());
        dialog.titleField()->setText(QStringLiteral("Ask a question"));
        dialog.summaryField()->setText(QStringLiteral("A client asks"));
        dialog.replyChannelBox()->setCurrentIndex(
            dialog.replyChannelBox()->findData(u"answers"_qs));
        QVERIFY(dialog.replyMessageBox()->isEnabled());
        QCOMPARE(dialog.replyMessageBox()->count(), 3); // every message, answer, refusal
        dialog.replyMessageBox()->setCurrentIndex(dialog.replyMessageBox()->findData(u"answer"_qs));
        QString error;
        QVERIFY2(dialog.apply(&error), qPrintable(error));
        QCOMPARE(editor.undoStack()->undoText(), u"Edit operation askQuestion"_qs);
        const QByteArray text = editor.text();
        QVERIFY2(text.startsWith(Three.left(Three.indexOf("operations:"))), text.constData());
        QVERIFY2(text.contains("    # what clients ask\n    channel: {$ref: '#/channels/ask'}\n"),
                 text.constData());
        QVERIFY2(text.contains("title: Ask a question"), text.constData());
        QVERIFY2(text.contains("summary: A client asks"), text.constData());
        QVERIFY2(text.contains("#/channels/answers'") || text.contains("#/channels/answers\""),
                 text.constData());
        QVERIFY2(text.contains("#/channels/answers/messages/answer"), text.constData());
        editor.readNow();
        QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading(), 20000);
        QVERIFY(editor.lastRead().ok());

        // shown again as written; no reply removes it, in one step
        OperationDialog again(&editor, QStringLiteral("/operations/askQuestion"));
        QCOMPARE(again.titleField()->text(), u"Ask a question"_qs);
        QCOMPARE(again.replyChannelBox()->currentData().toString(), u"answers"_qs);
        QCOMPARE(again.replyMessageBox()->currentData().toString(), u"answer"_qs);
        again.replyChannelBox()->setCurrentIndex(0);
        QVERIFY(again.apply());
        QVERIFY(!editor.text().contains("reply"));
        editor.undoStack()->undo();
        editor.undoStack()->undo();
        QCOMPARE(editor.text(), Three);
    }

    void operationIdOf2()
    {
        DocumentEditor editor(m_dir.filePath(QStringLiteral("two.yaml")), Two);
        QVERIFY(readOnce(editor));
        OperationDialog dialog(&editor, QStringLiteral("/channels/~1chat/publish"));
        QVERIFY(!dialog.isV3());
        QVERIFY(!dialog.replyChannelBox()->isVisibleTo(&dialog));
        QCOMPARE(dialog.summaryField()->text(), u"Say something"_qs);
        dialog.idField()->setText(QStringLiteral("say it"));
        QString error;
        QVERIFY(!dialog.apply(&error));
        QVERIFY2(error.startsWith(u"Id: \"say it\" is not an operationId"), qPrintable(error));
        QCOMPARE(editor.text(), Two);
        dialog.idField()->setText(QStringLiteral("sayIt"));
        dialog.summaryField()->clear();
        dialog.descriptionField()->setPlainText(QStringLiteral("What a client says."));
        QVERIFY2(dialog.apply(&error), qPrintable(error));
        QCOMPARE(editor.undoStack()->undoText(), u"Edit operation publish of /chat"_qs);
        QVERIFY(!editor.text().contains("summary"));
        QVERIFY(editor.text().contains("operationId: sayIt"));
        QVERIFY(editor.text().contains("description: What a client says."));
        editor.undoStack()->undo();
        QCOMPARE(editor.text(), Two);
    }

    // Details… beside each operation of the selected channel opens it.
    void openedFromTheForm()
    {
        DocumentEditor editor(m_dir.filePath(QStringLiteral("form.yaml")), Three);
        ApiForm form;
        form.show();
        form.setEditor(&editor);
        QVERIFY(readOnce(editor));
        form.selectChannel(u"ask"_qs);
        QPushButton *clients = form.operationDetailsButton(Operation::Action::Receive);
        QPushButton *pushes = form.operationDetailsButton(Operation::Action::Send);
        QVERIFY(!clients->accessibleName().isEmpty());
        QTRY_VERIFY(clients->isEnabled());
        QVERIFY(!pushes->isEnabled()); // no such operation
        QVERIFY(form.editOperation(Operation::Action::Send) == nullptr);
        QDialog *dialog = form.editOperation(Operation::Action::Receive);
        QVERIFY(dialog);
        QCOMPARE(dialog->windowTitle(), u"Operation askQuestion"_qs);
        dialog->reject();
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestOperationDialog)
#include "tst_operationdialog.moc"
