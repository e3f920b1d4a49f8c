// SPDX-License-Identifier: GPL-3.0-or-later
// Interop: wscat (npm) against `gatehouse-cli mock` directly (no gateway), with the
// backend paths of the WSO2 WebSocket tutorial: the Chats sample's chat mock must
// behave like the tutorial's backend.
#include "testsupport.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <csignal>

using namespace Gatehouse;

class TestMockWscat final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void chatTutorialBackend();
    void examplesRequestReply();

private:
    struct Mock
    {
        std::unique_ptr<QProcess> process;
        quint16 port = 0;
    };
    Mock startMock(const QString &sample);
    bool stopMock(Mock &mock);
    QProcess *startWscat(const QStringList &arguments);
    // Waits (event loop running) until the process ends; returns everything it printed.
    // A listener (no -x) ends when its input closes; with -x, wscat ends by itself
    // after -w seconds, and closing its input early would end it before it sends.
    QString finish(QProcess *process, bool closeInput = true, int timeoutMs = 20000);
    bool waitForOutput(QProcess *process, const QString &text, int count = 1,
                       int timeoutMs = 15000);

    QString m_node;
    QString m_wscat;
    QHash<QProcess *, QByteArray> m_output;
};

void TestMockWscat::initTestCase()
{
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    m_wscat = QDir(Test::nodeModulesPath()).absoluteFilePath(QStringLiteral("wscat/bin/wscat"));
    if (m_node.isEmpty() || !QFile::exists(m_wscat))
        QSKIP("node or wscat is not installed (scripts/install-deps)");
}

TestMockWscat::Mock TestMockWscat::startMock(const QString &sample)
{
    Mock mock;
    mock.process = std::make_unique<QProcess>();
    QByteArray output;
    connect(mock.process.get(), &QProcess::readyReadStandardOutput, this,
            [&output, &mock] { output += mock.process->readAllStandardOutput(); });
    mock.process->start(QStringLiteral(GATEHOUSE_CLI_PATH),
                        {QStringLiteral("mock"),
                         Test::sourcePath(QStringLiteral("resources/samples/") + sample),
                         QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    static const QRegularExpression re(QStringLiteral("listening on ws://127\\.0\\.0\\.1:(\\d+)"));
    if (QTest::qWaitFor(
            [&] {
                return re.match(QString::fromUtf8(output)).hasMatch()
                    || mock.process->state() == QProcess::NotRunning;
            },
            15000))
        mock.port = quint16(re.match(QString::fromUtf8(output)).captured(1).toUInt());
    mock.process->disconnect(this);
    return mock;
}

bool TestMockWscat::stopMock(Mock &mock)
{
    ::kill(pid_t(mock.process->processId()), SIGTERM);
    return QTest::qWaitFor([&] { return mock.process->state() == QProcess::NotRunning; }, 10000)
        && mock.process->exitStatus() == QProcess::NormalExit && mock.process->exitCode() == 0;
}

QProcess *TestMockWscat::startWscat(const QStringList &arguments)
{
    auto *process = new QProcess(this);
    process->setProcessChannelMode(QProcess::MergedChannels);
    connect(process, &QProcess::readyRead, this,
            [this, process] { m_output[process] += process->readAll(); });
    // stdin stays open: wscat without -x keeps the connection until it closes
    process->start(m_node, QStringList {m_wscat, QStringLiteral("--no-color")} + arguments);
    return process;
}

bool TestMockWscat::waitForOutput(QProcess *process, const QString &text, int count, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] { return QString::fromUtf8(m_output.value(process)).count(text) >= count; }, timeoutMs);
}

QString TestMockWscat::finish(QProcess *process, bool closeInput, int timeoutMs)
{
    if (closeInput)
        process->closeWriteChannel();
    if (!QTest::qWaitFor([process] { return process->state() == QProcess::NotRunning; },
                         timeoutMs)) {
        process->kill();
        process->waitForFinished(5000);
    }
    m_output[process] += process->readAll();
    const QString output = QString::fromUtf8(m_output.take(process));
    process->deleteLater();
    return output;
}

void TestMockWscat::chatTutorialBackend()
{
    Mock mock = startMock(QStringLiteral("chats.asyncapi.yaml"));
    QVERIFY(mock.port);
    const QString base = QStringLiteral("ws://127.0.0.1:%1").arg(mock.port);

    // wscat -c ws://localhost:8080/notifications
    QProcess *notifications
        = startWscat({QStringLiteral("-c"), base + QStringLiteral("/notifications")});
    QVERIFY2(waitForOutput(notifications, QStringLiteral("Subscribed to notifications!")),
             m_output.value(notifications).constData());

    // wscat -c "ws://localhost:8080/rooms?room=room1" (a member who listens)
    QProcess *member
        = startWscat({QStringLiteral("-c"), base + QStringLiteral("/rooms?room=room1")});
    QVERIFY2(waitForOutput(member, QStringLiteral("You joined room1!")),
             m_output.value(member).constData());
    QVERIFY(waitForOutput(notifications, QStringLiteral("Someone joined room1!")));

    QProcess *elsewhere
        = startWscat({QStringLiteral("-c"), base + QStringLiteral("/rooms?room=room2")});
    QVERIFY(waitForOutput(elsewhere, QStringLiteral("You joined room2!")));
    QVERIFY(waitForOutput(notifications, QStringLiteral("Someone joined room2!")));

    // a second member says something and leaves
    QProcess *speaker = startWscat(
        {QStringLiteral("-c"), base + QStringLiteral("/rooms?room=room1"), QStringLiteral("-x"),
         QStringLiteral("Hello room1!"), QStringLiteral("-w"), QStringLiteral("1")});
    const QString spoken = finish(speaker, false);
    QVERIFY2(spoken.contains(u"You joined room1!"), qPrintable(spoken));
    QVERIFY2(!spoken.contains(u"Hello room1!"), qPrintable(spoken)); // not back to the sender
    QVERIFY(waitForOutput(member, QStringLiteral("Hello room1!")));
    QVERIFY(waitForOutput(notifications, QStringLiteral("Someone joined room1!"), 2));

    // room2 hears only room2
    QProcess *speaker2 = startWscat(
        {QStringLiteral("-c"), base + QStringLiteral("/rooms?room=room2"), QStringLiteral("-x"),
         QStringLiteral("Only room2"), QStringLiteral("-w"), QStringLiteral("1")});
    finish(speaker2, false);
    QVERIFY(waitForOutput(elsewhere, QStringLiteral("Only room2")));

    const QString heardInRoom1 = finish(member);
    const QString heardInRoom2 = finish(elsewhere);
    const QString heardNotifications = finish(notifications);
    QVERIFY2(!heardInRoom1.contains(u"Only room2"), qPrintable(heardInRoom1));
    QVERIFY2(!heardInRoom2.contains(u"Hello room1!"), qPrintable(heardInRoom2));
    QVERIFY2(!heardNotifications.contains(u"Hello room1!"), qPrintable(heardNotifications));
    QCOMPARE(heardNotifications.count(u"Someone joined room1!"_qs), 2);
    QCOMPARE(heardNotifications.count(u"Someone joined room2!"_qs), 2);

    QVERIFY(stopMock(mock));
}

void TestMockWscat::examplesRequestReply()
{
    Mock mock = startMock(QStringLiteral("market-data.asyncapi.yaml"));
    QVERIFY(mock.port);
    const QString base = QStringLiteral("ws://127.0.0.1:%1").arg(mock.port);
    QProcess *client = startWscat(
        {QStringLiteral("-c"), base + QStringLiteral("/quotes"), QStringLiteral("-x"),
         QStringLiteral(R"({"type":"quote","requestId":5,"symbol":"ACME"})"), QStringLiteral("-x"),
         QStringLiteral("not json"), QStringLiteral("-w"), QStringLiteral("1")});
    const QString output = finish(client, false);
    QVERIFY2(output.contains(u"\"requestId\":5"), qPrintable(output));
    QVERIFY2(output.contains(u"\"bid\""), qPrintable(output));
    QVERIFY2(output.contains(u"not valid JSON"), qPrintable(output));

    QProcess *ticker = startWscat({QStringLiteral("-c"), base + QStringLiteral("/ticker")});
    QVERIFY(waitForOutput(ticker, QStringLiteral("\"price\""), 2));
    finish(ticker);
    QVERIFY(stopMock(mock));
}

QTEST_GUILESS_MAIN(TestMockWscat)
#include "tst_mockwscat.moc"
