// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientscenariorunner.h"

#include "client/clientconnection.h"

#include <QTimer>

namespace Gatehouse::Client {

namespace {

constexpr int CloseWaitMs = 3000; // for every connection to finish its closing handshake
constexpr int ShownUnmatched = 3;

QString shortText(QString text)
{
    if (text.size() > 60)
        text = text.left(57) + QStringLiteral("...");
    return text;
}

QString quotedMessage(const ClientEvent &message)
{
    if (message.opcode == ClientEvent::Binary)
        return QStringLiteral("binary %1")
            .arg(shortText(QString::fromLatin1(message.data.toHex(' '))));
    return shortText(toQString(
        Json(message.data.toStdString()).dump(-1, ' ', false, Json::error_handler_t::replace)));
}

QString closeText(quint16 code, const QString &reason)
{
    QString text = ClientEvent::closeCodeMeaning(code); // "4001 application-defined"
    if (!reason.isEmpty())
        text += QStringLiteral(" \"%1\"").arg(shortText(reason));
    return text;
}

} // namespace

struct ClientScenarioRunner::Peer
{
    QString name; // empty: the default connection
    ClientConnection *connection = nullptr;
    quint64 seen = 0; // history sequence read up to
    QList<ClientEvent> unconsumed; // messages received that no expect took yet
    bool opened = false;
    bool ended = false; // finished: closed or failed, no reconnect
    std::optional<ClientEvent> closed;

    QString label() const { return name.isEmpty() ? QStringLiteral("the connection") : name; }
};

int ClientScenarioRunner::Result::count(Outcome outcome) const
{
    return int(std::count_if(steps.begin(), steps.end(),
                             [outcome](const StepResult &s) { return s.outcome == outcome; }));
}

ClientScenarioRunner::ClientScenarioRunner(ClientScenario scenario, QObject *parent)
    : QObject(parent)
    , m_scenario(std::move(scenario))
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer); // "within 200 ms" is not 190 ms
    connect(m_timer, &QTimer::timeout, this, &ClientScenarioRunner::handleTimeout);
    m_baseOptions.handshakeTimeoutMs = 10000;
}

ClientScenarioRunner::~ClientScenarioRunner() = default;

void ClientScenarioRunner::setDefaultConnection(const ClientOptions &options)
{
    m_defaultOptions = options;
}

void ClientScenarioRunner::setBaseOptions(const ClientOptions &options)
{
    m_baseOptions = options;
}

void ClientScenarioRunner::start()
{
    Q_ASSERT(m_phase == Phase::Idle);
    m_runClock.start();
    m_phase = Phase::Opening;
    for (int i = 0; i < m_scenario.steps.size(); ++i)
        m_result.steps.append({i + 1, m_scenario.steps.at(i).describe(), Outcome::Skipped, 0,
                               QStringLiteral("not run")});
    if (m_scenario.usesDefaultConnection()) {
        if (!m_defaultOptions) {
            m_result.connectionError = m_scenario.defaultConnectionProblem();
            closeAll();
            return;
        }
        addPeer({}, *m_defaultOptions);
    }
    for (const ClientScenario::Connection &c : std::as_const(m_scenario.connections)) {
        ClientOptions options = m_baseOptions;
        options.url = c.url;
        options.headers = c.headers;
        options.subprotocols = c.subprotocols;
        options.origin = c.origin;
        addPeer(c.name, options);
    }
    // One that cannot open says so with finished(), which ends the run.
    for (const auto &p : m_peers)
        if (m_phase == Phase::Opening)
            p->connection->open();
    if (m_peers.empty()) { // only waits
        m_phase = Phase::Stepping;
        startStep(0);
    }
}

void ClientScenarioRunner::addPeer(const QString &name, const ClientOptions &options)
{
    auto p = std::make_unique<Peer>();
    p->name = name;
    p->connection = new ClientConnection(this);
    p->connection->setOptions(options);
    Peer *raw = p.get();
    connect(p->connection, &ClientConnection::eventsAdded, this,
            [this, raw] { handleEvents(raw); });
    connect(p->connection, &ClientConnection::finished, this,
            [this, raw] { handlePeerFinished(raw); });
    m_peers.push_back(std::move(p));
}

ClientScenarioRunner::Peer *ClientScenarioRunner::peer(const QString &name) const
{
    for (const auto &p : m_peers)
        if (p->name == name)
            return p.get();
    return nullptr;
}

void ClientScenarioRunner::drain(Peer *p)
{
    for (ClientEvent &e : p->connection->history()->since(p->seen)) {
        p->seen = e.sequence;
        if (e.kind == ClientEvent::Kind::Opened)
            p->opened = true;
        else if (e.kind == ClientEvent::Kind::Received)
            p->unconsumed.append(std::move(e));
        else if (e.kind == ClientEvent::Kind::Closed)
            p->closed = std::move(e);
    }
}

void ClientScenarioRunner::handleEvents(Peer *p)
{
    drain(p);
    if (m_phase == Phase::Opening) {
        const bool allOpen
            = std::all_of(m_peers.begin(), m_peers.end(), [](const auto &q) { return q->opened; });
        if (allOpen) {
            m_phase = Phase::Stepping;
            startStep(0);
        }
    } else if (m_phase == Phase::Stepping) {
        checkExpectation();
    }
}

void ClientScenarioRunner::handlePeerFinished(Peer *p)
{
    drain(p);
    p->ended = true;
    if (m_phase == Phase::Opening && !p->opened) {
        const QString why = p->connection->errorString();
        m_result.connectionError
            = p->name.isEmpty() ? why : QStringLiteral("%1: %2").arg(p->name, why);
        closeAll();
    } else if (m_phase == Phase::Stepping) {
        checkExpectation();
    } else if (m_phase == Phase::Closing) {
        finishIfClosed();
    }
}

void ClientScenarioRunner::startStep(int index)
{
    if (m_phase != Phase::Stepping)
        return;
    m_current = index;
    if (index >= m_scenario.steps.size()) {
        closeAll();
        return;
    }
    m_stepClock.start();
    const ClientScenario::Step &step = m_scenario.steps.at(index);
    Peer *p = peer(step.connection);
    using Action = ClientScenario::Step::Action;
    switch (step.action) {
    case Action::Wait:
        m_timer->start(step.waitMs);
        return;
    case Action::Expect:
        m_timer->start(step.withinMs);
        checkExpectation();
        return;
    case Action::Close:
        p->connection->close(quint16(step.closeCode), step.reason);
        pass();
        return;
    case Action::Send:
    case Action::SendBinary:
        const bool sent = p->connection->send(
            step.action == Action::Send ? ClientEvent::Text : ClientEvent::Binary, step.payload);
        if (sent)
            pass();
        else
            failStep(QStringLiteral("%1 is not open").arg(p->label())
                     + (p->closed ? QStringLiteral(" (closed %1)")
                                        .arg(closeText(p->closed->closeCode, p->closed->text))
                                  : QString()));
        return;
    }
}

void ClientScenarioRunner::checkExpectation()
{
    if (m_phase != Phase::Stepping || m_current < 0 || m_current >= m_scenario.steps.size())
        return;
    const ClientScenario::Step &step = m_scenario.steps.at(m_current);
    if (step.action != ClientScenario::Step::Action::Expect)
        return;
    Peer *p = peer(step.connection);
    drain(p);
    const ClientScenario::Expectation &expectation = step.expectation;
    if (expectation.kind == ClientScenario::Expectation::Kind::Closed) {
        if (p->closed) {
            const quint16 code = p->closed->closeCode;
            if (!expectation.closeCode || expectation.closeCode == code)
                pass();
            else
                failStep(QStringLiteral("closed with %1").arg(closeText(code, p->closed->text)));
        } else if (p->ended) {
            failStep(QStringLiteral("ended without a close: %1").arg(p->connection->errorString()));
        }
        return;
    }
    for (qsizetype i = 0; i < p->unconsumed.size(); ++i) {
        if (expectation.matches(p->unconsumed.at(i))) {
            p->unconsumed.removeAt(i);
            pass();
            return;
        }
    }
    if (p->ended) {
        const QString how = p->closed ? closeText(p->closed->closeCode, p->closed->text)
                                      : p->connection->errorString();
        failStep(QStringLiteral("%1 closed %2 before a match").arg(p->label(), how)
                 + unmatched(*p, expectation));
    }
}

void ClientScenarioRunner::handleTimeout()
{
    if (m_phase == Phase::Closing) {
        for (const auto &p : m_peers) {
            if (!p->ended)
                p->connection->abort();
            p->ended = true;
        }
        finishIfClosed();
        return;
    }
    if (m_phase != Phase::Stepping)
        return;
    const ClientScenario::Step &step = m_scenario.steps.at(m_current);
    if (step.action == ClientScenario::Step::Action::Wait) {
        pass();
        return;
    }
    Peer *p = peer(step.connection);
    drain(p);
    if (step.expectation.kind == ClientScenario::Expectation::Kind::Closed)
        failStep(QStringLiteral("not closed within %1 ms").arg(step.withinMs));
    else if (p->unconsumed.isEmpty())
        failStep(QStringLiteral("nothing arrived within %1 ms").arg(step.withinMs));
    else
        failStep(QStringLiteral("no match within %1 ms").arg(step.withinMs)
                 + unmatched(*p, step.expectation));
}

QString ClientScenarioRunner::unmatched(const Peer &p,
                                        const ClientScenario::Expectation &expectation) const
{
    if (p.unconsumed.isEmpty())
        return {};
    const bool explain = expectation.kind == ClientScenario::Expectation::Kind::Match
        || expectation.kind == ClientScenario::Expectation::Kind::Schema;
    QStringList shown;
    const qsizetype first = std::max<qsizetype>(0, p.unconsumed.size() - ShownUnmatched);
    for (qsizetype i = first; i < p.unconsumed.size(); ++i) {
        QString why;
        expectation.matches(p.unconsumed.at(i), &why);
        shown.append(quotedMessage(p.unconsumed.at(i))
                     + (explain ? QStringLiteral(" (%1)").arg(why) : QString()));
    }
    QString text = QStringLiteral("; got ") + shown.join(QStringLiteral(", "));
    if (first > 0)
        text += QStringLiteral(" and %1 earlier").arg(first);
    return text;
}

void ClientScenarioRunner::pass()
{
    endStep(Outcome::Passed, {});
}

void ClientScenarioRunner::failStep(const QString &message)
{
    endStep(Outcome::Failed, message);
}

void ClientScenarioRunner::endStep(Outcome outcome, const QString &message)
{
    m_timer->stop();
    StepResult &result = m_result.steps[m_current];
    result.outcome = outcome;
    result.durationMs = m_stepClock.elapsed();
    result.message = message;
    const int index = m_current;
    Q_EMIT stepFinished(result);
    if (outcome == Outcome::Failed) {
        for (int i = index + 1; i < m_result.steps.size(); ++i) {
            m_result.steps[i].message = QStringLiteral("step %1 failed").arg(index + 1);
            Q_EMIT stepFinished(m_result.steps.at(i));
        }
        closeAll();
        return;
    }
    // The next step starts on the next turn of the event loop: a long list of sends
    // neither nests calls nor starves the sockets.
    m_current = -1;
    QMetaObject::invokeMethod(
        this, [this, index] { startStep(index + 1); }, Qt::QueuedConnection);
}

void ClientScenarioRunner::closeAll()
{
    if (m_phase == Phase::Closing || m_phase == Phase::Done)
        return;
    m_phase = Phase::Closing;
    m_current = -1;
    m_timer->start(CloseWaitMs);
    for (const auto &p : m_peers) {
        if (p->connection->state() == ClientConnection::State::Idle)
            p->ended = true; // never opened: the run ended before its turn
        else if (!p->ended)
            p->connection->close(1000);
    }
    finishIfClosed();
}

void ClientScenarioRunner::finishIfClosed()
{
    if (m_phase != Phase::Closing)
        return;
    for (const auto &p : m_peers)
        if (!p->ended)
            return;
    m_timer->stop();
    m_phase = Phase::Done;
    m_result.durationMs = m_runClock.elapsed();
    Q_EMIT finished();
}

} // namespace Gatehouse::Client
