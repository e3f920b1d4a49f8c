// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapiconverter.h"

#include "asyncapi/asyncapivalidator.h"
#include "asyncapi/bindingconversion.h"
#include "asyncapi/conversionnotes.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/yamlemitter.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

namespace Gatehouse {

namespace {

using TargetVersion = AsyncApiConverter::TargetVersion;
using Format = AsyncApiConverter::Format;

QString versionText(TargetVersion version)
{
    return version == TargetVersion::V3_0 ? QStringLiteral("3.0") : QStringLiteral("2.6");
}

QByteArray serialized(const Json &root, Format format)
{
    if (format == Format::Json)
        return QByteArray::fromStdString(root.dump(2, ' ', false, Json::error_handler_t::replace))
            + '\n';
    return YamlEmitter().document(root);
}

// Parts read from other files through relative $refs are written into the result.
void noteBundledFiles(const Document &document, ConversionNotes &findings)
{
    const QString own = QFileInfo(document.fileName).absoluteFilePath();
    QSet<QString> others;
    for (auto it = document.locations.cbegin(); it != document.locations.cend(); ++it)
        if (!it->file.isEmpty() && QFileInfo(it->file).absoluteFilePath() != own)
            others.insert(QFileInfo(it->file).fileName());
    if (others.isEmpty())
        return;
    QStringList names(others.cbegin(), others.cend());
    names.sort();
    findings.add({},
                 QStringLiteral("what the document refers to in %1 is written into this "
                                "file; the $refs to those files are not kept")
                     .arg(names.join(QStringLiteral(", "))));
}

bool hasMember(const Json &extra, const char *key)
{
    return extra.is_object() && extra.contains(key);
}

// Channels and messages by id (the first of an id, as the writer takes them): the
// Api's own lookups are linear, and documents have thousands of channels.
struct Index
{
    explicit Index(const Api &api)
    {
        for (const Channel &c : api.channels)
            if (!channels.contains(c.id))
                channels.insert(c.id, &c);
        for (const Message &m : api.messages)
            if (!messages.contains(m.id))
                messages.insert(m.id, &m);
    }
    QHash<QString, const Channel *> channels;
    QHash<QString, const Message *> messages;
};

// 3.x -> 2.x: what 2.x has no place for.
void lossesToV2(const Api &api, ConversionNotes &findings)
{
    const Index index(api);
    QHash<QString, QString> addressOwner; // 2.x channel key -> channel id written there
    QSet<QString> written; // channels written
    for (const Channel &c : api.channels) {
        const QString pointer = ConversionNotes::pointerTo({QStringLiteral("channels"), c.id});
        const QString key = c.address.isEmpty() ? c.id : c.address;
        if (c.address.isEmpty())
            findings.add(pointer,
                         QStringLiteral("channel '%1' has no address; 2.x names it "
                                        "by its id, '%1'")
                             .arg(c.id));
        if (addressOwner.contains(key)) {
            findings.add(pointer,
                         QStringLiteral("channel '%1' is left out: it has the address '%2' of "
                                        "channel '%3', and 2.x keys channels by address")
                             .arg(c.id, key, addressOwner.value(key)));
            continue;
        }
        addressOwner.insert(key, c.id);
        written.insert(c.id);
        QStringList dropped;
        if (!c.title.isEmpty())
            dropped << QStringLiteral("title");
        if (!c.summary.isEmpty())
            dropped << QStringLiteral("summary");
        for (const char *key : {"tags", "externalDocs"})
            if (hasMember(c.extra, key))
                dropped << QLatin1String(key);
        if (!dropped.isEmpty())
            findings.add(pointer,
                         QStringLiteral("channel '%1': 2.x channels have no %2; left out")
                             .arg(c.id, dropped.join(QStringLiteral(", "))));
    }

    // 2.x has one publish (receive) and one subscribe (send) per channel.
    QHash<QString, const Operation *> publishOf;
    QHash<QString, const Operation *> subscribeOf;
    QHash<QString, QSet<QString>> carried; // channel id -> message ids its operations carry
    for (const Operation &op : api.operations) {
        const QString pointer = ConversionNotes::pointerTo({QStringLiteral("operations"), op.id});
        const Channel *channel = index.channels.value(op.channelId);
        if (!channel || !written.contains(op.channelId)) {
            findings.add(pointer,
                         channel ? QStringLiteral("operation '%1' is left out with its channel "
                                                  "'%2'")
                                       .arg(op.id, op.channelId)
                                 : QStringLiteral("operation '%1' is left out: its channel "
                                                  "'%2' is not in the document")
                                       .arg(op.id, op.channelId));
            continue;
        }
        auto &first = op.action == Operation::Action::Receive ? publishOf : subscribeOf;
        if (const Operation *kept = first.value(op.channelId)) {
            findings.add(
                pointer,
                QStringLiteral("operation '%1' is left out: a 2.x channel has one %2 operation, "
                               "and '%3' is the one of channel '%4'")
                    .arg(op.id,
                         op.action == Operation::Action::Receive ? QStringLiteral("publish")
                                                                 : QStringLiteral("subscribe"),
                         kept->id, op.channelId));
            continue;
        }
        first.insert(op.channelId, &op);
        const QStringList ids = op.messageIds.isEmpty() ? channel->messageIds : op.messageIds;
        for (const QString &id : ids)
            carried[op.channelId].insert(id);
        if (!op.reply.is_null())
            findings.add(
                pointer + QStringLiteral("/reply"),
                QStringLiteral("operation '%1': its reply has no 2.x form; left out").arg(op.id));
        if (!op.title.isEmpty())
            findings.add(pointer + QStringLiteral("/title"),
                         QStringLiteral("operation '%1': 2.x operations have no title; left out")
                             .arg(op.id));
    }
    // A message defined in a channel is written under the operations that carry it.
    for (const Channel &c : api.channels) {
        if (!written.contains(c.id))
            continue;
        for (qsizetype i = 0; i < c.messageIds.size(); ++i) {
            const QString &id = c.messageIds.at(i);
            const Message *m = index.messages.value(id);
            if (!m || !m->inlined || carried.value(c.id).contains(id))
                continue;
            const QString key = c.messageKeys.value(i).isEmpty() ? id : c.messageKeys.at(i);
            findings.add(ConversionNotes::pointerTo(
                             {QStringLiteral("channels"), c.id, QStringLiteral("messages"), key}),
                         QStringLiteral("message '%1' of channel '%2' is left out: no operation "
                                        "kept in 2.x sends or receives it")
                             .arg(key, c.id));
        }
    }
    for (const Server &srv : api.servers) {
        QStringList dropped;
        if (!srv.title.isEmpty())
            dropped << QStringLiteral("title");
        if (!srv.summary.isEmpty())
            dropped << QStringLiteral("summary");
        if (hasMember(srv.extra, "externalDocs"))
            dropped << QStringLiteral("externalDocs");
        if (!dropped.isEmpty())
            findings.add(ConversionNotes::pointerTo({QStringLiteral("servers"), srv.id}),
                         QStringLiteral("server '%1': 2.x servers have no %2; left out")
                             .arg(srv.id, dropped.join(QStringLiteral(", "))));
    }
    // An inline security scheme becomes a reference to a declared one of its type.
    const auto checkSecurity = [&](const Json &requirements, const QString &pointer,
                                   const QString &owner) {
        if (!requirements.is_array())
            return;
        for (const Json &item : requirements) {
            if (!item.is_object() || item.contains("$ref"))
                continue;
            const QString type = toQString(item.value("type", std::string()));
            bool declared = false;
            for (const SecurityScheme &sc : api.securitySchemes)
                declared = declared || sc.type == type;
            if (!declared)
                findings.add(pointer,
                             QStringLiteral("%1: its inline '%2' security scheme has no declared "
                                            "scheme of that type to refer to in 2.x; left out")
                                 .arg(owner, type));
        }
    };
    for (const Server &srv : api.servers)
        checkSecurity(srv.security, ConversionNotes::pointerTo({QStringLiteral("servers"), srv.id}),
                      QStringLiteral("server '%1'").arg(srv.id));
    for (const Operation &op : api.operations)
        checkSecurity(op.security,
                      ConversionNotes::pointerTo({QStringLiteral("operations"), op.id}),
                      QStringLiteral("operation '%1'").arg(op.id));
}

// A 2.x parameter schema says more than a 3.x parameter (a string with enum,
// default, description and examples) can.
QStringList unsaidParameterKeys(const Json &schema)
{
    QStringList keys;
    if (!schema.is_object())
        return keys;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        const std::string &key = it.key();
        if (key == "enum" || key == "default" || key == "description" || key == "examples")
            continue;
        if (key == "type" && it.value() == "string")
            continue;
        keys << toQString(key);
    }
    return keys;
}

// 2.x -> 3.x: what a 3.0 document cannot say.
void lossesToV3(const Api &api, ConversionNotes &findings)
{
    for (const Channel &c : api.channels) {
        for (const ChannelParameter &p : c.parameters) {
            if (!p.ref.isEmpty())
                continue;
            const QStringList keys = unsaidParameterKeys(p.schema);
            if (!keys.isEmpty())
                findings.add(
                    ConversionNotes::pointerTo({QStringLiteral("channels"), c.address,
                                                QStringLiteral("parameters"), p.name}),
                    QStringLiteral("parameter '%1' of channel '%2': 3.0 parameters are strings "
                                   "with enum, default and examples; its schema's %3 is left "
                                   "out")
                        .arg(p.name, c.address, keys.join(QStringLiteral(", "))));
        }
    }
    // Bindings 3.0 reads in another form: what had to go.
    const Index index(api);
    for (const Operation &op : api.operations) {
        QStringList changes;
        BindingConversion::toV3(op.bindings, BindingConversion::Kind::Operation, &changes);
        const Channel *channel = index.channels.value(op.channelId);
        const QString kind = op.action == Operation::Action::Receive ? QStringLiteral("publish")
                                                                     : QStringLiteral("subscribe");
        for (const QString &change : std::as_const(changes))
            findings.add(
                channel ? ConversionNotes::pointerTo({QStringLiteral("channels"), channel->address,
                                                      kind, QStringLiteral("bindings")})
                        : QString(),
                QStringLiteral("operation '%1' bindings: %2").arg(op.id, change));
    }
    for (const Message &m : api.messages) {
        QStringList changes;
        BindingConversion::toV3(m.bindings, BindingConversion::Kind::Message, &changes);
        for (const QString &change : std::as_const(changes))
            findings.add(m.inlined ? QString()
                                   : ConversionNotes::pointerTo({QStringLiteral("components"),
                                                                 QStringLiteral("messages"), m.id,
                                                                 QStringLiteral("bindings")}),
                         QStringLiteral("message '%1' bindings: %2").arg(m.id, change));
    }
    const Json parameters
        = api.components.is_object() ? api.components.value("parameters", Json()) : Json();
    if (parameters.is_object()) {
        for (auto it = parameters.begin(); it != parameters.end(); ++it) {
            if (!it.value().is_object() || it.value().contains("$ref"))
                continue;
            const QStringList keys = unsaidParameterKeys(it.value().value("schema", Json()));
            if (!keys.isEmpty())
                findings.add(
                    ConversionNotes::pointerTo({QStringLiteral("components"),
                                                QStringLiteral("parameters"), toQString(it.key())}),
                    QStringLiteral("parameter '%1': 3.0 parameters are strings with enum, "
                                   "default and examples; its schema's %2 is left out")
                        .arg(toQString(it.key()), keys.join(QStringLiteral(", "))));
        }
    }
}

// Reads the written document back: what the validator holds against it is what a
// parser of that version would say. Examples that do not match their schemas are
// listed apart, before a 2.x write (2.x parsers reject them).
void checkWritten(const Json &root, const QByteArray &data, const QString &fileName,
                  TargetVersion version, AsyncApiConverter::Result &result)
{
    if (version == TargetVersion::V2_6) {
        Document written;
        written.root = root;
        written.fileName = fileName;
        result.exampleMismatches = AsyncApiValidator::validateExamples(written);
    }
    const ReadResult read = AsyncApiReader::readData(data, fileName);
    for (Diagnostic d : read.diagnostics) {
        if (d.severity != Diagnostic::Severity::Error
            || d.pointer.contains(QLatin1String("/examples/")))
            continue;
        d.location = {};
        d.message = QStringLiteral("the %1 document would have this problem: %2")
                        .arg(versionText(version), d.message);
        result.losses.append(d);
    }
}

} // namespace

AsyncApiConverter::Format AsyncApiConverter::formatOf(const QByteArray &text)
{
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[' ? Format::Json : Format::Yaml;
    }
    return Format::Yaml;
}

AsyncApiConverter::Format AsyncApiConverter::formatForPath(const QString &path, Format fallback)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("json"))
        return Format::Json;
    if (suffix == QLatin1String("yaml") || suffix == QLatin1String("yml"))
        return Format::Yaml;
    return fallback;
}

bool AsyncApiConverter::isVersion(const QString &asyncapiVersion, TargetVersion version)
{
    const QString prefix
        = version == TargetVersion::V3_0 ? QStringLiteral("3.0.") : QStringLiteral("2.6.");
    return asyncapiVersion.startsWith(prefix);
}

QList<Diagnostic> AsyncApiConverter::losses(const ReadResult &read, TargetVersion version)
{
    ConversionNotes findings(read.document);
    noteBundledFiles(read.document, findings);
    if (!read.api)
        return findings.take();
    const bool fromV3 = read.api->asyncapiVersion.startsWith(u'3');
    if (version == TargetVersion::V2_6 && fromV3)
        lossesToV2(*read.api, findings);
    else if (version == TargetVersion::V3_0 && !fromV3)
        lossesToV3(*read.api, findings);
    return findings.take();
}

AsyncApiConverter::Result AsyncApiConverter::reformat(const QByteArray &text,
                                                      const QString &fileName, Format format)
{
    Result result;
    if (formatOf(text) == format) {
        result.data = text;
        result.unchanged = true;
        return result;
    }
    const DocumentLoader::Result loaded = DocumentLoader::loadData(text, fileName);
    if (!loaded.ok()) {
        result.error
            = QStringLiteral("the document cannot be read (%1); fix it first")
                  .arg(loaded.diagnostics.isEmpty() ? QStringLiteral("unknown error")
                                                    : loaded.diagnostics.constFirst().message);
        return result;
    }
    ConversionNotes findings(loaded.document);
    if (format == Format::Json)
        findings.add({},
                     QStringLiteral("comments, anchors and the YAML layout do not carry over "
                                    "to JSON"));
    noteBundledFiles(loaded.document, findings);
    result.losses = findings.take();
    result.data = serialized(loaded.document.root, format);
    return result;
}

AsyncApiConverter::Result AsyncApiConverter::convert(const QByteArray &text,
                                                     const QString &fileName, TargetVersion version,
                                                     Format format)
{
    return convert(AsyncApiReader::readData(text, fileName), text, version, format);
}

AsyncApiConverter::Result AsyncApiConverter::convert(const ReadResult &read, const QByteArray &text,
                                                     TargetVersion version, Format format)
{
    if (read.ok() && isVersion(read.api->asyncapiVersion, version)) {
        Result result = reformat(text, read.document.fileName, format);
        result.unchanged = result.ok();
        return result; // a 2.x one has no mismatched examples: they are errors there
    }
    Result result = writeModel(read, version, format);
    if (!result.ok())
        return result;
    Diagnostic layout;
    layout.severity = Diagnostic::Severity::Warning;
    layout.message = QStringLiteral("the converted document is written from the model: "
                                    "comments, the layout and the key order do not carry over");
    result.losses.prepend(layout);
    return result;
}

AsyncApiConverter::Result AsyncApiConverter::writeModel(const ReadResult &read,
                                                        TargetVersion version, Format format)
{
    Result result;
    if (!read.ok()) {
        QString first;
        for (const Diagnostic &d : read.diagnostics)
            if (d.severity == Diagnostic::Severity::Error && first.isEmpty())
                first = d.toString();
        result.error = first.isEmpty()
            ? QStringLiteral("the document cannot be read as AsyncAPI")
            : QStringLiteral("the document has errors; fix them first (%1)").arg(first);
        return result;
    }
    result.losses = losses(read, version);
    const Json root = AsyncApiWriter::toJson(*read.api, version);
    result.data = serialized(root, format);
    checkWritten(root, result.data, read.document.fileName, version, result);
    return result;
}

} // namespace Gatehouse
