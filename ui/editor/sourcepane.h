// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabBar;

namespace Gatehouse {

class SourceEditor;

// The Source tab of a document being edited: a tab per file of the document (when
// its `$ref`s reach other files; those with unsaved changes marked), the source
// editor, and a find and replace bar under it (Ctrl+F, Ctrl+H; Enter finds the next match,
// Shift+Enter the previous one, Escape closes the bar). A replacement is one undo step, and so is
// Replace All.
class SourcePane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourcePane)

public:
    explicit SourcePane(QWidget *parent = nullptr);

    SourceEditor *editor() const { return m_editor; }
    QTabBar *fileTabs() const { return m_files; }
    QLineEdit *findField() const { return m_find; }
    QLineEdit *replaceField() const { return m_replace; }
    bool isFindBarVisible() const;

    // Shows the bar (with the replace row or without) and puts the focus in it,
    // starting from the selected text.
    void showFind();
    void showReplace();
    void hideFindBar();

    // Select the next or previous match of the find field's text, wrapping around;
    // false (and the bar says so) when there is none.
    bool findNext();
    bool findPrevious();
    // Replaces the selected match and selects the next one.
    bool replaceOne();
    // Replaces every match in the document as one undo step; how many.
    int replaceAll();

    void setCaseSensitive(bool on);
    void setWholeWords(bool on);
    void setRegularExpression(bool on);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool find(bool forward);
    void showBar(bool replace);
    void say(const QString &text);
    void updateFileTabs();

    SourceEditor *m_editor;
    QTabBar *m_files;
    QWidget *m_bar;
    QWidget *m_replaceRow;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_case;
    QCheckBox *m_words;
    QCheckBox *m_regex;
    QLabel *m_status;
    QPushButton *m_replaceButton;
    QPushButton *m_replaceAllButton;
};

} // namespace Gatehouse
