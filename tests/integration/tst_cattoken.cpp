// SPDX-License-Identifier: GPL-3.0-or-later
// `gatehouse-cli cat --token-from APP`: a credential issued with `keys issue` into a
// registry reaches an in-process server in the header its type calls for, is never
// printed, and the errors are one line with the documented exit codes.
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Gatehouse;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

bool inKeyringSession()
{
    return qEnvironmentVariable("GATEHOUSE_IN_KEYRING_SESSION") == QLatin1String("1");
}

// Echoes, and keeps the headers of every upgrade request.
class RecordingServer final : public QObject
{
public:
    RecordingServer()
        : m_server(QStringLiteral("recording"), QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                requests.append(s->request());
                connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
                connect(s, &QWebSocket::textMessageReceived, s,
                        [s](const QString &m) { s->sendTextMessage(m); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()); }
    QList<QNetworkRequest> requests;

private:
    QWebSocketServer m_server;
};

} // namespace

class TestCatToken final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void bearerTokenFromKeychain();
    void jwtApiKeyAndHeaderFromSecretsFile();
    void newestUsableCredential();
    void expectUsesTheToken();
    void errors();
    void usageErrors_data();
    void usageErrors();
    void unreachableKeychain();

private:
    // Runs gatehouse-cli with the event loop going (the server lives in this process).
    Run cli(const QStringList &arguments, const QProcessEnvironment &env = {})
    {
        QProcess process;
        if (!env.isEmpty())
            process.setProcessEnvironment(env);
        process.start(QStringLiteral(GATEHOUSE_CLI_PATH), arguments);
        if (!process.waitForStarted(10000))
            return {};
        process.closeWriteChannel();
        if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 30000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }
    // A registry command on the test's registry (and secrets file unless `keychain`).
    Run registry(QStringList arguments, bool keychain = false, const QProcessEnvironment &env = {})
    {
        arguments << QStringLiteral("--db") << m_db;
        if (!keychain)
            arguments << QStringLiteral("--secrets-file") << m_secrets;
        return cli(arguments, env);
    }
    void createApp(const QString &name)
    {
        Run r = registry({QStringLiteral("apps"), QStringLiteral("create"), name});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = registry({QStringLiteral("subscribe"), name, QStringLiteral("--api"),
                      QStringLiteral("Chats:1.0.0"), QStringLiteral("--plan"),
                      QStringLiteral("AsyncGold")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }
    // Issues a credential and returns its secret (empty on failure).
    QByteArray issue(const QString &app, const QString &type, bool keychain = false,
                     const QProcessEnvironment &env = {})
    {
        const Run r = registry(
            {QStringLiteral("keys"), QStringLiteral("issue"), app, QStringLiteral("--type"), type},
            keychain, env);
        if (r.exitCode != 0)
            qWarning() << r.err;
        return r.exitCode == 0 ? r.out.trimmed() : QByteArray();
    }
    QString newestId(const QString &app)
    {
        const Run r = registry(
            {QStringLiteral("keys"), QStringLiteral("list"), app, QStringLiteral("--json")});
        return QJsonDocument::fromJson(r.out)
            .array()
            .last()
            .toObject()
            .value(QStringLiteral("id"))
            .toString();
    }
    Run cat(const QString &app, QStringList more = {}, bool keychain = false,
            const QProcessEnvironment &env = {})
    {
        QStringList arguments = {QStringLiteral("cat"),
                                 QStringLiteral("-c"),
                                 m_server->url(),
                                 QStringLiteral("--token-from"),
                                 app,
                                 QStringLiteral("--db"),
                                 m_db};
        if (!keychain)
            arguments << QStringLiteral("--secrets-file") << m_secrets;
        return cli(arguments + more, env);
    }
    static QStringList sendHi()
    {
        return {QStringLiteral("-x"), QStringLiteral("hi"), QStringLiteral("-w"),
                QStringLiteral("0.3")};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RecordingServer> m_server;
    QString m_db;
    QString m_secrets;
};

void TestCatToken::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("gatehouse.db"));
    m_secrets = m_dir->filePath(QStringLiteral("secrets.json"));
    m_server = std::make_unique<RecordingServer>();
}

void TestCatToken::bearerTokenFromKeychain()
{
    if (!inKeyringSession())
        QSKIP("needs the OS keychain: run under scripts/with-keychain");
    createApp(QStringLiteral("chatapp"));
    const QByteArray token = issue(QStringLiteral("chatapp"), QStringLiteral("token"), true);
    QVERIFY(token.startsWith("gh_at_"));

    Run r = cat(QStringLiteral("chatapp"), sendHi(), true);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(m_server->requests.at(0).rawHeader("Authorization"), "Bearer " + token);
    QCOMPARE(r.out, QByteArray("hi\n"));
    QVERIFY(!r.err.contains(token));

    // --json shows the request's headers: masked.
    r = cat(QStringLiteral("chatapp"), sendHi() << QStringLiteral("--json"), true);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.size(), 2);
    QCOMPARE(m_server->requests.at(1).rawHeader("Authorization"), "Bearer " + token);
    QVERIFY(r.out.contains("Authorization"));
    QVERIFY(r.out.contains("***"));
    QVERIFY(!r.out.contains(token));
    QVERIFY(!r.err.contains(token));
}

void TestCatToken::jwtApiKeyAndHeaderFromSecretsFile()
{
    createApp(QStringLiteral("svc"));
    const QByteArray jwt = issue(QStringLiteral("svc"), QStringLiteral("jwt"));
    QVERIFY(jwt.count('.') == 2);
    Run r = cat(QStringLiteral("svc"), sendHi());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.last().rawHeader("Authorization"), "Bearer " + jwt);
    QVERIFY(!r.out.contains(jwt) && !r.err.contains(jwt));

    // The newest is now an API key: the apikey header, the secret alone.
    QTest::qWait(5); // a later creation time
    const QByteArray key = issue(QStringLiteral("svc"), QStringLiteral("apikey"));
    QVERIFY(key.startsWith("gh_ak_"));
    r = cat(QStringLiteral("svc"), sendHi() << QStringLiteral("--json"));
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QNetworkRequest withKey = m_server->requests.last();
    QCOMPARE(withKey.rawHeader("apikey"), key);
    QVERIFY(!withKey.hasRawHeader("Authorization"));
    QVERIFY(!r.out.contains(key) && !r.err.contains(key));

    // --token-header: another header, masked in --json even though its name says
    // nothing about secrets; the -H headers go along.
    r = cat(QStringLiteral("svc"),
            sendHi() << QStringLiteral("--token-header") << QStringLiteral("X-Client")
                     << QStringLiteral("-H") << QStringLiteral("Authorization: Basic Zm9v")
                     << QStringLiteral("--json"));
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QNetworkRequest custom = m_server->requests.last();
    QCOMPARE(custom.rawHeader("X-Client"), key);
    QCOMPARE(custom.rawHeader("Authorization"), QByteArray("Basic Zm9v"));
    QVERIFY(!custom.hasRawHeader("apikey"));
    QVERIFY(r.out.contains("X-Client"));
    QVERIFY(!r.out.contains(key) && !r.err.contains(key));
}

void TestCatToken::newestUsableCredential()
{
    createApp(QStringLiteral("app"));
    const QByteArray older = issue(QStringLiteral("app"), QStringLiteral("token"));
    QTest::qWait(5);
    const QByteArray newer = issue(QStringLiteral("app"), QStringLiteral("token"));
    QVERIFY(!older.isEmpty() && !newer.isEmpty() && older != newer);

    Run r = cat(QStringLiteral("app"), sendHi());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.last().rawHeader("Authorization"), "Bearer " + newer);

    // Revoked: the older one is the newest usable.
    r = registry(
        {QStringLiteral("keys"), QStringLiteral("revoke"), newestId(QStringLiteral("app"))});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = cat(QStringLiteral("app"), sendHi());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.last().rawHeader("Authorization"), "Bearer " + older);

    // An expired one is not used either.
    QTest::qWait(5);
    r = registry({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("app"),
                  QStringLiteral("--expires"), QStringLiteral("1s")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QTest::qWait(1100);
    r = cat(QStringLiteral("app"), sendHi());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.last().rawHeader("Authorization"), "Bearer " + older);
}

void TestCatToken::expectUsesTheToken()
{
    createApp(QStringLiteral("app"));
    const QByteArray token = issue(QStringLiteral("app"), QStringLiteral("token"));
    QVERIFY(!token.isEmpty());
    const QString file = m_dir->filePath(QStringLiteral("hi.yaml"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("steps:\n  - send: hi\n  - expect: {text: hi}\n    within: 2s\n");
    f.close();

    const Run r = cat(QStringLiteral("app"), {QStringLiteral("--expect"), file});
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    QVERIFY(r.out.contains("1 passed") || r.out.contains("2 passed"));
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(m_server->requests.at(0).rawHeader("Authorization"), "Bearer " + token);
    QVERIFY(!r.out.contains(token) && !r.err.contains(token));
}

void TestCatToken::errors()
{
    // No registry entry: exit 1, one line, nothing sent.
    Run r = cat(QStringLiteral("nope"), sendHi());
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, QByteArray("gatehouse-cli cat: no application named 'nope'\n"));
    QVERIFY(r.out.isEmpty());

    createApp(QStringLiteral("app"));
    r = cat(QStringLiteral("app"), sendHi());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("gatehouse-cli cat: 'app' has no usable credential"),
             r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);

    QVERIFY(!issue(QStringLiteral("app"), QStringLiteral("token")).isEmpty());
    r = registry(
        {QStringLiteral("keys"), QStringLiteral("revoke"), newestId(QStringLiteral("app"))});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = cat(QStringLiteral("app"), sendHi());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("gatehouse-cli cat: 'app' has no usable credential (1 revoked "
                              "or expired"),
             r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(m_server->requests.isEmpty());
}

void TestCatToken::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    const QString url = QStringLiteral("ws://127.0.0.1:9/");
    QTest::newRow("db without token-from")
        << QStringList {QStringLiteral("-c"), url, QStringLiteral("--db"), QStringLiteral("x.db")}
        << QByteArray("--db goes with --token-from APP");
    QTest::newRow("token-header without token-from")
        << QStringList {QStringLiteral("-c"), url, QStringLiteral("--token-header"),
                        QStringLiteral("X-Key")}
        << QByteArray("--token-header goes with --token-from APP");
    QTest::newRow("listen") << QStringList {QStringLiteral("-l"), QStringLiteral("0"),
                                            QStringLiteral("--token-from"), QStringLiteral("app")}
                            << QByteArray("--token-from goes with --connect, not --listen");
    QTest::newRow("expect without -c")
        << QStringList {QStringLiteral("--expect"), QStringLiteral("x.yaml"),
                        QStringLiteral("--token-from"), QStringLiteral("app")}
        << QByteArray("--token-from is for the default connection; give it with -c URL");
    QTest::newRow("-H Authorization")
        << QStringList {QStringLiteral("-c"),           url,
                        QStringLiteral("--token-from"), QStringLiteral("app"),
                        QStringLiteral("-H"),           QStringLiteral("authorization: Bearer x")}
        << QByteArray("-H authorization: --token-from app sends that header");
    QTest::newRow("--auth") << QStringList {QStringLiteral("-c"),           url,
                                            QStringLiteral("--token-from"), QStringLiteral("app"),
                                            QStringLiteral("--auth"),       QStringLiteral("u:p")}
                            << QByteArray("--token-from app sends Authorization; --auth");
}

void TestCatToken::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    createApp(QStringLiteral("app"));
    QVERIFY(!issue(QStringLiteral("app"), QStringLiteral("token")).isEmpty());
    QStringList all = QStringList {QStringLiteral("cat")} + arguments;
    if (arguments.contains(QStringLiteral("--token-from")))
        all << QStringLiteral("--db") << m_db << QStringLiteral("--secrets-file") << m_secrets;
    const Run r = cli(all);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.startsWith(QByteArray("gatehouse-cli cat: " + message)), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(r.out.isEmpty());
}

void TestCatToken::unreachableKeychain()
{
    // Issued while secrets were not kept (GATEHOUSE_SECRETS=env): cat looks in the
    // store the user chose, the OS keychain by default, here without a Secret Service.
    createApp(QStringLiteral("app"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GATEHOUSE_SECRETS"), QStringLiteral("env"));
    const Run issued = registry(
        {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("app")}, true, env);
    QVERIFY2(issued.exitCode == 0, issued.err.constData());
    const QByteArray token = issued.out.trimmed();

    QProcessEnvironment noBus = QProcessEnvironment::systemEnvironment();
    noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                 QStringLiteral("unix:path=/nonexistent/gatehouse-test-bus"));
    noBus.insert(QStringLiteral("DISPLAY"), QString());
    Run r = cat(QStringLiteral("app"), sendHi(), true, noBus);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("gatehouse-cli cat: the keychain cannot be reached: "),
             r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(m_server->requests.isEmpty());

    // In the environment it was handed out through, it is found there.
    env.insert(QStringLiteral("GATEHOUSE_SECRET_") + newestId(QStringLiteral("app")).toUpper(),
               QString::fromLatin1(token));
    r = cat(QStringLiteral("app"), sendHi(), true, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(m_server->requests.last().rawHeader("Authorization"), "Bearer " + token);
    QVERIFY(!r.out.contains(token) && !r.err.contains(token));
}

QTEST_GUILESS_MAIN(TestCatToken)
#include "tst_cattoken.moc"
