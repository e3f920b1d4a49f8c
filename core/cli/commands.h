// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

// Every gatehouse-cli command, one function each; see cli.cpp for the table.
namespace Gatehouse::Cli {

int validateCommand(const QStringList &arguments);
int convertCommand(const QStringList &arguments);
int exportCommand(const QStringList &arguments);
int appsCommand(const QStringList &arguments);
int subscribeCommand(const QStringList &arguments);
int keysCommand(const QStringList &arguments);
int serveCommand(const QStringList &arguments);
int mockCommand(const QStringList &arguments);
int catCommand(const QStringList &arguments);
int logCommand(const QStringList &arguments);

} // namespace Gatehouse::Cli
