// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/filesecretstore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace Gatehouse::Credentials {

namespace {

SecretStore::Result fileResult(SecretStore::Result::Status status, const QString &error = {})
{
    SecretStore::Result r;
    r.status = status;
    r.error = error;
    return r;
}

} // namespace

FileSecretStore::FileSecretStore(const QString &path, QObject *parent)
    : SecretStore(parent)
    , m_path(path)
{ }

FileSecretStore::~FileSecretStore() = default;

QString FileSecretStore::location() const
{
    return QStringLiteral("file:") + QFileInfo(m_path).absoluteFilePath();
}

QString FileSecretStore::description() const
{
    return QStringLiteral("secrets file %1").arg(m_path);
}

SecretStore::Result FileSecretStore::checkFile() const
{
    const QFileInfo info(m_path);
    if (!info.exists()) {
        if (!QFileInfo(info.absolutePath()).isDir())
            return fileResult(Result::Status::Unavailable,
                              QStringLiteral("secrets file %1: folder %2 does not exist")
                                  .arg(m_path, info.absolutePath()));
        return fileResult(Result::Status::Ok);
    }
    if (!info.isFile())
        return fileResult(Result::Status::Unavailable,
                          QStringLiteral("secrets file %1 is not a regular file").arg(m_path));
#ifdef Q_OS_UNIX
    struct stat st;
    if (::stat(QFile::encodeName(m_path).constData(), &st) != 0)
        return fileResult(Result::Status::Unavailable,
                          QStringLiteral("secrets file %1 cannot be examined").arg(m_path));
    const unsigned mode = st.st_mode & 07777;
    if ((mode & 077) != 0)
        return fileResult(Result::Status::Unavailable,
                          QStringLiteral("secrets file %1 has mode %2; it must be 0600, readable "
                                         "by its owner only (chmod 600 %1)")
                              .arg(m_path)
                              .arg(QStringLiteral("%1").arg(mode, 4, 8, QLatin1Char('0'))));
    if (st.st_uid != ::geteuid())
        return fileResult(Result::Status::Unavailable,
                          QStringLiteral("secrets file %1 belongs to another user").arg(m_path));
#endif
    return fileResult(Result::Status::Ok);
}

SecretStore::Result FileSecretStore::load(QHash<QString, QByteArray> *entries) const
{
    entries->clear();
    Result check = checkFile();
    if (!check.ok())
        return check;
    QFile file(m_path);
    if (!file.exists())
        return fileResult(Result::Status::Ok);
    if (!file.open(QIODevice::ReadOnly))
        return fileResult(Result::Status::Failed,
                          QStringLiteral("secrets file %1: %2").arg(m_path, file.errorString()));
    const QByteArray bytes = file.readAll();
    if (bytes.trimmed().isEmpty())
        return fileResult(Result::Status::Ok);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    const QJsonValue secrets = doc.object().value(QStringLiteral("secrets"));
    if (error.error != QJsonParseError::NoError || !doc.isObject() || !secrets.isObject())
        return fileResult(
            Result::Status::Failed,
            QStringLiteral("secrets file %1 is not a Gatehouse secrets file "
                           "(expected a JSON object with \"secrets\"); left untouched")
                .arg(m_path));
    const QJsonObject object = secrets.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        auto decoded = QByteArray::fromBase64Encoding(
            it.value().toString().toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || !it.value().isString())
            return fileResult(
                Result::Status::Failed,
                QStringLiteral("secrets file %1: entry '%2' is not base64url; left untouched")
                    .arg(m_path, it.key()));
        entries->insert(it.key(), *decoded);
    }
    return fileResult(Result::Status::Ok);
}

SecretStore::Result FileSecretStore::save(const QHash<QString, QByteArray> &entries) const
{
    QJsonObject secrets;
    for (auto it = entries.cbegin(); it != entries.cend(); ++it)
        secrets.insert(it.key(),
                       QString::fromLatin1(it.value().toBase64(QByteArray::Base64UrlEncoding
                                                               | QByteArray::OmitTrailingEquals)));
    QJsonObject root;
    root.insert(QStringLiteral("format"), QStringLiteral("gatehouse-secrets"));
    root.insert(QStringLiteral("version"), 1);
    root.insert(QStringLiteral("secrets"), secrets);

    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return fileResult(Result::Status::Failed,
                          QStringLiteral("secrets file %1: %2").arg(m_path, file.errorString()));
    // The temporary file gets owner-only permissions before any secret is written.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        return fileResult(Result::Status::Failed,
                          QStringLiteral("secrets file %1: cannot set mode 0600").arg(m_path));
    }
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return fileResult(Result::Status::Failed,
                          QStringLiteral("secrets file %1: %2").arg(m_path, file.errorString()));
    return fileResult(Result::Status::Ok);
}

SecretStore::Result FileSecretStore::lockFile(QLockFile *lock) const
{
    Result check = checkFile();
    if (!check.ok())
        return check;
    lock->setStaleLockTime(30000);
    if (lock->tryLock(10000))
        return fileResult(Result::Status::Ok);
    return fileResult(
        Result::Status::Failed,
        lock->error() == QLockFile::LockFailedError
            ? QStringLiteral("secrets file %1 is locked by another process").arg(m_path)
            : QStringLiteral("secrets file %1: cannot create the lock file %1.lock").arg(m_path));
}

void FileSecretStore::checkAvailable(QObject *context, Callback done)
{
    finishLater(context, std::move(done), checkFile());
}

void FileSecretStore::read(const QString &key, QObject *context, Callback done)
{
    QHash<QString, QByteArray> entries;
    Result result = load(&entries);
    if (result.ok()) {
        const auto it = entries.constFind(key);
        if (it == entries.constEnd()) {
            result.status = Result::Status::NotFound;
            result.error = QStringLiteral("no entry '%1' in secrets file %2").arg(key, m_path);
        } else {
            result.data = it.value();
        }
    }
    finishLater(context, std::move(done), result);
}

void FileSecretStore::write(const QString &key, const QByteArray &secret, QObject *context,
                            Callback done)
{
    // Read-modify-write under a lock file, so that two processes issuing at once do
    // not lose each other's entries.
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (Result locked = lockFile(&lock); !locked.ok()) {
        finishLater(context, std::move(done), locked);
        return;
    }
    QHash<QString, QByteArray> entries;
    Result result = load(&entries);
    if (result.ok()) {
        entries.insert(key, secret);
        result = save(entries);
    }
    finishLater(context, std::move(done), result);
}

void FileSecretStore::remove(const QString &key, QObject *context, Callback done)
{
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (Result locked = lockFile(&lock); !locked.ok()) {
        finishLater(context, std::move(done), locked);
        return;
    }
    QHash<QString, QByteArray> entries;
    Result result = load(&entries);
    if (result.ok()) {
        if (entries.remove(key) == 0) {
            result.status = Result::Status::NotFound;
            result.error = QStringLiteral("no entry '%1' in secrets file %2").arg(key, m_path);
        } else {
            result = save(entries);
        }
    }
    finishLater(context, std::move(done), result);
}

} // namespace Gatehouse::Credentials
