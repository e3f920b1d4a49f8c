// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/payloadloggrants.h"

#include <QDateTime>

namespace Gatehouse::Gateway {

QString PayloadLogGrants::Grant::describe() const
{
    QString text = api;
    if (!channel.isEmpty())
        text += u' ' + channel;
    if (!application.isEmpty())
        text += QStringLiteral(" application ") + application;
    return text;
}

QString PayloadLogGrants::Grant::sampleText() const
{
    return sample > 1 ? QStringLiteral(", one message in %1").arg(sample) : QString();
}

qint64 PayloadLogGrants::steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

quint64 PayloadLogGrants::grant(const QString &api, const QString &channel,
                                const QString &application, std::chrono::milliseconds duration,
                                int sample)
{
    const qint64 nowNs = steadyNowNs();
    Grant g;
    g.sample = std::max(1, sample);
    g.api = api;
    g.channel = channel;
    g.application = application;
    g.untilMs = QDateTime::currentMSecsSinceEpoch() + duration.count();
    g.untilNs = nowNs + std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
    std::lock_guard lock(m_mutex);
    prune(nowNs);
    m_grants.removeIf([&](const Grant &o) {
        return o.api == api && o.channel == channel && o.application == application;
    });
    g.id = m_nextId++;
    m_grants.append(g);
    m_generation.fetch_add(1, std::memory_order_release);
    return g.id;
}

bool PayloadLogGrants::revoke(quint64 id)
{
    std::lock_guard lock(m_mutex);
    prune(steadyNowNs());
    if (m_grants.removeIf([id](const Grant &g) { return g.id == id; }) == 0)
        return false;
    m_generation.fetch_add(1, std::memory_order_release);
    return true;
}

void PayloadLogGrants::revokeAll()
{
    std::lock_guard lock(m_mutex);
    if (m_grants.isEmpty())
        return;
    m_grants.clear();
    m_generation.fetch_add(1, std::memory_order_release);
}

QList<PayloadLogGrants::Grant> PayloadLogGrants::active() const
{
    const qint64 nowNs = steadyNowNs();
    std::lock_guard lock(m_mutex);
    QList<Grant> out;
    for (const Grant &g : m_grants)
        if (g.untilNs > nowNs)
            out.append(g);
    return out;
}

qint64 PayloadLogGrants::grantedUntilNs(const QString &api, const QString &channel,
                                        const QString &application, int *sample) const
{
    const qint64 nowNs = steadyNowNs();
    std::lock_guard lock(m_mutex);
    qint64 until = 0;
    int every = 0;
    for (const Grant &g : m_grants) {
        if (g.api == api && (g.channel.isEmpty() || g.channel == channel)
            && (g.application.isEmpty() || g.application == application)) {
            until = std::max(until, g.untilNs);
            if (g.untilNs > nowNs)
                every = every == 0 ? g.sample : std::min(every, g.sample);
        }
    }
    if (sample)
        *sample = std::max(1, every);
    return until;
}

void PayloadLogGrants::prune(qint64 nowNs)
{
    // ended grants change nothing for the relay (it compares the time): no new generation
    m_grants.removeIf([nowNs](const Grant &g) { return g.untilNs <= nowNs; });
}

} // namespace Gatehouse::Gateway
