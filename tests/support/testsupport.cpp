// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "analytics/jsonlineswriter.h"
#include "analytics/sqlitelogwriter.h"
#include "gateway/gatewayevent.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <csignal>

#include <memory>

namespace Gatehouse::Test {

bool writeJsonLinesLog(const QString &path, const QList<Gateway::GatewayEvent> &events)
{
    Analytics::JsonLinesWriter::Options o;
    o.path = path;
    Analytics::JsonLinesWriter writer(o);
    QString error;
    if (!writer.open(&error))
        return false;
    const Analytics::EventSpan span(events.constData(), size_t(events.size()));
    const bool ok = writer.write(Analytics::EventSlices(&span, 1), &error);
    writer.close();
    return ok;
}

bool writeDamagedMessageLog(const QString &path, QString *why, int messages)
{
    {
        Analytics::SqliteLogWriter::Options o;
        o.path = path;
        Analytics::SqliteLogWriter writer(o);
        if (!writer.open(why))
            return false;
        QList<Gateway::GatewayEvent> events;
        for (int i = 0; i < messages; ++i) {
            Gateway::GatewayEvent e;
            e.type = Gateway::GatewayEvent::Type::MessageRelayed;
            e.connectionId = quint64(1 + i % 40);
            e.timeMs = 1'767'225'600'000 + i;
            e.size = 300;
            e.payload = QByteArray(300, char('a' + i % 26));
            e.editDetails().api = QStringLiteral("/chats/1.0.0");
            events.append(e);
        }
        const Analytics::EventSpan span(events.constData(), size_t(events.size()));
        const bool ok = writer.write(Analytics::EventSlices(&span, 1), why);
        writer.close();
        if (!ok)
            return false;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite)) {
        *why = file.errorString();
        return false;
    }
    const QByteArray header = file.read(100);
    const int pageSize = (quint8(header.at(16)) << 8) | quint8(header.at(17));
    const qint64 pages = pageSize > 0 ? file.size() / pageSize : 0;
    if (pages < 20) {
        *why = QStringLiteral("only %1 pages").arg(pages);
        return false;
    }
    return file.seek((pages / 2) * pageSize)
        && file.write(QByteArray(pageSize, char(0x5a))) == pageSize;
}

QString sourcePath(const QString &relative)
{
    return QDir(QStringLiteral(GATEHOUSE_SOURCE_DIR)).absoluteFilePath(relative);
}

QString examplePath(const QString &relative)
{
    return QDir(QStringLiteral(GATEHOUSE_EXAMPLES_DIR)).absoluteFilePath(relative);
}

QStringList exampleFiles()
{
    QStringList files;
    QDirIterator it(QStringLiteral(GATEHOUSE_EXAMPLES_DIR),
                    {QStringLiteral("*.yml"), QStringLiteral("*.yaml"), QStringLiteral("*.json")},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    return files;
}

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

QString nodeModulesPath()
{
    return QDir(QStringLiteral(GATEHOUSE_NODE_DIR))
        .absoluteFilePath(QStringLiteral("node_modules"));
}

ProcessResult runProcess(const QString &program, const QStringList &arguments, int timeoutMs,
                         const QByteArray &standardInput)
{
    ProcessResult result;
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForStarted(timeoutMs)) {
        result.standardError = process.errorString().toUtf8();
        return result;
    }
    if (!standardInput.isEmpty())
        process.write(standardInput);
    process.closeWriteChannel();
    result.finished = process.waitForFinished(timeoutMs);
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.standardOutput = process.readAllStandardOutput();
    result.standardError = process.readAllStandardError();
    return result;
}

ProcessResult runCli(const QStringList &arguments, int timeoutMs, const QByteArray &standardInput)
{
    return runProcess(QStringLiteral(GATEHOUSE_CLI_PATH), arguments, timeoutMs, standardInput);
}

QByteArray echoApiDocument(const QString &context, quint16 backendPort)
{
    return QStringLiteral(R"(asyncapi: 2.6.0
info:
  title: Echo
  version: 1.0.0
channels:
  /echo:
    publish:
      operationId: sendEcho
      x-auth-type: None
      message:
        payload:
          type: string
    subscribe:
      operationId: receiveEcho
      x-auth-type: None
      message:
        payload:
          type: string
x-gatehouse:
  context: %1
  endpoint: ws://127.0.0.1:%2
)")
        .arg(context)
        .arg(backendPort)
        .toUtf8();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QString copyMultiFileDocument(const QString &folder, QByteArray *mainText)
{
    const QDir from(sourcePath(QStringLiteral("tests/data/asyncapi/multifile")));
    for (const QString &name : {QStringLiteral("main.yaml"), QStringLiteral("messages.yaml"),
                                QStringLiteral("schemas/common.yaml")}) {
        const QString to = QDir(folder).filePath(name);
        QFile::remove(to);
        if (!QDir().mkpath(QFileInfo(to).absolutePath()) || !QFile::copy(from.filePath(name), to)
            || !QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner))
            return {};
    }
    const QString main = QDir(folder).filePath(QStringLiteral("main.yaml"));
    if (mainText) {
        QFile file(main);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        *mainText = file.readAll();
    }
    return main;
}

EchoBackend::EchoBackend()
    : m_server(
        std::make_unique<QWebSocketServer>(QStringLiteral("echo"), QWebSocketServer::NonSecureMode))
{
    m_server->listen(QHostAddress::LocalHost, 0);
    connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *ws = m_server->nextPendingConnection()) {
            ws->setParent(m_server.get());
            connect(ws, &QWebSocket::textMessageReceived, ws,
                    [ws](const QString &m) { ws->sendTextMessage(m); });
            connect(ws, &QWebSocket::binaryMessageReceived, ws,
                    [ws](const QByteArray &m) { ws->sendBinaryMessage(m); });
            connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
        }
    });
}

EchoBackend::~EchoBackend() = default;

quint16 EchoBackend::port() const
{
    return m_server->serverPort();
}

CliProcess::CliProcess()
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process.readAllStandardOutput(); });
    connect(&m_process, &QProcess::readyReadStandardError, this,
            [this] { m_stderr += m_process.readAllStandardError(); });
}

CliProcess::~CliProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void CliProcess::start(const QStringList &arguments)
{
    m_stdout.clear();
    m_stderr.clear();
    m_process.setChildProcessModifier(m_setup ? m_setup : std::function<void()>([] {}));
    m_process.start(QStringLiteral(GATEHOUSE_CLI_PATH), arguments);
}

quint16 CliProcess::startServe(const QStringList &arguments, int timeoutMs)
{
    start(arguments);
    const QRegularExpression listening(QStringLiteral("listening on ws://127\\.0\\.0\\.1:(\\d+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_process.state() != QProcess::NotRunning) {
        const auto match = listening.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
        QTest::qWait(20);
    }
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
    qWarning() << "serve did not start:" << m_stdout << m_stderr;
    return 0;
}

bool CliProcess::signalAndWait(int signal, int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    ::kill(pid_t(m_process.processId()), signal);
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_process.state() != QProcess::NotRunning)
        QTest::qWait(20);
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
    return m_process.state() == QProcess::NotRunning;
}

RawHttpServer::RawHttpServer(QByteArray answer)
    : m_answer(std::move(answer))
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_server.nextPendingConnection()) {
            auto request = std::make_shared<QByteArray>();
            connect(s, &QTcpSocket::readyRead, s, [this, s, request] {
                *request += s->readAll();
                if (request->contains("\r\n\r\n")) {
                    requests.append(std::exchange(*request, {}));
                    s->write(m_answer);
                    s->disconnectFromHost();
                }
            });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    m_server.listen(QHostAddress::LocalHost, 0);
}

QString RawHttpServer::url() const
{
    return QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort());
}

} // namespace Gatehouse::Test
