// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "analytics/jsonlineswriter.h"
#include "gateway/gatewayevent.h"

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>

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
