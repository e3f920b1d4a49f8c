// SPDX-License-Identifier: GPL-3.0-or-later
// File > New API, offscreen: the wizard's fields, their problems, the file it will not
// overwrite, and the Chats API created from it, opened, saved and reopened with the
// same bytes and model.
#include "apitreemodel.h"
#include "asyncapi/asyncapireader.h"
#include "diagnosticlistmodel.h"
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "editor/newapiwizard.h"
#include "mainwindow.h"
#include "windowtesting.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Test;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

QAction *action(MainWindow &window, const QString &text)
{
    for (QAction *a : window.findChildren<QAction *>())
        if (a->text() == text)
            return a;
    return nullptr;
}

} // namespace

class TestNewApiWizard final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        useScratchSettings(m_dir.filePath(QStringLiteral("settings")), u"tst_newapiwizard"_qs);
    }

    void startsAndFields()
    {
        NewApiWizard wizard(m_dir.path());
        wizard.show();
        QCOMPARE(wizard.startList()->count(), 5);
        QCOMPARE(wizard.startList()->currentRow(), int(NewApiWizard::Start::Chats));
        // every control can be named by assistive technology
        for (QWidget *w : wizard.findChildren<QWidget *>())
            if (w->focusPolicy() != Qt::NoFocus && !qobject_cast<QAbstractButton *>(w)
                && w->isVisibleTo(&wizard))
                QVERIFY2(!w->accessibleName().isEmpty(), w->metaObject()->className());

        // choosing a start fills the fields from it (from the keyboard)
        wizard.startList()->setFocus();
        QTest::keyClick(wizard.startList(), Qt::Key_Down);
        QCOMPARE(wizard.startList()->currentRow(), int(NewApiWizard::Start::Echo));
        QCOMPARE(wizard.nameEdit()->text(), u"Echo"_qs);
        QCOMPARE(wizard.contextEdit()->text(), u"/echo"_qs);
        QCOMPARE(wizard.endpointEdit()->text(), u"ws://localhost:8082"_qs);
        wizard.next();
        QAbstractButton *next = wizard.button(QWizard::NextButton);
        QVERIFY(next->isEnabled());
        QVERIFY(wizard.currentProblem().isEmpty());

        // the context follows the name until the user gives one
        retype(wizard.nameEdit(), QStringLiteral("Order Updates"));
        QCOMPARE(wizard.contextEdit()->text(), u"/order-updates"_qs);
        auto *clientUrl = wizard.findChild<QLabel *>(QStringLiteral("newApiClientUrl"));
        QCOMPARE(clientUrl->text(),
                 u"Clients will connect to ws://127.0.0.1:9100/order-updates/1.0.0/{topic}"_qs);

        // a bad field says what is wrong and keeps Next disabled
        retype(wizard.contextEdit(), QStringLiteral("orders"));
        QVERIFY(!next->isEnabled());
        auto *problem = wizard.findChild<QLabel *>(QStringLiteral("newApiDetailsProblem"));
        QVERIFY(problem->isVisibleTo(&wizard));
        QVERIFY2(problem->text().startsWith(u"context: "), qPrintable(problem->text()));
        retype(wizard.contextEdit(), QStringLiteral("/orders"));
        QVERIFY(next->isEnabled());
        QVERIFY(!problem->isVisibleTo(&wizard));
        // the name no longer changes a context the user typed
        retype(wizard.nameEdit(), QStringLiteral("Orders"));
        QCOMPARE(wizard.contextEdit()->text(), u"/orders"_qs);
        retype(wizard.endpointEdit(), QStringLiteral("http://localhost"));
        QVERIFY(!next->isEnabled());
        QVERIFY(wizard.currentProblem().startsWith(u"endpoint: "));
        retype(wizard.endpointEdit(), QStringLiteral("ws://localhost:7001"));
        retype(wizard.listenEdit(), QStringLiteral("127.0.0.1"));
        QVERIFY(!next->isEnabled());
        retype(wizard.listenEdit(), QStringLiteral("127.0.0.1:9600"));
        QVERIFY(next->isEnabled());

        // going back to another start keeps what was typed
        wizard.back();
        QTest::keyClick(wizard.startList(), Qt::Key_Up);
        QCOMPARE(wizard.nameEdit()->text(), u"Orders"_qs);
        QCOMPARE(wizard.endpointEdit()->text(), u"ws://localhost:7001"_qs);
        QCOMPARE(wizard.versionEdit()->text(), u"1.0.0"_qs);
    }

    void existingFileIsNeverOverwritten()
    {
        const QString taken = m_dir.filePath(QStringLiteral("taken.asyncapi.yaml"));
        QVERIFY(writeFile(taken, "keep me\n"));
        NewApiWizard wizard(m_dir.path());
        wizard.show();
        wizard.next();
        retype(wizard.nameEdit(), QStringLiteral("Taken"));
        wizard.next();
        QCOMPARE(QDir::fromNativeSeparators(wizard.fileEdit()->text()), taken);
        QAbstractButton *finish = wizard.button(QWizard::FinishButton);
        QVERIFY(!finish->isEnabled());
        QVERIFY2(wizard.currentProblem().contains(u"exists already"),
                 qPrintable(wizard.currentProblem()));
        // a relative path or a missing folder is refused too
        wizard.fileEdit()->setText(QStringLiteral("relative.yaml"));
        QVERIFY(!finish->isEnabled());
        wizard.fileEdit()->setText(m_dir.filePath(QStringLiteral("no/such/dir/x.yaml")));
        QVERIFY(!finish->isEnabled());
        QVERIFY(wizard.currentProblem().contains(u"does not exist"));
        QCOMPARE(readAll(taken), QByteArray("keep me\n"));

        // the preview is the document that would be written
        wizard.fileEdit()->setText(m_dir.filePath(QStringLiteral("taken-2.yaml")));
        QVERIFY(finish->isEnabled());
        QVERIFY(wizard.previewText().contains(u"title: Taken\n"));
        QVERIFY(wizard.previewText().contains(u"context: /taken\n"));
    }

    // The flow: create the Chats API from the wizard, add a channel with a
    // parameter, save, reopen, and get the same model and the same bytes.
    void chatsApiCreatedEditedSavedReopened()
    {
        const QString folder = m_dir.filePath(QStringLiteral("apis"));
        QVERIFY(QDir().mkpath(folder));
        QSettings().setValue(QStringLiteral("newApi/folder"), folder);
        const QString path = QDir(folder).filePath(QStringLiteral("team-chat.asyncapi.yaml"));

        MainWindow window;
        window.setConfirmQuit(false);
        window.show();
        QAction *newApi = action(window, QStringLiteral("&New API\u2026"));
        QVERIFY(newApi);
        QCOMPARE(newApi->shortcut(), QKeySequence(QKeySequence::New));
        newApi->trigger();
        auto *wizard = window.findChild<NewApiWizard *>();
        QVERIFY(wizard);
        QTRY_VERIFY(wizard->isVisible());
        QCOMPARE(wizard->startList()->currentRow(), int(NewApiWizard::Start::Chats));
        wizard->next();
        retype(wizard->nameEdit(), QStringLiteral("Team Chat"));
        retype(wizard->versionEdit(), QStringLiteral("2.0.0"));
        wizard->asyncApiVersionBox()->setCurrentIndex(0); // 3.0
        wizard->next();
        QCOMPARE(QDir::fromNativeSeparators(wizard->fileEdit()->text()), path);
        const QString preview = wizard->previewText();
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        wizard->button(QWizard::FinishButton)->click();
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.constFirst().at(1).toBool(), true);
        QCOMPARE(window.currentFile(), path);
        const QByteArray created = readAll(path);
        QCOMPARE(QString::fromUtf8(created), preview);
        QVERIFY(window.apiModel()->index(0, 0).data().toString().startsWith(u"Team Chat 2.0.0"));
        QVERIFY(window.diagnosticsModel()->rowCount() == 0);

        // add a channel with a parameter in the Design tab and save
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form->editor()->lastRead().api, 20000);
        QString error;
        QVERIFY2(form->addChannel(QStringLiteral("/typing/{roomID}"), &error), qPrintable(error));
        QAction *save = action(window, QStringLiteral("&Save"));
        QVERIFY(save && save->isEnabled());
        loaded.clear();
        save->trigger();
        QVERIFY(loaded.wait(20000));
        const QByteArray saved = readAll(path);
        QCOMPARE(saved, form->editor()->text());
        QVERIFY(saved.startsWith(created.left(created.indexOf("channels:"))));
        const ReadResult before = AsyncApiReader::readFile(path);
        QString diagnostics;
        for (const Diagnostic &d : before.diagnostics)
            diagnostics += d.message + u'\n';
        QVERIFY2(before.ok(), qPrintable(diagnostics + QString::fromUtf8(saved)));
        QCOMPARE(before.api->channels.size(), 3);

        // reopen in a new window: the same bytes and the same model
        MainWindow again;
        again.setConfirmQuit(false);
        QVERIFY(openAndWait(again, path));
        auto *form2 = again.findChild<ApiForm *>();
        QVERIFY(form2 && form2->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form2->editor()->lastRead().api, 20000);
        QCOMPARE(form2->editor()->text(), saved);
        QVERIFY(*form2->editor()->lastRead().api == *before.api);
        QVERIFY(again.diagnosticsModel()->rowCount() == 0);
    }
};

QTEST_MAIN(TestNewApiWizard)
#include "tst_newapiwizard.moc"
