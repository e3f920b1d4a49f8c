// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/urlmapper.h"

namespace Gatehouse {

namespace {

bool isUnreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
        || c == '.' || c == '_' || c == '~';
}

QString percentEncode(const QString &value, QByteArrayView alsoAllowed)
{
    static const char hex[] = "0123456789ABCDEF";
    const QByteArray utf8 = value.toUtf8();
    QString out;
    out.reserve(utf8.size());
    for (char c : utf8) {
        if (isUnreserved(c) || alsoAllowed.contains(c)) {
            out.append(QLatin1Char(c));
        } else {
            const auto u = static_cast<unsigned char>(c);
            out.append(u'%');
            out.append(QLatin1Char(hex[u >> 4]));
            out.append(QLatin1Char(hex[u & 0xF]));
        }
    }
    return out;
}

} // namespace

QString UrlMapper::encodePathSegment(const QString &value)
{
    // sub-delims that are harmless inside a segment stay readable; ';' does not (some
    // servers cut a segment at ';', so "..;x" would be read as "..")
    return percentEncode(value, "!$'()*,:@");
}

QString UrlMapper::encodeQueryComponent(const QString &value)
{
    return percentEncode(value, "!$'()*,;:@/?");
}

UrlMapper::UrlMapper(const QString &mappingTemplate)
    : m_template(mappingTemplate)
{
    bool inQuery = false;
    QString literal;
    for (qsizetype i = 0; i < mappingTemplate.size(); ++i) {
        const QChar c = mappingTemplate.at(i);
        if (c == u'}') {
            m_error = QStringLiteral("URL mapping '%1': unbalanced '}' at position %2")
                          .arg(mappingTemplate)
                          .arg(i + 1);
            return;
        }
        if (c != u'{') {
            if (c == u'?')
                inQuery = true;
            literal.append(c);
            continue;
        }
        const qsizetype close = mappingTemplate.indexOf(u'}', i + 1);
        if (close < 0) {
            m_error = QStringLiteral("URL mapping '%1': unclosed '{' at position %2")
                          .arg(mappingTemplate)
                          .arg(i + 1);
            return;
        }
        QString name = mappingTemplate.sliced(i + 1, close - i - 1).trimmed();
        if (name.startsWith(QLatin1String("uri.var.")))
            name = name.sliced(8);
        if (name.isEmpty() || name.contains(u'{')) {
            m_error = QStringLiteral("URL mapping '%1': empty or invalid variable at position %2")
                          .arg(mappingTemplate)
                          .arg(i + 1);
            return;
        }
        if (!literal.isEmpty())
            m_pieces.append({literal, {}, inQuery});
        literal.clear();
        m_pieces.append({{}, name, inQuery});
        i = close;
    }
    if (!literal.isEmpty())
        m_pieces.append({literal, {}, inQuery});
}

QStringList UrlMapper::variables() const
{
    QStringList names;
    for (const Piece &p : m_pieces)
        if (!p.variable.isEmpty() && !names.contains(p.variable))
            names.append(p.variable);
    return names;
}

std::optional<QString> UrlMapper::render(const QMap<QString, QString> &parameters,
                                         QString *error) const
{
    if (!isValid()) {
        if (error)
            *error = m_error;
        return std::nullopt;
    }
    QString out;
    for (const Piece &p : m_pieces) {
        if (p.variable.isEmpty()) {
            out.append(p.literal);
            continue;
        }
        const auto it = parameters.constFind(p.variable);
        if (it == parameters.constEnd()) {
            if (error)
                *error = QStringLiteral("URL mapping '%1': no value for variable '%2'")
                             .arg(m_template, p.variable);
            return std::nullopt;
        }
        out.append(p.inQuery ? encodeQueryComponent(*it) : encodePathSegment(*it));
    }
    return out;
}

} // namespace Gatehouse
