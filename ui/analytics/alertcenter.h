// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/alertmonitor.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QAction;
class QMainWindow;
class QSystemTrayIcon;

namespace Gatehouse {

class DashboardView;
class RuntimeHost;

// The window's side of the alerts: the thresholds set per API (kept with QSettings,
// group "alerts", handed to the runtime), and what an alert the runtime raises or
// clears shows: a desktop notification (the tray's, where there is a tray; else the
// window's status bar) and a marker on the dashboard's charts. The line in Gateway
// output comes with the runtime's report, as every other.
class AlertCenter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertCenter)
public:
    AlertCenter(RuntimeHost *host, DashboardView *dashboard, QMainWindow *window);
    ~AlertCenter() override;

    // The thresholds saved, by API key; set: saved and given to the running gateway.
    QHash<QString, Analytics::AlertThresholds> thresholds() const;
    void setThresholds(const QHash<QString, Analytics::AlertThresholds> &thresholds);
    // Run > Alert Thresholds…: opens the dialog on the API currentApi() names.
    QAction *editAction() const { return m_edit; }
    void setCurrentApi(std::function<QString()> currentApi)
    {
        m_currentApi = std::move(currentApi);
    }

    // What the last alert showed, and where ("tray" or "status bar"), for tests.
    QString lastNotification() const { return m_last; }
    QString lastNotificationPlace() const { return m_lastPlace; }

    void handleAlerted(qint64 timeMs, const QString &api, bool raised, const QString &text,
                       int measure);

private:
    void editThresholds();

    QPointer<RuntimeHost> m_host;
    QPointer<DashboardView> m_dashboard;
    QMainWindow *m_window;
    QAction *m_edit;
    QSystemTrayIcon *m_tray = nullptr;
    std::function<QString()> m_currentApi;
    QString m_last;
    QString m_lastPlace;
};

} // namespace Gatehouse
