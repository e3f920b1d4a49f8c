// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/messagepolicy.h"
#include "policy/payloadmasker.h"
#include "policy/policyconfig.h"

namespace Gatehouse::Policies {

// Log invocation settings of an API or channel: whether message payloads go into
// the log, how much of each, and what to mask there. It never changes a message;
// the gateway reads it (PolicyFactory::logPolicy()) to decide whether to attach
// payloads to its events, and log sinks call logPayload() on their own thread.
class LogPolicy final : public Gateway::MessagePolicy
{
public:
    struct Settings
    {
        bool payloads = false;
        qint64 maxPayloadSize = 4096; // bytes kept per payload
        // With payloads on: keep one payload in this many, counted per connection over
        // both directions (its 1st, (N+1)th, (2N+1)th ... message); 1: every one.
        int sample = 1;
        PayloadMasker::Settings masking;
    };

    static Settings parse(PolicyConfig &config);

    LogPolicy();
    explicit LogPolicy(const Settings &settings);

    const Settings &settings() const { return m_settings; }
    bool logsPayloads() const { return m_settings.payloads; }

    // What the log keeps of a payload: masked, then cut at maxPayloadSize bytes
    // (on a UTF-8 character boundary for text). Empty when payloads are off.
    QByteArray logPayload(const QByteArray &payload, bool binary) const;
    // Masked and cut, whether or not payloads are switched on here (for payloads the
    // gateway attached because of another setting).
    QByteArray maskedPayload(const QByteArray &payload, bool binary) const;
    static QByteArray truncate(const QByteArray &payload, qint64 maxSize, bool binary);

    QString name() const override { return QStringLiteral("log"); }
    Gateway::MessageVerdict process(const Gateway::ConnectionContext &context,
                                    Gateway::RelayMessage &message) override;
    bool forwardsEverything(const Gateway::ConnectionContext &context) override
    {
        Q_UNUSED(context);
        return true; // what it logs is taken from the events, not per message here
    }
    // With payloads on: the gateway attaches the first bytes of each payload; more
    // than are kept when masking is configured, so masks see whole fields.
    qint64 eventPayloadBytes() const override;
    int payloadSample() const override { return m_settings.payloads ? m_settings.sample : 1; }
    // While payload logging is granted at run time (PayloadLogGrants): what
    // eventPayloadBytes() would be with payloads on.
    qint64 grantedPayloadBytes() const override;

private:
    Settings m_settings;
    PayloadMasker m_masker;
};

} // namespace Gatehouse::Policies
