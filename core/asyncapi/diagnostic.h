// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace Gatehouse {

// A place in a source file; line and column count from 1, 0 = unknown.
struct SourceLocation
{
    QString file;
    int line = 0;
    int column = 0;
    friend bool operator==(const SourceLocation &, const SourceLocation &) = default;
};

// One finding about a document, printed as "file:line:col: severity: message".
struct Diagnostic
{
    enum class Severity { Error, Warning };

    Severity severity = Severity::Error;
    SourceLocation location;
    QString message;
    QString pointer; // JSON Pointer of the node concerned, when known

    QString toString() const;
    friend bool operator==(const Diagnostic &, const Diagnostic &) = default;
};

bool hasErrors(const QList<Diagnostic> &diagnostics);

} // namespace Gatehouse
