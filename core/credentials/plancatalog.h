// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"

#include <QList>
#include <QString>

#include <optional>

namespace Gatehouse::Credentials {

// The throttling plans a subscription can use: the built-in ones with WSO2's names
// and defaults (AsyncUnlimited, AsyncGold 50000/day, AsyncSilver 25000/day,
// AsyncBronze 5000/day) and the ones a document declares in x-gatehouse `plans`.
class PlanCatalog final
{
public:
    static const QList<Plan> &builtIn();

    // The built-in plans followed by `documentPlans` (a document plan with a
    // built-in's name replaces it in place).
    static QList<Plan> merged(const QList<Plan> &documentPlans);

    // Looks `name` up in merged(documentPlans); names compare case-insensitively.
    static std::optional<Plan> find(const QString &name, const QList<Plan> &documentPlans = {});

    // "second", "minute", "hour", "day" (also "s", "min", "h", "d", plural forms).
    static std::optional<Plan::Unit> unitFromName(const QString &name);
    static QString unitName(Plan::Unit unit);

    // Parses a custom limit "100/minute", "5000/day", "unlimited" into a plan named
    // `name`; nullopt with `error` set otherwise.
    static std::optional<Plan> parseLimit(const QString &name, const QString &limit,
                                          QString *error);

    // "50000/day", "unlimited", with ", 10 connections" when capped.
    static QString describeLimit(const Plan &plan);

    // Length of a plan window in ms (a day is 86 400 000: Unix time has no leap seconds).
    static qint64 windowLengthMs(Plan::Unit unit);
};

} // namespace Gatehouse::Credentials
