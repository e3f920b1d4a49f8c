// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapireader.h"
#include "asyncapi/documentloader.h"

#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Gatehouse;

namespace {

QString joined(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

} // namespace

class TestAsyncApiReader final : public QObject
{
    Q_OBJECT

private slots:
    void examples_data();
    void examples();
    void chatsSample();
    void tlsFiles();
    void scalarTypes_data();
    void scalarTypes();
    void jsonKeepsTypes();
    void mergeKeys();
    void locations();
    void channelIds2x();
    void operations3x();
    void extensionsKept();
    void gatehouseSettings();
    void brokenInputs_data();
    void brokenInputs();
    void brokenFiles_data();
    void brokenFiles();
    void hugeFile();
    void semanticChecks_data();
    void semanticChecks();
    void multiFileLocations();
    void multiFileTexts();
    void refChainLimits();
    void refToSpecialFile();
    void numberOutOfRange();
};

void TestAsyncApiReader::examples_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = Test::exampleFiles();
    QVERIFY(!files.isEmpty());
    for (const QString &f : files)
        QTest::newRow(qPrintable(f.section(u'/', -2))) << f;
    QTest::newRow("chats-sample") << Test::sourcePath(
        QStringLiteral("resources/samples/chats.asyncapi.yaml"));
}

void TestAsyncApiReader::examples()
{
    QFETCH(QString, path);
    const ReadResult result = AsyncApiReader::readFile(path);
    QVERIFY2(result.ok(), qPrintable(joined(result.diagnostics)));
    QVERIFY(!result.api->title.isEmpty());
    QVERIFY(!result.api->channels.isEmpty());
    // Every operation is on a known channel and every message id resolves.
    for (const Operation &op : result.api->operations) {
        QVERIFY2(result.api->channel(op.channelId), qPrintable(op.id));
        for (const QString &m : op.messageIds)
            QVERIFY2(result.api->message(m), qPrintable(op.id + u' ' + m));
    }
    for (const Channel &c : result.api->channels) {
        QCOMPARE(c.messageKeys.size(), c.messageIds.size());
        for (const QString &m : c.messageIds)
            QVERIFY2(result.api->message(m), qPrintable(c.id + u' ' + m));
    }
}

void TestAsyncApiReader::chatsSample()
{
    const ReadResult result = AsyncApiReader::readFile(
        Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")));
    QVERIFY2(result.ok(), qPrintable(joined(result.diagnostics)));
    const Api &api = *result.api;
    QCOMPARE(api.asyncapiVersion, u"2.6.0"_qs);
    QCOMPARE(api.title, u"Chats"_qs);
    QCOMPARE(api.version, u"1.0.0"_qs);
    QCOMPARE(api.channels.size(), 2);
    // 2.x channel ids are the addresses, as the official converter names them.
    const Channel *rooms = api.channel(u"/rooms/{roomID}"_qs);
    QVERIFY(rooms);
    QCOMPARE(rooms->address, u"/rooms/{roomID}"_qs);
    QCOMPARE(rooms->parameters.size(), 1);
    QCOMPARE(rooms->parameters.first().name, u"roomID"_qs);
    QVERIFY(rooms->parameters.first().schema.value("pattern", "") == "^[A-Za-z0-9_-]{1,64}$");
    QVERIFY(rooms->ws.present);
    QCOMPARE(rooms->ws.method, u"GET"_qs);
    QCOMPARE(rooms->messageIds, (QStringList {u"ChatMessage"_qs, u"RoomGreeting"_qs}));
    QCOMPARE(rooms->messageKeys,
             (QStringList {u"sendRoomMessage.message"_qs, u"receiveRoomMessages.message.1"_qs}));

    const Operation *send = api.operation(u"sendRoomMessage"_qs);
    QVERIFY(send);
    QCOMPARE(send->action, Operation::Action::Receive); // 2.x publish: the application receives
    QCOMPARE(send->channelId, rooms->id);
    QCOMPARE(send->uriMapping, u"/rooms?room={uri.var.roomID}"_qs);
    QCOMPARE(send->authType, u"Any"_qs);
    const Operation *recv = api.operation(u"receiveRoomMessages"_qs);
    QVERIFY(recv);
    QCOMPARE(recv->action, Operation::Action::Send);
    QCOMPARE(recv->messageIds, (QStringList {u"ChatMessage"_qs, u"RoomGreeting"_qs}));

    QCOMPARE(api.messages.size(), 3);
    const Message *n = api.message(u"Notification"_qs);
    QVERIFY(n);
    QCOMPARE(n->examples.size(), 2);
    QVERIFY(n->examples.at(0).payload == Json("Subscribed to notifications!"));
    QVERIFY(!n->inlined);

    QCOMPARE(api.servers.size(), 2);
    QCOMPARE(api.servers.at(0).host, u"localhost:9099"_qs);
    QCOMPARE(api.servers.at(0).pathname, u"/chats/1.0.0"_qs);
    QCOMPARE(api.servers.at(0).protocol, u"ws"_qs);
    QCOMPARE(api.securitySchemes.size(), 2);
    QCOMPARE(api.gatehouse.context, u"/chats"_qs);
    QCOMPARE(api.gatehouse.endpoint, u"ws://localhost:8080"_qs);
    QVERIFY(api.gatehouse.mock.value("kind", "") == "chat");
}

// x-gatehouse certificate / privateKey, as documented (and the older *File names)
void TestAsyncApiReader::tlsFiles()
{
    const QByteArray base = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels: {}\n"
                            "x-gatehouse:\n  tlsListen: 127.0.0.1:8099\n";
    ReadResult r = AsyncApiReader::readData(
        base + "  certificate: tls/gw.crt\n  privateKey: tls/gw.key\n", u"a.yaml"_qs);
    QVERIFY(r.api);
    QCOMPARE(r.api->gatehouse.certificateFile, u"tls/gw.crt"_qs);
    QCOMPARE(r.api->gatehouse.privateKeyFile, u"tls/gw.key"_qs);
    r = AsyncApiReader::readData(base + "  certificateFile: old.crt\n  privateKeyFile: old.key\n",
                                 u"b.yaml"_qs);
    QVERIFY(r.api);
    QCOMPARE(r.api->gatehouse.certificateFile, u"old.crt"_qs);
    QCOMPARE(r.api->gatehouse.privateKeyFile, u"old.key"_qs);
}

void TestAsyncApiReader::scalarTypes_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QByteArray>("expectedJson");
    QTest::newRow("int") << QByteArray("12") << QByteArray("12");
    QTest::newRow("negative") << QByteArray("-7") << QByteArray("-7");
    QTest::newRow("float") << QByteArray("1.5") << QByteArray("1.5");
    QTest::newRow("exp") << QByteArray("1e3") << QByteArray("1000.0");
    QTest::newRow("hex") << QByteArray("0x1F") << QByteArray("31");
    QTest::newRow("octal") << QByteArray("0o17") << QByteArray("15");
    QTest::newRow("true") << QByteArray("true") << QByteArray("true");
    QTest::newRow("False") << QByteArray("False") << QByteArray("false");
    QTest::newRow("yes-is-string") << QByteArray("yes") << QByteArray("\"yes\"");
    QTest::newRow("null") << QByteArray("null") << QByteArray("null");
    QTest::newRow("tilde") << QByteArray("~") << QByteArray("null");
    QTest::newRow("empty") << QByteArray("") << QByteArray("null");
    QTest::newRow("version") << QByteArray("1.0.0") << QByteArray("\"1.0.0\"");
    QTest::newRow("quoted-int") << QByteArray("'12'") << QByteArray("\"12\"");
    QTest::newRow("dquoted-true") << QByteArray("\"true\"") << QByteArray("\"true\"");
    QTest::newRow("str-tag") << QByteArray("!!str 12") << QByteArray("\"12\"");
    QTest::newRow("inf-stays-text") << QByteArray(".inf") << QByteArray("\".inf\"");
    QTest::newRow("big") << QByteArray("18446744073709551615")
                         << QByteArray("18446744073709551615");
}

void TestAsyncApiReader::scalarTypes()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QByteArray, expectedJson);
    const DocumentLoader::Result r = DocumentLoader::loadData("v: " + yaml + '\n', u"t.yaml"_qs);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    QCOMPARE(QByteArray::fromStdString(r.document.root["v"].dump()), expectedJson);
}

void TestAsyncApiReader::jsonKeepsTypes()
{
    const QByteArray json = R"({"asyncapi": "3.0.0", "info": {"title": "T", "version": "1.0"},
  "x-n": 1.0, "x-s": "yes", "x-i": 10, "x-u": "\u00e9\/"})";
    const DocumentLoader::Result r = DocumentLoader::loadData(json, u"t.json"_qs);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    QVERIFY(r.document.root["x-n"].is_number_float());
    QVERIFY(r.document.root["x-s"] == Json("yes"));
    QVERIFY(r.document.root["x-i"].is_number_integer());
    QVERIFY(r.document.root["x-u"] == Json("\xC3\xA9/"));
    QCOMPARE(r.document.locate(u"/info/title"_qs).line, 1);
    QCOMPARE(r.document.locate(u"/x-n"_qs).line, 2);
}

void TestAsyncApiReader::mergeKeys()
{
    const QByteArray yaml = "base: &base {type: string, maxLength: 10}\n"
                            "other: &other {format: email}\n"
                            "one:\n  <<: *base\n  maxLength: 20\n"
                            "two:\n  description: d\n  <<: [*base, *other]\n"
                            "quoted:\n  '<<': literal\n";
    const DocumentLoader::Result r = DocumentLoader::loadData(yaml, u"m.yaml"_qs);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    QCOMPARE(QByteArray::fromStdString(r.document.root["one"].dump()),
             QByteArray(R"({"type":"string","maxLength":20})"));
    QCOMPARE(QByteArray::fromStdString(r.document.root["two"].dump()),
             QByteArray(R"({"description":"d","type":"string","maxLength":10,"format":"email"})"));
    QCOMPARE(QByteArray::fromStdString(r.document.root["quoted"].dump()),
             QByteArray(R"({"<<":"literal"})"));
    const DocumentLoader::Result bad = DocumentLoader::loadData("a:\n  <<: 3\n", u"m.yaml"_qs);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.diagnostics.first().toString(),
             u"m.yaml:2:3: error: a merge key (<<) needs a mapping or a list of mappings"_qs);
}

void TestAsyncApiReader::locations()
{
    const QByteArray yaml = "asyncapi: 3.0.0\n"
                            "info:\n"
                            "  title: T\n"
                            "  version: '1'\n"
                            "channels:\n"
                            "  a/b:\n"
                            "    address: /x\n"
                            "    tags: [ {name: one}, {name: two} ]\n";
    const DocumentLoader::Result r = DocumentLoader::loadData(yaml, u"loc.yaml"_qs);
    QVERIFY(r.ok());
    QCOMPARE(r.document.locate(u"/info/version"_qs), (SourceLocation {u"loc.yaml"_qs, 4, 3}));
    QCOMPARE(r.document.locate(u"/channels/a~1b/address"_qs),
             (SourceLocation {u"loc.yaml"_qs, 7, 5}));
    QCOMPARE(r.document.locate(u"/channels/a~1b/tags/1"_qs),
             (SourceLocation {u"loc.yaml"_qs, 8, 26}));
    QCOMPARE(r.document.locate(u"/channels/a~1b/tags/1/name"_qs),
             (SourceLocation {u"loc.yaml"_qs, 8, 27}));
}

void TestAsyncApiReader::channelIds2x()
{
    const QByteArray yaml = "asyncapi: 2.6.0\n"
                            "info: {title: T, version: '1'}\n"
                            "channels:\n"
                            "  /a:\n"
                            "    x-channelId: alpha\n"
                            "    publish:\n"
                            "      message:\n"
                            "        payload: {type: string}\n"
                            "  /b:\n"
                            "    subscribe:\n"
                            "      message:\n"
                            "        messageId: bMessage\n"
                            "        payload: {type: string}\n";
    const ReadResult r = AsyncApiReader::readData(yaml, u"ids.yaml"_qs);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    QCOMPARE(r.api->channels.at(0).id, u"alpha"_qs);
    QCOMPARE(r.api->channels.at(1).id, u"/b"_qs);
    QCOMPARE(r.api->operations.at(0).id, u"alpha.publish"_qs);
    QCOMPARE(r.api->operations.at(1).id, u"/b.subscribe"_qs);
    QCOMPARE(r.api->channels.at(0).messageKeys, QStringList {u"publish.message"_qs});
    QCOMPARE(r.api->channels.at(0).messageIds, QStringList {u"publish.message"_qs});
    QCOMPARE(r.api->channels.at(1).messageIds, QStringList {u"bMessage"_qs});
    QVERIFY(r.api->message(u"bMessage"_qs)->inlined);
}

void TestAsyncApiReader::operations3x()
{
    const ReadResult r
        = AsyncApiReader::readFile(Test::examplePath(u"3.1/streetlights-mqtt.yml"_qs));
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    const Channel *on = r.api->channel(u"lightTurnOn"_qs);
    QVERIFY(on);
    QCOMPARE(on->messageIds, QStringList {u"turnOnOff"_qs});
    QCOMPARE(on->messageKeys, QStringList {u"turnOn"_qs});
    QCOMPARE(on->parameters.first().ref, u"#/components/parameters/streetlightId"_qs);
    QVERIFY(!on->parameters.first().description.isEmpty());
    const Operation *op = r.api->operation(u"turnOn"_qs);
    QVERIFY(op);
    QCOMPARE(op->action, Operation::Action::Send);
    QCOMPARE(op->messageIds, QStringList {u"turnOnOff"_qs});
    QVERIFY(op->extra.contains("traits"));
}

void TestAsyncApiReader::extensionsKept()
{
    const QByteArray yaml = "asyncapi: 2.6.0\n"
                            "x-root: 1\n"
                            "info: {title: T, version: '1', x-info: yes}\n"
                            "channels:\n"
                            "  /a:\n"
                            "    x-z: z\n"
                            "    x-a: a\n"
                            "    subscribe:\n"
                            "      x-scopes: [read, write]\n"
                            "      x-op: {k: v}\n"
                            "      message: {payload: {type: string}, x-m: true}\n"
                            "unknownRoot: kept\n";
    const ReadResult r = AsyncApiReader::readData(yaml, u"ext.yaml"_qs);
    QVERIFY(r.api);
    QCOMPARE(QByteArray::fromStdString(r.api->extra.dump()),
             QByteArray(R"({"x-root":1,"unknownRoot":"kept"})"));
    QCOMPARE(QByteArray::fromStdString(r.api->channels.at(0).extra.dump()),
             QByteArray(R"({"x-z":"z","x-a":"a"})"));
    QCOMPARE(r.api->operations.at(0).scopes, (QStringList {u"read"_qs, u"write"_qs}));
    QCOMPARE(QByteArray::fromStdString(r.api->operations.at(0).extra.dump()),
             QByteArray(R"({"x-op":{"k":"v"}})"));
    QVERIFY(r.api->messages.at(0).extra.value("x-m", false));
    QVERIFY(r.api->info.value("x-info", "") == "yes");
}

void TestAsyncApiReader::gatehouseSettings()
{
    const QByteArray yaml = "asyncapi: 3.0.0\n"
                            "info: {title: T, version: '1'}\n"
                            "x-gatehouse:\n"
                            "  endpoint: ws://localhost:8080\n"
                            "  defaultVersion: true\n"
                            "  plans:\n"
                            "    - {name: Gold, events: 1000, unit: minute, maxConnections: 10}\n"
                            "    - {name: Free, events: 10}\n"
                            "  policies:\n"
                            "    - {type: sizeLimit, maxBytes: 1024}\n";
    const ReadResult r = AsyncApiReader::readData(yaml, u"g.yaml"_qs);
    QVERIFY2(r.api, qPrintable(joined(r.diagnostics)));
    const GatewaySettings &g = r.api->gatehouse;
    QCOMPARE(g.endpoint, u"ws://localhost:8080"_qs);
    QVERIFY(g.defaultVersion);
    QCOMPARE(g.plans.size(), 2);
    QCOMPARE(g.plans.at(0).unit, Plan::Unit::Minute);
    QCOMPARE(g.plans.at(0).events, 1000u);
    QCOMPARE(g.plans.at(0).maxConnections, 10);
    QCOMPARE(g.plans.at(1).unit, Plan::Unit::Day);
    QCOMPARE(g.policies.size(), 1);
    QCOMPARE(g.policies.at(0).type, u"sizeLimit"_qs);
    QVERIFY(g.policies.at(0).config.value("maxBytes", 0) == 1024);
    QVERIFY(g.raw.is_object());
}

namespace {

QByteArray nested(int depth)
{
    QByteArray out = "asyncapi: 3.0.0\nx-deep: ";
    out += QByteArray(depth, '[');
    out += QByteArray(depth, ']');
    return out + '\n';
}

QByteArray aliasBomb()
{
    QByteArray out = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; ++c) {
        out += QByteArray(1, c) + ": &" + QByteArray(1, c) + " [";
        for (int i = 0; i < 9; ++i)
            out += QByteArray(i ? ", *" : "*") + QByteArray(1, prev);
        out += "]\n";
        prev = c;
    }
    return out;
}

} // namespace

// Each broken input gives one clear error at the right place, quickly (the test's
// time limit bounds them all; none may hang or crash).
void TestAsyncApiReader::brokenInputs_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected"); // "line:col: error: message" (message may be a prefix)

    QTest::newRow("invalid-yaml")
        << QByteArray("asyncapi: 2.6.0\ninfo:\n  title: [unclosed\n  version: 1\n")
        << u"4:10: error: invalid YAML: end of sequence flow not found"_qs;
    QTest::newRow("tab-indent") << QByteArray("asyncapi: 2.6.0\ninfo:\n\ttitle: x\n")
                                << u"3:7: error: invalid YAML: illegal map value"_qs;
    QTest::newRow("invalid-json")
        << QByteArray("{\"asyncapi\": \"2.6.0\",\n  \"info\": {\"title\" \"T\"}}")
        << u"2:22: error: invalid JSON: syntax error while parsing object separator"_qs;
    QTest::newRow("channels-list")
        << QByteArray("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  - a\n")
        << u"3:1: error: 'channels' must be a mapping, not a list"_qs;
    QTest::newRow("title-number-ok-but-info-string")
        << QByteArray("asyncapi: 3.0.0\ninfo: just text\n")
        << u"2:1: error: 'info' must be a mapping, not a string"_qs;
    QTest::newRow("missing-title")
        << QByteArray("asyncapi: 2.6.0\ninfo:\n  version: '1'\nchannels: {}\n")
        << u"2:1: error: missing required field 'title' in 'info'"_qs;
    QTest::newRow("missing-asyncapi") << QByteArray("info: {title: T, version: '1'}\n")
                                      << u"1:1: error: missing required field 'asyncapi'"_qs;
    QTest::newRow("unknown-version")
        << QByteArray("asyncapi: 1.2.0\ninfo: {title: T, version: '1'}\n")
        << u"1:1: error: unsupported AsyncAPI version '1.2.0'; Gatehouse reads 2.0–2.6 and 3.0–3.1"_qs;
    QTest::newRow("version-4") << QByteArray("\n\nasyncapi: '4.0.0'\n")
                               << u"3:1: error: unsupported AsyncAPI version '4.0.0'"_qs;
    QTest::newRow("root-list") << QByteArray("- a\n- b\n")
                               << u"1:1: error: the document must be a mapping"_qs;
    QTest::newRow("empty") << QByteArray("  \n\n") << u"1:1: error: the document is empty"_qs;
    QTest::newRow("binary") << QByteArray("asyncapi: 2.6.0\n\x00\x01\x02\xff", 20)
                            << u"2:1: error: binary data (a NUL byte)"_qs;
    QTest::newRow("invalid-utf8") << QByteArray("asyncapi: 2.6.0\ninfo: \xff\xfe\n")
                                  << u"2:7: error: invalid UTF-8 (byte 0xff at offset 22)"_qs;
    QTest::newRow("overlong-utf8")
        << QByteArray("x: \xc0\xaf\n") << u"1:4: error: invalid UTF-8"_qs;
    QTest::newRow("deep-flow")
        << nested(100000)
        << u"2:200009: error: invalid YAML: the YAML parser gave up here (too deeply nested?)"_qs;
    QTest::newRow("deep-json") << (QByteArray(100000, '[') + QByteArray(100000, ']'))
                               << u"1:513: error: nesting deeper than 512 levels"_qs;
    QTest::newRow("alias-bomb") << aliasBomb()
                                << u"7:8: error: aliases expand to more than 1000000 nodes"_qs;
    QTest::newRow("duplicate-key")
        << QByteArray("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels: {}\ninfo: {}\n")
        << u"4:1: error: duplicate key 'info'"_qs;
    QTest::newRow("collection-key")
        << QByteArray("? [a, b]\n: c\n") << u"1:3: error: mapping keys must be plain strings"_qs;
}

void TestAsyncApiReader::brokenInputs()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    const ReadResult r = AsyncApiReader::readData(data, u"broken.yaml"_qs);
    QVERIFY(!r.ok());
    QVERIFY(!r.diagnostics.isEmpty());
    const QString first = r.diagnostics.first().toString();
    QVERIFY2(first.startsWith(u"broken.yaml:"_qs + expected), qPrintable(joined(r.diagnostics)));
}

void TestAsyncApiReader::brokenFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing-ref-file")
        << u"missing/main.yaml"_qs
        << u"main.yaml:9:9: error: $ref 'nowhere/messages.yaml#/Hello': file '"_qs;
    QTest::newRow("cyclic-ref")
        << u"cyclic/a.yaml"_qs << u"a.yaml:13:5: error: cyclic $ref: a.yaml -> b.yaml -> a.yaml"_qs;
    QTest::newRow("no-such-file") << u"does/not/exist.yaml"_qs
                                  << u"exist.yaml: error: file not found"_qs;
}

void TestAsyncApiReader::brokenFiles()
{
    QFETCH(QString, file);
    QFETCH(QString, expected);
    const ReadResult r
        = AsyncApiReader::readFile(Test::sourcePath(u"tests/data/asyncapi/"_qs + file));
    QVERIFY(!r.ok());
    QVERIFY(!r.diagnostics.isEmpty());
    const QString first = r.diagnostics.first().toString();
    QVERIFY2(first.contains(u'/' + expected), qPrintable(joined(r.diagnostics)));
    if (file.startsWith(u"missing"_qs))
        QVERIFY(first.contains(u"nowhere/messages.yaml' not found"_qs));
}

void TestAsyncApiReader::hugeFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"huge.yaml"_qs);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("asyncapi: 2.6.0\nx-pad: \"");
        const QByteArray chunk(1024 * 1024, 'a');
        for (int i = 0; i < 50; ++i)
            QVERIFY(f.write(chunk) == chunk.size());
        f.write("\"\n");
    }
    const ReadResult r = AsyncApiReader::readFile(path);
    QVERIFY(!r.ok());
    QCOMPARE(r.diagnostics.size(), 1);
    QVERIFY2(r.diagnostics.first().message.startsWith(
                 u"file is too large (50 MiB); Gatehouse reads documents up to 32 MiB"_qs),
             qPrintable(joined(r.diagnostics)));
    const ReadResult inMemory
        = AsyncApiReader::readData(QByteArray(50 * 1024 * 1024, ' '), u"mem.yaml"_qs);
    QVERIFY(!inMemory.ok());
    QVERIFY(inMemory.diagnostics.first().message.startsWith(u"file is too large"_qs));
}

void TestAsyncApiReader::semanticChecks_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");
    const QByteArray head2 = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\n";
    const QByteArray head3 = "asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\n";
    QTest::newRow("unknown-channel") << head3
            + "channels: {a: {address: /a}}\noperations:\n  op:\n    action: send\n    channel: "
              "{$ref: '#/channels/b'}\n"
                                     << u"7:15: error: operation 'op' is on unknown channel 'b'"_qs;
    QTest::newRow("bad-action")
        << head3
            + "channels: {a: {address: /a}}\noperations:\n  op:\n    action: publish\n    channel: "
              "{$ref: '#/channels/a'}\n"
        << u"6:5: error: 'action' must be 'send' or 'receive', not 'publish'"_qs;
    QTest::newRow("param-missing")
        << head2
            + "channels:\n  /rooms/{roomID}:\n    subscribe: {message: {payload: {type: string}}}\n"
        << u"4:3: error: address '/rooms/{roomID}' uses parameter 'roomID', which is missing from the channel's 'parameters'"_qs;
    QTest::newRow("param-not-in-address")
        << head3 + "channels:\n  c:\n    address: /rooms\n    parameters:\n      roomID: {}\n"
        << u"7:7: error: parameter 'roomID' does not appear in the address '/rooms'"_qs;
    QTest::newRow("two-params-one-segment")
        << head3 + "channels:\n  c:\n    address: /a/{x}{y}\n    parameters: {x: {}, y: {}}\n"
        << u"5:5: warning: two parameters in one path segment ('{x}{y}')"_qs;
    QTest::newRow("duplicate-operation-id")
        << head2
            + "channels:\n  /a:\n    publish: {operationId: same}\n  /b:\n    subscribe:\n      "
              "operationId: same\n"
        << u"8:7: error: duplicate operationId 'same' (also at line 5)"_qs;
    QTest::newRow("duplicate-message-id") << head2
            + "channels:\n  /a:\n    publish: {message: {messageId: m, payload: {type: string}}}\n"
              "  /b:\n    subscribe:\n      message:\n        messageId: m\n        payload: "
              "{type: integer}\n" << u"9:9: error: duplicate message id 'm'"_qs;
    QTest::newRow("unresolved-ref")
        << head2
            + "channels:\n  /a:\n    publish:\n      message:\n        payload:\n          $ref: "
              "'#/components/schemas/Nope'\n"
        << u"8:11: error: unresolved $ref '#/components/schemas/Nope'"_qs;
    QTest::newRow("message-ref-elsewhere")
        << head2 + "channels:\n  /a:\n    publish:\n      message: {$ref: '#/info'}\n"
        << u"6:17: error: a message $ref must point to #/components/messages/NAME"_qs;
    QTest::newRow("unknown-server") << head3
            + "channels:\n  c:\n    address: /a\n    servers:\n      - $ref: '#/servers/nope'\n"
                                    << u"7:9: error: unresolved $ref '#/servers/nope'"_qs;
    QTest::newRow("unknown-server-2x")
        << head2 + "channels:\n  /a:\n    servers: [nope]\n"
        << u"5:15: error: channel '/a' lists unknown server 'nope'"_qs;
    QTest::newRow("unknown-security-scheme")
        << head2 + "channels:\n  /a:\n    subscribe:\n      security:\n        - token: []\n"
        << u"7:11: error: security requirement names unknown security scheme 'token'"_qs;
    QTest::newRow("duplicate-channel-id")
        << head2 + "channels:\n  /a:\n    x-channelId: same\n  /b:\n    x-channelId: same\n"
        << u"7:5: error: duplicate channel id 'same' (x-channelId)"_qs;
    QTest::newRow("bad-plan-unit")
        << head3 + "x-gatehouse:\n  plans:\n    - name: p\n      unit: fortnight\n"
        << u"6:7: error: 'unit' must be second, minute, hour or day, not 'fortnight'"_qs;
}

void TestAsyncApiReader::semanticChecks()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    const ReadResult r = AsyncApiReader::readData(data, u"s.yaml"_qs);
    bool found = false;
    for (const Diagnostic &d : r.diagnostics)
        found = found || d.toString().startsWith(u"s.yaml:"_qs + expected);
    QVERIFY2(found, qPrintable(joined(r.diagnostics)));
    QVERIFY(r.api); // semantic problems still give a model to show
}

void TestAsyncApiReader::multiFileLocations()
{
    const ReadResult r
        = AsyncApiReader::readFile(Test::sourcePath(u"tests/data/asyncapi/multifile/main.yaml"_qs));
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    // Inlined nodes point into the file they came from.
    const SourceLocation greeting
        = r.document.locate(u"/channels/rooms/messages/greeting/payload"_qs);
    QVERIFY2(greeting.file.endsWith(u"multifile/messages.yaml"_qs), qPrintable(greeting.file));
    QCOMPARE(greeting.line, 10);
    const SourceLocation text
        = r.document.locate(u"/components/messages/chat/payload/properties/text/maxLength"_qs);
    QVERIFY2(text.file.endsWith(u"multifile/schemas/common.yaml"_qs), qPrintable(text.file));
    QCOMPARE(text.line, 3);
    // The bundled model: the greeting (inline in the channel) and the chat component.
    const Message *greet = r.api->message(u"greeting"_qs);
    QVERIFY(greet);
    QVERIFY(greet->inlined);
    QVERIFY(greet->payload.value("x-origin", "") == "messages.yaml");
    const Message *chat = r.api->message(u"chat"_qs);
    QVERIFY(chat);
    QVERIFY(!chat->inlined);
    QVERIFY(chat->payload["properties"]["text"].value("maxLength", 0) == 4096);
    QVERIFY(r.api->schemas["Text"].value("type", "") == "string");
}

// The document names the other files it reached with their bytes, and a text given
// for one of them is read instead of the file (an editor's unsaved edits).
void TestAsyncApiReader::multiFileTexts()
{
    const QString main = Test::sourcePath(u"tests/data/asyncapi/multifile/main.yaml"_qs);
    QFile mainFile(main);
    QVERIFY(mainFile.open(QIODevice::ReadOnly));
    const QByteArray mainText = mainFile.readAll();
    const ReadResult r = AsyncApiReader::readData(mainText, main);
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    QStringList names;
    for (const auto &[path, bytes] : r.document.files) {
        QVERIFY2(QFileInfo(path).isAbsolute(), qPrintable(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(bytes, file.readAll());
        names.append(QDir(QFileInfo(main).absolutePath()).relativeFilePath(path));
    }
    QCOMPARE(names, (QStringList {u"messages.yaml"_qs, u"schemas/common.yaml"_qs}));
    const QString messages
        = DocumentLoader::fileKey(QFileInfo(main).dir().filePath(u"messages.yaml"_qs));
    QCOMPARE(r.document.files.at(0).first, messages);

    // unsaved edits of messages.yaml: the greeting's payload is a number now
    QByteArray edited = r.document.files.at(0).second;
    edited.replace("type: string", "type: number");
    QVERIFY(edited != r.document.files.at(0).second);
    const ReadResult e = AsyncApiReader::readData(mainText, main, {{messages, edited}});
    QVERIFY2(e.ok(), qPrintable(joined(e.diagnostics)));
    QVERIFY(e.api->message(u"greeting"_qs)->payload.value("type", "") == "number");
    QCOMPARE(e.document.files.at(0).second, edited);

    // a broken text is still one of the document's files, with its problem
    const ReadResult b = AsyncApiReader::readData(mainText, main, {{messages, "chat: [\n"}});
    QVERIFY(!b.ok());
    QCOMPARE(b.document.files.size(), 2); // schemas/common.yaml is reached from main.yaml too
    QCOMPARE(b.document.files.at(0).first, messages);
    QCOMPARE(b.document.files.at(0).second, QByteArray("chat: [\n"));
    QVERIFY2(joined(b.diagnostics).contains(u"messages.yaml"_qs),
             qPrintable(joined(b.diagnostics)));
}

// Long chains of files, and files nested into each other beyond the depth limit,
// end with one error instead of exhausting the stack.
void TestAsyncApiReader::refChainLimits()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto write = [&](const QString &name, const QByteArray &text) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    const QByteArray head
        = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  /a:\n    publish:\n"
          "      message:\n        payload:\n          $ref: 'f1.yaml#/s'\n";
    write(u"chain.yaml"_qs, head);
    for (int i = 1; i <= 70; ++i)
        write(u"f%1.yaml"_qs.arg(i), "s: {$ref: 'f" + QByteArray::number(i + 1) + ".yaml#/s'}\n");
    write(u"f71.yaml"_qs, "s: {type: string}\n");
    ReadResult r = AsyncApiReader::readFile(dir.filePath(u"chain.yaml"_qs));
    QVERIFY(!r.ok());
    QVERIFY2(joined(r.diagnostics).contains(u"$refs nested more than 64 deep"_qs),
             qPrintable(joined(r.diagnostics)));

    // Each file nests 300 levels and refers to the next at the bottom.
    for (int i = 1; i <= 5; ++i) {
        QByteArray text = "s: ";
        for (int d = 0; d < 300; ++d)
            text += "{a: ";
        text
            += "{$ref: 'f" + QByteArray::number(i + 1) + ".yaml#/s'}" + QByteArray(300, '}') + '\n';
        write(u"f%1.yaml"_qs.arg(i), text);
    }
    write(u"f6.yaml"_qs, "s: {type: string}\n");
    r = AsyncApiReader::readFile(dir.filePath(u"chain.yaml"_qs));
    QVERIFY(!r.ok());
    QVERIFY2(
        joined(r.diagnostics).contains(u"$refs to other files nest deeper than 1024 levels"_qs),
        qPrintable(joined(r.diagnostics)));
}

void TestAsyncApiReader::refToSpecialFile()
{
    // a document from anywhere may name a FIFO or a device: reading one would block
    // (a FIFO nobody writes to, /dev/stdin) or never end
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fifo = dir.filePath(u"fifo.yaml"_qs);
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const QByteArray head = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n"
                            "  /a:\n    publish:\n      message:\n        payload:\n"
                            "          $ref: '";
    for (const QByteArray &target : {QByteArray("fifo.yaml#/s"), QByteArray("/dev/zero#/s")}) {
        const ReadResult r
            = AsyncApiReader::readData(head + target + "'\n", dir.filePath(u"main.yaml"_qs));
        QVERIFY(!r.ok());
        QVERIFY2(joined(r.diagnostics).contains(u"is not a regular file"_qs),
                 qPrintable(joined(r.diagnostics)));
    }
}

void TestAsyncApiReader::numberOutOfRange()
{
    // nlohmann reports a number beyond a double as out_of_range, not as a parse
    // error; uncaught it ended the process (found by fuzz_asyncapi_document). The
    // document is then read as YAML, like other JSON that nlohmann refuses.
    const ReadResult r = AsyncApiReader::readData(
        R"({"asyncapi": "3.0.0", "info": {"title": "T", "version": "1"}, "x-big": 2e+308})",
        u"big.json"_qs);
    QVERIFY2(r.api.has_value(), qPrintable(joined(r.diagnostics)));
    QCOMPARE(r.api->title, u"T"_qs);
}

QTEST_GUILESS_MAIN(TestAsyncApiReader)
#include "tst_asyncapireader.moc"
