// SPDX-License-Identifier: GPL-3.0-or-later
// gatehouse-cli log over a real message log written by the log store.
#include "analytics/messagelogstore.h"
#include "api/json.h"
#include "gateway/gatewayevent.h"
#include "testsupport.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using Gateway::GatewayEvent;

namespace {

GatewayEvent make(GatewayEvent::Type type, quint64 id, qint64 timeMs, const QString &channel)
{
    GatewayEvent e;
    e.type = type;
    e.connectionId = id;
    e.timeMs = timeMs;
    GatewayEvent::Details &d = e.editDetails();
    d.api = QStringLiteral("/chats/1.0.0");
    d.channel = channel;
    d.path = QStringLiteral("/chats/1.0.0/rooms/r%1").arg(id);
    d.application = id == 1 ? QStringLiteral("app_alice") : QString();
    d.clientAddress = QStringLiteral("127.0.0.1:5000");
    return e;
}

QList<GatewayEvent> session(qint64 t0)
{
    GatewayEvent opened = make(GatewayEvent::Type::ConnectionOpened, 1, t0, u"/rooms/{id}"_qs);
    opened.status = 101;
    GatewayEvent in = make(GatewayEvent::Type::MessageRelayed, 1, t0 + 10, u"/rooms/{id}"_qs);
    in.size = 5;
    in.payload = "hello";
    GatewayEvent out = make(GatewayEvent::Type::MessageRelayed, 1, t0 + 20, u"/rooms/{id}"_qs);
    out.direction = Gateway::Direction::BackendToClient;
    out.size = 11;
    out.payload = "hello there";
    GatewayEvent refused
        = make(GatewayEvent::Type::ConnectionRejected, 2, t0 + 30, u"/notifications"_qs);
    refused.status = 401;
    refused.reason = QStringLiteral("missing credentials");
    GatewayEvent closed = make(GatewayEvent::Type::ConnectionClosed, 1, t0 + 40, u"/rooms/{id}"_qs);
    closed.closeCode = 1000;
    closed.closedBy = GatewayEvent::Party::Client;
    closed.messagesIn = 1;
    closed.messagesOut = 1;
    closed.durationMs = 40;
    return {opened, in, out, refused, closed};
}

QStringList lines(const QByteArray &out)
{
    return QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

class TestLogCommand final : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_db = m_dir->filePath(QStringLiteral("messages.db"));
        Analytics::MessageLogStore::Options o;
        o.path = m_db;
        m_store = std::make_unique<Analytics::MessageLogStore>(o);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_t0 = QDateTime::currentMSecsSinceEpoch() - 60'000;
        m_store->consume(session(m_t0));
        QVERIFY(m_store->flush());
    }
    void cleanup()
    {
        m_store.reset();
        m_dir.reset();
    }

    void everyRowInOrder()
    {
        const Test::ProcessResult r = log({});
        QCOMPARE(r.exitCode, 0);
        const QStringList l = lines(r.standardOutput);
        QCOMPARE(l.size(), 5);
        QVERIFY2(
            l.at(0).contains(u"#1  opened 101 /chats/1.0.0/rooms/r1 (/rooms/{id}) app app_alice "
                             u"from 127.0.0.1:5000"),
            qPrintable(l.at(0)));
        QVERIFY2(l.at(1).contains(u"#1  in relayed text 5 B  hello"), qPrintable(l.at(1)));
        QVERIFY2(l.at(2).contains(u"#1  out relayed text 11 B  hello there"), qPrintable(l.at(2)));
        QVERIFY2(l.at(3).contains(u"#2  rejected 401 /chats/1.0.0/rooms/r2 (/notifications)"),
                 qPrintable(l.at(3)));
        QVERIFY2(l.at(3).endsWith(u": missing credentials"), qPrintable(l.at(3)));
        QVERIFY2(l.at(4).contains(u"#1  closed 1000 by client after 0.0 s (in 1, out 1)"),
                 qPrintable(l.at(4)));
    }

    void filters_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("rows");
        QTest::newRow("status") << QStringList {u"--status"_qs, u"401"_qs} << 1;
        QTest::newRow("direction") << QStringList {u"--direction"_qs, u"out"_qs} << 1;
        QTest::newRow("kind") << QStringList {u"--kind"_qs, u"handshake,close"_qs} << 3;
        QTest::newRow("rejected") << QStringList {u"--kind"_qs, u"rejected"_qs} << 1;
        QTest::newRow("opened and relayed")
            << QStringList {u"--kind"_qs, u"opened,message"_qs} << 3;
        QTest::newRow("throttled") << QStringList {u"--kind"_qs, u"throttled"_qs} << 0;
        QTest::newRow("rejected with status")
            << QStringList {u"--kind"_qs, u"rejected,closed"_qs, u"--status"_qs, u"401"_qs} << 1;
        QTest::newRow("connection") << QStringList {u"--connection"_qs, u"2"_qs} << 1;
        QTest::newRow("app") << QStringList {u"--app"_qs, u"app_alice"_qs} << 4;
        QTest::newRow("channel") << QStringList {u"--channel"_qs, u"notif"_qs} << 1;
        QTest::newRow("api") << QStringList {u"--api"_qs, u"/chats"_qs} << 5;
        QTest::newRow("grep") << QStringList {u"-g"_qs, u"there"_qs} << 1;
        QTest::newRow("code") << QStringList {u"--code"_qs, u"1000"_qs} << 1;
        QTest::newRow("app-direction")
            << QStringList {u"--app"_qs, u"app_alice"_qs, u"--direction"_qs, u"in"_qs} << 1;
        QTest::newRow("status-direction")
            << QStringList {u"--status"_qs, u"401"_qs, u"--direction"_qs, u"in"_qs} << 0;
        QTest::newRow("channel-case") << QStringList {u"--channel"_qs, u"NOTIF"_qs} << 1;
        QTest::newRow("lines") << QStringList {u"-n"_qs, u"2"_qs} << 2;
        QTest::newRow("since-ago") << QStringList {u"--since"_qs, u"10m"_qs} << 5;
        QTest::newRow("since-later") << QStringList {u"--since"_qs, u"30s"_qs} << 0;
    }

    void filters()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, rows);
        const Test::ProcessResult r = log(arguments);
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        QCOMPARE(lines(r.standardOutput).size(), rows);
    }

    void jsonLines()
    {
        const Test::ProcessResult r = log({QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QStringList l = lines(r.standardOutput);
        QCOMPARE(l.size(), 5);
        const Json refused = Json::parse(l.at(3).toStdString());
        QCOMPARE(refused["kind"].get<std::string>(), std::string("rejected"));
        QCOMPARE(refused["status"].get<int>(), 401);
        QCOMPARE(refused["connection"].get<int>(), 2);
        const Json out = Json::parse(l.at(2).toStdString());
        QCOMPARE(out["payload"].get<std::string>(), std::string("hello there"));
        QCOMPARE(out["direction"].get<std::string>(), std::string("out"));
    }

    void csv()
    {
        const Test::ProcessResult r = log({QStringLiteral("--csv"), QStringLiteral("--kind"),
                                           QStringLiteral("handshake,message")});
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        const QList<QByteArray> rows = r.standardOutput.split('\n');
        QCOMPARE(rows.size(), 6); // header, 4 rows, and what follows the last CRLF
        QVERIFY(rows.last().isEmpty());
        for (qsizetype i = 0; i < rows.size() - 1; ++i)
            QVERIFY2(rows.at(i).endsWith('\r'), rows.at(i).constData());
        QVERIFY(rows.at(0).startsWith("time,kind,connection,api,channel,application,status,"));
        QVERIFY2(rows.at(4).contains(
                     ",rejected,2,/chats/1.0.0,/notifications,,401,/chats/1.0.0/rooms/r2,"),
                 rows.at(4).constData());
        QVERIFY2(rows.at(3).contains(",out,text,11,"), rows.at(3).constData());
    }

    void har()
    {
        const Test::ProcessResult r
            = log({QStringLiteral("--har"), QStringLiteral("1"), QStringLiteral("--har-origin"),
                   QStringLiteral("ws://gw.example:9000")});
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        const Json har = Json::parse(r.standardOutput.toStdString());
        QCOMPARE(har["log"]["version"].get<std::string>(), std::string("1.2"));
        const Json &entry = har["log"]["entries"][0];
        QCOMPARE(entry["request"]["url"].get<std::string>(),
                 std::string("ws://gw.example:9000/chats/1.0.0/rooms/r1"));
        QCOMPARE(entry["response"]["status"].get<int>(), 101);
        const Json &messages = entry["_webSocketMessages"];
        QCOMPARE(messages.size(), size_t(2));
        QCOMPARE(messages[0]["type"].get<std::string>(), std::string("send"));
        QCOMPARE(messages[0]["data"].get<std::string>(), std::string("hello"));
        QCOMPARE(messages[0]["opcode"].get<int>(), 1);
        QCOMPARE(messages[0]["time"].get<double>(), double(m_t0 + 10) / 1000.0);
        QCOMPARE(messages[1]["type"].get<std::string>(), std::string("receive"));
        QCOMPARE(messages[1]["data"].get<std::string>(), std::string("hello there"));
    }

    // A JSON Lines log of serve --log-file: the same rows, filters and formats; its
    // broken lines on stderr, one each with its number.
    void jsonLinesFile()
    {
        const QString file = m_dir->filePath(QStringLiteral("messages.jsonl"));
        QVERIFY(Test::writeJsonLinesLog(file, session(m_t0)));
        QFile f(file);
        QVERIFY(f.open(QIODevice::Append));
        f.write("{\"event\":\"opened\"\nnot json at all\n");
        f.close();
        const auto run = [&](const QStringList &arguments) {
            return Test::runCli(QStringList {u"log"_qs, u"--file"_qs, file} + arguments);
        };
        Test::ProcessResult r = run({});
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        QCOMPARE(lines(r.standardOutput), lines(log({}).standardOutput));
        const QStringList problems = lines(r.standardError);
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems.at(0).startsWith(u"messages.jsonl:6: not JSON: parse error"),
                 qPrintable(problems.at(0)));
        QVERIFY2(problems.at(1).startsWith(u"messages.jsonl:7: not JSON: "),
                 qPrintable(problems.at(1)));
        r = run({u"--status"_qs, u"401"_qs, u"--json"_qs});
        QCOMPARE(lines(r.standardOutput).size(), 1);
        QCOMPARE(Json::parse(lines(r.standardOutput).at(0).toStdString())["status"].get<int>(),
                 401);
        r = run({u"--har"_qs, u"1"_qs});
        QVERIFY2(r.exitCode == 0, r.standardError.constData());
        QCOMPARE(
            Json::parse(r.standardOutput.toStdString())["log"]["entries"][0]["_webSocketMessages"]
                .size(),
            size_t(2));
        r = run({u"--follow"_qs});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.standardError.contains("--follow reads a database, not --file"));
        r = Test::runCli({u"log"_qs, u"--file"_qs, m_dir->filePath(u"none.jsonl"_qs)});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.standardError.contains("none.jsonl: No such file"), r.standardError.constData());
        QCOMPARE(r.standardError.count('\n'), 1);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("since") << QStringList {u"--since"_qs, u"yesterday"_qs} << 2
                               << "--since 'yesterday' is not a time";
        QTest::newRow("kind")
            << QStringList {u"--kind"_qs, u"ping"_qs} << 2
            << "--kind 'ping' is not a kind: use opened, rejected, message, dropped, "
               "throttled, closed, handshake, close";
        QTest::newRow("direction")
            << QStringList {u"--direction"_qs, u"up"_qs} << 2 << "--direction 'up': use in or out";
        QTest::newRow("connection") << QStringList {u"--connection"_qs, u"x"_qs} << 2
                                    << "--connection 'x' is not a connection id";
        QTest::newRow("two formats")
            << QStringList {u"--csv"_qs, u"--json"_qs} << 2 << "use one of --json, --csv and --har";
        QTest::newRow("har id") << QStringList {u"--har"_qs, u"x"_qs} << 2
                                << "--har 'x' is not a connection id";
        QTest::newRow("har follow") << QStringList {u"--har"_qs, u"1"_qs, u"-f"_qs} << 2
                                    << "--har does not go with --follow";
        QTest::newRow("har unknown")
            << QStringList {u"--har"_qs, u"99"_qs} << 1 << "connection 99: not in the message log";
        QTest::newRow("file and db")
            << QStringList {u"--file"_qs, u"a.jsonl"_qs} << 2 << "use --db or --file, not both";
        QTest::newRow("missing") << QStringList {u"--db"_qs, u"/nonexistent/m.db"_qs} << 1
                                 << "/nonexistent/m.db: no such message log";
    }

    void badInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QStringList args {QStringLiteral("log")};
        if (!arguments.contains(u"--db"_qs))
            args << QStringLiteral("--db") << m_db;
        const Test::ProcessResult r = Test::runCli(args + arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.standardError.contains(message.toUtf8()), r.standardError.constData());
        QCOMPARE(r.standardError.count('\n'), 1);
    }

    // A file that is no message log, or one a newer Gatehouse wrote: one line that
    // says so, exit 1, for `log` and `serve --log-db`, and the file left as it was.
    void badDatabaseFile()
    {
        const QString garbage = m_dir->filePath(u"garbage.db"_qs);
        QByteArray text;
        for (int i = 0; i < 100; ++i)
            text += "not a database at all, just some text\n";
        QVERIFY(Test::writeFile(garbage, text));
        Test::ProcessResult r = Test::runCli({u"log"_qs, u"--db"_qs, garbage});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(
            r.standardError.contains(
                (garbage + u": not a Gatehouse message log (not an SQLite database)"_qs).toUtf8()),
            r.standardError.constData());
        QCOMPARE(r.standardError.count('\n'), 1);

        const QString api = m_dir->filePath(u"echo.yaml"_qs);
        QVERIFY(Test::writeFile(api, Test::echoApiDocument(u"/echo"_qs, Test::freePort())));
        r = Test::runCli(
            {u"serve"_qs, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--log-db"_qs, garbage, api});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.standardError.contains(
                     (u"message log "_qs + garbage + u": not a Gatehouse message log"_qs).toUtf8()),
                 r.standardError.constData());
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), text);
    }

    // --follow prints what is logged after it started.
    void follows()
    {
        QProcess process;
        process.start(QStringLiteral(GATEHOUSE_CLI_PATH),
                      {QStringLiteral("log"), QStringLiteral("--db"), m_db,
                       QStringLiteral("--follow"), QStringLiteral("--kind"),
                       QStringLiteral("handshake")});
        QVERIFY(process.waitForStarted(10000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput(), out.count('\n') == 2),
                                 10000);
        GatewayEvent later = make(GatewayEvent::Type::ConnectionOpened, 7,
                                  QDateTime::currentMSecsSinceEpoch(), u"/rooms/{id}"_qs);
        later.status = 101;
        m_store->consume({later});
        QVERIFY(m_store->flush());
        QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput(), out.count('\n') == 3),
                                 10000);
        QVERIFY2(out.contains("#7  opened 101"), out.constData());
        QTest::qWait(1200); // nothing printed twice
        out += process.readAllStandardOutput();
        QCOMPARE(out.count('\n'), 3);
        process.kill();
        process.waitForFinished();
    }

private:
    Test::ProcessResult log(const QStringList &arguments)
    {
        return Test::runCli(QStringList {QStringLiteral("log"), QStringLiteral("--db"), m_db}
                            + arguments);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Analytics::MessageLogStore> m_store;
    QString m_db;
    qint64 m_t0 = 0;
};

QTEST_GUILESS_MAIN(TestLogCommand)
#include "tst_logcommand.moc"
