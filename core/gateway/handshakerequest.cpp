// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/handshakerequest.h"

#include <QUrl>

#include <algorithm>
#include <cstring>

namespace Gatehouse::Gateway {

namespace {

bool isTokenChar(char c)
{
    if (c >= 'a' && c <= 'z')
        return true;
    if (c >= 'A' && c <= 'Z')
        return true;
    if (c >= '0' && c <= '9')
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s)
        if (!isTokenChar(c))
            return false;
    return true;
}

bool hasControlChars(QByteArrayView s)
{
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return true;
    }
    return false;
}

QString decodeComponent(QByteArrayView s)
{
    if (!s.contains('%')) // (the usual case: no copy to decode from)
        return QString::fromUtf8(s);
    return QUrl::fromPercentEncoding(s.toByteArray());
}

} // namespace

QByteArray HandshakeRequest::header(QByteArrayView name) const
{
    for (const auto &h : headers)
        if (sameName(h.first, name))
            return h.second;
    return {};
}

bool HandshakeRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &h : headers)
        if (sameName(h.first, name))
            return true;
    return false;
}

QList<QByteArray> HandshakeRequest::headerValues(QByteArrayView name) const
{
    QList<QByteArray> values;
    for (const auto &h : headers)
        if (sameName(h.first, name))
            values.append(h.second);
    return values;
}

qsizetype HandshakeRequest::findLineEnd(QByteArrayView data, qsizetype from)
{
    const char *begin = data.data();
    const qsizetype size = data.size();
    while (from >= 0 && from + 1 < size) {
        const void *cr = std::memchr(begin + from, '\r', size_t(size - 1 - from));
        if (!cr)
            return -1;
        const qsizetype at = static_cast<const char *>(cr) - begin;
        if (begin[at + 1] == '\n')
            return at;
        from = at + 1;
    }
    return -1;
}

qsizetype HandshakeRequest::findHeadEnd(QByteArrayView data)
{
    qsizetype at = findLineEnd(data);
    while (at >= 0) {
        if (at + 3 < data.size() && data[at + 2] == '\r' && data[at + 3] == '\n')
            return at;
        at = findLineEnd(data, at + 2);
    }
    return -1;
}

std::optional<QString> HandshakeRequest::queryValue(const QString &name) const
{
    for (const auto &q : query)
        if (q.first == name)
            return q.second;
    return std::nullopt;
}

QByteArray HandshakeRequest::bearerToken() const
{
    const QByteArray value = header("Authorization").trimmed();
    if (value.size() > 7 && value.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return value.mid(7).trimmed();
    return {};
}

QStringList HandshakeRequest::subprotocols() const
{
    QStringList result;
    for (const QByteArray &value : headerValues("Sec-WebSocket-Protocol"))
        for (const QByteArray &item : value.split(',')) {
            const QByteArray p = item.trimmed();
            if (!p.isEmpty())
                result.append(QString::fromLatin1(p));
        }
    return result;
}

HandshakeRequest::ParseResult HandshakeRequest::parse(QByteArrayView data, qsizetype maxSize,
                                                      HandshakeRequest *out)
{
    ParseResult result;
    auto malformed = [&result](const QString &why) {
        result.status = ParseStatus::Malformed;
        result.error = why;
        return result;
    };

    // Reject garbage as soon as the method cannot be an HTTP token, without waiting
    // for a line end that may never come.
    const qsizetype firstSpace = data.indexOf(' ');
    const QByteArrayView methodPart = data.first(firstSpace < 0 ? data.size() : firstSpace);
    for (char c : methodPart)
        if (!isTokenChar(c))
            return malformed(QStringLiteral("not an HTTP request"));
    if (firstSpace < 0 && methodPart.size() > 32)
        return malformed(QStringLiteral("not an HTTP request"));

    const qsizetype end = findHeadEnd(data);
    if (end < 0 || end + 4 > maxSize) {
        if (data.size() >= maxSize || (end >= 0 && end + 4 > maxSize)) {
            result.status = ParseStatus::TooLarge;
            result.error = QStringLiteral("request header larger than %1 bytes").arg(maxSize);
        }
        return result; // Incomplete
    }

    // One copy of the head; the method, target, version and every header name and
    // value are views of it (QByteArray::fromRawData), valid while the request or a
    // copy of it lives: a request of six headers costs two allocations, not fifteen.
    // straight into *out (its peer fields stay); what a failed parse leaves there is
    // only a start
    HandshakeRequest local;
    HandshakeRequest &r = out ? *out : local;
    // (the old parts go before the head they are views of)
    r.method.clear();
    r.target.clear();
    r.httpVersion.clear();
    r.path.clear();
    r.rawQuery.clear();
    r.query.clear();
    r.headers.clear();
    r.head = data.first(end + 4).toByteArray();
    const QByteArrayView head = QByteArrayView(r.head).first(end);
    auto kept = [](QByteArrayView v) { return QByteArray::fromRawData(v.data(), v.size()); };
    const qsizetype lineEnd = findLineEnd(head);
    const QByteArrayView requestLine = lineEnd < 0 ? head : head.first(lineEnd);

    const qsizetype space1 = requestLine.indexOf(' ');
    const qsizetype space2 = space1 < 0 ? -1 : requestLine.indexOf(' ', space1 + 1);
    if (space2 < 0 || requestLine.indexOf(' ', space2 + 1) >= 0)
        return malformed(QStringLiteral("bad request line"));
    const QByteArrayView method = requestLine.first(space1);
    const QByteArrayView targetView = requestLine.sliced(space1 + 1, space2 - space1 - 1);
    const QByteArrayView version = requestLine.sliced(space2 + 1);
    if (!isToken(method) || targetView.isEmpty() || !version.startsWith("HTTP/1."))
        return malformed(QStringLiteral("bad request line"));
    // RFC 9112 / 3986: no whitespace or control character in a request target; a raw
    // TAB would otherwise reach the backend's request line as sent
    for (char c : targetView)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return malformed(QStringLiteral("bad request target: control character or space"));

    r.method = kept(method);
    r.target = kept(targetView);
    r.httpVersion = kept(version);
    if (!targetView.startsWith('/'))
        return malformed(QStringLiteral("request target must be a path"));

    QByteArrayView target = targetView;
    if (const qsizetype hash = target.indexOf('#'); hash >= 0)
        target.truncate(hash);
    const qsizetype qmark = target.indexOf('?');
    r.path = QString::fromUtf8(qmark < 0 ? target : target.first(qmark));
    if (qmark >= 0) {
        const QByteArrayView rawQuery = target.sliced(qmark + 1);
        r.rawQuery = kept(rawQuery);
        qsizetype from = 0;
        while (from <= rawQuery.size()) {
            qsizetype amp = rawQuery.indexOf('&', from);
            if (amp < 0)
                amp = rawQuery.size();
            const QByteArrayView pair = rawQuery.sliced(from, amp - from);
            from = amp + 1;
            if (pair.isEmpty())
                continue;
            const qsizetype eq = pair.indexOf('=');
            if (eq < 0)
                r.query.append({decodeComponent(pair), QString()});
            else
                r.query.append(
                    {decodeComponent(pair.first(eq)), decodeComponent(pair.sliced(eq + 1))});
        }
    }

    r.headers.reserve(std::count(head.begin(), head.end(), '\n')); // at most one per line
    qsizetype pos = lineEnd < 0 ? head.size() : lineEnd + 2;
    while (pos < head.size()) {
        qsizetype next = findLineEnd(head, pos);
        if (next < 0)
            next = head.size();
        const QByteArrayView line = head.sliced(pos, next - pos);
        pos = next + 2;
        if (line.isEmpty())
            continue;
        if (line.front() == ' ' || line.front() == '\t')
            return malformed(QStringLiteral("folded header lines are not allowed"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return malformed(QStringLiteral("bad header line"));
        const QByteArrayView value = line.sliced(colon + 1);
        if (hasControlChars(value))
            return malformed(QStringLiteral("control character in header %1")
                                 .arg(QString::fromLatin1(line.first(colon))));
        r.headers.append({kept(line.first(colon)), kept(value.trimmed())});
    }

    // Fields that must appear once (RFC 9110 / 6455): two of them are two different
    // requests to whoever reads the other one, e.g. an Authorization nobody checked.
    for (QByteArrayView name :
         {QByteArrayView("Host"), QByteArrayView("Sec-WebSocket-Key"),
          QByteArrayView("Sec-WebSocket-Version"), QByteArrayView("Authorization")}) {
        int count = 0;
        for (const auto &h : r.headers)
            count += sameName(h.first, name);
        if (count > 1)
            return malformed(
                QStringLiteral("more than one %1 header").arg(QString::fromLatin1(name)));
    }

    result.status = ParseStatus::Complete;
    result.consumed = end + 4;
    return result;
}

} // namespace Gatehouse::Gateway
