// SPDX-License-Identifier: GPL-3.0-or-later
// `gatehouse-cli serve` with documents that name different x-gatehouse listen
// addresses: each address opened once, each API served only where it names.
// Real processes, in-process echo backends, QWebSocket and raw TCP clients. The
// documents use port 0 on two loopback addresses (127.0.0.1 and 127.0.0.2), so no
// fixed port is needed.
#include "testsupport.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <csignal>
#include <memory>

using namespace Gatehouse;

namespace {

// Echoes text with its name in front, so a test sees which backend answered.
class NamedEcho final : public QObject
{
public:
    explicit NamedEcho(const QString &name)
        : m_name(name)
        , m_server(name, QWebSocketServer::NonSecureMode)
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = m_server.nextPendingConnection()) {
                ws->setParent(this);
                connect(ws, &QWebSocket::textMessageReceived, ws,
                        [this, ws](const QString &m) { ws->sendTextMessage(m_name + u':' + m); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }

private:
    QString m_name;
    QWebSocketServer m_server;
};

QByteArray rawAnswer(const QString &host, quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(host), port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray answer;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(100);
        answer += socket.readAll();
    }
    return answer + socket.readAll();
}

QByteArray upgrade(const QByteArray &path)
{
    return "GET " + path
        + " HTTP/1.1\r\nHost: gatehouse\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

} // namespace

class TestGatewayCliListeners final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void servesEachDocumentOnItsOwnAddress();
    void samePathOnTwoAddresses();
    void samePathOnOneAddressFails();
    void listenOptionServesEverythingThere();

private:
    QString writeApi(const QString &file, const QString &title, const QString &context,
                     const QString &listen, quint16 backendPort);
    // Starts serve; true once every expected "listening on" line is there.
    bool startServe(const QStringList &documents, int listeners, const QStringList &extra = {});
    quint16 portOf(const QString &host) const; // from "listening on ws://HOST:PORT"
    QString echo(const QString &host, quint16 port, const QString &path);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NamedEcho> m_one;
    std::unique_ptr<NamedEcho> m_two;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QList<QWebSocket *> m_clients;
};

void TestGatewayCliListeners::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_one = std::make_unique<NamedEcho>(QStringLiteral("one"));
    m_two = std::make_unique<NamedEcho>(QStringLiteral("two"));
    m_stdout.clear();
}

void TestGatewayCliListeners::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
    m_one.reset();
    m_two.reset();
    m_dir.reset();
}

QString TestGatewayCliListeners::writeApi(const QString &file, const QString &title,
                                          const QString &context, const QString &listen,
                                          quint16 backendPort)
{
    const QString path = m_dir->filePath(file);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(QStringLiteral(R"(asyncapi: 2.6.0
info:
  title: %1
  version: 1.0.0
channels:
  /echo:
    publish:
      operationId: sendEcho
      x-auth-type: None
      message:
        payload:
          type: string
x-gatehouse:
  context: %2
  endpoint: ws://127.0.0.1:%3
%4)")
                .arg(title, context)
                .arg(backendPort)
                .arg(listen.isEmpty() ? QString() : QStringLiteral("  listen: ") + listen + u'\n')
                .toUtf8());
    return path;
}

bool TestGatewayCliListeners::startServe(const QStringList &documents, int listeners,
                                         const QStringList &extra)
{
    m_process = std::make_unique<QProcess>();
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process->readAllStandardOutput(); });
    QStringList args = {QStringLiteral("serve")};
    args += documents;
    args += {QStringLiteral("--db"),           m_dir->filePath(QStringLiteral("g.db")),
             QStringLiteral("--secrets-file"), m_dir->filePath(QStringLiteral("secrets")),
             QStringLiteral("--workers"),      QStringLiteral("2")};
    args += extra;
    m_process->start(QStringLiteral(GATEHOUSE_CLI_PATH), args);
    static const QRegularExpression listening(QStringLiteral("^listening on ws://\\S+:(\\d+)$"),
                                              QRegularExpression::MultilineOption);
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && m_process->state() != QProcess::NotRunning) {
        // the serving lines are written together with the listening lines
        auto it = listening.globalMatch(QString::fromUtf8(m_stdout));
        int count = 0;
        while (it.hasNext()) {
            it.next();
            ++count;
        }
        if (count >= listeners && m_stdout.contains("serving"))
            return true;
        QTest::qWait(20);
    }
    qWarning() << "serve did not start:" << m_stdout << m_process->readAllStandardError();
    return false;
}

quint16 TestGatewayCliListeners::portOf(const QString &host) const
{
    const QRegularExpression re(
        QStringLiteral("^listening on ws://%1:(\\d+)$").arg(QRegularExpression::escape(host)),
        QRegularExpression::MultilineOption);
    const auto match = re.match(QString::fromUtf8(m_stdout));
    return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
}

QString TestGatewayCliListeners::echo(const QString &host, quint16 port, const QString &path)
{
    auto *ws = new QWebSocket;
    m_clients.append(ws);
    QSignalSpy text(ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(ws, &QWebSocket::disconnected);
    ws->open(QUrl(QStringLiteral("ws://%1:%2%3").arg(host).arg(port).arg(path)));
    if (!QTest::qWaitFor(
            [&] {
                return ws->state() == QAbstractSocket::ConnectedState || !disconnected.isEmpty();
            },
            10000)
        || ws->state() != QAbstractSocket::ConnectedState)
        return {};
    ws->sendTextMessage(QStringLiteral("hi"));
    if (!QTest::qWaitFor([&] { return !text.isEmpty(); }, 10000))
        return {};
    return text.at(0).at(0).toString();
}

void TestGatewayCliListeners::servesEachDocumentOnItsOwnAddress()
{
    const QString a = writeApi(QStringLiteral("a.yaml"), QStringLiteral("A"), QStringLiteral("/a"),
                               QStringLiteral("127.0.0.1:0"), m_one->port());
    QString b = writeApi(QStringLiteral("b.yaml"), QStringLiteral("B"), QStringLiteral("/b"),
                         QStringLiteral("127.0.0.2:0"), m_two->port());
    QVERIFY(startServe({a, b}, 2));
    const QString out = QString::fromUtf8(m_stdout);
    const quint16 portA = portOf(QStringLiteral("127.0.0.1"));
    const quint16 portB = portOf(QStringLiteral("127.0.0.2"));
    QVERIFY2(portA != 0 && portB != 0, qPrintable(out));
    // each listener followed by the APIs it serves
    QVERIFY2(out.contains(QStringLiteral("listening on ws://127.0.0.1:%1\n  serving /a/1.0.0  A "
                                         "1.0.0: /echo\nlistening on ws://127.0.0.2:%2\n  serving "
                                         "/b/1.0.0  B 1.0.0: /echo\n")
                              .arg(portA)
                              .arg(portB)),
             qPrintable(out));

    QCOMPARE(echo(QStringLiteral("127.0.0.1"), portA, QStringLiteral("/a/1.0.0/echo")),
             QStringLiteral("one:hi"));
    QCOMPARE(echo(QStringLiteral("127.0.0.2"), portB, QStringLiteral("/b/1.0.0/echo")),
             QStringLiteral("two:hi"));
    // each API is unknown on the other address
    QByteArray answer = rawAnswer(QStringLiteral("127.0.0.2"), portB, upgrade("/a/1.0.0/echo"));
    QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.constData());
    answer = rawAnswer(QStringLiteral("127.0.0.1"), portA, upgrade("/b/1.0.0/echo"));
    QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.constData());
    answer = rawAnswer(QStringLiteral("127.0.0.1"), portA, "GET / HTTP/1.1\r\nHost: g\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 426"), answer.constData());
    QVERIFY2(answer.contains("/a/1.0.0") && !answer.contains("/b/1.0.0"), answer.constData());

    // SIGHUP: the same documents again keep the separation
    ::kill(pid_t(m_process->processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(m_stdout.contains("reloaded 2 API document(s)"), 10000);
    answer = rawAnswer(QStringLiteral("127.0.0.1"), portA, upgrade("/b/1.0.0/echo"));
    QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.constData());
    QCOMPARE(echo(QStringLiteral("127.0.0.2"), portB, QStringLiteral("/b/1.0.0/echo")),
             QStringLiteral("two:hi"));

    // a document that now names an address serve does not listen on is refused
    b = writeApi(QStringLiteral("b.yaml"), QStringLiteral("B"), QStringLiteral("/b"),
                 QStringLiteral("127.0.0.3:0"), m_two->port());
    QByteArray errors;
    connect(m_process.get(), &QProcess::readyReadStandardError, this,
            [this, &errors] { errors += m_process->readAllStandardError(); });
    ::kill(pid_t(m_process->processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(errors.contains("reload failed"), 10000);
    QVERIFY2(errors.contains("API 'B': x-gatehouse.listen 127.0.0.3:0 is not an address"),
             errors.constData());
    QCOMPARE(echo(QStringLiteral("127.0.0.2"), portB, QStringLiteral("/b/1.0.0/echo")),
             QStringLiteral("two:hi"));

    m_process->terminate();
    QTRY_COMPARE_WITH_TIMEOUT(m_process->state(), QProcess::NotRunning, 10000);
    QCOMPARE(m_process->exitCode(), 0);
}

void TestGatewayCliListeners::samePathOnTwoAddresses()
{
    const QString a
        = writeApi(QStringLiteral("a.yaml"), QStringLiteral("Shop blue"), QStringLiteral("/shop"),
                   QStringLiteral("127.0.0.1:0"), m_one->port());
    const QString b
        = writeApi(QStringLiteral("b.yaml"), QStringLiteral("Shop green"), QStringLiteral("/shop"),
                   QStringLiteral("127.0.0.2:0"), m_two->port());
    QVERIFY(startServe({a, b}, 2));
    QCOMPARE(echo(QStringLiteral("127.0.0.1"), portOf(QStringLiteral("127.0.0.1")),
                  QStringLiteral("/shop/1.0.0/echo")),
             QStringLiteral("one:hi"));
    QCOMPARE(echo(QStringLiteral("127.0.0.2"), portOf(QStringLiteral("127.0.0.2")),
                  QStringLiteral("/shop/1.0.0/echo")),
             QStringLiteral("two:hi"));
}

void TestGatewayCliListeners::samePathOnOneAddressFails()
{
    // spelled differently, the same address
    const QString a
        = writeApi(QStringLiteral("a.yaml"), QStringLiteral("Shop blue"), QStringLiteral("/shop"),
                   QStringLiteral("127.0.0.1:0"), m_one->port());
    const QString b
        = writeApi(QStringLiteral("b.yaml"), QStringLiteral("Shop green"), QStringLiteral("/shop"),
                   QStringLiteral("localhost:0"), m_two->port());
    const Test::ProcessResult r
        = Test::runCli({QStringLiteral("serve"), a, b, QStringLiteral("--db"),
                        m_dir->filePath(QStringLiteral("g.db")), QStringLiteral("--secrets-file"),
                        m_dir->filePath(QStringLiteral("secrets"))},
                       30000);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.standardError.contains("gatehouse-cli serve: APIs 'Shop blue' and 'Shop green' are "
                                      "both served at /shop/1.0.0 on ws://127.0.0.1:0\n"),
             r.standardError.constData());
    QVERIFY2(!r.standardOutput.contains("listening on"), r.standardOutput.constData());
}

void TestGatewayCliListeners::listenOptionServesEverythingThere()
{
    const QString a = writeApi(QStringLiteral("a.yaml"), QStringLiteral("A"), QStringLiteral("/a"),
                               QStringLiteral("127.0.0.1:1"), m_one->port());
    const QString b = writeApi(QStringLiteral("b.yaml"), QStringLiteral("B"), QStringLiteral("/b"),
                               QStringLiteral("127.0.0.2:1"), m_two->port());
    QVERIFY(startServe({a, b}, 1, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}));
    const QString out = QString::fromUtf8(m_stdout);
    QCOMPARE(out.count(QStringLiteral("listening on")), 1);
    // one listener serving everything: the serving lines as before, not indented
    QVERIFY2(out.contains(QStringLiteral("\nserving /a/1.0.0")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("\nserving /b/1.0.0")), qPrintable(out));
    const quint16 port = portOf(QStringLiteral("127.0.0.1"));
    QCOMPARE(echo(QStringLiteral("127.0.0.1"), port, QStringLiteral("/a/1.0.0/echo")),
             QStringLiteral("one:hi"));
    QCOMPARE(echo(QStringLiteral("127.0.0.1"), port, QStringLiteral("/b/1.0.0/echo")),
             QStringLiteral("two:hi"));
}

QTEST_GUILESS_MAIN(TestGatewayCliListeners)
#include "tst_gateway_cli_listeners.moc"
