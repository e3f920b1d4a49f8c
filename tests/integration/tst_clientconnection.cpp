// SPDX-License-Identifier: GPL-3.0-or-later
// core/client against servers in this process: QWebSocketServer peers, raw sockets
// for refusals and redirects, a CONNECT proxy, and TLS with a test CA and a client
// certificate made by the openssl CLI.
#include "client/clientconnection.h"
#include "client/clientcookiejar.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Gatehouse;
using namespace Gatehouse::Client;
using Kind = ClientEvent::Kind;

namespace {

// An echo server that keeps its connections for the test to poke at.
class EchoServer final : public QObject
{
public:
    explicit EchoServer(QWebSocketServer::SslMode mode = QWebSocketServer::NonSecureMode)
        : m_server(QStringLiteral("echo"), mode)
    {
        m_server.setSupportedSubprotocols({QStringLiteral("chat.v1")});
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                sockets.append(s);
                requests.append(s->request());
                connect(s, &QWebSocket::textMessageReceived, s, [this, s](const QString &m) {
                    received.append(m);
                    s->sendTextMessage(m);
                });
                connect(s, &QWebSocket::binaryMessageReceived, s,
                        [s](const QByteArray &m) { s->sendBinaryMessage(m); });
                connect(s, &QWebSocket::disconnected, s, [this, s] {
                    closeCodes.append(int(s->closeCode()));
                    s->deleteLater();
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString url(const QString &path = QStringLiteral("/")) const
    {
        const QString scheme = m_server.secureMode() == QWebSocketServer::SecureMode
            ? QStringLiteral("wss")
            : QStringLiteral("ws");
        return QStringLiteral("%1://127.0.0.1:%2%3")
            .arg(scheme)
            .arg(m_server.serverPort())
            .arg(path);
    }
    QWebSocketServer &server() { return m_server; }

    QList<QPointer<QWebSocket>> sockets;
    QList<QNetworkRequest> requests;
    QStringList received;
    QList<int> closeCodes;

private:
    QWebSocketServer m_server;
};

// An HTTP CONNECT proxy: reads "CONNECT host:port", answers 200 and pipes both ways.
class ConnectProxy final : public QObject
{
public:
    ConnectProxy()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection()) {
                auto *buffer = new QByteArray;
                connect(client, &QTcpSocket::readyRead, client, [this, client, buffer] {
                    if (client->property("upstream").isValid())
                        return; // piped from here on
                    *buffer += client->readAll();
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const QList<QByteArray> words
                        = buffer->left(buffer->indexOf("\r\n")).split(' ');
                    targets.append(QString::fromLatin1(words.value(1)));
                    const QList<QByteArray> hostPort = words.value(1).split(':');
                    auto *upstream = new QTcpSocket(client);
                    client->setProperty("upstream", true);
                    const QByteArray rest = buffer->mid(end + 4);
                    delete buffer;
                    connect(upstream, &QTcpSocket::connected, client, [client, upstream, rest] {
                        client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                        if (!rest.isEmpty())
                            upstream->write(rest);
                        connect(client, &QTcpSocket::readyRead, upstream,
                                [client, upstream] { upstream->write(client->readAll()); });
                        connect(upstream, &QTcpSocket::readyRead, client,
                                [client, upstream] { client->write(upstream->readAll()); });
                    });
                    connect(upstream, &QTcpSocket::disconnected, client,
                            &QTcpSocket::disconnectFromHost);
                    upstream->connectToHost(QString::fromLatin1(hostPort.value(0)),
                                            quint16(hostPort.value(1).toUInt()));
                });
                connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    QStringList targets;

private:
    QTcpServer m_server;
};

QList<ClientEvent> eventsOf(const ClientConnection &c, Kind kind)
{
    QList<ClientEvent> out;
    for (const ClientEvent &e : c.history()->all())
        if (e.kind == kind)
            out.append(e);
    return out;
}

QString lastError(const ClientConnection &c)
{
    const QList<ClientEvent> errors = eventsOf(c, Kind::Error);
    return errors.isEmpty() ? QString() : errors.constLast().text;
}

ClientOptions optionsFor(const QString &url)
{
    ClientOptions o;
    o.url = QUrl(url);
    o.handshakeTimeoutMs = 5000;
    return o;
}

} // namespace

class TestClientConnection final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void openSendReceiveClose()
    {
        EchoServer server;
        QVERIFY(server.listen());
        ClientConnection client;
        ClientOptions o = optionsFor(server.url(QStringLiteral("/rooms/1?x=1")));
        o.headers = {{"X-Trace", "abc"}, {"Authorization", "Bearer s3cr3t"}};
        o.subprotocols = {QStringLiteral("chat.v1"), QStringLiteral("chat.v0")};
        o.origin = QStringLiteral("http://example.test");
        client.setOptions(o);
        QSignalSpy opened(&client, &ClientConnection::opened);
        QVERIFY(client.open());
        QVERIFY(opened.wait(5000));
        QCOMPARE(client.state(), ClientConnection::State::Open);
        QCOMPARE(client.responseStatus(), 101);
        QCOMPARE(client.subprotocol(), QStringLiteral("chat.v1"));
        QTRY_COMPARE(server.requests.size(), 1);
        const QNetworkRequest &request = server.requests.constFirst();
        QCOMPARE(request.rawHeader("X-Trace"), QByteArray("abc"));
        QCOMPARE(request.rawHeader("Origin"), QByteArray("http://example.test"));
        QCOMPARE(request.url().path(), QStringLiteral("/rooms/1"));
        // the secret went to the server, never into the history
        QCOMPARE(request.rawHeader("Authorization"), QByteArray("Bearer s3cr3t"));
        for (const ClientEvent &e : client.history()->all())
            QVERIFY(!QByteArray::fromStdString(e.toJson().dump()).contains("s3cr3t"));
        bool masked = false;
        for (const auto &[name, value] : client.requestHeaders())
            masked |= name == "Authorization" && value == "***";
        QVERIFY(masked);

        QVERIFY(client.sendText("héllo"));
        QVERIFY(client.sendBinary(QByteArray("\x00\x01\xff", 3)));
        QTRY_COMPARE(eventsOf(client, Kind::Received).size(), 2);
        const QList<ClientEvent> in = eventsOf(client, Kind::Received);
        QCOMPARE(in.at(0).data, QByteArray("héllo"));
        QCOMPARE(in.at(0).opcode, quint8(ClientEvent::Text));
        QVERIFY(in.at(0).roundTripUs >= 0); // request/reply latency
        QCOMPARE(in.at(1).data, QByteArray("\x00\x01\xff", 3));
        QCOMPARE(in.at(1).opcode, quint8(ClientEvent::Binary));

        // a ping of ours gets a pong with its round trip
        QVERIFY(client.ping("p1"));
        QTRY_COMPARE(eventsOf(client, Kind::Pong).size(), 1);
        QVERIFY(eventsOf(client, Kind::Pong).constFirst().roundTripUs >= 0);
        // the server's ping is answered (automatic pong)
        QSignalSpy pong(server.sockets.constFirst().data(), &QWebSocket::pong);
        server.sockets.constFirst()->ping("hb");
        QVERIFY(pong.wait(5000));

        QSignalSpy finished(&client, &ClientConnection::finished);
        client.close(4001, QStringLiteral("done here"));
        QVERIFY(finished.wait(5000));
        QCOMPARE(client.state(), ClientConnection::State::Closed);
        QTRY_COMPARE(server.closeCodes, QList<int>({4001}));
        const QList<ClientEvent> closed = eventsOf(client, Kind::Closed);
        QCOMPARE(closed.size(), 1);
        QVERIFY(closed.constFirst().outgoing);
        QCOMPARE(closed.constFirst().closeCode, quint16(4001));
        QVERIFY(!client.sendText("late")); // nothing sent when closed
    }

    void serverCloses()
    {
        EchoServer server;
        QVERIFY(server.listen());
        ClientConnection client;
        client.setOptions(optionsFor(server.url()));
        QSignalSpy opened(&client, &ClientConnection::opened);
        client.open();
        QVERIFY(opened.wait(5000));
        QSignalSpy finished(&client, &ClientConnection::finished);
        server.sockets.constFirst()->close(QWebSocketProtocol::CloseCodePolicyViolated,
                                           QStringLiteral("go away"));
        QVERIFY(finished.wait(5000));
        QCOMPARE(client.closeCode(), quint16(1008));
        QCOMPARE(client.closeReason(), QStringLiteral("go away"));
        QVERIFY(!client.closedByUs());
        QCOMPARE(ClientEvent::closeCodeMeaning(1008), QStringLiteral("1008 policy violation"));
    }

    void refusedWithStatusAndBody()
    {
        Test::RawHttpServer server("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                                   "WWW-Authenticate: Bearer\r\nContent-Length: 27\r\n\r\n"
                                   "{\"error\":\"no credential\"}\r\n");
        ClientConnection client;
        ClientOptions o = optionsFor(QStringLiteral("ws://127.0.0.1:%1/x").arg(server.port()));
        o.reconnect = true; // a refusal is an answer: no reconnect
        client.setOptions(o);
        QSignalSpy finished(&client, &ClientConnection::finished);
        client.open();
        QVERIFY(finished.wait(5000));
        QCOMPARE(client.responseStatus(), 401);
        QCOMPARE(client.responseReason(), QStringLiteral("Unauthorized"));
        QCOMPARE(client.responseBody(), QByteArray("{\"error\":\"no credential\"}\r\n"));
        QCOMPARE(lastError(client), QStringLiteral("Unexpected server response: 401"));
        const QList<ClientEvent> answers = eventsOf(client, Kind::Response);
        QCOMPARE(answers.size(), 1);
        QCOMPARE(answers.constFirst().status, 401);
        QCOMPARE(answers.constFirst().data, client.responseBody());
        QTest::qWait(300);
        QCOMPARE(server.requests.size(), 1);
        QCOMPARE(client.state(), ClientConnection::State::Closed);
    }

    void followsRedirects()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        Test::RawHttpServer redirect("HTTP/1.1 302 Found\r\nLocation: "
                                     + echo.url(QStringLiteral("/moved")).toLatin1()
                                     + "\r\nContent-Length: 0\r\n\r\n");
        ClientConnection client;
        ClientOptions o = optionsFor(QStringLiteral("ws://127.0.0.1:%1/old").arg(redirect.port()));
        client.setOptions(o);
        QSignalSpy finished(&client, &ClientConnection::finished);
        client.open();
        QVERIFY(finished.wait(5000)); // not followed unless asked
        QCOMPARE(client.responseStatus(), 302);

        o.followRedirects = true;
        client.setOptions(o);
        QSignalSpy opened(&client, &ClientConnection::opened);
        client.open();
        QVERIFY(opened.wait(5000));
        QCOMPARE(client.url().path(), QStringLiteral("/moved"));
        client.close();
    }

    void unreachableAndBadOptions()
    {
        ClientConnection client;
        client.setOptions(optionsFor(QStringLiteral("ws://127.0.0.1:%1/").arg(Test::freePort())));
        QSignalSpy finished(&client, &ClientConnection::finished);
        client.open();
        QVERIFY(finished.wait(5000));
        QVERIFY2(lastError(client).startsWith(u"cannot connect to 127.0.0.1:"),
                 qPrintable(lastError(client)));

        const QList<QPair<QString, QString>> bad = {
            {QStringLiteral("http//nope"), QStringLiteral("use ws://")},
            {QStringLiteral("ftp://host/"), QStringLiteral("use ws://")},
            {QStringLiteral("ws:///path"), QStringLiteral("has no host")},
        };
        for (const auto &[url, expected] : bad) {
            ClientConnection c;
            c.setOptions(optionsFor(url));
            QVERIFY(!c.open());
            QVERIFY2(lastError(c).contains(expected), qPrintable(url + u": " + lastError(c)));
        }
        ClientOptions o = optionsFor(QStringLiteral("ws://127.0.0.1:1/"));
        o.headers = {{"Bad Name", "x"}};
        QVERIFY(o.validate().contains(u"not a valid HTTP token"));
        o.headers = {{"X", "a\r\nInjected: 1"}};
        QVERIFY(o.validate().contains(u"line break"));
        o.headers.clear();
        o.proxy = QStringLiteral("gopher://proxy:70");
        QVERIFY(o.validate().startsWith(u"proxy 'gopher://proxy:70': unsupported kind"));
    }

    void reconnectsAndSendsOnOpenMessages()
    {
        EchoServer server;
        QVERIFY(server.listen());
        ClientConnection client;
        ClientOptions o = optionsFor(server.url());
        o.reconnect = true;
        o.reconnectDelayMs = 50;
        o.maxReconnects = 3;
        o.onOpen = {{ClientEvent::Text, "{\"auth\":1}"}, {ClientEvent::Text, "subscribe"}};
        client.setOptions(o);
        QSignalSpy opened(&client, &ClientConnection::opened);
        client.open();
        QVERIFY(opened.wait(5000));
        QTRY_COMPARE(server.received,
                     QStringList({QStringLiteral("{\"auth\":1}"), QStringLiteral("subscribe")}));
        server.sockets.constFirst()->abort(); // the server drops it
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 5000);
        QTRY_COMPARE(server.received.size(), 4);
        QCOMPARE(server.received.mid(2), server.received.mid(0, 2)); // the same, in order
        QCOMPARE(eventsOf(client, Kind::Reconnecting).size(), 1);
        QCOMPARE(eventsOf(client, Kind::Closed).constFirst().closeCode, quint16(1006));

        // the server goes away: the attempts stop at the limit
        QSignalSpy finished(&client, &ClientConnection::finished);
        server.server().close();
        for (const auto &s : server.sockets)
            if (s)
                s->abort();
        QVERIFY(finished.wait(10000));
        QCOMPARE(eventsOf(client, Kind::Reconnecting).size(), 1 + 3);
        QVERIFY(eventsOf(client, Kind::Reconnecting).constLast().text.contains(u"attempt 3 of 3"));
    }

    void limitsAndProtocolErrors()
    {
        EchoServer server;
        QVERIFY(server.listen());
        ClientConnection client;
        ClientOptions o = optionsFor(server.url());
        o.maxMessageSize = 1024;
        client.setOptions(o);
        QSignalSpy opened(&client, &ClientConnection::opened);
        client.open();
        QVERIFY(opened.wait(5000));
        QSignalSpy finished(&client, &ClientConnection::finished);
        server.sockets.constFirst()->sendBinaryMessage(QByteArray(2048, 'x'));
        QVERIFY(finished.wait(5000));
        QCOMPARE(client.closeCode(), quint16(1009));
        QVERIFY2(lastError(client).startsWith(u"1009 message too big"),
                 qPrintable(lastError(client)));
        QTRY_COMPARE(server.closeCodes, QList<int>({1009}));
    }

    // Set-Cookie of an answer goes to the jar; the next upgrade to that host sends it.
    void cookies()
    {
        Test::RawHttpServer login(
            "HTTP/1.1 401 Unauthorized\r\nSet-Cookie: session=abc123; Path=/\r\n"
            "Set-Cookie: other=x; Path=/elsewhere\r\nContent-Length: 0\r\n\r\n");
        auto jar = std::make_shared<ClientCookieJar>();
        ClientConnection first;
        ClientOptions o = optionsFor(QStringLiteral("ws://127.0.0.1:%1/login").arg(login.port()));
        o.cookies = jar;
        first.setOptions(o);
        QSignalSpy done(&first, &ClientConnection::finished);
        first.open();
        QVERIFY(done.wait(5000));
        QCOMPARE(jar->all().size(), 2);

        EchoServer server;
        QVERIFY(server.listen());
        ClientConnection second;
        o.url = QUrl(server.url(QStringLiteral("/chat")));
        second.setOptions(o);
        QSignalSpy opened(&second, &ClientConnection::opened);
        second.open();
        QVERIFY(opened.wait(5000));
        QTRY_COMPARE(server.requests.size(), 1);
        QCOMPARE(server.requests.constFirst().rawHeader("Cookie"), QByteArray("session=abc123"));
        // the history does not show it
        for (const auto &[name, value] : second.requestHeaders())
            if (name == "Cookie")
                QCOMPARE(value, QByteArray("***"));
        second.close();
    }

    void historyIsBounded()
    {
        ClientHistory history(3, 1000);
        for (int i = 0; i < 5; ++i) {
            ClientEvent e;
            e.kind = Kind::Received;
            e.data = QByteArray::number(i);
            history.append(e);
        }
        QCOMPARE(history.size(), 3);
        quint64 skipped = 0;
        const QList<ClientEvent> all = history.since(0, &skipped);
        QCOMPARE(skipped, quint64(2));
        QCOMPARE(all.constFirst().data, QByteArray("2"));
        QCOMPARE(history.since(4).size(), 1);
        QCOMPARE(history.since(5).size(), 0);
        ClientEvent big;
        big.data = QByteArray(900, 'b');
        history.append(big);
        history.append(big); // over 1000 bytes: the older big one goes
        QCOMPARE(history.bytes(), 900 + 0);
        QCOMPARE(history.lastSequence(), quint64(7));
    }

    void throughConnectProxy()
    {
        EchoServer server;
        QVERIFY(server.listen());
        ConnectProxy proxy;
        ClientConnection client;
        ClientOptions o = optionsFor(server.url());
        o.proxy = QStringLiteral("http://127.0.0.1:%1").arg(proxy.port());
        client.setOptions(o);
        QSignalSpy opened(&client, &ClientConnection::opened);
        client.open();
        QVERIFY2(opened.wait(5000), qPrintable(lastError(client)));
        QCOMPARE(proxy.targets.size(), 1);
        QVERIFY(client.sendText("via proxy"));
        QTRY_COMPARE(eventsOf(client, Kind::Received).size(), 1);
        client.close();
    }

    void tlsWithClientCertificate()
    {
        QVERIFY(m_dir.isValid());
        auto path = [this](const char *name) { return m_dir.filePath(QString::fromLatin1(name)); };
        auto openssl = [](const QStringList &args) {
            const Test::ProcessResult r = Test::runProcess(QStringLiteral("openssl"), args);
            return r.exitCode == 0;
        };
        // a CA, a server certificate for 127.0.0.1 and a client certificate, both signed by it
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                         QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                         QStringLiteral("-keyout"), path("ca.key"), QStringLiteral("-out"),
                         path("ca.pem"), QStringLiteral("-days"), QStringLiteral("1"),
                         QStringLiteral("-subj"), QStringLiteral("/CN=Test CA")}));
        for (const char *who : {"server", "client"}) {
            const QString w = QString::fromLatin1(who);
            QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-newkey"),
                             QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                             QStringLiteral("-keyout"), m_dir.filePath(w + u".key"),
                             QStringLiteral("-out"), m_dir.filePath(w + u".csr"),
                             QStringLiteral("-subj"), QStringLiteral("/CN=") + w}));
            QFile ext(m_dir.filePath(w + u".ext"));
            QVERIFY(ext.open(QIODevice::WriteOnly));
            ext.write(w == u"server" ? "subjectAltName=IP:127.0.0.1\n"
                                     : "extendedKeyUsage=clientAuth\n");
            ext.close();
            QVERIFY(openssl(
                {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                 m_dir.filePath(w + u".csr"), QStringLiteral("-CA"), path("ca.pem"),
                 QStringLiteral("-CAkey"), path("ca.key"), QStringLiteral("-CAcreateserial"),
                 QStringLiteral("-out"), m_dir.filePath(w + u".pem"), QStringLiteral("-days"),
                 QStringLiteral("1"), QStringLiteral("-extfile"), m_dir.filePath(w + u".ext")}));
        }

        EchoServer server(QWebSocketServer::SecureMode);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate::fromPath(path("server.pem")).constFirst());
        QFile keyFile(path("server.key"));
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
        tls.setCaCertificates(QSslCertificate::fromPath(path("ca.pem")));
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer); // a client certificate is required
        server.server().setSslConfiguration(tls);
        QVERIFY(server.listen());

        // untrusted: refused with the reason
        {
            ClientConnection client;
            client.setOptions(optionsFor(server.url()));
            QSignalSpy finished(&client, &ClientConnection::finished);
            client.open();
            QVERIFY(finished.wait(10000));
            QVERIFY2(lastError(client).startsWith(u"TLS: the certificate of 127.0.0.1:"),
                     qPrintable(lastError(client)));
        }
        // trusted through the CA, with the client certificate
        {
            ClientConnection client;
            ClientOptions o = optionsFor(server.url());
            o.caFile = path("ca.pem");
            o.certificateFile = path("client.pem");
            o.keyFile = path("client.key");
            client.setOptions(o);
            QSignalSpy opened(&client, &ClientConnection::opened);
            client.open();
            QVERIFY2(opened.wait(10000), qPrintable(lastError(client)));
            QVERIFY(eventsOf(client, Kind::Warning).isEmpty());
            QVERIFY(client.sendText("secure"));
            QTRY_COMPARE(eventsOf(client, Kind::Received).size(), 1);
            client.close();
        }
        // insecure: accepted, with a visible warning
        {
            ClientConnection client;
            ClientOptions o = optionsFor(server.url());
            o.insecure = true;
            o.certificateFile = path("client.pem");
            o.keyFile = path("client.key");
            client.setOptions(o);
            QSignalSpy opened(&client, &ClientConnection::opened);
            client.open();
            QVERIFY2(opened.wait(10000), qPrintable(lastError(client)));
            QCOMPARE(eventsOf(client, Kind::Warning).size(), 1);
            QVERIFY(eventsOf(client, Kind::Warning)
                        .constFirst()
                        .text.startsWith(u"accepting an untrusted certificate of 127.0.0.1:"));
            client.close();
        }
    }
};

QTEST_GUILESS_MAIN(TestClientConnection)
#include "tst_clientconnection.moc"
