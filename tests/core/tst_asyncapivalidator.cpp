// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapivalidator.h"
#include "asyncapi/documentloader.h"

#include "testsupport.h"

#include <QtTest>

using namespace Gatehouse;

Q_DECLARE_METATYPE(Diagnostic::Severity)

namespace {

QString describe(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

const char Valid26[] = R"(asyncapi: 2.6.0
info:
  title: Rooms
  version: 1.0.0
channels:
  /rooms/{roomID}:
    parameters:
      roomID:
        schema:
          type: string
    publish:
      message:
        payload:
          type: string
x-gatehouse:
  context: /rooms
  endpoint: ws://localhost:8080
  listen: 127.0.0.1:9099
)";

const char Valid30[] = R"(asyncapi: 3.0.0
info:
  title: Rooms
  version: 1.0.0
channels:
  rooms:
    address: /rooms/{roomID}
    parameters:
      roomID: {}
operations:
  sendRoomMessage:
    action: send
    channel:
      $ref: '#/channels/rooms'
)";

} // namespace

class TestAsyncApiValidator final : public QObject
{
    Q_OBJECT

private slots:
    void examplesAreValid_data();
    void examplesAreValid();
    void mutations_data();
    void mutations();
    void diagnosticsCarryPointer();
    void xGatehouseFullExampleIsValid();
};

void TestAsyncApiValidator::examplesAreValid_data()
{
    QTest::addColumn<QString>("file");
    for (const QString &file : Test::exampleFiles())
        QTest::newRow(qPrintable(QDir(Test::examplePath(QString())).relativeFilePath(file)))
            << file;
    QTest::newRow("sample chats") << Test::sourcePath(
        QStringLiteral("resources/samples/chats.asyncapi.yaml"));
    QVERIFY(Test::exampleFiles().size() >= 9);
}

void TestAsyncApiValidator::examplesAreValid()
{
    QFETCH(QString, file);
    const auto loaded = DocumentLoader::loadFile(file);
    QVERIFY2(loaded.ok(), qPrintable(describe(loaded.diagnostics)));
    const QList<Diagnostic> diagnostics = AsyncApiValidator::validate(loaded.document);
    QVERIFY2(!hasErrors(diagnostics), qPrintable(describe(diagnostics)));
    // The one known exception: the Kraken example's message examples do not match
    // their payload schema (e.g. "pair" is a string, the schema says array).
    if (!file.endsWith(QLatin1String("kraken-websocket-request-reply-multiple-channels.yml")))
        QVERIFY2(diagnostics.isEmpty(), qPrintable(describe(diagnostics)));
    for (const Diagnostic &d : diagnostics)
        QVERIFY2(d.message.contains(QLatin1String(".examples[")), qPrintable(d.toString()));
}

void TestAsyncApiValidator::mutations_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<Diagnostic::Severity>("severity");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");

    const QByteArray v26(Valid26);
    const QByteArray v30(Valid30);
    const auto error = Diagnostic::Severity::Error;
    const auto warning = Diagnostic::Severity::Warning;

    QTest::newRow("wrong type") << QByteArray(v26).replace("title: Rooms", "title: [Rooms]")
                                << error << 3 << u"info.title: must be string, got array"_qs;
    QTest::newRow("misspelled field")
        << QByteArray(v26).replace("publish:", "pubish:") << error << 11
        << u"channels./rooms/{roomID}: unknown field 'pubish'"_qs;
    QTest::newRow("misspelled nested field")
        << QByteArray(v26).replace("        payload:", "        paylod:") << error << 13
        << u"channels./rooms/{roomID}.publish.message: unknown field 'paylod'"_qs;
    QTest::newRow("missing info") << QByteArray(v26).replace(
        "info:\n  title: Rooms\n  version: 1.0.0\n", "")
                                  << error << 1 << u"info is required"_qs;
    QTest::newRow("missing title") << QByteArray(v26).replace("  title: Rooms\n", "") << error << 2
                                   << u"info.title is required"_qs;
    QTest::newRow("wrong version value")
        << QByteArray(v26).replace("asyncapi: 2.6.0", "asyncapi: 2.7.0") << error << 1
        << u"unsupported AsyncAPI version '2.7.0'; supported: "_qs;
    QTest::newRow("3.0 wrong action")
        << QByteArray(v30).replace("action: send", "action: sned") << error << 12
        << u"operations.sendRoomMessage.action: must be one of"_qs;
    QTest::newRow("3.0 misspelled") << QByteArray(v30).replace("    address:", "    adress:")
                                    << error << 7 << u"channels.rooms: unknown field 'adress'"_qs;
    QTest::newRow("example does not match payload")
        << QByteArray(v26).replace(
               "          type: string\nx-gatehouse",
               "          type: string\n        examples:\n          - payload: 42\nx-gatehouse")
        << error << 16
        << u"channels./rooms/{roomID}.publish.message.examples[0].payload: must be string, got integer"_qs;
    QTest::newRow("3.0 example does not match payload")
        << QByteArray(v30)
            + "components:\n  messages:\n    M:\n      payload:\n        type: object\n"
              "        properties:\n          n: {type: integer, maximum: 9}\n"
              "      examples:\n        - payload: {n: 10}\n"
        << warning << 23 << u"components.messages.M.examples[0].payload.n: must be <= 9, got 10"_qs;
    QTest::newRow("3.0 with 2.x operation")
        << QByteArray(v30).replace("    parameters:\n      roomID: {}\n",
                                   "    parameters:\n      roomID: {}\n    publish: {}\n")
        << error << 10
        << u"channels.rooms: unknown field 'publish'; in AsyncAPI 3 operations are declared under 'operations' with action: send or receive"_qs;
    QTest::newRow("2.x operations disagree on x-auth-type")
        << QByteArray(v26).replace("    publish:\n",
                                   "    subscribe:\n      x-scopes: [admin]\n"
                                   "    publish:\n      x-auth-type: None\n")
        << warning << 14
        << u"channel '/rooms/{roomID}': publish says x-auth-type None but subscribe says nothing (Any)"_qs;
    QTest::newRow("x-gatehouse unknown key")
        << QByteArray(v26).replace("  listen:", "  lisen:") << warning << 18
        << u"x-gatehouse: unknown field 'lisen' (did you mean 'listen'?) (ignored)"_qs;
    QTest::newRow("x-gatehouse wrong type")
        << QByteArray(v26).replace("listen: 127.0.0.1:9099", "listen: 9099") << error << 18
        << u"x-gatehouse.listen: must be string, got integer"_qs;
    QTest::newRow("x-gatehouse bad endpoint")
        << QByteArray(v26).replace("ws://localhost:8080", "http://localhost:8080") << error << 17
        << uR"(x-gatehouse.endpoint: must be a ws:// or wss:// URL, e.g. "ws://localhost:8080", got "http://localhost:8080")"_qs;
    QTest::newRow("x-gatehouse bad context")
        << QByteArray(v26).replace("context: /rooms", "context: rooms") << error << 16
        << u"x-gatehouse.context: must be a path that starts with /"_qs;
    QTest::newRow("x-gatehouse plan")
        << QByteArray(v26) + "  plans:\n    - name: Gold\n      events: -1\n"
        << error << 21 << u"x-gatehouse.plans[0].events: must be >= 0, got -1"_qs;
    QTest::newRow("x-gatehouse plan unit")
        << QByteArray(v26) + "  plans:\n    - name: Gold\n      unit: week\n"
        << error << 21
        << uR"(x-gatehouse.plans[0].unit: must be one of "second", "minute", "hour", "day", got "week")"_qs;
    QTest::newRow("x-gatehouse mock kind")
        << QByteArray(v26) + "  mock:\n    kind: parrot\n"
        << error << 20 << u"x-gatehouse.mock.kind: must be one of"_qs;
    QTest::newRow("x-gatehouse certificate without key")
        << QByteArray(v26) + "  certificate: cert.pem\n"
        << error << 15 << u"x-gatehouse: 'certificate' requires 'privateKey' as well"_qs;
    QTest::newRow("x-gatehouse not an object")
        << QByteArray(v26).replace("x-gatehouse:\n  context: /rooms\n  endpoint: "
                                   "ws://localhost:8080\n  listen: 127.0.0.1:9099\n",
                                   "x-gatehouse: true\n")
        << error << 15 << u"x-gatehouse: must be object, got boolean"_qs;
}

void TestAsyncApiValidator::mutations()
{
    QFETCH(QByteArray, yaml);
    QFETCH(Diagnostic::Severity, severity);
    QFETCH(int, line);
    QFETCH(QString, message);

    const auto loaded = DocumentLoader::loadData(yaml, QStringLiteral("mutated.yaml"));
    QVERIFY2(loaded.ok(), qPrintable(describe(loaded.diagnostics)));
    const QList<Diagnostic> diagnostics = AsyncApiValidator::validate(loaded.document);
    QVERIFY2(diagnostics.size() == 1, qPrintable(describe(diagnostics)));
    const Diagnostic &d = diagnostics.first();
    QVERIFY2(d.message.startsWith(message), qPrintable(d.message));
    QCOMPARE(d.severity, severity);
    QCOMPARE(d.location.file, u"mutated.yaml"_qs);
    QCOMPARE(d.location.line, line);
    QVERIFY(d.location.column > 0);
}

void TestAsyncApiValidator::diagnosticsCarryPointer()
{
    const QByteArray yaml = QByteArray(Valid26).replace("publish:", "pubish:");
    const auto loaded = DocumentLoader::loadData(yaml, QStringLiteral("p.yaml"));
    const auto diagnostics = AsyncApiValidator::validate(loaded.document);
    QCOMPARE(diagnostics.size(), 1);
    QCOMPARE(diagnostics.first().pointer, u"/channels/~1rooms~1{roomID}/pubish"_qs);
    QCOMPARE(
        diagnostics.first().toString(),
        u"p.yaml:11:5: error: channels./rooms/{roomID}: unknown field 'pubish' (did you mean 'publish'?)"_qs);
}

// The full example of docs/x-gatehouse.md must stay valid.
void TestAsyncApiValidator::xGatehouseFullExampleIsValid()
{
    QFile docs(Test::sourcePath(QStringLiteral("docs/x-gatehouse.md")));
    QVERIFY(docs.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(docs.readAll());
    const qsizetype start = text.indexOf(QStringLiteral("```yaml\nasyncapi:"));
    QVERIFY(start >= 0);
    const qsizetype end = text.indexOf(QStringLiteral("```"), start + 7);
    const QByteArray yaml = text.mid(start + 8, end - start - 8).toUtf8();
    const auto loaded = DocumentLoader::loadData(yaml, QStringLiteral("x-gatehouse.md"));
    QVERIFY2(loaded.ok(), qPrintable(describe(loaded.diagnostics)));
    QVERIFY(loaded.document.root.contains("x-gatehouse"));
    QVERIFY(loaded.document.root["x-gatehouse"].contains("plans"));
    const auto diagnostics = AsyncApiValidator::validate(loaded.document);
    QVERIFY2(diagnostics.isEmpty(), qPrintable(describe(diagnostics)));
}

QTEST_GUILESS_MAIN(TestAsyncApiValidator)
#include "tst_asyncapivalidator.moc"
