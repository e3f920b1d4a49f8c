// SPDX-License-Identifier: GPL-3.0-or-later
// The WSO2 WebSocket tutorial end to end, with nothing but real processes: the
// credentials are made with gatehouse-cli (apps, subscribe, keys issue), the Chats
// sample runs with `gatehouse-cli serve --with-mock` (gateway + chat mock backend),
// and the clients are wscat from npm, typed as the tutorial types them.
#include "testsupport.h"

#include "api/json.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

namespace {

// A running program whose merged output is collected as it arrives.
class Peer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Peer)

public:
    explicit Peer(QObject *parent = nullptr)
        : QObject(parent)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        connect(&m_process, &QProcess::readyRead, this,
                [this] { m_output += m_process.readAll(); });
    }
    ~Peer() override { stop(); }

    void start(const QString &program, const QStringList &arguments)
    {
        m_process.start(program, arguments);
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    bool running() const { return m_process.state() != QProcess::NotRunning; }
    QString output() const { return QString::fromUtf8(m_output); }
    int count(const QString &text) const { return output().count(text); }

private:
    QProcess m_process;
    QByteArray m_output;
};

} // namespace

class TestChatsTutorial final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void tutorial();
    void missingTokenIsRefused();
    void revokedTokenIsRefused();

private:
    QStringList credentialOptions() const
    {
        return {QStringLiteral("--db"), m_dir.filePath(QStringLiteral("gatehouse.db")),
                QStringLiteral("--secrets-file"), m_dir.filePath(QStringLiteral("secrets"))};
    }
    Test::ProcessResult cli(QStringList arguments)
    {
        return Test::runCli(arguments << credentialOptions());
    }
    QString url(const QString &path) const
    {
        return QStringLiteral("ws://127.0.0.1:%1/chats/1.0.0%2").arg(m_gatewayPort).arg(path);
    }
    Peer *wscat(const QStringList &arguments)
    {
        auto *peer = new Peer(this);
        peer->start(m_node, QStringList {m_wscat, QStringLiteral("--no-color")} + arguments);
        return peer;
    }

    QString m_node;
    QString m_wscat;
    QTemporaryDir m_dir;
    QString m_token;
    QString m_tokenId;
    Peer *m_serve = nullptr;
    quint16 m_gatewayPort = 0;
};

void TestChatsTutorial::initTestCase()
{
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    m_wscat = QDir(Test::nodeModulesPath()).absoluteFilePath(QStringLiteral("wscat/bin/wscat"));
    if (m_node.isEmpty() || !QFile::exists(m_wscat))
        QSKIP("node or wscat is not installed (scripts/install-deps)");
    QVERIFY(m_dir.isValid());

    // The sample, with its backend moved to a free port so the test never collides
    // with anything listening on 8080.
    QFile sample(Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")));
    QVERIFY(sample.open(QIODevice::ReadOnly));
    QByteArray text = sample.readAll();
    const quint16 backendPort = Test::freePort();
    QVERIFY(backendPort != 0);
    QVERIFY(text.contains("endpoint: ws://localhost:8080"));
    const QByteArray endpoint = "endpoint: ws://127.0.0.1:" + QByteArray::number(backendPort);
    text.replace(QByteArrayLiteral("endpoint: ws://localhost:8080"), endpoint);
    const QString api = m_dir.filePath(QStringLiteral("chats.asyncapi.yaml"));
    QFile copy(api);
    QVERIFY(copy.open(QIODevice::WriteOnly));
    copy.write(text);
    copy.close();

    // Developer portal steps: an application, a subscription, a token.
    auto r = cli({QStringLiteral("apps"), QStringLiteral("create"), QStringLiteral("tutorial")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    r = cli({QStringLiteral("subscribe"), QStringLiteral("tutorial"), QStringLiteral("--api"), api,
             QStringLiteral("--plan"), QStringLiteral("AsyncUnlimited")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("tutorial")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    m_token = QString::fromUtf8(r.standardOutput).trimmed();
    QVERIFY2(m_token.startsWith(u"gh_at_"), qPrintable(m_token));
    QVERIFY(!m_token.contains(u'\n'));

    m_serve = new Peer(this);
    m_serve->start(QStringLiteral(GATEHOUSE_CLI_PATH),
                   QStringList {QStringLiteral("serve"), api, QStringLiteral("--with-mock"),
                                QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                QStringLiteral("-v")}
                       + credentialOptions());
    // the gateway's line, not the mock's ("mock chat for ... listening on ...")
    const QRegularExpression listening(QStringLiteral("^listening on ws://127\\.0\\.0\\.1:(\\d+)"),
                                       QRegularExpression::MultilineOption);
    QTRY_VERIFY2_WITH_TIMEOUT(listening.match(m_serve->output()).hasMatch(),
                              qPrintable(m_serve->output()), 20000);
    QVERIFY2(m_serve->output().contains(u"mock chat for Chats 1.0.0"),
             qPrintable(m_serve->output()));
    m_gatewayPort = quint16(listening.match(m_serve->output()).captured(1).toUInt());
}

void TestChatsTutorial::cleanupTestCase()
{
    if (m_serve)
        m_serve->stop();
}

void TestChatsTutorial::tutorial()
{
    const QString bearer = QStringLiteral("Authorization: Bearer ") + m_token;

    // wscat -c ws://localhost:9099/chats/1.0.0/notifications -H "Authorization: Bearer $TOKEN"
    Peer *notifications = wscat({QStringLiteral("-c"), url(QStringLiteral("/notifications")),
                                 QStringLiteral("-H"), bearer, QStringLiteral("-w"),
                                 QStringLiteral("60"), QStringLiteral("-x"), QStringLiteral("hi")});
    QTRY_VERIFY2_WITH_TIMEOUT(notifications->output().contains(u"Subscribed to notifications!"),
                              qPrintable(notifications->output()), 20000);

    // wscat -c ws://localhost:9099/chats/1.0.0/rooms/room1 -H "Authorization: Bearer $TOKEN"
    Peer *first = wscat({QStringLiteral("-c"), url(QStringLiteral("/rooms/room1")),
                         QStringLiteral("-H"), bearer, QStringLiteral("-w"), QStringLiteral("60"),
                         QStringLiteral("-x"), QStringLiteral("Hi, I am first")});
    QTRY_VERIFY2_WITH_TIMEOUT(first->output().contains(u"You joined room1!"),
                              qPrintable(first->output()), 20000);
    QTRY_VERIFY2_WITH_TIMEOUT(notifications->count(QStringLiteral("Someone joined room1!")) == 1,
                              qPrintable(notifications->output()), 20000);

    // The second member uses the query form, as a browser would.
    Peer *second
        = wscat({QStringLiteral("-c"), url(QStringLiteral("/rooms/room1?access_token=") + m_token),
                 QStringLiteral("-w"), QStringLiteral("60"), QStringLiteral("-x"),
                 QStringLiteral("Hello from second")});
    QTRY_VERIFY2_WITH_TIMEOUT(second->output().contains(u"You joined room1!"),
                              qPrintable(second->output()), 20000);
    QTRY_VERIFY2_WITH_TIMEOUT(notifications->count(QStringLiteral("Someone joined room1!")) == 2,
                              qPrintable(notifications->output()), 20000);
    // Room messages reach the other member, not the sender.
    QTRY_VERIFY2_WITH_TIMEOUT(first->output().contains(u"Hello from second"),
                              qPrintable(first->output()), 20000);
    QVERIFY2(!second->output().contains(u"Hello from second"), qPrintable(second->output()));
    QVERIFY2(!notifications->output().contains(u"Hello from second"),
             qPrintable(notifications->output()));

    // The gateway logged each accepted connection (-v).
    QTRY_VERIFY2_WITH_TIMEOUT(m_serve->output().count(QStringLiteral("/chats/1.0.0/rooms/room1"))
                                  >= 2,
                              qPrintable(m_serve->output()), 20000);
    QVERIFY2(!m_serve->output().contains(m_token), "the token must never be logged");

    for (Peer *peer : {notifications, first, second})
        peer->stop();
}

void TestChatsTutorial::missingTokenIsRefused()
{
    Peer *client
        = wscat({QStringLiteral("-c"), url(QStringLiteral("/notifications")), QStringLiteral("-w"),
                 QStringLiteral("5"), QStringLiteral("-x"), QStringLiteral("hi")});
    QTRY_VERIFY2_WITH_TIMEOUT(client->output().contains(u"401"), qPrintable(client->output()),
                              20000);
    client->stop();
}

void TestChatsTutorial::revokedTokenIsRefused()
{
    // A second token, revoked: the gateway refuses it from then on.
    auto r = cli({QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("tutorial")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    const QString token = QString::fromUtf8(r.standardOutput).trimmed();
    r = cli({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("tutorial"),
             QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    const Json list = Json::parse(r.standardOutput.toStdString(), nullptr, false);
    QVERIFY2(list.is_array() && list.size() == 2, r.standardOutput.constData());
    // keys are listed oldest first; the new one is the last
    const QString id = QString::fromStdString(list.back().value("id", std::string()));
    QVERIFY(!id.isEmpty());
    r = cli({QStringLiteral("keys"), QStringLiteral("revoke"), id});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());

    // The running gateway learns of the revocation when it next reads the registry
    // (it polls the file): a connection made just before that is still let in (and
    // closed at the reload), so connect again until the refusal comes.
    QString outputs;
    bool refused = false;
    QElapsedTimer waited;
    waited.start();
    while (!refused && waited.elapsed() < 30000) {
        Peer *client = wscat(
            {QStringLiteral("-c"), url(QStringLiteral("/notifications")), QStringLiteral("-H"),
             QStringLiteral("Authorization: Bearer ") + token, QStringLiteral("-w"),
             QStringLiteral("2"), QStringLiteral("-x"), QStringLiteral("hi")});
        QTRY_VERIFY_WITH_TIMEOUT(!client->running(), 20000);
        refused = client->output().contains(u"401");
        outputs += client->output();
        client->stop();
        if (!refused)
            QTest::qWait(200);
    }
    QVERIFY2(refused, qPrintable(outputs));
}

QTEST_GUILESS_MAIN(TestChatsTutorial)
#include "tst_chatstutorial.moc"
