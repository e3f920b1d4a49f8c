// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/logexport.h"

#include "analytics/logrecordjson.h"
#include "analytics/messagelogreader.h"

#include <QDateTime>
#include <QSaveFile>

#include <functional>
#include <optional>

namespace Gatehouse::Analytics {

namespace {

constexpr qint64 Page = 2000;

// Calls f for every row `filter` selects, page by page; false with `error` set
// when the log could not be read.
bool forEachRow(MessageLogReader &reader, const LogFilter &filter,
                const std::function<void(const LogRecord &)> &f, QString *error)
{
    for (qint64 offset = 0;; offset += Page) {
        QString failure;
        const QList<LogRecord> rows = reader.query(filter, offset, Page, &failure);
        if (!failure.isEmpty()) {
            *error = failure;
            return false;
        }
        for (const LogRecord &r : rows)
            f(r);
        if (rows.size() < Page)
            return true;
    }
}

// Writes `header` and then `row` of every row `filter` selects to `path`.
qint64 writeRows(const QString &databasePath, const LogFilter &filter, const QString &path,
                 const QByteArray &header, const std::function<QByteArray(const LogRecord &)> &row,
                 QString *error)
{
    MessageLogReader reader;
    if (!reader.open(databasePath, error))
        return -1;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return -1;
    }
    file.write(header);
    qint64 written = 0;
    if (!forEachRow(
            reader, filter,
            [&](const LogRecord &r) {
                file.write(row(r));
                ++written;
            },
            error))
        return -1;
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return -1;
    }
    return written;
}

QByteArray csvField(const QString &value)
{
    QByteArray field = value.toUtf8();
    if (!field.contains(',') && !field.contains('"') && !field.contains('\n')
        && !field.contains('\r'))
        return field;
    field.replace('"', "\"\"");
    return '"' + field + '"';
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

bool textPayload(const LogRecord &r)
{
    return !r.binary && QUtf8StringView(r.payload).isValidUtf8();
}

} // namespace

QByteArray csvHeader()
{
    return "time,kind,connection,api,channel,application,status,path,client_address,"
           "direction,opcode,size,latency_us,code,closed_by,reason,flags,payload,"
           "payload_encoding\r\n";
}

QByteArray toCsv(const LogRecord &r)
{
    QStringList f {isoTime(r.timeMs), kindName(r),  QString::number(r.connectionId), r.api,
                   r.channel,         r.application};
    const bool handshake = r.kind == LogRecord::Kind::Handshake;
    const bool message = r.kind == LogRecord::Kind::Message;
    const bool close = r.kind == LogRecord::Kind::Close;
    f << (handshake ? QString::number(r.status) : QString()) << r.path << r.clientAddress;
    f << r.direction << r.opcode << (message ? QString::number(r.size) : QString())
      << (message ? QString::number(r.latencyUs) : QString());
    f << (close ? QString::number(r.closeCode) : QString()) << r.closedBy;
    f << r.reason << r.flags.join(u' ');
    const bool text = textPayload(r);
    f << (text ? QString::fromUtf8(r.payload) : QString::fromLatin1(r.payload.toBase64()))
      << (r.payload.isEmpty() || text ? QString() : QStringLiteral("base64"));
    QByteArrayList fields;
    for (const QString &value : std::as_const(f))
        fields.append(csvField(value));
    return fields.join(',') + "\r\n";
}

qint64 writeJsonLines(const QString &databasePath, const LogFilter &filter, const QString &path,
                      QString *error)
{
    return writeRows(
        databasePath, filter, path, {},
        [](const LogRecord &r) -> QByteArray {
            return QByteArray::fromStdString(toJson(r).dump()) + '\n';
        },
        error);
}

qint64 writeCsv(const QString &databasePath, const LogFilter &filter, const QString &path,
                QString *error)
{
    return writeRows(databasePath, filter, path, csvHeader(), toCsv, error);
}

Json harOf(MessageLogReader &reader, quint64 connectionId, const QString &origin, QString *error)
{
    LogFilter filter;
    filter.connectionId = connectionId;
    std::optional<LogRecord> handshake;
    std::optional<LogRecord> close;
    Json messages = Json::array();
    qint64 firstMs = -1;
    const bool ok = forEachRow(
        reader, filter,
        [&](const LogRecord &r) {
            if (firstMs < 0)
                firstMs = r.timeMs;
            switch (r.kind) {
            case LogRecord::Kind::Handshake:
                if (!handshake)
                    handshake = r;
                return;
            case LogRecord::Kind::Close:
                close = r;
                return;
            case LogRecord::Kind::Message:
                break;
            }
            const bool send = r.direction == u"in";
            // what the client sent, and what reached it
            if (r.opcode == u"ping" || (!send && r.action != u"relayed"))
                return;
            Json m = Json::object();
            m["type"] = send ? "send" : "receive";
            m["time"] = double(r.timeMs) / 1000.0;
            m["opcode"] = r.binary ? 2 : 1;
            m["data"]
                = textPayload(r) ? r.payload.toStdString() : r.payload.toBase64().toStdString();
            messages.push_back(m);
        },
        error);
    if (!ok)
        return Json();
    if (firstMs < 0) {
        *error = QStringLiteral("connection %1: not in the message log").arg(connectionId);
        return Json();
    }
    const LogRecord h = handshake.value_or(LogRecord {});
    const bool tls = h.flags.contains(u"tls");
    const QString base = origin.isEmpty()
        ? (tls ? QStringLiteral("wss://localhost") : QStringLiteral("ws://localhost"))
        : (origin.endsWith(u'/') ? origin.chopped(1) : origin);
    const int status = handshake ? h.status : 0;
    const qint64 startMs = handshake ? h.timeMs : firstMs;

    Json request = Json::object();
    request["method"] = "GET";
    request["url"]
        = QString(base + (h.path.isEmpty() ? QStringLiteral("/") : h.path)).toStdString();
    request["httpVersion"] = "HTTP/1.1";
    request["cookies"] = Json::array();
    request["headers"] = Json::array();
    request["queryString"] = Json::array();
    request["headersSize"] = -1;
    request["bodySize"] = 0;
    Json content = Json::object();
    content["size"] = 0;
    content["mimeType"] = "x-unknown";
    Json response = Json::object();
    response["status"] = status;
    response["statusText"] = status == 101 ? "Switching Protocols" : h.reason.toStdString();
    response["httpVersion"] = "HTTP/1.1";
    response["cookies"] = Json::array();
    response["headers"] = Json::array();
    response["content"] = content;
    response["redirectURL"] = "";
    response["headersSize"] = -1;
    response["bodySize"] = 0;
    Json timings = Json::object();
    timings["send"] = 0;
    timings["wait"] = 0;
    timings["receive"] = 0;
    Json entry = Json::object();
    entry["startedDateTime"] = isoTime(startMs).toStdString();
    entry["time"] = close ? std::max<qint64>(0, close->timeMs - startMs) : 0;
    entry["request"] = request;
    entry["response"] = response;
    entry["cache"] = Json::object();
    entry["timings"] = timings;
    entry["_resourceType"] = "websocket";
    entry["_webSocketMessages"] = messages;
    Json creator = Json::object();
    creator["name"] = "Gatehouse";
    creator["version"] = GATEHOUSE_VERSION;
    Json log = Json::object();
    log["version"] = "1.2";
    log["creator"] = creator;
    log["entries"] = Json::array({entry});
    Json har = Json::object();
    har["log"] = log;
    return har;
}

qint64 writeHar(const QString &databasePath, quint64 connectionId, const QString &path,
                QString *error)
{
    MessageLogReader reader;
    if (!reader.open(databasePath, error))
        return -1;
    const Json har = harOf(reader, connectionId, {}, error);
    if (har.is_null())
        return -1;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return -1;
    }
    file.write(QByteArray::fromStdString(har.dump(2)) + '\n');
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return -1;
    }
    return qint64(har["log"]["entries"][0]["_webSocketMessages"].size());
}

} // namespace Gatehouse::Analytics
