// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/eventwriter.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

namespace Gatehouse::Analytics {

// Writes gateway events into the SQLite message log: tables log_handshakes,
// log_messages and log_closes (indexed by time and connection id), in WAL mode,
// one transaction per batch, through its own connection on the writer thread.
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

    // Creates the tables and indexes when missing (idempotent).
    static bool createSchema(QSqlDatabase &db, QString *error);
    static constexpr int SchemaVersion = 1;

private:
    struct Statements;
    Options m_options;
    QString m_connectionName;
    std::unique_ptr<Statements> m_statements;
};

} // namespace Gatehouse::Analytics
