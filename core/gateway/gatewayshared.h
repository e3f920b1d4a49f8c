// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/gatewayeventsink.h"
#include "gateway/gatewayoptions.h"
#include "gateway/payloadloggrants.h"
#include "gateway/router.h"

#include <QList>
#include <QMutex>
#include <QMutexLocker>
#include <QSslConfiguration>

#include <atomic>
#include <memory>

namespace Gatehouse::Gateway {

// State of one gateway run that all workers share. Fixed for the
// run except the router (swapped on reload, under the mutex) and the counters.
struct GatewayShared
{
    GatewayOptions options;
    QList<ListenerConfig> listeners;
    QList<QSslConfiguration> tls; // per listener; null configuration for ws listeners
    QList<std::shared_ptr<GatewayEventSink>> sinks;
    std::shared_ptr<PayloadLogGrants> payloadLogGrants; // never null

    std::atomic<quint64> nextConnectionId {1};
    std::atomic<int> openConnections {0};
    std::atomic<int> pendingHandshakes {0};

    std::shared_ptr<const Router> router() const
    {
        QMutexLocker lock(&m_mutex);
        return m_router;
    }
    void setRouter(std::shared_ptr<const Router> router)
    {
        QMutexLocker lock(&m_mutex);
        m_router = std::move(router);
    }

private:
    mutable QMutex m_mutex;
    std::shared_ptr<const Router> m_router;
};

} // namespace Gatehouse::Gateway
