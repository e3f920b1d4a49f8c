// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/descriptorio.h"

#include <QHostAddress>
#include <QNetworkInterface>

#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace Gatehouse::Gateway {

socklen_t toSocketAddress(const QHostAddress &address, quint16 port, sockaddr_storage *out)
{
    *out = sockaddr_storage {};
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4 && address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(out);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(v4);
        return sizeof(sockaddr_in);
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return 0;
    auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    std::memcpy(&in6->sin6_addr, bytes.c, sizeof bytes.c);
    if (const QString scope = address.scopeId(); !scope.isEmpty()) {
        bool numeric = false;
        const uint index = scope.toUInt(&numeric);
        in6->sin6_scope_id
            = numeric ? index : uint(QNetworkInterface::interfaceIndexFromName(scope));
    }
    return sizeof(sockaddr_in6);
}

socklen_t literalSocketAddress(QStringView host, quint16 port, sockaddr_storage *out)
{
    *out = sockaddr_storage {};
    char text[64];
    if (host.isEmpty() || host.size() >= qsizetype(sizeof text))
        return 0;
    for (qsizetype i = 0; i < host.size(); ++i) {
        const char16_t c = host.at(i).unicode();
        if (c > 0x7f || c == '%') // not a literal, or one with a scope
            return 0;
        text[i] = char(c);
    }
    text[host.size()] = '\0';
    auto *in = reinterpret_cast<sockaddr_in *>(out);
    if (::inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        return sizeof(sockaddr_in);
    }
    auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
    if (::inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        return sizeof(sockaddr_in6);
    }
    *out = sockaddr_storage {};
    return 0;
}

quint16 portOf(const sockaddr_storage &address)
{
    return address.ss_family == AF_INET6
        ? ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port)
        : ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
}

} // namespace Gatehouse::Gateway
