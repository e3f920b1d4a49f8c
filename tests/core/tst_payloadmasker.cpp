// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/logpolicy.h"
#include "policy/payloadmasker.h"

#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;

class TestPayloadMasker final : public QObject
{
    Q_OBJECT

private slots:
    void mask_data();
    void mask();
    void luhn_data();
    void luhn();
    void logPolicy();
    void truncateUtf8();
    void parseErrors_data();
    void parseErrors();
};

void TestPayloadMasker::mask_data()
{
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<bool>("cards");
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("output");
    QTest::newRow("name-anywhere")
        << QStringList {u"password"_qs} << false << QStringList()
        << QByteArray(R"({"user":"a","password":"p","nested":[{"Password":"q"}]})")
        << QByteArray(R"({"user":"a","password":"***","nested":[{"Password":"***"}]})");
    QTest::newRow("pointer-only-there")
        << QStringList {u"/card/number"_qs} << false << QStringList()
        << QByteArray(R"({"card":{"number":"4111"},"number":"keep"})")
        << QByteArray(R"({"card":{"number":"***"},"number":"keep"})");
    QTest::newRow("pointer-missing") << QStringList {u"/nope"_qs} << false << QStringList()
                                     << QByteArray(R"({"a":1})") << QByteArray(R"({"a":1})");
    QTest::newRow("truncated-json-text-fallback")
        << QStringList {u"password"_qs} << false << QStringList()
        << QByteArray(R"({"user":"a","password":"sec)")
        << QByteArray(R"({"user":"a","password":"***")");
    QTest::newRow("text-fallback-number")
        << QStringList {u"/pin"_qs} << false << QStringList() << QByteArray(R"({"pin": 1234, "x":)")
        << QByteArray(R"({"pin": "***", "x":)");
    QTest::newRow("card-number") << QStringList() << true << QStringList()
                                 << QByteArray("pay with 4111 1111 1111 1111 now")
                                 << QByteArray("pay with ************1111 now");
    QTest::newRow("card-not-luhn")
        << QStringList() << true << QStringList() << QByteArray("order 1234567890123")
        << QByteArray("order 1234567890123");
    QTest::newRow("card-in-json") << QStringList() << true << QStringList()
                                  << QByteArray(R"({"pan":"5500-0000-0000-0004"})")
                                  << QByteArray(R"({"pan":"************0004"})");
    QTest::newRow("pattern") << QStringList() << false << QStringList {u"Bearer [A-Za-z0-9._-]+"_qs}
                             << QByteArray("auth Bearer abc.def") << QByteArray("auth ***");
    // nested deeper than MaxJsonDepth: masked as text (walking it would recurse per level)
    QTest::newRow("nested-too-deep-masked-as-text")
        << QStringList {u"password"_qs} << false << QStringList()
        << QByteArray(200000, '[') + R"({"password":"p"})" + QByteArray(200000, ']')
        << QByteArray(200000, '[') + R"({"password":"***"})" + QByteArray(200000, ']');
    QTest::newRow("nothing-configured")
        << QStringList() << false << QStringList() << QByteArray(R"({"password":"p"})")
        << QByteArray(R"({"password":"p"})");
}

void TestPayloadMasker::mask()
{
    QFETCH(QStringList, fields);
    QFETCH(bool, cards);
    QFETCH(QStringList, patterns);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, output);
    PayloadMasker::Settings s;
    s.fields = fields;
    s.cardNumbers = cards;
    s.patterns = patterns;
    const PayloadMasker masker(s);
    QCOMPARE(masker.mask(input), output);
    QCOMPARE(masker.mask(input, true), input); // binary untouched
}

void TestPayloadMasker::luhn_data()
{
    QTest::addColumn<QString>("digits");
    QTest::addColumn<bool>("valid");
    QTest::newRow("visa") << u"4111111111111111"_qs << true;
    QTest::newRow("amex") << u"378282246310005"_qs << true;
    QTest::newRow("off-by-one") << u"4111111111111112"_qs << false;
    QTest::newRow("short") << u"4242"_qs << false;
}

void TestPayloadMasker::luhn()
{
    QFETCH(QString, digits);
    QFETCH(bool, valid);
    QCOMPARE(PayloadMasker::luhnValid(digits), valid);
}

void TestPayloadMasker::logPolicy()
{
    PolicyConfig c(
        Json::parse(R"({"type":"log","payloads":true,"maxPayloadSize":20,"mask":["password"]})"),
        QStringLiteral("p"));
    LogPolicy policy(LogPolicy::parse(c));
    QVERIFY2(c.ok(), qPrintable(c.error()));
    QVERIFY(policy.logsPayloads());
    const QByteArray relayed = R"({"password":"hunter2","text":"hello there"})";
    Gateway::RelayMessage m {Gateway::Direction::ClientToBackend, false, relayed};
    QCOMPARE(policy.process({}, m).action, Gateway::MessageVerdict::Action::Forward);
    QCOMPARE(m.payload, relayed); // relayed unchanged
    QCOMPARE(policy.logPayload(relayed, false), QByteArray(R"({"password":"***","t)"));

    LogPolicy off;
    QCOMPARE(off.logPayload(relayed, false), QByteArray());
}

void TestPayloadMasker::truncateUtf8()
{
    const QByteArray text = "ab\xc3\xa9z"; // "abéz"
    QCOMPARE(LogPolicy::truncate(text, 3, false), QByteArray("ab"));
    QCOMPARE(LogPolicy::truncate(text, 4, false), QByteArray("ab\xc3\xa9"));
    QCOMPARE(LogPolicy::truncate(text, 3, true), QByteArray("ab\xc3"));
    QCOMPARE(LogPolicy::truncate(text, 100, false), text);
}

void TestPayloadMasker::parseErrors_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("error");
    QTest::newRow("pointer") << u"{\"mask\":[\"ok\",\"/a~9\"]}"_qs
                             << u"p.mask[1]: \"/a~9\" is not a valid JSON Pointer"_qs;
    QTest::newRow("regex")
        << u"{\"maskPatterns\":[\"[\"]}"_qs
        << u"p.maskPatterns[0]: invalid regular expression: missing terminating ] for character class"_qs;
    QTest::newRow("not-strings") << u"{\"mask\":[1]}"_qs
                                 << u"p.mask[0]: expected a string, got 1"_qs;
    QTest::newRow("payloads") << u"{\"payloads\":\"yes\"}"_qs
                              << u"p.payloads: expected true or false, got \"yes\""_qs;
}

void TestPayloadMasker::parseErrors()
{
    QFETCH(QString, config);
    QFETCH(QString, error);
    PolicyConfig c(Json::parse(config.toStdString()), QStringLiteral("p"));
    LogPolicy::parse(c);
    QCOMPARE(c.error(), error);
}

QTEST_GUILESS_MAIN(TestPayloadMasker)
#include "tst_payloadmasker.moc"
