// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse::Credentials {

// A client program registered with Gatehouse (WSO2: "application"): the owner of
// subscriptions and credentials.
struct Application
{
    QString id; // stable id, e.g. app_3f9a1c2b7d4e
    QString name; // unique, what the user types on the command line
    QString description;
    qint64 createdMs = 0; // ms since the epoch, UTC
    friend bool operator==(const Application &, const Application &) = default;
};

} // namespace Gatehouse::Credentials
