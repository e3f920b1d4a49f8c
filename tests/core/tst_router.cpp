// SPDX-License-Identifier: GPL-3.0-or-later
// The paths the router serves an API and a channel under, as the window offers them.
#include "gateway/router.h"

#include <QTest>

using namespace Gatehouse;
using Gateway::Router;

class TestRouter final : public QObject
{
    Q_OBJECT

private slots:
    void apiPath_data()
    {
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("expected");
        QTest::newRow("context") << "Chats"
                                 << "/chats"
                                 << "1.0.0"
                                 << "/chats/1.0.0";
        QTest::newRow("no leading slash") << "Chats"
                                          << "chats/"
                                          << "1.0.0"
                                          << "/chats/1.0.0";
        QTest::newRow("from the title") << "Market Data API"
                                        << ""
                                        << "2"
                                        << "/market-data-api/2";
        QTest::newRow("no version") << "Echo"
                                    << "/echo"
                                    << ""
                                    << "/echo";
        QTest::newRow("untitled") << ""
                                  << ""
                                  << "1"
                                  << "/untitled-api/1";
    }
    void apiPath()
    {
        QFETCH(QString, title);
        QFETCH(QString, context);
        QFETCH(QString, version);
        QFETCH(QString, expected);
        Api api;
        api.title = title;
        api.gatehouse.context = context;
        api.version = version;
        QCOMPARE(Router::apiPath(api), expected);
    }

    // A sample value for each parameter: enum, default, example, else its name.
    void samplePath()
    {
        Api api;
        api.title = QStringLiteral("Chats");
        api.version = QStringLiteral("1.0.0");
        Channel channel;
        channel.address = QStringLiteral("rooms/{room}/users/{user}/{kind}/{free}");
        ChannelParameter room;
        room.name = QStringLiteral("room");
        room.enumValues = {QStringLiteral("lobby"), QStringLiteral("games")};
        ChannelParameter user;
        user.name = QStringLiteral("user");
        user.schema = Json::parse(R"({"type": "string", "examples": ["ann lee"]})");
        ChannelParameter kind;
        kind.name = QStringLiteral("kind");
        kind.schema = Json::parse(R"({"type": "integer", "default": 7})");
        ChannelParameter free;
        free.name = QStringLiteral("free");
        channel.parameters = {room, user, kind, free};
        QCOMPARE(Router::samplePath(api, channel),
                 QStringLiteral("/chats/1.0.0/rooms/lobby/users/ann%20lee/7/free"));
    }
};

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
