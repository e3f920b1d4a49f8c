// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "asyncapi/asyncapireader.h"
#include "asyncapi/jsonschemavalidator.h"
#include "mock/regexstringgenerator.h"
#include "mock/schemavaluegenerator.h"

#include <QRegularExpression>
#include <QtTest>

using namespace Gatehouse;

class TestMockGenerator final : public QObject
{
    Q_OBJECT

private slots:
    void regexStrings_data();
    void regexStrings();
    void regexUnsupported_data();
    void regexUnsupported();
    void schemaValues_data();
    void schemaValues();
    void sameSeedSameValues();
    void refsThroughApi();
    void documentPayloads_data();
    void documentPayloads();
};

void TestMockGenerator::regexStrings_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::newRow("room id") << QStringLiteral("^[A-Za-z0-9_-]{1,64}$");
    QTest::newRow("pair") << QStringLiteral("[A-Z\\s]+\\/[A-Z\\s]+");
    QTest::newRow("digits") << QStringLiteral("^\\d{3}-\\d{4}$");
    QTest::newRow("alternation") << QStringLiteral("^(red|green|blue)(-light)?$");
    QTest::newRow("non-capturing") << QStringLiteral("^(?:ab|cd)+x*$");
    QTest::newRow("negated class") << QStringLiteral("^[^a-z]{2,5}$");
    QTest::newRow("dot and escapes") << QStringLiteral("^v\\d+\\.\\d+\\.\\d+\\.?.$");
    QTest::newRow("hex escape") << QStringLiteral("^\\x41[\\x30-\\x39]$");
    QTest::newRow("word") << QStringLiteral("^\\w+@\\w+\\.com$");
    QTest::newRow("named group") << QStringLiteral("^(?<year>\\d{4})-(0[1-9]|1[0-2])$");
    QTest::newRow("literal brace") << QStringLiteral("^a{b$");
    QTest::newRow("class with dash at end") << QStringLiteral("^[a-c-]+$");
    QTest::newRow("open-ended") << QStringLiteral("^a{2,}b+c*$");
    QTest::newRow("unanchored") << QStringLiteral("[0-9]+");
}

void TestMockGenerator::regexStrings()
{
    QFETCH(QString, pattern);
    RegexStringGenerator generator(pattern);
    QVERIFY2(generator.isSupported(), qPrintable(generator.errorString()));
    const QRegularExpression re(QRegularExpression::anchoredPattern(pattern));
    QVERIFY(re.isValid());
    std::mt19937 random(7);
    for (int i = 0; i < 500; ++i) {
        const QString value = generator.generate(random);
        QVERIFY2(re.match(value).hasMatch(),
                 qPrintable(QStringLiteral("'%1' does not match %2").arg(value, pattern)));
    }
}

void TestMockGenerator::regexUnsupported_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::newRow("lookahead") << QStringLiteral("^(?=a)a$");
    QTest::newRow("backreference") << QStringLiteral("^(a)\\1$");
    QTest::newRow("unicode property") << QStringLiteral("^\\p{L}+$");
    QTest::newRow("unclosed class") << QStringLiteral("^[abc");
    QTest::newRow("unclosed group") << QStringLiteral("^(abc");
    QTest::newRow("dangling quantifier") << QStringLiteral("*a");
}

void TestMockGenerator::regexUnsupported()
{
    QFETCH(QString, pattern);
    RegexStringGenerator generator(pattern);
    QVERIFY(!generator.isSupported());
    QVERIFY(!generator.errorString().isEmpty());
}

void TestMockGenerator::schemaValues_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::newRow("string") << QByteArray(R"({"type": "string"})");
    QTest::newRow("lengths") << QByteArray(
        R"({"type": "string", "minLength": 20, "maxLength": 22})");
    QTest::newRow("short") << QByteArray(R"({"type": "string", "maxLength": 2})");
    QTest::newRow("empty only") << QByteArray(R"({"type": "string", "maxLength": 0})");
    QTest::newRow("date-time") << QByteArray(R"({"type": "string", "format": "date-time"})");
    QTest::newRow("date") << QByteArray(R"({"type": "string", "format": "date"})");
    QTest::newRow("time") << QByteArray(R"({"type": "string", "format": "time"})");
    QTest::newRow("email") << QByteArray(R"({"type": "string", "format": "email"})");
    QTest::newRow("uuid") << QByteArray(R"({"type": "string", "format": "uuid"})");
    QTest::newRow("uri") << QByteArray(R"({"type": "string", "format": "uri"})");
    QTest::newRow("ipv4") << QByteArray(R"({"type": "string", "format": "ipv4"})");
    QTest::newRow("ipv6") << QByteArray(R"({"type": "string", "format": "ipv6"})");
    QTest::newRow("hostname") << QByteArray(R"({"type": "string", "format": "hostname"})");
    QTest::newRow("pattern") << QByteArray(
        R"({"type": "string", "pattern": "^[A-Z]{3}/[A-Z]{3}$"})");
    QTest::newRow("pattern and length") << QByteArray(
        R"({"type": "string", "pattern": "^[a-z]+$", "minLength": 3, "maxLength": 5})");
    QTest::newRow("enum") << QByteArray(R"({"type": "string", "enum": ["a", "b", "c"]})");
    QTest::newRow("const") << QByteArray(R"({"const": {"x": [1, 2]}})");
    QTest::newRow("integer bounds")
        << QByteArray(R"({"type": "integer", "minimum": -5, "maximum": 5})");
    QTest::newRow("integer exclusive")
        << QByteArray(R"({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3})");
    QTest::newRow("integer multiple")
        << QByteArray(R"({"type": "integer", "minimum": 1, "maximum": 100, "multipleOf": 7})");
    QTest::newRow("integer min only") << QByteArray(R"({"type": "integer", "minimum": 1000000})");
    QTest::newRow("integer max only") << QByteArray(R"({"type": "integer", "maximum": -1000000})");
    QTest::newRow("number bounds")
        << QByteArray(R"({"type": "number", "minimum": 0.5, "maximum": 0.75})");
    QTest::newRow("number exclusive")
        << QByteArray(R"({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.01})");
    QTest::newRow("number multiple")
        << QByteArray(R"({"type": "number", "minimum": 0, "maximum": 10, "multipleOf": 0.25})");
    QTest::newRow("boolean") << QByteArray(R"({"type": "boolean"})");
    QTest::newRow("null") << QByteArray(R"({"type": "null"})");
    QTest::newRow("type list") << QByteArray(
        R"({"type": ["string", "integer", "null"], "maxLength": 3, "minimum": 2})");
    QTest::newRow("array") << QByteArray(
        R"({"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 4})");
    QTest::newRow("unique array") << QByteArray(
        R"({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "minItems": 3, "uniqueItems": true})");
    QTest::newRow("tuple") << QByteArray(
        R"({"type": "array", "items": [{"type": "string"}, {"type": "number"}], "additionalItems": false})");
    QTest::newRow("contains") << QByteArray(
        R"({"type": "array", "items": {"type": "integer"}, "contains": {"const": 42}})");
    QTest::newRow("object") << QByteArray(
        R"({"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "boolean"}}, "additionalProperties": false})");
    QTest::newRow("required without property") << QByteArray(
        R"({"type": "object", "required": ["x"], "additionalProperties": {"type": "number"}})");
    QTest::newRow("min properties") << QByteArray(
        R"({"type": "object", "minProperties": 3, "properties": {"a": {"type": "string"}}})");
    QTest::newRow("max properties") << QByteArray(
        R"({"type": "object", "maxProperties": 1, "properties": {"a": {}, "b": {}, "c": {}}})");
    QTest::newRow("dependencies") << QByteArray(
        R"({"type": "object", "properties": {"card": {"type": "string"}, "address": {"type": "string"}}, "dependencies": {"card": ["address"]}})");
    QTest::newRow("nested") << QByteArray(
        R"({"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["id", "tags"], "properties": {"id": {"type": "string", "format": "uuid"}, "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}}}}}})");
    QTest::newRow("allOf") << QByteArray(
        R"({"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 10}}}, {"required": ["b"], "properties": {"a": {"maximum": 12}, "b": {"type": "string"}}}]})");
    QTest::newRow("oneOf") << QByteArray(
        R"({"type": "object", "oneOf": [{"required": ["error"], "properties": {"error": {"type": "string"}}}, {"required": ["id"], "properties": {"id": {"type": "integer"}}}]})");
    QTest::newRow("anyOf") << QByteArray(
        R"({"anyOf": [{"type": "string", "format": "email"}, {"type": "integer", "minimum": 3}]})");
    QTest::newRow("no type") << QByteArray(
        R"({"properties": {"a": {"minLength": 2}}, "required": ["a"]})");
    QTest::newRow("true") << QByteArray("true");
    QTest::newRow("empty") << QByteArray("{}");
}

void TestMockGenerator::schemaValues()
{
    QFETCH(QByteArray, schema);
    const Json json = Json::parse(schema.toStdString());
    const JsonSchemaValidator validator(json);
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    SchemaValueGenerator generator(11);
    for (int i = 0; i < 1000; ++i) {
        const Json value = generator.generate(json);
        const auto errors = validator.validate(value, 3);
        QVERIFY2(
            errors.isEmpty(),
            qPrintable(QStringLiteral("%1 -> %2")
                           .arg(QString::fromStdString(value.dump()), errors.value(0).toString())));
    }
}

void TestMockGenerator::sameSeedSameValues()
{
    const Json schema = Json::parse(R"({"type": "object", "required": ["id", "n"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "n": {"type": "number"}}})");
    SchemaValueGenerator a(5), b(5), c(6);
    QList<Json> fromA, fromB, fromC;
    for (int i = 0; i < 20; ++i) {
        fromA.append(a.generate(schema));
        fromB.append(b.generate(schema));
        fromC.append(c.generate(schema));
    }
    QCOMPARE(fromA, fromB);
    QVERIFY(fromA != fromC);
}

void TestMockGenerator::refsThroughApi()
{
    Api api;
    api.schemas = Json::parse(R"({
        "node": {"type": "object", "required": ["name"],
                 "properties": {"name": {"$ref": "#/components/schemas/name"},
                                "children": {"type": "array", "items": {"$ref": "#/components/schemas/node"}}}},
        "name": {"type": "string", "pattern": "^n[0-9]{2}$"}
    })");
    const Json schema = Json {{"$ref", "#/components/schemas/node"}};
    Json full = api.resolved(schema);
    full["components"] = Json {{"schemas", api.schemas}};
    const JsonSchemaValidator validator(full);
    QVERIFY2(validator.isValid(), qPrintable(validator.errorString()));
    SchemaValueGenerator generator(3, &api);
    for (int i = 0; i < 1000; ++i) {
        const Json value = generator.generate(schema);
        const auto errors = validator.validate(value, 3);
        QVERIFY2(
            errors.isEmpty(),
            qPrintable(QString::fromStdString(value.dump()) + u' ' + errors.value(0).toString()));
    }
}

// Every message payload schema of every example and sample document: 1,000
// generated values each, all valid.
void TestMockGenerator::documentPayloads_data()
{
    QTest::addColumn<QString>("file");
    QStringList files = Test::exampleFiles();
    QDir samples(Test::sourcePath(QStringLiteral("resources/samples")));
    for (const QString &name : samples.entryList(
             {QStringLiteral("*.yaml"), QStringLiteral("*.yml"), QStringLiteral("*.json")}))
        files.append(samples.absoluteFilePath(name));
    QVERIFY(files.size() >= 10);
    for (const QString &file : std::as_const(files))
        QTest::newRow(
            qPrintable(QFileInfo(file).dir().dirName() + u'/' + QFileInfo(file).fileName()))
            << file;
}

void TestMockGenerator::documentPayloads()
{
    QFETCH(QString, file);
    const ReadResult read = AsyncApiReader::readFile(file);
    QVERIFY2(read.api, qPrintable(file));
    const Api &api = *read.api;
    int schemas = 0;
    for (const Message &message : api.messages) {
        if (message.payload.is_null())
            continue;
        Json payload = message.payload;
        if (payload.is_object() && payload.contains("schemaFormat"))
            payload = payload.value("schema", Json());
        Json full = api.resolved(payload);
        if (full.is_object() && !api.schemas.is_null())
            full["components"] = Json {{"schemas", api.schemas}};
        const JsonSchemaValidator validator(full);
        QVERIFY2(validator.isValid(), qPrintable(message.id + u": " + validator.errorString()));
        ++schemas;
        SchemaValueGenerator generator(quint32(schemas), &api);
        for (int i = 0; i < 1000; ++i) {
            const Json value = generator.generate(payload);
            const auto errors = validator.validate(value, 3);
            QVERIFY2(errors.isEmpty(),
                     qPrintable(QStringLiteral("%1: %2 -> %3")
                                    .arg(message.id, QString::fromStdString(value.dump()),
                                         errors.value(0).toString())));
        }
    }
    QVERIFY2(schemas > 0, "no payload schema in the document");
}

QTEST_GUILESS_MAIN(TestMockGenerator)
#include "tst_mockgenerator.moc"
