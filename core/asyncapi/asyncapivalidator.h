// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/diagnostic.h"
#include "asyncapi/document.h"

#include <QList>

namespace Gatehouse {

// Structural validation of a Document against the official AsyncAPI JSON Schema for
// its version (from the @asyncapi/specs package) and of `x-gatehouse` against
// Gatehouse's own schema. Semantic checks live in the reader.
class AsyncApiValidator final
{
public:
    static QList<Diagnostic> validate(const Document &document);
    // Only the check of message examples against their payload and headers schemas
    // (errors for 2.x, warnings for 3.x), which validate() makes once the structure
    // is sound; this one needs no official schema.
    static QList<Diagnostic> validateExamples(const Document &document);
};

} // namespace Gatehouse
