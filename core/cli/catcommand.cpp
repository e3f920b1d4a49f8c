// SPDX-License-Identifier: GPL-3.0-or-later
// gatehouse-cli cat: a WebSocket client (or a one-client server) on the terminal, with
// wscat 6's flags, output lines and exit codes, so scripts written for wscat work
// unchanged; and --json, --count, --timeout, --hex, --expect and --token-from beyond it.
#include "cli/catexpect.h"
#include "cli/cattoken.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/credentialclisupport.h"

#include "client/clientconnection.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace Gatehouse::Cli {

namespace {

const QString Name = QStringLiteral("cat");
constexpr int ExitError = 255; // what wscat's process.exit(-1) gives

// What wscat prints where: on a terminal, every line (control lines, "< " before an
// incoming message, "error: " before an error) in colour with a prompt after it; in
// a pipe, incoming messages alone on standard output and errors on standard error.
class Console
{
public:
    enum class Type { Incoming, Control, Error };
    enum Color { Red = 31, Green = 32, Yellow = 33, Blue = 34 };

    Console(bool color, bool execute)
        : m_tty(::isatty(STDOUT_FILENO) == 1)
        , m_color(color && !execute)
        , m_execute(execute)
    { }

    bool isTerminal() const { return m_tty; }

    void print(Type type, const QByteArray &message, Color color)
    {
        if (m_tty) {
            QByteArray line = "\r\x1b[2K\x1b[3D";
            if (!m_execute) {
                if (m_color)
                    line += "\x1b[" + QByteArray::number(int(color)) + 'm';
                line += type == Type::Incoming ? "< " : type == Type::Error ? "error: " : "";
            }
            line += message + "\x1b[39m\n> ";
            write(stdout, line);
        } else if (type == Type::Incoming) {
            write(stdout, message + '\n');
        } else if (type == Type::Error) {
            write(stderr, "error: " + message + '\n');
        }
    }
    void clear()
    {
        if (m_tty)
            write(stdout, "\r\x1b[2K\x1b[3D");
    }
    static void write(FILE *to, const QByteArray &bytes)
    {
        std::fwrite(bytes.constData(), 1, size_t(bytes.size()), to);
        std::fflush(to);
    }

private:
    bool m_tty;
    bool m_color;
    bool m_execute;
};

// Standard input, line by line, without blocking the event loop.
class LineReader final : public QObject
{
public:
    explicit LineReader(QObject *parent)
        : QObject(parent)
        , m_notifier(new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this))
    {
        connect(m_notifier, &QSocketNotifier::activated, this, &LineReader::readSome);
    }
    std::function<void(const QByteArray &)> onLine;
    std::function<void()> onEnd;

private:
    void readSome()
    {
        char buffer[65536];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n > 0) {
            m_pending.append(buffer, n);
            qsizetype newline;
            while ((newline = m_pending.indexOf('\n')) >= 0) {
                QByteArray line = m_pending.left(newline);
                m_pending.remove(0, newline + 1);
                if (line.endsWith('\r'))
                    line.chop(1);
                if (onLine)
                    onLine(line);
            }
            return;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        m_notifier->setEnabled(false);
        if (!m_pending.isEmpty() && onLine)
            onLine(std::exchange(m_pending, {}));
        if (onEnd)
            onEnd();
    }

    QSocketNotifier *m_notifier;
    QByteArray m_pending;
};

// wscat's words for the errors a script may look for.
QString wscatError(const Client::ClientConnection &connection)
{
    const QUrl url = connection.url();
    const QString hostPort
        = QStringLiteral("%1:%2").arg(url.host()).arg(url.port(url.scheme() == u"wss" ? 443 : 80));
    switch (connection.socketError()) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("connect ECONNREFUSED ") + hostPort;
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("getaddrinfo ENOTFOUND ") + url.host();
    case QAbstractSocket::SocketTimeoutError:
        return QStringLiteral("connect ETIMEDOUT ") + hostPort;
    default:
        return connection.errorString();
    }
}

QByteArray shown(const Client::ClientEvent &e, bool hex)
{
    if (hex && e.opcode == Client::ClientEvent::Binary)
        return e.data.toHex(' ');
    return e.data;
}

struct CatSettings
{
    QStringList execute;
    double waitSeconds = -2; // -2: not given (2 s after -x); -1: hold open
    bool slash = false;
    bool showPingPong = false;
    bool json = false;
    bool hex = false;
    int count = 0; // close after this many messages (0: no limit)
    double timeoutSeconds = 0;
};

int listenMode(quint16 port, const CatSettings &settings, Console &console)
{
    QWebSocketServer server(QStringLiteral("gatehouse-cli cat"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::Any, port)) {
        console.print(Console::Type::Error, server.errorString().toUtf8(), Console::Yellow);
        return ExitError;
    }
    console.print(Console::Type::Control,
                  QStringLiteral("Listening on port %1 (press CTRL+C to quit)")
                      .arg(server.serverPort())
                      .toUtf8(),
                  Console::Green);
    console.clear();
    QPointer<QWebSocket> client;
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&] {
        while (QWebSocket *s = server.nextPendingConnection()) {
            if (client) {
                s->abort();
                s->deleteLater();
                continue;
            }
            client = s;
            console.print(Console::Type::Control, "Client connected", Console::Green);
            QObject::connect(s, &QWebSocket::textMessageReceived, s, [&](const QString &m) {
                console.print(Console::Type::Incoming, m.toUtf8(), Console::Blue);
            });
            QObject::connect(s, &QWebSocket::binaryMessageReceived, s, [&](const QByteArray &m) {
                console.print(Console::Type::Incoming, settings.hex ? m.toHex(' ') : m,
                              Console::Blue);
            });
            QObject::connect(s, &QWebSocket::disconnected, s, [&console, s] {
                console.print(Console::Type::Control,
                              QStringLiteral("Disconnected (code: %1, reason: \"%2\")")
                                  .arg(int(s->closeCode()))
                                  .arg(s->closeReason())
                                  .toUtf8(),
                              Console::Green);
                console.clear();
                s->deleteLater();
            });
        }
    });
    auto *reader = new LineReader(&server);
    reader->onLine = [&](const QByteArray &line) {
        if (client)
            client->sendTextMessage(QString::fromUtf8(line));
    };
    reader->onEnd = [&] {
        if (client)
            client->close();
        QTimer::singleShot(100, &server, [] { QCoreApplication::exit(0); });
    };
    return QCoreApplication::exec();
}

} // namespace

namespace {

// `--passphrase` with no value after it, as wscat takes it: the passphrase is asked for.
bool takePassphraseWithoutValue(QStringList *arguments)
{
    for (qsizetype i = 0; i < arguments->size(); ++i) {
        if (arguments->at(i) != u"--passphrase")
            continue;
        if (i + 1 < arguments->size() && !arguments->at(i + 1).startsWith(u'-'))
            return false;
        arguments->removeAt(i);
        return true;
    }
    return false;
}

// Asks on the terminal without echoing what is typed; without a terminal, reads the
// first line of standard input (a byte at a time: the rest stays for the session).
QByteArray askPassphrase()
{
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios saved {};
    if (terminal) {
        std::fputs("Passphrase: ", stderr);
        std::fflush(stderr);
        if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
            termios silent = saved;
            silent.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
        }
    }
    QByteArray line;
    char c = 0;
    while (::read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
        line += c;
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputs("\n", stderr);
    }
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

} // namespace

int catCommand(const QStringList &givenArguments)
{
    QStringList arguments = givenArguments;
    const bool askForPassphrase = takePassphraseWithoutValue(&arguments);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Talk to a WebSocket server from the terminal, as wscat does, with wscat's flags,\n"
        "output and exit codes (0 closed, 255 an error). On a terminal it prints every\n"
        "event; in a pipe it reads lines from standard input, sends each as a message and\n"
        "writes each message received on its own line."));
    auto option = [&parser](QStringList names, const QString &help, const QString &value = {}) {
        QCommandLineOption o(names, help, value);
        parser.addOption(o);
        return o;
    };
    const auto connectOpt
        = option({QStringLiteral("c"), QStringLiteral("connect")},
                 QStringLiteral("Connect to a WebSocket server."), QStringLiteral("URL"));
    const auto listenOpt
        = option({QStringLiteral("l"), QStringLiteral("listen")},
                 QStringLiteral("Listen on PORT for one client."), QStringLiteral("PORT"));
    const auto headerOpt = option({QStringLiteral("H"), QStringLiteral("header")},
                                  QStringLiteral("Set an HTTP header; repeat for more."),
                                  QStringLiteral("header:value"));
    const auto subprotocolOpt = option({QStringLiteral("s"), QStringLiteral("subprotocol")},
                                       QStringLiteral("Offer a subprotocol; repeat for more."),
                                       QStringLiteral("protocol"));
    const auto originOpt
        = option({QStringLiteral("o"), QStringLiteral("origin")},
                 QStringLiteral("Send an Origin header."), QStringLiteral("origin"));
    const auto hostOpt = option({QStringLiteral("host")}, QStringLiteral("Send this Host header."),
                                QStringLiteral("host"));
    const auto protocolOpt
        = option({QStringLiteral("p"), QStringLiteral("protocol")},
                 QStringLiteral("Protocol version (13, or 8)."), QStringLiteral("version"));
    const auto authOpt
        = option({QStringLiteral("auth")}, QStringLiteral("Basic HTTP authentication."),
                 QStringLiteral("username:password"));
    const auto noCheckOpt = option({QStringLiteral("n"), QStringLiteral("no-check")},
                                   QStringLiteral("Accept an untrusted certificate (a warning "
                                                  "is printed on standard error)."));
    const auto caOpt = option({QStringLiteral("ca")},
                              QStringLiteral("Trust the certificate authority in this PEM file."),
                              QStringLiteral("ca"));
    const auto certOpt
        = option({QStringLiteral("cert")}, QStringLiteral("Client certificate (PEM)."),
                 QStringLiteral("cert"));
    const auto keyOpt = option({QStringLiteral("key")},
                               QStringLiteral("Private key of the client certificate (PEM)."),
                               QStringLiteral("key"));
    const auto passphraseOpt
        = option({QStringLiteral("passphrase")},
                 QStringLiteral("Passphrase of the key; without a value it is asked for (from "
                                "the first line of standard input when it is not a terminal)."),
                 QStringLiteral("passphrase"));
    const auto proxyOpt
        = option({QStringLiteral("proxy")},
                 QStringLiteral(
                     "Connect through a proxy: http://host:port (CONNECT) or socks5://host:port."),
                 QStringLiteral("[protocol://]host[:port]"));
    const auto locationOpt = option({QStringLiteral("L"), QStringLiteral("location")},
                                    QStringLiteral("Follow redirects."));
    const auto maxRedirectsOpt
        = option({QStringLiteral("max-redirects")},
                 QStringLiteral("Most redirects to follow (default 10)."), QStringLiteral("num"));
    const auto executeOpt = option({QStringLiteral("x"), QStringLiteral("execute")},
                                   QStringLiteral("Send this message after connecting, then "
                                                  "close; repeat for more."),
                                   QStringLiteral("command"));
    const auto waitOpt = option({QStringLiteral("w"), QStringLiteral("wait")},
                                QStringLiteral("Seconds to wait after -x before closing (-1: "
                                               "stay open; default 2)."),
                                QStringLiteral("seconds"));
    const auto pingPongOpt = option({QStringLiteral("P"), QStringLiteral("show-ping-pong")},
                                    QStringLiteral("Print the pings and pongs received."));
    const auto slashOpt = option(
        {QStringLiteral("slash")},
        QStringLiteral("Slash commands: /ping [data], /pong [data], /close [code [reason]]."));
    const auto noColorOpt
        = option({QStringLiteral("no-color")}, QStringLiteral("Print without colours."));
    const auto jsonOpt = option({QStringLiteral("json")},
                                QStringLiteral("Print every event as one JSON object per line "
                                               "(time, kind, direction, data)."));
    const auto countOpt
        = option({QStringLiteral("count")}, QStringLiteral("Close after receiving N messages."),
                 QStringLiteral("N"));
    const auto timeoutOpt
        = option({QStringLiteral("timeout")},
                 QStringLiteral("Fail (exit 1) when the session has not ended after SECONDS."),
                 QStringLiteral("seconds"));
    const auto hexOpt
        = option({QStringLiteral("hex")}, QStringLiteral("Print binary messages as hex."));
    const auto expectOpt
        = option({QStringLiteral("expect")},
                 QStringLiteral("Run the scenario in FILE (sends and expectations; -c URL is its "
                                "default connection); exit 0 when every step passes, 1 when "
                                "one fails."),
                 QStringLiteral("FILE"));
    const auto junitOpt = option({QStringLiteral("junit")},
                                 QStringLiteral("With --expect: write a JUnit XML report."),
                                 QStringLiteral("FILE"));
    const auto tokenFromOpt = option(
        {QStringLiteral("token-from")},
        QStringLiteral("Send the newest credential of application APP that is neither revoked "
                       "nor expired (from the registry, its secret from where it was kept): "
                       "tokens and JWTs as Authorization: Bearer, API keys in the apikey "
                       "header."),
        QStringLiteral("APP"));
    const auto tokenHeaderOpt
        = option({QStringLiteral("token-header")},
                 QStringLiteral("With --token-from: send the secret in this header instead "
                                "(as it is; as Bearer SECRET in Authorization)."),
                 QStringLiteral("NAME"));
    CredentialSupport::addCommonOptions(parser); // --db, --secrets-file for --token-from
    const QCommandLineOption dbOpt(QStringLiteral("db"));
    const QCommandLineOption secretsFileOpt(QStringLiteral("secrets-file"));
    const QCommandLineOption helpOption = parser.addHelpOption();

    if (!parser.parse(arguments))
        return usageError(Name, parser.errorText());
    if (parser.isSet(helpOption)) {
        out() << parser.helpText();
        return ExitOk;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(Name,
                          QStringLiteral("unexpected argument '%1'; see --help")
                              .arg(parser.positionalArguments().constFirst()));

    CatSettings settings;
    settings.execute = parser.values(executeOpt);
    settings.slash = parser.isSet(slashOpt);
    settings.showPingPong = parser.isSet(pingPongOpt);
    settings.json = parser.isSet(jsonOpt);
    settings.hex = parser.isSet(hexOpt);
    auto number = [&](const QCommandLineOption &o, double min, double *to) {
        bool ok = false;
        const double v = parser.value(o).toDouble(&ok);
        if (!ok || v < min)
            return false;
        *to = v;
        return true;
    };
    if (parser.isSet(waitOpt) && !number(waitOpt, -1, &settings.waitSeconds))
        return usageError(Name,
                          QStringLiteral("--wait '%1' is not a number of seconds (-1: stay "
                                         "open)")
                              .arg(parser.value(waitOpt)));
    double count = 0;
    if (parser.isSet(countOpt) && (!number(countOpt, 1, &count) || count != int(count)))
        return usageError(Name,
                          QStringLiteral("--count '%1' is not a positive whole number")
                              .arg(parser.value(countOpt)));
    settings.count = int(count);
    if (parser.isSet(timeoutOpt) && !number(timeoutOpt, 0.001, &settings.timeoutSeconds))
        return usageError(Name,
                          QStringLiteral("--timeout '%1' is not a number of seconds")
                              .arg(parser.value(timeoutOpt)));

    if (parser.isSet(junitOpt) && !parser.isSet(expectOpt))
        return usageError(Name, QStringLiteral("--junit needs --expect FILE"));
    for (const QCommandLineOption &o : {tokenHeaderOpt, dbOpt, secretsFileOpt})
        if (parser.isSet(o) && !parser.isSet(tokenFromOpt))
            return usageError(
                Name, QStringLiteral("--%1 goes with --token-from APP").arg(o.names().constLast()));
    if (parser.isSet(tokenFromOpt) && parser.isSet(listenOpt))
        return usageError(Name, QStringLiteral("--token-from goes with --connect, not --listen"));
    if (parser.isSet(tokenHeaderOpt) && parser.value(tokenHeaderOpt).trimmed().isEmpty())
        return usageError(Name, QStringLiteral("--token-header needs a header name"));
    if (parser.isSet(expectOpt)) {
        for (const QCommandLineOption &o :
             {listenOpt, executeOpt, waitOpt, slashOpt, jsonOpt, countOpt, timeoutOpt}) {
            if (parser.isSet(o))
                return usageError(Name,
                                  QStringLiteral("--expect cannot be combined with --%1")
                                      .arg(o.names().constLast()));
        }
        for (const QCommandLineOption &o :
             {headerOpt, subprotocolOpt, originOpt, hostOpt, authOpt, tokenFromOpt}) {
            if (parser.isSet(o) && !parser.isSet(connectOpt))
                return usageError(Name,
                                  QStringLiteral("--%1 is for the default connection; give "
                                                 "it with -c URL")
                                      .arg(o.names().constLast()));
        }
    }

    Console console(!parser.isSet(noColorOpt), !settings.execute.isEmpty());
    if (parser.isSet(listenOpt) && parser.isSet(connectOpt)) {
        Console::write(stderr, "\x1b[33merror: Use either --listen or --connect\x1b[39m\n");
        return ExitError;
    }
    if (parser.isSet(listenOpt)) {
        bool ok = false;
        const uint port = parser.value(listenOpt).toUInt(&ok);
        if (!ok || port > 65535)
            return usageError(
                Name,
                QStringLiteral("--listen '%1' is not a port number").arg(parser.value(listenOpt)));
        return listenMode(quint16(port), settings, console);
    }
    if (!parser.isSet(connectOpt) && !parser.isSet(expectOpt)) {
        out() << parser.helpText();
        return ExitOk;
    }

    Client::ClientOptions options;
    if (parser.isSet(connectOpt)) {
        QString url = parser.value(connectOpt);
        static const QRegularExpression hasScheme(QStringLiteral("^[a-z][a-z0-9.+-]*:"),
                                                  QRegularExpression::CaseInsensitiveOption);
        if (!hasScheme.match(url).hasMatch())
            url.prepend(QStringLiteral("ws://"));
        options.url = QUrl(url);
    }
    for (const QString &h : parser.values(headerOpt)) {
        const qsizetype colon = h.indexOf(u':');
        if (colon <= 0)
            return usageError(Name, QStringLiteral("-H '%1' is not 'header:value'").arg(h));
        options.headers.append(
            {h.left(colon).trimmed().toUtf8(), h.mid(colon + 1).trimmed().toUtf8()});
    }
    if (parser.isSet(hostOpt))
        options.headers.append({"Host", parser.value(hostOpt).toUtf8()});
    if (parser.isSet(authOpt)) {
        options.basicAuth = parser.value(authOpt);
        options.headers.removeIf([](const auto &h) {
            return h.first.compare("Authorization", Qt::CaseInsensitive) == 0;
        });
    }
    options.subprotocols = parser.values(subprotocolOpt);
    options.origin = parser.value(originOpt);
    if (parser.isSet(protocolOpt))
        options.protocolVersion = parser.value(protocolOpt).toInt();
    options.insecure = parser.isSet(noCheckOpt);
    options.caFile = parser.value(caOpt);
    options.certificateFile = parser.value(certOpt);
    options.keyFile = parser.value(keyOpt);
    options.passphrase = parser.value(passphraseOpt).toUtf8();
    if (askForPassphrase)
        options.passphrase = askPassphrase();
    options.proxy = parser.value(proxyOpt);
    options.followRedirects = parser.isSet(locationOpt);
    if (parser.isSet(maxRedirectsOpt))
        options.maxRedirects = parser.value(maxRedirectsOpt).toInt();
    options.handshakeTimeoutMs = 30000;
    if (parser.isSet(tokenFromOpt)) {
        QString error;
        const QString app = parser.value(tokenFromOpt);
        const auto credential
            = CatToken::newestUsable(parser, app, QDateTime::currentMSecsSinceEpoch(), &error);
        if (!credential)
            return failure(Name, error);
        const QByteArray name
            = CatToken::headerName(credential->type, parser.value(tokenHeaderOpt).trimmed());
        // One value per header: a second one from -H, --auth or the URL would leave the
        // server to pick.
        for (const auto &header : std::as_const(options.headers))
            if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                return usageError(Name,
                                  QStringLiteral("-H %1: --token-from %2 sends that header "
                                                 "(--token-header NAME sends it in another)")
                                      .arg(QString::fromLatin1(header.first), app));
        const bool authorization = name.compare("Authorization", Qt::CaseInsensitive) == 0;
        if (authorization && (!options.basicAuth.isEmpty() || !options.url.userName().isEmpty()))
            return usageError(Name,
                              QStringLiteral("--token-from %1 sends Authorization; --auth or a "
                                             "user in the URL would send another")
                                  .arg(app));
        const auto secret = CatToken::readSecret(parser, *credential, &error);
        if (!secret)
            return failure(Name, error);
        options.headers.append({name, CatToken::headerValue(name, *secret)});
        options.secretHeaders.append(name.toLower());
    }
    if (parser.isSet(expectOpt)) {
        // Named connections of the scenario share TLS, proxy and timeouts, not the rest.
        Client::ClientOptions base = options;
        base.url = QUrl();
        base.headers.clear();
        base.subprotocols.clear();
        base.origin.clear();
        base.basicAuth.clear();
        std::optional<Client::ClientOptions> defaultConnection;
        if (parser.isSet(connectOpt))
            defaultConnection = options;
        return runExpectations(parser.value(expectOpt), parser.value(junitOpt), defaultConnection,
                               base);
    }

    Client::ClientConnection connection;
    connection.setOptions(options);
    bool failed = false;
    bool timedOut = false;
    int received = 0;
    quint64 seen = 0;
    bool inputEnded = false;
    QList<QByteArray> queued; // lines typed before the connection opened

    auto sendLine = [&](const QByteArray &line) {
        if (settings.slash && line.startsWith('/')) {
            const QList<QByteArray> words = line.simplified().split(' ');
            const QByteArray command = words.value(0).mid(1);
            if (command == "ping") {
                connection.ping(words.value(1));
            } else if (command == "pong") {
                connection.pong(words.value(1));
            } else if (command == "close") {
                const quint16 code = words.size() >= 2 ? quint16(words.at(1).toUInt()) : 1000;
                const QString reason
                    = words.size() >= 3 ? QString::fromUtf8(words.mid(2).join(' ')) : QString();
                connection.close(code, reason);
            } else {
                console.print(Console::Type::Error, "Unrecognized slash command.", Console::Yellow);
            }
            return;
        }
        connection.sendText(line);
    };
    auto closeSoon = [&] {
        if (settings.waitSeconds == -1)
            return;
        const int ms = settings.waitSeconds >= 0 ? int(settings.waitSeconds * 1000) : 2000;
        QTimer::singleShot(ms, &connection, [&connection] { connection.close(1000); });
    };

    LineReader *reader = nullptr;
    if (settings.execute.isEmpty()) {
        reader = new LineReader(&connection);
        reader->onLine = [&](const QByteArray &line) {
            if (connection.state() == Client::ClientConnection::State::Open)
                sendLine(line);
            else
                queued.append(line);
        };
        reader->onEnd = [&] {
            inputEnded = true;
            if (connection.state() == Client::ClientConnection::State::Open) {
                if (settings.waitSeconds >= 0 || settings.waitSeconds == -1)
                    closeSoon();
                else
                    connection.close(1000);
            }
        };
    }

    auto handleEvents = [&] {
        for (const Client::ClientEvent &e : connection.history()->since(seen)) {
            seen = e.sequence;
            using Kind = Client::ClientEvent::Kind;
            // after --count messages, later ones (in flight while closing) are not shown
            const bool beyondCount
                = e.kind == Kind::Received && settings.count && received >= settings.count;
            if (beyondCount)
                continue;
            if (settings.json)
                Console::write(stdout, QByteArray::fromStdString(e.toJson().dump()) + '\n');
            switch (e.kind) {
            case Kind::Opened:
                if (!settings.execute.isEmpty()) {
                    for (const QString &message : std::as_const(settings.execute))
                        connection.sendText(message.toUtf8());
                    closeSoon();
                } else {
                    if (!settings.json)
                        console.print(Console::Type::Control, "Connected (press CTRL+C to quit)",
                                      Console::Green);
                    for (const QByteArray &line : std::exchange(queued, {}))
                        sendLine(line);
                    if (inputEnded) {
                        if (settings.waitSeconds >= 0)
                            closeSoon();
                        else
                            connection.close(1000);
                    }
                }
                break;
            case Kind::Received:
                if (!settings.json)
                    console.print(Console::Type::Incoming, shown(e, settings.hex), Console::Blue);
                if (settings.count && ++received == settings.count)
                    connection.close(1000);
                break;
            case Kind::Ping:
            case Kind::Pong:
                if (settings.showPingPong && !e.outgoing && !settings.json)
                    console.print(
                        Console::Type::Incoming,
                        QByteArray(e.kind == Kind::Ping ? "Received ping" : "Received pong")
                            + " (data: \"" + e.data + "\")",
                        Console::Blue);
                break;
            case Kind::Closed:
                if (settings.execute.isEmpty() && !settings.json)
                    console.print(Console::Type::Control,
                                  QStringLiteral("Disconnected (code: %1, reason: \"%2\")")
                                      .arg(e.closeCode)
                                      .arg(e.text)
                                      .toUtf8(),
                                  Console::Green);
                break;
            case Kind::Warning:
                if (!settings.json)
                    Console::write(stderr, "warning: " + e.text.toUtf8() + '\n');
                break;
            case Kind::Error:
                if (!failed && !settings.json)
                    console.print(Console::Type::Error, wscatError(connection).toUtf8(),
                                  Console::Yellow);
                failed = true;
                break;
            default:
                break;
            }
        }
    };
    QObject::connect(&connection, &Client::ClientConnection::eventsAdded, &connection,
                     handleEvents);
    // queued: a connection can end inside open() (a TLS key that cannot be read), before
    // the event loop runs, and an exit() then would be lost
    QObject::connect(
        &connection, &Client::ClientConnection::finished, &connection,
        [&] {
            handleEvents();
            console.clear();
            QCoreApplication::exit(0);
        },
        Qt::QueuedConnection);
    if (settings.timeoutSeconds > 0)
        QTimer::singleShot(int(settings.timeoutSeconds * 1000), &connection, [&] {
            timedOut = true;
            Console::write(stderr,
                           QStringLiteral("error: timeout: the session did not end within "
                                          "%1 s\n")
                               .arg(settings.timeoutSeconds)
                               .toUtf8());
            QCoreApplication::exit(0);
        });
    if (!connection.open()) {
        handleEvents();
        return ExitError;
    }
    QCoreApplication::exec();
    if (timedOut)
        return ExitFailure;
    return failed ? ExitError : ExitOk;
}

} // namespace Gatehouse::Cli
