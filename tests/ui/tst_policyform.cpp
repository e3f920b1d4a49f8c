// SPDX-License-Identifier: GPL-3.0-or-later
// PolicyForm: the Design tab's gateway policies, API-wide and per channel, edit
// x-gatehouse.policies in the document's text (only the edited lines change), refuse
// what the policy would not read with a one-line reason, and show the document
// check's problems under their setting.
#include "editor/documenteditor.h"
#include "editor/policyform.h"
#include "editor/schematextedit.h"

#include "formtesting.h"
#include "testsupport.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Gatehouse;
using Test::readNow;
using Test::typeInto;

namespace {

QByteArray sample(const QString &name)
{
    QFile file(Test::sourcePath(u"resources/samples/"_qs + name));
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

class TestPolicyForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void apiWidePolicy();
    void refusedValuesStayInTheField();
    void channelPolicyReplacesTheApis();
    void listsAndSteps();
    void removeAndMove();
    void problemsShowUnderTheirSetting();

private:
    QTemporaryDir m_dir;
};

void TestPolicyForm::apiWidePolicy()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("chats.yaml")), original);
    PolicyForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QCOMPARE(form.scope(), QString());
    QCOMPARE(form.policyList()->count(), 0);
    QVERIFY2(form.inheritedText().contains(u"rate limit (soft, by the application's plan)"),
             qPrintable(form.inheritedText()));
    QCOMPARE(form.scopeBox()->count(), 3); // the API and its two channels

    QVERIFY(form.addPolicy(QStringLiteral("rateLimit")));
    QByteArray expected = original;
    expected.append("  policies:\n    - type: rateLimit\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Add rate limit policy"_qs);
    QTRY_COMPARE(form.policyList()->count(), 1);
    QTRY_COMPARE(form.currentPolicy(), 0);
    QVERIFY(!form.inheritedText().contains(u"rate limit (soft"));

    // a choice: the first entry is the default (the setting left out)
    QWidget *mode = form.settingField(QStringLiteral("mode"));
    QVERIFY(mode);
    QCOMPARE(mode->accessibleName(), u"Rate limit: Mode"_qs);
    QVERIFY(mode->toolTip().contains(u"Default: soft."));
    QCOMPARE(qobject_cast<QComboBox *>(mode)->currentText(), u"default (soft)"_qs);
    choose(mode, QStringLiteral("hard"));
    expected.append("      mode: hard\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Set mode of rate limit"_qs);

    // a number
    typeInto(form.settingField(QStringLiteral("anonymousEvents")), QStringLiteral("60"));
    expected.append("      anonymousEvents: 60\n");
    QCOMPARE(editor.text(), expected);
    QVERIFY(readNow(editor));
    QCOMPARE(form.policyList()->item(0)->text(), u"Rate limit: mode hard, anonymousEvents 60"_qs);
    QCOMPARE(
        qobject_cast<QLineEdit *>(form.settingField(QStringLiteral("anonymousEvents")))->text(),
        u"60"_qs);

    // switched off, and on again
    form.enabledBox()->setChecked(false);
    QVERIFY(editor.text().endsWith("      enabled: false\n"));
    QVERIFY(readNow(editor));
    QCOMPARE(form.policyList()->item(0)->text(), u"Rate limit: off"_qs);
    QVERIFY(form.inheritedText().contains(u"Switched off here: Rate limit."));
    form.enabledBox()->setChecked(true);
    QCOMPARE(editor.text(), expected);

    // emptied: back to the default
    QVERIFY(readNow(editor));
    typeInto(form.settingField(QStringLiteral("anonymousEvents")), QString());
    QVERIFY(!editor.text().contains("anonymousEvents"));

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestPolicyForm::refusedValuesStayInTheField()
{
    QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    original.append("  policies:\n    - type: sizeLimit\n      clientToBackend: 64KiB\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("refused.yaml")), original);
    PolicyForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QTRY_COMPARE(form.policyList()->count(), 1);
    auto *size = qobject_cast<QLineEdit *>(form.settingField(QStringLiteral("clientToBackend")));
    QVERIFY(size);
    QCOMPARE(size->text(), u"64KiB"_qs);
    QCOMPARE(size->placeholderText(), u"default: 1MiB"_qs);

    typeInto(size, QStringLiteral("big"));
    QCOMPARE(editor.text(), original);
    QCOMPARE(
        form.problem(QStringLiteral("clientToBackend")),
        u"clientToBackend: expected a size such as 64KiB or a number of bytes, got \"big\""_qs);
    QCOMPARE(size->text(), u"big"_qs);

    typeInto(size, QStringLiteral("4KiB"));
    QByteArray expected = original;
    expected.replace("clientToBackend: 64KiB", "clientToBackend: 4KiB");
    QCOMPARE(editor.text(), expected);
    QVERIFY(readNow(editor));
    QVERIFY(form.problem(QStringLiteral("clientToBackend")).isEmpty());
}

void TestPolicyForm::channelPolicyReplacesTheApis()
{
    QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    original.append("  policies:\n    - type: rateLimit\n    - type: log\n      payloads: true\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("channel.yaml")), original);
    PolicyForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    form.setScope(QStringLiteral("/rooms/{roomID}"));
    QCOMPARE(form.scope(), u"/rooms/{roomID}"_qs);
    QCOMPARE(form.listPointer(), u"/channels/~1rooms~1{roomID}/x-gatehouse/policies"_qs);
    QCOMPARE(form.policyList()->count(), 0);
    QVERIFY2(form.inheritedText().contains(u"Also applies here, from the API: Rate limit, Log."),
             qPrintable(form.inheritedText()));

    QVERIFY(form.addPolicy(QStringLiteral("rateLimit")));
    QVERIFY(editor.text().contains("        - type: rateLimit\n"));
    QVERIFY(readNow(editor));
    QTRY_COMPARE(form.policyList()->count(), 1);
    QVERIFY2(form.inheritedText().contains(u"Replaced here: the API's Rate limit."),
             qPrintable(form.inheritedText()));
    QVERIFY(form.inheritedText().contains(u"from the API: Log."));
    typeInto(form.settingField(QStringLiteral("events")), QStringLiteral("10"));
    QCOMPARE(editor.undoStack()->undoText(),
             u"Set events of rate limit on channel /rooms/{roomID}"_qs);
    // the channel's own x-gatehouse, inside the channel; nothing else changed
    const QByteArray text = editor.text();
    const qsizetype channel = text.indexOf("  /rooms/{roomID}:\n");
    const qsizetype policies = text.indexOf("    x-gatehouse:\n      policies:\n        - type: "
                                            "rateLimit\n          events: 10\n");
    QVERIFY(channel >= 0 && policies > channel);
    QVERIFY(policies < text.indexOf("components:"));

    // the API's list is still there to choose
    form.setScope(QString());
    QCOMPARE(form.policyList()->count(), 2);
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestPolicyForm::listsAndSteps()
{
    QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    original.append("  policies:\n    - type: log\n    - type: transform\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("lists.yaml")), original);
    PolicyForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QTRY_COMPARE(form.policyList()->count(), 2);

    form.selectPolicy(0);
    auto *mask = qobject_cast<QPlainTextEdit *>(form.settingField(QStringLiteral("mask")));
    QVERIFY(mask);
    mask->setPlainText(QStringLiteral("password\n/card/number\n"));
    QVERIFY(form.commitSetting(QStringLiteral("mask")));
    QVERIFY2(editor.text().contains("    - type: log\n      mask:\n        - password\n        - "
                                    "/card/number\n"),
             editor.text().right(400).constData());

    form.selectPolicy(1);
    auto *steps
        = qobject_cast<SchemaTextEdit *>(form.settingField(QStringLiteral("clientToBackend")));
    QVERIFY(steps);
    // a broken fragment is refused, and stays to be fixed
    steps->setText(QStringLiteral("- set: /meta/via\n  value: [gatehouse\n"));
    QVERIFY(!form.commitSetting(QStringLiteral("clientToBackend")));
    QVERIFY(!form.problem(QStringLiteral("clientToBackend")).isEmpty());
    QVERIFY(!editor.text().contains("/meta/via"));
    steps->setText(QStringLiteral("# who passed it on\n- set: /meta/via\n  value: gatehouse\n"
                                  "- remove: /debug\n"));
    QString why;
    QVERIFY2(form.commitSetting(QStringLiteral("clientToBackend"), &why), qPrintable(why));
    QVERIFY2(editor.text().endsWith("    - type: transform\n      clientToBackend:\n        # who "
                                    "passed it on\n        - set: /meta/via\n          value: "
                                    "gatehouse\n        - remove: /debug\n"),
             editor.text().right(400).constData());
    QVERIFY(readNow(editor));
    QVERIFY(form.problem(QStringLiteral("clientToBackend")).isEmpty());
    QCOMPARE(form.policyList()->item(1)->text(), u"Transform: clientToBackend 2 items"_qs);
}

void TestPolicyForm::removeAndMove()
{
    QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    original.append("  policies:\n    - type: transform\n      clientToBackend: [{remove: /a}]\n"
                    "    # second\n    - type: transform\n      clientToBackend: [{remove: /b}]\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("move.yaml")), original);
    PolicyForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QTRY_COMPARE(form.policyList()->count(), 2);
    QVERIFY(form.movePolicy(1, 0));
    QVERIFY2(editor.text().endsWith("  policies:\n    # second\n    - type: transform\n      "
                                    "clientToBackend: [{remove: /b}]\n    - type: transform\n"
                                    "      clientToBackend: [{remove: /a}]\n"),
             editor.text().right(400).constData());
    QTRY_COMPARE(form.currentPolicy(), 0);
    QVERIFY(form.removePolicy(1));
    QVERIFY(!editor.text().contains("/a}"));
    QCOMPARE(editor.undoStack()->undoText(), u"Remove transform policy"_qs);
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestPolicyForm::problemsShowUnderTheirSetting()
{
    QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    original.append("  policies:\n    - type: sizeLimit\n    - type: rateLimit\n      events: ten\n"
                    "    - type: rateLimit\n      limit: 5\n");
    DocumentEditor editor(m_dir.filePath(QStringLiteral("problems.yaml")), original);
    PolicyForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QTRY_COMPARE(form.policyList()->count(), 3);
    // the document check (what serve would refuse) reaches the window's diagnostics
    bool found = false;
    for (const Diagnostic &d : editor.lastRead().diagnostics)
        found = found || d.pointer == u"/x-gatehouse/policies/1/events";
    QVERIFY(found);
    QVERIFY(!form.policyList()->item(1)->icon().isNull());
    QVERIFY(form.policyList()->item(0)->icon().isNull());

    QVERIFY(form.focusField(QStringLiteral("/x-gatehouse/policies/1/events")));
    QCOMPARE(form.currentPolicy(), 1);
    QTRY_COMPARE(QApplication::focusWidget(), form.settingField(QStringLiteral("events")));
    QVERIFY2(form.problem(QStringLiteral("events")).startsWith(u"x-gatehouse.policies[1].events: "),
             qPrintable(form.problem(QStringLiteral("events"))));
    QVERIFY(!form.focusField(QStringLiteral("/x-gatehouse/context")));
    QVERIFY(!form.focusField(QStringLiteral("/channels/nowhere/x-gatehouse/policies/0")));
}

QTEST_MAIN(TestPolicyForm)
#include "tst_policyform.moc"
