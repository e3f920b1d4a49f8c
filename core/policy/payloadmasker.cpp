// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/payloadmasker.h"

#include "api/boundedjson.h"
#include "api/json.h"

namespace Gatehouse::Policies {

namespace {

void maskNames(Json &value, const QStringList &names, const Json &replacement)
{
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (names.contains(toQString(it.key()).toLower()))
                it.value() = replacement;
            else
                maskNames(it.value(), names, replacement);
        }
    } else if (value.is_array()) {
        for (Json &item : value)
            maskNames(item, names, replacement);
    }
}

} // namespace

PayloadMasker::Settings PayloadMasker::parse(PolicyConfig &config)
{
    Settings s;
    s.fields = config.stringList(QStringLiteral("mask"));
    for (int i = 0; i < s.fields.size(); ++i) {
        const QString &f = s.fields.at(i);
        if (f.isEmpty())
            config.fail(QStringLiteral("mask[%1]").arg(i), QStringLiteral("empty field name"));
        else if (f.startsWith(u'/')) {
            try {
                Json::json_pointer p(toStdString(f));
                Q_UNUSED(p);
            } catch (const std::exception &) {
                config.fail(QStringLiteral("mask[%1]").arg(i),
                            QStringLiteral("\"%1\" is not a valid JSON Pointer").arg(f));
            }
        }
    }
    s.cardNumbers = config.boolean(QStringLiteral("maskCardNumbers"), false);
    s.patterns = config.stringList(QStringLiteral("maskPatterns"));
    for (int i = 0; i < s.patterns.size(); ++i) {
        QRegularExpression re(s.patterns.at(i));
        if (!re.isValid())
            config.fail(QStringLiteral("maskPatterns[%1]").arg(i),
                        QStringLiteral("invalid regular expression: %1").arg(re.errorString()));
    }
    s.replacement = config.string(QStringLiteral("maskReplacement"), s.replacement);
    return s;
}

PayloadMasker::PayloadMasker(const Settings &settings)
    : m_settings(settings)
{
    QStringList textNames;
    for (const QString &f : settings.fields) {
        if (f.startsWith(u'/')) {
            m_pointers.append(f);
            const QString last = f.section(u'/', -1)
                                     .replace(QStringLiteral("~1"), QStringLiteral("/"))
                                     .replace(QStringLiteral("~0"), QStringLiteral("~"));
            if (!last.isEmpty())
                textNames.append(QRegularExpression::escape(last));
        } else {
            m_names.append(f.toLower());
            textNames.append(QRegularExpression::escape(f));
        }
    }
    for (const QString &p : settings.patterns) {
        QRegularExpression re(p);
        if (re.isValid())
            m_patterns.append(re);
    }
    if (!textNames.isEmpty())
        m_fieldText = QRegularExpression(
            QStringLiteral("(\"(?:%1)\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*(?:\"|$)|[^,}\\]\\s]+)")
                .arg(textNames.join(u'|')),
            QRegularExpression::CaseInsensitiveOption);
}

bool PayloadMasker::isEmpty() const
{
    return m_pointers.isEmpty() && m_names.isEmpty() && m_patterns.isEmpty()
        && !m_settings.cardNumbers;
}

bool PayloadMasker::luhnValid(QStringView digits)
{
    int sum = 0;
    bool doubleIt = false;
    int count = 0;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        const QChar c = digits.at(i);
        if (!c.isDigit())
            continue;
        int d = c.digitValue();
        if (doubleIt) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        doubleIt = !doubleIt;
        ++count;
    }
    return count >= 13 && sum % 10 == 0;
}

QString PayloadMasker::maskText(QString text) const
{
    if (m_settings.cardNumbers) {
        static const QRegularExpression card(
            QStringLiteral("(?<![\\d])\\d(?:[ -]?\\d){12,18}(?![\\d])"));
        QString out;
        qsizetype last = 0;
        auto it = card.globalMatch(text);
        while (it.hasNext()) {
            const auto m = it.next();
            out += QStringView(text).mid(last, m.capturedStart() - last);
            const QString match = m.captured();
            if (luhnValid(match)) {
                QString digits;
                for (QChar c : match)
                    if (c.isDigit())
                        digits += c;
                out += QString(digits.size() - 4, u'*') + digits.right(4);
            } else {
                out += match;
            }
            last = m.capturedEnd();
        }
        out += QStringView(text).mid(last);
        text = out;
    }
    for (const QRegularExpression &re : m_patterns)
        text.replace(re, m_settings.replacement);
    return text;
}

QByteArray PayloadMasker::mask(const QByteArray &payload, bool binary) const
{
    if (binary || isEmpty() || payload.isEmpty())
        return payload;
    const Json replacement = toStdString(m_settings.replacement);
    // (nested too deep to walk: masked as text, as payloads that are not JSON are)
    Json json = parseBoundedJson(payload);
    QString text;
    if (!json.is_discarded() && (!m_pointers.isEmpty() || !m_names.isEmpty())) {
        for (const QString &pointer : m_pointers) {
            try {
                Json::json_pointer p(toStdString(pointer));
                if (json.contains(p))
                    json[p] = replacement;
            } catch (const std::exception &) {
                // paths into a value of another type: nothing to mask there
            }
        }
        if (!m_names.isEmpty())
            maskNames(json, m_names, replacement);
        text = toQString(json.dump());
    } else {
        text = QString::fromUtf8(payload);
        if (m_fieldText.isValid() && !m_fieldText.pattern().isEmpty()) {
            const QString quoted = QString::fromStdString(replacement.dump());
            text.replace(m_fieldText,
                         QStringLiteral("\\1")
                             + QString(quoted).replace(u'\\', QStringLiteral("\\\\")));
        }
    }
    return maskText(text).toUtf8();
}

} // namespace Gatehouse::Policies
