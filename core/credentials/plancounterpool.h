// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"
#include "credentials/plancounter.h"

#include <QHash>
#include <QString>

#include <memory>
#include <mutex>

namespace Gatehouse::Credentials {

// One PlanCounter per key (usually the subscription id), shared by every gateway
// worker thread. Thread-safe. When a key's plan changes (re-subscribed with another
// plan), the next counterFor() returns a fresh counter for the new plan; holders of
// the old counter keep a valid object.
class PlanCounterPool final
{
public:
    PlanCounterPool() = default;
    Q_DISABLE_COPY_MOVE(PlanCounterPool)

    std::shared_ptr<PlanCounter> counterFor(const QString &key, const Plan &plan);
    void remove(const QString &key);
    void clear();
    int size() const;

private:
    mutable std::mutex m_mutex;
    QHash<QString, std::shared_ptr<PlanCounter>> m_counters;
};

} // namespace Gatehouse::Credentials
