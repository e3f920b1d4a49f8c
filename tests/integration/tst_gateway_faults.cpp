// SPDX-License-Identifier: GPL-3.0-or-later
// Faults the gateway must survive, each provoked for real: `gatehouse-cli serve` and
// `gatehouse-cli mock` as processes of their own, clients on 127.0.0.1, signals,
// resource limits set in the child.
#include "testsupport.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>
#include <memory>
#include <vector>

using namespace Gatehouse;

class TestGatewayFaults final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void backendDiesMidStream();
    void reloadWithABrokenDocument();

private:
    QString path(const QString &name) const { return m_dir->filePath(name); }
    QStringList serveArguments(const QStringList &documents) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Test::EchoBackend> m_echo;
};

namespace {

// A client of `url`, open (null when it could not connect within the timeout).
std::unique_ptr<QWebSocket> openClient(const QString &url, int timeoutMs = 10000)
{
    auto ws = std::make_unique<QWebSocket>();
    QSignalSpy failed(ws.get(), QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    ws->open(QUrl(url));
    QElapsedTimer timer;
    timer.start();
    while (ws->state() != QAbstractSocket::ConnectedState && failed.isEmpty()
           && timer.elapsed() < timeoutMs)
        QTest::qWait(10);
    if (ws->state() != QAbstractSocket::ConnectedState)
        return nullptr;
    return ws;
}

// Whether something accepts TCP connections on 127.0.0.1:port.
bool listening(quint16 port)
{
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    return probe.waitForConnected(1000);
}

} // namespace

void TestGatewayFaults::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_echo = std::make_unique<Test::EchoBackend>();
    QVERIFY(m_echo->port() != 0);
}

void TestGatewayFaults::cleanup()
{
    m_echo.reset();
    m_dir.reset();
}

QStringList TestGatewayFaults::serveArguments(const QStringList &documents) const
{
    return QStringList {QStringLiteral("serve")} + documents
        + QStringList {QStringLiteral("--listen"),       QStringLiteral("127.0.0.1:0"),
                       QStringLiteral("--db"),           path(QStringLiteral("g.db")),
                       QStringLiteral("--secrets-file"), path(QStringLiteral("secrets")),
                       QStringLiteral("--workers"),      QStringLiteral("2")};
}

// A backend killed (SIGKILL, no close frame) while its clients talk: each of them gets
// 1011 within a second, the other API goes on, and once the backend is back a new
// client of it gets through.
void TestGatewayFaults::backendDiesMidStream()
{
    const quint16 mockPort = Test::freePort();
    QVERIFY(mockPort != 0);
    const QString mortal = path(QStringLiteral("mortal.yaml"));
    const QString other = path(QStringLiteral("other.yaml"));
    QVERIFY(Test::writeFile(mortal, Test::echoApiDocument(QStringLiteral("/mortal"), mockPort)));
    QVERIFY(
        Test::writeFile(other, Test::echoApiDocument(QStringLiteral("/other"), m_echo->port())));

    const QStringList mockArguments {QStringLiteral("mock"), mortal, QStringLiteral("--kind"),
                                     QStringLiteral("echo")};
    auto backend = std::make_unique<Test::CliProcess>();
    backend->start(mockArguments);
    QTRY_VERIFY_WITH_TIMEOUT(listening(mockPort), 20000);

    Test::CliProcess serve;
    const quint16 port = serve.startServe(serveArguments({mortal, other}));
    QVERIFY(port != 0);
    const QString base = QStringLiteral("ws://127.0.0.1:%1").arg(port);

    std::vector<std::unique_ptr<QWebSocket>> clients;
    std::vector<std::unique_ptr<QSignalSpy>> closed;
    int echoed = 0;
    for (int i = 0; i < 3; ++i) {
        auto ws = openClient(base + QStringLiteral("/mortal/1.0.0/echo"));
        QVERIFY(ws);
        connect(ws.get(), &QWebSocket::textMessageReceived, this, [&echoed] { ++echoed; });
        closed.push_back(std::make_unique<QSignalSpy>(ws.get(), &QWebSocket::disconnected));
        clients.push_back(std::move(ws));
    }
    auto bystander = openClient(base + QStringLiteral("/other/1.0.0/echo"));
    QVERIFY(bystander);
    QSignalSpy bystanderText(bystander.get(), &QWebSocket::textMessageReceived);

    // mid-stream: messages going both ways when the backend dies
    for (auto &ws : clients)
        ws->sendTextMessage(QStringLiteral("before"));
    QTRY_COMPARE_WITH_TIMEOUT(echoed, 3, 10000);
    for (auto &ws : clients)
        ws->sendTextMessage(QStringLiteral("in flight"));

    QElapsedTimer sinceKill;
    sinceKill.start();
    QVERIFY(backend->signalAndWait(SIGKILL));
    auto allClosed = [&closed] {
        return std::all_of(closed.begin(), closed.end(),
                           [](const auto &spy) { return !spy->isEmpty(); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allClosed(), 10000);
    // a close frame within a second, not a dropped TCP connection
    QVERIFY2(sinceKill.elapsed() < 1000, qPrintable(QString::number(sinceKill.elapsed())));
    for (const auto &ws : clients) {
        QCOMPARE(int(ws->closeCode()), 1011);
        QCOMPARE(ws->closeReason(), QStringLiteral("backend went away"));
    }

    // the other API is untouched, and serves new clients
    QCOMPARE(bystander->state(), QAbstractSocket::ConnectedState);
    bystander->sendTextMessage(QStringLiteral("still here"));
    QTRY_COMPARE_WITH_TIMEOUT(bystanderText.size(), 1, 10000);
    QVERIFY(openClient(base + QStringLiteral("/other/1.0.0/echo")));

    // while the backend is down its clients are refused; once it is back they get through
    QVERIFY(!openClient(base + QStringLiteral("/mortal/1.0.0/echo")));
    backend = std::make_unique<Test::CliProcess>();
    backend->start(mockArguments);
    QTRY_VERIFY_WITH_TIMEOUT(listening(mockPort), 20000);
    auto again = openClient(base + QStringLiteral("/mortal/1.0.0/echo"));
    QVERIFY(again);
    QSignalSpy againText(again.get(), &QWebSocket::textMessageReceived);
    again->sendTextMessage(QStringLiteral("back"));
    QTRY_COMPARE_WITH_TIMEOUT(againText.size(), 1, 10000);
    QCOMPARE(againText.at(0).at(0).toString(), QStringLiteral("back"));

    QVERIFY(serve.signalAndWait(SIGTERM));
    QCOMPARE(serve.process().exitCode(), 0);
}

// SIGHUP after the document was broken: the previous one is still served, open
// connections stay, and the failure is one line on standard error naming the file,
// line and column.
void TestGatewayFaults::reloadWithABrokenDocument()
{
    const QString api = path(QStringLiteral("api.yaml"));
    const QByteArray good = Test::echoApiDocument(QStringLiteral("/kept"), m_echo->port());
    QVERIFY(Test::writeFile(api, good));
    Test::CliProcess serve;
    const quint16 port = serve.startServe(serveArguments({api}));
    QVERIFY(port != 0);
    const QString url = QStringLiteral("ws://127.0.0.1:%1/kept/1.0.0/echo").arg(port);
    auto open = openClient(url);
    QVERIFY(open);

    // a YAML syntax error on line 4 (a tab where indentation is expected)
    QByteArray broken = good;
    broken.replace("  version: 1.0.0", "\tversion: [1.0.0");
    QVERIFY(Test::writeFile(api, broken));
    const qsizetype before = serve.standardError().size();
    ::kill(pid_t(serve.pid()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(serve.standardError().mid(before).contains("reload failed"), 10000);
    QTest::qWait(100); // whatever else the reload prints
    const QList<QByteArray> lines = serve.standardError().mid(before).trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const QString line = QString::fromUtf8(lines.first());
    QVERIFY2(line.startsWith(QStringLiteral("gatehouse-cli serve: reload failed: %1:4:").arg(api)),
             qPrintable(line));
    QVERIFY2(line.endsWith(QStringLiteral("; still serving the previous documents")),
             qPrintable(line));
    QVERIFY(!serve.standardOutput().contains("reloaded"));

    // still served as before: the open connection and new ones
    QCOMPARE(open->state(), QAbstractSocket::ConnectedState);
    QSignalSpy text(open.get(), &QWebSocket::textMessageReceived);
    open->sendTextMessage(QStringLiteral("after"));
    QTRY_COMPARE_WITH_TIMEOUT(text.size(), 1, 10000);
    QVERIFY(openClient(url));

    // fixed again: the next SIGHUP reloads it
    QVERIFY(Test::writeFile(api, good));
    ::kill(pid_t(serve.pid()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(serve.standardOutput().contains("reloaded 1 API document(s)"), 10000);
    QVERIFY(serve.signalAndWait(SIGTERM));
}

QTEST_GUILESS_MAIN(TestGatewayFaults)
#include "tst_gateway_faults.moc"
