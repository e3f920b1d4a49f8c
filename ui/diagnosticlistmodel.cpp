// SPDX-License-Identifier: GPL-3.0-or-later
#include "diagnosticlistmodel.h"

#include "uiicons.h"

#include <QFileInfo>

#include <algorithm>

namespace Gatehouse {

DiagnosticListModel::DiagnosticListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

DiagnosticListModel::~DiagnosticListModel() = default;

void DiagnosticListModel::setDiagnostics(const QList<Diagnostic> &diagnostics)
{
    beginResetModel();
    m_diagnostics = diagnostics;
    std::stable_sort(m_diagnostics.begin(), m_diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) {
                         return a.severity == Diagnostic::Severity::Error
                             && b.severity != Diagnostic::Severity::Error;
                     });
    endResetModel();
}

int DiagnosticListModel::errorCount() const
{
    return int(std::count_if(m_diagnostics.cbegin(), m_diagnostics.cend(), [](const Diagnostic &d) {
        return d.severity == Diagnostic::Severity::Error;
    }));
}

int DiagnosticListModel::warningCount() const
{
    return int(m_diagnostics.size()) - errorCount();
}

int DiagnosticListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_diagnostics.size());
}

int DiagnosticListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString DiagnosticListModel::locationText(const SourceLocation &location)
{
    QString text = QFileInfo(location.file).fileName();
    if (location.line > 0) {
        text += QLatin1Char(':') + QString::number(location.line);
        if (location.column > 0)
            text += QLatin1Char(':') + QString::number(location.column);
    }
    return text;
}

QVariant DiagnosticListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Diagnostic &d = m_diagnostics.at(index.row());
    const bool error = d.severity == Diagnostic::Severity::Error;
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == MessageColumn ? d.message : locationText(d.location);
    case Qt::ToolTipRole:
        return d.toString();
    case Qt::DecorationRole:
        if (index.column() == MessageColumn)
            return UiIcons::icon(error ? UiIcons::Error : UiIcons::Warning);
        return {};
    case Qt::AccessibleTextRole:
        return error ? tr("Error: %1").arg(d.message) : tr("Warning: %1").arg(d.message);
    case FileRole:
        return d.location.file;
    case LineRole:
        return d.location.line;
    case ColumnRole:
        return d.location.column;
    case SeverityRole:
        return int(d.severity);
    case PointerRole:
        return d.pointer;
    default:
        return {};
    }
}

QVariant DiagnosticListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case MessageColumn:
        return tr("Problem");
    case LocationColumn:
        return tr("Location");
    default:
        return {};
    }
}

} // namespace Gatehouse
