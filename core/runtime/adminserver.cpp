// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime/adminserver.h"

#include "analytics/gatewaymetrics.h"
#include "api/json.h"
#include "policy/policyconfig.h"
#include "runtime/gatewayruntime.h"

#include <QDateTime>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace Gatehouse {

namespace {

constexpr qsizetype MaxRequestBytes = 8 * 1024;
constexpr qsizetype MaxBodyBytes = 8 * 1024;
constexpr int RequestTimeoutMs = 10000;

QByteArray response(int status, const char *reason, const QByteArray &type, const QByteArray &body,
                    bool head = false)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
        + "\r\nContent-Type: " + type + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if (!head)
        out += body;
    return out;
}

QByteArray jsonResponse(int status, const char *reason, const Json &body)
{
    return response(status, reason, "application/json",
                    QByteArray::fromStdString(body.dump()) + '\n');
}

QByteArray errorResponse(int status, const char *reason, const QString &error)
{
    return jsonResponse(status, reason, Json {{"error", error.toStdString()}});
}

Json grantJson(const Gateway::PayloadLogGrants::Grant &g, qint64 nowMs)
{
    return Json {{"id", g.id},
                 {"api", g.api.toStdString()},
                 {"channel", g.channel.toStdString()},
                 {"application", g.application.toStdString()},
                 {"until",
                  QDateTime::fromMSecsSinceEpoch(g.untilMs, Qt::UTC)
                      .toString(Qt::ISODateWithMs)
                      .toStdString()},
                 {"remainingSeconds", (g.remainingMs(nowMs) + 999) / 1000},
                 {"sample", g.sample}};
}

// The Content-Length of a request's header block; -1 when it has none, -2 when bad.
qint64 contentLength(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0
            && line.left(colon).trimmed().compare("Content-Length", Qt::CaseInsensitive) == 0) {
            bool ok = false;
            const qint64 n = line.mid(colon + 1).trimmed().toLongLong(&ok);
            return ok && n >= 0 ? n : -2;
        }
    }
    return -1;
}

} // namespace

AdminServer::AdminServer(std::shared_ptr<Analytics::GatewayMetrics> metrics,
                         std::function<bool()> healthy, QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
    , m_metrics(std::move(metrics))
    , m_healthy(std::move(healthy))
{
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection())
            handle(socket);
    });
}

AdminServer::~AdminServer() = default;

bool AdminServer::parseAddress(const QString &text, QHostAddress *host, quint16 *port)
{
    QString hostText = QStringLiteral("127.0.0.1");
    QString portText = text.trimmed();
    const qsizetype colon = portText.lastIndexOf(u':');
    if (colon >= 0) {
        hostText = portText.left(colon);
        portText = portText.mid(colon + 1);
        if (hostText.startsWith(u'[') && hostText.endsWith(u']'))
            hostText = hostText.mid(1, hostText.size() - 2);
        if (hostText == u"localhost")
            hostText = QStringLiteral("127.0.0.1");
    }
    bool ok = false;
    const uint p = portText.toUInt(&ok);
    if (!ok || p > 65535 || !host->setAddress(hostText))
        return false;
    *port = quint16(p);
    return true;
}

bool AdminServer::listen(const QString &address, QString *error)
{
    QHostAddress host;
    quint16 port = 0;
    if (!parseAddress(address, &host, &port)) {
        if (error)
            *error = QStringLiteral("admin address '%1' is not HOST:PORT or PORT").arg(address);
        return false;
    }
    if (!m_server->listen(host, port)) {
        if (error)
            *error = QStringLiteral("admin address %1: %2").arg(address, m_server->errorString());
        return false;
    }
    return true;
}

void AdminServer::close()
{
    m_server->close();
}

QString AdminServer::url() const
{
    const QHostAddress a = m_server->serverAddress();
    const QString host
        = a.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + a.toString() + u']' : a.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_server->serverPort());
}

void AdminServer::handle(QTcpSocket *socket)
{
    auto *timer = new QTimer(socket);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, socket, &QTcpSocket::abort);
    timer->start(RequestTimeoutMs);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
        if (socket->property("answered").toBool()) {
            socket->readAll();
            return;
        }
        QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        const qsizetype end = request.indexOf("\r\n\r\n");
        if (end < 0) {
            if (request.size() > MaxRequestBytes) {
                socket->write(response(431, "Request Header Fields Too Large", "text/plain",
                                       "request too large\n"));
                socket->setProperty("answered", true);
                socket->disconnectFromHost();
            } else {
                socket->setProperty("request", request);
            }
            return;
        }
        const QByteArray head = request.left(end);
        const qint64 length = contentLength(head);
        if (length == -2 || length > MaxBodyBytes) {
            socket->write(
                length == -2
                    ? response(400, "Bad Request", "text/plain", "bad Content-Length\n")
                    : response(413, "Content Too Large", "text/plain", "body too large\n"));
            socket->setProperty("answered", true);
            socket->disconnectFromHost();
            return;
        }
        if (length > 0 && request.size() - end - 4 < length) {
            socket->setProperty("request", request); // the body is still coming
            return;
        }
        const QByteArray body = length > 0 ? request.mid(end + 4, length) : QByteArray();
        const QList<QByteArray> line = head.left(head.indexOf("\r\n")).split(' ');
        socket->setProperty("answered", true);
        socket->write(line.size() == 3
                          ? answer(line.at(0), line.at(1), body, socket->peerAddress().isLoopback())
                          : response(400, "Bad Request", "text/plain", "bad request\n"));
        socket->disconnectFromHost();
    });
}

QByteArray AdminServer::answer(const QByteArray &method, const QByteArray &target,
                               const QByteArray &body, bool fromLoopback) const
{
    const QByteArray path
        = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
    if (m_runtime && (path == "/api/payload-logging" || path.startsWith("/api/payload-logging/")))
        return payloadLogging(method, path, body, fromLoopback);
    const bool head = method == "HEAD";
    if (method != "GET" && !head)
        return response(405, "Method Not Allowed", "text/plain", "only GET\n");
    if (path == "/metrics")
        return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                        m_metrics->prometheusText(), head);
    if (path == "/healthz") {
        const bool up = !m_healthy || m_healthy();
        return up ? response(200, "OK", "text/plain", "ok\n", head)
                  : response(503, "Service Unavailable", "text/plain", "not serving\n", head);
    }
    if (path == "/api/stats")
        return response(200, "OK", "application/json",
                        QByteArray::fromStdString(m_metrics->stats().dump()) + '\n', head);
    return response(404, "Not Found", "text/plain",
                    "not found; try /metrics, /healthz or /api/stats\n", head);
}

QByteArray AdminServer::payloadLogging(const QByteArray &method, const QByteArray &path,
                                       const QByteArray &body, bool fromLoopback) const
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const bool collection = path == "/api/payload-logging";
    if (method == "GET" && collection) {
        Json grants = Json::array();
        for (const auto &g : m_runtime->payloadLogGrants()->active())
            grants.push_back(grantJson(g, nowMs));
        return jsonResponse(200, "OK", Json {{"grants", grants}});
    }
    if ((method == "POST" && collection) || (method == "DELETE" && !collection)) {
        // what is logged is the business of whoever runs the gateway, on this machine
        if (!fromLoopback)
            return errorResponse(403, "Forbidden",
                                 QStringLiteral("payload logging can be changed only from the "
                                                "gateway's own machine"));
    } else {
        return response(405, "Method Not Allowed", "text/plain",
                        collection ? "GET or POST\n" : "DELETE\n");
    }
    if (method == "DELETE") {
        bool ok = false;
        const quint64 id = path.mid(path.lastIndexOf('/') + 1).toULongLong(&ok);
        if (!ok || !m_runtime->endPayloadLogging(id))
            return errorResponse(404, "Not Found",
                                 QStringLiteral("no payload logging grant %1")
                                     .arg(QString::fromUtf8(path.mid(path.lastIndexOf('/') + 1))));
        return response(204, "No Content", "text/plain", {});
    }

    const Json request = Json::parse(body.toStdString(), nullptr, false);
    if (!request.is_object())
        return errorResponse(400, "Bad Request",
                             QStringLiteral("body: expected a JSON object such as "
                                            "{\"api\": \"/chats/1.0.0\", \"duration\": \"10m\"}"));
    QString fields[3]; // api, channel, application
    const char *names[3] = {"api", "channel", "application"};
    for (int i = 0; i < 3; ++i) {
        const auto it = request.find(names[i]);
        if (it == request.end() || it->is_null())
            continue;
        if (!it->is_string())
            return errorResponse(
                400, "Bad Request",
                QStringLiteral("body: %1: expected a string").arg(QLatin1StringView(names[i])));
        fields[i] = toQString(it->get<std::string>());
    }
    for (auto it = request.begin(); it != request.end(); ++it)
        if (it.key() != "api" && it.key() != "channel" && it.key() != "application"
            && it.key() != "duration" && it.key() != "sample")
            return errorResponse(400, "Bad Request",
                                 QStringLiteral("body: %1: unknown field (expected api, channel, "
                                                "application, duration, sample)")
                                     .arg(toQString(it.key())));
    if (fields[0].isEmpty())
        return errorResponse(400, "Bad Request", QStringLiteral("body: api: missing"));
    std::optional<std::chrono::milliseconds> duration;
    const auto d = request.find("duration");
    if (d != request.end() && d->is_string())
        duration = Policies::PolicyConfig::parseDuration(toQString(d->get<std::string>()));
    else if (d != request.end() && d->is_number_unsigned())
        duration = std::chrono::milliseconds(d->get<qint64>());
    if (!duration || duration->count() <= 0)
        return errorResponse(400, "Bad Request",
                             QStringLiteral("body: duration: expected a duration such as 30s, "
                                            "10m or 1h"));
    int sample = 1;
    if (const auto s = request.find("sample"); s != request.end()) {
        if (!s->is_number_integer() || s->get<qint64>() < 1 || s->get<qint64>() > 1000000)
            return errorResponse(400, "Bad Request",
                                 QStringLiteral("body: sample: expected a whole number from 1 "
                                                "(every message) to 1000000"));
        sample = int(s->get<qint64>());
    }
    QString error;
    const quint64 id = m_runtime->grantPayloadLogging(fields[0], fields[1], fields[2], *duration,
                                                      &error, sample);
    if (id == 0)
        return errorResponse(400, "Bad Request", error);
    for (const auto &g : m_runtime->payloadLogGrants()->active())
        if (g.id == id)
            return jsonResponse(201, "Created", grantJson(g, nowMs));
    return errorResponse(410, "Gone", QStringLiteral("the grant ended at once"));
}

} // namespace Gatehouse
