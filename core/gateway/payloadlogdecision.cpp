// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/payloadlogdecision.h"

#include "api/api.h"

namespace Gatehouse::Gateway {

void PayloadLogDecision::setUp(const Settings &settings, const PayloadLogGrants *grants,
                               const ConnectionContext *context)
{
    m_settings = settings;
    m_settings.sample = std::max(1, settings.sample);
    m_countdown = 1;
    m_grants = grants;
    m_context = context;
    m_generation = 0;
    m_grantedUntilNs = 0;
    if (m_grants)
        refresh();
}

void PayloadLogDecision::refresh()
{
    // the generation first: a grant made while we look is seen at the next message
    m_generation = m_grants->generation();
    const RouteMatch &route = m_context->route;
    int sample = 1;
    m_grantedUntilNs
        = m_grants->grantedUntilNs(route.apiKey, route.channel ? route.channel->address : QString(),
                                   m_context->identity.applicationId, &sample);
    if (sample != m_grantSample) {
        m_grantSample = sample;
        m_grantCountdown = 1; // the next message is kept
    }
}

} // namespace Gatehouse::Gateway
