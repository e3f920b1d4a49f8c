// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/policyconfig.h"

#include <QRegularExpression>

#include <cmath>

namespace Gatehouse::Policies {

namespace {

QString keyPath(const QString &base, const QString &key)
{
    static const QRegularExpression plain(
        QStringLiteral("^[A-Za-z_$][A-Za-z0-9_$-]*(\\[\\d+\\])*$"));
    if (plain.match(key).hasMatch())
        return base.isEmpty() ? key : base + u'.' + key;
    QString quoted = key;
    quoted.replace(u'"', QStringLiteral("\\\""));
    return base + QStringLiteral("[\"") + quoted + QStringLiteral("\"]");
}

} // namespace

PolicyConfig::PolicyConfig(const Json &object, const QString &path)
    : PolicyConfig(object, path, std::make_shared<QString>())
{
    if (!m_json.is_object() && !m_json.is_null())
        *m_error = QStringLiteral("%1: expected an object, got %2").arg(m_path, describe(m_json));
}

PolicyConfig::PolicyConfig(const Json &object, const QString &path, std::shared_ptr<QString> error)
    : m_json(object.is_null() ? Json::object() : object)
    , m_path(path)
    , m_error(std::move(error))
{ }

QString PolicyConfig::pathOf(const QString &key) const
{
    return keyPath(m_path, key);
}

bool PolicyConfig::has(const QString &key) const
{
    return value(key) != nullptr;
}

const Json *PolicyConfig::value(const QString &key) const
{
    if (!m_json.is_object())
        return nullptr;
    const auto it = m_json.find(toStdString(key));
    if (it == m_json.end() || it->is_null())
        return nullptr;
    return &*it;
}

void PolicyConfig::fail(const QString &key, const QString &message)
{
    if (!m_error->isEmpty())
        return;
    *m_error = (key.isEmpty() ? m_path : pathOf(key)) + QStringLiteral(": ") + message;
}

void PolicyConfig::allowOnly(const QStringList &known)
{
    if (!m_json.is_object())
        return;
    for (auto it = m_json.begin(); it != m_json.end(); ++it) {
        const QString key = toQString(it.key());
        if (!known.contains(key))
            fail(key, QStringLiteral("unknown key (expected one of: %1)").arg(known.join(u", ")));
    }
}

bool PolicyConfig::boolean(const QString &key, bool defaultValue)
{
    const Json *v = value(key);
    if (!v)
        return defaultValue;
    if (!v->is_boolean()) {
        fail(key, QStringLiteral("expected true or false, got %1").arg(describe(*v)));
        return defaultValue;
    }
    return v->get<bool>();
}

qint64 PolicyConfig::integer(const QString &key, qint64 defaultValue, qint64 min, qint64 max)
{
    const Json *v = value(key);
    if (!v)
        return defaultValue;
    qint64 result = 0;
    if (v->is_number_unsigned()) {
        const auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<qint64>::max())) {
            fail(key, QStringLiteral("value %1 is too large").arg(describe(*v)));
            return defaultValue;
        }
        result = static_cast<qint64>(u);
    } else if (v->is_number_integer()) {
        result = v->get<std::int64_t>();
    } else if (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>()
               && std::abs(v->get<double>()) < 9.0e15) {
        result = static_cast<qint64>(v->get<double>());
    } else {
        fail(key, QStringLiteral("expected an integer, got %1").arg(describe(*v)));
        return defaultValue;
    }
    if (result < min || result > max) {
        if (max == std::numeric_limits<qint64>::max())
            fail(key, QStringLiteral("must be >= %1, got %2").arg(min).arg(result));
        else
            fail(key,
                 QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(result));
        return defaultValue;
    }
    return result;
}

double PolicyConfig::number(const QString &key, double defaultValue, double min, double max)
{
    const Json *v = value(key);
    if (!v)
        return defaultValue;
    if (!v->is_number()) {
        fail(key, QStringLiteral("expected a number, got %1").arg(describe(*v)));
        return defaultValue;
    }
    const double d = v->get<double>();
    if (!(d >= min && d <= max)) {
        fail(key, QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(d));
        return defaultValue;
    }
    return d;
}

QString PolicyConfig::string(const QString &key, const QString &defaultValue,
                             const QStringList &allowed)
{
    const Json *v = value(key);
    if (!v)
        return defaultValue;
    if (!v->is_string()) {
        fail(key, QStringLiteral("expected a string, got %1").arg(describe(*v)));
        return defaultValue;
    }
    const QString s = toQString(v->get<std::string>());
    if (!allowed.isEmpty() && !allowed.contains(s)) {
        fail(key, QStringLiteral("expected one of %1, got \"%2\"").arg(allowed.join(u", "), s));
        return defaultValue;
    }
    return s;
}

QStringList PolicyConfig::stringList(const QString &key)
{
    const Json *v = value(key);
    if (!v)
        return {};
    if (v->is_string())
        return {toQString(v->get<std::string>())};
    if (!v->is_array()) {
        fail(key, QStringLiteral("expected a list of strings, got %1").arg(describe(*v)));
        return {};
    }
    QStringList result;
    int index = 0;
    for (const Json &item : *v) {
        if (!item.is_string()) {
            fail(key + QStringLiteral("[%1]").arg(index),
                 QStringLiteral("expected a string, got %1").arg(describe(item)));
            return {};
        }
        result.append(toQString(item.get<std::string>()));
        ++index;
    }
    return result;
}

std::optional<std::chrono::milliseconds> PolicyConfig::parseDuration(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h|d)?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const double n = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    double factor = 1;
    if (unit == u"s")
        factor = 1000;
    else if (unit == u"m" || unit == u"min")
        factor = 60'000;
    else if (unit == u"h")
        factor = 3'600'000;
    else if (unit == u"d")
        factor = 86'400'000;
    const double ms = n * factor;
    if (ms > 1.0e15)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<qint64>(std::llround(ms)));
}

std::optional<qint64> PolicyConfig::parseByteSize(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*(B|KB|KiB|MB|MiB|GB|GiB|k|K|M|G)?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const double n = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    double factor = 1;
    if (unit == u"KB")
        factor = 1000;
    else if (unit == u"KiB" || unit == u"k" || unit == u"K")
        factor = 1024;
    else if (unit == u"MB")
        factor = 1000.0 * 1000;
    else if (unit == u"MiB" || unit == u"M")
        factor = 1024.0 * 1024;
    else if (unit == u"GB")
        factor = 1000.0 * 1000 * 1000;
    else if (unit == u"GiB" || unit == u"G")
        factor = 1024.0 * 1024 * 1024;
    const double bytes = n * factor;
    if (bytes > 1.0e15)
        return std::nullopt;
    return static_cast<qint64>(std::llround(bytes));
}

std::chrono::milliseconds PolicyConfig::duration(const QString &key,
                                                 std::chrono::milliseconds defaultValue)
{
    const Json *v = value(key);
    if (!v)
        return defaultValue;
    if (v->is_number()) {
        const double d = v->get<double>();
        if (d < 0 || d > 1.0e15) {
            fail(key, QStringLiteral("must be a duration >= 0, got %1").arg(describe(*v)));
            return defaultValue;
        }
        return std::chrono::milliseconds(static_cast<qint64>(std::llround(d)));
    }
    if (v->is_string()) {
        if (auto d = parseDuration(toQString(v->get<std::string>())))
            return *d;
    }
    fail(key,
         QStringLiteral("expected a duration such as 250ms, 5s, 2m or a number of "
                        "milliseconds, got %1")
             .arg(describe(*v)));
    return defaultValue;
}

qint64 PolicyConfig::byteSize(const QString &key, qint64 defaultValue)
{
    const Json *v = value(key);
    if (!v)
        return defaultValue;
    if (v->is_number()) {
        const double d = v->get<double>();
        if (d < 0 || d > 1.0e15 || std::floor(d) != d) {
            fail(key,
                 QStringLiteral("must be a whole number of bytes >= 0, got %1").arg(describe(*v)));
            return defaultValue;
        }
        return static_cast<qint64>(d);
    }
    if (v->is_string()) {
        if (auto b = parseByteSize(toQString(v->get<std::string>())))
            return *b;
    }
    fail(key,
         QStringLiteral("expected a size such as 65536, 64KiB or 1MiB, got %1").arg(describe(*v)));
    return defaultValue;
}

PolicyConfig PolicyConfig::object(const QString &key)
{
    const Json *v = value(key);
    if (v && !v->is_object()) {
        fail(key, QStringLiteral("expected an object, got %1").arg(describe(*v)));
        return PolicyConfig(Json::object(), pathOf(key), m_error);
    }
    return PolicyConfig(v ? *v : Json::object(), pathOf(key), m_error);
}

QList<PolicyConfig> PolicyConfig::objectList(const QString &key)
{
    const Json *v = value(key);
    if (!v)
        return {};
    if (!v->is_array()) {
        fail(key, QStringLiteral("expected a list, got %1").arg(describe(*v)));
        return {};
    }
    QList<PolicyConfig> result;
    int index = 0;
    for (const Json &item : *v) {
        const QString itemPath = pathOf(key) + QStringLiteral("[%1]").arg(index);
        if (!item.is_object()) {
            if (m_error->isEmpty())
                *m_error = itemPath + QStringLiteral(": expected an object, got ") + describe(item);
            return {};
        }
        result.append(PolicyConfig(item, itemPath, m_error));
        ++index;
    }
    return result;
}

QString PolicyConfig::describe(const Json &value)
{
    QString s = toQString(value.dump());
    if (s.size() > 60)
        s = s.left(57) + QStringLiteral("...");
    return s;
}

} // namespace Gatehouse::Policies
