// SPDX-License-Identifier: GPL-3.0-or-later
// `gatehouse-cli serve` as a user runs it: a real process, an in-process echo
// backend, QWebSocket clients, signals for shutdown.
#include "testsupport.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <csignal>

using namespace Gatehouse;

class TestGatewayCli final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void servesAndStopsCleanly();
    void reloadsOnSighup();
    void badInvocations_data();
    void badInvocations();
    void logDatabaseThatIsNotOne();

private:
    QString writeApi(const QString &context, quint16 backendPort);
    quint16 startServe(const QStringList &extra = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QWebSocketServer> m_backend;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
};

void TestGatewayCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_backend = std::make_unique<QWebSocketServer>(QStringLiteral("echo"),
                                                   QWebSocketServer::NonSecureMode);
    QVERIFY(m_backend->listen(QHostAddress::LocalHost, 0));
    connect(m_backend.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *ws = m_backend->nextPendingConnection()) {
            ws->setParent(m_backend.get());
            connect(ws, &QWebSocket::textMessageReceived, ws,
                    [ws](const QString &m) { ws->sendTextMessage(m); });
        }
    });
    m_stdout.clear();
}

void TestGatewayCli::cleanup()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
    m_backend.reset();
    m_dir.reset();
}

QString TestGatewayCli::writeApi(const QString &context, quint16 backendPort)
{
    const QString path = m_dir->filePath(QStringLiteral("api.yaml"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(QStringLiteral(R"(asyncapi: 2.6.0
info:
  title: Echo
  version: 1.0.0
channels:
  /echo:
    publish:
      operationId: sendEcho
      x-auth-type: None
      message:
        payload:
          type: string
    subscribe:
      operationId: receiveEcho
      x-auth-type: None
      message:
        payload:
          type: string
x-gatehouse:
  context: %1
  endpoint: ws://127.0.0.1:%2
)")
                .arg(context)
                .arg(backendPort)
                .toUtf8());
    return path;
}

quint16 TestGatewayCli::startServe(const QStringList &extra)
{
    m_process = std::make_unique<QProcess>();
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process->readAllStandardOutput(); });
    QStringList args = {QStringLiteral("serve"),
                        m_dir->filePath(QStringLiteral("api.yaml")),
                        QStringLiteral("--listen"),
                        QStringLiteral("127.0.0.1:0"),
                        QStringLiteral("--db"),
                        m_dir->filePath(QStringLiteral("g.db")),
                        QStringLiteral("--secrets-file"),
                        m_dir->filePath(QStringLiteral("secrets")),
                        QStringLiteral("--workers"),
                        QStringLiteral("2"),
                        QStringLiteral("-v")};
    args += extra;
    m_process->start(QStringLiteral(GATEHOUSE_CLI_PATH), args);
    const QRegularExpression listening(QStringLiteral("listening on ws://127\\.0\\.0\\.1:(\\d+)"));
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && m_process->state() != QProcess::NotRunning) {
        const auto match = listening.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
        QTest::qWait(20);
    }
    qWarning() << "serve did not start:" << m_stdout << m_process->readAllStandardError();
    return 0;
}

void TestGatewayCli::servesAndStopsCleanly()
{
    QVERIFY(!writeApi(QStringLiteral("/t"), m_backend->serverPort()).isEmpty());
    const QString logFile = m_dir->filePath(QStringLiteral("log.jsonl"));
    const quint16 port = startServe({QStringLiteral("--log-file"), logFile});
    QVERIFY(port != 0);
    QVERIFY(m_stdout.contains("serving /t/1.0.0"));

    QWebSocket ws;
    QSignalSpy text(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/t/1.0.0/echo").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::ConnectedState, 10000);
    ws.sendTextMessage(QStringLiteral("ping me"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("ping me"));
    QTRY_VERIFY(m_stdout.contains("accepted #"));

    m_process->terminate(); // SIGTERM
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
    QCOMPARE(int(ws.closeCode()), 1001);
    QTRY_COMPARE_WITH_TIMEOUT(m_process->state(), QProcess::NotRunning, 10000);
    m_stdout += m_process->readAllStandardOutput();
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    QVERIFY2(m_stdout.contains("closed #"), m_stdout.constData());
    QVERIFY2(m_stdout.contains("stopped; closed 1 open connection(s)"), m_stdout.constData());

    QFile log(logFile);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray lines = log.readAll();
    QVERIFY2(lines.contains("\"event\":\"opened\""), lines.constData());
    QVERIFY2(lines.contains("\"event\":\"closed\""), lines.constData());
}

void TestGatewayCli::reloadsOnSighup()
{
    const QString api = writeApi(QStringLiteral("/first"), m_backend->serverPort());
    const quint16 port = startServe();
    QVERIFY(port != 0);
    QWebSocket before;
    before.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/first/1.0.0/echo").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(before.state(), QAbstractSocket::ConnectedState, 10000);

    writeApi(QStringLiteral("/second"), m_backend->serverPort());
    ::kill(pid_t(m_process->processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(m_stdout.contains("reloaded 1 API document(s)"), 10000);
    QWebSocket after;
    after.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/second/1.0.0/echo").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(after.state(), QAbstractSocket::ConnectedState, 10000);
    QCOMPARE(before.state(), QAbstractSocket::ConnectedState); // not dropped by the reload

    ::kill(pid_t(m_process->processId()), SIGINT);
    QTRY_COMPARE_WITH_TIMEOUT(m_process->state(), QProcess::NotRunning, 10000);
    QCOMPARE(m_process->exitCode(), 0);
}

void TestGatewayCli::badInvocations_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("no-api") << QStringList {QStringLiteral("serve")} << 2
                            << QStringLiteral("no API document");
    QTest::newRow("missing-file") << QStringList {QStringLiteral("serve"),
                                                  QStringLiteral("/nonexistent/api.yaml")}
                                  << 1 << QStringLiteral("/nonexistent/api.yaml");
    QTest::newRow("bad-listen") << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                                                QStringLiteral("--listen"),
                                                QStringLiteral("localhost:http")}
                                << 2 << QStringLiteral("not a port number");
    QTest::newRow("tls-without-cert")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--tls-listen"), QStringLiteral("127.0.0.1:0")}
        << 2 << QStringLiteral("--cert");
    QTest::newRow("bad-idle-timeout")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--idle-timeout"), QStringLiteral("soon")}
        << 2 << QStringLiteral("--idle-timeout: 'soon'");
    QTest::newRow("zero-idle-timeout")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--idle-timeout"), QStringLiteral("0s")}
        << 2 << QStringLiteral("--idle-timeout: '0s'");
}

void TestGatewayCli::badInvocations()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Test::ProcessResult r = Test::runCli(arguments.mid(0), 30000);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(r.standardError).contains(message), r.standardError.constData());
}

// A --log-db file that is not an SQLite database: one line naming the file once,
// exit 1, the file untouched.
void TestGatewayCli::logDatabaseThatIsNotOne()
{
    QVERIFY(!writeApi(QStringLiteral("/echo"), m_backend->serverPort()).isEmpty());
    const QString logDb = m_dir->filePath(QStringLiteral("notes.txt"));
    const QByteArray garbage = QByteArray("these are my notes, not a message log\n").repeated(200);
    {
        QFile f(logDb);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(garbage);
    }
    const Test::ProcessResult r = Test::runCli(
        {QStringLiteral("serve"), m_dir->filePath(QStringLiteral("api.yaml")),
         QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
         m_dir->filePath(QStringLiteral("g.db")), QStringLiteral("--secrets-file"),
         m_dir->filePath(QStringLiteral("secrets")), QStringLiteral("--log-db"), logDb},
        30000);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 1);
    const QString err = QString::fromUtf8(r.standardError).trimmed();
    QVERIFY2(!err.contains(u'\n'), qPrintable(err));
    QVERIFY2(err.startsWith(QStringLiteral("gatehouse-cli serve: message log ")), qPrintable(err));
    QCOMPARE(err.count(logDb), 1);
    QFile f(logDb);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), garbage);
    QVERIFY(!QFile::exists(logDb + QStringLiteral("-wal")));
}

QTEST_GUILESS_MAIN(TestGatewayCli)
#include "tst_gateway_cli.moc"
