// SPDX-License-Identifier: GPL-3.0-or-later
// gatehouse-loadgen: the gateway benchmark's load generator and echo backend.
//   echo        --port P [--threads T]                      run the echo backend
//   throughput  --url U -c N --size B --seconds S [--window W]
//   paced       --url U -c N --size B --seconds S --rate R  (round-trip percentiles)
//   handshakes  --url U -c N --seconds S                    (N upgrades in flight)
//   hold        --url U -c N                                 (open N, hold until stdin closes)
// Common: [--threads T] [-H 'Name: value']... Results: one JSON object on stdout.
#include "benchconnection.h"
#include "echoserver.h"
#include "gateway/epolleventdispatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <vector>

using namespace Bench;

namespace {

struct Settings
{
    QString mode;
    QString host;
    quint16 port = 0;
    QByteArray path;
    QList<QPair<QByteArray, QByteArray>> headers;
    int connections = 1;
    int size = 64;
    int window = 16;
    double seconds = 5;
    double rate = 0;
    int threads = 2;
};

struct Shared
{
    std::atomic<qint64> echoed {0};
    std::atomic<qint64> handshakes {0};
    std::atomic<int> open {0};
    std::atomic<int> failed {0};
    std::atomic<bool> measuring {false};
    std::atomic<bool> stopping {false};
    QMutex mutex;
    std::vector<qint64> rtts;
    QByteArray lastError;
};

// One thread's share of the connections.
class Runner final : public QObject
{
public:
    Runner(const Settings &s, Shared *shared, int count)
        : m_s(s)
        , m_shared(shared)
        , m_count(count)
    { }

    void start()
    {
        if (m_s.mode == u"paced") {
            auto *timer = new QTimer(this);
            timer->setTimerType(Qt::PreciseTimer);
            connect(timer, &QTimer::timeout, this, [this] { pace(); });
            timer->start(1);
            m_last = BenchConnection::nowNs();
        }
        const int initial = m_s.mode == u"hold" ? qMin(m_count, 64) : m_count;
        for (int i = 0; i < initial; ++i)
            openOne();
    }

    void finish()
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->rtts.insert(m_shared->rtts.end(), m_rtts.begin(), m_rtts.end());
    }

private:
    void openOne()
    {
        ++m_started;
        auto *c = new BenchConnection(this);
        connect(c, &BenchConnection::opened, this, [this, c] {
            m_shared->open.fetch_add(1);
            if (m_s.mode == u"handshakes") {
                if (m_shared->measuring)
                    m_shared->handshakes.fetch_add(1);
                c->deleteLater(); // RST: no TIME_WAIT piles up on either side
                m_shared->open.fetch_sub(1);
                if (!m_shared->stopping)
                    openOne();
                return;
            }
            m_connections.append(c);
            if (m_s.mode == u"throughput")
                for (int i = 0; i < m_s.window; ++i)
                    c->send(m_s.size);
            if (m_s.mode == u"hold" && m_started < m_count)
                openOne();
        });
        connect(c, &BenchConnection::echoed, this, [this, c](qint64 rtt) {
            if (m_shared->measuring) {
                m_shared->echoed.fetch_add(1, std::memory_order_relaxed);
                if (m_s.mode == u"paced")
                    m_rtts.push_back(rtt);
            }
            if (m_s.mode == u"throughput" && !m_shared->stopping)
                c->send(m_s.size);
        });
        connect(c, &BenchConnection::failed, this, [this, c](const QByteArray &why) {
            m_shared->failed.fetch_add(1);
            {
                QMutexLocker lock(&m_shared->mutex);
                m_shared->lastError = why;
            }
            c->deleteLater();
            if (m_s.mode == u"handshakes" && !m_shared->stopping)
                openOne();
        });
        c->open(m_s.host, m_s.port, m_s.path, m_s.headers);
    }

    void pace()
    {
        const qint64 now = BenchConnection::nowNs();
        m_owed += m_s.rate / m_s.threads * double(now - m_last) / 1e9;
        m_last = now;
        if (m_connections.isEmpty() || m_shared->stopping)
            return;
        while (m_owed >= 1.0) {
            m_connections.at(m_next++ % m_connections.size())->send(m_s.size);
            m_owed -= 1.0;
        }
    }

    Settings m_s;
    Shared *m_shared;
    int m_count;
    int m_started = 0;
    QList<BenchConnection *> m_connections;
    std::vector<qint64> m_rtts;
    double m_owed = 0;
    qint64 m_last = 0;
    qsizetype m_next = 0;
};

void waitMs(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void print(const QJsonObject &o)
{
    std::fputs(QJsonDocument(o).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputs("\n", stdout);
    std::fflush(stdout);
}

qint64 percentile(std::vector<qint64> &v, double p)
{
    if (v.empty())
        return 0;
    const auto k = size_t(p * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + qsizetype(k), v.end());
    return v[k];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("mode"),
                                 QStringLiteral("echo|throughput|paced|handshakes|hold"));
    parser.addOptions(
        {{QStringLiteral("url"), QStringLiteral("ws:// URL"), QStringLiteral("URL")},
         {{QStringLiteral("c"), QStringLiteral("connections")},
          QStringLiteral("connections"),
          QStringLiteral("N"),
          QStringLiteral("1")},
         {QStringLiteral("size"), QStringLiteral("payload bytes"), QStringLiteral("B"),
          QStringLiteral("64")},
         {QStringLiteral("window"), QStringLiteral("messages in flight per connection"),
          QStringLiteral("W"), QStringLiteral("16")},
         {QStringLiteral("seconds"), QStringLiteral("measuring time"), QStringLiteral("S"),
          QStringLiteral("5")},
         {QStringLiteral("rate"), QStringLiteral("messages per second (paced)"),
          QStringLiteral("R"), QStringLiteral("20000")},
         {QStringLiteral("threads"), QStringLiteral("threads"), QStringLiteral("T"),
          QStringLiteral("2")},
         {QStringLiteral("port"), QStringLiteral("echo: port"), QStringLiteral("P"),
          QStringLiteral("0")},
         {{QStringLiteral("H"), QStringLiteral("header")},
          QStringLiteral("extra header"),
          QStringLiteral("NAME: VALUE")}});
    parser.addHelpOption();
    parser.process(app);
    Settings s;
    s.mode = parser.positionalArguments().value(0);
    s.threads = qMax(1, parser.value(QStringLiteral("threads")).toInt());

    if (s.mode == u"echo") {
        EchoServer server(s.threads);
        if (!server.listen(QHostAddress::LocalHost,
                           quint16(parser.value(QStringLiteral("port")).toUInt()))) {
            std::fprintf(stderr, "echo: %s\n", qPrintable(server.errorString()));
            return 1;
        }
        print({{QStringLiteral("port"), server.serverPort()}});
        return app.exec();
    }

    const QUrl url(parser.value(QStringLiteral("url")));
    s.host = url.host();
    s.port = quint16(url.port(80));
    s.path = url.path(QUrl::FullyEncoded).toUtf8();
    if (s.path.isEmpty())
        s.path = "/";
    if (url.hasQuery())
        s.path += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    for (const QString &h : parser.values(QStringLiteral("H"))) {
        const qsizetype colon = h.indexOf(u':');
        s.headers.append(
            {h.left(colon).trimmed().toLatin1(), h.mid(colon + 1).trimmed().toLatin1()});
    }
    s.connections = qMax(1, parser.value(QStringLiteral("c")).toInt());
    s.size = parser.value(QStringLiteral("size")).toInt();
    s.window = qMax(1, parser.value(QStringLiteral("window")).toInt());
    s.seconds = parser.value(QStringLiteral("seconds")).toDouble();
    s.rate = parser.value(QStringLiteral("rate")).toDouble();
    s.threads = qMin(s.threads, s.connections);

    Shared shared;
    QList<QThread *> threads;
    QList<Runner *> runners;
    for (int t = 0; t < s.threads; ++t) {
        const int count = s.connections / s.threads + (t < s.connections % s.threads ? 1 : 0);
        auto *thread = new QThread;
        thread->setEventDispatcher(new Gatehouse::Gateway::EpollEventDispatcher);
        auto *runner = new Runner(s, &shared, count);
        runner->moveToThread(thread);
        thread->start();
        QMetaObject::invokeMethod(
            runner, [runner] { runner->start(); }, Qt::QueuedConnection);
        threads.append(thread);
        runners.append(runner);
    }

    QJsonObject result {{QStringLiteral("mode"), s.mode},
                        {QStringLiteral("connections"), s.connections},
                        {QStringLiteral("size"), s.size}};
    const bool needsAllOpen = s.mode != u"handshakes";
    QDeadlineTimer openDeadline(120000);
    while (needsAllOpen && shared.open.load() + shared.failed.load() < s.connections
           && !openDeadline.hasExpired())
        waitMs(20);
    if (shared.failed.load() > 0 && s.mode != u"handshakes") {
        result.insert(QStringLiteral("error"),
                      QStringLiteral("%1 connection(s) failed: %2")
                          .arg(shared.failed.load())
                          .arg(QString::fromUtf8(shared.lastError)));
        print(result);
        return 1;
    }

    if (s.mode == u"hold") {
        result.insert(QStringLiteral("open"), shared.open.load());
        print(result);
        QSocketNotifier stdinNotifier(0, QSocketNotifier::Read);
        QObject::connect(&stdinNotifier, &QSocketNotifier::activated, &app, [&app] {
            char buf[64];
            if (std::fread(buf, 1, 1, stdin) == 0)
                app.quit();
        });
        app.exec();
    } else {
        waitMs(1000); // warm up
        const qint64 e0 = shared.echoed.load();
        const qint64 h0 = shared.handshakes.load();
        shared.measuring = true;
        const qint64 t0 = BenchConnection::nowNs();
        waitMs(int(s.seconds * 1000));
        shared.measuring = false;
        const double elapsed = double(BenchConnection::nowNs() - t0) / 1e9;
        shared.stopping = true;
        const double echoed = double(shared.echoed.load() - e0);
        if (s.mode == u"handshakes") {
            result.insert(QStringLiteral("handshakes_per_s"),
                          double(shared.handshakes.load() - h0) / elapsed);
            result.insert(QStringLiteral("failed"), shared.failed.load());
        } else {
            result.insert(QStringLiteral("messages_per_s"), echoed / elapsed);
        }
        result.insert(QStringLiteral("seconds"), elapsed);
        result.insert(QStringLiteral("echoed"), echoed);
    }
    for (int i = 0; i < threads.size(); ++i) {
        // the connections' sockets must die in the thread they live in
        QMetaObject::invokeMethod(
            runners[i],
            [r = runners[i]] {
                r->finish();
                delete r;
            },
            Qt::BlockingQueuedConnection);
        threads[i]->quit();
        threads[i]->wait();
        delete threads[i];
    }
    if (s.mode == u"paced") {
        result.insert(QStringLiteral("rtt_p50_us"), double(percentile(shared.rtts, 0.50)) / 1000.0);
        result.insert(QStringLiteral("rtt_p99_us"), double(percentile(shared.rtts, 0.99)) / 1000.0);
        result.insert(QStringLiteral("rtt_p999_us"),
                      double(percentile(shared.rtts, 0.999)) / 1000.0);
    }
    if (s.mode != u"hold")
        print(result);
    return 0;
}
