// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/diagnostic.h"

#include <QAbstractTableModel>
#include <QList>

namespace Gatehouse {

// The diagnostics of a document for the Problems list: severity icon and message,
// then where (file:line:column). Errors come before warnings, each in source order.
class DiagnosticListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiagnosticListModel)

public:
    enum Column { MessageColumn, LocationColumn, ColumnCount };
    enum Role {
        FileRole = Qt::UserRole + 1, // QString
        LineRole, // int, 0 = unknown
        ColumnRole, // int, 0 = unknown
        SeverityRole, // Diagnostic::Severity as int
        PointerRole, // QString: the JSON Pointer of the node concerned, when known
    };

    explicit DiagnosticListModel(QObject *parent = nullptr);
    ~DiagnosticListModel() override;

    void setDiagnostics(const QList<Diagnostic> &diagnostics);
    const QList<Diagnostic> &diagnostics() const { return m_diagnostics; }
    Diagnostic diagnostic(int row) const { return m_diagnostics.value(row); }
    int errorCount() const;
    int warningCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "file:line:col" with the file name only; parts that are unknown are left out.
    static QString locationText(const SourceLocation &location);

private:
    QList<Diagnostic> m_diagnostics;
};

} // namespace Gatehouse
