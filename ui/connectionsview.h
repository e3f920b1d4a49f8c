// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;

namespace Gatehouse {

class ConnectionListModel;

// The Connections tab: the gateway's open connections (sortable, filterable by any
// column's text) and a Close button for the selected ones, with a close code and
// reason chosen in a small dialog. Shows what to do when there is nothing to list.
class ConnectionsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsView)

public:
    explicit ConnectionsView(ConnectionListModel *model, QWidget *parent = nullptr);

    QTreeView *table() const { return m_table; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPushButton *closeButton() const { return m_close; }
    QList<quint64> selectedIds() const;
    // Asks to close the selected connections (closeRequested) without the dialog.
    void closeSelected(quint16 code, const QString &reason);
    // The text shown instead of the table when it is empty.
    QString emptyText() const;
    void setEmptyText(const QString &text);

Q_SIGNALS:
    // The user asked to close these connections with this code and reason.
    void closeRequested(const QList<quint64> &ids, quint16 code, const QString &reason);

private:
    void handleCloseClicked();
    void updateState();

    ConnectionListModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QStackedWidget *m_stack;
    QTreeView *m_table;
    QLabel *m_empty;
    QLineEdit *m_filter;
    QPushButton *m_close;
    QLabel *m_count;
    bool m_sized = false;
};

} // namespace Gatehouse
