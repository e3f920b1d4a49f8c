// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Gatehouse::Gateway::MessageRecord {

// The packed form of a logged message: a few bytes, relative to the time of the
// run it belongs to. The gateway packs a connection's relayed messages this way
// (GatewayEvent::Type::MessageRun) and the message log stores the same bytes in its
// blocks (analytics/messageblock.h).
//
// A message:
//   varint  time_ms - the run's first time
//   byte    bits: 0-1 action (0 relayed, 1 dropped, 2 throttled),
//                 2-3 opcode (0 text, 1 binary, 2 ping),
//                 4 direction (0 in = client -> backend, 1 out),
//                 5 has reason, 6 has payload, 7 payload truncated
//   varint  size (payload bytes of the message as relayed)
//   varint  latency_us
//   if has reason:  varint length, then that many bytes of UTF-8
//   if has payload: varint length, then that many bytes (after masking/cutting)
//
// A varint is an unsigned LEB128 number: 7 bits per byte, lowest group first, the
// high bit set on every byte but the last (at most 10 bytes).

enum Bits : quint8 {
    ActionMask = 0x03,
    ActionRelayed = 0x00,
    ActionDropped = 0x01,
    ActionThrottled = 0x02,
    OpcodeMask = 0x0C,
    OpcodeText = 0x00,
    OpcodeBinary = 0x04,
    OpcodePing = 0x08,
    DirectionOut = 0x10,
    HasReason = 0x20,
    HasPayload = 0x40,
    PayloadTruncated = 0x80,
};

struct Message
{
    qint64 timeMs = 0;
    quint8 bits = 0;
    qint64 size = 0;
    qint64 latencyUs = 0;
    QByteArrayView reason; // UTF-8; points into the data when decoded
    QByteArrayView payload;
};

// Appends one message; `firstTimeMs` <= m.timeMs (an earlier time is stored as 0).
void append(QByteArray &data, qint64 firstTimeMs, const Message &m);

// Reads the message at `*pos` and advances `*pos`. False at the end or when the
// rest of the data is damaged (what was read before stays valid).
bool next(QByteArrayView data, qsizetype *pos, qint64 firstTimeMs, Message *m);

// Writes `v` as a varint at `out` (room for 10 bytes) and returns the end.
inline char *putVarint(char *out, quint64 v)
{
    while (v >= 0x80) {
        *out++ = char(quint8(v) | 0x80);
        v >>= 7;
    }
    *out++ = char(v);
    return out;
}

// Reads a varint at `*pos` and advances `*pos`; false when the data ends first or
// it is longer than 10 bytes.
bool getVarint(QByteArrayView data, qsizetype *pos, quint64 *v);

// Writes a message without reason or payload (what the relay packs per message)
// at `out`, which has room for PlainMaxBytes, and returns the end.
inline constexpr qsizetype PlainMaxBytes = 3 * 10 + 1;
inline char *putPlain(char *out, quint64 sinceFirstMs, quint8 bits, quint64 size, quint64 latencyUs)
{
    out = putVarint(out, sinceFirstMs);
    *out++ = char(bits);
    out = putVarint(out, size);
    return putVarint(out, latencyUs);
}

inline void appendPlain(QByteArray &data, quint64 sinceFirstMs, quint8 bits, quint64 size,
                        quint64 latencyUs)
{
    char head[PlainMaxBytes];
    data.append(head, putPlain(head, sinceFirstMs, bits, size, latencyUs) - head);
}

} // namespace Gatehouse::Gateway::MessageRecord
