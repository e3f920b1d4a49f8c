// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/jsonhighlighter.h"
#include "readablecolour.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>

namespace Gatehouse {

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    m_literal.setFontWeight(QFont::Bold);
    setBackground(QGuiApplication::palette().color(QPalette::Base));
}

void JsonHighlighter::setBackground(const QColor &background)
{
    m_name.setForeground(ReadableColour::on(background, QColor(0x1a, 0x4f, 0x9c)));
    m_string.setForeground(ReadableColour::on(background, QColor(0x1d, 0x6b, 0x2c)));
    m_number.setForeground(ReadableColour::on(background, QColor(0xa3, 0x4a, 0x00)));
    m_literal.setForeground(ReadableColour::on(background, QColor(0x8a, 0x1f, 0x8f)));
    if (document())
        rehighlight();
}

QTextCharFormat JsonHighlighter::format(Role role) const
{
    switch (role) {
    case Role::Name:
        return m_name;
    case Role::String:
        return m_string;
    case Role::Number:
        return m_number;
    case Role::Literal:
        break;
    }
    return m_literal;
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    // a string (escapes included), then what may follow it; a number; a literal
    static const QRegularExpression token(QStringLiteral(
        R"re(("(?:[^"\\]|\\.)*")(\s*:)?|(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|\b(true|false|null)\b)re"));
    QRegularExpressionMatchIterator it = token.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedLength(1) > 0)
            setFormat(int(m.capturedStart(1)), int(m.capturedLength(1)),
                      m.capturedLength(2) > 0 ? m_name : m_string);
        else if (m.capturedLength(3) > 0)
            setFormat(int(m.capturedStart(3)), int(m.capturedLength(3)), m_number);
        else
            setFormat(int(m.capturedStart(4)), int(m.capturedLength(4)), m_literal);
    }
}

} // namespace Gatehouse
