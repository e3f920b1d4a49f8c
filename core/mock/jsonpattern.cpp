// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/jsonpattern.h"

#include "api/boundedjson.h"

#include <QRegularExpression>

namespace Gatehouse {

namespace {

QString shortDump(const Json &value)
{
    QString text
        = QString::fromStdString(value.dump(-1, ' ', false, Json::error_handler_t::replace));
    if (text.size() > 80)
        text = text.left(77) + QStringLiteral("...");
    return text;
}

QString escapeToken(const std::string &key)
{
    QString token = QString::fromStdString(key);
    token.replace(u'~', QStringLiteral("~0"));
    token.replace(u'/', QStringLiteral("~1"));
    return token;
}

bool matchAt(const Json &pattern, const Json &value, const QString &pointer, QString *why)
{
    auto fail = [&](const QString &reason) {
        if (why)
            *why = (pointer.isEmpty() ? QStringLiteral("(root)") : pointer) + QStringLiteral(": ")
                + reason;
        return false;
    };

    if (pattern.is_string()) {
        const QString p = QString::fromStdString(pattern.get<std::string>());
        if (p == u"*")
            return true;
        if (p.size() >= 2 && p.startsWith(u'/') && p.endsWith(u'/')) {
            const QRegularExpression re(p.mid(1, p.size() - 2));
            if (!re.isValid())
                return fail(QStringLiteral("pattern %1 is not a valid regular expression").arg(p));
            const QString subject = value.is_string()
                ? QString::fromStdString(value.get<std::string>())
                : QString::fromStdString(value.dump());
            if (re.match(subject).hasMatch())
                return true;
            return fail(QStringLiteral("expected a match of %1, got %2").arg(p, shortDump(value)));
        }
        if (value.is_string() && value.get<std::string>() == pattern.get<std::string>())
            return true;
        return fail(
            QStringLiteral("expected %1, got %2").arg(shortDump(pattern), shortDump(value)));
    }
    if (pattern.is_object()) {
        if (!value.is_object())
            return fail(QStringLiteral("expected an object, got %1").arg(shortDump(value)));
        for (auto it = pattern.begin(); it != pattern.end(); ++it) {
            const QString child = pointer + u'/' + escapeToken(it.key());
            const auto found = value.find(it.key());
            if (found == value.end()) {
                if (why)
                    *why = child + QStringLiteral(": missing");
                return false;
            }
            if (!matchAt(it.value(), *found, child, why))
                return false;
        }
        return true;
    }
    if (pattern.is_array()) {
        if (!value.is_array() || value.size() != pattern.size())
            return fail(QStringLiteral("expected an array of %1 items, got %2")
                            .arg(pattern.size())
                            .arg(shortDump(value)));
        for (size_t i = 0; i < pattern.size(); ++i)
            if (!matchAt(pattern[i], value[i], pointer + u'/' + QString::number(i), why))
                return false;
        return true;
    }
    if (pattern.is_number() && value.is_number()) {
        if (pattern.get<double>() == value.get<double>())
            return true;
        return fail(
            QStringLiteral("expected %1, got %2").arg(shortDump(pattern), shortDump(value)));
    }
    if (pattern == value)
        return true;
    return fail(QStringLiteral("expected %1, got %2").arg(shortDump(pattern), shortDump(value)));
}

} // namespace

bool JsonPattern::matches(const Json &pattern, const Json &value, QString *why)
{
    return matchAt(pattern, value, QString(), why);
}

Json JsonPattern::valueOfText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    Json value = parseBoundedJson(utf8); // deeper than MaxJsonDepth: text, as invalid JSON is
    if (value.is_discarded())
        return Json(utf8.toStdString());
    return value;
}

} // namespace Gatehouse
