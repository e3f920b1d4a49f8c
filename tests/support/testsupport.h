// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTcpServer>

#include <functional>
#include <memory>
#include <type_traits>

class QWebSocketServer;

namespace Gatehouse::Gateway {
struct GatewayEvent;
}

// Helpers shared by the test suites.
namespace Gatehouse::Test {

// Absolute path of a file in the source tree, e.g. sourcePath("resources/samples/x.yaml").
QString sourcePath(const QString &relative);

// Writes `events` to a JSON Lines log at `path` as `serve --log-file` does
// (JsonLinesWriter); false when it cannot.
bool writeJsonLinesLog(const QString &path, const QList<Gateway::GatewayEvent> &events);

// Writes a message log of `messages` relayed messages at `path` (SqliteLogWriter),
// then overwrites a page in the middle of the file: the header and the schema stay
// whole, so the log opens, and SQLite's integrity check finds the damage. False
// (with why) when it cannot.
bool writeDamagedMessageLog(const QString &path, QString *why, int messages = 4000);

// Absolute path of a file in tests/data/asyncapi-examples.
QString examplePath(const QString &relative);

// Every example document (*.yml, *.yaml, *.json) under tests/data/asyncapi-examples.
QStringList exampleFiles();

// A TCP port on 127.0.0.1 that was free a moment ago (for a server a test starts
// itself or in another process); 0 when none could be found.
quint16 freePort();

// node_modules folder of the npm packages the interop tests use.
QString nodeModulesPath();

struct ProcessResult
{
    int exitCode = -1;
    bool finished = false; // false: killed at the time limit
    QByteArray standardOutput;
    QByteArray standardError;
};

// Runs gatehouse-cli with the given arguments, bounded in time.
ProcessResult runCli(const QStringList &arguments, int timeoutMs = 30000,
                     const QByteArray &standardInput = {});

// Runs any program, bounded in time.
ProcessResult runProcess(const QString &program, const QStringList &arguments,
                         int timeoutMs = 30000, const QByteArray &standardInput = {});

// An AsyncAPI document with one open channel, /echo (no credentials), served at
// /{context}/1.0.0 and relayed to ws://127.0.0.1:backendPort.
QByteArray echoApiDocument(const QString &context, quint16 backendPort);

// Writes `content` to `path` (replacing it); false when it cannot.
bool writeFile(const QString &path, const QByteArray &content);

// Copies the document split over three files (tests/data/asyncapi/multifile:
// main.yaml, messages.yaml, schemas/common.yaml) into `folder`; the path of its
// main.yaml (and its text in `mainText`), or empty when it cannot.
QString copyMultiFileDocument(const QString &folder, QByteArray *mainText = nullptr);

// A QWebSocketServer on 127.0.0.1 that echoes every text and binary message.
class EchoBackend final : public QObject
{
public:
    EchoBackend();
    ~EchoBackend() override;
    quint16 port() const;

private:
    std::unique_ptr<QWebSocketServer> m_server;
};

// `gatehouse-cli serve` (or another command) run as a user runs it, in a process of
// its own: what it prints is collected while the test's event loop runs.
class CliProcess final : public QObject
{
public:
    CliProcess();
    ~CliProcess() override; // kills the process if it still runs

    // Runs in the child between fork and exec (setrlimit, signal dispositions).
    void setChildSetup(std::function<void()> setup) { m_setup = std::move(setup); }
    void start(const QStringList &arguments);
    // start(), then waits for "listening on ws://127.0.0.1:PORT" and returns PORT
    // (0, with a warning saying what it printed, when it did not start in time).
    quint16 startServe(const QStringList &arguments, int timeoutMs = 20000);

    QProcess &process() { return m_process; }
    qint64 pid() const { return m_process.processId(); }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    // Everything printed so far (read as it comes).
    const QByteArray &standardOutput() const { return m_stdout; }
    const QByteArray &standardError() const { return m_stderr; }
    // Sends `signal` and waits for the process to end; false when it did not.
    bool signalAndWait(int signal, int timeoutMs = 10000);

private:
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    std::function<void()> m_setup;
};

// An HTTP server on 127.0.0.1 that answers every request with `answer` as written
// (a refusal such as a 401 or 429, a redirect, an answer with Set-Cookie) and closes
// the connection; it keeps each request it read, headers included.
class RawHttpServer final : public QObject
{
public:
    explicit RawHttpServer(QByteArray answer);
    quint16 port() const { return m_server.serverPort(); }
    // ws://127.0.0.1:port/
    QString url() const;
    QList<QByteArray> requests;

private:
    QTcpServer m_server;
    QByteArray m_answer;
};

// Runs `f` in the thread of `context` and returns what it returns. Blocks until
// done: that thread must run an event loop and must not be the caller's.
template<typename F>
auto runInThreadOf(QObject *context, F &&f)
{
    using R = std::invoke_result_t<F &>;
    if constexpr (std::is_void_v<R>) {
        QMetaObject::invokeMethod(context, f, Qt::BlockingQueuedConnection);
    } else {
        R result {};
        QMetaObject::invokeMethod(
            context, [&] { result = f(); }, Qt::BlockingQueuedConnection);
        return result;
    }
}

} // namespace Gatehouse::Test
