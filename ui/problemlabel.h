// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QLabel;

namespace Gatehouse {

// A line that says what is wrong with a field or a form: wrapped, in the problem
// colour, hidden until it has something to say. `accessibleName` names it for
// assistive technology ("Problem with Context").
QLabel *makeProblemLabel(const QString &accessibleName);

} // namespace Gatehouse
