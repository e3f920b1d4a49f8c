// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/sqlitecredentialregistry.h"

#include "storage/privatefile.h"

#include "credentials/environmentsecretstore.h"
#include "credentials/plancatalog.h"
#include "credentials/secretstore.h"
#include "credentials/tokengenerator.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

#include <atomic>

namespace Gatehouse::Credentials {

namespace {

std::atomic<quint64> s_connectionCounter {0};

// Each entry migrates from version (index) to (index + 1), in one transaction.
const QList<QStringList> &migrations()
{
    static const QList<QStringList> steps = {
        // 0 -> 1: applications, subscriptions (with the plan they were given), credentials.
        {
            QStringLiteral("CREATE TABLE applications ("
                           " id TEXT PRIMARY KEY,"
                           " name TEXT NOT NULL UNIQUE,"
                           " description TEXT NOT NULL DEFAULT '',"
                           " created_at INTEGER NOT NULL)"),
            QStringLiteral(
                "CREATE TABLE subscriptions ("
                " id TEXT PRIMARY KEY,"
                " application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
                " api_title TEXT NOT NULL,"
                " api_version TEXT NOT NULL,"
                " plan_name TEXT NOT NULL,"
                " plan_description TEXT NOT NULL DEFAULT '',"
                " plan_events INTEGER NOT NULL DEFAULT 0,"
                " plan_unit TEXT NOT NULL DEFAULT 'day',"
                " plan_max_connections INTEGER NOT NULL DEFAULT 0,"
                " blocked INTEGER NOT NULL DEFAULT 0,"
                " created_at INTEGER NOT NULL,"
                " UNIQUE (application_id, api_title, api_version))"),
            QStringLiteral(
                "CREATE TABLE credentials ("
                " id TEXT PRIMARY KEY,"
                " application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
                " type TEXT NOT NULL,"
                " secret_hash TEXT NOT NULL UNIQUE,"
                " scopes TEXT NOT NULL DEFAULT '',"
                " api_title TEXT NOT NULL DEFAULT '',"
                " api_version TEXT NOT NULL DEFAULT '',"
                " created_at INTEGER NOT NULL,"
                " expires_at INTEGER NOT NULL DEFAULT 0,"
                " revoked_at INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral(
                "CREATE INDEX credentials_by_application ON credentials(application_id)"),
        },
        // 1 -> 2: when each credential was last used (shown by `keys list`).
        {
            QStringLiteral(
                "ALTER TABLE credentials ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0"),
        },
        // 2 -> 3: where each secret was kept, so that revoking removes it there.
        {
            QStringLiteral(
                "ALTER TABLE credentials ADD COLUMN secret_store TEXT NOT NULL DEFAULT ''"),
        },
    };
    return steps;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// QSQLITE binds a null QString as NULL; the schema wants '' for "none".
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

QString sqlError(const QSqlQuery &query)
{
    const QString text = query.lastError().databaseText();
    return text.isEmpty() ? query.lastError().text() : text;
}

} // namespace

SqliteCredentialRegistry::SqliteCredentialRegistry(QObject *parent)
    : CredentialRegistry(parent)
    , m_snapshot(std::make_shared<const CredentialSnapshot>())
{
    m_watchTimer.setParent(this);
    m_usageTimer.setParent(this);
    connect(&m_watchTimer, &QTimer::timeout, this, &SqliteCredentialRegistry::handleWatchTimeout);
    m_usageTimer.setInterval(5000);
    connect(&m_usageTimer, &QTimer::timeout, this, &SqliteCredentialRegistry::flushUsage);
}

SqliteCredentialRegistry::~SqliteCredentialRegistry()
{
    if (isOpen())
        flushUsage();
    if (!m_connectionName.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            if (db.isOpen())
                db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QString SqliteCredentialRegistry::defaultDatabasePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("gatehouse.db"));
}

QString SqliteCredentialRegistry::fail(QString *error, const QString &message) const
{
    if (error)
        *error = message;
    return message;
}

bool SqliteCredentialRegistry::isOpen() const
{
    return !m_connectionName.isEmpty() && QSqlDatabase::database(m_connectionName, false).isOpen();
}

bool SqliteCredentialRegistry::checkOpen(QString *error) const
{
    if (isOpen())
        return true;
    fail(error, QStringLiteral("the registry is not open"));
    return false;
}

bool SqliteCredentialRegistry::open(const QString &path, QString *error)
{
    if (isOpen()) {
        fail(error, QStringLiteral("%1: the registry is already open").arg(m_path));
        return false;
    }
    const QFileInfo info(path);
    if (info.exists() && !info.isFile()) {
        fail(error, QStringLiteral("%1: not a database file").arg(path));
        return false;
    }
    if (!info.exists() && !QDir().mkpath(info.absolutePath())) {
        fail(error, QStringLiteral("%1: cannot create folder %2").arg(path, info.absolutePath()));
        return false;
    }

    m_path = info.absoluteFilePath();
    if (QString why; !PrivateFile::prepare(m_path, &why, true)) { // who may connect: 0600
        fail(error, why);
        return false;
    }
    m_connectionName = QStringLiteral("gatehouse-credentials-%1").arg(++s_connectionCounter);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        fail(error,
             QStringLiteral("%1: cannot open database: %2").arg(m_path, db.lastError().text()));
        db = {};
        QSqlDatabase::removeDatabase(m_connectionName);
        m_connectionName.clear();
        return false;
    }

    auto closeWith = [&](const QString &message) {
        fail(error, message);
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(m_connectionName);
        m_connectionName.clear();
        return false;
    };

    // Read-only checks first: nothing is written to a file we do not understand.
    QSqlQuery check(db);
    if (!check.exec(QStringLiteral("PRAGMA quick_check")) || !check.next()
        || check.value(0).toString() != QLatin1String("ok")) {
        const QString why
            = check.lastError().isValid() ? sqlError(check) : check.value(0).toString();
        return closeWith(
            QStringLiteral("%1: not a usable Gatehouse database (%2); the file was "
                           "left untouched")
                .arg(m_path, why.isEmpty() ? QStringLiteral("integrity check failed") : why));
    }
    check.finish();
    if (!check.exec(QStringLiteral("PRAGMA user_version")) || !check.next())
        return closeWith(
            QStringLiteral("%1: cannot read the schema version: %2").arg(m_path, sqlError(check)));
    const int version = check.value(0).toInt();
    check.finish();
    if (version > SchemaVersion)
        return closeWith(QStringLiteral("%1: schema version %2 is newer than this Gatehouse "
                                        "understands (%3); the file was left untouched")
                             .arg(m_path)
                             .arg(version)
                             .arg(SchemaVersion));

    // Another program's SQLite database is not ours to add tables to: it says so in
    // its application_id, or holds tables without being marked as ours.
    if (!check.exec(QStringLiteral("PRAGMA application_id")) || !check.next())
        return closeWith(
            QStringLiteral("%1: cannot read the application id: %2").arg(m_path, sqlError(check)));
    const qint64 applicationId = check.value(0).toLongLong();
    check.finish();
    QStringList tables;
    if (check.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
        while (check.next())
            tables.append(check.value(0).toString());
    check.finish();
    const bool looksOurs = tables.contains(QLatin1String("applications"))
        && tables.contains(QLatin1String("credentials"));
    if ((applicationId != 0 && applicationId != ApplicationId)
        || (applicationId == 0 && !tables.isEmpty() && !looksOurs))
        return closeWith(QStringLiteral("%1: not a Gatehouse database (it belongs to another "
                                        "program); the file was left untouched")
                             .arg(m_path));

    QSqlQuery setup(db);
    setup.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
    setup.exec(QStringLiteral("PRAGMA journal_mode = WAL"));
    setup.finish();

    QString why;
    if (!migrate(&why))
        return closeWith(QStringLiteral("%1: %2").arg(m_path, why));
    if (applicationId == 0) // new, or written before Gatehouse marked its files
        setup.exec(QStringLiteral("PRAGMA application_id = %1").arg(ApplicationId));
    if (!reload(&why))
        return closeWith(QStringLiteral("%1: %2").arg(m_path, why));
    m_usageTimer.start();
    return true;
}

int SqliteCredentialRegistry::schemaVersion() const
{
    if (!isOpen())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

bool SqliteCredentialRegistry::migrate(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    const auto &steps = migrations();
    {
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next()
            && q.value(0).toInt() >= SchemaVersion)
            return true;
    }
    for (;;) {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
            fail(error, QStringLiteral("cannot start a transaction: %1").arg(sqlError(q)));
            return false;
        }
        // Read the version inside the transaction: another process may have migrated.
        if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
            fail(error, QStringLiteral("cannot read the schema version: %1").arg(sqlError(q)));
            q.exec(QStringLiteral("ROLLBACK"));
            return false;
        }
        const int version = q.value(0).toInt();
        q.finish();
        if (version >= SchemaVersion) {
            q.exec(QStringLiteral("COMMIT"));
            return true;
        }
        for (const QString &statement : steps.at(version)) {
            if (!q.exec(statement)) {
                fail(error,
                     QStringLiteral("migration to schema version %1 failed: %2")
                         .arg(version + 1)
                         .arg(sqlError(q)));
                q.exec(QStringLiteral("ROLLBACK"));
                return false;
            }
        }
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version + 1))
            || !q.exec(QStringLiteral("COMMIT"))) {
            fail(error,
                 QStringLiteral("migration to schema version %1 failed: %2")
                     .arg(version + 1)
                     .arg(sqlError(q)));
            q.exec(QStringLiteral("ROLLBACK"));
            return false;
        }
    }
}

bool SqliteCredentialRegistry::reload(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);

    QList<Application> applications;
    if (!q.exec(QStringLiteral(
            "SELECT id, name, description, created_at FROM applications ORDER BY name"))) {
        fail(error, QStringLiteral("cannot read applications: %1").arg(sqlError(q)));
        return false;
    }
    while (q.next())
        applications.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                             q.value(3).toLongLong()});

    QList<Subscription> subscriptions;
    if (!q.exec(QStringLiteral(
            "SELECT id, application_id, api_title, api_version, plan_name, "
            "plan_description, plan_events, plan_unit, plan_max_connections, "
            "blocked, created_at FROM subscriptions ORDER BY api_title, api_version"))) {
        fail(error, QStringLiteral("cannot read subscriptions: %1").arg(sqlError(q)));
        return false;
    }
    while (q.next()) {
        Subscription s;
        s.id = q.value(0).toString();
        s.applicationId = q.value(1).toString();
        s.apiTitle = q.value(2).toString();
        s.apiVersion = q.value(3).toString();
        s.plan.name = q.value(4).toString();
        s.plan.description = q.value(5).toString();
        s.plan.events = quint64(qMax<qint64>(0, q.value(6).toLongLong()));
        s.plan.unit = PlanCatalog::unitFromName(q.value(7).toString()).value_or(Plan::Unit::Day);
        s.plan.maxConnections = q.value(8).toInt();
        s.blocked = q.value(9).toInt() != 0;
        s.createdMs = q.value(10).toLongLong();
        subscriptions.append(s);
    }

    QList<CredentialInfo> credentials;
    if (!q.exec(QStringLiteral("SELECT id, application_id, type, secret_hash, scopes, api_title, "
                               "api_version, created_at, expires_at, revoked_at, last_used_at, "
                               "secret_store FROM credentials ORDER BY created_at, id"))) {
        fail(error, QStringLiteral("cannot read credentials: %1").arg(sqlError(q)));
        return false;
    }
    while (q.next()) {
        CredentialInfo c;
        c.id = q.value(0).toString();
        c.applicationId = q.value(1).toString();
        if (!credentialTypeFromName(q.value(2).toString(), &c.type))
            continue; // a type this version does not know: never accept it
        c.secretHash = q.value(3).toString();
        c.scopes = q.value(4).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        c.apiTitle = q.value(5).toString();
        c.apiVersion = q.value(6).toString();
        c.createdMs = q.value(7).toLongLong();
        c.expiresMs = q.value(8).toLongLong();
        c.revokedMs = q.value(9).toLongLong();
        c.lastUsedMs = q.value(10).toLongLong();
        c.secretStore = q.value(11).toString();
        credentials.append(c);
    }

    {
        std::lock_guard lock(m_usageMutex);
        for (CredentialInfo &c : credentials) {
            const auto pending = m_pendingUsage.constFind(c.id);
            if (pending != m_pendingUsage.constEnd())
                c.lastUsedMs = qMax(c.lastUsedMs, pending.value());
        }
    }

    auto next = std::make_shared<const CredentialSnapshot>(
        std::move(applications), std::move(subscriptions), std::move(credentials), m_signingKey);
    {
        std::lock_guard lock(m_snapshotMutex);
        m_snapshot = std::move(next);
    }
    if (q.exec(QStringLiteral("PRAGMA data_version")) && q.next())
        m_dataVersion = q.value(0).toLongLong();
    return true;
}

void SqliteCredentialRegistry::reloadAndAnnounce()
{
    const auto before = snapshot();
    QString error;
    if (!reload(&error)) {
        qWarning("gatehouse: %s: %s", qPrintable(m_path), qPrintable(error));
        return;
    }
    const auto after = snapshot();
    announceDifferences(*before, *after);
    if (m_signingKey.isEmpty() && m_keySource) {
        for (const CredentialInfo &c : after->credentials()) {
            if (c.type == CredentialType::Jwt && !before->credentialById(c.id)) {
                loadSigningKeyFromSource();
                break;
            }
        }
    }
}

void SqliteCredentialRegistry::setSigningKeySource(SecretStore *store)
{
    m_keySource = store;
    loadSigningKeyFromSource();
}

void SqliteCredentialRegistry::loadSigningKeyFromSource()
{
    const QByteArray fromEnvironment = qgetenv("GATEHOUSE_SIGNING_KEY");
    if (!fromEnvironment.isEmpty()) {
        QString error;
        const QByteArray key = EnvironmentSecretStore::decodeSigningKey(fromEnvironment, &error);
        if (key.isEmpty())
            qWarning("gatehouse: %s", qPrintable(error));
        else
            setSigningKey(key);
        return;
    }
    if (!m_keySource || m_keyLoading)
        return;
    m_keyLoading = true;
    m_keySource->read(SecretStore::signingKeyName(), this, [this](const SecretStore::Result &r) {
        m_keyLoading = false;
        if (r.ok() && r.data.size() >= 32)
            setSigningKey(r.data);
    });
}

void SqliteCredentialRegistry::announceDifferences(const CredentialSnapshot &before,
                                                   const CredentialSnapshot &after)
{
    for (const CredentialInfo &c : before.credentials()) {
        if (c.isRevoked())
            continue;
        const auto now = after.credentialById(c.id);
        if (!now || now->isRevoked())
            Q_EMIT credentialRevoked(c.id);
    }
    for (const Subscription &s : before.subscriptions()) {
        const auto now = after.subscription(s.applicationId, s.apiTitle, s.apiVersion);
        if (!now)
            Q_EMIT subscriptionRemoved(s.applicationId, s.apiTitle, s.apiVersion);
        else if (now->blocked && !s.blocked)
            Q_EMIT subscriptionBlocked(s.applicationId, s.apiTitle, s.apiVersion);
    }
    for (const Application &a : before.applications())
        if (!after.applicationById(a.id))
            Q_EMIT applicationDeleted(a.id);
    Q_EMIT snapshotChanged();
}

void SqliteCredentialRegistry::startWatching(int intervalMs)
{
    m_watchTimer.start(qMax(50, intervalMs));
}

void SqliteCredentialRegistry::stopWatching()
{
    m_watchTimer.stop();
}

void SqliteCredentialRegistry::handleWatchTimeout()
{
    if (!isOpen())
        return;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next())
        return;
    const qint64 version = q.value(0).toLongLong();
    q.finish();
    if (version != m_dataVersion)
        reloadAndAnnounce();
}

std::shared_ptr<const CredentialSnapshot> SqliteCredentialRegistry::snapshot() const
{
    std::lock_guard lock(m_snapshotMutex);
    return m_snapshot;
}

void SqliteCredentialRegistry::markUsed(const QString &credentialId, qint64 nowMs) const
{
    std::lock_guard lock(m_usageMutex);
    qint64 &last = m_pendingUsage[credentialId];
    last = qMax(last, nowMs);
}

void SqliteCredentialRegistry::flushUsage()
{
    QHash<QString, qint64> pending;
    {
        std::lock_guard lock(m_usageMutex);
        pending.swap(m_pendingUsage);
    }
    if (pending.isEmpty() || !isOpen())
        return;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        std::lock_guard lock(m_usageMutex);
        for (auto it = pending.cbegin(); it != pending.cend(); ++it)
            m_pendingUsage.insert(it.key(), qMax(m_pendingUsage.value(it.key()), it.value()));
        return;
    }
    q.prepare(
        QStringLiteral("UPDATE credentials SET last_used_at = MAX(last_used_at, ?) WHERE id = ?"));
    for (auto it = pending.cbegin(); it != pending.cend(); ++it) {
        q.addBindValue(it.value());
        q.addBindValue(text(it.key()));
        q.exec();
    }
    QSqlQuery(db).exec(QStringLiteral("COMMIT"));
}

void SqliteCredentialRegistry::setSigningKey(const QByteArray &key)
{
    if (key == m_signingKey)
        return;
    m_signingKey = key;
    const auto current = snapshot();
    auto next = std::make_shared<const CredentialSnapshot>(
        current->applications(), current->subscriptions(), current->credentials(), key);
    {
        std::lock_guard lock(m_snapshotMutex);
        m_snapshot = std::move(next);
    }
    Q_EMIT snapshotChanged();
}

namespace {

// One write transaction: BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
class WriteTransaction
{
public:
    explicit WriteTransaction(const QSqlDatabase &db)
        : m_db(db)
    {
        QSqlQuery q(m_db);
        m_started = q.exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!m_started)
            m_error = sqlError(q);
    }
    ~WriteTransaction()
    {
        if (m_started && !m_committed)
            QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
    }
    bool started() const { return m_started; }
    QString error() const { return m_error; }
    bool commit()
    {
        QSqlQuery q(m_db);
        m_committed = q.exec(QStringLiteral("COMMIT"));
        if (!m_committed)
            m_error = sqlError(q);
        return m_committed;
    }

private:
    QSqlDatabase m_db;
    bool m_started = false;
    bool m_committed = false;
    QString m_error;
};

// Prepares `sql` on `q`, binds `values` to its placeholders in order and runs it.
bool run(QSqlQuery &q, const QString &sql, const QVariantList &values)
{
    q.prepare(sql);
    for (const QVariant &value : values)
        q.addBindValue(value);
    return q.exec();
}

// Why a write failed: the statement's error, else the transaction's.
QString writeError(const QSqlQuery &q, const WriteTransaction &tx)
{
    return q.lastError().isValid() ? sqlError(q) : tx.error();
}

QString validateName(const QString &what, const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("%1 must not be empty").arg(what);
    if (name != name.trimmed())
        return QStringLiteral("%1 '%2' must not start or end with spaces").arg(what, name);
    if (name.size() > 200)
        return QStringLiteral("%1 is longer than 200 characters").arg(what);
    for (QChar c : name)
        if (c.category() == QChar::Other_Control)
            return QStringLiteral("%1 contains a control character").arg(what);
    return {};
}

} // namespace

std::optional<Application> SqliteCredentialRegistry::createApplication(const QString &name,
                                                                       const QString &description,
                                                                       QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    if (const QString why = validateName(QStringLiteral("application name"), name);
        !why.isEmpty()) {
        fail(error, why);
        return std::nullopt;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    WriteTransaction tx(db);
    if (!tx.started()) {
        fail(error, QStringLiteral("%1: %2").arg(m_path, tx.error()));
        return std::nullopt;
    }
    QSqlQuery q(db);
    if (run(q, QStringLiteral("SELECT 1 FROM applications WHERE name = ?"), {text(name)})
        && q.next()) {
        fail(error, QStringLiteral("application '%1' already exists").arg(name));
        return std::nullopt;
    }
    Application app {TokenGenerator::newApplicationId(), name, description, nowMs()};
    if (!run(q,
             QStringLiteral("INSERT INTO applications (id, name, description, created_at) "
                            "VALUES (?, ?, ?, ?)"),
             {text(app.id), text(app.name), text(app.description), app.createdMs})
        || !tx.commit()) {
        fail(error,
             QStringLiteral("%1: cannot create application '%2': %3")
                 .arg(m_path, name, writeError(q, tx)));
        return std::nullopt;
    }
    reloadAndAnnounce();
    return app;
}

bool SqliteCredentialRegistry::deleteApplication(const QString &name, QString *error)
{
    if (!checkOpen(error))
        return false;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    WriteTransaction tx(db);
    if (!tx.started()) {
        fail(error, QStringLiteral("%1: %2").arg(m_path, tx.error()));
        return false;
    }
    QSqlQuery q(db);
    if (!run(q, QStringLiteral("DELETE FROM applications WHERE name = ?"), {text(name)})) {
        fail(error,
             QStringLiteral("%1: cannot delete application '%2': %3")
                 .arg(m_path, name, sqlError(q)));
        return false;
    }
    if (q.numRowsAffected() != 1) {
        fail(error, QStringLiteral("no application named '%1'").arg(name));
        return false;
    }
    if (!tx.commit()) {
        fail(
            error,
            QStringLiteral("%1: cannot delete application '%2': %3").arg(m_path, name, tx.error()));
        return false;
    }
    reloadAndAnnounce();
    return true;
}

std::optional<Subscription> SqliteCredentialRegistry::subscribe(const QString &applicationName,
                                                                const QString &apiTitle,
                                                                const QString &apiVersion,
                                                                const Plan &plan, QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    for (const auto &[what, value] : {std::pair {QStringLiteral("API title"), apiTitle},
                                      std::pair {QStringLiteral("API version"), apiVersion},
                                      std::pair {QStringLiteral("plan name"), plan.name}}) {
        if (const QString why = validateName(what, value); !why.isEmpty()) {
            fail(error, why);
            return std::nullopt;
        }
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    WriteTransaction tx(db);
    if (!tx.started()) {
        fail(error, QStringLiteral("%1: %2").arg(m_path, tx.error()));
        return std::nullopt;
    }
    QSqlQuery q(db);
    if (!run(q, QStringLiteral("SELECT id FROM applications WHERE name = ?"),
             {text(applicationName)})
        || !q.next()) {
        fail(error, QStringLiteral("no application named '%1'").arg(applicationName));
        return std::nullopt;
    }
    Subscription sub;
    sub.applicationId = q.value(0).toString();
    sub.apiTitle = apiTitle;
    sub.apiVersion = apiVersion;
    sub.plan = plan;
    const bool exists = run(q,
                            QStringLiteral("SELECT id, blocked, created_at FROM subscriptions "
                                           "WHERE application_id = ? AND api_title = ? "
                                           "AND api_version = ?"),
                            {text(sub.applicationId), text(apiTitle), text(apiVersion)})
        && q.next();
    if (exists) {
        sub.id = q.value(0).toString();
        sub.blocked = q.value(1).toInt() != 0;
        sub.createdMs = q.value(2).toLongLong();
    } else {
        sub.id = TokenGenerator::newSubscriptionId();
        sub.createdMs = nowMs();
    }
    // The plan's columns, then the row's id; a new row also gets its other columns.
    QVariantList values {
        text(plan.name),
        text(plan.description),
        qint64(qMin<quint64>(plan.events, quint64(std::numeric_limits<qint64>::max()))),
        PlanCatalog::unitName(plan.unit),
        plan.maxConnections,
        text(sub.id),
    };
    if (!exists)
        values << text(sub.applicationId) << text(apiTitle) << text(apiVersion) << sub.createdMs;
    const QString statement = exists
        ? QStringLiteral("UPDATE subscriptions SET plan_name = ?, plan_description = ?, "
                         "plan_events = ?, plan_unit = ?, plan_max_connections = ? WHERE id = ?")
        : QStringLiteral("INSERT INTO subscriptions (plan_name, plan_description, plan_events, "
                         "plan_unit, plan_max_connections, id, application_id, api_title, "
                         "api_version, blocked, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)");
    if (!run(q, statement, values) || !tx.commit()) {
        fail(error,
             QStringLiteral("%1: cannot subscribe '%2': %3")
                 .arg(m_path, applicationName, writeError(q, tx)));
        return std::nullopt;
    }
    reloadAndAnnounce();
    return sub;
}

bool SqliteCredentialRegistry::setSubscriptionBlocked(const QString &applicationName,
                                                      const QString &apiTitle,
                                                      const QString &apiVersion, bool blocked,
                                                      QString *error)
{
    return changeSubscription(QStringLiteral("UPDATE subscriptions SET blocked = ? WHERE "
                                             "application_id = ? AND api_title = ? "
                                             "AND api_version = ?"),
                              {blocked ? 1 : 0}, applicationName, apiTitle, apiVersion, error);
}

bool SqliteCredentialRegistry::unsubscribe(const QString &applicationName, const QString &apiTitle,
                                           const QString &apiVersion, QString *error)
{
    return changeSubscription(QStringLiteral("DELETE FROM subscriptions WHERE application_id = ? "
                                             "AND api_title = ? AND api_version = ?"),
                              {}, applicationName, apiTitle, apiVersion, error);
}

bool SqliteCredentialRegistry::changeSubscription(const QString &statement,
                                                  const QVariantList &values,
                                                  const QString &applicationName,
                                                  const QString &apiTitle,
                                                  const QString &apiVersion, QString *error)
{
    if (!checkOpen(error))
        return false;
    const auto app = snapshot()->applicationByName(applicationName);
    if (!app) {
        fail(error, QStringLiteral("no application named '%1'").arg(applicationName));
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    WriteTransaction tx(db);
    QSqlQuery q(db);
    if (!tx.started()
        || !run(q, statement,
                QVariantList(values) << text(app->id) << text(apiTitle) << text(apiVersion))) {
        fail(error, QStringLiteral("%1: %2").arg(m_path, tx.started() ? sqlError(q) : tx.error()));
        return false;
    }
    if (q.numRowsAffected() != 1) {
        fail(error,
             QStringLiteral("application '%1' is not subscribed to API %2:%3")
                 .arg(applicationName, apiTitle, apiVersion));
        return false;
    }
    if (!tx.commit()) {
        fail(error, QStringLiteral("%1: %2").arg(m_path, tx.error()));
        return false;
    }
    reloadAndAnnounce();
    return true;
}

bool SqliteCredentialRegistry::addCredential(const CredentialInfo &info, QString *error)
{
    if (!checkOpen(error))
        return false;
    if (info.id.isEmpty() || info.applicationId.isEmpty() || info.secretHash.size() != 64) {
        fail(error, QStringLiteral("incomplete credential record"));
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    WriteTransaction tx(db);
    QSqlQuery q(db);
    if (!tx.started()
        || !run(q,
                QStringLiteral("INSERT INTO credentials (id, application_id, type, secret_hash, "
                               "scopes, api_title, api_version, created_at, expires_at, "
                               "revoked_at, last_used_at, secret_store) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)"),
                {text(info.id), text(info.applicationId), credentialTypeName(info.type),
                 text(info.secretHash), text(info.scopes.join(QLatin1Char(' '))),
                 text(info.apiTitle), text(info.apiVersion),
                 info.createdMs ? info.createdMs : nowMs(), info.expiresMs, text(info.secretStore)})
        || !tx.commit()) {
        const QString why = tx.started() ? writeError(q, tx) : tx.error();
        fail(error,
             QStringLiteral("%1: cannot record credential: %2")
                 .arg(m_path,
                      why.contains(QLatin1String("FOREIGN KEY"))
                          ? QStringLiteral("the application no longer exists")
                          : why));
        return false;
    }
    reloadAndAnnounce();
    return true;
}

bool SqliteCredentialRegistry::revokeCredential(const QString &credentialId, QString *error)
{
    if (!checkOpen(error))
        return false;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    WriteTransaction tx(db);
    if (!tx.started()) {
        fail(error, QStringLiteral("%1: %2").arg(m_path, tx.error()));
        return false;
    }
    QSqlQuery q(db);
    if (!run(q, QStringLiteral("SELECT revoked_at FROM credentials WHERE id = ?"),
             {text(credentialId)})
        || !q.next()) {
        fail(error, QStringLiteral("no credential with id '%1'").arg(credentialId));
        return false;
    }
    if (q.value(0).toLongLong() != 0) {
        fail(error, QStringLiteral("credential '%1' is already revoked").arg(credentialId));
        return false;
    }
    if (!run(q, QStringLiteral("UPDATE credentials SET revoked_at = ? WHERE id = ?"),
             {nowMs(), text(credentialId)})
        || !tx.commit()) {
        fail(error,
             QStringLiteral("%1: cannot revoke '%2': %3")
                 .arg(m_path, credentialId, writeError(q, tx)));
        return false;
    }
    reloadAndAnnounce();
    return true;
}

} // namespace Gatehouse::Credentials
