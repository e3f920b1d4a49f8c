// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

// Minimal RFC 6455 framing for the benchmark tools (data frames and close only).
namespace Bench {

struct Frame
{
    quint8 opcode = 0;
    QByteArray payload;
};

// One frame; masked with a fixed key when `mask` (the load generator is a client).
QByteArray encodeFrame(quint8 opcode, const QByteArray &payload, bool mask);
// Parses the frame at `*offset`; false when more bytes are needed.
bool parseFrame(const QByteArray &data, qsizetype *offset, Frame *frame);
QByteArray acceptKey(const QByteArray &key);

} // namespace Bench
