// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>

namespace Gatehouse::ReadableColour {

// WCAG's contrast ratio of two colours (1 to 21).
double contrast(const QColor &a, const QColor &b);

// `own` (a colour chosen for a white background) with a contrast of 4.5:1 or more on
// `background`: its hue kept, its lightness moved away from the background's (lighter
// on a dark one) as far as needed.
QColor on(const QColor &background, const QColor &own);

// Whether a palette's base colour is dark (a dark theme).
inline bool isDark(const QColor &base)
{
    return base.lightness() < 128;
}

} // namespace Gatehouse::ReadableColour
