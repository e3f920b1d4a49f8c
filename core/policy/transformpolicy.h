// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/messagepolicy.h"
#include "policy/messagetransform.h"
#include "policy/policyconfig.h"

namespace Gatehouse::Policies {

// Transformation without code: one MessageTransform per direction, applied to
// text messages on their way through the gateway.
class TransformPolicy final : public Gateway::MessagePolicy
{
public:
    struct Settings
    {
        MessageTransform clientToBackend;
        MessageTransform backendToClient;
    };

    static Settings parse(PolicyConfig &config);

    explicit TransformPolicy(const Settings &settings);

    QString name() const override { return QStringLiteral("transform"); }
    bool readsPayload() const override { return true; }
    Gateway::MessageVerdict process(const Gateway::ConnectionContext &context,
                                    Gateway::RelayMessage &message) override;

private:
    Settings m_settings;
};

} // namespace Gatehouse::Policies
