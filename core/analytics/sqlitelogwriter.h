// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/eventwriter.h"

#include <QString>

#include <functional>
#include <memory>

namespace Gatehouse::Analytics {

// Writes gateway events into the SQLite message log: tables log_handshakes,
// log_messages and log_closes (indexed by time and connection id), in WAL mode,
// one transaction per batch, through its own connection on the writer thread.
//
// It talks to SQLite directly (prepared statements, UTF-8 text cached per
// connection) rather than through QtSql: a busy gateway logs tens of thousands
// of messages per second, and the row insert is most of what logging costs.
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
    };

    explicit SqliteLogWriter(const Options &options);
    ~SqliteLogWriter() override;

    bool open(QString *error) override;
    bool write(const QList<Gateway::GatewayEvent> &events, QString *error) override;
    void close() override;

    static constexpr int SchemaVersion = 1;

private:
    struct Database;
    Options m_options;
    std::unique_ptr<Database> m_db;
};

} // namespace Gatehouse::Analytics
