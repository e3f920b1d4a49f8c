// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/faultinjectionpolicy.h"

#include <QRandomGenerator>

namespace Gatehouse::Policies {

using Gateway::Direction;
using Gateway::MessageVerdict;

FaultInjectionPolicy::Settings FaultInjectionPolicy::parse(PolicyConfig &config)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"), QStringLiteral("latency"),
                      QStringLiteral("jitter"), QStringLiteral("dropRate"),
                      QStringLiteral("disconnectAfterMessages"), QStringLiteral("disconnectAfter"),
                      QStringLiteral("closeCode"), QStringLiteral("direction"),
                      QStringLiteral("seed")});
    Settings s;
    s.latency = config.duration(QStringLiteral("latency"), s.latency);
    s.jitter = config.duration(QStringLiteral("jitter"), s.jitter);
    s.dropRate = config.number(QStringLiteral("dropRate"), 0, 0, 1);
    s.disconnectAfterMessages = config.integer(QStringLiteral("disconnectAfterMessages"), 0, 0);
    s.disconnectAfter = config.duration(QStringLiteral("disconnectAfter"), s.disconnectAfter);
    const qint64 code = config.integer(QStringLiteral("closeCode"), 1001, 1000, 4999);
    if (code == 1004 || code == 1005 || code == 1006 || code == 1015
        || (code > 1014 && code < 3000))
        config.fail(
            QStringLiteral("closeCode"),
            QStringLiteral("%1 cannot be sent in a close frame (use 1000-1014 or 3000-4999)")
                .arg(code));
    s.closeCode = static_cast<quint16>(code);
    const QString dir = config.string(QStringLiteral("direction"), QStringLiteral("both"),
                                      {QStringLiteral("both"), QStringLiteral("clientToBackend"),
                                       QStringLiteral("backendToClient")});
    s.directions = dir == u"clientToBackend" ? Directions::ClientToBackend
        : dir == u"backendToClient"          ? Directions::BackendToClient
                                             : Directions::Both;
    s.seed = static_cast<quint64>(config.integer(QStringLiteral("seed"), 0, 0));
    return s;
}

FaultInjectionPolicy::FaultInjectionPolicy(const Settings &settings)
    : m_settings(settings)
{
    if (m_settings.seed == 0)
        m_settings.seed = QRandomGenerator::global()->generate64() | 1;
}

QString FaultInjectionPolicy::summary() const
{
    QStringList parts;
    if (m_settings.latency.count() > 0 || m_settings.jitter.count() > 0)
        parts.append(QStringLiteral("latency %1 ms + up to %2 ms jitter")
                         .arg(m_settings.latency.count())
                         .arg(m_settings.jitter.count()));
    if (m_settings.dropRate > 0)
        parts.append(QStringLiteral("drop %1% of messages").arg(m_settings.dropRate * 100));
    if (m_settings.disconnectAfterMessages > 0)
        parts.append(
            QStringLiteral("disconnect after %1 messages").arg(m_settings.disconnectAfterMessages));
    if (m_settings.disconnectAfter.count() > 0)
        parts.append(
            QStringLiteral("disconnect after %1 ms").arg(m_settings.disconnectAfter.count()));
    if (parts.isEmpty())
        return QStringLiteral("no faults configured");
    return parts.join(QStringLiteral(", ")) + QStringLiteral(" (seed %1)").arg(m_settings.seed);
}

Gateway::ConnectionDecision FaultInjectionPolicy::evaluate(Gateway::ConnectionContext &context)
{
    if (!m_settings.isActive())
        return Gateway::ConnectionDecision::allow();
    const QString flag = QString::fromLatin1(Flag);
    if (!context.flags.contains(flag))
        context.flags.append(flag);
    if (m_settings.disconnectAfter.count() > 0
        && (context.maxLifetime.count() == 0 || m_settings.disconnectAfter < context.maxLifetime))
        context.maxLifetime = m_settings.disconnectAfter;
    return Gateway::ConnectionDecision::allow();
}

MessageVerdict FaultInjectionPolicy::process(const Gateway::ConnectionContext &context,
                                             Gateway::RelayMessage &message)
{
    if (!m_settings.isActive())
        return MessageVerdict::forward();
    if ((m_settings.directions == Directions::ClientToBackend
         && message.direction != Direction::ClientToBackend)
        || (m_settings.directions == Directions::BackendToClient
            && message.direction != Direction::BackendToClient))
        return MessageVerdict::forward();

    qint64 count = 0;
    bool drop = false;
    qint64 delayMs = m_settings.latency.count();
    {
        std::lock_guard lock(m_mutex);
        auto it = m_states.find(context.connectionId);
        if (it == m_states.end()) {
            State state;
            // splitmix-style mixing so neighbouring connection ids get unrelated streams
            quint64 z = m_settings.seed + 0x9E3779B97F4A7C15ULL * (context.connectionId + 1);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            state.rng.seed(z ^ (z >> 31));
            it = m_states.insert(context.connectionId, state);
        }
        State &state = it.value();
        count = ++state.messages;
        if (m_settings.dropRate > 0) {
            const double r = std::uniform_real_distribution<double>(0.0, 1.0)(state.rng);
            drop = r < m_settings.dropRate;
        }
        if (m_settings.jitter.count() > 0)
            delayMs
                += std::uniform_int_distribution<qint64>(0, m_settings.jitter.count())(state.rng);
    }

    if (m_settings.disconnectAfterMessages > 0 && count > m_settings.disconnectAfterMessages) {
        const QString why = QStringLiteral("fault injection: disconnect after %1 messages")
                                .arg(m_settings.disconnectAfterMessages);
        return MessageVerdict::close(m_settings.closeCode, why, m_settings.closeCode, why);
    }
    if (drop)
        return MessageVerdict::drop(QStringLiteral("fault injection: message dropped"));
    if (delayMs > 0)
        return MessageVerdict::forwardAfter(std::chrono::milliseconds(delayMs));
    return MessageVerdict::forward();
}

void FaultInjectionPolicy::connectionClosed(const Gateway::ConnectionContext &context)
{
    std::lock_guard lock(m_mutex);
    m_states.remove(context.connectionId);
}

} // namespace Gatehouse::Policies
