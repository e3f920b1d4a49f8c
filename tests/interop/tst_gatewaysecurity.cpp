// SPDX-License-Identifier: GPL-3.0-or-later
// The gateway tried as an attacker on loopback would try it, in front of a backend
// written as Node services usually are (the `ws` package, routing on
// new URL(req.url, base).pathname): `gatehouse-cli serve` with a real credential
// registry, message log and JSON Lines log, and raw TCP clients that send exactly
// the bytes under test. What the backend read is what it tells each connection.
#include "testsupport.h"

#include "api/json.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

namespace {

struct Answer
{
    int status = 0;
    QByteArray head;
    QByteArray body; // a refusal's text
    QJsonObject seen; // 101: what the backend read (its first message)
    QList<QByteArray> messages; // 101: every text message that arrived
};

// Reads server-to-client (unmasked) text frames from `data`; returns what is left.
QByteArray takeFrames(QByteArray data, QList<QByteArray> *messages)
{
    while (data.size() >= 2) {
        qsizetype length = quint8(data.at(1)) & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (data.size() < 4)
                break;
            length = (quint8(data.at(2)) << 8) | quint8(data.at(3));
            header = 4;
        }
        if (data.size() < header + length)
            break;
        if ((quint8(data.at(0)) & 0x0f) == 1)
            messages->append(data.mid(header, length));
        data.remove(0, header + length);
    }
    return data;
}

// A file's bytes as they are now; empty when it cannot be read.
QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestGatewaySecurity final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void parametersCannotWalkTheBackendPath_data();
    void parametersCannotWalkTheBackendPath();
    void parametersAreReEncoded_data();
    void parametersAreReEncoded();
    void mixedAuthTypesNeedCredentials();
    void mappedQueryParametersCannotBeAdded();
    void onlyTheVerifiedAuthorizationIsForwarded();
    void noPartOfASecretIsLogged();
    void logShowsWhatWasSent();
    void filesArePrivate();

private:
    QStringList credentialOptions() const
    {
        return {QStringLiteral("--db"), m_dir.filePath(QStringLiteral("registry.db")),
                QStringLiteral("--secrets-file"), m_dir.filePath(QStringLiteral("secrets"))};
    }
    Test::ProcessResult cli(QStringList arguments)
    {
        return Test::runCli(arguments << credentialOptions());
    }
    QString issue(const QStringList &extra = {})
    {
        const auto r = cli(
            QStringList {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("tester")}
            + extra);
        return r.exitCode == 0 ? QString::fromUtf8(r.standardOutput).trimmed() : QString();
    }
    Answer upgrade(const QByteArray &target, const QByteArray &headers = {},
                   int messages = 1) const;

    QString m_node;
    QTemporaryDir m_dir;
    QProcess m_backend;
    QByteArray m_backendOutput;
    QProcess m_serve;
    QByteArray m_serveOutput;
    QString m_backendOrigin;
    quint16 m_port = 0;
    QString m_token; // no scopes
    QString m_adminToken; // scope admin
};

Answer TestGatewaySecurity::upgrade(const QByteArray &target, const QByteArray &headers,
                                    int messages) const
{
    Answer answer;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(5000))
        return answer;
    socket.write("GET " + target
                 + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 + headers + "\r\n");
    QByteArray data;
    QDeadlineTimer deadline(10000);
    while (!data.contains("\r\n\r\n") && !deadline.hasExpired()
           && socket.state() == QAbstractSocket::ConnectedState)
        if (socket.waitForReadyRead(100))
            data += socket.readAll();
    data += socket.readAll();
    const qsizetype end = data.indexOf("\r\n\r\n");
    answer.head = end < 0 ? data : data.left(end);
    answer.status = answer.head.left(answer.head.indexOf("\r\n")).split(' ').value(1).toInt();
    QByteArray rest = end < 0 ? QByteArray() : data.mid(end + 4);
    if (answer.status != 101) {
        while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState)
            if (socket.waitForReadyRead(100))
                rest += socket.readAll();
        answer.body = rest + socket.readAll();
        return answer;
    }
    rest = takeFrames(rest, &answer.messages);
    while (answer.messages.size() < messages && !deadline.hasExpired()
           && socket.state() == QAbstractSocket::ConnectedState) {
        if (socket.waitForReadyRead(100))
            rest = takeFrames(rest + socket.readAll(), &answer.messages);
    }
    if (!answer.messages.isEmpty())
        answer.seen = QJsonDocument::fromJson(answer.messages.constFirst()).object();
    socket.write(QByteArray::fromHex("8882112233441208")); // close 1000, masked
    socket.waitForBytesWritten(1000);
    return answer;
}

void TestGatewaySecurity::initTestCase()
{
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (m_node.isEmpty()
        || !QFile::exists(QDir(Test::nodeModulesPath()).filePath(QStringLiteral("ws"))))
        QSKIP("node or the ws package is not installed (scripts/install-deps)");
    QVERIFY(m_dir.isValid());

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GATEHOUSE_NODE_MODULES"), Test::nodeModulesPath());
    m_backend.setProcessEnvironment(env);
    connect(&m_backend, &QProcess::readyReadStandardOutput, this,
            [this] { m_backendOutput += m_backend.readAllStandardOutput(); });
    m_backend.start(m_node, {Test::sourcePath(QStringLiteral("tests/interop/probe-backend.js"))});
    QTRY_VERIFY_WITH_TIMEOUT(m_backendOutput.contains("port "), 20000);
    const QString backendPort = QRegularExpression(QStringLiteral("port (\\d+)"))
                                    .match(QString::fromUtf8(m_backendOutput))
                                    .captured(1);
    m_backendOrigin = QStringLiteral("ws://127.0.0.1:") + backendPort;

    const QString api = m_dir.filePath(QStringLiteral("notes.asyncapi.yaml"));
    QFile doc(api);
    QVERIFY(doc.open(QIODevice::WriteOnly));
    doc.write(R"(asyncapi: 2.6.0
info:
  title: Notes
  version: 1.0.0
x-gatehouse:
  context: /n
  endpoint: )" + m_backendOrigin.toUtf8()
              + R"(
  forwardHeaders: [Authorization]
channels:
  /files/{name}:
    parameters:
      name:
        schema: {type: string}
    subscribe:
      x-auth-type: None
  /docs/{path}:
    parameters:
      path:
        schema: {type: string, pattern: '^[a-z]+(/[a-z]+)*$'}
    subscribe:
      x-auth-type: None
  /secure:
    subscribe:
      x-auth-type: Any
      x-uri-mapping: /secure
  /mixed/{id}:
    parameters:
      id:
        schema: {type: string}
    publish:
      x-auth-type: None
    subscribe:
      x-scopes: [admin]
  /public:
    subscribe:
      x-auth-type: None
      x-uri-mapping: /feed?type=public
  /private:
    subscribe:
      x-uri-mapping: /feed?type=private
)");
    doc.close();

    auto r = cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("tester")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    r = cli({QStringLiteral("subscribe"), QStringLiteral("tester"), QStringLiteral("--api"), api,
             QStringLiteral("--plan"), QStringLiteral("AsyncUnlimited")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    m_token = issue();
    QVERIFY(m_token.startsWith(u"gh_at_"));
    m_adminToken = issue({QStringLiteral("--scopes"), QStringLiteral("admin")});
    QVERIFY(m_adminToken.startsWith(u"gh_at_"));

    m_serve.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_serve, &QProcess::readyRead, this, [this] { m_serveOutput += m_serve.readAll(); });
    m_serve.start(QStringLiteral(GATEHOUSE_CLI_PATH),
                  QStringList {QStringLiteral("serve"), api, QStringLiteral("--listen"),
                               QStringLiteral("127.0.0.1:0"), QStringLiteral("-v"),
                               QStringLiteral("--log-db"), m_dir.filePath(QStringLiteral("log.db")),
                               QStringLiteral("--log-file"),
                               m_dir.filePath(QStringLiteral("log.jsonl"))}
                      + credentialOptions());
    const QRegularExpression listening(QStringLiteral("^listening on ws://127\\.0\\.0\\.1:(\\d+)"),
                                       QRegularExpression::MultilineOption);
    QTRY_VERIFY2_WITH_TIMEOUT(listening.match(QString::fromUtf8(m_serveOutput)).hasMatch(),
                              m_serveOutput.constData(), 20000);
    m_port = quint16(listening.match(QString::fromUtf8(m_serveOutput)).captured(1).toUInt());
}

void TestGatewaySecurity::cleanupTestCase()
{
    for (QProcess *p : {&m_serve, &m_backend}) {
        if (p->state() == QProcess::NotRunning)
            continue;
        p->terminate();
        if (!p->waitForFinished(10000))
            p->kill();
        p->waitForFinished(5000);
    }
}

void TestGatewaySecurity::parametersCannotWalkTheBackendPath_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");

    // the control: the authenticated channel without a credential
    QTest::newRow("secure-without-credential") << QByteArray("/n/1.0.0/secure") << 401;
    QTest::newRow("backslash") << QByteArray("/n/1.0.0/files/..\\secure") << 400;
    QTest::newRow("encoded-dots-backslash") << QByteArray("/n/1.0.0/files/%2e%2e\\secure") << 400;
    QTest::newRow("all-encoded") << QByteArray("/n/1.0.0/files/%2E%2E%5Csecure") << 400;
    QTest::newRow("encoded-slash") << QByteArray("/n/1.0.0/files/..%2Fsecure") << 400;
    QTest::newRow("twice-encoded-slash") << QByteArray("/n/1.0.0/files/..%252Fsecure") << 400;
    QTest::newRow("twice-encoded-dots") << QByteArray("/n/1.0.0/files/%252e%252e") << 400;
    QTest::newRow("dot-dot") << QByteArray("/n/1.0.0/files/%2e%2e") << 404;
    QTest::newRow("pattern-refuses-dots") << QByteArray("/n/1.0.0/docs/..%2Fsecure") << 400;
    QTest::newRow("tab-in-target") << QByteArray("/n/1.0.0/files/a\tb") << 400;
}

void TestGatewaySecurity::parametersCannotWalkTheBackendPath()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    const Answer a = upgrade(target);
    QVERIFY2(a.status == status, a.head.constData());
    QVERIFY(a.messages.isEmpty());
    if (status == 400)
        QVERIFY2(a.body.contains("must not") || a.body.contains("bad request target"),
                 a.body.constData());
}

void TestGatewaySecurity::parametersAreReEncoded_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("backendTarget");
    QTest::addColumn<QString>("pathname");

    QTest::newRow("plain") << QByteArray("/n/1.0.0/files/report") << u"/files/report"_qs
                           << u"/files/report"_qs;
    QTest::newRow("semicolon") << QByteArray("/n/1.0.0/files/..;x") << u"/files/..%3Bx"_qs
                               << u"/files/..%3Bx"_qs;
    QTest::newRow("utf8") << QByteArray("/n/1.0.0/files/caf\xc3\xa9") << u"/files/caf%C3%A9"_qs
                          << u"/files/caf%C3%A9"_qs;
    QTest::newRow("lower-case-escape")
        << QByteArray("/n/1.0.0/files/a%20b") << u"/files/a%20b"_qs << u"/files/a%20b"_qs;
    QTest::newRow("trailing-slash")
        << QByteArray("/n/1.0.0/files/x/") << u"/files/x"_qs << u"/files/x"_qs;
    // the parameter's pattern allows '/': it goes on encoded, one segment
    QTest::newRow("schema-allows-slash") << QByteArray("/n/1.0.0/docs/guide%2Fintro")
                                         << u"/docs/guide%2Fintro"_qs << u"/docs/guide%2Fintro"_qs;
    QTest::newRow("query-kept-encoded") << QByteArray("/n/1.0.0/files/x?q=%0D%0Aa&r=\xc3\xa9")
                                        << u"/files/x?q=%0D%0Aa&r=%C3%A9"_qs << u"/files/x"_qs;
}

void TestGatewaySecurity::parametersAreReEncoded()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, backendTarget);
    QFETCH(QString, pathname);
    const Answer a = upgrade(target);
    QVERIFY2(a.status == 101, a.head.constData());
    QCOMPARE(a.seen.value(u"target").toString(), backendTarget);
    QCOMPARE(a.seen.value(u"pathname").toString(), pathname);
}

void TestGatewaySecurity::mixedAuthTypesNeedCredentials()
{
    // publish says None, subscribe says nothing (Any): the channel is not open
    QCOMPARE(upgrade("/n/1.0.0/mixed/1").status, 401);
    QCOMPARE(upgrade("/n/1.0.0/mixed/1", "Authorization: Bearer gh_at_bogus\r\n").status, 401);
    const Answer noScope
        = upgrade("/n/1.0.0/mixed/1", "Authorization: Bearer " + m_token.toLatin1() + "\r\n");
    QCOMPARE(noScope.status, 403);
    QVERIFY2(noScope.body.contains("admin"), noScope.body.constData());
    QCOMPARE(
        upgrade("/n/1.0.0/mixed/1", "Authorization: Bearer " + m_adminToken.toLatin1() + "\r\n")
            .status,
        101);
    // and `validate` says so
    const auto r = Test::runCli(
        {QStringLiteral("validate"), m_dir.filePath(QStringLiteral("notes.asyncapi.yaml"))});
    QCOMPARE(r.exitCode, 0);
    const QByteArray said = r.standardOutput + r.standardError;
    QVERIFY2(said.contains("/mixed/{id}"), said.constData());
}

void TestGatewaySecurity::mappedQueryParametersCannotBeAdded()
{
    const Answer dup = upgrade("/n/1.0.0/public?type=private");
    QCOMPARE(dup.status, 400);
    QVERIFY2(dup.body.contains("'type'"), dup.body.constData());
    QCOMPARE(upgrade("/n/1.0.0/public?TYPE=private").status, 400);
    QCOMPARE(upgrade("/n/1.0.0/public?%74ype=private").status, 400);
    const Answer ok = upgrade("/n/1.0.0/public?since=5");
    QCOMPARE(ok.status, 101);
    QCOMPARE(ok.seen.value(u"target").toString(), u"/feed?type=public&since=5"_qs);
}

void TestGatewaySecurity::onlyTheVerifiedAuthorizationIsForwarded()
{
    const QByteArray token = m_token.toLatin1();
    // the verified bearer token is forwarded (forwardHeaders: [Authorization])
    Answer a = upgrade("/n/1.0.0/secure", "Authorization: Bearer " + token + "\r\n", 2);
    QCOMPARE(a.status, 101);
    QCOMPARE(a.seen.value(u"authorization").toArray().size(), 1);
    QCOMPARE(a.seen.value(u"authorization").toArray().at(0).toString(),
             QStringLiteral("Bearer ") + m_token);
    QCOMPARE(a.messages.value(1), QByteArray("SECRET"));
    // a Basic header beside the query credential was never checked: not forwarded
    a = upgrade("/n/1.0.0/secure?access_token=" + token,
                "Authorization: Basic YWRtaW46YWRtaW4=\r\n");
    QCOMPARE(a.status, 101);
    QCOMPARE(a.seen.value(u"authorization").toArray().size(), 0);
    QCOMPARE(a.seen.value(u"target").toString(), u"/secure"_qs);
    // two Authorization headers: refused
    a = upgrade("/n/1.0.0/secure",
                "Authorization: Bearer " + token + "\r\nAuthorization: Bearer other\r\n");
    QCOMPARE(a.status, 400);
    QVERIFY2(a.body.contains("more than one Authorization"), a.body.constData());
}

void TestGatewaySecurity::noPartOfASecretIsLogged()
{
    // a token sent without "Bearer ": the reason must not quote it
    const QByteArray token = m_token.toLatin1();
    const Answer a = upgrade("/n/1.0.0/secure", "Authorization: " + token + "\r\n");
    QCOMPARE(a.status, 401);
    const QByteArray fragment = token.left(12); // gh_at_ and six characters of the secret
    const QByteArray answer = a.head + a.body;
    QVERIFY2(!answer.contains(fragment), answer.constData());
    QTRY_VERIFY_WITH_TIMEOUT(m_serveOutput.contains("is not \"Bearer TOKEN\""), 10000);
    QVERIFY2(!m_serveOutput.contains(fragment), m_serveOutput.constData());
    const QString jsonl = m_dir.filePath(QStringLiteral("log.jsonl"));
    QTRY_VERIFY_WITH_TIMEOUT(contents(jsonl).contains("is not \\\"Bearer TOKEN\\\""), 10000);
    QVERIFY(!contents(jsonl).contains(fragment));
    for (const char *name : {"log.db", "log.db-wal"})
        QVERIFY(!contents(m_dir.filePath(QLatin1String(name))).contains(fragment));
}

void TestGatewaySecurity::logShowsWhatWasSent()
{
    const Answer a = upgrade("/n/1.0.0/files/..;x?since=%0A1&access_token=abc");
    QCOMPARE(a.status, 101);
    const QString sent = m_backendOrigin + a.seen.value(u"target").toString();
    QCOMPARE(a.seen.value(u"target").toString(), u"/files/..%3Bx?since=%0A1"_qs);
    // -v and the JSON Lines log name exactly that URL
    const QByteArray line = "-> " + sent.toUtf8() + '\n';
    QTRY_VERIFY2_WITH_TIMEOUT(m_serveOutput.contains(line), m_serveOutput.constData(), 10000);
    const QString jsonl = m_dir.filePath(QStringLiteral("log.jsonl"));
    auto logged = [&] {
        for (const QByteArray &line : contents(jsonl).split('\n'))
            if (QJsonDocument::fromJson(line).object().value(u"backend").toString() == sent)
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(logged(), 10000);
}

void TestGatewaySecurity::filesArePrivate()
{
    for (const char *name :
         {"log.db", "log.jsonl", "registry.db", "log.db-wal", "registry.db-wal"}) {
        const QFileInfo info(m_dir.filePath(QLatin1String(name)));
        if (!info.exists() && QByteArrayView(name).endsWith("-wal"))
            continue; // checkpointed away
        QVERIFY2(info.exists(), name);
        QCOMPARE(
            info.permissions()
                & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
            QFile::Permissions());
    }
}

QTEST_GUILESS_MAIN(TestGatewaySecurity)
#include "tst_gatewaysecurity.moc"
