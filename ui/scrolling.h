// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLayout>
#include <QScrollArea>
#include <QString>

namespace Gatehouse::UiLayout {

// `content` in a frameless scroll area that gives it the whole room when there is
// enough and scrolls when the window is smaller than the content wants (a laptop
// screen, 200 % scaling), so that the window can shrink to the screen.
inline QScrollArea *scrolling(QWidget *content, const QString &accessibleName)
{
    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setAccessibleName(accessibleName);
    return scroll;
}

// The same for what `layout` lays out (on a widget made for it, without margins).
inline QScrollArea *scrolling(QLayout *layout, const QString &accessibleName)
{
    auto *content = new QWidget;
    layout->setContentsMargins(0, 0, 0, 0);
    content->setLayout(layout);
    return scrolling(content, accessibleName);
}

} // namespace Gatehouse::UiLayout
