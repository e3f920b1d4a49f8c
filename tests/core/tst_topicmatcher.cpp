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
    void render_data();
    void render();
    void refusedValue_data();
    void refusedValue();
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

void TestTopicMatcher::render_data()
{
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("rendered");
    QTest::newRow("literal") << u"/notifications"_qs << u"/notifications/"_qs
                             << u"/notifications"_qs;
    QTest::newRow("root") << u"/"_qs << u"/"_qs << u"/"_qs;
    QTest::newRow("param") << u"/rooms/{id}"_qs << u"/rooms/room1"_qs << u"/rooms/room1"_qs;
    QTest::newRow("canonical-escapes")
        << u"/rooms/{id}"_qs << u"/rooms/a%20b%2c"_qs << u"/rooms/a%20b,"_qs;
    QTest::newRow("utf8") << u"/rooms/{id}"_qs << u"/rooms/café"_qs << u"/rooms/caf%C3%A9"_qs;
    QTest::newRow("semicolon") << u"/rooms/{id}"_qs << u"/rooms/..;x"_qs << u"/rooms/..%3Bx"_qs;
    QTest::newRow("backslash") << u"/rooms/{id}"_qs << u"/rooms/a\\b"_qs << u"/rooms/a%5Cb"_qs;
    QTest::newRow("crlf") << u"/rooms/{id}"_qs << u"/rooms/a%0d%0ab"_qs << u"/rooms/a%0D%0Ab"_qs;
    QTest::newRow("prefix-suffix")
        << u"/files/report-{id}.json"_qs << u"/files/report-4%202.json"_qs
        << u"/files/report-4%202.json"_qs;
    QTest::newRow("unicode-literal") << u"/café/{x}"_qs << u"/caf%C3%A9/1"_qs << u"/caf%C3%A9/1"_qs;
}

void TestTopicMatcher::render()
{
    QFETCH(QString, tmpl);
    QFETCH(QString, path);
    QFETCH(QString, rendered);
    const TopicMatcher matcher(tmpl);
    const auto params = matcher.match(path);
    QVERIFY(params);
    QCOMPARE(matcher.render(*params), rendered);
    // and what it renders means the same to the matcher
    QCOMPARE(matcher.match(rendered), params);
}

void TestTopicMatcher::refusedValue_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("separatorsAllowed");
    QTest::addColumn<QString>("refusal"); // empty: allowed
    const QString dot = u"dot segment"_qs;
    const QString sep = u"must not contain '/' or '\\'"_qs;
    QTest::newRow("plain") << u"room1"_qs << false << QString();
    QTest::newRow("dots-inside") << u"a..b"_qs << false << QString();
    QTest::newRow("three-dots") << u"..."_qs << false << QString();
    QTest::newRow("dot") << u"."_qs << false << dot;
    QTest::newRow("dot-dot") << u".."_qs << true << dot;
    QTest::newRow("encoded-once-more") << u"%2e%2E"_qs << false << dot;
    QTest::newRow("encoded-twice-more") << u"%252e%252e"_qs << true << dot;
    QTest::newRow("slash") << u"a/b"_qs << false << sep;
    QTest::newRow("backslash") << u"..\\secure"_qs << false << sep;
    QTest::newRow("encoded-backslash") << u"..%5Csecure"_qs << false << sep;
    QTest::newRow("encoded-slash-lower") << u"..%2fsecure"_qs << false << sep;
    QTest::newRow("slash-allowed") << u"a/b"_qs << true << QString();
    QTest::newRow("backslash-allowed") << u"a\\b"_qs << true << QString();
    QTest::newRow("percent-not-an-escape") << u"100%"_qs << false << QString();
    QTest::newRow("percent-escape-harmless") << u"a%20b"_qs << false << QString();
}

void TestTopicMatcher::refusedValue()
{
    QFETCH(QString, value);
    QFETCH(bool, separatorsAllowed);
    QFETCH(QString, refusal);
    const QString why = TopicMatcher::refusedValue(u"name"_qs, value, separatorsAllowed);
    if (refusal.isEmpty()) {
        QVERIFY2(why.isEmpty(), qPrintable(why));
    } else {
        QVERIFY2(why.contains(refusal), qPrintable(why));
        QVERIFY(why.contains(u"'name'"));
        QVERIFY(!why.contains(u'\n'));
    }
}

QTEST_GUILESS_MAIN(TestTopicMatcher)
#include "tst_topicmatcher.moc"
