// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/urlmapper.h"

#include <QTest>

using namespace Gatehouse;

using Params = QMap<QString, QString>;

class TestUrlMapper final : public QObject
{
    Q_OBJECT

private slots:
    void render_data();
    void render();
    void invalid_data();
    void invalid();
    void missingVariable();
};

void TestUrlMapper::render_data()
{
    QTest::addColumn<QString>("mapping");
    QTest::addColumn<Params>("params");
    QTest::addColumn<QString>("expected");

    const Params room1 {{u"roomID"_qs, u"room1"_qs}};
    QTest::newRow("wso2-chats") << u"/rooms?room={uri.var.roomID}"_qs << room1
                                << u"/rooms?room=room1"_qs;
    QTest::newRow("short-form") << u"/rooms/{roomID}"_qs << room1 << u"/rooms/room1"_qs;
    QTest::newRow("no-vars") << u"/notifications"_qs << room1 << u"/notifications"_qs;
    QTest::newRow("unused-param") << u"/x"_qs << Params {{u"a"_qs, u"b"_qs}} << u"/x"_qs;
    QTest::newRow("slash-in-path-value")
        << u"/rooms/{uri.var.roomID}"_qs << Params {{u"roomID"_qs, u"a/b"_qs}}
        << u"/rooms/a%2Fb"_qs;
    QTest::newRow("slash-in-query-value")
        << u"/rooms?room={uri.var.roomID}"_qs << Params {{u"roomID"_qs, u"a/b"_qs}}
        << u"/rooms?room=a/b"_qs;
    QTest::newRow("space-path") << u"/r/{x}"_qs << Params {{u"x"_qs, u"a b"_qs}} << u"/r/a%20b"_qs;
    QTest::newRow("space-query") << u"/r?x={x}"_qs << Params {{u"x"_qs, u"a b"_qs}}
                                 << u"/r?x=a%20b"_qs;
    QTest::newRow("amp-eq-query") << u"/r?x={x}&y=1"_qs << Params {{u"x"_qs, u"a&b=c"_qs}}
                                  << u"/r?x=a%26b%3Dc&y=1"_qs;
    QTest::newRow("plus-hash-query")
        << u"/r?x={x}"_qs << Params {{u"x"_qs, u"1+1#2"_qs}} << u"/r?x=1%2B1%232"_qs;
    QTest::newRow("question-in-path-value")
        << u"/r/{x}"_qs << Params {{u"x"_qs, u"a?b"_qs}} << u"/r/a%3Fb"_qs;
    QTest::newRow("unicode") << u"/r/{x}?y={x}"_qs << Params {{u"x"_qs, u"café"_qs}}
                             << u"/r/caf%C3%A9?y=caf%C3%A9"_qs;
    QTest::newRow("percent-literal-value")
        << u"/r/{x}"_qs << Params {{u"x"_qs, u"100%"_qs}} << u"/r/100%25"_qs;
    QTest::newRow("two-vars") << u"/rooms/{uri.var.roomID}/users?u={uri.var.userID}"_qs
                              << Params {{u"roomID"_qs, u"r1"_qs}, {u"userID"_qs, u"u2"_qs}}
                              << u"/rooms/r1/users?u=u2"_qs;
    QTest::newRow("empty-value") << u"/rooms?room={roomID}"_qs << Params {{u"roomID"_qs, QString()}}
                                 << u"/rooms?room="_qs;
    QTest::newRow("adjacent") << u"/r/{a}{b}"_qs << Params {{u"a"_qs, u"1"_qs}, {u"b"_qs, u"2"_qs}}
                              << u"/r/12"_qs;
}

void TestUrlMapper::render()
{
    QFETCH(QString, mapping);
    QFETCH(Params, params);
    QFETCH(QString, expected);
    const UrlMapper mapper(mapping);
    QVERIFY2(mapper.isValid(), qPrintable(mapper.errorString()));
    QString error;
    const auto result = mapper.render(params, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, expected);
}

void TestUrlMapper::invalid_data()
{
    QTest::addColumn<QString>("mapping");
    QTest::addColumn<QString>("expectedError");
    QTest::newRow("unclosed") << u"/rooms?room={uri.var.roomID"_qs << u"unclosed '{'"_qs;
    QTest::newRow("unbalanced") << u"/rooms}"_qs << u"unbalanced '}'"_qs;
    QTest::newRow("empty") << u"/rooms/{}"_qs << u"empty or invalid variable"_qs;
    QTest::newRow("empty-uri-var") << u"/rooms/{uri.var.}"_qs << u"empty or invalid variable"_qs;
    QTest::newRow("nested") << u"/rooms/{a{b}"_qs << u"empty or invalid variable"_qs;
}

void TestUrlMapper::invalid()
{
    QFETCH(QString, mapping);
    QFETCH(QString, expectedError);
    const UrlMapper mapper(mapping);
    QVERIFY(!mapper.isValid());
    QVERIFY2(mapper.errorString().contains(expectedError), qPrintable(mapper.errorString()));
    QString error;
    QVERIFY(!mapper.render({}, &error));
    QVERIFY(!error.isEmpty());
}

void TestUrlMapper::missingVariable()
{
    const UrlMapper mapper(u"/rooms?room={uri.var.roomID}"_qs);
    QCOMPARE(mapper.variables(), QStringList {u"roomID"_qs});
    QString error;
    QVERIFY(!mapper.render({{u"other"_qs, u"x"_qs}}, &error));
    QVERIFY2(error.contains(u"roomID"_qs), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestUrlMapper)
#include "tst_urlmapper.moc"
