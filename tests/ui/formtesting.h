// SPDX-License-Identifier: GPL-3.0-or-later
// What the Design tab's form tests share: reading a document now and typing into a
// field the way a user leaves it.
#pragma once

#include "editor/documenteditor.h"

#include <QLineEdit>
#include <QTest>

namespace Gatehouse::Test {

// Reads the editor's text now and waits for the model of it.
inline bool readNow(DocumentEditor &editor)
{
    editor.readNow();
    return QTest::qWaitFor([&] { return !editor.isReading() && editor.lastRead().api; }, 20000);
}

// Replaces a line edit's text as typed, then leaves it (editingFinished).
inline void typeInto(QWidget *widget, const QString &text)
{
    auto *field = qobject_cast<QLineEdit *>(widget);
    QVERIFY(field);
    field->setFocus();
    field->selectAll();
    if (text.isEmpty())
        QTest::keyClick(field, Qt::Key_Delete);
    else
        QTest::keyClicks(field, text);
    Q_EMIT field->editingFinished();
}

} // namespace Gatehouse::Test
