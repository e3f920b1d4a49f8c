// SPDX-License-Identifier: GPL-3.0-or-later
// The main window's File menu, offscreen: Save As (YAML or JSON), Save a Copy as
// AsyncAPI 2.6 / 3.0, and closing a document with unsaved edits.
#include "asyncapi/asyncapireader.h"
#include "editor/apiform.h"
#include "editor/conversiondialog.h"
#include "editor/documenteditor.h"
#include "editor/documentwriter.h"
#include "editor/sourcepane.h"
#include "mainwindow.h"
#include "recentfiles.h"
#include "testsupport.h"
#include "windowtesting.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Gatehouse;
using Test::openAndWait;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList addresses(const Api &api)
{
    QStringList list;
    for (const Channel &c : api.channels)
        list.append(c.address);
    list.sort();
    return list;
}

// Answers the next message box with `button` as soon as it shows; `asked` gets its text.
QPointer<QTimer> answerMessageBox(QMessageBox::StandardButton button, QString *asked)
{
    auto *timer = new QTimer(qApp);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, button, asked] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        if (asked)
            *asked = box->text();
        if (QAbstractButton *b = box->button(button))
            b->click();
        timer->deleteLater();
    });
    timer->start(20);
    return timer;
}

} // namespace

class TestMainWindowFiles : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // A copy of the Chats sample at `name`, open in `window` with an edited title.
    QString openEdited(MainWindow &window, const QString &name, QByteArray *original = nullptr)
    {
        const QString path = m_dir.filePath(name);
        QFile::remove(path);
        if (!QFile::copy(MainWindow::samplePath(), path))
            return {};
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        if (original)
            *original = readAll(path);
        if (!openAndWait(window, path))
            return {};
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        if (!editor || !editor->setValue(u"/info/title"_qs, Json("Chats edited"), u"Title"_qs))
            return {};
        return path;
    }

    static QAction *action(MainWindow &window, const QString &name)
    {
        return window.findChild<QAction *>(name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindowfiles"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                           m_dir.filePath(QStringLiteral("settings")));
    }

    void init() { RecentFiles().clear(); }

    void actions()
    {
        MainWindow window;
        QAction *saveAs = action(window, u"saveAsAction"_qs);
        QVERIFY(saveAs);
        QCOMPARE(saveAs->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
        QVERIFY(!saveAs->isEnabled()); // no document yet
        for (const QString &name : {u"saveCopyV2Action"_qs, u"saveCopyV3Action"_qs}) {
            QAction *copy = action(window, name);
            QVERIFY(copy);
            QVERIFY(copy->text().contains(u'&')); // a mnemonic
            QVERIFY(!copy->isEnabled());
        }
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        QVERIFY(saveAs->isEnabled());
        QVERIFY(action(window, u"saveCopyV3Action"_qs)->isEnabled());
    }

    void saveAsYamlSameBytes()
    {
        MainWindow window;
        QByteArray original;
        const QString path = openEdited(window, u"same.yaml"_qs, &original);
        QVERIFY(!path.isEmpty());
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        QVERIFY(editor->isModified());
        QVERIFY(window.windowTitle().contains(u"same.yaml*"));
        const QByteArray text = editor->text();
        const QString target = m_dir.filePath(u"other.yaml"_qs);
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.saveCurrentDocumentAs(target); // written off the GUI thread
        QVERIFY(window.currentFile() == path); // (until it is written)
        QTRY_COMPARE_WITH_TIMEOUT(readAll(target), text, 20000); // byte for byte
        QCOMPARE(readAll(path), original); // the old file keeps what was saved there
        // (the new file may be read while the write was waited for)
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 20000);
        QCOMPARE(loaded.constLast().at(0).toString(), target);
        QCOMPARE(window.currentFile(), target);
        QVERIFY(window.windowTitle().startsWith(u"other.yaml "));
        QVERIFY(!window.windowTitle().contains(u'*'));
        QVERIFY(window.openDocuments().contains(QFileInfo(target).absoluteFilePath()));
        QVERIFY(!window.openDocuments().contains(QFileInfo(path).absoluteFilePath()));
        QCOMPARE(RecentFiles().files().value(0), QFileInfo(target).absoluteFilePath());
        // the same editor, history and all, edits the new file
        QCOMPARE(window.findChild<ApiForm *>()->editor(), editor);
        QCOMPARE(editor->path(), target);
        QVERIFY(!editor->isModified());
        editor->undoStack()->undo();
        QCOMPARE(editor->text(), original);
    }

    void saveAsJsonReopens()
    {
        MainWindow window;
        QByteArray original;
        const QString path = openEdited(window, u"tojson.yaml"_qs, &original);
        QVERIFY(!path.isEmpty());
        const QByteArray text = window.findChild<ApiForm *>()->editor()->text();
        const QString target = m_dir.filePath(u"tojson.json"_qs);
        QFile::remove(target);

        // the user is told comments do not carry over, and can cancel
        window.saveCurrentDocumentAs(target);
        QTRY_VERIFY_WITH_TIMEOUT(window.documentWriter()->dialog(), 20000);
        ConversionDialog *dialog = window.documentWriter()->dialog();
        const auto findings = dialog->findingsView()->findItems(u"comments"_qs, Qt::MatchContains);
        QVERIFY(!findings.isEmpty());
        dialog->buttons()->button(QDialogButtonBox::Cancel)->click();
        QTRY_VERIFY(!window.documentWriter()->dialog());
        QVERIFY(!QFile::exists(target));
        QCOMPARE(window.currentFile(), path);
        QVERIFY(window.findChild<ApiForm *>()->editor()->isModified());

        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.saveCurrentDocumentAs(target);
        QTRY_VERIFY_WITH_TIMEOUT(window.documentWriter()->dialog(), 20000);
        window.documentWriter()->dialog()->buttons()->button(QDialogButtonBox::Save)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 20000);
        QCOMPARE(loaded.constLast().at(0).toString(), target);
        QVERIFY(loaded.constLast().at(1).toBool());
        QCOMPARE(window.currentFile(), target);
        QCOMPARE(readAll(path), original);
        const QByteArray json = readAll(target);
        QVERIFY(json.startsWith('{'));
        // reopened, the JSON is the same model as the edited YAML
        const ReadResult edited = AsyncApiReader::readData(text, path);
        const ReadResult reopened = AsyncApiReader::readFile(target);
        QVERIFY(edited.ok() && reopened.ok());
        QVERIFY(*reopened.api == *edited.api);
        QCOMPARE(reopened.api->title, u"Chats edited"_qs);
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        QVERIFY(editor);
        QCOMPARE(editor->path(), target);
        QCOMPARE(editor->text(), json);
        QVERIFY(!editor->isModified());
        QVERIFY(window.windowTitle().startsWith(u"tojson.json "));
        QVERIFY(window.openDocuments().contains(QFileInfo(target).absoluteFilePath()));
        QVERIFY(!window.openDocuments().contains(QFileInfo(path).absoluteFilePath()));
    }

    void saveAsKeepsLaterEdits()
    {
        MainWindow window;
        const QString path = openEdited(window, u"later.yaml"_qs);
        QVERIFY(!path.isEmpty());
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        const QString target = m_dir.filePath(u"later.json"_qs);
        QFile::remove(target);
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.saveCurrentDocumentAs(target);
        QTRY_VERIFY_WITH_TIMEOUT(window.documentWriter()->dialog(), 20000);
        // an edit made while the question is up is not in what was converted
        QVERIFY(editor->setValue(u"/info/title"_qs, Json("Chats later"), u"Title"_qs));
        window.documentWriter()->dialog()->accept();
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 20000);
        QCOMPARE(loaded.constLast().at(0).toString(), target);
        QCOMPARE(AsyncApiReader::readFile(target).api->title, u"Chats edited"_qs);
        // the old document stays open, its later edit unsaved but not lost
        QVERIFY(window.openDocuments().contains(QFileInfo(path).absoluteFilePath()));
        QVERIFY(window.openDocuments().contains(QFileInfo(target).absoluteFilePath()));
        QCOMPARE(editor->path(), path);
        QVERIFY(editor->isModified());
        QVERIFY(editor->text().contains("title: Chats later\n"));
    }

    void saveSampleAs()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        QVERIFY(!window.findChild<ApiForm *>()->editor()); // the built-in sample is read only
        const QString target = m_dir.filePath(u"from-sample.yaml"_qs);
        QFile::remove(target);
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.saveCurrentDocumentAs(target); // read and written off the GUI thread
        QVERIFY(loaded.wait(20000));
        QCOMPARE(readAll(target), readAll(MainWindow::samplePath()));
        QCOMPARE(window.currentFile(), target);
        QVERIFY(window.findChild<ApiForm *>()->editor()); // now it can be edited
        QCOMPARE(window.openDocuments(), QStringList {QFileInfo(target).absoluteFilePath()});
    }

    void saveAsFailureKeepsEdits()
    {
        MainWindow window;
        const QString path = openEdited(window, u"fails.yaml"_qs);
        QVERIFY(!path.isEmpty());
        const QString target = m_dir.filePath(u"no-such-dir/fails.yaml"_qs);
        window.saveCurrentDocumentAs(target);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.findChild<QStatusBar *>()->currentMessage().contains(u"cannot write"), 20000);
        QVERIFY(!QFile::exists(target));
        QCOMPARE(window.currentFile(), path);
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        QCOMPARE(editor->path(), path);
        QVERIFY(editor->isModified());
        QVERIFY(window.findChild<QStatusBar *>()->currentMessage().contains(u"cannot write"));
    }

    void saveCopyAs30()
    {
        MainWindow window;
        const QString path = openEdited(window, u"copy-source.yaml"_qs);
        QVERIFY(!path.isEmpty());
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        const QString target = m_dir.filePath(u"copy-3.0.yaml"_qs);
        QFile::remove(target);
        QSignalSpy saved(&window, &MainWindow::copySaved);
        window.saveCopyAs(AsyncApiWriter::TargetVersion::V3_0, target);
        // what the conversion does not carry is listed first
        QTRY_VERIFY_WITH_TIMEOUT(window.documentWriter()->dialog(), 20000);
        QListWidget *findings = window.documentWriter()->dialog()->findingsView();
        QVERIFY(!findings->findItems(u"'roomID'"_qs, Qt::MatchContains).isEmpty());
        QVERIFY(!QFile::exists(target));
        window.documentWriter()->dialog()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 20000);
        QVERIFY(saved.constFirst().at(1).toBool());
        const ReadResult source = AsyncApiReader::readData(editor->text(), path);
        const ReadResult copy = AsyncApiReader::readFile(target);
        QVERIFY(copy.ok());
        QCOMPARE(copy.api->asyncapiVersion, u"3.0.0"_qs);
        QCOMPARE(addresses(*copy.api), addresses(*source.api));
        QCOMPARE(copy.api->title, u"Chats edited"_qs); // the current text, unsaved edits too
        // the window still edits the original, edits and all
        QCOMPARE(window.currentFile(), path);
        QCOMPARE(window.findChild<ApiForm *>()->editor(), editor);
        QCOMPARE(editor->path(), path);
        QVERIFY(editor->isModified());
        QVERIFY(!window.openDocuments().contains(QFileInfo(target).absoluteFilePath()));
    }

    void saveCopySameVersion()
    {
        MainWindow window;
        const QString path = m_dir.filePath(u"already.yaml"_qs);
        QFile::remove(path);
        QVERIFY(QFile::copy(MainWindow::samplePath(), path));
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY(openAndWait(window, path));
        const QString target = m_dir.filePath(u"already-2.6.yaml"_qs);
        QSignalSpy saved(&window, &MainWindow::copySaved);
        window.saveCopyAs(AsyncApiWriter::TargetVersion::V2_6, target);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 20000); // nothing to ask
        QVERIFY(saved.constFirst().at(1).toBool());
        QCOMPARE(readAll(target), readAll(path));
        QVERIFY(window.findChild<QStatusBar *>()->currentMessage().contains(u"already"));
    }

    // File > Export for WSO2 API Manager: what is left out is listed first; Export
    // writes the definition WSO2 imports, unsaved edits included; the window keeps
    // editing the document.
    void exportForWso2()
    {
        MainWindow window;
        QAction *exportAction = action(window, u"exportWso2Action"_qs);
        QVERIFY(exportAction);
        QVERIFY(exportAction->text().contains(u'&')); // a mnemonic
        QVERIFY(!exportAction->isEnabled()); // no document yet
        const QString path = openEdited(window, u"wso2-source.yaml"_qs);
        QVERIFY(!path.isEmpty());
        QVERIFY(exportAction->isEnabled());
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        const QString target = m_dir.filePath(u"wso2-export.yaml"_qs);
        QFile::remove(target);
        QSignalSpy saved(&window, &MainWindow::copySaved);
        window.exportForWso2(target);
        QTRY_VERIFY_WITH_TIMEOUT(window.documentWriter()->dialog(), 20000);
        ConversionDialog *dialog = window.documentWriter()->dialog();
        QCOMPARE(dialog->windowTitle(), u"Export for WSO2 API Manager"_qs);
        QVERIFY(dialog->findingsView()->item(0)->text().startsWith(u"Left out or changed"_qs));
        QCOMPARE(dialog->buttons()->button(QDialogButtonBox::Save)->text(), u"&Export"_qs);
        QVERIFY(!dialog->findingsView()
                     ->findItems(u"x-gatehouse.context"_qs, Qt::MatchContains)
                     .isEmpty());
        QVERIFY(!QFile::exists(target));
        dialog->buttons()->button(QDialogButtonBox::Save)->click();
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 20000);
        QVERIFY(saved.constFirst().at(1).toBool());
        const ReadResult exported = AsyncApiReader::readFile(target);
        QVERIFY(exported.ok());
        QCOMPARE(exported.api->title, u"Chats edited"_qs); // the current text
        QVERIFY(exported.api->gatehouse.raw.is_null());
        QCOMPARE(exported.api->servers.constFirst().id, u"production"_qs);
        QCOMPARE(window.currentFile(), path);
        QVERIFY(editor->isModified());
        QVERIFY(window.findChild<QStatusBar *>()->currentMessage().contains(u"WSO2"));

        // Cancel writes nothing.
        QFile::remove(target);
        window.exportForWso2(target);
        QTRY_VERIFY_WITH_TIMEOUT(window.documentWriter()->dialog(), 20000);
        window.documentWriter()->dialog()->reject();
        QTRY_VERIFY_WITH_TIMEOUT(saved.size() >= 2, 20000);
        QCOMPARE(saved.size(), 2); // told once
        QVERIFY(!saved.last().at(1).toBool());
        QVERIFY(!QFile::exists(target));
    }

    // Quitting with unsaved edits and answering Save writes them off the GUI thread,
    // then the window closes. A save that fails keeps the window, the edits and the
    // reason.
    void quitSavesFirst()
    {
        QByteArray original;
        {
            MainWindow window;
            window.setConfirmQuit(false);
            window.show();
            const QString path = openEdited(window, u"quit.yaml"_qs, &original);
            QVERIFY(!path.isEmpty());
            QVERIFY(window.findChild<ApiForm *>()->editor()->setValue(
                u"/info/title"_qs, Json("Chats saved on quit"), u"Title"_qs));
            QString asked;
            answerMessageBox(QMessageBox::Save, &asked);
            QVERIFY(!window.close()); // not yet: saving
            QVERIFY(asked.contains(u"quit.yaml"));
            QTRY_VERIFY(!window.isVisible());
            QVERIFY(readAll(path).contains("title: Chats saved on quit\n"));
            QVERIFY(!window.findChild<ApiForm *>()->editor()->isModified());
        }
        {
            // a file that cannot be written: the window stays, edits and all
            MainWindow window;
            window.setConfirmQuit(false);
            window.show();
            QVERIFY(QDir(m_dir.path()).mkpath(u"going"_qs));
            const QString path = openEdited(window, u"going/quit-fails.yaml"_qs, &original);
            QVERIFY(!path.isEmpty());
            // (its folder moves away: a permission would not stop a test run as root)
            QVERIFY(QDir(m_dir.path()).rename(u"going"_qs, u"gone"_qs));
            answerMessageBox(QMessageBox::Save, nullptr);
            QVERIFY(!window.close());
            QTRY_VERIFY(window.statusBar()->currentMessage().startsWith(u"cannot write "));
            QVERIFY(window.statusBar()->currentMessage().contains(u"quit-fails.yaml"));
            QVERIFY(window.isVisible());
            QVERIFY(window.findChild<ApiForm *>()->editor()->isModified());
            QCOMPARE(readAll(m_dir.filePath(u"gone/quit-fails.yaml"_qs)), original);
            // and quitting again asks again
            QString asked;
            answerMessageBox(QMessageBox::Discard, &asked);
            QVERIFY(window.close());
            QVERIFY(asked.contains(u"quit-fails.yaml"));
        }
    }

    // A document over three files in the window: an edit of a message in another
    // file marks the document, Save writes that file, and a change another program
    // makes to a file without edits here is taken.
    void documentOverSeveralFiles()
    {
        QTemporaryDir dir;
        QByteArray mainText;
        const QString main = Test::copyMultiFileDocument(dir.path(), &mainText);
        QVERIFY(!main.isEmpty());
        const QString messages = dir.filePath(u"messages.yaml"_qs);
        const QString common = dir.filePath(u"schemas/common.yaml"_qs);
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, main));
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        QVERIFY(editor);
        QTRY_COMPARE_WITH_TIMEOUT(editor->fileCount(), 3, 20000);
        QVERIFY(window.showTab(u"source"_qs));
        QTRY_COMPARE(window.sourcePane()->fileTabs()->count(), 3);

        QVERIFY(editor->setValue(u"/components/messages/chat/title"_qs, Json("Chat line"),
                                 u"Set title"_qs));
        QVERIFY(window.windowTitle().contains(u"main.yaml*"));
        QCOMPARE(window.sourcePane()->fileTabs()->tabText(1), u"messages.yaml*"_qs);
        QAction *save = action(window, u"saveAction"_qs);
        QVERIFY(save && save->isEnabled());
        save->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!editor->isModified(), 20000);
        QVERIFY(readAll(messages).contains("  title: Chat line\n"));
        QCOMPARE(readAll(main), mainText);
        QVERIFY(!window.windowTitle().contains(u"main.yaml*"));
        QTRY_COMPARE(window.sourcePane()->fileTabs()->tabText(1), u"messages.yaml"_qs);
        QTRY_VERIFY_WITH_TIMEOUT(!editor->isReading() && editor->lastRead().ok(), 20000);
        QCOMPARE(editor->lastRead().api->message(u"chat"_qs)->title, u"Chat line"_qs);

        // another program: the document follows a file it has no edits of
        QByteArray changed = readAll(common);
        changed.replace("maxLength: 4096", "maxLength: 100");
        QVERIFY(Test::writeFile(common, changed));
        QTRY_COMPARE_WITH_TIMEOUT(editor->text(2), changed, 20000);
        QVERIFY(!editor->isModified());
        QTRY_VERIFY_WITH_TIMEOUT(
            !editor->isReading() && editor->lastRead().ok()
                && editor->lastRead().api->schemas["Text"].value("maxLength", 0) == 100,
            20000);

        // Save As in another folder: its $refs would name files that are not there
        QVERIFY(QDir(dir.path()).mkpath(u"elsewhere"_qs));
        const QString moved = dir.filePath(u"elsewhere/main.yaml"_qs);
        QString asked;
        answerMessageBox(QMessageBox::Cancel, &asked);
        window.saveCurrentDocumentAs(moved);
        QTRY_VERIFY(!asked.isEmpty());
        QVERIFY2(asked.contains(u"messages.yaml"_qs) && asked.contains(u"common.yaml"_qs),
                 qPrintable(asked));
        QTest::qWait(100);
        QVERIFY(!QFile::exists(moved));
        QCOMPARE(window.currentFile(), main);
        // in the same folder it is not asked about
        asked.clear();
        const QString beside = dir.filePath(u"main-copy.yaml"_qs);
        window.saveCurrentDocumentAs(beside);
        QTRY_COMPARE_WITH_TIMEOUT(window.currentFile(), beside, 20000);
        QVERIFY(asked.isEmpty());
        QCOMPARE(readAll(beside), mainText);
    }

    void closeModifiedAsks()
    {
        MainWindow window;
        window.setConfirmQuit(false);
        QByteArray original;
        const QString path = openEdited(window, u"close.yaml"_qs, &original);
        QVERIFY(!path.isEmpty());
        const QString key = QFileInfo(path).absoluteFilePath();

        QString asked;
        answerMessageBox(QMessageBox::Cancel, &asked);
        window.closeCurrentDocument();
        QVERIFY(asked.contains(u"close.yaml"));
        QCOMPARE(window.currentFile(), path); // kept, edits and all
        QVERIFY(window.findChild<ApiForm *>()->editor()->isModified());
        QVERIFY(window.openDocuments().contains(key));

        asked.clear();
        answerMessageBox(QMessageBox::Discard, &asked);
        window.closeCurrentDocument();
        QVERIFY(!asked.isEmpty());
        QVERIFY(!window.openDocuments().contains(key));
        QVERIFY(window.currentFile().isEmpty());
        QCOMPARE(readAll(path), original);
        QVERIFY(!DocumentEditor::recoveredText(path)); // discarded means gone
        QVERIFY(!window.windowTitle().contains(u'*'));
        QVERIFY(!window.isWindowModified());
        // opened again: what the file says, not the discarded edits
        QVERIFY(openAndWait(window, path));
        QCOMPARE(window.findChild<ApiForm *>()->editor()->text(), original);

        QVERIFY(window.findChild<ApiForm *>()->editor()->setValue(
            u"/info/title"_qs, Json("Chats saved on close"), u"Title"_qs));
        answerMessageBox(QMessageBox::Save, nullptr);
        window.closeCurrentDocument();
        // written off the GUI thread; the document closes once it is
        QTRY_VERIFY(!window.openDocuments().contains(key));
        QVERIFY(readAll(path).contains("title: Chats saved on close\n"));

        // nothing unsaved: no question
        QVERIFY(openAndWait(window, path));
        asked.clear();
        QPointer<QTimer> unexpected = answerMessageBox(QMessageBox::Cancel, &asked);
        window.closeCurrentDocument();
        QVERIFY2(asked.isEmpty(), qPrintable(asked));
        delete unexpected.data();
        QVERIFY(!window.openDocuments().contains(key));
    }
};

QTEST_MAIN(TestMainWindowFiles)
#include "tst_mainwindowfiles.moc"
