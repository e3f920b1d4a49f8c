// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/conversionnotes.h"

#include "asyncapi/documentloader.h"

namespace Gatehouse {

ConversionNotes::ConversionNotes(const Document &document)
    : m_document(document)
{ }

void ConversionNotes::add(const QString &pointer, const QString &message)
{
    Diagnostic d;
    d.severity = Diagnostic::Severity::Warning;
    d.pointer = pointer;
    if (!pointer.isEmpty())
        d.location = m_document.locate(pointer);
    d.message = message;
    m_notes.append(d);
}

QString ConversionNotes::pointerTo(std::initializer_list<QString> tokens)
{
    QString pointer;
    for (const QString &token : tokens) {
        pointer += u'/';
        pointer += DocumentLoader::escapePointerToken(token);
    }
    return pointer;
}

} // namespace Gatehouse
