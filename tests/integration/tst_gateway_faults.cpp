// SPDX-License-Identifier: GPL-3.0-or-later
// Faults the gateway must survive, each provoked for real: `gatehouse-cli serve` and
// `gatehouse-cli mock` as processes of their own, clients on 127.0.0.1, signals,
// resource limits set in the child.
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QWebSocket>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <memory>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace Gatehouse;

class TestGatewayFaults final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void backendDiesMidStream();
    void reloadWithABrokenDocument();
    void descriptorLimitReached();
    void killedWhileLogging();
    void logDiskFull();
    void stalledReaders();
    void keychainLostWhileServing();

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
    if (ws->state() != QAbstractSocket::ConnectedState) {
        qDebug() << "openClient" << url << ws->errorString() << timer.elapsed();
        return nullptr;
    }
    return ws;
}

// Whether something accepts TCP connections on 127.0.0.1:port.
bool listening(quint16 port)
{
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    return probe.waitForConnected(1000);
}

// The answer to an upgrade request sent as soon as connected, read until the
// gateway closes the connection; `closed` false when it did not within the timeout.
struct RawAnswer
{
    QByteArray data;
    bool closed = false;
};

RawAnswer rawUpgrade(quint16 port, const QByteArray &path, int timeoutMs = 5000)
{
    RawAnswer answer;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET " + path
                 + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n");
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        QTest::qWait(10);
        answer.data += socket.readAll();
        if (socket.state() == QAbstractSocket::UnconnectedState) {
            answer.closed = true;
            break;
        }
    }
    return answer;
}

#if defined(__SANITIZE_ADDRESS__)
// The sanitizers' options for a process run at its descriptor limit. Their runtime
// (GCC 12's) needs descriptors of its own there: UndefinedBehaviorSanitizer's vptr
// check reads vtables through a pipe, so it is suppressed for that process
// (tests/sanitizers/ubsan-descriptor-limit.supp says why), and a report written to
// log_path needs its file opened, so the process writes its reports to its standard
// error, where the test reads them (sanitizerReports()).
QProcessEnvironment descriptorLimitEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {QStringLiteral("ASAN_OPTIONS"), QStringLiteral("UBSAN_OPTIONS"),
                                QStringLiteral("LSAN_OPTIONS")}) {
        QStringList options;
        for (const QString &option : env.value(name).split(u':', Qt::SkipEmptyParts))
            if (!option.startsWith(u"log_path="))
                options.append(option);
        if (name == u"UBSAN_OPTIONS")
            options.append(
                QStringLiteral("suppressions=")
                + Test::sourcePath(QStringLiteral("tests/sanitizers/ubsan-descriptor-limit.supp")));
        env.insert(name, options.join(u':'));
    }
    return env;
}

// The sanitizer reports in `output` (a process's standard error), empty when none.
QString sanitizerReports(const QByteArray &output)
{
    const QStringList lines = QString::fromUtf8(output).split(u'\n');
    QStringList reports;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (line.contains(u"runtime error:") || line.contains(u"Sanitizer"))
            reports.append(lines.mid(i, 20).join(u'\n'));
    }
    return reports.join(u'\n');
}
#endif

// A WebSocket backend that, once a client sent it anything, sends it 16 KiB binary
// messages for as long as the connection takes them (it keeps at most 64 KiB queued
// itself, so a stalled reader does not fill this process's memory, and asks the
// kernel for small send buffers: many stalled connections do not strain the
// machine's TCP memory).
class FloodBackend final
{
public:
    // Runs in a thread of its own: its sockets are not polled by the test's event
    // loop, whose round trips are measured.
    FloodBackend()
    {
        m_thread.start();
        m_context.moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            &m_context,
            [this] {
                m_server = new QTcpServer(&m_context);
                QObject::connect(m_server, &QTcpServer::newConnection, &m_context, [this] {
                    while (QTcpSocket *s = m_server->nextPendingConnection())
                        handle(s);
                });
                m_server->listen(QHostAddress::LocalHost, 0);
                m_port = m_server->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }
    ~FloodBackend()
    {
        // the server and its sockets (its children) go in their thread
        QMetaObject::invokeMethod(
            &m_context, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    FloodBackend(const FloodBackend &) = delete;
    FloodBackend &operator=(const FloodBackend &) = delete;

    quint16 port() const { return m_port; }
    std::atomic<int> flooding = 0; // connections flooded so far
    std::atomic<qint64> sent = 0; // bytes the kernel took so far, all connections

private:
    void handle(QTcpSocket *s)
    {
        QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        s->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 64 * 1024);
        auto request = std::make_shared<QByteArray>();
        auto upgraded = std::make_shared<bool>(false);
        auto floods = std::make_shared<bool>(false);
        auto fill = [s] {
            static const QByteArray frame = QByteArray("\x82\x7e\x40\x00", 4)
                + QByteArray(16 * 1024, 'x'); // FIN, binary, 16 KiB
            while (s->state() == QAbstractSocket::ConnectedState && s->bytesToWrite() < 64 * 1024)
                s->write(frame);
        };
        QObject::connect(s, &QTcpSocket::bytesWritten, s, [this, floods, fill](qint64 bytes) {
            sent += bytes;
            if (*floods)
                fill();
        });
        QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, request, upgraded, floods, fill] {
            if (*upgraded) {
                s->readAll();
                if (!*floods) {
                    *floods = true;
                    ++flooding;
                    fill();
                }
                return;
            }
            *request += s->readAll();
            const qsizetype end = request->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            QByteArray key;
            for (const QByteArray &line : request->left(end).split('\n'))
                if (line.toLower().startsWith("sec-websocket-key:"))
                    key = line.mid(18).trimmed();
            const QByteArray accept
                = QCryptographicHash::hash(QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                           QCryptographicHash::Sha1)
                      .toBase64();
            s->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                     + accept + "\r\n\r\n");
            *upgraded = true;
        });
    }

    QThread m_thread;
    QObject m_context; // lives in m_thread
    QTcpServer *m_server = nullptr; // a child of m_context
    quint16 m_port = 0;
};

// A client on a blocking socket that upgrades to ws://127.0.0.1:port + path and can
// send one text message; it reads nothing after the answer to the upgrade (and asks
// for a small receive buffer: what the kernel holds is not what is measured).
class StalledClient
{
public:
    StalledClient(quint16 port, const QByteArray &path)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int receiveBuffer = 16 * 1024;
        if (m_fd >= 0)
            ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        if (m_fd < 0
            || ::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            return;
        if (!sendAll("GET " + path
                     + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n"))
            return;
        // the answer byte by byte (nothing after it is read), the event loop running
        // meanwhile for the backend in this process
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        while (!answer.endsWith("\r\n\r\n") && timer.elapsed() < 10000) {
            char c = 0;
            const ssize_t n = ::recv(m_fd, &c, 1, MSG_DONTWAIT);
            if (n == 1)
                answer += c;
            else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                break;
            else
                QTest::qWait(5);
        }
        m_open = answer.startsWith("HTTP/1.1 101 ");
    }
    ~StalledClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    StalledClient(const StalledClient &) = delete;
    StalledClient &operator=(const StalledClient &) = delete;

    bool isOpen() const { return m_open; }
    bool sendText(const QByteArray &text) // one masked frame (mask 0: payload as is)
    {
        return sendAll(QByteArray("\x81", 1) + char(0x80 | text.size()) + QByteArray(4, '\0')
                       + text);
    }

private:
    bool sendAll(const QByteArray &bytes)
    {
        return ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) == bytes.size();
    }

    int m_fd = -1;
    bool m_open = false;
};

// The resident set size of process `pid` in KiB (VmRSS), -1 when unknown.
qint64 residentKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

// The resident set size of `pid` once it stopped growing: read every 200 ms until it
// grew by less than `quietKiB` over a second (or 20 s passed).
qint64 settledResidentKiB(qint64 pid, qint64 quietKiB)
{
    QElapsedTimer timer;
    timer.start();
    std::vector<qint64> samples;
    while (timer.elapsed() < 20000) {
        QTest::qWait(200);
        samples.push_back(residentKiB(pid));
        if (samples.size() > 5 && samples.back() - samples[samples.size() - 6] < quietKiB)
            break;
    }
    return samples.empty() ? -1 : samples.back();
}

// Round trips of text messages, one at a time, through `socket` and, alternating
// with them, through `control` (the same path without the load, measured alongside
// so that a slow phase of a shared machine shows in both): the median of each in
// microseconds, {-1, -1} when an answer did not come within a second.
std::pair<qint64, qint64> medianRoundTripsUs(QWebSocket *socket, QWebSocket *control, int count)
{
    std::vector<qint64> times[2];
    QElapsedTimer timer;
    for (int i = 0; i < count; ++i) {
        for (int k = 0; k < 2; ++k) {
            QWebSocket *s = k == 0 ? socket : control;
            QSignalSpy echoed(s, &QWebSocket::textMessageReceived);
            timer.start();
            s->sendTextMessage(QStringLiteral("round trip %1").arg(i));
            if (!echoed.wait(1000))
                return {-1, -1};
            times[k].push_back(timer.nsecsElapsed() / 1000);
        }
    }
    for (auto &t : times)
        std::sort(t.begin(), t.end());
    return {times[0][times[0].size() / 2], times[1][times[1].size() / 2]};
}

// CPU time (user + system) the process `pid` used so far, in clock ticks.
qint64 cpuTicks(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields.at(11).toLongLong() + fields.at(12).toLongLong() : -1;
}

// The echo API document with payloads kept in the message log.
QByteArray loggedEchoApiDocument(const QString &context, quint16 backendPort)
{
    return Test::echoApiDocument(context, backendPort)
        + "  policies:\n    - type: log\n      payloads: true\n";
}

// Sends numbered messages ("0", "1", ...) as fast as the echoes come back, with up to
// `window` of them in flight, and counts the echoes.
class Flood final : public QObject
{
public:
    Flood(QWebSocket *ws, int window, QString padding = {})
        : m_ws(ws)
        , m_padding(std::move(padding))
    {
        connect(ws, &QWebSocket::textMessageReceived, this, [this](const QString &m) {
            if (m == QString::number(m_seen) + m_padding)
                ++m_seen;
            else
                m_outOfOrder = true;
            if (m_running)
                send();
        });
        for (int i = 0; i < window; ++i)
            send();
    }
    void stop() { m_running = false; }
    int seen() const { return m_seen; }
    bool outOfOrder() const { return m_outOfOrder; }

private:
    void send() { m_ws->sendTextMessage(QString::number(m_sent++) + m_padding); }
    QWebSocket *m_ws;
    QString m_padding; // after the number, for bigger messages
    int m_sent = 0;
    int m_seen = 0;
    bool m_running = true;
    bool m_outOfOrder = false;
};

// The payloads of the message log's messages one way, in the order logged, as
// `gatehouse-cli log` reads them; the exit code and standard error of the command in
// `result`.
QList<int> loggedNumbers(const QString &database, const QString &direction,
                         Test::ProcessResult *result)
{
    *result = Test::runCli({QStringLiteral("log"), QStringLiteral("--db"), database,
                            QStringLiteral("--json"), QStringLiteral("--kind"),
                            QStringLiteral("message"), QStringLiteral("--direction"), direction},
                           60000);
    QList<int> numbers;
    for (const QByteArray &line : result->standardOutput.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject row = QJsonDocument::fromJson(line).object();
        numbers.append(row.value(QStringLiteral("payload")).toString().section(u' ', 0, 0).toInt());
    }
    return numbers;
}

// PRAGMA integrity_check of an SQLite file: "ok" when it is sound.
QString integrity(const QString &database)
{
    QString answer;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
        db.setDatabaseName(database);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next())
                answer = query.value(0).toString();
            else
                answer = query.lastError().text();
        } else {
            answer = db.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
    return answer;
}

// One HTTP GET to 127.0.0.1:port: the body (empty when it failed).
QByteArray httpGet(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 5000)
        if (socket.waitForReadyRead(100))
            answer += socket.readAll();
    answer += socket.readAll();
    const qsizetype end = answer.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : answer.mid(end + 4);
}

// The value of an unlabelled Prometheus sample, or of the one with these labels; -1
// when it is not there.
qint64 metric(const QByteArray &text, const QByteArray &sample)
{
    for (const QByteArray &line : text.split('\n'))
        if (line.startsWith(QByteArray(sample + ' ')))
            return line.mid(sample.size() + 1).toLongLong();
    return -1;
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

// serve under a low descriptor limit (RLIMIT_NOFILE set in the child): once it is
// reached, a new connection is refused at once (503, or closed when its request had
// not arrived yet) instead of waiting in the backlog, the open connections go on,
// the gateway does not spin, and it accepts again when descriptors are freed.
void TestGatewayFaults::descriptorLimitReached()
{
    const QString api = path(QStringLiteral("api.yaml"));
    QVERIFY(Test::writeFile(api, Test::echoApiDocument(QStringLiteral("/few"), m_echo->port())));
    Test::CliProcess serve;
#if defined(__SANITIZE_ADDRESS__)
    serve.process().setProcessEnvironment(descriptorLimitEnvironment());
#endif
    serve.setChildSetup([] {
        const rlimit limit {64, 64};
        ::setrlimit(RLIMIT_NOFILE, &limit);
    });
    const quint16 port = serve.startServe(
        serveArguments({api})
        + QStringList {QStringLiteral("--admin"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(port != 0);
    const QString url = QStringLiteral("ws://127.0.0.1:%1/few/1.0.0/echo").arg(port);
    const QRegularExpression adminLine(
        QStringLiteral("admin endpoint http://127\\.0\\.0\\.1:(\\d+)/metrics"));
    QTRY_VERIFY(adminLine.match(QString::fromUtf8(serve.standardOutput())).hasMatch());
    const quint16 admin
        = quint16(adminLine.match(QString::fromUtf8(serve.standardOutput())).captured(1).toUInt());
    QCOMPARE(metric(httpGet(admin, "/metrics"), "gatehouse_descriptor_limit_refusals_total"), 0);

    // two descriptors a connection (client and backend): the limit is reached in 30
    std::vector<std::unique_ptr<QWebSocket>> open;
    for (int i = 0; i < 40; ++i) {
        auto ws = openClient(url, 5000);
        if (!ws)
            break;
        open.push_back(std::move(ws));
    }
    QVERIFY2(open.size() >= 5 && open.size() < 40, qPrintable(QString::number(open.size())));

    // refused, cleanly and at once, again and again. A connection that sends nothing
    // takes the descriptor that may still be free (a request would then get its 503
    // from the backend connect instead), so that these five are refused by the listener.
    QTcpSocket hog;
    hog.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(hog.waitForConnected(5000));
    for (int i = 0; i < 5; ++i) {
        const RawAnswer refused = rawUpgrade(port, "/few/1.0.0/echo");
        QVERIFY2(refused.closed, refused.data.constData());
        QVERIFY2(refused.data.isEmpty() || refused.data.startsWith("HTTP/1.1 503 "),
                 refused.data.constData());
    }
    hog.abort();
    QVERIFY2(serve.isRunning(), serve.standardError().constData());
    // not spinning on the listening socket: about no CPU time over a second (a busy
    // loop would take all of it)
    const qint64 ticksBefore = cpuTicks(serve.pid());
    QElapsedTimer idle;
    idle.start();
    QTest::qWait(1000);
    const qint64 ticks = cpuTicks(serve.pid()) - ticksBefore;
    const qint64 ticksPerSecond = ::sysconf(_SC_CLK_TCK);
    QVERIFY2(ticksBefore >= 0 && ticks * 1000 < ticksPerSecond * idle.elapsed() / 2,
             qPrintable(QStringLiteral("%1 ticks").arg(ticks)));

    // the open connections are unaffected
    int echoed = 0;
    for (auto &ws : open) {
        connect(ws.get(), &QWebSocket::textMessageReceived, this, [&echoed] { ++echoed; });
        ws->sendTextMessage(QStringLiteral("still open"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoed, int(open.size()), 10000);

    // descriptors freed: accepted again
    for (int i = 0; i < 2; ++i) {
        QSignalSpy gone(open.back().get(), &QWebSocket::disconnected);
        open.back()->close();
        QTRY_VERIFY_WITH_TIMEOUT(!gone.isEmpty(), 10000);
        open.pop_back();
    }
    std::unique_ptr<QWebSocket> again;
    QElapsedTimer freed;
    freed.start();
    int tries = 0;
    while (!again && freed.elapsed() < 10000) {
        ++tries;
        again = openClient(url, 5000);
        if (!again)
            QTest::qWait(50); // the gateway has yet to see the close
    }
    QVERIFY(again);
    QSignalSpy text(again.get(), &QWebSocket::textMessageReceived);
    again->sendTextMessage(QStringLiteral("in again"));
    QTRY_COMPARE_WITH_TIMEOUT(text.size(), 1, 10000);

    // every refusal counted in the metrics (read once descriptors are free: the admin
    // endpoint needs one too): the five above, whether the listener refused them or
    // their backend connection found no descriptor (one freed late, as a sanitizer
    // build may do, lets the listener accept one), and perhaps those of the
    // connections that found the limit (the last of the first 40, the hog, the first
    // tries again)
    for (auto &ws : open)
        ws->close();
    open.clear();
    qint64 refusals = -1;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (refusals = metric(httpGet(admin, "/metrics"), "gatehouse_descriptor_limit_refusals_total"))
            >= 5,
        qPrintable(QString::number(refusals)), 10000);
    QVERIFY2(refusals <= 5 + 2 + tries, qPrintable(QString::number(refusals)));
    QVERIFY(serve.standardOutput().contains("connection(s) refused: no file descriptor left")
            || serve.standardError().contains("connection(s) refused: no file descriptor left"));

    QVERIFY(serve.signalAndWait(SIGTERM));
#if defined(__SANITIZE_ADDRESS__)
    const QString reports = sanitizerReports(serve.standardError());
    QVERIFY2(reports.isEmpty(), qPrintable(reports));
#endif
}

// kill -9 of serve while it logs a flood of messages: the message log opens
// afterwards without an error, sound, and what it holds of each direction is the
// messages from the first on with no gap: only the tail written last may be
// missing, and everything relayed a second before the kill is there.
void TestGatewayFaults::killedWhileLogging()
{
    const QString api = path(QStringLiteral("api.yaml"));
    const QString database = path(QStringLiteral("log.db"));
    QVERIFY(Test::writeFile(api, loggedEchoApiDocument(QStringLiteral("/busy"), m_echo->port())));
    Test::CliProcess serve;
    const quint16 port = serve.startServe(serveArguments({api})
                                          + QStringList {QStringLiteral("--log-db"), database});
    QVERIFY(port != 0);
    auto ws = openClient(QStringLiteral("ws://127.0.0.1:%1/busy/1.0.0/echo").arg(port));
    QVERIFY(ws);
    Flood flood(ws.get(), 500);
    QTRY_VERIFY_WITH_TIMEOUT(flood.seen() > 2000, 20000);
    QTest::qWait(500);
    // what was relayed by now must have been written by the time of the kill (the
    // writer takes what is queued every 100 ms, or sooner)
    const int settled = flood.seen();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 500 || flood.seen() < settled + 2000)
        QTest::qWait(20);
    QVERIFY(serve.signalAndWait(SIGKILL));
    flood.stop();
    const int seen = flood.seen();
    QVERIFY(!flood.outOfOrder());

    QCOMPARE(integrity(database), QStringLiteral("ok"));
    for (const QString &direction : {QStringLiteral("in"), QStringLiteral("out")}) {
        Test::ProcessResult read;
        const QList<int> numbers = loggedNumbers(database, direction, &read);
        QCOMPARE(read.exitCode, 0);
        QVERIFY2(read.standardError.isEmpty(), read.standardError.constData());
        qInfo("%s: %lld logged, %d relayed in all, %d half a second before the kill",
              qPrintable(direction), qlonglong(numbers.size()), seen, settled);
        // no gap: 0, 1, 2, ... up to where the log stops
        for (int i = 0; i < numbers.size(); ++i)
            QVERIFY2(numbers.at(i) == i,
                     qPrintable(QStringLiteral("%1: row %2 is message %3")
                                    .arg(direction)
                                    .arg(i)
                                    .arg(numbers.at(i))));
        QVERIFY2(numbers.size() >= settled,
                 qPrintable(QStringLiteral("%1: %2 logged, %3 relayed well before the kill")
                                .arg(direction)
                                .arg(numbers.size())
                                .arg(settled)));
        // at most the last batch missing: the writer takes the queue whenever 2,048
        // events wait, in transactions of up to 8,192
        QVERIFY(seen - numbers.size() <= 8192);
        // nothing made up: at most what was sent (in) or echoed back (out), give or
        // take the window in flight
        QVERIFY(numbers.size() <= seen + 500);
    }
}

// The message log's disk fills up (a file size limit set in the child, SIGXFSZ
// ignored, so that writes fail with EFBIG as on a full disk): relaying goes on, the
// events not stored are reported (a line, and a metric) and counted exactly, logging
// resumes once there is room again, and the database is sound all along.
void TestGatewayFaults::logDiskFull()
{
    const QString api = path(QStringLiteral("api.yaml"));
    const QString database = path(QStringLiteral("log.db"));
    QVERIFY(Test::writeFile(api, loggedEchoApiDocument(QStringLiteral("/full"), m_echo->port())));
    constexpr rlim_t Room = 2 * 1024 * 1024; // per file: the log reaches it in a second
    Test::CliProcess serve;
    serve.setChildSetup([] {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit {Room, RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &limit);
    });
    const quint16 port = serve.startServe(serveArguments({api})
                                          + QStringList {QStringLiteral("--log-db"), database,
                                                         QStringLiteral("--admin"),
                                                         QStringLiteral("127.0.0.1:0")});
    QVERIFY(port != 0);
    const QRegularExpression adminLine(
        QStringLiteral("admin endpoint http://127\\.0\\.0\\.1:(\\d+)/metrics"));
    QTRY_VERIFY(adminLine.match(QString::fromUtf8(serve.standardOutput())).hasMatch());
    const quint16 admin
        = quint16(adminLine.match(QString::fromUtf8(serve.standardOutput())).captured(1).toUInt());
    QCOMPARE(metric(httpGet(admin, "/metrics"), "gatehouse_log_events_not_stored_total"), 0);

    auto ws = openClient(QStringLiteral("ws://127.0.0.1:%1/full/1.0.0/echo").arg(port));
    QVERIFY(ws);
    auto flood = std::make_unique<Flood>(ws.get(), 200, QStringLiteral(" ") + QString(1000, u'x'));
    QTRY_VERIFY_WITH_TIMEOUT(serve.standardError().contains("events not stored"), 30000);
    // one line that says so, not one per failed write
    QList<QByteArray> lines = serve.standardError().trimmed().split('\n');
    lines.removeIf([](const QByteArray &l) { return !l.contains("message log"); });
    QVERIFY2(lines.size() == 1
                 && lines.first().startsWith("gatehouse-cli serve: warning: message log: ")
                 && lines.first().contains(database.toUtf8()),
             serve.standardError().constData());
    // relaying goes on
    const int seenAtFull = flood->seen();
    QTRY_VERIFY_WITH_TIMEOUT(flood->seen() > seenAtFull + 2000, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        metric(httpGet(admin, "/metrics"), "gatehouse_log_events_not_stored_total") > 0, 10000);
    flood->stop();
    const int flooded = flood->seen();
    QTRY_COMPARE_WITH_TIMEOUT(flood->seen(), flooded + 200, 10000); // the window in flight
    flood.reset();
    QCOMPARE(integrity(database), QStringLiteral("ok"));

    // room again: logging resumes
    const rlimit unlimited {RLIM_INFINITY, RLIM_INFINITY};
    QCOMPARE(::prlimit(pid_t(serve.pid()), RLIMIT_FSIZE, &unlimited, nullptr), 0);
    QSignalSpy text(ws.get(), &QWebSocket::textMessageReceived);
    ws->sendTextMessage(QStringLiteral("999999 after"));
    QTRY_COMPARE_WITH_TIMEOUT(text.size(), 1, 10000);
    QTRY_VERIFY2_WITH_TIMEOUT(serve.standardOutput().contains("message log: storing events again"),
                              serve.standardError().constData(), 10000);
    Test::ProcessResult read;
    auto loggedAfter
        = [&] { return loggedNumbers(database, QStringLiteral("out"), &read).contains(999999); };
    QTRY_VERIFY_WITH_TIMEOUT(loggedAfter(), 10000);

    // every event is either in the log or counted as not stored (the count is taken
    // twice a second: the last failures may not be in it yet)
    const QByteArray series = "{api=\"/full/1.0.0\",channel=\"/echo\"";
    const Test::ProcessResult handshakes = Test::runCli(
        {QStringLiteral("log"), QStringLiteral("--db"), database, QStringLiteral("--json"),
         QStringLiteral("--kind"), QStringLiteral("handshake")});
    QCOMPARE(handshakes.exitCode, 0);
    // (the handshake is in the first transaction, over the limit by itself when the
    // flood's first batch is in it)
    const qint64 loggedHandshakes = handshakes.standardOutput.count('\n');
    QVERIFY(loggedHandshakes <= 1);
    const qint64 loggedMessages = loggedNumbers(database, QStringLiteral("in"), &read).size()
        + loggedNumbers(database, QStringLiteral("out"), &read).size();
    qint64 relayed = 0;
    qint64 notStored = 0;
    auto accounted = [&] {
        const QByteArray metrics = httpGet(admin, "/metrics");
        relayed = metric(metrics, "gatehouse_messages_total" + series + ",direction=\"in\"}")
            + metric(metrics, "gatehouse_messages_total" + series + ",direction=\"out\"}");
        notStored = metric(metrics, "gatehouse_log_events_not_stored_total");
        return loggedMessages + loggedHandshakes + notStored == relayed + 1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(accounted(), 5000);
    QCOMPARE(relayed, 2 * (flooded + 200 + 1));
    QVERIFY(notStored > 0);
    QVERIFY(serve.signalAndWait(SIGTERM));
    QCOMPARE(integrity(database), QStringLiteral("ok"));
}

// Clients that never read while their backends flood them: the gateway stops
// reading from a backend once its client's leg holds the outgoing buffer limit (64 KiB
// by default), reads no more than the room left under it, and so keeps less than
// 128 KiB per stalled connection; kernel socket buffers are not in the resident set,
// so it measures what the gateway itself keeps. Another client's round trips stay
// within twice their time before the stall, and the memory goes back when the
// stalled ones close.
void TestGatewayFaults::stalledReaders()
{
    FloodBackend flood;
    const QString floodApi = path(QStringLiteral("flood.yaml"));
    const QString echoApi = path(QStringLiteral("echo.yaml"));
    QVERIFY(
        Test::writeFile(floodApi, Test::echoApiDocument(QStringLiteral("/flood"), flood.port())));
    QVERIFY(
        Test::writeFile(echoApi, Test::echoApiDocument(QStringLiteral("/calm"), m_echo->port())));
    Test::CliProcess serve;
    const quint16 port = serve.startServe(serveArguments({floodApi, echoApi}));
    QVERIFY(port != 0);

    // another client's round trips before the stall (the first ones warm up), and as
    // the control a client of a second gateway (a process like the first) in front of
    // the same echo backend, which no stalled client touches
    auto calm = openClient(QStringLiteral("ws://127.0.0.1:%1/calm/1.0.0/echo").arg(port));
    QVERIFY(calm);
    Test::CliProcess controlServe;
    const quint16 controlPort = controlServe.startServe(
        {QStringLiteral("serve"), echoApi, QStringLiteral("--listen"),
         QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), path(QStringLiteral("control.db")),
         QStringLiteral("--secrets-file"), path(QStringLiteral("control-secrets")),
         QStringLiteral("--workers"), QStringLiteral("2")});
    QVERIFY(controlPort != 0);
    auto direct = openClient(QStringLiteral("ws://127.0.0.1:%1/calm/1.0.0/echo").arg(controlPort));
    QVERIFY(direct);
    QVERIFY(medianRoundTripsUs(calm.get(), direct.get(), 50).first > 0);
    const auto unloaded = medianRoundTripsUs(calm.get(), direct.get(), 300);
    QVERIFY(unloaded.first > 0 && unloaded.second > 0);
    const qint64 before = settledResidentKiB(serve.pid(), 16);

    // Enough stalled connections that the allocator's noise (a few hundred KiB either
    // way between two readings) is small per connection. Idle first: connected and
    // upgraded, nothing sent yet.
    constexpr int Stalled = 100;
    std::vector<std::unique_ptr<StalledClient>> clients;
    for (int i = 0; i < Stalled; ++i) {
        clients.push_back(std::make_unique<StalledClient>(port, "/flood/1.0.0/echo"));
        QVERIFY(clients.back()->isOpen());
    }
    const qint64 idle = settledResidentKiB(serve.pid(), 64);
    // then each asks for the flood and reads nothing; settled once the backend could
    // send nothing more for a second (every backend leg of the gateway stopped
    // reading) and the resident set stopped growing
    for (auto &c : clients)
        QVERIFY(c->sendText("go"));
    QTRY_COMPARE_WITH_TIMEOUT(flood.flooding.load(), Stalled, 10000);
    QElapsedTimer flooding;
    flooding.start();
    for (qint64 last = -1; flood.sent != last && flooding.elapsed() < 60000;) {
        last = flood.sent;
        QTest::qWait(1000);
    }
    const qint64 stalled = settledResidentKiB(serve.pid(), 256);
    // and once the gateway is idle (what it was still doing with the flood is done),
    // so that the round trips below measure what the stalled connections cost while
    // they wait
    const qint64 ticksPerSecond = ::sysconf(_SC_CLK_TCK);
    QElapsedTimer quiet;
    quiet.start();
    for (qint64 ticks = cpuTicks(serve.pid()); ticks >= 0 && quiet.elapsed() < 20000;) {
        QTest::qWait(500);
        const qint64 now = cpuTicks(serve.pid());
        if (now - ticks <= ticksPerSecond / 20) // under a tenth of a CPU
            break;
        ticks = now;
    }
    const qint64 perConnection = (stalled - idle) / Stalled;
    qInfo("serve RSS: %lld KiB before, %lld KiB with %d idle connections, %lld KiB once they "
          "stalled (%lld KiB flooded each): %lld KiB more per stalled connection",
          before, idle, Stalled, stalled, flood.sent / Stalled / 1024, perConnection);
    QVERIFY(idle > 0 && stalled > 0);
    // The outgoing limit (64 KiB), the message that went over it, less than a message
    // not parsed yet and the allocator's share: measured 87-115 KiB (bench/README.md),
    // 745 KiB before the limit held, 80-290 KiB with a 128 KiB limit and whole reads.
    // The bound is the documented 128 KiB.
    // (Under AddressSanitizer freed memory waits in its quarantine and every byte has
    // shadow: the resident set says nothing about the gateway's buffers there.)
#if !defined(__SANITIZE_ADDRESS__)
    QVERIFY2(perConnection <= 128, qPrintable(QString::number(perConnection)));
#endif

    // The other client is served as before: its median round trip within twice the
    // unloaded one. The stalled connections cost the workers nothing while they wait
    // (no read interest, a write interest that does not fire); a busy phase of a
    // shared machine can (2 CPUs, other work on them: a process woken per message
    // waits for a CPU), so each median is taken relative to the control's measured
    // alongside, and the best of five tries half a second apart counts (a CI run beside
    // other tests once saw three tries in a row at 183 us against the control's 36).
    // Either within twice the time before the stall, or (the machine slower now) within
    // twice the ratio to the control before it. (The control alone is no baseline: a
    // sanitizer run once measured it at 186 us before the stall and 68 us during it,
    // while this client took 67 and 70 us.)
    const double unloadedRatio = double(unloaded.first) / double(unloaded.second);
    std::pair<qint64, qint64> loaded {-1, -1}; // the try of the lowest ratio
    double loadedRatio = 0;
    qint64 fastest = -1; // the lowest median of the tries
    const auto served = [&] {
        return loaded.first > 0
            && (fastest <= 2 * unloaded.first || loadedRatio <= 2 * unloadedRatio);
    };
    for (int attempt = 0; attempt < 5 && !served(); ++attempt) {
        if (attempt > 0)
            QTest::qWait(500);
        const auto times = medianRoundTripsUs(calm.get(), direct.get(), 300);
        if (times.first < 0)
            continue;
        if (fastest < 0 || times.first < fastest)
            fastest = times.first;
        const double ratio = double(times.first) / double(times.second);
        if (loaded.first < 0 || ratio < loadedRatio) {
            loaded = times;
            loadedRatio = ratio;
        }
    }
    qInfo("round trip of another client, median: %lld us before the stall, %lld us during it "
          "(through the control gateway: %lld and %lld us)",
          unloaded.first, loaded.first, unloaded.second, loaded.second);
    QVERIFY(loaded.first > 0);
    QVERIFY2(served(),
             qPrintable(QStringLiteral("%1 us during the stall, %2 us before (control %3, %4 us)")
                            .arg(loaded.first)
                            .arg(unloaded.first)
                            .arg(loaded.second)
                            .arg(unloaded.second)));

    // The stalled ones leave: their memory goes back (the workers give freed memory
    // back to the system a second after connections close). What may stay: 2 MiB plus
    // 8 KiB per connection (the allocator's bookkeeping, a thread's cached buffers),
    // a fifth of the growth at most; measured 700-1,000 KiB in all on a quiet machine,
    // up to 1,900 KiB on a busy one (a CI run beside a build). Before the workers gave
    // memory back, 1-3 MiB of 8-14 MiB stayed with 50 connections.
    clients.clear();
#if !defined(__SANITIZE_ADDRESS__)
    const qint64 allowedKiB = 2048 + 8 * Stalled;
    QTRY_VERIFY2_WITH_TIMEOUT(residentKiB(serve.pid()) - before <= allowedKiB,
                              qPrintable(QStringLiteral("%1 KiB more than before the clients")
                                             .arg(residentKiB(serve.pid()) - before)),
                              10000);
#endif
    qInfo("serve RSS after they closed: %lld KiB", residentKiB(serve.pid()));
    QVERIFY(serve.signalAndWait(SIGTERM));
    QVERIFY(controlServe.signalAndWait(SIGTERM));
}

namespace {

// The processes below `pid` whose command name starts with `name` (from /proc).
QList<qint64> descendantsNamed(qint64 pid, const QByteArray &name)
{
    QHash<qint64, qint64> parent;
    QHash<qint64, QByteArray> command;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const qint64 p = entry.toLongLong(&number);
        if (!number)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(p));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const qsizetype open = text.indexOf('('), close = text.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        command.insert(p, text.mid(open + 1, close - open - 1));
        parent.insert(p, text.mid(close + 2).split(' ').value(1).toLongLong());
    }
    QList<qint64> out;
    for (auto it = parent.cbegin(); it != parent.cend(); ++it) {
        if (!command.value(it.key()).startsWith(name))
            continue;
        for (qint64 up = it.value(); up > 1; up = parent.value(up, 0))
            if (up == pid) {
                out.append(it.key());
                break;
            }
    }
    return out;
}

// A client of `url` presenting `token` as a bearer token; null when refused.
std::unique_ptr<QWebSocket> openWithToken(const QString &url, const QByteArray &token)
{
    auto ws = std::make_unique<QWebSocket>();
    QSignalSpy failed(ws.get(), QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    QNetworkRequest request {QUrl(url)};
    request.setRawHeader("Authorization", "Bearer " + token);
    ws->open(request);
    QElapsedTimer timer;
    timer.start();
    while (ws->state() != QAbstractSocket::ConnectedState && failed.isEmpty()
           && timer.elapsed() < 10000)
        QTest::qWait(10);
    return ws->state() == QAbstractSocket::ConnectedState ? std::move(ws) : nullptr;
}

bool echoes(QWebSocket *ws, const QString &text)
{
    QSignalSpy received(ws, &QWebSocket::textMessageReceived);
    ws->sendTextMessage(text);
    return received.wait(5000) && received.constFirst().at(0).toString() == text;
}

} // namespace

// The OS keychain goes away while serving (its daemon dies; the desktop session
// starts a locked one in its place): open connections go on, JWTs are still checked
// with the signing key read at start (also after a reload), and a new secret is
// refused with the keychain's reason, kept nowhere else.
void TestGatewayFaults::keychainLostWhileServing()
{
    const quint16 port = Test::freePort();
    const QString api = path(QStringLiteral("keyed.yaml"));
    QByteArray document = Test::echoApiDocument(QStringLiteral("/keyed"), m_echo->port());
    document.replace("x-auth-type: None", "x-auth-type: Any");
    QVERIFY(Test::writeFile(api, document));
    const QString cli = QStringLiteral(GATEHOUSE_CLI_PATH);
    const QString registry = path(QStringLiteral("keyed-registry.db"));
    // in a keyring session of its own (the other tests' keyring stays): an
    // application, a JWT (the signing key goes to the keychain), then serve
    const QString script = path(QStringLiteral("keyed.sh"));
    QVERIFY(Test::writeFile(
        script,
        QStringLiteral("set -e\n"
                       "cli='%1'; db='%2'; dir='%3'\n"
                       "env > \"$dir/keyed.env\"\n"
                       "\"$cli\" apps create keyed --db \"$db\" >/dev/null\n"
                       "\"$cli\" subscribe keyed --api '%4' --plan AsyncUnlimited "
                       "--db \"$db\" >/dev/null\n"
                       "\"$cli\" keys issue keyed --type jwt --db \"$db\" > "
                       "\"$dir/keyed.jwt\"\n"
                       "exec \"$cli\" serve '%4' --listen 127.0.0.1:%5 --db \"$db\"\n")
            .arg(cli, registry, m_dir->path(), api)
            .arg(port)
            .toUtf8()));
    QProcess session;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("GATEHOUSE_IN_KEYRING_SESSION"));
    session.setProcessEnvironment(env);
    session.setProcessChannelMode(QProcess::MergedChannels);
    session.start(Test::sourcePath(QStringLiteral("scripts/with-keychain")),
                  {QStringLiteral("bash"), script});
    auto stop = qScopeGuard([&] {
        // everything the session started (its D-Bus daemon, keyring, serve): they would
        // outlive the script otherwise
        for (const qint64 pid : descendantsNamed(session.processId(), QByteArray()))
            ::kill(pid_t(pid), SIGTERM);
        session.terminate();
        if (!session.waitForFinished(10000))
            session.kill();
    });
    auto listening = [port] {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        return probe.waitForConnected(200);
    };
    QTRY_VERIFY2_WITH_TIMEOUT(QFile(path(QStringLiteral("keyed.jwt"))).size() > 0 && listening(),
                              session.readAll().constData(), 30000);
    QFile jwtFile(path(QStringLiteral("keyed.jwt")));
    QVERIFY(jwtFile.open(QIODevice::ReadOnly));
    const QByteArray jwt = jwtFile.readAll().trimmed();
    QCOMPARE(jwt.count('.'), 2);
    const QString url = QStringLiteral("ws://127.0.0.1:%1/keyed/1.0.0/echo").arg(port);
    QVERIFY(!openWithToken(url, "not-a-token"));
    auto before = openWithToken(url, jwt);
    QVERIFY(before);
    QVERIFY(echoes(before.get(), QStringLiteral("before")));

    // the keychain goes
    const QList<qint64> keyrings = descendantsNamed(session.processId(), "gnome-keyring");
    QCOMPARE(keyrings.size(), 1);
    QCOMPARE(::kill(pid_t(keyrings.constFirst()), SIGKILL), 0);
    QTRY_VERIFY(descendantsNamed(session.processId(), "gnome-keyring").value(0)
                != keyrings.constFirst());

    QVERIFY(echoes(before.get(), QStringLiteral("after"))); // open: goes on
    auto after = openWithToken(url, jwt); // new: checked with the key read at start
    QVERIFY(after);
    QVERIFY(echoes(after.get(), QStringLiteral("new")));
    QVERIFY(!openWithToken(url, jwt.left(jwt.size() - 2) + "xx"));

    // a new secret is refused, with the keychain's reason, and kept nowhere
    QProcess issue;
    QProcessEnvironment inSession;
    QFile envFile(path(QStringLiteral("keyed.env")));
    QVERIFY(envFile.open(QIODevice::ReadOnly));
    for (const QByteArray &line : envFile.readAll().split('\n'))
        if (const qsizetype eq = line.indexOf('='); eq > 0)
            inSession.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    issue.setProcessEnvironment(inSession);
    issue.start(cli,
                {QStringLiteral("keys"), QStringLiteral("issue"), QStringLiteral("keyed"),
                 QStringLiteral("--db"), registry});
    QVERIFY(issue.waitForFinished(30000));
    const QByteArray said = issue.readAllStandardError();
    QCOMPARE(issue.exitCode(), 1);
    QVERIFY2(said.contains("cannot keep the secret in the OS keychain"), said.constData());
    QVERIFY2(issue.readAllStandardOutput().trimmed().isEmpty(), "a secret was printed");
    const Test::ProcessResult listed
        = Test::runCli({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("keyed"),
                        QStringLiteral("--db"), registry});
    // the JWT of the start only: no token was half issued
    QCOMPARE(listed.standardOutput.trimmed().count('\n'), 1);
    QVERIFY2(!listed.standardOutput.contains("at_"), listed.standardOutput.constData());
    QDirIterator files(m_dir->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile f(files.next());
        if (f.fileName() == jwtFile.fileName())
            continue; // where the test keeps it
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains(jwt.split('.').value(2)), qPrintable(f.fileName()));
    }

    // a reload cannot read the key again: the one it has stays in use
    QVERIFY(::kill(pid_t(descendantsNamed(session.processId(), "gatehouse-cli").value(0)), SIGHUP)
            == 0);
    QTest::qWait(500);
    auto reloaded = openWithToken(url, jwt);
    QVERIFY(reloaded);
    QVERIFY(echoes(reloaded.get(), QStringLiteral("reloaded")));
}

QTEST_GUILESS_MAIN(TestGatewayFaults)
#include "tst_gateway_faults.moc"
