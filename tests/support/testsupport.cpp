// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTcpServer>

namespace Gatehouse::Test {

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

} // namespace Gatehouse::Test
