// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using Analytics::MessageLogReader;
using Gateway::GatewayEvent;

namespace {

// A connection of `app` from `address` on `channel`: opened at `t`, closed with
// `messages` messages; or refused with 429 when messages < 0.
QList<GatewayEvent> connection(quint64 id, qint64 t, const QString &app, const QString &channel,
                               const QString &address, int messages)
{
    GatewayEvent e;
    e.connectionId = id;
    e.timeMs = t;
    GatewayEvent::Details &d = e.editDetails();
    d.api = QStringLiteral("/chats/1.0.0");
    d.channel = channel;
    d.application = app;
    d.clientAddress = address;
    if (messages < 0) {
        e.type = GatewayEvent::Type::ConnectionRejected;
        e.status = 429;
        return {e};
    }
    e.type = GatewayEvent::Type::ConnectionOpened;
    e.status = 101;
    GatewayEvent closed = e;
    closed.type = GatewayEvent::Type::ConnectionClosed;
    closed.timeMs = t + 100;
    closed.durationMs = 100;
    closed.messagesIn = messages / 2;
    closed.messagesOut = messages - messages / 2;
    closed.closeCode = 1000;
    return {e, closed};
}

} // namespace

class TestTopTalkers final : public QObject
{
    Q_OBJECT
private slots:
    void ranked()
    {
        QTemporaryDir dir;
        Analytics::MessageLogStore::Options o;
        o.path = dir.filePath(QStringLiteral("log.db"));
        Analytics::MessageLogStore store(o);
        QVERIFY(store.open());
        const QString rooms = QStringLiteral("/rooms/{id}");
        const QString notes = QStringLiteral("/notifications");
        store.consume(connection(1, 10'000, u"app_a"_qs, rooms, u"10.0.0.1:1"_qs, 40));
        store.consume(connection(2, 11'000, u"app_b"_qs, rooms, u"10.0.0.2:1"_qs, 5));
        store.consume(connection(3, 12'000, u"app_b"_qs, notes, u"10.0.0.2:2"_qs, 7));
        store.consume(connection(4, 13'000, u"app_b"_qs, notes, u"10.0.0.2:3"_qs, -1));
        store.consume(connection(5, 14'000, QString(), notes, u"10.0.0.3:1"_qs, -1));
        store.consume(connection(6, 90'000, u"app_c"_qs, rooms, u"10.0.0.9:1"_qs, 500)); // later
        QVERIFY(store.flush());

        MessageLogReader reader;
        QVERIFY(reader.open(o.path));
        QString error;
        QList<Analytics::Talker> apps
            = reader.topTalkers(MessageLogReader::TalkerKind::Application, 0, 60'000, 10, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(apps.size(), 3); // app_a, app_b, and the anonymous one
        QCOMPARE(apps.at(0).name, QStringLiteral("app_a"));
        QCOMPARE(apps.at(0).messages, 40);
        QCOMPARE(apps.at(1).name, QStringLiteral("app_b"));
        QCOMPARE(apps.at(1).messages, 12);
        QCOMPARE(apps.at(1).attempts, 3);
        QCOMPARE(apps.at(1).rejected, 1);
        QCOMPARE(apps.at(2).name, QString());
        QCOMPARE(apps.at(2).rejected, 1);

        const QList<Analytics::Talker> channels
            = reader.topTalkers(MessageLogReader::TalkerKind::Channel, 0, 60'000, 1, &error);
        QCOMPARE(channels.size(), 1); // the limit
        QCOMPARE(channels.at(0).name, rooms);
        QCOMPARE(channels.at(0).messages, 45);

        const QList<Analytics::Talker> addresses
            = reader.topTalkers(MessageLogReader::TalkerKind::ClientAddress, 0, 60'000, 10, &error);
        QCOMPARE(addresses.at(0).name, QStringLiteral("10.0.0.1:1"));
        QCOMPARE(addresses.at(0).messages, 40);
        QCOMPARE(addresses.size(), 5);

        // the later window sees only the later connection
        apps = reader.topTalkers(MessageLogReader::TalkerKind::Application, 60'000, 120'000, 10,
                                 &error);
        QCOMPARE(apps.size(), 1);
        QCOMPARE(apps.at(0).name, QStringLiteral("app_c"));
        QCOMPARE(apps.at(0).messages, 500);

        // narrowed to a channel, an application, an API
        Analytics::MetricsScope scope;
        scope.channel = notes;
        apps = reader.topTalkers(MessageLogReader::TalkerKind::Application, 0, 60'000, 10, &error,
                                 scope);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(apps.size(), 2);
        QCOMPARE(apps.at(0).name, QStringLiteral("app_b"));
        QCOMPARE(apps.at(0).messages, 7);
        QCOMPARE(apps.at(0).attempts, 2);
        QCOMPARE(apps.at(1).name, QString());
        scope = {};
        scope.application = QString(); // the connections without one
        apps = reader.topTalkers(MessageLogReader::TalkerKind::ClientAddress, 0, 60'000, 10, &error,
                                 scope);
        QCOMPARE(apps.size(), 1);
        QCOMPARE(apps.at(0).name, QStringLiteral("10.0.0.3:1"));
        scope.application = QStringLiteral("app_b");
        apps = reader.topTalkers(MessageLogReader::TalkerKind::ClientAddress, 0, 60'000, 10, &error,
                                 scope);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(apps.size(), 3);
        QCOMPARE(apps.at(0).name, QStringLiteral("10.0.0.2:2"));
        QCOMPARE(apps.at(0).messages, 7);
        scope = {};
        scope.api = QStringLiteral("/other/1");
        QVERIFY(
            reader.topTalkers(MessageLogReader::TalkerKind::Channel, 0, 60'000, 10, &error, scope)
                .isEmpty());
        store.close();
    }
};

QTEST_GUILESS_MAIN(TestTopTalkers)
#include "tst_toptalkers.moc"
