// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/mockserver.h"

#include "mock/broadcastbehaviour.h"
#include "mock/chatbehaviour.h"
#include "mock/echobehaviour.h"
#include "mock/examplesbehaviour.h"
#include "mock/messagecatalog.h"
#include "mock/mockconnection.h"
#include "mock/portholder.h"
#include "mock/scenariorunner.h"

#include <QHostInfo>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

namespace Gatehouse {

namespace {

constexpr int MaxRequestHead = 16 * 1024;
constexpr int RequestTimeoutMs = 10000;

QString normalizedTemplate(const QString &text)
{
    static const QRegularExpression wso2(QStringLiteral("\\{uri\\.var\\.([^}]*)\\}"));
    QString t = text.trimmed();
    t.replace(wso2, QStringLiteral("{\\1}"));
    if (!t.startsWith(u'/'))
        t.prepend(u'/');
    return t;
}

} // namespace

MockServer::MockServer(const Api &api, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_webSocketServer(new QWebSocketServer(QStringLiteral("Gatehouse mock"),
                                             QWebSocketServer::NonSecureMode, this))
{
    QStringList errors;
    m_config = MockConfig::fromJson(m_api.gatehouse.mock, &errors);
    for (const QString &e : errors)
        m_problems.append({QStringLiteral("/x-gatehouse/mock"), e});

    if (m_config.kind) {
        m_kind = *m_config.kind;
    } else {
        m_kind = MockConfig::Kind::Echo;
        for (const Operation &op : m_api.operations)
            if (op.action == Operation::Action::Send)
                m_kind = MockConfig::Kind::Examples;
    }
    if (!m_api.gatehouse.endpoint.isEmpty())
        m_prefix = QUrl(m_api.gatehouse.endpoint).path();

    m_catalog = std::make_shared<MessageCatalog>(m_api, m_config.seed);
    m_problems.append(m_catalog->problems());
    buildRoutes();

    connect(m_webSocketServer, &QWebSocketServer::newConnection, this, &MockServer::handleUpgraded);
}

MockServer::~MockServer()
{
    close();
}

void MockServer::setKind(MockConfig::Kind kind)
{
    if (m_behaviour)
        return;
    m_kind = kind;
    buildRoutes();
}

void MockServer::buildRoutes()
{
    m_routes.clear();
    if (m_kind == MockConfig::Kind::Chat) {
        m_routes.append({QStringLiteral("notifications"),
                         BackendRoute(m_config.notificationsPath, m_prefix),
                         {}});
        m_routes.append({QStringLiteral("room"), BackendRoute(m_config.roomPath, m_prefix), {}});
        for (const Route &r : std::as_const(m_routes))
            if (!r.route.isValid())
                m_problems.append(
                    {QStringLiteral("/x-gatehouse/mock/chat"), r.route.errorString()});
        return;
    }

    // Channels that map to the same backend path share one route (3.x documents
    // often put several channels on "/").
    QList<QString> templates;
    QHash<QString, QStringList> channelsByTemplate;
    for (const Channel &channel : std::as_const(m_api.channels)) {
        QString target;
        for (const Operation *op : m_api.operationsOn(channel.id))
            if (!op->uriMapping.isEmpty()) {
                target = op->uriMapping;
                break;
            }
        if (target.isEmpty())
            target = channel.address;
        if (target.isEmpty()) {
            m_problems.append(
                {QStringLiteral("/channels/") + channel.id,
                 QStringLiteral("channel '%1' has no address and no x-uri-mapping; the mock "
                                "does not serve it")
                     .arg(channel.id)});
            continue;
        }
        const QString key = normalizedTemplate(target);
        if (!channelsByTemplate.contains(key))
            templates.append(key);
        channelsByTemplate[key].append(channel.id);
    }
    for (const QString &t : templates) {
        Route route {channelsByTemplate.value(t).join(QStringLiteral(", ")),
                     BackendRoute(t, m_prefix), channelsByTemplate.value(t)};
        if (!route.route.isValid()) {
            m_problems.append(
                {QString(),
                 QStringLiteral("channel %1: %2").arg(route.name, route.route.errorString())});
            continue;
        }
        m_routes.append(route);
    }
    std::stable_sort(m_routes.begin(), m_routes.end(), [](const Route &a, const Route &b) {
        return a.route.specificity() > b.route.specificity();
    });
}

bool MockServer::acceptsAnyPath() const
{
    return m_kind == MockConfig::Kind::Echo || m_kind == MockConfig::Kind::Broadcast;
}

const MockServer::Route *MockServer::findRoute(const QString &pathAndQuery,
                                               QMap<QString, QString> *parameters) const
{
    for (const Route &route : m_routes) {
        if (auto match = route.route.match(pathAndQuery)) {
            *parameters = *match;
            return &route;
        }
    }
    return nullptr;
}

void MockServer::createBehaviour()
{
    if (m_behaviour)
        return;
    switch (m_kind) {
    case MockConfig::Kind::Echo:
        m_behaviour = std::make_unique<EchoBehaviour>(this);
        break;
    case MockConfig::Kind::Broadcast:
        m_behaviour = std::make_unique<BroadcastBehaviour>(this, m_config.serverTime,
                                                           m_config.serverTimeIntervalMs);
        break;
    case MockConfig::Kind::Chat:
        m_behaviour = std::make_unique<ChatBehaviour>(this, m_config);
        break;
    case MockConfig::Kind::Examples:
        m_behaviour = std::make_unique<ExamplesBehaviour>(this, m_catalog);
        break;
    }
    m_behaviour->start();
}

bool MockServer::listen(const QHostAddress &address, quint16 port)
{
    createBehaviour();
    auto *server = new QTcpServer(this);
    server->setListenBacklogSize(1024);
    if (!server->listen(address, port)) {
        m_errorString = server->errorString();
        m_serverError = server->serverError();
        delete server;
        return false;
    }
    connect(server, &QTcpServer::newConnection, this,
            [this, server] { handleNewTcpConnection(server); });
    m_listeners.append(server);
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]").arg(address.toString())
        : address.toString();
    log(QStringLiteral("listening on ws://%1:%2 (%3 mock of %4)")
            .arg(host)
            .arg(server->serverPort())
            .arg(MockConfig::kindName(m_kind), m_api.title));
    return true;
}

bool MockServer::listenOn(const QString &host, quint16 port)
{
    QList<QHostAddress> addresses;
    QHostAddress address;
    if (host == u"localhost") {
        addresses
            = {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)};
    } else if (host == u"*" || host == u"0.0.0.0" || host.isEmpty()) {
        addresses = {QHostAddress(QHostAddress::Any)};
    } else if (address.setAddress(host)) {
        addresses = {address};
    } else {
        const QHostInfo info = QHostInfo::fromName(host);
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            m_errorString
                = QStringLiteral("cannot resolve host '%1': %2").arg(host, info.errorString());
            return false;
        }
        addresses = {info.addresses().first()};
    }
    const QHostAddress &first = addresses.first();
    const QString shown = first.protocol() == QAbstractSocket::IPv6Protocol
        ? u'[' + first.toString() + u']'
        : first.toString();
    if (!listen(first, port)) {
        if (m_serverError == QAbstractSocket::AddressInUseError) {
            const QString holder = PortHolder::describe(port);
            m_errorString
                = QStringLiteral("cannot listen on %1:%2: port %2 is already in use%3")
                      .arg(shown)
                      .arg(port)
                      .arg(holder.isEmpty() ? QString() : QStringLiteral(" by ") + holder);
        } else {
            m_errorString = QStringLiteral("cannot listen on %1:%2: %3")
                                .arg(shown)
                                .arg(port)
                                .arg(m_errorString);
        }
        return false;
    }
    const quint16 bound = serverPort();
    for (qsizetype i = 1; i < addresses.size(); ++i)
        listen(addresses.at(i), bound); // best effort: a machine may have no IPv6
    m_errorString.clear();
    return true;
}

bool MockServer::listenOnEndpoint()
{
    QString host;
    quint16 port = 0;
    if (!m_config.listen.isEmpty()) {
        const qsizetype colon = m_config.listen.lastIndexOf(u':');
        bool ok = false;
        port = quint16(m_config.listen.mid(colon + 1).toUInt(&ok));
        host = m_config.listen.left(qMax<qsizetype>(colon, 0));
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        if (colon < 0 || !ok) {
            m_errorString = QStringLiteral("x-gatehouse.mock.listen '%1' is not HOST:PORT")
                                .arg(m_config.listen);
            return false;
        }
    } else if (!endpointAddress(m_api, &host, &port, &m_errorString)) {
        return false;
    }
    return listenOn(host, port);
}

void MockServer::close()
{
    for (QTcpServer *server : std::as_const(m_listeners)) {
        server->close();
        server->deleteLater();
    }
    m_listeners.clear();
    const auto connections = m_connections;
    for (MockConnection *c : connections)
        c->close(1001, QStringLiteral("mock stopped"));
}

bool MockServer::isListening() const
{
    return !m_listeners.isEmpty();
}

quint16 MockServer::serverPort() const
{
    return m_listeners.isEmpty() ? 0 : m_listeners.first()->serverPort();
}

void MockServer::log(const QString &line)
{
    Q_EMIT activityLogged(line);
}

bool MockServer::endpointAddress(const Api &api, QString *host, quint16 *port, QString *error)
{
    const QString endpoint = api.gatehouse.endpoint;
    if (endpoint.isEmpty()) {
        *error = QStringLiteral("the API has no x-gatehouse endpoint");
        return false;
    }
    const QUrl url(endpoint);
    if (!url.isValid() || (url.scheme() != u"ws" && url.scheme() != u"wss")
        || url.host().isEmpty()) {
        *error
            = QStringLiteral("x-gatehouse endpoint '%1' is not a ws://host:port URL").arg(endpoint);
        return false;
    }
    if (url.scheme() == u"wss") {
        *error = QStringLiteral("x-gatehouse endpoint '%1' uses wss; the mock serves plain ws only")
                     .arg(endpoint);
        return false;
    }
    *host = url.host();
    *port = quint16(url.port(80));
    return true;
}

void MockServer::handleNewTcpConnection(QTcpServer *server)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        auto *timer = new QTimer(socket);
        timer->setSingleShot(true);
        timer->setObjectName(QStringLiteral("handshakeTimer"));
        connect(timer, &QTimer::timeout, socket, [socket] { socket->abort(); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspectRequest(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        timer->start(RequestTimeoutMs);
        if (socket->bytesAvailable() > 0)
            inspectRequest(socket);
    }
}

// Looks at the request head without consuming it: unknown paths get a 404 here, the
// rest goes to QWebSocketServer for the upgrade.
void MockServer::inspectRequest(QTcpSocket *socket)
{
    const QByteArray head = socket->peek(MaxRequestHead + 4);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() > MaxRequestHead)
            rejectRequest(socket, 431, "Request Header Fields Too Large",
                          QStringLiteral("request head too large\n"));
        return;
    }
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    if (auto *timer = socket->findChild<QTimer *>(QStringLiteral("handshakeTimer")))
        delete timer;

    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || requestLine.at(0) != "GET") {
        rejectRequest(socket, 400, "Bad Request",
                      QStringLiteral("expected a WebSocket upgrade (GET)\n"));
        return;
    }
    bool upgrade = false;
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "upgrade"
            && line.mid(colon + 1).trimmed().toLower() == "websocket")
            upgrade = true;
    }
    const QString target = QString::fromLatin1(requestLine.at(1));
    if (!upgrade) {
        rejectRequest(
            socket, 426, "Upgrade Required",
            QStringLiteral("This is the Gatehouse mock backend of %1; connect with a WebSocket "
                           "client.\n")
                .arg(m_api.title));
        return;
    }
    QMap<QString, QString> parameters;
    if (!findRoute(target, &parameters) && !acceptsAnyPath()) {
        log(QStringLiteral("rejected %1 from %2: no channel at this path (404)")
                .arg(target, socket->peerAddress().toString()));
        rejectRequest(socket, 404, "Not Found",
                      QStringLiteral("no mock channel at %1\n").arg(target));
        return;
    }
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    m_webSocketServer->handleConnection(socket);
}

void MockServer::rejectRequest(QTcpSocket *socket, int status, const QByteArray &reason,
                               const QString &body)
{
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    const QByteArray content = body.toUtf8();
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    if (status == 426)
        response += "Upgrade: websocket\r\n";
    response += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + QByteArray::number(content.size()) + "\r\nConnection: close\r\n\r\n" + content;
    socket->write(response);
    socket->disconnectFromHost();
}

void MockServer::handleUpgraded()
{
    while (QWebSocket *socket = m_webSocketServer->nextPendingConnection()) {
        auto *connection = new MockConnection(socket, m_nextId++, this, this);
        QMap<QString, QString> parameters;
        const Route *route = findRoute(connection->path(), &parameters);
        if (route)
            connection->setRoute(route->name, route->channelIds, parameters);
        else
            connection->setRoute(QString(), {}, {});
        m_connections.append(connection);
        log(QStringLiteral("#%1 %2 opened from %3%4")
                .arg(connection->id())
                .arg(connection->path(), connection->peer(),
                     route ? QStringLiteral(" (channel %1)").arg(route->name) : QString()));

        // A scenario for one of the route's channels (or the chat route name) takes
        // over the connection; otherwise the kind answers.
        const Scenario *scenario = nullptr;
        QString scenarioName;
        if (route) {
            QStringList keys = route->channelIds;
            keys.append(route->name);
            for (const QString &key : std::as_const(keys)) {
                const Channel *channel = m_api.channel(key);
                scenario = m_config.scenarioFor(key, channel ? channel->address : QString());
                if (scenario) {
                    scenarioName = key;
                    break;
                }
            }
        }
        connect(connection, &MockConnection::disconnected, this, [this, connection] {
            m_connections.removeAll(connection);
            if (m_behaviour)
                m_behaviour->handleClosed(connection);
            Q_EMIT connectionClosed(connection->id());
            connection->deleteLater();
        });
        Q_EMIT connectionOpened(connection->id(), connection->path());
        if (scenario) {
            auto *runner = new ScenarioRunner(connection, *scenario, scenarioName);
            connect(connection, &MockConnection::textReceived, runner, &ScenarioRunner::handleText);
            connect(connection, &MockConnection::binaryReceived, runner,
                    &ScenarioRunner::handleBinary);
            runner->start();
            continue;
        }
        connect(
            connection, &MockConnection::textReceived, this,
            [this, connection](const QString &text) { m_behaviour->handleText(connection, text); });
        connect(connection, &MockConnection::binaryReceived, this,
                [this, connection](const QByteArray &data) {
                    m_behaviour->handleBinary(connection, data);
                });
        m_behaviour->handleOpened(connection);
    }
}

} // namespace Gatehouse
