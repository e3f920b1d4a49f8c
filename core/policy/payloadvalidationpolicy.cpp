// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/payloadvalidationpolicy.h"

#include "api/boundedjson.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

namespace Gatehouse::Policies {

using Gateway::Direction;
using Gateway::Leg;
using Gateway::MessageVerdict;

Q_LOGGING_CATEGORY(lcValidation, "gatehouse.policy.validation")

namespace {

bool isJsonContentType(const QString &type)
{
    const QString t = type.trimmed().toLower();
    return t.isEmpty() || t.contains(u"json");
}

} // namespace

PayloadValidationPolicy::Settings PayloadValidationPolicy::parse(PolicyConfig &config)
{
    config.allowOnly({QStringLiteral("type"), QStringLiteral("enabled"), QStringLiteral("mode"),
                      QStringLiteral("maxErrors")});
    Settings s;
    const QString mode = config.string(
        QStringLiteral("mode"), QStringLiteral("monitor"),
        {QStringLiteral("monitor"), QStringLiteral("reject"), QStringLiteral("drop")});
    s.mode = mode == u"reject" ? Mode::Reject : mode == u"drop" ? Mode::Drop : Mode::Monitor;
    s.maxErrors = static_cast<int>(config.integer(QStringLiteral("maxErrors"), 3, 1, 100));
    return s;
}

PayloadValidationPolicy::PayloadValidationPolicy(const Settings &settings, const Api &api,
                                                 const Channel &channel, QString *error)
    : m_settings(settings)
{
    QStringList inIds;
    QStringList outIds;
    bool anyOperation = false;
    for (const Operation *op : api.operationsOn(channel.id)) {
        anyOperation = true;
        const QStringList ids = op->messageIds.isEmpty() ? channel.messageIds : op->messageIds;
        QStringList &target = op->action == Operation::Action::Receive ? inIds : outIds;
        for (const QString &id : ids)
            if (!target.contains(id))
                target.append(id);
    }
    if (!anyOperation) {
        inIds = channel.messageIds;
        outIds = channel.messageIds;
    }

    auto build = [&](const QStringList &ids, QList<Candidate> &into) {
        for (const QString &id : ids) {
            const Message *message = api.message(id);
            if (!message)
                continue;
            if (message->payload.is_null()) {
                // a message without a schema accepts anything: no check for this direction
                into.clear();
                return false;
            }
            Candidate c;
            c.messageId = id;
            c.json = isJsonContentType(message->contentType.isEmpty() ? api.defaultContentType
                                                                      : message->contentType);
            auto validator = std::make_shared<JsonSchemaValidator>(api.resolved(message->payload));
            if (!validator->isValid()) {
                if (error && error->isEmpty())
                    *error = QStringLiteral("message %1: payload schema: %2")
                                 .arg(id, validator->errorString());
                continue;
            }
            c.validator = std::move(validator);
            into.append(c);
        }
        return true;
    };
    build(inIds, m_in);
    build(outIds, m_out);
}

int PayloadValidationPolicy::schemaCount(Direction direction) const
{
    return static_cast<int>((direction == Direction::ClientToBackend ? m_in : m_out).size());
}

QString PayloadValidationPolicy::check(Direction direction, const QByteArray &payload,
                                       bool binary) const
{
    const QList<Candidate> &candidates = direction == Direction::ClientToBackend ? m_in : m_out;
    if (candidates.isEmpty())
        return {};
    std::optional<Json> parsed;
    bool parseTried = false;
    QString parseError;
    QList<JsonSchemaValidator::Error> best;
    QString bestId;
    for (const Candidate &c : candidates) {
        Json instance;
        if (c.json) {
            if (!parseTried) {
                parseTried = true;
                QString why;
                parsed = parseBoundedJson(payload, &why);
                if (!parsed)
                    parseError = QStringLiteral("not JSON: ") + why;
            }
            if (!parsed)
                continue;
            instance = *parsed;
        } else {
            if (binary)
                continue;
            instance = Json(payload.toStdString());
        }
        if (c.validator->accepts(instance))
            return {};
        const auto errors = c.validator->validate(instance, m_settings.maxErrors);
        if (bestId.isEmpty() || errors.size() < best.size()) {
            best = errors;
            bestId = c.messageId;
        }
    }
    if (bestId.isEmpty())
        return parseError.isEmpty() ? QStringLiteral("binary message where text is expected")
                                    : parseError;
    QStringList parts;
    for (const auto &e : best)
        parts.append(e.toString());
    return QStringLiteral("does not match %1: %2").arg(bestId, parts.join(QStringLiteral("; ")));
}

MessageVerdict PayloadValidationPolicy::process(const Gateway::ConnectionContext &context,
                                                Gateway::RelayMessage &message)
{
    const QString problem = check(message.direction, message.payload, message.binary);
    if (problem.isEmpty())
        return MessageVerdict::forward();
    m_violations.fetch_add(1, std::memory_order_relaxed);
    const QString reason = QStringLiteral("payload %1").arg(problem);
    const bool fromClient = message.direction == Direction::ClientToBackend;
    switch (m_settings.mode) {
    case Mode::Monitor: {
        // Reported, not enforced: in the verdict (for the gateway's event) and, at
        // most once a second, as a warning with the count of the ones in between.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        qint64 last = m_lastWarningMs.load(std::memory_order_relaxed);
        if (now - last >= 1000 && m_lastWarningMs.compare_exchange_strong(last, now)) {
            const qint64 skipped = m_unreported.exchange(0);
            qCWarning(lcValidation).noquote()
                << QStringLiteral("%1%2 (connection %3, %4)%5")
                       .arg(context.route.apiKey.isEmpty() ? QString()
                                                           : context.route.apiKey + u' ',
                            reason)
                       .arg(context.connectionId)
                       .arg(fromClient ? QStringLiteral("client to backend")
                                       : QStringLiteral("backend to client"),
                            skipped > 0
                                ? QStringLiteral("; %1 more since the last report").arg(skipped)
                                : QString());
        } else {
            m_unreported.fetch_add(1, std::memory_order_relaxed);
        }
        MessageVerdict v = MessageVerdict::forward();
        v.reason = reason;
        return v;
    }
    case Mode::Reject: {
        const QString invalid = QStringLiteral("Invalid payload");
        const QString away = QStringLiteral("peer sent an invalid payload");
        MessageVerdict v = fromClient ? MessageVerdict::close(1007, invalid, 1001, away)
                                      : MessageVerdict::close(1001, away, 1007, invalid);
        v.reason = reason;
        return v;
    }
    case Mode::Drop: {
        QJsonObject frame;
        frame.insert(QStringLiteral("error"), 4007);
        frame.insert(QStringLiteral("reason"),
                     QString(QStringLiteral("Payload does not match the schema: ") + problem));
        return MessageVerdict::drop(
            reason, QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)),
            fromClient ? Leg::Client : Leg::Backend);
    }
    }
    return MessageVerdict::forward();
}

} // namespace Gatehouse::Policies
