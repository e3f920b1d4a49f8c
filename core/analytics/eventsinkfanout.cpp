// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/eventsinkfanout.h"

namespace Gatehouse::Analytics {

void EventSinkFanOut::addSink(std::shared_ptr<Gateway::GatewayEventSink> sink)
{
    if (sink)
        m_sinks.append(std::move(sink));
}

void EventSinkFanOut::consume(const QList<Gateway::GatewayEvent> &events)
{
    for (const auto &sink : m_sinks)
        sink->consume(events);
}

} // namespace Gatehouse::Analytics
