// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/jwt.h"

#include "credentials/tokengenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <cmath>
#include <optional>

namespace Gatehouse::Credentials {

namespace {

QByteArray encodePart(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> decodePart(const QByteArray &part)
{
    // JWS uses unpadded base64url; reject padding and anything outside the alphabet.
    for (char c : part) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_';
        if (!ok)
            return std::nullopt;
    }
    auto result = QByteArray::fromBase64Encoding(
        part, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return *result;
}

std::optional<QJsonObject> decodeObject(const QByteArray &part)
{
    const auto bytes = decodePart(part);
    if (!bytes || bytes->isEmpty())
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// A NumericDate claim: absent -> 0 with ok; present but not an integral number -> !ok.
bool numericDate(const QJsonObject &payload, const QString &name, qint64 *value)
{
    *value = 0;
    const QJsonValue v = payload.value(name);
    if (v.isUndefined())
        return true;
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0 || d > 1e15)
        return false;
    *value = qint64(d);
    return true;
}

Jwt::Verification failure(Jwt::Error error, const QString &reason, const JwtClaims &claims = {})
{
    Jwt::Verification v;
    v.error = error;
    v.reason = reason;
    v.claims = claims;
    return v;
}

} // namespace

QByteArray Jwt::hmacSha256(const QByteArray &key, const QByteArray &data)
{
    return QMessageAuthenticationCode::hash(data, key, QCryptographicHash::Sha256);
}

bool Jwt::looksLikeJwt(const QString &token)
{
    return token.count(QLatin1Char('.')) == 2 && !token.startsWith(QLatin1String("gh_"));
}

QString Jwt::sign(const JwtClaims &claims, const QByteArray &key)
{
    QJsonObject header;
    header.insert(QStringLiteral("alg"), QStringLiteral("HS256"));
    header.insert(QStringLiteral("typ"), QStringLiteral("JWT"));

    // QJsonObject sorts keys; the order inside a JWT carries no meaning.
    QJsonObject payload;
    if (!claims.issuer.isEmpty())
        payload.insert(QStringLiteral("iss"), claims.issuer);
    if (!claims.subject.isEmpty())
        payload.insert(QStringLiteral("sub"), claims.subject);
    if (!claims.audience.isEmpty())
        payload.insert(QStringLiteral("aud"), claims.audience);
    if (!claims.scopes.isEmpty())
        payload.insert(QStringLiteral("scope"), claims.scopes.join(QLatin1Char(' ')));
    if (claims.issuedAt > 0)
        payload.insert(QStringLiteral("iat"), double(claims.issuedAt));
    if (claims.notBefore > 0)
        payload.insert(QStringLiteral("nbf"), double(claims.notBefore));
    if (claims.expiresAt > 0)
        payload.insert(QStringLiteral("exp"), double(claims.expiresAt));
    if (!claims.id.isEmpty())
        payload.insert(QStringLiteral("jti"), claims.id);

    const QByteArray signingInput = encodePart(QJsonDocument(header).toJson(QJsonDocument::Compact))
        + '.' + encodePart(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    return QString::fromLatin1(signingInput + '.' + encodePart(hmacSha256(key, signingInput)));
}

Jwt::Verification Jwt::verify(const QString &token, const QByteArray &key,
                              const QString &expectedAudience, qint64 nowSeconds,
                              qint64 leewaySeconds)
{
    const QByteArray raw = token.toLatin1();
    if (token.size() != raw.size() || raw.count('.') != 2)
        return failure(Error::Malformed, QStringLiteral("malformed JWT: expected three parts"));
    const QList<QByteArray> parts = raw.split('.');

    const auto header = decodeObject(parts.at(0));
    if (!header)
        return failure(Error::Malformed, QStringLiteral("malformed JWT header"));
    const QJsonValue alg = header->value(QStringLiteral("alg"));
    if (!alg.isString() || alg.toString() != QLatin1String("HS256"))
        return failure(Error::UnsupportedAlgorithm,
                       QStringLiteral("JWT algorithm '%1' is not accepted; only HS256 is")
                           .arg(alg.isString() ? alg.toString() : QStringLiteral("?")));
    if (header->contains(QStringLiteral("crit")))
        return failure(Error::Malformed, QStringLiteral("JWT header has unsupported 'crit'"));

    const auto signature = decodePart(parts.at(2));
    if (!signature || signature->isEmpty())
        return failure(Error::BadSignature,
                       QStringLiteral("JWT signature is missing or malformed"));
    if (key.isEmpty())
        return failure(Error::BadSignature, QStringLiteral("no JWT signing key"));
    const QByteArray expected = hmacSha256(key, parts.at(0) + '.' + parts.at(1));
    if (!TokenGenerator::constantTimeEquals(expected, *signature))
        return failure(Error::BadSignature, QStringLiteral("JWT signature does not match"));

    const auto payload = decodeObject(parts.at(1));
    if (!payload)
        return failure(Error::Malformed, QStringLiteral("malformed JWT payload"));

    JwtClaims claims;
    claims.id = payload->value(QStringLiteral("jti")).toString();
    claims.issuer = payload->value(QStringLiteral("iss")).toString();
    claims.subject = payload->value(QStringLiteral("sub")).toString();
    const QJsonValue aud = payload->value(QStringLiteral("aud"));
    QStringList audiences;
    if (aud.isString()) {
        audiences.append(aud.toString());
    } else if (aud.isArray()) {
        for (const QJsonValue &a : aud.toArray())
            if (a.isString())
                audiences.append(a.toString());
    } else if (!aud.isUndefined()) {
        return failure(Error::Malformed,
                       QStringLiteral("JWT 'aud' is neither a string nor an array"));
    }
    claims.audience = audiences.value(0);
    const QJsonValue scope = payload->value(QStringLiteral("scope"));
    if (scope.isString())
        claims.scopes = scope.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!numericDate(*payload, QStringLiteral("iat"), &claims.issuedAt)
        || !numericDate(*payload, QStringLiteral("exp"), &claims.expiresAt)
        || !numericDate(*payload, QStringLiteral("nbf"), &claims.notBefore))
        return failure(Error::Malformed, QStringLiteral("JWT time claim is not a number"), claims);

    if (claims.expiresAt > 0 && nowSeconds >= claims.expiresAt + leewaySeconds)
        return failure(Error::Expired, QStringLiteral("JWT expired"), claims);
    if (claims.notBefore > 0 && nowSeconds + leewaySeconds < claims.notBefore)
        return failure(Error::NotYetValid, QStringLiteral("JWT not valid yet"), claims);
    if (!expectedAudience.isEmpty() && !audiences.contains(expectedAudience))
        return failure(Error::WrongAudience,
                       QStringLiteral("JWT audience is not %1").arg(expectedAudience), claims);

    Verification ok;
    ok.error = Error::None;
    ok.claims = claims;
    return ok;
}

} // namespace Gatehouse::Credentials
