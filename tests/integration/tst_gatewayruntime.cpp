// SPDX-License-Identifier: GPL-3.0-or-later
// The runtime both `gatehouse-cli serve` and the desktop app run APIs with: real
// sockets on 127.0.0.1, a real registry and message log in a temporary folder, the
// built-in mock as the backend.
#include "testsupport.h"

#include "analytics/alertmonitor.h"
#include "analytics/messagelogreader.h"
#include "analytics/metricshistory.h"
#include "credentials/sqlitecredentialregistry.h"
#include "gateway/gateway.h"
#include "runtime/gatewayruntime.h"
#include "runtime/runtimehost.h"

#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Gatehouse;
using State = GatewayRuntime::State;
using Kind = GatewayRuntime::ReportKind;

namespace {

// Two channels beside /talk: /sampled keeps one payload in 3, /quiet none (but masks
// passwords, should a payload be granted).
const QByteArray LoggedChannels
    = "  /sampled:\n"
      "    x-gatehouse: {policies: [{type: log, payloads: true, sample: 3}]}\n"
      "    publish: {x-auth-type: None, message: {payload: {type: string}}}\n"
      "    subscribe: {x-auth-type: None, message: {payload: {type: string}}}\n"
      "  /quiet:\n"
      "    x-gatehouse: {policies: [{type: log, mask: [password]}]}\n"
      "    publish: {x-auth-type: None, message: {payload: {type: string}}}\n"
      "    subscribe: {x-auth-type: None, message: {payload: {type: string}}}\n";

// Sends `texts` one by one, each after the echo of the one before.
bool echoEach(QWebSocket &client, const QStringList &texts)
{
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    for (const QString &text : texts) {
        const qsizetype before = received.size();
        client.sendTextMessage(text);
        if (!QTest::qWaitFor([&] { return received.size() > before; }, 5000))
            return false;
    }
    return true;
}

// The messages of `channel` in the message log: every payload, empty when none was kept.
QList<QByteArray> loggedPayloads(const QString &database, const QString &channel)
{
    Analytics::MessageLogReader reader;
    if (!reader.open(database))
        return {};
    Analytics::LogFilter filter;
    filter.channel = channel;
    filter.kinds = {Analytics::LogRecord::Kind::Message};
    QList<QByteArray> out;
    for (const Analytics::LogRecord &r : reader.query(filter, 0, 1000))
        out.append(r.payload);
    return out;
}

} // namespace

class TestGatewayRuntime final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void runsWithItsMock();
    void damagedLogReported();
    void stopClosesConnectionsWith1001();
    void historyWrittenAtStop();
    void alertsRaisedAndCleared();
    void reloadKeepsConnections();
    void listenAddressInUse();
    void documentWithErrors();
    void mockPortInUse();
    void backendDownIsAWarning();
    void startTwiceRefused();
    void listsAndClosesConnections();
    void mockKindForADocumentWithoutOne();
    void hostStopDuringStartAndStartTwice();
    void payloadsSampled();
    void payloadLoggingGrantedUntilItEnds();
    void payloadLoggingGrantRefused();

private:
    QString writeApi(quint16 backendPort, const QString &name = QStringLiteral("echo.yaml"),
                     const QByteArray &extraChannel = {});
    GatewayRuntime::Settings settings(bool withMocks = true) const;
    QList<QPair<Kind, QString>> reports(const QSignalSpy &spy) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    quint16 m_backendPort = 0;
};

void TestGatewayRuntime::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_backendPort = Test::freePort();
    QVERIFY(m_backendPort != 0);
}

QString TestGatewayRuntime::writeApi(quint16 backendPort, const QString &name,
                                     const QByteArray &extraChannel)
{
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write("asyncapi: 2.6.0\n"
            "info: {title: Echo, version: 1.0.0}\n"
            "x-gatehouse:\n"
            "  context: /echo\n"
            "  endpoint: ws://127.0.0.1:"
            + QByteArray::number(backendPort)
            + "\n"
              "  mock: {kind: echo}\n"
              "channels:\n"
              "  /talk:\n"
              "    publish: {x-auth-type: None, message: {payload: {type: string}}}\n"
              "    subscribe: {x-auth-type: None, message: {payload: {type: string}}}\n"
            + extraChannel);
    return path;
}

GatewayRuntime::Settings TestGatewayRuntime::settings(bool withMocks) const
{
    GatewayRuntime::Settings s;
    Gateway::ListenerConfig l;
    l.port = 0;
    s.listen = l;
    s.registryPath = m_dir->filePath(QStringLiteral("registry.db"));
    s.logDatabase = m_dir->filePath(QStringLiteral("log.db"));
    s.withMocks = withMocks;
    s.options.workerThreads = 1;
    return s;
}

QList<QPair<Kind, QString>> TestGatewayRuntime::reports(const QSignalSpy &spy) const
{
    QList<QPair<Kind, QString>> out;
    for (const QList<QVariant> &args : spy)
        out.append({args.at(0).value<Kind>(), args.at(1).toString()});
    return out;
}

// A message log damaged deep inside opens (its header is whole): the runtime serves
// and logs, and says in one warning that the file is damaged, once it has looked.
void TestGatewayRuntime::damagedLogReported()
{
    GatewayRuntime::Settings s = settings();
    s.logDatabase = m_dir->filePath(QStringLiteral("damaged-log.db"));
    QString why;
    QVERIFY2(Test::writeDamagedMessageLog(s.logDatabase, &why), qPrintable(why));
    GatewayRuntime runtime;
    runtime.setSettings(s);
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    QCOMPARE(runtime.state(), State::Running);
    auto damage = [&] {
        for (const auto &[kind, line] : reports(reported))
            if (kind == Kind::Warning && line.contains(u"is damaged"))
                return line;
        return QString();
    };
    QTRY_VERIFY(!damage().isEmpty());
    const QString line = damage();
    QVERIFY2(line.startsWith(
                 QStringLiteral("message log %1: the message log is damaged (").arg(s.logDatabase))
                 && !line.contains(u'\n'),
             qPrintable(line));
    runtime.stop();
    QTRY_COMPARE(runtime.state(), State::Stopped);

    // a sound log: no such warning
    reported.clear();
    GatewayRuntime sound;
    sound.setSettings(settings());
    QSignalSpy soundReported(&sound, &GatewayRuntime::reported);
    QVERIFY2(sound.start({writeApi(m_backendPort)}), qPrintable(sound.errorString()));
    QTest::qWait(500);
    for (const auto &[kind, text] : reports(soundReported))
        QVERIFY2(!text.contains(u"damaged"), qPrintable(text));
    sound.stop();
    QTRY_COMPARE(sound.state(), State::Stopped);
}

void TestGatewayRuntime::runsWithItsMock()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QSignalSpy states(&runtime, &GatewayRuntime::stateChanged);
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    QCOMPARE(runtime.state(), State::Running);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<State>(), State::Starting);
    QCOMPARE(states.at(1).at(0).value<State>(), State::Running);
    QCOMPARE(runtime.listenUrls().size(), 1);
    const QString url = runtime.listenUrls().constFirst();
    QVERIFY2(url.startsWith(u"ws://127.0.0.1:") && !url.endsWith(u":0"), qPrintable(url));
    QVERIFY(runtime.describeListeners().contains(u"serving /echo/1.0.0  Echo 1.0.0: /talk"_qs));
    QVERIFY(reports(reported).contains(
        qMakePair(Kind::Info,
                  QStringLiteral("mock echo for Echo 1.0.0 listening on ws://127.0.0.1:%1")
                      .arg(m_backendPort))));
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("registry.db"))));

    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(url + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.sendTextMessage(QStringLiteral("hello"));
    QTRY_VERIFY(!received.isEmpty());
    QCOMPARE(received.constLast().at(0).toString(), QStringLiteral("hello"));
    QCOMPARE(runtime.gateway()->openConnections(), 1);
}

void TestGatewayRuntime::stopClosesConnectionsWith1001()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    QWebSocket client;
    client.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    QSignalSpy stopped(&runtime, &GatewayRuntime::stopped);
    runtime.stop();
    QTRY_COMPARE(stopped.size(), 1);
    QCOMPARE(stopped.at(0).at(0).toInt(), 1);
    QCOMPARE(runtime.state(), State::Stopped);
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(int(client.closeCode()), 1001);
    // the mock is gone with the run, and the run can start again
    QTcpServer again;
    QVERIFY(again.listen(QHostAddress::LocalHost, m_backendPort));
    again.close();
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    QCOMPARE(runtime.state(), State::Running);
}

// The metrics' minutes reach the history in the message log's database, at the
// latest when the run stops.
void TestGatewayRuntime::historyWrittenAtStop()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.sendTextMessage(QStringLiteral("hello"));
    QTRY_VERIFY(!received.isEmpty());
    QSignalSpy stopped(&runtime, &GatewayRuntime::stopped);
    runtime.stop();
    QTRY_COMPARE(stopped.size(), 1);
    Analytics::MetricsHistory::Query q;
    q.fromMs = started - started % 60000;
    q.toMs = QDateTime::currentMSecsSinceEpoch() + 60000;
    q.stepMs = q.toMs - q.fromMs;
    QString error;
    const QList<Analytics::GatewayMetrics::Point> points
        = Analytics::MetricsHistory::read(m_dir->filePath(QStringLiteral("log.db")), q, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(points.size(), 1);
    const double seconds = double(q.stepMs) / 1000.0;
    QCOMPARE(qRound(points.at(0).messagesInPerSecond * seconds), 1);
    QCOMPARE(qRound(points.at(0).messagesOutPerSecond * seconds), 1);
    QCOMPARE(qRound(points.at(0).attemptsPerSecond * seconds), 1);
    QCOMPARE(points.at(0).open, 1.0);
}

// x-gatehouse.alerts of a document, with a threshold from the settings over it: an
// alert is raised once when crossed, reported as a warning, and cleared once.
void TestGatewayRuntime::alertsRaisedAndCleared()
{
    GatewayRuntime::Settings s = settings();
    s.alertIntervalMs = 20;
    GatewayRuntime runtime;
    runtime.setSettings(s);
    const QString file = writeApi(m_backendPort);
    // the alerts in the document's x-gatehouse
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray text = f.readAll();
    f.close();
    text.replace("  mock: {kind: echo}\n",
                 "  mock: {kind: echo}\n  alerts: {openConnections: 1}\n");
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
    f.close();
    QSignalSpy alerted(&runtime, &GatewayRuntime::alerted);
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY2(runtime.start({file}), qPrintable(runtime.errorString()));
    const QString url = runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk");
    QWebSocket a;
    QWebSocket b;
    a.open(QUrl(url));
    QTRY_COMPARE(a.state(), QAbstractSocket::ConnectedState);
    b.open(QUrl(url));
    QTRY_COMPARE(b.state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(alerted.size(), 1);
    QCOMPARE(alerted.at(0).at(1).toString(), QStringLiteral("/echo/1.0.0"));
    QVERIFY(alerted.at(0).at(2).toBool());
    QCOMPARE(alerted.at(0).at(4).toInt(), int(Analytics::AlertMonitor::Measure::OpenConnections));
    const QString line = alerted.at(0).at(3).toString();
    QVERIFY2(line.startsWith(u"alert: /echo/1.0.0: 2 connections open"), qPrintable(line));
    QVERIFY(reports(reported).contains(qMakePair(Kind::Warning, line)));
    a.close();
    b.close();
    QTRY_COMPARE(alerted.size(), 2);
    QVERIFY(!alerted.at(1).at(2).toBool());
    // both kept in the log's database, for the charts of a later start
    QString error;
    const QList<Analytics::MetricsHistory::AlertMark> kept = Analytics::MetricsHistory::readAlerts(
        m_dir->filePath(QStringLiteral("log.db")), 0, QDateTime::currentMSecsSinceEpoch(), &error);
    QCOMPARE(kept.size(), 2);
    QCOMPARE(kept.at(0).text, line);
    QCOMPARE(kept.at(0).api, QStringLiteral("/echo/1.0.0"));
    QCOMPARE(kept.at(0).measure, int(Analytics::AlertMonitor::Measure::OpenConnections));
    QCOMPARE(kept.at(0).timeMs, alerted.at(0).at(0).toLongLong());
    QVERIFY(kept.at(0).raised && !kept.at(1).raised);

    // a threshold of the settings over the document's: 3 connections may be open
    Analytics::AlertThresholds three;
    three.openConnections = 3;
    runtime.setAlertThresholds({{QStringLiteral("/echo/1.0.0"), three}});
    QWebSocket c;
    QWebSocket d;
    c.open(QUrl(url));
    d.open(QUrl(url));
    QTRY_COMPARE(c.state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(d.state(), QAbstractSocket::ConnectedState);
    QTest::qWait(100); // several checks: nothing to say
    QCOMPARE(alerted.size(), 2);
}

void TestGatewayRuntime::reloadKeepsConnections()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    const QString file = writeApi(m_backendPort);
    QVERIFY2(runtime.start({file}), qPrintable(runtime.errorString()));
    QWebSocket client;
    client.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);

    // a new channel, the old one unchanged: the connection stays
    writeApi(m_backendPort, QStringLiteral("echo.yaml"),
             "  /more:\n    publish: {x-auth-type: None}\n");
    QSignalSpy reloaded(&runtime, &GatewayRuntime::reloaded);
    QVERIFY2(runtime.reload(), qPrintable(runtime.errorString()));
    QCOMPARE(reloaded.size(), 1);
    QVERIFY(runtime.describeListeners().join(u'\n').contains(u"/more"));
    QTest::qWait(200);
    QCOMPARE(client.state(), QAbstractSocket::ConnectedState);

    // a document with errors: refused, still serving the previous one
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("asyncapi: 2.6.0\ninfo: {title: Echo}\n");
    f.close();
    QVERIFY(!runtime.reload());
    QVERIFY2(runtime.errorString().startsWith(u"reload failed: ")
                 && runtime.errorString().contains(u"still serving the previous documents")
                 && runtime.errorString().contains(file + u":") // where: file:line:col
                 && !runtime.errorString().contains(u'\n'),
             qPrintable(runtime.errorString()));
    QCOMPARE(runtime.state(), State::Running);
    QCOMPARE(client.state(), QAbstractSocket::ConnectedState);
}

void TestGatewayRuntime::listenAddressInUse()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    GatewayRuntime::Settings s = settings();
    s.listen->port = taken.serverPort();
    GatewayRuntime runtime;
    runtime.setSettings(s);
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY(!runtime.start({writeApi(m_backendPort)}));
    QCOMPARE(runtime.state(), State::Failed);
    const QString why = runtime.errorString();
    QVERIFY2(why.contains(QString::number(taken.serverPort())) && !why.contains(u'\n'),
             qPrintable(why));
    QVERIFY(reports(reported).contains(qMakePair(Kind::Error, why)));
    // nothing is left running: the mock's port is free again
    QTcpServer mockPort;
    QVERIFY(mockPort.listen(QHostAddress::LocalHost, m_backendPort));
    mockPort.close();
    // and with a free address the same runtime starts
    runtime.setSettings(settings());
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
}

void TestGatewayRuntime::documentWithErrors()
{
    const QString file = m_dir->filePath(QStringLiteral("broken.yaml"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("asyncapi: 2.6.0\ninfo:\n  title: [Broken]\n  version: 1.0.0\nchannels: {}\n");
    f.close();
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY(!runtime.start({file}));
    QCOMPARE(runtime.state(), State::Failed);
    QVERIFY2(runtime.errorString().startsWith(file + u": cannot be served"),
             qPrintable(runtime.errorString()));
    bool diagnostic = false;
    for (const auto &r : reports(reported))
        diagnostic
            = diagnostic || (r.first == Kind::Diagnostic && r.second.startsWith(file + u":3:"));
    QVERIFY(diagnostic);
    QVERIFY(!runtime.gateway());
}

void TestGatewayRuntime::mockPortInUse()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QVERIFY(!runtime.start({writeApi(taken.serverPort())}));
    QCOMPARE(runtime.state(), State::Failed);
    QVERIFY2(runtime.errorString().startsWith(u"Echo mock: ")
                 && runtime.errorString().contains(QString::number(taken.serverPort())),
             qPrintable(runtime.errorString()));
}

void TestGatewayRuntime::backendDownIsAWarning()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings(false)); // no mock: nothing listens at the endpoint
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    QCOMPARE(runtime.state(), State::Running);
    const QString expected
        = QStringLiteral("Echo: backend ws://127.0.0.1:%1 refused the connection; clients get "
                         "502 until it is up")
              .arg(m_backendPort);
    QTRY_VERIFY(reports(reported).contains(qMakePair(Kind::Warning, expected)));
}

void TestGatewayRuntime::startTwiceRefused()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    const QString file = writeApi(m_backendPort);
    QVERIFY(runtime.start({file}));
    QVERIFY(!runtime.start({file}));
    QCOMPARE(runtime.errorString(), QStringLiteral("already running; stop it first"));
    QCOMPARE(runtime.state(), State::Running);
}

// Open connections as snapshots, with what they carried; one closed by id.
void TestGatewayRuntime::listsAndClosesConnections()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QVERIFY2(runtime.start({writeApi(m_backendPort)}), qPrintable(runtime.errorString()));
    const QString url = runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk");
    QWebSocket first;
    QWebSocket second;
    QSignalSpy echoed(&first, &QWebSocket::textMessageReceived);
    first.open(QUrl(url));
    second.open(QUrl(url));
    QTRY_COMPARE(first.state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(second.state(), QAbstractSocket::ConnectedState);
    first.sendTextMessage(QStringLiteral("hello"));
    first.sendTextMessage(QStringLiteral("again!"));
    QTRY_COMPARE(echoed.size(), 2);

    QSignalSpy listed(&runtime, &GatewayRuntime::connectionsListed);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    runtime.listConnections();
    QTRY_COMPARE(listed.size(), 1);
    auto connections = listed.at(0).at(0).value<QList<Gateway::ConnectionSnapshot>>();
    QCOMPARE(connections.size(), 2);
    std::sort(connections.begin(), connections.end(),
              [](const auto &a, const auto &b) { return a.messagesIn > b.messagesIn; });
    const Gateway::ConnectionSnapshot &busy = connections.at(0);
    QCOMPARE(busy.messagesIn, 2);
    QCOMPARE(busy.messagesOut, 2);
    QCOMPARE(busy.bytesIn, 11);
    QCOMPARE(busy.bytesOut, 11);
    QCOMPARE(busy.api, QStringLiteral("/echo/1.0.0"));
    QCOMPARE(busy.apiTitle, QStringLiteral("Echo"));
    QCOMPARE(busy.channel, QStringLiteral("/talk"));
    QCOMPARE(busy.path, QStringLiteral("/echo/1.0.0/talk"));
    QVERIFY(busy.clientAddress.startsWith(u"127.0.0.1"));
    QVERIFY(busy.openedAtMs <= before && busy.openedAtMs > before - 60000);
    QCOMPARE(connections.at(1).messagesIn, 0);

    runtime.closeConnections({busy.id}, 4000, QStringLiteral("closed by a tester"));
    QTRY_COMPARE(first.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(int(first.closeCode()), 4000);
    QCOMPARE(first.closeReason(), QStringLiteral("closed by a tester"));
    QTest::qWait(100);
    QCOMPARE(second.state(), QAbstractSocket::ConnectedState);
    runtime.listConnections();
    QTRY_COMPARE(listed.size(), 2);
    QCOMPARE(listed.at(1).at(0).value<QList<Gateway::ConnectionSnapshot>>().size(), 1);
}

void TestGatewayRuntime::mockKindForADocumentWithoutOne()
{
    QString file = writeApi(m_backendPort);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray text = f.readAll().replace("  mock: {kind: echo}\n", "");
    f.close();
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
    f.close();

    GatewayRuntime::Settings s = settings();
    s.mockKind = QStringLiteral("parrot");
    GatewayRuntime runtime;
    runtime.setSettings(s);
    QVERIFY(!runtime.start({file}));
    QCOMPARE(runtime.errorString(),
             QStringLiteral("unknown mock kind 'parrot' (echo, broadcast, chat, examples)"));

    s.mockKind = QStringLiteral("echo");
    runtime.setSettings(s);
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY2(runtime.start({file}), qPrintable(runtime.errorString()));
    QVERIFY(reports(reported).contains(
        qMakePair(Kind::Info,
                  QStringLiteral("mock echo for Echo 1.0.0 listening on ws://127.0.0.1:%1")
                      .arg(m_backendPort))));
    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.sendTextMessage(QStringLiteral("ping?"));
    QTRY_COMPARE(received.size(), 1);
}

// The host runs the runtime in its own thread: a stop asked for while it starts ends
// stopped, a second start while it runs changes nothing.
void TestGatewayRuntime::hostStopDuringStartAndStartTwice()
{
    RuntimeHost host;
    QSignalSpy states(&host, &RuntimeHost::stateChanged);
    const QString file = writeApi(m_backendPort);
    host.start({file}, settings());
    host.stop();
    // starting, running, stopping, stopped: whatever came between, it ends stopped
    QTRY_VERIFY(states.size() >= 2 && states.constLast().at(0).value<State>() == State::Stopped);
    QCOMPARE(states.constFirst().at(0).value<State>(), State::Starting);
    QCOMPARE(host.state(), State::Stopped);
    QVERIFY(!host.isActive());

    host.start({file}, settings());
    QTRY_COMPARE(host.state(), State::Running);
    const QStringList urls = host.listenUrls();
    QCOMPARE(urls.size(), 1);
    host.start({file}, settings()); // Run pressed twice
    QTest::qWait(300);
    QCOMPARE(host.state(), State::Running);
    QCOMPARE(host.listenUrls(), urls);
    QWebSocket client;
    client.open(QUrl(urls.constFirst() + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    QSignalSpy stopped(&host, &RuntimeHost::stopped);
    host.stop();
    QTRY_COMPARE(stopped.size(), 1);
    QCOMPARE(stopped.at(0).at(0).toInt(), 1);
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(int(client.closeCode()), 1001);
}

// sample: 3 keeps the 1st, 4th, 7th ... message of a connection, both directions
// counted together: 10 messages echoed are 20 relayed, 7 of them with their payload.
void TestGatewayRuntime::payloadsSampled()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QVERIFY2(runtime.start({writeApi(m_backendPort, QStringLiteral("echo.yaml"), LoggedChannels)}),
             qPrintable(runtime.errorString()));
    QWebSocket client;
    client.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/sampled")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    QStringList texts;
    for (int i = 1; i <= 10; ++i)
        texts.append(QStringLiteral("message %1").arg(i));
    QVERIFY(echoEach(client, texts));
    QSignalSpy stopped(&runtime, &GatewayRuntime::stopped);
    runtime.stop();
    QTRY_COMPARE(stopped.size(), 1);

    const QList<QByteArray> payloads
        = loggedPayloads(m_dir->filePath(QStringLiteral("log.db")), QStringLiteral("/sampled"));
    QCOMPARE(payloads.size(), 20);
    QList<QByteArray> kept;
    for (const QByteArray &p : payloads)
        if (!p.isEmpty())
            kept.append(p);
    // in, out, in: messages 1 (in 1), 4 (out 2), 7 (in 4), 10 (out 5), 13, 16, 19
    QCOMPARE(kept,
             (QList<QByteArray> {"message 1", "message 2", "message 4", "message 5", "message 7",
                                 "message 8", "message 10"}));
}

// A grant logs the payloads of a channel whose log policy keeps none, masked as that
// policy says, for an open connection too, and ends by itself.
void TestGatewayRuntime::payloadLoggingGrantedUntilItEnds()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QSignalSpy changed(&runtime, &GatewayRuntime::payloadLoggingChanged);
    QVERIFY2(runtime.start({writeApi(m_backendPort, QStringLiteral("echo.yaml"), LoggedChannels)}),
             qPrintable(runtime.errorString()));
    QWebSocket client;
    client.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/quiet")));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    QVERIFY(echoEach(client, {QStringLiteral("before 1"), QStringLiteral("before 2")}));

    QString error;
    const quint64 id
        = runtime.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), QStringLiteral("/quiet"), {},
                                      std::chrono::milliseconds(1500), &error);
    QVERIFY2(id != 0, qPrintable(error));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(runtime.payloadLogGrants()->active().size(), 1);
    QVERIFY(reports(reported).constLast().second.startsWith(
        u"payload logging on for /echo/1.0.0 /quiet until "_qs));
    QVERIFY(echoEach(client,
                     {QStringLiteral(R"({"user":"ann","password":"hunter2"})"),
                      QStringLiteral("granted 2"), QStringLiteral("granted 3")}));
    // /sampled is not granted
    QWebSocket other;
    other.open(QUrl(runtime.listenUrls().constFirst() + QStringLiteral("/echo/1.0.0/talk")));
    QTRY_COMPARE(other.state(), QAbstractSocket::ConnectedState);
    QVERIFY(echoEach(other, {QStringLiteral("not granted")}));

    QTRY_VERIFY_WITH_TIMEOUT(runtime.payloadLogGrants()->active().isEmpty(), 5000);
    QTRY_COMPARE(changed.size(), 2);
    QCOMPARE(reports(reported).constLast(),
             qMakePair(Kind::Info, u"payload logging ended for /echo/1.0.0 /quiet"_qs));
    QVERIFY(echoEach(client, {QStringLiteral("after 1"), QStringLiteral("after 2")}));
    QSignalSpy stopped(&runtime, &GatewayRuntime::stopped);
    runtime.stop();
    QTRY_COMPARE(stopped.size(), 1);

    const QString db = m_dir->filePath(QStringLiteral("log.db"));
    const QList<QByteArray> payloads = loggedPayloads(db, QStringLiteral("/quiet"));
    QCOMPARE(payloads.size(), 14);
    QList<QByteArray> kept;
    for (const QByteArray &p : payloads)
        if (!p.isEmpty())
            kept.append(p);
    const QByteArray masked = R"({"user":"ann","password":"***"})";
    QCOMPARE(
        kept,
        (QList<QByteArray> {masked, masked, "granted 2", "granted 2", "granted 3", "granted 3"}));
    for (const QByteArray &p : loggedPayloads(db, QStringLiteral("/talk")))
        QVERIFY(p.isEmpty());
}

void TestGatewayRuntime::payloadLoggingGrantRefused()
{
    GatewayRuntime runtime;
    runtime.setSettings(settings());
    QString error;
    QCOMPARE(runtime.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), {}, {},
                                         std::chrono::minutes(1), &error),
             quint64(0));
    QCOMPARE(error, u"payload logging: the gateway is not running"_qs);
    {
        GatewayRuntime::Settings withoutLog = settings();
        withoutLog.logDatabase.clear();
        GatewayRuntime unlogged;
        unlogged.setSettings(withoutLog);
        QVERIFY2(unlogged.start({writeApi(m_backendPort)}), qPrintable(unlogged.errorString()));
        QCOMPARE(unlogged.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), {}, {},
                                              std::chrono::minutes(1), &error),
                 quint64(0));
        QCOMPARE(error,
                 u"payload logging: the gateway keeps no message log (--log-db or --log-file)"_qs);
        QSignalSpy stopped(&unlogged, &GatewayRuntime::stopped);
        unlogged.stop();
        QTRY_COMPARE(stopped.size(), 1);
    }
    QVERIFY2(runtime.start({writeApi(m_backendPort, QStringLiteral("echo.yaml"), LoggedChannels)}),
             qPrintable(runtime.errorString()));
    QCOMPARE(runtime.grantPayloadLogging(QStringLiteral("/echo/2.0.0"), {}, {},
                                         std::chrono::minutes(1), &error),
             quint64(0));
    QCOMPARE(error, u"payload logging: API '/echo/2.0.0' is not served (served: /echo/1.0.0)"_qs);
    QCOMPARE(runtime.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), QStringLiteral("/nope"), {},
                                         std::chrono::minutes(1), &error),
             quint64(0));
    QVERIFY2(
        error.startsWith(u"payload logging: API /echo/1.0.0 has no channel '/nope' (channels: "_qs),
        qPrintable(error));
    QCOMPARE(runtime.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), {}, {},
                                         std::chrono::milliseconds(0), &error),
             quint64(0));
    QCOMPARE(error, u"payload logging: the duration must be more than 0"_qs);
    QVERIFY(runtime.payloadLogGrants()->active().isEmpty());
    const quint64 id = runtime.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), {},
                                                   QStringLiteral("app_1"), std::chrono::hours(1));
    QVERIFY(id != 0);
    QVERIFY(runtime.endPayloadLogging(id));
    QVERIFY(!runtime.endPayloadLogging(id));
    QVERIFY(runtime.payloadLogGrants()->active().isEmpty());

    // a grant replaced by another, which is then stopped: its end is said once
    QSignalSpy reported(&runtime, &GatewayRuntime::reported);
    QVERIFY(runtime.grantPayloadLogging(QStringLiteral("/echo/1.0.0"), {}, QStringLiteral("app_1"),
                                        std::chrono::milliseconds(200)));
    const quint64 longer = runtime.grantPayloadLogging(
        QStringLiteral("/echo/1.0.0"), {}, QStringLiteral("app_1"), std::chrono::hours(1));
    QCOMPARE(runtime.payloadLogGrants()->active().size(), 1);
    QVERIFY(runtime.endPayloadLogging(longer));
    QTest::qWait(500); // the replaced grant's own time is over
    int ended = 0;
    for (const QList<QVariant> &report : std::as_const(reported))
        ended += report.at(1).toString().startsWith(u"payload logging ended for "_qs) ? 1 : 0;
    QCOMPARE(ended, 1);
}

QTEST_GUILESS_MAIN(TestGatewayRuntime)
#include "tst_gatewayruntime.moc"
