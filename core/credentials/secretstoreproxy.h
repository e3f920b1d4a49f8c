// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/secretstore.h"

#include <QPointer>

#include <memory>

namespace Gatehouse::Credentials {

// A SecretStore used from another thread than the one its target lives in: every call
// is carried out by the target in its own thread, and the answer comes back to the
// caller's context in the caller's thread. The OS keychain library keeps per-process
// state that is only safe from one thread, so the desktop app keeps one keychain
// store in its GUI thread (its calls never block) and hands proxies of it to the
// threads that run the registry and the gateway.
class SecretStoreProxy final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStoreProxy)

public:
    explicit SecretStoreProxy(std::shared_ptr<SecretStore> target, QObject *parent = nullptr);

    QString description() const override;
    QString location() const override;
    bool keepsIssuedSecrets() const override;
    void checkAvailable(QObject *context, Callback done) override;
    void read(const QString &key, QObject *context, Callback done) override;
    void write(const QString &key, const QByteArray &secret, QObject *context,
               Callback done) override;
    void remove(const QString &key, QObject *context, Callback done) override;

private:
    // Runs `call` in the target's thread; its answer is delivered to `context`.
    void forward(QObject *context, Callback done,
                 std::function<void(SecretStore *, QObject *, Callback)> call);

    std::shared_ptr<SecretStore> m_target;
    QString m_description;
    QString m_location;
    bool m_keeps;
};

} // namespace Gatehouse::Credentials
