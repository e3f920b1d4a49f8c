// SPDX-License-Identifier: GPL-3.0-or-later
// ApiTreeModel and ApiDetails against hand-built Api values.
#include "apidetails.h"
#include "apitreemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Gatehouse;
using Kind = ApiTreeModel::Kind;

namespace {

Api chatsApi()
{
    Api api;
    api.asyncapiVersion = QStringLiteral("3.0.0");
    api.title = QStringLiteral("Chats");
    api.version = QStringLiteral("1.0.0");
    api.description = QStringLiteral("Chat rooms over WebSocket.\n\nSecond `paragraph`.");

    Server server;
    server.id = QStringLiteral("gateway");
    server.host = QStringLiteral("localhost:9099");
    server.pathname = QStringLiteral("/chats/1.0.0");
    server.protocol = QStringLiteral("ws");
    api.servers << server;

    Channel notifications;
    notifications.id = QStringLiteral("notifications");
    notifications.address = QStringLiteral("/notifications");
    notifications.messageIds << QStringLiteral("Notification");
    Channel rooms;
    rooms.id = QStringLiteral("rooms");
    rooms.address = QStringLiteral("/rooms/{roomID}");
    rooms.description = QStringLiteral("A chat room.");
    rooms.authType = QStringLiteral("Any");
    ChannelParameter roomId;
    roomId.name = QStringLiteral("roomID");
    roomId.description = QStringLiteral("Name of the room.");
    roomId.schema = Json {{"type", "string"}};
    rooms.parameters << roomId;
    rooms.messageIds << QStringLiteral("ChatMessage") << QStringLiteral("RoomGreeting");
    api.channels << notifications << rooms;

    Operation receiveNotifications;
    receiveNotifications.id = QStringLiteral("receiveNotifications");
    receiveNotifications.action = Operation::Action::Send;
    receiveNotifications.channelId = QStringLiteral("notifications");
    receiveNotifications.uriMapping = QStringLiteral("/notifications");
    Operation sendRoomMessage;
    sendRoomMessage.id = QStringLiteral("sendRoomMessage");
    sendRoomMessage.action = Operation::Action::Receive;
    sendRoomMessage.channelId = QStringLiteral("rooms");
    sendRoomMessage.messageIds << QStringLiteral("ChatMessage");
    sendRoomMessage.uriMapping = QStringLiteral("/rooms?room={uri.var.roomID}");
    sendRoomMessage.scopes << QStringLiteral("chat:write") << QStringLiteral("chat:read");
    Operation receiveRoomMessages;
    receiveRoomMessages.id = QStringLiteral("receiveRoomMessages");
    receiveRoomMessages.action = Operation::Action::Send;
    receiveRoomMessages.channelId = QStringLiteral("rooms");
    api.operations << receiveNotifications << sendRoomMessage << receiveRoomMessages;

    Message notification;
    notification.id = QStringLiteral("Notification");
    notification.title = QStringLiteral("Notification");
    notification.payload = Json {{"$ref", "#/components/schemas/Text"}};
    MessageExample example;
    example.name = QStringLiteral("joined");
    example.payload = "Someone joined <room1>!";
    notification.examples << example;
    Message chat;
    chat.id = QStringLiteral("ChatMessage");
    chat.title = QStringLiteral("Chat message");
    chat.payload = Json {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}};
    Message greeting;
    greeting.id = QStringLiteral("RoomGreeting");
    api.messages << notification << chat << greeting;
    api.schemas = Json {{"Text", {{"type", "string"}, {"maxLength", 1024}}}};
    api.components = Json {{"schemas", api.schemas}};

    SecurityScheme bearer;
    bearer.id = QStringLiteral("bearer");
    bearer.type = QStringLiteral("http");
    bearer.scheme = QStringLiteral("bearer");
    api.securitySchemes << bearer;

    api.gatehouse.endpoint = QStringLiteral("ws://localhost:8080");
    api.gatehouse.context = QStringLiteral("/chats");
    api.gatehouse.raw = Json {
        {"context", "/chats"}, {"endpoint", "ws://localhost:8080"}, {"mock", {{"kind", "chat"}}}};
    return api;
}

QStringList childLabels(const QAbstractItemModel &model, const QModelIndex &parent)
{
    QStringList labels;
    for (int row = 0; row < model.rowCount(parent); ++row)
        labels << model.index(row, 0, parent).data().toString();
    return labels;
}

QModelIndex child(const QAbstractItemModel &model, const QModelIndex &parent, const QString &label)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString() == label)
            return index;
    }
    return {};
}

} // namespace

class TestApiTreeModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyModel()
    {
        ApiTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), 2);
        QVERIFY(!model.find(Kind::Api, {}).isValid());
    }

    void structure()
    {
        ApiTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setApi(std::make_shared<const Api>(chatsApi()));
        QCOMPARE(reset.size(), 1);

        QCOMPARE(model.rowCount(), 1);
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(root.data().toString(), QStringLiteral("Chats 1.0.0"));
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("AsyncAPI 3.0.0"));
        QCOMPARE(root.data(ApiTreeModel::KindRole).toInt(), int(Kind::Api));
        QCOMPARE(childLabels(model, root),
                 (QStringList {QStringLiteral("Servers"), QStringLiteral("Channels"),
                               QStringLiteral("Messages"), QStringLiteral("Security schemes"),
                               QStringLiteral("Gateway settings")}));

        const QModelIndex servers = child(model, root, QStringLiteral("Servers"));
        QCOMPARE(model.index(0, 1, servers).data().toString(),
                 QStringLiteral("ws://localhost:9099/chats/1.0.0"));

        const QModelIndex channels = child(model, root, QStringLiteral("Channels"));
        QCOMPARE(channels.siblingAtColumn(1).data().toString(), QStringLiteral("2 channels"));
        QCOMPARE(
            childLabels(model, channels),
            (QStringList {QStringLiteral("/notifications"), QStringLiteral("/rooms/{roomID}")}));

        const QModelIndex rooms = child(model, channels, QStringLiteral("/rooms/{roomID}"));
        QCOMPARE(rooms.data(ApiTreeModel::IdRole).toString(), QStringLiteral("rooms"));
        QCOMPARE(childLabels(model, rooms),
                 (QStringList {QStringLiteral("receive \u00b7 sendRoomMessage"),
                               QStringLiteral("send \u00b7 receiveRoomMessages"),
                               QStringLiteral("Parameters"), QStringLiteral("Messages")}));
        const QModelIndex send = model.index(0, 0, rooms);
        QCOMPARE(send.data(ApiTreeModel::ActionRole).toString(), QStringLiteral("receive"));
        QCOMPARE(send.data(ApiTreeModel::ChannelIdRole).toString(), QStringLiteral("rooms"));
        QVERIFY(!send.data(Qt::DecorationRole).value<QIcon>().isNull());
        // An operation lists its own messages, or the channel's when it names none.
        QCOMPARE(childLabels(model, send), QStringList {QStringLiteral("ChatMessage")});
        QCOMPARE(childLabels(model, model.index(1, 0, rooms)),
                 (QStringList {QStringLiteral("ChatMessage"), QStringLiteral("RoomGreeting")}));

        const QModelIndex parameters = child(model, rooms, QStringLiteral("Parameters"));
        QCOMPARE(childLabels(model, parameters), QStringList {QStringLiteral("roomID")});
        QCOMPARE(model.index(0, 1, parameters).data().toString(),
                 QStringLiteral("Name of the room."));

        const QModelIndex gateway = child(model, root, QStringLiteral("Gateway settings"));
        QCOMPARE(childLabels(model, gateway),
                 (QStringList {QStringLiteral("context"), QStringLiteral("endpoint"),
                               QStringLiteral("mock")}));
        QCOMPARE(model.index(1, 1, gateway).data().toString(),
                 QStringLiteral("ws://localhost:8080"));

        const QModelIndex found
            = model.find(Kind::Operation, QStringLiteral("receiveNotifications"));
        QVERIFY(found.isValid());
        QCOMPARE(found.parent().data().toString(), QStringLiteral("/notifications"));
        QCOMPARE(found.data(ApiTreeModel::ActionRole).toString(), QStringLiteral("send"));

        model.setApi(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void emptyGroupsAreLeftOut()
    {
        Api api;
        api.title = QStringLiteral("Bare");
        ApiTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setApi(std::make_shared<const Api>(api));
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(root.data().toString(), QStringLiteral("Bare"));
        QCOMPARE(childLabels(model, root), QStringList {QStringLiteral("Channels")});
        QCOMPARE(model.index(0, 1, root).data().toString(), QStringLiteral("0 channels"));
    }

    void sharedAddressesShowIds()
    {
        Api api;
        Channel a;
        a.id = QStringLiteral("ping");
        a.address = QStringLiteral("/");
        Channel b = a;
        b.id = QStringLiteral("status");
        Channel c;
        c.id = QStringLiteral("rooms");
        c.address = QStringLiteral("/rooms");
        api.channels << a << b << c;
        ApiTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setApi(std::make_shared<const Api>(api));
        const QModelIndex channels = model.index(0, 0, model.index(0, 0));
        QCOMPARE(childLabels(model, channels),
                 (QStringList {QStringLiteral("/ (ping)"), QStringLiteral("/ (status)"),
                               QStringLiteral("/rooms")}));
    }

    // A channel's rows are made when first asked for (thousands of channels make
    // their own rows only); whether it has any is known before.
    void channelChildrenAreMadeWhenAsked()
    {
        Api api = chatsApi();
        Channel bare;
        bare.id = QStringLiteral("bare");
        bare.address = QStringLiteral("/bare");
        api.channels << bare;
        ApiTreeModel model;
        model.setApi(std::make_shared<const Api>(api));
        const QModelIndex channels = model.index(1, 0, model.index(0, 0));
        QCOMPARE(channels.data().toString(), u"Channels"_qs);
        QVERIFY(model.hasChildren(model.index(1, 0, channels)));
        QVERIFY(!model.hasChildren(model.index(2, 0, channels))); // /bare
        QVERIFY(!model.hasChildren(model.index(1, 1, channels))); // (a summary)
        // found inside a channel not opened yet
        const QModelIndex op = model.find(Kind::Operation, QStringLiteral("sendRoomMessage"));
        QVERIFY(op.isValid());
        QCOMPARE(op.parent(), model.index(1, 0, channels));
        QCOMPARE(model.find(Kind::Channel, QStringLiteral("bare")), model.index(2, 0, channels));
        QCOMPARE(model.rowCount(model.index(2, 0, channels)), 0);
        QCOMPARE(childLabels(model, model.index(0, 0, channels)),
                 (QStringList {u"send \u00b7 receiveNotifications"_qs, u"Messages"_qs}));
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void undefinedMessageReference()
    {
        Api api = chatsApi();
        api.channels[0].messageIds << QStringLiteral("Missing");
        ApiTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setApi(std::make_shared<const Api>(api));
        const QModelIndex missing = model.find(Kind::Message, QStringLiteral("Missing"));
        QVERIFY(missing.isValid());
        QVERIFY(
            missing.siblingAtColumn(1).data().toString().contains(QStringLiteral("not defined")));
        QVERIFY(ApiDetails::html(api, Kind::Message, QStringLiteral("Missing"), {})
                    .contains(QStringLiteral("not defined")));
    }

    void operationDetails()
    {
        const Api api = chatsApi();
        const QString html
            = ApiDetails::html(api, Kind::Operation, QStringLiteral("sendRoomMessage"), {});
        QVERIFY(html.contains(QStringLiteral("x-uri-mapping")));
        QVERIFY(html.contains(QStringLiteral("/rooms?room={uri.var.roomID}")));
        QVERIFY(html.contains(QStringLiteral("chat:write, chat:read")));
        // x-auth-type falls back to the channel's (3.x documents keep it there).
        QVERIFY(html.contains(QStringLiteral("x-auth-type")));
        QVERIFY(html.contains(QStringLiteral("<code>Any</code>")));
        QVERIFY(html.contains(QStringLiteral("gatehouse:message/ChatMessage")));
    }

    void messageDetails()
    {
        const Api api = chatsApi();
        const QString html
            = ApiDetails::html(api, Kind::Message, QStringLiteral("Notification"), {});
        // The payload's local $ref is resolved and pretty-printed.
        QVERIFY2(html.contains(QStringLiteral("&quot;maxLength&quot;: 1024")), qPrintable(html));
        // Example text is escaped.
        QVERIFY(html.contains(QStringLiteral("Someone joined &lt;room1&gt;!")));
    }

    // Huge descriptions and values are shown in part (with a note saying so): the pane
    // is laid out on the GUI thread, and a document's megabytes would freeze it.
    void hugeTextIsShortened()
    {
        Api api = chatsApi();
        QString description;
        for (int line = 0; description.size() < 2'000'000; ++line)
            description += QStringLiteral("Line %1 of a very long description.\n").arg(line);
        api.description = description;
        Json values = Json::array();
        for (int i = 0; i < 30'000; ++i)
            values.push_back("value" + std::to_string(i));
        const Json payload {{"type", "string"}, {"enum", values}};
        Message &message = api.messages.first();
        message.payload = payload;

        const QString apiHtml = ApiDetails::html(api, Kind::Api, {}, {});
        QVERIFY(apiHtml.contains(QStringLiteral("Line 0 of a very long description.")));
        QVERIFY(!apiHtml.contains(QStringLiteral("Line 40000 of")));
        QVERIFY(apiHtml.contains(QStringLiteral("shortened here")));
        QVERIFY2(apiHtml.size() < 200'000, qPrintable(QString::number(apiHtml.size())));

        const QString messageHtml = ApiDetails::html(api, Kind::Message, message.id, {});
        QVERIFY(messageHtml.contains(QStringLiteral("value0")));
        QVERIFY(!messageHtml.contains(QStringLiteral("value29999")));
        QVERIFY(messageHtml.contains(QStringLiteral("shortened here")));
        QVERIFY2(messageHtml.size() < 600'000, qPrintable(QString::number(messageHtml.size())));

        // Ordinary text is shown whole, without the note.
        QVERIFY(
            !ApiDetails::html(chatsApi(), Kind::Api, {}, {}).contains(QStringLiteral("shortened")));
    }

    void otherDetails_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("channelId");
        QTest::addColumn<QString>("expected");
        QTest::newRow("api") << int(Kind::Api) << QString() << QString()
                             << QStringLiteral("'monospace';\">paragraph</span>");
        QTest::newRow("server") << int(Kind::Server) << QStringLiteral("gateway") << QString()
                                << QStringLiteral("ws://localhost:9099/chats/1.0.0");
        QTest::newRow("channel") << int(Kind::Channel) << QStringLiteral("rooms") << QString()
                                 << QStringLiteral("{roomID}");
        QTest::newRow("parameter")
            << int(Kind::Parameter) << QStringLiteral("roomID") << QStringLiteral("rooms")
            << QStringLiteral("&quot;type&quot;: &quot;string&quot;");
        QTest::newRow("scheme") << int(Kind::SecurityScheme) << QStringLiteral("bearer")
                                << QString() << QStringLiteral("bearer");
        QTest::newRow("gateway") << int(Kind::Gateway) << QString() << QString()
                                 << QStringLiteral("ws://localhost:8080");
        QTest::newRow("gateway entry")
            << int(Kind::GatewayEntry) << QStringLiteral("mock") << QString()
            << QStringLiteral("&quot;kind&quot;: &quot;chat&quot;");
        QTest::newRow("unknown id") << int(Kind::Channel) << QStringLiteral("nope") << QString()
                                    << QStringLiteral("Nothing to show");
    }

    void otherDetails()
    {
        QFETCH(int, kind);
        QFETCH(QString, id);
        QFETCH(QString, channelId);
        QFETCH(QString, expected);
        const QString html = ApiDetails::html(chatsApi(), Kind(kind), id, channelId);
        QVERIFY2(html.contains(expected), qPrintable(html));
    }
};

QTEST_MAIN(TestApiTreeModel)
#include "tst_apitreemodel.moc"
