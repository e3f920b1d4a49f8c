// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/secretstore.h"

namespace Gatehouse::Credentials {

// SecretStore for headless use chosen explicitly with GATEHOUSE_SECRETS=env: the
// signing key comes from GATEHOUSE_SIGNING_KEY (base64url or base64, at least 32
// bytes); other secrets from GATEHOUSE_SECRET_<ID> (id upper-cased, non-alphanumerics
// as '_'). Issued secrets are not kept anywhere (keepsIssuedSecrets() is false):
// they are shown once and the user stores them. Writing the signing key fails.
class EnvironmentSecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EnvironmentSecretStore)

public:
    explicit EnvironmentSecretStore(QObject *parent = nullptr);
    ~EnvironmentSecretStore() override;

    static QString variableFor(const QString &key);
    // Decodes a GATEHOUSE_SIGNING_KEY value; empty with `error` when unusable.
    static QByteArray decodeSigningKey(const QByteArray &value, QString *error);

    QString description() const override;
    bool keepsIssuedSecrets() const override { return false; }

    void checkAvailable(QObject *context, Callback done) override;
    void read(const QString &key, QObject *context, Callback done) override;
    void write(const QString &key, const QByteArray &secret, QObject *context,
               Callback done) override;
    void remove(const QString &key, QObject *context, Callback done) override;
};

} // namespace Gatehouse::Credentials
