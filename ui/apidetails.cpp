// SPDX-License-Identifier: GPL-3.0-or-later
#include "apidetails.h"

#include <QGuiApplication>
#include <QPalette>
#include <QTextDocument>
#include <QUrl>

namespace Gatehouse {

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

// At most `max` characters of `text`, cut at a line end where one is near; the
// pane renders on the GUI thread, and laying out megabytes (Markdown above all)
// would freeze the window for minutes.
QString shortened(const QString &text, qsizetype max, bool *cut)
{
    *cut = text.size() > max;
    if (!*cut)
        return text;
    const qsizetype newline = text.lastIndexOf(u'\n', max);
    return text.left(newline > max / 2 ? newline : max);
}

// Colours from the application palette, so the pane reads well in dark themes too.
struct Colors
{
    QString muted;
    QString codeBackground;
    QString accent;
};

Colors colors()
{
    const QPalette palette = QGuiApplication::palette();
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    Colors c;
    // Between text and background: readable, yet clearly secondary.
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    const auto mix = [](int a, int b) { return (a * 55 + b * 45) / 100; };
    c.muted = QColor(mix(text.red(), base.red()), mix(text.green(), base.green()),
                     mix(text.blue(), base.blue()))
                  .name();
    c.codeBackground
        = dark ? palette.color(QPalette::Base).lighter(140).name() : QStringLiteral("#f3f5f7");
    c.accent = dark ? QStringLiteral("#7cc4e0") : QStringLiteral("#1f6f8b");
    return c;
}

// A small builder for the pane's HTML, so every item looks alike.
class Html
{
public:
    explicit Html(const QString &title, const QString &subtitle)
    {
        const Colors c = colors();
        m_muted = c.muted;
        m_code = c.codeBackground;
        m_out += QStringLiteral("<html><head><style>"
                                "h3 { margin-top: 16px; margin-bottom: 4px; }"
                                "td.key { padding-right: 16px; white-space: nowrap; }"
                                "a { color: %1; text-decoration: none; }"
                                "</style></head><body>")
                     .arg(c.accent);
        // The kind of item as a small label above its name.
        if (!subtitle.isEmpty())
            m_out += QStringLiteral("<p style=\"color:%1; font-size:small; margin-bottom:0px;\">"
                                    "%2</p>")
                         .arg(m_muted, esc(subtitle.toUpper()));
        m_out += QStringLiteral("<h2 style=\"margin-top:2px; margin-bottom:8px;\">") + esc(title)
            + QStringLiteral("</h2>");
    }

    // A key/value row; values are escaped unless `rich`. Empty values are skipped.
    void row(const QString &key, const QString &value, bool rich = false)
    {
        if (value.isEmpty())
            return;
        if (!m_inTable) {
            m_out += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">");
            m_inTable = true;
        }
        m_out += QStringLiteral("<tr><td class=\"key\" style=\"color:%1\">%2</td><td>%3</td></tr>")
                     .arg(m_muted, esc(key), rich ? value : esc(value));
    }

    void codeRow(const QString &key, const QString &value)
    {
        if (!value.isEmpty())
            row(key, QStringLiteral("<code>") + esc(value) + QStringLiteral("</code>"), true);
    }

    void section(const QString &heading)
    {
        endTable();
        m_out += QStringLiteral("<h3>") + esc(heading) + QStringLiteral("</h3>");
    }

    // Longer descriptions and values are shown in part, with a note.
    static constexpr qsizetype MaxTextLength = 20000;
    static constexpr qsizetype MaxCodeLength = 200000;

    // CommonMark text (AsyncAPI descriptions are Markdown), without raw HTML.
    void text(const QString &fullText)
    {
        endTable();
        bool cut = false;
        const QString text = shortened(fullText.trimmed(), MaxTextLength, &cut);
        markdown(text);
        if (cut)
            shortenedNote(fullText.trimmed().size());
    }

    void markdown(const QString &text)
    {
        QTextDocument document;
        document.setMarkdown(text,
                             QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub
                                                             | QTextDocument::MarkdownNoHTML));
        const QString html = document.toHtml();
        // Keep what is inside <body ...> ... </body>.
        const qsizetype bodyTag = html.indexOf(QLatin1String("<body"));
        const qsizetype start = bodyTag < 0 ? -1 : html.indexOf(QLatin1Char('>'), bodyTag);
        const qsizetype end = html.lastIndexOf(QLatin1String("</body>"));
        if (start < 0 || end < start) {
            m_out += QStringLiteral("<p>") + esc(text) + QStringLiteral("</p>");
            return;
        }
        m_out += html.mid(start + 1, end - start - 1);
    }

    void describe(const QString &summary, const QString &description)
    {
        if (!summary.isEmpty())
            text(summary);
        if (!description.isEmpty() && description != summary)
            text(description);
    }

    void code(const QString &fullCode)
    {
        endTable();
        bool cut = false;
        const QString code = shortened(fullCode, MaxCodeLength, &cut);
        m_out += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"8\" "
                                "bgcolor=\"%1\"><tr><td><pre style=\"margin:0px\">%2</pre>"
                                "</td></tr></table>")
                     .arg(m_code, esc(code));
        if (cut)
            shortenedNote(fullCode.size());
    }

    void shortenedNote(qsizetype fullLength)
    {
        m_out += QStringLiteral("<p style=\"color:%1\"><i>%2</i></p>")
                     .arg(m_muted,
                          esc(ApiDetails::tr("\u2026 shortened here: the whole text has %L1 "
                                             "characters; the Source tab shows all of it.")
                                  .arg(fullLength)));
    }

    // A section with `value` pretty-printed, when it is not null.
    void json(const QString &heading, const Json &value)
    {
        if (value.is_null() || (value.is_object() && value.empty()))
            return;
        section(heading);
        code(ApiDetails::prettyJson(value));
    }

    void muted(const QString &text)
    {
        endTable();
        m_out += QStringLiteral("<p style=\"color:%1\">%2</p>").arg(m_muted, esc(text));
    }

    void raw(const QString &html)
    {
        endTable();
        m_out += html;
    }

    QString finish()
    {
        endTable();
        return m_out + QStringLiteral("</body></html>");
    }

private:
    void endTable()
    {
        if (m_inTable)
            m_out += QStringLiteral("</table>");
        m_inTable = false;
    }

    QString m_out;
    QString m_muted;
    QString m_code;
    bool m_inTable = false;
};

QString link(const QString &kind, const QString &id, const QString &text)
{
    return QStringLiteral("<a href=\"gatehouse:%1/%2\">%3</a>")
        .arg(kind, QString::fromLatin1(QUrl::toPercentEncoding(id)), esc(text));
}

QString actionText(Operation::Action action)
{
    return action == Operation::Action::Send
        ? ApiDetails::tr("send \u2014 the application sends to this channel; "
                         "clients receive (AsyncAPI 2.x: subscribe)")
        : ApiDetails::tr("receive \u2014 the application receives from this channel; "
                         "clients send (AsyncAPI 2.x: publish)");
}

QString serverUrl(const Server &server)
{
    QString url = server.host + server.pathname;
    if (!server.protocol.isEmpty())
        url = server.protocol + QStringLiteral("://") + url;
    return url;
}

QString jsonScalar(const Json &value)
{
    if (value.is_null())
        return {};
    if (value.is_string())
        return toQString(value.get<std::string>());
    return toQString(value.dump());
}

QString count(qsizetype n, const QString &one, const QString &many)
{
    return n == 1 ? one : many.arg(n);
}

void extensions(Html &html, const Json &extra)
{
    html.json(ApiDetails::tr("Other fields"), extra);
}

} // namespace

QString ApiDetails::prettyJson(const Json &value)
{
    if (value.is_string())
        return toQString(value.get<std::string>());
    try {
        return toQString(value.dump(2, ' ', false, Json::error_handler_t::replace));
    } catch (const std::exception &e) {
        return tr("(cannot show this value: %1)").arg(QString::fromUtf8(e.what()));
    }
}

QString ApiDetails::placeholder(const QString &text)
{
    const Colors c = colors();
    return QStringLiteral("<html><body><p align=\"center\" style=\"color:%1; margin-top:48px;\">"
                          "%2</p></body></html>")
        .arg(c.muted, esc(text));
}

QString ApiDetails::html(const Api &api, ApiTreeModel::Kind kind, const QString &id,
                         const QString &channelId)
{
    using Kind = ApiTreeModel::Kind;
    switch (kind) {
    case Kind::Api:
        return apiHtml(api);
    case Kind::Server:
        for (const Server &server : api.servers)
            if (server.id == id)
                return serverHtml(api, server);
        break;
    case Kind::Channel:
        if (const Channel *channel = api.channel(id))
            return channelHtml(api, *channel);
        break;
    case Kind::Operation:
        if (const Operation *operation = api.operation(id))
            return operationHtml(api, *operation);
        break;
    case Kind::Parameter:
        if (const Channel *channel = api.channel(channelId))
            for (const ChannelParameter &parameter : channel->parameters)
                if (parameter.name == id)
                    return parameterHtml(*channel, parameter);
        break;
    case Kind::Message:
        if (const Message *message = api.message(id))
            return messageHtml(api, *message);
        return placeholder(
            tr("The message \u201c%1\u201d is not defined in this document.").arg(id));
    case Kind::SecurityScheme:
        for (const SecurityScheme &scheme : api.securitySchemes)
            if (scheme.id == id)
                return securitySchemeHtml(scheme);
        break;
    case Kind::Gateway:
        return gatewayHtml(api.gatehouse);
    case Kind::GatewayEntry:
        return gatewayEntryHtml(api.gatehouse, id);
    case Kind::ServerGroup:
        return placeholder(tr("Servers the API is available on. Select one to see its details."));
    case Kind::ChannelGroup:
        return api.channels.isEmpty()
            ? placeholder(tr("This API has no channels yet."))
            : placeholder(tr("Channels (topics) clients connect to. Select one to see "
                             "its operations, parameters and messages."));
    case Kind::ParameterGroup:
        return placeholder(tr("Parameters of the channel address."));
    case Kind::ChannelMessageGroup:
        return placeholder(tr("Messages that travel on this channel."));
    case Kind::MessageGroup:
        return placeholder(tr("Every message of the API. Select one to see its payload "
                              "schema and examples."));
    case Kind::SecuritySchemeGroup:
        return placeholder(tr("How clients authenticate."));
    }
    return placeholder(tr("Nothing to show for this item."));
}

QString ApiDetails::apiHtml(const Api &api)
{
    Html html(api.title.isEmpty() ? tr("Untitled API") : api.title, tr("API"));
    html.row(tr("Version"), api.version);
    html.row(tr("AsyncAPI"), api.asyncapiVersion);
    html.row(tr("Id"), api.id);
    html.row(tr("Default content type"), api.defaultContentType);
    html.row(tr("Context"), api.gatehouse.context);
    html.row(tr("Backend"), api.gatehouse.endpoint);
    html.row(tr("Contents"),
             QStringList {count(api.channels.size(), tr("1 channel"), tr("%1 channels")),
                          count(api.operations.size(), tr("1 operation"), tr("%1 operations")),
                          count(api.messages.size(), tr("1 message"), tr("%1 messages"))}
                 .join(QStringLiteral(", ")));
    if (!api.description.isEmpty()) {
        html.section(tr("Description"));
        html.text(api.description);
    }
    if (api.info.is_object()) {
        Json info;
        for (const char *key : {"contact", "license", "termsOfService"})
            if (api.info.contains(key))
                info[key] = api.info[key];
        html.json(tr("Contact and license"), info);
    }
    html.json(tr("Tags"), api.tags);
    html.json(tr("External documentation"), api.externalDocs);
    extensions(html, api.extra);
    return html.finish();
}

QString ApiDetails::serverHtml(const Api &, const Server &server)
{
    Html html(server.title.isEmpty() ? server.id : server.title, tr("Server"));
    html.row(tr("Id"), server.id);
    html.codeRow(tr("URL"), serverUrl(server));
    html.row(tr("Protocol version"), server.protocolVersion);
    html.describe(server.summary, server.description);
    html.json(tr("Variables"), server.variables);
    html.json(tr("Security"), server.security);
    html.json(tr("Bindings"), server.bindings);
    extensions(html, server.extra);
    return html.finish();
}

QString ApiDetails::channelHtml(const Api &api, const Channel &channel)
{
    Html html(channel.address.isEmpty() ? channel.id : channel.address, tr("Channel"));
    html.row(tr("Id"), channel.id);
    html.codeRow(tr("Address"), channel.address);
    html.row(tr("Title"), channel.title);
    html.codeRow(QStringLiteral("x-auth-type"), channel.authType);
    html.row(tr("Servers"),
             channel.servers.isEmpty() ? tr("all") : channel.servers.join(QStringLiteral(", ")));
    if (channel.ws.present) {
        html.row(tr("WebSocket method"),
                 channel.ws.method.isEmpty() ? tr("GET") : channel.ws.method);
    }
    html.describe(channel.summary, channel.description);

    const QList<const Operation *> operations = api.operationsOn(channel.id);
    html.section(tr("Operations"));
    if (operations.isEmpty()) {
        html.muted(tr("No operation uses this channel."));
    } else {
        QString list = QStringLiteral("<ul>");
        for (const Operation *op : operations) {
            list += QStringLiteral("<li>")
                + link(QStringLiteral("operation"), op->id,
                       ApiTreeModel::actionName(op->action) + QStringLiteral(" \u00b7 ") + op->id);
            if (!op->uriMapping.isEmpty())
                list += QStringLiteral(" \u2192 <code>") + esc(op->uriMapping)
                    + QStringLiteral("</code>");
            list += QStringLiteral("</li>");
        }
        html.raw(list + QStringLiteral("</ul>"));
    }

    if (!channel.parameters.isEmpty()) {
        html.section(tr("Parameters"));
        for (const ChannelParameter &p : channel.parameters) {
            html.row(QLatin1Char('{') + p.name + QLatin1Char('}'),
                     p.description.isEmpty() ? tr("(no description)") : p.description);
        }
    }
    if (!channel.messageIds.isEmpty()) {
        html.section(tr("Messages"));
        QString list = QStringLiteral("<ul>");
        for (const QString &id : channel.messageIds)
            list += QStringLiteral("<li>") + link(QStringLiteral("message"), id, id)
                + QStringLiteral("</li>");
        html.raw(list + QStringLiteral("</ul>"));
    }
    if (channel.ws.present) {
        html.json(tr("Handshake query (ws binding)"), channel.ws.query);
        html.json(tr("Handshake headers (ws binding)"), channel.ws.headers);
    }
    html.json(tr("Bindings"), channel.bindings);
    extensions(html, channel.extra);
    return html.finish();
}

QString ApiDetails::operationHtml(const Api &api, const Operation &operation)
{
    const Channel *channel = api.channel(operation.channelId);
    Html html(ApiTreeModel::actionName(operation.action) + QStringLiteral(" \u00b7 ")
                  + operation.id,
              tr("Operation"));
    html.row(tr("Action"), actionText(operation.action));
    html.row(tr("Channel"),
             link(QStringLiteral("channel"), operation.channelId,
                  channel && !channel->address.isEmpty() ? channel->address : operation.channelId),
             true);
    html.row(tr("Title"), operation.title);
    html.codeRow(QStringLiteral("x-uri-mapping"),
                 operation.uriMapping.isEmpty() ? QString() : operation.uriMapping);
    if (operation.uriMapping.isEmpty())
        html.row(QStringLiteral("x-uri-mapping"),
                 tr("(none: the backend path is the channel address)"));
    html.row(QStringLiteral("x-scopes"),
             operation.scopes.isEmpty() ? tr("(none)")
                                        : operation.scopes.join(QStringLiteral(", ")));
    QString authType = operation.authType;
    if (authType.isEmpty() && channel)
        authType = channel->authType;
    html.codeRow(QStringLiteral("x-auth-type"), authType);
    html.describe(operation.summary, operation.description);

    const QStringList messageIds
        = operation.messageIds.isEmpty() && channel ? channel->messageIds : operation.messageIds;
    html.section(tr("Messages"));
    if (messageIds.isEmpty()) {
        html.muted(tr("No messages."));
    } else {
        QString list = QStringLiteral("<ul>");
        for (const QString &id : messageIds) {
            const Message *message = api.message(id);
            list += QStringLiteral("<li>") + link(QStringLiteral("message"), id, id);
            if (message && !message->title.isEmpty())
                list += QStringLiteral(" \u2014 ") + esc(message->title);
            list += QStringLiteral("</li>");
        }
        html.raw(list + QStringLiteral("</ul>"));
    }
    html.json(tr("Security"), operation.security);
    html.json(tr("Reply"), operation.reply);
    html.json(tr("Bindings"), operation.bindings);
    extensions(html, operation.extra);
    return html.finish();
}

QString ApiDetails::parameterHtml(const Channel &channel, const ChannelParameter &parameter)
{
    Html html(QLatin1Char('{') + parameter.name + QLatin1Char('}'),
              tr("Parameter of %1").arg(channel.address));
    html.row(tr("Default"), parameter.defaultValue);
    html.row(tr("Allowed values"), parameter.enumValues.join(QStringLiteral(", ")));
    html.codeRow(tr("Location"), parameter.location);
    html.describe({}, parameter.description);
    html.json(tr("Schema"), parameter.schema);
    extensions(html, parameter.extra);
    return html.finish();
}

QString ApiDetails::messageHtml(const Api &api, const Message &message)
{
    Html html(message.title.isEmpty() ? message.id : message.title, tr("Message"));
    html.row(tr("Id"), message.id);
    html.row(tr("Name"), message.name);
    html.row(tr("Content type"),
             message.contentType.isEmpty()
                 ? (api.defaultContentType.isEmpty()
                        ? QString()
                        : tr("%1 (the API's default)").arg(api.defaultContentType))
                 : message.contentType);
    html.describe(message.summary, message.description);

    html.section(tr("Payload"));
    if (message.payload.is_null())
        html.muted(tr("No payload schema."));
    else
        html.code(prettyJson(api.resolved(message.payload)));
    if (!message.headers.is_null())
        html.json(tr("Headers"), api.resolved(message.headers));
    html.json(tr("Correlation id"), message.correlationId);

    if (!message.examples.isEmpty()) {
        html.section(tr("Examples"));
        for (const MessageExample &example : message.examples) {
            QString heading = example.name;
            if (!example.summary.isEmpty())
                heading += heading.isEmpty() ? example.summary
                                             : QStringLiteral(" \u2014 ") + example.summary;
            if (!heading.isEmpty())
                html.raw(QStringLiteral("<p><b>") + esc(heading) + QStringLiteral("</b></p>"));
            if (!example.headers.is_null())
                html.code(tr("Headers: %1").arg(prettyJson(example.headers)));
            if (!example.payload.is_null())
                html.code(prettyJson(example.payload));
        }
    }
    html.json(tr("Bindings"), message.bindings);
    extensions(html, message.extra);
    return html.finish();
}

QString ApiDetails::securitySchemeHtml(const SecurityScheme &scheme)
{
    Html html(scheme.id, tr("Security scheme"));
    html.row(tr("Type"), scheme.type);
    html.row(tr("Scheme"), scheme.scheme);
    html.row(tr("Bearer format"), scheme.bearerFormat);
    html.codeRow(tr("Name"), scheme.name);
    html.row(tr("In"), scheme.in);
    html.row(tr("OpenID Connect URL"), scheme.openIdConnectUrl);
    html.describe({}, scheme.description);
    html.json(tr("Flows"), scheme.flows);
    html.json(tr("Scopes"), scheme.scopes);
    extensions(html, scheme.extra);
    return html.finish();
}

QString ApiDetails::gatewayHtml(const GatewaySettings &settings)
{
    Html html(tr("Gateway settings"), tr("x-gatehouse: how the embedded gateway serves this API"));
    html.codeRow(tr("Backend endpoint"), settings.endpoint);
    html.codeRow(tr("Context"), settings.context);
    if (settings.raw.is_object() && settings.raw.contains("defaultVersion"))
        html.row(tr("Default version"), settings.defaultVersion ? tr("yes") : tr("no"));
    html.codeRow(tr("Listen (ws)"), settings.listen);
    html.codeRow(tr("Listen (wss)"), settings.tlsListen);
    html.codeRow(tr("Certificate"), settings.certificateFile);
    html.codeRow(tr("Private key"), settings.privateKeyFile);
    if (!settings.plans.isEmpty()) {
        html.section(tr("Plans"));
        for (const Plan &plan : settings.plans) {
            static const char *const units[] = {"second", "minute", "hour", "day"};
            QString limit = plan.events == 0
                ? tr("unlimited")
                : tr("%1 events per %2").arg(plan.events).arg(QLatin1String(units[int(plan.unit)]));
            if (plan.maxConnections > 0)
                limit += QStringLiteral(", ")
                    + count(plan.maxConnections, tr("at most 1 connection"),
                            tr("at most %1 connections"));
            html.row(plan.name, limit);
        }
    }
    if (!settings.policies.isEmpty()) {
        html.section(tr("Policies"));
        for (const Policy &policy : settings.policies) {
            html.raw(QStringLiteral("<p><b>") + esc(policy.type) + QStringLiteral("</b></p>"));
            if (!policy.config.is_null())
                html.code(prettyJson(policy.config));
        }
    }
    html.json(tr("Mock backend"), settings.mock);
    html.json(tr("As written"), settings.raw);
    return html.finish();
}

QString ApiDetails::gatewayEntryHtml(const GatewaySettings &settings, const QString &key)
{
    Html html(key, tr("x-gatehouse setting"));
    const std::string k = toStdString(key);
    if (!settings.raw.is_object() || !settings.raw.contains(k)) {
        html.muted(tr("Not set."));
        return html.finish();
    }
    const Json &value = settings.raw.at(k);
    if (value.is_structured()) {
        html.code(prettyJson(value));
    } else {
        html.codeRow(tr("Value"), jsonScalar(value));
    }
    return html.finish();
}

} // namespace Gatehouse
