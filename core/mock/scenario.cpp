// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/scenario.h"

namespace Gatehouse {

namespace {

constexpr int DefaultExpectTimeoutMs = 10000;

bool readMilliseconds(const Json &value, int *out)
{
    if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 86400000.0)
        return false;
    *out = int(value.get<double>());
    return true;
}

} // namespace

Scenario Scenario::fromJson(const Json &json, const QString &where, QStringList *errors)
{
    Scenario scenario;
    const Json *steps = &json;
    if (json.is_object()) {
        if (json.contains("repeat")) {
            if (json["repeat"].is_boolean())
                scenario.repeat = json["repeat"].get<bool>();
            else
                errors->append(where + QStringLiteral(".repeat: must be true or false"));
        }
        if (!json.contains("steps")) {
            errors->append(where + QStringLiteral(": missing 'steps'"));
            return scenario;
        }
        steps = &json["steps"];
    }
    if (!steps->is_array()) {
        errors->append(where + QStringLiteral(": must be a list of steps"));
        return scenario;
    }
    int index = 0;
    for (const Json &item : *steps) {
        const QString at = QStringLiteral("%1[%2]").arg(where).arg(index++);
        if (!item.is_object()) {
            errors->append(at + QStringLiteral(": a step must be an object such as {wait: 500}"));
            continue;
        }
        ScenarioStep step;
        int kinds = 0;
        if (item.contains("wait")) {
            ++kinds;
            step.type = ScenarioStep::Type::Wait;
            if (!readMilliseconds(item["wait"], &step.milliseconds))
                errors->append(at + QStringLiteral(".wait: must be a number of milliseconds"));
        }
        if (item.contains("send")) {
            ++kinds;
            step.type = ScenarioStep::Type::Send;
            step.value = item["send"];
        }
        if (item.contains("sendBinary")) {
            ++kinds;
            step.type = ScenarioStep::Type::Send;
            step.binary = true;
            step.value = item["sendBinary"];
            if (!step.value.is_string())
                errors->append(at + QStringLiteral(".sendBinary: must be a base64 string"));
        }
        if (item.contains("expect")) {
            ++kinds;
            step.type = ScenarioStep::Type::Expect;
            step.value = item["expect"];
            step.milliseconds = DefaultExpectTimeoutMs;
            if (item.contains("timeout") && !readMilliseconds(item["timeout"], &step.milliseconds))
                errors->append(at + QStringLiteral(".timeout: must be a number of milliseconds"));
        }
        if (item.contains("close")) {
            ++kinds;
            step.type = ScenarioStep::Type::Close;
            const Json &code = item["close"];
            if (code.is_number_integer()) {
                step.closeCode = code.get<int>();
                // 1004-1006 and 1015 are reserved: never sent in a close frame
                const int c = step.closeCode;
                const bool sendable = (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014)
                    || (c >= 3000 && c <= 4999);
                if (!sendable)
                    errors->append(
                        at
                        + QStringLiteral(".close: %1 is not a close code a server may send")
                              .arg(step.closeCode));
            } else if (!code.is_boolean() && !code.is_null()) {
                errors->append(at + QStringLiteral(".close: must be a close code such as 1000"));
            }
            if (item.contains("reason")) {
                if (item["reason"].is_string())
                    step.reason = QString::fromStdString(item["reason"].get<std::string>());
                else
                    errors->append(at + QStringLiteral(".reason: must be text"));
            }
        }
        if (kinds != 1) {
            errors->append(at
                           + QStringLiteral(": a step needs exactly one of wait, send, sendBinary, "
                                            "expect, close"));
            continue;
        }
        scenario.steps.append(step);
    }
    return scenario;
}

} // namespace Gatehouse
