// SPDX-License-Identifier: GPL-3.0-or-later
// The AsyncAPI document loader, reader and validator: the input is a document (YAML
// or JSON) as the window or `gatehouse-cli validate` would open it, named doc.yaml in
// a scratch folder that also holds a few files its relative `$ref`s can name
// (common.yaml, loop.yaml refers to itself, back.yaml back to doc.yaml), so that
// bundling, `$ref` chains and loops across files are reached too. Then the model is
// written back out, as saving in the window does.
#include "fuzzsupport.h"

#include "asyncapi/asyncapireader.h"
#include "asyncapi/asyncapivalidator.h"
#include "asyncapi/asyncapiwriter.h"
#include "asyncapi/documentloader.h"

#include <QDir>
#include <QFile>

using namespace Gatehouse;

namespace {

const QString &documentPath()
{
    static const QString path = [] {
        const QDir dir(Fuzz::scratchDir());
        auto write = [&dir](const char *name, const char *text) {
            QFile file(dir.filePath(QString::fromLatin1(name)));
            if (!file.open(QIODevice::WriteOnly) || file.write(text) < 0)
                qFatal("asyncapi_document: cannot write %s", name);
        };
        write("common.yaml",
              "Ping:\n  type: object\n  properties:\n    seq: {type: integer}\n"
              "    next: {$ref: '#/Ping'}\n"
              "Text: {type: string, maxLength: 64}\n"
              "Message:\n  name: ping\n  payload: {$ref: '#/Ping'}\n");
        write("loop.yaml", "A: {$ref: '#/B'}\nB: {$ref: '#/A'}\nC: {$ref: 'loop.yaml#/C'}\n");
        write("back.yaml", "Back: {$ref: 'doc.yaml#/components/schemas/Any'}\n");
        return dir.filePath(QStringLiteral("doc.yaml"));
    }();
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    DocumentLoader::Result loaded = DocumentLoader::loadData(text, documentPath());
    if (loaded.ok())
        (void)AsyncApiValidator::validate(loaded.document);
    const ReadResult read
        = AsyncApiReader::readDocument(std::move(loaded.document), loaded.diagnostics);
    if (read.api) {
        // the version and format written: from the input's size (no byte of its own)
        const auto version
            = size % 2 ? AsyncApiWriter::TargetVersion::V2_6 : AsyncApiWriter::TargetVersion::V3_0;
        const auto format
            = size % 4 < 2 ? AsyncApiWriter::Format::Yaml : AsyncApiWriter::Format::Json;
        (void)AsyncApiWriter::write(*read.api, version, format);
    }
    return 0;
}
