// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/messagepolicy.h"
#include "policy/policyconfig.h"

namespace Gatehouse::Policies {

// Caps the size of one message per direction. The gateway enforces the cap while
// it reassembles frames (maxMessageSize()); process() checks again for messages
// that reach the chain anyway. Over the cap the sender gets close 1009 (message
// too big) and the other side 1001 (going away).
class SizeLimitPolicy final : public Gateway::MessagePolicy
{
public:
    static constexpr qint64 DefaultClientToBackend = 1024 * 1024;
    static constexpr qint64 DefaultBackendToClient = 16 * 1024 * 1024;

    struct Settings
    {
        qint64 clientToBackend = DefaultClientToBackend; // bytes; 0 = no limit
        qint64 backendToClient = DefaultBackendToClient;
    };

    static Settings parse(PolicyConfig &config);

    SizeLimitPolicy();
    explicit SizeLimitPolicy(const Settings &settings);

    QString name() const override { return QStringLiteral("sizeLimit"); }
    qint64 maxMessageSize(Gateway::Direction direction) const override;
    Gateway::MessageVerdict process(const Gateway::ConnectionContext &context,
                                    Gateway::RelayMessage &message) override;
    // The relay enforces maxMessageSize() while it reads: nothing is left to check.
    bool forwardsEverything(const Gateway::ConnectionContext &context) override
    {
        Q_UNUSED(context);
        return true;
    }

    // The verdict for a message of `size` bytes that exceeded `limit` in `direction`.
    static Gateway::MessageVerdict tooBig(Gateway::Direction direction, qint64 size, qint64 limit);

private:
    Settings m_settings;
};

} // namespace Gatehouse::Policies
