// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "mock/backendroute.h"
#include "mock/mockconfig.h"
#include "mock/mockproblem.h"

#include <QAbstractSocket>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace Gatehouse {

class MessageCatalog;
class MockBehaviour;
class MockConnection;

// A built-in WebSocket backend for an API: listens on host:port, serves the backend
// paths the API's URL mappings (or channel addresses) produce, and answers clients
// the way its kind says (echo, broadcast, chat, examples) or as a channel's scenario
// script says. Unknown paths get an HTTP 404 before the upgrade.
class MockServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MockServer)

public:
    // A problem found in the API or its mock settings: the mock still runs, without
    // the part concerned. `pointer` is a JSON Pointer into the document when known.
    using Problem = MockProblem;

    // A backend path the server answers on and the channels behind it.
    struct Route
    {
        QString name; // chat: "notifications" / "room"; otherwise the channel ids
        BackendRoute route;
        QStringList channelIds;
    };

    explicit MockServer(const Api &api, QObject *parent = nullptr);
    ~MockServer() override;

    const Api &api() const { return m_api; }
    const MockConfig &config() const { return m_config; }
    MockConfig::Kind kind() const { return m_kind; }
    // Overrides the kind from x-gatehouse.mock; only before the first listen().
    void setKind(MockConfig::Kind kind);

    QList<Problem> problems() const { return m_problems; }
    QList<Route> routes() const { return m_routes; }

    // Starts listening; may be called again for another address (e.g. 127.0.0.1 and
    // ::1 for "localhost"). Port 0 picks a free port (see serverPort()).
    bool listen(const QHostAddress &address, quint16 port);
    // Listens on a host name or address: "localhost" on 127.0.0.1 and (if it can)
    // ::1, "*" or "0.0.0.0" on every interface, other names as resolved. On failure
    // errorString() is one line that names the address, and for a port in use what
    // holds it when that can be found ("... port 8080 is already in use by node
    // (pid 4242)"). Used by `gatehouse-cli mock` and by the gateway's --with-mock.
    bool listenOn(const QString &host, quint16 port);
    // Listens where the API's x-gatehouse.mock.listen or endpoint says.
    bool listenOnEndpoint();
    void close();
    bool isListening() const;
    quint16 serverPort() const;
    QString errorString() const { return m_errorString; }
    QAbstractSocket::SocketError serverError() const { return m_serverError; }

    QList<MockConnection *> connections() const { return m_connections; }

    // For behaviours and connections: reports one line of activity.
    void log(const QString &line);

    // Where the API's backend lives: host, port and path of x-gatehouse.endpoint.
    // False, with `error` set, when the endpoint is missing or is not ws://host:port.
    static bool endpointAddress(const Api &api, QString *host, quint16 *port, QString *error);

Q_SIGNALS:
    void activityLogged(const QString &line);
    void connectionOpened(int id, const QString &path);
    void connectionClosed(int id);

private:
    void buildRoutes();
    void createBehaviour();
    void handleNewTcpConnection(QTcpServer *server);
    void inspectRequest(QTcpSocket *socket);
    void rejectRequest(QTcpSocket *socket, int status, const QByteArray &reason,
                       const QString &body);
    void handleUpgraded();
    const Route *findRoute(const QString &pathAndQuery, QMap<QString, QString> *parameters) const;
    bool acceptsAnyPath() const;

    Api m_api;
    MockConfig m_config;
    MockConfig::Kind m_kind = MockConfig::Kind::Echo;
    QString m_prefix;
    QList<Problem> m_problems;
    QList<Route> m_routes;
    QList<QTcpServer *> m_listeners;
    QWebSocketServer *m_webSocketServer;
    std::shared_ptr<MessageCatalog> m_catalog;
    std::unique_ptr<MockBehaviour> m_behaviour;
    QList<MockConnection *> m_connections;
    QString m_errorString;
    QAbstractSocket::SocketError m_serverError = QAbstractSocket::UnknownSocketError;
    int m_nextId = 1;
};

} // namespace Gatehouse
