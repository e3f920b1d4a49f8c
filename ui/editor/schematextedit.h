// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <Qsci/qsciscintilla.h>

namespace Gatehouse {

// A small code field for one part of a document written as YAML or JSON (a
// message's payload schema, an example): highlighting, line numbers, folding, and
// the line of a problem underlined with the problem shown on hover. Its text is
// a fragment that the form writes into the document when the field is left.
//
// Tab indents; Ctrl+Tab and Ctrl+Shift+Tab move on to the next or previous control,
// so the form stays usable from the keyboard alone.
class SchemaTextEdit final : public QsciScintilla
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchemaTextEdit)

public:
    explicit SchemaTextEdit(QWidget *parent = nullptr);

    void setJson(bool json);
    bool isJson() const { return m_json; }
    // Replaces the text without it counting as the user's edit (isEdited() is false
    // afterwards) and without moving the view more than it must.
    void setFragment(const QByteArray &text);
    QByteArray fragment() const { return text().toUtf8(); }
    // Whether the user changed the text since setFragment().
    bool isEdited() const { return m_edited; }
    void setEdited(bool edited) { m_edited = edited; }
    // Underlines `line` (1-based; 0 clears) and keeps `message` for hovering it.
    void markProblem(int line, const QString &message);
    int problemLine() const { return m_problemLine; }
    // The height the field asks for, in lines of text (0: QScintilla's own, some 12
    // lines). A form with several fields in a scroll area sets it, so that what
    // follows them is in view without scrolling; given more room, they still grow.
    void setPreferredLines(int lines);
    QSize sizeHint() const override;

Q_SIGNALS:
    // The user changed the text.
    void edited();
    // The field lost the keyboard focus.
    void left();

protected:
    void changeEvent(QEvent *event) override; // follows the palette, light or dark
    void keyPressEvent(QKeyEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;

private:
    bool m_json = false;
    bool m_edited = false;
    bool m_setting = false;
    int m_problemLine = 0;
    int m_preferredLines = 0;
    QString m_problem;
};

} // namespace Gatehouse
