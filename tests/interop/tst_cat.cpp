// SPDX-License-Identifier: GPL-3.0-or-later
// Interop: `gatehouse-cli cat` and wscat (npm) on the same scripted sessions against
// servers in this process must print the same lines and end with the same exit code;
// then what cat does beyond wscat (piped input, --json, --count, --timeout, --hex).
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
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

    // -l: a one-client server; wscat connects to it.
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
