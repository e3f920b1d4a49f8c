// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/topicmatcher.h"

#include "api/urlmapper.h"

#include <QStringDecoder>

namespace Gatehouse {

namespace {

QStringList splitPath(QStringView path)
{
    if (path.startsWith(u'/'))
        path = path.sliced(1);
    if (path.endsWith(u'/'))
        path.chop(1);
    if (path.isEmpty())
        return {};
    QStringList segments;
    for (QStringView s : path.split(u'/'))
        segments.append(s.toString());
    return segments;
}

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.';
}

int hexValue(QChar c)
{
    if (c >= u'0' && c <= u'9')
        return c.unicode() - '0';
    if (c >= u'a' && c <= u'f')
        return c.unicode() - 'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c.unicode() - 'A' + 10;
    return -1;
}

} // namespace

TopicMatcher::TopicMatcher(const QString &addressTemplate)
    : m_template(addressTemplate)
{
    if (addressTemplate.contains(u'?') || addressTemplate.contains(u'#')) {
        m_error = QStringLiteral("channel address '%1' must not contain '?' or '#'")
                      .arg(addressTemplate);
        return;
    }
    QStringList seen;
    for (const QString &raw : splitPath(addressTemplate)) {
        Segment seg;
        const qsizetype open = raw.indexOf(u'{');
        const qsizetype close = raw.indexOf(u'}');
        if (open < 0 && close < 0) {
            seg.prefix = raw;
            m_segments.append(seg);
            continue;
        }
        if (open >= 0 && close < 0) {
            m_error = QStringLiteral("channel address '%1': unclosed '{' in segment '%2'")
                          .arg(addressTemplate, raw);
            return;
        }
        if (open < 0 || close < open) {
            m_error = QStringLiteral("channel address '%1': unbalanced '}' in segment '%2'")
                          .arg(addressTemplate, raw);
            return;
        }
        if (raw.indexOf(u'{', open + 1) >= 0 || raw.indexOf(u'}', close + 1) >= 0) {
            m_error = QStringLiteral("channel address '%1': segment '%2' has more than one "
                                     "parameter; put each parameter in its own path segment")
                          .arg(addressTemplate, raw);
            return;
        }
        seg.prefix = raw.first(open);
        seg.parameter = raw.sliced(open + 1, close - open - 1);
        seg.suffix = raw.sliced(close + 1);
        if (seg.parameter.isEmpty()) {
            m_error = QStringLiteral("channel address '%1': empty parameter name in '%2'")
                          .arg(addressTemplate, raw);
            return;
        }
        for (QChar c : seg.parameter)
            if (!isNameChar(c)) {
                m_error = QStringLiteral("channel address '%1': invalid parameter name '%2'")
                              .arg(addressTemplate, seg.parameter);
                return;
            }
        if (seen.contains(seg.parameter)) {
            m_error = QStringLiteral("channel address '%1': parameter '%2' appears twice")
                          .arg(addressTemplate, seg.parameter);
            return;
        }
        seen.append(seg.parameter);
        m_segments.append(seg);
    }
    if (seen.isEmpty() && !m_segments.isEmpty())
        m_literalPath = render({});
}

QStringList TopicMatcher::parameterNames() const
{
    QStringList names;
    for (const Segment &s : m_segments)
        if (!s.parameter.isEmpty())
            names.append(s.parameter);
    return names;
}

int TopicMatcher::specificity() const
{
    int score = 0;
    for (const Segment &s : m_segments)
        score += s.parameter.isEmpty() ? 1000 : int(s.prefix.size() + s.suffix.size());
    return score;
}

std::optional<QString> TopicMatcher::decodeSegment(QStringView segment)
{
    if (!segment.contains(u'%'))
        return segment.toString();
    QByteArray bytes;
    bytes.reserve(segment.size());
    for (qsizetype i = 0; i < segment.size(); ++i) {
        const QChar c = segment.at(i);
        if (c == u'%') {
            if (i + 2 >= segment.size())
                return std::nullopt;
            const int hi = hexValue(segment.at(i + 1));
            const int lo = hexValue(segment.at(i + 2));
            if (hi < 0 || lo < 0)
                return std::nullopt;
            bytes.append(char(hi * 16 + lo));
            i += 2;
        } else {
            bytes.append(QStringView(&c, 1).toUtf8());
        }
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

QString TopicMatcher::render(const QMap<QString, QString> &parameters) const
{
    if (m_segments.isEmpty())
        return QStringLiteral("/");
    if (!m_literalPath.isEmpty()) // no parameter: the same every time
        return m_literalPath;
    QString out;
    for (const Segment &seg : m_segments) {
        out.append(u'/');
        out.append(UrlMapper::encodePathSegment(seg.prefix));
        if (seg.parameter.isEmpty())
            continue;
        out.append(UrlMapper::encodePathSegment(parameters.value(seg.parameter)));
        out.append(UrlMapper::encodePathSegment(seg.suffix));
    }
    return out;
}

QString TopicMatcher::refusedValue(const QString &name, const QString &value,
                                   bool separatorsAllowed)
{
    QString text = value;
    // The value as received, then as a backend that percent-decodes it again would
    // read it (a few rounds: %25252e is no dot to us, but may become one there).
    for (int round = 0; round < 4; ++round) {
        if (text == u"." || text == u"..")
            return QStringLiteral("parameter '%1' must not be a dot segment ('%2')")
                .arg(name, value);
        if (!separatorsAllowed && (text.contains(u'/') || text.contains(u'\\')))
            return QStringLiteral("parameter '%1' must not contain '/' or '\\' ('%2'); "
                                  "its schema can allow them with an enum or a pattern")
                .arg(name, value);
        if (!text.contains(u'%'))
            break;
        const std::optional<QString> decoded = decodeSegment(text);
        if (!decoded || *decoded == text)
            break;
        text = *decoded;
    }
    return {};
}

std::optional<QMap<QString, QString>> TopicMatcher::match(QStringView path) const
{
    if (!isValid())
        return std::nullopt;
    QStringView p = path;
    if (const qsizetype q = p.indexOf(u'?'); q >= 0)
        p = p.first(q);
    // the segments as splitPath() cuts them, taken one at a time as views: a path
    // that does not match costs no allocation
    if (p.startsWith(u'/'))
        p = p.sliced(1);
    if (p.endsWith(u'/'))
        p.chop(1);
    QMap<QString, QString> params;
    qsizetype from = 0;
    qsizetype index = 0;
    const qsizetype count = m_segments.size();
    while (!p.isEmpty() && from <= p.size()) {
        qsizetype slash = p.indexOf(u'/', from);
        if (slash < 0)
            slash = p.size();
        const QStringView part = p.sliced(from, slash - from);
        from = slash + 1;
        if (index >= count)
            return std::nullopt; // more segments than the template
        const Segment &seg = m_segments.at(index++);
        std::optional<QString> decodedCopy; // only when the part is encoded
        QStringView decoded = part;
        if (part.contains(u'%')) {
            decodedCopy = decodeSegment(part);
            if (!decodedCopy)
                return std::nullopt;
            decoded = *decodedCopy;
        }
        if (seg.parameter.isEmpty()) {
            if (decoded != seg.prefix)
                return std::nullopt;
            continue;
        }
        if (decoded.size() <= seg.prefix.size() + seg.suffix.size()
            || !decoded.startsWith(seg.prefix) || !decoded.endsWith(seg.suffix))
            return std::nullopt;
        const QStringView value = decoded.sliced(
            seg.prefix.size(), decoded.size() - seg.prefix.size() - seg.suffix.size());
        if (value == u"." || value == u"..")
            return std::nullopt;
        params.insert(seg.parameter, value.toString());
    }
    if (index != count)
        return std::nullopt;
    return params;
}

} // namespace Gatehouse
