// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/credentialregistry.h"

#include <QHash>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QVariantList>

#include <memory>
#include <mutex>

namespace Gatehouse::Credentials {

class SecretStore;

// CredentialRegistry kept in the SQLite database `gatehouse.db` (QtSql QSQLITE).
// The schema carries its version in PRAGMA user_version and is migrated on open,
// each migration in one transaction. Only SHA-256 hashes of secrets are stored.
// A file that is not a Gatehouse database (corrupt, foreign, or from a newer
// Gatehouse) is reported by open() and never written to.
class SqliteCredentialRegistry final : public CredentialRegistry
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SqliteCredentialRegistry)

public:
    static constexpr int SchemaVersion = 3;
    // PRAGMA application_id of Gatehouse registry files: "GHRG".
    static constexpr qint64 ApplicationId = 0x47485247;

    explicit SqliteCredentialRegistry(QObject *parent = nullptr);
    ~SqliteCredentialRegistry() override;

    // <AppDataLocation>/gatehouse.db
    static QString defaultDatabasePath();

    // Opens (creating when missing, with its folder) and migrates the database.
    // false with a one-line error naming the file otherwise.
    bool open(const QString &path, QString *error);
    bool isOpen() const;
    QString path() const { return m_path; }
    int schemaVersion() const; // of the open file

    // Polls the database every intervalMs for commits made by other processes
    // (e.g. `gatehouse-cli keys revoke` while the gateway runs) and reloads, emitting
    // the same signals as a local change.
    void startWatching(int intervalMs = 500);
    void stopWatching();

    // Writes pending "last used" times now (also done by a timer and on destruction).
    void flushUsage();

    // Where the JWT signing key comes from: GATEHOUSE_SIGNING_KEY when set, else
    // `store` (read asynchronously now, and again whenever a JWT credential appears
    // while no key is loaded, e.g. the first JWT issued by another process created
    // the key after this registry started). Never creates a key. nullptr: none.
    void setSigningKeySource(SecretStore *store);

    std::shared_ptr<const CredentialSnapshot> snapshot() const override;
    void markUsed(const QString &credentialId, qint64 nowMs) const override;
    void setSigningKey(const QByteArray &key) override;

    std::optional<Application> createApplication(const QString &name, const QString &description,
                                                 QString *error) override;
    bool deleteApplication(const QString &name, QString *error) override;
    std::optional<Subscription> subscribe(const QString &applicationName, const QString &apiTitle,
                                          const QString &apiVersion, const Plan &plan,
                                          QString *error) override;
    bool setSubscriptionBlocked(const QString &applicationName, const QString &apiTitle,
                                const QString &apiVersion, bool blocked, QString *error) override;
    bool unsubscribe(const QString &applicationName, const QString &apiTitle,
                     const QString &apiVersion, QString *error) override;
    bool addCredential(const CredentialInfo &info, QString *error) override;
    bool revokeCredential(const QString &credentialId, QString *error) override;

private:
    bool migrate(QString *error);
    bool reload(QString *error);
    void reloadAndAnnounce();
    void loadSigningKeyFromSource();
    void handleWatchTimeout();
    void announceDifferences(const CredentialSnapshot &before, const CredentialSnapshot &after);
    QString fail(QString *error, const QString &message) const;
    // true when open; else false with "the registry is not open" in `error`.
    bool checkOpen(QString *error) const;
    // Runs `statement` (an UPDATE or DELETE of one subscription) with `values`, then
    // the application's id, API title and version bound to its last placeholders.
    bool changeSubscription(const QString &statement, const QVariantList &values,
                            const QString &applicationName, const QString &apiTitle,
                            const QString &apiVersion, QString *error);

    QString m_path;
    QString m_connectionName;
    QByteArray m_signingKey;
    qint64 m_dataVersion = -1;
    QPointer<SecretStore> m_keySource;
    bool m_keyLoading = false;
    QTimer m_watchTimer;
    QTimer m_usageTimer;

    mutable std::mutex m_snapshotMutex;
    std::shared_ptr<const CredentialSnapshot> m_snapshot; // guarded by m_snapshotMutex

    mutable std::mutex m_usageMutex;
    mutable QHash<QString, qint64> m_pendingUsage; // guarded by m_usageMutex
};

} // namespace Gatehouse::Credentials
