// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime/adminserver.h"

#include "analytics/gatewaymetrics.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace Gatehouse {

namespace {

constexpr qsizetype MaxRequestBytes = 8 * 1024;
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
        const QList<QByteArray> line = request.left(request.indexOf("\r\n")).split(' ');
        socket->setProperty("answered", true);
        socket->write(line.size() == 3
                          ? answer(line.at(0), line.at(1))
                          : response(400, "Bad Request", "text/plain", "bad request\n"));
        socket->disconnectFromHost();
    });
}

QByteArray AdminServer::answer(const QByteArray &method, const QByteArray &target) const
{
    const bool head = method == "HEAD";
    if (method != "GET" && !head)
        return response(405, "Method Not Allowed", "text/plain", "only GET\n");
    const QByteArray path
        = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
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

} // namespace Gatehouse
