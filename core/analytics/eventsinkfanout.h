// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayeventsink.h"

#include <QList>

#include <memory>

namespace Gatehouse::Analytics {

// Hands every batch to several sinks (the SQLite log, a JSON Lines file, the
// metrics). Add sinks before the gateway starts; consume() is thread-safe as long
// as the sinks are.
class EventSinkFanOut final : public Gateway::GatewayEventSink
{
public:
    void addSink(std::shared_ptr<Gateway::GatewayEventSink> sink);
    qsizetype size() const { return m_sinks.size(); }
    void consume(const QList<Gateway::GatewayEvent> &events) override;

private:
    QList<std::shared_ptr<Gateway::GatewayEventSink>> m_sinks;
};

} // namespace Gatehouse::Analytics
