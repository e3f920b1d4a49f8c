// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "api/json.h"
#include "asyncapi/jsonschemavalidator.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

#include <csignal>

using namespace Gatehouse;

namespace {

// gatehouse-cli mock running in the background, with its output collected.
class MockProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MockProcess)

public:
    explicit MockProcess(const QStringList &arguments)
    {
        connect(&process, &QProcess::readyReadStandardOutput, this,
                [this] { standardOutput += process.readAllStandardOutput(); });
        connect(&process, &QProcess::readyReadStandardError, this,
                [this] { standardError += process.readAllStandardError(); });
        process.start(QStringLiteral(GATEHOUSE_CLI_PATH),
                      QStringList {QStringLiteral("mock")} + arguments);
    }
    ~MockProcess() override
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    // The port from "listening on ws://HOST:PORT", once it is printed.
    quint16 waitForPort()
    {
        static const QRegularExpression re(QStringLiteral("listening on ws://\\S+:(\\d+)"));
        if (!QTest::qWaitFor(
                [this] {
                    return re.match(QString::fromUtf8(standardOutput)).hasMatch()
                        || process.state() == QProcess::NotRunning;
                },
                15000))
            return 0;
        const auto match = re.match(QString::fromUtf8(standardOutput));
        return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
    }

    bool stop(int signal)
    {
        ::kill(pid_t(process.processId()), signal);
        return QTest::qWaitFor([this] { return process.state() == QProcess::NotRunning; }, 10000);
    }

    QProcess process;
    QByteArray standardOutput;
    QByteArray standardError;
};

const char *BadExamplesApi = R"(asyncapi: 3.0.0
info:
  title: Bad examples
  version: 1.0.0
channels:
  ticks:
    address: /ticks
    messages:
      tick:
        $ref: '#/components/messages/tick'
operations:
  sendTicks:
    action: send
    channel:
      $ref: '#/channels/ticks'
components:
  messages:
    tick:
      payload:
        type: object
        required: [n]
        properties:
          n:
            type: integer
            minimum: 0
      examples:
        - name: negative
          payload:
            n: -1
        - name: fine
          payload:
            n: 5
x-gatehouse:
  endpoint: ws://localhost:8080
  mock:
    kind: examples
    interval: 50
)";

} // namespace

class TestMockCommand final : public QObject
{
    Q_OBJECT

private slots:
    void usageErrors_data();
    void usageErrors();
    void help();
    void missingFile();
    void portInUse();
    void badExamplesReportedAndValidOnesServed();
    void stopsOnSignal_data();
    void stopsOnSignal();
};

void TestMockCommand::usageErrors_data()
{
    const QString chats = Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml"));
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no document") << QStringList {} << QStringLiteral("expected one API document");
    QTest::newRow("two documents")
        << QStringList {chats, chats} << QStringLiteral("expected one API document");
    QTest::newRow("unknown kind") << QStringList {chats, QStringLiteral("--kind"),
                                                  QStringLiteral("parrot")}
                                  << QStringLiteral("unknown kind 'parrot'");
    QTest::newRow("bad listen") << QStringList {chats, QStringLiteral("--listen"),
                                                QStringLiteral("localhost:http")}
                                << QStringLiteral("--listen 'localhost:http' is not HOST:PORT");
    QTest::newRow("unknown option")
        << QStringList {chats, QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
}

void TestMockCommand::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const auto result = Test::runCli(QStringList {QStringLiteral("mock")} + arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.standardError.contains(message.toUtf8()), result.standardError.constData());
    QCOMPARE(result.standardError.count('\n'), 1);
}

void TestMockCommand::help()
{
    const auto result = Test::runCli({QStringLiteral("mock"), QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.standardOutput.contains("--listen"));
    QVERIFY(result.standardOutput.contains("--kind"));
}

void TestMockCommand::missingFile()
{
    const auto result
        = Test::runCli({QStringLiteral("mock"), QStringLiteral("/nonexistent/api.yaml")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.standardError.contains("/nonexistent/api.yaml"),
             result.standardError.constData());
}

void TestMockCommand::portInUse()
{
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(holder.serverPort());
    const auto result
        = Test::runCli({QStringLiteral("mock"),
                        Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")),
                        QStringLiteral("--listen"), QStringLiteral("127.0.0.1:") + port});
    QCOMPARE(result.exitCode, 1);
    const QString error = QString::fromUtf8(result.standardError);
    QVERIFY2(error.contains(QStringLiteral("port %1 is already in use").arg(port)),
             qPrintable(error));
    // this test process holds it; /proc names it (comm is cut at 15 characters)
    QVERIFY2(error.contains(QStringLiteral("(pid %1)").arg(QCoreApplication::applicationPid())),
             qPrintable(error));
    QCOMPARE(error.count(u'\n'), 1);
}

void TestMockCommand::badExamplesReportedAndValidOnesServed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("bad.yaml"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(BadExamplesApi);
    out.close();

    MockProcess mock({file, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    const quint16 port = mock.waitForPort();
    QVERIFY2(port, mock.standardError.constData());
    const QString errors = QString::fromUtf8(mock.standardError);
    // one line, with the example's location (line 27 is "- name: negative")
    static const QRegularExpression line(
        QStringLiteral("bad\\.yaml:(\\d+):\\d+: warning: message 'tick': example "
                       "'negative' does not match the payload schema: /n: [^\\n]*"));
    const auto match = line.match(errors);
    QVERIFY2(match.hasMatch(), qPrintable(errors));
    QVERIFY2(match.captured(1).toInt() >= 27 && match.captured(1).toInt() <= 29,
             qPrintable(errors));
    QVERIFY(!errors.contains(QStringLiteral("'fine'")));

    QWebSocket client;
    QStringList texts;
    connect(&client, &QWebSocket::textMessageReceived, this,
            [&](const QString &t) { texts.append(t); });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ticks").arg(port)));
    QTRY_VERIFY(texts.size() >= 3);
    for (const QString &t : std::as_const(texts))
        QCOMPARE(t, QStringLiteral(R"({"n":5})"));
    QVERIFY(mock.stop(SIGTERM));
    QCOMPARE(mock.process.exitCode(), 0);
}

void TestMockCommand::stopsOnSignal_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGINT") << int(SIGINT);
    QTest::newRow("SIGTERM") << int(SIGTERM);
}

void TestMockCommand::stopsOnSignal()
{
    QFETCH(int, signal);
    MockProcess mock({Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")),
                      QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("-v")});
    const quint16 port = mock.waitForPort();
    QVERIFY2(port, mock.standardError.constData());
    QWebSocket client;
    QStringList texts;
    connect(&client, &QWebSocket::textMessageReceived, this,
            [&](const QString &t) { texts.append(t); });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/notifications").arg(port)));
    QTRY_COMPARE(texts, QStringList {QStringLiteral("Subscribed to notifications!")});
    QTRY_VERIFY(mock.standardError.contains("/notifications opened"));
    QVERIFY(mock.stop(signal));
    QCOMPARE(mock.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(mock.process.exitCode(), 0);
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(int(client.closeCode()), 1001); // going away
}

QTEST_GUILESS_MAIN(TestMockCommand)
#include "tst_mockcommand.moc"
