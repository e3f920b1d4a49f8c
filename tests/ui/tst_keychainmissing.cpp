// SPDX-License-Identifier: GPL-3.0-or-later
// The window in a session whose keychain (Secret Service) cannot be reached, or is
// locked (GATEHOUSE_TEST_KEYCHAIN_LOCKED=1, run by ctest in a keyring session of its
// own): it says so, refuses to issue with the reason, never keeps a secret elsewhere,
// and runs APIs as usual.
#include "applicationsview.h"
#include "credentials/credentialservice.h"
#include "gatewayoutputview.h"
#include "mainwindow.h"
#include "testsupport.h"
#include "windowtesting.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDirIterator>
#include <QLabel>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Gatehouse;

class TestKeychainMissing final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_keychainmissing"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                           m_dir.filePath(QStringLiteral("settings")));
    }

    void saidAndRefusedWindowStillWorks()
    {
        const QString db = m_dir.filePath(QStringLiteral("registry.db"));
        qputenv("GATEHOUSE_DB", db.toLocal8Bit());
        auto unset = qScopeGuard([] { qunsetenv("GATEHOUSE_DB"); });
        const quint16 port = Test::freePort();
        const QString path = m_dir.filePath(QStringLiteral("echo.yaml"));
        QVERIFY(Test::writeFile(path, Test::echoApi(port, Test::freePort())));
        const bool locked = qEnvironmentVariableIntValue("GATEHOUSE_TEST_KEYCHAIN_LOCKED") == 1;
        if (locked) {
            // lock the session's keyring, as a screen lock or a user would
            const Test::ProcessResult lock = Test::runProcess(
                QStringLiteral("dbus-send"),
                {QStringLiteral("--session"), QStringLiteral("--print-reply"),
                 QStringLiteral("--dest=org.freedesktop.secrets"),
                 QStringLiteral("/org/freedesktop/secrets"),
                 QStringLiteral("org.freedesktop.Secret.Service.Lock"),
                 QStringLiteral("array:objpath:/org/freedesktop/secrets/collection/login")});
            QCOMPARE(lock.exitCode, 0);
        }
        MainWindow window;
        window.setConfirmQuit(false);
        ApplicationsView *view = window.applicationsView();
        view->setShowIssuedDialog(false);
        QVERIFY(Test::openAndWait(window, path));

        // missing: said where credentials are managed, and in the output
        auto *banner = view->findChild<QLabel *>(QStringLiteral("keychainProblem"));
        QVERIFY(banner);
        if (!locked) {
            QTRY_VERIFY_WITH_TIMEOUT(!view->keychainProblem().isEmpty(), 10000);
            QVERIFY(!banner->isHidden());
            QVERIFY(banner->text().contains(u"keychain cannot be reached"));
            QVERIFY(!banner->accessibleName().isEmpty());
            QTRY_VERIFY(!window.outputView()->lines().filter(u"keychain: ").isEmpty());
        }

        // applications and subscriptions live in the registry: they work
        QTRY_VERIFY(window.credentials()->snapshot());
        view->createApplication(QStringLiteral("tester"));
        QTRY_COMPARE(view->applicationsModel()->rowCount(), 1);
        QTRY_COMPARE(view->selectedApplication(), QStringLiteral("tester"));
        view->subscribeSelected(QStringLiteral("AsyncUnlimited"));
        QTRY_COMPARE(view->subscriptionsModel()->rowCount(), 1);

        // issuing needs the keychain: refused with the reason, nothing recorded
        QSignalSpy issued(view, &ApplicationsView::secretIssued);
        view->issueForSelected(Credentials::CredentialType::AccessToken);
        QTRY_VERIFY2_WITH_TIMEOUT(view->statusText().startsWith(u"Cannot issue: "),
                                  qPrintable(view->statusText()), 20000);
        QVERIFY2(view->statusText().contains(u"keychain"), qPrintable(view->statusText()));
        if (locked)
            QVERIFY2(view->statusText().contains(u"locked"), qPrintable(view->statusText()));
        QVERIFY(issued.isEmpty());
        QTest::qWait(200);
        QCOMPARE(view->credentialsModel()->rowCount(), 0);
        // and no secret went anywhere else (no plaintext fallback next to the registry
        // or in the settings)
        QDirIterator files(m_dir.path(), QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            if (file.fileName().endsWith(u".db") || file.fileName().contains(u".db-"))
                continue;
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains("gh_at_"), qPrintable(file.fileName()));
        }

        // Check again asks once more and still says so
        if (!locked) {
            view->setKeychainProblem({});
            Q_EMIT view->keychainCheckRequested();
            QTRY_VERIFY_WITH_TIMEOUT(!view->keychainProblem().isEmpty(), 10000);
        }

        // the API runs and serves its open channel
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Running on "), 10000);
        QWebSocket client;
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/echo/1.0.0/talk").arg(port)));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, 5000);
        QSignalSpy echoed(&client, &QWebSocket::textMessageReceived);
        client.sendTextMessage(QStringLiteral("still here"));
        QTRY_COMPARE(echoed.size(), 1);
        window.copyWscatCommand(QStringLiteral("/talk"), {});
        QTRY_COMPARE(QGuiApplication::clipboard()->text(),
                     QStringLiteral("wscat -c 'ws://127.0.0.1:%1/echo/1.0.0/talk'").arg(port));
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
    }
};

int main(int argc, char **argv)
{
    // A session bus that is not there: the keychain cannot be reached. Set before
    // anything in the process talks to D-Bus.
    if (qEnvironmentVariableIntValue("GATEHOUSE_TEST_KEYCHAIN_LOCKED") != 1)
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/gatehouse-test-bus");
    QApplication app(argc, argv);
    TestKeychainMissing test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychainmissing.moc"
