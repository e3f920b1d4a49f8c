// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/policycatalog.h"

#include "asyncapi/gatehouseschema.h"
#include "policy/policyconfig.h"

#include <QRegularExpression>

#include <cmath>
#include <cstdlib>

namespace Gatehouse::Policies {

namespace {

QString str(const Json &value, const char *key)
{
    const auto it = value.find(key);
    return it != value.end() && it->is_string() ? toQString(it->get<std::string>()) : QString();
}

bool hasType(const Json &schema, const char *type)
{
    const auto it = schema.find("type");
    if (it == schema.end())
        return false;
    if (it->is_string())
        return it->get<std::string>() == type;
    if (it->is_array())
        for (const Json &t : *it)
            if (t.is_string() && t.get<std::string>() == type)
                return true;
    return false;
}

PolicySetting::Kind kindOf(const Json &schema)
{
    using Kind = PolicySetting::Kind;
    const QString format = str(schema, "format");
    if (schema.contains("enum"))
        return Kind::Choice;
    if (format == u"size")
        return Kind::Size;
    if (format == u"duration")
        return Kind::Duration;
    if (format == u"seconds")
        return Kind::Seconds;
    if (format == u"name-or-false")
        return Kind::NameOrFalse;
    if (hasType(schema, "array")) {
        const auto items = schema.find("items");
        return items != schema.end() && hasType(*items, "string") ? Kind::TextList
                                                                  : Kind::Structured;
    }
    if (hasType(schema, "object"))
        return Kind::Structured;
    if (hasType(schema, "boolean"))
        return Kind::Boolean;
    if (hasType(schema, "integer"))
        return Kind::Integer;
    if (hasType(schema, "number"))
        return Kind::Number;
    return Kind::Text;
}

// A setting from its schema; `key` may name a nested member ("broadcast/serverTime").
PolicySetting settingOf(const QString &key, const Json &schema)
{
    PolicySetting setting;
    setting.key = key;
    setting.kind = kindOf(schema);
    setting.format = str(schema, "format");
    setting.help = str(schema, "description");
    if (const auto d = schema.find("default"); d != schema.end())
        setting.defaultValue = *d;
    if (const auto e = schema.find("enum"); e != schema.end() && e->is_array())
        for (const Json &choice : *e)
            setting.choices.append(choice);
    if (const auto m = schema.find("minimum"); m != schema.end() && m->is_number())
        setting.minimum = m->get<double>();
    if (const auto m = schema.find("maximum"); m != schema.end() && m->is_number())
        setting.maximum = m->get<double>();
    return setting;
}

// The properties of a schema object at `path` (empty when the schema has none there).
const Json &propertiesAt(std::initializer_list<const char *> path)
{
    static const Json none = Json::object();
    const Json *at = &gatehouseSchema();
    for (const char *part : path) {
        if (at->is_array()) {
            const size_t index = size_t(std::atoi(part));
            if (index >= at->size())
                return none;
            at = &(*at)[index];
            continue;
        }
        const auto it = at->find(part);
        if (it == at->end())
            return none;
        at = &*it;
    }
    return at->is_object() ? *at : none;
}

QList<PolicyType> readCatalog()
{
    QList<PolicyType> types;
    const Json &properties = propertiesAt({"definitions", "policySettings", "properties"});
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        PolicyType type;
        type.type = toQString(it.key());
        type.title = str(*it, "title");
        type.description = str(*it, "description");
        const auto settings = it->find("properties");
        if (settings != it->end() && settings->is_object())
            for (auto s = settings->begin(); s != settings->end(); ++s)
                type.settings.append(settingOf(toQString(s.key()), *s));
        types.append(type);
    }
    return types;
}

QList<PolicySetting> readMockSettings()
{
    QList<PolicySetting> settings;
    const Json &properties = propertiesAt({"definitions", "mock", "oneOf", "1", "properties"});
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QString key = toQString(it.key());
        const auto nested = it->find("properties");
        if (nested != it->end() && nested->is_object() && !nested->empty()) {
            for (auto n = nested->begin(); n != nested->end(); ++n)
                settings.append(settingOf(key + u'/' + toQString(n.key()), *n));
        } else {
            settings.append(settingOf(key, *it));
        }
    }
    return settings;
}

QString plain(const Json &value)
{
    if (value.is_string())
        return toQString(value.get<std::string>());
    if (value.is_null())
        return QString();
    return toQString(value.dump());
}

bool isWholeNumber(const QString &text, qint64 *number)
{
    static const QRegularExpression re(QStringLiteral("^-?\\d{1,15}$"));
    if (!re.match(text).hasMatch())
        return false;
    *number = text.toLongLong();
    return true;
}

} // namespace

QString PolicySetting::defaultText() const
{
    if (defaultValue.is_null())
        return QString();
    return plain(defaultValue);
}

const PolicySetting *PolicyType::setting(const QString &key) const
{
    for (const PolicySetting &s : settings)
        if (s.key == key)
            return &s;
    return nullptr;
}

const QList<PolicyType> &PolicyCatalog::types()
{
    static const QList<PolicyType> catalog = readCatalog();
    return catalog;
}

const QList<PolicySetting> &PolicyCatalog::mockSettings()
{
    static const QList<PolicySetting> settings = readMockSettings();
    return settings;
}

const PolicyType *PolicyCatalog::type(const QString &type)
{
    for (const PolicyType &t : types())
        if (t.type == type)
            return &t;
    return nullptr;
}

std::optional<Json> PolicyCatalog::valueOf(const PolicySetting &setting, const QString &typed,
                                           QString *error)
{
    using Kind = PolicySetting::Kind;
    const QString text = setting.kind == Kind::TextList ? typed : typed.trimmed();
    const auto fail = [&](const QString &why) -> std::optional<Json> {
        if (error)
            *error = setting.key + QStringLiteral(": ") + why;
        return std::nullopt;
    };
    const auto quoted = [&]() -> QString { return u'"' + text + u'"'; };
    const auto inRange = [&](double n) -> bool {
        return (!setting.minimum || n >= *setting.minimum)
            && (!setting.maximum || n <= *setting.maximum);
    };
    const auto range = [&] {
        if (setting.minimum && setting.maximum)
            return QStringLiteral("from %1 to %2")
                .arg(QString::number(*setting.minimum), QString::number(*setting.maximum));
        if (setting.minimum)
            return QStringLiteral("%1 or more").arg(QString::number(*setting.minimum));
        return QStringLiteral("at most %1").arg(QString::number(*setting.maximum));
    };
    qint64 whole = 0;
    switch (setting.kind) {
    case Kind::Boolean:
        if (text == u"true")
            return Json(true);
        if (text == u"false")
            return Json(false);
        return fail(QStringLiteral("expected true or false, got %1").arg(quoted()));
    case Kind::Choice:
        for (const Json &choice : setting.choices)
            if (plain(choice) == text)
                return choice;
        {
            QStringList names;
            for (const Json &choice : setting.choices)
                names.append(plain(choice));
            return fail(QStringLiteral("expected one of %1, got %2")
                            .arg(names.join(QStringLiteral(", ")), quoted()));
        }
    case Kind::Integer:
        if (!isWholeNumber(text, &whole))
            return fail(QStringLiteral("expected a whole number, got %1").arg(quoted()));
        if (!inRange(double(whole)))
            return fail(QStringLiteral("expected a whole number %1, got %2").arg(range(), text));
        return Json(whole);
    case Kind::Number: {
        bool ok = false;
        const double n = text.toDouble(&ok);
        if (!ok || !std::isfinite(n))
            return fail(QStringLiteral("expected a number, got %1").arg(quoted()));
        if (!inRange(n))
            return fail(QStringLiteral("expected a number %1, got %2").arg(range(), text));
        if (isWholeNumber(text, &whole))
            return Json(whole);
        return Json(n);
    }
    case Kind::Text:
        return Json(toStdString(text));
    case Kind::NameOrFalse: {
        if (text == u"false")
            return Json(false);
        static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
        if (!token.match(text).hasMatch())
            return fail(QStringLiteral("expected a header or parameter name, or false, got %1")
                            .arg(quoted()));
        return Json(toStdString(text));
    }
    case Kind::Size:
        if (isWholeNumber(text, &whole) && whole >= 0)
            return Json(whole);
        if (PolicyConfig::parseByteSize(text))
            return Json(toStdString(text));
        return fail(QStringLiteral("expected a size such as 64KiB or a number of bytes, got %1")
                        .arg(quoted()));
    case Kind::Duration:
        if (isWholeNumber(text, &whole) && whole >= 0)
            return Json(whole);
        if (PolicyConfig::parseDuration(text))
            return Json(toStdString(text));
        return fail(QStringLiteral("expected a duration such as 250ms, 5s, 2m or a number of "
                                   "milliseconds, got %1")
                        .arg(quoted()));
    case Kind::Seconds: {
        bool ok = false;
        const double n = text.toDouble(&ok);
        if (ok && n >= 0 && std::isfinite(n))
            return isWholeNumber(text, &whole) ? Json(whole) : Json(n);
        if (PolicyConfig::parseDuration(text))
            return Json(toStdString(text));
        return fail(QStringLiteral("expected a number of seconds or a duration such as 30s, got %1")
                        .arg(quoted()));
    }
    case Kind::TextList: {
        Json list = Json::array();
        const QStringList lines = text.split(u'\n');
        for (const QString &line : lines) {
            const QString item = line.trimmed();
            if (item.isEmpty())
                continue;
            if (setting.format == u"regex") {
                const QRegularExpression re(item);
                if (!re.isValid())
                    return fail(QStringLiteral("\"%1\" is not a regular expression: %2")
                                    .arg(item, re.errorString()));
            }
            list.push_back(toStdString(item));
        }
        return list;
    }
    case Kind::Structured:
        return fail(QStringLiteral("is written as YAML"));
    }
    return std::nullopt;
}

QString PolicyCatalog::textOf(const PolicySetting &setting, const Json &value)
{
    if (setting.kind == PolicySetting::Kind::TextList && value.is_array()) {
        QStringList lines;
        for (const Json &item : value)
            lines.append(plain(item));
        return lines.join(u'\n');
    }
    return plain(value);
}

QString PolicyCatalog::summary(const Policy &policy)
{
    const PolicyType *known = type(policy.type);
    const QString title = known && !known->title.isEmpty() ? known->title : policy.type;
    if (!policy.config.is_object())
        return title;
    const auto enabled = policy.config.find("enabled");
    if (enabled != policy.config.end() && enabled->is_boolean() && !enabled->get<bool>())
        return title + QStringLiteral(": off");
    QStringList parts;
    for (auto it = policy.config.begin(); it != policy.config.end(); ++it) {
        if (it.key() == "type" || it.key() == "enabled")
            continue;
        QString value;
        if (it->is_array())
            value = it->size() == 1 ? QStringLiteral("1 item")
                                    : QStringLiteral("%1 items").arg(it->size());
        else if (it->is_object())
            value = QStringLiteral("{…}");
        else
            value = plain(*it);
        if (value.size() > 24)
            value = value.left(23) + u'…';
        parts.append(toQString(it.key()) + u' ' + value);
    }
    if (parts.isEmpty())
        return title + QStringLiteral(": defaults");
    return title + QStringLiteral(": ") + parts.join(QStringLiteral(", "));
}

} // namespace Gatehouse::Policies
