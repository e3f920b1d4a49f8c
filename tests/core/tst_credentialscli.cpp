// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "credentials/jwt.h"
#include "credentials/tokengenerator.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace Gatehouse;

namespace {

const QRegularExpression tokenPattern(QStringLiteral("^gh_at_[A-Za-z0-9_-]{43}\n$"));
const QRegularExpression apiKeyPattern(QStringLiteral("^gh_ak_[A-Za-z0-9_-]{43}\n$"));
const QRegularExpression
    jwtPattern(QStringLiteral("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n$"));

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly)
        ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
        : QByteArray();
}

// Sets an environment variable for the life of the object.
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name)
        , m_had(qEnvironmentVariableIsSet(name))
        , m_old(qgetenv(name))
    {
        if (value.isNull())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~ScopedEnv()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

bool inKeyringSession()
{
    return qEnvironmentVariable("GATEHOUSE_IN_KEYRING_SESSION") == QLatin1String("1");
}

} // namespace

class TestCredentialsCli final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void appsLifecycle();
    void usageErrors_data();
    void usageErrors();
    void subscribeWithPlans();
    void subscribeFromDocument();
    void issueListRevokeWithSecretsFile();
    void badInputChangesNothing();
    void secretsFileModeIsEnforced();
    void corruptDatabase();
    void keychainEndToEnd();
    void noKeychainIsReportedInOneLine();
    void environmentSecrets();

private:
    Test::ProcessResult cli(QStringList args, bool withSecretsFile = true)
    {
        args << QStringLiteral("--db") << m_db;
        if (withSecretsFile)
            args << QStringLiteral("--secrets-file") << m_secrets;
        return Test::runCli(args);
    }
    QJsonArray keysJson(const QString &app)
    {
        const auto r = cli(
            {QStringLiteral("keys"), QStringLiteral("list"), app, QStringLiteral("--json")}, false);
        return QJsonDocument::fromJson(r.standardOutput).array();
    }
    void createSubscribedApp(const QString &name)
    {
        QCOMPARE(cli({QStringLiteral("apps"), QStringLiteral("create"), name}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("subscribe"), name, QStringLiteral("--api"),
                      QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"),
                      QStringLiteral("AsyncGold")})
                     .exitCode,
                 0);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
    QString m_secrets;
};

void TestCredentialsCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("gatehouse.db"));
    m_secrets = m_dir->filePath(QStringLiteral("secrets.json"));
}

void TestCredentialsCli::appsLifecycle()
{
    auto r = cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("chatapp"),
                  QStringLiteral("--description"), QStringLiteral("Chat client")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.standardOutput.contains("chatapp"));
    QVERIFY(r.standardError.isEmpty());

    r = cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("chatapp")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.standardError,
             QByteArray("gatehouse-cli apps: application 'chatapp' already exists\n"));
    QVERIFY(r.standardOutput.isEmpty());

    QCOMPARE(
        cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("second")}).exitCode,
        0);
    r = cli({QStringLiteral("apps"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray apps = QJsonDocument::fromJson(r.standardOutput).array();
    QCOMPARE(apps.size(), 2);
    QCOMPARE(apps.at(0).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("chatapp"));
    QCOMPARE(apps.at(0).toObject().value(QStringLiteral("description")).toString(),
             QStringLiteral("Chat client"));

    r = cli({QStringLiteral("apps"), QStringLiteral("list")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.standardOutput.contains("chatapp") && r.standardOutput.contains("second"));

    r = cli({QStringLiteral("apps"), QStringLiteral("delete"), QStringLiteral("second")});
    QCOMPARE(r.exitCode, 0);
    r = cli({QStringLiteral("apps"), QStringLiteral("delete"), QStringLiteral("second")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.standardError, QByteArray("gatehouse-cli apps: no application named 'second'\n"));
    r = cli({QStringLiteral("apps"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(r.standardOutput).array().size(), 1);
}

void TestCredentialsCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("apps without action") << QStringList {QStringLiteral("apps")};
    QTest::newRow("apps bad action")
        << QStringList {QStringLiteral("apps"), QStringLiteral("explode")};
    QTest::newRow("apps create without name")
        << QStringList {QStringLiteral("apps"), QStringLiteral("create")};
    QTest::newRow("apps unknown option")
        << QStringList {QStringLiteral("apps"), QStringLiteral("list"), QStringLiteral("--bogus")};
    QTest::newRow("subscribe without api")
        << QStringList {QStringLiteral("subscribe"), QStringLiteral("a"), QStringLiteral("--plan"),
                        QStringLiteral("AsyncGold")};
    QTest::newRow("subscribe without plan")
        << QStringList {QStringLiteral("subscribe"), QStringLiteral("a"), QStringLiteral("--api"),
                        QStringLiteral("X:1")};
    QTest::newRow("subscribe block and unblock") << QStringList {
        QStringLiteral("subscribe"), QStringLiteral("a"),       QStringLiteral("--api"),
        QStringLiteral("X:1"),       QStringLiteral("--block"), QStringLiteral("--unblock")};
    QTest::newRow("keys without action") << QStringList {QStringLiteral("keys")};
    QTest::newRow("keys issue without app")
        << QStringList {QStringLiteral("keys"), QStringLiteral("issue")};
    QTest::newRow("keys bad type")
        << QStringList {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("a"),
                        QStringLiteral("--type"), QStringLiteral("password")};
    QTest::newRow("keys revoke with scopes")
        << QStringList {QStringLiteral("keys"), QStringLiteral("revoke"), QStringLiteral("x"),
                        QStringLiteral("--scopes"), QStringLiteral("a")};
}

void TestCredentialsCli::usageErrors()
{
    QFETCH(QStringList, args);
    const auto r = cli(args);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.standardError.count('\n'), 1);
    QVERIFY(r.standardError.startsWith("gatehouse-cli "));
    QVERIFY(r.standardOutput.isEmpty());
}

void TestCredentialsCli::subscribeWithPlans()
{
    QCOMPARE(
        cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("chatapp")}).exitCode,
        0);

    auto r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
                  QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"),
                  QStringLiteral("Platinum")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.standardError.count('\n'), 1);
    QVERIFY(r.standardError.contains("unknown plan 'Platinum'"));
    QVERIFY(r.standardError.contains("AsyncBronze"));

    r = cli({QStringLiteral("subscribe"), QStringLiteral("ghost"), QStringLiteral("--api"),
             QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"), QStringLiteral("AsyncGold")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.standardError.contains("no application named 'ghost'"));

    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
             QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"),
             QStringLiteral("asyncsilver")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.standardOutput.contains("AsyncSilver (25000/day)"));

    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
             QStringLiteral("Stocks:2.1"), QStringLiteral("--plan"), QStringLiteral("Ticker"),
             QStringLiteral("--limit"), QStringLiteral("20/second"),
             QStringLiteral("--max-connections"), QStringLiteral("3")});
    QCOMPARE(r.exitCode, 0);
    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
             QStringLiteral("Stocks:2.1"), QStringLiteral("--block")});
    QCOMPARE(r.exitCode, 0);

    r = cli({QStringLiteral("apps"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonArray subs = QJsonDocument::fromJson(r.standardOutput)
                                .array()
                                .at(0)
                                .toObject()
                                .value(QStringLiteral("subscriptions"))
                                .toArray();
    QCOMPARE(subs.size(), 2);
    QCOMPARE(subs.at(0).toObject().value(QStringLiteral("api")).toString(),
             QStringLiteral("Chats:1.0.0"));
    QCOMPARE(subs.at(0).toObject().value(QStringLiteral("plan")).toString(),
             QStringLiteral("AsyncSilver"));
    QCOMPARE(subs.at(0).toObject().value(QStringLiteral("blocked")).toBool(), false);
    QCOMPARE(subs.at(1).toObject().value(QStringLiteral("limit")).toString(),
             QStringLiteral("20/second, 3 connections"));
    QCOMPARE(subs.at(1).toObject().value(QStringLiteral("blocked")).toBool(), true);

    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
             QStringLiteral("Stocks:2.1"), QStringLiteral("--remove")});
    QCOMPARE(r.exitCode, 0);
    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
             QStringLiteral("Stocks:2.1"), QStringLiteral("--unblock")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.standardError.contains("not subscribed"));

    r = Test::runCli(
        {QStringLiteral("subscribe"), QStringLiteral("--list-plans"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(r.standardOutput).array().size(), 4);
}

void TestCredentialsCli::subscribeFromDocument()
{
    const QString doc = m_dir->filePath(QStringLiteral("chats.yaml"));
    QFile file(doc);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        "asyncapi: 2.6.0\n"
        "info:\n  title: Chats\n  version: 1.0.0\n"
        "channels:\n  /notifications:\n    subscribe:\n      message:\n        payload:\n          "
        "type: string\n"
        "x-gatehouse:\n  context: /chats\n  plans:\n"
        "    - name: Chatty\n      events: 10\n      unit: minute\n      maxConnections: 2\n");
    file.close();

    auto r = Test::runCli({QStringLiteral("subscribe"), QStringLiteral("--list-plans"),
                           QStringLiteral("--api"), doc});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.standardOutput.contains("Chatty") && r.standardOutput.contains("document"),
             r.standardOutput.constData());
    QVERIFY(r.standardOutput.contains("AsyncGold"));

    QCOMPARE(
        cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("chatapp")}).exitCode,
        0);
    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"), doc,
             QStringLiteral("--plan"), QStringLiteral("Chatty")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    r = cli({QStringLiteral("apps"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonObject sub = QJsonDocument::fromJson(r.standardOutput)
                                .array()
                                .at(0)
                                .toObject()
                                .value(QStringLiteral("subscriptions"))
                                .toArray()
                                .at(0)
                                .toObject();
    QCOMPARE(sub.value(QStringLiteral("api")).toString(), QStringLiteral("Chats:1.0.0"));
    QCOMPARE(sub.value(QStringLiteral("limit")).toString(),
             QStringLiteral("10/minute, 2 connections"));

    // A file that is not there and not TITLE:VERSION.
    r = cli({QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
             m_dir->filePath(QStringLiteral("missing.yaml")), QStringLiteral("--plan"),
             QStringLiteral("AsyncGold")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.standardError.count('\n'), 1);
}

void TestCredentialsCli::issueListRevokeWithSecretsFile()
{
    createSubscribedApp(QStringLiteral("chatapp"));

    auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    QVERIFY2(tokenPattern.match(QString::fromLatin1(r.standardOutput)).hasMatch(),
             r.standardOutput.constData());
    const QString token = QString::fromLatin1(r.standardOutput).trimmed();
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(m_secrets).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);

    r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
             QStringLiteral("--type"), QStringLiteral("apikey"), QStringLiteral("--scopes"),
             QStringLiteral("read,write"), QStringLiteral("--expires"), QStringLiteral("7d")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(apiKeyPattern.match(QString::fromLatin1(r.standardOutput)).hasMatch());

    r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
             QStringLiteral("--type"), QStringLiteral("jwt"), QStringLiteral("--scopes"),
             QStringLiteral("rooms"), QStringLiteral("--expires"), QStringLiteral("1h")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    QVERIFY(jwtPattern.match(QString::fromLatin1(r.standardOutput)).hasMatch());
    const QString jwt = QString::fromLatin1(r.standardOutput).trimmed();
    // The JWT's claims name the application and the API; no signature check here.
    const QJsonObject payload
        = QJsonDocument::fromJson(
              QByteArray::fromBase64(jwt.section(QLatin1Char('.'), 1, 1).toLatin1(),
                                     QByteArray::Base64UrlEncoding))
              .object();
    QCOMPARE(payload.value(QStringLiteral("sub")).toString(), QStringLiteral("chatapp"));
    QCOMPARE(payload.value(QStringLiteral("aud")).toString(), QStringLiteral("Chats:1.0.0"));
    QCOMPARE(payload.value(QStringLiteral("scope")).toString(), QStringLiteral("rooms"));
    const qint64 exp = payload.value(QStringLiteral("exp")).toInteger();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QVERIFY(exp > now + 3500 && exp <= now + 3601);

    // list: ids and metadata, never a secret.
    r = cli({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("chatapp")}, false);
    QCOMPARE(r.exitCode, 0);
    QVERIFY(!r.standardOutput.contains(token.toLatin1()));
    QVERIFY(!r.standardOutput.contains(jwt.toLatin1()));
    const QJsonArray keys = keysJson(QStringLiteral("chatapp"));
    QCOMPARE(keys.size(), 3);
    QCOMPARE(keys.at(1).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("apikey"));
    QCOMPARE(keys.at(1).toObject().value(QStringLiteral("scopes")).toArray().size(), 2);
    QVERIFY(keys.at(1).toObject().value(QStringLiteral("expires")).isString());
    QVERIFY(keys.at(0).toObject().value(QStringLiteral("expires")).isNull());
    QVERIFY(keys.at(0).toObject().value(QStringLiteral("lastUsed")).isNull());
    for (const QJsonValue &k : keys)
        QCOMPARE(k.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("active"));
    const QString tokenId = keys.at(0).toObject().value(QStringLiteral("id")).toString();
    QVERIFY(!QString::fromUtf8(QJsonDocument(keys).toJson()).contains(token));

    // The stored secret can be shown again (desktop tabs use it).
    r = cli({QStringLiteral("keys"), QStringLiteral("show"), tokenId});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QString::fromLatin1(r.standardOutput).trimmed(), token);

    r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), tokenId});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    QCOMPARE(keysJson(QStringLiteral("chatapp"))
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("revoked"));
    r = cli({QStringLiteral("keys"), QStringLiteral("show"), tokenId});
    QCOMPARE(r.exitCode, 1);
    QFile secrets(m_secrets);
    QVERIFY(secrets.open(QIODevice::ReadOnly));
    QVERIFY(!secrets.readAll().contains(tokenId.toLatin1())); // removed from the store

    r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), tokenId});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.standardError.count('\n'), 1);
    QVERIFY(r.standardError.contains("already revoked"));
    r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), QStringLiteral("at_000000000000")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.standardError,
             QByteArray("gatehouse-cli keys: no credential with id 'at_000000000000'\n"));

    // Deleting the application takes its credentials along.
    QCOMPARE(
        cli({QStringLiteral("apps"), QStringLiteral("delete"), QStringLiteral("chatapp")}).exitCode,
        0);
    QCOMPARE(
        cli({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("chatapp")}).exitCode,
        1);
}

void TestCredentialsCli::badInputChangesNothing()
{
    createSubscribedApp(QStringLiteral("chatapp"));
    QCOMPARE(
        cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")}).exitCode,
        0);
    const QByteArray dbBefore = fileHash(m_db);
    const QByteArray secretsBefore = fileHash(m_secrets);

    const QList<QStringList> bad = {
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
         QStringLiteral("--expires"), QStringLiteral("2020-01-01")},
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
         QStringLiteral("--expires"), QStringLiteral("2020-01-01T10:00:00Z")},
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
         QStringLiteral("--expires"), QStringLiteral("soon")},
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("ghost")},
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
         QStringLiteral("--scopes"), QStringLiteral("a b")},
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
         QStringLiteral("--type"), QStringLiteral("jwt"), QStringLiteral("--api"),
         QStringLiteral("notanapi")},
        {QStringLiteral("keys"), QStringLiteral("revoke"), QStringLiteral("nope")},
        {QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("chatapp")},
        {QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
         QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"), QStringLiteral("Nope")},
        {QStringLiteral("subscribe"), QStringLiteral("chatapp"), QStringLiteral("--api"),
         QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"), QStringLiteral("Mine"),
         QStringLiteral("--limit"), QStringLiteral("0/day")},
    };
    for (const QStringList &args : bad) {
        const auto r = cli(args);
        QVERIFY2(r.exitCode == 1, qPrintable(args.join(QLatin1Char(' '))));
        QVERIFY2(r.standardError.count('\n') == 1, r.standardError.constData());
        QVERIFY(r.standardOutput.isEmpty());
    }
    QCOMPARE(keysJson(QStringLiteral("chatapp")).size(), 1);
    QCOMPARE(fileHash(m_secrets), secretsBefore);
    Q_UNUSED(dbBefore); // the WAL may be checkpointed; the JSON view above is what counts
}

void TestCredentialsCli::secretsFileModeIsEnforced()
{
    createSubscribedApp(QStringLiteral("chatapp"));
    QFile file(m_secrets);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"secrets\": {}}");
    file.close();
    QVERIFY(::chmod(QFile::encodeName(m_secrets).constData(), 0644) == 0);

    auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.standardOutput.isEmpty());
    QCOMPARE(r.standardError.count('\n'), 1);
    QVERIFY2(r.standardError.contains("mode 0644") && r.standardError.contains("0600"),
             r.standardError.constData());
    QCOMPARE(keysJson(QStringLiteral("chatapp")).size(), 0);

    QVERIFY(::chmod(QFile::encodeName(m_secrets).constData(), 0600) == 0);
    r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(keysJson(QStringLiteral("chatapp")).size(), 1);
}

void TestCredentialsCli::corruptDatabase()
{
    QFile file(m_db);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("definitely not SQLite\n");
    file.close();
    const QByteArray before = fileHash(m_db);
    for (const QStringList &args :
         {QStringList {QStringLiteral("apps"), QStringLiteral("list")},
          QStringList {QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("x")}}) {
        const auto r = cli(args);
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.standardError.count('\n'), 1);
        QVERIFY2(r.standardError.contains(m_db.toUtf8())
                     && r.standardError.contains("left untouched"),
                 r.standardError.constData());
    }
    QCOMPARE(fileHash(m_db), before);
}

void TestCredentialsCli::keychainEndToEnd()
{
    if (!inKeyringSession())
        QSKIP("needs the OS keychain: run under scripts/with-keychain");
    createSubscribedApp(QStringLiteral("chatapp"));
    for (const QString &type : {QStringLiteral("token"), QStringLiteral("jwt")}) {
        auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
                      QStringLiteral("--type"), type},
                     false);
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        QVERIFY(r.standardError.contains("OS keychain"));
        const QString secret = QString::fromLatin1(r.standardOutput).trimmed();
        const QString id = keysJson(QStringLiteral("chatapp"))
                               .last()
                               .toObject()
                               .value(QStringLiteral("id"))
                               .toString();

        r = cli({QStringLiteral("keys"), QStringLiteral("show"), id}, false);
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        QCOMPARE(QString::fromLatin1(r.standardOutput).trimmed(), secret);

        r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), id}, false);
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        QVERIFY(r.standardError.isEmpty());
        r = cli({QStringLiteral("keys"), QStringLiteral("show"), id}, false);
        QCOMPARE(r.exitCode, 1);
    }
    QVERIFY(!QFile::exists(m_secrets));
}

void TestCredentialsCli::noKeychainIsReportedInOneLine()
{
    createSubscribedApp(QStringLiteral("chatapp"));
    ScopedEnv bus("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/gatehouse-test-bus");
    ScopedEnv display("DISPLAY", QByteArray());
    for (const QString &type :
         {QStringLiteral("token"), QStringLiteral("jwt"), QStringLiteral("apikey")}) {
        const auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"),
                            QStringLiteral("chatapp"), QStringLiteral("--type"), type},
                           false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.finished);
        QVERIFY(r.standardOutput.isEmpty());
        QCOMPARE(r.standardError.count('\n'), 1);
        QVERIFY2(r.standardError.startsWith("gatehouse-cli keys: no OS keychain reachable"),
                 r.standardError.constData());
        QVERIFY(r.standardError.contains("--secrets-file FILE"));
        QVERIFY(r.standardError.contains("GATEHOUSE_SECRETS=env"));
    }
    QCOMPARE(keysJson(QStringLiteral("chatapp")).size(), 0);
    QVERIFY(!QFile::exists(m_secrets));
    // The explicit alternative works in the same environment.
    auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")});
    QCOMPARE(r.exitCode, 0);

    // Revocation never depends on the keychain, and it removes the secret from the
    // secrets file it was issued to, even without --secrets-file.
    const QString id = keysJson(QStringLiteral("chatapp"))
                           .at(0)
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toString();
    QFile secrets(m_secrets);
    QVERIFY(secrets.open(QIODevice::ReadOnly));
    QVERIFY(secrets.readAll().contains(id.toLatin1()));
    secrets.close();
    r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), id}, false);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.standardError.isEmpty(), r.standardError.constData());
    QVERIFY(secrets.open(QIODevice::ReadOnly));
    QVERIFY(!secrets.readAll().contains(id.toLatin1()));
    secrets.close();
    // where it cannot be removed, the warning says exactly where it remains
    r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")});
    QCOMPARE(r.exitCode, 0);
    const QString second = keysJson(QStringLiteral("chatapp"))
                               .last()
                               .toObject()
                               .value(QStringLiteral("id"))
                               .toString();
    QVERIFY(::chmod(QFile::encodeName(m_secrets).constData(), 0644) == 0); // refused as unsafe
    r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), second}, false);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.standardError.count('\n'), 1);
    const QByteArray remains = "its secret remains in secrets file " + m_secrets.toUtf8();
    QVERIFY2(r.standardError.contains(remains), r.standardError.constData());
    QCOMPARE(keysJson(QStringLiteral("chatapp"))
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("revoked"));
}

void TestCredentialsCli::environmentSecrets()
{
    createSubscribedApp(QStringLiteral("chatapp"));
    const QByteArray key = Credentials::TokenGenerator::newSigningKey();
    ScopedEnv mode("GATEHOUSE_SECRETS", "env");
    {
        ScopedEnv unset("GATEHOUSE_SIGNING_KEY", QByteArray());
        const auto r
            = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
                   QStringLiteral("--type"), QStringLiteral("jwt")},
                  false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.standardError.contains("GATEHOUSE_SIGNING_KEY"));
        QCOMPARE(r.standardError.count('\n'), 1);
    }
    ScopedEnv signingKey("GATEHOUSE_SIGNING_KEY", key.toBase64());
    auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp"),
                  QStringLiteral("--type"), QStringLiteral("jwt")},
                 false);
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    const QString jwt = QString::fromLatin1(r.standardOutput).trimmed();
    const auto v = Credentials::Jwt::verify(jwt, key, QStringLiteral("Chats:1.0.0"),
                                            QDateTime::currentSecsSinceEpoch());
    QVERIFY2(v.ok(), qPrintable(v.reason));
    QCOMPARE(v.claims.subject, QStringLiteral("chatapp"));
    QVERIFY(r.standardError.contains("not kept"));

    r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("chatapp")}, false);
    QCOMPARE(r.exitCode, 0);
    QVERIFY(tokenPattern.match(QString::fromLatin1(r.standardOutput)).hasMatch());
    QVERIFY(!QFile::exists(m_secrets));
}

QTEST_GUILESS_MAIN(TestCredentialsCli)
#include "tst_credentialscli.moc"
