// SPDX-License-Identifier: GPL-3.0-or-later
#include "readablecolour.h"

#include <cmath>

namespace Gatehouse::ReadableColour {

namespace {

double luminance(const QColor &c)
{
    const auto channel
        = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

} // namespace

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

QColor on(const QColor &background, const QColor &own)
{
    constexpr double Wanted = 4.5;
    const bool lighter = isDark(background);
    int h = 0;
    int s = 0;
    int l = 0;
    own.getHsl(&h, &s, &l);
    QColor c = own;
    for (int step = 0; step < 64 && contrast(c, background) < Wanted; ++step) {
        l = lighter ? qMin(255, l + 4) : qMax(0, l - 4);
        c = QColor::fromHsl(h, s, l);
    }
    return c;
}

} // namespace Gatehouse::ReadableColour
