// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/asynceventsink.h"
#include "analytics/sqlitelogwriter.h"
#include "gateway/gatewayeventsink.h"

#include <QString>

#include <memory>

namespace Gatehouse::Analytics {

// The SQLite message log (`--log-db`): a GatewayEventSink that never blocks the
// gateway. Events queue in memory (bounded; overflow is counted and reported) and
// a writer thread with its own connection inserts them in batches, one
// transaction each, every flushInterval or batchSize events, into a WAL database.
// Read it back with MessageLogReader (any number, each with its own connection).
class MessageLogStore final : public Gateway::GatewayEventSink
{
public:
    struct Options
    {
        QString path;
        bool payloads = true; // keep payloads the gateway attached
        qint64 maxPayloadSize = 4096; // bytes kept per payload
        SqliteLogWriter::PayloadFilter payloadFilter; // masking, on the writer thread
        AsyncEventSink::Options queue;
    };

    explicit MessageLogStore(const Options &options);
    ~MessageLogStore() override;
    MessageLogStore(const MessageLogStore &) = delete;
    MessageLogStore &operator=(const MessageLogStore &) = delete;

    // Opens (creating if needed) the database and starts the writer thread.
    bool open(QString *error = nullptr);
    // Writes what is queued and stops the writer thread.
    void close();

    void consume(const QList<Gateway::GatewayEvent> &events) override;
    bool flush();

    QString path() const { return m_path; }
    // Counters, pause (tests) and the batchWritten / eventsDropped / writeFailed signals.
    AsyncEventSink *sink() const { return m_sink.get(); }

private:
    QString m_path;
    std::unique_ptr<AsyncEventSink> m_sink;
};

} // namespace Gatehouse::Analytics
