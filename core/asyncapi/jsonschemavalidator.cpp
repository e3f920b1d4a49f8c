// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/jsonschemavalidator.h"

#include <QDate>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/constraints/constraint_visitor.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <unordered_map>
#include <unordered_set>

// valijson compiles the schema (keywords, $ref graph); the evaluation below is our
// own so that messages can name the offending value, alternatives of oneOf/anyOf can
// be judged separately, and regular expressions are compiled once and shared
// between threads.

namespace Gatehouse {

namespace {

using Keyword = JsonSchemaValidator::Keyword;
using valijson::Subschema;
namespace vc = valijson::constraints;

// Marks schema objects that carry values we need at evaluation time (enum/const
// values, errorMessage). valijson keeps enum values frozen without a way to read
// them back, so the bundler records them in a table and leaves this marker plus the
// table index in the (otherwise unused) description.
constexpr char AnnotationMarker[] = "\x1fgatehouse-annotation:";
constexpr char RemoteKey[] = "$gatehouseRemote";
constexpr char HoistedKey[] = "$gatehouseHoisted";

struct Annotation
{
    std::optional<Json> constValue;
    std::vector<Json> enumValues;
    QString errorMessage;
};

Json toOrdered(const nlohmann::json &v)
{
    switch (v.type()) {
    case nlohmann::json::value_t::object: {
        Json o = Json::object();
        for (auto it = v.begin(); it != v.end(); ++it)
            o[it.key()] = toOrdered(it.value());
        return o;
    }
    case nlohmann::json::value_t::array: {
        Json a = Json::array();
        for (const auto &item : v)
            a.push_back(toOrdered(item));
        return a;
    }
    case nlohmann::json::value_t::string:
        return v.get<std::string>();
    case nlohmann::json::value_t::boolean:
        return v.get<bool>();
    case nlohmann::json::value_t::number_integer:
        return v.get<std::int64_t>();
    case nlohmann::json::value_t::number_unsigned:
        return v.get<std::uint64_t>();
    case nlohmann::json::value_t::number_float:
        return v.get<double>();
    default:
        return nullptr;
    }
}

nlohmann::json toUnordered(const Json &v)
{
    switch (v.type()) {
    case Json::value_t::object: {
        nlohmann::json o = nlohmann::json::object();
        for (auto it = v.begin(); it != v.end(); ++it)
            o[it.key()] = toUnordered(it.value());
        return o;
    }
    case Json::value_t::array: {
        nlohmann::json a = nlohmann::json::array();
        for (const auto &item : v)
            a.push_back(toUnordered(item));
        return a;
    }
    case Json::value_t::string:
        return v.get<std::string>();
    case Json::value_t::boolean:
        return v.get<bool>();
    case Json::value_t::number_integer:
        return v.get<std::int64_t>();
    case Json::value_t::number_unsigned:
        return v.get<std::uint64_t>();
    case Json::value_t::number_float:
        return v.get<double>();
    default:
        return nullptr;
    }
}

// JSON equality as JSON Schema defines it: member order does not matter, 1 == 1.0.
bool jsonEqual(const Json &a, const Json &b)
{
    if (a.is_number() && b.is_number())
        return a.get<double>() == b.get<double>();
    if (a.type() != b.type())
        return false;
    if (a.is_object()) {
        if (a.size() != b.size())
            return false;
        for (auto it = a.begin(); it != a.end(); ++it) {
            const auto other = b.find(it.key());
            if (other == b.end() || !jsonEqual(it.value(), *other))
                return false;
        }
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!jsonEqual(a[i], b[i]))
                return false;
        return true;
    }
    return a == b;
}

bool isInteger(const Json &v)
{
    if (v.is_number_integer())
        return true;
    if (v.is_number_float()) {
        const double d = v.get<double>();
        return std::isfinite(d) && d == std::floor(d);
    }
    return false;
}

QString typeName(const Json &v)
{
    switch (v.type()) {
    case Json::value_t::null:
        return QStringLiteral("null");
    case Json::value_t::boolean:
        return QStringLiteral("boolean");
    case Json::value_t::string:
        return QStringLiteral("string");
    case Json::value_t::array:
        return QStringLiteral("array");
    case Json::value_t::object:
        return QStringLiteral("object");
    default:
        return isInteger(v) ? QStringLiteral("integer") : QStringLiteral("number");
    }
}

QString typeName(vc::TypeConstraint::JsonType t)
{
    switch (t) {
    case vc::TypeConstraint::kArray:
        return QStringLiteral("array");
    case vc::TypeConstraint::kBoolean:
        return QStringLiteral("boolean");
    case vc::TypeConstraint::kInteger:
        return QStringLiteral("integer");
    case vc::TypeConstraint::kNull:
        return QStringLiteral("null");
    case vc::TypeConstraint::kNumber:
        return QStringLiteral("number");
    case vc::TypeConstraint::kObject:
        return QStringLiteral("object");
    case vc::TypeConstraint::kString:
        return QStringLiteral("string");
    case vc::TypeConstraint::kAny:
        break;
    }
    return QStringLiteral("any");
}

// A short rendering of a value for messages: scalars as JSON, containers by kind.
QString showValue(const Json &v)
{
    if (v.is_object())
        return QStringLiteral("an object");
    if (v.is_array())
        return QStringLiteral("an array");
    QString text = toQString(v.dump());
    if (text.size() > 60)
        text = text.left(57) + QStringLiteral("...");
    return text;
}

QString showNumber(double d)
{
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
        return QString::number(static_cast<qint64>(d));
    return QString::number(d, 'g', 15);
}

QString joinAlternatives(const QStringList &items)
{
    if (items.size() <= 1)
        return items.value(0);
    return QStringList(items.mid(0, items.size() - 1)).join(QStringLiteral(", "))
        + QStringLiteral(" or ") + items.last();
}

std::string escapeToken(const std::string &token)
{
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

// The pointer as it goes into a rewritten "$ref": valijson also percent-decodes it.
std::string refToken(const std::string &token)
{
    std::string out;
    for (char c : escapeToken(token)) {
        if (c == '%')
            out += "%25";
        else
            out += c;
    }
    return out;
}

qsizetype codePointCount(const std::string &s)
{
    qsizetype n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

// The candidate a misspelt `word` most likely meant: edit distance at most 2 (1 for
// short words), case ignored; empty when none is that close or two tie.
std::string closest(const std::string &word, const std::vector<std::string> &candidates)
{
    if (word.size() > 64)
        return {};
    const auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    const std::string w = lower(word);
    const std::size_t limit = w.size() <= 4 ? 1 : 2;
    std::string best;
    std::size_t bestDistance = limit + 1;
    bool tie = false;
    std::vector<std::size_t> previous, current;
    for (const std::string &candidate : candidates) {
        const std::string c = lower(candidate);
        if (c == w || c.size() > w.size() + limit || w.size() > c.size() + limit)
            continue;
        previous.resize(c.size() + 1);
        current.resize(c.size() + 1);
        for (std::size_t j = 0; j <= c.size(); ++j)
            previous[j] = j;
        for (std::size_t i = 1; i <= w.size(); ++i) {
            current[0] = i;
            for (std::size_t j = 1; j <= c.size(); ++j)
                current[j] = std::min({previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (w[i - 1] == c[j - 1] ? 0 : 1)});
            std::swap(previous, current);
        }
        const std::size_t distance = previous[c.size()];
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
            tie = false;
        } else if (distance == bestDistance) {
            tie = true;
        }
    }
    return bestDistance <= limit && !tie ? best : std::string();
}

bool checkFormat(const std::string &format, const QString &s)
{
    static const QRegularExpression dateTime(
        QStringLiteral("^(\\d{4}-\\d{2}-\\d{2})[Tt "
                       "](\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$"));
    static const QRegularExpression time(
        QStringLiteral("^(\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$"));
    static const QRegularExpression email(QStringLiteral("^[^\\s@]+@[^\\s@]+$"));
    static const QRegularExpression hostname(
        QStringLiteral("^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$"));
    static const QRegularExpression uriScheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*$"));
    static const QRegularExpression noSpace(QStringLiteral("^[^\\s]*$"));

    const auto validDate = [](const QString &text) {
        return QDate::fromString(text, QStringLiteral("yyyy-MM-dd")).isValid();
    };
    const auto validClock = [](const QRegularExpressionMatch &m, int first) {
        return m.captured(first).toInt() < 24 && m.captured(first + 1).toInt() < 60
            && m.captured(first + 2).toInt() <= 60;
    };
    if (format == "date-time") {
        const auto m = dateTime.match(s);
        return m.hasMatch() && validDate(m.captured(1)) && validClock(m, 2);
    }
    if (format == "date")
        return s.size() == 10 && validDate(s);
    if (format == "time") {
        const auto m = time.match(s);
        return m.hasMatch() && validClock(m, 1);
    }
    if (format == "email" || format == "idn-email")
        return email.match(s).hasMatch();
    if (format == "hostname")
        return hostname.match(s).hasMatch();
    if (format == "ipv4")
        return QHostAddress(s).protocol() == QAbstractSocket::IPv4Protocol && s.count(u'.') == 3;
    if (format == "ipv6")
        return QHostAddress(s).protocol() == QAbstractSocket::IPv6Protocol;
    if (format == "uri" || format == "iri")
        return uriScheme.match(s).hasMatch() && QUrl(s, QUrl::StrictMode).isValid();
    if (format == "uri-reference" || format == "iri-reference" || format == "uri-template")
        return noSpace.match(s).hasMatch();
    if (format == "regex")
        return QRegularExpression(s).isValid();
    return true; // formats we do not know are annotations only
}

} // namespace

struct JsonSchemaValidator::Private
{
    struct PropertyIndex
    {
        std::unordered_map<std::string, const Subschema *> named;
        std::vector<std::pair<const QRegularExpression *, const Subschema *>> patterns;
        const Subschema *additional = nullptr; // nullptr: no other members allowed
    };

    valijson::Schema schema;
    bool valid = false;
    QString errorString;
    std::vector<Annotation> annotations;
    std::unordered_map<const Subschema *, std::size_t> annotationOf;
    std::unordered_map<std::string, QRegularExpression> regexes;
    std::unordered_map<const vc::PropertiesConstraint *, PropertyIndex> properties;

    const QRegularExpression *regex(const std::string &pattern) const
    {
        const auto it = regexes.find(pattern);
        return it == regexes.end() ? nullptr : &it->second;
    }

    const Annotation *annotation(const Subschema &s) const
    {
        const auto it = annotationOf.find(&s);
        return it == annotationOf.end() ? nullptr : &annotations[it->second];
    }

    void compile(const Json &schemaJson, const Resolver &resolver, const QString &baseUri);
    void index();
};

// ---------------------------------------------------------------------------------
// Bundling: every `$ref` becomes a reference inside one document, so valijson only
// ever resolves local pointers. Subschemas identified by `$id` are referenced where
// they are; documents from the resolver are appended under RemoteKey.

namespace {

class Bundler
{
public:
    Bundler(JsonSchemaValidator::Private &d, const JsonSchemaValidator::Resolver &resolver)
        : m_d(d)
        , m_resolver(resolver)
    { }

    bool run(nlohmann::json &root, const QString &baseUri)
    {
        QUrl base(baseUri.isEmpty() ? QStringLiteral("urn:gatehouse:schema") : baseUri);
        m_registry.emplace(docKey(base), Target {std::string(), &root, base});
        registerIds(root, base, std::string());
        m_pending.emplace_back(&root, base);
        // Walks the schema, then whatever its $refs reach (parts of remote documents,
        // members of containers that are not schema keywords), each node once.
        while (!m_pending.empty() && m_error.isEmpty()) {
            const auto [node, nodeBase] = m_pending.front();
            m_pending.pop_front();
            rewrite(*node, nodeBase);
        }
        if (!m_error.isEmpty())
            return false;
        if ((!m_remotes.empty() || !m_hoisted.empty()) && !root.is_object()) {
            m_error = QStringLiteral("the schema must be an object to use $ref");
            return false;
        }
        if (!m_remotes.empty()) {
            nlohmann::json &bundle = root[RemoteKey];
            for (std::size_t i = 0; i < m_remotes.size(); ++i)
                bundle[std::to_string(i)] = std::move(m_remotes[i]);
        }
        if (!m_hoisted.empty()) {
            nlohmann::json &bundle = root[HoistedKey];
            for (std::size_t i = 0; i < m_hoisted.size(); ++i)
                bundle[std::to_string(i)] = std::move(m_hoisted[i]);
        }
        return true;
    }

    QString error() const { return m_error; }

private:
    // Where a document (or a subschema with $id) is: its pointer in the bundle,
    // its node, and the base URI of references inside it.
    struct Target
    {
        std::string pointer;
        nlohmann::json *node;
        QUrl base;
    };

    static std::string docKey(const QUrl &url)
    {
        return url.adjusted(QUrl::RemoveFragment).toString(QUrl::FullyEncoded).toStdString();
    }

    // Calls fn(child, token path) for each direct subschema of a schema object.
    template<typename Fn>
    static void forEachSubschema(nlohmann::json &node, Fn fn)
    {
        if (!node.is_object())
            return;
        static const char *const single[] = {"additionalItems",
                                             "additionalProperties",
                                             "contains",
                                             "propertyNames",
                                             "if",
                                             "then",
                                             "else",
                                             "not"};
        static const char *const lists[] = {"allOf", "anyOf", "oneOf"};
        static const char *const maps[]
            = {"properties", "patternProperties", "definitions", "dependencies"};
        for (const char *key : single) {
            const auto it = node.find(key);
            if (it != node.end() && (it->is_object() || it->is_boolean()))
                fn(*it, "/" + std::string(key));
        }
        for (const char *key : lists) {
            const auto it = node.find(key);
            if (it != node.end() && it->is_array())
                for (std::size_t i = 0; i < it->size(); ++i)
                    fn((*it)[i], "/" + std::string(key) + "/" + std::to_string(i));
        }
        const auto items = node.find("items");
        if (items != node.end()) {
            if (items->is_array()) {
                for (std::size_t i = 0; i < items->size(); ++i)
                    fn((*items)[i], "/items/" + std::to_string(i));
            } else if (items->is_object() || items->is_boolean()) {
                fn(*items, std::string("/items"));
            }
        }
        for (const char *key : maps) {
            const auto it = node.find(key);
            if (it != node.end() && it->is_object())
                for (auto member = it->begin(); member != it->end(); ++member)
                    if (member->is_object() || member->is_boolean())
                        fn(member.value(), "/" + std::string(key) + "/" + refToken(member.key()));
        }
    }

    void registerIds(nlohmann::json &node, QUrl base, const std::string &pointer)
    {
        if (!node.is_object())
            return;
        const auto id = node.find("$id");
        if (id != node.end() && id->is_string()) {
            base = base.resolved(QUrl(toQString(id->get<std::string>())));
            m_registry.emplace(docKey(base), Target {pointer, &node, base});
        }
        forEachSubschema(node, [&](nlohmann::json &child, const std::string &path) {
            registerIds(child, base, pointer + path);
        });
    }

    void rewrite(nlohmann::json &node, QUrl base)
    {
        if (!node.is_object() || !m_error.isEmpty() || !m_visited.insert(&node).second)
            return;
        const auto id = node.find("$id");
        if (id != node.end() && id->is_string())
            base = base.resolved(QUrl(toQString(id->get<std::string>())));

        const auto ref = node.find("$ref");
        if (ref != node.end() && ref->is_string())
            resolveReference(*ref, base);

        annotate(node);

        const auto pattern = node.find("pattern");
        if (pattern != node.end() && pattern->is_string())
            addRegex(pattern->get<std::string>());
        const auto patternProperties = node.find("patternProperties");
        if (patternProperties != node.end() && patternProperties->is_object())
            for (auto it = patternProperties->begin(); it != patternProperties->end(); ++it)
                addRegex(it.key());

        forEachSubschema(node,
                         [&](nlohmann::json &child, const std::string &) { rewrite(child, base); });

        // valijson 1.0 files the subschemas of propertyNames and of schema
        // dependencies under their parent's cache key and so confuses them with the
        // parent; moved elsewhere behind a $ref they get keys of their own.
        const auto propertyNames = node.find("propertyNames");
        if (propertyNames != node.end()
            && (propertyNames->is_object() || propertyNames->is_boolean()))
            hoist(*propertyNames);
        const auto dependencies = node.find("dependencies");
        if (dependencies != node.end() && dependencies->is_object())
            for (auto &member : *dependencies)
                if (member.is_object() || member.is_boolean())
                    hoist(member);
    }

    // Turns `ref` into a pointer inside the bundle and queues its target for a walk.
    void resolveReference(nlohmann::json &ref, const QUrl &base)
    {
        const QString text = toQString(ref.get<std::string>());
        const QUrl target = base.resolved(QUrl(text));
        auto found = m_registry.find(docKey(target));
        if (found == m_registry.end())
            found = fetch(target, text);
        if (found == m_registry.end())
            return;
        std::string fragment = target.fragment(QUrl::FullyEncoded).toStdString();
        if (!fragment.empty() && fragment.front() != '/') {
            m_error
                = QStringLiteral("unsupported $ref '%1': only JSON Pointer fragments are supported")
                      .arg(text);
            return;
        }
        if (fragment == "/")
            fragment.clear();
        nlohmann::json *node = found->second.node;
        if (!fragment.empty()) {
            try {
                const nlohmann::json::json_pointer pointer(
                    QUrl::fromPercentEncoding(QByteArray::fromStdString(fragment)).toStdString());
                node = node->contains(pointer) ? &node->at(pointer) : nullptr;
            } catch (const std::exception &) {
                node = nullptr;
            }
        }
        if (!node) {
            m_error = QStringLiteral("cannot resolve $ref '%1': no such location").arg(text);
            return;
        }
        m_pending.emplace_back(node, found->second.base);
        ref = "#" + found->second.pointer + fragment;
    }

    void hoist(nlohmann::json &schema)
    {
        if (schema.is_object() && schema.size() == 1 && schema.contains("$ref"))
            return; // a reference already has a key of its own
        const std::string pointer
            = "#/" + std::string(HoistedKey) + "/" + std::to_string(m_hoisted.size());
        m_hoisted.push_back(std::move(schema));
        schema = nlohmann::json {{"$ref", pointer}};
        m_visited.insert(&schema); // the reference written here is final
    }

    std::unordered_map<std::string, Target>::iterator fetch(const QUrl &target, const QString &text)
    {
        const std::string key = docKey(target);
        std::optional<Json> document;
        if (m_resolver)
            document = m_resolver(toQString(key));
        if (!document) {
            m_error = QStringLiteral("cannot resolve $ref '%1': document '%2' is not available")
                          .arg(text, toQString(key));
            return m_registry.end();
        }
        const std::string pointer
            = "/" + std::string(RemoteKey) + "/" + std::to_string(m_remotes.size());
        const QUrl base(toQString(key));
        m_remotes.push_back(toUnordered(*document));
        nlohmann::json &stored = m_remotes.back();
        const auto inserted = m_registry.emplace(key, Target {pointer, &stored, base}).first;
        registerIds(stored, base, pointer);
        return inserted;
    }

    void annotate(nlohmann::json &node)
    {
        const auto enumValues = node.find("enum");
        const auto constValue = node.find("const");
        const auto errorMessage = node.find("errorMessage");
        const bool hasMessage = errorMessage != node.end() && errorMessage->is_string();
        if (enumValues == node.end() && constValue == node.end() && !hasMessage)
            return;
        Annotation a;
        if (enumValues != node.end() && enumValues->is_array())
            for (const auto &v : *enumValues)
                a.enumValues.push_back(toOrdered(v));
        if (constValue != node.end())
            a.constValue = toOrdered(*constValue);
        if (hasMessage)
            a.errorMessage = toQString(errorMessage->get<std::string>());
        node["description"]
            = std::string(AnnotationMarker) + std::to_string(m_d.annotations.size());
        m_d.annotations.push_back(std::move(a));
    }

    void addRegex(const std::string &pattern)
    {
        if (m_d.regexes.count(pattern))
            return;
        QRegularExpression re(toQString(pattern));
        if (!re.isValid()) {
            m_error = QStringLiteral("invalid regular expression '%1': %2")
                          .arg(toQString(pattern), re.errorString());
            return;
        }
        re.optimize();
        m_d.regexes.emplace(pattern, std::move(re));
    }

    JsonSchemaValidator::Private &m_d;
    const JsonSchemaValidator::Resolver &m_resolver;
    std::unordered_map<std::string, Target> m_registry; // document URI -> where it is
    // deques: nodes keep their addresses while these grow
    std::deque<nlohmann::json> m_remotes;
    std::deque<nlohmann::json> m_hoisted;
    std::deque<std::pair<nlohmann::json *, QUrl>> m_pending;
    std::unordered_set<const nlohmann::json *> m_visited;
    QString m_error;
};

// Walks the compiled schema once to build lookup tables used during evaluation.
class Indexer final : public valijson::constraints::ConstraintVisitor
{
public:
    explicit Indexer(JsonSchemaValidator::Private &d)
        : m_d(d)
    { }

    void run(const Subschema &root)
    {
        m_pending.push_back(&root);
        while (!m_pending.empty()) {
            const Subschema *s = m_pending.back();
            m_pending.pop_back();
            if (!m_seen.insert(s).second)
                continue;
            if (s->hasDescription()) {
                const std::string description = s->getDescription();
                const std::string marker(AnnotationMarker);
                if (description.compare(0, marker.size(), marker) == 0)
                    m_d.annotationOf.emplace(s, std::stoul(description.substr(marker.size())));
            }
            Subschema::ApplyFunction fn
                = [this](const vc::Constraint &c) { return c.accept(*this); };
            s->apply(fn);
        }
    }

private:
    void add(const Subschema *s)
    {
        if (s)
            m_pending.push_back(s);
    }
    template<typename C>
    bool addAll(const C &c)
    {
        c.applyToSubschemas([this](unsigned, const Subschema *s) {
            add(s);
            return true;
        });
        return true;
    }

    bool visit(const AllOfConstraint &c) override { return addAll(c); }
    bool visit(const AnyOfConstraint &c) override { return addAll(c); }
    bool visit(const OneOfConstraint &c) override { return addAll(c); }
    bool visit(const ConditionalConstraint &c) override
    {
        add(c.getIfSubschema());
        add(c.getThenSubschema());
        add(c.getElseSubschema());
        return true;
    }
    bool visit(const ConstConstraint &) override { return true; }
    bool visit(const ContainsConstraint &c) override
    {
        add(c.getSubschema());
        return true;
    }
    bool visit(const DependenciesConstraint &c) override
    {
        c.applyToSchemaDependencies([this](const auto &, const Subschema *s) {
            add(s);
            return true;
        });
        return true;
    }
    bool visit(const EnumConstraint &) override { return true; }
    bool visit(const FormatConstraint &) override { return true; }
    bool visit(const LinearItemsConstraint &c) override
    {
        c.applyToItemSubschemas([this](unsigned, const Subschema *s) {
            add(s);
            return true;
        });
        add(c.getAdditionalItemsSubschema());
        return true;
    }
    bool visit(const MaximumConstraint &) override { return true; }
    bool visit(const MaxItemsConstraint &) override { return true; }
    bool visit(const MaxLengthConstraint &) override { return true; }
    bool visit(const MaxPropertiesConstraint &) override { return true; }
    bool visit(const MinimumConstraint &) override { return true; }
    bool visit(const MinItemsConstraint &) override { return true; }
    bool visit(const MinLengthConstraint &) override { return true; }
    bool visit(const MinPropertiesConstraint &) override { return true; }
    bool visit(const MultipleOfDoubleConstraint &) override { return true; }
    bool visit(const MultipleOfIntConstraint &) override { return true; }
    bool visit(const NotConstraint &c) override
    {
        add(c.getSubschema());
        return true;
    }
    bool visit(const PatternConstraint &) override { return true; }
    bool visit(const PolyConstraint &) override { return true; }
    bool visit(const PropertiesConstraint &c) override
    {
        JsonSchemaValidator::Private::PropertyIndex index;
        c.applyToProperties([&](const auto &name, const Subschema *s) {
            index.named.emplace(std::string(name.c_str()), s);
            add(s);
            return true;
        });
        c.applyToPatternProperties([&](const auto &pattern, const Subschema *s) {
            index.patterns.emplace_back(m_d.regex(std::string(pattern.c_str())), s);
            add(s);
            return true;
        });
        index.additional = c.getAdditionalPropertiesSubschema();
        add(index.additional);
        m_d.properties.emplace(&c, std::move(index));
        return true;
    }
    bool visit(const PropertyNamesConstraint &c) override
    {
        add(c.getSubschema());
        return true;
    }
    bool visit(const RequiredConstraint &) override { return true; }
    bool visit(const SingularItemsConstraint &c) override
    {
        add(c.getItemsSubschema());
        return true;
    }
    bool visit(const TypeConstraint &) override { return true; }
    bool visit(const UniqueItemsConstraint &) override { return true; }

    JsonSchemaValidator::Private &m_d;
    std::vector<const Subschema *> m_pending;
    std::unordered_set<const Subschema *> m_seen;
};

// ---------------------------------------------------------------------------------
// Evaluation

struct Failure
{
    std::string pointer;
    Keyword keyword;
    QString message;
    QString property;
    QStringList expectedTypes; // Type failures: what would have been accepted
};

constexpr std::size_t FailureCap = 10000;

class Evaluator;

bool evaluate(const JsonSchemaValidator::Private &d, const Subschema &s, const Json &v,
              std::string &pointer, std::vector<Failure> *out);

class Evaluator final : public valijson::constraints::ConstraintVisitor
{
public:
    Evaluator(const JsonSchemaValidator::Private &d, const Subschema &schema, const Json &value,
              std::string &pointer, std::vector<Failure> *out)
        : m_d(d)
        , m_schema(schema)
        , m_v(value)
        , m_pointer(pointer)
        , m_out(out)
    { }

private:
    bool fail(Keyword keyword, const QString &message, const QString &property = {},
              const QStringList &expected = {})
    {
        if (m_out && m_out->size() < FailureCap)
            m_out->push_back({m_pointer, keyword, message, property, expected});
        return false;
    }

    // A leaf check failed: use the schema's own errorMessage when it has one.
    bool failValue(Keyword keyword, const QString &message)
    {
        if (!m_out)
            return false;
        const Annotation *a = m_d.annotation(m_schema);
        if (a && !a->errorMessage.isEmpty())
            return fail(keyword, a->errorMessage + QStringLiteral(", got ") + showValue(m_v));
        return fail(keyword, message);
    }

    bool child(const Subschema &s, const Json &value, const std::string &token)
    {
        const std::size_t size = m_pointer.size();
        m_pointer += '/';
        m_pointer += escapeToken(token);
        const bool ok = evaluate(m_d, s, value, m_pointer, m_out);
        m_pointer.resize(size);
        return ok;
    }

    bool visit(const AllOfConstraint &c) override
    {
        bool ok = true;
        c.applyToSubschemas([&](unsigned, const Subschema *s) {
            ok = evaluate(m_d, *s, m_v, m_pointer, m_out) && ok;
            return ok || m_out;
        });
        return ok;
    }

    // Picks the failed alternative that came closest to matching and reports its
    // errors; when every alternative wanted another type, says which types.
    bool reportAlternatives(std::vector<std::vector<Failure>> &branches, Keyword keyword)
    {
        if (!m_out)
            return false;
        const auto typeMismatch = [&](const std::vector<Failure> &b) {
            return std::any_of(b.begin(), b.end(), [&](const Failure &f) {
                return f.keyword == Keyword::Type && f.pointer == m_pointer;
            });
        };
        const auto notAReference = [&](const std::vector<Failure> &b) {
            return std::any_of(b.begin(), b.end(), [&](const Failure &f) {
                return f.keyword == Keyword::Required && f.pointer == m_pointer
                    && f.property == QLatin1String("$ref");
            });
        };
        // A member whose value differs from a const/enum is usually a discriminator
        // ("type": "http") telling which alternative was not meant.
        const auto discriminatorMismatch = [&](const std::vector<Failure> &b) {
            return std::any_of(b.begin(), b.end(), [&](const Failure &f) {
                if (f.keyword != Keyword::Const && f.keyword != Keyword::Enum)
                    return false;
                if (f.pointer.size() <= m_pointer.size()
                    || f.pointer.compare(0, m_pointer.size(), m_pointer) != 0)
                    return false;
                return f.pointer.find('/', m_pointer.size() + 1) == std::string::npos;
            });
        };

        std::vector<std::vector<Failure> *> candidates;
        for (auto &b : branches)
            candidates.push_back(&b);
        if (candidates.empty())
            return fail(keyword, QStringLiteral("does not match any of the allowed alternatives"));

        if (std::all_of(candidates.begin(), candidates.end(),
                        [&](const auto *b) { return typeMismatch(*b); })) {
            QStringList expected;
            for (const auto *b : candidates)
                for (const Failure &f : *b)
                    if (f.keyword == Keyword::Type && f.pointer == m_pointer)
                        for (const QString &t : f.expectedTypes)
                            if (!expected.contains(t))
                                expected.append(t);
            return fail(
                Keyword::Type,
                QStringLiteral("must be %1, got %2").arg(joinAlternatives(expected), typeName(m_v)),
                {}, expected);
        }
        const auto narrow = [&](auto predicate) {
            std::vector<std::vector<Failure> *> kept;
            for (auto *b : candidates)
                if (!predicate(*b))
                    kept.push_back(b);
            if (!kept.empty())
                candidates = std::move(kept);
        };
        narrow(typeMismatch);
        narrow(notAReference);
        narrow(discriminatorMismatch);

        const auto depth = [](const std::vector<Failure> &b) {
            std::size_t deepest = 0;
            for (const Failure &f : b)
                deepest = std::max<std::size_t>(
                    deepest, std::count(f.pointer.begin(), f.pointer.end(), '/'));
            return deepest;
        };
        const auto best = *std::min_element(candidates.begin(), candidates.end(),
                                            [&](const auto *a, const auto *b) {
                                                if (a->size() != b->size())
                                                    return a->size() < b->size();
                                                return depth(*a) > depth(*b);
                                            });
        for (Failure &f : *best)
            if (m_out->size() < FailureCap)
                m_out->push_back(std::move(f));
        return false;
    }

    bool visit(const AnyOfConstraint &c) override
    {
        bool matched = false;
        std::vector<std::vector<Failure>> branches;
        c.applyToSubschemas([&](unsigned, const Subschema *s) {
            std::vector<Failure> failures;
            if (evaluate(m_d, *s, m_v, m_pointer, m_out ? &failures : nullptr)) {
                matched = true;
                return false;
            }
            branches.push_back(std::move(failures));
            return true;
        });
        return matched || reportAlternatives(branches, Keyword::AnyOf);
    }

    bool visit(const OneOfConstraint &c) override
    {
        int matches = 0;
        std::vector<std::vector<Failure>> branches;
        c.applyToSubschemas([&](unsigned, const Subschema *s) {
            std::vector<Failure> failures;
            if (evaluate(m_d, *s, m_v, m_pointer, m_out && matches == 0 ? &failures : nullptr))
                ++matches;
            else if (matches == 0)
                branches.push_back(std::move(failures));
            return matches < 2;
        });
        if (matches == 1)
            return true;
        if (matches > 1)
            return fail(Keyword::OneOf,
                        QStringLiteral("matches more than one of the allowed alternatives, "
                                       "so it is ambiguous"));
        return reportAlternatives(branches, Keyword::OneOf);
    }

    bool visit(const ConditionalConstraint &c) override
    {
        const Subschema *ifSchema = c.getIfSubschema();
        if (!ifSchema)
            return true;
        const Subschema *next = evaluate(m_d, *ifSchema, m_v, m_pointer, nullptr)
            ? c.getThenSubschema()
            : c.getElseSubschema();
        return !next || evaluate(m_d, *next, m_v, m_pointer, m_out);
    }

    bool visit(const ConstConstraint &c) override
    {
        const Annotation *a = m_d.annotation(m_schema);
        if (a && a->constValue) {
            if (jsonEqual(m_v, *a->constValue))
                return true;
            return failValue(Keyword::Const,
                             QStringLiteral("must be %1, got %2")
                                 .arg(showValue(*a->constValue), showValue(m_v)));
        }
        const nlohmann::json plain = toUnordered(m_v);
        if (c.getValue()->equalTo(valijson::adapters::NlohmannJsonAdapter(plain), true))
            return true;
        return failValue(Keyword::Const,
                         QStringLiteral("must be the constant value, got %1").arg(showValue(m_v)));
    }

    bool visit(const ContainsConstraint &c) override
    {
        if (!m_v.is_array() || !c.getSubschema())
            return true;
        for (const Json &item : m_v)
            if (evaluate(m_d, *c.getSubschema(), item, m_pointer, nullptr))
                return true;
        return fail(
            Keyword::Contains,
            QStringLiteral("must contain at least one item that matches the 'contains' schema"));
    }

    bool visit(const DependenciesConstraint &c) override
    {
        if (!m_v.is_object())
            return true;
        bool ok = true;
        c.applyToPropertyDependencies([&](const auto &name, const auto &required) {
            if (!m_v.contains(std::string(name.c_str())))
                return true;
            for (const auto &other : required) {
                if (!m_v.contains(std::string(other.c_str()))) {
                    ok = fail(Keyword::Dependencies,
                              QStringLiteral("'%1' requires '%2' as well")
                                  .arg(toQString(std::string(name.c_str())),
                                       toQString(std::string(other.c_str()))),
                              toQString(std::string(other.c_str())));
                    if (!m_out)
                        return false;
                }
            }
            return true;
        });
        c.applyToSchemaDependencies([&](const auto &name, const Subschema *s) {
            if (m_v.contains(std::string(name.c_str())))
                ok = evaluate(m_d, *s, m_v, m_pointer, m_out) && ok;
            return ok || m_out;
        });
        return ok;
    }

    bool visit(const EnumConstraint &c) override
    {
        const Annotation *a = m_d.annotation(m_schema);
        if (a && !a->enumValues.empty()) {
            for (const Json &allowed : a->enumValues)
                if (jsonEqual(m_v, allowed))
                    return true;
            if (!m_out)
                return false;
            QStringList shown;
            for (const Json &allowed : a->enumValues) {
                if (shown.size() == 12) {
                    shown.append(QStringLiteral("..."));
                    break;
                }
                shown.append(showValue(allowed));
            }
            QString message = QStringLiteral("must be one of %1, got %2")
                                  .arg(shown.join(QStringLiteral(", ")), showValue(m_v));
            if (m_v.is_string()) {
                std::vector<std::string> known;
                for (const Json &allowed : a->enumValues)
                    if (allowed.is_string())
                        known.push_back(allowed.get<std::string>());
                const std::string suggestion = closest(m_v.get<std::string>(), known);
                if (!suggestion.empty())
                    message += QStringLiteral(" (did you mean \"%1\"?)").arg(toQString(suggestion));
            }
            return failValue(Keyword::Enum, message);
        }
        const nlohmann::json plain = toUnordered(m_v);
        const valijson::adapters::NlohmannJsonAdapter adapter(plain);
        bool matched = false;
        c.applyToValues([&](const valijson::adapters::FrozenValue &allowed) {
            matched = allowed.equalTo(adapter, true);
            return !matched;
        });
        return matched
            || failValue(
                   Keyword::Enum,
                   QStringLiteral("is not one of the allowed values, got %1").arg(showValue(m_v)));
    }

    bool visit(const FormatConstraint &c) override
    {
        if (!m_v.is_string())
            return true;
        if (checkFormat(c.getFormat(), toQString(m_v.get<std::string>())))
            return true;
        return failValue(Keyword::Format,
                         QStringLiteral("must be a valid %1, got %2")
                             .arg(toQString(c.getFormat()), showValue(m_v)));
    }

    bool visit(const LinearItemsConstraint &c) override
    {
        if (!m_v.is_array())
            return true;
        bool ok = true;
        std::size_t count = 0;
        c.applyToItemSubschemas([&](unsigned index, const Subschema *s) {
            ++count;
            if (index < m_v.size())
                ok = child(*s, m_v[index], std::to_string(index)) && ok;
            return ok || m_out;
        });
        if (m_v.size() <= count)
            return ok;
        const Subschema *additional = c.getAdditionalItemsSubschema();
        if (!additional)
            return fail(
                Keyword::AdditionalItems,
                QStringLiteral("must have at most %1 items, got %2").arg(count).arg(m_v.size()));
        for (std::size_t i = count; i < m_v.size() && (ok || m_out); ++i)
            ok = child(*additional, m_v[i], std::to_string(i)) && ok;
        return ok;
    }

    bool visit(const MaximumConstraint &c) override
    {
        if (!m_v.is_number())
            return true;
        const double value = m_v.get<double>();
        const bool exclusive = c.getExclusiveMaximum();
        if (exclusive ? value < c.getMaximum() : value <= c.getMaximum())
            return true;
        return failValue(Keyword::Maximum,
                         QStringLiteral("must be %1 %2, got %3")
                             .arg(exclusive ? QStringLiteral("<") : QStringLiteral("<="),
                                  showNumber(c.getMaximum()), showValue(m_v)));
    }

    bool visit(const MinimumConstraint &c) override
    {
        if (!m_v.is_number())
            return true;
        const double value = m_v.get<double>();
        const bool exclusive = c.getExclusiveMinimum();
        if (exclusive ? value > c.getMinimum() : value >= c.getMinimum())
            return true;
        return failValue(Keyword::Minimum,
                         QStringLiteral("must be %1 %2, got %3")
                             .arg(exclusive ? QStringLiteral(">") : QStringLiteral(">="),
                                  showNumber(c.getMinimum()), showValue(m_v)));
    }

    bool visit(const MaxItemsConstraint &c) override
    {
        if (!m_v.is_array() || m_v.size() <= c.getMaxItems())
            return true;
        return fail(Keyword::MaxItems,
                    QStringLiteral("must have at most %1 items, got %2")
                        .arg(c.getMaxItems())
                        .arg(m_v.size()));
    }

    bool visit(const MinItemsConstraint &c) override
    {
        if (!m_v.is_array() || m_v.size() >= c.getMinItems())
            return true;
        return fail(Keyword::MinItems,
                    QStringLiteral("must have at least %1 item(s), got %2")
                        .arg(c.getMinItems())
                        .arg(m_v.size()));
    }

    bool visit(const MaxLengthConstraint &c) override
    {
        if (!m_v.is_string())
            return true;
        const qsizetype length = codePointCount(m_v.get_ref<const std::string &>());
        if (static_cast<std::uint64_t>(length) <= c.getMaxLength())
            return true;
        return failValue(Keyword::MaxLength,
                         QStringLiteral("must be at most %1 characters long, got %2")
                             .arg(c.getMaxLength())
                             .arg(length));
    }

    bool visit(const MinLengthConstraint &c) override
    {
        if (!m_v.is_string())
            return true;
        const qsizetype length = codePointCount(m_v.get_ref<const std::string &>());
        if (static_cast<std::uint64_t>(length) >= c.getMinLength())
            return true;
        if (length == 0)
            return failValue(Keyword::MinLength, QStringLiteral("must not be empty"));
        return failValue(Keyword::MinLength,
                         QStringLiteral("must be at least %1 characters long, got %2")
                             .arg(c.getMinLength())
                             .arg(length));
    }

    bool visit(const MaxPropertiesConstraint &c) override
    {
        if (!m_v.is_object() || m_v.size() <= c.getMaxProperties())
            return true;
        return fail(Keyword::MaxProperties,
                    QStringLiteral("must have at most %1 members, got %2")
                        .arg(c.getMaxProperties())
                        .arg(m_v.size()));
    }

    bool visit(const MinPropertiesConstraint &c) override
    {
        if (!m_v.is_object() || m_v.size() >= c.getMinProperties())
            return true;
        return fail(Keyword::MinProperties,
                    QStringLiteral("must have at least %1 member(s), got %2")
                        .arg(c.getMinProperties())
                        .arg(m_v.size()));
    }

    bool multipleOf(double divisor)
    {
        if (!m_v.is_number() || divisor == 0)
            return true;
        const double quotient = m_v.get<double>() / divisor;
        if (std::isfinite(quotient) && std::fabs(quotient - std::round(quotient)) < 1e-9)
            return true;
        return failValue(Keyword::MultipleOf,
                         QStringLiteral("must be a multiple of %1, got %2")
                             .arg(showNumber(divisor), showValue(m_v)));
    }
    bool visit(const MultipleOfDoubleConstraint &c) override { return multipleOf(c.getDivisor()); }
    bool visit(const MultipleOfIntConstraint &c) override
    {
        const std::int64_t divisor = c.getDivisor();
        if (divisor == 0 || !m_v.is_number_integer())
            return multipleOf(static_cast<double>(divisor));
        const bool ok = m_v.is_number_unsigned()
            ? m_v.get<std::uint64_t>() % static_cast<std::uint64_t>(std::llabs(divisor)) == 0
            : m_v.get<std::int64_t>() % divisor == 0;
        if (ok)
            return true;
        return failValue(
            Keyword::MultipleOf,
            QStringLiteral("must be a multiple of %1, got %2").arg(divisor).arg(showValue(m_v)));
    }

    bool visit(const NotConstraint &c) override
    {
        if (!c.getSubschema() || !evaluate(m_d, *c.getSubschema(), m_v, m_pointer, nullptr))
            return true;
        return fail(Keyword::Not, QStringLiteral("must not match the schema given in 'not'"));
    }

    bool visit(const PatternConstraint &c) override
    {
        if (!m_v.is_string())
            return true;
        const std::string pattern = c.getPattern<std::allocator<char>>();
        const QString text = toQString(m_v.get<std::string>());
        const QRegularExpression *re = m_d.regex(pattern);
        const bool matched = re ? re->match(text).hasMatch()
                                : QRegularExpression(toQString(pattern)).match(text).hasMatch();
        if (matched)
            return true;
        return failValue(Keyword::Pattern,
                         QStringLiteral("must match the pattern %1, got %2")
                             .arg(toQString(pattern), showValue(m_v)));
    }

    bool visit(const PolyConstraint &) override { return true; }

    bool visit(const PropertiesConstraint &c) override
    {
        if (!m_v.is_object())
            return true;
        const auto found = m_d.properties.find(&c);
        if (found == m_d.properties.end())
            return true; // not indexed: cannot happen after compile()
        const JsonSchemaValidator::Private::PropertyIndex &index = found->second;
        bool ok = true;
        for (auto it = m_v.begin(); it != m_v.end() && (ok || m_out); ++it) {
            const std::string &name = it.key();
            bool matched = false;
            const auto named = index.named.find(name);
            if (named != index.named.end()) {
                matched = true;
                ok = child(*named->second, it.value(), name) && ok;
            }
            if (!index.patterns.empty()) {
                const QString qname = toQString(name);
                for (const auto &[re, s] : index.patterns) {
                    if (re && re->match(qname).hasMatch()) {
                        matched = true;
                        ok = child(*s, it.value(), name) && ok;
                    }
                }
            }
            if (matched)
                continue;
            if (!index.additional) {
                QString message = QStringLiteral("unknown field '%1'").arg(toQString(name));
                if (m_out) {
                    std::vector<std::string> known;
                    for (const auto &[key, schema] : index.named)
                        known.push_back(key);
                    const std::string suggestion = closest(name, known);
                    if (!suggestion.empty())
                        message
                            += QStringLiteral(" (did you mean '%1'?)").arg(toQString(suggestion));
                }
                ok = fail(Keyword::AdditionalProperties, message, toQString(name));
            } else
                ok = child(*index.additional, it.value(), name) && ok;
        }
        return ok;
    }

    bool visit(const PropertyNamesConstraint &c) override
    {
        if (!m_v.is_object() || !c.getSubschema())
            return true;
        bool ok = true;
        for (auto it = m_v.begin(); it != m_v.end() && (ok || m_out); ++it) {
            std::vector<Failure> failures;
            std::string here = m_pointer;
            if (evaluate(m_d, *c.getSubschema(), Json(it.key()), here, m_out ? &failures : nullptr))
                continue;
            ok = false;
            for (const Failure &f : failures)
                fail(Keyword::PropertyNames,
                     QStringLiteral("member name '%1' %2").arg(toQString(it.key()), f.message),
                     toQString(it.key()));
        }
        return ok;
    }

    bool visit(const RequiredConstraint &c) override
    {
        if (!m_v.is_object())
            return true;
        bool ok = true;
        c.applyToRequiredProperties([&](const auto &name) {
            const std::string key(name.c_str());
            if (!m_v.contains(key)) {
                ok = fail(Keyword::Required,
                          QStringLiteral("missing required field '%1'").arg(toQString(key)),
                          toQString(key));
                return m_out != nullptr;
            }
            return true;
        });
        return ok;
    }

    bool visit(const SingularItemsConstraint &c) override
    {
        if (!m_v.is_array() || !c.getItemsSubschema())
            return true;
        bool ok = true;
        for (std::size_t i = 0; i < m_v.size() && (ok || m_out); ++i)
            ok = child(*c.getItemsSubschema(), m_v[i], std::to_string(i)) && ok;
        return ok;
    }

    bool visit(const TypeConstraint &c) override
    {
        bool matched = false;
        QStringList expected;
        c.applyToNamedTypes([&](vc::TypeConstraint::JsonType t) {
            switch (t) {
            case vc::TypeConstraint::kAny:
                matched = true;
                break;
            case vc::TypeConstraint::kArray:
                matched = m_v.is_array();
                break;
            case vc::TypeConstraint::kBoolean:
                matched = m_v.is_boolean();
                break;
            case vc::TypeConstraint::kInteger:
                matched = isInteger(m_v);
                break;
            case vc::TypeConstraint::kNull:
                matched = m_v.is_null();
                break;
            case vc::TypeConstraint::kNumber:
                matched = m_v.is_number();
                break;
            case vc::TypeConstraint::kObject:
                matched = m_v.is_object();
                break;
            case vc::TypeConstraint::kString:
                matched = m_v.is_string();
                break;
            }
            expected.append(typeName(t));
            return !matched;
        });
        if (matched || expected.isEmpty())
            return true;
        return fail(
            Keyword::Type,
            QStringLiteral("must be %1, got %2").arg(joinAlternatives(expected), typeName(m_v)), {},
            expected);
    }

    bool visit(const UniqueItemsConstraint &) override
    {
        if (!m_v.is_array())
            return true;
        for (std::size_t i = 0; i < m_v.size(); ++i)
            for (std::size_t j = i + 1; j < m_v.size(); ++j)
                if (jsonEqual(m_v[i], m_v[j]))
                    return fail(
                        Keyword::UniqueItems,
                        QStringLiteral("items must be unique, but items %1 and %2 are equal")
                            .arg(i)
                            .arg(j));
        return true;
    }

    const JsonSchemaValidator::Private &m_d;
    const Subschema &m_schema;
    const Json &m_v;
    std::string &m_pointer;
    std::vector<Failure> *m_out;
};

// Bounds the recursion of one evaluation (deeply nested values, schemas that refer
// to themselves without consuming the value), so hostile input cannot exhaust the
// stack of a gateway thread.
constexpr int MaxEvaluationDepth = 400;
thread_local int t_evaluationDepth = 0;

bool evaluate(const JsonSchemaValidator::Private &d, const Subschema &s, const Json &v,
              std::string &pointer, std::vector<Failure> *out)
{
    if (t_evaluationDepth >= MaxEvaluationDepth) {
        if (out && out->size() < FailureCap)
            out->push_back(
                {pointer, Keyword::Depth, QStringLiteral("is nested too deeply to check"), {}, {}});
        return false;
    }
    struct DepthGuard
    {
        DepthGuard() { ++t_evaluationDepth; }
        ~DepthGuard() { --t_evaluationDepth; }
        Q_DISABLE_COPY_MOVE(DepthGuard)
    } guard;
    if (s.getAlwaysInvalid()) {
        if (out && out->size() < FailureCap)
            out->push_back(
                {pointer, Keyword::False, QStringLiteral("is not allowed here"), {}, {}});
        return false;
    }
    Evaluator evaluator(d, s, v, pointer, out);
    Subschema::ApplyFunction fn
        = [&evaluator](const vc::Constraint &c) { return c.accept(evaluator); };
    return out ? s.apply(fn) : s.applyStrict(fn);
}

} // namespace

void JsonSchemaValidator::Private::compile(const Json &schemaJson, const Resolver &resolver,
                                           const QString &baseUri)
{
    nlohmann::json bundled = toUnordered(schemaJson);
    Bundler bundler(*this, resolver);
    if (!bundler.run(bundled, baseUri)) {
        errorString = bundler.error();
        return;
    }
    try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        const valijson::adapters::NlohmannJsonAdapter adapter(bundled);
        parser.populateSchema(adapter, schema);
    } catch (const std::exception &e) {
        errorString = QStringLiteral("invalid JSON Schema: %1").arg(QString::fromUtf8(e.what()));
        return;
    }
    Indexer(*this).run(schema);
    valid = true;
}

QString JsonSchemaValidator::Error::toString() const
{
    return (pointer.isEmpty() ? QStringLiteral("(root)") : pointer) + QStringLiteral(": ")
        + message;
}

JsonSchemaValidator::JsonSchemaValidator(const Json &schema, const Resolver &resolver,
                                         const QString &baseUri)
    : d(std::make_unique<Private>())
{
    d->compile(schema, resolver, baseUri);
}

namespace {

// Collects the "$ref" fragments of same-document references under `node`.
void localReferences(const Json &node, std::vector<std::string> *out)
{
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it.key() == "$ref" && it->is_string()) {
                const std::string &ref = it->get_ref<const std::string &>();
                if (!ref.empty() && ref.front() == '#')
                    out->push_back(
                        QUrl::fromPercentEncoding(QByteArray::fromStdString(ref.substr(1)))
                            .toStdString());
            } else {
                localReferences(it.value(), out);
            }
        }
    } else if (node.is_array()) {
        for (const Json &item : node)
            localReferences(item, out);
    }
}

} // namespace

JsonSchemaValidator JsonSchemaValidator::forSubschema(const Json &document, const QString &pointer,
                                                      const Resolver &resolver,
                                                      const QString &documentUri)
{
    const QString uri
        = QUrl(documentUri.isEmpty() ? QStringLiteral("urn:gatehouse:document") : documentUri)
              .adjusted(QUrl::RemoveFragment)
              .toString(QUrl::FullyEncoded);
    // A copy of just what the schema reaches, at the same places.
    Json reached = Json::object();
    std::vector<std::string> pending {toStdString(pointer)};
    std::unordered_set<std::string> done;
    while (!pending.empty()) {
        const std::string next = pending.back();
        pending.pop_back();
        if (!done.insert(next).second)
            continue;
        try {
            const Json::json_pointer location(next);
            if (!document.contains(location))
                continue; // the bundler reports the dangling reference
            const Json &part = document.at(location);
            reached[location] = part;
            localReferences(part, &pending);
        } catch (const std::exception &) {
            continue; // malformed pointer: reported by the bundler too
        }
    }
    QString fragment = pointer;
    fragment.replace(u'%', QStringLiteral("%25"));
    const Json schema = Json {{"$ref", toStdString(uri + u'#' + fragment)}};
    const Resolver withDocument = [&](const QString &requested) -> std::optional<Json> {
        if (requested == uri)
            return reached;
        return resolver ? resolver(requested) : std::nullopt;
    };
    return JsonSchemaValidator(schema, withDocument, QStringLiteral("urn:gatehouse:subschema"));
}

JsonSchemaValidator::~JsonSchemaValidator() = default;
JsonSchemaValidator::JsonSchemaValidator(JsonSchemaValidator &&) noexcept = default;
JsonSchemaValidator &JsonSchemaValidator::operator=(JsonSchemaValidator &&) noexcept = default;

bool JsonSchemaValidator::isValid() const
{
    return d && d->valid;
}

QString JsonSchemaValidator::errorString() const
{
    return d ? d->errorString : QString();
}

QString JsonSchemaValidator::objectSchemaProblem(const Json &schema)
{
    const auto type = schema.is_object() ? schema.find("type") : schema.end();
    if (!schema.is_object() || (type != schema.end() && *type != Json("object")))
        return QStringLiteral("not a JSON Schema of type object");
    const JsonSchemaValidator validator(schema);
    return validator.isValid() ? QString() : validator.errorString();
}

QList<JsonSchemaValidator::Error> JsonSchemaValidator::validate(const Json &instance,
                                                                int maxErrors) const
{
    QList<Error> errors;
    if (!isValid())
        return errors;
    std::vector<Failure> failures;
    std::string pointer;
    if (evaluate(*d, d->schema, instance, pointer, &failures))
        return errors;
    for (const Failure &f : failures) {
        if (errors.size() >= maxErrors)
            break;
        Error e {toQString(f.pointer), f.message, f.keyword, f.property};
        if (!errors.contains(e))
            errors.append(std::move(e));
    }
    return errors;
}

bool JsonSchemaValidator::accepts(const Json &instance) const
{
    if (!isValid())
        return true;
    std::string pointer;
    return evaluate(*d, d->schema, instance, pointer, nullptr);
}

} // namespace Gatehouse
