// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/transformpolicy.h"

namespace Gatehouse::Policies {

TransformPolicy::Settings TransformPolicy::parse(PolicyConfig &config)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"),
                      QStringLiteral("clientToBackend"), QStringLiteral("backendToClient")});
    Settings s;
    s.clientToBackend = MessageTransform::parse(config, QStringLiteral("clientToBackend"));
    s.backendToClient = MessageTransform::parse(config, QStringLiteral("backendToClient"));
    if (config.ok() && s.clientToBackend.isEmpty() && s.backendToClient.isEmpty())
        config.fail(QString(),
                    QStringLiteral("a transform needs clientToBackend or backendToClient steps"));
    return s;
}

TransformPolicy::TransformPolicy(const Settings &settings)
    : m_settings(settings)
{ }

Gateway::MessageVerdict TransformPolicy::process(const Gateway::ConnectionContext &context,
                                                 Gateway::RelayMessage &message)
{
    Q_UNUSED(context);
    if (message.binary)
        return Gateway::MessageVerdict::forward();
    const MessageTransform &t = message.direction == Gateway::Direction::ClientToBackend
        ? m_settings.clientToBackend
        : m_settings.backendToClient;
    t.apply(message.payload);
    return Gateway::MessageVerdict::forward();
}

} // namespace Gatehouse::Policies
