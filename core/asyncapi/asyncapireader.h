// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "asyncapi/diagnostic.h"
#include "asyncapi/document.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace Gatehouse {

// What reading a document produced: the model when the document could be read at
// all, every diagnostic (structural, semantic, schema) and the parsed document.
struct ReadResult
{
    std::optional<Api> api;
    QList<Diagnostic> diagnostics;
    Document document;

    // True when there is a model and no error (warnings allowed).
    bool ok() const { return api.has_value() && !hasErrors(diagnostics); }
};

// Reads AsyncAPI 2.0-2.6 and 3.0-3.1 documents (YAML or JSON, with relative-file
// $refs) into the version-independent Api model, operations from the application's
// point of view. Unknown fields and x- extensions are kept in the model's `extra`.
class AsyncApiReader final
{
public:
    static ReadResult readFile(const QString &path);
    // `texts` stand in for files the document's `$ref`s reach (DocumentLoader).
    static ReadResult readData(const QByteArray &data, const QString &fileName = {},
                               const QHash<QString, QByteArray> &texts = {});
    // Builds the model from an already loaded document; `diagnostics` are the
    // loader's and are kept in the result.
    static ReadResult readDocument(Document document, QList<Diagnostic> diagnostics = {});

    // Whether `version` (e.g. "2.6.0") is one Gatehouse reads.
    static bool isSupportedVersion(const QString &version);
};

} // namespace Gatehouse
