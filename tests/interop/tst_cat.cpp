// SPDX-License-Identifier: GPL-3.0-or-later
// Interop: `gatehouse-cli cat` and wscat (npm) on the same scripted sessions against
// servers in this process must print the same lines and end with the same exit code;
// then what cat does beyond wscat (piped input, --json, --count, --timeout, --hex,
// scenarios with --expect and their JUnit report).
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QXmlStreamReader>

using namespace Gatehouse;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// A server for the sessions: echoes, or says `greeting` and closes with `closeCode`.
class SessionServer final : public QObject
{
public:
    SessionServer()
        : m_server(QStringLiteral("session"), QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
                if (closeCode) {
                    s->sendTextMessage(greeting);
                    QTimer::singleShot(200, s, [this, s] {
                        s->close(QWebSocketProtocol::CloseCode(closeCode), closeReason);
                    });
                    continue;
                }
                connect(s, &QWebSocket::textMessageReceived, s,
                        [s](const QString &m) { s->sendTextMessage(m); });
                connect(s, &QWebSocket::binaryMessageReceived, s,
                        [s](const QByteArray &m) { s->sendBinaryMessage(m); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()); }
    int closeCode = 0;
    QString greeting;
    QString closeReason;

private:
    QWebSocketServer m_server;
};

// Answers every upgrade with `answer`.
class RefusingServer final : public QObject
{
public:
    explicit RefusingServer(QByteArray answer)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this, answer] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s, answer] {
                    if (s->readAll().contains("\r\n\r\n")) {
                        s->write(answer);
                        s->disconnectFromHost();
                    }
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()); }

private:
    QTcpServer m_server;
};

} // namespace

class TestCat final : public QObject
{
    Q_OBJECT

private:
    QString m_node;
    QString m_wscat;

    // Runs a program with the event loop going (the servers live in this process).
    // Standard input gets `input` and stays open unless `closeInput`.
    Run run(const QString &program, const QStringList &arguments, const QByteArray &input = {},
            bool closeInput = false, int timeoutMs = 20000)
    {
        QProcess process;
        process.start(program, arguments);
        if (!process.waitForStarted(10000))
            return {};
        if (!input.isEmpty())
            process.write(input);
        if (closeInput)
            process.closeWriteChannel();
        if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }
    Run cat(const QStringList &arguments, const QByteArray &input = {}, bool closeInput = false)
    {
        return run(QStringLiteral(GATEHOUSE_CLI_PATH),
                   QStringList {QStringLiteral("cat")} + arguments, input, closeInput);
    }
    Run wscat(const QStringList &arguments)
    {
        return run(m_node, QStringList {m_wscat} + arguments);
    }
    static QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
    {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
            return {};
        return file.fileName();
    }
    // The counts of a JUnit report: tests, failures, errors, skipped (of the testsuite)
    // and the testcase elements in it; empty when the XML does not parse.
    static QList<int> junitCounts(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QXmlStreamReader xml(&file);
        QList<int> counts;
        int cases = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == u"testsuite")
                for (const char *a : {"tests", "failures", "errors", "skipped"})
                    counts.append(xml.attributes().value(QLatin1StringView(a)).toInt());
            else if (xml.name() == u"testcase")
                ++cases;
        }
        if (xml.hasError())
            return {};
        return counts << cases;
    }

private slots:
    void initTestCase()
    {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        m_wscat = QDir(Test::nodeModulesPath()).absoluteFilePath(QStringLiteral("wscat/bin/wscat"));
        QVERIFY2(!m_node.isEmpty() && QFile::exists(m_wscat),
                 "node and wscat are installed by scripts/install-deps");
    }

    // The same session through both: the same lines, the same exit code.
    void sameAsWscat_data()
    {
        QTest::addColumn<QString>("session");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("out");
        QTest::addColumn<QByteArray>("err");
        QTest::newRow("echo") << "echo"
                              << QStringList {QStringLiteral("-x"), QStringLiteral("hello"),
                                              QStringLiteral("-x"), QStringLiteral("wörld"),
                                              QStringLiteral("-w"), QStringLiteral("1")}
                              << 0 << QByteArray("hello\nwörld\n") << QByteArray();
        QTest::newRow("json") << "echo"
                              << QStringList {QStringLiteral("-x"),
                                              QStringLiteral(R"({"type":"join","room":"r1"})"),
                                              QStringLiteral("-w"), QStringLiteral("1")}
                              << 0
                              << QByteArray(R"({"type":"join","room":"r1"})"
                                            "\n")
                              << QByteArray();
        QTest::newRow("refused") << "refused" << QStringList() << 255 << QByteArray()
                                 << QByteArray("error: connect ECONNREFUSED 127.0.0.1:PORT\n");
        QTest::newRow("401") << "401" << QStringList() << 255 << QByteArray()
                             << QByteArray("error: Unexpected server response: 401\n");
        QTest::newRow("server closes")
            << "closes" << QStringList() << 0 << QByteArray("bye\n") << QByteArray();
    }
    void sameAsWscat()
    {
        QFETCH(QString, session);
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, out);
        QFETCH(QByteArray, err);
        SessionServer echo;
        SessionServer closing;
        closing.closeCode = 4001;
        closing.greeting = QStringLiteral("bye");
        closing.closeReason = QStringLiteral("see you");
        RefusingServer unauthorized("HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\n"
                                    "unauthorized");
        const quint16 closedPort = Test::freePort();
        QString url = session == u"echo" ? echo.url()
            : session == u"closes"       ? closing.url()
            : session == u"401"          ? unauthorized.url()
                                         : QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort);
        err.replace("PORT", QByteArray::number(closedPort));
        const QStringList args = QStringList {QStringLiteral("-c"), url} + arguments;

        const Run theirs = wscat(args);
        const Run ours = cat(args);
        QCOMPARE(theirs.exitCode, exitCode);
        QCOMPARE(theirs.out, out);
        QCOMPARE(theirs.err, err);
        QCOMPARE(ours.exitCode, theirs.exitCode);
        QCOMPARE(ours.out, theirs.out);
        QCOMPARE(ours.err, theirs.err);
    }

    // Beyond wscat: lines piped in are sent, the replies written, and the end of the
    // input closes the connection cleanly.
    void pipes()
    {
        SessionServer echo;
        const Run r = cat({QStringLiteral("-c"), echo.url()}, "one\ntwo\nthree\n", true);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray("one\ntwo\nthree\n"));
        QCOMPARE(r.err, QByteArray());
    }

    void jsonCountAndHex()
    {
        SessionServer echo;
        Run r = cat({QStringLiteral("-c"), echo.url(), QStringLiteral("--json"),
                     QStringLiteral("--count"), QStringLiteral("2")},
                    "a\nb\nc\n");
        QCOMPARE(r.exitCode, 0);
        QStringList kinds;
        int received = 0;
        for (const QByteArray &line : r.out.trimmed().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QVERIFY2(!o.isEmpty(), line.constData());
            QVERIFY(o.contains(u"time"));
            kinds.append(o.value(u"kind").toString());
            if (o.value(u"kind").toString() == u"received")
                ++received;
        }
        QCOMPARE(received, 2); // --count 2 closed it after the second
        QCOMPARE(kinds.mid(0, 4),
                 QStringList({QStringLiteral("connecting"), QStringLiteral("request"),
                              QStringLiteral("response"), QStringLiteral("opened")}));
        QCOMPARE(kinds.constLast(), QStringLiteral("closed"));

        r = cat(
            {QStringLiteral("-c"), QStringLiteral("ws://127.0.0.1:1/"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 255);
        QVERIFY(r.out.contains("\"kind\":\"error\""));
    }

    void timeoutAndUsage()
    {
        SessionServer echo;
        // stays open (input open): the timeout ends it with 1
        Run r = cat(
            {QStringLiteral("-c"), echo.url(), QStringLiteral("--timeout"), QStringLiteral("0.5")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error: timeout"), r.err.constData());

        r = cat({QStringLiteral("-c"), echo.url(), QStringLiteral("-l"), QStringLiteral("0")});
        QCOMPARE(r.exitCode, 255);
        QCOMPARE(r.err, QByteArray("\x1b[33merror: Use either --listen or --connect\x1b[39m\n"));
        r = cat({QStringLiteral("-c"), QStringLiteral("ftp://nowhere/")});
        QCOMPARE(r.exitCode, 255);
        QVERIFY2(r.err.contains("use ws:// or wss://"), r.err.constData());
        r = cat({QStringLiteral("-c"), echo.url(), QStringLiteral("--count"), QStringLiteral("x")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("gatehouse-cli cat: --count 'x'"), r.err.constData());
    }

    // --expect: a line per step, a summary, exit 0 when all pass, and a JUnit report.
    void expectPasses()
    {
        SessionServer echo;
        QTemporaryDir dir;
        const QString file = writeFile(dir, QStringLiteral("echo.yaml"), R"(steps:
  - send: hello
  - expect: {text: hello}
    within: 2s
  - send: {type: join}
  - expect: {match: {type: join}}
)");
        const QString junit = dir.filePath(QStringLiteral("report.xml"));
        const Run r = cat({QStringLiteral("-c"), echo.url(), QStringLiteral("--expect"), file,
                           QStringLiteral("--junit"), junit});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err, QByteArray());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        QVERIFY2(lines.at(0).startsWith("ok 1 send \"hello\" ("), lines.at(0).constData());
        QVERIFY2(lines.at(1).startsWith("ok 2 expect text \"hello\" ("), lines.at(1).constData());
        QVERIFY2(lines.at(3).startsWith("ok 4 expect match {\"type\":\"join\"} ("),
                 lines.at(3).constData());
        QVERIFY(lines.at(3).endsWith(" ms)"));
        QCOMPARE(lines.at(4), QByteArray("4 passed, 0 failed"));
        QCOMPARE(junitCounts(junit), QList<int>({4, 0, 0, 0, 4}));

        // named connections need no -c
        const QString named = writeFile(dir, QStringLiteral("named.yaml"),
                                        "connections:\n  alice: " + echo.url().toUtf8()
                                            + "\nsteps:\n  - alice: {send: hi}\n  - alice: "
                                              "{expect: hi}\n");
        const Run n = cat({QStringLiteral("--expect"), named});
        QCOMPARE(n.exitCode, 0);
        QVERIFY2(n.out.startsWith("ok 1 alice send \"hi\" ("), n.out.constData());
    }

    void expectFails()
    {
        SessionServer echo;
        QTemporaryDir dir;
        const QString file = writeFile(dir, QStringLiteral("fails.yaml"), R"(steps:
  - send: hello
  - expect: {text: bye}
    within: 300ms
  - close: 1000
)");
        const QString junit = dir.filePath(QStringLiteral("report.xml"));
        const Run r = cat({QStringLiteral("-c"), echo.url(), QStringLiteral("--expect"), file,
                           QStringLiteral("--junit"), junit});
        QCOMPARE(r.exitCode, 1);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines.at(1).startsWith("FAILED 2 expect text \"bye\" ("), lines.at(1).constData());
        QVERIFY2(lines.at(1).endsWith(" ms): no match within 300 ms; got \"hello\""),
                 lines.at(1).constData());
        QCOMPARE(lines.at(2), QByteArray("skipped 3 close 1000: step 2 failed"));
        QCOMPARE(lines.at(3), QByteArray("1 passed, 1 failed, 1 skipped"));
        QCOMPARE(junitCounts(junit), QList<int>({3, 1, 0, 1, 3}));
    }

    void expectConnectionErrorAndUsage()
    {
        RefusingServer unauthorized("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        QTemporaryDir dir;
        const QString file = writeFile(dir, QStringLiteral("s.yaml"), "steps:\n  - send: hi\n");
        const QString junit = dir.filePath(QStringLiteral("report.xml"));
        Run r = cat({QStringLiteral("-c"), unauthorized.url(), QStringLiteral("--expect"), file,
                     QStringLiteral("--junit"), junit});
        QCOMPARE(r.exitCode, 255);
        QCOMPARE(r.out, QByteArray());
        QCOMPARE(r.err, QByteArray("error: Unexpected server response: 401\n"));
        QCOMPARE(junitCounts(junit), QList<int>({2, 0, 1, 1, 2}));

        const QString bad = writeFile(dir, QStringLiteral("bad.yaml"),
                                      "steps:\n  - send: hi\n  - expect: hi\n    within: soon\n");
        r = cat({QStringLiteral("-c"), unauthorized.url(), QStringLiteral("--expect"), bad});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err,
                 "gatehouse-cli cat: " + bad.toUtf8()
                     + ":4: step 2: 'within' must be a duration such as 200ms\n");
        r = cat({QStringLiteral("--expect"), file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(":2: step 1 names no connection"), r.err.constData());
        r = cat({QStringLiteral("--expect"), file, QStringLiteral("-H"), QStringLiteral("X: 1")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err,
                 QByteArray("gatehouse-cli cat: --header is for the default connection; "
                            "give it with -c URL\n"));
        r = cat({QStringLiteral("-c"), unauthorized.url(), QStringLiteral("--junit"), junit});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, QByteArray("gatehouse-cli cat: --junit needs --expect FILE\n"));
        r = cat({QStringLiteral("-c"), unauthorized.url(), QStringLiteral("--expect"), file,
                 QStringLiteral("-x"), QStringLiteral("hi")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err,
                 QByteArray("gatehouse-cli cat: --expect cannot be combined with --execute\n"));
    }

    // -l: a one-client server; wscat connects to it.
    // --passphrase without a value asks for it, as wscat does: without a terminal it is
    // the first line of standard input, and the session goes on with the rest.
    void passphraseAsked()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        auto openssl = [](const QStringList &args) {
            const Test::ProcessResult r = Test::runProcess(QStringLiteral("openssl"), args);
            if (r.exitCode != 0)
                qWarning("openssl: %s", r.standardError.constData());
            return r.exitCode == 0;
        };
        QVERIFY(openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"),
                         QStringLiteral("RSA"), QStringLiteral("-aes256"), QStringLiteral("-pass"),
                         QStringLiteral("pass:open sesame"), QStringLiteral("-out"), key}));
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-x509"),
                         QStringLiteral("-key"), key, QStringLiteral("-passin"),
                         QStringLiteral("pass:open sesame"), QStringLiteral("-subj"),
                         QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-days"),
                         QStringLiteral("1"), QStringLiteral("-out"), cert}));
        // the server shows its own certificate (the same one; -n skips checking it)
        QWebSocketServer server(QStringLiteral("tls"), QWebSocketServer::SecureMode);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate::fromPath(cert).constFirst());
        QFile keyFile(key);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa, QSsl::Pem, QSsl::PrivateKey,
                                  QByteArray("open sesame")));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        server.setSslConfiguration(tls);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
            while (QWebSocket *s = server.nextPendingConnection()) {
                connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
                connect(s, &QWebSocket::textMessageReceived, s,
                        [s](const QString &m) { s->sendTextMessage(m); });
            }
        });
        const QStringList args {QStringLiteral("-c"),
                                QStringLiteral("wss://127.0.0.1:%1/").arg(server.serverPort()),
                                QStringLiteral("-n"),
                                QStringLiteral("--cert"),
                                cert,
                                QStringLiteral("--key"),
                                key,
                                QStringLiteral("--passphrase")};
        const Run good = cat(args, "open sesame\nhello\n", true);
        QVERIFY2(good.exitCode == 0, good.err.constData());
        QCOMPARE(good.out, QByteArray("hello\n"));
        const Run wrong = cat(args, "nope\nhello\n", true);
        QCOMPARE(wrong.exitCode, 255); // as wscat's errors
        QVERIFY2(wrong.err.contains("cannot read the private key"), wrong.err.constData());
        QCOMPARE(wrong.err.count('\n'), 1);
        // a value right after it is the passphrase, as before
        QStringList given = args;
        given.append(QStringLiteral("open sesame"));
        const Run valued = cat(given, "hello\n", true);
        QVERIFY2(valued.exitCode == 0, valued.err.constData());
        QCOMPARE(valued.out, QByteArray("hello\n"));
    }

    void listens()
    {
        const quint16 port = Test::freePort();
        QProcess server;
        server.start(QStringLiteral(GATEHOUSE_CLI_PATH),
                     {QStringLiteral("cat"), QStringLiteral("-l"), QString::number(port)});
        QVERIFY(server.waitForStarted());
        QWebSocket client;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                if (client.state() == QAbstractSocket::UnconnectedState)
                    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
                return client.state() == QAbstractSocket::ConnectedState;
            }(),
            10000);
        client.sendTextMessage(QStringLiteral("to the server"));
        QByteArray printed;
        QTRY_VERIFY((printed += server.readAllStandardOutput()).contains("to the server\n"));
        QSignalSpy got(&client, &QWebSocket::textMessageReceived);
        server.write("to the client\n");
        QVERIFY(got.wait(5000));
        QCOMPARE(got.constFirst().constFirst().toString(), QStringLiteral("to the client"));
        server.closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(server.state(), QProcess::NotRunning, 5000);
        QCOMPARE(server.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCat)
#include "tst_cat.moc"
