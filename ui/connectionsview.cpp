// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionsview.h"

#include "connectionlistmodel.h"
#include "payloadloggingcontrol.h"

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gatehouse {

ConnectionsView::ConnectionsView(ConnectionListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_stack(new QStackedWidget)
    , m_table(new QTreeView)
    , m_empty(new QLabel)
    , m_filter(new QLineEdit)
    , m_close(new QPushButton(tr("&Close\u2026")))
    , m_count(new QLabel)
    , m_logPayloads(new PayloadLoggingControl(tr("the current connection"), this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ConnectionListModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_table->setObjectName(QStringLiteral("connectionsTable"));
    m_table->setModel(m_proxy);
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ConnectionListModel::OpenedColumn, Qt::DescendingOrder);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAccessibleName(tr("Open connections"));
    m_table->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->header()->setStretchLastSection(true);

    m_empty->setObjectName(QStringLiteral("connectionsEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setText(tr("No connections yet. Press Run to start the gateway."));
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_empty);

    m_filter->setObjectName(QStringLiteral("connectionsFilter"));
    m_filter->setPlaceholderText(tr("Filter connections"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter connections"));
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_close->setObjectName(QStringLiteral("closeConnections"));
    m_close->setToolTip(tr("Close the selected connections with a close code and reason"));
    connect(m_close, &QPushButton::clicked, this, &ConnectionsView::handleCloseClicked);
    m_count->setObjectName(QStringLiteral("connectionsCount"));

    // Log Payloads: for the current row's channel or application, for a while
    connect(m_logPayloads, &PayloadLoggingControl::requested, this,
            &ConnectionsView::payloadLoggingRequested);
    connect(m_logPayloads, &PayloadLoggingControl::stopRequested, this,
            &ConnectionsView::payloadLoggingStopRequested);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (!m_table->indexAt(pos).isValid())
            return;
        QMenu menu;
        QAction *close = menu.addAction(tr("&Close…"));
        connect(close, &QAction::triggered, this, &ConnectionsView::handleCloseClicked);
        menu.addSeparator();
        menu.addActions(m_logPayloads->menu()->actions());
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    bar->addWidget(m_logPayloads->button());
    bar->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_logPayloads->grantsBox());
    layout->addWidget(m_stack, 1);

    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, this, &ConnectionsView::updateState);
    // the first rows size the columns; the user's widths are kept from then on
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first) {
                if (first == 0 && !m_sized) {
                    m_sized = true;
                    for (int c = 0; c < ConnectionListModel::ColumnCount; ++c)
                        m_table->resizeColumnToContents(c);
                }
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, &ConnectionsView::updateState);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConnectionsView::updateState);
    updateState();
}

QList<quint64> ConnectionsView::selectedIds() const
{
    QList<quint64> ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        ids.append(index.data(ConnectionListModel::IdRole).value<quint64>());
    return ids;
}

QString ConnectionsView::emptyText() const
{
    return m_stack->currentWidget() == m_empty ? m_empty->text() : QString();
}

void ConnectionsView::setEmptyText(const QString &text)
{
    m_empty->setText(text);
}

void ConnectionsView::updateState()
{
    const int rows = m_model->rowCount();
    m_stack->setCurrentWidget(rows > 0 ? static_cast<QWidget *>(m_table) : m_empty);
    m_count->setText(rows == 1 ? tr("1 open connection") : tr("%1 open connections").arg(rows));
    m_close->setEnabled(!selectedIds().isEmpty());
    const QModelIndex current = currentRow();
    m_logPayloads->setTarget(current.data(ConnectionListModel::ApiKeyRole).toString(),
                             current.data(ConnectionListModel::ChannelRole).toString(),
                             current.data(ConnectionListModel::ApplicationIdRole).toString());
}

QModelIndex ConnectionsView::currentRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() && m_table->selectionModel()->isRowSelected(current.row())
        ? current.siblingAtColumn(0)
        : rows.constFirst();
}

QToolButton *ConnectionsView::logPayloadsButton() const
{
    return m_logPayloads->button();
}

QMenu *ConnectionsView::logPayloadsMenu() const
{
    return m_logPayloads->menu();
}

void ConnectionsView::logPayloadsOfCurrent(bool application, std::chrono::milliseconds duration)
{
    updateState(); // the target is the current row
    m_logPayloads->request(application, duration);
}

void ConnectionsView::setPayloadLogGrants(const QList<Gateway::PayloadLogGrants::Grant> &grants,
                                          qint64 nowMs)
{
    m_logPayloads->setGrants(grants, nowMs);
}

QStringList ConnectionsView::payloadLogGrantTexts() const
{
    return m_logPayloads->grantTexts();
}

void ConnectionsView::handleCloseClicked()
{
    const QList<quint64> ids = selectedIds();
    if (ids.isEmpty())
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(ids.size() == 1 ? tr("Close Connection")
                                          : tr("Close %1 Connections").arg(ids.size()));
    auto *code = new QComboBox;
    code->setAccessibleName(tr("Close code"));
    code->setEditable(true);
    const QList<QPair<int, QString>> codes
        = {{1000, tr("normal closure")},   {1001, tr("going away")},
           {1008, tr("policy violation")}, {1011, tr("server error")},
           {1012, tr("service restart")},  {4000, tr("application defined")}};
    for (const auto &[number, meaning] : codes)
        code->addItem(QStringLiteral("%1 \u2013 %2").arg(number).arg(meaning), number);
    code->setCurrentIndex(2);
    auto *reason = new QLineEdit(tr("closed from Gatehouse"));
    reason->setAccessibleName(tr("Close reason"));
    reason->setMaxLength(123); // a close frame holds 125 bytes: 2 for the code
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Close"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("&Code:"), code);
    form->addRow(tr("&Reason:"), reason);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    bool ok = false;
    int number = code->currentText().section(u' ', 0, 0).toInt(&ok);
    if (!ok || number < 1000 || number > 4999 || number == 1004 || number == 1005 || number == 1006
        || number == 1015)
        number = 1000; // only codes a close frame may carry
    closeSelected(quint16(number), reason->text());
}

void ConnectionsView::closeSelected(quint16 code, const QString &reason)
{
    const QList<quint64> ids = selectedIds();
    if (!ids.isEmpty())
        Q_EMIT closeRequested(ids, code, reason);
}

} // namespace Gatehouse
