// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapireader.h"
#include "asyncapi/asyncapiwriter.h"

#include "testsupport.h"

#include <QSet>
#include <QTest>

using namespace Gatehouse;

using Version = AsyncApiWriter::TargetVersion;
using Format = AsyncApiWriter::Format;

Q_DECLARE_METATYPE(Gatehouse::AsyncApiWriter::TargetVersion)
Q_DECLARE_METATYPE(Gatehouse::AsyncApiWriter::Format)

namespace {

QString joined(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

Version sameMajor(const Api &api)
{
    return api.asyncapiVersion.startsWith(u'3') ? Version::V3_0 : Version::V2_6;
}

Version otherMajor(const Api &api)
{
    return api.asyncapiVersion.startsWith(u'3') ? Version::V2_6 : Version::V3_0;
}

QString fileName(Version v, Format f)
{
    return QStringLiteral("written-%1.%2")
        .arg(v == Version::V3_0 ? u"3.0"_qs : u"2.6"_qs,
             f == Format::Json ? u"json"_qs : u"yaml"_qs);
}

std::optional<Api> reread(const QByteArray &data, Version v, Format f, QString *problems)
{
    const ReadResult r = AsyncApiReader::readData(data, fileName(v, f));
    // Bindings and message examples are copied as they are between versions (as the
    // official converter does). Binding schemas differ between spec versions and
    // 2.x validation checks examples against payloads where 3.x does not, so
    // findings there are about the source document, not the writer.
    bool failed = !r.api;
    for (const Diagnostic &d : r.diagnostics)
        if (d.severity == Diagnostic::Severity::Error && !d.pointer.contains(u"/bindings/"_qs)
            && !d.pointer.contains(u"/examples/"_qs))
            failed = true;
    if (failed) {
        *problems = joined(r.diagnostics) + u"\n--- document:\n"_qs + QString::fromUtf8(data);
        return std::nullopt;
    }
    return r.api;
}

// The parts of an API that survive a conversion to the other major version and
// back (see the test's comment for what does not).
struct Essentials
{
    QStringList channels; // id | address | parameters | message ids | authType
    QStringList operations; // id | action | channel | messages | uriMapping | scopes | authType
    QStringList messages; // id | name | contentType | payload | examples | extra
    QStringList extensions2; // x- extensions of channels, operations and messages
    QString schemas;
    QString gatehouse;
    QString extensions;
    friend bool operator==(const Essentials &, const Essentials &) = default;
};

Essentials essentials(const Api &api);

template<typename T>
QString listDifference(const char *what, const QList<T> &a, const QList<T> &b)
{
    if (a.size() != b.size())
        return QStringLiteral("%1: %2 vs %3 entries")
            .arg(QLatin1String(what))
            .arg(a.size())
            .arg(b.size());
    for (qsizetype i = 0; i < a.size(); ++i)
        if (!(a.at(i) == b.at(i)))
            return QStringLiteral("%1 #%2 differs").arg(QLatin1String(what)).arg(i);
    return {};
}

QString firstDifference(const Api &a, const Api &b)
{
    QStringList out;
    auto field = [&](const char *name, bool same) {
        if (!same)
            out.append(QLatin1String(name));
    };
    field("asyncapiVersion/id/title/version/description/defaultContentType",
          a.asyncapiVersion == b.asyncapiVersion && a.id == b.id && a.title == b.title
              && a.version == b.version && a.description == b.description
              && a.defaultContentType == b.defaultContentType);
    auto json = [&](const char *name, const Json &x, const Json &y) {
        if (!(x == y))
            out.append(QStringLiteral("%1: %2 vs %3")
                           .arg(QLatin1String(name), QString::fromStdString(x.dump()),
                                QString::fromStdString(y.dump())));
    };
    json("info", a.info, b.info);
    json("schemas", a.schemas, b.schemas);
    json("components", a.components, b.components);
    field("gatehouse", a.gatehouse == b.gatehouse);
    field("tags/externalDocs", a.tags == b.tags && a.externalDocs == b.externalDocs);
    field("extra", a.extra == b.extra);
    for (const QString &d :
         {listDifference("servers", a.servers, b.servers),
          listDifference("channels", a.channels, b.channels),
          listDifference("operations", a.operations, b.operations),
          listDifference("messages", a.messages, b.messages),
          listDifference("securitySchemes", a.securitySchemes, b.securitySchemes)})
        if (!d.isEmpty())
            out.append(d);
    return out.join(u", ");
}

Essentials essentials(const Api &api)
{
    Essentials e;
    for (const Channel &c : api.channels) {
        QStringList params;
        for (const ChannelParameter &p : c.parameters)
            params.append(p.name + u'=' + p.ref + u'/' + p.description + u'/'
                          + p.enumValues.join(u','));
        // x-auth-type may move between channel and operations; compare its effect.
        QString auth = c.authType;
        for (const Operation *op : api.operationsOn(c.id))
            if (auth.isEmpty())
                auth = op->authType;
        QStringList msgs = c.messageIds;
        msgs.sort();
        e.channels.append(
            QStringList {c.id, c.address, params.join(u';'), msgs.join(u','), auth}.join(u" | "));
    }
    for (const Operation &op : api.operations) {
        QStringList msgs = op.messageIds;
        if (msgs.isEmpty())
            if (const Channel *c = api.channel(op.channelId))
                msgs = c->messageIds;
        e.operations.append(
            QStringList {op.id, op.action == Operation::Action::Send ? u"send"_qs : u"receive"_qs,
                         op.channelId, msgs.join(u','), op.uriMapping, op.scopes.join(u',')}
                .join(u" | "));
    }
    for (const Message &m : api.messages) {
        Json extra = m.extra.is_object() ? m.extra : Json::object();
        extra.erase("messageId");
        QStringList examples;
        for (const MessageExample &ex : m.examples)
            examples.append(QString::fromStdString(ex.payload.dump()));
        e.messages.append(QStringList {m.id, m.name, m.contentType,
                                       QString::fromStdString(m.payload.dump()),
                                       examples.join(u','), QString::fromStdString(extra.dump())}
                              .join(u" | "));
    }
    auto xOnly = [](const Json &extra) {
        Json out = Json::object();
        if (extra.is_object())
            for (auto it = extra.begin(); it != extra.end(); ++it)
                if (it.key().rfind("x-", 0) == 0 && it.key() != "x-channelId")
                    out[it.key()] = it.value();
        return QString::fromStdString(out.dump());
    };
    for (const Channel &c : api.channels)
        e.extensions2.append(u"channel "_qs + c.id + u' ' + xOnly(c.extra));
    for (const Operation &op : api.operations)
        e.extensions2.append(u"operation "_qs + op.id + u' ' + xOnly(op.extra));
    for (const Message &m : api.messages)
        e.extensions2.append(u"message "_qs + m.id + u' ' + xOnly(m.extra));
    e.schemas = QString::fromStdString(api.schemas.dump());
    e.gatehouse = QString::fromStdString(api.gatehouse.raw.dump());
    e.extensions = QString::fromStdString(api.extra.dump());
    return e;
}

} // namespace

// Round trips of every example document and the sample:
// - read -> write (same major) -> read gives an equal Api (operator==), except for
//   `asyncapiVersion`, which becomes the version written (3.1.0 -> 3.0.0);
// - writing is idempotent: write(read(write(x))) == write(x), byte for byte, for
//   both versions and both formats;
// - converting to the other major version and back keeps the Essentials above.
//   What may differ after a conversion and back: a 3.x operation without
//   `messages` gets the channel's messages listed explicitly; channel messages that
//   no operation uses are lost in 2.x (2.x channels list messages only through
//   operations); channels with several operations of one action keep the first in
//   2.x; 3.x channel/operation `title`, `summary` of channels, operation `reply`,
//   server `title`/`summary` have no 2.x field and are dropped; 2.x parameter
//   `schema`s become 3.x `enum`/`default`/`examples` (other schema keywords are
//   lost, as with the official converter) and come back as {type: string, ...};
//   3.x channel message keys of inline messages can change; `messageId` of
//   component messages is dropped in 3.x; x-auth-type moves between operations
//   (2.x) and channels (3.x) where WSO2 reads it; security requirements change form.
class TestAsyncApiRoundTrip final : public QObject
{
    Q_OBJECT

private slots:
    void sameVersion_data() { documents_data(); }
    void sameVersion();
    void idempotent_data() { documents_data(); }
    void idempotent();
    void convertAndBack_data() { documents_data(); }
    void convertAndBack();

private:
    void documents_data();
};

void TestAsyncApiRoundTrip::documents_data()
{
    QTest::addColumn<QString>("path");
    for (const QString &f : Test::exampleFiles())
        QTest::newRow(qPrintable(f.section(u'/', -2))) << f;
    QTest::newRow("chats-sample") << Test::sourcePath(
        QStringLiteral("resources/samples/chats.asyncapi.yaml"));
    QTest::newRow("multi-file") << Test::sourcePath(
        QStringLiteral("tests/data/asyncapi/multifile/main.yaml"));
    QTest::newRow("extensions-2.6")
        << Test::sourcePath(QStringLiteral("tests/data/asyncapi/extensions-2.6.yaml"));
    QTest::newRow("extensions-3.0")
        << Test::sourcePath(QStringLiteral("tests/data/asyncapi/extensions-3.0.yaml"));
}

void TestAsyncApiRoundTrip::sameVersion()
{
    QFETCH(QString, path);
    const ReadResult first = AsyncApiReader::readFile(path);
    QVERIFY2(first.ok(), qPrintable(joined(first.diagnostics)));
    for (Format f : {Format::Yaml, Format::Json}) {
        const Version v = sameMajor(*first.api);
        const QByteArray written = AsyncApiWriter::write(*first.api, v, f);
        QString problems;
        std::optional<Api> second = reread(written, v, f, &problems);
        QVERIFY2(second, qPrintable(problems));
        Api expected = *first.api;
        expected.asyncapiVersion = second->asyncapiVersion;
        const QString difference = firstDifference(expected, *second);
        QVERIFY2(difference.isEmpty(),
                 qPrintable(difference + u"\n--- written:\n"_qs + QString::fromUtf8(written)));
        QVERIFY(expected == *second);
    }
}

void TestAsyncApiRoundTrip::idempotent()
{
    QFETCH(QString, path);
    const ReadResult first = AsyncApiReader::readFile(path);
    QVERIFY2(first.ok(), qPrintable(joined(first.diagnostics)));
    for (Version v : {Version::V2_6, Version::V3_0}) {
        for (Format f : {Format::Yaml, Format::Json}) {
            const QByteArray once = AsyncApiWriter::write(*first.api, v, f);
            QString problems;
            std::optional<Api> again = reread(once, v, f, &problems);
            QVERIFY2(again, qPrintable(problems));
            const QByteArray twice = AsyncApiWriter::write(*again, v, f);
            QCOMPARE(QString::fromUtf8(twice), QString::fromUtf8(once));
        }
    }
}

void TestAsyncApiRoundTrip::convertAndBack()
{
    QFETCH(QString, path);
    const ReadResult first = AsyncApiReader::readFile(path);
    QVERIFY2(first.ok(), qPrintable(joined(first.diagnostics)));
    const Version there = otherMajor(*first.api);
    const Version back = sameMajor(*first.api);
    QString problems;
    const QByteArray converted = AsyncApiWriter::write(*first.api, there, Format::Yaml);
    std::optional<Api> middle = reread(converted, there, Format::Yaml, &problems);
    QVERIFY2(middle, qPrintable(problems));
    const QByteArray restored = AsyncApiWriter::write(*middle, back, Format::Yaml);
    std::optional<Api> last = reread(restored, back, Format::Yaml, &problems);
    QVERIFY2(last, qPrintable(problems));
    QSet<QString> addresses;
    for (const Channel &c : first.api->channels)
        addresses.insert(c.address);
    if (addresses.size() != first.api->channels.size() && there == Version::V2_6) {
        // 2.x keys channels by address: 3.x channels sharing an address become one.
        QCOMPARE(middle->channels.size(), addresses.size());
        return;
    }
    const Essentials a = essentials(*first.api);
    const Essentials b = essentials(*last);
    QCOMPARE(b.channels, a.channels);
    QCOMPARE(b.operations, a.operations);
    QCOMPARE(b.messages, a.messages);
    QCOMPARE(b.schemas, a.schemas);
    QCOMPARE(b.gatehouse, a.gatehouse);
    QCOMPARE(b.extensions, a.extensions);
    QCOMPARE(b.extensions2, a.extensions2);
    // And the converted document carries the same channels and operations.
    QCOMPARE(middle->channels.size(), first.api->channels.size());
}

QTEST_GUILESS_MAIN(TestAsyncApiRoundTrip)
#include "tst_asyncapiroundtrip.moc"
