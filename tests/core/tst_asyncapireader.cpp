// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapireader.h"
#include "asyncapi/documentloader.h"

#include "testsupport.h"

#include <QTest>

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
    void scalarTypes_data();
    void scalarTypes();
    void jsonKeepsTypes();
    void locations();
    void channelIds2x();
    void operations3x();
    void extensionsKept();
    void gatehouseSettings();
};

void TestAsyncApiReader::examples_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = Test::exampleFiles();
    QVERIFY(!files.isEmpty());
    for (const QString &f : files)
        QTest::newRow(qPrintable(f.section(u'/', -2))) << f;
    QTest::newRow("chats-sample") << Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml"));
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
    const ReadResult result =
        AsyncApiReader::readFile(Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")));
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
    QCOMPARE(rooms->messageIds, (QStringList{u"ChatMessage"_qs, u"RoomGreeting"_qs}));
    QCOMPARE(rooms->messageKeys, (QStringList{u"sendRoomMessage.message"_qs, u"receiveRoomMessages.message.1"_qs}));

    const Operation *send = api.operation(u"sendRoomMessage"_qs);
    QVERIFY(send);
    QCOMPARE(send->action, Operation::Action::Receive); // 2.x publish: the application receives
    QCOMPARE(send->channelId, rooms->id);
    QCOMPARE(send->uriMapping, u"/rooms?room={uri.var.roomID}"_qs);
    QCOMPARE(send->authType, u"Any"_qs);
    const Operation *recv = api.operation(u"receiveRoomMessages"_qs);
    QVERIFY(recv);
    QCOMPARE(recv->action, Operation::Action::Send);
    QCOMPARE(recv->messageIds, (QStringList{u"ChatMessage"_qs, u"RoomGreeting"_qs}));

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
    QTest::newRow("big") << QByteArray("18446744073709551615") << QByteArray("18446744073709551615");
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
    QCOMPARE(r.document.locate(u"/info/version"_qs), (SourceLocation{u"loc.yaml"_qs, 4, 3}));
    QCOMPARE(r.document.locate(u"/channels/a~1b/address"_qs), (SourceLocation{u"loc.yaml"_qs, 7, 5}));
    QCOMPARE(r.document.locate(u"/channels/a~1b/tags/1"_qs), (SourceLocation{u"loc.yaml"_qs, 8, 26}));
    QCOMPARE(r.document.locate(u"/channels/a~1b/tags/1/name"_qs), (SourceLocation{u"loc.yaml"_qs, 8, 27}));
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
    QCOMPARE(r.api->channels.at(0).messageKeys, QStringList{u"publish.message"_qs});
    QCOMPARE(r.api->channels.at(0).messageIds, QStringList{u"publish.message"_qs});
    QCOMPARE(r.api->channels.at(1).messageIds, QStringList{u"bMessage"_qs});
    QVERIFY(r.api->message(u"bMessage"_qs)->inlined);
}

void TestAsyncApiReader::operations3x()
{
    const ReadResult r = AsyncApiReader::readFile(Test::examplePath(u"3.1/streetlights-mqtt.yml"_qs));
    QVERIFY2(r.ok(), qPrintable(joined(r.diagnostics)));
    const Channel *on = r.api->channel(u"lightTurnOn"_qs);
    QVERIFY(on);
    QCOMPARE(on->messageIds, QStringList{u"turnOnOff"_qs});
    QCOMPARE(on->messageKeys, QStringList{u"turnOn"_qs});
    QCOMPARE(on->parameters.first().ref, u"#/components/parameters/streetlightId"_qs);
    QVERIFY(!on->parameters.first().description.isEmpty());
    const Operation *op = r.api->operation(u"turnOn"_qs);
    QVERIFY(op);
    QCOMPARE(op->action, Operation::Action::Send);
    QCOMPARE(op->messageIds, QStringList{u"turnOnOff"_qs});
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
    QCOMPARE(QByteArray::fromStdString(r.api->extra.dump()), QByteArray(R"({"x-root":1,"unknownRoot":"kept"})"));
    QCOMPARE(QByteArray::fromStdString(r.api->channels.at(0).extra.dump()), QByteArray(R"({"x-z":"z","x-a":"a"})"));
    QCOMPARE(r.api->operations.at(0).scopes, (QStringList{u"read"_qs, u"write"_qs}));
    QCOMPARE(QByteArray::fromStdString(r.api->operations.at(0).extra.dump()), QByteArray(R"({"x-op":{"k":"v"}})"));
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

QTEST_GUILESS_MAIN(TestAsyncApiReader)
#include "tst_asyncapireader.moc"
