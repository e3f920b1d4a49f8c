// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/scenariorunner.h"

#include "mock/examplesbehaviour.h"
#include "mock/jsonpattern.h"
#include "mock/mockconnection.h"

namespace Gatehouse {

ScenarioRunner::ScenarioRunner(MockConnection *connection, const Scenario &scenario,
                               const QString &name)
    : QObject(connection)
    , m_connection(connection)
    , m_scenario(scenario)
    , m_name(name)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ScenarioRunner::handleTimeout);
}

void ScenarioRunner::start()
{
    runSteps();
}

void ScenarioRunner::handleText(const QString &text)
{
    handleReceived(JsonPattern::valueOfText(text));
}

void ScenarioRunner::handleBinary(const QByteArray &data)
{
    handleReceived(Json(data.toBase64().toStdString()));
}

void ScenarioRunner::handleReceived(const Json &value)
{
    if (m_finished)
        return;
    m_received.append(value);
    if (m_waitingForMessage) {
        m_waitingForMessage = false;
        m_timer.stop();
        runSteps();
    }
}

void ScenarioRunner::handleTimeout()
{
    if (m_waitingForMessage) {
        m_waitingForMessage = false;
        fail(QStringLiteral("no message within %1 ms")
                 .arg(m_scenario.steps.at(m_step).milliseconds));
        return;
    }
    ++m_step; // a wait step is over
    runSteps();
}

void ScenarioRunner::runSteps()
{
    while (!m_finished && m_connection->isOpen()) {
        if (m_step >= m_scenario.steps.size()) {
            bool pauses = false;
            for (const ScenarioStep &s : m_scenario.steps)
                pauses = pauses || s.type == ScenarioStep::Type::Wait
                    || s.type == ScenarioStep::Type::Expect;
            if (!m_scenario.repeat || !pauses) { // a repeat without pauses would spin
                m_finished = true;
                return;
            }
            m_step = 0;
        }
        const ScenarioStep &step = m_scenario.steps.at(m_step);
        switch (step.type) {
        case ScenarioStep::Type::Wait:
            m_timer.start(step.milliseconds);
            return;
        case ScenarioStep::Type::Send:
            if (step.binary)
                m_connection->sendBinary(QByteArray::fromBase64(QByteArray::fromStdString(
                    step.value.is_string() ? step.value.get<std::string>() : std::string())));
            else if (step.value.is_string())
                m_connection->sendText(QString::fromStdString(step.value.get<std::string>()));
            else
                m_connection->sendText(QString::fromStdString(step.value.dump()));
            ++m_step;
            break;
        case ScenarioStep::Type::Expect: {
            if (m_received.isEmpty()) {
                m_waitingForMessage = true;
                m_timer.start(step.milliseconds);
                return;
            }
            const Json value = m_received.takeFirst();
            QString why;
            if (!JsonPattern::matches(step.value, value, &why)) {
                fail(QStringLiteral("unexpected message: ") + why);
                return;
            }
            ++m_step;
            break;
        }
        case ScenarioStep::Type::Close:
            m_finished = true;
            m_connection->close(step.closeCode, step.reason);
            return;
        }
    }
}

void ScenarioRunner::fail(const QString &why)
{
    m_finished = true;
    const QString message
        = QStringLiteral("scenario %1, step %2: %3").arg(m_name).arg(m_step + 1).arg(why);
    ExamplesBehaviour::sendError(m_connection, message);
    // a close reason is limited to 123 bytes
    QString reason = QStringLiteral("scenario step %1 failed").arg(m_step + 1);
    m_connection->close(1008, reason);
}

} // namespace Gatehouse
