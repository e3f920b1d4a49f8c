// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/schemavaluegenerator.h"

#include "api/api.h"
#include "mock/regexstringgenerator.h"

#include <QByteArray>
#include <QDateTime>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace Gatehouse {

namespace {

constexpr int MaxDepth = 40;
constexpr double IntegerLimit = 1e15;

std::set<std::string> typesOf(const Json &type)
{
    std::set<std::string> out;
    if (type.is_string())
        out.insert(type.get<std::string>());
    else if (type.is_array())
        for (const Json &t : type)
            if (t.is_string())
                out.insert(t.get<std::string>());
    return out;
}

Json typeJson(const std::set<std::string> &types)
{
    if (types.size() == 1)
        return Json(*types.begin());
    Json out = Json::array();
    for (const std::string &t : types)
        out.push_back(t);
    return out;
}

// Two schemas that must both hold, as one (best effort; see the class comment).
Json mergeSchemas(Json base, const Json &other)
{
    if (!other.is_object())
        return base;
    for (auto it = other.begin(); it != other.end(); ++it) {
        const std::string &key = it.key();
        const Json &value = it.value();
        if (!base.contains(key)) {
            base[key] = value;
            continue;
        }
        Json &mine = base[key];
        if (key == "properties" && mine.is_object() && value.is_object()) {
            for (auto p = value.begin(); p != value.end(); ++p) {
                if (mine.contains(p.key()))
                    mine[p.key()] = Json {{"allOf", Json::array({mine[p.key()], p.value()})}};
                else
                    mine[p.key()] = p.value();
            }
        } else if (key == "required" && mine.is_array() && value.is_array()) {
            for (const Json &name : value)
                if (std::find(mine.begin(), mine.end(), name) == mine.end())
                    mine.push_back(name);
        } else if (key == "type") {
            std::set<std::string> a = typesOf(mine);
            std::set<std::string> b = typesOf(value);
            if (a.count("number") && b.count("integer"))
                a.insert("integer");
            if (b.count("number") && a.count("integer"))
                b.insert("integer");
            std::set<std::string> both;
            for (const std::string &t : a)
                if (b.count(t))
                    both.insert(t);
            if (both.size() > 1 && both.count("integer"))
                both.erase("number");
            if (!both.empty())
                mine = typeJson(both);
        } else if ((key == "minimum" || key == "minLength" || key == "minItems"
                    || key == "minProperties")
                   && mine.is_number() && value.is_number()) {
            if (value.get<double>() > mine.get<double>())
                mine = value;
        } else if ((key == "maximum" || key == "maxLength" || key == "maxItems"
                    || key == "maxProperties")
                   && mine.is_number() && value.is_number()) {
            if (value.get<double>() < mine.get<double>())
                mine = value;
        } else if (key == "enum" && mine.is_array() && value.is_array()) {
            Json both = Json::array();
            for (const Json &v : mine)
                if (std::find(value.begin(), value.end(), v) != value.end())
                    both.push_back(v);
            if (!both.empty())
                mine = both;
        }
        // anything else: the first schema's value stands
    }
    return base;
}

std::optional<double> number(const Json &schema, const char *key)
{
    const auto it = schema.find(key);
    if (it == schema.end() || !it->is_number())
        return std::nullopt;
    return it->get<double>();
}

// Lower and upper bounds with their exclusiveness, for draft-04 (boolean) and
// draft-06+ (numeric) exclusiveMinimum/exclusiveMaximum.
struct Bounds
{
    std::optional<double> low;
    bool lowExclusive = false;
    std::optional<double> high;
    bool highExclusive = false;
};

Bounds boundsOf(const Json &s)
{
    Bounds b;
    b.low = number(s, "minimum");
    b.high = number(s, "maximum");
    if (const auto it = s.find("exclusiveMinimum"); it != s.end()) {
        if (it->is_boolean())
            b.lowExclusive = it->get<bool>() && b.low;
        else if (it->is_number() && (!b.low || it->get<double>() >= *b.low)) {
            b.low = it->get<double>();
            b.lowExclusive = true;
        }
    }
    if (const auto it = s.find("exclusiveMaximum"); it != s.end()) {
        if (it->is_boolean())
            b.highExclusive = it->get<bool>() && b.high;
        else if (it->is_number() && (!b.high || it->get<double>() <= *b.high)) {
            b.high = it->get<double>();
            b.highExclusive = true;
        }
    }
    return b;
}

int decimalsOf(double value)
{
    for (int d = 0; d <= 10; ++d) {
        const double scaled = value * std::pow(10.0, d);
        if (std::fabs(scaled - std::round(scaled)) < 1e-9)
            return d;
    }
    return 10;
}

double roundTo(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

int codePoints(const QString &s)
{
    return int(s.toUcs4().size());
}

} // namespace

SchemaValueGenerator::SchemaValueGenerator(quint32 seed, const Api *api)
    : m_random(seed)
    , m_api(api)
{ }

Json SchemaValueGenerator::generate(const Json &schema)
{
    return generateAt(schema, 0);
}

int SchemaValueGenerator::randomInt(int low, int high)
{
    if (high <= low)
        return low;
    return std::uniform_int_distribution<int>(low, high)(m_random);
}

double SchemaValueGenerator::randomReal(double low, double high)
{
    if (!(high > low))
        return low;
    return std::uniform_real_distribution<double>(low, high)(m_random);
}

bool SchemaValueGenerator::chance(double probability)
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(m_random) < probability;
}

Json SchemaValueGenerator::normalized(const Json &schema, int depth) const
{
    if (schema.is_boolean())
        return schema.get<bool>() ? Json::object() : Json {{"not", Json::object()}};
    if (!schema.is_object())
        return Json::object();
    Json s = schema;
    for (int hops = 0; s.is_object() && s.contains("$ref") && s["$ref"].is_string(); ++hops) {
        Json target;
        if (m_api && hops < 20)
            target = m_api->resolved(Json {{"$ref", s["$ref"]}});
        if (!target.is_object() || (target.contains("$ref") && target["$ref"] == s["$ref"]))
            return Json::object(); // unknown or cyclic: anything will do
        s = target;
    }
    if (s.contains("allOf") && s["allOf"].is_array() && depth < MaxDepth) {
        const Json parts = s["allOf"];
        s.erase("allOf");
        for (const Json &part : parts)
            s = mergeSchemas(s, normalized(part, depth + 1));
    }
    return s;
}

Json SchemaValueGenerator::generateAt(const Json &schema, int depth)
{
    if (depth > MaxDepth)
        return Json();
    Json s = normalized(schema, depth);
    if (s.contains("const"))
        return s["const"];
    if (s.contains("enum") && s["enum"].is_array() && !s["enum"].empty()) {
        const Json &values = s["enum"];
        return values[size_t(randomInt(0, int(values.size()) - 1))];
    }
    for (const char *combinator : {"oneOf", "anyOf"}) {
        if (s.contains(combinator) && s[combinator].is_array() && !s[combinator].empty()) {
            const Json branches = s[combinator];
            s.erase(combinator);
            const Json &branch = branches[size_t(randomInt(0, int(branches.size()) - 1))];
            return generateAt(mergeSchemas(s, normalized(branch, depth + 1)), depth + 1);
        }
    }

    std::set<std::string> types = typesOf(s.value("type", Json()));
    std::string type;
    if (!types.empty()) {
        auto it = types.begin();
        std::advance(it, randomInt(0, int(types.size()) - 1));
        type = *it;
    } else if (s.contains("properties") || s.contains("required")
               || s.contains("additionalProperties") || s.contains("minProperties")
               || s.contains("maxProperties")) {
        type = "object";
    } else if (s.contains("items") || s.contains("minItems") || s.contains("maxItems")) {
        type = "array";
    } else if (s.contains("minimum") || s.contains("maximum") || s.contains("multipleOf")
               || s.contains("exclusiveMinimum") || s.contains("exclusiveMaximum")) {
        type = "number";
    } else {
        type = "string";
    }

    if (type == "string")
        return generateString(s);
    if (type == "integer")
        return generateInteger(s);
    if (type == "number")
        return generateNumber(s);
    if (type == "boolean")
        return Json(chance(0.5));
    if (type == "null")
        return Json();
    if (type == "array")
        return generateArray(s, depth);
    if (type == "object")
        return generateObject(s, depth);
    return Json();
}

QString SchemaValueGenerator::letters(int length)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz";
    QString out;
    out.reserve(length);
    for (int i = 0; i < length; ++i)
        out.append(QLatin1Char(alphabet[randomInt(0, 25)]));
    return out;
}

QString SchemaValueGenerator::formatted(const QString &format)
{
    if (format == u"date-time" || format == u"date" || format == u"time") {
        // A moment between 2020 and 2030, whole seconds, UTC.
        const qint64 from = QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC).toSecsSinceEpoch();
        const qint64 span = 10LL * 365 * 24 * 3600;
        const QDateTime when = QDateTime::fromSecsSinceEpoch(
            from + std::uniform_int_distribution<qint64>(0, span)(m_random), Qt::UTC);
        if (format == u"date")
            return when.date().toString(Qt::ISODate);
        if (format == u"time")
            return when.time().toString(Qt::ISODate) + u'Z';
        return when.toString(Qt::ISODate);
    }
    if (format == u"email" || format == u"idn-email")
        return letters(randomInt(3, 8)) + QStringLiteral("@example.com");
    if (format == u"hostname" || format == u"idn-hostname")
        return letters(randomInt(3, 8)) + QStringLiteral(".example.com");
    if (format == u"ipv4")
        return QStringLiteral("%1.%2.%3.%4")
            .arg(randomInt(1, 223))
            .arg(randomInt(0, 255))
            .arg(randomInt(0, 255))
            .arg(randomInt(1, 254));
    if (format == u"ipv6")
        return QStringLiteral("2001:db8::%1:%2")
            .arg(randomInt(1, 0xffff), 0, 16)
            .arg(randomInt(1, 0xffff), 0, 16);
    if (format == u"uri" || format == u"iri" || format == u"url")
        return QStringLiteral("https://example.com/") + letters(randomInt(3, 10));
    if (format == u"uri-reference" || format == u"iri-reference")
        return u'/' + letters(randomInt(3, 10));
    if (format == u"uri-template")
        return QStringLiteral("https://example.com/{id}");
    if (format == u"uuid") {
        std::uniform_int_distribution<int> byte(0, 255);
        QByteArray bytes(16, Qt::Uninitialized);
        for (char &b : bytes)
            b = char(byte(m_random));
        bytes[6] = char((bytes[6] & 0x0f) | 0x40);
        bytes[8] = char((bytes[8] & 0x3f) | 0x80);
        return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
    }
    if (format == u"byte") {
        std::uniform_int_distribution<int> byte(0, 255);
        QByteArray bytes(randomInt(4, 24), Qt::Uninitialized);
        for (char &b : bytes)
            b = char(byte(m_random));
        return QString::fromLatin1(bytes.toBase64());
    }
    if (format == u"json-pointer")
        return u'/' + letters(randomInt(2, 6));
    if (format == u"relative-json-pointer")
        return QStringLiteral("0/") + letters(randomInt(2, 6));
    if (format == u"regex")
        return QStringLiteral("^[a-z]+$");
    return {};
}

Json SchemaValueGenerator::generateString(const Json &s)
{
    const int minLength = int(qBound(0.0, number(s, "minLength").value_or(0), 100000.0));
    const int maxLength = int(qBound(0.0, number(s, "maxLength").value_or(-1), 100000.0));
    const bool hasMax = s.contains("maxLength") && s["maxLength"].is_number();
    auto fits = [&](const QString &v) {
        const int n = codePoints(v);
        return n >= minLength && (!hasMax || n <= maxLength);
    };

    if (s.contains("pattern") && s["pattern"].is_string()) {
        const QString pattern = QString::fromStdString(s["pattern"].get<std::string>());
        auto &generator = m_patterns[pattern];
        if (!generator)
            generator = std::make_shared<RegexStringGenerator>(pattern);
        if (generator->isSupported()) {
            QString candidate;
            for (int attempt = 0; attempt < 30; ++attempt) {
                candidate = generator->generate(m_random);
                if (fits(candidate))
                    return Json(candidate.toStdString());
            }
            return Json(candidate.toStdString());
        }
    }
    if (s.value("contentEncoding", Json()) == Json("base64")
        || s.value("format", Json()) == Json("byte")) {
        // base64 text of whole 3-byte groups, its length inside the bounds
        const int low = (minLength + 3) / 4;
        const int high = hasMax ? maxLength / 4 : low + 8;
        if (high >= low && high > 0) {
            const int groups = randomInt(qMax(low, 1), qMin(high, qMax(low, 1) + 8));
            std::uniform_int_distribution<int> byte(0, 255);
            QByteArray bytes(groups * 3, Qt::Uninitialized);
            for (char &b : bytes)
                b = char(byte(m_random));
            return Json(bytes.toBase64().toStdString());
        }
    }
    if (s.contains("format") && s["format"].is_string()) {
        const QString value = formatted(QString::fromStdString(s["format"].get<std::string>()));
        if (!value.isEmpty() && fits(value))
            return Json(value.toStdString());
    }
    int low = minLength;
    int high = hasMax ? maxLength : low + 12;
    high = qMin(high, low + 12);
    if (low == 0 && high >= 1)
        low = qMin(high, 4);
    return Json(letters(randomInt(low, high)).toStdString());
}

Json SchemaValueGenerator::generateInteger(const Json &s)
{
    const Bounds b = boundsOf(s);
    double low = b.low ? std::ceil(*b.low) : 0;
    if (b.low && b.lowExclusive && low == *b.low)
        low += 1;
    double high = b.high ? std::floor(*b.high) : 0;
    if (b.high && b.highExclusive && high == *b.high)
        high -= 1;
    if (!b.low && !b.high) {
        low = 0;
        high = 1000;
    } else if (!b.high) {
        high = low + 1000;
    } else if (!b.low) {
        low = high - 1000;
    }
    low = qBound(-IntegerLimit, low, IntegerLimit);
    high = qBound(-IntegerLimit, high, IntegerLimit);
    if (high < low)
        return Json(qint64(low));

    const auto multiple = number(s, "multipleOf");
    if (multiple && *multiple > 0 && std::floor(*multiple) == *multiple) {
        const qint64 m = qint64(*multiple);
        const qint64 first = qint64(std::ceil(low / double(m)));
        const qint64 last = qint64(std::floor(high / double(m)));
        if (last >= first)
            return Json(std::uniform_int_distribution<qint64>(first, last)(m_random) * m);
    }
    return Json(std::uniform_int_distribution<qint64>(qint64(low), qint64(high))(m_random));
}

Json SchemaValueGenerator::generateNumber(const Json &s)
{
    const Bounds b = boundsOf(s);
    double low = b.low.value_or(0);
    double high = b.high.value_or(low + 1000);
    if (!b.low && b.high)
        low = high - 1000;

    const auto multiple = number(s, "multipleOf");
    if (multiple && *multiple > 0) {
        const double m = *multiple;
        double first = std::ceil(low / m);
        double last = std::floor(high / m);
        if (b.lowExclusive && first * m <= low)
            first += 1;
        if (b.highExclusive && last * m >= high)
            last -= 1;
        if (last >= first && last - first < 1e15) {
            const double k = first + std::floor(randomReal(0, last - first + 1));
            return Json(roundTo(qMin(k, last) * m, decimalsOf(m)));
        }
    }
    double value = roundTo(randomReal(low, high), 2);
    if (value < low || value > high || (b.lowExclusive && value <= low)
        || (b.highExclusive && value >= high))
        value = low + (high - low) / 2;
    return Json(value);
}

Json SchemaValueGenerator::generateArray(const Json &s, int depth)
{
    Json out = Json::array();
    const int minItems = int(qBound(0.0, number(s, "minItems").value_or(0), 10000.0));
    const bool hasMax = s.contains("maxItems") && s["maxItems"].is_number();
    const int maxItems = hasMax ? int(qBound(0.0, s["maxItems"].get<double>(), 10000.0)) : -1;
    const bool unique = s.value("uniqueItems", false);
    const Json items = s.value("items", Json::object());

    auto append = [&](const Json &itemSchema) {
        Json value = generateAt(itemSchema, depth + 1);
        for (int attempt = 0;
             unique && attempt < 10 && std::find(out.begin(), out.end(), value) != out.end();
             ++attempt)
            value = generateAt(itemSchema, depth + 1);
        if (unique && std::find(out.begin(), out.end(), value) != out.end())
            return false;
        out.push_back(value);
        return true;
    };

    if (items.is_array()) {
        for (const Json &itemSchema : items) {
            if (hasMax && int(out.size()) >= maxItems)
                break;
            append(itemSchema);
        }
        const Json additional = s.value("additionalItems", Json::object());
        while (int(out.size()) < minItems && !(additional.is_boolean() && !additional.get<bool>()))
            if (!append(additional))
                break;
        return out;
    }

    int low = minItems;
    int high = hasMax ? maxItems : low + 3;
    high = qMin(high, low + 3);
    if (low == 0 && high >= 1)
        low = 1;
    const int count = depth > 12 ? minItems : randomInt(low, high);
    for (int i = 0; i < count; ++i)
        if (!append(items) && int(out.size()) >= minItems)
            break;

    if (s.contains("contains")) {
        const Json value = generateAt(s["contains"], depth + 1);
        if (out.empty() || (hasMax && int(out.size()) >= maxItems))
            out[0] = value;
        else
            out.push_back(value);
    }
    return out;
}

Json SchemaValueGenerator::generateObject(const Json &s, int depth)
{
    Json out = Json::object();
    const Json properties = s.value("properties", Json::object());
    std::set<std::string> required;
    if (s.contains("required") && s["required"].is_array())
        for (const Json &name : s["required"])
            if (name.is_string())
                required.insert(name.get<std::string>());
    const int maxProperties = int(qBound(0.0, number(s, "maxProperties").value_or(1e6), 1e6));
    const double optionalChance = depth < 4 ? 0.6 : depth < 8 ? 0.3 : 0.0;

    if (properties.is_object()) {
        for (auto it = properties.begin(); it != properties.end(); ++it) {
            // A property with a fixed value (const, or an enum of one) is usually a
            // discriminator such as "event": include it even when optional.
            const Json property = normalized(it.value(), depth + 1);
            const bool fixed = property.contains("const")
                || (property.contains("enum") && property["enum"].is_array()
                    && property["enum"].size() == 1);
            const bool room = int(out.size() + required.size()) < maxProperties;
            const bool take = required.count(it.key())
                || (room && ((fixed && depth < 8) || chance(optionalChance)));
            if (take)
                out[it.key()] = generateAt(it.value(), depth + 1);
        }
    }
    const Json additional = s.value("additionalProperties", Json::object());
    for (const std::string &name : required)
        if (!out.contains(name))
            out[name] = generateAt(additional.is_object() ? additional : Json::object(), depth + 1);

    // draft-07 property dependencies: {a: [b, c]} -> with a come b and c
    if (s.contains("dependencies") && s["dependencies"].is_object()) {
        const Json &dependencies = s["dependencies"];
        for (auto it = dependencies.begin(); it != dependencies.end(); ++it) {
            if (!out.contains(it.key()))
                continue;
            if (it.value().is_array()) {
                for (const Json &name : it.value())
                    if (name.is_string() && !out.contains(name.get<std::string>()))
                        out[name.get<std::string>()] = generateAt(
                            properties.value(name.get<std::string>(), Json::object()), depth + 1);
            } else if (it.value().is_object()) {
                const Json extra
                    = generateAt(mergeSchemas(Json {{"type", "object"}}, it.value()), depth + 1);
                if (extra.is_object())
                    for (auto e = extra.begin(); e != extra.end(); ++e)
                        if (!out.contains(e.key()))
                            out[e.key()] = e.value();
            }
        }
    }

    const int minProperties = int(qBound(0.0, number(s, "minProperties").value_or(0), 1000.0));
    if (properties.is_object())
        for (auto it = properties.begin();
             it != properties.end() && int(out.size()) < minProperties; ++it)
            if (!out.contains(it.key()))
                out[it.key()] = generateAt(it.value(), depth + 1);
    const bool additionalAllowed = !(additional.is_boolean() && !additional.get<bool>());
    for (int n = 1; int(out.size()) < minProperties && additionalAllowed && n < 1000; ++n) {
        const std::string name = "property" + std::to_string(n);
        if (!out.contains(name))
            out[name] = generateAt(additional.is_object() ? additional : Json::object(), depth + 1);
    }
    return out;
}

} // namespace Gatehouse
