// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/secretstoreproxy.h"

#include <QMetaObject>

namespace Gatehouse::Credentials {

SecretStoreProxy::SecretStoreProxy(std::shared_ptr<SecretStore> target, QObject *parent)
    : SecretStore(parent)
    , m_target(std::move(target))
    , m_description(m_target->description())
    , m_location(m_target->location())
    , m_keeps(m_target->keepsIssuedSecrets())
{ }

QString SecretStoreProxy::description() const
{
    return m_description;
}

QString SecretStoreProxy::location() const
{
    return m_location;
}

bool SecretStoreProxy::keepsIssuedSecrets() const
{
    return m_keeps;
}

void SecretStoreProxy::forward(QObject *context, Callback done,
                               std::function<void(SecretStore *, QObject *, Callback)> call)
{
    QPointer<QObject> answerTo = context ? context : this;
    std::shared_ptr<SecretStore> target = m_target;
    QMetaObject::invokeMethod(
        target.get(),
        [target, answerTo, done = std::move(done), call = std::move(call)] {
            call(target.get(), target.get(), [answerTo, done](const Result &result) {
                if (answerTo)
                    QMetaObject::invokeMethod(
                        answerTo.data(), [done, result] { done(result); }, Qt::QueuedConnection);
            });
        },
        Qt::QueuedConnection);
}

void SecretStoreProxy::checkAvailable(QObject *context, Callback done)
{
    forward(context, std::move(done),
            [](SecretStore *s, QObject *c, Callback d) { s->checkAvailable(c, std::move(d)); });
}

void SecretStoreProxy::read(const QString &key, QObject *context, Callback done)
{
    forward(context, std::move(done),
            [key](SecretStore *s, QObject *c, Callback d) { s->read(key, c, std::move(d)); });
}

void SecretStoreProxy::write(const QString &key, const QByteArray &secret, QObject *context,
                             Callback done)
{
    forward(context, std::move(done), [key, secret](SecretStore *s, QObject *c, Callback d) {
        s->write(key, secret, c, std::move(d));
    });
}

void SecretStoreProxy::remove(const QString &key, QObject *context, Callback done)
{
    forward(context, std::move(done),
            [key](SecretStore *s, QObject *c, Callback d) { s->remove(key, c, std::move(d)); });
}

} // namespace Gatehouse::Credentials
