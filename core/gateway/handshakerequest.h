// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace Gatehouse::Gateway {

// The HTTP request a client opened its connection with, as the gateway read it.
// Header names keep the client's spelling; look them up with header(), which
// ignores case. `path` is the raw (percent-encoded) path without the query;
// `query` holds the decoded query parameters in the order the client sent them.
// A parsed request keeps its head in `head`; the method, target, version and header
// names and values are views of it, valid while the request or a copy of it lives
// (copy a value with QByteArray(v.constData(), v.size()) to keep it longer).
struct HandshakeRequest
{
    QByteArray head; // as read, up to and with the blank line (parse() only)
    QByteArray method; // GET
    QByteArray target; // request target as sent: /chats/1.0.0/rooms/room1?x=1
    QByteArray httpVersion; // HTTP/1.1
    QString path; // /chats/1.0.0/rooms/room1 (still percent-encoded)
    QByteArray rawQuery; // x=1&y=%20 (without '?'), as sent
    QList<QPair<QString, QString>> query; // decoded name/value pairs, in order
    QList<QPair<QByteArray, QByteArray>> headers;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool secure = false; // arrived over TLS (wss)

    // First value of a header (case-insensitive name); empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    // Every value of a header, in order; comma-separated lists are not split.
    QList<QByteArray> headerValues(QByteArrayView name) const;
    // First value of a query parameter; nullopt when absent.
    std::optional<QString> queryValue(const QString &name) const;
    // Bearer token from `Authorization: Bearer ...`; empty when absent.
    QByteArray bearerToken() const;
    // Subprotocols the client offered (Sec-WebSocket-Protocol), in order.
    QStringList subprotocols() const;

    enum class ParseStatus { Complete, Incomplete, Malformed, TooLarge };
    struct ParseResult
    {
        ParseStatus status = ParseStatus::Incomplete;
        qsizetype consumed = 0; // bytes of `data` the request occupied (Complete only)
        QString error; // what was wrong (Malformed / TooLarge)
    };
    // Parses the start of `data` as an HTTP/1.x request head into `out` (its peer
    // fields are left alone; unless Complete, what it holds is unspecified). `maxSize`
    // bounds the head (request line + headers + blank line).
    static ParseResult parse(QByteArrayView data, qsizetype maxSize, HandshakeRequest *out);

    // Where the next "\r\n" in `data` starts, from `from` on (-1: none), and where the
    // blank line ending a head starts ("\r\n\r\n"). What indexOf() with a string
    // finds, without the general search it sets up on every call (a handshake
    // searches a dozen times).
    static qsizetype findLineEnd(QByteArrayView data, qsizetype from = 0);
    static qsizetype findHeadEnd(QByteArrayView data);
    // Header names compared as HTTP does: lengths first, then byte by byte with only
    // the ASCII letters folded (RFC 9110 5.1; a general Latin-1 comparison costs a
    // table look-up per byte and folds letters a name cannot hold).
    static bool sameName(QByteArrayView a, QByteArrayView b)
    {
        if (a.size() != b.size())
            return false;
        const auto *x = reinterpret_cast<const unsigned char *>(a.data());
        const auto *y = reinterpret_cast<const unsigned char *>(b.data());
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (x[i] == y[i])
                continue;
            const unsigned lower = x[i] | 0x20u;
            if (lower != (y[i] | 0x20u) || lower - 'a' > unsigned('z' - 'a'))
                return false;
        }
        return true;
    }
};

} // namespace Gatehouse::Gateway
