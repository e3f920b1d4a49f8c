// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/websocketcodec.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

namespace Gatehouse::Gateway {

WebSocketCodec::Result WebSocketCodec::fail(quint16 code, const QString &why)
{
    m_errorCode = code;
    m_errorString = why;
    return Result::Error;
}

bool WebSocketCodec::applyMask(char *data, qsizetype size, const uchar key[4])
{
    return copyMasked(data, data, size, key);
}

bool WebSocketCodec::copyMasked(char *to, const char *from, qsizetype size, const uchar key[4])
{
    quint32 k32;
    std::memcpy(&k32, key, 4);
    const quint64 k64 = (quint64(k32) << 32) | k32;
    quint64 seen = 0; // every byte written, OR-ed: is any of them above 0x7F?
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 block;
        std::memcpy(&block, from + i, 8);
        block ^= k64;
        seen |= block;
        std::memcpy(to + i, &block, 8);
    }
    for (; i < size; ++i) {
        to[i] = char(from[i] ^ key[i & 3]);
        seen |= quint8(to[i]);
    }
    return (seen & 0x8080808080808080ULL) == 0;
}

WebSocketCodec::Result WebSocketCodec::parseHeader(const char *data, qsizetype size,
                                                   qint64 maxPayload, Header *header)
{
    if (size < 2)
        return Result::NeedMore;
    const auto *p = reinterpret_cast<const uchar *>(data);
    const bool fin = p[0] & 0x80;
    const quint8 rsv = p[0] & 0x70;
    const quint8 opcode = p[0] & 0x0F;
    const bool masked = p[1] & 0x80;
    quint64 length = p[1] & 0x7F;
    qsizetype headerSize = 2;

    if (rsv)
        return fail(1002, QStringLiteral("reserved bits set without a negotiated extension"));
    const bool control = opcode & 0x8;
    if (opcode > Binary && opcode != Close && opcode != Ping && opcode != Pong)
        return fail(1002, QStringLiteral("unknown opcode %1").arg(opcode));
    if (control && !fin)
        return fail(1002, QStringLiteral("fragmented control frame"));
    if (control && length > 125)
        return fail(1002, QStringLiteral("control frame longer than 125 bytes"));
    if (m_role == Role::Server && !masked)
        return fail(1002, QStringLiteral("unmasked frame from a client"));
    if (m_role == Role::Client && masked)
        return fail(1002, QStringLiteral("masked frame from a server"));

    if (length == 126) {
        if (size < 4)
            return Result::NeedMore;
        length = qFromBigEndian<quint16>(p + 2);
        headerSize = 4;
    } else if (length == 127) {
        if (size < 10)
            return Result::NeedMore;
        length = qFromBigEndian<quint64>(p + 2);
        headerSize = 10;
        if (length >> 63)
            return fail(1002, QStringLiteral("frame length out of range"));
    }
    if (!control && maxPayload >= 0 && length > quint64(maxPayload))
        return fail(1009, QStringLiteral("message too big"));

    header->masked = masked;
    if (masked) {
        if (size < headerSize + 4)
            return Result::NeedMore;
        std::memcpy(header->key, p + headerSize, 4);
        headerSize += 4;
    }
    if (quint64(size - headerSize) < length)
        return Result::NeedMore;
    header->opcode = opcode;
    header->fin = fin;
    header->size = headerSize;
    header->length = qsizetype(length);
    return Result::Frame;
}

WebSocketCodec::Result WebSocketCodec::parse(const QByteArray &data, qsizetype *offset,
                                             qint64 maxPayload, Frame *frame)
{
    const qsizetype start = *offset;
    Header h;
    const Result result
        = parseHeader(data.constData() + start, data.size() - start, maxPayload, &h);
    if (result != Result::Frame)
        return result;
    frame->opcode = h.opcode;
    frame->fin = h.fin;
    frame->payload = data.mid(start + h.size, h.length);
    if (h.masked && h.length)
        applyMask(frame->payload.data(), frame->payload.size(), h.key);
    *offset = start + h.size + h.length;
    return Result::Frame;
}

WebSocketCodec::Result WebSocketCodec::parseInPlace(char *data, qsizetype size, qsizetype *offset,
                                                    qint64 maxPayload, Frame *frame)
{
    const qsizetype start = *offset;
    Header h;
    const Result result = parseHeader(data + start, size - start, maxPayload, &h);
    if (result != Result::Frame)
        return result;
    char *payload = data + start + h.size;
    // unmasking tells whether the payload is ASCII (then valid UTF-8 as it is)
    frame->ascii = h.masked && applyMask(payload, h.length, h.key);
    frame->opcode = h.opcode;
    frame->fin = h.fin;
    frame->payload = QByteArray::fromRawData(payload, h.length);
    *offset = start + h.size + h.length;
    return Result::Frame;
}

QByteArray WebSocketCodec::encode(quint8 opcode, QByteArrayView payload, bool fin) const
{
    QByteArray out;
    out.reserve(payload.size() + 14);
    encodeTo(out, opcode, payload, fin);
    return out;
}

void WebSocketCodec::encodeTo(QByteArray &out, quint8 opcode, QByteArrayView payload,
                              bool fin) const
{
    const bool mask = m_role == Role::Client;
    const qsizetype n = payload.size();
    uchar head[14];
    qsizetype headSize = 2;
    head[0] = uchar((fin ? 0x80 : 0) | (opcode & 0x0F));
    const uchar maskBit = mask ? 0x80 : 0;
    if (n < 126) {
        head[1] = uchar(maskBit | uchar(n));
    } else if (n <= 0xFFFF) {
        head[1] = uchar(maskBit | 126);
        qToBigEndian<quint16>(quint16(n), head + 2);
        headSize = 4;
    } else {
        head[1] = uchar(maskBit | 127);
        qToBigEndian<quint64>(quint64(n), head + 2);
        headSize = 10;
    }
    uchar key[4];
    if (mask) {
        // One generator per thread, seeded from the system source: a masking key per
        // frame without a lock shared by all workers (and without a call into Qt).
        thread_local std::mt19937 generator = [] {
            std::array<quint32, 8> seed;
            QRandomGenerator::system()->fillRange(seed.data(), qsizetype(seed.size()));
            std::seed_seq sequence(seed.begin(), seed.end());
            return std::mt19937(sequence);
        }();
        const quint32 random = quint32(generator());
        std::memcpy(key, &random, 4);
        std::memcpy(head + headSize, key, 4);
        headSize += 4;
    }
    // one resize per frame, growing by doubling (frames appended one by one to the
    // same buffer do not reallocate it each time), then the bytes written in place.
    // Beyond 64 KiB (output a slow peer has not taken yet, held up to the outgoing
    // buffer limit) at least 256 KiB at once, then by an eighth: over the allocator's
    // mmap threshold (the gateway sets 128 KiB) such a buffer has pages of its own,
    // resident only as far as written and given back whole when freed.
    const qsizetype at = out.size();
    const qsizetype needed = at + headSize + n;
    if (out.capacity() < needed)
        out.reserve(needed <= 64 * 1024 ? std::max(needed, 2 * out.capacity())
                                        : std::max(needed + needed / 8, qsizetype(256 * 1024)));
    out.resize(needed);
    char *p = out.data() + at;
    std::memcpy(p, head, size_t(headSize));
    p += headSize;
    if (mask)
        copyMasked(p, payload.data(), n, key); // the copy and the mask in one pass
    else if (n > 0)
        std::memcpy(p, payload.data(), size_t(n));
}

QByteArray WebSocketCodec::closePayload(quint16 code, const QString &reason)
{
    if (code == 1005 || code == 0)
        return {};
    QByteArray out(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, out.data());
    QByteArray text = reason.toUtf8();
    if (text.size() > 123) {
        // cut at a character boundary so the reason stays valid UTF-8
        qsizetype cut = 123;
        while (cut > 0 && (uchar(text.at(cut)) & 0xC0) == 0x80)
            --cut;
        text.truncate(cut);
    }
    out.append(text);
    return out;
}

bool WebSocketCodec::isValidCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
        return true;
    default:
        return false;
    }
}

QByteArray WebSocketCodec::acceptKey(QByteArrayView key)
{
    // twice per relayed connection (the client's answer, the backend's check): one
    // hasher per thread, its result read in place, one allocation for the answer
    thread_local QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.reset();
    sha1.addData(key.trimmed());
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    const QByteArrayView digest = sha1.resultView(); // 20 bytes: 28 in base64
    static constexpr char Alphabet[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    QByteArray out(28, Qt::Uninitialized);
    char *to = out.data();
    const auto *in = reinterpret_cast<const uchar *>(digest.data());
    for (int i = 0; i < 18; i += 3) {
        const quint32 v = (quint32(in[i]) << 16) | (quint32(in[i + 1]) << 8) | in[i + 2];
        *to++ = Alphabet[(v >> 18) & 63];
        *to++ = Alphabet[(v >> 12) & 63];
        *to++ = Alphabet[(v >> 6) & 63];
        *to++ = Alphabet[v & 63];
    }
    const quint32 v = (quint32(in[18]) << 16) | (quint32(in[19]) << 8);
    *to++ = Alphabet[(v >> 18) & 63];
    *to++ = Alphabet[(v >> 12) & 63];
    *to++ = Alphabet[(v >> 6) & 63];
    *to = '=';
    return out;
}

} // namespace Gatehouse::Gateway
