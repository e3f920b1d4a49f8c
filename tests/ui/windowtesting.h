// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers the main window's tests share.
#pragma once

#include "mainwindow.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QString>

namespace Gatehouse::Test {

// Keeps a window test's settings and standard paths apart from the user's: test mode
// paths, and settings in INI files under `dir`.
inline void useScratchSettings(const QString &dir, const QString &application)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-test"));
    QCoreApplication::setApplicationName(application);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
}

inline bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

// Opens `path` and waits until the window shows it; returns documentLoaded's `ok`.
inline bool openAndWait(MainWindow &window, const QString &path)
{
    QSignalSpy loaded(&window, &MainWindow::documentLoaded);
    window.openFile(path);
    if (!loaded.wait(20000) && loaded.isEmpty())
        return false;
    return loaded.constFirst().at(1).toBool();
}

// An API whose echo mock and gateway listen on the given ports of 127.0.0.1: /talk is
// open, /secure needs a credential.
inline QByteArray echoApi(quint16 gatewayPort, quint16 backendPort)
{
    return "asyncapi: 2.6.0\n"
           "info: {title: Echo, version: 1.0.0}\n"
           "x-gatehouse:\n"
           "  context: /echo\n"
           "  listen: 127.0.0.1:"
        + QByteArray::number(gatewayPort)
        + "\n  endpoint: ws://127.0.0.1:" + QByteArray::number(backendPort)
        + "\n"
          "  mock: {kind: echo}\n"
          "channels:\n"
          "  /talk:\n"
          "    publish: {x-auth-type: None, message: {payload: {type: string}}}\n"
          "    subscribe: {x-auth-type: None, message: {payload: {type: string}}}\n"
          "  /secure:\n"
          "    subscribe: {x-auth-type: Any, message: {payload: {type: string}}}\n";
}

} // namespace Gatehouse::Test
