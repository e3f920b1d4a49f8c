// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Gatehouse::Credentials {

// Claims of a Gatehouse JWT access token. Times are seconds since the epoch.
struct JwtClaims
{
    QString id; // jti: the credential id (revocation looks it up)
    QString issuer; // iss: "gatehouse"
    QString subject; // sub: application name
    QString audience; // aud: API as "title:version"
    QStringList scopes; // scope: space-separated in the token
    qint64 issuedAt = 0; // iat
    qint64 expiresAt = 0; // exp; 0 = no exp claim
    qint64 notBefore = 0; // nbf; 0 = no nbf claim
    friend bool operator==(const JwtClaims &, const JwtClaims &) = default;
};

// HS256 JSON Web Tokens (RFC 7519 / RFC 7515), signed with the installation's key.
// Only HS256 is accepted: a token with alg "none" or any other alg is refused before
// its signature is looked at.
class Jwt final
{
public:
    enum class Error {
        None,
        Malformed, // not three base64url parts of JSON objects
        UnsupportedAlgorithm, // alg != HS256
        BadSignature,
        Expired, // now >= exp
        NotYetValid, // now < nbf
        WrongAudience,
    };

    struct Verification
    {
        Error error = Error::Malformed;
        QString reason; // one line
        JwtClaims claims; // filled when the token parsed (even if later checks failed)
        bool ok() const { return error == Error::None; }
    };

    static QString sign(const JwtClaims &claims, const QByteArray &key);

    // Verifies signature, alg, exp, nbf and (when expectedAudience is not empty) aud,
    // in that order. `leewaySeconds` tolerates clock skew on exp and nbf.
    static Verification verify(const QString &token, const QByteArray &key,
                               const QString &expectedAudience, qint64 nowSeconds,
                               qint64 leewaySeconds = 0);

    // Three dot-separated parts: what authenticate() treats as a JWT.
    static bool looksLikeJwt(const QString &token);

    static QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
};

} // namespace Gatehouse::Credentials
