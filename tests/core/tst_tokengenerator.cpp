// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/tokengenerator.h"

#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using namespace Gatehouse::Credentials;

class TestTokenGenerator final : public QObject
{
    Q_OBJECT

private slots:
    void secretFormat_data();
    void secretFormat();
    void secretsAreUniqueOver100k();
    void bitsAreNotStuck();
    void idsAreShortAndDistinct();
    void hashIsSha256Hex();
    void constantTimeEquals();
    void signingKeyLength();
};

void TestTokenGenerator::secretFormat_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("prefix");
    QTest::newRow("token") << int(CredentialType::AccessToken) << "gh_at_";
    QTest::newRow("api key") << int(CredentialType::ApiKey) << "gh_ak_";
}

void TestTokenGenerator::secretFormat()
{
    QFETCH(int, type);
    QFETCH(QString, prefix);
    static const QRegularExpression alphabet(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
    for (int i = 0; i < 1000; ++i) {
        const QString secret = TokenGenerator::newSecret(CredentialType(type));
        QVERIFY2(secret.startsWith(prefix), qPrintable(secret));
        const QString body = secret.mid(prefix.size());
        // 256 bits in base64url without padding: 43 characters.
        QVERIFY2(alphabet.match(body).hasMatch(), qPrintable(secret));
        const QByteArray decoded
            = QByteArray::fromBase64(body.toLatin1(), QByteArray::Base64UrlEncoding);
        QCOMPARE(decoded.size(), TokenGenerator::SecretBytes);
    }
}

void TestTokenGenerator::secretsAreUniqueOver100k()
{
    QSet<QString> seen;
    seen.reserve(100000);
    for (int i = 0; i < 100000; ++i)
        seen.insert(TokenGenerator::newSecret(CredentialType::AccessToken));
    QCOMPARE(seen.size(), 100000);
}

// Every bit position takes both values over a few hundred secrets: no constant bytes
// (for instance from a buffer that was not filled).
void TestTokenGenerator::bitsAreNotStuck()
{
    QByteArray orBits(TokenGenerator::SecretBytes, '\0');
    QByteArray andBits(TokenGenerator::SecretBytes, '\xff');
    for (int i = 0; i < 300; ++i) {
        const QByteArray bytes = TokenGenerator::randomBytes(TokenGenerator::SecretBytes);
        for (int b = 0; b < bytes.size(); ++b) {
            orBits[b] = char(orBits.at(b) | bytes.at(b));
            andBits[b] = char(andBits.at(b) & bytes.at(b));
        }
    }
    QCOMPARE(orBits, QByteArray(TokenGenerator::SecretBytes, '\xff'));
    QCOMPARE(andBits, QByteArray(TokenGenerator::SecretBytes, '\0'));
}

void TestTokenGenerator::idsAreShortAndDistinct()
{
    static const QRegularExpression idPattern(QStringLiteral("^(at|ak|jwt)_[0-9a-f]{12}$"));
    QSet<QString> ids;
    for (int i = 0; i < 1000; ++i) {
        for (auto type :
             {CredentialType::AccessToken, CredentialType::ApiKey, CredentialType::Jwt}) {
            const QString id = TokenGenerator::newCredentialId(type);
            QVERIFY2(idPattern.match(id).hasMatch(), qPrintable(id));
            ids.insert(id);
        }
    }
    QCOMPARE(ids.size(), 3000);
    QVERIFY(TokenGenerator::newApplicationId().startsWith(QLatin1String("app_")));
    QVERIFY(TokenGenerator::newSubscriptionId().startsWith(QLatin1String("sub_")));
}

void TestTokenGenerator::hashIsSha256Hex()
{
    // SHA-256("abc") from FIPS 180-2.
    QCOMPARE(TokenGenerator::hash(QStringLiteral("abc")),
             QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const QString secret = TokenGenerator::newSecret(CredentialType::ApiKey);
    QCOMPARE(TokenGenerator::hash(secret), TokenGenerator::hash(secret));
    QVERIFY(TokenGenerator::hash(secret) != TokenGenerator::hash(secret + QLatin1Char('x')));
    QCOMPARE(TokenGenerator::hash(secret).size(), 64);
    QVERIFY(!TokenGenerator::hash(secret).contains(secret.mid(6, 10)));
}

void TestTokenGenerator::constantTimeEquals()
{
    QVERIFY(TokenGenerator::constantTimeEquals("abcdef", "abcdef"));
    QVERIFY(TokenGenerator::constantTimeEquals({}, {}));
    QVERIFY(!TokenGenerator::constantTimeEquals("abcdef", "abcdeg"));
    QVERIFY(!TokenGenerator::constantTimeEquals("bbcdef", "abcdef"));
    QVERIFY(!TokenGenerator::constantTimeEquals("abcdef", "abcde"));
    QVERIFY(!TokenGenerator::constantTimeEquals("", "a"));
}

void TestTokenGenerator::signingKeyLength()
{
    const QByteArray a = TokenGenerator::newSigningKey();
    const QByteArray b = TokenGenerator::newSigningKey();
    QCOMPARE(a.size(), 32);
    QVERIFY(a != b);
}

QTEST_GUILESS_MAIN(TestTokenGenerator)
#include "tst_tokengenerator.moc"
