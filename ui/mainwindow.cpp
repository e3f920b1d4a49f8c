// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

namespace Gatehouse {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Gatehouse"));
}

MainWindow::~MainWindow() = default;

} // namespace Gatehouse
