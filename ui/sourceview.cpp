// SPDX-License-Identifier: GPL-3.0-or-later
#include "sourceview.h"

#include <QFile>
#include <QFontDatabase>
#include <QPainter>
#include <QStringDecoder>
#include <QTextBlock>

namespace Gatehouse {

namespace {

// The gutter left of the text; SourceView paints it.
class LineNumberArea final : public QWidget
{
public:
    explicit LineNumberArea(SourceView *view)
        : QWidget(view)
        , m_view(view)
    { }

    QSize sizeHint() const override { return {m_view->lineNumberAreaWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_view->paintLineNumbers(event); }

private:
    SourceView *m_view;
};

} // namespace

SourceView::SourceView(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumbers(new LineNumberArea(this))
{
    setReadOnly(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("No document"));
    connect(this, &QPlainTextEdit::blockCountChanged, this, &SourceView::updateMargins);
    connect(this, &QPlainTextEdit::updateRequest, this, &SourceView::updateLineNumberArea);
    updateMargins();
}

SourceView::~SourceView() = default;

bool SourceView::showFile(const QString &path, QString *error)
{
    if (path == m_fileName && !m_fileName.isEmpty())
        return true;
    QString message;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        message = tr("Cannot open %1: %2").arg(path, file.errorString());
    } else if (file.size() > MaxFileSize) {
        message = tr("%1 is too large to show (%2 MB).").arg(path).arg(file.size() / (1024 * 1024));
    }
    m_highlightedLine = 0;
    setExtraSelections({});
    if (!message.isEmpty()) {
        m_fileName.clear();
        setPlainText(message);
        if (error)
            *error = message;
        return false;
    }
    const QByteArray data = file.readAll();
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder.decode(data);
    // Binary data: keep the view usable and say so rather than showing noise.
    if (data.contains('\0'))
        text = tr("%1 is not a text file.").arg(path);
    setPlainText(text);
    m_fileName = path;
    return true;
}

void SourceView::clearFile()
{
    m_fileName.clear();
    m_highlightedLine = 0;
    setExtraSelections({});
    clear();
}

void SourceView::goTo(int line, int column)
{
    const int blocks = document()->blockCount();
    line = std::clamp(line, 1, std::max(1, blocks));
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    const int maxColumn = std::max(0, block.length() - 1);
    column = std::clamp(column, 1, maxColumn + 1);

    QTextCursor cursor(block);
    cursor.setPosition(block.position() + column - 1);
    setTextCursor(cursor);
    centerCursor();

    QTextEdit::ExtraSelection highlight;
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    highlight.format.setBackground(dark ? QColor(0x4a, 0x3b, 0x12) : QColor(0xff, 0xf1, 0xb8));
    highlight.format.setProperty(QTextFormat::FullWidthSelection, true);
    highlight.cursor = QTextCursor(block);
    highlight.cursor.clearSelection();
    QList<QTextEdit::ExtraSelection> selections {highlight};
    // The column itself: underline the character the location points at.
    if (column <= maxColumn) {
        QTextEdit::ExtraSelection mark;
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(QColor(0xd2, 0x3c, 0x3c));
        mark.format.setFontWeight(QFont::Bold);
        mark.cursor = QTextCursor(block);
        mark.cursor.setPosition(block.position() + column - 1);
        mark.cursor.setPosition(block.position() + column, QTextCursor::KeepAnchor);
        selections.append(mark);
    }
    setExtraSelections(selections);
    m_highlightedLine = line;
}

int SourceView::currentLine() const
{
    return textCursor().blockNumber() + 1;
}

int SourceView::currentColumn() const
{
    return textCursor().positionInBlock() + 1;
}

int SourceView::lineNumberAreaWidth() const
{
    int digits = 1;
    for (int max = std::max(1, blockCount()); max >= 10; max /= 10)
        ++digits;
    digits = std::max(digits, 3);
    return 12 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * digits;
}

void SourceView::updateMargins()
{
    setViewportMargins(lineNumberAreaWidth(), 0, 0, 0);
}

void SourceView::updateLineNumberArea(const QRect &rect, int dy)
{
    if (dy)
        m_lineNumbers->scroll(0, dy);
    else
        m_lineNumbers->update(0, rect.y(), m_lineNumbers->width(), rect.height());
    if (rect.contains(viewport()->rect()))
        updateMargins();
}

void SourceView::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect r = contentsRect();
    m_lineNumbers->setGeometry(QRect(r.left(), r.top(), lineNumberAreaWidth(), r.height()));
}

void SourceView::paintLineNumbers(QPaintEvent *event)
{
    QPainter painter(m_lineNumbers);
    const QPalette pal = palette();
    painter.fillRect(event->rect(), pal.color(QPalette::AlternateBase));
    painter.setFont(font());
    QTextBlock block = firstVisibleBlock();
    int number = block.blockNumber();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int width = m_lineNumbers->width() - 6;
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            const bool current = number + 1 == m_highlightedLine;
            painter.setPen(current ? pal.color(QPalette::Text)
                                   : pal.color(QPalette::PlaceholderText));
            painter.drawText(0, top, width, fontMetrics().height(), Qt::AlignRight,
                             QString::number(number + 1));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
        ++number;
    }
}

} // namespace Gatehouse
