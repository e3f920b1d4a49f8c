// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/jsonschemavalidator.h"

#include "testsupport.h"

#include <QtTest>

#include <thread>

using namespace Gatehouse;
using Keyword = JsonSchemaValidator::Keyword;

Q_DECLARE_METATYPE(Keyword)

namespace {

Json parse(const char *text)
{
    return Json::parse(text);
}

} // namespace

class TestJsonSchemaValidator final : public QObject
{
    Q_OBJECT

private slots:
    void errors_data();
    void errors();
    void accepts_data();
    void accepts();
    void oneOfReportsClosestAlternative();
    void oneOfOfTypesNamesTheTypes();
    void remoteReferencesUseResolver();
    void idReferencesResolveInsideDocument();
    void subschemaOfDocument();
    void referenceIntoNonSchemaContainer();
    void unresolvableReferenceIsReported();
    void invalidSchemaIsReported();
    void errorMessageAnnotation();
    void maxErrorsIsHonoured();
    void deepNestingIsBounded();
    void concurrentValidation();
};

void TestJsonSchemaValidator::errors_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("instance");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<Keyword>("keyword");
    QTest::addColumn<QString>("message");

    QTest::newRow("type") << QByteArray(R"({"properties":{"name":{"type":"string"}}})")
                          << QByteArray(R"({"name":3})") << u"/name"_qs << Keyword::Type
                          << u"must be string, got integer"_qs;
    QTest::newRow("type list") << QByteArray(R"({"type":["string","null"]})")
                               << QByteArray(R"([1])") << QString() << Keyword::Type
                               << u"must be null or string, got array"_qs;
    QTest::newRow("integer") << QByteArray(R"({"type":"integer"})") << QByteArray("1.5")
                             << QString() << Keyword::Type << u"must be integer, got number"_qs;
    QTest::newRow("required") << QByteArray(R"({"required":["title"]})") << QByteArray("{}")
                              << QString() << Keyword::Required
                              << u"missing required field 'title'"_qs;
    QTest::newRow("enum")
        << QByteArray(R"({"enum":["echo","chat"]})") << QByteArray(R"("eco")") << QString()
        << Keyword::Enum
        << uR"(must be one of "echo", "chat", got "eco" (did you mean "echo"?))"_qs;
    QTest::newRow("enum suggestion")
        << QByteArray(R"({"enum":["second","minute","hour","day"]})") << QByteArray(R"("minuet")")
        << QString() << Keyword::Enum
        << uR"(must be one of "second", "minute", "hour", "day", got "minuet" (did you mean "minute"?))"_qs;
    QTest::newRow("unknown field suggestion")
        << QByteArray(R"({"properties":{"listen":{},"tlsListen":{}},"additionalProperties":false})")
        << QByteArray(R"({"Lisen":1})") << QString() << Keyword::AdditionalProperties
        << u"unknown field 'Lisen' (did you mean 'listen'?)"_qs;
    QTest::newRow("const") << QByteArray(R"({"const":"3.0.0"})") << QByteArray(R"("3.1.0")")
                           << QString() << Keyword::Const << uR"(must be "3.0.0", got "3.1.0")"_qs;
    QTest::newRow("pattern") << QByteArray(R"({"pattern":"^/"})") << QByteArray(R"("chats")")
                             << QString() << Keyword::Pattern
                             << uR"(must match the pattern ^/, got "chats")"_qs;
    QTest::newRow("minimum") << QByteArray(R"({"properties":{"price":{"minimum":0}}})")
                             << QByteArray(R"({"price":-3})") << u"/price"_qs << Keyword::Minimum
                             << u"must be >= 0, got -3"_qs;
    QTest::newRow("exclusiveMaximum")
        << QByteArray(R"({"exclusiveMaximum":10})") << QByteArray("10") << QString()
        << Keyword::Maximum << u"must be < 10, got 10"_qs;
    QTest::newRow("maximum") << QByteArray(R"({"maximum":2.5})") << QByteArray("3") << QString()
                             << Keyword::Maximum << u"must be <= 2.5, got 3"_qs;
    QTest::newRow("minLength") << QByteArray(R"({"minLength":3})") << QByteArray(R"("ab")")
                               << QString() << Keyword::MinLength
                               << u"must be at least 3 characters long, got 2"_qs;
    QTest::newRow("maxLength counts characters")
        << QByteArray(R"({"maxLength":2})") << QByteArray(R"("äöü")") << QString()
        << Keyword::MaxLength << u"must be at most 2 characters long, got 3"_qs;
    QTest::newRow("minItems") << QByteArray(R"({"minItems":1})") << QByteArray("[]") << QString()
                              << Keyword::MinItems << u"must have at least 1 item(s), got 0"_qs;
    QTest::newRow("uniqueItems") << QByteArray(R"({"uniqueItems":true})")
                                 << QByteArray(R"([{"a":1,"b":2},{"b":2,"a":1}])") << QString()
                                 << Keyword::UniqueItems
                                 << u"items must be unique, but items 0 and 1 are equal"_qs;
    QTest::newRow("multipleOf") << QByteArray(R"({"multipleOf":5})") << QByteArray("12")
                                << QString() << Keyword::MultipleOf
                                << u"must be a multiple of 5, got 12"_qs;
    QTest::newRow("additionalProperties")
        << QByteArray(R"({"properties":{"a":{}},"additionalProperties":false})")
        << QByteArray(R"({"a":1,"pubish":2})") << QString() << Keyword::AdditionalProperties
        << u"unknown field 'pubish'"_qs;
    QTest::newRow("array item pointer") << QByteArray(
        R"({"items":{"type":"object","properties":{"n":{"type":"integer","minimum":1}}}})")
                                        << QByteArray(R"([{"n":1},{"n":0}])") << u"/1/n"_qs
                                        << Keyword::Minimum << u"must be >= 1, got 0"_qs;
    QTest::newRow("pointer escaping") << QByteArray(R"({"additionalProperties":{"type":"string"}})")
                                      << QByteArray(R"({"a/b~c":1})") << u"/a~1b~0c"_qs
                                      << Keyword::Type << u"must be string, got integer"_qs;
    QTest::newRow("local $ref") << QByteArray(
        R"({"definitions":{"port":{"type":"integer","maximum":65535}},"properties":{"p":{"$ref":"#/definitions/port"}}})")
                                << QByteArray(R"({"p":70000})") << u"/p"_qs << Keyword::Maximum
                                << u"must be <= 65535, got 70000"_qs;
    QTest::newRow("recursive $ref")
        << QByteArray(
               R"({"type":"object","properties":{"child":{"$ref":"#"},"n":{"type":"string"}}})")
        << QByteArray(R"({"child":{"child":{"n":5}}})") << u"/child/child/n"_qs << Keyword::Type
        << u"must be string, got integer"_qs;
    QTest::newRow("format date-time")
        << QByteArray(R"({"format":"date-time"})") << QByteArray(R"("2024-13-01T00:00:00Z")")
        << QString() << Keyword::Format
        << uR"(must be a valid date-time, got "2024-13-01T00:00:00Z")"_qs;
    QTest::newRow("format email") << QByteArray(R"({"format":"email"})")
                                  << QByteArray(R"("nobody")") << QString() << Keyword::Format
                                  << uR"(must be a valid email, got "nobody")"_qs;
    QTest::newRow("format uri") << QByteArray(R"({"format":"uri"})") << QByteArray(R"("no scheme")")
                                << QString() << Keyword::Format
                                << uR"(must be a valid uri, got "no scheme")"_qs;
    QTest::newRow("not") << QByteArray(R"({"not":{"type":"null"}})") << QByteArray("null")
                         << QString() << Keyword::Not
                         << u"must not match the schema given in 'not'"_qs;
    QTest::newRow("if then") << QByteArray(
        R"({"if":{"properties":{"kind":{"const":"chat"}}},"then":{"required":["room"]}})")
                             << QByteArray(R"({"kind":"chat"})") << QString() << Keyword::Required
                             << u"missing required field 'room'"_qs;
    QTest::newRow("dependencies") << QByteArray(R"({"dependencies":{"tlsListen":["certificate"]}})")
                                  << QByteArray(R"({"tlsListen":"x"})") << QString()
                                  << Keyword::Dependencies
                                  << u"'tlsListen' requires 'certificate' as well"_qs;
    QTest::newRow("propertyNames pattern")
        << QByteArray(R"({"type":"object","propertyNames":{"pattern":"^[a-z]+$"}})")
        << QByteArray(R"({"ok":1,"Bad":2})") << QString() << Keyword::PropertyNames
        << u"member name 'Bad' must match the pattern ^[a-z]+$, got \"Bad\""_qs;
    QTest::newRow("false schema") << QByteArray(R"({"properties":{"x":false}})")
                                  << QByteArray(R"({"x":1})") << u"/x"_qs << Keyword::False
                                  << u"is not allowed here"_qs;
    QTest::newRow("oneOf ambiguous")
        << QByteArray(R"({"oneOf":[{"type":"integer"},{"minimum":0}]})") << QByteArray("3")
        << QString() << Keyword::OneOf
        << u"matches more than one of the allowed alternatives, so it is ambiguous"_qs;
}

void TestJsonSchemaValidator::errors()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, instance);
    QFETCH(QString, pointer);
    QFETCH(Keyword, keyword);
    QFETCH(QString, message);

    const JsonSchemaValidator validator(Json::parse(schema.toStdString()));
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    const Json value = Json::parse(instance.toStdString());
    const auto errors = validator.validate(value);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().pointer, pointer);
    QCOMPARE(errors.first().keyword, keyword);
    QCOMPARE(errors.first().message, message);
    QVERIFY(!validator.accepts(value));
}

void TestJsonSchemaValidator::accepts_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("instance");

    QTest::newRow("integer as float") << QByteArray(R"({"type":"integer"})") << QByteArray("2.0");
    QTest::newRow("enum object order")
        << QByteArray(R"({"enum":[{"a":1,"b":2}]})") << QByteArray(R"({"b":2,"a":1})");
    QTest::newRow("patternProperties")
        << QByteArray(R"({"patternProperties":{"^x-":{}},"additionalProperties":false})")
        << QByteArray(R"({"x-a":1})");
    QTest::newRow("anyOf") << QByteArray(R"({"anyOf":[{"type":"string"},{"type":"integer"}]})")
                           << QByteArray("4");
    QTest::newRow("format unknown")
        << QByteArray(R"({"format":"frobnicate"})") << QByteArray(R"("x")");
    QTest::newRow("date-time") << QByteArray(R"({"format":"date-time"})")
                               << QByteArray(R"("2024-02-29T23:59:60.5+01:00")");
    QTest::newRow("contains") << QByteArray(R"({"contains":{"const":2}})") << QByteArray("[1,2]");
    QTest::newRow("true schema") << QByteArray("true") << QByteArray(R"({"x":1})");
    // propertyNames and schema dependencies must not be confused with their parent
    QTest::newRow("propertyNames")
        << QByteArray(R"({"type":"object","propertyNames":{"minLength":1}})")
        << QByteArray(R"({"a":{}})");
    QTest::newRow("schema dependencies") << QByteArray(
        R"({"type":"object","dependencies":{"a":{"required":["b"]},"c":{"required":["d"]}}})")
                                         << QByteArray(R"({"a":1,"b":2})");
}

void TestJsonSchemaValidator::accepts()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, instance);
    const JsonSchemaValidator validator(Json::parse(schema.toStdString()));
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    const Json value = Json::parse(instance.toStdString());
    QVERIFY(validator.accepts(value));
    QVERIFY(validator.validate(value).isEmpty());
}

void TestJsonSchemaValidator::oneOfReportsClosestAlternative()
{
    // The AsyncAPI shape: either a Reference or the real object.
    const JsonSchemaValidator validator(parse(R"({
        "definitions": {
            "Reference": {"type": "object", "required": ["$ref"], "properties": {"$ref": {"type": "string"}}},
            "operation": {"type": "object", "additionalProperties": false,
                          "properties": {"summary": {"type": "string"}, "message": {}}}
        },
        "properties": {"publish": {"oneOf": [{"$ref": "#/definitions/Reference"},
                                             {"$ref": "#/definitions/operation"}]}}
    })"));
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    const auto errors = validator.validate(parse(R"({"publish": {"summary": "x", "mesage": {}}})"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().pointer, u"/publish"_qs);
    QCOMPARE(errors.first().keyword, Keyword::AdditionalProperties);
    QCOMPARE(errors.first().property, u"mesage"_qs);
    QCOMPARE(errors.first().toString(),
             u"/publish: unknown field 'mesage' (did you mean 'message'?)"_qs);
}

void TestJsonSchemaValidator::oneOfOfTypesNamesTheTypes()
{
    const JsonSchemaValidator validator(
        parse(R"({"oneOf":[{"type":"string"},{"type":"object"}]})"));
    const auto errors = validator.validate(parse("12"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().message, u"must be string or object, got integer"_qs);
}

void TestJsonSchemaValidator::remoteReferencesUseResolver()
{
    QStringList asked;
    const auto resolver = [&asked](const QString &uri) -> std::optional<Json> {
        asked.append(uri);
        if (uri == QLatin1String("https://example.test/common.json"))
            return parse(R"({"definitions":{"port":{"type":"integer","minimum":1,"maximum":65535},
                             "host":{"$ref":"host.json"}}})");
        if (uri == QLatin1String("https://example.test/host.json"))
            return parse(R"({"type":"string","minLength":1})");
        return std::nullopt;
    };
    const JsonSchemaValidator validator(
        parse(R"({"properties":{"port":{"$ref":"common.json#/definitions/port"},
                                "host":{"$ref":"common.json#/definitions/host"}}})"),
        resolver, u"https://example.test/root.json"_qs);
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    QCOMPARE(asked,
             (QStringList {u"https://example.test/common.json"_qs,
                           u"https://example.test/host.json"_qs}));
    const auto errors = validator.validate(parse(R"({"port":0,"host":""})"));
    QCOMPARE(errors.size(), 2);
    QCOMPARE(errors.at(0).toString(), u"/port: must be >= 1, got 0"_qs);
    QCOMPARE(errors.at(1).toString(), u"/host: must not be empty"_qs);
}

void TestJsonSchemaValidator::idReferencesResolveInsideDocument()
{
    // As in the AsyncAPI all-in-one schemas: definitions named by URL, with $id,
    // referencing each other by absolute URL and with "#" meaning their own root.
    const JsonSchemaValidator validator(parse(R"({
        "$id": "http://example.test/root.json",
        "properties": {"info": {"$ref": "http://example.test/info.json"}},
        "definitions": {
            "http://example.test/info.json": {
                "$id": "http://example.test/info.json",
                "type": "object", "required": ["title"],
                "properties": {"title": {"type": "string"}, "more": {"$ref": "#"}}
            }
        }
    })"));
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    const auto errors
        = validator.validate(parse(R"({"info": {"title": "t", "more": {"title": 1}}})"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().toString(), u"/info/more/title: must be string, got integer"_qs);
}

void TestJsonSchemaValidator::subschemaOfDocument()
{
    // A message payload of an AsyncAPI document, referring to components.
    const Json document = parse(R"({
        "asyncapi": "2.6.0",
        "components": {
            "schemas": {
                "Price": {"type": "number", "minimum": 0},
                "Item": {"type": "object", "required": ["price"],
                         "properties": {"price": {"$ref": "#/components/schemas/Price"}}},
                "Unused": {"$ref": "#/nowhere"}
            },
            "messages": {"Order": {"payload": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}}
        }
    })");
    const auto validator
        = JsonSchemaValidator::forSubschema(document, u"/components/messages/Order/payload"_qs);
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    const auto errors = validator.validate(parse(R"([{"price": 2}, {"price": -3}, {}])"));
    QCOMPARE(errors.size(), 2);
    QCOMPARE(errors.at(0).toString(), u"/1/price: must be >= 0, got -3"_qs);
    QCOMPARE(errors.at(1).toString(), u"/2: missing required field 'price'"_qs);
    QVERIFY(validator.accepts(parse(R"([{"price": 0.5}])")));

    const auto missing
        = JsonSchemaValidator::forSubschema(document, u"/components/schemas/Unused"_qs);
    QVERIFY(!missing.isValid());
    QVERIFY2(missing.errorString().contains(u"#/nowhere"_qs), qPrintable(missing.errorString()));
}

void TestJsonSchemaValidator::referenceIntoNonSchemaContainer()
{
    // "$defs" is not a draft-07 keyword, but references into it still work, and so
    // do the references found there.
    const JsonSchemaValidator validator(parse(R"({
        "$defs": {"a": {"properties": {"b": {"$ref": "#/$defs/b"}}}, "b": {"enum": [1, 2]}},
        "$ref": "#/$defs/a"
    })"));
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    const auto errors = validator.validate(parse(R"({"b": 3})"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().toString(), u"/b: must be one of 1, 2, got 3"_qs);
}

void TestJsonSchemaValidator::unresolvableReferenceIsReported()
{
    const JsonSchemaValidator validator(parse(R"({"$ref":"other.json"})"), {},
                                        u"file:///tmp/x/root.json"_qs);
    QVERIFY(!validator.isValid());
    QVERIFY2(validator.errorString().contains(u"other.json"_qs),
             qPrintable(validator.errorString()));
    QVERIFY(validator.accepts(parse("1"))); // an invalid validator rejects nothing
}

void TestJsonSchemaValidator::invalidSchemaIsReported()
{
    const JsonSchemaValidator badType(parse(R"({"type":"strnig"})"));
    QVERIFY(!badType.isValid());
    QVERIFY(!badType.errorString().isEmpty());
    const JsonSchemaValidator badRegex(parse(R"({"pattern":"(unclosed"})"));
    QVERIFY(!badRegex.isValid());
    QVERIFY2(badRegex.errorString().contains(u"(unclosed"_qs), qPrintable(badRegex.errorString()));
}

void TestJsonSchemaValidator::errorMessageAnnotation()
{
    const JsonSchemaValidator validator(
        parse(R"({"pattern":"^[^:]+:[0-9]+$","errorMessage":"must be host:port"})"));
    const auto errors = validator.validate(parse(R"("localhost")"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().message, uR"(must be host:port, got "localhost")"_qs);
}

void TestJsonSchemaValidator::maxErrorsIsHonoured()
{
    const JsonSchemaValidator validator(parse(R"({"items":{"type":"string"}})"));
    const Json many = Json::array({1, 2, 3, 4, 5});
    QCOMPARE(validator.validate(many).size(), 5);
    QCOMPARE(validator.validate(many, 2).size(), 2);
}

void TestJsonSchemaValidator::deepNestingIsBounded()
{
    // A recursive schema and a value nested far deeper than any real message.
    const JsonSchemaValidator recursive(parse(R"({"type":"array","items":{"$ref":"#"}})"));
    QVERIFY(recursive.isValid());
    Json value = Json::array();
    for (int i = 0; i < 100000; ++i)
        value = Json::array({std::move(value)});
    QVERIFY(!recursive.accepts(value));
    const auto errors = recursive.validate(value);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().keyword, Keyword::Depth);
    QVERIFY(recursive.accepts(parse("[[[]]]")));

    // A schema that refers to itself without consuming the value.
    const JsonSchemaValidator selfReferring(parse(R"({"allOf":[{"$ref":"#"}]})"));
    if (selfReferring.isValid())
        QVERIFY(!selfReferring.accepts(parse("1")));
}

void TestJsonSchemaValidator::concurrentValidation()
{
    const JsonSchemaValidator validator(parse(R"({"type":"object","properties":{
        "id":{"type":"string","pattern":"^[a-z]+[0-9]*$"},"n":{"type":"integer","minimum":0}},
        "patternProperties":{"^x-":{"type":"boolean"}}})"));
    const Json good = parse(R"({"id":"abc12","n":4,"x-y":true})");
    const Json bad = parse(R"({"id":"12abc","n":-1,"x-y":1})");
    std::atomic<int> mismatches = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                if (!validator.accepts(good) || validator.validate(bad).size() != 3)
                    ++mismatches;
            }
        });
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
}

QTEST_GUILESS_MAIN(TestJsonSchemaValidator)
#include "tst_jsonschemavalidator.moc"
