// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientevent.h"

#include "api/boundedjson.h"

#include <QDateTime>

#include <algorithm>

namespace Gatehouse::Client {

namespace {

// What from_cbor() and from_msgpack() build a value with, with the nesting limit of
// JSON from the network (MaxJsonDepth): the binary reader recurses once per level, so
// a message of 100,000 nested arrays (100 KB of 0x81) would overflow the stack.
// Returning false from start_array/start_object ends the parse.
class BoundedDomBuilder final : public nlohmann::detail::json_sax_dom_parser<Json>
{
public:
    explicit BoundedDomBuilder(Json &result)
        : json_sax_dom_parser(result, false)
    { }
    bool start_object(std::size_t size)
    {
        return enter() && json_sax_dom_parser::start_object(size);
    }
    bool end_object()
    {
        --m_depth;
        return json_sax_dom_parser::end_object();
    }
    bool start_array(std::size_t size) { return enter() && json_sax_dom_parser::start_array(size); }
    bool end_array()
    {
        --m_depth;
        return json_sax_dom_parser::end_array();
    }
    bool tooDeep() const { return m_tooDeep; }

private:
    bool enter()
    {
        m_tooDeep = ++m_depth > MaxJsonDepth;
        return !m_tooDeep;
    }

    int m_depth = 0;
    bool m_tooDeep = false;
};

enum class Decoded { Value, NotEncoded, TooDeep };

// `data` as one whole value of `format` (strict: nothing after it).
Decoded decode(const QByteArray &data, Json::input_format_t format, Json *value)
{
    const auto *begin = reinterpret_cast<const std::uint8_t *>(data.constData());
    Json result;
    BoundedDomBuilder builder(result);
    try {
        const bool ok = Json::sax_parse(begin, begin + data.size(), &builder, format, true);
        if (builder.tooDeep())
            return Decoded::TooDeep;
        if (!ok || builder.is_errored())
            return Decoded::NotEncoded;
    } catch (const Json::exception &) {
        // a length beyond what a container can hold (9 bytes of CBOR: an array of 2^63
        // values) is out_of_range even when the parse is asked not to throw
        return Decoded::NotEncoded;
    }
    *value = std::move(result);
    return Decoded::Value;
}

} // namespace

QString ClientEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Connecting:
        return QStringLiteral("connecting");
    case Kind::Request:
        return QStringLiteral("request");
    case Kind::Response:
        return QStringLiteral("response");
    case Kind::Opened:
        return QStringLiteral("opened");
    case Kind::Sent:
        return QStringLiteral("sent");
    case Kind::Received:
        return QStringLiteral("received");
    case Kind::Ping:
        return QStringLiteral("ping");
    case Kind::Pong:
        return QStringLiteral("pong");
    case Kind::Closed:
        return QStringLiteral("closed");
    case Kind::Error:
        return QStringLiteral("error");
    case Kind::Warning:
        return QStringLiteral("warning");
    case Kind::Reconnecting:
        return QStringLiteral("reconnecting");
    }
    return {};
}

QString ClientEvent::binaryAsJson(const QByteArray &data, QString *format, QString *error)
{
    if (data.isEmpty())
        return {};
    Json value;
    QString name = QStringLiteral("CBOR");
    Decoded decoded = decode(data, Json::input_format_t::cbor, &value);
    if (decoded != Decoded::Value) {
        const Decoded msgpack = decode(data, Json::input_format_t::msgpack, &value);
        if (msgpack == Decoded::Value || decoded == Decoded::NotEncoded) {
            decoded = msgpack;
            name = QStringLiteral("MessagePack");
        }
    }
    if (decoded == Decoded::TooDeep) {
        if (error)
            *error = QStringLiteral("%1 nested deeper than %2 levels").arg(name).arg(MaxJsonDepth);
        return {};
    }
    // a lone number or string is more likely raw bytes than an encoded value
    if (decoded != Decoded::Value || !value.is_structured())
        return {};
    if (format)
        *format = name;
    try {
        return QString::fromStdString(value.dump(4, ' ', false, Json::error_handler_t::replace));
    } catch (const Json::exception &) {
        return {};
    }
}

QString ClientEvent::closeCodeMeaning(quint16 code)
{
    QString meaning;
    switch (code) {
    case 1000:
        meaning = QStringLiteral("normal closure");
        break;
    case 1001:
        meaning = QStringLiteral("going away");
        break;
    case 1002:
        meaning = QStringLiteral("protocol error");
        break;
    case 1003:
        meaning = QStringLiteral("unsupported data");
        break;
    case 1005:
        meaning = QStringLiteral("no status code");
        break;
    case 1006:
        meaning = QStringLiteral("abnormal closure, no close frame");
        break;
    case 1007:
        meaning = QStringLiteral("invalid payload data");
        break;
    case 1008:
        meaning = QStringLiteral("policy violation");
        break;
    case 1009:
        meaning = QStringLiteral("message too big");
        break;
    case 1010:
        meaning = QStringLiteral("mandatory extension missing");
        break;
    case 1011:
        meaning = QStringLiteral("internal server error");
        break;
    case 1012:
        meaning = QStringLiteral("service restart");
        break;
    case 1013:
        meaning = QStringLiteral("try again later");
        break;
    case 1014:
        meaning = QStringLiteral("bad gateway");
        break;
    case 1015:
        meaning = QStringLiteral("TLS handshake failure");
        break;
    case 3000:
        meaning = QStringLiteral("unauthorized");
        break;
    case 3003:
        meaning = QStringLiteral("forbidden");
        break;
    case 3008:
        meaning = QStringLiteral("timeout");
        break;
    default:
        if (code >= 4000 && code <= 4999)
            meaning = QStringLiteral("application-defined");
        else if (code >= 3000 && code <= 3999)
            meaning = QStringLiteral("registered by a library or framework");
        else
            meaning = QStringLiteral("unknown");
    }
    return QStringLiteral("%1 %2").arg(code).arg(meaning);
}

Json ClientEvent::toJson() const
{
    Json out = Json::object();
    out["seq"] = sequence;
    out["time"]
        = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs).toStdString();
    out["kind"] = kindName(kind).toStdString();
    if (kind == Kind::Sent || kind == Kind::Received || kind == Kind::Ping || kind == Kind::Pong
        || kind == Kind::Closed)
        out["direction"] = outgoing ? "out" : "in";
    if (kind == Kind::Sent || kind == Kind::Received)
        out["opcode"] = opcode == Binary ? "binary" : "text";
    if (!data.isEmpty() || kind == Kind::Sent || kind == Kind::Received) {
        const bool utf8 = opcode != Binary && QUtf8StringView(data).isValidUtf8();
        out["data"] = utf8 ? data.toStdString() : data.toBase64().toStdString();
        if (!utf8)
            out["encoding"] = "base64";
        out["size"] = data.size();
    }
    if (!text.isEmpty())
        out[kind == Kind::Closed ? "reason" : "text"] = text.toStdString();
    if (status)
        out["status"] = status;
    if (!headers.isEmpty()) {
        Json h = Json::array();
        for (const auto &[name, value] : headers)
            h.push_back(Json::array({name.toStdString(), value.toStdString()}));
        out["headers"] = h;
    }
    if (kind == Kind::Closed) {
        out["code"] = closeCode;
        out["meaning"] = closeCodeMeaning(closeCode).toStdString();
    }
    if (roundTripUs >= 0)
        out["roundTripUs"] = roundTripUs;
    return out;
}

std::optional<ClientEvent> ClientEvent::fromJson(const Json &json, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!json.is_object())
        return fail(QStringLiteral("not a JSON object"));
    auto string = [&json](const char *key) {
        const auto it = json.find(key);
        return it != json.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                   : QString();
    };
    auto number = [&json](const char *key, qint64 otherwise) {
        const auto it = json.find(key);
        return it != json.end() && it->is_number_integer() ? it->get<qint64>() : otherwise;
    };
    ClientEvent e;
    const QString kind = string("kind");
    bool known = false;
    for (int k = int(Kind::Connecting); k <= int(Kind::Reconnecting); ++k)
        if (kindName(Kind(k)) == kind) {
            e.kind = Kind(k);
            known = true;
        }
    if (!known)
        return fail(QStringLiteral("unknown kind \"%1\"").arg(kind));
    const QDateTime time = QDateTime::fromString(string("time"), Qt::ISODateWithMs);
    if (!time.isValid())
        return fail(QStringLiteral("no valid \"time\""));
    e.timeMs = time.toMSecsSinceEpoch();
    e.sequence = quint64(std::max<qint64>(0, number("seq", 0)));
    e.outgoing = string("direction") == u"out";
    if (e.kind == Kind::Sent || e.kind == Kind::Received)
        e.opcode = string("opcode") == u"binary" ? Binary : Text;
    const QByteArray data = string("data").toUtf8();
    e.data = string("encoding") == u"base64" ? QByteArray::fromBase64(data) : data;
    e.text = string(e.kind == Kind::Closed ? "reason" : "text");
    e.status = int(number("status", 0));
    e.closeCode = quint16(std::clamp<qint64>(number("code", 0), 0, 65535));
    e.roundTripUs = number("roundTripUs", -1);
    if (const auto h = json.find("headers"); h != json.end() && h->is_array())
        for (const Json &pair : *h)
            if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string())
                e.headers.append({QByteArray::fromStdString(pair[0].get<std::string>()),
                                  QByteArray::fromStdString(pair[1].get<std::string>())});
    return e;
}

} // namespace Gatehouse::Client
