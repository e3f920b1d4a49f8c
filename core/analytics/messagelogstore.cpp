// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogstore.h"

namespace Gatehouse::Analytics {

MessageLogStore::MessageLogStore(const Options &options)
    : m_path(options.path)
{
    SqliteLogWriter::Options writer;
    writer.path = options.path;
    writer.payloads = options.payloads;
    writer.maxPayloadSize = options.maxPayloadSize;
    writer.payloadFilter = options.payloadFilter;
    m_sink = std::make_unique<AsyncEventSink>(std::make_unique<SqliteLogWriter>(writer),
                                              options.queue);
}

MessageLogStore::~MessageLogStore()
{
    close();
}

bool MessageLogStore::open(QString *error)
{
    return m_sink->start(error);
}

void MessageLogStore::close()
{
    m_sink->stop();
}

void MessageLogStore::consume(const QList<Gateway::GatewayEvent> &events)
{
    m_sink->consume(events);
}

bool MessageLogStore::flush()
{
    return m_sink->flush();
}

} // namespace Gatehouse::Analytics
