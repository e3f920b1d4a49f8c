// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPlainTextEdit>

namespace Gatehouse {

// A read-only view of a document's source with line numbers, used to show where a
// diagnostic points: goTo() moves the cursor to line:column and highlights the line.
class SourceView final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourceView)

public:
    // Files larger than this are not shown (the reader refuses them anyway).
    static constexpr qint64 MaxFileSize = 32 * 1024 * 1024;

    explicit SourceView(QWidget *parent = nullptr);
    ~SourceView() override;

    // Loads `path` unless it is already shown; false, with a message in the view and
    // in `error`, when it cannot be read.
    bool showFile(const QString &path, QString *error = nullptr);
    QString fileName() const { return m_fileName; }
    void clearFile();

    // Lines and columns count from 1; 0 or out-of-range values are clamped.
    void goTo(int line, int column);
    int currentLine() const;
    int currentColumn() const;
    int highlightedLine() const { return m_highlightedLine; }

    int lineNumberAreaWidth() const;
    void paintLineNumbers(QPaintEvent *event);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateMargins();
    void updateLineNumberArea(const QRect &rect, int dy);

    QWidget *m_lineNumbers;
    QString m_fileName;
    int m_highlightedLine = 0;
};

} // namespace Gatehouse
