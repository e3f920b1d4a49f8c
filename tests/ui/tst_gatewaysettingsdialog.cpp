// SPDX-License-Identifier: GPL-3.0-or-later
// Run → Gateway Settings…: the outgoing buffer, idle timeout and ping forwarding the
// window's gateway runs with, checked as typed, kept in the settings, used by Run.
#include "gateway/gatewayoptions.h"
#include "gatewaysettingsdialog.h"
#include "mainwindow.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

using namespace Gatehouse;

class TestGatewaySettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }
    void fieldsAreChecked();
    void runUsesThem();
};

void TestGatewaySettingsDialog::fieldsAreChecked()
{
    GatewaySettingsDialog dialog(GatewayRunOptions {});
    QCOMPARE(dialog.bufferField()->text(), u"64KiB"_qs);
    QVERIFY(dialog.idleField()->text().isEmpty());
    QVERIFY(dialog.canAccept());
    QVERIFY(!dialog.bufferField()->accessibleName().isEmpty());

    dialog.bufferField()->setText(QStringLiteral("2KiB"));
    QVERIFY(!dialog.canAccept());
    QCOMPARE(dialog.problem(),
             u"Outgoing buffer: \"2KiB\" is not a size of at least 4KiB such as 64KiB or 1MiB"_qs);
    dialog.bufferField()->setText(QStringLiteral("128KiB"));
    dialog.idleField()->setText(QStringLiteral("soon"));
    QVERIFY(!dialog.canAccept());
    QCOMPARE(dialog.problem(),
             u"Idle timeout: \"soon\" is not a duration such as 30s, 500ms or 5m"_qs);
    dialog.idleField()->setText(QStringLiteral("30s"));
    QVERIFY(dialog.socketBuffersField()->text().isEmpty());
    dialog.socketBuffersField()->setText(QStringLiteral("1GiB"));
    QVERIFY(!dialog.canAccept());
    QCOMPARE(dialog.problem(),
             u"Socket buffers: \"1GiB\" is not a size from 4KiB to 64MiB such as 64KiB"_qs);
    dialog.socketBuffersField()->setText(QStringLiteral("32KiB"));
    dialog.pingsBox()->setChecked(true);
    dialog.perApplicationBox()->setChecked(true);
    QVERIFY(dialog.canAccept());
    const auto options = dialog.options();
    QVERIFY(options);
    QCOMPARE(options->outgoingBuffer, 128 * 1024);
    QCOMPARE(options->idleTimeoutMs, 30000);
    QCOMPARE(options->socketBuffers, 32 * 1024);
    QVERIFY(options->forwardPings);
    QVERIFY(options->metricsPerApplication);

    options->save();
    QVERIFY(GatewayRunOptions::load() == *options);
    // shown again as written
    GatewaySettingsDialog again(GatewayRunOptions::load());
    QCOMPARE(again.bufferField()->text(), u"128KiB"_qs);
    QCOMPARE(again.idleField()->text(), u"30s"_qs);
    QCOMPARE(again.socketBuffersField()->text(), u"32KiB"_qs);
    QVERIFY(again.pingsBox()->isChecked());
    QVERIFY(again.perApplicationBox()->isChecked());
}

void TestGatewaySettingsDialog::runUsesThem()
{
    GatewayRunOptions options;
    options.outgoingBuffer = 16 * 1024;
    options.idleTimeoutMs = 5000;
    options.socketBuffers = 48 * 1024;
    options.metricsPerApplication = true;
    options.save();
    MainWindow window;
    QVERIFY(window.runSettings().metricsPerApplication);
    const Gateway::GatewayOptions used = window.runSettings().options;
    QCOMPARE(used.highWaterBytes, 16 * 1024);
    QCOMPARE(used.lowWaterBytes, 8 * 1024);
    QCOMPARE(used.idleTimeoutMs, 5000);
    QCOMPARE(used.socketBufferBytes, 48 * 1024);
    QVERIFY(!used.forwardPings);
    QVERIFY(window.findChild<QAction *>(QStringLiteral("gatewaySettingsAction")));
}

QTEST_MAIN(TestGatewaySettingsDialog)
#include "tst_gatewaysettingsdialog.moc"
