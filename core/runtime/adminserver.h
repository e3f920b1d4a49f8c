// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QTcpServer;
class QTcpSocket;

namespace Gatehouse {

namespace Analytics {
class GatewayMetrics;
}
class GatewayRuntime;

// The gateway's admin endpoint (`serve --admin HOST:PORT`): plain HTTP/1.1 GET of
// /metrics (the Prometheus text format), /healthz ("ok" while serving, else 503) and
// /api/stats (JSON); with a runtime, /api/payload-logging lists (GET), makes (POST)
// and ends (DELETE /api/payload-logging/ID) payload logging grants, the changes only
// from this machine (a loopback peer). One request per connection; anything else
// gets 404 or 405.
class AdminServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminServer)
public:
    AdminServer(std::shared_ptr<Analytics::GatewayMetrics> metrics, std::function<bool()> healthy,
                QObject *parent = nullptr);
    ~AdminServer() override;

    // "PORT" (on 127.0.0.1) or "HOST:PORT" / "[IPv6]:PORT"; false with a one-line
    // error that names the address.
    bool listen(const QString &address, QString *error = nullptr);
    void close();
    // Serves /api/payload-logging with this runtime's grants.
    void setRuntime(GatewayRuntime *runtime) { m_runtime = runtime; }
    // http://host:port as bound (port 0 resolved).
    QString url() const;

    // Reads "HOST:PORT", "[V6]:PORT" or "PORT"; false when it is none of them.
    static bool parseAddress(const QString &text, QHostAddress *host, quint16 *port);

private:
    void handle(QTcpSocket *socket);
    QByteArray answer(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                      bool fromLoopback) const;
    QByteArray payloadLogging(const QByteArray &method, const QByteArray &path,
                              const QByteArray &body, bool fromLoopback) const;

    QTcpServer *m_server;
    std::shared_ptr<Analytics::GatewayMetrics> m_metrics;
    std::function<bool()> m_healthy;
    QPointer<GatewayRuntime> m_runtime;
};

} // namespace Gatehouse
