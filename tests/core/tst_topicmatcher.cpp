// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/topicmatcher.h"

#include <QTest>

using namespace Gatehouse;

using Params = QMap<QString, QString>;

class TestTopicMatcher final : public QObject
{
    Q_OBJECT

private slots:
    void match_data();
    void match();
    void invalidTemplates_data();
    void invalidTemplates();
    void parameterNamesAndSpecificity();
};

void TestTopicMatcher::match_data()
{
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<Params>("params");

    QTest::newRow("literal") << u"/notifications"_qs << u"/notifications"_qs << true << Params {};
    QTest::newRow("literal-mismatch")
        << u"/notifications"_qs << u"/notification"_qs << false << Params {};
    QTest::newRow("literal-case") << u"/notifications"_qs << u"/Notifications"_qs << false
                                  << Params {};
    QTest::newRow("no-leading-slash-template")
        << u"notifications"_qs << u"/notifications"_qs << true << Params {};
    QTest::newRow("param") << u"/rooms/{roomID}"_qs << u"/rooms/room1"_qs << true
                           << Params {{u"roomID"_qs, u"room1"_qs}};
    QTest::newRow("trailing-slash-request") << u"/rooms/{roomID}"_qs << u"/rooms/room1/"_qs << true
                                            << Params {{u"roomID"_qs, u"room1"_qs}};
    QTest::newRow("trailing-slash-template") << u"/rooms/"_qs << u"/rooms"_qs << true << Params {};
    QTest::newRow("double-trailing-slash")
        << u"/rooms/{roomID}"_qs << u"/rooms/room1//"_qs << false << Params {};
    QTest::newRow("empty-param") << u"/rooms/{roomID}"_qs << u"/rooms/"_qs << false << Params {};
    QTest::newRow("empty-middle-param")
        << u"/rooms/{roomID}/members"_qs << u"/rooms//members"_qs << false << Params {};
    QTest::newRow("encoded-slash-stays-in-param") << u"/rooms/{roomID}"_qs << u"/rooms/a%2Fb"_qs
                                                  << true << Params {{u"roomID"_qs, u"a/b"_qs}};
    QTest::newRow("real-slash-splits")
        << u"/rooms/{roomID}"_qs << u"/rooms/a/b"_qs << false << Params {};
    QTest::newRow("encoded-space") << u"/rooms/{roomID}"_qs << u"/rooms/my%20room"_qs << true
                                   << Params {{u"roomID"_qs, u"my room"_qs}};
    QTest::newRow("plus-is-literal")
        << u"/rooms/{roomID}"_qs << u"/rooms/a+b"_qs << true << Params {{u"roomID"_qs, u"a+b"_qs}};
    QTest::newRow("unicode-encoded") << u"/rooms/{roomID}"_qs << u"/rooms/caf%C3%A9"_qs << true
                                     << Params {{u"roomID"_qs, u"café"_qs}};
    QTest::newRow("unicode-raw") << u"/rooms/{roomID}"_qs << u"/rooms/日本"_qs << true
                                 << Params {{u"roomID"_qs, u"日本"_qs}};
    QTest::newRow("unicode-literal")
        << u"/café/{x}"_qs << u"/caf%C3%A9/1"_qs << true << Params {{u"x"_qs, u"1"_qs}};
    QTest::newRow("bad-percent") << u"/rooms/{roomID}"_qs << u"/rooms/%zz"_qs << false << Params {};
    QTest::newRow("truncated-percent")
        << u"/rooms/{roomID}"_qs << u"/rooms/ab%4"_qs << false << Params {};
    QTest::newRow("invalid-utf8") << u"/rooms/{roomID}"_qs << u"/rooms/%C3%28"_qs << false
                                  << Params {};
    QTest::newRow("query-ignored") << u"/rooms/{roomID}"_qs << u"/rooms/room1?access_token=x"_qs
                                   << true << Params {{u"roomID"_qs, u"room1"_qs}};
    QTest::newRow("dot-dot-rejected")
        << u"/rooms/{roomID}"_qs << u"/rooms/.."_qs << false << Params {};
    QTest::newRow("encoded-dot-dot-rejected")
        << u"/rooms/{roomID}"_qs << u"/rooms/%2E%2E"_qs << false << Params {};
    QTest::newRow("dot-rejected") << u"/rooms/{roomID}"_qs << u"/rooms/."_qs << false << Params {};
    QTest::newRow("two-params") << u"/rooms/{roomID}/users/{userID}"_qs
                                << u"/rooms/r1/users/u%202"_qs << true
                                << Params {{u"roomID"_qs, u"r1"_qs}, {u"userID"_qs, u"u 2"_qs}};
    QTest::newRow("prefix-suffix") << u"/files/report-{id}.json"_qs << u"/files/report-42.json"_qs
                                   << true << Params {{u"id"_qs, u"42"_qs}};
    QTest::newRow("prefix-suffix-empty")
        << u"/files/report-{id}.json"_qs << u"/files/report-.json"_qs << false << Params {};
    QTest::newRow("prefix-mismatch")
        << u"/files/report-{id}.json"_qs << u"/files/x-42.json"_qs << false << Params {};
    QTest::newRow("too-many-segments")
        << u"/rooms/{roomID}"_qs << u"/rooms/a/b/c"_qs << false << Params {};
    QTest::newRow("too-few-segments")
        << u"/rooms/{roomID}"_qs << u"/rooms"_qs << false << Params {};
    QTest::newRow("root") << u"/"_qs << u"/"_qs << true << Params {};
    QTest::newRow("root-vs-empty") << u"/"_qs << u""_qs << true << Params {};
    QTest::newRow("root-vs-path") << u"/"_qs << u"/x"_qs << false << Params {};
}

void TestTopicMatcher::match()
{
    QFETCH(QString, tmpl);
    QFETCH(QString, path);
    QFETCH(bool, matches);
    QFETCH(Params, params);

    const TopicMatcher matcher(tmpl);
    QVERIFY2(matcher.isValid(), qPrintable(matcher.errorString()));
    const auto result = matcher.match(path);
    QCOMPARE(result.has_value(), matches);
    if (matches)
        QCOMPARE(*result, params);
}

void TestTopicMatcher::invalidTemplates_data()
{
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("two-in-segment") << u"/rooms/{a}{b}"_qs << u"more than one parameter"_qs;
    QTest::newRow("two-in-segment-sep") << u"/rooms/{a}-{b}"_qs << u"more than one parameter"_qs;
    QTest::newRow("unclosed") << u"/rooms/{a"_qs << u"unclosed"_qs;
    QTest::newRow("unbalanced") << u"/rooms/a}"_qs << u"unbalanced"_qs;
    QTest::newRow("empty-name") << u"/rooms/{}"_qs << u"empty parameter name"_qs;
    QTest::newRow("bad-name") << u"/rooms/{a b}"_qs << u"invalid parameter name"_qs;
    QTest::newRow("duplicate") << u"/{a}/{a}"_qs << u"appears twice"_qs;
    QTest::newRow("query") << u"/rooms?x={a}"_qs << u"must not contain"_qs;
}

void TestTopicMatcher::invalidTemplates()
{
    QFETCH(QString, tmpl);
    QFETCH(QString, expectedError);
    const TopicMatcher matcher(tmpl);
    QVERIFY(!matcher.isValid());
    QVERIFY2(matcher.errorString().contains(expectedError), qPrintable(matcher.errorString()));
    QVERIFY(matcher.errorString().contains(tmpl));
    QVERIFY(!matcher.match(u"/rooms/x"_qs));
}

void TestTopicMatcher::parameterNamesAndSpecificity()
{
    const TopicMatcher a(u"/rooms/{roomID}/users/{userID}"_qs);
    QCOMPARE(a.parameterNames(), (QStringList {u"roomID"_qs, u"userID"_qs}));
    const TopicMatcher lobby(u"/rooms/lobby"_qs);
    const TopicMatcher any(u"/rooms/{roomID}"_qs);
    QVERIFY(lobby.specificity() > any.specificity());
    QVERIFY(lobby.parameterNames().isEmpty());
}

QTEST_GUILESS_MAIN(TestTopicMatcher)
#include "tst_topicmatcher.moc"
