// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionsview.h"

#include "connectionlistmodel.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
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
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

using namespace std::chrono_literals;

struct Duration
{
    std::chrono::milliseconds length;
    const char *text; // translated in the view's context
};

QString timeLeft(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

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
    , m_logPayloads(new QToolButton)
    , m_logMenu(new QMenu(this))
    , m_grantsBox(new QWidget)
    , m_grantsLayout(new QVBoxLayout(m_grantsBox))
    , m_grantsTimer(new QTimer(this))
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
    static const Duration durations[] = {{1min, QT_TR_NOOP("for 1 minute")},
                                         {10min, QT_TR_NOOP("for 10 minutes")},
                                         {1h, QT_TR_NOOP("for 1 hour")}};
    m_logMenu->setTitle(tr("&Log Payloads"));
    m_logMenu->addSection(tr("Of this channel"));
    for (const Duration &d : durations) {
        QAction *a = m_logMenu->addAction(tr("Log payloads of this channel %1").arg(tr(d.text)));
        a->setToolTip(tr("Keep the payloads of this connection's channel in the message log "
                         "%1, masked as its log policy says")
                          .arg(tr(d.text)));
        connect(a, &QAction::triggered, this,
                [this, length = d.length] { logPayloadsOfCurrent(false, length); });
        m_logChannel.append(a);
    }
    m_logMenu->addSection(tr("Of this application"));
    for (const Duration &d : durations) {
        QAction *a
            = m_logMenu->addAction(tr("Log payloads of this application %1").arg(tr(d.text)));
        a->setToolTip(tr("Keep the payloads of this connection's application on this API in "
                         "the message log %1, masked as the log policy says")
                          .arg(tr(d.text)));
        connect(a, &QAction::triggered, this,
                [this, length = d.length] { logPayloadsOfCurrent(true, length); });
        m_logApplication.append(a);
    }
    m_logPayloads->setObjectName(QStringLiteral("logPayloads"));
    m_logPayloads->setText(tr("&Log Payloads"));
    m_logPayloads->setAccessibleName(tr("Log payloads of the current connection's channel"));
    m_logPayloads->setToolTip(
        tr("Keep the payloads of the current connection's channel or application in the "
           "message log for a while"));
    m_logPayloads->setPopupMode(QToolButton::InstantPopup);
    m_logPayloads->setMenu(m_logMenu);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (!m_table->indexAt(pos).isValid())
            return;
        QMenu menu;
        QAction *close = menu.addAction(tr("&Close…"));
        connect(close, &QAction::triggered, this, &ConnectionsView::handleCloseClicked);
        menu.addSeparator();
        menu.addActions(m_logMenu->actions());
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });

    m_grantsBox->setObjectName(QStringLiteral("payloadLogGrants"));
    m_grantsLayout->setContentsMargins(0, 0, 0, 0);
    m_grantsBox->hide();
    m_grantsTimer->setInterval(1000);
    connect(m_grantsTimer, &QTimer::timeout, this, &ConnectionsView::updateGrants);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    bar->addWidget(m_logPayloads);
    bar->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_grantsBox);
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
    m_logPayloads->setEnabled(current.isValid());
    for (QAction *a : std::as_const(m_logChannel))
        a->setEnabled(current.isValid());
    const bool application = current.isValid()
        && !current.data(ConnectionListModel::ApplicationIdRole).toString().isEmpty();
    for (QAction *a : std::as_const(m_logApplication))
        a->setEnabled(application);
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

void ConnectionsView::logPayloadsOfCurrent(bool application, std::chrono::milliseconds duration)
{
    const QModelIndex row = currentRow();
    if (!row.isValid())
        return;
    const QString api = row.data(ConnectionListModel::ApiKeyRole).toString();
    const QString app = row.data(ConnectionListModel::ApplicationIdRole).toString();
    if (application && app.isEmpty())
        return;
    if (application)
        Q_EMIT payloadLoggingRequested(api, QString(), app, qint64(duration.count()));
    else
        Q_EMIT payloadLoggingRequested(api, row.data(ConnectionListModel::ChannelRole).toString(),
                                       QString(), qint64(duration.count()));
}

void ConnectionsView::setPayloadLogGrants(const QList<Gateway::PayloadLogGrants::Grant> &grants,
                                          qint64 nowMs)
{
    m_grantsClockOffsetMs = nowMs < 0 ? 0 : nowMs - QDateTime::currentMSecsSinceEpoch();
    m_grants = grants;
    qDeleteAll(m_grantsBox->findChildren<QWidget *>(Qt::FindDirectChildrenOnly));
    m_grantLabels.clear();
    for (const auto &g : grants) {
        auto *row = new QWidget(m_grantsBox);
        auto *label = new QLabel;
        label->setObjectName(QStringLiteral("payloadLogGrant"));
        auto *stop = new QPushButton(tr("Stop"));
        stop->setObjectName(QStringLiteral("stopPayloadLogging"));
        stop->setAccessibleName(tr("Stop logging payloads of %1").arg(g.describe()));
        stop->setToolTip(tr("Stop logging payloads of %1 now").arg(g.describe()));
        connect(stop, &QPushButton::clicked, this,
                [this, id = g.id] { Q_EMIT payloadLoggingStopRequested(id); });
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(label, 1);
        h->addWidget(stop);
        m_grantsLayout->addWidget(row);
        m_grantLabels.append(label);
    }
    updateGrants();
}

void ConnectionsView::updateGrants()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch() + m_grantsClockOffsetMs;
    bool any = false;
    for (qsizetype i = 0; i < m_grants.size(); ++i) {
        const auto &g = m_grants.at(i);
        const qint64 left = g.remainingMs(now);
        QWidget *row = m_grantLabels.at(i)->parentWidget();
        row->setVisible(left > 0); // ended by itself: the runtime's list follows
        any = any || left > 0;
        QString text = tr("Logging payloads of %1: %2 left").arg(g.describe(), timeLeft(left));
        m_grantLabels.at(i)->setText(text);
    }
    m_grantsBox->setVisible(any);
    if (any && !m_grantsTimer->isActive())
        m_grantsTimer->start();
    else if (!any)
        m_grantsTimer->stop();
}

QStringList ConnectionsView::payloadLogGrantTexts() const
{
    QStringList out;
    for (const QLabel *label : m_grantLabels)
        if (!label->parentWidget()->isHidden())
            out.append(label->text());
    return out;
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
