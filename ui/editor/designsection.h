// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;

namespace Gatehouse {

class DocumentEditor;

// What the Design tab's forms share: the document they edit, following it while
// they are shown (a form in a section the user is not looking at only notes that it
// is behind, and catches up when shown: reading the text's places costs a parse of
// the whole document), and a status line with the reason an edit was refused.
class DesignSection : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesignSection)

public:
    ~DesignSection() override;

    void setEditor(DocumentEditor *editor);
    DocumentEditor *editor() const { return m_editor; }

Q_SIGNALS:
    // An edit was refused (the reason, one line).
    void editFailed(const QString &error);

protected:
    // Text: after every change of the text (fields that read the text itself);
    // Model: once the model is of the current text (fields that show the model, so
    // that between an edit and its read they keep what the user set).
    enum class Follow { Text, Model };
    DesignSection(Follow follow, QWidget *parent);

    // Shows what the document says now.
    virtual void refresh() = 0;
    // The editor changed (before the first refresh for it).
    virtual void editorChanged() { }
    // Refreshes now when behind.
    void catchUp();
    // Shows the outcome of an edit in `status` and says why it was refused.
    void report(QLabel *status, bool ok, const QString &error);
    void showEvent(QShowEvent *event) override;

    QPointer<DocumentEditor> m_editor;

private:
    void follow();
    void refreshNow();

    Follow m_follow;
    bool m_stale = false;
};

} // namespace Gatehouse
