// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/eventwriter.h"
#include "analytics/messageblock.h"
#include "analytics/walcheckpointer.h"

#include <QString>

#include <functional>
#include <memory>

namespace Gatehouse::Analytics {

// Writes gateway events into the SQLite message log, in WAL mode, one transaction
// per write(), through its own connection on the writer thread: handshakes and
// closes one row each (tables log_handshakes, log_closes), messages packed into
// blocks (table log_message_blocks, format in messageblock.h): the messages a
// connection has in one write() are a run, a row of its own when it is long,
// else part of a row shared with other connections' runs; so a relayed message
// costs a few bytes of a BLOB instead of a row and its index entries.
//
// It talks to SQLite directly (prepared statements, UTF-8 text cached per
// connection) rather than through QtSql: a busy gateway logs hundreds of
// thousands of messages per second.
class SqliteLogWriter final : public EventWriter
{
public:
    // Turns an event's payload into what the log keeps (masking); runs on the
    // writer thread. Without one, payloads are kept as the gateway attached them.
    using PayloadFilter = std::function<QByteArray(const Gateway::GatewayEvent &)>;

    struct Options
    {
        QString path; // database file; created when missing
        bool payloads = true; // store payloads the gateway attached
        qint64 maxPayloadSize = 4096; // bytes kept per payload (after the filter)
        PayloadFilter payloadFilter;
        int busyTimeoutMs = 5000; // how long a write waits for a lock held by others
        WalCheckpointer::Options checkpoint; // WAL checkpoints off the writer thread
        // a connection's run of at least this many messages in one transaction
        // gets a row of its own (messageblock.h)
        int ownBlockMessages = MessageBlock::OwnBlockMessages;
    };

    explicit SqliteLogWriter(const Options &options);
    ~SqliteLogWriter() override;

    bool open(QString *error) override;
    bool write(EventSlices events, QString *error) override;
    void close() override;

    // Checkpoints run in the background / by the writer itself (WalCheckpointer).
    qint64 backgroundCheckpoints() const;
    qint64 writerCheckpoints() const;

    static constexpr int SchemaVersion = 2; // LogSchema::Version

private:
    struct Database;
    bool writeEvent(const Gateway::GatewayEvent &e); // inside write()'s transaction
    bool forgetConnection(quint64 id);
    Options m_options;
    std::unique_ptr<Database> m_db;
};

} // namespace Gatehouse::Analytics
