// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/diagnostic.h"
#include "asyncapi/document.h"

#include <QList>
#include <QString>

#include <initializer_list>

namespace Gatehouse {

// What a conversion or an export cannot carry or changes: warnings located in the
// source document where a node is named (a note on the whole document has no place).
class ConversionNotes final
{
public:
    explicit ConversionNotes(const Document &document);

    void add(const QString &pointer, const QString &message);
    void append(const QList<Diagnostic> &more) { m_notes += more; }
    QList<Diagnostic> take() { return std::move(m_notes); }

    // The JSON Pointer of a path of member names ("channels", "/rooms").
    static QString pointerTo(std::initializer_list<QString> tokens);

private:
    const Document &m_document;
    QList<Diagnostic> m_notes;
};

} // namespace Gatehouse
