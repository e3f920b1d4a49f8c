// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPlainTextEdit>
#include <QThreadPool>

#include <functional>

namespace Gatehouse {

// A read-only view of a document's source with line numbers, used to show where a
// diagnostic points: goTo() moves the cursor to line:column and highlights the line.
//
// Files are read, and their text laid out into a QTextDocument, on a private
// thread: the GUI thread never reads a file. While that runs the view is empty and
// says "Loading source…"; a goTo() made meanwhile is applied when the text arrives.
class SourceView final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourceView)

public:
    // Files larger than this are not shown (the reader refuses them anyway).
    static constexpr qint64 MaxFileSize = 32 * 1024 * 1024;

    // What reading a file gave: its text, or why there is none.
    struct SourceFile
    {
        QString text;
        QString error; // empty when `text` is the file's
    };
    // Reads one file; runs on the loading thread, never on the GUI thread.
    using Reader = std::function<SourceFile(const QString &path)>;

    explicit SourceView(QWidget *parent = nullptr);
    // Waits for a read in progress (reads are bounded in size).
    ~SourceView() override;

    // Starts loading `path` unless it is already shown or being loaded; fileShown()
    // or fileFailed() tell how it ended.
    void showFile(const QString &path);
    // The file whose text is shown; empty while loading or after a failure.
    QString fileName() const { return m_fileName; }
    // The file being read; empty when idle.
    QString loadingFileName() const { return m_loadingFileName; }
    bool isLoading() const { return !m_loadingFileName.isEmpty(); }
    void clearFile();

    // Lines and columns count from 1; 0 or out-of-range values are clamped. While a
    // file is loading, the move happens once its text is shown.
    void goTo(int line, int column);
    int currentLine() const;
    int currentColumn() const;
    int highlightedLine() const { return m_highlightedLine; }

    int lineNumberAreaWidth() const;
    void paintLineNumbers(QPaintEvent *event);

    // The default reader: UTF-8 text, bounded by MaxFileSize, binary files refused.
    static SourceFile readFile(const QString &path);
    // Replaces the reader (tests use this to watch where and when files are read).
    void setReader(Reader reader);

Q_SIGNALS:
    void fileShown(const QString &path);
    void fileFailed(const QString &path, const QString &error);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Loaded;

    void handleLoaded(quint64 generation, Loaded &loaded);
    void replaceDocument(QTextDocument *document);
    void applyGoTo(int line, int column);
    void updateMargins();
    void updateLineNumberArea(const QRect &rect, int dy);

    QWidget *m_lineNumbers;
    QThreadPool m_pool;
    Reader m_reader;
    QString m_fileName;
    QString m_loadingFileName;
    quint64 m_generation = 0;
    int m_highlightedLine = 0;
    int m_pendingLine = 0;
    int m_pendingColumn = 0;
    bool m_hasPendingGoTo = false;
};

} // namespace Gatehouse
