// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse {

// A throttling plan: events (WebSocket messages, both directions) per time unit,
// plus an optional cap on concurrent connections.
struct Plan
{
    enum class Unit { Second, Minute, Hour, Day };

    QString name;
    QString description;
    quint64 events = 0; // 0 = unlimited
    Unit unit = Unit::Day;
    int maxConnections = 0; // 0 = no cap
    friend bool operator==(const Plan &, const Plan &) = default;
};

} // namespace Gatehouse
