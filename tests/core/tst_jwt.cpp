// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/jwt.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Gatehouse::Credentials;

namespace {

const QByteArray key = QByteArrayLiteral("0123456789abcdef0123456789abcdef");
const qint64 now = 1800000000;

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// A token with any header and payload, signed HS256 with `signingKey`.
QString craft(const QByteArray &header, const QByteArray &payload,
              const QByteArray &signingKey = key)
{
    const QByteArray input = b64(header) + '.' + b64(payload);
    return QString::fromLatin1(input + '.' + b64(Jwt::hmacSha256(signingKey, input)));
}

JwtClaims claims()
{
    JwtClaims c;
    c.id = QStringLiteral("jwt_0123456789ab");
    c.issuer = QStringLiteral("gatehouse");
    c.subject = QStringLiteral("chatapp");
    c.audience = QStringLiteral("Chats:1.0.0");
    c.scopes = {QStringLiteral("read"), QStringLiteral("write")};
    c.issuedAt = now - 60;
    c.expiresAt = now + 3600;
    return c;
}

} // namespace

class TestJwt final : public QObject
{
    Q_OBJECT

private slots:
    void hmacKnownAnswer();
    void rfc7515Example();
    void signAndVerifyRoundTrip();
    void failures_data();
    void failures();
    void expiryBoundaries();
    void notBeforeAndLeeway();
    void audienceArray();
    void wrongKeyAndTamperedPayload();
    void looksLikeJwt();
};

void TestJwt::hmacKnownAnswer()
{
    // RFC 4231, test case 2.
    QCOMPARE(Jwt::hmacSha256("Jefe", "what do ya want for nothing?").toHex(),
             QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

void TestJwt::rfc7515Example()
{
    // RFC 7515, appendix A.1: an HS256 JWS made by another implementation.
    const QByteArray jwk
        = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    const QByteArray exampleKey = QByteArray::fromBase64(jwk, QByteArray::Base64UrlEncoding);
    const QString token = QStringLiteral("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                                         ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6"
                                         "Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                                         ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    const auto ok = Jwt::verify(token, exampleKey, {}, 1300819379);
    QVERIFY2(ok.ok(), qPrintable(ok.reason));
    QCOMPARE(ok.claims.issuer, QStringLiteral("joe"));
    QCOMPARE(ok.claims.expiresAt, qint64(1300819380));
    QCOMPARE(Jwt::verify(token, exampleKey, {}, 1300819380).error, Jwt::Error::Expired);
}

void TestJwt::signAndVerifyRoundTrip()
{
    const QString token = Jwt::sign(claims(), key);
    QCOMPARE(token.count(QLatin1Char('.')), 2);
    QVERIFY(!token.contains(QLatin1Char('=')));
    const auto v = Jwt::verify(token, key, QStringLiteral("Chats:1.0.0"), now);
    QVERIFY2(v.ok(), qPrintable(v.reason));
    QCOMPARE(v.claims, claims());

    // The header says HS256 / JWT.
    const QByteArray header = QByteArray::fromBase64(
        token.section(QLatin1Char('.'), 0, 0).toLatin1(), QByteArray::Base64UrlEncoding);
    const QJsonObject h = QJsonDocument::fromJson(header).object();
    QCOMPARE(h.value(QStringLiteral("alg")).toString(), QStringLiteral("HS256"));
    QCOMPARE(h.value(QStringLiteral("typ")).toString(), QStringLiteral("JWT"));
}

void TestJwt::failures_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("error");
    const QByteArray payload = R"({"sub":"chatapp","aud":"Chats:1.0.0","exp":1800003600})";
    const QByteArray hs256 = R"({"alg":"HS256","typ":"JWT"})";

    QTest::newRow("alg none, no signature")
        << QString::fromLatin1(b64(R"({"alg":"none","typ":"JWT"})") + '.' + b64(payload) + '.')
        << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("alg none, HS256 signature")
        << craft(R"({"alg":"none"})", payload) << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("alg HS512") << craft(R"({"alg":"HS512"})", payload)
                               << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("alg RS256") << craft(R"({"alg":"RS256"})", payload)
                               << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("alg lower case")
        << craft(R"({"alg":"hs256"})", payload) << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("alg missing") << craft(R"({"typ":"JWT"})", payload)
                                 << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("alg not a string")
        << craft(R"({"alg":256})", payload) << int(Jwt::Error::UnsupportedAlgorithm);
    QTest::newRow("two parts") << QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0")
                               << int(Jwt::Error::Malformed);
    QTest::newRow("four parts") << craft(hs256, payload) + QStringLiteral(".x")
                                << int(Jwt::Error::Malformed);
    QTest::newRow("header not base64url")
        << QStringLiteral("e$J.eyJzdWIiOiJ4In0.abc") << int(Jwt::Error::Malformed);
    QTest::newRow("header not JSON") << craft("not json", payload) << int(Jwt::Error::Malformed);
    QTest::newRow("header an array") << craft("[1,2]", payload) << int(Jwt::Error::Malformed);
    QTest::newRow("payload not JSON") << craft(hs256, "{oops") << int(Jwt::Error::Malformed);
    QTest::newRow("exp a string") << craft(hs256, R"({"exp":"tomorrow"})")
                                  << int(Jwt::Error::Malformed);
    QTest::newRow("aud a number") << craft(hs256, R"({"aud":5})") << int(Jwt::Error::Malformed);
    QTest::newRow("crit header") << craft(R"({"alg":"HS256","crit":["x"]})", payload)
                                 << int(Jwt::Error::Malformed);
    QTest::newRow("empty signature") << QString::fromLatin1(b64(hs256) + '.' + b64(payload) + '.')
                                     << int(Jwt::Error::BadSignature);
    QTest::newRow("padded signature")
        << craft(hs256, payload) + QStringLiteral("=") << int(Jwt::Error::BadSignature);
    QTest::newRow("wrong audience") << craft(hs256, R"({"aud":"Chats:2.0.0","exp":1800003600})")
                                    << int(Jwt::Error::WrongAudience);
    QTest::newRow("no audience") << craft(hs256, R"({"exp":1800003600})")
                                 << int(Jwt::Error::WrongAudience);
    QTest::newRow("expired") << craft(hs256, R"({"aud":"Chats:1.0.0","exp":1799999999})")
                             << int(Jwt::Error::Expired);
    QTest::newRow("not yet valid") << craft(hs256, R"({"aud":"Chats:1.0.0","nbf":1800000060})")
                                   << int(Jwt::Error::NotYetValid);
    QTest::newRow("valid") << craft(hs256, payload) << int(Jwt::Error::None);
}

void TestJwt::failures()
{
    QFETCH(QString, token);
    QFETCH(int, error);
    const auto v = Jwt::verify(token, key, QStringLiteral("Chats:1.0.0"), now);
    QCOMPARE(int(v.error), error);
    QCOMPARE(v.ok(), error == int(Jwt::Error::None));
    if (!v.ok()) {
        QVERIFY(!v.reason.isEmpty());
        QVERIFY(!v.reason.contains(QLatin1Char('\n')));
    }
}

void TestJwt::expiryBoundaries()
{
    JwtClaims c = claims();
    c.expiresAt = now;
    const QString token = Jwt::sign(c, key);
    QCOMPARE(Jwt::verify(token, key, c.audience, now - 1).error, Jwt::Error::None);
    QCOMPARE(Jwt::verify(token, key, c.audience, now).error, Jwt::Error::Expired);
    QCOMPARE(Jwt::verify(token, key, c.audience, now + 1).error, Jwt::Error::Expired);
    // Without exp a token does not expire.
    c.expiresAt = 0;
    QCOMPARE(Jwt::verify(Jwt::sign(c, key), key, c.audience, now + 10 * 365 * 86400).error,
             Jwt::Error::None);
}

void TestJwt::notBeforeAndLeeway()
{
    JwtClaims c = claims();
    c.notBefore = now + 30;
    const QString token = Jwt::sign(c, key);
    QCOMPARE(Jwt::verify(token, key, c.audience, now).error, Jwt::Error::NotYetValid);
    QCOMPARE(Jwt::verify(token, key, c.audience, now + 29).error, Jwt::Error::NotYetValid);
    QCOMPARE(Jwt::verify(token, key, c.audience, now + 30).error, Jwt::Error::None);
    QCOMPARE(Jwt::verify(token, key, c.audience, now, 30).error, Jwt::Error::None);
    QCOMPARE(Jwt::verify(token, key, c.audience, now, 29).error, Jwt::Error::NotYetValid);
    QCOMPARE(Jwt::verify(token, key, c.audience, c.expiresAt + 5, 10).error, Jwt::Error::None);
    QCOMPARE(Jwt::verify(token, key, c.audience, c.expiresAt + 10, 10).error, Jwt::Error::Expired);
}

void TestJwt::audienceArray()
{
    const QString token = craft(R"({"alg":"HS256"})", R"({"aud":["Other:1","Chats:1.0.0"]})");
    QVERIFY(Jwt::verify(token, key, QStringLiteral("Chats:1.0.0"), now).ok());
    QCOMPARE(Jwt::verify(token, key, QStringLiteral("Chats:1.0.1"), now).error,
             Jwt::Error::WrongAudience);
    // No expected audience: any is accepted.
    QVERIFY(Jwt::verify(token, key, {}, now).ok());
}

void TestJwt::wrongKeyAndTamperedPayload()
{
    const QString token = Jwt::sign(claims(), key);
    QByteArray otherKey = key;
    otherKey[0] = 'X';
    QCOMPARE(Jwt::verify(token, otherKey, {}, now).error, Jwt::Error::BadSignature);
    QCOMPARE(Jwt::verify(token, QByteArray(), {}, now).error, Jwt::Error::BadSignature);

    // Same header and signature, payload granting more scopes.
    JwtClaims greedy = claims();
    greedy.scopes.append(QStringLiteral("admin"));
    const QString forged = Jwt::sign(greedy, otherKey);
    const QStringList parts = token.split(QLatin1Char('.'));
    const QString tampered = parts.at(0) + QLatin1Char('.') + forged.section(QLatin1Char('.'), 1, 1)
        + QLatin1Char('.') + parts.at(2);
    QCOMPARE(Jwt::verify(tampered, key, {}, now).error, Jwt::Error::BadSignature);

    // One flipped character in the signature.
    QString flipped = token;
    const qsizetype last = flipped.size() - 2;
    flipped[last] = flipped.at(last) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    QCOMPARE(Jwt::verify(flipped, key, {}, now).error, Jwt::Error::BadSignature);
}

void TestJwt::looksLikeJwt()
{
    QVERIFY(Jwt::looksLikeJwt(Jwt::sign(claims(), key)));
    QVERIFY(!Jwt::looksLikeJwt(QStringLiteral("gh_at_abc")));
    QVERIFY(!Jwt::looksLikeJwt(QStringLiteral("a.b")));
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
