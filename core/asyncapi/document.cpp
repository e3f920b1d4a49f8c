// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/document.h"

namespace Gatehouse {

SourceLocation Document::locate(const QString &pointer) const
{
    QString p = pointer;
    while (true) {
        const auto it = locations.constFind(p);
        if (it != locations.constEnd())
            return *it;
        if (p.isEmpty())
            return SourceLocation {fileName, 0, 0};
        const qsizetype slash = p.lastIndexOf(u'/');
        p = slash <= 0 ? QString() : p.left(slash);
    }
}

} // namespace Gatehouse
