// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connectioncontext.h"
#include "gateway/payloadloggrants.h"

namespace Gatehouse::Gateway {

// Whether the gateway attaches a relayed message's payload to its log event, for one
// connection: the log policy's `payloads` with its `sample` (one message in N of the
// connection, both directions counted together, the first one kept), or a grant of
// PayloadLogGrants that covers the connection and has not ended (with its own sample,
// counted apart). Lives in the
// connection's session; bytesFor() runs for every relayed message (a few loads and
// compares, and nothing at all when the gateway keeps no log).
class PayloadLogDecision final
{
public:
    struct Settings
    {
        qint64 policyBytes = 0; // what the policies attach (0: none, -1: all)
        int sample = 1; // one message in this many
        qint64 grantedBytes = PayloadLogGrants::DefaultPayloadBytes; // while granted (-1: all)
    };

    PayloadLogDecision() = default;
    // `grants` (may be null) and `context` outlive this; the context's API, channel
    // and application are matched against the grants.
    void setUp(const Settings &settings, const PayloadLogGrants *grants,
               const ConnectionContext *context);

    // How many payload bytes to attach to this message's event: 0 none, -1 all.
    qint64 bytesFor(qint64 nowNs)
    {
        if (m_settings.policyBytes != 0) {
            if (--m_countdown <= 0) {
                m_countdown = m_settings.sample;
                return m_settings.policyBytes;
            }
        }
        if (m_grants) {
            if (m_grants->generation() != m_generation)
                refresh();
            if (nowNs < m_grantedUntilNs && --m_grantCountdown <= 0) {
                m_grantCountdown = m_grantSample;
                return m_settings.grantedBytes;
            }
        }
        return 0;
    }
    // True when no message can get a payload (no policy asks, no grants to ask).
    bool never() const { return m_settings.policyBytes == 0 && !m_grants; }

private:
    void refresh();

    Settings m_settings;
    int m_countdown = 1; // messages until the next sampled one (1: this one)
    const PayloadLogGrants *m_grants = nullptr;
    quint64 m_generation = 0;
    qint64 m_grantedUntilNs = 0;
    int m_grantSample = 1; // one message in this many while granted
    int m_grantCountdown = 1;
    const ConnectionContext *m_context = nullptr;
};

} // namespace Gatehouse::Gateway
