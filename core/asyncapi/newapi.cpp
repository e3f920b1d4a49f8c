// SPDX-License-Identifier: GPL-3.0-or-later
#include "newapi.h"

#include "asyncapireader.h"

#include <QRegularExpression>
#include <QUrl>

namespace Gatehouse {

namespace {

// The same rules as x-gatehouse.schema.json's patterns, so that what the wizard
// accepts the validator accepts too.
const QRegularExpression &contextPattern()
{
    static const QRegularExpression re(QStringLiteral("^/[^\\s?#{}]*[^\\s?#/{}]$"));
    return re;
}

const QRegularExpression &endpointPattern()
{
    static const QRegularExpression re(QStringLiteral("^wss?://[^\\s/?#]+(/[^\\s]*)?$"));
    return re;
}

// host:port -> port, or -1
int listenPort(const QString &listen)
{
    const qsizetype colon = listen.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return -1;
    bool ok = false;
    const int port = listen.mid(colon + 1).toInt(&ok);
    return ok && port > 0 && port <= 65535 ? port : -1;
}

// The gateway's address as clients write it: the listen port on localhost, the
// API's context and version as the path.
void pointServer(Json &server, int port, const QString &path, bool v3)
{
    const std::string host = "localhost:" + std::to_string(port);
    if (v3) {
        server["host"] = host;
        server["pathname"] = toStdString(path);
    } else {
        server["url"] = host + toStdString(path);
    }
}

Json emptyStart(const NewApi::Request &request)
{
    Json doc = Json::object();
    doc["asyncapi"] = "2.6.0";
    doc["info"]["title"] = toStdString(request.name);
    doc["info"]["version"] = toStdString(request.version);
    doc["info"]["description"] = "A WebSocket API served by Gatehouse. Add its channels "
                                 "(topics) and messages in the API form or the source.";
    Json server = Json::object();
    server["url"] = "localhost:9099";
    server["protocol"] = "ws";
    server["description"] = "Gatehouse gateway on this machine.";
    doc["servers"]["gateway"] = server;
    doc["channels"] = Json::object();
    return doc;
}

} // namespace

QString NewApi::nameProblem(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("Give the API a name, e.g. Chats.");
    if (name.contains(QLatin1Char('\n')))
        return QStringLiteral("The name must be one line.");
    return {};
}

QString NewApi::contextProblem(const QString &context)
{
    if (context.isEmpty())
        return QStringLiteral("Give the API a context, e.g. /chats: clients connect to "
                              "/{context}/{version}/{topic}.");
    if (!contextPattern().match(context).hasMatch())
        return QStringLiteral("The context must be a path that starts with / and does not end "
                              "with /, with no spaces, ?, # or braces, e.g. /chats.");
    return {};
}

QString NewApi::versionProblem(const QString &version)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
    if (version.isEmpty())
        return QStringLiteral("Give the API a version, e.g. 1.0.0.");
    if (!re.match(version).hasMatch())
        return QStringLiteral("The version is a path segment: letters, digits, '.', '_' and "
                              "'-' only, e.g. 1.0.0.");
    return {};
}

QString NewApi::endpointProblem(const QString &endpoint)
{
    if (endpoint.isEmpty())
        return QStringLiteral("Give the backend's address, e.g. ws://localhost:8080.");
    if (!endpointPattern().match(endpoint).hasMatch() || !QUrl(endpoint).isValid())
        return QStringLiteral("The endpoint must be a ws:// or wss:// URL, e.g. "
                              "ws://localhost:8080.");
    return {};
}

QString NewApi::listenProblem(const QString &listen)
{
    if (listenPort(listen) < 0 || listen.contains(QLatin1Char(' ')))
        return QStringLiteral("The listen address must be host:port with a port from 1 to "
                              "65535, e.g. 127.0.0.1:9099.");
    return {};
}

QString NewApi::problem(const Request &request)
{
    const std::pair<QString, QString> checks[] = {
        {QStringLiteral("name"), nameProblem(request.name)},
        {QStringLiteral("context"), contextProblem(request.context)},
        {QStringLiteral("version"), versionProblem(request.version)},
        {QStringLiteral("endpoint"), endpointProblem(request.endpoint)},
        {QStringLiteral("listen address"), listenProblem(request.listen)},
    };
    for (const auto &[field, problem] : checks)
        if (!problem.isEmpty())
            return field + QStringLiteral(": ") + problem;
    return {};
}

QByteArray NewApi::create(const Request &request, const QByteArray &start, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QByteArray();
    };
    if (const QString why = problem(request); !why.isEmpty())
        return fail(why);

    const QByteArray startText
        = start.isEmpty() ? AsyncApiWriter::toYaml(emptyStart(request)) : start;
    const ReadResult read = AsyncApiReader::readData(startText, QStringLiteral("start.yaml"));
    if (!read.ok()) {
        for (const Diagnostic &d : read.diagnostics)
            if (d.severity == Diagnostic::Severity::Error)
                return fail(QStringLiteral("The starting point cannot be read: %1").arg(d.message));
        return fail(QStringLiteral("The starting point cannot be read."));
    }

    const bool v3 = request.asyncApiVersion == AsyncApiWriter::TargetVersion::V3_0;
    Json doc = AsyncApiWriter::toJson(*read.api, request.asyncApiVersion);
    doc["info"]["title"] = toStdString(request.name.trimmed());
    doc["info"]["version"] = toStdString(request.version);

    Json &gatehouse = doc["x-gatehouse"];
    if (!gatehouse.is_object())
        gatehouse = Json::object();
    const int port = listenPort(request.listen);
    const int tlsPort = gatehouse.contains("tlsListen") && gatehouse["tlsListen"].is_string()
        ? listenPort(toQString(gatehouse["tlsListen"].get<std::string>()))
        : -1;
    // context, endpoint and listen first, as a reader looks for them
    Json settings = Json::object();
    settings["context"] = toStdString(request.context);
    settings["endpoint"] = toStdString(request.endpoint);
    settings["listen"] = toStdString(request.listen);
    for (auto it = gatehouse.begin(); it != gatehouse.end(); ++it)
        if (!settings.contains(it.key()))
            settings[it.key()] = it.value();
    gatehouse = std::move(settings);

    // Servers the gateway serves (ws, wss) point at the new context and version.
    const QString path = request.context + QLatin1Char('/') + request.version;
    if (doc.contains("servers") && doc["servers"].is_object()) {
        for (auto &[id, server] : doc["servers"].items()) {
            if (!server.is_object())
                continue;
            const std::string protocol = server.value("protocol", std::string());
            if (protocol == "ws")
                pointServer(server, port, path, v3);
            else if (protocol == "wss" && tlsPort > 0)
                pointServer(server, tlsPort, path, v3);
        }
    }
    return AsyncApiWriter::toYaml(doc);
}

QString NewApi::suggestedFileName(const QString &name)
{
    QString base;
    for (const QChar c : name.trimmed().toLower()) {
        if (c.isLetterOrNumber())
            base.append(c);
        else if (!base.isEmpty() && !base.endsWith(QLatin1Char('-')))
            base.append(QLatin1Char('-'));
    }
    while (base.endsWith(QLatin1Char('-')))
        base.chop(1);
    if (base.isEmpty())
        base = QStringLiteral("api");
    return base + QStringLiteral(".asyncapi.yaml");
}

} // namespace Gatehouse
