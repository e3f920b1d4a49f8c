// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime/eventline.h"

namespace Gatehouse {

using Gateway::GatewayEvent;

QString eventLine(const GatewayEvent &e)
{
    const GatewayEvent::Details &d = e.details();
    const QString id = u'#' + QString::number(e.connectionId);
    const QString app
        = d.application.isEmpty() ? QString() : QStringLiteral(" app=") + d.application;
    switch (e.type) {
    case GatewayEvent::Type::ConnectionOpened:
        return QStringLiteral("accepted %1 %2 %3 -> %4%5")
            .arg(id, d.clientAddress, d.path, d.backendUrl, app);
    case GatewayEvent::Type::ConnectionRejected:
        return QStringLiteral("rejected %1 %2 %3 %4 %5%6")
            .arg(id, d.clientAddress, d.path.isEmpty() ? QStringLiteral("-") : d.path,
                 e.status ? QString::number(e.status) : QStringLiteral("(no answer)"), e.reason,
                 app);
    case GatewayEvent::Type::Throttled:
        return QStringLiteral("throttled %1 %2%3").arg(id, e.reason, app);
    case GatewayEvent::Type::ConnectionClosed:
        return QStringLiteral("closed %1 %2%3 by %4 (%5 in, %6 out, %7 ms)%8")
            .arg(id, QString::number(e.closeCode),
                 e.closeReason.isEmpty() ? QString() : QStringLiteral(" '%1'").arg(e.closeReason),
                 Gateway::toString(e.closedBy), QString::number(e.messagesIn),
                 QString::number(e.messagesOut), QString::number(e.durationMs), app);
    case GatewayEvent::Type::MessageRelayed:
    case GatewayEvent::Type::MessageDropped:
    case GatewayEvent::Type::PingForwarded:
    case GatewayEvent::Type::MessageRun:
        break;
    }
    return {};
}

EventLineSink::EventLineSink(qsizetype capacity)
    : m_capacity(qMax<qsizetype>(1, capacity))
{ }

void EventLineSink::consume(const QList<GatewayEvent> &events)
{
    QStringList lines;
    for (const GatewayEvent &e : events)
        if (QString line = eventLine(e); !line.isEmpty())
            lines.append(std::move(line));
    if (lines.isEmpty())
        return;
    QMutexLocker lock(&m_mutex);
    m_lines.append(lines);
    if (const qsizetype over = m_lines.size() - m_capacity; over > 0) {
        m_lines.remove(0, over);
        m_dropped += over;
    }
}

QStringList EventLineSink::takeLines(qsizetype *dropped)
{
    QMutexLocker lock(&m_mutex);
    if (dropped)
        *dropped = m_dropped;
    m_dropped = 0;
    return std::exchange(m_lines, {});
}

} // namespace Gatehouse
