// SPDX-License-Identifier: GPL-3.0-or-later
// MockForm: the Design tab's mock settings edit x-gatehouse.mock in the document's
// text, show only the settings of the chosen kind, keep `mock: KIND` short until
// another setting is given, and show the document check's problems under their field.
#include "editor/documenteditor.h"
#include "editor/mockform.h"
#include "editor/schematextedit.h"

#include "formtesting.h"
#include "testsupport.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Gatehouse;
using Test::readNow;
using Test::typeInto;

namespace {

QByteArray chats()
{
    QFile file(Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void choose(QWidget *widget, const QString &value)
{
    auto *combo = qobject_cast<QComboBox *>(widget);
    QVERIFY(combo);
    const int index = value.isEmpty() ? 0 : combo->findData(value);
    QVERIFY2(index >= 0, qPrintable(value));
    combo->setCurrentIndex(index);
    Q_EMIT combo->activated(index);
}

} // namespace

class TestMockForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void settingsOfTheKind();
    void shortFormStaysShort();
    void problemsShowUnderTheirField();

private:
    QTemporaryDir m_dir;
};

void TestMockForm::settingsOfTheKind()
{
    const QByteArray original = chats();
    QVERIFY(original.endsWith("  mock:\n    kind: chat\n"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("chats.yaml")), original);
    MockForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    auto *kind = qobject_cast<QComboBox *>(form.field(QStringLiteral("kind")));
    QVERIFY(kind);
    QCOMPARE(kind->currentText(), u"chat"_qs);
    QCOMPARE(kind->accessibleName(), u"Mock: Kind"_qs);
    QVERIFY(form.isShown(QStringLiteral("chat/room")));
    QVERIFY(!form.isShown(QStringLiteral("broadcast/serverTime")));
    QVERIFY(!form.isShown(QStringLiteral("channels")));
    QVERIFY(form.isShown(QStringLiteral("scenarios")));
    auto *joined = qobject_cast<QLineEdit *>(form.field(QStringLiteral("chat/joined")));
    QVERIFY(joined);
    QCOMPARE(joined->placeholderText(), u"default: You joined {room}!"_qs);

    typeInto(joined, QStringLiteral("Welcome to {room}!"));
    QByteArray expected = original;
    expected.append("    chat:\n      joined: Welcome to {room}!\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Set joined of the mock"_qs);

    choose(kind, QStringLiteral("broadcast"));
    expected.replace("    kind: chat\n", "    kind: broadcast\n");
    QCOMPARE(editor.text(), expected);
    QVERIFY(form.isShown(QStringLiteral("broadcast/serverTime")));
    QVERIFY(!form.isShown(QStringLiteral("chat/room")));
    choose(form.field(QStringLiteral("broadcast/serverTime")), QStringLiteral("true"));
    QVERIFY(editor.text().endsWith("    broadcast:\n      serverTime: true\n"));

    // a scenario, as YAML with its comments
    auto *scenarios = qobject_cast<SchemaTextEdit *>(form.field(QStringLiteral("scenarios")));
    QVERIFY(scenarios);
    scenarios->setText(QStringLiteral("/notifications:\n  # greet, then wait for hello\n  steps:\n"
                                      "    - send: Welcome!\n    - expect: {type: hello}\n"));
    QVERIFY(form.commitSetting(QStringLiteral("scenarios")));
    QVERIFY2(editor.text().endsWith("    scenarios:\n      /notifications:\n        # greet, then "
                                    "wait for hello\n        steps:\n          - send: Welcome!\n"
                                    "          - expect: {type: hello}\n"),
             editor.text().right(400).constData());
    QVERIFY(readNow(editor));
    QVERIFY2(form.problem(QStringLiteral("scenarios")).isEmpty(),
             qPrintable(form.problem(QStringLiteral("scenarios"))));

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestMockForm::shortFormStaysShort()
{
    QByteArray original = chats();
    original.replace("  mock:\n    kind: chat\n", "  mock: echo\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("short.yaml")), original);
    MockForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    auto *kind = qobject_cast<QComboBox *>(form.field(QStringLiteral("kind")));
    QCOMPARE(kind->currentText(), u"echo"_qs);

    choose(kind, QStringLiteral("chat"));
    QVERIFY(editor.text().endsWith("  mock: chat\n"));
    QVERIFY(readNow(editor));

    typeInto(form.field(QStringLiteral("listen")), QStringLiteral("127.0.0.1:8090"));
    QVERIFY(readNow(editor));
    const Json mock = editor.lastRead().api->gatehouse.raw["mock"];
    QVERIFY(mock == Json::parse(R"({"kind":"chat","listen":"127.0.0.1:8090"})"));
    QCOMPARE(kind->currentText(), u"chat"_qs);

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestMockForm::problemsShowUnderTheirField()
{
    QByteArray original = chats();
    original.replace("  mock:\n    kind: chat\n",
                     "  mock:\n    kind: examples\n    interval: soon\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("problems.yaml")), original);
    MockForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QVERIFY2(!form.problem(QStringLiteral("interval")).isEmpty(),
             qPrintable(form.problem(QStringLiteral("interval"))));
    QVERIFY(form.problem(QStringLiteral("seed")).isEmpty());
    QVERIFY(form.focusField(QStringLiteral("/x-gatehouse/mock/interval")));
    QTRY_COMPARE(QApplication::focusWidget(), form.field(QStringLiteral("interval")));

    // refused before anything is written
    typeInto(form.field(QStringLiteral("seed")), QStringLiteral("-3"));
    QCOMPARE(editor.text(), original);
    QCOMPARE(form.problem(QStringLiteral("seed")),
             u"seed: expected a whole number 0 or more, got -3"_qs);
    QVERIFY(!form.focusField(QStringLiteral("/x-gatehouse/policies")));
}

QTEST_MAIN(TestMockForm)
#include "tst_mockform.moc"
