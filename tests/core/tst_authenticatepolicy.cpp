// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/authenticatepolicy.h"
#include "policy/credentialextractor.h"

#include <QTest>
#include <QUrlQuery>

using namespace Gatehouse;
using namespace Gatehouse::Policies;
using Gateway::ConnectionContext;
using Gateway::HandshakeRequest;

namespace {

HandshakeRequest request(const QByteArray &target,
                         const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QByteArray raw = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const auto &h : headers)
        raw += h.first + ": " + h.second + "\r\n";
    raw += "\r\n";
    HandshakeRequest r;
    const auto result = HandshakeRequest::parse(raw, 16384, &r);
    Q_ASSERT(result.status == HandshakeRequest::ParseStatus::Complete);
    return r;
}

// The Chats API: /notifications needs a token and scope "notify"; /lobby is open.
std::shared_ptr<Api> chatsApi()
{
    auto api = std::make_shared<Api>();
    api->title = QStringLiteral("Chats");
    api->version = QStringLiteral("1.0.0");
    Channel notifications;
    notifications.id = QStringLiteral("notifications");
    notifications.address = QStringLiteral("/notifications");
    Channel lobby;
    lobby.id = QStringLiteral("lobby");
    lobby.address = QStringLiteral("/lobby");
    Channel rooms;
    rooms.id = QStringLiteral("rooms");
    rooms.address = QStringLiteral("/rooms/{roomID}");
    api->channels = {notifications, lobby, rooms};
    Operation n;
    n.id = QStringLiteral("receiveNotifications");
    n.channelId = notifications.id;
    n.scopes = {QStringLiteral("notify")};
    n.authType = QStringLiteral("Any");
    Operation l;
    l.id = QStringLiteral("lobby");
    l.channelId = lobby.id;
    l.authType = QStringLiteral("None");
    Operation r;
    r.id = QStringLiteral("rooms");
    r.channelId = rooms.id;
    api->operations = {n, l, r};
    return api;
}

ConnectionContext context(const std::shared_ptr<Api> &api, const QString &channelId,
                          const HandshakeRequest &req)
{
    ConnectionContext c;
    c.connectionId = 1;
    c.request = req;
    c.route.api = api;
    c.route.channel = api->channel(channelId);
    c.route.apiKey = QStringLiteral("/chats/1.0.0");
    return c;
}

// Secrets known to the fake store.
CredentialCheck verify(const QString &secret, const Api &api)
{
    Q_UNUSED(api);
    Gateway::ConnectionIdentity id;
    id.applicationId = QStringLiteral("app_1");
    id.applicationName = QStringLiteral("DefaultApplication");
    if (secret == u"good") {
        id.credentialKind = QStringLiteral("token");
        id.scopes = {QStringLiteral("notify")};
        return CredentialCheck::ok(id,
                                   Plan {QStringLiteral("Bronze"), {}, 10, Plan::Unit::Minute, 3});
    }
    if (secret == u"noscope") {
        id.credentialKind = QStringLiteral("token");
        return CredentialCheck::ok(id);
    }
    if (secret == u"key") {
        id.credentialKind = QStringLiteral("apiKey");
        id.scopes = {QStringLiteral("notify")};
        return CredentialCheck::ok(id);
    }
    if (secret == u"blocked")
        return CredentialCheck::fail(CredentialCheck::Outcome::Forbidden,
                                     QStringLiteral("subscription blocked"));
    if (secret == u"expired")
        return CredentialCheck::fail(CredentialCheck::Outcome::Unauthenticated,
                                     QStringLiteral("token expired"));
    if (secret == u"down")
        return CredentialCheck::fail(CredentialCheck::Outcome::Unavailable, {});
    return CredentialCheck::fail(CredentialCheck::Outcome::Unauthenticated,
                                 QStringLiteral("unknown credential"));
}

using Headers = QList<QPair<QByteArray, QByteArray>>;

} // namespace

class TestAuthenticatePolicy final : public QObject
{
    Q_OBJECT

private slots:
    void extract_data();
    void extract();
    void evaluate_data();
    void evaluate();
    void identityAndPlanFilled();
    void credentialQueryStripped();
    void unverifiedPlacesWithheld_data();
    void unverifiedPlacesWithheld();
    void noVerifier();
    void openChannelRules();
    void parseErrors_data();
    void parseErrors();
};

void TestAuthenticatePolicy::extract_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("source");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QStringList>("queryParameters");
    QTest::addColumn<bool>("problem");
    using S = CredentialExtractor::Source;
    QTest::newRow("bearer") << QByteArray("/n") << Headers {{"Authorization", "Bearer abc"}}
                            << int(S::AuthorizationHeader) << u"abc"_qs << QStringList() << false;
    QTest::newRow("bearer-lowercase")
        << QByteArray("/n") << Headers {{"authorization", "bearer abc"}}
        << int(S::AuthorizationHeader) << u"abc"_qs << QStringList() << false;
    QTest::newRow("access_token") << QByteArray("/n?access_token=t%2B1&x=1") << Headers {}
                                  << int(S::AccessTokenQuery) << u"t+1"_qs
                                  << QStringList {u"access_token"_qs} << false;
    QTest::newRow("apikey-header") << QByteArray("/n") << Headers {{"ApiKey", "k1"}}
                                   << int(S::ApiKeyHeader) << u"k1"_qs << QStringList() << false;
    QTest::newRow("apikey-query") << QByteArray("/n?apikey=k2") << Headers {} << int(S::ApiKeyQuery)
                                  << u"k2"_qs << QStringList {u"apikey"_qs} << false;
    QTest::newRow("header-beats-query")
        << QByteArray("/n?access_token=q") << Headers {{"Authorization", "Bearer h"}}
        << int(S::AuthorizationHeader) << u"h"_qs << QStringList {u"access_token"_qs} << false;
    QTest::newRow("apikey-header-beats-token-query")
        << QByteArray("/n?access_token=q&apikey=z") << Headers {{"apikey", "k"}}
        << int(S::ApiKeyHeader) << u"k"_qs << QStringList {u"access_token"_qs, u"apikey"_qs}
        << false;
    QTest::newRow("token-query-beats-key-query")
        << QByteArray("/n?apikey=z&access_token=q") << Headers {} << int(S::AccessTokenQuery)
        << u"q"_qs << QStringList {u"apikey"_qs, u"access_token"_qs} << false;
    QTest::newRow("basic-is-a-problem")
        << QByteArray("/n") << Headers {{"Authorization", "Basic dTpw"}} << int(S::None)
        << QString() << QStringList() << true;
    QTest::newRow("basic-but-query")
        << QByteArray("/n?access_token=q") << Headers {{"Authorization", "Basic dTpw"}}
        << int(S::AccessTokenQuery) << u"q"_qs << QStringList {u"access_token"_qs} << false;
    QTest::newRow("empty-query") << QByteArray("/n?access_token=") << Headers {} << int(S::None)
                                 << QString() << QStringList {u"access_token"_qs} << true;
    QTest::newRow("none") << QByteArray("/n?room=1") << Headers {} << int(S::None) << QString()
                          << QStringList() << false;
}

void TestAuthenticatePolicy::extract()
{
    QFETCH(QByteArray, target);
    QFETCH(Headers, headers);
    QFETCH(int, source);
    QFETCH(QString, secret);
    QFETCH(QStringList, queryParameters);
    QFETCH(bool, problem);
    const auto r
        = CredentialExtractor::extract(request(target, headers), CredentialExtractor::Settings());
    QCOMPARE(int(r.source), source);
    QCOMPARE(r.secret, secret);
    QCOMPARE(r.queryParameters, queryParameters);
    QCOMPARE(!r.problem.isEmpty(), problem);
}

void TestAuthenticatePolicy::evaluate_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("challenge"); // WWW-Authenticate, empty = none expected
    const QByteArray realm = R"(Bearer realm="gatehouse")";
    QTest::newRow("ok-bearer") << u"notifications"_qs << QByteArray("/n")
                               << Headers {{"Authorization", "Bearer good"}} << 0 << QByteArray();
    QTest::newRow("ok-query") << u"notifications"_qs << QByteArray("/n?access_token=good")
                              << Headers {} << 0 << QByteArray();
    QTest::newRow("ok-apikey") << u"notifications"_qs << QByteArray("/n")
                               << Headers {{"apikey", "key"}} << 0 << QByteArray();
    QTest::newRow("missing") << u"notifications"_qs << QByteArray("/n") << Headers {} << 401
                             << realm;
    QTest::newRow("unknown")
        << u"notifications"_qs << QByteArray("/n") << Headers {{"Authorization", "Bearer zzz"}}
        << 401
        << QByteArray(
               R"(Bearer realm="gatehouse", error="invalid_token", error_description="unknown credential")");
    QTest::newRow("expired")
        << u"notifications"_qs << QByteArray("/n?access_token=expired") << Headers {} << 401
        << QByteArray(
               R"(Bearer realm="gatehouse", error="invalid_token", error_description="token expired")");
    QTest::newRow("basic")
        << u"notifications"_qs << QByteArray("/n") << Headers {{"Authorization", "Basic dTpw"}}
        << 401
        << QByteArray(
               R"x(Bearer realm="gatehouse", error="invalid_request", error_description="unsupported Authorization scheme \"Basic\" (use Bearer)")x");
    // a token sent without "Bearer ": no part of it is quoted
    QTest::newRow("token-without-scheme")
        << u"notifications"_qs << QByteArray("/n")
        << Headers {{"Authorization", "gh_at_0123456789abcdef0123456789abcdef"}} << 401
        << QByteArray(
               R"x(Bearer realm="gatehouse", error="invalid_request", error_description="the Authorization header is not \"Bearer TOKEN\"")x");
    QTest::newRow("blocked") << u"notifications"_qs << QByteArray("/n")
                             << Headers {{"Authorization", "Bearer blocked"}} << 403
                             << QByteArray();
    QTest::newRow("scope-missing")
        << u"notifications"_qs << QByteArray("/n") << Headers {{"Authorization", "Bearer noscope"}}
        << 403
        << QByteArray(R"(Bearer realm="gatehouse", error="insufficient_scope", scope="notify")");
    QTest::newRow("no-scope-needed")
        << u"rooms"_qs << QByteArray("/r") << Headers {{"Authorization", "Bearer noscope"}} << 0
        << QByteArray();
    QTest::newRow("key-as-bearer")
        << u"notifications"_qs << QByteArray("/n") << Headers {{"Authorization", "Bearer key"}}
        << 401 << QByteArray();
    QTest::newRow("token-as-key") << u"notifications"_qs << QByteArray("/n")
                                  << Headers {{"apikey", "good"}} << 401 << QByteArray();
    QTest::newRow("store-down") << u"notifications"_qs << QByteArray("/n")
                                << Headers {{"Authorization", "Bearer down"}} << 503
                                << QByteArray();
    QTest::newRow("open-channel-no-credential")
        << u"lobby"_qs << QByteArray("/l") << Headers {} << 0 << QByteArray();
    QTest::newRow("open-channel-bad-credential")
        << u"lobby"_qs << QByteArray("/l") << Headers {{"Authorization", "Bearer zzz"}} << 0
        << QByteArray();
}

void TestAuthenticatePolicy::evaluate()
{
    QFETCH(QString, channel);
    QFETCH(QByteArray, target);
    QFETCH(Headers, headers);
    QFETCH(int, status);
    QFETCH(QByteArray, challenge);
    auto api = chatsApi();
    AuthenticatePolicy policy(AuthenticatePolicy::Settings(), &verify);
    auto ctx = context(api, channel, request(target, headers));
    const auto d = policy.evaluate(ctx);
    QCOMPARE(d.status, status);
    QCOMPARE(d.reason.isEmpty(), status == 0);
    if (status == 401) {
        QByteArray got;
        for (const auto &h : d.headers)
            if (h.first == "WWW-Authenticate")
                got = h.second;
        QVERIFY(got.startsWith(R"(Bearer realm="gatehouse")"));
        if (!challenge.isEmpty())
            QCOMPARE(got, challenge);
    } else if (!challenge.isEmpty()) {
        QCOMPARE(d.headers.value(0).second, challenge);
    }
}

void TestAuthenticatePolicy::identityAndPlanFilled()
{
    auto api = chatsApi();
    AuthenticatePolicy policy(AuthenticatePolicy::Settings(), &verify);
    auto ctx = context(api, u"notifications"_qs, request("/n", {{"Authorization", "Bearer good"}}));
    QVERIFY(policy.evaluate(ctx).allowed());
    QCOMPARE(ctx.identity.applicationId, u"app_1"_qs);
    QCOMPARE(ctx.identity.plan, u"Bronze"_qs);
    QVERIFY(ctx.plan.known);
    QCOMPARE(ctx.plan.name, u"Bronze"_qs);
    QCOMPARE(ctx.plan.events, 10ULL);
    QCOMPARE(ctx.plan.unitMs, 60'000LL);
    QCOMPARE(ctx.plan.maxConnections, 3);
}

void TestAuthenticatePolicy::credentialQueryStripped()
{
    auto api = chatsApi();
    AuthenticatePolicy policy(AuthenticatePolicy::Settings(), &verify);
    // rejected connections also must not leak the token anywhere
    for (const QByteArray &token : {QByteArray("good"), QByteArray("zzz")}) {
        auto ctx
            = context(api, u"notifications"_qs,
                      request("/n?room=1&access_token=" + token + "&apikey=x&access_token=again"));
        policy.evaluate(ctx);
        QCOMPARE(
            ctx.attributes.value(QString::fromLatin1(AuthenticatePolicy::CredentialQueryAttribute))
                .toStringList(),
            (QStringList {u"access_token"_qs, u"apikey"_qs}));
    }
    auto only = context(api, u"notifications"_qs, request("/n?access_token=good"));
    QVERIFY(policy.evaluate(only).allowed());
    QCOMPARE(
        only.attributes.value(QString::fromLatin1(AuthenticatePolicy::CredentialQueryAttribute))
            .toStringList(),
        QStringList {u"access_token"_qs});
}

void TestAuthenticatePolicy::unverifiedPlacesWithheld_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArrayList>("withheld");
    QTest::newRow("bearer-verified")
        << QByteArray("/n") << Headers {{"Authorization", "Bearer good"}, {"apikey", "other"}}
        << QByteArrayList {"apikey"};
    QTest::newRow("query-verified-basic-beside")
        << QByteArray("/n?access_token=good") << Headers {{"Authorization", "Basic dTpw"}}
        << QByteArrayList {"authorization", "apikey"};
    QTest::newRow("key-verified") << QByteArray("/n")
                                  << Headers {{"apikey", "key"}, {"Authorization", "Basic dTpw"}}
                                  << QByteArrayList {"authorization"};
}

void TestAuthenticatePolicy::unverifiedPlacesWithheld()
{
    QFETCH(QByteArray, target);
    QFETCH(Headers, headers);
    QFETCH(QByteArrayList, withheld);
    AuthenticatePolicy::Settings settings;
    settings.strictPlaces = false;
    AuthenticatePolicy policy(settings, &verify);
    auto ctx = context(chatsApi(), u"notifications"_qs, request(target, headers));
    QVERIFY(policy.evaluate(ctx).allowed());
    QCOMPARE(ctx.withheldHeaders, withheld);
}

void TestAuthenticatePolicy::noVerifier()
{
    auto api = chatsApi();
    AuthenticatePolicy policy(AuthenticatePolicy::Settings(), {});
    auto ctx = context(api, u"notifications"_qs, request("/n", {{"Authorization", "Bearer good"}}));
    QCOMPARE(policy.evaluate(ctx).status, 503);
    auto open = context(api, u"lobby"_qs, request("/l"));
    QVERIFY(policy.evaluate(open).allowed());
}

void TestAuthenticatePolicy::openChannelRules()
{
    auto api = chatsApi();
    QVERIFY(!AuthenticatePolicy::isOpen(*api, *api->channel(u"notifications"_qs)));
    QVERIFY(AuthenticatePolicy::isOpen(*api, *api->channel(u"lobby"_qs)));
    QVERIFY(!AuthenticatePolicy::isOpen(*api, *api->channel(u"rooms"_qs)));
    Channel c = *api->channel(u"rooms"_qs);
    c.authType = QStringLiteral("None"); // 3.x: on the channel
    QVERIFY(AuthenticatePolicy::isOpen(*api, c));
    // 2.x: one operation says None, the other nothing (= Any): not open
    Api mixed = *api;
    Operation publish;
    publish.id = QStringLiteral("lobbyPublish");
    publish.channelId = QStringLiteral("lobby");
    publish.action = Operation::Action::Receive;
    publish.scopes = {QStringLiteral("admin")};
    mixed.operations.append(publish);
    QVERIFY(!AuthenticatePolicy::isOpen(mixed, *mixed.channel(u"lobby"_qs)));
    mixed.operations.last().authType = QStringLiteral("none");
    QVERIFY(AuthenticatePolicy::isOpen(mixed, *mixed.channel(u"lobby"_qs)));
    QCOMPARE(AuthenticatePolicy::requiredScopes(*api, *api->channel(u"notifications"_qs)),
             QStringList {u"notify"_qs});
}

void TestAuthenticatePolicy::parseErrors_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("error");
    QTest::newRow("ok") << QStringLiteral(
        R"({"apiKeyHeader":"X-API-Key","accessTokenQuery":false})")
                        << QString();
    QTest::newRow("bad-name")
        << QStringLiteral(R"({"apiKeyHeader":"x key"})")
        << QStringLiteral("p.apiKeyHeader: \"x key\" is not a valid header or parameter name");
    QTest::newRow("bad-type") << QStringLiteral(R"({"bearerHeader":"yes"})")
                              << QStringLiteral(
                                     "p.bearerHeader: expected true or false, got \"yes\"");
}

void TestAuthenticatePolicy::parseErrors()
{
    QFETCH(QString, config);
    QFETCH(QString, error);
    PolicyConfig c(Json::parse(config.toStdString()), QStringLiteral("p"));
    const auto s = AuthenticatePolicy::parse(c);
    QCOMPARE(c.error(), error);
    if (error.isEmpty()) {
        QCOMPARE(s.places.apiKeyHeader, u"X-API-Key"_qs);
        QVERIFY(s.places.accessTokenQuery.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestAuthenticatePolicy)
#include "tst_authenticatepolicy.moc"
