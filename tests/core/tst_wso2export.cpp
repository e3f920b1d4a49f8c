// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapireader.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/wso2export.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

namespace {

QString joined(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines << d.toString();
    return lines.join(u'\n');
}

bool anyMessageContains(const QList<Diagnostic> &diagnostics, const QString &text)
{
    for (const Diagnostic &d : diagnostics)
        if (d.message.contains(text))
            return true;
    return false;
}

const Diagnostic *findMessage(const QList<Diagnostic> &diagnostics, const QString &text)
{
    for (const Diagnostic &d : diagnostics)
        if (d.message.contains(text))
            return &d;
    return nullptr;
}

// The exported text as a JSON tree.
Json treeOf(const QByteArray &data)
{
    const DocumentLoader::Result loaded = DocumentLoader::loadData(data, u"out.yaml"_qs);
    return loaded.ok() ? loaded.document.root : Json();
}

std::string str(const Json &v)
{
    return v.is_string() ? v.get<std::string>() : std::string();
}

// Every AsyncAPI document of tests/data, the Chats sample and the other samples.
QStringList allDocuments()
{
    QStringList files = Test::exampleFiles();
    QDirIterator it(Test::sourcePath(u"tests/data/asyncapi"_qs), {u"*.yaml"_qs, u"*.yml"_qs},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    QDirIterator samples(Test::sourcePath(u"resources/samples"_qs), {u"*.yaml"_qs}, QDir::Files);
    while (samples.hasNext())
        files << samples.next();
    files.sort();
    return files;
}

} // namespace

class TestWso2Export : public QObject
{
    Q_OBJECT

private slots:
    void chatsSample();
    void everyDocument_data();
    void everyDocument();
    void authTypes_data();
    void authTypes();
    void scopes();
    void defaultMapping();
    void serversWithoutEndpoint();
    void oauth2NameTaken();
    void fromV3();
    void brokenDocument();
    void cliExport();
    void cliExportErrors_data();
    void cliExportErrors();
};

void TestWso2Export::chatsSample()
{
    const QString path = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
    const ReadResult read = AsyncApiReader::readFile(path);
    QVERIFY(read.ok());
    const Wso2Export::Result result = Wso2Export::exportDocument(read, Wso2Export::Format::Yaml);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    QVERIFY(result.data.startsWith("asyncapi: 2.6.0\n"));

    const ReadResult back = AsyncApiReader::readData(result.data, u"chats-wso2.yaml"_qs);
    QVERIFY2(back.ok(), qPrintable(joined(back.diagnostics)));

    const Json root = treeOf(result.data);
    QVERIFY(!root.contains("x-gatehouse"));
    // The backend is WSO2's production endpoint; the gateway's servers are left out.
    QCOMPARE(root["servers"].size(), std::size_t(1));
    QCOMPARE(str(root["servers"]["production"]["url"]), std::string("ws://localhost:8080"));
    QCOMPARE(str(root["servers"]["production"]["protocol"]), std::string("ws"));
    const Json &rooms = root["channels"]["/rooms/{roomID}"];
    QCOMPARE(str(rooms["x-auth-type"]), std::string("Any"));
    QCOMPARE(str(rooms["publish"]["x-uri-mapping"]), std::string("/rooms?room={uri.var.roomID}"));
    QCOMPARE(str(rooms["subscribe"]["x-uri-mapping"]), std::string("/rooms?room={uri.var.roomID}"));
    QCOMPARE(str(rooms["publish"]["x-auth-type"]), std::string("Any"));
    QCOMPARE(str(root["channels"]["/notifications"]["subscribe"]["x-uri-mapping"]),
             std::string("/notifications"));
    // WSO2 reads scopes from this scheme only: it is there even without scopes.
    const Json &implicit = root["components"]["securitySchemes"]["oauth2"]["flows"]["implicit"];
    QVERIFY(implicit["scopes"].is_object());
    QVERIFY(implicit["x-scopes-bindings"].is_object());
    QCOMPARE(str(implicit["authorizationUrl"]), std::string(Wso2Export::DefaultAuthorizationUrl));
    // The document's own schemes stay.
    QVERIFY(root["components"]["securitySchemes"].contains("bearer"));

    // What was left out, with where it is in the sample.
    const Diagnostic *context = findMessage(result.losses, u"x-gatehouse.context"_qs);
    QVERIFY2(context, qPrintable(joined(result.losses)));
    QVERIFY(context->message.contains(u"/chats"_qs));
    QCOMPARE(QFileInfo(context->location.file).fileName(), u"chats.asyncapi.yaml"_qs);
    QVERIFY(context->location.line > 100);
    const Diagnostic *gateway = findMessage(result.losses, u"server 'gateway' left out"_qs);
    QVERIFY(gateway);
    QCOMPARE(gateway->location.line, 11);
    QVERIFY(anyMessageContains(result.losses, u"x-gatehouse.mock"_qs));
    QVERIFY(anyMessageContains(result.losses, u"x-gatehouse.listen"_qs));
}

void TestWso2Export::everyDocument_data()
{
    QTest::addColumn<QString>("path");
    for (const QString &path : allDocuments())
        QTest::newRow(qPrintable(QDir(Test::sourcePath({})).relativeFilePath(path))) << path;
}

void TestWso2Export::everyDocument()
{
    QFETCH(QString, path);
    const ReadResult read = AsyncApiReader::readFile(path);
    const Wso2Export::Result result = Wso2Export::exportDocument(read, Wso2Export::Format::Yaml);
    if (!read.ok()) {
        // a broken document is not exported; the reason names its first error
        QVERIFY(!result.ok());
        QVERIFY(result.data.isEmpty());
        QVERIFY2(result.error.contains(u"fix them first"_qs), qPrintable(result.error));
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    QVERIFY(!result.losses.isEmpty()); // at least the note on comments and layout

    const ReadResult back = AsyncApiReader::readData(result.data, QFileInfo(path).fileName());
    QVERIFY2(!hasErrors(back.diagnostics), qPrintable(joined(back.diagnostics)));
    QVERIFY(back.ok());
    QVERIFY(back.api->asyncapiVersion.startsWith(u"2."_qs));

    const Json root = treeOf(result.data);
    QVERIFY(!root.contains("x-gatehouse"));
    QVERIFY(!root["channels"].empty() || read.api->channels.isEmpty());
    const Json &declared
        = root["components"]["securitySchemes"]["oauth2"]["flows"]["implicit"]["scopes"];
    QVERIFY(declared.is_object());
    for (auto it = root["channels"].begin(); it != root["channels"].end(); ++it) {
        const QString channel = QString::fromStdString(it.key());
        QVERIFY2(channel.startsWith(u'/'), qPrintable(channel));
        QVERIFY(!it.value().contains("x-gatehouse"));
        const std::string auth = str(it.value()["x-auth-type"]);
        QVERIFY2(auth == "Any" || auth == "None", qPrintable(channel));
        int operations = 0;
        for (const char *kind : {"publish", "subscribe"}) {
            if (!it.value().contains(kind))
                continue;
            ++operations;
            const Json &op = it.value()[kind];
            QVERIFY2(!str(op["x-uri-mapping"]).empty(), qPrintable(channel));
            QCOMPARE(str(op["x-auth-type"]), auth);
            if (op.contains("x-scopes"))
                for (const Json &scope : op["x-scopes"])
                    QVERIFY2(declared.contains(str(scope)),
                             qPrintable(channel + u": "_qs + QString::fromStdString(str(scope))));
        }
        QVERIFY2(operations > 0, qPrintable(channel));
    }
    // What the source said about a channel carries over.
    for (const Channel &c : read.api->channels) {
        const QString key = (c.address.isEmpty() ? c.id : c.address);
        const std::string topic = (key.startsWith(u'/') ? key : u'/' + key).toStdString();
        if (!root["channels"].contains(topic))
            continue; // left out (listed) when two 3.x channels share an address
        for (const Operation *op : read.api->operationsOn(c.id)) {
            const char *kind = op->action == Operation::Action::Receive ? "publish" : "subscribe";
            const Json &written = root["channels"][topic][kind];
            if (!op->uriMapping.isEmpty() && written.contains("x-uri-mapping")
                && read.api->operationsOn(c.id).first() == op)
                QCOMPARE(QString::fromStdString(str(written["x-uri-mapping"])), op->uriMapping);
            for (const QString &scope : op->scopes)
                QVERIFY(declared.contains(scope.toStdString()));
        }
    }
}

void TestWso2Export::authTypes_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("noted"); // a note says the operations disagreed

    const QByteArray head = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  /a:\n";
    QTest::newRow("nothing-said") << head + "    subscribe: {}\n" << u"Any"_qs << false;
    QTest::newRow("all-none") << head
            + "    publish: {x-auth-type: None}\n    subscribe: {x-auth-type: None}\n"
                              << u"None"_qs << false;
    QTest::newRow("one-none") << head + "    publish: {x-auth-type: None}\n    subscribe: {}\n"
                              << u"Any"_qs << true;
    QTest::newRow("none-and-any") << head
            + "    publish: {x-auth-type: None}\n    subscribe: {x-auth-type: Any}\n"
                                  << u"Any"_qs << true;
    QTest::newRow("authenticate-off") << head
            + "    subscribe: {}\nx-gatehouse:\n  policies:\n    - type: authenticate\n"
              "      enabled: false\n" << u"None"_qs
                                      << false;
    QTest::newRow("authenticate-off-on-channel") << head
            + "    subscribe: {}\n    x-gatehouse:\n      policies:\n"
              "        - {type: authenticate, enabled: false}\n"
                                                 << u"None"_qs << false;
    QTest::newRow("3.0-channel-none")
        << QByteArray("asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n"
                      "    address: /a\n    x-auth-type: None\noperations:\n  r:\n"
                      "    action: receive\n    channel: {$ref: '#/channels/a'}\n")
        << u"None"_qs << false;
}

void TestWso2Export::authTypes()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, expected);
    QFETCH(bool, noted);
    const Wso2Export::Result result
        = Wso2Export::exportDocument(document, u"auth.yaml"_qs, Wso2Export::Format::Yaml);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    const Json root = treeOf(result.data);
    const Json &channel = root["channels"]["/a"];
    QCOMPARE(QString::fromStdString(str(channel["x-auth-type"])), expected);
    for (const char *kind : {"publish", "subscribe"})
        if (channel.contains(kind))
            QCOMPARE(QString::fromStdString(str(channel[kind]["x-auth-type"])), expected);
    QCOMPARE(anyMessageContains(result.losses, u"takes one per topic"_qs), noted);
}

// Every scope an operation names is declared where WSO2 looks it up, with the
// description the document gave it; scopes of a security requirement become x-scopes.
void TestWso2Export::scopes()
{
    const QByteArray document = R"(asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  /a:
    publish:
      x-scopes: [chat:write]
    subscribe:
      security:
        - auth: [chat:read]
components:
  securitySchemes:
    auth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://id.example.com/token
          scopes:
            chat:read: Read the chat.
        authorizationCode:
          authorizationUrl: https://id.example.com/authorize
          tokenUrl: https://id.example.com/token
          scopes: {}
)";
    const Wso2Export::Result result
        = Wso2Export::exportDocument(document, u"scopes.yaml"_qs, Wso2Export::Format::Yaml);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    const Json root = treeOf(result.data);
    const Json &op = root["channels"]["/a"]["subscribe"];
    QVERIFY(op["x-scopes"] == Json::array({"chat:read"}));
    const Json &implicit = root["components"]["securitySchemes"]["oauth2"]["flows"]["implicit"];
    QCOMPARE(str(implicit["scopes"]["chat:write"]), std::string());
    QCOMPARE(str(implicit["scopes"]["chat:read"]), std::string("Read the chat."));
    QCOMPARE(str(implicit["authorizationUrl"]), std::string("https://id.example.com/authorize"));
    QVERIFY(anyMessageContains(result.losses, u"x-scopes [chat:read] taken from its security"_qs));
    QVERIFY(AsyncApiReader::readData(result.data, u"back.yaml"_qs).ok());
}

// Without x-uri-mapping Gatehouse connects to the topic's own path; WSO2 would connect
// to the bare endpoint, so the export writes the path as a mapping. A channel without
// operations gets one to carry it.
void TestWso2Export::defaultMapping()
{
    const QByteArray document = R"(asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  rooms/{room}/{user}:
    parameters:
      room: {schema: {type: string}}
      user: {schema: {type: string}}
    publish:
      message: {payload: {type: string}}
  /quiet: {}
)";
    const Wso2Export::Result result
        = Wso2Export::exportDocument(document, u"mapping.yaml"_qs, Wso2Export::Format::Json);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    QVERIFY(result.data.startsWith("{"));
    const Json root = treeOf(result.data);
    QVERIFY2(root["channels"].contains("/rooms/{room}/{user}"), result.data.constData());
    const Json &rooms = root["channels"]["/rooms/{room}/{user}"];
    QCOMPARE(str(rooms["publish"]["x-uri-mapping"]),
             std::string("/rooms/{uri.var.room}/{uri.var.user}"));
    QCOMPARE(str(root["channels"]["/quiet"]["subscribe"]["x-uri-mapping"]), std::string("/quiet"));
    QVERIFY(anyMessageContains(result.losses, u"is written as topic '/rooms/{room}/{user}'"_qs));
    QVERIFY(anyMessageContains(result.losses, u"channel '/quiet' has no operation"_qs));
    const Diagnostic *added = findMessage(result.losses, u"x-uri-mapping /rooms/"_qs);
    QVERIFY(added);
    QCOMPARE(added->location.line, 8); // the publish operation in the source
    QVERIFY(AsyncApiReader::readData(result.data, u"back.json"_qs).ok());
}

// Without x-gatehouse.endpoint the document's ws and wss servers are the backends;
// others are left out.
void TestWso2Export::serversWithoutEndpoint()
{
    const QByteArray document = R"(asyncapi: 2.6.0
info: {title: T, version: '1'}
servers:
  feed: {url: 'wss://feed.example.com/v1', protocol: wss}
  broker: {url: 'mqtt.example.com', protocol: mqtt}
channels:
  /a:
    servers: [broker]
    subscribe: {}
)";
    const Wso2Export::Result result
        = Wso2Export::exportDocument(document, u"servers.yaml"_qs, Wso2Export::Format::Yaml);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    const Json root = treeOf(result.data);
    QVERIFY(root["servers"].contains("feed"));
    QVERIFY(!root["servers"].contains("broker"));
    QVERIFY(!root["channels"]["/a"].contains("servers"));
    QVERIFY(anyMessageContains(result.losses, u"server 'broker' left out"_qs));
    QVERIFY(anyMessageContains(result.losses, u"names servers that are left out"_qs));
    QVERIFY(AsyncApiReader::readData(result.data, u"back.yaml"_qs).ok());

    const Wso2Export::Result none = Wso2Export::exportDocument(
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  /a:\n    subscribe: {}\n",
        u"none.yaml"_qs, Wso2Export::Format::Yaml);
    QVERIFY(none.ok());
    QVERIFY(anyMessageContains(none.losses, u"enter the endpoint when importing"_qs));
}

// A scheme the document calls oauth2 that is not OAuth2 moves aside, with the
// requirements that name it.
void TestWso2Export::oauth2NameTaken()
{
    const QByteArray document = R"(asyncapi: 2.6.0
info: {title: T, version: '1'}
servers:
  s: {url: 'ws://localhost:8080', protocol: ws, security: [{oauth2: []}]}
channels:
  /a:
    subscribe: {x-scopes: [read]}
components:
  securitySchemes:
    oauth2: {type: http, scheme: bearer}
)";
    const Wso2Export::Result result
        = Wso2Export::exportDocument(document, u"taken.yaml"_qs, Wso2Export::Format::Yaml);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(!hasErrors(result.losses), qPrintable(joined(result.losses)));
    const Json root = treeOf(result.data);
    const Json &schemes = root["components"]["securitySchemes"];
    QCOMPARE(str(schemes["oauth2"]["type"]), std::string("oauth2"));
    QCOMPARE(str(schemes["oauth2-http"]["scheme"]), std::string("bearer"));
    QVERIFY(root["servers"]["s"]["security"][0].contains("oauth2-http"));
    QVERIFY(schemes["oauth2"]["flows"]["implicit"]["scopes"].contains("read"));
    QVERIFY(anyMessageContains(result.losses, u"is renamed 'oauth2-http'"_qs));
    QVERIFY(AsyncApiReader::readData(result.data, u"back.yaml"_qs).ok());
}

// A 3.x document: the converter's losses are listed, and what WSO2 reads lands where
// it reads it in 2.x.
void TestWso2Export::fromV3()
{
    const QString path = Test::sourcePath(u"tests/data/asyncapi/extensions-3.0.yaml"_qs);
    const Wso2Export::Result result
        = Wso2Export::exportDocument(AsyncApiReader::readFile(path), Wso2Export::Format::Yaml);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Json root = treeOf(result.data);
    const Json &items = root["channels"]["/items/{itemId}"];
    QCOMPARE(str(items["x-auth-type"]), std::string("Any"));
    QCOMPARE(str(items["publish"]["x-uri-mapping"]), std::string("/items?id={uri.var.itemId}"));
    QVERIFY(items["publish"]["x-scopes"] == Json::array({"items:write"}));
    // the other direction has no mapping of its own: Gatehouse uses the channel's
    QCOMPARE(str(items["subscribe"]["x-uri-mapping"]), std::string("/items?id={uri.var.itemId}"));
    QCOMPARE(str(root["servers"]["production"]["url"]), std::string("ws://localhost:8080"));
    QVERIFY(anyMessageContains(result.losses, u"x-gatehouse.defaultVersion"_qs));
    const Diagnostic *local = findMessage(result.losses, u"server 'local' left out"_qs);
    QVERIFY(local);
    QCOMPARE(local->location.line, 10);
}

void TestWso2Export::brokenDocument()
{
    const Wso2Export::Result result
        = Wso2Export::exportDocument("asyncapi: 2.6.0\ninfo: {title: T}\nchannels: {}\n",
                                     u"broken.yaml"_qs, Wso2Export::Format::Yaml);
    QVERIFY(!result.ok());
    QVERIFY(result.data.isEmpty());
    QVERIFY2(result.error.contains(u"broken.yaml:2"_qs), qPrintable(result.error));
}

void TestWso2Export::cliExport()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString sample = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
    const Test::ProcessResult r = Test::runCli({u"export"_qs, sample, u"--wso2"_qs});
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.standardOutput.startsWith("asyncapi: 2.6.0\n"), r.standardOutput.left(200));
    QVERIFY(r.standardOutput.contains("x-uri-mapping: /rooms?room={uri.var.roomID}"));
    // what was left out, one warning a line, located in the sample
    QVERIFY2(r.standardError.contains("chats.asyncapi.yaml:11:"), r.standardError.constData());
    QVERIFY(r.standardError.contains(": warning: x-gatehouse.context:"));
    for (const QByteArray &line : r.standardError.trimmed().split('\n'))
        QVERIFY2(line.contains(": warning: "), line.constData());

    const QString out = dir.filePath(u"chats-wso2.json"_qs);
    const Test::ProcessResult toFile
        = Test::runCli({u"export"_qs, u"--wso2"_qs, sample, u"-o"_qs, out});
    QCOMPARE(toFile.exitCode, 0);
    QCOMPARE(toFile.standardOutput, QByteArray());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray written = f.readAll();
    QVERIFY(written.startsWith("{")); // JSON, from the name
    QVERIFY(AsyncApiReader::readData(written, out).ok());
}

void TestWso2Export::cliExportErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("message");
    const QString sample = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
    QTest::newRow("no-target") << QStringList {u"export"_qs, sample} << 2
                               << QByteArray("gatehouse-cli export: say what to export for: "
                                             "--wso2");
    QTest::newRow("no-file") << QStringList {u"export"_qs, u"--wso2"_qs} << 2
                             << QByteArray("gatehouse-cli export: no file given");
    QTest::newRow("bad-format") << QStringList {u"export"_qs, sample, u"--wso2"_qs, u"--format"_qs,
                                                u"xml"_qs}
                                << 2 << QByteArray("gatehouse-cli export: unknown format 'xml'");
    QTest::newRow("missing-file") << QStringList {u"export"_qs, u"--wso2"_qs,
                                                  u"/nonexistent/x.yaml"_qs}
                                  << 1 << QByteArray("has errors; nothing exported");
    QTest::newRow("unwritable") << QStringList {u"export"_qs, u"--wso2"_qs, sample, u"-o"_qs,
                                                u"/nonexistent/x.yaml"_qs}
                                << 1 << QByteArray("gatehouse-cli export: cannot write");
}

void TestWso2Export::cliExportErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, message);
    const Test::ProcessResult r = Test::runCli(args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.standardError.contains(message), r.standardError.constData());
    if (exitCode != 0)
        QCOMPARE(r.standardOutput, QByteArray());
}

QTEST_GUILESS_MAIN(TestWso2Export)
#include "tst_wso2export.moc"
