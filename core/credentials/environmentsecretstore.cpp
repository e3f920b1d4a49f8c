// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/environmentsecretstore.h"

#include <QRegularExpression>

namespace Gatehouse::Credentials {

EnvironmentSecretStore::EnvironmentSecretStore(QObject *parent)
    : SecretStore(parent)
{ }

EnvironmentSecretStore::~EnvironmentSecretStore() = default;

QString EnvironmentSecretStore::variableFor(const QString &key)
{
    if (key == signingKeyName())
        return QStringLiteral("GATEHOUSE_SIGNING_KEY");
    QString id = key;
    if (id.startsWith(QLatin1String("credential/")))
        id = id.mid(11);
    static const QRegularExpression other(QStringLiteral("[^A-Z0-9]"));
    return QStringLiteral("GATEHOUSE_SECRET_") + id.toUpper().replace(other, QStringLiteral("_"));
}

QByteArray EnvironmentSecretStore::decodeSigningKey(const QByteArray &value, QString *error)
{
    const QByteArray text = value.trimmed();
    for (auto options : {QByteArray::Base64UrlEncoding, QByteArray::Base64Encoding}) {
        auto decoded = QByteArray::fromBase64Encoding(
            text, options | QByteArray::AbortOnBase64DecodingErrors);
        if (decoded && decoded.decoded.size() >= 32)
            return *decoded;
    }
    if (error)
        *error = QStringLiteral("GATEHOUSE_SIGNING_KEY must hold at least 32 bytes, base64 or "
                                "base64url encoded (e.g. from 'openssl rand -base64 32')");
    return {};
}

QString EnvironmentSecretStore::description() const
{
    return QStringLiteral("environment variables");
}

void EnvironmentSecretStore::checkAvailable(QObject *context, Callback done)
{
    Result result;
    result.status = Result::Status::Ok;
    finishLater(context, std::move(done), result);
}

void EnvironmentSecretStore::read(const QString &key, QObject *context, Callback done)
{
    const QString variable = variableFor(key);
    const QByteArray value = qgetenv(variable.toLatin1().constData());
    Result result;
    if (value.isEmpty()) {
        result.status = Result::Status::NotFound;
        result.error = QStringLiteral("%1 is not set").arg(variable);
    } else if (key == signingKeyName()) {
        result.data = decodeSigningKey(value, &result.error);
        result.status = result.data.isEmpty() ? Result::Status::Failed : Result::Status::Ok;
    } else {
        result.status = Result::Status::Ok;
        result.data = value;
    }
    finishLater(context, std::move(done), result);
}

void EnvironmentSecretStore::write(const QString &key, const QByteArray &, QObject *context,
                                   Callback done)
{
    Result result;
    if (key == signingKeyName()) {
        result.status = Result::Status::Failed;
        result.error = QStringLiteral("GATEHOUSE_SIGNING_KEY is not set; set it to a random key "
                                      "(e.g. 'openssl rand -base64 32') to issue JWTs");
    } else {
        // Issued secrets are only shown, never kept (keepsIssuedSecrets() is false).
        result.status = Result::Status::Ok;
    }
    finishLater(context, std::move(done), result);
}

void EnvironmentSecretStore::remove(const QString &, QObject *context, Callback done)
{
    Result result;
    result.status = Result::Status::Ok;
    finishLater(context, std::move(done), result);
}

} // namespace Gatehouse::Credentials
