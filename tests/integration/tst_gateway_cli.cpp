// SPDX-License-Identifier: GPL-3.0-or-later
// `gatehouse-cli serve` as a user runs it: a real process, an in-process echo
// backend, QWebSocket clients, signals for shutdown.
#include "analytics/messagelogreader.h"
#include "api/json.h"
#include "testsupport.h"

#include <QDeadlineTimer>
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
    void adminEndpoint();
    void adminAddressThatIsNotOne();
    void adminGrantsPayloadLogging();

private:
    QString writeApi(const QString &context, quint16 backendPort);
    quint16 startServe(const QStringList &extra = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Test::EchoBackend> m_backend;
    std::unique_ptr<Test::CliProcess> m_serve;
};

void TestGatewayCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_backend = std::make_unique<Test::EchoBackend>();
    QVERIFY(m_backend->port() != 0);
    m_serve = std::make_unique<Test::CliProcess>();
}

void TestGatewayCli::cleanup()
{
    m_serve.reset();
    m_backend.reset();
    m_dir.reset();
}

QString TestGatewayCli::writeApi(const QString &context, quint16 backendPort)
{
    const QString path = m_dir->filePath(QStringLiteral("api.yaml"));
    return Test::writeFile(path, Test::echoApiDocument(context, backendPort)) ? path : QString();
}

quint16 TestGatewayCli::startServe(const QStringList &extra)
{
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
    return m_serve->startServe(args);
}

void TestGatewayCli::servesAndStopsCleanly()
{
    QVERIFY(!writeApi(QStringLiteral("/t"), m_backend->port()).isEmpty());
    const QString logFile = m_dir->filePath(QStringLiteral("log.jsonl"));
    const quint16 port = startServe({QStringLiteral("--log-file"), logFile});
    QVERIFY(port != 0);
    QVERIFY(m_serve->standardOutput().contains("serving /t/1.0.0"));

    QWebSocket ws;
    QSignalSpy text(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/t/1.0.0/echo").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::ConnectedState, 10000);
    ws.sendTextMessage(QStringLiteral("ping me"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("ping me"));
    QTRY_VERIFY(m_serve->standardOutput().contains("accepted #"));

    m_serve->process().terminate(); // SIGTERM
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
    QCOMPARE(int(ws.closeCode()), 1001);
    QTRY_COMPARE_WITH_TIMEOUT(m_serve->process().state(), QProcess::NotRunning, 10000);
    QCOMPARE(m_serve->process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_serve->process().exitCode(), 0);
    QVERIFY2(m_serve->standardOutput().contains("closed #"), m_serve->standardOutput().constData());
    QVERIFY2(m_serve->standardOutput().contains("stopped; closed 1 open connection(s)"),
             m_serve->standardOutput().constData());

    QFile log(logFile);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray lines = log.readAll();
    QVERIFY2(lines.contains("\"event\":\"opened\""), lines.constData());
    QVERIFY2(lines.contains("\"event\":\"closed\""), lines.constData());
}

void TestGatewayCli::reloadsOnSighup()
{
    const QString api = writeApi(QStringLiteral("/first"), m_backend->port());
    // (without metrics: a run and a reload need none)
    const quint16 port = startServe({QStringLiteral("--no-metrics")});
    QVERIFY(port != 0);
    QWebSocket before;
    before.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/first/1.0.0/echo").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(before.state(), QAbstractSocket::ConnectedState, 10000);

    writeApi(QStringLiteral("/second"), m_backend->port());
    ::kill(pid_t(m_serve->process().processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(m_serve->standardOutput().contains("reloaded 1 API document(s)"),
                             10000);
    QWebSocket after;
    after.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/second/1.0.0/echo").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(after.state(), QAbstractSocket::ConnectedState, 10000);
    QCOMPARE(before.state(), QAbstractSocket::ConnectedState); // not dropped by the reload

    ::kill(pid_t(m_serve->process().processId()), SIGINT);
    QTRY_COMPARE_WITH_TIMEOUT(m_serve->process().state(), QProcess::NotRunning, 10000);
    QCOMPARE(m_serve->process().exitCode(), 0);
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
    QTest::newRow("bad-outgoing-buffer")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--outgoing-buffer"), QStringLiteral("1KiB")}
        << 2 << QStringLiteral("--outgoing-buffer '1KiB' is not a size of at least 4KiB");
    QTest::newRow("bad-socket-buffers")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--socket-buffers"), QStringLiteral("1GiB")}
        << 2 << QStringLiteral("--socket-buffers '1GiB' is not a size from 4KiB to 64MiB");
    QTest::newRow("bad-log-max-age")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--log-max-age"), QStringLiteral("forever")}
        << 2 << QStringLiteral("--log-max-age 'forever' is not a duration");
    QTest::newRow("bad-log-max-size")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--log-max-size"), QStringLiteral("big")}
        << 2 << QStringLiteral("--log-max-size 'big' is not a size");
    QTest::newRow("admin-without-metrics")
        << QStringList {QStringLiteral("serve"), QStringLiteral("x.yaml"),
                        QStringLiteral("--no-metrics"), QStringLiteral("--admin"),
                        QStringLiteral("9100")}
        << 2 << QStringLiteral("--admin serves the metrics: not with --no-metrics");
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
    QVERIFY(!writeApi(QStringLiteral("/echo"), m_backend->port()).isEmpty());
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

namespace {

// One HTTP GET (or another method) to 127.0.0.1: the status line and the body.
QPair<QByteArray, QByteArray> http(quint16 port, const QByteArray &path,
                                   const QByteArray &method = "GET", const QByteArray &body = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (!body.isEmpty())
        socket.write("Content-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n");
    socket.write("\r\n" + body);
    QByteArray answer;
    QDeadlineTimer deadline(5000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired())
        if (socket.waitForReadyRead(100))
            answer += socket.readAll();
    answer += socket.readAll();
    const qsizetype end = answer.indexOf("\r\n\r\n");
    return {answer.left(answer.indexOf("\r\n")), end < 0 ? QByteArray() : answer.mid(end + 4)};
}

} // namespace

// serve --admin: after a scripted run (3 accepted connections, 2 refused with 401,
// 12 messages) /metrics says so line by line and a Prometheus parser reads it;
// /healthz and /api/stats answer too.
void TestGatewayCli::adminEndpoint()
{
    QFile api(m_dir->filePath(QStringLiteral("api.yaml")));
    QVERIFY(api.open(QIODevice::WriteOnly));
    api.write(QStringLiteral(R"(asyncapi: 2.6.0
info:
  title: Echo
  version: 1.0.0
channels:
  /echo:
    publish:
      x-auth-type: None
      message:
        payload:
          type: string
  /secure:
    publish:
      message:
        payload:
          type: string
x-gatehouse:
  context: /t
  endpoint: ws://127.0.0.1:%1
)")
                  .arg(m_backend->port())
                  .toUtf8());
    api.close();
    QVERIFY(startServe({QStringLiteral("--admin"), QStringLiteral("127.0.0.1:0")}) != 0);
    const QRegularExpression adminLine(
        QStringLiteral("admin endpoint http://127\\.0\\.0\\.1:(\\d+)/metrics"));
    QTRY_VERIFY(adminLine.match(QString::fromUtf8(m_serve->standardOutput())).hasMatch());
    const quint16 admin = quint16(
        adminLine.match(QString::fromUtf8(m_serve->standardOutput())).captured(1).toUInt());
    const quint16 port
        = quint16(QRegularExpression(QStringLiteral("listening on ws://127\\.0\\.0\\.1:(\\d+)"))
                      .match(QString::fromUtf8(m_serve->standardOutput()))
                      .captured(1)
                      .toUInt());

    std::vector<std::unique_ptr<QWebSocket>> clients;
    int echoed = 0;
    for (int i = 0; i < 3; ++i) {
        auto ws = std::make_unique<QWebSocket>();
        connect(ws.get(), &QWebSocket::textMessageReceived, this, [&echoed] { ++echoed; });
        ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/t/1.0.0/echo").arg(port)));
        QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 10000);
        for (int m = 0; m < 4; ++m)
            ws->sendTextMessage(QStringLiteral("hello")); // 5 bytes
        clients.push_back(std::move(ws));
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoed, 12, 10000);
    for (int i = 0; i < 2; ++i) {
        QWebSocket refused;
        QSignalSpy error(&refused, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
        refused.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/t/1.0.0/secure").arg(port)));
        QTRY_VERIFY_WITH_TIMEOUT(!error.isEmpty(), 10000);
    }
    clients.front()->close(QWebSocketProtocol::CloseCodeNormal);
    QTRY_COMPARE_WITH_TIMEOUT(clients.front()->state(), QAbstractSocket::UnconnectedState, 10000);

    const QString echo = QStringLiteral("api=\"/t/1.0.0\",channel=\"/echo\"");
    const QStringList expected {
        QStringLiteral("gatehouse_connections_open{%1} 2").arg(echo),
        QStringLiteral("gatehouse_connection_attempts_total{%1} 3").arg(echo),
        QStringLiteral(
            "gatehouse_connection_attempts_total{api=\"/t/1.0.0\",channel=\"/secure\"} 2"),
        QStringLiteral("gatehouse_handshake_rejections_total{api=\"/t/1.0.0\",channel=\"/secure\","
                       "status=\"401\"} 2"),
        QStringLiteral("gatehouse_messages_total{%1,direction=\"in\"} 12").arg(echo),
        QStringLiteral("gatehouse_messages_total{%1,direction=\"out\"} 12").arg(echo),
        QStringLiteral("gatehouse_message_bytes_total{%1,direction=\"in\"} 60").arg(echo),
        QStringLiteral(
            "gatehouse_connection_closes_total{%1,code=\"1000\",cause=\"client_closed\"} 1")
            .arg(echo),
        QStringLiteral("gatehouse_handshake_duration_seconds_count{%1} 3").arg(echo),
        QStringLiteral("gatehouse_message_relay_duration_seconds_count{%1} 24").arg(echo),
        QStringLiteral("gatehouse_connection_duration_seconds_count{%1} 1").arg(echo),
        QStringLiteral("gatehouse_handshake_duration_seconds_bucket{%1,le=\"+Inf\"} 3").arg(echo),
    };
    QByteArray metrics;
    QStringList lines;
    // the metrics thread takes the gateway's events in batches, a few times a second
    auto allThere = [&] {
        const auto [status, body] = http(admin, "/metrics");
        metrics = body;
        lines = QString::fromUtf8(body).split(u'\n');
        return status == "HTTP/1.1 200 OK"
            && std::all_of(expected.begin(), expected.end(),
                           [&lines](const QString &l) { return lines.contains(l); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allThere(), 10000);
    for (const QString &l : expected)
        QVERIFY2(lines.contains(l), qPrintable(l));
    // the Prometheus project's own parser reads it (Debian's python3-prometheus-client,
    // for Debian's python3, whatever else is first on the PATH)
    const Test::ProcessResult parsed = Test::runProcess(
        QStringLiteral("/usr/bin/python3"),
        {QStringLiteral("-c"),
         QStringLiteral("import sys\n"
                        "from prometheus_client.parser import text_string_to_metric_families\n"
                        "families = list(text_string_to_metric_families(sys.stdin.read()))\n"
                        "print(len(families), sum(len(f.samples) for f in families))\n"
                        "print(' '.join(f.name + ':' + f.type for f in families))\n")},
        30000, metrics);
    if (parsed.exitCode != 0)
        qWarning("%s", parsed.standardError.constData());
    QVERIFY2(parsed.exitCode == 0, "the metrics do not parse");
    QVERIFY2(parsed.standardOutput.contains("gatehouse_connections_open:gauge"),
             parsed.standardOutput.constData());
    QVERIFY2(parsed.standardOutput.contains("gatehouse_handshake_duration_seconds:histogram"),
             parsed.standardOutput.constData());
    QVERIFY2(parsed.standardOutput.contains("gatehouse_messages:counter"),
             parsed.standardOutput.constData());
    QVERIFY2(parsed.standardOutput.contains("gatehouse_descriptor_limit_refusals:counter"),
             parsed.standardOutput.constData());
    QVERIFY2(parsed.standardOutput.startsWith("12 "), parsed.standardOutput.constData());

    const auto [healthStatus, health] = http(admin, "/healthz");
    QCOMPARE(healthStatus, QByteArray("HTTP/1.1 200 OK"));
    QCOMPARE(health, QByteArray("ok\n"));
    const auto [statsStatus, stats] = http(admin, "/api/stats");
    QCOMPARE(statsStatus, QByteArray("HTTP/1.1 200 OK"));
    const Json json = Json::parse(stats.toStdString());
    QCOMPARE(json["openConnections"].get<int>(), 2);
    QCOMPARE(json["rejections"]["401"].get<int>(), 2);
    QCOMPARE(json["messages"]["in"].get<int>(), 12);
    QCOMPARE(http(admin, "/nothing").first, QByteArray("HTTP/1.1 404 Not Found"));
    QCOMPARE(http(admin, "/metrics", "POST").first, QByteArray("HTTP/1.1 405 Method Not Allowed"));
    // ids and raw paths never become labels
    QVERIFY(!metrics.contains("connection"
                              "Id"));
    QVERIFY(!metrics.contains("path="));
}

void TestGatewayCli::adminAddressThatIsNotOne()
{
    QVERIFY(!writeApi(QStringLiteral("/t"), m_backend->port()).isEmpty());
    const Test::ProcessResult r = Test::runCli(
        {QStringLiteral("serve"), m_dir->filePath(QStringLiteral("api.yaml")),
         QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
         m_dir->filePath(QStringLiteral("g.db")), QStringLiteral("--secrets-file"),
         m_dir->filePath(QStringLiteral("secrets")), QStringLiteral("--admin"),
         QStringLiteral("here:there")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.standardError.contains("admin address 'here:there' is not HOST:PORT or PORT"),
             r.standardError.constData());
}

// serve --admin: POST /api/payload-logging turns payload logging on for a channel (the
// document's log policy keeps none), GET lists the grant, DELETE ends it; bad bodies
// get a one-line error naming the field.
void TestGatewayCli::adminGrantsPayloadLogging()
{
    QVERIFY(writeApi(QStringLiteral("/t"), m_backend->port()).size() > 0);
    const QString db = m_dir->filePath(QStringLiteral("log.db"));
    const quint16 port = startServe(
        {QStringLiteral("--admin"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--log-db"), db});
    QVERIFY(port != 0);
    const QRegularExpression adminLine(
        QStringLiteral("admin endpoint http://127\\.0\\.0\\.1:(\\d+)/metrics"));
    QTRY_VERIFY(adminLine.match(QString::fromUtf8(m_serve->standardOutput())).hasMatch());
    const quint16 admin = quint16(
        adminLine.match(QString::fromUtf8(m_serve->standardOutput())).captured(1).toUInt());

    const QByteArray path = "/api/payload-logging";
    auto [status, body] = http(admin, path, "POST", R"({"api":"/t/1.0.0","channel":"/nope"})");
    QCOMPARE(status, QByteArray("HTTP/1.1 400 Bad Request"));
    QCOMPARE(body,
             QByteArray(R"({"error":"body: duration: expected a duration such as 30s, 10m or 1h"})"
                        "\n"));
    std::tie(status, body)
        = http(admin, path, "POST", R"({"api":"/t/1.0.0","channel":"/nope","duration":"10m"})");
    QCOMPARE(status, QByteArray("HTTP/1.1 400 Bad Request"));
    QCOMPARE(body,
             QByteArray("{\"error\":\"payload logging: API /t/1.0.0 has no channel '/nope' "
                        "(channels: /echo)\"}\n"));
    std::tie(status, body) = http(admin, path, "POST", R"({"api":"/t/1.0.0","for":"10m"})");
    QCOMPARE(status, QByteArray("HTTP/1.1 400 Bad Request"));
    QVERIFY2(body.contains("body: for: unknown field"), body.constData());
    std::tie(status, body)
        = http(admin, path, "POST", R"({"api":"/t/1.0.0","duration":"10m","sample":0})");
    QCOMPARE(status, QByteArray("HTTP/1.1 400 Bad Request"));
    QVERIFY2(body.contains("body: sample: expected a whole number from 1"), body.constData());
    QCOMPARE(http(admin, path, "PUT").first, QByteArray("HTTP/1.1 405 Method Not Allowed"));

    std::tie(status, body)
        = http(admin, path, "POST", R"({"api":"/t/1.0.0","channel":"/echo","duration":"10m"})");
    QCOMPARE(status, QByteArray("HTTP/1.1 201 Created"));
    const Json grant = Json::parse(body.toStdString());
    QCOMPARE(grant["api"].get<std::string>(), std::string("/t/1.0.0"));
    QCOMPARE(grant["channel"].get<std::string>(), std::string("/echo"));
    QVERIFY(grant["remainingSeconds"].get<int>() > 590);
    const quint64 id = grant["id"].get<quint64>();
    QTRY_VERIFY(m_serve->standardOutput().contains("payload logging on for /t/1.0.0 /echo until"));
    std::tie(status, body) = http(admin, path);
    QCOMPARE(status, QByteArray("HTTP/1.1 200 OK"));
    QCOMPARE(Json::parse(body.toStdString())["grants"].size(), std::size_t(1));

    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/t/1.0.0/echo").arg(port)));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.sendTextMessage(QStringLiteral("granted"));
    QTRY_COMPARE(received.size(), 1);

    QCOMPARE(http(admin, path + '/' + QByteArray::number(id), "DELETE").first,
             QByteArray("HTTP/1.1 204 No Content"));
    QCOMPARE(http(admin, path + '/' + QByteArray::number(id), "DELETE").first,
             QByteArray("HTTP/1.1 404 Not Found"));
    QTRY_VERIFY(m_serve->standardOutput().contains("payload logging ended for /t/1.0.0 /echo"));
    client.sendTextMessage(QStringLiteral("not granted"));
    QTRY_COMPARE(received.size(), 2);
    // one message in 2 of the connection: every message the client sends (the echo
    // of each is the second)
    std::tie(status, body)
        = http(admin, path, "POST", R"({"api":"/t/1.0.0","duration":"10m","sample":2})");
    QCOMPARE(status, QByteArray("HTTP/1.1 201 Created"));
    QCOMPARE(Json::parse(body.toStdString())["sample"].get<int>(), 2);
    QTRY_VERIFY(m_serve->standardOutput().contains(
        "payload logging on for /t/1.0.0, one message in 2 until"));
    for (int i = 1; i <= 3; ++i) {
        client.sendTextMessage(QStringLiteral("sampled %1").arg(i));
        QTRY_COMPARE(received.size(), 2 + i);
    }
    client.close();
    QVERIFY(m_serve->signalAndWait(SIGTERM));

    Analytics::MessageLogReader reader;
    QVERIFY(reader.open(db));
    Analytics::LogFilter filter;
    filter.kinds = {Analytics::LogRecord::Kind::Message};
    QByteArrayList payloads;
    for (const Analytics::LogRecord &r : reader.query(filter))
        payloads.append(r.payload);
    QCOMPARE(payloads,
             (QByteArrayList {
                 "granted", "granted", {}, {}, "sampled 1", {}, "sampled 2", {}, "sampled 3", {}}));
}

QTEST_GUILESS_MAIN(TestGatewayCli)
#include "tst_gateway_cli.moc"
