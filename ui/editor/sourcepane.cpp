// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/sourcepane.h"

#include "editor/documenteditor.h"
#include "editor/sourceeditor.h"

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTabBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

// Regular expressions group with bare ( and ), as people write them elsewhere
// (\1 in the replacement names the first group).
constexpr bool PosixGroups = true;

} // namespace

SourcePane::SourcePane(QWidget *parent)
    : QWidget(parent)
    , m_editor(new SourceEditor)
    , m_files(new QTabBar)
    , m_bar(new QWidget)
    , m_replaceRow(new QWidget)
    , m_find(new QLineEdit)
    , m_replace(new QLineEdit)
    , m_case(new QCheckBox(tr("Match &case")))
    , m_words(new QCheckBox(tr("&Whole words")))
    , m_regex(new QCheckBox(tr("Regular e&xpression")))
    , m_status(new QLabel)
    , m_replaceButton(new QPushButton(tr("&Replace")))
    , m_replaceAllButton(new QPushButton(tr("Replace &All")))
{
    setObjectName(QStringLiteral("sourcePane"));
    m_editor->setObjectName(QStringLiteral("sourceEditor"));
    m_files->setObjectName(QStringLiteral("sourceFiles"));
    m_files->setAccessibleName(tr("Files of the document"));
    m_files->setToolTip(tr("The files the document's $refs reach, each edited here"));
    m_files->setDocumentMode(true);
    m_files->setExpanding(false);
    m_files->setElideMode(Qt::ElideMiddle);
    m_files->hide();
    m_find->setObjectName(QStringLiteral("findField"));
    m_find->setAccessibleName(tr("Find"));
    m_find->setPlaceholderText(tr("Find"));
    m_find->setClearButtonEnabled(true);
    m_replace->setObjectName(QStringLiteral("replaceField"));
    m_replace->setAccessibleName(tr("Replace with"));
    m_replace->setPlaceholderText(tr("Replace with"));
    m_case->setAccessibleName(tr("Match case"));
    m_words->setAccessibleName(tr("Whole words"));
    m_regex->setAccessibleName(tr("Regular expression"));
    m_status->setAccessibleName(tr("Find result"));

    auto *previous = new QPushButton(tr("&Previous"));
    previous->setAccessibleName(tr("Find previous"));
    auto *next = new QPushButton(tr("&Next"));
    next->setAccessibleName(tr("Find next"));
    next->setDefault(false);
    auto *close = new QToolButton;
    close->setText(tr("Close"));
    close->setAccessibleName(tr("Close the find bar"));
    close->setToolTip(tr("Close (Escape)"));
    close->setAutoRaise(true);
    m_replaceButton->setAccessibleName(tr("Replace this match"));
    m_replaceAllButton->setAccessibleName(tr("Replace all matches"));

    auto *findRow = new QHBoxLayout;
    findRow->setContentsMargins(0, 0, 0, 0);
    findRow->addWidget(m_find, 1);
    findRow->addWidget(previous);
    findRow->addWidget(next);
    findRow->addWidget(m_case);
    findRow->addWidget(m_words);
    findRow->addWidget(m_regex);
    findRow->addWidget(m_status);
    findRow->addWidget(close);
    auto *replaceRow = new QHBoxLayout(m_replaceRow);
    replaceRow->setContentsMargins(0, 0, 0, 0);
    replaceRow->addWidget(m_replace, 1);
    replaceRow->addWidget(m_replaceButton);
    replaceRow->addWidget(m_replaceAllButton);
    replaceRow->addStretch(1);
    auto *barLayout = new QVBoxLayout(m_bar);
    barLayout->setContentsMargins(6, 4, 6, 4);
    barLayout->setSpacing(4);
    barLayout->addLayout(findRow);
    barLayout->addWidget(m_replaceRow);
    m_bar->setObjectName(QStringLiteral("findBar"));
    m_bar->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_files);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_bar);

    connect(m_editor, &SourceEditor::filesChanged, this, &SourcePane::updateFileTabs);
    connect(m_editor, &SourceEditor::fileChanged, this, &SourcePane::updateFileTabs);
    connect(m_files, &QTabBar::currentChanged, this, [this](int index) {
        if (index >= 0)
            m_editor->setFile(index);
    });

    connect(next, &QPushButton::clicked, this, &SourcePane::findNext);
    connect(previous, &QPushButton::clicked, this, &SourcePane::findPrevious);
    connect(close, &QToolButton::clicked, this, &SourcePane::hideFindBar);
    connect(m_replaceButton, &QPushButton::clicked, this, &SourcePane::replaceOne);
    connect(m_replaceAllButton, &QPushButton::clicked, this, &SourcePane::replaceAll);
    connect(m_find, &QLineEdit::textEdited, this, [this] { say(QString()); });
    m_find->installEventFilter(this);
    m_replace->installEventFilter(this);
}

void SourcePane::updateFileTabs()
{
    const DocumentEditor *document = m_editor->editor();
    const int count = document ? document->fileCount() : 0;
    const QSignalBlocker blocker(m_files);
    while (m_files->count() > count)
        m_files->removeTab(m_files->count() - 1);
    const QDir folder = document ? QFileInfo(document->path()).absoluteDir() : QDir();
    for (int file = 0; file < count; ++file) {
        const QString path = document->filePath(file);
        QString name = file == 0 ? QFileInfo(path).fileName() : folder.relativeFilePath(path);
        if (m_editor->modifiedFiles().contains(file))
            name += u'*';
        if (file >= m_files->count())
            m_files->addTab(name);
        else if (m_files->tabText(file) != name)
            m_files->setTabText(file, name);
        m_files->setTabToolTip(file, QDir::toNativeSeparators(path));
        m_files->setAccessibleTabName(
            file, name.endsWith(u'*') ? tr("%1, unsaved changes").arg(name.chopped(1)) : name);
    }
    m_files->setCurrentIndex(m_editor->file());
    m_files->setVisible(count > 1);
}

bool SourcePane::isFindBarVisible() const
{
    return m_bar->isVisibleTo(const_cast<SourcePane *>(this));
}

void SourcePane::showBar(bool replace)
{
    const bool editable = m_editor->editor() != nullptr;
    m_replaceRow->setVisible(replace && editable);
    m_bar->show();
    if (m_editor->hasSelectedText() && !m_editor->selectedText().contains(u'\n'))
        m_find->setText(m_editor->selectedText());
    m_find->setFocus();
    m_find->selectAll();
}

void SourcePane::showFind()
{
    showBar(false);
}

void SourcePane::showReplace()
{
    showBar(true);
}

void SourcePane::hideFindBar()
{
    m_bar->hide();
    m_editor->setFocus();
}

void SourcePane::setCaseSensitive(bool on)
{
    m_case->setChecked(on);
}

void SourcePane::setWholeWords(bool on)
{
    m_words->setChecked(on);
}

void SourcePane::setRegularExpression(bool on)
{
    m_regex->setChecked(on);
}

void SourcePane::say(const QString &text)
{
    m_status->setText(text);
}

bool SourcePane::find(bool forward)
{
    const QString expression = m_find->text();
    if (expression.isEmpty())
        return false;
    int lineFrom = -1;
    int indexFrom = -1;
    int lineTo = -1;
    int indexTo = -1;
    m_editor->getSelection(&lineFrom, &indexFrom, &lineTo, &indexTo);
    int line = -1;
    int index = -1;
    if (lineFrom >= 0) { // from the selection's far side, so it is not found again
        line = forward ? lineTo : lineFrom;
        index = forward ? indexTo : indexFrom;
    }
    const bool found
        = m_editor->findFirst(expression, m_regex->isChecked(), m_case->isChecked(),
                              m_words->isChecked(), true, forward, line, index, true, PosixGroups);
    say(found ? QString() : tr("Not found"));
    return found;
}

bool SourcePane::findNext()
{
    return find(true);
}

bool SourcePane::findPrevious()
{
    return find(false);
}

bool SourcePane::replaceOne()
{
    DocumentEditor *document = m_editor->editor();
    if (!document || m_find->text().isEmpty())
        return false;
    // The selection must be a match (the one found last): else find one first.
    const QString selected = m_editor->selectedText();
    const bool isMatch = !selected.isEmpty()
        && (m_regex->isChecked()
            || selected.compare(m_find->text(),
                                m_case->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive)
                == 0);
    if (!isMatch)
        return findNext();
    // find it again from where it starts, so that the editor knows it as the match
    int lineFrom = 0;
    int indexFrom = 0;
    int lineTo = 0;
    int indexTo = 0;
    m_editor->getSelection(&lineFrom, &indexFrom, &lineTo, &indexTo);
    if (!m_editor->findFirst(m_find->text(), m_regex->isChecked(), m_case->isChecked(),
                             m_words->isChecked(), false, true, lineFrom, indexFrom, true,
                             PosixGroups))
        return findNext();
    document->undoStack()->beginMacro(tr("Replace \"%1\"").arg(m_find->text()));
    m_editor->replace(m_replace->text());
    document->undoStack()->endMacro();
    findNext();
    return true;
}

int SourcePane::replaceAll()
{
    DocumentEditor *document = m_editor->editor();
    const QString expression = m_find->text();
    if (!document || expression.isEmpty())
        return 0;
    int count = 0;
    document->undoStack()->beginMacro(tr("Replace all \"%1\"").arg(expression));
    bool found = m_editor->findFirst(expression, m_regex->isChecked(), m_case->isChecked(),
                                     m_words->isChecked(), false, true, 0, 0, false, PosixGroups);
    int lastLine = -1;
    int lastIndex = -1;
    while (found) {
        m_editor->replace(m_replace->text());
        ++count;
        int line = 0;
        int index = 0;
        m_editor->getCursorPosition(&line, &index);
        if (line == lastLine && index == lastIndex)
            break; // an empty match that replacing does not move past
        lastLine = line;
        lastIndex = index;
        found = m_editor->findNext();
    }
    document->undoStack()->endMacro();
    say(count ? tr("Replaced %n", nullptr, count) : tr("Not found"));
    return count;
}

bool SourcePane::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            hideFindBar();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            if (watched == m_replace)
                replaceOne();
            else if (key->modifiers() & Qt::ShiftModifier)
                findPrevious();
            else
                findNext();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace Gatehouse
