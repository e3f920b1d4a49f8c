// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientcookiejar.h"

#include <QDateTime>
#include <QNetworkCookieJar>

namespace Gatehouse::Client {

namespace {

// Cookies are scoped as for HTTP: ws:// as http://, wss:// as https://.
QUrl httpUrl(QUrl url)
{
    if (url.scheme() == u"ws")
        url.setScheme(QStringLiteral("http"));
    else if (url.scheme() == u"wss")
        url.setScheme(QStringLiteral("https"));
    return url;
}

// QNetworkCookieJar keeps its full list protected; this gives it out.
class Jar final : public QNetworkCookieJar
{
public:
    QList<QNetworkCookie> everything() const { return allCookies(); }
    void reset() { setAllCookies({}); }
};

} // namespace

ClientCookieJar::ClientCookieJar()
    : m_jar(std::make_unique<Jar>())
{ }

ClientCookieJar::~ClientCookieJar() = default;

void ClientCookieJar::store(const QUrl &url, const QByteArray &setCookie)
{
    const QList<QNetworkCookie> cookies = QNetworkCookie::parseCookies(setCookie);
    std::lock_guard lock(m_mutex);
    m_jar->setCookiesFromUrl(cookies, httpUrl(url));
}

QByteArray ClientCookieJar::cookieHeader(const QUrl &url) const
{
    std::lock_guard lock(m_mutex);
    QByteArray header;
    for (const QNetworkCookie &c : m_jar->cookiesForUrl(httpUrl(url))) {
        if (!header.isEmpty())
            header += "; ";
        header += c.toRawForm(QNetworkCookie::NameAndValueOnly);
    }
    return header;
}

QList<QNetworkCookie> ClientCookieJar::all() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<const Jar *>(m_jar.get())->everything();
}

void ClientCookieJar::clear()
{
    std::lock_guard lock(m_mutex);
    static_cast<Jar *>(m_jar.get())->reset();
}

} // namespace Gatehouse::Client
