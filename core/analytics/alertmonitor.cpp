// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/alertmonitor.h"

#include "analytics/gatewaymetrics.h"

#include <algorithm>
#include <cmath>

namespace Gatehouse::Analytics {

namespace {

constexpr double ClearBelow = 0.9; // of the threshold: the hysteresis

QString number(double v)
{
    if (v == std::floor(v) && std::abs(v) < 1e15)
        return QString::number(qint64(v));
    return QString::number(v, 'f', v < 10 ? 2 : 1);
}

} // namespace

QString toString(AlertMonitor::Measure measure)
{
    switch (measure) {
    case AlertMonitor::Measure::Rejections:
        return QStringLiteral("rejections");
    case AlertMonitor::Measure::Throttling:
        return QStringLiteral("throttling");
    case AlertMonitor::Measure::RelayP99:
        return QStringLiteral("relay p99");
    case AlertMonitor::Measure::OpenConnections:
        break;
    }
    return QStringLiteral("open connections");
}

bool AlertThresholds::fromJson(const Json &alerts, AlertThresholds *out, QString *error)
{
    AlertThresholds t;
    if (alerts.is_null()) {
        *out = t;
        return true;
    }
    if (!alerts.is_object()) {
        *error = QStringLiteral("x-gatehouse.alerts must be an object");
        return false;
    }
    struct Field
    {
        const char *name;
        double *value;
    };
    double open = 0;
    const Field fields[] = {{"rejectedPerSecond", &t.rejectedPerSecond},
                            {"throttledPerSecond", &t.throttledPerSecond},
                            {"relayP99Us", &t.relayP99Us},
                            {"openConnections", &open}};
    for (const Field &f : fields) {
        if (!alerts.contains(f.name))
            continue;
        const Json &v = alerts[f.name];
        if (!v.is_number() || v.get<double>() < 0) {
            *error = QStringLiteral("x-gatehouse.alerts.%1 must be a number, 0 or more")
                         .arg(QLatin1String(f.name));
            return false;
        }
        *f.value = v.get<double>();
    }
    t.openConnections = qint64(std::ceil(open));
    *out = t;
    return true;
}

QString AlertMonitor::Alert::text() const
{
    QString what;
    switch (measure) {
    case Measure::Rejections:
        what = QStringLiteral("%1 rejections/s over the last minute").arg(number(value));
        break;
    case Measure::Throttling:
        what = QStringLiteral("%1 throttled messages/s over the last minute").arg(number(value));
        break;
    case Measure::RelayP99:
        what = QStringLiteral("relay p99 %1 µs over the last minute").arg(number(value));
        break;
    case Measure::OpenConnections:
        what = QStringLiteral("%1 connections open").arg(number(value));
        break;
    }
    return QStringLiteral("%1: %2: %3 (threshold %4)")
        .arg(raised ? QStringLiteral("alert") : QStringLiteral("alert cleared"), api, what,
             number(threshold));
}

AlertMonitor::AlertMonitor(qint64 windowMs)
    : m_windowMs(std::max<qint64>(1000, windowMs))
{ }

void AlertMonitor::setThresholds(const QHash<QString, AlertThresholds> &thresholds)
{
    for (auto it = m_states.begin(); it != m_states.end();) {
        if (thresholds.value(it.key()) != m_thresholds.value(it.key()))
            it = m_states.erase(it);
        else
            ++it;
    }
    m_thresholds = thresholds;
}

bool AlertMonitor::isRaised(const QString &api, Measure measure) const
{
    const auto it = m_states.constFind(api);
    return it != m_states.cend() && it->raised[int(measure)];
}

QList<AlertMonitor::Alert> AlertMonitor::evaluate(const QHash<QString, Totals> &totals,
                                                  qint64 nowMs)
{
    QList<Alert> out;
    for (auto t = m_thresholds.cbegin(); t != m_thresholds.cend(); ++t) {
        const AlertThresholds &limits = t.value();
        if (!limits.any())
            continue;
        State &state = m_states[t.key()];
        const Totals now = totals.value(t.key());
        state.samples.push_back({nowMs, now});
        while (state.samples.size() > 1 && state.samples.front().timeMs < nowMs - m_windowMs)
            state.samples.pop_front();
        const Sample &first = state.samples.front();
        // rates over the window seen so far (at least a second of it)
        const double seconds = std::max(1.0, double(nowMs - first.timeMs) / 1000.0);
        const bool span = state.samples.size() > 1;
        double values[4] = {0, 0, 0, double(now.open)};
        if (span) {
            values[0] = double(now.rejected - first.totals.rejected) / seconds;
            values[1] = double(now.throttled - first.totals.throttled) / seconds;
            const std::vector<double> &bounds = GatewayMetrics::relayBounds();
            std::vector<qint64> counts(now.relayBuckets.size(), 0);
            qint64 total = 0;
            for (size_t k = 0; k < counts.size(); ++k) {
                const qint64 before
                    = k < first.totals.relayBuckets.size() ? first.totals.relayBuckets[k] : 0;
                counts[k] = std::max<qint64>(0, now.relayBuckets[k] - before);
                total += counts[k];
            }
            if (total > 0) {
                const qint64 rank = std::max<qint64>(1, qint64(std::ceil(0.99 * double(total))));
                qint64 n = 0;
                for (size_t k = 0; k < counts.size(); ++k) {
                    n += counts[k];
                    if (n >= rank) {
                        values[2] = bounds[std::min(k, bounds.size() - 1)] * 1e6;
                        break;
                    }
                }
            }
        }
        const double limitOf[4] = {limits.rejectedPerSecond, limits.throttledPerSecond,
                                   limits.relayP99Us, double(limits.openConnections)};
        for (int m = 0; m < 4; ++m) {
            const double limit = limitOf[m];
            if (limit <= 0)
                continue;
            bool &raised = state.raised[m];
            const bool over = values[m] > limit;
            const bool under = values[m] < limit * ClearBelow;
            if ((!raised && over) || (raised && under)) {
                raised = !raised;
                out.append({nowMs, t.key(), Measure(m), raised, values[m], limit});
            }
        }
    }
    return out;
}

} // namespace Gatehouse::Analytics
