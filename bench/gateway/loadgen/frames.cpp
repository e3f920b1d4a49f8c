// SPDX-License-Identifier: GPL-3.0-or-later
#include "frames.h"

#include <QCryptographicHash>
#include <QtEndian>

namespace Bench {

QByteArray encodeFrame(quint8 opcode, const QByteArray &payload, bool mask)
{
    QByteArray out;
    const qsizetype n = payload.size();
    out.reserve(n + 14);
    out.append(char(0x80 | opcode));
    const char m = mask ? char(0x80) : char(0);
    if (n < 126) {
        out.append(char(m | char(n)));
    } else if (n <= 0xFFFF) {
        out.append(char(m | 126));
        uchar len[2];
        qToBigEndian<quint16>(quint16(n), len);
        out.append(reinterpret_cast<const char *>(len), 2);
    } else {
        out.append(char(m | 127));
        uchar len[8];
        qToBigEndian<quint64>(quint64(n), len);
        out.append(reinterpret_cast<const char *>(len), 8);
    }
    if (!mask)
        return out + payload;
    static const char key[4] = {0x12, 0x34, 0x56, 0x78};
    out.append(key, 4);
    const qsizetype at = out.size();
    out.append(payload);
    char *p = out.data() + at;
    for (qsizetype i = 0; i < n; ++i)
        p[i] = char(p[i] ^ key[i & 3]);
    return out;
}

bool parseFrame(const QByteArray &data, qsizetype *offset, Frame *frame)
{
    const qsizetype start = *offset;
    const qsizetype avail = data.size() - start;
    if (avail < 2)
        return false;
    const auto *p = reinterpret_cast<const uchar *>(data.constData() + start);
    const bool masked = p[1] & 0x80;
    quint64 len = p[1] & 0x7F;
    qsizetype header = 2;
    if (len == 126) {
        if (avail < 4)
            return false;
        len = qFromBigEndian<quint16>(p + 2);
        header = 4;
    } else if (len == 127) {
        if (avail < 10)
            return false;
        len = qFromBigEndian<quint64>(p + 2);
        header = 10;
    }
    uchar key[4] = {0, 0, 0, 0};
    if (masked) {
        if (avail < header + 4)
            return false;
        std::copy(p + header, p + header + 4, key);
        header += 4;
    }
    if (quint64(avail - header) < len)
        return false;
    frame->opcode = p[0] & 0x0F;
    frame->payload = data.mid(start + header, qsizetype(len));
    if (masked) {
        char *d = frame->payload.data();
        for (qsizetype i = 0; i < frame->payload.size(); ++i)
            d[i] = char(d[i] ^ key[i & 3]);
    }
    *offset = start + header + qsizetype(len);
    return true;
}

QByteArray acceptKey(const QByteArray &key)
{
    return QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                    QCryptographicHash::Sha1)
        .toBase64();
}

} // namespace Bench
