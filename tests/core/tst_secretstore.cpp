// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/environmentsecretstore.h"
#include "credentials/filesecretstore.h"
#include "credentials/keychainsecretstore.h"
#include "credentials/tokengenerator.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace Gatehouse::Credentials;

namespace {

// Runs one asynchronous store operation to its end.
SecretStore::Result run(const std::function<void(SecretStore::Callback)> &operation)
{
    SecretStore::Result result;
    bool done = false;
    operation([&](const SecretStore::Result &r) {
        result = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 30000))
        result.error = QStringLiteral("timed out");
    return result;
}

unsigned modeOf(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 0xffff;
    return st.st_mode & 07777;
}

} // namespace

class TestSecretStore final : public QObject
{
    Q_OBJECT

private slots:
    void keychainRoundTrip();
    void keychainCallbackIsAsynchronous();
    void fileRoundTripWithMode0600();
    void fileWithLooseModeIsRefused_data();
    void fileWithLooseModeIsRefused();
    void fileThatIsNotOursIsLeftAlone();
    void environmentStore();
};

// Against the real Secret Service (gnome-keyring in the private D-Bus session that
// scripts/with-keychain starts).
void TestSecretStore::keychainRoundTrip()
{
    if (qEnvironmentVariable("GATEHOUSE_IN_KEYRING_SESSION") != QLatin1String("1"))
        QSKIP("needs the OS keychain: run under scripts/with-keychain");
    KeychainSecretStore store;
    QCOMPARE(store.service(), QStringLiteral("gatehouse"));
    QVERIFY(run([&](auto done) { store.checkAvailable(this, done); }).ok());

    const QString key
        = SecretStore::credentialKey(TokenGenerator::newCredentialId(CredentialType::AccessToken));
    const QByteArray secret = TokenGenerator::newSecret(CredentialType::AccessToken).toUtf8();

    SecretStore::Result r = run([&](auto done) { store.read(key, this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::NotFound);

    r = run([&](auto done) { store.write(key, secret, this, done); });
    QVERIFY2(r.ok(), qPrintable(r.error));

    // A second store object (as another process would) reads it back.
    KeychainSecretStore other;
    r = run([&](auto done) { other.read(key, this, done); });
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.data, secret);

    // Binary data (the signing key) survives too.
    const QByteArray binary = TokenGenerator::newSigningKey() + QByteArray("\0\xff", 2);
    r = run([&](auto done) {
        store.write(SecretStore::signingKeyName() + QStringLiteral("-test"), binary, this, done);
    });
    QVERIFY2(r.ok(), qPrintable(r.error));
    r = run([&](auto done) {
        store.read(SecretStore::signingKeyName() + QStringLiteral("-test"), this, done);
    });
    QCOMPARE(r.data, binary);

    r = run([&](auto done) { store.remove(key, this, done); });
    QVERIFY2(r.ok(), qPrintable(r.error));
    r = run([&](auto done) { store.read(key, this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::NotFound);
}

void TestSecretStore::keychainCallbackIsAsynchronous()
{
    if (qEnvironmentVariable("GATEHOUSE_IN_KEYRING_SESSION") != QLatin1String("1"))
        QSKIP("needs the OS keychain: run under scripts/with-keychain");
    KeychainSecretStore store;
    bool called = false;
    store.read(QStringLiteral("credential/none"), this,
               [&](const SecretStore::Result &) { called = true; });
    QVERIFY(!called); // never inside the call: the GUI thread does not wait
    QTRY_VERIFY(called);

    // A destroyed context cancels the callback.
    bool late = false;
    auto *context = new QObject;
    store.read(QStringLiteral("credential/none"), context,
               [&](const SecretStore::Result &) { late = true; });
    delete context;
    QTest::qWait(500);
    QVERIFY(!late);
}

void TestSecretStore::fileRoundTripWithMode0600()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secrets.json"));
    FileSecretStore store(path);
    QVERIFY(run([&](auto done) { store.checkAvailable(this, done); }).ok());
    QVERIFY(!QFile::exists(path));

    SecretStore::Result r
        = run([&](auto done) { store.write(QStringLiteral("credential/a"), "alpha", this, done); });
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(modeOf(path), 0600u);
    r = run([&](auto done) {
        store.write(QStringLiteral("credential/b"), QByteArray("\0beta", 5), this, done);
    });
    QVERIFY(r.ok());
    QCOMPARE(modeOf(path), 0600u);

    r = run([&](auto done) { store.read(QStringLiteral("credential/b"), this, done); });
    QCOMPARE(r.data, QByteArray("\0beta", 5));
    r = run([&](auto done) { store.remove(QStringLiteral("credential/a"), this, done); });
    QVERIFY(r.ok());
    r = run([&](auto done) { store.read(QStringLiteral("credential/a"), this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::NotFound);
    r = run([&](auto done) { store.remove(QStringLiteral("credential/a"), this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::NotFound);
}

void TestSecretStore::fileWithLooseModeIsRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("0644") << 0644;
    QTest::newRow("0640") << 0640;
    QTest::newRow("0604") << 0604;
    QTest::newRow("0660") << 0660;
    QTest::newRow("0666") << 0666;
}

void TestSecretStore::fileWithLooseModeIsRefused()
{
    QFETCH(int, mode);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secrets.json"));
    FileSecretStore store(path);
    QVERIFY(run([&](auto done) {
                store.write(QStringLiteral("credential/a"), "alpha", this, done);
            }).ok());
    QVERIFY(::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0);
    QFile before(path);
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray content = before.readAll();
    before.close();

    SecretStore::Result r = run([&](auto done) { store.checkAvailable(this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::Unavailable);
    const QString octal = QStringLiteral("0%1").arg(mode, 0, 8);
    QVERIFY2(r.error.contains(octal) && r.error.contains(QLatin1String("0600")),
             qPrintable(r.error));
    QVERIFY(!run([&](auto done) { store.read(QStringLiteral("credential/a"), this, done); }).ok());
    QVERIFY(!run([&](auto done) {
                 store.write(QStringLiteral("credential/b"), "beta", this, done);
             }).ok());
    QCOMPARE(modeOf(path), unsigned(mode)); // never "fixed" behind the user's back
    QFile after(path);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), content);
}

void TestSecretStore::fileThatIsNotOursIsLeftAlone()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("notes.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("my shopping list\n");
    file.close();
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    FileSecretStore store(path);
    const SecretStore::Result r
        = run([&](auto done) { store.write(QStringLiteral("credential/a"), "x", this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::Failed);
    QVERIFY(r.error.contains(QLatin1String("not a Gatehouse secrets file")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("my shopping list\n"));
}

void TestSecretStore::environmentStore()
{
    EnvironmentSecretStore store;
    QVERIFY(!store.keepsIssuedSecrets());
    QCOMPARE(EnvironmentSecretStore::variableFor(SecretStore::signingKeyName()),
             QStringLiteral("GATEHOUSE_SIGNING_KEY"));
    QCOMPARE(EnvironmentSecretStore::variableFor(QStringLiteral("credential/at_12ab")),
             QStringLiteral("GATEHOUSE_SECRET_AT_12AB"));

    const QByteArray key = TokenGenerator::newSigningKey();
    qputenv("GATEHOUSE_SIGNING_KEY",
            key.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    SecretStore::Result r
        = run([&](auto done) { store.read(SecretStore::signingKeyName(), this, done); });
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.data, key);
    qputenv("GATEHOUSE_SIGNING_KEY", key.toBase64());
    r = run([&](auto done) { store.read(SecretStore::signingKeyName(), this, done); });
    QCOMPARE(r.data, key);

    qputenv("GATEHOUSE_SIGNING_KEY", "c2hvcnQ"); // "short"
    r = run([&](auto done) { store.read(SecretStore::signingKeyName(), this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::Failed);
    QVERIFY(r.error.contains(QLatin1String("32 bytes")));

    qunsetenv("GATEHOUSE_SIGNING_KEY");
    r = run([&](auto done) { store.read(SecretStore::signingKeyName(), this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::NotFound);
    // The signing key cannot be invented into the environment.
    r = run([&](auto done) { store.write(SecretStore::signingKeyName(), key, this, done); });
    QCOMPARE(r.status, SecretStore::Result::Status::Failed);
    QVERIFY(r.error.contains(QLatin1String("GATEHOUSE_SIGNING_KEY")));
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
