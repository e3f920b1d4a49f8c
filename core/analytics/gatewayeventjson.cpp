// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/gatewayeventjson.h"

#include <QDateTime>

namespace Gatehouse::Analytics {

using Gateway::GatewayEvent;

namespace {

void putString(Json &j, const char *key, const QString &value)
{
    if (!value.isEmpty())
        j[key] = toStdString(value);
}

QString getString(const Json &j, const char *key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? toQString(it->get<std::string>()) : QString();
}

qint64 getInt(const Json &j, const char *key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<qint64>() : 0;
}

} // namespace

Json GatewayEventJson::toJson(const GatewayEvent &e, const QByteArray &payload)
{
    Json j = Json::object();
    j["time"] = toStdString(
        QDateTime::fromMSecsSinceEpoch(e.timeMs, Qt::UTC).toString(Qt::ISODateWithMs));
    j["timeMs"] = e.timeMs;
    j["event"] = toStdString(Gateway::toString(e.type));
    if (e.connectionId != 0)
        j["connection"] = e.connectionId;
    const GatewayEvent::Details &details = e.details();
    putString(j, "api", details.api);
    putString(j, "apiTitle", details.apiTitle);
    putString(j, "channel", details.channel);
    putString(j, "path", details.path);
    putString(j, "application", details.application);
    putString(j, "client", details.clientAddress);
    putString(j, "backend", details.backendUrl);
    switch (e.type) {
    case GatewayEvent::Type::ConnectionOpened:
    case GatewayEvent::Type::ConnectionRejected:
        j["status"] = e.status;
        putString(j, "reason", e.reason);
        break;
    case GatewayEvent::Type::MessageRelayed:
    case GatewayEvent::Type::MessageDropped:
    case GatewayEvent::Type::Throttled:
    case GatewayEvent::Type::PingForwarded:
        j["direction"] = toStdString(Gateway::toString(e.direction));
        j["size"] = e.size;
        j["opcode"] = e.type == GatewayEvent::Type::PingForwarded ? "ping"
            : e.binary                                            ? "binary"
                                                                  : "text";
        if (e.type == GatewayEvent::Type::MessageRelayed)
            j["latencyUs"] = e.latencyUs;
        putString(j, "reason", e.reason);
        if (!payload.isEmpty()) {
            if (e.binary) {
                j["payload"] = payload.toBase64().toStdString();
                j["payloadEncoding"] = "base64";
            } else {
                j["payload"] = QString::fromUtf8(payload).toStdString();
            }
            if (payload.size() < e.size)
                j["payloadTruncated"] = true;
        }
        break;
    case GatewayEvent::Type::MessageRun: // written one message a line (Gateway::messages())
        j["count"] = e.recordCount;
        j["durationMs"] = e.durationMs;
        break;
    case GatewayEvent::Type::ConnectionClosed:
        j["code"] = e.closeCode;
        putString(j, "reason", e.closeReason);
        j["closedBy"] = toStdString(Gateway::toString(e.closedBy));
        j["messagesIn"] = e.messagesIn;
        j["messagesOut"] = e.messagesOut;
        j["durationMs"] = e.durationMs;
        break;
    }
    if (!details.flags.isEmpty()) {
        Json flags = Json::array();
        for (const QString &f : details.flags)
            flags.push_back(toStdString(f));
        j["flags"] = flags;
    }
    return j;
}

std::optional<GatewayEvent> GatewayEventJson::fromJson(const Json &j)
{
    if (!j.is_object())
        return std::nullopt;
    const QString type = getString(j, "event");
    GatewayEvent e;
    bool known = false;
    for (auto t : {GatewayEvent::Type::ConnectionOpened, GatewayEvent::Type::ConnectionRejected,
                   GatewayEvent::Type::MessageRelayed, GatewayEvent::Type::MessageDropped,
                   GatewayEvent::Type::Throttled, GatewayEvent::Type::ConnectionClosed,
                   GatewayEvent::Type::PingForwarded}) {
        if (Gateway::toString(t) == type) {
            e.type = t;
            known = true;
        }
    }
    if (!known)
        return std::nullopt;
    e.timeMs = getInt(j, "timeMs");
    e.connectionId = static_cast<quint64>(getInt(j, "connection"));
    GatewayEvent::Details &details = e.editDetails();
    details.api = getString(j, "api");
    details.apiTitle = getString(j, "apiTitle");
    details.channel = getString(j, "channel");
    details.path = getString(j, "path");
    details.application = getString(j, "application");
    details.clientAddress = getString(j, "client");
    details.backendUrl = getString(j, "backend");
    e.status = static_cast<int>(getInt(j, "status"));
    e.direction = getString(j, "direction") == u"out" ? Gateway::Direction::BackendToClient
                                                      : Gateway::Direction::ClientToBackend;
    e.size = getInt(j, "size");
    e.binary = getString(j, "opcode") == u"binary";
    e.latencyUs = getInt(j, "latencyUs");
    const QString payload = getString(j, "payload");
    e.payload = getString(j, "payloadEncoding") == u"base64"
        ? QByteArray::fromBase64(payload.toLatin1())
        : payload.toUtf8();
    if (e.type == GatewayEvent::Type::ConnectionClosed) {
        e.closeCode = static_cast<quint16>(getInt(j, "code"));
        e.closeReason = getString(j, "reason");
        const QString by = getString(j, "closedBy");
        e.closedBy = by == u"client" ? GatewayEvent::Party::Client
            : by == u"backend"       ? GatewayEvent::Party::Backend
                                     : GatewayEvent::Party::Gateway;
        e.messagesIn = getInt(j, "messagesIn");
        e.messagesOut = getInt(j, "messagesOut");
        e.durationMs = getInt(j, "durationMs");
    } else {
        e.reason = getString(j, "reason");
    }
    if (const auto flags = j.find("flags"); flags != j.end() && flags->is_array())
        for (const Json &f : *flags)
            if (f.is_string())
                details.flags.append(toQString(f.get<std::string>()));
    return e;
}

} // namespace Gatehouse::Analytics
