// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/jsonpathfilter.h"

#include "api/boundedjson.h"

namespace Gatehouse::Client {

bool JsonPathFilter::looksLikePath(const QString &text)
{
    return text.trimmed().startsWith(u'$');
}

std::optional<JsonPathFilter> JsonPathFilter::parse(const QString &input, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<JsonPathFilter> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString text = input.trimmed();
    if (!text.startsWith(u'$'))
        return fail(QStringLiteral("a JSON path starts with $"));
    JsonPathFilter filter;
    qsizetype i = 1;
    while (i < text.size() && !text.at(i).isSpace() && text.at(i) != u'=' && text.at(i) != u'!') {
        if (text.at(i) == u'.') {
            qsizetype end = i + 1;
            while (end < text.size()
                   && (text.at(end).isLetterOrNumber() || text.at(end) == u'_'
                       || text.at(end) == u'-'))
                ++end;
            if (end == i + 1)
                return fail(QStringLiteral("column %1: a member name after '.'").arg(i + 1));
            filter.m_path.append(text.mid(i + 1, end - i - 1));
            i = end;
        } else if (text.at(i) == u'[') {
            const qsizetype close = text.indexOf(u']', i);
            if (close < 0)
                return fail(QStringLiteral("column %1: '[' without ']'").arg(i + 1));
            const QString inside = text.mid(i + 1, close - i - 1).trimmed();
            bool isIndex = false;
            const qsizetype index = inside.toLongLong(&isIndex);
            if (isIndex && index >= 0)
                filter.m_path.append(index);
            else if (inside.size() >= 2 && (inside.startsWith(u'"') || inside.startsWith(u'\''))
                     && inside.endsWith(inside.at(0)))
                filter.m_path.append(inside.mid(1, inside.size() - 2));
            else
                return fail(QStringLiteral("column %1: [N] or [\"name\"]").arg(i + 1));
            i = close + 1;
        } else {
            return fail(QStringLiteral("column %1: unexpected '%2'").arg(i + 1).arg(text.at(i)));
        }
    }
    const QString rest = text.mid(i).trimmed();
    if (rest.isEmpty())
        return filter;
    QString value;
    if (rest.startsWith(QStringLiteral("=="))) {
        filter.m_op = Op::Equals;
        value = rest.mid(2).trimmed();
    } else if (rest.startsWith(QStringLiteral("!="))) {
        filter.m_op = Op::Differs;
        value = rest.mid(2).trimmed();
    } else if (rest.startsWith(u'=')) {
        filter.m_op = Op::Equals;
        value = rest.mid(1).trimmed();
    } else {
        return fail(QStringLiteral("after the path: == VALUE or != VALUE"));
    }
    if (value.isEmpty())
        return fail(QStringLiteral("a value to compare with"));
    filter.m_value = Json::parse(value.toStdString(), nullptr, false);
    if (filter.m_value.is_discarded())
        filter.m_value = Json(value.toStdString()); // a bare word: a string
    return filter;
}

bool JsonPathFilter::matches(const QByteArray &message) const
{
    const QByteArray trimmed = message.trimmed();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('['))
        return false;
    const Json value = parseBoundedJson(message); // from a server: bounded nesting
    return !value.is_discarded() && matches(value);
}

bool JsonPathFilter::matches(const Json &root) const
{
    const Json *at = &root;
    for (const auto &step : m_path) {
        if (const QString *name = std::get_if<QString>(&step)) {
            if (!at->is_object())
                return m_op == Op::Differs;
            const auto it = at->find(name->toStdString());
            if (it == at->end())
                return m_op == Op::Differs;
            at = &*it;
        } else {
            const qsizetype index = std::get<qsizetype>(step);
            if (!at->is_array() || index >= qsizetype(at->size()))
                return m_op == Op::Differs;
            at = &(*at)[size_t(index)];
        }
    }
    switch (m_op) {
    case Op::Exists:
        return true;
    case Op::Equals:
        return *at == m_value;
    case Op::Differs:
        return *at != m_value;
    }
    return false;
}

} // namespace Gatehouse::Client
