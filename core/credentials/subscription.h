// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/plan.h"

#include <QString>

namespace Gatehouse::Credentials {

// An application's subscription to one API (title + version) with a throttling
// plan. The plan's definition is recorded at subscribe time (built-in or from the
// document's x-gatehouse plans), so the registry can answer without the document.
struct Subscription
{
    QString id; // e.g. sub_0a1b2c3d4e5f
    QString applicationId;
    QString apiTitle;
    QString apiVersion;
    Plan plan;
    bool blocked = false; // a blocked subscription admits no connection (403)
    qint64 createdMs = 0;

    QString apiKey() const { return apiTitle + QLatin1Char(':') + apiVersion; }
    friend bool operator==(const Subscription &, const Subscription &) = default;
};

} // namespace Gatehouse::Credentials
