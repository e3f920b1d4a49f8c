// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/policycatalog.h"
#include "policy/policyfactory.h"

#include <QRegularExpression>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;

namespace {

Api apiWith(const Json &policies)
{
    Api api;
    api.title = QStringLiteral("Chats");
    api.version = QStringLiteral("1.0.0");
    api.gatehouse.raw = Json::object({{"policies", policies}});
    api.gatehouse.plans = {{QStringLiteral("Gold"), {}, 100, Plan::Unit::Minute, 5}};
    Channel rooms;
    rooms.id = QStringLiteral("/rooms/{roomID}");
    rooms.address = rooms.id;
    api.channels = {rooms};
    return api;
}

// A value of the setting that the policy accepts: its default, or one made up for
// settings that have none.
Json sample(const PolicySetting &setting)
{
    if (!setting.defaultValue.is_null())
        return setting.defaultValue;
    using Kind = PolicySetting::Kind;
    switch (setting.kind) {
    case Kind::Size:
        return Json("4KiB");
    case Kind::Structured:
        return setting.key == u"maxPerPlan" ? Json::object({{"Gold", 3}})
                                            : Json::array({Json::object({{"remove", "/debug"}})});
    case Kind::TextList:
        return Json::array({"password"});
    case Kind::Integer:
        return Json(7);
    default:
        return Json("Gold");
    }
}

} // namespace

class TestPolicyCatalog final : public QObject
{
    Q_OBJECT

private slots:
    void everyTypeIsDescribed();
    void settingsAreWhatThePoliciesRead();
    void defaultsAreAccepted();
    void valuesFromText_data();
    void valuesFromText();
    void listsOnePerLine();
    void summaries();
};

void TestPolicyCatalog::everyTypeIsDescribed()
{
    QStringList described;
    for (const PolicyType &type : PolicyCatalog::types()) {
        described.append(type.type);
        QVERIFY2(!type.title.isEmpty(), qPrintable(type.type));
        QVERIFY2(!type.description.isEmpty(), qPrintable(type.type));
        QVERIFY2(!type.settings.isEmpty(), qPrintable(type.type));
        for (const PolicySetting &setting : type.settings)
            QVERIFY2(!setting.help.isEmpty(), qPrintable(type.type + u'.' + setting.key));
    }
    QStringList known = PolicyFactory::knownTypes();
    known.sort();
    described.sort();
    QCOMPARE(described, known);
    QVERIFY(PolicyCatalog::type(QStringLiteral("rateLimit")));
    QVERIFY(!PolicyCatalog::type(QStringLiteral("ratelimit")));
}

// The settings listed are exactly the keys each policy accepts: an unknown key is
// refused with the list of the known ones, which must be the catalog's.
void TestPolicyCatalog::settingsAreWhatThePoliciesRead()
{
    PolicyFactory factory;
    for (const PolicyType &type : PolicyCatalog::types()) {
        const Json entry = Json::object({{"type", toStdString(type.type)}, {"notASetting", 1}});
        const QStringList errors = factory.check(apiWith(Json::array({entry})));
        QVERIFY2(!errors.isEmpty(), qPrintable(type.type));
        static const QRegularExpression known(QStringLiteral("expected one of: ([^)]*)\\)"));
        const auto m = known.match(errors.constFirst());
        QVERIFY2(m.hasMatch(), qPrintable(errors.constFirst()));
        QStringList accepted = m.captured(1).split(QStringLiteral(", "));
        accepted.removeAll(QStringLiteral("type"));
        accepted.removeAll(QStringLiteral("enabled"));
        QStringList listed;
        for (const PolicySetting &setting : type.settings)
            listed.append(setting.key);
        accepted.sort();
        listed.sort();
        QCOMPARE(listed, accepted);
    }
}

void TestPolicyCatalog::defaultsAreAccepted()
{
    PolicyFactory factory;
    for (const PolicyType &type : PolicyCatalog::types()) {
        for (const PolicySetting &setting : type.settings) {
            Json entry = Json::object({{"type", toStdString(type.type)}});
            entry[toStdString(setting.key)] = sample(setting);
            if (setting.key == u"sample")
                entry["payloads"] = true;
            const QStringList errors = factory.check(apiWith(Json::array({entry})));
            QVERIFY2(errors.isEmpty(),
                     qPrintable(type.type + u'.' + setting.key + u": " + errors.join(u'\n')));
            // and what a form shows of it reads back as the same value
            if (setting.kind != PolicySetting::Kind::Structured) {
                const QString text = PolicyCatalog::textOf(setting, sample(setting));
                const auto back = PolicyCatalog::valueOf(setting, text);
                QVERIFY2(back && *back == sample(setting),
                         qPrintable(type.type + u'.' + setting.key + u": " + text));
            }
        }
    }
}

void TestPolicyCatalog::valuesFromText_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("json"); // empty: refused
    QTest::addColumn<QString>("error");

    QTest::newRow("size with unit") << "sizeLimit"
                                    << "clientToBackend"
                                    << " 64KiB "
                                    << R"("64KiB")"
                                    << "";
    QTest::newRow("size in bytes") << "sizeLimit"
                                   << "clientToBackend"
                                   << "65536"
                                   << "65536"
                                   << "";
    QTest::newRow("size refused")
        << "sizeLimit"
        << "maxSize"
        << "big"
        << ""
        << R"(maxSize: expected a size such as 64KiB or a number of bytes, got "big")";
    QTest::newRow("duration") << "faultInjection"
                              << "latency"
                              << "200ms"
                              << R"("200ms")"
                              << "";
    QTest::newRow("duration in ms") << "faultInjection"
                                    << "jitter"
                                    << "50"
                                    << "50"
                                    << "";
    QTest::newRow("duration refused")
        << "faultInjection"
        << "disconnectAfter"
        << "soon"
        << ""
        << R"(disconnectAfter: expected a duration such as 250ms, 5s, 2m or a number of milliseconds, got "soon")";
    QTest::newRow("seconds") << "connectionThrottle"
                             << "retryAfter"
                             << "30"
                             << "30"
                             << "";
    QTest::newRow("seconds as duration") << "connectionThrottle"
                                         << "retryAfter"
                                         << "2m"
                                         << R"("2m")"
                                         << "";
    QTest::newRow("choice of numbers") << "connectionThrottle"
                                       << "status"
                                       << "503"
                                       << "503"
                                       << "";
    QTest::newRow("choice refused") << "connectionThrottle"
                                    << "status"
                                    << "500"
                                    << ""
                                    << R"(status: expected one of 429, 503, got "500")";
    QTest::newRow("choice of names") << "rateLimit"
                                     << "mode"
                                     << "hard"
                                     << R"("hard")"
                                     << "";
    QTest::newRow("whole number") << "connectionThrottle"
                                  << "maxConnections"
                                  << "100"
                                  << "100"
                                  << "";
    QTest::newRow("whole number refused")
        << "connectionThrottle"
        << "maxConnections"
        << "ten"
        << ""
        << R"(maxConnections: expected a whole number, got "ten")";
    QTest::newRow("below the minimum")
        << "connectionThrottle"
        << "maxPerApplication"
        << "-1"
        << ""
        << "maxPerApplication: expected a whole number 0 or more, got -1";
    QTest::newRow("out of range") << "validatePayload"
                                  << "maxErrors"
                                  << "101"
                                  << ""
                                  << "maxErrors: expected a whole number from 1 to 100, got 101";
    QTest::newRow("number") << "faultInjection"
                            << "dropRate"
                            << "0.05"
                            << "0.05"
                            << "";
    QTest::newRow("number out of range") << "faultInjection"
                                         << "dropRate"
                                         << "2"
                                         << ""
                                         << "dropRate: expected a number from 0 to 1, got 2";
    QTest::newRow("name") << "authenticate"
                          << "apiKeyHeader"
                          << "X-API-Key"
                          << R"("X-API-Key")"
                          << "";
    QTest::newRow("name switched off") << "authenticate"
                                       << "accessTokenQuery"
                                       << "false"
                                       << "false"
                                       << "";
    QTest::newRow("name refused")
        << "authenticate"
        << "apiKeyQuery"
        << "api key"
        << ""
        << R"(apiKeyQuery: expected a header or parameter name, or false, got "api key")";
    QTest::newRow("text") << "authenticate"
                          << "realm"
                          << "chats"
                          << R"("chats")"
                          << "";
    QTest::newRow("boolean") << "log"
                             << "payloads"
                             << "true"
                             << "true"
                             << "";
    QTest::newRow("regular expressions refused")
        << "log"
        << "maskPatterns"
        << "ok\n(unclosed"
        << ""
        << R"(maskPatterns: "(unclosed" is not a regular expression: missing closing parenthesis)";
}

void TestPolicyCatalog::valuesFromText()
{
    QFETCH(QString, type);
    QFETCH(QString, key);
    QFETCH(QString, text);
    QFETCH(QString, json);
    QFETCH(QString, error);
    const PolicyType *policy = PolicyCatalog::type(type);
    QVERIFY(policy);
    const PolicySetting *setting = policy->setting(key);
    QVERIFY(setting);
    QString why;
    const auto value = PolicyCatalog::valueOf(*setting, text, &why);
    if (json.isEmpty()) {
        QVERIFY(!value);
        QCOMPARE(why, error);
    } else {
        QVERIFY2(value, qPrintable(why));
        QCOMPARE(toQString(value->dump()), json);
    }
}

void TestPolicyCatalog::listsOnePerLine()
{
    const PolicySetting *mask = PolicyCatalog::type(QStringLiteral("log"))->setting(u"mask"_qs);
    QVERIFY(mask && mask->kind == PolicySetting::Kind::TextList);
    const auto value
        = PolicyCatalog::valueOf(*mask, QStringLiteral("password\n\n /card/number \n"));
    QVERIFY(value);
    QVERIFY(*value == Json::array({"password", "/card/number"}));
    QCOMPARE(PolicyCatalog::textOf(*mask, *value), QStringLiteral("password\n/card/number"));
    const PolicySetting *steps
        = PolicyCatalog::type(QStringLiteral("transform"))->setting(u"clientToBackend"_qs);
    QVERIFY(steps && steps->kind == PolicySetting::Kind::Structured);
}

void TestPolicyCatalog::summaries()
{
    QCOMPARE(PolicyCatalog::summary(
                 {QStringLiteral("rateLimit"), Json::parse(R"({"type":"rateLimit","mode":"hard",
                                                     "anonymousEvents":60})")}),
             QStringLiteral("Rate limit: mode hard, anonymousEvents 60"));
    QCOMPARE(PolicyCatalog::summary({QStringLiteral("sizeLimit"),
                                     Json::parse(R"({"type":"sizeLimit","enabled":false})")}),
             QStringLiteral("Size limit: off"));
    QCOMPARE(PolicyCatalog::summary(
                 {QStringLiteral("log"), Json::parse(R"({"type":"log","mask":["a","b"]})")}),
             QStringLiteral("Log: mask 2 items"));
    QCOMPARE(PolicyCatalog::summary(
                 {QStringLiteral("validatePayload"), Json::parse(R"({"type":"validatePayload"})")}),
             QStringLiteral("Validate payloads: defaults"));
}

QTEST_GUILESS_MAIN(TestPolicyCatalog)
#include "tst_policycatalog.moc"
