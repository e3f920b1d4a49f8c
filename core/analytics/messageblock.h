// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>

namespace Gatehouse::Analytics::MessageBlock {

// The packed form of logged messages in the SQLite table log_message_blocks.
//
// Each write transaction packs the messages of each connection into a run; a
// run never holds more than MaxMessages messages, spans less than MaxSpanMs
// (its times lie in [first, first + MaxSpanMs)) and has one api, channel,
// application and flags. A connection with at least OwnBlockMessages messages
// in the transaction (the writer's default: SqliteLogWriter::Options) gets a row
// of its own (a single block); the runs of the
// others are put together into shared rows (a mixed block), so that a row is
// not paid for every message when many connections each send a little. Every
// row has at most MaxMessages messages and first_time_ms (the earliest) and
// last_time_ms (the latest) less than MaxSpanMs apart.
//
// Single block (row: connection_id, api, channel, application, flags of the run):
//   byte    FormatSingle (1)
//   the run's messages (below), their times relative to the row's first_time_ms
//
// Mixed block, compact (what the writer writes; row: connection_id 0,
// api/channel/application/flags NULL):
//   byte    FormatMixedCompact (3)
//   then runs, each:
//   varint  connection id
//   varint  first run: zigzag(its first time, ms since the epoch);
//           later runs: zigzag(first time - the previous run's first time)
//   varint  number of messages
//   4 x     string: api, channel, application, flags (comma-separated):
//           varint 0 = none, 1 = the same as the previous run's (in this row),
//           n + 2 = n bytes of UTF-8 follow
//   the run's messages, their times relative to the run's first time
//
// Mixed block (the first format, still read; row as above):
//   byte    FormatMixed (2)
//   then runs, each:
//   varint  connection id
//   varint  zigzag(first time of the run, ms since the epoch)
//   varint  number of messages
//   4 x     string: api, channel, application, flags (comma-separated):
//           varint length + 1 (0 = none), then that many bytes of UTF-8
//   the run's messages, their times relative to the run's first time
//
// A message:
//   varint  time_ms - (row or run) first time
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
// high bit set on every byte but the last (at most 10 bytes); zigzag(n) is
// (n << 1) ^ (n >> 63). The i-th message of row `id` (counting through all runs
// of a mixed block) has the LogRecord id  id * MaxMessages + i  (unique and
// stable; the writer starts block ids above the ids of a legacy log_messages
// table).
inline constexpr quint8 FormatSingle = 1;
inline constexpr quint8 FormatMixed = 2;
inline constexpr quint8 FormatMixedCompact = 3;
inline constexpr int OwnBlockMessages = 256;
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

// The header of a run in a mixed block.
struct Run
{
    quint64 connectionId = 0;
    qint64 firstTimeMs = 0;
    qint64 count = 0;
    QByteArray api; // null when none
    QByteArray channel;
    QByteArray application;
    QByteArray flags;
};

// Appends one message to a run or single block; `firstTimeMs` <= m.timeMs.
void append(QByteArray &data, qint64 firstTimeMs, const Message &m);
// The strings of a run header being written: api, channel, application, flags
// (a null view: none).
using RunText = std::array<QByteArrayView, 4>;

// Appends a run header followed by `messages` (what append() produced), in the
// FormatMixed layout.
void appendRun(QByteArray &data, const Run &run, QByteArrayView messages);
// The same in the FormatMixedCompact layout; `previous`: the previous run of the
// row (null for the first), whose text and first time the header refers to.
struct CompactRun
{
    quint64 connectionId = 0;
    qint64 firstTimeMs = 0;
    qint64 count = 0;
    RunText text;
};
void appendCompactRun(QByteArray &data, const CompactRun &run, const CompactRun *previous,
                      QByteArrayView messages);

// Reads the message at `*pos` and advances `*pos`. False at the end or when the
// rest of the data is damaged (what was read before stays valid).
bool next(QByteArrayView data, qsizetype *pos, qint64 firstTimeMs, Message *m);
// Reads a run header at `*pos` (mixed blocks) and advances `*pos` to its messages.
// FormatMixedCompact: `run` holds the previous run of the row (default-constructed
// before the first), whose strings and time the header may refer to.
bool nextRun(QByteArrayView data, qsizetype *pos, Run *run);
bool nextCompactRun(QByteArrayView data, qsizetype *pos, bool first, Run *run);
// 0 when the data is of no format this build reads.
quint8 formatOf(QByteArrayView data);

inline qint64 messageId(qint64 blockId, qint64 index)
{
    return blockId * MaxMessages + index;
}

} // namespace Gatehouse::Analytics::MessageBlock
