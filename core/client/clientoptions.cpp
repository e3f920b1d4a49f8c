// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientoptions.h"

#include <QFileInfo>
#include <QUrlQuery>

namespace Gatehouse::Client {

QUrl ClientOptions::webSocketUrl() const
{
    QUrl u = url;
    if (u.scheme() == u"http")
        u.setScheme(QStringLiteral("ws"));
    else if (u.scheme() == u"https")
        u.setScheme(QStringLiteral("wss"));
    return u;
}

std::optional<QNetworkProxy> ClientOptions::networkProxy(QString *error) const
{
    if (proxy.trimmed().isEmpty())
        return QNetworkProxy(QNetworkProxy::NoProxy);
    QString text = proxy.trimmed();
    if (!text.contains(QStringLiteral("://")))
        text.prepend(QStringLiteral("http://"));
    const QUrl u(text, QUrl::StrictMode);
    auto fail = [error, this](const QString &why) -> std::optional<QNetworkProxy> {
        if (error)
            *error = QStringLiteral("proxy '%1': %2").arg(proxy, why);
        return std::nullopt;
    };
    if (!u.isValid() || u.host().isEmpty())
        return fail(QStringLiteral("not a URL such as http://host:3128 or socks5://host:1080"));
    QNetworkProxy::ProxyType type;
    int defaultPort;
    if (u.scheme() == u"http") {
        type = QNetworkProxy::HttpProxy;
        defaultPort = 3128;
    } else if (u.scheme() == u"socks5" || u.scheme() == u"socks5h") {
        type = QNetworkProxy::Socks5Proxy;
        defaultPort = 1080;
    } else {
        return fail(QStringLiteral("unsupported kind '%1' (use http or socks5)").arg(u.scheme()));
    }
    return QNetworkProxy(type, u.host(), quint16(u.port(defaultPort)), u.userName(), u.password());
}

QString ClientOptions::validate() const
{
    const QUrl u = webSocketUrl();
    if (url.isEmpty())
        return QStringLiteral("no URL to connect to");
    if (!u.isValid())
        return QStringLiteral("URL '%1' is not valid: %2").arg(url.toString(), u.errorString());
    if (u.scheme() != u"ws" && u.scheme() != u"wss")
        return QStringLiteral("URL '%1': use ws:// or wss:// (or http:// and https://)")
            .arg(url.toString());
    if (u.host().isEmpty())
        return QStringLiteral("URL '%1' has no host").arg(url.toString());
    for (const auto &[name, value] : headers) {
        if (name.isEmpty())
            return QStringLiteral("a header without a name");
        for (char c : name)
            if (uchar(c) <= 0x20 || uchar(c) >= 0x7f
                || QByteArrayView("()<>@,;:\\\"/[]?={}").contains(c))
                return QStringLiteral("header name '%1' is not a valid HTTP token")
                    .arg(QString::fromLatin1(name));
        if (value.contains('\r') || value.contains('\n'))
            return QStringLiteral("header '%1': the value holds a line break")
                .arg(QString::fromLatin1(name));
    }
    for (const QString &p : subprotocols)
        if (p.isEmpty() || p.contains(u',') || p.contains(u' '))
            return QStringLiteral("subprotocol '%1' is not a single token").arg(p);
    for (const QString *file : {&caFile, &certificateFile, &keyFile})
        if (!file->isEmpty() && !QFileInfo(*file).isReadable())
            return QStringLiteral("cannot read '%1'").arg(*file);
    if (certificateFile.isEmpty() != keyFile.isEmpty())
        return QStringLiteral("a client certificate needs both its certificate and key files");
    if (!basicAuth.isEmpty() && !basicAuth.contains(u':'))
        return QStringLiteral("--auth takes user:password");
    QString proxyError;
    if (!networkProxy(&proxyError))
        return proxyError;
    if (protocolVersion != 13 && protocolVersion != 8)
        return QStringLiteral("unsupported protocol version %1 (13 or 8)").arg(protocolVersion);
    if (handshakeTimeoutMs <= 0)
        return QStringLiteral("the handshake timeout must be above 0");
    if (maxMessageSize <= 0)
        return QStringLiteral("the maximum message size must be above 0");
    return {};
}

QString maskedUrl(const QUrl &url)
{
    static const QStringList secretNames
        = {QStringLiteral("access_token"), QStringLiteral("apikey"), QStringLiteral("api_key"),
           QStringLiteral("token"),        QStringLiteral("key"),    QStringLiteral("password"),
           QStringLiteral("secret"),       QStringLiteral("auth")};
    QUrl u = url;
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("***"));
    if (u.hasQuery()) {
        QUrlQuery query(u);
        QList<QPair<QString, QString>> items = query.queryItems(QUrl::FullyEncoded);
        for (auto &[name, value] : items)
            if (secretNames.contains(name.toLower()))
                value = QStringLiteral("***");
        query.setQueryItems(items);
        u.setQuery(query);
    }
    return u.toString(QUrl::FullyEncoded);
}

} // namespace Gatehouse::Client
