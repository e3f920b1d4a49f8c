// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logrecordjson.h"

#include <QDateTime>
#include <QSet>

namespace Gatehouse::Analytics {

QString kindName(const LogRecord &r)
{
    switch (r.kind) {
    case LogRecord::Kind::Handshake:
        return r.accepted ? QStringLiteral("opened") : QStringLiteral("rejected");
    case LogRecord::Kind::Message:
        return r.action == u"relayed" ? QStringLiteral("message") : r.action;
    case LogRecord::Kind::Close:
        break;
    }
    return QStringLiteral("closed");
}

QStringList kindNames()
{
    return {QStringLiteral("opened"),    QStringLiteral("rejected"),  QStringLiteral("message"),
            QStringLiteral("dropped"),   QStringLiteral("throttled"), QStringLiteral("closed"),
            QStringLiteral("handshake"), QStringLiteral("close")};
}

bool selectKinds(LogFilter *filter, const QStringList &names, QString *error)
{
    QSet<QString> wanted;
    for (const QString &raw : names) {
        const QString name = raw.trimmed().toLower();
        if (name == u"handshake")
            wanted << QStringLiteral("opened") << QStringLiteral("rejected");
        else if (name == u"close")
            wanted << QStringLiteral("closed");
        else if (kindNames().contains(name))
            wanted << name;
        else {
            if (error)
                *error = QStringLiteral("'%1' is not a kind: use %2")
                             .arg(raw, kindNames().join(QStringLiteral(", ")));
            return false;
        }
    }
    filter->kinds.clear();
    filter->handshakes = LogFilter::Handshakes::Any;
    filter->actions.clear();
    if (wanted.isEmpty())
        return true;
    const bool opened = wanted.contains(QStringLiteral("opened"));
    const bool rejected = wanted.contains(QStringLiteral("rejected"));
    if (opened || rejected)
        filter->kinds.append(LogRecord::Kind::Handshake);
    if (opened != rejected)
        filter->handshakes
            = opened ? LogFilter::Handshakes::Accepted : LogFilter::Handshakes::Rejected;
    const QList<QPair<QString, QString>> actions {
        {QStringLiteral("message"), QStringLiteral("relayed")},
        {QStringLiteral("dropped"), QStringLiteral("dropped")},
        {QStringLiteral("throttled"), QStringLiteral("throttled")}};
    for (const auto &[name, action] : actions)
        if (wanted.contains(name))
            filter->actions.append(action);
    if (!filter->actions.isEmpty())
        filter->kinds.append(LogRecord::Kind::Message);
    if (filter->actions.size() == actions.size())
        filter->actions.clear();
    if (wanted.contains(QStringLiteral("closed")))
        filter->kinds.append(LogRecord::Kind::Close);
    return true;
}

Json toJson(const LogRecord &r)
{
    Json j = Json::object();
    j["time"] = QDateTime::fromMSecsSinceEpoch(r.timeMs, Qt::UTC)
                    .toString(Qt::ISODateWithMs)
                    .toStdString();
    j["kind"] = kindName(r).toStdString();
    j["connection"] = r.connectionId;
    auto put = [&j](const char *key, const QString &value) {
        if (!value.isEmpty())
            j[key] = value.toStdString();
    };
    put("api", r.api);
    put("channel", r.channel);
    put("application", r.application);
    put("reason", r.reason);
    if (!r.flags.isEmpty()) {
        Json flags = Json::array();
        for (const QString &f : r.flags)
            flags.push_back(f.toStdString());
        j["flags"] = flags;
    }
    switch (r.kind) {
    case LogRecord::Kind::Handshake:
        j["status"] = r.status;
        put("path", r.path);
        put("clientAddress", r.clientAddress);
        put("backendUrl", r.backendUrl);
        break;
    case LogRecord::Kind::Message:
        j["direction"] = r.direction.toStdString();
        j["action"] = r.action.toStdString();
        j["opcode"] = r.opcode.toStdString();
        j["size"] = r.size;
        j["latencyUs"] = r.latencyUs;
        if (!r.payload.isEmpty()) {
            const bool text = !r.binary && QUtf8StringView(r.payload).isValidUtf8();
            j["payload"] = text ? r.payload.toStdString() : r.payload.toBase64().toStdString();
            if (!text)
                j["encoding"] = "base64";
            if (r.payloadTruncated)
                j["truncated"] = true;
        }
        break;
    case LogRecord::Kind::Close:
        j["code"] = r.closeCode;
        j["closedBy"] = r.closedBy.toStdString();
        j["messagesIn"] = r.messagesIn;
        j["messagesOut"] = r.messagesOut;
        j["durationMs"] = r.durationMs;
        break;
    }
    return j;
}

} // namespace Gatehouse::Analytics
