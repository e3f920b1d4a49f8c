// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/gatewaymetrics.h"
#include "analytics/logrecord.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <utility>

namespace Gatehouse::Analytics {

// Reads the message log with its own read-only SQLite connection (WAL lets it
// read while the writer thread writes). Use it from one thread; create one per
// thread. Rows come in time order (ties: kind, then id), paged with offset/limit.
// Messages are unpacked from log_message_blocks (messageblock.h) and merged with
// the handshake and close rows; a log_messages table of earlier builds is read too.
class MessageLogReader final
{
public:
    MessageLogReader();
    ~MessageLogReader();
    MessageLogReader(const MessageLogReader &) = delete;
    MessageLogReader &operator=(const MessageLogReader &) = delete;

    bool open(const QString &path, QString *error = nullptr);
    void close();
    bool isOpen() const;

    // A page at least SeekRows deep starts from a time just before it (found from the
    // blocks' counts) instead of reading every record before it.
    static constexpr qint64 SeekRows = 20'000;
    QList<LogRecord> query(const LogFilter &filter, qint64 offset = 0, qint64 limit = 200,
                           QString *error = nullptr);
    qint64 count(const LogFilter &filter, QString *error = nullptr);
    enum class TalkerKind { Application, Channel, ClientAddress };
    // The `limit` busiest of a kind in [fromMs, toMs): by messages, then attempts;
    // of the traffic in `scope` only.
    QList<Talker> topTalkers(TalkerKind kind, qint64 fromMs, qint64 toMs, int limit = 10,
                             QString *error = nullptr, const MetricsScope &scope = {});

private:
    QList<LogRecord> query(const LogFilter &filter, qint64 offset, qint64 limit, QString *error,
                           bool seek);
    // Where a page `offset` deep may start reading instead of at the filter's start:
    // a later time, and how many records the filter selects before it (at most
    // `offset`); nothing when it cannot tell.
    std::optional<std::pair<qint64, qint64>> seekStart(const LogFilter &filter, qint64 offset);
    struct Tables
    {
        bool ok = true;
        bool blocks = false; // log_message_blocks
        bool legacyMessages = false; // log_messages (files of earlier builds)
    };
    Tables tables(QString *error);

    QString m_connectionName;
    QString m_path;
};

} // namespace Gatehouse::Analytics
