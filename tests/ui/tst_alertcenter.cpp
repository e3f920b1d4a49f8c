// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/alertcenter.h"
#include "analytics/alertmonitor.h"
#include "analytics/alertthresholdsdialog.h"
#include "analytics/dashboardview.h"
#include "analytics/gatewaymetrics.h"
#include "runtime/runtimehost.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QMainWindow>
#include <QSettings>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using Analytics::AlertThresholds;

class TestAlertCenter final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("GatehouseTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_alertcenter"));
    }

    // The thresholds are kept per API with QSettings (slashes and all) and read back
    // by a new window's center.
    void thresholdsAreKept()
    {
        QMainWindow window;
        AlertCenter center(nullptr, nullptr, &window);
        AlertThresholds chats;
        chats.rejectedPerSecond = 2.5;
        chats.openConnections = 100;
        AlertThresholds off; // nothing set: not kept
        center.setThresholds(
            {{QStringLiteral("/chats/1.0.0"), chats}, {QStringLiteral("/off/1"), off}});
        QMainWindow again;
        AlertCenter restarted(nullptr, nullptr, &again);
        const QHash<QString, AlertThresholds> read = restarted.thresholds();
        QCOMPARE(read.size(), 1);
        QVERIFY(read.value(QStringLiteral("/chats/1.0.0")) == chats);
        QVERIFY(!restarted.editAction()->text().isEmpty());
        QVERIFY(!restarted.editAction()->toolTip().isEmpty());
    }

    // The dialog edits one API at a time and keeps what was typed for each.
    void dialogEditsPerApi()
    {
        AlertThresholds chats;
        chats.throttledPerSecond = 4;
        AlertThresholdsDialog dialog({{QStringLiteral("/chats/1.0.0"), chats}},
                                     {QStringLiteral("/other/1")}, QStringLiteral("/other/1"));
        QCOMPARE(dialog.apiBox()->currentText(), QStringLiteral("/other/1"));
        QCOMPARE(dialog.field(1)->value(), 0.0);
        dialog.field(3)->setValue(50); // open connections of /other/1
        dialog.apiBox()->setCurrentText(QStringLiteral("/chats/1.0.0"));
        QCOMPARE(dialog.field(1)->value(), 4.0);
        QCOMPARE(dialog.field(3)->value(), 0.0);
        dialog.field(1)->setValue(0); // /chats/1.0.0: nothing left
        const QHash<QString, AlertThresholds> t = dialog.thresholds();
        QCOMPARE(t.size(), 1);
        QCOMPARE(t.value(QStringLiteral("/other/1")).openConnections, 50);
        for (QWidget *w : dialog.findChildren<QWidget *>())
            if (qobject_cast<QDoubleSpinBox *>(w) || qobject_cast<QComboBox *>(w))
                QVERIFY2(!w->accessibleName().isEmpty(), qPrintable(w->objectName()));
    }

    // An alert from the runtime: a notification (the status bar offscreen, where there
    // is no tray) and a marker on the dashboard.
    void alertShown()
    {
        QMainWindow window;
        RuntimeHost host;
        DashboardView dashboard;
        dashboard.setPaused(true);
        dashboard.setMetrics(std::make_shared<Analytics::GatewayMetrics>());
        AlertCenter center(&host, &dashboard, &window);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        dashboard.refresh(now);
        const QString text
            = QStringLiteral("alert: /chats/1.0.0: 3 connections open (threshold 2)");
        Q_EMIT host.alerted(now - 2000, QStringLiteral("/chats/1.0.0"), true, text,
                            int(Analytics::AlertMonitor::Measure::OpenConnections));
        QCOMPARE(center.lastNotification(), text);
        if (QSystemTrayIcon::isSystemTrayAvailable()) {
            QCOMPARE(center.lastNotificationPlace(), QStringLiteral("tray"));
        } else {
            QCOMPARE(center.lastNotificationPlace(), QStringLiteral("status bar"));
            QCOMPARE(window.statusBar()->currentMessage(), text);
        }
        // on the chart of open connections
        QCOMPARE(dashboard.alertMarkers(0), QList<qint64> {now - 2000});
        QVERIFY(dashboard.alertMarkers(2).isEmpty());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestAlertCenter)
#include "tst_alertcenter.moc"
