// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <vector>

namespace Gatehouse::Analytics {

// Alert thresholds of one API; 0 leaves a measure unwatched.
struct AlertThresholds
{
    double rejectedPerSecond = 0; // handshakes refused per second, over the last minute
    double throttledPerSecond = 0; // messages throttled per second, over the last minute
    double relayP99Us = 0; // p99 of the relay time over the last minute, microseconds
    qint64 openConnections = 0; // connections open now
    bool any() const
    {
        return rejectedPerSecond > 0 || throttledPerSecond > 0 || relayP99Us > 0
            || openConnections > 0;
    }
    friend bool operator==(const AlertThresholds &, const AlertThresholds &) = default;

    // x-gatehouse.alerts ({rejectedPerSecond, throttledPerSecond, relayP99Us,
    // openConnections}); false with a one-line error when a value is not a number >= 0.
    static bool fromJson(const Json &alerts, AlertThresholds *out, QString *error);
};

// Watches the thresholds of each API over its counts (GatewayMetrics::apiTotals),
// with hysteresis: an alert is raised once when a value goes over its threshold and
// cleared once when it is back under 90% of it. Pure logic over the times it is
// given: the caller evaluates about once a second.
class AlertMonitor final
{
public:
    enum class Measure { Rejections, Throttling, RelayP99, OpenConnections };

    // An API's counts since the metrics began (cumulative), and its open connections.
    struct Totals
    {
        qint64 rejected = 0;
        qint64 throttled = 0;
        qint64 open = 0;
        std::vector<qint64> relayBuckets; // per bucket of GatewayMetrics::relayBounds()
    };

    struct Alert
    {
        qint64 timeMs = 0;
        QString api;
        Measure measure = Measure::Rejections;
        bool raised = true; // false: cleared
        double value = 0;
        double threshold = 0;
        // "alert: /chats/1.0.0: 12.5 rejections/s over the last minute (threshold 5)",
        // "alert cleared: ..."
        QString text() const;
    };

    explicit AlertMonitor(qint64 windowMs = 60000);

    // Thresholds per API (its key, "/chats/1.0.0"); an API not named is not watched.
    // Changing them clears what was raised for the APIs that changed.
    void setThresholds(const QHash<QString, AlertThresholds> &thresholds);
    const QHash<QString, AlertThresholds> &thresholds() const { return m_thresholds; }

    // Takes the counts at `nowMs` and says which alerts were raised or cleared.
    QList<Alert> evaluate(const QHash<QString, Totals> &totals, qint64 nowMs);
    bool isRaised(const QString &api, Measure measure) const;

private:
    struct Sample
    {
        qint64 timeMs;
        Totals totals;
    };
    struct State
    {
        std::deque<Sample> samples; // the window's, oldest first
        bool raised[4] = {false, false, false, false};
    };
    qint64 m_windowMs;
    QHash<QString, AlertThresholds> m_thresholds;
    QHash<QString, State> m_states;
};

QString toString(AlertMonitor::Measure measure);

} // namespace Gatehouse::Analytics
