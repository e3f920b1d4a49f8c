// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/sizelimitpolicy.h"

#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::Direction;
using Gateway::MessageVerdict;
using Gateway::RelayMessage;

class TestSizeLimitPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void verdicts_data();
    void verdicts();
    void parse_data();
    void parse();
};

void TestSizeLimitPolicy::defaults()
{
    SizeLimitPolicy policy;
    QCOMPARE(policy.maxMessageSize(Direction::ClientToBackend), qint64(1024 * 1024));
    QCOMPARE(policy.maxMessageSize(Direction::BackendToClient), qint64(16 * 1024 * 1024));
    // the relay enforces maxMessageSize() while reading: nothing else to check
    QVERIFY(policy.forwardsEverything(Gatehouse::Gateway::ConnectionContext()));
}

void TestSizeLimitPolicy::verdicts_data()
{
    QTest::addColumn<int>("direction");
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("closed");
    QTest::addColumn<int>("clientCode");
    QTest::addColumn<int>("backendCode");
    QTest::newRow("in-at-limit") << int(Direction::ClientToBackend) << 10 << false << 0 << 0;
    QTest::newRow("in-over") << int(Direction::ClientToBackend) << 11 << true << 1009 << 1001;
    QTest::newRow("out-at-limit") << int(Direction::BackendToClient) << 20 << false << 0 << 0;
    QTest::newRow("out-over") << int(Direction::BackendToClient) << 21 << true << 1001 << 1009;
    QTest::newRow("empty") << int(Direction::ClientToBackend) << 0 << false << 0 << 0;
}

void TestSizeLimitPolicy::verdicts()
{
    QFETCH(int, direction);
    QFETCH(int, size);
    QFETCH(bool, closed);
    QFETCH(int, clientCode);
    QFETCH(int, backendCode);
    SizeLimitPolicy policy(SizeLimitPolicy::Settings {10, 20});
    RelayMessage m {Direction(direction), false, QByteArray(size, 'x')};
    const MessageVerdict v = policy.process({}, m);
    QCOMPARE(v.action == MessageVerdict::Action::Close, closed);
    if (closed) {
        QCOMPARE(int(v.clientCloseCode), clientCode);
        QCOMPARE(int(v.backendCloseCode), backendCode);
        QVERIFY(v.reason.contains(QString::number(size)));
    }
}

void TestSizeLimitPolicy::parse_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<qint64>("in");
    QTest::addColumn<qint64>("out");
    QTest::addColumn<QString>("error");
    QTest::newRow("units") << u"{\"clientToBackend\":\"64KiB\",\"backendToClient\":\"2MB\"}"_qs
                           << qint64(65536) << qint64(2'000'000) << QString();
    QTest::newRow("both") << u"{\"maxSize\":1000}"_qs << qint64(1000) << qint64(1000) << QString();
    QTest::newRow("both-then-one") << u"{\"maxSize\":\"1MiB\",\"backendToClient\":0}"_qs
                                   << qint64(1048576) << qint64(0) << QString();
    QTest::newRow("bad")
        << u"{\"clientToBackend\":\"lots\"}"_qs << qint64(1048576) << qint64(16777216)
        << u"p.clientToBackend: expected a size such as 65536, 64KiB or 1MiB, got \"lots\""_qs;
    QTest::newRow("fraction")
        << u"{\"clientToBackend\":1.5}"_qs << qint64(1048576) << qint64(16777216)
        << u"p.clientToBackend: must be a whole number of bytes >= 0, got 1.5"_qs;
}

void TestSizeLimitPolicy::parse()
{
    QFETCH(QString, config);
    QFETCH(qint64, in);
    QFETCH(qint64, out);
    QFETCH(QString, error);
    PolicyConfig c(Json::parse(config.toStdString()), QStringLiteral("p"));
    const auto s = SizeLimitPolicy::parse(c);
    QCOMPARE(c.error(), error);
    QCOMPARE(s.clientToBackend, in);
    QCOMPARE(s.backendToClient, out);
    SizeLimitPolicy policy(s);
    if (out == 0)
        QCOMPARE(policy.maxMessageSize(Direction::BackendToClient), qint64(-1)); // 0 = no limit
}

QTEST_GUILESS_MAIN(TestSizeLimitPolicy)
#include "tst_sizelimitpolicy.moc"
