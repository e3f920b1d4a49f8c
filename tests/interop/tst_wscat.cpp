// SPDX-License-Identifier: GPL-3.0-or-later
// Interop: wscat (npm) as the client through the gateway, with the commands of the
// WSO2 WebSocket tutorial, against a Chats backend written with the `ws` package.
#include "testsupport.h"

#include "asyncapi/asyncapireader.h"
#include "gateway/gateway.h"
#include "policy/policyfactory.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Gateway;

namespace {

const QString Token = QStringLiteral("tutorial-token-123");

struct Run
{
    int exitCode = -1;
    bool finished = false;
    QString output; // stdout + stderr
};

} // namespace

class TestWscat final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void notificationsWithBearerHeader();
    void roomWithAccessTokenQuery();
    void someoneJoinedReachesNotifications();
    void roomMessagesReachOtherMembers();
    void missingTokenIs401();
    void subprotocolReachesBackend();
    void wssWithNoCheck();

private:
    QProcess *startWscat(const QStringList &arguments);
    Run finish(QProcess *process, int timeoutMs = 20000);
    Run wscat(const QStringList &arguments, int timeoutMs = 20000)
    {
        return finish(startWscat(arguments), timeoutMs);
    }
    QString url(const QString &path, bool tls = false) const
    {
        return QStringLiteral("%1://127.0.0.1:%2%3")
            .arg(tls ? QStringLiteral("wss") : QStringLiteral("ws"))
            .arg(m_gateway->serverPort(tls ? 1 : 0))
            .arg(path);
    }

    QString m_node;
    QString m_wscat;
    QTemporaryDir m_dir;
    QProcess m_backend;
    QByteArray m_backendOutput;
    std::unique_ptr<Gatehouse::Gateway::Gateway> m_gateway;
};

void TestWscat::initTestCase()
{
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    m_wscat = QDir(Test::nodeModulesPath()).absoluteFilePath(QStringLiteral("wscat/bin/wscat"));
    if (m_node.isEmpty() || !QFile::exists(m_wscat))
        QSKIP("node or wscat is not installed (scripts/install-deps)");

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GATEHOUSE_NODE_MODULES"), Test::nodeModulesPath());
    m_backend.setProcessEnvironment(env);
    connect(&m_backend, &QProcess::readyReadStandardOutput, this,
            [this] { m_backendOutput += m_backend.readAllStandardOutput(); });
    m_backend.start(m_node, {Test::sourcePath(QStringLiteral("tests/interop/chats-backend.js"))});
    QTRY_VERIFY_WITH_TIMEOUT(m_backendOutput.contains("port "), 20000);
    const auto match = QRegularExpression(QStringLiteral("port (\\d+)"))
                           .match(QString::fromUtf8(m_backendOutput));
    QVERIFY(match.hasMatch());
    const QString backendPort = match.captured(1);

    ReadResult read = AsyncApiReader::readFile(
        Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")));
    QVERIFY(read.api);
    Api api = *read.api;
    api.gatehouse.endpoint = QStringLiteral("ws://127.0.0.1:") + backendPort;

    // a test certificate for wss, made by the openssl CLI
    QVERIFY(m_dir.isValid());
    const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
    const QString key = m_dir.filePath(QStringLiteral("key.pem"));
    const Test::ProcessResult openssl = Test::runProcess(
        QStringLiteral("openssl"),
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
         QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
         QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
         QStringLiteral("-subj"), QStringLiteral("/CN=localhost")});
    QCOMPARE(openssl.exitCode, 0);

    Policies::PolicyFactory::Options options;
    options.verifier = [](const QString &secret, const Api &) {
        if (secret != Token)
            return Policies::CredentialCheck::fail(
                Policies::CredentialCheck::Outcome::Unauthenticated,
                QStringLiteral("unknown credential"));
        ConnectionIdentity identity;
        identity.applicationId = QStringLiteral("app_tutorial");
        identity.applicationName = QStringLiteral("tutorial");
        Plan plan;
        plan.name = QStringLiteral("Unlimited");
        return Policies::CredentialCheck::ok(identity, plan);
    };
    m_gateway = std::make_unique<Gatehouse::Gateway::Gateway>();
    m_gateway->setPolicyProvider(std::make_shared<Policies::PolicyFactory>(options));
    ListenerConfig ws;
    ws.port = 0;
    ListenerConfig wss = ws;
    wss.tls = true;
    wss.certificateFile = cert;
    wss.privateKeyFile = key;
    QVERIFY2(m_gateway->start({ws, wss}, {api}), qPrintable(m_gateway->errorString()));
}

void TestWscat::cleanupTestCase()
{
    m_gateway.reset();
    if (m_backend.state() != QProcess::NotRunning) {
        m_backend.kill();
        m_backend.waitForFinished(5000);
    }
}

QProcess *TestWscat::startWscat(const QStringList &arguments)
{
    auto *process = new QProcess(this);
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->start(m_node, QStringList {m_wscat, QStringLiteral("--no-color")} + arguments);
    return process;
}

Run TestWscat::finish(QProcess *process, int timeoutMs)
{
    // wait with the event loop running: the gateway object lives in this thread
    Run run;
    QByteArray output;
    QDeadlineTimer deadline(timeoutMs);
    while (process->state() != QProcess::NotRunning && !deadline.hasExpired()) {
        QTest::qWait(20);
        output += process->readAll();
    }
    run.finished = process->state() == QProcess::NotRunning;
    if (!run.finished) {
        process->kill();
        process->waitForFinished(5000);
    }
    output += process->readAll();
    run.exitCode = process->exitCode();
    run.output = QString::fromUtf8(output);
    process->deleteLater();
    return run;
}

void TestWscat::notificationsWithBearerHeader()
{
    // wscat -c ws://localhost:9099/chats/1.0.0/notifications -H "Authorization: Bearer $TOKEN"
    const Run r = wscat({QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/notifications")),
                         QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + Token,
                         QStringLiteral("-w"), QStringLiteral("1"), QStringLiteral("-x"),
                         QStringLiteral("hi")});
    QVERIFY(r.finished);
    QVERIFY2(r.output.contains(u"Subscribed to notifications!"), qPrintable(r.output));
}

void TestWscat::roomWithAccessTokenQuery()
{
    // the ?access_token= form, for clients that cannot set headers
    const Run r = wscat({QStringLiteral("-c"),
                         url(QStringLiteral("/chats/1.0.0/rooms/room1?access_token=") + Token),
                         QStringLiteral("-w"), QStringLiteral("1"), QStringLiteral("-x"),
                         QStringLiteral("hello")});
    QVERIFY(r.finished);
    QVERIFY2(r.output.contains(u"You joined room1!"), qPrintable(r.output));
    // the backend saw the mapped URL, without the token, and who the client is
    QTRY_VERIFY(m_backendOutput.contains("open /rooms?room=room1 xff=127.0.0.1"));
    QVERIFY(!m_backendOutput.contains(Token.toUtf8()));
}

void TestWscat::someoneJoinedReachesNotifications()
{
    QProcess *listener = startWscat(
        {QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/notifications")),
         QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + Token,
         QStringLiteral("-w"), QStringLiteral("4"), QStringLiteral("-x"), QStringLiteral("hi")});
    QTRY_VERIFY_WITH_TIMEOUT(m_backendOutput.count("open /notifications") >= 2, 15000);
    const Run joiner = wscat(
        {QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/rooms/room7")),
         QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + Token,
         QStringLiteral("-w"), QStringLiteral("1"), QStringLiteral("-x"), QStringLiteral("hi")});
    QVERIFY2(joiner.output.contains(u"You joined room7!"), qPrintable(joiner.output));
    const Run r = finish(listener);
    QVERIFY2(r.output.contains(u"Someone joined room7!"), qPrintable(r.output));
}

void TestWscat::roomMessagesReachOtherMembers()
{
    QProcess *member = startWscat(
        {QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/rooms/lobby")),
         QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + Token,
         QStringLiteral("-w"), QStringLiteral("4"), QStringLiteral("-x"), QStringLiteral("here")});
    QTRY_VERIFY_WITH_TIMEOUT(m_backendOutput.contains("open /rooms?room=lobby"), 15000);
    const Run sender
        = wscat({QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/rooms/lobby")),
                 QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + Token,
                 QStringLiteral("-w"), QStringLiteral("1"), QStringLiteral("-x"),
                 QStringLiteral("Hello everyone!")});
    QVERIFY(sender.finished);
    const Run r = finish(member);
    QVERIFY2(r.output.contains(u"Hello everyone!"), qPrintable(r.output));
}

void TestWscat::missingTokenIs401()
{
    const Run r = wscat({QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/notifications"))});
    QVERIFY(r.finished);
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.output.contains(u"401"), qPrintable(r.output));
    const Run unknown
        = wscat({QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/nothing")),
                 QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + Token});
    QVERIFY2(unknown.output.contains(u"404"), qPrintable(unknown.output));
}

void TestWscat::subprotocolReachesBackend()
{
    const Run r = wscat({QStringLiteral("-c"), url(QStringLiteral("/chats/1.0.0/rooms/proto")),
                         QStringLiteral("-s"), QStringLiteral("chat.v2"), QStringLiteral("-H"),
                         QStringLiteral("Authorization: Bearer ") + Token, QStringLiteral("-w"),
                         QStringLiteral("1"), QStringLiteral("-x"), QStringLiteral("hi")});
    // ws (the wscat library) fails the connection if the answer lacks the offered protocol
    QVERIFY2(r.output.contains(u"You joined proto!"), qPrintable(r.output));
    QTRY_VERIFY(m_backendOutput.contains("open /rooms?room=proto xff=127.0.0.1 protocol=chat.v2"));
}

void TestWscat::wssWithNoCheck()
{
    // wscat -n -c wss://localhost:8099/chats/1.0.0/notifications -H "Authorization: Bearer $TOKEN"
    const Run r
        = wscat({QStringLiteral("-n"), QStringLiteral("-c"),
                 url(QStringLiteral("/chats/1.0.0/notifications"), true), QStringLiteral("-H"),
                 QStringLiteral("Authorization: Bearer ") + Token, QStringLiteral("-w"),
                 QStringLiteral("1"), QStringLiteral("-x"), QStringLiteral("hi")});
    QVERIFY(r.finished);
    QVERIFY2(r.output.contains(u"Subscribed to notifications!"), qPrintable(r.output));
}

QTEST_GUILESS_MAIN(TestWscat)
#include "tst_wscat.moc"
