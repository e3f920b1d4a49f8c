// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/eventwriter.h"

#include <QFile>
#include <QString>

#include <functional>

namespace Gatehouse::Analytics {

// Appends gateway events to a JSON Lines file (`--log-file`), one event per line
// (GatewayEventJson), whole lines only, flushed after every batch.
class JsonLinesWriter final : public EventWriter
{
public:
    using PayloadFilter = std::function<QByteArray(const Gateway::GatewayEvent &)>;

    struct Options
    {
        QString path;
        bool payloads = true;
        qint64 maxPayloadSize = 4096;
        PayloadFilter payloadFilter;
    };

    explicit JsonLinesWriter(const Options &options);
    ~JsonLinesWriter() override;

    bool open(QString *error) override;
    bool write(EventSlices events, QString *error) override;
    void close() override;

private:
    Options m_options;
    QFile m_file;
};

} // namespace Gatehouse::Analytics
