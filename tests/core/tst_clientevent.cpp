// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/boundedjson.h"
#include "client/clientevent.h"
#include "client/clientscenario.h"

#include <QTest>

using namespace Gatehouse;
using Client::ClientEvent;
using Client::ClientScenario;

namespace {

// `prefix` `count` times, then `last`: nested containers
QByteArray nested(QByteArrayView prefix, int count, QByteArrayView last)
{
    QByteArray data;
    data.reserve(prefix.size() * count + last.size());
    for (int i = 0; i < count; ++i)
        data += prefix;
    return data + last;
}

} // namespace

class TestClientEvent final : public QObject
{
    Q_OBJECT

private slots:
    void binaryAsJson_data();
    void binaryAsJson();
    void tooDeepExpectation();
};

void TestClientEvent::binaryAsJson_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("format"); // empty: not shown as JSON
    QTest::addColumn<QString>("json"); // the start of the JSON
    QTest::addColumn<QString>("error");
    QTest::newRow("cbor-map") << QByteArray("\xa1\x61\x61\x01", 4) << u"CBOR"_qs
                              << u"{\n    \"a\": 1\n}"_qs << QString();
    QTest::newRow("msgpack-map") << QByteArray("\x82\xa4type\xa4join\xa4room\xa2r1", 19)
                                 << u"MessagePack"_qs << u"{\n    \"type\": \"join\""_qs
                                 << QString();
    QTest::newRow("text") << QByteArray("hello") << QString() << QString() << QString();
    QTest::newRow("lone-number") << QByteArray("\x01", 1) << QString() << QString() << QString();
    QTest::newRow("trailing-bytes")
        << QByteArray("\xa1\x61\x61\x01\x00", 5) << QString() << QString() << QString();
    // the limit of JSON from the network holds for CBOR and MessagePack too: the
    // decoder recurses once per level
    QTest::newRow("cbor-at-limit") << nested("\x81", MaxJsonDepth, QByteArrayView("\x00", 1))
                                   << u"CBOR"_qs << u"[\n    [\n"_qs << QString();
    QTest::newRow("cbor-over-limit")
        << nested("\x81", MaxJsonDepth + 1, QByteArrayView("\x00", 1)) << QString() << QString()
        << u"CBOR nested deeper than 512 levels"_qs;
    QTest::newRow("cbor-100000-arrays")
        << nested("\x81", 100000, QByteArrayView("\x00", 1)) << QString() << QString()
        << u"CBOR nested deeper than 512 levels"_qs;
    QTest::newRow("cbor-100000-maps")
        << nested("\xa1\x61k", 100000, QByteArrayView("\x00", 1)) << QString() << QString()
        << u"CBOR nested deeper than 512 levels"_qs;
    QTest::newRow("cbor-100000-indefinite") << nested("\x9f", 100000, "") << QString() << QString()
                                            << u"CBOR nested deeper than 512 levels"_qs;
    // 0xdc (array 16) is a reserved tag to CBOR: only MessagePack reads it
    QTest::newRow("msgpack-at-limit")
        << nested(QByteArrayView("\xdc\x00\x01", 3), MaxJsonDepth, "\xc0") << u"MessagePack"_qs
        << u"[\n    [\n"_qs << QString();
    QTest::newRow("msgpack-100000-arrays")
        << nested(QByteArrayView("\xdc\x00\x01", 3), 100000, "\xc0") << QString() << QString()
        << u"MessagePack nested deeper than 512 levels"_qs;
    QTest::newRow("msgpack-100000-maps")
        << nested("\x81\xa1k", 100000, "\xc0") << QString() << QString()
        << u"MessagePack nested deeper than 512 levels"_qs;
    // a length beyond what a container can hold: nlohmann throws out_of_range even
    // when asked not to throw
    QTest::newRow("cbor-huge-array") << QByteArray("\x9b\x7f\xff\xff\xff\xff\xff\xff\xff", 9)
                                     << QString() << QString() << QString();
    QTest::newRow("cbor-huge-map") << QByteArray("\xbb\x7f\xff\xff\xff\xff\xff\xff\xff", 9)
                                   << QString() << QString() << QString();
    QTest::newRow("msgpack-huge-array")
        << QByteArray("\xdd\xff\xff\xff\xff", 5) << QString() << QString() << QString();
}

void TestClientEvent::binaryAsJson()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, format);
    QFETCH(QString, json);
    QFETCH(QString, error);
    QString gotFormat;
    QString gotError;
    const QString got = ClientEvent::binaryAsJson(data, &gotFormat, &gotError);
    QVERIFY2(got.startsWith(json), qPrintable(got.left(200)));
    QCOMPARE(got.isEmpty(), format.isEmpty());
    QCOMPARE(gotFormat, format);
    QCOMPARE(gotError, error);
    // the callers that ask for neither
    QCOMPARE(ClientEvent::binaryAsJson(data), got);
}

void TestClientEvent::tooDeepExpectation()
{
    // a scenario's `expect match` on a binary message too deep to decode fails and says
    // why, rather than matching the bytes as text
    ClientScenario::Expectation expect;
    expect.kind = ClientScenario::Expectation::Kind::Match;
    expect.value = Json::parse(R"({"type": "joined"})");
    ClientEvent message;
    message.kind = ClientEvent::Kind::Received;
    message.opcode = ClientEvent::Binary;
    message.data = nested("\x81", 100000, QByteArrayView("\x00", 1));
    QString why;
    QVERIFY(!expect.matches(message, &why));
    QCOMPARE(why, u"a binary message that is not decoded: CBOR nested deeper than 512 levels"_qs);

    message.data = QByteArray("\xa1\x64type\x66joined", 13); // CBOR {"type": "joined"}
    QVERIFY2(expect.matches(message, &why), qPrintable(why));
}

QTEST_GUILESS_MAIN(TestClientEvent)
#include "tst_clientevent.moc"
