// SPDX-License-Identifier: GPL-3.0-or-later
// GatewayForm: the Design tab's x-gatehouse fields and plans edit the document's
// text through DocumentEditor, show the document check's problems under the field,
// and show the URL clients will use.
#include "editor/documenteditor.h"
#include "editor/gatewayform.h"

#include "formtesting.h"
#include "testsupport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Gatehouse;
using Test::readNow;

namespace {

QByteArray sample(const QString &name)
{
    QFile file(Test::sourcePath(u"resources/samples/"_qs + name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The user types `text` into a field and leaves it.
void typeInto(QLineEdit *field, const QString &text)
{
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, text);
    Q_EMIT field->editingFinished();
}

} // namespace

class TestGatewayForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void fieldsShowAndEditTheSettings();
    void problemsShowUnderTheirField();
    void plans();
    void securitySchemes();
    void renameSchemes();

private:
    QTemporaryDir m_dir;
};

void TestGatewayForm::fieldsShowAndEditTheSettings()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("chats.yaml")), original);
    GatewayForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QCOMPARE(form.field(u"context"_qs)->text(), u"/chats"_qs);
    QCOMPARE(form.field(u"endpoint"_qs)->text(), u"ws://localhost:8080"_qs);
    QCOMPARE(form.field(u"listen"_qs)->text(), u"127.0.0.1:9099"_qs);
    QVERIFY(form.field(u"certificate"_qs)->text().isEmpty());
    QVERIFY(!form.field(u"certificate"_qs)->placeholderText().isEmpty());
    QVERIFY(!form.field(u"listen"_qs)->toolTip().isEmpty());
    QCOMPARE(form.clientUrl(),
             u"ws://127.0.0.1:9099/chats/1.0.0 and wss://127.0.0.1:8099/chats/1.0.0"_qs);

    // the URL follows what is typed before anything is written
    form.field(u"context"_qs)->setFocus();
    form.field(u"context"_qs)->selectAll();
    QTest::keyClicks(form.field(u"context"_qs), u"/talk"_qs);
    QCOMPARE(form.clientUrl(),
             u"ws://127.0.0.1:9099/talk/1.0.0 and wss://127.0.0.1:8099/talk/1.0.0"_qs);
    QCOMPARE(editor.text(), original);
    Q_EMIT form.field(u"context"_qs)->editingFinished();
    QByteArray expected = original;
    expected.replace("  context: /chats\n", "  context: /talk\n");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Set context"_qs);

    // an emptied field leaves the default: its member goes
    typeInto(form.field(u"tlsListen"_qs), QString());
    form.field(u"tlsListen"_qs)->clear();
    form.field(u"tlsListen"_qs)->setModified(true);
    Q_EMIT form.field(u"tlsListen"_qs)->editingFinished();
    QVERIFY(!editor.text().contains("tlsListen"));

    // default version: a checkbox over a boolean that is left out when false
    form.defaultVersionBox()->setChecked(true);
    QVERIFY(editor.text().contains("  defaultVersion: true\n"));
    form.defaultVersionBox()->setChecked(false);
    QVERIFY(!editor.text().contains("defaultVersion"));

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestGatewayForm::problemsShowUnderTheirField()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("problems.yaml")), original);
    GatewayForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QVERIFY(form.problem(u"endpoint"_qs).isEmpty());
    typeInto(form.field(u"endpoint"_qs), u"http://localhost:8080"_qs);
    QVERIFY(readNow(editor));
    QVERIFY2(form.problem(u"endpoint"_qs).contains(u"ws://"),
             qPrintable(form.problem(u"endpoint"_qs)));
    QVERIFY(form.problem(u"context"_qs).isEmpty());
    // and it goes when fixed
    typeInto(form.field(u"endpoint"_qs), u"wss://chat.example:8443"_qs);
    QVERIFY(readNow(editor));
    QVERIFY(form.problem(u"endpoint"_qs).isEmpty());
    QVERIFY(form.focusField(u"/x-gatehouse/listen"_qs));
    QVERIFY(!form.focusField(u"/info/title"_qs));
}

void TestGatewayForm::plans()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("plans.yaml")), original);
    GatewayForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QTableWidget *plans = form.plansTable();
    QCOMPARE(plans->rowCount(), 0);
    QString error;
    QVERIFY2(form.addPlan(&error), qPrintable(error));
    QVERIFY(editor.text().contains(
        "  plans:\n    - name: Plan1\n      events: 1000\n      unit: minute\n"));
    QTRY_COMPARE_WITH_TIMEOUT(plans->rowCount(), 1, 20000);
    QCOMPARE(plans->item(0, 0)->text(), u"Plan1"_qs);
    QCOMPARE(qobject_cast<QComboBox *>(plans->cellWidget(0, 2))->currentText(), u"minute"_qs);

    // a cell typed in writes its member only
    plans->item(0, 0)->setText(u"Gold"_qs);
    QVERIFY(editor.text().contains("    - name: Gold\n"));
    plans->item(0, 1)->setText(u"5000"_qs);
    QVERIFY(editor.text().contains("      events: 5000\n"));
    plans->item(0, 3)->setText(u"3"_qs);
    QVERIFY(editor.text().contains("      maxConnections: 3\n"));
    auto *unit = qobject_cast<QComboBox *>(plans->cellWidget(0, 2));
    unit->setCurrentText(u"hour"_qs);
    Q_EMIT unit->activated(unit->currentIndex());
    QVERIFY(editor.text().contains("      unit: hour\n"));
    // a number that is not one is refused, and the cell shows the document again
    const QByteArray before = editor.text();
    QSignalSpy failed(&form, &GatewayForm::editFailed);
    plans->item(0, 1)->setText(u"lots"_qs);
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains(u"whole number"));
    QCOMPARE(editor.text(), before);
    QVERIFY(readNow(editor));
    QVERIFY(editor.lastRead().ok());
    const Plan plan = editor.lastRead().api->gatehouse.plans.value(0);
    QCOMPARE(plan.name, u"Gold"_qs);
    QCOMPARE(plan.events, 5000u);
    QVERIFY(plan.unit == Plan::Unit::Hour);
    QCOMPARE(plan.maxConnections, 3);

    QVERIFY(form.deletePlan(0, &error));
    QVERIFY(!editor.text().contains("Gold"));
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestGatewayForm::securitySchemes()
{
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("schemes.yaml")), original);
    GatewayForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QListWidget *list = form.schemesList();
    QCOMPARE(list->count(), 2);
    QCOMPARE(list->item(0)->text(), u"bearer — bearer token in the Authorization header"_qs);
    QCOMPARE(list->item(1)->text(),
             u"accessToken — API key in the query parameter access_token"_qs);

    // one the servers require is not deleted
    QString error;
    QVERIFY(!form.deleteScheme(u"bearer"_qs, &error));
    QVERIFY2(error.contains(u"/servers/"), qPrintable(error));
    QCOMPARE(editor.text(), original);

    QVERIFY2(form.addScheme(GatewayForm::SchemeKind::HeaderKey, u"X-API-Key"_qs, &error),
             qPrintable(error));
    QVERIFY(
        editor.text().contains("    apiKeyHeader:\n      type: httpApiKey\n      name: X-API-Key\n"
                               "      in: header\n"));
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 3, 20000);
    QCOMPARE(list->item(2)->text(), u"apiKeyHeader — API key in the header X-API-Key"_qs);
    QVERIFY(form.addScheme(GatewayForm::SchemeKind::Bearer, {}, &error));
    QVERIFY(editor.text().contains("    bearer2:\n      type: http\n      scheme: bearer\n"));
    QVERIFY(!form.addScheme(GatewayForm::SchemeKind::QueryKey, u"api key"_qs, &error));
    QVERIFY(error.contains(u"api key"));
    QVERIFY(readNow(editor));
    QVERIFY(editor.lastRead().ok());
    QVERIFY2(form.deleteScheme(u"apiKeyHeader"_qs, &error), qPrintable(error));
    QVERIFY(!editor.text().contains("apiKeyHeader"));
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);
}

void TestGatewayForm::renameSchemes()
{
    // 2.x: the servers' requirements name it by key
    const QByteArray original = sample(QStringLiteral("chats.asyncapi.yaml"));
    DocumentEditor editor(m_dir.filePath(QStringLiteral("rename2.yaml")), original);
    GatewayForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QString error;
    QVERIFY2(form.renameScheme(u"bearer"_qs, u"jwt"_qs, &error), qPrintable(error));
    const QByteArray renamed = editor.text();
    QCOMPARE(renamed.count("      - jwt: []\n"), 2); // both servers
    QVERIFY(!renamed.contains("bearer: []"));
    QVERIFY(renamed.contains("  securitySchemes:\n    jwt:\n      type: http\n"));
    QCOMPARE(renamed.size(), original.size() - 3 * 3); // only the three names changed
    QVERIFY(readNow(editor));
    QVERIFY(editor.lastRead().ok());
    QTRY_VERIFY(form.schemesList()->currentItem());
    QCOMPARE(form.schemesList()->currentItem()->data(Qt::UserRole).toString(), u"jwt"_qs);
    QCOMPARE(editor.undoStack()->undoText(), u"Rename security scheme bearer"_qs);
    editor.undoStack()->undo(); // one step
    QCOMPARE(editor.text(), original);
    // refused: a name taken, a name a component cannot have
    QVERIFY(!form.renameScheme(u"bearer"_qs, u"accessToken"_qs, &error));
    QCOMPARE(error, u"There is a security scheme accessToken already"_qs);
    QVERIFY(!form.renameScheme(u"bearer"_qs, u"my token"_qs, &error));
    QVERIFY(error.startsWith(u"\"my token\" cannot name a security scheme"));
    QCOMPARE(editor.text(), original);

    // 3.x: requirements are $refs
    const QByteArray v3 = "asyncapi: 3.0.0\n"
                          "info: {title: Ticks, version: 1.0.0}\n"
                          "servers:\n"
                          "  local:\n"
                          "    host: localhost:9000\n"
                          "    protocol: ws\n"
                          "    security:\n"
                          "      - $ref: '#/components/securitySchemes/token'\n"
                          "channels:\n"
                          "  ticks: {address: /ticks}\n"
                          "operations:\n"
                          "  onTick:\n"
                          "    action: receive\n"
                          "    channel: {$ref: '#/channels/ticks'}\n"
                          "    security: [{$ref: '#/components/securitySchemes/token'}]\n"
                          "components:\n"
                          "  securitySchemes:\n"
                          "    token: {type: http, scheme: bearer}\n";
    DocumentEditor editor3(m_dir.filePath(QStringLiteral("rename3.yaml")), v3);
    form.setEditor(&editor3);
    QVERIFY(readNow(editor3));
    QVERIFY2(form.renameScheme(u"token"_qs, u"bearer.v2"_qs, &error), qPrintable(error));
    QCOMPARE(editor3.text().count("'#/components/securitySchemes/bearer.v2'"), 2);
    QVERIFY(editor3.text().contains("    bearer.v2: {type: http, scheme: bearer}\n"));
    QVERIFY(readNow(editor3));
    QVERIFY(editor3.lastRead().ok());
    editor3.undoStack()->undo();
    QCOMPARE(editor3.text(), v3);
}

QTEST_MAIN(TestGatewayForm)
#include "tst_gatewayform.moc"
