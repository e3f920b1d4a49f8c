// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapivalidator.h"

#include "asyncapi/jsonschemavalidator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QUrl>

#include <memory>

namespace Gatehouse {

namespace {

constexpr int MaxDiagnosticsPerSchema = 200;
const char XGatehouseKey[] = "x-gatehouse";

using SharedValidator = std::shared_ptr<const JsonSchemaValidator>;

// A compiled schema, or why there is none.
struct LoadedSchema
{
    SharedValidator validator;
    QString problem;
};

QStringList schemaDirectories()
{
    QStringList dirs;
    const QString overridden = qEnvironmentVariable("GATEHOUSE_ASYNCAPI_SCHEMAS_DIR");
    if (!overridden.isEmpty())
        return {QDir::cleanPath(overridden)};
    // Beside the running executable's install prefix (bin/../share/gatehouse), so a
    // relocated installation finds its own copy first.
    if (QCoreApplication::instance())
        dirs.append(QDir::cleanPath(QCoreApplication::applicationDirPath()
                                    + QStringLiteral("/../share/gatehouse/asyncapi-schemas")));
    dirs.append(QDir::cleanPath(QStringLiteral(GATEHOUSE_INSTALLED_DATA_DIR "/asyncapi-schemas")));
    dirs.append(QDir::cleanPath(QStringLiteral(GATEHOUSE_ASYNCAPI_SPECS_DIR)));
    dirs.removeDuplicates();
    return dirs;
}

std::optional<Json> readJsonFile(const QString &path, QString *problem)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    Json json = Json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    if (json.is_discarded()) {
        *problem = QStringLiteral("%1 is not valid JSON").arg(path);
        return std::nullopt;
    }
    return json;
}

LoadedSchema compileFile(const QString &path)
{
    LoadedSchema loaded;
    const std::optional<Json> json = readJsonFile(path, &loaded.problem);
    if (!json)
        return loaded;
    auto validator = std::make_shared<JsonSchemaValidator>(*json, JsonSchemaValidator::Resolver {},
                                                           QUrl::fromLocalFile(path).toString());
    if (!validator->isValid()) {
        loaded.problem = QStringLiteral("cannot use %1: %2").arg(path, validator->errorString());
        return loaded;
    }
    loaded.validator = std::move(validator);
    return loaded;
}

// The compiled AsyncAPI schema of a version ("2.6.0"), loaded once per process.
LoadedSchema asyncApiSchema(const QString &version)
{
    static QMutex mutex;
    static QHash<QString, LoadedSchema> cache;
    QMutexLocker locker(&mutex);
    const auto cached = cache.constFind(version);
    if (cached != cache.constEnd())
        return *cached;

    LoadedSchema loaded;
    const QStringList dirs = schemaDirectories();
    QString foundDir;
    for (const QString &dir : dirs) {
        if (QFileInfo(dir + QStringLiteral("/2.6.0.json")).isFile()
            || QFileInfo(dir + QStringLiteral("/3.0.0.json")).isFile()) {
            foundDir = dir;
            break;
        }
    }
    if (foundDir.isEmpty()) {
        loaded.problem
            = QStringLiteral(
                  "structural validation is unavailable: the AsyncAPI JSON Schemas "
                  "were not found (looked in %1); run scripts/install-deps or reinstall Gatehouse")
                  .arg(dirs.join(QStringLiteral(", ")));
    } else {
        const QString path = foundDir + u'/' + version + QStringLiteral(".json");
        if (QFileInfo(path).isFile()) {
            loaded = compileFile(path);
            if (!loaded.validator)
                loaded.problem = QStringLiteral("structural validation is unavailable: %1")
                                     .arg(loaded.problem);
        } else {
            QStringList known = QDir(foundDir).entryList({QStringLiteral("[23].*.json")},
                                                         QDir::Files, QDir::Name);
            QStringList versions;
            for (const QString &name : std::as_const(known))
                if (!name.contains(QStringLiteral("without")))
                    versions.append(name.chopped(5));
            loaded.problem = QStringLiteral("unsupported AsyncAPI version '%1'; supported: %2")
                                 .arg(version, versions.join(QStringLiteral(", ")));
        }
    }
    cache.insert(version, loaded);
    return loaded;
}

const JsonSchemaValidator &xGatehouseSchema()
{
    static const JsonSchemaValidator validator = [] {
        QString problem;
        const std::optional<Json> json
            = readJsonFile(QStringLiteral(":/gatehouse/schemas/x-gatehouse.schema.json"), &problem);
        return JsonSchemaValidator(json.value_or(Json(true)));
    }();
    return validator;
}

std::string unescape(QString token)
{
    token.replace(QStringLiteral("~1"), QStringLiteral("/"));
    token.replace(QStringLiteral("~0"), QStringLiteral("~"));
    return token.toStdString();
}

// "/channels/~1rooms/publish" -> "channels./rooms.publish"; array items as [i].
QString displayPath(const Json &root, const QString &pointer)
{
    QString path;
    const Json *node = &root;
    const QStringList tokens = pointer.split(u'/', Qt::SkipEmptyParts);
    for (const QString &token : tokens) {
        const std::string key = unescape(token);
        if (node && node->is_array()) {
            path += u'[' + token + u']';
            bool ok = false;
            const auto index = token.toULongLong(&ok);
            node = ok && index < node->size() ? &(*node)[index] : nullptr;
            continue;
        }
        if (!path.isEmpty())
            path += u'.';
        path += toQString(key);
        if (node && node->is_object()) {
            const auto it = node->find(key);
            node = it != node->end() ? &*it : nullptr;
        } else {
            node = nullptr;
        }
    }
    return path;
}

QString escapeToken(QString token)
{
    token.replace(u'~', QStringLiteral("~0"));
    token.replace(u'/', QStringLiteral("~1"));
    return token;
}

Diagnostic toDiagnostic(const Document &document, const JsonSchemaValidator::Error &error,
                        const QString &prefix, Diagnostic::Severity severity)
{
    Diagnostic d;
    d.severity = severity;
    d.pointer = prefix + error.pointer;
    const QString path = displayPath(document.root, d.pointer);
    switch (error.keyword) {
    case JsonSchemaValidator::Keyword::Required:
        d.message = (path.isEmpty() ? error.property : path + u'.' + error.property)
            + QStringLiteral(" is required");
        break;
    case JsonSchemaValidator::Keyword::AdditionalProperties:
        d.pointer += u'/' + escapeToken(error.property);
        // error.message: "unknown field 'x'", perhaps with a suggestion
        d.message = path.isEmpty() ? QString(QStringLiteral("top-level ") + error.message)
                                   : QString(path + QStringLiteral(": ") + error.message);
        if (severity == Diagnostic::Severity::Warning)
            d.message += QStringLiteral(" (ignored)");
        // The usual slip when moving a 2.x document to 3.x by hand.
        if ((error.property == QLatin1String("publish")
             || error.property == QLatin1String("subscribe"))
            && d.pointer.count(u'/') == 3 && d.pointer.startsWith(QLatin1String("/channels/"))
            && document.root.value("asyncapi", std::string()).rfind('3', 0) == 0)
            d.message
                += QStringLiteral("; in AsyncAPI 3 operations are declared under 'operations' "
                                  "with action: send or receive");
        break;
    default:
        d.message = path.isEmpty() ? QStringLiteral("the document %1").arg(error.message)
                                   : path + QStringLiteral(": ") + error.message;
        break;
    }
    d.location = document.locate(d.pointer);
    return d;
}

// Schema formats whose schemas are JSON Schema (AsyncAPI Schema is a superset).
bool isJsonSchemaFormat(const Json &format)
{
    if (!format.is_string())
        return format.is_null();
    const QString f = toQString(format.get<std::string>());
    return f.startsWith(QLatin1String("application/vnd.aai.asyncapi"))
        || f.startsWith(QLatin1String("application/schema+json"))
        || f.startsWith(QLatin1String("application/schema+yaml"));
}

const Json *child(const Json &node, const char *key)
{
    if (!node.is_object())
        return nullptr;
    const auto it = node.find(key);
    return it == node.end() ? nullptr : &*it;
}

// Pointers of the message objects written in place (not as $ref) in the document.
QStringList messagePointers(const Json &root, bool v3)
{
    QStringList pointers;
    const auto addMap = [&](const Json *map, const QString &prefix) {
        if (map && map->is_object())
            for (auto it = map->begin(); it != map->end(); ++it)
                pointers.append(prefix + u'/' + escapeToken(toQString(it.key())));
    };
    if (const Json *components = child(root, "components"))
        addMap(child(*components, "messages"), QStringLiteral("/components/messages"));
    const Json *channels = child(root, "channels");
    if (!channels || !channels->is_object())
        return pointers;
    for (auto channel = channels->begin(); channel != channels->end(); ++channel) {
        const QString channelPointer
            = QStringLiteral("/channels/") + escapeToken(toQString(channel.key()));
        if (v3) {
            addMap(child(*channel, "messages"), channelPointer + QStringLiteral("/messages"));
            continue;
        }
        for (const char *operation : {"publish", "subscribe"}) {
            const Json *op = child(*channel, operation);
            const Json *message = op ? child(*op, "message") : nullptr;
            if (!message)
                continue;
            const QString messagePointer
                = channelPointer + u'/' + QLatin1String(operation) + QStringLiteral("/message");
            const Json *alternatives = child(*message, "oneOf");
            if (alternatives && alternatives->is_array()) {
                for (std::size_t i = 0; i < alternatives->size(); ++i)
                    pointers.append(messagePointer + QStringLiteral("/oneOf/")
                                    + QString::number(i));
            } else {
                pointers.append(messagePointer);
            }
        }
    }
    return pointers;
}

// Message examples must match the message's payload and headers schemas. The
// official parser holds a mismatch against 2.x documents (an error) but does not
// check 3.x ones, where a mismatch is a warning here.
void checkExamples(const Document &document, bool v3, QList<Diagnostic> *diagnostics)
{
    const auto severity = v3 ? Diagnostic::Severity::Warning : Diagnostic::Severity::Error;
    const Json &root = document.root;
    for (const QString &messagePointer : messagePointers(root, v3)) {
        const Json *message = nullptr;
        try {
            message = &root.at(Json::json_pointer(toStdString(messagePointer)));
        } catch (const std::exception &) {
            continue;
        }
        const Json *examples = child(*message, "examples");
        if (!examples || !examples->is_array() || examples->empty() || child(*message, "$ref"))
            continue;
        for (const char *part : {"payload", "headers"}) {
            const Json *schema = child(*message, part);
            if (!schema)
                continue;
            QString schemaPointer = messagePointer + u'/' + QLatin1String(part);
            Json format = v3 ? Json() : message->value("schemaFormat", Json());
            if (v3 && child(*schema, "schema") && child(*schema, "schemaFormat")) {
                format = (*schema)["schemaFormat"];
                schemaPointer += QStringLiteral("/schema");
            }
            if (!isJsonSchemaFormat(format))
                continue;
            const auto validator = JsonSchemaValidator::forSubschema(root, schemaPointer);
            if (!validator.isValid())
                continue; // the schema itself is reported by the structural check
            for (std::size_t i = 0; i < examples->size(); ++i) {
                const Json *value = child((*examples)[i], part);
                if (!value)
                    continue;
                const QString prefix = messagePointer + QStringLiteral("/examples/")
                    + QString::number(i) + u'/' + QLatin1String(part);
                for (const auto &error : validator.validate(*value, 20))
                    diagnostics->append(toDiagnostic(document, error, prefix, severity));
            }
        }
    }
}

// 2.x channels whose publish and subscribe disagree on x-auth-type, one saying None:
// the gateway opens a channel only when every operation says None (an operation
// that says nothing is Any), so the None is not what happens.
void checkAuthTypes(const Document &document, QList<Diagnostic> *diagnostics)
{
    const Json *channels = child(document.root, "channels");
    if (!channels || !channels->is_object())
        return;
    auto authType = [](const Json *op) {
        const Json *v = child(*op, "x-auth-type");
        return v && v->is_string() ? toQString(v->get<std::string>()) : QString();
    };
    auto isNone = [](const QString &t) { return t.compare(u"None", Qt::CaseInsensitive) == 0; };
    for (auto it = channels->begin(); it != channels->end(); ++it) {
        const Json *publish = child(*it, "publish");
        const Json *subscribe = child(*it, "subscribe");
        if (!publish || !subscribe || child(*it, "x-auth-type"))
            continue;
        const QString pub = authType(publish);
        const QString sub = authType(subscribe);
        if (isNone(pub) == isNone(sub))
            continue;
        const bool publishOpen = isNone(pub);
        const QString other = publishOpen ? sub : pub;
        Diagnostic d;
        d.severity = Diagnostic::Severity::Warning;
        d.pointer = QStringLiteral("/channels/") + escapeToken(toQString(it.key()))
            + (publishOpen ? QStringLiteral("/publish") : QStringLiteral("/subscribe"))
            + QStringLiteral("/x-auth-type");
        d.location = document.locate(d.pointer);
        d.message = QStringLiteral("channel '%1': %2 says x-auth-type None but %3 says %4; "
                                   "the channel needs credentials unless every operation says "
                                   "None")
                        .arg(toQString(it.key()),
                             publishOpen ? QStringLiteral("publish") : QStringLiteral("subscribe"),
                             publishOpen ? QStringLiteral("subscribe") : QStringLiteral("publish"),
                             other.isEmpty() ? QStringLiteral("nothing (Any)") : other);
        diagnostics->append(d);
    }
}

} // namespace

QList<Diagnostic> AsyncApiValidator::validateExamples(const Document &document)
{
    QList<Diagnostic> diagnostics;
    const auto version
        = document.root.is_object() ? document.root.find("asyncapi") : document.root.end();
    if (version == document.root.end() || !version->is_string())
        return diagnostics;
    checkExamples(document, version->get<std::string>().rfind('3', 0) == 0, &diagnostics);
    return diagnostics;
}

QList<Diagnostic> AsyncApiValidator::validate(const Document &document)
{
    QList<Diagnostic> diagnostics;
    const Json &root = document.root;

    // The official schema of the document's version.
    const auto version = root.is_object() ? root.find("asyncapi") : root.end();
    if (version != root.end() && version->is_string()) {
        const LoadedSchema schema = asyncApiSchema(toQString(version->get<std::string>()));
        if (schema.validator) {
            const QList<JsonSchemaValidator::Error> errors
                = schema.validator->validate(root, MaxDiagnosticsPerSchema);
            for (const auto &error : errors)
                diagnostics.append(
                    toDiagnostic(document, error, QString(), Diagnostic::Severity::Error));
            // Examples only when the structure is sound: their schemas are in it.
            const bool v3 = version->get<std::string>().rfind('3', 0) == 0;
            if (errors.isEmpty())
                checkExamples(document, v3, &diagnostics);
            if (!v3)
                checkAuthTypes(document, &diagnostics);
        } else {
            const bool unsupported = schema.problem.startsWith(QStringLiteral("unsupported"));
            Diagnostic d;
            d.severity = unsupported ? Diagnostic::Severity::Error : Diagnostic::Severity::Warning;
            d.pointer = unsupported ? QStringLiteral("/asyncapi") : QString();
            d.location = document.locate(d.pointer);
            d.message = schema.problem;
            diagnostics.append(d);
        }
    } else {
        Diagnostic d;
        d.pointer = version != root.end() ? QStringLiteral("/asyncapi") : QString();
        d.location = document.locate(d.pointer);
        d.message = version != root.end()
            ? QStringLiteral("asyncapi: must be a version string such as \"2.6.0\" or \"3.0.0\"")
            : QStringLiteral("not an AsyncAPI document: the 'asyncapi' version field is missing");
        diagnostics.append(d);
    }

    // Gatehouse's own extension; unknown keys may come from newer versions.
    if (root.is_object()) {
        const auto extension = root.find(XGatehouseKey);
        if (extension != root.end()) {
            const QString prefix = QStringLiteral("/") + QLatin1String(XGatehouseKey);
            for (const auto &error :
                 xGatehouseSchema().validate(*extension, MaxDiagnosticsPerSchema)) {
                const auto severity
                    = error.keyword == JsonSchemaValidator::Keyword::AdditionalProperties
                    ? Diagnostic::Severity::Warning
                    : Diagnostic::Severity::Error;
                diagnostics.append(toDiagnostic(document, error, prefix, severity));
            }
        }
    }
    return diagnostics;
}

} // namespace Gatehouse
