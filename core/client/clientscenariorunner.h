// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientoptions.h"
#include "client/clientscenario.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <memory>
#include <optional>
#include <vector>

class QTimer;

namespace Gatehouse::Client {

class ClientConnection;

// Runs a ClientScenario on the current thread's event loop, never blocking it: opens
// every connection first (one that cannot open ends the run with its reason), then
// runs the steps in order and closes everything.
//
// An expect step takes the first message received on its connection since it opened
// that no earlier expect took and that matches; messages that do not match stay for
// later expects. It fails when none has matched `within` its time (saying what arrived
// instead) or when the connection ends first. After a failed step the rest are skipped.
class ClientScenarioRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientScenarioRunner)
public:
    enum class Outcome { Passed, Failed, Skipped };

    struct StepResult
    {
        int number = 0; // 1, 2, ...
        QString description; // "bob expect text \"hello\""
        Outcome outcome = Outcome::Skipped;
        qint64 durationMs = 0;
        QString message; // why it failed or was skipped
    };

    struct Result
    {
        QList<StepResult> steps;
        QString connectionError; // "alice: Unexpected server response: 401"; empty: all opened
        qint64 durationMs = 0;

        int count(Outcome outcome) const;
        bool passed() const
        {
            return connectionError.isEmpty() && count(Outcome::Passed) == steps.size();
        }
    };

    explicit ClientScenarioRunner(ClientScenario scenario, QObject *parent = nullptr);
    ~ClientScenarioRunner() override;

    // The connection of steps that name none (what `cat -c URL -H ...` gives).
    void setDefaultConnection(const ClientOptions &options);
    // Options every named connection starts from before its url, headers, ... (timeouts).
    void setBaseOptions(const ClientOptions &options);

    void start();
    bool isRunning() const { return m_phase != Phase::Idle && m_phase != Phase::Done; }
    const Result &result() const { return m_result; }
    const ClientScenario &scenario() const { return m_scenario; }

Q_SIGNALS:
    void stepFinished(const Gatehouse::Client::ClientScenarioRunner::StepResult &result);
    void finished();

private:
    enum class Phase { Idle, Opening, Stepping, Closing, Done };
    struct Peer;

    void addPeer(const QString &name, const ClientOptions &options);
    Peer *peer(const QString &name) const;
    void drain(Peer *peer);
    void handleEvents(Peer *peer);
    void handlePeerFinished(Peer *peer);
    void startStep(int index);
    void checkExpectation();
    void handleTimeout();
    void pass();
    void failStep(const QString &message);
    void endStep(Outcome outcome, const QString &message);
    void closeAll();
    void finishIfClosed();
    QString unmatched(const Peer &peer, const ClientScenario::Expectation &expectation) const;

    ClientScenario m_scenario;
    std::optional<ClientOptions> m_defaultOptions;
    ClientOptions m_baseOptions;
    std::vector<std::unique_ptr<Peer>> m_peers;
    Phase m_phase = Phase::Idle;
    int m_current = -1;
    QTimer *m_timer; // a wait, an expect's time limit, or the time to close
    QElapsedTimer m_runClock;
    QElapsedTimer m_stepClock;
    Result m_result;
};

} // namespace Gatehouse::Client
