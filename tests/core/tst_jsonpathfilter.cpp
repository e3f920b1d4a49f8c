// SPDX-License-Identifier: GPL-3.0-or-later
// JSON path filters of client tabs.
#include "client/jsonpathfilter.h"

#include <QTest>

using Gatehouse::Client::JsonPathFilter;

class TestJsonPathFilter final : public QObject
{
    Q_OBJECT

private slots:
    // A server's message nested a million deep is not JSON here: no stack overflow.
    void deepNestingIsNotJson()
    {
        const std::optional<JsonPathFilter> filter
            = JsonPathFilter::parse(QStringLiteral("$.a"), nullptr);
        QVERIFY(filter);
        const QByteArray deep = QByteArray(1'000'000, '[') + QByteArray(1'000'000, ']');
        QVERIFY(!filter->matches(deep));
        QVERIFY(filter->matches(QByteArray("{\"a\": [[[1]]]}")));
    }

    void matches_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<bool>("expected");
        const QByteArray m = R"({"type": "join", "user": {"id": 42, "name": "ann"},
                                 "items": [{"name": "a"}], "odd key": true})";
        QTest::newRow("exists") << "$.type" << m << true;
        QTest::newRow("missing") << "$.nope" << m << false;
        QTest::newRow("equals word") << "$.type == join" << m << true;
        QTest::newRow("equals quoted") << R"($.type == "join")" << m << true;
        QTest::newRow("equals other") << "$.type == leave" << m << false;
        QTest::newRow("number") << "$.user.id == 42" << m << true;
        QTest::newRow("number as text differs") << R"($.user.id == "42")" << m << false;
        QTest::newRow("differs") << "$.user.name != bob" << m << true;
        QTest::newRow("differs when missing") << "$.user.age != 3" << m << true;
        QTest::newRow("index") << "$.items[0].name = a" << m << true;
        QTest::newRow("index out of range") << "$.items[3]" << m << false;
        QTest::newRow("quoted key") << R"($["odd key"] == true)" << m << true;
        QTest::newRow("not JSON") << "$.type" << QByteArray("type join") << false;
        QTest::newRow("root") << "$" << QByteArray("[1]") << true;
    }
    void matches()
    {
        QFETCH(QString, filter);
        QFETCH(QByteArray, message);
        QFETCH(bool, expected);
        QString error;
        const auto f = JsonPathFilter::parse(filter, &error);
        QVERIFY2(f, qPrintable(error));
        QCOMPARE(f->matches(message), expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("error");
        QTest::newRow("dot alone") << "$."
                                   << "column 2: a member name after '.'";
        QTest::newRow("open bracket") << "$.a[0"
                                      << "column 4: '[' without ']'";
        QTest::newRow("bad index") << "$.a[x]"
                                   << "column 4: [N] or [\"name\"]";
        QTest::newRow("operator") << "$.a > 3"
                                  << "after the path: == VALUE or != VALUE";
        QTest::newRow("no value") << "$.a =="
                                  << "a value to compare with";
    }
    void errors()
    {
        QFETCH(QString, filter);
        QFETCH(QString, error);
        QString why;
        QVERIFY(!JsonPathFilter::parse(filter, &why));
        QCOMPARE(why, error);
    }
};

QTEST_GUILESS_MAIN(TestJsonPathFilter)
#include "tst_jsonpathfilter.moc"
