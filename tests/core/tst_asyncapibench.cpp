// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapiconverter.h"
#include "asyncapi/asyncapireader.h"
#include "asyncapi/asyncapiwriter.h"
#include "asyncapi/documentloader.h"

#include <QTest>

using namespace Gatehouse;

namespace {

// A 2.6 document with `count` channels, each with an address parameter, a
// publish and a subscribe operation with WSO2 extensions and a message reference.
QByteArray generatedDocument(int count)
{
    QByteArray out = "asyncapi: 2.6.0\n"
                     "info:\n  title: Generated\n  version: 1.0.0\n"
                     "channels:\n";
    out.reserve(count * 420);
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i);
        out += "  /topic" + n
            + "/{id}:\n"
              "    description: Channel number "
            + n
            + ".\n"
              "    parameters:\n"
              "      id:\n"
              "        schema: {type: string, pattern: '^[a-z0-9]+$'}\n"
              "    publish:\n"
              "      operationId: send"
            + n
            + "\n"
              "      x-uri-mapping: /topic"
            + n
            + "?id={uri.var.id}\n"
              "      x-auth-type: Any\n"
              "      message: {$ref: '#/components/messages/Event'}\n"
              "    subscribe:\n"
              "      operationId: receive"
            + n
            + "\n"
              "      x-scopes: [read]\n"
              "      message: {$ref: '#/components/messages/Event'}\n";
    }
    out += "components:\n"
           "  messages:\n"
           "    Event:\n"
           "      name: event\n"
           "      payload:\n"
           "        type: object\n"
           "        properties: {id: {type: integer}, text: {type: string}}\n";
    return out;
}

} // namespace

// Reading speed on a large generated document (see bench/README.md). Measures only;
// the figures are recorded, not asserted.
class TestAsyncApiBench final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void loadOnly();
    void read5000Channels();
    void write5000Channels();
    void read5000Channels3();
    void convert5000Channels();

private:
    QByteArray m_document;
};

void TestAsyncApiBench::initTestCase()
{
    m_document = generatedDocument(5000);
    const ReadResult r = AsyncApiReader::readData(m_document, u"generated.yaml"_qs);
    QVERIFY(r.ok());
    QCOMPARE(r.api->channels.size(), 5000);
    QCOMPARE(r.api->operations.size(), 10000);
}

void TestAsyncApiBench::loadOnly()
{
    QBENCHMARK
    {
        const DocumentLoader::Result r = DocumentLoader::loadData(m_document, u"generated.yaml"_qs);
        QVERIFY(r.ok());
    }
}

void TestAsyncApiBench::read5000Channels()
{
    QBENCHMARK
    {
        const ReadResult r = AsyncApiReader::readData(m_document, u"generated.yaml"_qs);
        QVERIFY(r.api);
    }
}

void TestAsyncApiBench::write5000Channels()
{
    const ReadResult r = AsyncApiReader::readData(m_document, u"generated.yaml"_qs);
    QVERIFY(r.api);
    QBENCHMARK
    {
        const QByteArray yaml = AsyncApiWriter::write(*r.api, AsyncApiWriter::TargetVersion::V3_0,
                                                      AsyncApiWriter::Format::Yaml);
        QVERIFY(!yaml.isEmpty());
    }
}

// The same API as AsyncAPI 3.0 (channels, operations and message refs in 3.x form).
void TestAsyncApiBench::read5000Channels3()
{
    const ReadResult r = AsyncApiReader::readData(m_document, u"generated.yaml"_qs);
    QVERIFY(r.api);
    const QByteArray v3 = AsyncApiWriter::write(*r.api, AsyncApiWriter::TargetVersion::V3_0,
                                                AsyncApiWriter::Format::Yaml);
    QBENCHMARK
    {
        const ReadResult again = AsyncApiReader::readData(v3, u"generated-3.0.yaml"_qs);
        QVERIFY(again.api);
        QCOMPARE(again.api->operations.size(), 10000);
    }
}

// Save a Copy as 2.6 of the 3.0 form: conversion, the loss listing, the example check
// and reading the result back, as the window does off the GUI thread.
void TestAsyncApiBench::convert5000Channels()
{
    const ReadResult r = AsyncApiReader::readData(m_document, u"generated.yaml"_qs);
    QVERIFY(r.api);
    const QByteArray v3 = AsyncApiWriter::write(*r.api, AsyncApiWriter::TargetVersion::V3_0,
                                                AsyncApiWriter::Format::Yaml);
    QBENCHMARK
    {
        const auto result = AsyncApiConverter::convert(v3, u"generated-3.0.yaml"_qs,
                                                       AsyncApiConverter::TargetVersion::V2_6,
                                                       AsyncApiConverter::Format::Yaml);
        QVERIFY2(result.ok(), qPrintable(result.error));
    }
}

QTEST_GUILESS_MAIN(TestAsyncApiBench)
#include "tst_asyncapibench.moc"
