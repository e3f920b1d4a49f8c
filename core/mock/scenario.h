// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Gatehouse {

// One step of a mock scenario script (x-gatehouse.mock.scenarios).
struct ScenarioStep
{
    enum class Type { Wait, Send, Expect, Close };

    Type type = Type::Wait;
    int milliseconds = 0; // Wait: how long; Expect: how long to wait for the message
    Json value; // Send: a string (sent as is) or any JSON (sent as JSON text);
                // Expect: the JsonPattern to match
    bool binary = false; // Send: value is base64, sent as a binary frame
    int closeCode = 1000; // Close
    QString reason; // Close
    friend bool operator==(const ScenarioStep &, const ScenarioStep &) = default;
};

// An ordered script run on every connection to a channel: wait, send, expect, close.
struct Scenario
{
    QList<ScenarioStep> steps;
    bool repeat = false; // start again after the last step
    friend bool operator==(const Scenario &, const Scenario &) = default;

    // Reads a scenario written as a list of steps or as {steps: [...], repeat: bool}.
    // Problems are appended to `errors` as "WHERE: what" with `where` as prefix.
    static Scenario fromJson(const Json &json, const QString &where, QStringList *errors);
};

} // namespace Gatehouse
