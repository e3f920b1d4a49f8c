// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/asyncapireader.h"
#include "asyncapi/asyncapiwriter.h"
#include "asyncapi/diagnostic.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Gatehouse {

// Converts a document's text to AsyncAPI 2.6 or 3.0, or writes the same document in
// the other syntax (YAML <-> JSON), and says beforehand what the result does not
// carry, so that the user can decide before anything is written.
class AsyncApiConverter final
{
public:
    using TargetVersion = AsyncApiWriter::TargetVersion;
    using Format = AsyncApiWriter::Format;

    struct Result
    {
        QByteArray data; // the document to write; empty when there is none
        QString error; // why there is no document
        // The document is that version already: `data` is its text (in the syntax
        // asked for), not a conversion.
        bool unchanged = false;
        // What the result does not carry, as warnings located in the source document
        // where known; problems the written document would have (the validator's
        // errors on it) are listed here too.
        QList<Diagnostic> losses;
        // For a 2.x result: message examples that do not match their payload or
        // headers schema, which 2.x parsers reject.
        QList<Diagnostic> exampleMismatches;

        bool ok() const { return error.isEmpty(); }
    };

    // `fileName` names the text in diagnostics and is the base for relative $refs.
    static Result convert(const QByteArray &text, const QString &fileName, TargetVersion version,
                          Format format);
    static Result convert(const ReadResult &read, const QByteArray &text, TargetVersion version,
                          Format format);
    // The same document in `format`: the text as is when it is written so already.
    static Result reformat(const QByteArray &text, const QString &fileName, Format format);

    // JSON when the text starts (after blanks) with '{' or '[', as the loader reads it.
    static Format formatOf(const QByteArray &text);
    // JSON for a .json file name, YAML for .yaml/.yml, else `fallback`.
    static Format formatForPath(const QString &path, Format fallback);
    // Whether `asyncapiVersion` ("2.6.0", "3.0.0") is `version` already.
    static bool isVersion(const QString &asyncapiVersion, TargetVersion version);

    // What writing `read`'s model as `version` leaves out, located in `read`'s document.
    static QList<Diagnostic> losses(const ReadResult &read, TargetVersion version);

    // `read`'s model written as `version`, whatever version it was (what `gatehouse-cli
    // convert` writes), with losses(), the problems the written document would have
    // and, for 2.x, its examples that do not match their schemas. Unlike convert(), no
    // note that comments and the layout do not carry over: the list is empty when
    // nothing else is lost.
    static Result writeModel(const ReadResult &read, TargetVersion version, Format format);
};

} // namespace Gatehouse
