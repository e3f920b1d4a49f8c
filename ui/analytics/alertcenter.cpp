// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/alertcenter.h"

#include "analytics/alertthresholdsdialog.h"
#include "analytics/dashboardview.h"
#include "runtime/runtimehost.h"

#include <QAction>
#include <QApplication>
#include <QMainWindow>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QUrl>

namespace Gatehouse {

namespace {

// API keys hold slashes, which QSettings takes for groups: one key each, encoded.
QString settingsKey(const QString &api)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(api));
}

} // namespace

AlertCenter::AlertCenter(RuntimeHost *host, DashboardView *dashboard, QMainWindow *window)
    : QObject(window)
    , m_host(host)
    , m_dashboard(dashboard)
    , m_window(window)
    , m_edit(new QAction(tr("&Alert Thresholds…"), this))
{
    m_edit->setObjectName(QStringLiteral("alertThresholdsAction"));
    m_edit->setToolTip(tr("Set when an API's rejections, throttling, relay time or open "
                          "connections raise an alert"));
    m_edit->setIcon(window->style()->standardIcon(QStyle::SP_MessageBoxWarning));
    connect(m_edit, &QAction::triggered, this, &AlertCenter::editThresholds);
    if (host)
        connect(host, &RuntimeHost::alerted, this, &AlertCenter::handleAlerted);
}

AlertCenter::~AlertCenter() = default;

QHash<QString, Analytics::AlertThresholds> AlertCenter::thresholds() const
{
    QHash<QString, Analytics::AlertThresholds> out;
    QSettings settings;
    settings.beginGroup(QStringLiteral("alerts"));
    const QStringList apis = settings.childGroups();
    for (const QString &key : apis) {
        settings.beginGroup(key);
        Analytics::AlertThresholds t;
        t.rejectedPerSecond = settings.value(QStringLiteral("rejectedPerSecond")).toDouble();
        t.throttledPerSecond = settings.value(QStringLiteral("throttledPerSecond")).toDouble();
        t.relayP99Us = settings.value(QStringLiteral("relayP99Us")).toDouble();
        t.openConnections = settings.value(QStringLiteral("openConnections")).toLongLong();
        settings.endGroup();
        if (t.any())
            out.insert(QUrl::fromPercentEncoding(key.toLatin1()), t);
    }
    return out;
}

void AlertCenter::setThresholds(const QHash<QString, Analytics::AlertThresholds> &thresholds)
{
    QSettings settings;
    settings.remove(QStringLiteral("alerts"));
    settings.beginGroup(QStringLiteral("alerts"));
    for (auto it = thresholds.cbegin(); it != thresholds.cend(); ++it) {
        if (!it.value().any())
            continue;
        settings.beginGroup(settingsKey(it.key()));
        settings.setValue(QStringLiteral("rejectedPerSecond"), it.value().rejectedPerSecond);
        settings.setValue(QStringLiteral("throttledPerSecond"), it.value().throttledPerSecond);
        settings.setValue(QStringLiteral("relayP99Us"), it.value().relayP99Us);
        settings.setValue(QStringLiteral("openConnections"), it.value().openConnections);
        settings.endGroup();
    }
    settings.endGroup();
    if (m_host)
        m_host->setAlertThresholds(thresholds);
}

void AlertCenter::editThresholds()
{
    const QString current = m_currentApi ? m_currentApi() : QString();
    auto *dialog = new AlertThresholdsDialog(
        thresholds(), current.isEmpty() ? QStringList() : QStringList {current}, current, m_window);
    dialog->setObjectName(QStringLiteral("alertThresholdsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { setThresholds(dialog->thresholds()); });
    dialog->open(); // window-modal, without a nested event loop
}

void AlertCenter::handleAlerted(qint64 timeMs, const QString &api, bool raised, const QString &text,
                                int measure)
{
    if (m_dashboard)
        m_dashboard->addAlertMarker(timeMs, text, raised, api, measure);
    m_last = text;
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray
                = new QSystemTrayIcon(m_window->windowIcon().isNull() ? QApplication::windowIcon()
                                                                      : m_window->windowIcon(),
                                      this);
            m_tray->setToolTip(tr("Gatehouse"));
        }
        m_tray->show();
        m_tray->showMessage(raised ? tr("Gatehouse alert") : tr("Gatehouse alert cleared"), text,
                            raised ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
        m_lastPlace = QStringLiteral("tray");
    } else {
        m_window->statusBar()->showMessage(text, 15000);
        m_lastPlace = QStringLiteral("status bar");
    }
}

} // namespace Gatehouse
