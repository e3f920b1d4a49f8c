// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/sizelimitpolicy.h"

namespace Gatehouse::Policies {

using Gateway::Direction;
using Gateway::MessageVerdict;

SizeLimitPolicy::Settings SizeLimitPolicy::parse(PolicyConfig &config)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"), QStringLiteral("maxSize"),
                      QStringLiteral("clientToBackend"), QStringLiteral("backendToClient")});
    Settings s;
    if (config.has(QStringLiteral("maxSize"))) {
        const qint64 both = config.byteSize(QStringLiteral("maxSize"), 0);
        s.clientToBackend = both;
        s.backendToClient = both;
    }
    s.clientToBackend = config.byteSize(QStringLiteral("clientToBackend"), s.clientToBackend);
    s.backendToClient = config.byteSize(QStringLiteral("backendToClient"), s.backendToClient);
    return s;
}

SizeLimitPolicy::SizeLimitPolicy()
    : SizeLimitPolicy(Settings())
{ }

SizeLimitPolicy::SizeLimitPolicy(const Settings &settings)
    : m_settings(settings)
{ }

qint64 SizeLimitPolicy::maxMessageSize(Direction direction) const
{
    const qint64 limit = direction == Direction::ClientToBackend ? m_settings.clientToBackend
                                                                 : m_settings.backendToClient;
    return limit > 0 ? limit : -1;
}

MessageVerdict SizeLimitPolicy::process(const Gateway::ConnectionContext &context,
                                        Gateway::RelayMessage &message)
{
    Q_UNUSED(context);
    const qint64 limit = maxMessageSize(message.direction);
    if (limit >= 0 && message.payload.size() > limit)
        return tooBig(message.direction, message.payload.size(), limit);
    return MessageVerdict::forward();
}

MessageVerdict SizeLimitPolicy::tooBig(Direction direction, qint64 size, qint64 limit)
{
    const QString why
        = QStringLiteral("message of %1 bytes exceeds the limit of %2 bytes").arg(size).arg(limit);
    const QString goingAway = QStringLiteral("peer sent a message that was too big");
    MessageVerdict v = direction == Direction::ClientToBackend
        ? MessageVerdict::close(1009, QStringLiteral("Message too big"), 1001, goingAway)
        : MessageVerdict::close(1001, goingAway, 1009, QStringLiteral("Message too big"));
    v.reason = why;
    return v;
}

} // namespace Gatehouse::Policies
