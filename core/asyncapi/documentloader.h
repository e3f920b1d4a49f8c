// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/diagnostic.h"
#include "asyncapi/document.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace Gatehouse {

// Reads a YAML or JSON file into a Document, with the source location of every node
// and `$ref`s to other files bundled in.
//
// YAML plain scalars are typed by the YAML 1.2 core schema (true, 12, 1.5, null);
// quoted scalars stay strings. JSON input (detected by a leading '{' or '[') keeps
// JSON's own types. `$ref`s within the document stay as they are; `$ref`s to
// relative files (`common.yaml#/components/schemas/X`, `./messages.yaml`) are
// replaced by their targets, whose locations name the file they came from.
//
// Bounded against hostile input: files over MaxFileSize, binary data, invalid
// UTF-8, nesting deeper than MaxDepth and alias expansion beyond MaxAliasNodes are
// refused with one clear diagnostic each.
class DocumentLoader final
{
public:
    struct Result
    {
        Document document;
        QList<Diagnostic> diagnostics;
        bool ok() const { return !hasErrors(diagnostics); }
    };

    static constexpr qint64 MaxFileSize = 32 * 1024 * 1024;
    static constexpr int MaxDepth = 512;
    static constexpr qint64 MaxAliasNodes = 1000000;
    static constexpr qint64 MaxBundledNodes = 5000000;
    static constexpr int MaxRefChain = 64;

    // Texts that stand in for files a `$ref` reaches, by absolute (canonical) path:
    // the unsaved edits of an editor's other files.
    using FileTexts = QHash<QString, QByteArray>;

    static Result loadFile(const QString &path);
    // `fileName` names the data in diagnostics and is the base for relative $refs;
    // a file in `texts` is read from there instead of from the disk.
    static Result loadData(const QByteArray &data, const QString &fileName,
                           const FileTexts &texts = {});
    // The key a file has in FileTexts and Document::files.
    static QString fileKey(const QString &path);
    // As loadData, for a part of a document: any value (a list, a scalar) is read, and
    // its `$ref`s stay as written (they are read with the document they belong to).
    static Result loadValue(const QByteArray &data, const QString &fileName);

    // "/a~1b" style JSON Pointer token escaping.
    static QString escapePointerToken(const QString &token);
    static std::string escapePointerToken(const std::string &token);

    // The value a YAML 1.2 (core schema) reader gives a plain scalar: null, a
    // boolean, an integer, a float, or else the text itself as a string.
    static Json plainScalarValue(const std::string &text);
};

} // namespace Gatehouse
