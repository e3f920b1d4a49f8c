// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/credentialissuer.h"

#include "credentials/credentialregistry.h"
#include "credentials/environmentsecretstore.h"
#include "credentials/jwt.h"
#include "credentials/secretstore.h"
#include "credentials/tokengenerator.h"

#include <QDateTime>

namespace Gatehouse::Credentials {

namespace {

bool validScope(const QString &scope)
{
    // RFC 6749 scope-token: printable ASCII except space, '"' and '\'.
    if (scope.isEmpty())
        return false;
    for (QChar c : scope) {
        const ushort u = c.unicode();
        if (u < 0x21 || u > 0x7e || u == '"' || u == '\\')
            return false;
    }
    return true;
}

} // namespace

CredentialIssuer::CredentialIssuer(CredentialRegistry *registry, SecretStore *secrets,
                                   QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_secrets(secrets)
{ }

CredentialIssuer::~CredentialIssuer() = default;

bool CredentialIssuer::validate(IssueRequest *request, qint64 nowMs, QString *error) const
{
    auto failWith = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!m_registry)
        return failWith(QStringLiteral("no registry"));
    const auto snapshot = m_registry->snapshot();
    const auto app = snapshot->applicationByName(request->applicationName);
    if (!app)
        return failWith(QStringLiteral("no application named '%1'").arg(request->applicationName));
    if (request->expiresMs != 0 && request->expiresMs <= nowMs)
        return failWith(QStringLiteral("expiry %1 is in the past")
                            .arg(QDateTime::fromMSecsSinceEpoch(request->expiresMs, Qt::UTC)
                                     .toString(Qt::ISODate)));
    for (const QString &scope : std::as_const(request->scopes))
        if (!validScope(scope))
            return failWith(QStringLiteral("invalid scope '%1': use printable characters without "
                                           "spaces or quotes")
                                .arg(scope));
    if (request->apiTitle.isEmpty() != request->apiVersion.isEmpty())
        return failWith(QStringLiteral("an API is named by title and version"));
    if (request->type == CredentialType::Jwt && request->apiTitle.isEmpty()) {
        const QList<Subscription> subs = snapshot->subscriptionsOf(app->id);
        if (subs.size() != 1)
            return failWith(
                subs.isEmpty() ? QStringLiteral("a JWT names its API: give --api TITLE:VERSION "
                                                "(application '%1' has no subscription)")
                                     .arg(app->name)
                               : QStringLiteral("application '%1' has %2 subscriptions; choose the "
                                                "JWT's API with --api TITLE:VERSION")
                                     .arg(app->name)
                                     .arg(subs.size()));
        request->apiTitle = subs.first().apiTitle;
        request->apiVersion = subs.first().apiVersion;
    }
    return true;
}

void CredentialIssuer::issue(const IssueRequest &request, IssueCallback done)
{
    IssueRequest checked = request;
    QString error;
    if (!m_secrets || !validate(&checked, QDateTime::currentMSecsSinceEpoch(), &error)) {
        QMetaObject::invokeMethod(
            this,
            [done, error = m_secrets ? error : QStringLiteral("no secret store")] {
                done({}, error);
            },
            Qt::QueuedConnection);
        return;
    }
    if (checked.type != CredentialType::Jwt) {
        finishIssue(checked, {}, std::move(done));
        return;
    }
    loadSigningKey(true, [this, checked, done](const QByteArray &key, const QString &keyError) {
        if (key.isEmpty()) {
            done({}, keyError.isEmpty() ? QStringLiteral("no JWT signing key") : keyError);
            return;
        }
        finishIssue(checked, key, done);
    });
}

void CredentialIssuer::finishIssue(const IssueRequest &request, const QByteArray &signingKey,
                                   IssueCallback done)
{
    const auto app = m_registry->snapshot()->applicationByName(request.applicationName);
    if (!app) {
        done({}, QStringLiteral("no application named '%1'").arg(request.applicationName));
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    IssuedCredential issued;
    CredentialInfo &info = issued.info;
    info.id = TokenGenerator::newCredentialId(request.type);
    info.applicationId = app->id;
    info.type = request.type;
    info.scopes = request.scopes;
    info.apiTitle = request.apiTitle;
    info.apiVersion = request.apiVersion;
    info.createdMs = now;
    info.expiresMs = request.expiresMs;
    if (m_secrets && m_secrets->keepsIssuedSecrets())
        info.secretStore = m_secrets->location();

    if (request.type == CredentialType::Jwt) {
        JwtClaims claims;
        claims.id = info.id;
        claims.issuer = QStringLiteral("gatehouse");
        claims.subject = app->name;
        claims.audience = request.apiTitle + QLatin1Char(':') + request.apiVersion;
        claims.scopes = request.scopes;
        claims.issuedAt = now / 1000;
        // exp is whole seconds; round the stored expiry the same way.
        claims.expiresAt = request.expiresMs ? (request.expiresMs + 999) / 1000 : 0;
        info.expiresMs = claims.expiresAt * 1000;
        issued.secret = Jwt::sign(claims, signingKey);
    } else {
        issued.secret = TokenGenerator::newSecret(request.type);
    }
    info.secretHash = TokenGenerator::hash(issued.secret);

    // Secret first: if the store refuses, nothing was recorded.
    const QString key = SecretStore::credentialKey(info.id);
    m_secrets->write(
        key, issued.secret.toUtf8(), this,
        [this, issued, key, done](const SecretStore::Result &stored) {
            if (!stored.ok()) {
                done({},
                     QStringLiteral("cannot keep the secret in %1: %2")
                         .arg(m_secrets ? m_secrets->description() : QString(), stored.error));
                return;
            }
            QString error;
            if (!m_registry || !m_registry->addCredential(issued.info, &error)) {
                // Undo the stored secret; the credential does not exist.
                if (m_secrets)
                    m_secrets->remove(
                        key, this, [done, error](const SecretStore::Result &) { done({}, error); });
                else
                    done({}, error);
                return;
            }
            done(issued, {});
        });
}

void CredentialIssuer::revoke(const QString &credentialId,
                              std::function<void(const QString &, const QString &)> done)
{
    QString error;
    // where the secret was kept when issued: it is removed there too
    QString recorded;
    if (m_registry)
        if (const auto info = m_registry->snapshot()->credentialById(credentialId))
            recorded = info->secretStore;
    if (!m_registry || !m_registry->revokeCredential(credentialId, &error)) {
        QMetaObject::invokeMethod(
            this, [done, error] { done(error, {}); }, Qt::QueuedConnection);
        return;
    }
    const QString key = SecretStore::credentialKey(credentialId);
    const bool currentKeeps = m_secrets && m_secrets->keepsIssuedSecrets();
    const QString current = currentKeeps ? m_secrets->location() : QString();

    // Then the store where it was recorded, when that is another one.
    auto removeRecorded = [this, recorded, current, key, done](QString warning) {
        if (recorded.isEmpty() || recorded == current) {
            done({}, warning);
            return;
        }
        std::unique_ptr<SecretStore> other = SecretStore::atLocation(recorded);
        if (!other) {
            done({},
                 QStringLiteral("revoked, but its secret remains in %1 (a store this "
                                "version cannot open)")
                     .arg(recorded));
            return;
        }
        SecretStore *store = other.release();
        store->setParent(this);
        store->remove(key, this, [store, done, warning](const SecretStore::Result &r) {
            store->deleteLater();
            if (r.ok() || r.status == SecretStore::Result::Status::NotFound)
                done({}, warning);
            else
                done({},
                     QStringLiteral("revoked, but its secret remains in %1: %2")
                         .arg(store->description(), r.error));
        });
    };
    if (!currentKeeps) {
        QMetaObject::invokeMethod(
            this, [removeRecorded] { removeRecorded({}); }, Qt::QueuedConnection);
        return;
    }
    m_secrets->remove(key, this, [this, removeRecorded](const SecretStore::Result &r) {
        if (r.ok() || r.status == SecretStore::Result::Status::NotFound)
            removeRecorded({});
        else
            removeRecorded(
                QStringLiteral("revoked, but the stored secret could not be removed from %1: %2")
                    .arg(m_secrets ? m_secrets->description() : QString(), r.error));
    });
}

void CredentialIssuer::loadSigningKey(bool createIfMissing, KeyCallback done)
{
    // An explicit GATEHOUSE_SIGNING_KEY wins over any store (servers set it).
    const QByteArray fromEnvironment = qgetenv("GATEHOUSE_SIGNING_KEY");
    if (!fromEnvironment.isEmpty()) {
        QString error;
        const QByteArray key = EnvironmentSecretStore::decodeSigningKey(fromEnvironment, &error);
        if (!key.isEmpty() && m_registry)
            m_registry->setSigningKey(key);
        QMetaObject::invokeMethod(
            this, [done, key, error] { done(key, error); }, Qt::QueuedConnection);
        return;
    }
    if (!m_secrets) {
        QMetaObject::invokeMethod(
            this, [done] { done({}, QStringLiteral("no secret store")); }, Qt::QueuedConnection);
        return;
    }
    m_secrets->read(SecretStore::signingKeyName(), this,
                    [this, createIfMissing, done](const SecretStore::Result &r) {
                        if (r.ok() && r.data.size() >= 32) {
                            if (m_registry)
                                m_registry->setSigningKey(r.data);
                            done(r.data, {});
                            return;
                        }
                        if (r.ok() || r.status != SecretStore::Result::Status::NotFound) {
                            done({},
                                 r.ok() ? QStringLiteral("the stored JWT signing key is too short")
                                        : r.error);
                            return;
                        }
                        if (!createIfMissing || !m_secrets) {
                            done({}, {});
                            return;
                        }
                        const QByteArray key = TokenGenerator::newSigningKey();
                        m_secrets->write(SecretStore::signingKeyName(), key, this,
                                         [this, key, done](const SecretStore::Result &w) {
                                             if (!w.ok()) {
                                                 done({}, w.error);
                                                 return;
                                             }
                                             if (m_registry)
                                                 m_registry->setSigningKey(key);
                                             done(key, {});
                                         });
                    });
}

} // namespace Gatehouse::Credentials
