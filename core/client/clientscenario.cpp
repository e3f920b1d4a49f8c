// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientscenario.h"

#include "api/boundedjson.h"

#include "asyncapi/documentloader.h"
#include "asyncapi/jsonschemavalidator.h"
#include "mock/jsonpattern.h"

#include <QFileInfo>

#include <cmath>

namespace Gatehouse::Client {

namespace {

const QStringList ActionKeys
    = {QStringLiteral("send"), QStringLiteral("sendBinary"), QStringLiteral("expect"),
       QStringLiteral("close"), QStringLiteral("wait")};
const QStringList ExpectKeys
    = {QStringLiteral("text"), QStringLiteral("match"), QStringLiteral("schema"),
       QStringLiteral("regex"), QStringLiteral("closed")};
constexpr double MaxDurationMs = 24.0 * 3600 * 1000;

QString shortText(QString text)
{
    if (text.size() > 60)
        text = text.left(57) + QStringLiteral("...");
    return text;
}

QString shortJson(const Json &value)
{
    return shortText(toQString(value.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

QString quoted(const QString &text)
{
    return shortJson(Json(text.toStdString()));
}

// A close code a client may put in a close frame (not 1004-1006, 1015 or unassigned).
bool sendableCloseCode(qint64 c)
{
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

// Reads the tree DocumentLoader made of the file; stops at the first problem.
class Reader
{
public:
    explicit Reader(const Document &document)
        : m_document(document)
    { }

    std::optional<ClientScenario> read(QString *error)
    {
        ClientScenario scenario;
        scenario.fileName = m_document.fileName;
        scenario.name = QFileInfo(m_document.fileName).fileName();
        if (!readRoot(&scenario)) {
            *error = m_error;
            return std::nullopt;
        }
        return scenario;
    }

private:
    bool fail(const QString &pointer, const QString &message)
    {
        const int line = m_document.locate(pointer).line;
        m_error = line > 0
            ? QStringLiteral("%1:%2: %3").arg(m_document.fileName).arg(line).arg(message)
            : QStringLiteral("%1: %2").arg(m_document.fileName, message);
        return false;
    }
    int lineOf(const QString &pointer) const { return m_document.locate(pointer).line; }
    static QString child(const QString &pointer, const std::string &key)
    {
        return pointer + u'/' + toQString(DocumentLoader::escapePointerToken(key));
    }

    bool readRoot(ClientScenario *scenario)
    {
        const Json &root = m_document.root;
        for (auto it = root.begin(); it != root.end(); ++it) {
            const QString key = toQString(it.key());
            if (key != u"name" && key != u"connections" && key != u"steps")
                return fail(child({}, it.key()),
                            QStringLiteral("unknown key '%1' (expected name, connections, steps)")
                                .arg(key));
        }
        if (root.contains("name")) {
            if (!root["name"].is_string())
                return fail(QStringLiteral("/name"), QStringLiteral("'name' must be text"));
            scenario->name = toQString(root["name"].get<std::string>());
        }
        if (root.contains("connections") && !readConnections(root["connections"], scenario))
            return false;
        if (!root.contains("steps"))
            return fail({}, QStringLiteral("missing 'steps', the list of what to do"));
        const Json &steps = root["steps"];
        if (!steps.is_array() || steps.empty())
            return fail(QStringLiteral("/steps"),
                        QStringLiteral("'steps' must be a list of steps, not %1")
                            .arg(steps.is_array() ? QStringLiteral("an empty list")
                                                  : describeJsonType(steps)));
        for (size_t i = 0; i < steps.size(); ++i) {
            ClientScenario::Step step;
            if (!readStep(steps[i], int(i), *scenario, &step))
                return false;
            scenario->steps.append(step);
        }
        return true;
    }

    bool readConnections(const Json &connections, ClientScenario *scenario)
    {
        const QString pointer = QStringLiteral("/connections");
        if (!connections.is_object() || connections.empty())
            return fail(pointer,
                        QStringLiteral("'connections' must be a mapping of names to URLs or "
                                       "{url, headers, subprotocols, origin}"));
        for (auto it = connections.begin(); it != connections.end(); ++it) {
            ClientScenario::Connection connection;
            connection.name = toQString(it.key());
            connection.line = lineOf(child(pointer, it.key()));
            if (!readConnection(it.value(), child(pointer, it.key()), &connection))
                return false;
            scenario->connections.append(connection);
        }
        return true;
    }

    bool readConnection(const Json &value, const QString &pointer,
                        ClientScenario::Connection *connection)
    {
        const QString at = QStringLiteral("connection '%1'").arg(connection->name);
        if (ActionKeys.contains(connection->name) || connection->name.isEmpty())
            return fail(pointer, at + QStringLiteral(" needs another name (not a step's keyword)"));
        if (value.is_string())
            return readUrl(value, pointer, at, connection);
        if (!value.is_object())
            return fail(pointer, at + QStringLiteral(" must be a URL or {url, headers, ...}"));
        for (auto it = value.begin(); it != value.end(); ++it) {
            const QString key = toQString(it.key());
            const QString here = child(pointer, it.key());
            bool ok = true;
            if (key == u"url")
                ok = readUrl(it.value(), here, at, connection);
            else if (key == u"headers")
                ok = readHeaders(it.value(), here, at, connection);
            else if (key == u"subprotocols")
                ok = readSubprotocols(it.value(), here, at, connection);
            else if (key == u"origin" && it.value().is_string())
                connection->origin = toQString(it.value().get<std::string>());
            else if (key == u"origin")
                ok = fail(here, at + QStringLiteral(": 'origin' must be text"));
            else
                ok = fail(here,
                          at
                              + QStringLiteral(": unknown key '%1' (expected url, headers, "
                                               "subprotocols, origin)")
                                    .arg(key));
            if (!ok)
                return false;
        }
        if (connection->url.isEmpty())
            return fail(pointer, at + QStringLiteral(" has no 'url'"));
        return true;
    }

    bool readUrl(const Json &value, const QString &pointer, const QString &at,
                 ClientScenario::Connection *connection)
    {
        const QUrl url(value.is_string() ? toQString(value.get<std::string>()) : QString());
        const QString scheme = url.scheme();
        if (!url.isValid() || url.host().isEmpty()
            || !QStringList({QStringLiteral("ws"), QStringLiteral("wss"), QStringLiteral("http"),
                             QStringLiteral("https")})
                    .contains(scheme))
            return fail(pointer,
                        at
                            + QStringLiteral(": url must be a ws:// or wss:// URL, not %1")
                                  .arg(shortJson(value)));
        connection->url = url;
        return true;
    }

    bool readHeaders(const Json &value, const QString &pointer, const QString &at,
                     ClientScenario::Connection *connection)
    {
        if (!value.is_object())
            return fail(pointer,
                        at + QStringLiteral(": 'headers' must be a mapping of names to values"));
        for (auto it = value.begin(); it != value.end(); ++it) {
            const Json &v = it.value();
            if (v.is_object() || v.is_array() || v.is_null())
                return fail(child(pointer, it.key()),
                            at
                                + QStringLiteral(": header '%1' must have a text value")
                                      .arg(toQString(it.key())));
            const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
            connection->headers.append(
                {QByteArray::fromStdString(it.key()), QByteArray::fromStdString(text)});
        }
        return true;
    }

    bool readSubprotocols(const Json &value, const QString &pointer, const QString &at,
                          ClientScenario::Connection *connection)
    {
        const Json list = value.is_string() ? Json::array({value}) : value;
        if (!list.is_array())
            return fail(pointer, at + QStringLiteral(": 'subprotocols' must be a list of names"));
        for (const Json &item : list) {
            if (!item.is_string())
                return fail(pointer,
                            at + QStringLiteral(": 'subprotocols' must be a list of names"));
            connection->subprotocols.append(toQString(item.get<std::string>()));
        }
        return true;
    }

    bool isConnection(const ClientScenario &scenario, const QString &name) const
    {
        return std::any_of(scenario.connections.begin(), scenario.connections.end(),
                           [&](const ClientScenario::Connection &c) { return c.name == name; });
    }

    bool readStep(const Json &item, int index, const ClientScenario &scenario,
                  ClientScenario::Step *step)
    {
        const QString pointer = QStringLiteral("/steps/%1").arg(index);
        const QString at = QStringLiteral("step %1").arg(index + 1);
        step->line = lineOf(pointer);
        if (!item.is_object() || item.empty())
            return fail(pointer,
                        at
                            + QStringLiteral(" must be a mapping such as {send: hello} or "
                                             "{alice: {send: hello}}, not %1")
                                  .arg(describeJsonType(item)));
        const bool prefixed = item.size() == 1
            && !ActionKeys.contains(toQString(item.begin().key())) && !item.contains("within")
            && !item.contains("reason");
        if (!prefixed)
            return readBody(item, pointer, at, step);
        const QString name = toQString(item.begin().key());
        if (!isConnection(scenario, name)) {
            QStringList names;
            for (const ClientScenario::Connection &c : scenario.connections)
                names.append(c.name);
            return fail(pointer,
                        at
                            + QStringLiteral(": '%1' is neither a step (%2) nor a connection "
                                             "(%3)")
                                  .arg(name, ActionKeys.join(QStringLiteral(", ")),
                                       names.isEmpty() ? QStringLiteral("none are named")
                                                       : names.join(QStringLiteral(", "))));
        }
        step->connection = name;
        const Json &body = item.begin().value();
        if (!body.is_object())
            return fail(pointer,
                        at
                            + QStringLiteral(": what %1 does must be a mapping such as "
                                             "{send: hello}")
                                  .arg(name));
        return readBody(body, child(pointer, item.begin().key()), at, step);
    }

    bool readBody(const Json &body, const QString &pointer, const QString &at,
                  ClientScenario::Step *step)
    {
        QString action;
        for (auto it = body.begin(); it != body.end(); ++it) {
            const QString key = toQString(it.key());
            if (ActionKeys.contains(key)) {
                if (!action.isEmpty())
                    return fail(child(pointer, it.key()),
                                at
                                    + QStringLiteral(" has both '%1' and '%2'; write one step "
                                                     "for each")
                                          .arg(action, key));
                action = key;
            } else if (key != u"within" && key != u"reason") {
                return fail(child(pointer, it.key()),
                            at
                                + QStringLiteral(": unknown key '%1' (expected one of %2, and "
                                                 "within or reason)")
                                      .arg(key, ActionKeys.join(QStringLiteral(", "))));
            }
        }
        if (action.isEmpty())
            return fail(
                pointer,
                at + QStringLiteral(" needs one of %1").arg(ActionKeys.join(QStringLiteral(", "))));
        if (body.contains("within") && action != u"expect")
            return fail(child(pointer, "within"),
                        at + QStringLiteral(": 'within' belongs to an expect step"));
        if (body.contains("reason") && action != u"close")
            return fail(child(pointer, "reason"),
                        at + QStringLiteral(": 'reason' belongs to a close step"));
        const QString here = child(pointer, action.toStdString());
        const Json &value = body[action.toStdString()];
        if (action == u"send")
            return readSend(value, step);
        if (action == u"sendBinary")
            return readSendBinary(value, here, at, step);
        if (action == u"wait")
            return readWait(value, here, at, step);
        if (action == u"close")
            return readClose(body, pointer, at, step);
        return readExpect(body, pointer, at, step);
    }

    bool readSend(const Json &value, ClientScenario::Step *step)
    {
        step->action = ClientScenario::Step::Action::Send;
        step->payload = QByteArray::fromStdString(value.is_string() ? value.get<std::string>()
                                                                    : value.dump());
        return true;
    }

    bool readSendBinary(const Json &value, const QString &pointer, const QString &at,
                        ClientScenario::Step *step)
    {
        step->action = ClientScenario::Step::Action::SendBinary;
        const auto decoded = QByteArray::fromBase64Encoding(
            QByteArray::fromStdString(value.is_string() ? value.get<std::string>() : ""),
            QByteArray::AbortOnBase64DecodingErrors);
        if (!value.is_string() || !decoded)
            return fail(pointer, at + QStringLiteral(": 'sendBinary' must be base64 text"));
        step->payload = *decoded;
        return true;
    }

    bool readWait(const Json &value, const QString &pointer, const QString &at,
                  ClientScenario::Step *step)
    {
        step->action = ClientScenario::Step::Action::Wait;
        step->connection.clear();
        const auto ms = ClientScenario::parseDuration(value);
        if (!ms)
            return fail(pointer, at + QStringLiteral(": 'wait' must be a duration such as 200ms"));
        step->waitMs = *ms;
        return true;
    }

    bool readClose(const Json &body, const QString &pointer, const QString &at,
                   ClientScenario::Step *step)
    {
        step->action = ClientScenario::Step::Action::Close;
        const Json &code = body["close"];
        if (code.is_number_integer()) {
            if (!sendableCloseCode(code.get<qint64>()))
                return fail(child(pointer, "close"),
                            at
                                + QStringLiteral(": %1 is not a close code a client may send")
                                      .arg(shortJson(code)));
            step->closeCode = code.get<int>();
        } else if (!code.is_null() && code != Json(true)) {
            return fail(child(pointer, "close"),
                        at + QStringLiteral(": 'close' must be a close code such as 1000"));
        }
        if (body.contains("reason")) {
            if (!body["reason"].is_string())
                return fail(child(pointer, "reason"),
                            at + QStringLiteral(": 'reason' must be text"));
            step->reason = toQString(body["reason"].get<std::string>());
        }
        return true;
    }

    bool readExpect(const Json &body, const QString &pointer, const QString &at,
                    ClientScenario::Step *step)
    {
        step->action = ClientScenario::Step::Action::Expect;
        if (body.contains("within")) {
            const auto ms = ClientScenario::parseDuration(body["within"]);
            if (!ms)
                return fail(child(pointer, "within"),
                            at + QStringLiteral(": 'within' must be a duration such as 200ms"));
            step->withinMs = *ms;
        }
        const QString here = child(pointer, "expect");
        const Json &expect = body["expect"];
        if (expect.is_string()) { // `expect: hello` is short for `expect: {text: hello}`
            step->expectation.text = toQString(expect.get<std::string>());
            return true;
        }
        const QString expected = ExpectKeys.join(QStringLiteral(", "));
        if (!expect.is_object() || expect.size() != 1
            || !ExpectKeys.contains(toQString(expect.begin().key())))
            return fail(
                here,
                at + QStringLiteral(": 'expect' must be a mapping with one of %1").arg(expected));
        const std::string key = expect.begin().key();
        return readExpectation(toQString(key), expect.begin().value(), child(here, key), at,
                               &step->expectation);
    }

    bool readExpectation(const QString &kind, const Json &value, const QString &pointer,
                         const QString &at, ClientScenario::Expectation *e)
    {
        using Kind = ClientScenario::Expectation::Kind;
        if (kind == u"text") {
            if (value.is_object() || value.is_array() || value.is_null())
                return fail(pointer, at + QStringLiteral(": 'text' must be text"));
            e->kind = Kind::Text;
            e->text = toQString(value.is_string() ? value.get<std::string>() : value.dump());
        } else if (kind == u"match") {
            e->kind = Kind::Match;
            e->value = value;
        } else if (kind == u"schema") {
            return readSchema(value, pointer, at, e);
        } else if (kind == u"regex") {
            e->kind = Kind::Regex;
            e->regex = QRegularExpression(value.is_string() ? toQString(value.get<std::string>())
                                                            : QString());
            if (!value.is_string() || !e->regex.isValid())
                return fail(pointer,
                            at
                                + QStringLiteral(": 'regex' must be a regular expression (%1)")
                                      .arg(value.is_string() ? e->regex.errorString()
                                                             : describeJsonType(value)));
        } else {
            e->kind = Kind::Closed;
            if (value.is_number_integer() && value.get<qint64>() >= 1000
                && value.get<qint64>() <= 4999)
                e->closeCode = value.get<int>();
            else if (!value.is_null() && value != Json(true))
                return fail(pointer,
                            at
                                + QStringLiteral(": 'closed' must be a close code such as 1000, "
                                                 "or true for any"));
        }
        return true;
    }

    bool readSchema(const Json &value, const QString &pointer, const QString &at,
                    ClientScenario::Expectation *e)
    {
        e->kind = ClientScenario::Expectation::Kind::Schema;
        e->value = value;
        if (!value.is_object() && !value.is_boolean())
            return fail(pointer, at + QStringLiteral(": 'schema' must be a JSON Schema mapping"));
        auto validator = std::make_shared<const JsonSchemaValidator>(value);
        if (!validator->isValid())
            return fail(pointer, at + QStringLiteral(": 'schema': ") + validator->errorString());
        e->schema = std::move(validator);
        return true;
    }

    const Document &m_document;
    QString m_error;
};

std::optional<ClientScenario> fromResult(const DocumentLoader::Result &result, QString *error)
{
    if (!result.document.root.is_null() && !result.document.root.is_object()) {
        *error = QStringLiteral("%1:1: a scenario must be a mapping with 'steps' (and "
                                "'connections'), not %2")
                     .arg(result.document.fileName, describeJsonType(result.document.root));
        return std::nullopt;
    }
    for (const Diagnostic &d : result.diagnostics) {
        if (d.severity != Diagnostic::Severity::Error)
            continue;
        const QString file = d.location.file.isEmpty() ? result.document.fileName : d.location.file;
        *error = d.location.line > 0
            ? QStringLiteral("%1:%2: %3").arg(file).arg(d.location.line).arg(d.message)
            : QStringLiteral("%1: %2").arg(file, d.message);
        return std::nullopt;
    }
    return Reader(result.document).read(error);
}

} // namespace

bool ClientScenario::Expectation::matches(const ClientEvent &message, QString *why) const
{
    const QString text = QString::fromUtf8(message.data);
    QString undecoded; // why a binary message is not decoded (nested too deep)
    auto json = [&] {
        if (message.opcode == ClientEvent::Binary) {
            const QString cbor = ClientEvent::binaryAsJson(message.data, nullptr, &undecoded);
            if (!cbor.isEmpty())
                return JsonPattern::valueOfText(cbor);
        }
        return JsonPattern::valueOfText(text);
    };
    auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    switch (kind) {
    case Kind::Text:
        return text == this->text || fail(QStringLiteral("got %1").arg(quoted(text)));
    case Kind::Regex:
        return regex.match(text).hasMatch()
            || fail(QStringLiteral("no match in %1").arg(quoted(text)));
    case Kind::Match: {
        const Json received = json();
        if (!undecoded.isEmpty())
            return fail(QStringLiteral("a binary message that is not decoded: ") + undecoded);
        return JsonPattern::matches(value, received, why);
    }
    case Kind::Schema: {
        const Json instance = parseBoundedJson(message.data);
        if (instance.is_discarded() && message.opcode != ClientEvent::Binary)
            return fail(QStringLiteral("not JSON: %1").arg(quoted(text)));
        const Json checked = instance.is_discarded() ? json() : instance;
        if (!undecoded.isEmpty())
            return fail(QStringLiteral("a binary message that is not decoded: ") + undecoded);
        const QList<JsonSchemaValidator::Error> errors = schema->validate(checked, 1);
        return errors.isEmpty() || fail(errors.constFirst().toString());
    }
    case Kind::Closed:
        return fail(QStringLiteral("a message, not a close"));
    }
    return false;
}

QString ClientScenario::Expectation::describe() const
{
    switch (kind) {
    case Kind::Text:
        return QStringLiteral("text ") + quoted(text);
    case Kind::Match:
        return QStringLiteral("match ") + shortJson(value);
    case Kind::Schema:
        return QStringLiteral("schema ") + shortJson(value);
    case Kind::Regex:
        return QStringLiteral("regex /%1/").arg(shortText(regex.pattern()));
    case Kind::Closed:
        return closeCode ? QStringLiteral("closed %1").arg(closeCode) : QStringLiteral("closed");
    }
    return {};
}

QString ClientScenario::Step::describe() const
{
    const QString who = connection.isEmpty() ? QString() : connection + u' ';
    switch (action) {
    case Action::Send:
        return who + QStringLiteral("send ") + quoted(QString::fromUtf8(payload));
    case Action::SendBinary:
        return who + QStringLiteral("send binary (%1 bytes)").arg(payload.size());
    case Action::Expect:
        return who + QStringLiteral("expect ") + expectation.describe();
    case Action::Close:
        return who + QStringLiteral("close %1").arg(closeCode);
    case Action::Wait:
        return QStringLiteral("wait %1 ms").arg(waitMs);
    }
    return {};
}

std::optional<ClientScenario> ClientScenario::load(const QString &path, QString *error)
{
    return fromResult(DocumentLoader::loadFile(path), error);
}

std::optional<ClientScenario> ClientScenario::fromData(const QByteArray &data,
                                                       const QString &fileName, QString *error)
{
    return fromResult(DocumentLoader::loadData(data, fileName), error);
}

bool ClientScenario::usesDefaultConnection() const
{
    return std::any_of(steps.begin(), steps.end(), [](const Step &s) {
        return s.connection.isEmpty() && s.action != Step::Action::Wait;
    });
}

QString ClientScenario::defaultConnectionProblem() const
{
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const Step &s = steps.at(i);
        if (s.connection.isEmpty() && s.action != Step::Action::Wait)
            return QStringLiteral("%1:%2: step %3 names no connection; name one of "
                                  "'connections' or give the default with -c URL")
                .arg(fileName)
                .arg(s.line)
                .arg(i + 1);
    }
    return {};
}

std::optional<int> ClientScenario::parseDuration(const Json &value)
{
    double ms = -1;
    if (value.is_number()) {
        ms = value.get<double>();
    } else if (value.is_string()) {
        static const QRegularExpression re(
            QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min)?\\s*$"));
        const auto m = re.match(toQString(value.get<std::string>()));
        if (!m.hasMatch())
            return std::nullopt;
        const QString unit = m.captured(2);
        const double factor = unit == u"s"           ? 1000
            : unit.startsWith(u'm') && unit != u"ms" ? 60000
                                                     : 1;
        ms = m.captured(1).toDouble() * factor;
    }
    if (!(ms >= 0) || ms > MaxDurationMs)
        return std::nullopt;
    return int(std::lround(ms));
}

} // namespace Gatehouse::Client
