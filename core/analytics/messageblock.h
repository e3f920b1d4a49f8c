// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/messagerecord.h"

#include <QByteArray>
#include <QByteArrayView>

#include <array>

namespace Gatehouse::Analytics::MessageBlock {

// The packed form of logged messages in the SQLite table log_message_blocks.
//
// Messages come in runs of one connection: as the relay packed them
// (GatewayEvent::Type::MessageRun), or, for messages logged one by one, what a
// write transaction collects of a connection. A run never holds more than
// MaxMessages messages, spans less than MaxSpanMs (its times lie in
// [first, first + MaxSpanMs)) and has one api, channel, application and flags. A
// run of at least OwnBlockMessages messages (the writer's default:
// SqliteLogWriter::Options) gets a row of its own (a single block); the other
// runs are put together into shared rows (a mixed block), so that a row is
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
// A message: see gateway/messagerecord.h (the relay packs messages in that form and
// a run's messages are stored as it packed them).
//
// A varint is an unsigned LEB128 number (messagerecord.h); zigzag(n) is
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

// The messages themselves (Message, the Bits, append(), next()).
using Gateway::MessageRecord::Message;
using enum Gateway::MessageRecord::Bits;
using Gateway::MessageRecord::append;
using Gateway::MessageRecord::next;

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
