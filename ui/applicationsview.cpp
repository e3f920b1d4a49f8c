// SPDX-License-Identifier: GPL-3.0-or-later
#include "applicationsview.h"

#include "credentials/credentialservice.h"
#include "credentials/plancatalog.h"
#include "uibuttons.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gatehouse {

using namespace Credentials;

namespace {

constexpr int IdRole = Qt::UserRole + 1;

QTreeView *makeTable(QStandardItemModel *model, const QString &name, const QString &accessible)
{
    auto *view = new QTreeView;
    view->setObjectName(name);
    view->setModel(model);
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAccessibleName(accessible);
    view->header()->setStretchLastSection(true);
    return view;
}

QString when(qint64 ms, const QString &never)
{
    return ms ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
              : never;
}

} // namespace

ApplicationsView::ApplicationsView(CredentialService *service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_applicationsModel(new QStandardItemModel(0, 3, this))
    , m_subscriptionsModel(new QStandardItemModel(0, 3, this))
    , m_credentialsModel(new QStandardItemModel(0, 8, this))
    , m_status(new QLabel)
    , m_keychainProblem(new QLabel)
{
    m_applicationsModel->setHorizontalHeaderLabels(
        {tr("Application"), tr("Subscriptions"), tr("Credentials")});
    m_subscriptionsModel->setHorizontalHeaderLabels({tr("API"), tr("Plan"), tr("State")});
    m_credentialsModel->setHorizontalHeaderLabels({tr("ID"), tr("Type"), tr("API"), tr("Scopes"),
                                                   tr("Issued"), tr("Expires"), tr("Last used"),
                                                   tr("State")});
    m_applications
        = makeTable(m_applicationsModel, QStringLiteral("applicationsTable"), tr("Applications"));
    m_subscriptions = makeTable(m_subscriptionsModel, QStringLiteral("subscriptionsTable"),
                                tr("Subscriptions of the selected application"));
    m_credentials = makeTable(m_credentialsModel, QStringLiteral("credentialsTable"),
                              tr("Credentials of the selected application"));

    m_newApp = UiButtons::named(tr("&New Application\u2026"), QStringLiteral("newApplication"),
                                tr("Create an application that clients connect as"));
    m_deleteApp
        = UiButtons::named(tr("&Delete"), QStringLiteral("deleteApplication"),
                           tr("Delete the application with its subscriptions and credentials; "
                              "its open connections are closed"));
    m_subscribe
        = UiButtons::named(tr("&Subscribe\u2026"), QStringLiteral("subscribe"),
                           tr("Subscribe the application to the open API with one of its plans"));
    m_block = UiButtons::named(tr("&Block"), QStringLiteral("blockSubscription"),
                               tr("Block or unblock the selected subscription"));
    m_unsubscribe = UiButtons::named(tr("&Unsubscribe"), QStringLiteral("unsubscribe"),
                                     tr("Remove the selected subscription"));
    m_issue = UiButtons::named(tr("&Issue\u2026"), QStringLiteral("issueCredential"),
                               tr("Issue an access token, API key or JWT for the application"));
    m_copySecret = UiButtons::named(tr("&Copy Secret"), QStringLiteral("copySecret"),
                                    tr("Copy the selected credential's secret from the keychain"));
    m_revoke
        = UiButtons::named(tr("&Revoke"), QStringLiteral("revokeCredential"),
                           tr("Revoke the selected credential; its open connections are closed"));

    connect(m_newApp, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name
            = QInputDialog::getText(this, tr("New Application"), tr("Application name:"),
                                    QLineEdit::Normal, {}, &ok)
                  .trimmed();
        if (ok && !name.isEmpty())
            createApplication(name);
    });
    connect(m_deleteApp, &QPushButton::clicked, this, [this] {
        const QString name = selectedApplication();
        if (QMessageBox::question(this, tr("Delete Application"),
                                  tr("Delete %1 with its subscriptions and credentials? Its "
                                     "open connections are closed.")
                                      .arg(name))
            == QMessageBox::Yes)
            deleteSelectedApplication();
    });
    connect(m_subscribe, &QPushButton::clicked, this, [this] {
        if (!m_api)
            return;
        QStringList plans;
        for (const Plan &p : PlanCatalog::merged(m_api->gatehouse.plans))
            plans.append(p.name);
        bool ok = false;
        const QString plan = QInputDialog::getItem(
            this, tr("Subscribe"),
            tr("Plan for %1 on %2 %3:").arg(selectedApplication(), m_api->title, m_api->version),
            plans, 0, false, &ok);
        if (ok)
            subscribeSelected(plan);
    });
    connect(m_block, &QPushButton::clicked, this, [this] {
        const int row = selectedSubscriptionRow();
        if (row >= 0)
            setSelectedSubscriptionBlocked(m_subscriptionsModel->item(row, 2)->text()
                                           != tr("blocked"));
    });
    connect(m_unsubscribe, &QPushButton::clicked, this, [this] {
        const int row = selectedSubscriptionRow();
        if (row < 0)
            return;
        const QStringList key = m_subscriptionsModel->item(row, 0)->data(IdRole).toStringList();
        m_service->unsubscribe(selectedApplication(), key.value(0), key.value(1));
    });
    connect(m_issue, &QPushButton::clicked, this, [this] {
        QDialog dialog(this);
        dialog.setWindowTitle(tr("Issue Credential"));
        auto *type = new QComboBox;
        type->setAccessibleName(tr("Credential type"));
        type->addItem(tr("Access token (Authorization: Bearer)"), int(CredentialType::AccessToken));
        type->addItem(tr("API key"), int(CredentialType::ApiKey));
        type->addItem(tr("JWT (signed, with scopes)"), int(CredentialType::Jwt));
        auto *scopes = new QLineEdit;
        scopes->setAccessibleName(tr("Scopes"));
        scopes->setPlaceholderText(tr("e.g. admin notify (optional)"));
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
        buttons->button(QDialogButtonBox::Ok)->setText(tr("Issue"));
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        auto *form = new QFormLayout(&dialog);
        form->addRow(tr("&Type:"), type);
        form->addRow(tr("&Scopes:"), scopes);
        form->addRow(buttons);
        if (dialog.exec() == QDialog::Accepted)
            issueForSelected(CredentialType(type->currentData().toInt()),
                             scopes->text().split(QRegularExpression(QStringLiteral("[\\s,]+")),
                                                  Qt::SkipEmptyParts));
    });
    connect(m_copySecret, &QPushButton::clicked, this, &ApplicationsView::copySelectedSecret);
    connect(m_revoke, &QPushButton::clicked, this, &ApplicationsView::revokeSelectedCredential);

    auto *appBox = new QGroupBox(tr("Applications"));
    auto *appButtons = new QHBoxLayout;
    appButtons->addWidget(m_newApp);
    appButtons->addWidget(m_deleteApp);
    appButtons->addStretch();
    auto *appLayout = new QVBoxLayout(appBox);
    appLayout->addLayout(appButtons);
    appLayout->addWidget(m_applications);

    auto *subBox = new QGroupBox(tr("Subscriptions"));
    auto *subButtons = new QHBoxLayout;
    subButtons->addWidget(m_subscribe);
    subButtons->addWidget(m_block);
    subButtons->addWidget(m_unsubscribe);
    subButtons->addStretch();
    auto *subLayout = new QVBoxLayout(subBox);
    subLayout->addLayout(subButtons);
    subLayout->addWidget(m_subscriptions);

    auto *credBox = new QGroupBox(tr("Credentials"));
    auto *credButtons = new QHBoxLayout;
    credButtons->addWidget(m_issue);
    credButtons->addWidget(m_copySecret);
    credButtons->addWidget(m_revoke);
    credButtons->addStretch();
    auto *credLayout = new QVBoxLayout(credBox);
    credLayout->addLayout(credButtons);
    credLayout->addWidget(m_credentials);

    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(subBox);
    right->addWidget(credBox);
    auto *split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("applicationsSplitter"));
    split->addWidget(appBox);
    split->addWidget(right);
    split->setStretchFactor(1, 2);

    m_status->setObjectName(QStringLiteral("applicationsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_keychainProblem->setObjectName(QStringLiteral("keychainProblem"));
    m_keychainProblem->setAccessibleName(tr("Keychain problem"));
    m_keychainProblem->setWordWrap(true);
    m_keychainProblem->setTextFormat(Qt::RichText);
    m_keychainProblem->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_keychainProblem->setFrameShape(QFrame::StyledPanel);
    m_keychainProblem->setMargin(6);
    m_keychainProblem->setAutoFillBackground(true);
    m_keychainProblem->hide();
    connect(m_keychainProblem, &QLabel::linkActivated, this,
            &ApplicationsView::keychainCheckRequested);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_keychainProblem);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_service, &CredentialService::snapshotChanged, this,
            &ApplicationsView::handleSnapshot);
    connect(m_service, &CredentialService::finished, this, &ApplicationsView::handleFinished);
    connect(m_service, &CredentialService::issued, this, &ApplicationsView::handleIssued);
    connect(m_service, &CredentialService::opened, this, [this](bool ok, const QString &error) {
        if (!ok)
            showStatus(tr("The credential registry cannot be opened: %1").arg(error), true);
    });
    connect(m_service, &CredentialService::secretRead, this,
            [this](const QString &id, const QString &secret, const QString &error) {
                if (id != m_pendingCopy)
                    return; // somebody else's read
                m_pendingCopy.clear();
                if (!error.isEmpty()) {
                    showStatus(tr("The secret of %1 cannot be read: %2").arg(id, error), true);
                    Q_EMIT keychainCheckRequested();
                    return;
                }
                QGuiApplication::clipboard()->setText(secret);
                showStatus(tr("Copied the secret of %1 to the clipboard.").arg(id));
            });
    for (QTreeView *view : {m_subscriptions, m_credentials})
        connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
                &ApplicationsView::updateButtons);
    connect(m_applications->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ApplicationsView::showSelected);
    if (m_service->snapshot())
        handleSnapshot(m_service->snapshot());
    showStatus(tr("Applications, subscriptions and credentials of %1, shared with "
                  "gatehouse-cli.")
                   .arg(m_service->path().isEmpty() ? tr("the registry") : m_service->path()));
    updateButtons();
}

void ApplicationsView::setKeychainProblem(const QString &problem)
{
    m_keychainProblemText = problem;
    m_keychainProblem->setVisible(!problem.isEmpty());
    if (problem.isEmpty())
        return;
    QPalette palette = m_keychainProblem->palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::ToolTipBase));
    palette.setColor(QPalette::WindowText, palette.color(QPalette::ToolTipText));
    m_keychainProblem->setPalette(palette);
    m_keychainProblem->setText(
        tr("<b>The OS keychain cannot be reached:</b> %1<br>New tokens and keys cannot be "
           "issued and secrets cannot be copied until it can (start or unlock the keyring "
           "of your desktop session, e.g. GNOME Keyring or KWallet). Credentials issued "
           "before still work against the gateway. <a href=\"check\">Check again</a>")
            .arg(problem.toHtmlEscaped()));
}

void ApplicationsView::setApi(std::shared_ptr<const Api> api)
{
    m_api = std::move(api);
    updateButtons();
}

QString ApplicationsView::selectedApplication() const
{
    const QModelIndexList rows = m_applications->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data().toString();
}

void ApplicationsView::selectApplication(const QString &name)
{
    for (int row = 0; row < m_applicationsModel->rowCount(); ++row)
        if (m_applicationsModel->item(row)->text() == name) {
            m_applications->setCurrentIndex(m_applicationsModel->index(row, 0));
            m_applications->selectionModel()->select(m_applicationsModel->index(row, 0),
                                                     QItemSelectionModel::ClearAndSelect
                                                         | QItemSelectionModel::Rows);
            return;
        }
}

QString ApplicationsView::statusText() const
{
    return m_status->text();
}

void ApplicationsView::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setForegroundRole(error ? QPalette::BrightText : QPalette::WindowText);
    m_status->setStyleSheet(error ? QStringLiteral("color: palette(link-visited)") : QString());
}

void ApplicationsView::handleSnapshot(std::shared_ptr<const CredentialSnapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    const QString selected = selectedApplication();
    m_applicationsModel->setRowCount(0);
    for (const Application &app : m_snapshot->applications()) {
        auto *name = new QStandardItem(app.name);
        name->setData(app.id, IdRole);
        name->setToolTip(app.description.isEmpty() ? app.id : app.description);
        m_applicationsModel->appendRow(
            {name, new QStandardItem(QString::number(m_snapshot->subscriptionsOf(app.id).size())),
             new QStandardItem(QString::number(m_snapshot->credentialsOf(app.id).size()))});
    }
    if (!selected.isEmpty())
        selectApplication(selected);
    if (selectedApplication().isEmpty() && m_applicationsModel->rowCount() > 0)
        selectApplication(m_applicationsModel->item(0)->text()); // something to show
    showSelected();
}

void ApplicationsView::showSelected()
{
    const QString selectedSub = selectedSubscriptionRow() >= 0
        ? m_subscriptionsModel->item(selectedSubscriptionRow(), 0)->text()
        : QString();
    const QString selectedCred = selectedCredentialId();
    m_subscriptionsModel->setRowCount(0);
    m_credentialsModel->setRowCount(0);
    const QModelIndexList rows = m_applications->selectionModel()->selectedRows();
    if (m_snapshot && !rows.isEmpty()) {
        const QString appId = rows.first().data(IdRole).toString();
        for (const Subscription &s : m_snapshot->subscriptionsOf(appId)) {
            auto *api = new QStandardItem(QStringLiteral("%1 %2").arg(s.apiTitle, s.apiVersion));
            api->setData(QStringList {s.apiTitle, s.apiVersion}, IdRole);
            auto *plan = new QStandardItem(s.plan.name);
            plan->setToolTip(PlanCatalog::describeLimit(s.plan));
            m_subscriptionsModel->appendRow(
                {api, plan, new QStandardItem(s.blocked ? tr("blocked") : tr("active"))});
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const CredentialInfo &c : m_snapshot->credentialsOf(appId)) {
            auto *id = new QStandardItem(c.id);
            id->setData(c.id, IdRole);
            const QString state = c.isRevoked() ? tr("revoked")
                : c.isExpired(now)              ? tr("expired")
                                                : tr("active");
            m_credentialsModel->appendRow(
                {id, new QStandardItem(credentialTypeName(c.type)),
                 new QStandardItem(c.apiTitle.isEmpty()
                                       ? tr("any subscribed")
                                       : QStringLiteral("%1 %2").arg(c.apiTitle, c.apiVersion)),
                 new QStandardItem(c.scopes.join(u' ')), new QStandardItem(when(c.createdMs, {})),
                 new QStandardItem(when(c.expiresMs, tr("never"))),
                 new QStandardItem(when(c.lastUsedMs, tr("never"))), new QStandardItem(state)});
        }
    }
    for (QTreeView *view : {m_subscriptions, m_credentials})
        for (int c = 0; c + 1 < view->model()->columnCount(); ++c)
            view->resizeColumnToContents(c);
    for (int row = 0; row < m_subscriptionsModel->rowCount(); ++row)
        if (m_subscriptionsModel->item(row)->text() == selectedSub)
            m_subscriptions->selectionModel()->select(m_subscriptionsModel->index(row, 0),
                                                      QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
    for (int row = 0; row < m_credentialsModel->rowCount(); ++row)
        if (m_credentialsModel->item(row)->text() == selectedCred)
            m_credentials->selectionModel()->select(m_credentialsModel->index(row, 0),
                                                    QItemSelectionModel::ClearAndSelect
                                                        | QItemSelectionModel::Rows);
    updateButtons();
}

int ApplicationsView::selectedSubscriptionRow() const
{
    const QModelIndexList rows = m_subscriptions->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

QString ApplicationsView::selectedCredentialId() const
{
    const QModelIndexList rows = m_credentials->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(IdRole).toString();
}

void ApplicationsView::updateButtons()
{
    const bool app = !selectedApplication().isEmpty();
    m_deleteApp->setEnabled(app);
    m_subscribe->setEnabled(app && m_api);
    m_subscribe->setToolTip(m_api ? tr("Subscribe the application to %1 %2 with one of its plans")
                                        .arg(m_api->title, m_api->version)
                                  : tr("Open an API document to subscribe to it"));
    const int sub = selectedSubscriptionRow();
    m_block->setEnabled(sub >= 0);
    m_unsubscribe->setEnabled(sub >= 0);
    if (sub >= 0)
        m_block->setText(m_subscriptionsModel->item(sub, 2)->text() == tr("blocked")
                             ? tr("Un&block")
                             : tr("&Block"));
    m_issue->setEnabled(app);
    const QString cred = selectedCredentialId();
    bool active = false;
    if (m_snapshot && !cred.isEmpty())
        if (const auto info = m_snapshot->credentialById(cred))
            active = !info->isRevoked();
    m_copySecret->setEnabled(active);
    m_revoke->setEnabled(active);
}

void ApplicationsView::createApplication(const QString &name)
{
    m_service->createApplication(name);
    m_pendingSelection = name;
}

void ApplicationsView::deleteSelectedApplication()
{
    if (!selectedApplication().isEmpty())
        m_service->deleteApplication(selectedApplication());
}

void ApplicationsView::subscribeSelected(const QString &planName)
{
    if (!m_api || selectedApplication().isEmpty())
        return;
    const std::optional<Plan> plan = PlanCatalog::find(planName, m_api->gatehouse.plans);
    if (!plan) {
        showStatus(tr("No plan named %1").arg(planName), true);
        return;
    }
    m_service->subscribe(selectedApplication(), m_api->title, m_api->version, *plan);
}

void ApplicationsView::setSelectedSubscriptionBlocked(bool blocked)
{
    const int row = selectedSubscriptionRow();
    if (row < 0)
        return;
    const QStringList key = m_subscriptionsModel->item(row, 0)->data(IdRole).toStringList();
    m_service->setBlocked(selectedApplication(), key.value(0), key.value(1), blocked);
}

void ApplicationsView::issueForSelected(CredentialType type, const QStringList &scopes)
{
    if (selectedApplication().isEmpty())
        return;
    IssueRequest request;
    request.applicationName = selectedApplication();
    request.type = type;
    request.scopes = scopes;
    if (type == CredentialType::Jwt && m_api) { // a JWT names its audience
        request.apiTitle = m_api->title;
        request.apiVersion = m_api->version;
    }
    showStatus(tr("Issuing\u2026"));
    m_service->issue(request);
}

void ApplicationsView::revokeSelectedCredential()
{
    const QString id = selectedCredentialId();
    if (!id.isEmpty())
        m_service->revoke(id);
}

void ApplicationsView::copySelectedSecret()
{
    const QString id = selectedCredentialId();
    if (id.isEmpty())
        return;
    m_pendingCopy = id;
    m_service->readSecret(id);
}

void ApplicationsView::handleFinished(const QString &action, const QString &error,
                                      const QString &note)
{
    if (!error.isEmpty()) {
        showStatus(tr("Cannot %1: %2").arg(action, error), true);
        return;
    }
    showStatus(note.isEmpty() ? tr("Done: %1.").arg(action) : note, !note.isEmpty());
    if (!m_pendingSelection.isEmpty() && action == u"create application") {
        // the snapshot with it may come a moment later
        const QString name = std::exchange(m_pendingSelection, {});
        QMetaObject::invokeMethod(
            this, [this, name] { selectApplication(name); }, Qt::QueuedConnection);
    }
}

void ApplicationsView::handleIssued(const IssuedCredential &credential, const QString &error)
{
    if (!error.isEmpty()) {
        showStatus(tr("Cannot issue: %1").arg(error), true);
        Q_EMIT keychainCheckRequested(); // the banner says when the keychain is the cause
        return;
    }
    showStatus(tr("Issued %1 %2; its secret is kept in the keychain.")
                   .arg(credentialTypeName(credential.info.type), credential.info.id));
    Q_EMIT secretIssued(credential.info.id, credential.secret);
    if (m_showIssuedDialog)
        showIssuedDialog(credential.info.id, credential.secret);
}

void ApplicationsView::showIssuedDialog(const QString &id, const QString &secret)
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("New Credential %1").arg(id));
    auto *text = new QLabel(tr("Copy the secret now: this is the only time it is shown. (Copy "
                               "Secret reads it from the keychain later.)"));
    text->setWordWrap(true);
    auto *field = new QLineEdit(secret);
    field->setReadOnly(true);
    field->setAccessibleName(tr("Secret"));
    field->setMinimumWidth(480);
    auto *copy = new QPushButton(tr("&Copy"));
    connect(copy, &QPushButton::clicked, &dialog,
            [secret] { QGuiApplication::clipboard()->setText(secret); });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *row = new QHBoxLayout;
    row->addWidget(field, 1);
    row->addWidget(copy);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(text);
    layout->addLayout(row);
    layout->addWidget(buttons);
    dialog.exec();
}

} // namespace Gatehouse
