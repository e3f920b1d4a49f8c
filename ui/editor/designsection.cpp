// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/designsection.h"

#include "editor/documenteditor.h"

#include <QLabel>

namespace Gatehouse {

DesignSection::DesignSection(Follow follow, QWidget *parent)
    : QWidget(parent)
    , m_follow(follow)
{
    setEnabled(false);
}

DesignSection::~DesignSection()
{
    // closing takes the focus away from a field: nothing is written then
    for (QWidget *child : findChildren<QWidget *>())
        child->disconnect(this);
}

void DesignSection::setEditor(DocumentEditor *editor)
{
    if (m_editor)
        disconnect(m_editor, nullptr, this, nullptr);
    m_editor = editor;
    setEnabled(editor != nullptr);
    editorChanged();
    if (editor) {
        // A section following the text refreshes at each change, unless the places of
        // a large text would have to be parsed here for it: the read of the change
        // (its places parsed off the GUI thread) brings it up to date then.
        connect(editor, &DocumentEditor::modelRead, this, [this] {
            if ((m_follow == Follow::Text && m_editor->hasCheapSource()) || !m_editor->isReading())
                follow();
        });
        if (m_follow == Follow::Text)
            connect(editor, &DocumentEditor::textChanged, this, [this] {
                if (m_editor->hasCheapSource())
                    follow();
            });
    }
    if (isVisible() || !editor)
        refreshNow();
    else
        m_stale = true;
}

void DesignSection::follow()
{
    if (isVisible())
        refreshNow();
    else
        m_stale = true;
}

void DesignSection::refreshNow()
{
    m_stale = false;
    refresh();
}

void DesignSection::catchUp()
{
    if (m_stale)
        refreshNow();
}

void DesignSection::showEvent(QShowEvent *event)
{
    catchUp();
    QWidget::showEvent(event);
}

void DesignSection::report(QLabel *status, bool ok, const QString &error)
{
    status->setText(ok ? QString() : error);
    if (!ok)
        Q_EMIT editFailed(error);
}

} // namespace Gatehouse
