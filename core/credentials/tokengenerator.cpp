// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/tokengenerator.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace Gatehouse::Credentials {

QLatin1String TokenGenerator::prefix(CredentialType type)
{
    switch (type) {
    case CredentialType::AccessToken:
        return QLatin1String("gh_at_");
    case CredentialType::ApiKey:
        return QLatin1String("gh_ak_");
    case CredentialType::Jwt:
        return QLatin1String("");
    }
    return QLatin1String("");
}

QByteArray TokenGenerator::randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    const int words = (count + 3) / 4;
    QList<quint32> buffer(words);
    QRandomGenerator::system()->fillRange(buffer.data(), buffer.size());
    memcpy(bytes.data(), buffer.constData(), size_t(count));
    // Do not leave key material around longer than needed.
    buffer.fill(0);
    return bytes;
}

QString TokenGenerator::base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString TokenGenerator::newSecret(CredentialType type)
{
    return prefix(type) + base64Url(randomBytes(SecretBytes));
}

static QString randomHexId(QLatin1String idPrefix)
{
    return idPrefix + QString::fromLatin1(TokenGenerator::randomBytes(6).toHex());
}

QString TokenGenerator::newCredentialId(CredentialType type)
{
    switch (type) {
    case CredentialType::AccessToken:
        return randomHexId(QLatin1String("at_"));
    case CredentialType::ApiKey:
        return randomHexId(QLatin1String("ak_"));
    case CredentialType::Jwt:
        return randomHexId(QLatin1String("jwt_"));
    }
    return randomHexId(QLatin1String("cr_"));
}

QString TokenGenerator::newApplicationId()
{
    return randomHexId(QLatin1String("app_"));
}

QString TokenGenerator::newSubscriptionId()
{
    return randomHexId(QLatin1String("sub_"));
}

QByteArray TokenGenerator::newSigningKey()
{
    return randomBytes(32);
}

QString TokenGenerator::hash(const QString &secret)
{
    // Every handshake with a credential comes here: one hasher per thread, its result
    // read in place, the hex written straight into the answer (one allocation where a
    // one-off hash made five).
    thread_local QCryptographicHash hasher(QCryptographicHash::Sha256);
    hasher.reset();
    char ascii[256];
    bool isAscii = secret.size() <= qsizetype(sizeof ascii);
    for (qsizetype i = 0; isAscii && i < secret.size(); ++i) {
        const char16_t c = secret.at(i).unicode();
        isAscii = c < 0x80;
        ascii[i] = char(c);
    }
    if (isAscii)
        hasher.addData(QByteArrayView(ascii, secret.size())); // its UTF-8 as it is
    else
        hasher.addData(secret.toUtf8());
    const QByteArrayView digest = hasher.resultView();
    static constexpr char Hex[] = "0123456789abcdef";
    QString out(digest.size() * 2, Qt::Uninitialized);
    QChar *to = out.data();
    for (char byte : digest) {
        const auto b = static_cast<unsigned char>(byte);
        *to++ = QLatin1Char(Hex[b >> 4]);
        *to++ = QLatin1Char(Hex[b & 0xf]);
    }
    return out;
}

bool TokenGenerator::constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    // Accumulate every difference; no early exit.
    volatile unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff = diff | static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

} // namespace Gatehouse::Credentials
