// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

namespace Gatehouse::Analytics {

// How many bytes of a payload the logs keep: all of it up to `maxSize` (negative: no
// limit); a longer text payload is cut before the UTF-8 sequence that would not fit
// whole, a binary one at `maxSize`.
inline qsizetype keptPayloadSize(QByteArrayView payload, qint64 maxSize, bool binary)
{
    if (maxSize < 0 || payload.size() <= maxSize)
        return payload.size();
    qsizetype cut = qsizetype(maxSize);
    while (!binary && cut > 0 && (static_cast<unsigned char>(payload.at(cut)) & 0xC0) == 0x80)
        --cut;
    return cut;
}

} // namespace Gatehouse::Analytics
