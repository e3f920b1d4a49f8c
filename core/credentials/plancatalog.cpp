// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/plancatalog.h"

#include <limits>

namespace Gatehouse::Credentials {

const QList<Plan> &PlanCatalog::builtIn()
{
    static const QList<Plan> plans = {
        {QStringLiteral("AsyncUnlimited"), QStringLiteral("Allows unlimited events"), 0,
         Plan::Unit::Day, 0},
        {QStringLiteral("AsyncGold"), QStringLiteral("Allows 50000 events per day"), 50000,
         Plan::Unit::Day, 0},
        {QStringLiteral("AsyncSilver"), QStringLiteral("Allows 25000 events per day"), 25000,
         Plan::Unit::Day, 0},
        {QStringLiteral("AsyncBronze"), QStringLiteral("Allows 5000 events per day"), 5000,
         Plan::Unit::Day, 0},
    };
    return plans;
}

QList<Plan> PlanCatalog::merged(const QList<Plan> &documentPlans)
{
    QList<Plan> plans = builtIn();
    for (const Plan &p : documentPlans) {
        bool replaced = false;
        for (Plan &existing : plans) {
            if (existing.name.compare(p.name, Qt::CaseInsensitive) == 0) {
                existing = p;
                replaced = true;
                break;
            }
        }
        if (!replaced)
            plans.append(p);
    }
    return plans;
}

std::optional<Plan> PlanCatalog::find(const QString &name, const QList<Plan> &documentPlans)
{
    const QString wanted = name.trimmed();
    for (const Plan &p : merged(documentPlans))
        if (p.name.compare(wanted, Qt::CaseInsensitive) == 0)
            return p;
    return std::nullopt;
}

std::optional<Plan::Unit> PlanCatalog::unitFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("s") || n == QLatin1String("sec") || n == QLatin1String("second")
        || n == QLatin1String("seconds"))
        return Plan::Unit::Second;
    if (n == QLatin1String("m") || n == QLatin1String("min") || n == QLatin1String("minute")
        || n == QLatin1String("minutes"))
        return Plan::Unit::Minute;
    if (n == QLatin1String("h") || n == QLatin1String("hour") || n == QLatin1String("hours"))
        return Plan::Unit::Hour;
    if (n == QLatin1String("d") || n == QLatin1String("day") || n == QLatin1String("days"))
        return Plan::Unit::Day;
    return std::nullopt;
}

QString PlanCatalog::unitName(Plan::Unit unit)
{
    switch (unit) {
    case Plan::Unit::Second:
        return QStringLiteral("second");
    case Plan::Unit::Minute:
        return QStringLiteral("minute");
    case Plan::Unit::Hour:
        return QStringLiteral("hour");
    case Plan::Unit::Day:
        return QStringLiteral("day");
    }
    return QStringLiteral("day");
}

std::optional<Plan> PlanCatalog::parseLimit(const QString &name, const QString &limit,
                                            QString *error)
{
    const QString text = limit.trimmed();
    Plan plan;
    plan.name = name;
    if (text.compare(QLatin1String("unlimited"), Qt::CaseInsensitive) == 0) {
        plan.description = QStringLiteral("Allows unlimited events");
        return plan;
    }
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    bool ok = false;
    const quint64 events = slash > 0 ? text.left(slash).trimmed().toULongLong(&ok) : 0;
    const auto unit = slash > 0 ? unitFromName(text.mid(slash + 1)) : std::nullopt;
    if (!ok || events == 0 || !unit) {
        if (error)
            *error = QStringLiteral("invalid limit '%1': expected EVENTS/UNIT with a positive "
                                    "number and a unit of second, minute, hour or day "
                                    "(e.g. 100/minute), or 'unlimited'")
                         .arg(limit);
        return std::nullopt;
    }
    plan.events = events;
    plan.unit = *unit;
    plan.description = QStringLiteral("Allows %1 events per %2").arg(events).arg(unitName(*unit));
    return plan;
}

QString PlanCatalog::describeLimit(const Plan &plan)
{
    QString text = plan.events == 0
        ? QStringLiteral("unlimited")
        : QStringLiteral("%1/%2").arg(plan.events).arg(unitName(plan.unit));
    if (plan.maxConnections > 0)
        text += QStringLiteral(", %1 connections").arg(plan.maxConnections);
    return text;
}

qint64 PlanCatalog::windowLengthMs(Plan::Unit unit)
{
    switch (unit) {
    case Plan::Unit::Second:
        return 1000;
    case Plan::Unit::Minute:
        return 60 * 1000;
    case Plan::Unit::Hour:
        return 60 * 60 * 1000;
    case Plan::Unit::Day:
        return 24 * 60 * 60 * 1000;
    }
    return 24 * 60 * 60 * 1000;
}

} // namespace Gatehouse::Credentials
