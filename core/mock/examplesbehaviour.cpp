// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/examplesbehaviour.h"

#include "mock/mockconnection.h"
#include "mock/mockserver.h"

#include <QSet>
#include <QTimer>

#include <limits>

namespace Gatehouse {

namespace {

QString unescapeToken(QString token)
{
    token.replace(QStringLiteral("~1"), QStringLiteral("/"));
    token.replace(QStringLiteral("~0"), QStringLiteral("~"));
    return token;
}

QStringList refSegments(const Json &node)
{
    if (!node.is_object() || !node.contains("$ref") || !node["$ref"].is_string())
        return {};
    QString ref = QString::fromStdString(node["$ref"].get<std::string>());
    if (!ref.startsWith(QStringLiteral("#/")))
        return {};
    QStringList segments = ref.mid(2).split(u'/');
    for (QString &s : segments)
        s = unescapeToken(s);
    return segments;
}

} // namespace

ExamplesBehaviour::ExamplesBehaviour(MockServer *server, std::shared_ptr<MessageCatalog> catalog)
    : MockBehaviour(server)
    , m_catalog(std::move(catalog))
{ }

QStringList ExamplesBehaviour::messagesOf(const Operation &operation) const
{
    if (!operation.messageIds.isEmpty())
        return operation.messageIds;
    const Channel *channel = server()->api().channel(operation.channelId);
    return channel ? channel->messageIds : QStringList();
}

QStringList ExamplesBehaviour::replyMessagesOf(const Operation &operation) const
{
    const Api &api = server()->api();
    const Json &reply = operation.reply;
    if (!reply.is_object())
        return {};
    QStringList ids;
    const Channel *replyChannel = nullptr;
    if (reply.contains("channel")) {
        const QStringList segments = refSegments(reply["channel"]);
        if (segments.size() == 2 && segments.first() == u"channels")
            replyChannel = api.channel(segments.last());
        else if (reply["channel"].is_object() && reply["channel"].contains("address")
                 && reply["channel"]["address"].is_string())
            replyChannel = api.channelByAddress(
                QString::fromStdString(reply["channel"]["address"].get<std::string>()));
    }
    if (reply.contains("messages") && reply["messages"].is_array()) {
        for (const Json &m : reply["messages"]) {
            const QStringList segments = refSegments(m);
            if (segments.isEmpty())
                continue;
            const QString key = segments.last();
            if (segments.size() == 4 && segments.first() == u"channels") {
                // #/channels/C/messages/K: the channel's message under key K
                const Channel *c = api.channel(segments.at(1));
                if (!c)
                    continue;
                const qsizetype k = c->messageKeys.indexOf(key);
                if (k >= 0 && k < c->messageIds.size()) {
                    ids.append(c->messageIds.at(k));
                    continue;
                }
                for (const QString &id : c->messageIds)
                    if (const Message *message = api.message(id);
                        id == key || (message && message->name == key))
                        ids.append(id);
            } else if (api.message(key)) {
                ids.append(key); // #/components/messages/K
            }
        }
    }
    if (ids.isEmpty() && replyChannel) {
        // Replying on the request's own channel: the reply is one of the channel's
        // other messages, not the request itself.
        const QStringList requests = messagesOf(operation);
        for (const QString &id : replyChannel->messageIds)
            if (!requests.contains(id))
                ids.append(id);
        if (ids.isEmpty())
            ids = replyChannel->messageIds;
    }
    return ids;
}

void ExamplesBehaviour::sendError(MockConnection *connection, const QString &message,
                                  const Json &details)
{
    Json frame = Json::object();
    frame["error"] = message.toStdString();
    for (auto it = details.begin(); it != details.end(); ++it)
        frame[it.key()] = it.value();
    connection->sendText(
        QString::fromStdString(frame.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

void ExamplesBehaviour::send(MockConnection *connection, const QString &messageId,
                             const Json &payload)
{
    const MessageCatalog::Entry *entry = m_catalog->entry(messageId);
    if (!entry)
        return;
    const MessageCatalog::Frame frame = MessageCatalog::toFrame(*entry, payload);
    if (frame.binary)
        connection->sendBinary(frame.data);
    else
        connection->sendText(frame.text);
}

void ExamplesBehaviour::handleOpened(MockConnection *connection)
{
    const Api &api = server()->api();
    for (const QString &channelId : connection->channelIds()) {
        const Channel *channel = api.channel(channelId);
        QStringList ids;
        for (const Operation *op : api.operationsOn(channelId))
            if (op->action == Operation::Action::Send)
                for (const QString &id : messagesOf(*op))
                    if (!ids.contains(id) && m_catalog->entry(id))
                        ids.append(id);
        if (ids.isEmpty())
            continue;
        const int interval
            = server()->config().intervalFor(channelId, channel ? channel->address : QString());
        const bool generated
            = server()->config().generates(channelId, channel ? channel->address : QString());
        auto next = std::make_shared<int>(0);
        auto push = [this, connection, ids, next, generated] {
            const QString id = ids.at(*next % ids.size());
            *next = (*next + 1) % ids.size();
            send(connection, id,
                 generated ? m_catalog->generatedPayload(id) : m_catalog->nextPayload(id));
        };
        push();
        if (interval > 0) {
            auto *timer = new QTimer(connection);
            timer->setInterval(interval);
            QObject::connect(timer, &QTimer::timeout, connection, push);
            timer->start();
        }
    }
}

void ExamplesBehaviour::handleText(MockConnection *connection, const QString &text)
{
    MessageCatalog::Frame frame;
    frame.text = text;
    handleFrame(connection, frame);
}

void ExamplesBehaviour::handleBinary(MockConnection *connection, const QByteArray &data)
{
    MessageCatalog::Frame frame;
    frame.binary = true;
    frame.data = data;
    handleFrame(connection, frame);
}

void ExamplesBehaviour::handleFrame(MockConnection *connection, const MessageCatalog::Frame &frame)
{
    const Api &api = server()->api();
    struct Candidate
    {
        const Operation *operation;
        const MessageCatalog::Entry *entry;
    };
    QList<Candidate> candidates;
    QSet<QString> seen;
    for (const QString &channelId : connection->channelIds())
        for (const Operation *op : api.operationsOn(channelId))
            if (op->action == Operation::Action::Receive)
                for (const QString &id : messagesOf(*op))
                    if (const auto *entry = m_catalog->entry(id); entry && !seen.contains(id)) {
                        seen.insert(id);
                        candidates.append({op, entry});
                    }

    if (candidates.isEmpty()) {
        const QStringList channels = connection->channelIds();
        sendError(
            connection,
            QStringLiteral("channel %1 only sends messages; it accepts none from clients")
                .arg(channels.isEmpty() ? connection->path() : channels.join(QStringLiteral(", "))),
            Json {{"channel", connection->path().toStdString()}});
        return;
    }

    QString parseError;
    const Candidate *closest = nullptr;
    QList<JsonSchemaValidator::Error> closestErrors;
    int fewest = std::numeric_limits<int>::max();
    for (const Candidate &candidate : candidates) {
        QString error;
        Json value;
        const auto errors = m_catalog->check(*candidate.entry, frame, &error, &value);
        if (!error.isEmpty()) {
            parseError = error;
            continue;
        }
        if (errors.isEmpty()) {
            server()->log(QStringLiteral("#%1 %2 message is a valid '%3'")
                              .arg(connection->id())
                              .arg(connection->path(), candidate.entry->id));
            reply(connection, *candidate.operation, *candidate.entry, value);
            return;
        }
        // The closest candidate: a wrong fixed value ("event": "ping" where "subscribe"
        // is expected) says more about the message type than any other error.
        int score = 0;
        for (const auto &e : errors)
            score += e.keyword == JsonSchemaValidator::Keyword::Const ? 100 : 1;
        if (score < fewest) {
            fewest = score;
            closest = &candidate;
            closestErrors = errors;
        }
    }
    if (!closest) {
        sendError(connection, parseError);
        return;
    }
    const JsonSchemaValidator::Error &first = closestErrors.first();
    Json details = Json::object();
    details["message"] = closest->entry->id.toStdString();
    details["field"]
        = (first.pointer.isEmpty() ? QStringLiteral("(root)") : first.pointer).toStdString();
    details["reason"] = first.message.toStdString();
    Json all = Json::array();
    for (const auto &e : closestErrors)
        all.push_back(Json {
            {"field", (e.pointer.isEmpty() ? QStringLiteral("(root)") : e.pointer).toStdString()},
            {"reason", e.message.toStdString()}});
    details["errors"] = all;
    sendError(connection,
              QStringLiteral("invalid message (%1): %2").arg(closest->entry->id, first.toString()),
              details);
}

void ExamplesBehaviour::reply(MockConnection *connection, const Operation &operation,
                              const MessageCatalog::Entry &request, const Json &value)
{
    const QStringList ids = replyMessagesOf(operation);
    for (const QString &id : ids) {
        const MessageCatalog::Entry *entry = m_catalog->entry(id);
        if (!entry)
            continue;
        Json payload = m_catalog->nextPayload(id);
        if (!request.correlationPointer.isEmpty() && payload.is_object()) {
            try {
                const Json::json_pointer from(request.correlationPointer.toStdString());
                const Json::json_pointer to((entry->correlationPointer.isEmpty()
                                                 ? request.correlationPointer
                                                 : entry->correlationPointer)
                                                .toStdString());
                if (value.contains(from))
                    payload[to] = value.at(from);
                else if (payload.contains(to) && !to.empty()) {
                    // the request had none: neither does the reply
                    Json &parent = payload.at(to.parent_pointer());
                    if (parent.is_object())
                        parent.erase(to.back());
                }
            } catch (const Json::exception &) {
                // a correlation location that is not a usable pointer: reply without it
            }
        }
        send(connection, id, payload);
        return;
    }
}

} // namespace Gatehouse
