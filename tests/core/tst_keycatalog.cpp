// SPDX-License-Identifier: GPL-3.0-or-later
// KeyCatalog: the keys that fit at a place of an AsyncAPI 2.x or 3.x document, and
// x-gatehouse keys from Gatehouse's schema.
#include "asyncapi/keycatalog.h"

#include <QTest>

using namespace Gatehouse;

namespace {

QStringList names(const QList<KeyCatalog::Key> &keys)
{
    QStringList out;
    for (const auto &key : keys)
        out.append(key.name);
    return out;
}

} // namespace

class TestKeyCatalog : public QObject
{
    Q_OBJECT

private slots:
    void keysByPlace_data();
    void keysByPlace();
    void descriptions();
};

void TestKeyCatalog::keysByPlace_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<int>("major");
    QTest::addColumn<QStringList>("has");
    QTest::addColumn<QStringList>("hasNot");

    QTest::newRow("root 3") << u""_qs << 3 << QStringList {u"operations"_qs, u"x-gatehouse"_qs}
                            << QStringList {u"tags"_qs};
    QTest::newRow("root 2") << u""_qs << 2 << QStringList {u"channels"_qs, u"tags"_qs}
                            << QStringList {u"operations"_qs};
    QTest::newRow("info") << u"/info"_qs << 2 << QStringList {u"title"_qs, u"license"_qs}
                          << QStringList {u"channels"_qs};
    QTest::newRow("server 2") << u"/servers/production"_qs << 2 << QStringList {u"url"_qs}
                              << QStringList {u"host"_qs};
    QTest::newRow("server 3") << u"/servers/production"_qs << 3
                              << QStringList {u"host"_qs, u"pathname"_qs}
                              << QStringList {u"url"_qs};
    QTest::newRow("channel 2") << u"/channels/~1rooms~1{id}"_qs << 2
                               << QStringList {u"publish"_qs, u"x-uri-mapping"_qs}
                               << QStringList {u"address"_qs};
    QTest::newRow("channel 3") << u"/channels/rooms"_qs << 3
                               << QStringList {u"address"_qs, u"messages"_qs}
                               << QStringList {u"publish"_qs};
    QTest::newRow("operation 2") << u"/channels/~1echo/publish"_qs << 2
                                 << QStringList {u"message"_qs, u"operationId"_qs}
                                 << QStringList {u"action"_qs};
    QTest::newRow("operation 3") << u"/operations/send"_qs << 3
                                 << QStringList {u"action"_qs, u"channel"_qs}
                                 << QStringList {u"operationId"_qs};
    QTest::newRow("message") << u"/components/messages/Echo"_qs << 2
                             << QStringList {u"payload"_qs, u"examples"_qs}
                             << QStringList {u"type"_qs};
    QTest::newRow("inline message 2") << u"/channels/~1echo/subscribe/message"_qs << 2
                                      << QStringList {u"payload"_qs} << QStringList {};
    QTest::newRow("schema") << u"/components/messages/Echo/payload/properties/a/items"_qs << 2
                            << QStringList {u"type"_qs, u"properties"_qs}
                            << QStringList {u"payload"_qs};
    QTest::newRow("security scheme") << u"/components/securitySchemes/key"_qs << 3
                                     << QStringList {u"in"_qs, u"scheme"_qs} << QStringList {};
    QTest::newRow("x-gatehouse") << u"/x-gatehouse"_qs << 3
                                 << QStringList {u"context"_qs, u"endpoint"_qs, u"policies"_qs}
                                 << QStringList {u"info"_qs};
    QTest::newRow("names of the user's own")
        << u"/channels"_qs << 2 << QStringList {} << QStringList {u"publish"_qs};
    QTest::newRow("unknown place")
        << u"/info/title/deeper"_qs << 2 << QStringList {} << QStringList {u"title"_qs};
}

void TestKeyCatalog::keysByPlace()
{
    QFETCH(QString, pointer);
    QFETCH(int, major);
    QFETCH(QStringList, has);
    QFETCH(QStringList, hasNot);
    const QStringList keys = names(KeyCatalog::keysAt(pointer, major));
    for (const QString &key : has)
        QVERIFY2(keys.contains(key), qPrintable(key + u" not in: "_qs + keys.join(u' ')));
    for (const QString &key : hasNot)
        QVERIFY2(!keys.contains(key), qPrintable(key));
    if (has.isEmpty())
        QVERIFY(keys.isEmpty());
}

void TestKeyCatalog::descriptions()
{
    QVERIFY(KeyCatalog::describe(u"/info/title"_qs, 2).contains(u"name"_qs));
    QVERIFY(KeyCatalog::describe(u"/x-gatehouse/endpoint"_qs, 3).contains(u"backend"_qs));
    QVERIFY(KeyCatalog::describe(u"/x-gatehouse/nonsense"_qs, 3).isEmpty());
    QVERIFY(KeyCatalog::describe(u""_qs, 3).isEmpty());
    // every key has something to say
    for (const auto &key : KeyCatalog::keysAt(u""_qs, 3))
        QVERIFY2(!key.description.isEmpty(), qPrintable(key.name));
    for (const auto &key : KeyCatalog::keysAt(u"/x-gatehouse"_qs, 3))
        QVERIFY2(!key.description.isEmpty(), qPrintable(key.name));
}

QTEST_MAIN(TestKeyCatalog)
#include "tst_keycatalog.moc"
