// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"
#include "asyncapi/jsonschemavalidator.h"
#include "mock/mockproblem.h"
#include "mock/schemavaluegenerator.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Gatehouse {

// The messages of an API as a mock uses them: payload schema resolved and compiled
// once, the examples that match it, how a payload travels on the wire, and where its
// correlation id sits. Examples that do not match their schema are reported as
// problems and left out.
class MessageCatalog
{
public:
    enum class Encoding { Json, Text, Binary };

    struct Entry
    {
        QString id;
        Json schema; // resolved payload schema; null = any
        std::shared_ptr<const JsonSchemaValidator> validator; // null when there is no schema
        QList<Json> examples; // payloads of the valid examples
        Encoding encoding = Encoding::Json;
        bool base64 = false; // binary payloads are written as base64 strings
        QString correlationPointer; // JSON Pointer into the payload; empty = none
    };

    explicit MessageCatalog(const Api &api, quint32 seed = 1);
    ~MessageCatalog();
    MessageCatalog(const MessageCatalog &) = delete;
    MessageCatalog &operator=(const MessageCatalog &) = delete;

    const Entry *entry(const QString &messageId) const;

    // Where in a parsed document (its JSON tree) example `index` of `message` is:
    // the JSON Pointer of its payload, found by its content; empty when not found.
    // Used to point problems at file:line:column when the message is inline.
    static QString locateExample(const Json &root, const Message &message, int index);
    QList<MockProblem> problems() const { return m_problems; }

    // A payload for the message: its examples in turn, or a value generated from
    // the schema (checked against it, a few tries) when it has none.
    Json nextPayload(const QString &messageId);
    // A value generated from the schema (checked against it, a few tries).
    Json generatedPayload(const QString &messageId);

    // A payload as a frame: text (JSON text or plain text) or binary.
    struct Frame
    {
        bool binary = false;
        QString text;
        QByteArray data;
    };
    static Frame toFrame(const Entry &entry, const Json &payload);

    // Validates a received frame against the message; empty when it conforms.
    // `parseError` is set (and nothing validated) when a JSON message is not JSON.
    QList<JsonSchemaValidator::Error> check(const Entry &entry, const Frame &frame,
                                            QString *parseError, Json *value = nullptr) const;

private:
    Api m_api;
    QHash<QString, Entry> m_entries;
    QHash<QString, int> m_nextExample;
    QList<MockProblem> m_problems;
    SchemaValueGenerator m_generator;
};

} // namespace Gatehouse
