// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "mock/scenario.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace Gatehouse {

class MockConnection;

// Runs a scenario script on one connection: waits, sends, expects messages that
// match a JsonPattern and closes, in order. A message that does not match, or none
// within the step's timeout, is answered with an error frame and the connection is
// closed with 1008 and the step number in the reason. Messages received before an
// expect step are kept for it, in order.
class ScenarioRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioRunner)

public:
    ScenarioRunner(MockConnection *connection, const Scenario &scenario, const QString &name);

    void start();
    void handleText(const QString &text);
    void handleBinary(const QByteArray &data);
    bool isFinished() const { return m_finished; }

private:
    void runSteps();
    void handleTimeout();
    void handleReceived(const Json &value);
    void fail(const QString &why);

    MockConnection *m_connection;
    Scenario m_scenario;
    QString m_name;
    int m_step = 0;
    bool m_waitingForMessage = false;
    bool m_finished = false;
    QList<Json> m_received;
    QTimer m_timer;
};

} // namespace Gatehouse
