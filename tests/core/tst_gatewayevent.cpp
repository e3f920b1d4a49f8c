// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/gatewayevent.h"

#include <QTest>

using namespace Gatehouse;
using Gateway::GatewayEvent;

class TestGatewayEvent final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void copiesShareDetails();
    void editingACopyDetaches();
    void noDetailsReadsEmpty();
};

void TestGatewayEvent::copiesShareDetails()
{
    GatewayEvent e;
    e.editDetails().api = QStringLiteral("/chats/1.0.0");
    e.editDetails().flags = {QStringLiteral("tls")};
    const GatewayEvent::Details *before = &e.details();

    const GatewayEvent copy = e;
    QCOMPARE(&copy.details(), before);
    QVERIFY(copy.sharesDetailsWith(e));
    QCOMPARE(copy.detailsPointer().constData(), e.detailsPointer().constData());
    QCOMPARE(copy.details().api, u"/chats/1.0.0"_qs);
    QCOMPARE(copy.details().flags, QStringList {u"tls"_qs});
    // reading through the original (non-const) does not detach either
    QCOMPARE(e.details().api, u"/chats/1.0.0"_qs);
    QCOMPARE(&e.details(), before);
    QCOMPARE(&copy.details(), before);

    QList<GatewayEvent> batch(3, e);
    for (const GatewayEvent &b : batch)
        QCOMPARE(&b.details(), before);
}

void TestGatewayEvent::editingACopyDetaches()
{
    GatewayEvent original;
    original.editDetails().channel = QStringLiteral("/rooms/{roomID}");
    original.editDetails().application = QStringLiteral("app_1");
    const GatewayEvent::Details *before = &original.details();

    GatewayEvent copy = original;
    copy.editDetails().channel = QStringLiteral("/notifications");
    QVERIFY(&copy.details() != before);
    QVERIFY(!copy.sharesDetailsWith(original));
    QCOMPARE(&original.details(), before);
    QCOMPARE(original.details().channel, u"/rooms/{roomID}"_qs);
    QCOMPARE(copy.details().channel, u"/notifications"_qs);
    QCOMPARE(copy.details().application, u"app_1"_qs); // the rest was copied

    // editing details that nothing else shares keeps them in place
    GatewayEvent::Details *own = &copy.editDetails();
    copy.editDetails().path = QStringLiteral("/chats/1.0.0/notifications");
    QCOMPARE(&copy.editDetails(), own);
    QCOMPARE(copy.details().path, u"/chats/1.0.0/notifications"_qs);
}

void TestGatewayEvent::noDetailsReadsEmpty()
{
    const GatewayEvent e;
    QVERIFY(!e.detailsPointer());
    QVERIFY(e.details().api.isEmpty());
    QVERIFY(e.details().apiTitle.isEmpty());
    QVERIFY(e.details().channel.isEmpty());
    QVERIFY(e.details().path.isEmpty());
    QVERIFY(e.details().application.isEmpty());
    QVERIFY(e.details().clientAddress.isEmpty());
    QVERIFY(e.details().backendUrl.isEmpty());
    QVERIFY(e.details().flags.isEmpty());
    QCOMPARE(&e.details(), &GatewayEvent::emptyDetails());
    QVERIFY(e.sharesDetailsWith(GatewayEvent()));

    // editing an event without details gives it its own; the empty ones stay empty
    GatewayEvent other;
    other.editDetails().api = QStringLiteral("/x/1");
    QVERIFY(other.detailsPointer());
    QVERIFY(&other.details() != &GatewayEvent::emptyDetails());
    QVERIFY(GatewayEvent::emptyDetails().api.isEmpty());
    QVERIFY(e.details().api.isEmpty());
}

QTEST_GUILESS_MAIN(TestGatewayEvent)
#include "tst_gatewayevent.moc"
