// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logretention.h"
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using Analytics::LogRetention;
using Gateway::GatewayEvent;

namespace {

constexpr qint64 Day = 24LL * 3600 * 1000;

// A connection: opened, `messages` messages with `payload`, closed; all at `timeMs`.
QList<GatewayEvent> connection(quint64 id, qint64 timeMs, int messages,
                               const QByteArray &payload = "hi")
{
    QList<GatewayEvent> out;
    GatewayEvent opened;
    opened.type = GatewayEvent::Type::ConnectionOpened;
    opened.connectionId = id;
    opened.timeMs = timeMs;
    opened.status = 101;
    opened.editDetails().api = QStringLiteral("/t/1.0.0");
    out.append(opened);
    for (int i = 0; i < messages; ++i) {
        GatewayEvent m = opened;
        m.type = GatewayEvent::Type::MessageRelayed;
        m.size = payload.size();
        m.payload = payload;
        out.append(m);
    }
    GatewayEvent closed = opened;
    closed.type = GatewayEvent::Type::ConnectionClosed;
    closed.closeCode = 1000;
    out.append(closed);
    return out;
}

qint64 count(const QString &path, qint64 fromMs = std::numeric_limits<qint64>::min())
{
    Analytics::MessageLogReader reader;
    if (!reader.open(path))
        return -1;
    Analytics::LogFilter f;
    f.fromMs = fromMs;
    return reader.count(f);
}

} // namespace

class TestLogRetention final : public QObject
{
    Q_OBJECT
private slots:
    void byAge()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        Analytics::MessageLogStore::Options o;
        o.path = path;
        Analytics::MessageLogStore store(o);
        QVERIFY(store.open());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        store.consume(connection(1, now - 40 * Day, 3));
        store.consume(connection(2, now - 31 * Day, 3));
        store.consume(connection(3, now - 2 * Day, 3));
        QVERIFY(store.flush());
        QCOMPARE(count(path), 15);
        LogRetention::Options options;
        options.maxAgeMs = 30 * Day;
        options.maxBytes = 0;
        LogRetention::Result r;
        QString error;
        QVERIFY2(LogRetention::enforce(path, options, now, &r, &error), qPrintable(error));
        QVERIFY(r.deletedRows >= 4); // two handshakes, two closes, their message blocks
        QCOMPARE(count(path), 5); // only the connection of two days ago
        QCOMPARE(count(path, now - 3 * Day), 5);
        // again: nothing more to do
        QVERIFY(LogRetention::enforce(path, options, now, &r, &error));
        QCOMPARE(r.deletedRows, 0);
        store.close();
    }

    // Over the size: the oldest go until the pages in use fit; the newest stay.
    void bySizeWhileWriting()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        Analytics::MessageLogStore::Options o;
        o.path = path;
        o.maxPayloadSize = 4096;
        Analytics::MessageLogStore store(o);
        QVERIFY(store.open());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QByteArray payload(3000, 'x');
        for (quint64 id = 1; id <= 200; ++id) // about 4 MB over 200 minutes
            store.consume(connection(id, now - qint64(200 - id) * 60'000, 6, payload));
        QVERIFY(store.flush());
        const qint64 before = count(path);
        QCOMPARE(before, 200 * 8);
        LogRetention::Options options;
        options.maxAgeMs = 0;
        options.maxBytes = 1024 * 1024;
        // the writer goes on meanwhile, and is never refused
        for (quint64 id = 1000; id < 1020; ++id)
            store.consume(connection(id, now, 1));
        LogRetention::Result r;
        QString error;
        QVERIFY2(LogRetention::enforce(path, options, now, &r, &error), qPrintable(error));
        QVERIFY(store.flush());
        QVERIFY2(r.usedBytesBefore > 3 * 1024 * 1024,
                 qPrintable(QString::number(r.usedBytesBefore)));
        QVERIFY2(r.usedBytesAfter <= 1024 * 1024, qPrintable(QString::number(r.usedBytesAfter)));
        QVERIFY(r.deletedRows > 0);
        QCOMPARE(store.sink()->failedEvents(), 0);
        // the newest connections are all there: the 20 written meanwhile, and the last of the 200
        QCOMPARE(count(path, now - 1000), 20 * 3 + 8);
        QVERIFY(count(path) < before);
        store.close();
    }

    void notALog()
    {
        QTemporaryDir dir;
        LogRetention::Result r;
        QString error;
        QVERIFY(!LogRetention::enforce(dir.filePath(QStringLiteral("none.db")), {}, 0, &r, &error));
        QVERIFY2(error.startsWith(dir.filePath(QStringLiteral("none.db")) + u": "),
                 qPrintable(error));
    }

    void runnerInTheBackground()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log.db"));
        Analytics::MessageLogStore::Options o;
        o.path = path;
        Analytics::MessageLogStore store(o);
        QVERIFY(store.open());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        store.consume(connection(1, now - 40 * Day, 1));
        QVERIFY(store.flush());
        Analytics::LogRetentionRunner runner(path, {}, 60'000);
        QSignalSpy enforced(&runner, &Analytics::LogRetentionRunner::enforced);
        runner.start();
        QVERIFY(enforced.wait(10000));
        QVERIFY(enforced.constFirst().constFirst().toLongLong() >= 2);
        QCOMPARE(count(path), 0);
        store.close();
    }
};

QTEST_GUILESS_MAIN(TestLogRetention)
#include "tst_logretention.moc"
