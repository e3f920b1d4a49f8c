// SPDX-License-Identifier: GPL-3.0-or-later
// Converting a document's text to 2.6 or 3.0, or to the other syntax, and what is
// listed as not carried over before anything is written.
#include "asyncapi/asyncapiconverter.h"
#include "asyncapi/asyncapireader.h"

#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace Gatehouse;

using Version = AsyncApiConverter::TargetVersion;
using Format = AsyncApiConverter::Format;

namespace {

QString joined(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool mentions(const QList<Diagnostic> &diagnostics, const QString &text)
{
    for (const Diagnostic &d : diagnostics)
        if (d.message.contains(text))
            return true;
    return false;
}

QStringList addresses(const Api &api)
{
    QStringList list;
    for (const Channel &c : api.channels)
        list.append(c.address);
    list.sort();
    return list;
}

// A 3.0 document with what 2.x cannot say: two channels on one address, two
// receive operations on one channel, a reply, a channel title.
const QByteArray v3Lossy = R"(asyncapi: 3.0.0
info: {title: Lossy, version: 1.0.0}
channels:
  chat:
    address: /chat
    title: Chat room
    messages:
      text: {payload: {type: string}}
  chatAgain:
    address: /chat
    messages:
      other: {payload: {type: string}}
operations:
  receiveText:
    action: receive
    channel: {$ref: '#/channels/chat'}
    reply:
      channel: {$ref: '#/channels/chat'}
  receiveTextToo:
    action: receive
    channel: {$ref: '#/channels/chat'}
)";

// A 3.0 document whose example does not match its payload (3.x parsers only warn).
const QByteArray v3BadExample = R"(asyncapi: 3.0.0
info: {title: Prices, version: 1.0.0}
channels:
  prices:
    address: /prices
    messages:
      price: {$ref: '#/components/messages/Price'}
operations:
  sendPrice:
    action: send
    channel: {$ref: '#/channels/prices'}
components:
  messages:
    Price:
      payload:
        type: object
        properties:
          amount: {type: number, minimum: 0}
      examples:
        - name: good
          payload: {amount: 3}
        - name: negative
          payload: {amount: -3}
)";

const QByteArray v2Parameter = R"(asyncapi: 2.6.0
info: {title: Rooms, version: 1.0.0}
channels:
  /rooms/{roomID}:
    parameters:
      roomID:
        description: The room
        schema: {type: string, pattern: '^[a-z0-9]+$', maxLength: 20}
    subscribe:
      message: {payload: {type: string}}
)";

// 2.x bindings that AsyncAPI 3.0's binding schemas do not accept as written.
const QByteArray v2Bindings = R"(asyncapi: 2.6.0
info: {title: Orders, version: 1.0.0}
channels:
  /orders:
    publish:
      bindings:
        http: {type: request, method: POST, bindingVersion: 0.1.0}
      message: {$ref: '#/components/messages/Order'}
components:
  messages:
    Order:
      payload: {type: object}
      bindings:
        amqp: {contentEncoding: gzip, replyTo: {type: string}, bindingVersion: 0.2.0}
)";

} // namespace

class TestAsyncApiConverter final : public QObject
{
    Q_OBJECT

private slots:
    void sampleToV3()
    {
        const QString path = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
        const QByteArray text = readAll(path);
        const auto result = AsyncApiConverter::convert(text, path, Version::V3_0, Format::Yaml);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QVERIFY(!result.unchanged);
        QVERIFY(result.exampleMismatches.isEmpty());
        // the note that the copy is written from the model, and the room parameter's
        // pattern, which a 3.0 parameter cannot say
        QVERIFY2(result.losses.size() == 2, qPrintable(joined(result.losses)));
        QVERIFY(result.losses.constFirst().message.contains(u"comments"));
        QVERIFY(result.losses.constLast().message.contains(u"'roomID'"));
        QVERIFY(result.losses.constLast().message.contains(u"pattern is left out"));
        QVERIFY(result.losses.constLast().location.line > 0);
        const ReadResult source = AsyncApiReader::readData(text, path);
        const ReadResult copy = AsyncApiReader::readData(result.data, path);
        QVERIFY2(copy.ok(), qPrintable(joined(copy.diagnostics)));
        QCOMPARE(copy.api->asyncapiVersion, u"3.0.0"_qs);
        QCOMPARE(addresses(*copy.api), addresses(*source.api));
    }

    void lossesToV2()
    {
        const auto result
            = AsyncApiConverter::convert(v3Lossy, u"lossy.yaml"_qs, Version::V2_6, Format::Yaml);
        QVERIFY2(result.ok(), qPrintable(result.error));
        const QString all = joined(result.losses);
        QVERIFY2(mentions(result.losses, u"channel 'chatAgain' is left out"_qs), qPrintable(all));
        QVERIFY2(mentions(result.losses, u"operation 'receiveTextToo' is left out"_qs),
                 qPrintable(all));
        QVERIFY2(mentions(result.losses, u"operation 'receiveText': its reply"_qs),
                 qPrintable(all));
        QVERIFY2(mentions(result.losses, u"channel 'chat': 2.x channels have no title"_qs),
                 qPrintable(all));
        // located in the source: the duplicate channel is on line 9
        bool located = false;
        for (const Diagnostic &d : result.losses)
            if (d.message.contains(u"'chatAgain' is left out"))
                located = d.location.line == 9;
        QVERIFY2(located, qPrintable(all));
        const ReadResult copy = AsyncApiReader::readData(result.data, u"copy.yaml"_qs);
        QVERIFY2(copy.ok(), qPrintable(joined(copy.diagnostics)));
        QCOMPARE(copy.api->asyncapiVersion, u"2.6.0"_qs);
        QCOMPARE(addresses(*copy.api), QStringList {u"/chat"_qs});
    }

    void lossesToV3()
    {
        const auto result = AsyncApiConverter::convert(v2Parameter, u"rooms.yaml"_qs, Version::V3_0,
                                                       Format::Yaml);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QVERIFY2(mentions(result.losses, u"pattern, maxLength is left out"_qs),
                 qPrintable(joined(result.losses)));
        QVERIFY(result.exampleMismatches.isEmpty()); // a 3.x copy: not asked
    }

    void bindingsToV3()
    {
        const auto result = AsyncApiConverter::convert(v2Bindings, u"orders.yaml"_qs, Version::V3_0,
                                                       Format::Json);
        QVERIFY2(result.ok(), qPrintable(result.error));
        const QString all = joined(result.losses);
        QVERIFY2(mentions(result.losses, u"http: 'type' dropped"_qs), qPrintable(all));
        QVERIFY2(mentions(result.losses, u"amqp: 'replyTo' dropped"_qs), qPrintable(all));
        QVERIFY2(mentions(result.losses, u"bindingVersion 0.1.0 becomes 0.3.0"_qs),
                 qPrintable(all));
        // the http finding is located at the operation's bindings (line 6)
        bool located = false;
        for (const Diagnostic &d : result.losses)
            if (d.message.contains(u"'type' dropped"))
                located = d.location.line == 6;
        QVERIFY2(located, qPrintable(all));
        // and the written document is one the 3.0 schema (its binding schemas) accepts
        QVERIFY2(!mentions(result.losses, u"would have this problem"_qs), qPrintable(all));
        const ReadResult copy = AsyncApiReader::readData(result.data, u"orders.json"_qs);
        QVERIFY2(copy.ok(), qPrintable(joined(copy.diagnostics)));
        const Json root = Json::parse(result.data.toStdString());
        const Json &http = root["operations"].begin().value()["bindings"]["http"];
        QCOMPARE(QString::fromStdString(http.dump()),
                 uR"({"method":"POST","bindingVersion":"0.3.0"})"_qs);
        const Json &amqp = root["components"]["messages"]["Order"]["bindings"]["amqp"];
        QCOMPARE(QString::fromStdString(amqp.dump()),
                 uR"({"contentEncoding":"gzip","bindingVersion":"0.3.0"})"_qs);
    }

    void examplesCheckedBeforeV2()
    {
        const auto toV2 = AsyncApiConverter::convert(v3BadExample, u"prices.yaml"_qs, Version::V2_6,
                                                     Format::Yaml);
        QVERIFY2(toV2.ok(), qPrintable(toV2.error));
        QCOMPARE(toV2.exampleMismatches.size(), 1);
        const Diagnostic &mismatch = toV2.exampleMismatches.constFirst();
        QVERIFY2(mismatch.pointer.contains(u"/examples/1/payload"), qPrintable(mismatch.pointer));
        QVERIFY2(mismatch.message.contains(u"amount"), qPrintable(mismatch.message));
        // not also listed as a problem of the written document
        QVERIFY2(!mentions(toV2.losses, u"amount"_qs), qPrintable(joined(toV2.losses)));

        QByteArray fixed = v3BadExample;
        fixed.replace("{amount: -3}", "{amount: 4}");
        const auto fixedToV2
            = AsyncApiConverter::convert(fixed, u"prices.yaml"_qs, Version::V2_6, Format::Yaml);
        QVERIFY(fixedToV2.ok());
        QVERIFY2(fixedToV2.exampleMismatches.isEmpty(),
                 qPrintable(joined(fixedToV2.exampleMismatches)));
    }

    void sameVersionIsUnchanged()
    {
        const auto same = AsyncApiConverter::convert(v3BadExample, u"prices.yaml"_qs, Version::V3_0,
                                                     Format::Yaml);
        QVERIFY(same.ok());
        QVERIFY(same.unchanged);
        QCOMPARE(same.data, v3BadExample); // byte for byte
        QVERIFY(same.losses.isEmpty());

        const auto json = AsyncApiConverter::convert(v3BadExample, u"prices.yaml"_qs, Version::V3_0,
                                                     Format::Json);
        QVERIFY(json.ok());
        QVERIFY(json.unchanged);
        QVERIFY(json.data.startsWith('{'));
    }

    void reformat()
    {
        const QString path = Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs);
        const QByteArray yaml = readAll(path);
        const auto toJson = AsyncApiConverter::reformat(yaml, path, Format::Json);
        QVERIFY2(toJson.ok(), qPrintable(toJson.error));
        QVERIFY(!toJson.unchanged);
        QVERIFY(AsyncApiConverter::formatOf(toJson.data) == Format::Json);
        QVERIFY(mentions(toJson.losses, u"comments"_qs));
        const ReadResult before = AsyncApiReader::readData(yaml, path);
        const ReadResult asJson = AsyncApiReader::readData(toJson.data, path);
        QVERIFY2(asJson.ok(), qPrintable(joined(asJson.diagnostics)));
        QVERIFY(*asJson.api == *before.api);

        const auto back = AsyncApiConverter::reformat(toJson.data, path, Format::Yaml);
        QVERIFY(back.ok());
        QVERIFY(back.losses.isEmpty());
        const ReadResult asYaml = AsyncApiReader::readData(back.data, path);
        QVERIFY(asYaml.ok());
        QVERIFY(*asYaml.api == *before.api);

        const auto same = AsyncApiConverter::reformat(yaml, path, Format::Yaml);
        QVERIFY(same.unchanged);
        QCOMPARE(same.data, yaml);

        const auto broken = AsyncApiConverter::reformat("a: [b\n", path, Format::Json);
        QVERIFY(!broken.ok());
        QVERIFY(broken.data.isEmpty());
    }

    void otherFilesAreBundled()
    {
        const QString path = Test::sourcePath(u"tests/data/asyncapi/multifile/main.yaml"_qs);
        const QByteArray text = readAll(path);
        const auto result = AsyncApiConverter::reformat(text, path, Format::Json);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QVERIFY2(mentions(result.losses, u"messages.yaml"_qs), qPrintable(joined(result.losses)));
    }

    void errorsRefused()
    {
        const auto result = AsyncApiConverter::convert("asyncapi: 2.6.0\ninfo: {}\n",
                                                       u"bad.yaml"_qs, Version::V3_0, Format::Yaml);
        QVERIFY(!result.ok());
        QVERIFY(result.data.isEmpty());
    }

    void formats()
    {
        QVERIFY(AsyncApiConverter::formatOf("  \n{\"a\": 1}") == Format::Json);
        QVERIFY(AsyncApiConverter::formatOf("a: 1\n") == Format::Yaml);
        QVERIFY(AsyncApiConverter::formatForPath(u"x/api.JSON"_qs, Format::Yaml) == Format::Json);
        QVERIFY(AsyncApiConverter::formatForPath(u"api.yml"_qs, Format::Json) == Format::Yaml);
        QVERIFY(AsyncApiConverter::formatForPath(u"api"_qs, Format::Json) == Format::Json);
    }
};

QTEST_GUILESS_MAIN(TestAsyncApiConverter)
#include "tst_asyncapiconverter.moc"
