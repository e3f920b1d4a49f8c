// SPDX-License-Identifier: GPL-3.0-or-later
// The JWT and API key parsers: a presented secret checked as the gateway checks it
// (CredentialSnapshot::authenticate over a registry with an application, its
// subscription, an access token, an API key and a JWT), and Jwt::verify itself.
// A JWT's claims are read only after its signature matched, so the target can sign
// what the input gives it.
//
// Input: byte 0 mode, then the rest:
//   0: the secret as the client sent it
//   1: "HEADER.PAYLOAD" (base64url), signed here with the registry's key
//   2: "HEADER-JSON\nPAYLOAD-JSON", encoded and signed here
#include "fuzzsupport.h"

#include "credentials/credentialsnapshot.h"
#include "credentials/jwt.h"
#include "credentials/tokengenerator.h"

using namespace Gatehouse;
using namespace Gatehouse::Credentials;

namespace {

const QByteArray SigningKey = QByteArrayLiteral("gatehouse-fuzz-signing-key-32-by");
constexpr qint64 NowMs = 1'750'000'000'000; // fixed: the outcome depends on the input only

QByteArray base64Url(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding
                                        | QByteArray::OmitTrailingEquals);
}

const CredentialSnapshot &registry()
{
    static const CredentialSnapshot snapshot = [] {
        Application app;
        app.id = QStringLiteral("app_fuzz");
        app.name = QStringLiteral("fuzz");
        Subscription subscription;
        subscription.id = QStringLiteral("sub_fuzz");
        subscription.applicationId = app.id;
        subscription.apiTitle = QStringLiteral("Chats");
        subscription.apiVersion = QStringLiteral("1.0.0");
        auto credential = [&app](const QString &id, CredentialType type, const QString &secret) {
            CredentialInfo c;
            c.id = id;
            c.applicationId = app.id;
            c.type = type;
            c.scopes = {QStringLiteral("chat:read")};
            c.secretHash = TokenGenerator::hash(secret);
            return c;
        };
        JwtClaims claims;
        claims.id = QStringLiteral("jt_fuzz");
        claims.issuer = QStringLiteral("gatehouse");
        claims.subject = app.name;
        claims.audience = QStringLiteral("Chats:1.0.0");
        claims.scopes = {QStringLiteral("chat:read"), QStringLiteral("chat:write")};
        claims.issuedAt = NowMs / 1000 - 60;
        claims.expiresAt = NowMs / 1000 + 3600;
        const QList<CredentialInfo> credentials = {
            credential(QStringLiteral("at_fuzz"), CredentialType::AccessToken,
                       QStringLiteral("gh_at_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo")),
            credential(QStringLiteral("ak_fuzz"), CredentialType::ApiKey,
                       QStringLiteral("gh_ak_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3A")),
            credential(claims.id, CredentialType::Jwt, Jwt::sign(claims, SigningKey)),
        };
        return CredentialSnapshot({app}, {subscription}, credentials, SigningKey);
    }();
    return snapshot;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::Input input(data, size);
    const quint8 mode = input.byte() % 3;
    QByteArray token = input.rest().toByteArray();
    if (mode == 1) {
        token += '.' + base64Url(Jwt::hmacSha256(SigningKey, token));
    } else if (mode == 2) {
        const qsizetype newline = token.indexOf('\n');
        const QByteArrayView header = QByteArrayView(token).first(newline < 0 ? 0 : newline);
        const QByteArrayView payload = QByteArrayView(token).sliced(newline + 1);
        const QByteArray signingInput = base64Url(header) + '.' + base64Url(payload);
        token = signingInput + '.' + base64Url(Jwt::hmacSha256(SigningKey, signingInput));
    }
    const QString secret = QString::fromUtf8(token);
    (void)registry().authenticate(secret, QStringLiteral("Chats"), QStringLiteral("1.0.0"), NowMs);
    (void)Jwt::looksLikeJwt(secret);
    const Jwt::Verification v
        = Jwt::verify(secret, SigningKey, QStringLiteral("Chats:1.0.0"), NowMs / 1000, 30);
    (void)v.claims.scopes.join(u' ');
    return 0;
}
