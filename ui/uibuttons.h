// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPushButton>
#include <QString>

namespace Gatehouse::UiButtons {

// A push button with an object name (tests and style sheets find it) and a tooltip
// that says what it does.
inline QPushButton *named(const QString &text, const QString &name, const QString &tip)
{
    auto *b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

} // namespace Gatehouse::UiButtons
