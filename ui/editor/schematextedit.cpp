// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/schematextedit.h"

#include "editor/codestyle.h"

#include <QFocusEvent>
#include <QKeyEvent>
#include <QStyle>

namespace Gatehouse {

namespace {
constexpr int ProblemIndicator = 8;
}

SchemaTextEdit::SchemaTextEdit(QWidget *parent)
    : QsciScintilla(parent)
{
    setUtf8(true);
    setWrapMode(WrapNone);
    setIndentationsUseTabs(false);
    setTabWidth(2);
    setIndentationWidth(2);
    setAutoIndent(true);
    setBraceMatching(SloppyBraceMatch);
    setEolMode(EolUnix);
    setMarginType(0, NumberMargin);
    setMarginLineNumbers(0, true);
    setMarginWidth(0, QStringLiteral("0999"));
    setFolding(BoxedTreeFoldStyle, 1);
    // a horizontal scroll bar only when a line is wider than the field
    SendScintilla(SCI_SETSCROLLWIDTH, 1UL);
    SendScintilla(SCI_SETSCROLLWIDTHTRACKING, 1UL);
    indicatorDefine(SquiggleLowIndicator, ProblemIndicator);
    setIndicatorForegroundColor(QColor(0xd3, 0x2f, 0x2f), ProblemIndicator);
    setJson(false);
    connect(this, &QsciScintilla::textChanged, this, [this] {
        if (m_setting)
            return;
        m_edited = true;
        Q_EMIT edited();
    });
}

void SchemaTextEdit::setPreferredLines(int lines)
{
    m_preferredLines = lines;
    updateGeometry();
}

QSize SchemaTextEdit::sizeHint() const
{
    QSize size = QsciScintilla::sizeHint();
    if (m_preferredLines > 0) {
        // the text's lines, the frame, and room for a horizontal scroll bar
        const int frame = 2 * frameWidth();
        size.setHeight(m_preferredLines * fontMetrics().lineSpacing() + frame
                       + style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    }
    return size;
}

void SchemaTextEdit::changeEvent(QEvent *event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyCodePalette(this);
}

void SchemaTextEdit::setJson(bool json)
{
    if (json == m_json && lexer())
        return;
    m_json = json;
    setCodeSyntax(this, json);
}

void SchemaTextEdit::setFragment(const QByteArray &text)
{
    m_edited = false;
    const QString next = QString::fromUtf8(text);
    if (next == this->text())
        return;
    int line = 0;
    int index = 0;
    getCursorPosition(&line, &index);
    const int first = firstVisibleLine();
    m_setting = true;
    setText(next);
    m_setting = false;
    setCursorPosition(std::min(line, std::max(0, lines() - 1)), index);
    setFirstVisibleLine(first);
    markProblem(0, QString());
}

void SchemaTextEdit::markProblem(int line, const QString &message)
{
    clearIndicatorRange(0, 0, std::max(0, lines() - 1), lineLength(lines() - 1), ProblemIndicator);
    m_problemLine = line;
    m_problem = message;
    if (line > 0 && line <= lines())
        fillIndicatorRange(line - 1, 0, line - 1, std::max(1, lineLength(line - 1)),
                           ProblemIndicator);
    setToolTip(message);
}

void SchemaTextEdit::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Tab || event->key() == Qt::Key_Backtab)
        && (event->modifiers() & Qt::ControlModifier)) {
        // QScintilla keeps the focus on Tab; the widget's own focus chain moves it
        QWidget::focusNextPrevChild(event->key() == Qt::Key_Tab
                                    && !(event->modifiers() & Qt::ShiftModifier));
        return;
    }
    QsciScintilla::keyPressEvent(event);
}

void SchemaTextEdit::focusOutEvent(QFocusEvent *event)
{
    QsciScintilla::focusOutEvent(event);
    // a popup (completion list, context menu) taking the focus is not leaving
    if (event->reason() != Qt::PopupFocusReason)
        Q_EMIT left();
}

} // namespace Gatehouse
