// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/messagetransform.h"
#include "policy/transformpolicy.h"

#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::Direction;
using Gateway::RelayMessage;

namespace {

MessageTransform parseSteps(const char *steps, QString *error = nullptr)
{
    PolicyConfig c(Json {{"steps", Json::parse(steps)}}, QStringLiteral("t"));
    auto t = MessageTransform::parse(c, QStringLiteral("steps"));
    if (error)
        *error = c.error();
    return t;
}

} // namespace

class TestMessageTransform final : public QObject
{
    Q_OBJECT

private slots:
    void apply_data();
    void apply();
    void errors_data();
    void errors();
    void policyDirections();
};

void TestMessageTransform::apply_data()
{
    QTest::addColumn<QByteArray>("steps");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<bool>("changed");
    QTest::newRow("set") << QByteArray(R"([{"set":"/a","value":1}])") << QByteArray(R"({"b":2})")
                         << QByteArray(R"({"b":2,"a":1})") << true;
    QTest::newRow("set-nested-creates")
        << QByteArray(R"([{"set":"/meta/source","value":"gw"}])") << QByteArray(R"({})")
        << QByteArray(R"({"meta":{"source":"gw"}})") << true;
    QTest::newRow("set-replaces") << QByteArray(R"([{"set":"/a","value":{"x":true}}])")
                                  << QByteArray(R"({"a":1})") << QByteArray(R"({"a":{"x":true}})")
                                  << true;
    QTest::newRow("set-through-scalar-skipped")
        << QByteArray(R"([{"set":"/a/b","value":1}])") << QByteArray(R"({"a":5})")
        << QByteArray(R"({"a":5})") << false;
    QTest::newRow("remove") << QByteArray(R"([{"remove":"/secret"}])")
                            << QByteArray(R"({"secret":"x","keep":1})")
                            << QByteArray(R"({"keep":1})") << true;
    QTest::newRow("remove-array-item")
        << QByteArray(R"([{"remove":"/a/1"}])") << QByteArray(R"({"a":[1,2,3]})")
        << QByteArray(R"({"a":[1,3]})") << true;
    QTest::newRow("remove-missing")
        << QByteArray(R"([{"remove":"/nope"}])") << QByteArray(R"({"a":1})")
        << QByteArray(R"({"a":1})") << false;
    QTest::newRow("rename") << QByteArray(R"([{"rename":"/user","to":"/author/name"}])")
                            << QByteArray(R"({"user":"ann","text":"hi"})")
                            << QByteArray(R"({"text":"hi","author":{"name":"ann"}})") << true;
    QTest::newRow("envelope") << QByteArray(R"([{"envelope":"data","with":{"type":"chat"}}])")
                              << QByteArray(R"({"a":1})")
                              << QByteArray(R"({"data":{"a":1},"type":"chat"})") << true;
    QTest::newRow("envelope-scalar")
        << QByteArray(R"([{"envelope":"value"}])") << QByteArray(R"(42)")
        << QByteArray(R"({"value":42})") << true;
    QTest::newRow("prepend-append") << QByteArray(R"([{"prepend":"["},{"append":"]"}])")
                                    << QByteArray("hello") << QByteArray("[hello]") << true;
    QTest::newRow("regex") << QByteArray(R"x([{"replace":"room(\\d+)","with":"lobby-\\1"}])x")
                           << QByteArray("You joined room1!") << QByteArray("You joined lobby-1!")
                           << true;
    QTest::newRow("regex-no-match") << QByteArray(R"([{"replace":"zzz","with":"y"}])")
                                    << QByteArray("abc") << QByteArray("abc") << false;
    QTest::newRow("json-step-on-text-skipped")
        << QByteArray(R"([{"set":"/a","value":1},{"append":"!"}])") << QByteArray("plain text")
        << QByteArray("plain text!") << true;
    QTest::newRow("json-then-text-then-json")
        << QByteArray(R"([{"set":"/a","value":1},{"replace":"1","with":"2"},{"remove":"/b"}])")
        << QByteArray(R"({"b":0})") << QByteArray(R"({"a":2})") << true;
    QTest::newRow("unicode") << QByteArray(R"([{"append":" ✓"}])") << QByteArray("ok")
                             << QByteArray("ok ✓") << true;
    // JSON nested deeper than MaxJsonDepth is not JSON to the transform (a client
    // could otherwise overflow the worker's stack: writing it back recurses per level)
    const QByteArray deepest = QByteArray(512, '[') + QByteArray(512, ']');
    QTest::newRow("nested-to-the-limit") << QByteArray(R"([{"envelope":"data"}])") << deepest
                                         << QByteArray(R"({"data":)") + deepest + '}' << true;
    const QByteArray tooDeep = QByteArray(200000, '[') + QByteArray(200000, ']');
    QTest::newRow("nested-too-deep-is-not-json")
        << QByteArray(R"([{"envelope":"data"}])") << tooDeep << tooDeep << false;
    QTest::newRow("keeps-format-when-unchanged")
        << QByteArray(R"([{"remove":"/x"}])") << QByteArray("{ \"a\" :  1 }")
        << QByteArray("{ \"a\" :  1 }") << false;
}

void TestMessageTransform::apply()
{
    QFETCH(QByteArray, steps);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, output);
    QFETCH(bool, changed);
    QString error;
    const auto t = parseSteps(steps.constData(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QByteArray payload = input;
    QCOMPARE(t.apply(payload), changed);
    QCOMPARE(payload, output);
}

void TestMessageTransform::errors_data()
{
    QTest::addColumn<QByteArray>("steps");
    QTest::addColumn<QString>("error");
    QTest::newRow("not-pointer")
        << QByteArray(R"([{"remove":"a"}])")
        << u"t.steps[0].remove: \"a\" is not a JSON Pointer (it must start with /)"_qs;
    QTest::newRow("bad-escape") << QByteArray(R"([{"remove":"/a~2"}])")
                                << u"t.steps[0].remove: \"/a~2\" is not a valid JSON Pointer"_qs;
    QTest::newRow("set-no-value") << QByteArray(R"([{"set":"/a"}])")
                                  << u"t.steps[0].value: missing: the value to set"_qs;
    QTest::newRow("rename-no-to") << QByteArray(R"([{"rename":"/a"}])")
                                  << u"t.steps[0].to: missing: the new JSON Pointer"_qs;
    QTest::newRow("bad-regex")
        << QByteArray(R"([{"append":"x"},{"replace":"(","with":""}])")
        << u"t.steps[1].replace: invalid regular expression: missing closing parenthesis"_qs;
    QTest::newRow("unknown-op")
        << QByteArray(R"([{"uppercase":true}])")
        << u"t.steps[0]: expected one of set, remove, rename, envelope, prepend, append, replace"_qs;
    QTest::newRow("extra-key") << QByteArray(R"([{"remove":"/a","value":1}])")
                               << u"t.steps[0].value: unknown key (expected one of: remove)"_qs;
    QTest::newRow("not-list") << QByteArray(R"({"remove":"/a"})")
                              << u"t.steps: expected a list, got {\"remove\":\"/a\"}"_qs;
    QTest::newRow("envelope-with") << QByteArray(R"([{"envelope":"d","with":[1]}])")
                                   << u"t.steps[0].with: expected an object, got [1]"_qs;
}

void TestMessageTransform::errors()
{
    QFETCH(QByteArray, steps);
    QFETCH(QString, error);
    QString got;
    parseSteps(steps.constData(), &got);
    QCOMPARE(got, error);
}

void TestMessageTransform::policyDirections()
{
    PolicyConfig c(Json::parse(R"({"type":"transform","clientToBackend":[{"prepend":"in:"}],
                                   "backendToClient":[{"append":":out"}]})"),
                   QStringLiteral("p"));
    TransformPolicy policy(TransformPolicy::parse(c));
    QVERIFY2(c.ok(), qPrintable(c.error()));
    RelayMessage in {Direction::ClientToBackend, false, "x"};
    RelayMessage out {Direction::BackendToClient, false, "y"};
    RelayMessage binary {Direction::ClientToBackend, true, "z"};
    policy.process({}, in);
    policy.process({}, out);
    policy.process({}, binary);
    QCOMPARE(in.payload, QByteArray("in:x"));
    QCOMPARE(out.payload, QByteArray("y:out"));
    QCOMPARE(binary.payload, QByteArray("z"));

    PolicyConfig empty(Json::parse(R"({"type":"transform"})"), QStringLiteral("p"));
    TransformPolicy::parse(empty);
    QCOMPARE(empty.error(), u"p: a transform needs clientToBackend or backendToClient steps"_qs);
}

QTEST_GUILESS_MAIN(TestMessageTransform)
#include "tst_messagetransform.moc"
