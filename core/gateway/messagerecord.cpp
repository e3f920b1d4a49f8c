// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/messagerecord.h"

namespace Gatehouse::Gateway::MessageRecord {

namespace {

quint64 unsignedOf(qint64 v)
{
    return v > 0 ? quint64(v) : 0;
}

bool getBytes(QByteArrayView data, qsizetype *pos, QByteArrayView *bytes)
{
    quint64 n = 0;
    if (!getVarint(data, pos, &n) || n > quint64(data.size() - *pos))
        return false;
    *bytes = data.sliced(*pos, qsizetype(n));
    *pos += qsizetype(n);
    return true;
}

} // namespace

bool getVarint(QByteArrayView data, qsizetype *pos, quint64 *v)
{
    quint64 value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= data.size())
            return false;
        const auto byte = quint8(data[*pos]);
        ++*pos;
        value |= quint64(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *v = value;
            return true;
        }
    }
    return false;
}

void append(QByteArray &data, qint64 firstTimeMs, const Message &m)
{
    char head[4 * 10 + 1];
    char *p = putVarint(head, unsignedOf(m.timeMs - firstTimeMs));
    *p++ = char(m.bits);
    p = putVarint(p, unsignedOf(m.size));
    p = putVarint(p, unsignedOf(m.latencyUs));
    if (m.bits & HasReason)
        p = putVarint(p, quint64(m.reason.size()));
    data.append(head, p - head);
    if (m.bits & HasReason)
        data.append(m.reason);
    if (m.bits & HasPayload) {
        p = putVarint(head, quint64(m.payload.size()));
        data.append(head, p - head);
        data.append(m.payload);
    }
}

bool next(QByteArrayView data, qsizetype *pos, qint64 firstTimeMs, Message *m)
{
    quint64 delta = 0;
    quint64 size = 0;
    quint64 latency = 0;
    if (!getVarint(data, pos, &delta) || *pos >= data.size())
        return false;
    m->bits = quint8(data[*pos]);
    ++*pos;
    if (delta > (quint64(1) << 40) || !getVarint(data, pos, &size)
        || !getVarint(data, pos, &latency) || size > (quint64(1) << 62)
        || latency > (quint64(1) << 62))
        return false;
    m->timeMs = firstTimeMs + qint64(delta);
    m->size = qint64(size);
    m->latencyUs = qint64(latency);
    m->reason = {};
    m->payload = {};
    if ((m->bits & HasReason) && !getBytes(data, pos, &m->reason))
        return false;
    if ((m->bits & HasPayload) && !getBytes(data, pos, &m->payload))
        return false;
    return true;
}

} // namespace Gatehouse::Gateway::MessageRecord
