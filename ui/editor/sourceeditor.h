// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/diagnostic.h"

#include <Qsci/qsciscintilla.h>

#include <QHash>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QString>

namespace Gatehouse {

class DocumentEditor;
struct LoadedApi;
struct TextChange;

// The source of a document being edited, in a QScintilla editor (YAML or JSON
// highlighting, line numbers, folding). It shows a DocumentEditor's text and is one
// way of changing it: what is typed here becomes an edit of that document (one undo
// history with the forms; Edit > Undo takes back both), and a form edit, an undo or
// a reload is applied here as a change of just those bytes, so the cursor and the
// scroll position stay where they were.
//
// Problems of the newest read are underlined where they are, with a mark in the
// margin and the message when the mouse rests on them. Ctrl+click (or F12) on a
// `$ref` goes to what it names; Ctrl+Space offers the keys that fit where the
// cursor is and, after `$ref:`, the document's components.
class SourceEditor final : public QsciScintilla
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourceEditor)

public:
    explicit SourceEditor(QWidget *parent = nullptr);
    ~SourceEditor() override;

    // Shows and edits `editor`'s document (its own file); null shows nothing.
    void setEditor(DocumentEditor *editor);
    DocumentEditor *editor() const { return m_editor; }
    // Shows and edits another file of the document (DocumentEditor::filePath), where
    // its cursor was last; 0 is the document's own.
    void setFile(int file);
    int file() const { return m_file; }
    // Other files of the document with unsaved changes (shown on their tabs).
    const QSet<int> &modifiedFiles() const { return m_modifiedShown; }

    // The text shown, as UTF-8 bytes (always the editor's text).
    QByteArray bytes() const;
    // The characters (what assistive technology counts) in the first `bytes` bytes of
    // UTF-8 text.
    static int characterOffset(const QByteArray &text, qsizetype bytes);

    // Lines and columns count from 1 (columns in characters); out-of-range values
    // are clamped.
    void goTo(int line, int column);
    // Moves to where a JSON Pointer's node begins; false when there is no such node.
    bool goToPointer(const QString &pointer);
    int currentLine() const;
    int currentColumn() const;
    int currentOffset() const;
    void setCurrentOffset(int offset);

    // The problems shown, and the message of the one at a byte offset (empty: none).
    const QList<Diagnostic> &diagnostics() const { return m_diagnostics; }
    QString diagnosticAt(int offset) const;

    // What completion offers at a byte offset: keys that fit there, or after
    // `$ref:` the references the document can make.
    QStringList completionsAt(int offset) const;
    // Shows the completion list at the cursor.
    void complete();

    // The `$ref` written on the line of a byte offset (empty: none).
    QString referenceAt(int offset) const;
    // Goes to what the `$ref` at a byte offset names: here for a `#/...` reference or
    // one into another file of the document, else referenceActivated() tells the
    // window which file and node. False when there is no reference there or its
    // target is not in this document.
    bool followReference(int offset);

    // The component the cursor at a byte offset is on ("/components/schemas/Chat"):
    // the one a `$ref` on its line names (something in it included), else the one
    // whose key or value it is in; empty when none. In another file of the document,
    // the top-level member it is in ("/chat" of messages.yaml).
    QString componentAt(int offset) const;

Q_SIGNALS:
    // A `$ref` into another file was followed: `file` is absolute, `pointer` the
    // node in it ("" for the whole file).
    void referenceActivated(const QString &file, const QString &pointer);
    // Another file of the document is shown (setFile()).
    void fileChanged(int file);
    // The document shown, its files, or which of them have unsaved changes changed.
    void filesChanged();

protected:
    void changeEvent(QEvent *event) override; // follows the palette, light or dark
    void mousePressEvent(QMouseEvent *event) override;

private:
    long call(unsigned int message, long wParam = 0, long lParam = 0) const;
    void handleModified(int position, int type, const char *text, int length);
    void applyChange(int file, const TextChange &change);
    // A change from the document told to assistive technology (`removed`: the text it
    // replaced, when that is active).
    void tellAssistiveTechnology(const TextChange &change, const QString &removed);
    // Stops QScintilla's reports of text changes (until the mask returned is set back).
    long quietTextChanges();
    void showText();
    void checkModifiedFiles();
    void showDiagnostics(const LoadedApi &result);
    void markDiagnostics();
    void showDwellTip(int position);
    void insertCompletion(int id, const QString &text);
    void updateLineNumberWidth();
    void setLanguage(bool json);
    QByteArray lineBefore(int offset) const;

    QPointer<DocumentEditor> m_editor;
    int m_file = 0;
    QHash<int, int> m_offsets; // where the cursor was in each file
    QSet<int> m_modifiedShown; // other files shown with unsaved changes
    QList<Diagnostic> m_diagnostics;
    // Where the completion list shown replaces text, and what it completes.
    int m_completionStart = -1;
    bool m_completingReference = false;
    bool m_applying = false; // a change coming from the editor is being shown
    bool m_typing = false; // a change typed here is being handed to the editor
    bool m_json = false;
};

} // namespace Gatehouse
