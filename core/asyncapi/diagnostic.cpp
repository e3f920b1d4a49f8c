// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/diagnostic.h"

namespace Gatehouse {

QString Diagnostic::toString() const
{
    const QString severityText
        = severity == Severity::Error ? QStringLiteral("error") : QStringLiteral("warning");
    QString where = location.file.isEmpty() ? QStringLiteral("<input>") : location.file;
    if (location.line > 0) {
        where += u':' + QString::number(location.line);
        if (location.column > 0)
            where += u':' + QString::number(location.column);
    }
    return where + QStringLiteral(": ") + severityText + QStringLiteral(": ") + message;
}

bool hasErrors(const QList<Diagnostic> &diagnostics)
{
    for (const Diagnostic &d : diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            return true;
    return false;
}

} // namespace Gatehouse
