// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse {

// A problem the mock found in an API or its mock settings. The mock still runs,
// without the part concerned. `pointer` is a JSON Pointer into the document when
// known, so the caller can print file:line:column.
struct MockProblem
{
    QString pointer;
    QString message;
    QString messageId; // for an example that does not match its schema
    int exampleIndex = -1;
};

} // namespace Gatehouse
