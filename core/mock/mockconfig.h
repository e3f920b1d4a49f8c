// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "mock/scenario.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gatehouse {

// The mock backend settings of an API: x-gatehouse.mock, read into typed fields.
struct MockConfig
{
    enum class Kind { Echo, Broadcast, Chat, Examples };

    std::optional<Kind> kind; // absent: chosen from the API (examples when it has any)
    quint32 seed = 1; // generated values repeat from run to run
    QString listen; // host:port; empty: the x-gatehouse endpoint

    // broadcast
    bool serverTime = false; // send the server time to every client
    int serverTimeIntervalMs = 1000;

    // chat: backend paths and texts ({room} is replaced by the room name)
    QString notificationsPath = QStringLiteral("/notifications");
    QString roomPath = QStringLiteral("/rooms?room={room}");
    QString subscribedText = QStringLiteral("Subscribed to notifications!");
    QString joinedText = QStringLiteral("You joined {room}!");
    QString someoneJoinedText = QStringLiteral("Someone joined {room}!");

    // examples: how often each channel pushes (channel id or address -> ms;
    // 0 = once, on connect)
    int defaultIntervalMs = 1000;
    QHash<QString, int> channelIntervals;
    // examples: channels that send generated values even when there are examples
    QStringList generatedChannels;

    // scenario scripts by channel id or address
    QHash<QString, Scenario> scenarios;

    int intervalFor(const QString &channelId, const QString &address) const;
    bool generates(const QString &channelId, const QString &address) const;
    const Scenario *scenarioFor(const QString &channelId, const QString &address) const;

    // Reads x-gatehouse.mock (null gives the defaults). Problems are appended to
    // `errors` as "x-gatehouse.mock.KEY: what is wrong".
    static MockConfig fromJson(const Json &mock, QStringList *errors);

    static std::optional<Kind> kindFromString(const QString &name);
    static QString kindName(Kind kind);
};

} // namespace Gatehouse
