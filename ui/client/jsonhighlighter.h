// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace Gatehouse {

// Colours JSON as a client tab shows it (pretty-printed, one member per line): member
// names, strings, numbers, and true/false/null each in their own colour.
class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    enum class Role { Name, String, Number, Literal };
    explicit JsonHighlighter(QTextDocument *document);
    QTextCharFormat format(Role role) const;
    // The colours for text on `background` (the palette's base of the view that shows
    // the document; the application's at first): each keeps a contrast of 4.5:1 or
    // more with it, lighter on a dark one. The document is coloured again.
    void setBackground(const QColor &background);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_name;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
};

} // namespace Gatehouse
