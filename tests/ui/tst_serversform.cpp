// SPDX-License-Identifier: GPL-3.0-or-later
// ServersForm: the Design tab's servers edit `servers` in the document's text, 2.x
// and 3.x alike: fields of the selected server, security requirements, and add,
// rename (the channels naming a server follow) and delete, each one undo step.
#include "editor/documenteditor.h"
#include "editor/serversform.h"

#include "formtesting.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>

using namespace Gatehouse;
using Test::readNow;
using Test::typeInto;

namespace {

const QByteArray V2 = "asyncapi: 2.6.0\n"
                      "info: {title: Servers, version: '1'}\n"
                      "servers:\n"
                      "  production:\n"
                      "    url: ws://chat.example.com:{port}\n"
                      "    protocol: wss # the public one\n"
                      "    variables:\n"
                      "      port: {default: '443'}\n"
                      "    security:\n"
                      "      - bearer: []\n"
                      "      - oauth: [chat:read, chat:write]\n"
                      "  local:\n"
                      "    url: ws://localhost:8080\n"
                      "    protocol: ws\n"
                      "channels:\n"
                      "  /rooms:\n"
                      "    servers: [production]\n"
                      "    subscribe: {message: {payload: {type: string}}}\n"
                      "components:\n"
                      "  securitySchemes:\n"
                      "    bearer: {type: http, scheme: bearer}\n"
                      "    oauth:\n"
                      "      type: oauth2\n"
                      "      flows: {implicit: {authorizationUrl: 'https://a.example.com', "
                      "scopes: {'chat:read': r, 'chat:write': w}}}\n"
                      "    key: {type: httpApiKey, name: apikey, in: query}\n";

const QByteArray V3 = "asyncapi: 3.0.0\n"
                      "info: {title: Servers, version: '1'}\n"
                      "servers:\n"
                      "  production:\n"
                      "    host: chat.example.com\n"
                      "    pathname: /v1\n"
                      "    protocol: wss\n"
                      "channels:\n"
                      "  rooms:\n"
                      "    address: /rooms\n"
                      "    servers:\n"
                      "      - $ref: '#/servers/production'\n"
                      "components:\n"
                      "  securitySchemes:\n"
                      "    bearer: {type: http, scheme: bearer}\n";

} // namespace

class TestServersForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void fieldsOfAServer();
    void securityRequirements();
    void addRenameDelete();
    void version3();

private:
    QTemporaryDir m_dir;
};

void TestServersForm::fieldsOfAServer()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("servers.yaml")), V2);
    ServersForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QCOMPARE(form.serverList()->count(), 2);
    QCOMPARE(form.currentServer(), u"production"_qs);
    QCOMPARE(qobject_cast<QLineEdit *>(form.field(u"url"_qs))->text(),
             u"ws://chat.example.com:{port}"_qs);
    QCOMPARE(qobject_cast<QComboBox *>(form.field(u"protocol"_qs))->currentText(), u"wss"_qs);
    QCOMPARE(qobject_cast<QLineEdit *>(form.field(u"security"_qs))->text(), u"bearer, oauth"_qs);
    QVERIFY(form.isShown(u"url"_qs));
    QVERIFY(!form.isShown(u"host"_qs));
    QVERIFY(!form.isShown(u"pathname"_qs));
    for (const char *key : {"url", "host", "pathname", "protocol", "protocolVersion", "title",
                            "summary", "description", "security"})
        QVERIFY2(!form.field(QLatin1String(key))->accessibleName().isEmpty(), key);

    // a field written is one line added; the comment and the rest stay
    typeInto(form.field(u"protocolVersion"_qs), u"13"_qs);
    QVERIFY2(editor.text().contains("    protocol: wss # the public one\n"),
             editor.text().constData());
    QVERIFY(editor.text().contains("    protocolVersion: '13'\n")
            || editor.text().contains("    protocolVersion: \"13\"\n"));
    QCOMPARE(editor.text().count('\n'), V2.count('\n') + 1);
    QCOMPARE(editor.undoStack()->undoText(), u"Set protocolVersion of server production"_qs);
    // emptied: an optional field goes, a required one is refused
    typeInto(form.field(u"protocolVersion"_qs), QString());
    QCOMPARE(editor.text(), V2);
    const int steps = editor.undoStack()->count();
    typeInto(form.field(u"url"_qs), QString());
    QCOMPARE(editor.text(), V2);
    QCOMPARE(editor.undoStack()->count(), steps);
    QString error;
    QVERIFY(!form.commitField(u"url"_qs, &error));
    QCOMPARE(error, u"A server needs a url"_qs);
    // another server shows its own values
    form.selectServer(u"local"_qs);
    QCOMPARE(qobject_cast<QLineEdit *>(form.field(u"url"_qs))->text(), u"ws://localhost:8080"_qs);
    QVERIFY(qobject_cast<QLineEdit *>(form.field(u"security"_qs))->text().isEmpty());
    typeInto(form.field(u"url"_qs), u"ws://localhost:9000"_qs);
    QVERIFY(editor.text().contains("    url: ws://localhost:9000\n    protocol: ws\n"));
    // a field of the document is found
    QVERIFY(form.focusField(u"/servers/production/protocol"_qs));
    QCOMPARE(form.currentServer(), u"production"_qs);
    QVERIFY(form.field(u"protocol"_qs)->hasFocus());
    QVERIFY(!form.focusField(u"/servers/nowhere"_qs));
}

void TestServersForm::securityRequirements()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("security.yaml")), V2);
    ServersForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    // one dropped: the other keeps its scopes
    typeInto(form.field(u"security"_qs), u"oauth"_qs);
    QByteArray expected = V2;
    expected.replace("      - bearer: []\n", "");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(editor.undoStack()->undoText(), u"Set security of server production"_qs);
    QVERIFY(!editor.text().contains("- bearer: []"));
    QVERIFY(editor.text().contains("chat:write"));
    // one added after it
    typeInto(form.field(u"security"_qs), u"oauth, key"_qs);
    QVERIFY2(editor.text().contains("      - oauth: [chat:read, chat:write]\n      - key: []\n"),
             editor.text().constData());
    // a scheme the document does not have: refused, nothing changed
    const QByteArray before = editor.text();
    typeInto(form.field(u"security"_qs), u"oauth nope"_qs);
    QCOMPARE(editor.text(), before);
    QString error;
    QVERIFY(!form.commitField(u"security"_qs, &error));
    QCOMPARE(error, u"There is no security scheme nope: add it in the Gateway section first"_qs);
    // none: the member goes
    typeInto(form.field(u"security"_qs), QString());
    QVERIFY(!editor.text().contains("    security:"));
    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), V2);
}

void TestServersForm::addRenameDelete()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("rename.yaml")), V2);
    ServersForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QString error;
    QVERIFY2(form.addServer(u"staging"_qs, &error), qPrintable(error));
    QCOMPARE(form.currentServer(), u"staging"_qs);
    QVERIFY(editor.text().contains("  staging:\n    url: ws://localhost:8080\n    protocol: ws\n"));
    QVERIFY(!form.addServer(u"staging"_qs, &error));
    QCOMPARE(error, u"There is a server staging already"_qs);
    QVERIFY(!form.addServer(u"in staging"_qs, &error));
    QCOMPARE(error, u"\"in staging\" cannot name a server: use letters, digits, '-' and '_'"_qs);

    // renamed: the channel naming it follows, as one step
    const QByteArray added = editor.text();
    QVERIFY2(form.renameServer(u"production"_qs, u"public"_qs, &error), qPrintable(error));
    QVERIFY(editor.text().contains("  public:\n    url: ws://chat.example.com:{port}\n"));
    QVERIFY2(editor.text().contains("    servers: [public]\n"), editor.text().constData());
    QCOMPARE(editor.undoStack()->undoText(), u"Rename server production"_qs);
    QCOMPARE(form.currentServer(), u"public"_qs);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), added);

    // a server a channel names is not deleted; another one is
    QVERIFY(!form.deleteServer(u"production"_qs, &error));
    QCOMPARE(error, u"Server production is named by channel /rooms: remove it there first"_qs);
    QVERIFY2(form.deleteServer(u"local"_qs, &error), qPrintable(error));
    QVERIFY(!editor.text().contains("  local:"));
    QVERIFY(QTest::qWaitFor([&] { return form.serverList()->count() == 2; }));
}

void TestServersForm::version3()
{
    DocumentEditor editor(m_dir.filePath(QStringLiteral("v3.yaml")), V3);
    ServersForm form;
    form.show();
    form.setEditor(&editor);
    QVERIFY(readNow(editor));
    QVERIFY(form.isShown(u"host"_qs));
    QVERIFY(form.isShown(u"pathname"_qs));
    QVERIFY(form.isShown(u"title"_qs));
    QVERIFY(!form.isShown(u"url"_qs));
    QCOMPARE(qobject_cast<QLineEdit *>(form.field(u"host"_qs))->text(), u"chat.example.com"_qs);
    QCOMPARE(qobject_cast<QLineEdit *>(form.field(u"pathname"_qs))->text(), u"/v1"_qs);
    typeInto(form.field(u"security"_qs), u"bearer"_qs);
    QVERIFY2(editor.text().contains("$ref: '#/components/securitySchemes/bearer'")
                 || editor.text().contains("$ref: \"#/components/securitySchemes/bearer\""),
             editor.text().constData());
    QString error;
    typeInto(form.field(u"host"_qs), QString()); // required
    QVERIFY(editor.text().contains("    host: chat.example.com\n"));
    // renamed: the channel's $ref follows
    QVERIFY2(form.renameServer(u"production"_qs, u"public"_qs, &error), qPrintable(error));
    QVERIFY(editor.text().contains("      - $ref: '#/servers/public'\n"));
    QVERIFY(!form.deleteServer(u"public"_qs, &error));
    QCOMPARE(error, u"Server public is named by channel rooms: remove it there first"_qs);
}

QTEST_MAIN(TestServersForm)
#include "tst_serversform.moc"
