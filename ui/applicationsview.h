// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "credentials/credentialissuer.h"
#include "credentials/credentialsnapshot.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QStandardItemModel;
class QTreeView;

namespace Gatehouse {

namespace Credentials {
class CredentialService;
}

// The Applications & Keys tab: what `gatehouse-cli apps`, `subscribe` and `keys` do,
// on the registry the command line uses. Applications on the left; the selected one's
// subscriptions (subscribe to the open API with one of its plans, block, unblock,
// unsubscribe) and credentials (issue a token, API key or JWT, copy its secret from
// the keychain, revoke) on the right. A new secret is shown once, in a dialog;
// afterwards it is never displayed, only copied.
class ApplicationsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApplicationsView)

public:
    explicit ApplicationsView(Credentials::CredentialService *service, QWidget *parent = nullptr);

    // The API that Subscribe and Issue refer to (the open document's).
    void setApi(std::shared_ptr<const Api> api);

    QTreeView *applicationsTable() const { return m_applications; }
    QTreeView *subscriptionsTable() const { return m_subscriptions; }
    QTreeView *credentialsTable() const { return m_credentials; }
    QStandardItemModel *applicationsModel() const { return m_applicationsModel; }
    QStandardItemModel *subscriptionsModel() const { return m_subscriptionsModel; }
    QStandardItemModel *credentialsModel() const { return m_credentialsModel; }
    QString selectedApplication() const; // name
    void selectApplication(const QString &name);
    QString statusText() const;
    // Says above the tables that the keychain cannot be reached (empty: it can).
    void setKeychainProblem(const QString &problem);
    QString keychainProblem() const { return m_keychainProblemText; }

    // The actions behind the buttons, without their dialogs (also for tests).
    void createApplication(const QString &name);
    void deleteSelectedApplication();
    void subscribeSelected(const QString &planName);
    void setSelectedSubscriptionBlocked(bool blocked);
    void issueForSelected(Credentials::CredentialType type, const QStringList &scopes = {});
    void revokeSelectedCredential();
    void copySelectedSecret();

Q_SIGNALS:
    // A credential was issued: its secret, to show once.
    void secretIssued(const QString &credentialId, const QString &secret);
    // The user asked to try the keychain again.
    void keychainCheckRequested();

private:
    void handleSnapshot(std::shared_ptr<const Credentials::CredentialSnapshot> snapshot);
    void handleFinished(const QString &action, const QString &error, const QString &note);
    void handleIssued(const Credentials::IssuedCredential &credential, const QString &error);
    void showSelected();
    void updateButtons();
    void showStatus(const QString &text, bool error = false);
    QString selectedCredentialId() const;
    int selectedSubscriptionRow() const;
    void showIssuedDialog(const QString &id, const QString &secret);

    Credentials::CredentialService *m_service;
    std::shared_ptr<const Api> m_api;
    std::shared_ptr<const Credentials::CredentialSnapshot> m_snapshot;
    QStandardItemModel *m_applicationsModel;
    QStandardItemModel *m_subscriptionsModel;
    QStandardItemModel *m_credentialsModel;
    QTreeView *m_applications;
    QTreeView *m_subscriptions;
    QTreeView *m_credentials;
    QPushButton *m_newApp;
    QPushButton *m_deleteApp;
    QPushButton *m_subscribe;
    QPushButton *m_block;
    QPushButton *m_unsubscribe;
    QPushButton *m_issue;
    QPushButton *m_copySecret;
    QPushButton *m_revoke;
    QLabel *m_status;
    QLabel *m_keychainProblem;
    QString m_keychainProblemText;
    bool m_showIssuedDialog = true;
    QString m_pendingSelection; // a new application, selected once it is there
    QString m_pendingCopy; // the credential whose secret goes to the clipboard

public:
    // Tests turn the once-only secret dialog off (secretIssued() still tells).
    void setShowIssuedDialog(bool show) { m_showIssuedDialog = show; }
};

} // namespace Gatehouse
