// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapireader.h"
#include "asyncapi/asyncapiwriter.h"
#include "asyncapi/documentloader.h"

#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

using Version = AsyncApiWriter::TargetVersion;
using Format = AsyncApiWriter::Format;

namespace {

QString joined(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

Api readSample()
{
    const ReadResult r
        = AsyncApiReader::readFile(Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs));
    if (!r.ok())
        qFatal("sample does not load: %s", qPrintable(joined(r.diagnostics)));
    return *r.api;
}

} // namespace

class TestAsyncApiWriter final : public QObject
{
    Q_OBJECT

private slots:
    void yamlScalars_data();
    void yamlScalars();
    void yamlStructure();
    void jsonOutput();
    void toV3();
    void toV3MixedAuthTypes();
    void toV2();
    void saveAtomically();
    void cliConvert_data();
    void cliConvert();
    void cliConvertToFile();
    void cliConvertHelp();
    void cliConvertErrors_data();
    void cliConvertErrors();
};

// Strings that a YAML reader would take for something else are quoted; the rest
// stay plain. Every one reads back as the same string.
void TestAsyncApiWriter::yamlScalars_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected"); // the value as written after "k:"

    QTest::newRow("plain") << u"hello world"_qs << QByteArray(" hello world\n");
    QTest::newRow("version") << u"1.0.0"_qs << QByteArray(" 1.0.0\n");
    QTest::newRow("path") << u"/rooms/{roomID}"_qs << QByteArray(" /rooms/{roomID}\n");
    QTest::newRow("mapping") << u"/rooms?room={uri.var.roomID}"_qs
                             << QByteArray(" /rooms?room={uri.var.roomID}\n");
    QTest::newRow("yes") << u"yes"_qs << QByteArray(" 'yes'\n");
    QTest::newRow("No") << u"No"_qs << QByteArray(" 'No'\n");
    QTest::newRow("on") << u"on"_qs << QByteArray(" 'on'\n");
    QTest::newRow("null") << u"null"_qs << QByteArray(" 'null'\n");
    QTest::newRow("tilde") << u"~"_qs << QByteArray(" '~'\n");
    QTest::newRow("true") << u"true"_qs << QByteArray(" 'true'\n");
    QTest::newRow("int") << u"123"_qs << QByteArray(" '123'\n");
    QTest::newRow("float") << u"1.5"_qs << QByteArray(" '1.5'\n");
    QTest::newRow("exp") << u"1e3"_qs << QByteArray(" '1e3'\n");
    QTest::newRow("hex") << u"0x1F"_qs << QByteArray(" '0x1F'\n");
    QTest::newRow("sexagesimal") << u"1:20"_qs << QByteArray(" '1:20'\n");
    QTest::newRow("empty") << QString() << QByteArray(" ''\n");
    QTest::newRow("colon-space") << u"Authorization: Bearer x"_qs
                                 << QByteArray(" 'Authorization: Bearer x'\n");
    QTest::newRow("trailing-colon") << u"key:"_qs << QByteArray(" 'key:'\n");
    QTest::newRow("comment") << u"a #b"_qs << QByteArray(" 'a #b'\n");
    QTest::newRow("dash") << u"- item"_qs << QByteArray(" '- item'\n");
    QTest::newRow("brace") << u"{x}"_qs << QByteArray(" '{x}'\n");
    QTest::newRow("star") << u"*alias"_qs << QByteArray(" '*alias'\n");
    QTest::newRow("amp") << u"&anchor"_qs << QByteArray(" '&anchor'\n");
    QTest::newRow("quote") << u"it's"_qs << QByteArray(" it's\n");
    QTest::newRow("leading-quote") << u"'q'"_qs << QByteArray(" '''q'''\n");
    QTest::newRow("leading-space") << u" x"_qs << QByteArray(" ' x'\n");
    QTest::newRow("merge-key") << u"<<"_qs << QByteArray(" '<<'\n");
    QTest::newRow("document-end") << u"..."_qs << QByteArray(" '...'\n");
    QTest::newRow("ref") << u"#/components/messages/X"_qs
                         << QByteArray(" '#/components/messages/X'\n");
    QTest::newRow("tab") << u"a\tb"_qs << QByteArray(" \"a\\tb\"\n");
    QTest::newRow("control") << u"a\u0001b"_qs << QByteArray(" \"a\\u0001b\"\n");
    QTest::newRow("line-separator") << u"a\u2028b"_qs << QByteArray(" \"a\\u2028b\"\n");
    QTest::newRow("emoji") << u"lights 🌃"_qs << QByteArray(" lights 🌃\n");
    QTest::newRow("multiline") << u"one\ntwo\n"_qs << QByteArray(" |\n  one\n  two\n");
    QTest::newRow("multiline-strip") << u"one\ntwo"_qs << QByteArray(" |-\n  one\n  two\n");
    QTest::newRow("multiline-keep") << u"one\n\n\n"_qs << QByteArray(" |+\n  one\n\n\n");
    QTest::newRow("multiline-blank-inside") << u"a\n\n  b\n"_qs << QByteArray(" |\n  a\n\n    b\n");
    QTest::newRow("multiline-leading-space") << u" a\nb"_qs << QByteArray(" \" a\\nb\"\n");
    QTest::newRow("multiline-trailing-space") << u"a \nb"_qs << QByteArray(" \"a \\nb\"\n");
    QTest::newRow("crlf") << u"a\r\nb"_qs << QByteArray(" \"a\\r\\nb\"\n");
}

void TestAsyncApiWriter::yamlScalars()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    Json doc = Json::object();
    doc["k"] = text.toStdString();
    const QByteArray yaml = AsyncApiWriter::toYaml(doc);
    QCOMPARE(yaml, QByteArray("k:") + expected);
    const DocumentLoader::Result back = DocumentLoader::loadData(yaml, u"s.yaml"_qs);
    QVERIFY2(back.ok(), qPrintable(joined(back.diagnostics)));
    QVERIFY(back.document.root["k"].is_string());
    QCOMPARE(QString::fromStdString(back.document.root["k"].get<std::string>()), text);
    // As a key too.
    Json keyed = Json::object();
    keyed[text.toStdString()] = 1;
    const DocumentLoader::Result keyBack
        = DocumentLoader::loadData(AsyncApiWriter::toYaml(keyed), u"k.yaml"_qs);
    QVERIFY2(keyBack.ok(), qPrintable(joined(keyBack.diagnostics)));
    QVERIFY(keyBack.document.root.contains(text.toStdString()));
}

void TestAsyncApiWriter::yamlStructure()
{
    const Json doc
        = Json::parse(R"({"a": {"b": [1, 2.5, true, null, {"c": "d", "e": []}, [3, [4]]], "f": {}},
                                     "g": [{"h": {"i": 1}}]})");
    const QByteArray yaml = AsyncApiWriter::toYaml(doc);
    QCOMPARE(yaml,
             QByteArray("a:\n"
                        "  b:\n"
                        "    - 1\n"
                        "    - 2.5\n"
                        "    - true\n"
                        "    - null\n"
                        "    - c: d\n"
                        "      e: []\n"
                        "    - - 3\n"
                        "      - - 4\n"
                        "  f: {}\n"
                        "g:\n"
                        "  - h:\n"
                        "      i: 1\n"));
    const DocumentLoader::Result back = DocumentLoader::loadData(yaml, u"s.yaml"_qs);
    QVERIFY2(back.ok(), qPrintable(joined(back.diagnostics)));
    QVERIFY(back.document.root == doc);
}

void TestAsyncApiWriter::jsonOutput()
{
    const Api api = readSample();
    const QByteArray json = AsyncApiWriter::write(api, Version::V3_0, Format::Json);
    const Json parsed = Json::parse(json.constBegin(), json.constEnd(), nullptr, false);
    QVERIFY(!parsed.is_discarded());
    QVERIFY(parsed["asyncapi"] == "3.0.0");
    QVERIFY(json.endsWith("}\n"));
    // Canonical order of the root keys.
    QStringList keys;
    for (auto it = parsed.begin(); it != parsed.end(); ++it)
        keys.append(QString::fromStdString(it.key()));
    QCOMPARE(keys,
             (QStringList {u"asyncapi"_qs, u"info"_qs, u"defaultContentType"_qs, u"servers"_qs,
                           u"channels"_qs, u"operations"_qs, u"components"_qs, u"x-gatehouse"_qs}));
}

// 2.x -> 3.0 as the official converter does it, with WSO2's extensions where WSO2
// API Manager reads them in 3.x.
void TestAsyncApiWriter::toV3()
{
    const Json doc = AsyncApiWriter::toJson(readSample(), Version::V3_0);
    QVERIFY(doc["asyncapi"] == "3.0.0");
    const Json &rooms = doc["channels"]["/rooms/{roomID}"];
    QVERIFY(rooms["address"] == "/rooms/{roomID}");
    QVERIFY(rooms["x-auth-type"] == "Any");
    QVERIFY(rooms["messages"]["sendRoomMessage.message"]["$ref"]
            == "#/components/messages/ChatMessage");
    QVERIFY(rooms["parameters"]["roomID"]["description"] == "Name of the room to join.");
    QVERIFY(!rooms["parameters"]["roomID"].contains("schema"));
    const Json &send = doc["operations"]["sendRoomMessage"];
    QVERIFY(send["action"] == "receive"); // 2.x publish
    QVERIFY(send["channel"]["$ref"] == "#/channels/~1rooms~1{roomID}");
    QVERIFY(send["x-uri-mapping"] == "/rooms?room={uri.var.roomID}");
    QVERIFY(!send.contains("x-auth-type"));
    QVERIFY(send["messages"][0]["$ref"]
            == "#/channels/~1rooms~1{roomID}/messages/sendRoomMessage.message");
    QVERIFY(doc["operations"]["receiveRoomMessages"]["action"] == "send");
    const Json &server = doc["servers"]["gateway"];
    QVERIFY(server["host"] == "localhost:9099");
    QVERIFY(server["pathname"] == "/chats/1.0.0");
    QVERIFY(!server.contains("url"));
    QVERIFY(server["security"][0]["$ref"] == "#/components/securitySchemes/bearer");
    QVERIFY(doc["x-gatehouse"]["context"] == "/chats");
}

// A 2.x channel is open only when every operation says None: one that says nothing
// is Any, and so is the converted channel.
void TestAsyncApiWriter::toV3MixedAuthTypes()
{
    const ReadResult r = AsyncApiReader::readData("asyncapi: 2.6.0\n"
                                                  "info: {title: T, version: '1'}\n"
                                                  "channels:\n"
                                                  "  /mixed/{id}:\n"
                                                  "    parameters: {id: {schema: {type: string}}}\n"
                                                  "    publish:\n"
                                                  "      operationId: say\n"
                                                  "      x-auth-type: None\n"
                                                  "    subscribe:\n"
                                                  "      operationId: hear\n"
                                                  "      x-scopes: [admin]\n"
                                                  "  /open:\n"
                                                  "    publish:\n"
                                                  "      x-auth-type: None\n"
                                                  "    subscribe:\n"
                                                  "      x-auth-type: none\n",
                                                  u"v2.yaml"_qs);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    const Json doc = AsyncApiWriter::toJson(*r.api, Version::V3_0);
    QVERIFY(doc["channels"]["/mixed/{id}"]["x-auth-type"] == "Any");
    QVERIFY(doc["operations"]["say"]["x-auth-type"] == "None"); // kept where it differs
    QVERIFY(!doc["operations"]["hear"].contains("x-auth-type"));
    QVERIFY(doc["channels"]["/open"]["x-auth-type"] == "None");
}

void TestAsyncApiWriter::toV2()
{
    const ReadResult r
        = AsyncApiReader::readData("asyncapi: 3.0.0\n"
                                   "info: {title: T, version: '1'}\n"
                                   "channels:\n"
                                   "  room:\n"
                                   "    address: /rooms/{id}\n"
                                   "    x-auth-type: None\n"
                                   "    parameters: {id: {enum: [a, b], default: a}}\n"
                                   "    messages:\n"
                                   "      hello: {payload: {type: string}}\n"
                                   "operations:\n"
                                   "  say:\n"
                                   "    action: receive\n"
                                   "    channel: {$ref: '#/channels/room'}\n"
                                   "    x-scopes: [chat]\n"
                                   "    x-uri-mapping: /r?id={uri.var.id}\n"
                                   "  hear:\n"
                                   "    action: send\n"
                                   "    channel: {$ref: '#/channels/room'}\n",
                                   u"v3.yaml"_qs);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    const Json doc = AsyncApiWriter::toJson(*r.api, Version::V2_6);
    QVERIFY(doc["asyncapi"] == "2.6.0");
    const Json &channel = doc["channels"]["/rooms/{id}"];
    QVERIFY(channel["x-channelId"] == "room");
    QVERIFY(!channel.contains("x-auth-type"));
    QVERIFY(channel["publish"]["operationId"] == "say"); // receive -> publish
    QVERIFY(channel["publish"]["x-auth-type"] == "None");
    QVERIFY(channel["publish"]["x-scopes"] == Json::array({"chat"}));
    QVERIFY(channel["publish"]["x-uri-mapping"] == "/r?id={uri.var.id}");
    QVERIFY(channel["subscribe"]["operationId"] == "hear");
    QVERIFY(channel["subscribe"]["x-auth-type"] == "None");
    QVERIFY(channel["publish"]["message"]["payload"]["type"] == "string");
    QVERIFY(channel["parameters"]["id"]["schema"]["enum"] == Json::array({"a", "b"}));
    QVERIFY(channel["parameters"]["id"]["schema"]["default"] == "a");
    const ReadResult back = AsyncApiReader::readData(
        AsyncApiWriter::write(*r.api, Version::V2_6, Format::Yaml), u"v2.yaml"_qs);
    QVERIFY2(back.ok(), qPrintable(joined(back.diagnostics)));
    QCOMPARE(back.api->channels.first().id, u"room"_qs);
    QCOMPARE(back.api->operation(u"say"_qs)->action, Operation::Action::Receive);
}

void TestAsyncApiWriter::saveAtomically()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Api api = readSample();
    const QString path = dir.filePath(u"out.yaml"_qs);
    QString error;
    QVERIFY2(AsyncApiWriter::save(api, path, Version::V2_6, Format::Yaml, &error),
             qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), AsyncApiWriter::write(api, Version::V2_6, Format::Yaml));
    QVERIFY(!AsyncApiWriter::save(api, dir.filePath(u"no/such/dir/out.yaml"_qs), Version::V2_6,
                                  Format::Yaml, &error));
    QVERIFY2(error.contains(u"no/such/dir/out.yaml"_qs), qPrintable(error));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::NoDotAndDotDot),
             QStringList {u"out.yaml"_qs});
}

void TestAsyncApiWriter::cliConvert_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("startsWith");
    // What the conversion could not carry, on stderr; empty: stderr is empty
    QTest::addColumn<QByteArray>("losses");
    const QString sample = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
    QTest::newRow("to-3.0-yaml") << QStringList {u"convert"_qs, sample, u"--to"_qs, u"3.0"_qs}
                                 << QByteArray("asyncapi: 3.0.0\ninfo:\n  title: Chats\n")
                                 << QByteArray("chats.asyncapi.yaml:38:7: warning: parameter "
                                               "'roomID' of channel '/rooms/{roomID}': 3.0 "
                                               "parameters are strings");
    QTest::newRow("to-2.6-json") << QStringList {u"convert"_qs, sample,         u"--to"_qs,
                                                 u"2.6"_qs,     u"--format"_qs, u"json"_qs}
                                 << QByteArray("{\n  \"asyncapi\": \"2.6.0\",\n") << QByteArray();
    QTest::newRow("3.1-example") << QStringList {u"convert"_qs,
                                                 Test::examplePath(u"3.1/simple.yml"_qs),
                                                 u"--to"_qs, u"2.6.0"_qs}
                                 << QByteArray("asyncapi: 2.6.0\n") << QByteArray();
    QTest::newRow("3.1-request-reply")
        << QStringList {u"convert"_qs,
                        Test::examplePath(
                            u"3.1/kraken-websocket-request-reply-multiple-channels.yml"_qs),
                        u"--to"_qs, u"2.6"_qs}
        << QByteArray("asyncapi: 2.6.0\n") << QByteArray(": warning: operation '");
}

void TestAsyncApiWriter::cliConvert()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, startsWith);
    QFETCH(QByteArray, losses);
    const Test::ProcessResult r = Test::runCli(args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.standardOutput.startsWith(startsWith), r.standardOutput.left(200).constData());
    if (losses.isEmpty()) {
        QCOMPARE(r.standardError, QByteArray());
        return;
    }
    QVERIFY2(r.standardError.contains(losses), r.standardError.constData());
    // one warning a line, nothing else
    for (const QByteArray &line : r.standardError.trimmed().split('\n'))
        QVERIFY2(line.contains(": warning: "), line.constData());
}

void TestAsyncApiWriter::cliConvertToFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath(u"chats.json"_qs);
    const Test::ProcessResult r = Test::runCli(
        {u"convert"_qs, Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs), u"--to"_qs,
         u"3.0"_qs, u"-o"_qs, out});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.standardOutput, QByteArray());
    const ReadResult back = AsyncApiReader::readFile(out); // JSON, picked from the .json name
    QVERIFY2(back.ok(), qPrintable(joined(back.diagnostics)));
    QCOMPARE(back.api->asyncapiVersion, u"3.0.0"_qs);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().startsWith("{"));
}

void TestAsyncApiWriter::cliConvertHelp()
{
    const Test::ProcessResult r = Test::runCli({u"convert"_qs, u"--help"_qs});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.standardOutput.contains("--to <2.6|3.0>"), r.standardOutput.constData());
    QVERIFY(r.standardOutput.contains("--format <yaml|json>"));
    QVERIFY(r.standardOutput.contains("-o, --output <OUT>"));
}

void TestAsyncApiWriter::cliConvertErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stderrContains");
    const QString sample = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
    QTest::newRow("no-file") << QStringList {u"convert"_qs, u"--to"_qs, u"3.0"_qs} << 2
                             << u"no file given"_qs;
    QTest::newRow("no-to") << QStringList {u"convert"_qs, sample} << 2 << u"--to is required"_qs;
    QTest::newRow("bad-to") << QStringList {u"convert"_qs, sample, u"--to"_qs, u"1.2"_qs} << 2
                            << u"unsupported target version '1.2'"_qs;
    QTest::newRow("bad-format") << QStringList {u"convert"_qs, sample,         u"--to"_qs,
                                                u"3.0"_qs,     u"--format"_qs, u"xml"_qs}
                                << 2 << u"unknown format 'xml'"_qs;
    QTest::newRow("unknown-option")
        << QStringList {u"convert"_qs, sample, u"--frobnicate"_qs} << 2 << u"frobnicate"_qs;
    QTest::newRow("missing-file") << QStringList {u"convert"_qs, u"/nonexistent/api.yaml"_qs,
                                                  u"--to"_qs, u"3.0"_qs}
                                  << 1 << u"/nonexistent/api.yaml: error: file not found"_qs;
    QTest::newRow("cyclic") << QStringList {
        u"convert"_qs, Test::sourcePath(u"tests/data/asyncapi/cyclic/a.yaml"_qs), u"--to"_qs,
        u"3.0"_qs} << 1 << u"a.yaml:13:5: error: cyclic $ref: a.yaml -> b.yaml -> a.yaml"_qs;
    QTest::newRow("unwritable")
        << QStringList {u"convert"_qs, sample,   u"--to"_qs,
                        u"3.0"_qs,     u"-o"_qs, u"/nonexistent/dir/out.yaml"_qs}
        << 1 << u"gatehouse-cli convert: cannot write /nonexistent/dir/out.yaml"_qs;
}

void TestAsyncApiWriter::cliConvertErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, stderrContains);
    const Test::ProcessResult r = Test::runCli(args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(r.standardError).contains(stderrContains),
             r.standardError.constData());
    QCOMPARE(r.standardOutput, QByteArray());
}

QTEST_GUILESS_MAIN(TestAsyncApiWriter)
#include "tst_asyncapiwriter.moc"
