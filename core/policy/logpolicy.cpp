// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/logpolicy.h"

namespace Gatehouse::Policies {

LogPolicy::Settings LogPolicy::parse(PolicyConfig &config)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"), QStringLiteral("payloads"),
                      QStringLiteral("maxPayloadSize"), QStringLiteral("sample"),
                      QStringLiteral("mask"), QStringLiteral("maskCardNumbers"),
                      QStringLiteral("maskPatterns"), QStringLiteral("maskReplacement")});
    Settings s;
    s.payloads = config.boolean(QStringLiteral("payloads"), false);
    s.maxPayloadSize = config.byteSize(QStringLiteral("maxPayloadSize"), s.maxPayloadSize);
    s.sample = int(config.integer(QStringLiteral("sample"), 1, 1, 1'000'000));
    if (s.sample > 1 && !s.payloads)
        config.fail(QStringLiteral("sample"),
                    QStringLiteral("samples payloads, but payloads is not true"));
    s.masking = PayloadMasker::parse(config);
    return s;
}

LogPolicy::LogPolicy()
    : LogPolicy(Settings())
{ }

LogPolicy::LogPolicy(const Settings &settings)
    : m_settings(settings)
    , m_masker(settings.masking)
{ }

QByteArray LogPolicy::truncate(const QByteArray &payload, qint64 maxSize, bool binary)
{
    if (maxSize < 0 || payload.size() <= maxSize)
        return payload;
    qsizetype cut = maxSize;
    if (!binary) {
        // do not split a UTF-8 sequence: back up over continuation bytes
        while (cut > 0 && (static_cast<unsigned char>(payload.at(cut)) & 0xC0) == 0x80)
            --cut;
    }
    return payload.first(cut);
}

QByteArray LogPolicy::logPayload(const QByteArray &payload, bool binary) const
{
    if (!m_settings.payloads)
        return {};
    return maskedPayload(payload, binary);
}

QByteArray LogPolicy::maskedPayload(const QByteArray &payload, bool binary) const
{
    return truncate(m_masker.mask(payload, binary), m_settings.maxPayloadSize, binary);
}

qint64 LogPolicy::eventPayloadBytes() const
{
    return m_settings.payloads ? grantedPayloadBytes() : 0;
}

qint64 LogPolicy::grantedPayloadBytes() const
{
    if (m_settings.maxPayloadSize < 0)
        return -1;
    if (m_masker.isEmpty())
        return m_settings.maxPayloadSize;
    return std::max<qint64>(m_settings.maxPayloadSize * 4, 64 * 1024);
}

Gateway::MessageVerdict LogPolicy::process(const Gateway::ConnectionContext &context,
                                           Gateway::RelayMessage &message)
{
    Q_UNUSED(context);
    Q_UNUSED(message);
    return Gateway::MessageVerdict::forward();
}

} // namespace Gatehouse::Policies
