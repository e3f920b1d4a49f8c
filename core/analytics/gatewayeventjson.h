// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "gateway/gatewayevent.h"

#include <optional>

namespace Gatehouse::Analytics {

// The JSON form of a gateway event, one object per line in the JSON Lines log:
//   {"time":"2026-01-02T10:00:00.123Z","timeMs":...,"event":"message","connection":7,
//    "api":"/chats/1.0.0","channel":"/rooms/{roomID}","direction":"in","size":5,...}
// Only the fields that apply to the event's type are written. Binary payloads are
// base64 with "payloadEncoding":"base64".
class GatewayEventJson final
{
public:
    static Json toJson(const Gateway::GatewayEvent &event, const QByteArray &payload);
    static Json toJson(const Gateway::GatewayEvent &event) { return toJson(event, event.payload); }
    // Reads what toJson() wrote; nullopt when `json` is not an event.
    static std::optional<Gateway::GatewayEvent> fromJson(const Json &json);
};

} // namespace Gatehouse::Analytics
