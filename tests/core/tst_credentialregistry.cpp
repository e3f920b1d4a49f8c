// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/credentialissuer.h"
#include "credentials/filesecretstore.h"
#include "credentials/jwt.h"
#include "credentials/plancatalog.h"
#include "credentials/sqlitecredentialregistry.h"
#include "credentials/tokengenerator.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace Gatehouse;
using namespace Gatehouse::Credentials;

namespace {

const QString chats = QStringLiteral("Chats");
const QString v1 = QStringLiteral("1.0.0");

Plan gold()
{
    return *PlanCatalog::find(QStringLiteral("AsyncGold"));
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// Issues a credential straight into the registry (what CredentialIssuer does after
// storing the secret) and returns the secret.
QString addCredential(SqliteCredentialRegistry &registry, const QString &appName,
                      CredentialType type, CredentialInfo *out = nullptr, qint64 expiresMs = 0,
                      const QString &apiTitle = {}, const QString &apiVersion = {})
{
    const auto app = registry.snapshot()->applicationByName(appName);
    if (!app)
        return {};
    CredentialInfo info;
    info.id = TokenGenerator::newCredentialId(type);
    info.applicationId = app->id;
    info.type = type;
    info.scopes = {QStringLiteral("chat")};
    info.apiTitle = apiTitle;
    info.apiVersion = apiVersion;
    info.expiresMs = expiresMs;
    const QString secret = TokenGenerator::newSecret(type);
    info.secretHash = TokenGenerator::hash(secret);
    QString error;
    if (!registry.addCredential(info, &error))
        return {};
    if (out)
        *out = info;
    return secret;
}

// The v1 schema exactly as Gatehouse 0.1 wrote it, with one row per table.
void writeVersion1(const QString &path)
{
    const QString name = QStringLiteral("v1-writer");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        const QStringList statements = {
            QStringLiteral(
                "CREATE TABLE applications (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                " description TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL)"),
            QStringLiteral(
                "CREATE TABLE subscriptions (id TEXT PRIMARY KEY, application_id TEXT NOT NULL"
                " REFERENCES applications(id) ON DELETE CASCADE, api_title TEXT NOT NULL,"
                " api_version TEXT NOT NULL, plan_name TEXT NOT NULL, plan_description TEXT"
                " NOT NULL DEFAULT '', plan_events INTEGER NOT NULL DEFAULT 0, plan_unit TEXT"
                " NOT NULL DEFAULT 'day', plan_max_connections INTEGER NOT NULL DEFAULT 0,"
                " blocked INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
                " UNIQUE (application_id, api_title, api_version))"),
            QStringLiteral(
                "CREATE TABLE credentials (id TEXT PRIMARY KEY, application_id TEXT NOT NULL"
                " REFERENCES applications(id) ON DELETE CASCADE, type TEXT NOT NULL,"
                " secret_hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL DEFAULT '',"
                " api_title TEXT NOT NULL DEFAULT '', api_version TEXT NOT NULL DEFAULT '',"
                " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL DEFAULT 0,"
                " revoked_at INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral(
                "CREATE INDEX credentials_by_application ON credentials(application_id)"),
            QStringLiteral(
                "INSERT INTO applications VALUES ('app_000000000001', 'legacy', 'old one', 1000)"),
            QStringLiteral(
                "INSERT INTO subscriptions VALUES ('sub_000000000001', 'app_000000000001', 'Chats',"
                " '1.0.0', 'AsyncBronze', '', 5000, 'day', 0, 0, 1000)"),
            QStringLiteral("INSERT INTO credentials VALUES ('at_000000000001', 'app_000000000001', "
                           "'token', '%1',"
                           " 'chat', '', '', 1000, 0, 0)")
                .arg(TokenGenerator::hash(QStringLiteral("gh_at_legacy-token"))),
            QStringLiteral("PRAGMA user_version = 1"),
        };
        for (const QString &s : statements)
            QVERIFY2(q.exec(s), qPrintable(s));
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

} // namespace

class TestCredentialRegistry final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void secretHashIsSha256Hex_data();
    void secretHashIsSha256Hex();
    void createsAndMigratesEmptyFile();
    void migratesVersion1();
    void corruptFileIsReportedAndUntouched_data();
    void corruptFileIsReportedAndUntouched();
    void newerSchemaIsRefused();
    void foreignDatabaseIsRefused_data();
    void foreignDatabaseIsRefused();
    void applicationsCrud();
    void subscriptions();
    void authenticateOutcomes();
    void authenticateJwt();
    void revocationSignals();
    void changesFromAnotherConnectionAreSeen();
    void lastUsedIsRecorded();
    void issuerKeepsSecretAndRecordInStep();
    void signingKeyFollowsTheFirstJwtOfAnotherProcess();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString path(const QString &name = QStringLiteral("gatehouse.db")) const
    {
        return m_dir->filePath(name);
    }
};

void TestCredentialRegistry::secretHashIsSha256Hex_data()
{
    // what the registry stores and looks secrets up by: SHA-256 of the UTF-8, in hex
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("hash");
    QTest::newRow("abc") << QStringLiteral("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("not ASCII") << QStringLiteral(
        "grüß-token") << "a56f50ccf0f7bac4b3f54c5566396530ca9a12dfa36bb050622248aa7708c2df";
    QTest::newRow("longer than 256")
        << QString(300, u'x') << "0d4e2ca9e9cbced7a7a5380eb29e1a3783b9b6d0db72de36a1051038e1c1fbc7";
}

void TestCredentialRegistry::secretHashIsSha256Hex()
{
    QFETCH(QString, secret);
    QFETCH(QString, hash);
    QCOMPARE(TokenGenerator::hash(secret), hash);
    QCOMPARE(TokenGenerator::hash(secret), hash); // the thread's hasher starts afresh
}

void TestCredentialRegistry::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCredentialRegistry::createsAndMigratesEmptyFile()
{
    SqliteCredentialRegistry registry;
    QString error;
    const QString file = m_dir->filePath(QStringLiteral("sub/dir/gatehouse.db"));
    QVERIFY2(registry.open(file, &error), qPrintable(error));
    QVERIFY(QFile::exists(file));
    QCOMPARE(registry.schemaVersion(), SqliteCredentialRegistry::SchemaVersion);
    QVERIFY(registry.snapshot()->applications().isEmpty());

    // A zero-byte file (e.g. touched by the user) is an empty database too.
    QFile empty(path(QStringLiteral("empty.db")));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    SqliteCredentialRegistry second;
    QVERIFY2(second.open(empty.fileName(), &error), qPrintable(error));
    QCOMPARE(second.schemaVersion(), SqliteCredentialRegistry::SchemaVersion);
}

void TestCredentialRegistry::migratesVersion1()
{
    writeVersion1(path());
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY2(registry.open(path(), &error), qPrintable(error));
    QCOMPARE(registry.schemaVersion(), SqliteCredentialRegistry::SchemaVersion);
    const auto snapshot = registry.snapshot();
    QCOMPARE(snapshot->applications().size(), 1);
    QCOMPARE(snapshot->applications().first().name, QStringLiteral("legacy"));
    QCOMPARE(snapshot->credentials().size(), 1);
    QCOMPARE(snapshot->credentials().first().lastUsedMs, qint64(0)); // the new v2 column
    // Data from v1 still authenticates.
    const AuthResult r = snapshot->authenticate(QStringLiteral("gh_at_legacy-token"), chats, v1,
                                                QDateTime::currentMSecsSinceEpoch());
    QVERIFY2(r.ok(), qPrintable(r.reason));
    QCOMPARE(r.plan.name, QStringLiteral("AsyncBronze"));
    // And the v2 column works.
    registry.markUsed(QStringLiteral("at_000000000001"), 123456);
    registry.flushUsage();
    SqliteCredentialRegistry reopened;
    QVERIFY(reopened.open(path(), &error));
    QCOMPARE(reopened.snapshot()->credentials().first().lastUsedMs, qint64(123456));
}

void TestCredentialRegistry::corruptFileIsReportedAndUntouched_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("text") << QByteArray("this is not a database\n");
    QByteArray garbage(8192, '\0');
    for (int i = 0; i < garbage.size(); ++i)
        garbage[i] = char((i * 131 + 7) % 251);
    QTest::newRow("binary") << garbage;
    // A real SQLite header followed by garbage pages.
    QByteArray header("SQLite format 3");
    header.append('\0');
    header.append(garbage);
    QTest::newRow("damaged sqlite") << header;
}

void TestCredentialRegistry::corruptFileIsReportedAndUntouched()
{
    QFETCH(QByteArray, content);
    QFile file(path());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    const QByteArray before = fileHash(path());

    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(!registry.open(path(), &error));
    QVERIFY2(error.startsWith(path()), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("left untouched")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(!registry.isOpen());
    QCOMPARE(fileHash(path()), before);
    QVERIFY(!QFile::exists(path() + QStringLiteral("-wal")));
}

void TestCredentialRegistry::newerSchemaIsRefused()
{
    {
        SqliteCredentialRegistry registry;
        QString error;
        QVERIFY(registry.open(path(), &error));
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
        db.setDatabaseName(path());
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 99")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bump"));
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(!registry.open(path(), &error));
    QVERIFY2(error.contains(QLatin1String("99")) && error.contains(QLatin1String("newer")),
             qPrintable(error));
}

void TestCredentialRegistry::foreignDatabaseIsRefused_data()
{
    QTest::addColumn<QString>("statement");
    QTest::newRow("other tables") << QStringLiteral("CREATE TABLE notes (id INTEGER, body TEXT)");
    QTest::newRow("other application id") << QStringLiteral("PRAGMA application_id = 1234");
}

void TestCredentialRegistry::foreignDatabaseIsRefused()
{
    QFETCH(QString, statement);
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("foreign"));
        db.setDatabaseName(path());
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec(statement));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("foreign"));
    const QByteArray before = fileHash(path());
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(!registry.open(path(), &error));
    QVERIFY2(error.contains(QLatin1String("not a Gatehouse database")), qPrintable(error));
    QCOMPARE(fileHash(path()), before);

    // Our own files carry the application id.
    SqliteCredentialRegistry ours;
    QVERIFY(ours.open(path(QStringLiteral("ours.db")), &error));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path(QStringLiteral("ours.db")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA application_id")) && q.next());
        QCOMPARE(q.value(0).toLongLong(), SqliteCredentialRegistry::ApplicationId);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
}

void TestCredentialRegistry::applicationsCrud()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QSignalSpy changed(&registry, &CredentialRegistry::snapshotChanged);

    const auto app = registry.createApplication(QStringLiteral("chatapp"),
                                                QStringLiteral("Chat client"), &error);
    QVERIFY2(app, qPrintable(error));
    QVERIFY(app->id.startsWith(QLatin1String("app_")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(registry.snapshot()->applicationByName(QStringLiteral("chatapp"))->description,
             QStringLiteral("Chat client"));

    QVERIFY(!registry.createApplication(QStringLiteral("chatapp"), {}, &error));
    QCOMPARE(error, QStringLiteral("application 'chatapp' already exists"));
    QVERIFY(!registry.createApplication(QStringLiteral("  "), {}, &error));
    QVERIFY(!registry.createApplication(QStringLiteral("a\nb"), {}, &error));
    QCOMPARE(registry.snapshot()->applications().size(), 1);
    QCOMPARE(changed.count(), 1); // failures change nothing

    QVERIFY(registry.createApplication(QStringLiteral("other"), {}, &error));
    QVERIFY(!registry.deleteApplication(QStringLiteral("nope"), &error));
    QCOMPARE(error, QStringLiteral("no application named 'nope'"));
    QVERIFY(registry.deleteApplication(QStringLiteral("chatapp"), &error));
    QCOMPARE(registry.snapshot()->applications().size(), 1);

    // Persisted.
    SqliteCredentialRegistry reopened;
    QVERIFY(reopened.open(path(), &error));
    QCOMPARE(reopened.snapshot()->applications().size(), 1);
    QCOMPARE(reopened.snapshot()->applications().first().name, QStringLiteral("other"));
}

void TestCredentialRegistry::subscriptions()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.createApplication(QStringLiteral("chatapp"), {}, &error));

    QVERIFY(!registry.subscribe(QStringLiteral("ghost"), chats, v1, gold(), &error));
    QCOMPARE(error, QStringLiteral("no application named 'ghost'"));
    QVERIFY(!registry.subscribe(QStringLiteral("chatapp"), QString(), v1, gold(), &error));

    const auto sub = registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error);
    QVERIFY2(sub, qPrintable(error));
    QCOMPARE(sub->plan, gold());
    QVERIFY(!sub->blocked);

    // Re-subscribing changes the plan of the same subscription.
    auto custom
        = PlanCatalog::parseLimit(QStringLiteral("Chatty"), QStringLiteral("10/second"), &error);
    custom->maxConnections = 3;
    const auto changed = registry.subscribe(QStringLiteral("chatapp"), chats, v1, *custom, &error);
    QVERIFY(changed);
    QCOMPARE(changed->id, sub->id);
    const auto stored = registry.snapshot()->subscription(sub->applicationId, chats, v1);
    QVERIFY(stored);
    QCOMPARE(stored->plan, *custom);

    QVERIFY(registry.setSubscriptionBlocked(QStringLiteral("chatapp"), chats, v1, true, &error));
    QVERIFY(registry.snapshot()->subscription(sub->applicationId, chats, v1)->blocked);
    // Re-subscribing keeps it blocked.
    QVERIFY(registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    QVERIFY(registry.snapshot()->subscription(sub->applicationId, chats, v1)->blocked);
    QVERIFY(!registry.setSubscriptionBlocked(QStringLiteral("chatapp"), chats,
                                             QStringLiteral("2.0"), true, &error));
    QVERIFY(error.contains(QLatin1String("not subscribed")));

    QVERIFY(registry.unsubscribe(QStringLiteral("chatapp"), chats, v1, &error));
    QVERIFY(!registry.snapshot()->subscription(sub->applicationId, chats, v1));
    QVERIFY(!registry.unsubscribe(QStringLiteral("chatapp"), chats, v1, &error));
}

void TestCredentialRegistry::authenticateOutcomes()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(registry.createApplication(QStringLiteral("lonely"), {}, &error));
    QVERIFY(registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    CredentialInfo tokenInfo;
    const QString token = addCredential(registry, QStringLiteral("chatapp"),
                                        CredentialType::AccessToken, &tokenInfo);
    const QString apiKey
        = addCredential(registry, QStringLiteral("chatapp"), CredentialType::ApiKey);
    const QString expiring = addCredential(registry, QStringLiteral("chatapp"),
                                           CredentialType::AccessToken, nullptr, now + 60000);
    const QString restricted
        = addCredential(registry, QStringLiteral("chatapp"), CredentialType::ApiKey, nullptr, 0,
                        QStringLiteral("Other"), QStringLiteral("2"));
    const QString unsubscribed
        = addCredential(registry, QStringLiteral("lonely"), CredentialType::AccessToken);
    QVERIFY(!token.isEmpty() && !apiKey.isEmpty() && !expiring.isEmpty()
            && !unsubscribed.isEmpty());

    // Only the hash is stored.
    {
        QFile db(path());
        QVERIFY(db.open(QIODevice::ReadOnly));
        const QByteArray raw = db.readAll() + [&] {
            QFile wal(path() + QStringLiteral("-wal"));
            return wal.open(QIODevice::ReadOnly) ? wal.readAll() : QByteArray();
        }();
        QVERIFY(!raw.contains(token.toLatin1()));
        QVERIFY(!raw.contains(token.mid(6).toLatin1()));
    }

    const auto snap = registry.snapshot();
    AuthResult r = snap->authenticate(token, chats, v1, now);
    QVERIFY2(r.ok(), qPrintable(r.reason));
    QCOMPARE(r.httpStatus(), 200);
    QCOMPARE(r.application.name, QStringLiteral("chatapp"));
    QCOMPARE(r.credential.id, tokenInfo.id);
    QCOMPARE(r.plan, gold());
    QCOMPARE(r.scopes, QStringList {QStringLiteral("chat")});
    QVERIFY(snap->authenticate(QLatin1Char(' ') + apiKey + QLatin1Char(' '), chats, v1, now).ok());

    struct Case
    {
        QString secret;
        QString title;
        qint64 at;
        AuthResult::Status status;
        int http;
    };
    const QList<Case> cases = {
        {QString(), chats, now, AuthResult::Status::Missing, 401},
        {QStringLiteral("gh_at_doesnotexist"), chats, now, AuthResult::Status::Unknown, 401},
        {token + QLatin1Char('x'), chats, now, AuthResult::Status::Unknown, 401},
        {expiring, chats, now + 59999, AuthResult::Status::Ok, 200},
        {expiring, chats, now + 60000, AuthResult::Status::Expired, 401},
        {restricted, chats, now, AuthResult::Status::WrongApi, 403},
        {unsubscribed, chats, now, AuthResult::Status::NoSubscription, 403},
        {token, QStringLiteral("Other"), now, AuthResult::Status::NoSubscription, 403},
        {QStringLiteral("a.b.c"), chats, now, AuthResult::Status::NoSigningKey, 401},
    };
    for (const Case &c : cases) {
        const AuthResult result
            = snap->authenticate(c.secret, c.title, v1, now == c.at ? now : c.at);
        QVERIFY2(result.status == c.status,
                 qPrintable(c.secret + QStringLiteral(": ") + result.reason));
        QCOMPARE(result.httpStatus(), c.http);
        QCOMPARE(result.reason.isEmpty(), c.http == 200);
    }

    QVERIFY(registry.setSubscriptionBlocked(QStringLiteral("chatapp"), chats, v1, true, &error));
    r = registry.snapshot()->authenticate(token, chats, v1, now);
    QCOMPARE(r.status, AuthResult::Status::Blocked);
    QCOMPARE(r.httpStatus(), 403);
    QVERIFY(registry.setSubscriptionBlocked(QStringLiteral("chatapp"), chats, v1, false, &error));

    QVERIFY(registry.revokeCredential(tokenInfo.id, &error));
    r = registry.snapshot()->authenticate(token, chats, v1, now);
    QCOMPARE(r.status, AuthResult::Status::Revoked);
    QCOMPARE(r.httpStatus(), 401);
    QCOMPARE(r.application.name, QStringLiteral("chatapp")); // for the gateway's events
    QCOMPARE(r.credential.id, tokenInfo.id);
    QVERIFY(r.scopes.isEmpty()); // nothing granted
    // The old snapshot is immutable: whoever holds it sees the state it was made from.
    QVERIFY(snap->authenticate(token, chats, v1, now).ok());

    QVERIFY(!registry.revokeCredential(tokenInfo.id, &error));
    QVERIFY(error.contains(QLatin1String("already revoked")));
    QVERIFY(!registry.revokeCredential(QStringLiteral("at_unknown"), &error));
    QCOMPARE(error, QStringLiteral("no credential with id 'at_unknown'"));

    QVERIFY(registry.deleteApplication(QStringLiteral("chatapp"), &error));
    QCOMPARE(registry.snapshot()->authenticate(apiKey, chats, v1, now).status,
             AuthResult::Status::Unknown);
}

void TestCredentialRegistry::authenticateJwt()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    const QByteArray key = TokenGenerator::newSigningKey();
    registry.setSigningKey(key);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    auto issue = [&](JwtClaims claims) {
        const auto app = registry.snapshot()->applicationByName(QStringLiteral("chatapp"));
        CredentialInfo info;
        info.id = TokenGenerator::newCredentialId(CredentialType::Jwt);
        info.applicationId = app->id;
        info.type = CredentialType::Jwt;
        info.apiTitle = chats;
        info.apiVersion = v1;
        claims.id = info.id;
        const QString token = Jwt::sign(claims, key);
        info.secretHash = TokenGenerator::hash(token);
        info.expiresMs = claims.expiresAt * 1000;
        QString e;
        registry.addCredential(info, &e);
        return std::pair {token, info.id};
    };
    JwtClaims claims;
    claims.subject = QStringLiteral("chatapp");
    claims.audience = QStringLiteral("Chats:1.0.0");
    claims.scopes = {QStringLiteral("rooms:join")};
    claims.issuedAt = now / 1000;
    claims.expiresAt = now / 1000 + 3600;
    const auto [token, id] = issue(claims);

    AuthResult r = registry.authenticate(token, chats, v1);
    QVERIFY2(r.ok(), qPrintable(r.reason));
    QCOMPARE(r.scopes, QStringList {QStringLiteral("rooms:join")});
    QCOMPARE(r.credential.type, CredentialType::Jwt);

    QCOMPARE(registry.snapshot()->authenticate(token, chats, QStringLiteral("2.0.0"), now).status,
             AuthResult::Status::WrongAudience);
    QCOMPARE(registry.snapshot()->authenticate(token, chats, v1, now + 3601 * 1000).status,
             AuthResult::Status::Expired);
    // Correctly signed but never recorded by the registry: unknown.
    JwtClaims stray = claims;
    stray.id = QStringLiteral("jwt_stray");
    QCOMPARE(registry.snapshot()->authenticate(Jwt::sign(stray, key), chats, v1, now).status,
             AuthResult::Status::Unknown);
    // Signed with another key.
    QCOMPARE(registry.snapshot()
                 ->authenticate(Jwt::sign(claims, TokenGenerator::newSigningKey()), chats, v1, now)
                 .status,
             AuthResult::Status::BadSignature);
    QVERIFY(registry.revokeCredential(id, &error));
    QCOMPARE(registry.snapshot()->authenticate(token, chats, v1, now).status,
             AuthResult::Status::Revoked);
    // Without the key JWTs cannot be checked at all.
    registry.setSigningKey({});
    QCOMPARE(registry.snapshot()->authenticate(token, chats, v1, now).status,
             AuthResult::Status::NoSigningKey);
}

void TestCredentialRegistry::revocationSignals()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    CredentialInfo a, b;
    addCredential(registry, QStringLiteral("chatapp"), CredentialType::AccessToken, &a);
    addCredential(registry, QStringLiteral("chatapp"), CredentialType::ApiKey, &b);
    const QString appId = registry.snapshot()->applicationByName(QStringLiteral("chatapp"))->id;

    QSignalSpy revoked(&registry, &CredentialRegistry::credentialRevoked);
    QSignalSpy blocked(&registry, &CredentialRegistry::subscriptionBlocked);
    QSignalSpy removed(&registry, &CredentialRegistry::subscriptionRemoved);
    QSignalSpy deleted(&registry, &CredentialRegistry::applicationDeleted);

    QVERIFY(registry.revokeCredential(a.id, &error));
    QCOMPARE(revoked.count(), 1);
    QCOMPARE(revoked.takeFirst().at(0).toString(), a.id);

    QVERIFY(registry.setSubscriptionBlocked(QStringLiteral("chatapp"), chats, v1, true, &error));
    QCOMPARE(blocked.count(), 1);
    QCOMPARE(blocked.first(), (QList<QVariant> {appId, chats, v1}));
    QVERIFY(registry.setSubscriptionBlocked(QStringLiteral("chatapp"), chats, v1, true, &error));
    QCOMPARE(blocked.count(), 1); // already blocked: no news

    QVERIFY(registry.deleteApplication(QStringLiteral("chatapp"), &error));
    QCOMPARE(revoked.count(), 1); // b only; a was revoked before
    QCOMPARE(revoked.first().at(0).toString(), b.id);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(deleted.count(), 1);
    QCOMPARE(deleted.first().at(0).toString(), appId);
}

void TestCredentialRegistry::changesFromAnotherConnectionAreSeen()
{
    // The gateway's registry watches; the CLI (another process, here another
    // connection) revokes.
    SqliteCredentialRegistry gateway;
    SqliteCredentialRegistry cli;
    QString error;
    QVERIFY(gateway.open(path(), &error));
    QVERIFY(cli.open(path(), &error));
    QVERIFY(cli.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(cli.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    CredentialInfo info;
    const QString token
        = addCredential(cli, QStringLiteral("chatapp"), CredentialType::AccessToken, &info);

    QSignalSpy changed(&gateway, &CredentialRegistry::snapshotChanged);
    QSignalSpy revoked(&gateway, &CredentialRegistry::credentialRevoked);
    gateway.startWatching(50);
    QTRY_VERIFY(gateway.authenticate(token, chats, v1).ok());

    QVERIFY(cli.revokeCredential(info.id, &error));
    QTRY_COMPARE(revoked.count(), 1);
    QCOMPARE(revoked.first().at(0).toString(), info.id);
    QCOMPARE(gateway.authenticate(token, chats, v1).status, AuthResult::Status::Revoked);
}

void TestCredentialRegistry::lastUsedIsRecorded()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    CredentialInfo info;
    const QString token
        = addCredential(registry, QStringLiteral("chatapp"), CredentialType::AccessToken, &info);
    QCOMPARE(registry.snapshot()->credentialById(info.id)->lastUsedMs, qint64(0));
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(registry.authenticate(token, chats, v1).ok());
    QVERIFY(!registry.authenticate(token, QStringLiteral("Other"), v1).ok()); // not a use
    registry.flushUsage();

    SqliteCredentialRegistry reader;
    QVERIFY(reader.open(path(), &error));
    const qint64 used = reader.snapshot()->credentialById(info.id)->lastUsedMs;
    QVERIFY(used >= before);
    QVERIFY(used <= QDateTime::currentMSecsSinceEpoch());
}

void TestCredentialRegistry::issuerKeepsSecretAndRecordInStep()
{
    SqliteCredentialRegistry registry;
    QString error;
    QVERIFY(registry.open(path(), &error));
    QVERIFY(registry.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(registry.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    FileSecretStore store(path(QStringLiteral("secrets.json")));
    CredentialIssuer issuer(&registry, &store);

    IssueRequest request;
    request.applicationName = QStringLiteral("chatapp");
    request.type = CredentialType::Jwt;
    request.scopes = {QStringLiteral("read")};
    request.expiresMs = QDateTime::currentMSecsSinceEpoch() + 3600 * 1000;
    IssuedCredential issued;
    QString why = QStringLiteral("pending");
    issuer.issue(request, [&](const IssuedCredential &c, const QString &e) {
        issued = c;
        why = e;
    });
    QTRY_VERIFY(why != QLatin1String("pending"));
    QVERIFY2(why.isEmpty(), qPrintable(why));
    QCOMPARE(issued.info.apiTitle, chats); // the only subscription became the audience
    QVERIFY(registry.snapshot()->hasSigningKey());
    QVERIFY2(registry.authenticate(issued.secret, chats, v1).ok(), qPrintable(issued.secret));

    // Unknown application and past expiry fail before anything is stored.
    const int credentials = registry.snapshot()->credentials().size();
    request.applicationName = QStringLiteral("ghost");
    why = QStringLiteral("pending");
    issuer.issue(request, [&](const IssuedCredential &, const QString &e) { why = e; });
    QTRY_VERIFY(why != QLatin1String("pending"));
    QCOMPARE(why, QStringLiteral("no application named 'ghost'"));
    request.applicationName = QStringLiteral("chatapp");
    request.expiresMs = QDateTime::currentMSecsSinceEpoch() - 1000;
    why = QStringLiteral("pending");
    issuer.issue(request, [&](const IssuedCredential &, const QString &e) { why = e; });
    QTRY_VERIFY(why != QLatin1String("pending"));
    QVERIFY(why.contains(QLatin1String("in the past")));
    QCOMPARE(registry.snapshot()->credentials().size(), credentials);

    // A refused secrets file: nothing recorded either.
    QVERIFY(QFile::setPermissions(
        store.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    request.expiresMs = 0;
    request.type = CredentialType::AccessToken;
    why = QStringLiteral("pending");
    issuer.issue(request, [&](const IssuedCredential &, const QString &e) { why = e; });
    QTRY_VERIFY(why != QLatin1String("pending"));
    QVERIFY2(why.contains(QLatin1String("0600")), qPrintable(why));
    QCOMPARE(registry.snapshot()->credentials().size(), credentials);
}

// The gateway started before any JWT existed; the CLI (another connection and
// issuer) then issues the first JWT, creating the signing key. The gateway's
// registry picks the key up from its source without a restart.
void TestCredentialRegistry::signingKeyFollowsTheFirstJwtOfAnotherProcess()
{
    qunsetenv("GATEHOUSE_SIGNING_KEY");
    const QString secretsPath = path(QStringLiteral("secrets.json"));
    SqliteCredentialRegistry gateway;
    QString error;
    QVERIFY(gateway.open(path(), &error));
    FileSecretStore gatewaySecrets(secretsPath);
    gateway.setSigningKeySource(&gatewaySecrets);
    gateway.startWatching(50);
    QTest::qWait(100);
    QVERIFY(!gateway.snapshot()->hasSigningKey());

    SqliteCredentialRegistry cli;
    QVERIFY(cli.open(path(), &error));
    QVERIFY(cli.createApplication(QStringLiteral("chatapp"), {}, &error));
    QVERIFY(cli.subscribe(QStringLiteral("chatapp"), chats, v1, gold(), &error));
    FileSecretStore cliSecrets(secretsPath);
    CredentialIssuer issuer(&cli, &cliSecrets);
    IssueRequest request;
    request.applicationName = QStringLiteral("chatapp");
    request.type = CredentialType::Jwt;
    QString jwt;
    QString why = QStringLiteral("pending");
    issuer.issue(request, [&](const IssuedCredential &c, const QString &e) {
        jwt = c.secret;
        why = e;
    });
    QTRY_VERIFY(why != QLatin1String("pending"));
    QVERIFY2(why.isEmpty(), qPrintable(why));

    QTRY_VERIFY(gateway.snapshot()->hasSigningKey());
    const AuthResult r = gateway.authenticate(jwt, chats, v1);
    QVERIFY2(r.ok(), qPrintable(r.reason));
    QVERIFY(!QFile::exists(secretsPath + QStringLiteral(".lock")));
}

QTEST_GUILESS_MAIN(TestCredentialRegistry)
#include "tst_credentialregistry.moc"
