// SPDX-License-Identifier: GPL-3.0-or-later
#include "sourceview.h"

#include <QFile>
#include <QFontDatabase>
#include <QPainter>
#include <QPlainTextDocumentLayout>
#include <QStringDecoder>
#include <QTextBlock>
#include <QThread>

#include <memory>

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

// An empty document laid out the way QPlainTextEdit needs. QTextDocument and the
// classes around it are reentrant (Qt's "Threads and Rich Text Processing"), so a
// pool thread may build one that no other thread touches until it is handed over.
QTextDocument *newDocument(const QFont &font, QObject *parent = nullptr)
{
    auto *document = new QTextDocument(parent);
    document->setDocumentLayout(new QPlainTextDocumentLayout(document));
    document->setUndoRedoEnabled(false);
    document->setDefaultFont(font);
    return document;
}

} // namespace

struct SourceView::Loaded
{
    QString path;
    QString error;
    std::unique_ptr<QTextDocument> document; // null when `error` says why
};

SourceView::SourceView(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumbers(new LineNumberArea(this))
    , m_reader(&SourceView::readFile)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(QStringLiteral("SourceView"));
    setReadOnly(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("No document"));
    connect(this, &QPlainTextEdit::blockCountChanged, this, &SourceView::updateMargins);
    connect(this, &QPlainTextEdit::updateRequest, this, &SourceView::updateLineNumberArea);
    updateMargins();
}

SourceView::~SourceView()
{
    // A result still on its way is dropped with the view's posted events.
    m_pool.clear();
    m_pool.waitForDone();
}

SourceView::SourceFile SourceView::readFile(const QString &path)
{
    SourceFile result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = tr("Cannot open %1: %2").arg(path, file.errorString());
        return result;
    }
    const auto tooLarge = [&](qint64 size) {
        result.error = tr("%1 is too large to show (%2 MB).").arg(path).arg(size / (1024 * 1024));
        return result;
    };
    if (file.size() > MaxFileSize)
        return tooLarge(file.size());
    // Read at most one byte past the limit: a file that grows meanwhile stays bounded.
    const QByteArray data = file.read(MaxFileSize + 1);
    if (data.size() > MaxFileSize)
        return tooLarge(data.size());
    // Binary data: keep the view usable and say so rather than showing noise.
    if (data.contains('\0')) {
        result.text = tr("%1 is not a text file.").arg(path);
        return result;
    }
    QStringDecoder decoder(QStringDecoder::Utf8);
    result.text = decoder.decode(data);
    return result;
}

void SourceView::setReader(Reader reader)
{
    m_reader = reader ? std::move(reader) : Reader(&SourceView::readFile);
}

void SourceView::showFile(const QString &path)
{
    if (path.isEmpty()) {
        clearFile();
        return;
    }
    if (path == m_loadingFileName || (path == m_fileName && !isLoading()))
        return;
    const quint64 generation = ++m_generation;
    m_pool.clear(); // a read that has not started yet is superseded
    m_loadingFileName = path;
    m_fileName.clear();
    m_hasPendingGoTo = false;
    setPlaceholderText(tr("Loading source\u2026"));
    replaceDocument(newDocument(font(), this));

    // Reading and laying out a large file takes a while: both happen on the pool's
    // thread, and the finished document moves to this view's thread.
    m_pool.start([this, path, generation, reader = m_reader, viewFont = font(), target = thread()] {
        auto loaded = std::make_shared<Loaded>();
        loaded->path = path;
        try {
            SourceFile file = reader(path);
            if (file.error.isEmpty()) {
                std::unique_ptr<QTextDocument> document(newDocument(viewFont));
                document->setPlainText(file.text);
                document->moveToThread(target);
                loaded->document = std::move(document);
            } else {
                loaded->error = file.error;
            }
        } catch (const std::exception &e) {
            loaded->error = tr("Cannot show %1: %2").arg(path, QString::fromLocal8Bit(e.what()));
        } catch (...) {
            loaded->error = tr("Cannot show %1.").arg(path);
        }
        // Only the queued call holds the result from here on, so that a document
        // nobody takes is deleted on the view's thread, where it lives.
        QMetaObject::invokeMethod(
            this,
            [this, generation, loaded = std::move(loaded)] { handleLoaded(generation, *loaded); },
            Qt::QueuedConnection);
    });
}

void SourceView::handleLoaded(quint64 generation, Loaded &loaded)
{
    if (generation != m_generation)
        return;
    m_loadingFileName.clear();
    setPlaceholderText(tr("No document"));
    if (!loaded.document) {
        m_hasPendingGoTo = false;
        setPlainText(loaded.error);
        Q_EMIT fileFailed(loaded.path, loaded.error);
        return;
    }
    QTextDocument *document = loaded.document.release();
    document->setParent(this);
    replaceDocument(document);
    m_fileName = loaded.path;
    if (m_hasPendingGoTo) {
        m_hasPendingGoTo = false;
        applyGoTo(m_pendingLine, m_pendingColumn);
    }
    Q_EMIT fileShown(m_fileName);
}

void SourceView::replaceDocument(QTextDocument *document)
{
    m_highlightedLine = 0;
    setExtraSelections({});
    // The view's first document belongs to its text control, which deletes it;
    // the ones set here belong to the view.
    QTextDocument *old = QPlainTextEdit::document();
    const bool ownOld = old && old->parent() == this;
    setDocument(document);
    if (ownOld)
        delete old;
    updateMargins();
    m_lineNumbers->update();
}

void SourceView::clearFile()
{
    ++m_generation;
    m_pool.clear();
    m_fileName.clear();
    m_loadingFileName.clear();
    m_hasPendingGoTo = false;
    setPlaceholderText(tr("No document"));
    replaceDocument(newDocument(font(), this));
}

void SourceView::goTo(int line, int column)
{
    if (isLoading()) {
        m_pendingLine = line;
        m_pendingColumn = column;
        m_hasPendingGoTo = true;
        return;
    }
    applyGoTo(line, column);
}

void SourceView::applyGoTo(int line, int column)
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
        // A squiggle alone under one character is easy to miss: it gets a
        // stronger shade of the line's colour as well.
        mark.format.setBackground(dark ? QColor(0x8a, 0x66, 0x10) : QColor(0xf5, 0xc2, 0x42));
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
    // No number next to the placeholder ("No document", "Loading source…").
    if (document()->isEmpty())
        return;
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
