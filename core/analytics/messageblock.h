// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Gatehouse::Analytics::MessageBlock {

// The packed form of logged messages in the SQLite table log_message_blocks.
//
// One row holds up to MaxMessages messages of one connection, written in one
// transaction, with the same api, channel, application and flags (the row's
// columns), whose times lie in [first_time_ms, first_time_ms + MaxSpanMs)
// (first_time_ms is the earliest of them, last_time_ms the latest). The row's
// `data` BLOB is
//
//   byte    format version (FormatVersion)
//   then `count` messages, in the order the gateway reported them:
//   varint  time_ms - first_time_ms
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
// high bit set on every byte but the last (at most 10 bytes). Message i of block
// row `id` has the LogRecord id  id * MaxMessages + i  (unique and stable; the
// writer starts block ids above the ids of a legacy log_messages table).
inline constexpr quint8 FormatVersion = 1;
inline constexpr int MaxMessages = 4096;
inline constexpr qint64 MaxSpanMs = 1000;

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
    QByteArrayView reason; // UTF-8; points into the block when decoded
    QByteArrayView payload;
};

// Starts a block's data (the version byte) in `data`, keeping its capacity.
void begin(QByteArray &data);
// Appends one message; `firstTimeMs` <= m.timeMs.
void append(QByteArray &data, qint64 firstTimeMs, const Message &m);
// Reads the message at `*pos` (start with pos = 1, after the version byte checked
// with isSupported) and advances `*pos`. False at the end or when the rest of the
// data is damaged (the messages before it stay valid).
bool next(QByteArrayView data, qsizetype *pos, qint64 firstTimeMs, Message *m);
bool isSupported(QByteArrayView data);

inline qint64 messageId(qint64 blockId, qint64 index)
{
    return blockId * MaxMessages + index;
}

} // namespace Gatehouse::Analytics::MessageBlock
