// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/gatewaymetrics.h"

#include <QList>
#include <QString>

namespace Gatehouse::Analytics {

// The metrics' history: one-minute rows (GatewayMetrics::takeMinutes) in the
// message log's database, table metrics_minutes, kept for 30 days by default
// (LogRetention::Options::historyMaxAgeMs). The dashboard draws its long windows,
// and whatever lies before the app's start, from these rows.
//
// A minute may have more than one row for the same API, channel and application
// (a run stopped within it writes what it had, the next run the rest): rows are
// only ever added, and read back summed.
class MetricsHistory final
{
public:
    struct Query
    {
        qint64 fromMs = 0; // steps [fromMs, fromMs + stepMs), ... up to toMs
        qint64 toMs = 0;
        qint64 stepMs = 60000;
        MetricsScope scope; // what is counted (every API, channel and application)
        // The history is read up to here (-1: toMs): a step reaching past it has its
        // rates over its part before it, and ends there; later steps are left out.
        // For a history still being written: its current minute is not in it yet.
        qint64 coveredToMs = -1;
    };

    // Adds the rows (creating the table when missing), in one transaction; false
    // with a one-line error naming the file.
    static bool write(const QString &path, const QList<GatewayMetrics::Minute> &rows,
                      QString *error);
    // An alert raised or cleared (AlertMonitor's), kept in table metrics_alerts for
    // as long as the history: the dashboard marks its charts where alerts happened
    // after a restart too.
    struct AlertMark
    {
        qint64 timeMs = 0;
        QString api; // the API's key (context/version)
        int measure = -1; // AlertMonitor::Measure
        bool raised = true; // false: cleared
        QString text;
    };
    static bool writeAlerts(const QString &path, const QList<AlertMark> &alerts, QString *error);
    // The alerts of [fromMs, toMs], oldest first; the newest `limit` of them when
    // there are more. A file without any gives none; one that cannot be read, an error.
    static QList<AlertMark> readAlerts(const QString &path, qint64 fromMs, qint64 toMs,
                                       QString *error, int limit = 1000);

    // The steps of the query as chart points (GatewayMetrics::timeline's): counts
    // of a minute that spans steps are shared among them by time, connections open
    // are the most open in the step. A file without history gives zeros; a file that
    // cannot be read, an error.
    static QList<GatewayMetrics::Point> read(const QString &path, const Query &query,
                                             QString *error);
};

} // namespace Gatehouse::Analytics
