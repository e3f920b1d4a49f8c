// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/credentialservice.h"

#include "credentials/keychainsecretstore.h"
#include "credentials/secretstore.h"
#include "credentials/sqlitecredentialregistry.h"

#include <QMetaObject>

namespace Gatehouse::Credentials {

// What lives in the service's thread (created and destroyed there).
struct CredentialService::Worker
{
    std::unique_ptr<SqliteCredentialRegistry> registry;
    std::shared_ptr<SecretStore> secrets;
    std::unique_ptr<CredentialIssuer> issuer;
};

CredentialService::CredentialService(QObject *parent)
    : QObject(parent)
    , m_context(new QObject)
    , m_worker(std::make_shared<Worker>())
{
    m_thread.setObjectName(QStringLiteral("gatehouse-credentials"));
    m_context->moveToThread(&m_thread);
    m_thread.start();
}

CredentialService::~CredentialService()
{
    QObject *context = m_context;
    std::shared_ptr<Worker> worker = m_worker;
    QMetaObject::invokeMethod(
        context,
        [context, worker] {
            worker->issuer.reset();
            worker->registry.reset();
            worker->secrets.reset();
            delete context;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

template<typename F>
void CredentialService::post(F &&f)
{
    QMetaObject::invokeMethod(m_context, std::forward<F>(f), Qt::QueuedConnection);
}

void CredentialService::deliverSnapshot(std::shared_ptr<const CredentialSnapshot> snapshot)
{
    // from the service's thread to this object's
    QMetaObject::invokeMethod(
        this,
        [this, snapshot = std::move(snapshot)] {
            m_snapshot = snapshot;
            Q_EMIT snapshotChanged(snapshot);
        },
        Qt::QueuedConnection);
}

void CredentialService::open(const QString &path, std::shared_ptr<SecretStore> secrets)
{
    QString file = path;
    if (file.isEmpty())
        file = qEnvironmentVariable("GATEHOUSE_DB");
    if (file.isEmpty())
        file = SqliteCredentialRegistry::defaultDatabasePath();
    m_path = file;
    if (secrets && !secrets->parent())
        secrets->moveToThread(&m_thread);
    std::shared_ptr<Worker> worker = m_worker;
    post([this, worker, file, secrets] {
        worker->issuer.reset();
        worker->registry = std::make_unique<SqliteCredentialRegistry>();
        worker->secrets = secrets ? secrets : std::make_shared<KeychainSecretStore>();
        QString error;
        if (!worker->registry->open(file, &error)) {
            worker->registry.reset();
            QMetaObject::invokeMethod(
                this, [this, error] { Q_EMIT opened(false, error); }, Qt::QueuedConnection);
            return;
        }
        worker->issuer
            = std::make_unique<CredentialIssuer>(worker->registry.get(), worker->secrets.get());
        SqliteCredentialRegistry *registry = worker->registry.get();
        QObject::connect(registry, &CredentialRegistry::snapshotChanged, registry,
                         [this, registry] { deliverSnapshot(registry->snapshot()); });
        registry->startWatching(); // changes made by gatehouse-cli show up too
        deliverSnapshot(registry->snapshot());
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT opened(true, {}); }, Qt::QueuedConnection);
    });
}

namespace {

QString notOpen()
{
    return QStringLiteral("the credential registry is not open");
}

} // namespace

void CredentialService::change(const QString &action,
                               std::function<bool(SqliteCredentialRegistry &, QString *)> f)
{
    std::shared_ptr<Worker> worker = m_worker;
    post([this, worker, action, f = std::move(f)] {
        QString error;
        if (!worker->registry)
            error = notOpen();
        else if (!f(*worker->registry, &error) && error.isEmpty())
            error = QStringLiteral("%1 failed").arg(action);
        QMetaObject::invokeMethod(
            this, [this, action, error] { Q_EMIT finished(action, error, {}); },
            Qt::QueuedConnection);
    });
}

void CredentialService::createApplication(const QString &name, const QString &description)
{
    change(QStringLiteral("create application"),
           [name, description](SqliteCredentialRegistry &r, QString *error) {
               return r.createApplication(name, description, error).has_value();
           });
}

void CredentialService::deleteApplication(const QString &name)
{
    change(QStringLiteral("delete application"),
           [name](SqliteCredentialRegistry &r, QString *error) {
               return r.deleteApplication(name, error);
           });
}

void CredentialService::subscribe(const QString &applicationName, const QString &apiTitle,
                                  const QString &apiVersion, const Plan &plan)
{
    change(QStringLiteral("subscribe"), [=](SqliteCredentialRegistry &r, QString *error) {
        return r.subscribe(applicationName, apiTitle, apiVersion, plan, error).has_value();
    });
}

void CredentialService::setBlocked(const QString &applicationName, const QString &apiTitle,
                                   const QString &apiVersion, bool blocked)
{
    change(blocked ? QStringLiteral("block") : QStringLiteral("unblock"),
           [=](SqliteCredentialRegistry &r, QString *error) {
               return r.setSubscriptionBlocked(applicationName, apiTitle, apiVersion, blocked,
                                               error);
           });
}

void CredentialService::unsubscribe(const QString &applicationName, const QString &apiTitle,
                                    const QString &apiVersion)
{
    change(QStringLiteral("unsubscribe"), [=](SqliteCredentialRegistry &r, QString *error) {
        return r.unsubscribe(applicationName, apiTitle, apiVersion, error);
    });
}

void CredentialService::issue(const IssueRequest &request)
{
    std::shared_ptr<Worker> worker = m_worker;
    post([this, worker, request] {
        auto answer = [this](const IssuedCredential &credential, const QString &error) {
            QMetaObject::invokeMethod(
                this, [this, credential, error] { Q_EMIT issued(credential, error); },
                Qt::QueuedConnection);
        };
        if (!worker->issuer) {
            answer({}, notOpen());
            return;
        }
        worker->issuer->issue(request, answer);
    });
}

void CredentialService::revoke(const QString &credentialId)
{
    std::shared_ptr<Worker> worker = m_worker;
    post([this, worker, credentialId] {
        auto answer = [this](const QString &error, const QString &note) {
            QMetaObject::invokeMethod(
                this,
                [this, error, note] { Q_EMIT finished(QStringLiteral("revoke"), error, note); },
                Qt::QueuedConnection);
        };
        if (!worker->issuer) {
            answer(notOpen(), {});
            return;
        }
        worker->issuer->revoke(credentialId, answer);
    });
}

void CredentialService::readSecret(const QString &credentialId)
{
    std::shared_ptr<Worker> worker = m_worker;
    post([this, worker, credentialId] {
        auto answer = [this, credentialId](const QString &secret, const QString &error) {
            QMetaObject::invokeMethod(
                this,
                [this, credentialId, secret, error] {
                    Q_EMIT secretRead(credentialId, secret, error);
                },
                Qt::QueuedConnection);
        };
        if (!worker->secrets) {
            answer({}, notOpen());
            return;
        }
        worker->secrets->read(SecretStore::credentialKey(credentialId), m_context,
                              [answer, credentialId](const SecretStore::Result &r) {
                                  if (r.ok())
                                      answer(QString::fromUtf8(r.data), {});
                                  else
                                      answer({}, r.error);
                              });
    });
}

} // namespace Gatehouse::Credentials
