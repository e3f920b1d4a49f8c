// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/messagecatalog.h"

#include "api/boundedjson.h"

namespace Gatehouse {

namespace {

bool containsRef(const Json &node)
{
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it)
            if ((it.key() == "$ref" && it.value().is_string()) || containsRef(it.value()))
                return true;
    } else if (node.is_array()) {
        for (const Json &item : node)
            if (containsRef(item))
                return true;
    }
    return false;
}

QString escapeToken(const QString &token)
{
    QString t = token;
    t.replace(u'~', QStringLiteral("~0"));
    t.replace(u'/', QStringLiteral("~1"));
    return t;
}

QString errorSummary(const QList<JsonSchemaValidator::Error> &errors)
{
    if (errors.isEmpty())
        return {};
    QString text = errors.first().toString();
    if (errors.size() > 1)
        text += QStringLiteral(" (and %1 more)").arg(errors.size() - 1);
    return text;
}

} // namespace

MessageCatalog::MessageCatalog(const Api &api, quint32 seed)
    : m_api(api)
    , m_generator(seed, &m_api)
{
    for (const Message &message : m_api.messages) {
        Entry entry;
        entry.id = message.id;
        const QString where = QStringLiteral("/components/messages/") + escapeToken(message.id);

        Json payload = message.payload;
        // 3.x multi-format schema: {schemaFormat, schema}
        if (payload.is_object() && payload.contains("schemaFormat") && payload.contains("schema")) {
            const std::string format = payload["schemaFormat"].is_string()
                ? payload["schemaFormat"].get<std::string>()
                : std::string();
            if (format.find("asyncapi") == std::string::npos
                && format.find("schema+json") == std::string::npos
                && format.find("schema+yaml") == std::string::npos) {
                m_problems.append(
                    {where + QStringLiteral("/payload"),
                     QStringLiteral("message '%1': schema format %2 is not JSON Schema; "
                                    "payloads are not checked or generated")
                         .arg(message.id, QString::fromStdString(format))});
                payload = Json();
            } else {
                payload = payload["schema"];
            }
        }
        if (!payload.is_null()) {
            entry.schema = m_api.resolved(payload);
            Json compiled = entry.schema;
            if (compiled.is_object() && containsRef(compiled) && !m_api.schemas.is_null()) {
                // cyclic refs stay "#/components/schemas/..." refs: give them a target
                compiled["components"] = Json {{"schemas", m_api.schemas}};
            }
            auto validator = std::make_shared<JsonSchemaValidator>(compiled);
            if (validator->isValid()) {
                entry.validator = validator;
            } else {
                m_problems.append({where + QStringLiteral("/payload"),
                                   QStringLiteral("message '%1': payload schema cannot be used: %2")
                                       .arg(message.id, validator->errorString())});
            }
        }

        const QString contentType
            = (message.contentType.isEmpty() ? m_api.defaultContentType : message.contentType)
                  .toLower();
        if (contentType.isEmpty() || contentType.contains(u"json"))
            entry.encoding = Encoding::Json;
        else if (contentType.startsWith(u"text/"))
            entry.encoding = Encoding::Text;
        else
            entry.encoding = Encoding::Binary;
        if (entry.schema.is_object())
            entry.base64 = entry.schema.value("contentEncoding", Json()) == Json("base64")
                || entry.schema.value("format", Json()) == Json("byte");

        for (int i = 0; i < message.examples.size(); ++i) {
            const MessageExample &example = message.examples.at(i);
            if (example.payload.is_null())
                continue;
            if (entry.validator) {
                const auto errors = entry.validator->validate(example.payload, 5);
                if (!errors.isEmpty()) {
                    const QString name = example.name.isEmpty()
                        ? QStringLiteral("#%1").arg(i + 1)
                        : QStringLiteral("'%1'").arg(example.name);
                    m_problems.append(
                        {QStringLiteral("%1/examples/%2/payload").arg(where).arg(i),
                         QStringLiteral("message '%1': example %2 does not match the payload "
                                        "schema: %3; the mock does not send it")
                             .arg(message.id, name, errorSummary(errors)),
                         message.id, i});
                    continue;
                }
            }
            entry.examples.append(example.payload);
        }

        Json correlation = m_api.resolved(message.correlationId);
        if (correlation.is_object() && correlation.contains("location")
            && correlation["location"].is_string()) {
            const QString location
                = QString::fromStdString(correlation["location"].get<std::string>());
            const QString prefix = QStringLiteral("$message.payload#");
            if (location.startsWith(prefix))
                entry.correlationPointer = location.mid(prefix.size());
        }
        m_entries.insert(entry.id, entry);
    }
}

MessageCatalog::~MessageCatalog() = default;

namespace {

void findExamples(const Json &node, const QString &pointer, const Json &payload, int index,
                  QStringList *found)
{
    if (found->size() > 8)
        return;
    if (node.is_object()) {
        const auto examples = node.find("examples");
        if (examples != node.end() && examples->is_array() && int(examples->size()) > index) {
            const Json &example = (*examples)[size_t(index)];
            if (example.is_object() && example.contains("payload") && example["payload"] == payload)
                found->append(QStringLiteral("%1/examples/%2/payload").arg(pointer).arg(index));
        }
        for (auto it = node.begin(); it != node.end(); ++it)
            findExamples(it.value(), pointer + u'/' + escapeToken(QString::fromStdString(it.key())),
                         payload, index, found);
    } else if (node.is_array()) {
        for (size_t i = 0; i < node.size(); ++i)
            findExamples(node[i], pointer + u'/' + QString::number(i), payload, index, found);
    }
}

} // namespace

QString MessageCatalog::locateExample(const Json &root, const Message &message, int index)
{
    if (index < 0 || index >= message.examples.size())
        return {};
    QStringList found;
    findExamples(root, QString(), message.examples.at(index).payload, index, &found);
    // Several messages may share an example: prefer the one named like the message.
    for (const QString &pointer : std::as_const(found))
        if (pointer.contains(u'/' + escapeToken(message.id) + u'/'))
            return pointer;
    return found.value(0);
}

const MessageCatalog::Entry *MessageCatalog::entry(const QString &messageId) const
{
    const auto it = m_entries.constFind(messageId);
    return it == m_entries.constEnd() ? nullptr : &*it;
}

Json MessageCatalog::nextPayload(const QString &messageId)
{
    const Entry *e = entry(messageId);
    if (!e)
        return Json();
    if (!e->examples.isEmpty()) {
        int &next = m_nextExample[messageId];
        const Json payload = e->examples.at(next % e->examples.size());
        next = (next + 1) % e->examples.size();
        return payload;
    }
    return generatedPayload(messageId);
}

Json MessageCatalog::generatedPayload(const QString &messageId)
{
    const Entry *e = entry(messageId);
    if (!e)
        return Json();
    if (e->schema.is_null())
        return Json(e->encoding == Encoding::Json ? Json::object() : Json("message"));
    Json value;
    for (int attempt = 0; attempt < 20; ++attempt) {
        value = m_generator.generate(e->schema);
        if (!e->validator || e->validator->accepts(value))
            break;
    }
    return value;
}

MessageCatalog::Frame MessageCatalog::toFrame(const Entry &entry, const Json &payload)
{
    Frame frame;
    switch (entry.encoding) {
    case Encoding::Json:
        frame.text
            = QString::fromStdString(payload.dump(-1, ' ', false, Json::error_handler_t::replace));
        break;
    case Encoding::Text:
        frame.text = payload.is_string() ? QString::fromStdString(payload.get<std::string>())
                                         : QString::fromStdString(payload.dump());
        break;
    case Encoding::Binary:
        frame.binary = true;
        if (payload.is_string()) {
            const QByteArray bytes = QByteArray::fromStdString(payload.get<std::string>());
            frame.data = entry.base64 ? QByteArray::fromBase64(bytes) : bytes;
        } else {
            frame.data = QByteArray::fromStdString(payload.dump());
        }
        break;
    }
    return frame;
}

QList<JsonSchemaValidator::Error> MessageCatalog::check(const Entry &entry, const Frame &frame,
                                                        QString *parseError, Json *value) const
{
    Json instance;
    switch (entry.encoding) {
    case Encoding::Json: {
        const std::string text = frame.binary ? frame.data.toStdString() : frame.text.toStdString();
        if (jsonTooDeepAt(QByteArrayView(text.data(), qsizetype(text.size()))) >= 0) {
            *parseError
                = QStringLiteral("not valid JSON: nested deeper than %1 levels").arg(MaxJsonDepth);
            return {};
        }
        try {
            instance = Json::parse(text);
        } catch (const Json::parse_error &e) {
            QString what = QString::fromUtf8(e.what());
            const qsizetype bracket = what.indexOf(QStringLiteral("] "));
            if (what.startsWith(u'[') && bracket > 0)
                what = what.mid(bracket + 2);
            *parseError = QStringLiteral("not valid JSON: ") + what;
            return {};
        } catch (const Json::exception &) {
            // a number beyond a double (2e+308) is out_of_range, not a parse_error
            *parseError = QStringLiteral("not valid JSON: a number out of range");
            return {};
        }
        break;
    }
    case Encoding::Text:
        instance = frame.binary ? Json(frame.data.toStdString()) : Json(frame.text.toStdString());
        break;
    case Encoding::Binary:
        if (frame.binary)
            instance = entry.base64 ? Json(frame.data.toBase64().toStdString())
                                    : Json(QString::fromLatin1(frame.data).toStdString());
        else
            instance = Json(frame.text.toStdString());
        break;
    }
    if (value)
        *value = instance;
    if (!entry.validator)
        return {};
    return entry.validator->validate(instance, 10);
}

} // namespace Gatehouse
