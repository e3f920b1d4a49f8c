// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/plancounterpool.h"

namespace Gatehouse::Credentials {

std::shared_ptr<PlanCounter> PlanCounterPool::counterFor(const QString &key, const Plan &plan)
{
    std::lock_guard lock(m_mutex);
    auto it = m_counters.find(key);
    if (it != m_counters.end() && it.value()->plan() == plan)
        return it.value();
    auto counter = std::make_shared<PlanCounter>(plan);
    m_counters.insert(key, counter);
    return counter;
}

void PlanCounterPool::remove(const QString &key)
{
    std::lock_guard lock(m_mutex);
    m_counters.remove(key);
}

void PlanCounterPool::clear()
{
    std::lock_guard lock(m_mutex);
    m_counters.clear();
}

int PlanCounterPool::size() const
{
    std::lock_guard lock(m_mutex);
    return int(m_counters.size());
}

} // namespace Gatehouse::Credentials
