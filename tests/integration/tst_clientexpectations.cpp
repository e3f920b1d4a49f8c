// SPDX-License-Identifier: GPL-3.0-or-later
// core/client scenarios: the reader on good files and on every kind of bad input, the
// matchers, and the runner against servers in this process (echo, greeting, a
// broadcast room for two connections, a raw socket that refuses with 401).
#include "client/clientscenario.h"
#include "client/clientscenarioreport.h"
#include "client/clientscenariorunner.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QXmlStreamReader>

using namespace Gatehouse;
using namespace Gatehouse::Client;
using Action = ClientScenario::Step::Action;
using ExpectKind = ClientScenario::Expectation::Kind;
using Outcome = ClientScenarioRunner::Outcome;

namespace {

// Echoes every message, or (with `greetings`) sends those on connect and then stays
// silent; closes with `closeCode` after `closeAfterMs` when set. With `broadcast`,
// relays each text message to every other client instead of echoing it.
class TestServer final : public QObject
{
public:
    TestServer()
        : m_server(QStringLiteral("test"), QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection())
                accept(s);
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url(const QString &path = QStringLiteral("/")) const
    {
        return QStringLiteral("ws://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }

    QStringList greetings;
    bool broadcast = false;
    int closeCode = 0;
    int closeAfterMs = 0;
    QList<QPointer<QWebSocket>> sockets;

private:
    void accept(QWebSocket *s)
    {
        sockets.append(s);
        connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
        for (const QString &g : std::as_const(greetings))
            s->sendTextMessage(g);
        if (closeCode)
            QTimer::singleShot(closeAfterMs, s, [this, s] {
                s->close(QWebSocketProtocol::CloseCode(closeCode), QStringLiteral("bye"));
            });
        if (!greetings.isEmpty())
            return;
        connect(s, &QWebSocket::textMessageReceived, s, [this, s](const QString &m) {
            if (!broadcast) {
                s->sendTextMessage(m);
                return;
            }
            for (const QPointer<QWebSocket> &other : std::as_const(sockets))
                if (other && other != s)
                    other->sendTextMessage(m);
        });
        connect(s, &QWebSocket::binaryMessageReceived, s,
                [s](const QByteArray &m) { s->sendBinaryMessage(m); });
    }

    QWebSocketServer m_server;
};

// Answers every upgrade request with `answer`, then closes.
ClientScenario read(const QByteArray &yaml)
{
    QString error;
    const std::optional<ClientScenario> scenario
        = ClientScenario::fromData(yaml, QStringLiteral("s.yaml"), &error);
    if (!scenario)
        qWarning("%s", qPrintable(error));
    return scenario.value_or(ClientScenario());
}

ClientEvent textMessage(const QByteArray &text)
{
    ClientEvent e;
    e.kind = ClientEvent::Kind::Received;
    e.opcode = ClientEvent::Text;
    e.data = text;
    return e;
}

struct Run
{
    ClientScenarioRunner::Result result;
    int stepSignals = 0;
    bool finished = false;
};

// Runs a scenario to its end with `defaultUrl` (if any) as its default connection.
Run runScenario(const QByteArray &yaml, const QString &defaultUrl = {})
{
    Run run;
    ClientScenarioRunner runner(read(yaml));
    if (!defaultUrl.isEmpty()) {
        ClientOptions options;
        options.url = QUrl(defaultUrl);
        runner.setDefaultConnection(options);
    }
    QObject::connect(&runner, &ClientScenarioRunner::stepFinished, &runner,
                     [&run] { ++run.stepSignals; });
    QSignalSpy finished(&runner, &ClientScenarioRunner::finished);
    runner.start();
    run.finished = QTest::qWaitFor([&] { return !finished.isEmpty(); }, 15000);
    run.result = runner.result();
    return run;
}

QByteArray withUrl(QByteArray yaml, const QString &name, const QString &url)
{
    return yaml.replace(name.toUtf8(), url.toUtf8());
}

} // namespace

class TestClientExpectations final : public QObject
{
    Q_OBJECT

private slots:
    void readsAFullScenario()
    {
        const ClientScenario s = read(R"(name: chat room
connections:
  alice: {url: ws://127.0.0.1:9099/chats/1.0.0/rooms/r1, headers: {Authorization: Bearer X}}
  bob:   {url: "ws://127.0.0.1:9099/chats/1.0.0/rooms/r1", subprotocols: chat.v1, origin: "http://x"}
steps:
  - alice: {send: "hello"}
  - alice: {send: {type: join, room: r1}}
  - bob: {expect: {text: "hello"}, within: 200ms}
  - bob: {expect: {match: {type: joined}}, within: 1s}
  - bob: {expect: {schema: {type: object, required: [type]}}, within: 1.5s}
  - bob: {expect: {regex: "^hel+o$"}}
  - alice: {expect: {closed: 1000}, within: 2s}
  - alice: {close: 4000, reason: done}
  - wait: 100ms
  - bob: {sendBinary: AAEC}
  - bob: {expect: hi, within: 250}
)");
        QCOMPARE(s.name, QStringLiteral("chat room"));
        QCOMPARE(s.connections.size(), 2);
        QCOMPARE(s.connections.at(0).name, QStringLiteral("alice"));
        QCOMPARE(s.connections.at(0).line, 3);
        QCOMPARE(s.connections.at(0).headers,
                 HeaderList({{QByteArray("Authorization"), QByteArray("Bearer X")}}));
        QCOMPARE(s.connections.at(1).url,
                 QUrl(QStringLiteral("ws://127.0.0.1:9099/chats/1.0.0/rooms/r1")));
        QCOMPARE(s.connections.at(1).subprotocols, QStringList {QStringLiteral("chat.v1")});
        QCOMPARE(s.connections.at(1).origin, QStringLiteral("http://x"));
        QCOMPARE(s.steps.size(), 11);
        QCOMPARE(s.steps.at(0).action, Action::Send);
        QCOMPARE(s.steps.at(0).payload, QByteArray("hello"));
        QCOMPARE(s.steps.at(0).line, 6);
        QCOMPARE(s.steps.at(1).payload, QByteArray(R"({"type":"join","room":"r1"})"));
        QCOMPARE(s.steps.at(2).expectation.kind, ExpectKind::Text);
        QCOMPARE(s.steps.at(2).withinMs, 200);
        QCOMPARE(s.steps.at(3).expectation.kind, ExpectKind::Match);
        QCOMPARE(s.steps.at(3).withinMs, 1000);
        QCOMPARE(s.steps.at(4).expectation.kind, ExpectKind::Schema);
        QCOMPARE(s.steps.at(4).withinMs, 1500);
        QCOMPARE(s.steps.at(5).expectation.kind, ExpectKind::Regex);
        QCOMPARE(s.steps.at(5).withinMs, ClientScenario::DefaultWithinMs);
        QCOMPARE(s.steps.at(6).expectation.kind, ExpectKind::Closed);
        QCOMPARE(s.steps.at(6).expectation.closeCode, 1000);
        QCOMPARE(s.steps.at(7).action, Action::Close);
        QCOMPARE(s.steps.at(7).closeCode, 4000);
        QCOMPARE(s.steps.at(7).reason, QStringLiteral("done"));
        QCOMPARE(s.steps.at(8).action, Action::Wait);
        QCOMPARE(s.steps.at(8).waitMs, 100);
        QCOMPARE(s.steps.at(9).action, Action::SendBinary);
        QCOMPARE(s.steps.at(9).payload, QByteArray("\x00\x01\x02", 3));
        QCOMPARE(s.steps.at(10).expectation.text, QStringLiteral("hi"));
        QCOMPARE(s.steps.at(10).withinMs, 250);
        QVERIFY(!s.usesDefaultConnection());

        QCOMPARE(s.steps.at(2).describe(), QStringLiteral("bob expect text \"hello\""));
        QCOMPARE(s.steps.at(3).describe(),
                 QStringLiteral("bob expect match {\"type\":\"joined\"}"));
        QCOMPARE(s.steps.at(5).describe(), QStringLiteral("bob expect regex /^hel+o$/"));
        QCOMPARE(s.steps.at(6).describe(), QStringLiteral("alice expect closed 1000"));
        QCOMPARE(s.steps.at(7).describe(), QStringLiteral("alice close 4000"));
        QCOMPARE(s.steps.at(8).describe(), QStringLiteral("wait 100 ms"));
    }

    void readsASingleConnectionScenario()
    {
        // JSON as well as YAML; steps without a connection use the default one
        const ClientScenario s = read(R"({"steps": [{"send": "hi"}, {"expect": {"text": "hi"}},
                                                   {"wait": "1m"}, {"close": true}]})");
        QCOMPARE(s.steps.size(), 4);
        QVERIFY(s.connections.isEmpty());
        QVERIFY(s.usesDefaultConnection());
        QCOMPARE(s.steps.at(0).describe(), QStringLiteral("send \"hi\""));
        QCOMPARE(s.steps.at(2).waitMs, 60000);
        QCOMPARE(s.steps.at(3).closeCode, 1000);
        QCOMPARE(s.defaultConnectionProblem(),
                 QStringLiteral("s.yaml:1: step 1 names no connection; name one of "
                                "'connections' or give the default with -c URL"));
    }

    void refusesBadFiles_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("error");
        const QByteArray alice = "connections:\n  alice: ws://h/\nsteps:\n";
        QTest::newRow("list") << QByteArray("- send: hi\n")
                              << "s.yaml:1: a scenario must be a mapping with 'steps' (and "
                                 "'connections'), not a list";
        QTest::newRow("yaml") << QByteArray("steps: [\n")
                              << "s.yaml:2: invalid YAML: end of sequence flow not found";
        QTest::newRow("top key") << QByteArray("steps: [{send: hi}]\nstep: []\n")
                                 << "s.yaml:2: unknown key 'step' (expected name, connections, "
                                    "steps)";
        QTest::newRow("no steps") << QByteArray("name: x\n")
                                  << "s.yaml:1: missing 'steps', the list of what to do";
        QTest::newRow("steps not a list")
            << QByteArray("steps: {send: hi}\n")
            << "s.yaml:1: 'steps' must be a list of steps, not a mapping";
        QTest::newRow("no step") << QByteArray("steps: []\n")
                                 << "s.yaml:1: 'steps' must be a list of steps, not an empty list";
        QTest::newRow("connections") << QByteArray("connections: [a]\nsteps: [{wait: 1}]\n")
                                     << "s.yaml:1: 'connections' must be a mapping of names to "
                                        "URLs or {url, headers, subprotocols, origin}";
        QTest::newRow("url") << QByteArray(
            "connections:\n  a: {url: ftp://h/}\nsteps: [{wait: 1}]\n")
                             << "s.yaml:2: connection 'a': url must be a ws:// or wss:// URL, "
                                "not \"ftp://h/\"";
        QTest::newRow("no url") << QByteArray(
            "connections:\n  a: {origin: x}\nsteps: [{wait: 1}]\n")
                                << "s.yaml:2: connection 'a' has no 'url'";
        QTest::newRow("connection key")
            << QByteArray(
                   "connections:\n  a:\n    url: ws://h/\n    header: {}\nsteps: [{wait: 1}]\n")
            << "s.yaml:4: connection 'a': unknown key 'header' (expected url, headers, "
               "subprotocols, origin)";
        QTest::newRow("keyword name")
            << QByteArray("connections:\n  send: ws://h/\nsteps: [{wait: 1}]\n")
            << "s.yaml:2: connection 'send' needs another name (not a step's keyword)";
        QTest::newRow("headers")
            << QByteArray("connections:\n  a: {url: ws://h/, headers: [X]}\nsteps: [{wait: 1}]\n")
            << "s.yaml:2: connection 'a': 'headers' must be a mapping of names to values";
        QTest::newRow("step not a mapping")
            << QByteArray("steps:\n  - hello\n")
            << "s.yaml:2: step 1 must be a mapping such as {send: hello} or {alice: {send: "
               "hello}}, not a string";
        QTest::newRow("unknown connection")
            << alice + "  - bob: {send: hi}\n"
            << "s.yaml:4: step 1: 'bob' is neither a step (send, sendBinary, expect, close, "
               "wait) nor a connection (alice)";
        QTest::newRow("misspelt action")
            << QByteArray("steps:\n  - wait: 1\n  - sned: hi\n")
            << "s.yaml:3: step 2: 'sned' is neither a step (send, sendBinary, expect, close, "
               "wait) nor a connection (none are named)";
        QTest::newRow("body not a mapping") << alice + "  - alice: hello\n"
                                            << "s.yaml:4: step 1: what alice does must be a "
                                               "mapping such as {send: hello}";
        QTest::newRow("two actions")
            << alice + "  - alice: {send: hi, close: 1000}\n"
            << "s.yaml:4: step 1 has both 'send' and 'close'; write one step for each";
        QTest::newRow("no action") << QByteArray("steps:\n  - within: 1s\n")
                                   << "s.yaml:2: step 1 needs one of send, sendBinary, expect, "
                                      "close, wait";
        QTest::newRow("unknown key")
            << QByteArray("steps:\n  - expect: hi\n    witin: 1s\n")
            << "s.yaml:3: step 1: unknown key 'witin' (expected one of send, sendBinary, "
               "expect, close, wait, and within or reason)";
        QTest::newRow("within") << QByteArray(
            "steps:\n  - send: hi\n  - send: ho\n  - expect: {text: hi}\n    "
            "within: soon\n") << "s.yaml:5: step 3: 'within' must be a duration such as 200ms";
        QTest::newRow("within on send") << QByteArray("steps:\n  - {send: hi, within: 1s}\n")
                                        << "s.yaml:2: step 1: 'within' belongs to an expect step";
        QTest::newRow("reason on send") << QByteArray("steps:\n  - {send: hi, reason: x}\n")
                                        << "s.yaml:2: step 1: 'reason' belongs to a close step";
        QTest::newRow("wait") << QByteArray("steps:\n  - wait: -5\n")
                              << "s.yaml:2: step 1: 'wait' must be a duration such as 200ms";
        QTest::newRow("close code") << QByteArray("steps:\n  - close: 1005\n")
                                    << "s.yaml:2: step 1: 1005 is not a close code a client may "
                                       "send";
        QTest::newRow("close text") << QByteArray("steps:\n  - close: soon\n")
                                    << "s.yaml:2: step 1: 'close' must be a close code such as "
                                       "1000";
        QTest::newRow("expect kind") << QByteArray("steps:\n  - expect: {json: {}}\n")
                                     << "s.yaml:2: step 1: 'expect' must be a mapping with one "
                                        "of text, match, schema, regex, closed";
        QTest::newRow("expect two kinds")
            << QByteArray("steps:\n  - expect: {text: a, regex: b}\n")
            << "s.yaml:2: step 1: 'expect' must be a mapping with one of text, match, schema, "
               "regex, closed";
        QTest::newRow("text") << QByteArray("steps:\n  - expect: {text: [a]}\n")
                              << "s.yaml:2: step 1: 'text' must be text";
        QTest::newRow("regex") << QByteArray("steps:\n  - expect: {regex: \"a(\"}\n")
                               << "s.yaml:2: step 1: 'regex' must be a regular expression "
                                  "(missing closing parenthesis)";
        QTest::newRow("schema") << QByteArray("steps:\n  - expect: {schema: 12}\n")
                                << "s.yaml:2: step 1: 'schema' must be a JSON Schema mapping";
        QTest::newRow("closed") << QByteArray("steps:\n  - expect: {closed: x}\n")
                                << "s.yaml:2: step 1: 'closed' must be a close code such as "
                                   "1000, or true for any";
        QTest::newRow("base64") << QByteArray("steps:\n  - sendBinary: \"*\"\n")
                                << "s.yaml:2: step 1: 'sendBinary' must be base64 text";
    }
    void refusesBadFiles()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, error);
        QString why;
        QVERIFY(!ClientScenario::fromData(yaml, QStringLiteral("s.yaml"), &why));
        QCOMPARE(why, error);
    }

    void refusesAMissingFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("none.yaml"));
        QString why;
        QVERIFY(!ClientScenario::load(path, &why));
        QCOMPARE(why, path + QStringLiteral(": file not found"));
    }

    void parsesDurations_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("ms");
        QTest::newRow("number") << QByteArray("250") << 250;
        QTest::newRow("ms") << QByteArray("\"200ms\"") << 200;
        QTest::newRow("s") << QByteArray("\"1.5s\"") << 1500;
        QTest::newRow("m") << QByteArray("\"2m\"") << 120000;
        QTest::newRow("min") << QByteArray("\"1 min\"") << 60000;
        QTest::newRow("text number") << QByteArray("\"30\"") << 30;
        QTest::newRow("negative") << QByteArray("-1") << -1;
        QTest::newRow("unit") << QByteArray("\"2h\"") << -1;
        QTest::newRow("word") << QByteArray("\"soon\"") << -1;
        QTest::newRow("over a day") << QByteArray("\"1441m\"") << -1;
        QTest::newRow("list") << QByteArray("[1]") << -1;
    }
    void parsesDurations()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, ms);
        QCOMPARE(ClientScenario::parseDuration(Json::parse(json.toStdString())).value_or(-1), ms);
    }

    void matchesMessages_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("why"); // empty: it matches
        QTest::newRow("text") << QByteArray("{text: hello}") << QByteArray("hello") << QString();
        QTest::newRow("text differs")
            << QByteArray("{text: hello}") << QByteArray("hello!") << "got \"hello!\"";
        QTest::newRow("regex") << QByteArray("{regex: \"^hel+o$\"}") << QByteArray("helllo")
                               << QString();
        QTest::newRow("regex differs")
            << QByteArray("{regex: \"^hel+o$\"}") << QByteArray("help") << "no match in \"help\"";
        QTest::newRow("match") << QByteArray("{match: {type: joined}}")
                               << QByteArray(R"({"type":"joined","user":"bob"})") << QString();
        QTest::newRow("match differs")
            << QByteArray("{match: {type: joined}}") << QByteArray(R"({"type":"left"})")
            << "/type: expected \"joined\", got \"left\"";
        QTest::newRow("schema") << QByteArray("{schema: {type: object, required: [type]}}")
                                << QByteArray(R"({"type":1})") << QString();
        QTest::newRow("schema differs")
            << QByteArray("{schema: {type: object, required: [type]}}") << QByteArray("{}")
            << "(root): missing required field 'type'";
        QTest::newRow("schema not JSON")
            << QByteArray("{schema: {type: object}}") << QByteArray("hi") << "not JSON: \"hi\"";
    }
    void matchesMessages()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QByteArray, message);
        QFETCH(QString, why);
        const ClientScenario s = read("steps:\n  - expect: " + yaml + "\n");
        QCOMPARE(s.steps.size(), 1);
        QString reason;
        QCOMPARE(s.steps.at(0).expectation.matches(textMessage(message), &reason), why.isEmpty());
        QCOMPARE(reason, why);
    }

    void runsAgainstAnEchoServer()
    {
        TestServer echo;
        const Run run = runScenario(R"(steps:
  - send: hello
  - send: {type: joined, user: bob}
  - expect: {match: {type: joined}}
  - expect: {regex: "^hel+o$"}
  - send: {user: carol}
  - expect: {schema: {type: object, required: [user]}}
  - send: again
  - expect: again
  - close: 1000
  - expect: {closed: 1000}
)",
                                    echo.url());
        QVERIFY(run.finished);
        for (const ClientScenarioRunner::StepResult &step : run.result.steps)
            QVERIFY2(step.outcome == Outcome::Passed,
                     qPrintable(ClientScenarioReport::stepLine(step)));
        QVERIFY2(run.result.passed(), qPrintable(run.result.connectionError));
        QCOMPARE(run.result.count(Outcome::Passed), 10);
        QCOMPARE(run.stepSignals, 10);
    }

    void failsAfterItsTimeWithWhatArrived()
    {
        TestServer echo;
        const Run run = runScenario(R"(steps:
  - send: hi
  - expect: {text: hello}
    within: 200ms
  - send: never
)",
                                    echo.url());
        QVERIFY(run.finished);
        QVERIFY(!run.result.passed());
        QCOMPARE(run.result.steps.at(0).outcome, Outcome::Passed);
        const ClientScenarioRunner::StepResult &failed = run.result.steps.at(1);
        QCOMPARE(failed.outcome, Outcome::Failed);
        QCOMPARE(failed.message, QStringLiteral("no match within 200 ms; got \"hi\""));
        QVERIFY(failed.durationMs >= 150);
        QCOMPARE(run.result.steps.at(2).outcome, Outcome::Skipped);
        QCOMPARE(run.result.steps.at(2).message, QStringLiteral("step 2 failed"));
        QCOMPARE(run.stepSignals, 3);
        QCOMPARE(ClientScenarioReport::stepLine(failed),
                 QStringLiteral("FAILED 2 expect text \"hello\" (%1 ms): no match within 200 ms; "
                                "got \"hi\"")
                     .arg(failed.durationMs));
        QCOMPARE(ClientScenarioReport::summary(run.result),
                 QStringLiteral("1 passed, 1 failed, 1 skipped"));
    }

    void failsOnAMismatchSayingWhy()
    {
        TestServer echo;
        Run run = runScenario(R"(steps:
  - send: '{"type":"left"}'
  - expect: {match: {type: joined}}
    within: 300ms
)",
                              echo.url());
        QCOMPARE(run.result.steps.at(1).message,
                 QStringLiteral("no match within 300 ms; got \"{\\\"type\\\":\\\"left\\\"}\" "
                                "(/type: expected \"joined\", got \"left\")"));

        TestServer silent;
        silent.greetings = {QStringLiteral("nothing else")};
        run = runScenario("steps:\n  - wait: 50ms\n  - expect: {text: x}\n    within: 100ms\n",
                          silent.url());
        QCOMPARE(run.result.steps.at(1).message,
                 QStringLiteral("no match within 100 ms; got \"nothing else\""));

        TestServer quiet;
        quiet.greetings = {}; // echoes, but nothing is sent
        run = runScenario("steps:\n  - expect: {text: x}\n    within: 100ms\n", quiet.url());
        QCOMPARE(run.result.steps.at(0).message, QStringLiteral("nothing arrived within 100 ms"));
    }

    // Messages received before an expect count; those that do not match stay for later.
    void takesTheFirstUnconsumedMatch()
    {
        TestServer greeter;
        greeter.greetings = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("a")};
        const Run run = runScenario(R"(steps:
  - wait: 200ms
  - expect: b
    within: 10ms
  - expect: a
  - expect: a
  - expect: a
    within: 100ms
)",
                                    greeter.url());
        QCOMPARE(run.result.count(Outcome::Passed), 4);
        QCOMPARE(run.result.steps.at(4).outcome, Outcome::Failed);
        QCOMPARE(run.result.steps.at(4).message, QStringLiteral("nothing arrived within 100 ms"));
    }

    void seesTheServerClose()
    {
        TestServer closing;
        closing.greetings = {QStringLiteral("bye soon")};
        closing.closeCode = 4001;
        closing.closeAfterMs = 100;
        Run run = runScenario("steps:\n  - expect: {closed: 4001}\n", closing.url());
        QVERIFY(run.result.passed());

        run = runScenario("steps:\n  - expect: {closed: 1000}\n", closing.url());
        QCOMPARE(run.result.steps.at(0).message,
                 QStringLiteral("closed with 4001 application-defined \"bye\""));

        // an expect fails as soon as its connection ends, not at the end of its time
        run = runScenario("steps:\n  - expect: x\n    within: 10s\n", closing.url());
        const ClientScenarioRunner::StepResult &step = run.result.steps.at(0);
        QCOMPARE(step.outcome, Outcome::Failed);
        QVERIFY2(step.message.startsWith(QStringLiteral("the connection closed 4001")),
                 qPrintable(step.message));
        QVERIFY2(step.message.endsWith(QStringLiteral("before a match; got \"bye soon\"")),
                 qPrintable(step.message));
        QVERIFY(step.durationMs < 5000);

        run = runScenario("steps:\n  - close: 1000\n  - send: late\n", closing.url());
        QCOMPARE(run.result.steps.at(1).outcome, Outcome::Failed);
        QVERIFY2(
            run.result.steps.at(1).message.startsWith(QStringLiteral("the connection is not open")),
            qPrintable(run.result.steps.at(1).message));
    }

    // Two connections: what alice sends, bob receives, and the other way round.
    void twoConnectionsTalk()
    {
        TestServer room;
        room.broadcast = true;
        const QByteArray yaml = withUrl(R"(connections:
  alice: URL
  bob: {url: URL, headers: {X-User: bob}}
steps:
  - alice: {send: hello}
  - bob: {expect: {text: hello}, within: 2s}
  - bob: {send: '{"type":"reply"}'}
  - alice: {expect: {match: {type: reply}}, within: 2s}
  - alice: {expect: hello, within: 100ms}
)",
                                        QStringLiteral("URL"), room.url(QStringLiteral("/r1")));
        const Run run = runScenario(yaml);
        QVERIFY(run.finished);
        QCOMPARE(run.result.count(Outcome::Passed), 4);
        // alice does not hear herself
        QCOMPARE(run.result.steps.at(4).outcome, Outcome::Failed);
        QCOMPARE(run.result.steps.at(4).description, QStringLiteral("alice expect text \"hello\""));
    }

    void aConnectionThatCannotOpenEndsTheRun()
    {
        TestServer echo;
        Test::RawHttpServer refusing("HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\n"
                                     "unauthorized");
        QByteArray yaml = R"(connections:
  alice: ECHO
  bob: REFUSING
steps:
  - alice: {send: hi}
  - bob: {expect: hi}
)";
        yaml = withUrl(withUrl(yaml, QStringLiteral("ECHO"), echo.url()),
                       QStringLiteral("REFUSING"), refusing.url());
        Run run = runScenario(yaml);
        QVERIFY(run.finished);
        QCOMPARE(run.result.connectionError,
                 QStringLiteral("bob: Unexpected server response: 401"));
        QCOMPARE(run.result.count(Outcome::Skipped), 2);
        QCOMPARE(run.stepSignals, 0);
        QTRY_VERIFY(std::all_of(echo.sockets.begin(), echo.sockets.end(),
                                [](const QPointer<QWebSocket> &s) { return !s; }));

        // no connection at all: only waits
        run = runScenario("steps:\n  - wait: 10ms\n");
        QVERIFY(run.finished);
        QVERIFY(run.result.passed());

        // steps without a connection and no default connection
        run = runScenario("steps:\n  - wait: 1\n  - send: hi\n");
        QVERIFY(run.finished);
        QCOMPARE(run.result.connectionError,
                 QStringLiteral("s.yaml:3: step 2 names no connection; name one of 'connections' "
                                "or give the default with -c URL"));
    }

    void writesJUnit()
    {
        TestServer echo;
        const QString yaml = QStringLiteral(
            "steps:\n  - send: a\n  - expect: b\n    within: 100ms\n  - send: c\n");
        ClientScenario scenario = read(yaml.toUtf8());
        scenario.name = QStringLiteral("suite <1>");
        ClientScenarioRunner runner(scenario);
        ClientOptions options;
        options.url = QUrl(echo.url());
        runner.setDefaultConnection(options);
        QSignalSpy finished(&runner, &ClientScenarioRunner::finished);
        runner.start();
        QVERIFY(finished.wait(10000));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.xml"));
        QString error;
        QVERIFY(ClientScenarioReport::writeJUnit(path, scenario, runner.result(), &error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        int cases = 0;
        QStringList failures;
        int skipped = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            const auto a = xml.attributes();
            if (xml.name() == u"testsuite") {
                QCOMPARE(a.value(QStringLiteral("name")), QStringLiteral("suite <1>"));
                QCOMPARE(a.value(QStringLiteral("tests")), QStringLiteral("3"));
                QCOMPARE(a.value(QStringLiteral("failures")), QStringLiteral("1"));
                QCOMPARE(a.value(QStringLiteral("skipped")), QStringLiteral("1"));
            } else if (xml.name() == u"testcase") {
                ++cases;
            } else if (xml.name() == u"failure") {
                failures.append(a.value(QStringLiteral("message")).toString());
            } else if (xml.name() == u"skipped") {
                ++skipped;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(cases, 3);
        QCOMPARE(failures, QStringList {QStringLiteral("no match within 100 ms; got \"a\"")});
        QCOMPARE(skipped, 1);

        QVERIFY(!ClientScenarioReport::writeJUnit(dir.filePath(QStringLiteral("no/such/dir.xml")),
                                                  scenario, runner.result(), &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot write ")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestClientExpectations)
#include "tst_clientexpectations.moc"
