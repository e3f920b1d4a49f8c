// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/payloadloggrants.h"

#include <QList>
#include <QWidget>

#include <chrono>

class QLabel;
class QMenu;
class QToolButton;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;

namespace Gatehouse {

class ConnectionListModel;
class PayloadLoggingControl;

// The Connections tab: the gateway's open connections (sortable, filterable by any
// column's text) and a Close button for the selected ones, with a close code and
// reason chosen in a small dialog. Log Payloads (button and context menu) asks to log
// the payloads of the current connection's channel or application for a while; the
// grants in force are listed above the table with their time left and a Stop button.
// Shows what to do when there is nothing to list.
class ConnectionsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsView)

public:
    explicit ConnectionsView(ConnectionListModel *model, QWidget *parent = nullptr);

    QTreeView *table() const { return m_table; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPushButton *closeButton() const { return m_close; }
    QToolButton *logPayloadsButton() const;
    // The Log Payloads menu: of the channel for each duration, then of the application.
    QMenu *logPayloadsMenu() const;
    // The grants to show (the runtime's); `nowMs` for the time left (tests pass theirs).
    void setPayloadLogGrants(const QList<Gateway::PayloadLogGrants::Grant> &grants,
                             qint64 nowMs = -1);
    // One line per grant shown, as the user reads it.
    QStringList payloadLogGrantTexts() const;
    // Asks to log the payloads of the current connection's channel (or application).
    void logPayloadsOfCurrent(bool application, std::chrono::milliseconds duration);
    QList<quint64> selectedIds() const;
    // Asks to close the selected connections (closeRequested) without the dialog.
    void closeSelected(quint16 code, const QString &reason);
    // The text shown instead of the table when it is empty.
    QString emptyText() const;
    void setEmptyText(const QString &text);

Q_SIGNALS:
    // The user asked to close these connections with this code and reason.
    void closeRequested(const QList<quint64> &ids, quint16 code, const QString &reason);
    // The user asked to log the payloads of `api`'s `channel` (or of its `application`'s
    // connections, channel empty) for `durationMs`, one message in `sample`.
    void payloadLoggingRequested(const QString &api, const QString &channel,
                                 const QString &application, qint64 durationMs, int sample);
    // The user asked to end this payload logging grant now.
    void payloadLoggingStopRequested(quint64 id);

private:
    void handleCloseClicked();
    void updateState();
    QModelIndex currentRow() const;

    ConnectionListModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QStackedWidget *m_stack;
    QTreeView *m_table;
    QLabel *m_empty;
    QLineEdit *m_filter;
    QPushButton *m_close;
    QLabel *m_count;
    PayloadLoggingControl *m_logPayloads;
    bool m_sized = false;
};

} // namespace Gatehouse
