// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/keychainsecretstore.h"

#include <qt6keychain/keychain.h>

namespace Gatehouse::Credentials {

namespace {

SecretStore::Result resultOf(const QKeychain::Job *job)
{
    SecretStore::Result result;
    switch (job->error()) {
    case QKeychain::NoError:
        result.status = SecretStore::Result::Status::Ok;
        return result;
    case QKeychain::EntryNotFound:
        result.status = SecretStore::Result::Status::NotFound;
        result.error = QStringLiteral("no entry '%1' in the OS keychain").arg(job->key());
        return result;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        // Without a Secret Service on D-Bus QtKeychain ends here.
        result.status = SecretStore::Result::Status::Unavailable;
        result.error
            = QStringLiteral("no OS keychain reachable (%1)").arg(job->errorString().simplified());
        return result;
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
    case QKeychain::CouldNotDeleteEntry:
        break;
    }
    result.status = SecretStore::Result::Status::Failed;
    result.error = QStringLiteral("OS keychain: %1").arg(job->errorString().simplified());
    return result;
}

// A job has no parent: deleting it while the Secret Service call is under way would
// leave that call's completion pointing at freed memory. It deletes itself once
// finished; its answer reaches only a context that still exists.
template<typename JobType>
JobType *makeJob(const QString &service, const QString &key)
{
    auto *job = new JobType(service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a silent plaintext store
    job->setKey(key);
    return job;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QObject *parent)
    : KeychainSecretStore(QStringLiteral("gatehouse"), parent)
{ }

KeychainSecretStore::KeychainSecretStore(const QString &service, QObject *parent)
    : SecretStore(parent)
    , m_service(service)
{ }

KeychainSecretStore::~KeychainSecretStore() = default;

QString KeychainSecretStore::description() const
{
    return QStringLiteral("the OS keychain");
}

void KeychainSecretStore::checkAvailable(QObject *context, Callback done)
{
    // Reading an entry that need not exist tells whether the service answers.
    read(QStringLiteral("availability-check"), context, [done](const Result &r) {
        Result result = r;
        if (r.status == Result::Status::NotFound || r.ok()) {
            result.status = Result::Status::Ok;
            result.error.clear();
            result.data.clear();
        }
        done(result);
    });
}

void KeychainSecretStore::read(const QString &key, QObject *context, Callback done)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(m_service, key);
    connect(job, &QKeychain::Job::finished, context ? context : this,
            [job, done = std::move(done)](QKeychain::Job *) {
                Result result = resultOf(job);
                if (result.ok())
                    result.data = job->binaryData();
                done(result);
            });
    job->start();
}

void KeychainSecretStore::write(const QString &key, const QByteArray &secret, QObject *context,
                                Callback done)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(m_service, key);
    job->setBinaryData(secret);
    connect(job, &QKeychain::Job::finished, context ? context : this,
            [job, done = std::move(done)](QKeychain::Job *) { done(resultOf(job)); });
    job->start();
}

void KeychainSecretStore::remove(const QString &key, QObject *context, Callback done)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(m_service, key);
    connect(job, &QKeychain::Job::finished, context ? context : this,
            [job, done = std::move(done)](QKeychain::Job *) { done(resultOf(job)); });
    job->start();
}

} // namespace Gatehouse::Credentials
