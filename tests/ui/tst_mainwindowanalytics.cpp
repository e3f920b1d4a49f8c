// SPDX-License-Identifier: GPL-3.0-or-later
// The window's analytics entries (kept apart from tst_mainwindow): File > Open Log
// File… and Run > Alert Thresholds….
#include "analytics/alertthresholdsdialog.h"
#include "analytics/messagelogview.h"
#include "mainwindow.h"

#include <QAction>
#include <QCoreApplication>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

namespace {

QMenu *menuOf(MainWindow &window, const QString &title)
{
    for (QAction *a : window.menuBar()->actions())
        if (a->menu() && a->text() == title)
            return a->menu();
    return nullptr;
}

} // namespace

class TestMainWindowAnalytics final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindowanalytics"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
    }

    void menuEntries()
    {
        MainWindow window;
        QMenu *file = menuOf(window, QStringLiteral("&File"));
        QVERIFY(file);
        auto *openLog = window.findChild<QAction *>(QStringLiteral("openLogFileAction"));
        QVERIFY(openLog);
        QVERIFY(file->actions().contains(openLog));
        QVERIFY(!openLog->toolTip().isEmpty());
        QMenu *run = menuOf(window, QStringLiteral("&Run"));
        QVERIFY(run);
        auto *alerts = window.findChild<QAction *>(QStringLiteral("alertThresholdsAction"));
        QVERIFY(alerts);
        QVERIFY(run->actions().contains(alerts));
        QVERIFY(window.messageLogView()->legend());
        // gatehouse --show TAB
        QCOMPARE(window.tabNames(),
                 (QStringList {u"details"_qs, u"source"_qs, u"design"_qs, u"overview"_qs,
                               u"connections"_qs, u"dashboard"_qs, u"log"_qs, u"applications"_qs}));
        QVERIFY(window.showTab(u"Dashboard"_qs));
        QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->currentIndex(), 5);
        QVERIFY(!window.showTab(u"nowhere"_qs));
        // the thresholds dialog opens without blocking, and OK keeps what it says
        alerts->trigger();
        auto *dialog
            = window.findChild<AlertThresholdsDialog *>(QStringLiteral("alertThresholdsDialog"));
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        dialog->reject();
        QTRY_VERIFY(
            !window.findChild<AlertThresholdsDialog *>(QStringLiteral("alertThresholdsDialog")));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestMainWindowAnalytics)
#include "tst_mainwindowanalytics.moc"
