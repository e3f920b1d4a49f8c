// SPDX-License-Identifier: GPL-3.0-or-later
#include "problemlabel.h"

#include <QLabel>

namespace Gatehouse {

QLabel *makeProblemLabel(const QString &accessibleName)
{
    auto *label = new QLabel;
    label->setAccessibleName(accessibleName);
    label->setWordWrap(true);
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    label->setPalette(pal);
    label->hide();
    return label;
}

} // namespace Gatehouse
