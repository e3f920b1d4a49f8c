// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/authenticatepolicy.h"
#include "policy/faultinjectionpolicy.h"
#include "policy/logpolicy.h"
#include "policy/policyfactory.h"
#include "policy/ratelimitpolicy.h"
#include "policy/sizelimitpolicy.h"

#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Policies;

namespace {

std::shared_ptr<Api> makeApi(const char *apiPolicies, const char *channelExtension = nullptr)
{
    auto api = std::make_shared<Api>();
    api->title = QStringLiteral("Chats");
    api->version = QStringLiteral("1.0.0");
    api->gatehouse.raw = Json::object();
    if (apiPolicies)
        api->gatehouse.raw["policies"] = Json::parse(apiPolicies);
    api->gatehouse.plans = {{QStringLiteral("Gold"), {}, 100, Plan::Unit::Minute, 5}};
    Channel rooms;
    rooms.id = QStringLiteral("/rooms/{roomID}");
    rooms.address = rooms.id;
    rooms.extra = Json::object();
    if (channelExtension)
        rooms.extra["x-gatehouse"] = Json::parse(channelExtension);
    Channel notifications;
    notifications.id = QStringLiteral("/notifications");
    notifications.address = notifications.id;
    api->channels = {rooms, notifications};
    return api;
}

QStringList names(const Gateway::ChannelPolicies &p)
{
    QStringList out;
    for (const auto &c : p.connection)
        out.append(u"c:"_qs + c->name());
    for (const auto &m : p.message)
        out.append(u"m:"_qs + m->name());
    return out;
}

CredentialCheck acceptAll(const QString &, const Api &)
{
    return CredentialCheck::ok({});
}

} // namespace

class TestPolicyFactory final : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void defaultsWithVerifier();
    void orderIndependentOfList();
    void channelOverridesApi();
    void disabledSwitchesOff();
    void apiPoliciesShared();
    void sharedAfterReloadCounters();
    void errors_data();
    void errors();
    void checkListsEveryError();
    void faultInjectionWarns();
    void logPolicyFound();
    void payloadFilterMasks();
    void checkDoesNotWarn();
    void credentialPlaces();
};

void TestPolicyFactory::defaults()
{
    PolicyFactory factory;
    auto api = makeApi(nullptr);
    QString error;
    const auto p = factory.policiesFor(api, api->channels.first(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(names(p), (QStringList {u"m:sizeLimit"_qs, u"m:rateLimit"_qs}));
    QCOMPARE(p.message.first()->maxMessageSize(Gateway::Direction::ClientToBackend),
             qint64(1024 * 1024));
}

void TestPolicyFactory::defaultsWithVerifier()
{
    PolicyFactory::Options options;
    options.verifier = &acceptAll;
    PolicyFactory factory(options);
    auto api = makeApi(nullptr);
    QString error;
    const auto p = factory.policiesFor(api, api->channels.first(), &error);
    QCOMPARE(names(p), (QStringList {u"c:authenticate"_qs, u"m:sizeLimit"_qs, u"m:rateLimit"_qs}));
}

void TestPolicyFactory::orderIndependentOfList()
{
    PolicyFactory factory;
    auto api = makeApi(R"([{"type":"log","payloads":true},
                           {"type":"faultInjection","latency":10,"seed":1},
                           {"type":"transform","clientToBackend":[{"append":"!"}]},
                           {"type":"connectionThrottle","maxConnections":5},
                           {"type":"sizeLimit","maxSize":"1KiB"}])");
    QString error;
    const auto p = factory.policiesFor(api, api->channels.first(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(
        names(p),
        (QStringList {u"c:connectionThrottle"_qs, u"c:faultInjection"_qs, u"m:sizeLimit"_qs,
                      u"m:rateLimit"_qs, u"m:transform"_qs, u"m:faultInjection"_qs, u"m:log"_qs}));
    QCOMPARE(p.message.first()->maxMessageSize(Gateway::Direction::BackendToClient), qint64(1024));
}

void TestPolicyFactory::channelOverridesApi()
{
    PolicyFactory factory;
    auto api = makeApi(R"([{"type":"sizeLimit","maxSize":100}])",
                       R"({"policies":[{"type":"sizeLimit","maxSize":200}]})");
    QString error;
    const auto rooms = factory.policiesFor(api, api->channels.at(0), &error);
    const auto notifications = factory.policiesFor(api, api->channels.at(1), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rooms.message.first()->maxMessageSize(Gateway::Direction::ClientToBackend),
             qint64(200));
    QCOMPARE(notifications.message.first()->maxMessageSize(Gateway::Direction::ClientToBackend),
             qint64(100));
}

void TestPolicyFactory::disabledSwitchesOff()
{
    PolicyFactory::Options options;
    options.verifier = &acceptAll;
    PolicyFactory factory(options);
    auto api = makeApi(
        R"([{"type":"rateLimit","enabled":false}])",
        R"({"policies":[{"type":"authenticate","enabled":false},{"type":"sizeLimit","enabled":false}]})");
    QString error;
    QCOMPARE(names(factory.policiesFor(api, api->channels.at(0), &error)), QStringList());
    QCOMPARE(names(factory.policiesFor(api, api->channels.at(1), &error)),
             (QStringList {u"c:authenticate"_qs, u"m:sizeLimit"_qs}));
    QVERIFY(error.isEmpty());
}

void TestPolicyFactory::apiPoliciesShared()
{
    PolicyFactory factory;
    auto api = makeApi(R"([{"type":"connectionThrottle","maxConnections":1}])",
                       R"({"policies":[{"type":"transform","clientToBackend":[{"append":"!"}]}]})");
    QString error;
    const auto a = factory.policiesFor(api, api->channels.at(0), &error);
    const auto b = factory.policiesFor(api, api->channels.at(1), &error);
    QCOMPARE(a.connection.first().get(), b.connection.first().get()); // one per-API counter
    // the per-API cap spans channels
    Gateway::ConnectionContext c1;
    c1.connectionId = 1;
    c1.route.apiKey = u"/chats/1.0.0"_qs;
    Gateway::ConnectionContext c2 = c1;
    c2.connectionId = 2;
    QVERIFY(a.connection.first()->evaluate(c1).allowed());
    QCOMPARE(b.connection.first()->evaluate(c2).status, 429);
}

void TestPolicyFactory::sharedAfterReloadCounters()
{
    // A reloaded document gets new policy objects, but rate counters carry on.
    PolicyFactory::Options options;
    options.clock = [] { return qint64(1'767'225'600'000); };
    PolicyFactory factory(options);
    const char *policies = R"([{"type":"rateLimit","events":1}])";
    auto first = makeApi(policies);
    auto second = makeApi(policies);
    QString error;
    const auto a = factory.policiesFor(first, first->channels.first(), &error);
    const auto b = factory.policiesFor(second, second->channels.first(), &error);
    QVERIFY(a.message.last().get() != b.message.last().get());
    Gateway::ConnectionContext ctx;
    ctx.connectionId = 1;
    ctx.route.apiKey = u"/chats/1.0.0"_qs;
    ctx.identity.applicationId = u"app"_qs;
    Gateway::RelayMessage m {Gateway::Direction::ClientToBackend, false, "x"};
    QCOMPARE(a.message.last()->process(ctx, m).action, Gateway::MessageVerdict::Action::Forward);
    ctx.connectionId = 2;
    QCOMPARE(b.message.last()->process(ctx, m).action, Gateway::MessageVerdict::Action::Drop);
}

void TestPolicyFactory::errors_data()
{
    QTest::addColumn<QByteArray>("apiPolicies");
    QTest::addColumn<QByteArray>("channelExtension");
    QTest::addColumn<QString>("error");
    QTest::newRow("not-a-list")
        << QByteArray(R"({"type":"rateLimit"})") << QByteArray()
        << u"x-gatehouse.policies: expected a list of policies, got {\"type\":\"rateLimit\"}"_qs;
    QTest::newRow("no-type")
        << QByteArray(R"([{"events":5}])") << QByteArray()
        << u"x-gatehouse.policies[0]: missing \"type\" (one of: authenticate, connectionThrottle, "
           "rateLimit, sizeLimit, validatePayload, transform, faultInjection, log)"_qs;
    QTest::newRow("type-not-string")
        << QByteArray(R"([{"type":5}])") << QByteArray()
        << u"x-gatehouse.policies[0].type: expected a string, got 5"_qs;
    QTest::newRow("unknown-type")
        << QByteArray(R"([{"type":"sizeLimit"},{"type":"ratelimit"}])") << QByteArray()
        << u"x-gatehouse.policies[1].type: unknown policy type \"ratelimit\" (known: "
           "authenticate, connectionThrottle, rateLimit, sizeLimit, validatePayload, "
           "transform, faultInjection, log)"_qs;
    QTest::newRow("bad-value")
        << QByteArray(R"([{"type":"rateLimit","events":"many"}])") << QByteArray()
        << u"x-gatehouse.policies[0].events: expected an integer, got \"many\""_qs;
    QTest::newRow("enabled-type")
        << QByteArray(R"([{"type":"rateLimit","enabled":"no"}])") << QByteArray()
        << u"x-gatehouse.policies[0].enabled: expected true or false, got \"no\""_qs;
    QTest::newRow("channel-path")
        << QByteArray()
        << QByteArray(R"({"policies":[{"type":"transform","backendToClient":[{"remove":"x"}]}]})")
        << u"channels[\"/rooms/{roomID}\"].x-gatehouse.policies[0].backendToClient[0].remove: "
           "\"x\" is not a JSON Pointer (it must start with /)"_qs;
    QTest::newRow("channel-ext-not-object")
        << QByteArray() << QByteArray(R"([1])")
        << u"channels[\"/rooms/{roomID}\"].x-gatehouse: expected an object, got [1]"_qs;
    QTest::newRow("log-sample-zero")
        << QByteArray(R"([{"type":"log","payloads":true,"sample":0}])") << QByteArray()
        << u"x-gatehouse.policies[0].sample: must be between 1 and 1000000, got 0"_qs;
    QTest::newRow("log-sample-text")
        << QByteArray(R"([{"type":"log","payloads":true,"sample":"often"}])") << QByteArray()
        << u"x-gatehouse.policies[0].sample: expected an integer, got \"often\""_qs;
    QTest::newRow("log-sample-without-payloads")
        << QByteArray(R"([{"type":"log","sample":10}])") << QByteArray()
        << u"x-gatehouse.policies[0].sample: samples payloads, but payloads is not true"_qs;
    QTest::newRow("nested-key")
        << QByteArray(R"([{"type":"connectionThrottle","maxPerPlan":{"Gold":-1}}])") << QByteArray()
        << u"x-gatehouse.policies[0].maxPerPlan.Gold: must be >= 0, got -1"_qs;
}

void TestPolicyFactory::errors()
{
    QFETCH(QByteArray, apiPolicies);
    QFETCH(QByteArray, channelExtension);
    QFETCH(QString, error);
    PolicyFactory factory;
    auto api = makeApi(apiPolicies.isEmpty() ? nullptr : apiPolicies.constData(),
                       channelExtension.isEmpty() ? nullptr : channelExtension.constData());
    QString got;
    const auto p = factory.policiesFor(api, api->channels.first(), &got);
    QCOMPARE(got, error);
    QVERIFY(p.connection.isEmpty() && p.message.isEmpty());
    QVERIFY(!got.contains(u'\n'));
}

void TestPolicyFactory::checkListsEveryError()
{
    auto api = makeApi(R"([{"type":"sizeLimit"}])",
                       R"({"policies":[{"type":"rateLimit","unit":"week"}]})");
    api->channels[1].extra["x-gatehouse"]
        = Json::parse(R"({"policies":[{"type":"log","payloads":1}]})");
    PolicyFactory factory;
    const QStringList errors = factory.check(*api);
    QCOMPARE(errors.size(), 2);
    QVERIFY(
        errors.at(0).startsWith(u"channels[\"/rooms/{roomID}\"].x-gatehouse.policies[0].unit:"));
    QVERIFY(
        errors.at(1).startsWith(u"channels[\"/notifications\"].x-gatehouse.policies[0].payloads:"));
    QVERIFY(factory.check(*makeApi(R"([{"type":"sizeLimit"}])")).isEmpty());
}

void TestPolicyFactory::faultInjectionWarns()
{
    PolicyFactory factory;
    auto api = makeApi(R"([{"type":"faultInjection","dropRate":0.5,"seed":3}])");
    QString error;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"FAULT INJECTION IS ON for Chats"_qs));
    const auto p = factory.policiesFor(api, api->channels.first(), &error);
    factory.policiesFor(api, api->channels.last(), &error); // shared: warned once
    QCOMPARE(factory.warnings().size(), 1);
    QVERIFY(factory.warnings().first().contains(u"drop 50% of messages"));
    Gateway::ConnectionContext ctx;
    for (const auto &c : p.connection)
        c->evaluate(ctx);
    QVERIFY(ctx.flags.contains(QString::fromLatin1(FaultInjectionPolicy::Flag)));

    PolicyFactory quiet;
    auto off = makeApi(R"([{"type":"faultInjection"}])");
    quiet.policiesFor(off, off->channels.first(), &error);
    QVERIFY(quiet.warnings().isEmpty());
}

void TestPolicyFactory::logPolicyFound()
{
    PolicyFactory factory;
    auto api = makeApi(R"([{"type":"log","payloads":true,"mask":["password"]}])");
    QString error;
    const auto p = factory.policiesFor(api, api->channels.first(), &error);
    const auto log = PolicyFactory::logPolicy(p);
    QVERIFY(log);
    QVERIFY(log->logsPayloads());
    QVERIFY(!PolicyFactory::logPolicy(
        factory.policiesFor(makeApi(nullptr), api->channels.first(), &error)));
}

void TestPolicyFactory::payloadFilterMasks()
{
    PolicyFactory factory;
    auto api = makeApi(nullptr, R"({"policies":[{"type":"log","payloads":true,"maxPayloadSize":30,
                                                 "mask":["password"]}]})");
    api->gatehouse.context = u"/chats"_qs;
    QString error;
    const auto rooms = factory.policiesFor(api, api->channels.at(0), &error);
    factory.policiesFor(api, api->channels.at(1), &error);
    QVERIFY(error.isEmpty());
    // the gateway is asked for more than is kept, so that masks see whole fields
    QCOMPARE(PolicyFactory::logPolicy(rooms)->eventPayloadBytes(), qint64(64 * 1024));
    QCOMPARE(PolicyFactory::logPolicy(rooms)->payloadSample(), 1);

    const auto filter = factory.payloadFilter();
    Gateway::GatewayEvent e;
    e.editDetails().api = u"/chats/1.0.0"_qs;
    e.editDetails().apiTitle = u"Chats"_qs;
    e.editDetails().channel = u"/rooms/{roomID}"_qs;
    e.payload = R"({"user":"ann","password":"hunter2","text":"a long message here"})";
    QCOMPARE(filter(e), QByteArray(R"({"user":"ann","password":"***")"));
    e.editDetails().api = u"/other/9"_qs; // found by title too
    QCOMPARE(filter(e), QByteArray(R"({"user":"ann","password":"***")"));
    e.editDetails().channel = u"/notifications"_qs; // no log policy there: unchanged
    QCOMPARE(filter(e), e.payload);
}

void TestPolicyFactory::checkDoesNotWarn()
{
    PolicyFactory factory;
    auto api = makeApi(R"([{"type":"faultInjection","latency":5}])");
    QVERIFY(factory.check(*api).isEmpty());
    QVERIFY(factory.warnings().isEmpty()); // only serving warns
}

QTEST_GUILESS_MAIN(TestPolicyFactory)
// Where a client puts its credential for a channel (the window's wscat command follows it).
void TestPolicyFactory::credentialPlaces()
{
    const CredentialExtractor::Settings defaults;
    auto api = makeApi(nullptr);
    auto placesOf = [&api](int channel) {
        return PolicyFactory::credentialPlaces(*api, api->channels.at(channel));
    };
    QCOMPARE(placesOf(0).apiKeyHeader, defaults.apiKeyHeader);
    QCOMPARE(placesOf(0).bearerHeader, true);

    api = makeApi(R"([{"type": "authenticate", "apiKeyHeader": "X-Key", "bearerHeader": false}])",
                  R"({"policies": [{"type": "authenticate", "apiKeyHeader": false,
                                    "apiKeyQuery": "key"}]})");
    QCOMPARE(placesOf(1).apiKeyHeader, QStringLiteral("X-Key")); // API-wide
    QCOMPARE(placesOf(1).bearerHeader, false);
    QCOMPARE(placesOf(0).apiKeyHeader, QString()); // the channel's own replaces it
    QCOMPARE(placesOf(0).apiKeyQuery, QStringLiteral("key"));
    QCOMPARE(placesOf(0).bearerHeader, true);

    api = makeApi(R"([{"type": "authenticate", "apiKeyHeader": "bad name"}])");
    QCOMPARE(placesOf(1).apiKeyHeader, defaults.apiKeyHeader); // a wrong one: the defaults
}

#include "tst_policyfactory.moc"
