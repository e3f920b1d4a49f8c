// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messageblock.h"

namespace Gatehouse::Analytics::MessageBlock {

namespace {

using Gateway::MessageRecord::getVarint;
using Gateway::MessageRecord::putVarint;

quint64 unsignedOf(qint64 v)
{
    return v > 0 ? quint64(v) : 0;
}

// The numbers that start a run header: connection, zigzag time, message count.
bool readRunHead(QByteArrayView data, qsizetype *pos, Run *run)
{
    quint64 connection = 0;
    quint64 time = 0;
    quint64 count = 0;
    if (!getVarint(data, pos, &connection) || !getVarint(data, pos, &time)
        || !getVarint(data, pos, &count) || count > quint64(MaxMessages))
        return false;
    run->connectionId = connection;
    run->firstTimeMs = qint64(time >> 1) ^ -qint64(time & 1);
    run->count = qint64(count);
    return true;
}

} // namespace

quint8 formatOf(QByteArrayView data)
{
    if (data.isEmpty())
        return 0;
    const auto format = quint8(data[0]);
    return format == FormatSingle || format == FormatMixed || format == FormatMixedCompact ? format
                                                                                           : 0;
}

void appendRun(QByteArray &data, const Run &run, QByteArrayView messages)
{
    char head[3 * 10];
    char *p = putVarint(head, quint64(run.connectionId));
    p = putVarint(p, (quint64(run.firstTimeMs) << 1) ^ quint64(run.firstTimeMs >> 63));
    p = putVarint(p, unsignedOf(run.count));
    data.append(head, p - head);
    for (const QByteArray *text : {&run.api, &run.channel, &run.application, &run.flags}) {
        p = putVarint(head, text->isNull() ? 0 : quint64(text->size()) + 1);
        data.append(head, p - head);
        data.append(*text);
    }
    data.append(messages);
}

void appendCompactRun(QByteArray &data, const CompactRun &run, const CompactRun *previous,
                      QByteArrayView messages)
{
    char head[3 * 10];
    const qint64 time = previous ? run.firstTimeMs - previous->firstTimeMs : run.firstTimeMs;
    char *p = putVarint(head, quint64(run.connectionId));
    p = putVarint(p, (quint64(time) << 1) ^ quint64(time >> 63));
    p = putVarint(p, unsignedOf(run.count));
    data.append(head, p - head);
    for (size_t i = 0; i < run.text.size(); ++i) {
        const QByteArrayView text = run.text[i];
        if (text.isNull()) {
            data.append(char(0));
        } else if (previous && !previous->text[i].isNull() && previous->text[i] == text) {
            data.append(char(1));
        } else {
            p = putVarint(head, quint64(text.size()) + 2);
            data.append(head, p - head);
            data.append(text);
        }
    }
    data.append(messages);
}

bool nextCompactRun(QByteArrayView data, qsizetype *pos, bool first, Run *run)
{
    const qint64 previousTimeMs = run->firstTimeMs;
    if (!readRunHead(data, pos, run))
        return false;
    if (!first) // the time is relative to the previous run's
        run->firstTimeMs += previousTimeMs;
    for (QByteArray *text : {&run->api, &run->channel, &run->application, &run->flags}) {
        quint64 n = 0;
        if (!getVarint(data, pos, &n))
            return false;
        if (n == 1) {
            if (first || text->isNull())
                return false; // refers to a string the row does not have
            continue;
        }
        if (n > quint64(data.size() - *pos) + 2)
            return false;
        *text = n == 0 ? QByteArray() : data.sliced(*pos, qsizetype(n - 2)).toByteArray();
        *pos += n == 0 ? 0 : qsizetype(n - 2);
    }
    return true;
}

bool nextRun(QByteArrayView data, qsizetype *pos, Run *run)
{
    if (!readRunHead(data, pos, run))
        return false;
    for (QByteArray *text : {&run->api, &run->channel, &run->application, &run->flags}) {
        quint64 n = 0;
        if (!getVarint(data, pos, &n) || n > quint64(data.size() - *pos) + 1)
            return false;
        *text = n == 0 ? QByteArray() : data.sliced(*pos, qsizetype(n - 1)).toByteArray();
        *pos += n == 0 ? 0 : qsizetype(n - 1);
    }
    return true;
}

} // namespace Gatehouse::Analytics::MessageBlock
