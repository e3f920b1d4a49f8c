// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Gatehouse::Credentials {

// Where plaintext secrets live: issued tokens and keys (so desktop client tabs can
// use them later) and the HS256 signing key. Implementations: KeychainSecretStore
// (the OS keychain, the default), FileSecretStore (an explicit mode-0600 file),
// EnvironmentSecretStore (environment variables, read-only).
//
// Every operation is asynchronous and never blocks the calling thread: `done` is
// called later from the event loop of the thread the store lives in, unless
// `context` was destroyed first.
class SecretStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    struct Result
    {
        enum class Status { Ok, NotFound, Unavailable, Failed };
        Status status = Status::Failed;
        QString error; // one line when not Ok
        QByteArray data; // read(): the secret

        bool ok() const { return status == Status::Ok; }
    };
    using Callback = std::function<void(const Result &)>;

    using QObject::QObject;
    ~SecretStore() override = default;

    // "the OS keychain", "secrets file /path", ...: for messages.
    virtual QString description() const = 0;

    // Whether the store can be used at all (keychain reachable, file mode 0600, ...):
    // Ok, or Unavailable with the one-line reason.
    virtual void checkAvailable(QObject *context, Callback done) = 0;

    virtual void read(const QString &key, QObject *context, Callback done) = 0;
    virtual void write(const QString &key, const QByteArray &secret, QObject *context,
                       Callback done)
        = 0;
    virtual void remove(const QString &key, QObject *context, Callback done) = 0;

    // False when issued secrets are not kept (EnvironmentSecretStore): they are only
    // shown once.
    virtual bool keepsIssuedSecrets() const { return true; }

    // Where this store keeps secrets, as recorded with each credential: "file:PATH"
    // (absolute), "keychain:SERVICE", or empty for a store that keeps nothing.
    virtual QString location() const { return {}; }
    // The store at a location() recorded earlier; nullptr for an empty or unknown one.
    static std::unique_ptr<SecretStore> atLocation(const QString &location);

    // Entry names: "credential/<id>" and "signing-key/hs256".
    static QString credentialKey(const QString &credentialId);
    static QString signingKeyName();

protected:
    // Calls done(result) from the event loop, guarded by `context`.
    void finishLater(QObject *context, Callback done, Result result);
};

} // namespace Gatehouse::Credentials
