// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"
#include "credentials/credentialissuer.h"
#include "credentials/credentialsnapshot.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>

namespace Gatehouse::Credentials {

class SecretStore;
class SqliteCredentialRegistry;

// Applications, subscriptions and credentials for a caller that must never wait (the
// desktop app's GUI thread): the registry (SQLite), the secret store (the OS
// keychain) and the issuer live in a thread of their own. Every call returns at once
// and is answered by a signal; the registry's contents come as snapshots whenever
// they change, from this process or from `gatehouse-cli apps/keys` next to it.
class CredentialService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialService)

public:
    explicit CredentialService(QObject *parent = nullptr);
    ~CredentialService() override; // joins the thread

    // Opens the registry at `path` (empty: $GATEHOUSE_DB, else gatehouse.db in the
    // user's data folder, as gatehouse-cli chooses it) with `secrets` for the secrets
    // of issued credentials (nullptr: the OS keychain). opened() answers.
    void open(const QString &path = {}, std::shared_ptr<SecretStore> secrets = nullptr);

    void createApplication(const QString &name, const QString &description = {});
    void deleteApplication(const QString &name);
    void subscribe(const QString &applicationName, const QString &apiTitle,
                   const QString &apiVersion, const Plan &plan);
    void setBlocked(const QString &applicationName, const QString &apiTitle,
                    const QString &apiVersion, bool blocked);
    void unsubscribe(const QString &applicationName, const QString &apiTitle,
                     const QString &apiVersion);
    void issue(const IssueRequest &request); // issued() answers, with the secret
    void revoke(const QString &credentialId);
    void readSecret(const QString &credentialId); // secretRead() answers

    // The last snapshot received (empty before the first).
    std::shared_ptr<const CredentialSnapshot> snapshot() const { return m_snapshot; }
    QString path() const { return m_path; }

Q_SIGNALS:
    void opened(bool ok, const QString &error);
    void
    snapshotChanged(std::shared_ptr<const Gatehouse::Credentials::CredentialSnapshot> snapshot);
    // The end of a call that changes something: `error` empty when it worked; a
    // warning (e.g. a secret that could not be removed) comes in `note`.
    void finished(const QString &action, const QString &error, const QString &note);
    void issued(const Gatehouse::Credentials::IssuedCredential &credential, const QString &error);
    void secretRead(const QString &credentialId, const QString &secret, const QString &error);

private:
    struct Worker;
    template<typename F>
    void post(F &&f);
    void change(const QString &action,
                std::function<bool(SqliteCredentialRegistry &, QString *)> f);
    void deliverSnapshot(std::shared_ptr<const CredentialSnapshot> snapshot);

    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread; owns what lives there
    std::shared_ptr<Worker> m_worker;
    std::shared_ptr<const CredentialSnapshot> m_snapshot;
    QString m_path;
};

} // namespace Gatehouse::Credentials
