// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/secretstore.h"

class QLockFile;

namespace Gatehouse::Credentials {

// SecretStore in a file the user named explicitly (`--secrets-file FILE`), for
// machines without a keychain. The file is a JSON object of base64url secrets,
// created with mode 0600 and rewritten atomically (QSaveFile). An existing file
// readable or writable by group or others is refused with the reason, as is a file
// that does not parse.
class FileSecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileSecretStore)

public:
    explicit FileSecretStore(const QString &path, QObject *parent = nullptr);
    ~FileSecretStore() override;

    QString path() const { return m_path; }
    QString description() const override;
    QString location() const override;

    // Synchronous check used by checkAvailable(): Ok when the file is missing (it
    // will be created 0600) or exists with no group/other permission bits.
    Result checkFile() const;

    void checkAvailable(QObject *context, Callback done) override;
    void read(const QString &key, QObject *context, Callback done) override;
    void write(const QString &key, const QByteArray &secret, QObject *context,
               Callback done) override;
    void remove(const QString &key, QObject *context, Callback done) override;

private:
    Result load(QHash<QString, QByteArray> *entries) const;
    Result save(const QHash<QString, QByteArray> &entries) const;
    Result lockFile(QLockFile *lock) const;

    QString m_path;
};

} // namespace Gatehouse::Credentials
