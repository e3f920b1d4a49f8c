// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QNetworkCookie>
#include <QUrl>

#include <memory>
#include <mutex>

class QNetworkCookieJar;

namespace Gatehouse::Client {

// Cookies that client connections share: the Set-Cookie headers of handshake answers
// go in, and a connection's upgrade request sends the ones that apply to its URL
// (domain, path, expiry and Secure as a browser applies them; wss:// counts as
// https://). Safe to use from several threads. Kept in memory only: cookies are often
// session secrets.
class ClientCookieJar final
{
public:
    ClientCookieJar();
    ~ClientCookieJar();
    ClientCookieJar(const ClientCookieJar &) = delete;
    ClientCookieJar &operator=(const ClientCookieJar &) = delete;

    // Stores the cookies of one Set-Cookie header value received from `url`.
    void store(const QUrl &url, const QByteArray &setCookie);
    // The Cookie header value for `url` ("a=1; b=2"), empty when none applies.
    QByteArray cookieHeader(const QUrl &url) const;
    QList<QNetworkCookie> all() const;
    void clear();

private:
    mutable std::mutex m_mutex;
    std::unique_ptr<QNetworkCookieJar> m_jar;
};

} // namespace Gatehouse::Client
