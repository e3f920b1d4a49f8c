// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "asyncapi/jsonschemavalidator.h"
#include "gateway/messagepolicy.h"
#include "policy/policyconfig.h"

#include <QList>

#include <atomic>
#include <memory>

namespace Gatehouse::Policies {

// Validates message payloads against the channel's AsyncAPI message schemas. A
// message must match at least one message of its direction: client->backend
// messages are those of the channel's receive operations (2.x `publish`), and
// backend->client those of its send operations (2.x `subscribe`); without
// operations, every message of the channel. Schemas are compiled once.
//
// JSON content types (application/json, +json, or none given) are parsed as JSON;
// other text content types are validated as a JSON string. Binary messages are
// checked only against JSON messages.
//
// Modes: monitor (default) forwards everything and reports a mismatch in the
// verdict's reason; reject closes with 1007 (sender) / 1001 (other side); drop
// discards the message and sends the sender an error frame
//   {"error":4007,"reason":"Payload does not match the schema: ..."}
class PayloadValidationPolicy final : public Gateway::MessagePolicy
{
public:
    enum class Mode { Monitor, Reject, Drop };

    struct Settings
    {
        Mode mode = Mode::Monitor;
        int maxErrors = 3; // problems quoted in a reason
    };

    static Settings parse(PolicyConfig &config);

    // Builds the validators for `channel`; `error` gets schema compile errors.
    PayloadValidationPolicy(const Settings &settings, const Api &api, const Channel &channel,
                            QString *error = nullptr);

    QString name() const override { return QStringLiteral("validatePayload"); }
    bool readsPayload() const override { return true; }
    Gateway::MessageVerdict process(const Gateway::ConnectionContext &context,
                                    Gateway::RelayMessage &message) override;

    // Why `payload` matches none of the direction's messages; empty when it matches one.
    QString check(Gateway::Direction direction, const QByteArray &payload, bool binary) const;

    qint64 violations() const { return m_violations.load(std::memory_order_relaxed); }
    int schemaCount(Gateway::Direction direction) const;

private:
    struct Candidate
    {
        QString messageId;
        bool json = true;
        std::shared_ptr<const JsonSchemaValidator> validator;
    };

    Settings m_settings;
    QList<Candidate> m_in;
    QList<Candidate> m_out;
    std::atomic<qint64> m_violations {0};
    std::atomic<qint64> m_lastWarningMs {0}; // monitor mode warns at most once a second
    std::atomic<qint64> m_unreported {0};
};

} // namespace Gatehouse::Policies
