// SPDX-License-Identifier: GPL-3.0-or-later
// DocumentEditor: form edits through one undo history, the model read again in the
// background, atomic saves, recovery of unsaved edits, changes made by others.
#include "editor/documenteditor.h"

#include "asyncapi/documentloader.h"

#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

} // namespace

class TestDocumentEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void formEditsUndoToTheOriginalBytes();
    void modelFollowsTheText();
    void typingMergesIntoOneStep();
    void refusedEditChangesNothing();
    void saveWritesTheTextAndFailureKeepsIt();
    void recoveryKeepsUnsavedEdits();
    void changesByAnotherProgram();
    void renamesComponents();
    void makesComponents();
    void filesAreReadAndWrittenOffTheGuiThread();
    void documentOverSeveralFiles();
    void otherFilesSavedAndRecovered();
    void otherFileChangedByAnotherProgram();
    void largeTextParsedAheadAfterFormEdits();
    void placesThatCannotBeReached();
    void renamesInOtherFiles();

private:
    QTemporaryDir m_dir;
    QString m_path;
    QByteArray m_original;
};

void TestDocumentEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_original = readAll(Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")));
    QVERIFY(m_original.contains("/rooms/{roomID}"));
}

void TestDocumentEditor::init()
{
    m_path = m_dir.filePath(QStringLiteral("chats.asyncapi.yaml"));
    QVERIFY(writeAll(m_path, m_original));
    DocumentEditor::discardRecovery(m_path);
}

void TestDocumentEditor::formEditsUndoToTheOriginalBytes()
{
    DocumentEditor editor(m_path, m_original);
    QString error;
    QVERIFY2(editor.setValue(QStringLiteral("/info/title"), Json("Chat rooms"),
                             QStringLiteral("Set title"), &error),
             qPrintable(error));
    QVERIFY2(editor.renameKey(QStringLiteral("/channels/~1notifications"),
                              QStringLiteral("/alerts"),
                              QStringLiteral("Rename channel /notifications"), &error),
             qPrintable(error));
    QVERIFY2(editor.setValue(QStringLiteral("/channels/~1alerts/x-test-scopes"),
                             Json::array({"chat:read"}), QStringLiteral("Set scopes"), &error),
             qPrintable(error));
    QVERIFY2(editor.remove(QStringLiteral("/info/description"),
                           QStringLiteral("Remove description"), &error),
             qPrintable(error));
    QCOMPARE(editor.undoStack()->count(), 4);
    QVERIFY(editor.isModified());
    QCOMPARE(editor.undoStack()->undoText(), u"Remove description"_qs);
    const QByteArray edited = editor.text();
    QVERIFY(edited.contains("title: Chat rooms"));
    QVERIFY(edited.contains("  /alerts:"));
    // Comments of the sample survive the edits.
    const auto comments = [](const QByteArray &text) {
        QList<QByteArray> out;
        for (const QByteArray &line : text.split('\n'))
            if (line.trimmed().startsWith('#'))
                out.append(line);
        return out;
    };
    QCOMPARE(comments(edited), comments(m_original));

    while (editor.undoStack()->canUndo())
        editor.undoStack()->undo();
    QCOMPARE(editor.text(), m_original);
    QVERIFY(!editor.isModified());
    while (editor.undoStack()->canRedo())
        editor.undoStack()->redo();
    QCOMPARE(editor.text(), edited);
}

void TestDocumentEditor::modelFollowsTheText()
{
    DocumentEditor editor(m_path, m_original);
    QSignalSpy read(&editor, &DocumentEditor::modelRead);
    QVERIFY(read.wait(20000));
    QVERIFY(editor.lastRead().ok());
    QCOMPARE(editor.lastRead().api->title, u"Chats"_qs);
    QVERIFY(editor.setValue(QStringLiteral("/info/title"), Json("Renamed"), QStringLiteral("t")));
    QVERIFY(
        editor.setValue(QStringLiteral("/info/title"), Json("Renamed twice"), QStringLiteral("t")));
    const auto title
        = [&] { return editor.lastRead().api ? editor.lastRead().api->title : QString(); };
    QTRY_COMPARE_WITH_TIMEOUT(title(), u"Renamed twice"_qs, 20000);

    // Broken text: the diagnostic says where; fixing it clears it.
    const qsizetype at = editor.text().indexOf("info:");
    editor.apply(TextChange {at, 5, "info: ["}, QStringLiteral("break"));
    const auto broken = [&] {
        return !editor.isReading() && !editor.lastRead().ok()
            && !editor.lastRead().diagnostics.isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(broken(), 20000);
    QCOMPARE(editor.lastRead().diagnostics.constFirst().location.file, m_path);
    editor.undoStack()->undo();
    const auto fixed = [&] { return !editor.isReading() && editor.lastRead().ok(); };
    QTRY_VERIFY_WITH_TIMEOUT(fixed(), 20000);
}

void TestDocumentEditor::typingMergesIntoOneStep()
{
    DocumentEditor editor(m_path, m_original);
    const qsizetype at = editor.text().indexOf("title: Chats") + 12;
    const char *typed = " app";
    for (int i = 0; typed[i]; ++i)
        editor.applyTyping(TextChange {at + i, 0, QByteArray(1, typed[i])});
    QCOMPARE(editor.undoStack()->count(), 1);
    QVERIFY(editor.text().contains("title: Chats app\n"));
    editor.applyTyping(TextChange {at + 2000, 0, "x"}); // elsewhere: a step of its own
    QCOMPARE(editor.undoStack()->count(), 2);
    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), m_original);
}

void TestDocumentEditor::refusedEditChangesNothing()
{
    const QByteArray text = "asyncapi: 3.0.0\ninfo: &i\n  title: T\n  version: '1'\nx: *i\n";
    DocumentEditor editor(m_path, text);
    QString error;
    QVERIFY(
        !editor.setValue(QStringLiteral("/info/title"), Json("U"), QStringLiteral("t"), &error));
    QVERIFY(error.contains(u"YAML anchor"));
    QCOMPARE(editor.text(), text);
    QCOMPARE(editor.undoStack()->count(), 0);
}

void TestDocumentEditor::saveWritesTheTextAndFailureKeepsIt()
{
    DocumentEditor editor(m_path, m_original);
    QSignalSpy modified(&editor, &DocumentEditor::modificationChanged);
    QVERIFY(editor.setValue(QStringLiteral("/info/version"), Json("2.0.0"), QStringLiteral("v")));
    QCOMPARE(modified.size(), 1);
    QString error;
    QVERIFY2(editor.save(&error), qPrintable(error));
    QCOMPARE(readAll(m_path), editor.text());
    QVERIFY(!editor.isModified());
    QCOMPARE(modified.size(), 2);

    // A place that cannot be written: the edits stay, the reason names the file.
    QVERIFY(editor.setValue(QStringLiteral("/info/version"), Json("3.0.0"), QStringLiteral("v")));
    const QByteArray unsaved = editor.text();
    const QString bad = m_dir.filePath(QStringLiteral("no-such-dir/chats.yaml"));
    QSignalSpy failed(&editor, &DocumentEditor::saveFailed);
    QVERIFY(!editor.saveAs(bad, &error));
    QVERIFY2(error.startsWith(u"cannot write ") && error.contains(u"no-such-dir"),
             qPrintable(error));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(editor.path(), m_path);
    QCOMPARE(editor.text(), unsaved);
    QVERIFY(editor.isModified());
    QVERIFY(readAll(m_path).contains("version: 2.0.0"));

    // Save As off the GUI thread: the same, then the editor edits the new file
    editor.startSaveAs(bad);
    QVERIFY(editor.isSaving());
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 20000);
    QVERIFY(failed.constLast().at(0).toString().contains(u"no-such-dir"));
    QCOMPARE(editor.path(), m_path);
    QVERIFY(editor.isModified());
    const QString other = m_dir.filePath(QStringLiteral("other-chats.yaml"));
    QSignalSpy savedAs(&editor, &DocumentEditor::savedAs);
    QSignalSpy moved(&editor, &DocumentEditor::pathChanged);
    editor.startSaveAs(other);
    QCOMPARE(editor.path(), m_path); // until it is written
    QTRY_COMPARE_WITH_TIMEOUT(savedAs.size(), 1, 20000);
    QCOMPARE(savedAs.constFirst().at(0).toString(), m_path);
    QCOMPARE(savedAs.constFirst().at(1).toString(), other);
    QCOMPARE(moved.size(), 1);
    QCOMPARE(editor.path(), other);
    QCOMPARE(readAll(other), unsaved);
    QVERIFY(!editor.isModified());
    QVERIFY(!editor.isSaving());
    QVERIFY(readAll(m_path).contains("version: 2.0.0")); // the old file as it was
}

void TestDocumentEditor::recoveryKeepsUnsavedEdits()
{
    {
        DocumentEditor editor(m_path, m_original);
        QVERIFY(
            editor.setValue(QStringLiteral("/info/title"), Json("Unsaved"), QStringLiteral("t")));
        // Written by the timer a few seconds after the edit.
        QTRY_VERIFY_WITH_TIMEOUT(DocumentEditor::recoveredText(m_path).has_value(),
                                 DocumentEditor::RecoveryIntervalMs + 10000);
        QCOMPARE(*DocumentEditor::recoveredText(m_path), editor.text());
        // The editor goes away without saving, as in a crash.
    }
    const auto recovered = DocumentEditor::recoveredText(m_path);
    QVERIFY(recovered);
    QVERIFY(recovered->contains("title: Unsaved"));
    QCOMPARE(readAll(m_path), m_original);

    DocumentEditor editor(m_path, m_original);
    editor.apply(TextChange {0, editor.text().size(), *recovered}, QStringLiteral("Recover"));
    QVERIFY(editor.save());
    QVERIFY(!DocumentEditor::recoveredText(m_path));
}

void TestDocumentEditor::changesByAnotherProgram()
{
    DocumentEditor editor(m_path, m_original);
    // Unmodified: the window follows the file.
    QByteArray other = m_original;
    other.replace("title: Chats", "title: Chats (theirs)");
    QVERIFY(writeAll(m_path, other));
    QTRY_COMPARE_WITH_TIMEOUT(editor.text(), other, 20000);
    QVERIFY(!editor.isModified());

    // With unsaved edits: reported, nothing overwritten.
    QSignalSpy changed(&editor, &DocumentEditor::changedOnDisk);
    QVERIFY(editor.setValue(QStringLiteral("/info/version"), Json("9.9.9"), QStringLiteral("v")));
    const QByteArray mine = editor.text();
    QByteArray third = other;
    third.replace("(theirs)", "(theirs again)");
    QVERIFY(writeAll(m_path, third));
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 20000);
    QCOMPARE(editor.text(), mine);
    QSignalSpy reloaded(&editor, &DocumentEditor::reloaded);
    editor.reloadFromDisk(); // read off the GUI thread
    QVERIFY(reloaded.wait(20000));
    QCOMPARE(editor.text(), third);
    QVERIFY(!editor.isModified());
    editor.undoStack()->undo(); // the reload is one step; the user's edits come back
    QCOMPARE(editor.text(), mine);
}

// Renaming a component changes its key and every $ref to it or into it, and only
// those lines, as one undo step; a security scheme's 2.x requirements follow.
void TestDocumentEditor::renamesComponents()
{
    for (const char *version : {"2.6", "3.1"}) {
        const QString source = QStringLiteral(GATEHOUSE_EXAMPLES_DIR "/%1/streetlights-mqtt.yml")
                                   .arg(QLatin1String(version));
        const QByteArray original = readAll(source);
        QVERIFY2(original.contains("#/components/schemas/sentAt"), version);
        const QString path
            = m_dir.filePath(QStringLiteral("streetlights-%1.yml").arg(QLatin1String(version)));
        QVERIFY(writeAll(path, original));
        DocumentEditor editor(path, original);
        // every changed line said the old name and says the new one; nothing else moved
        auto onlyRenamed = [&](const QByteArray &from, const QByteArray &to) {
            const QList<QByteArray> before = original.split('\n');
            const QList<QByteArray> after = editor.text().split('\n');
            if (before.size() != after.size())
                return false;
            int changed = 0;
            for (qsizetype i = 0; i < before.size(); ++i) {
                if (before.at(i) == after.at(i))
                    continue;
                ++changed;
                QByteArray expected = before.at(i);
                expected.replace(from, to);
                if (after.at(i) != expected)
                    return false;
            }
            return changed > 0;
        };
        QString error;
        const QString sentAt = QStringLiteral("/components/schemas/sentAt");
        QVERIFY2(editor.renameComponent(sentAt, QStringLiteral("sentTime"), &error),
                 qPrintable(error));
        QVERIFY(onlyRenamed("sentAt:", "sentTime:") || onlyRenamed("sentAt", "sentTime"));
        QCOMPARE(editor.text().count("#/components/schemas/sentTime\""),
                 original.count("#/components/schemas/sentAt\""));
        QVERIFY(editor.text().contains("    sentTime:\n"));
        QCOMPARE(editor.undoStack()->undoText(), u"Rename schema sentAt"_qs);
        editor.undoStack()->undo();
        QCOMPARE(editor.text(), original);

        // a parameter: the channels' own parameter keys (their address names) stay
        const QString parameter = QStringLiteral("/components/parameters/streetlightId");
        QVERIFY2(editor.renameComponent(parameter, QStringLiteral("lightId"), &error),
                 qPrintable(error));
        QCOMPARE(editor.text().count("#/components/parameters/lightId'"),
                 original.count("#/components/parameters/streetlightId'"));
        QCOMPARE(editor.text().count("{streetlightId}"), original.count("{streetlightId}"));
        QVERIFY(editor.text().contains("\n    lightId:\n"));
        QCOMPARE(editor.undoStack()->undoText(), u"Rename parameter streetlightId"_qs);
        editor.undoStack()->undo();
        QCOMPARE(editor.text(), original);

        // a security scheme: the server's requirement follows (2.x by key, 3.x by $ref)
        const QString scheme = QStringLiteral("/components/securitySchemes/apiKey");
        QVERIFY2(editor.renameComponent(scheme, QStringLiteral("apiKeyUser"), &error),
                 qPrintable(error));
        QVERIFY2(!editor.text().contains("- apiKey:")
                     && !editor.text().contains("securitySchemes/apiKey'"),
                 editor.text().constData());
        editor.undoStack()->undo();
        QCOMPARE(editor.text(), original);

        // refused, with the reason, and nothing changed
        const int steps = editor.undoStack()->count();
        QVERIFY(!editor.renameComponent(sentAt, QStringLiteral("dimLightPayload"), &error));
        QCOMPARE(error, u"There is a schema dimLightPayload already"_qs);
        QVERIFY(!editor.renameComponent(sentAt, QStringLiteral("sent at"), &error));
        QCOMPARE(error,
                 u"\"sent at\" cannot name a schema: use letters, digits, '.', '-' and '_'"_qs);
        QVERIFY(!editor.renameComponent(QStringLiteral("/info"), QStringLiteral("x"), &error));
        QCOMPARE(error, u"/info is not a component of this document"_qs);
        QVERIFY(!editor.renameComponent(u"/components/schemas/nope"_qs, u"x"_qs, &error));
        QCOMPARE(editor.text(), original);
        QCOMPARE(editor.undoStack()->count(), steps);
    }
    QCOMPARE(DocumentEditor::componentOf(u"/components/schemas/a~1b/properties/x"_qs),
             u"/components/schemas/a~1b"_qs);
    QCOMPARE(DocumentEditor::componentOf(u"/components/schemas"_qs), QString());
    QCOMPARE(DocumentEditor::componentOf(u"/channels/a/parameters/b"_qs), QString());
    QCOMPARE(DocumentEditor::componentKind(u"/components/messageTraits/t"_qs), u"message trait"_qs);
    QCOMPARE(DocumentEditor::componentKind(u"/components/channelBindings/b"_qs), u"bindings"_qs);
}

// Make Component: what is written inline moves under components with its text, a
// $ref stays in its place, and the document reads as before.
void TestDocumentEditor::makesComponents()
{
    const QByteArray original
        = readAll(QStringLiteral(GATEHOUSE_EXAMPLES_DIR "/2.6/streetlights-mqtt.yml"));
    const QString path = m_dir.filePath(QStringLiteral("make-component.yml"));
    QVERIFY(writeAll(path, original));
    DocumentEditor editor(path, original);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    const QString lumens
        = QStringLiteral("/components/schemas/lightMeasuredPayload/properties/lumens");
    const QByteArray written = editor.source().fragment(lumens);
    QVERIFY(written.contains("minimum: 0"));
    QString error;
    QVERIFY2(editor.makeComponent(lumens, u"/components/schemas"_qs, u"Lumens"_qs, &error),
             qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Make schema Lumens a component"_qs);
    QCOMPARE(editor.source().fragment(u"/components/schemas/Lumens"_qs), written);
    QVERIFY(editor.source().contains(lumens + u"/$ref"));
    QVERIFY(editor.referencesTo(u"/components/schemas/Lumens"_qs).contains(lumens + u"/$ref"));
    editor.readNow();
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading(), 20000);
    QVERIFY2(editor.lastRead().ok(), qPrintable(editor.lastRead().diagnostics.value(0).toString()));
    editor.undoStack()->undo();
    QCOMPARE(editor.text(), original);

    // refused, with the reason, and nothing changed
    const int steps = editor.undoStack()->count();
    QVERIFY(!editor.makeComponent(lumens, u"/components/schemas"_qs, u"sentAt"_qs, &error));
    QCOMPARE(error, u"There is a schema sentAt already"_qs);
    QVERIFY(!editor.makeComponent(u"/components/messages/lightMeasured/payload"_qs,
                                  u"/components/schemas"_qs, u"P"_qs, &error));
    QVERIFY2(error.endsWith(u"is a $ref already"), qPrintable(error));
    QVERIFY(!editor.makeComponent(u"/components/schemas/sentAt"_qs, u"/components/schemas"_qs,
                                  u"P"_qs, &error));
    QVERIFY2(error.endsWith(u"is a component already"), qPrintable(error));
    QVERIFY(!editor.makeComponent(u"/nowhere"_qs, u"/components/schemas"_qs, u"P"_qs, &error));
    QCOMPARE(error, u"/nowhere is not in this document"_qs);
    QCOMPARE(editor.text(), original);
    QCOMPARE(editor.undoStack()->count(), steps);
}

// Save, reload and the recovery check run on the editor's worker thread and report
// back by signals; an edit made while a save is under way stays unsaved.
void TestDocumentEditor::filesAreReadAndWrittenOffTheGuiThread()
{
    DocumentEditor editor(m_path, m_original);
    QSignalSpy saved(&editor, &DocumentEditor::saved);
    QSignalSpy failed(&editor, &DocumentEditor::saveFailed);
    QVERIFY(editor.setValue(QStringLiteral("/info/version"), Json("2.0.0"), QStringLiteral("v")));
    const QByteArray first = editor.text();
    editor.startSave();
    QVERIFY(editor.isSaving());
    QVERIFY(editor.setValue(QStringLiteral("/info/title"), Json("Later"), QStringLiteral("t")));
    QVERIFY(saved.wait(20000));
    QCOMPARE(saved.at(0).at(0).toString(), m_path);
    QVERIFY(!editor.isSaving());
    QCOMPARE(readAll(m_path), first);
    QVERIFY(editor.isModified()); // the later edit is not in the file
    // no "changed by another program" for its own save
    QSignalSpy changed(&editor, &DocumentEditor::changedOnDisk);
    editor.startSave();
    QVERIFY(saved.wait(20000));
    QCOMPARE(readAll(m_path), editor.text());
    QVERIFY(!editor.isModified());
    QTest::qWait(300);
    QVERIFY(changed.isEmpty());
    QVERIFY(failed.isEmpty());

    // a save that fails keeps the edits, with the reason
    DocumentEditor lost(m_dir.filePath(QStringLiteral("gone/chats.yaml")), m_original);
    QSignalSpy lostFailed(&lost, &DocumentEditor::saveFailed);
    QVERIFY(lost.setValue(QStringLiteral("/info/version"), Json("3.0.0"), QStringLiteral("v")));
    lost.startSave();
    QVERIFY(lostFailed.wait(20000));
    QVERIFY2(lostFailed.at(0).at(0).toString().startsWith(u"cannot write "),
             qPrintable(lostFailed.at(0).at(0).toString()));
    QVERIFY(lost.isModified());
    // and reloading a file that is not there says why
    QSignalSpy reloadFailed(&lost, &DocumentEditor::reloadFailed);
    lost.reloadFromDisk();
    QVERIFY(reloadFailed.wait(20000));
    QVERIFY2(reloadFailed.at(0).at(0).toString().startsWith(u"cannot read "),
             qPrintable(reloadFailed.at(0).at(0).toString()));

    // the recovery file is offered when it says something else
    QVERIFY(lost.setValue(QStringLiteral("/info/title"), Json("Kept"), QStringLiteral("t")));
    lost.writeRecovery();
    QTRY_VERIFY_WITH_TIMEOUT(DocumentEditor::recoveredText(lost.path()).has_value(), 20000);
    DocumentEditor again(lost.path(), m_original);
    QSignalSpy found(&again, &DocumentEditor::recoveryFound);
    again.lookForRecovery();
    QVERIFY(found.wait(20000));
    QCOMPARE(found.at(0).at(0).toByteArray(), lost.text());
    DocumentEditor::discardRecovery(lost.path());
}

// A document whose $refs reach other files: those files are edited with it, a form's
// pointer leading through a $ref into one changes only that file's lines, and the
// model is read from the edited texts, not from the disk.
void TestDocumentEditor::documentOverSeveralFiles()
{
    QTemporaryDir dir;
    QByteArray mainText;
    const QString main = Test::copyMultiFileDocument(dir.path(), &mainText);
    QVERIFY(!main.isEmpty());
    const QString messagesPath = dir.filePath(QStringLiteral("messages.yaml"));
    const QByteArray messages = readAll(messagesPath);
    DocumentEditor editor(main, mainText);
    QSignalSpy files(&editor, &DocumentEditor::filesChanged);

    // before the first read, the other files are not known yet: nothing is written
    QString error;
    QVERIFY(
        !editor.setValue(u"/components/messages/chat/title"_qs, Json("Chat"), u"Set"_qs, &error));
    QVERIFY2(error.contains(u"messages.yaml"_qs) && error.contains(u"not read yet"_qs),
             qPrintable(error));
    QCOMPARE(editor.text(), mainText);

    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.lastRead().ok(), 20000);
    QCOMPARE(files.count(), 1);
    QCOMPARE(editor.fileCount(), 3);
    QCOMPARE(editor.filePath(0), main);
    QCOMPARE(editor.filePath(1), DocumentLoader::fileKey(messagesPath));
    QCOMPARE(editor.fileIndex(dir.filePath(u"schemas/../schemas/common.yaml"_qs)), 2);
    QCOMPARE(editor.fileIndex(dir.filePath(u"nothing.yaml"_qs)), -1);
    QCOMPARE(editor.text(1), messages);

    // where the nodes are written
    using Place = DocumentEditor::Place;
    QCOMPARE(editor.place(u"/components/messages/chat"_qs),
             (Place {0, u"/components/messages/chat"_qs}));
    QCOMPARE(editor.place(u"/components/messages/chat"_qs, true), (Place {1, u"/chat"_qs}));
    QCOMPARE(editor.place(u"/components/messages/chat/payload/properties/text"_qs),
             (Place {2, u"/ChatLine/properties/text"_qs}));
    QCOMPARE(editor.place(u"/channels/rooms/messages/greeting/payload/type"_qs),
             (Place {1, u"/greetingPayload/type"_qs}));
    // a channel's message reached through a $ref within the document, then another file
    QCOMPARE(editor.place(u"/channels/rooms/messages/chat/title"_qs),
             (Place {1, u"/chat/title"_qs}));

    // a form edit of the greeting changes messages.yaml by that line only
    QVERIFY2(editor.setValue(u"/channels/rooms/messages/greeting/title"_qs, Json("Hello"),
                             u"Set title of message greeting"_qs, &error),
             qPrintable(error));
    QCOMPARE(editor.text(), mainText);
    const QByteArray expected = editor.text(1);
    QByteArrayList lines = expected.split('\n');
    QCOMPARE(lines.removeAll("  title: Hello"), 1);
    QCOMPARE(lines.join('\n'), messages);
    QVERIFY(expected.indexOf("  title: Hello") > expected.indexOf("greeting:"));
    QVERIFY(editor.isModified());
    QVERIFY(editor.isFileModified(1));
    QVERIFY(!editor.isFileModified(0));
    QVERIFY(!editor.isFileModified(2));
    QCOMPARE(readAll(messagesPath), messages); // nothing written yet

    // the model follows the edited text
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading(), 20000);
    QVERIFY(editor.lastRead().ok());
    QCOMPARE(editor.lastRead().api->message(u"greeting"_qs)->title, u"Hello"_qs);
    QCOMPARE(editor.lastRead().files.at(0).second, expected);

    // one history over every file; typing in another file's source is its own step
    editor.applyTyping(2, TextChange {0, 0, "# shared schemas\n"});
    QVERIFY(editor.text(2).startsWith("# shared schemas\n"));
    QVERIFY(editor.has(u"/components/messages/chat/payload/properties/text/maxLength"_qs));
    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QCOMPARE(editor.text(1), messages);
    QVERIFY(!editor.isFileModified(2));
    QVERIFY(!editor.isModified());
    editor.undoStack()->redo();
    QCOMPARE(editor.text(1), expected);

    // renaming a component follows the $refs to it from the other files too
    editor.applyTyping(1,
                       TextChange {editor.text(1).size(), 0,
                                   "backRef:\n  $ref: 'main.yaml#/components/schemas/Text'\n"});
    QCOMPARE(editor.referencesTo(u"/components/schemas/Text"_qs),
             QStringList {u"messages.yaml#/backRef/$ref"_qs});
    const QByteArray before = editor.text(1);
    QVERIFY2(editor.renameComponent(u"/components/schemas/Text"_qs, u"Line"_qs, &error),
             qPrintable(error));
    QVERIFY(editor.text(0).contains("    Line:\n      $ref: './schemas/common.yaml#/Text'"));
    QVERIFY(editor.text(1).endsWith("backRef:\n  $ref: 'main.yaml#/components/schemas/Line'\n"));
    QCOMPARE(editor.undoStack()->undoText(), u"Rename schema Text"_qs);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(0), mainText);
    QCOMPARE(editor.text(1), before);
}

// Another file of the document changed by another program: taken when it has no edits
// here, asked about when it has (its edits are never overwritten silently), and read
// when the user says so, as one undo step.
void TestDocumentEditor::otherFileChangedByAnotherProgram()
{
    QTemporaryDir dir;
    QByteArray mainText;
    const QString main = Test::copyMultiFileDocument(dir.path(), &mainText);
    QVERIFY(!main.isEmpty());
    const QString messagesPath = dir.filePath(QStringLiteral("messages.yaml"));
    const QByteArray messages = readAll(messagesPath);
    DocumentEditor editor(main, mainText);
    QTRY_VERIFY_WITH_TIMEOUT(editor.fileCount() == 3 && !editor.isReading(), 20000);
    const int file = editor.fileIndex(messagesPath);
    QCOMPARE(file, 1);

    // no edits here: taken
    QByteArray theirs = messages;
    theirs.append("# a line of theirs\n");
    QVERIFY(writeAll(messagesPath, theirs));
    QTRY_COMPARE_WITH_TIMEOUT(editor.text(file), theirs, 20000);
    QVERIFY(!editor.isFileModified(file));
    QCOMPARE(editor.text(0), mainText);

    // edits here: asked about, nothing overwritten
    QSignalSpy changed(&editor, &DocumentEditor::changedOnDisk);
    QString error;
    QVERIFY2(editor.setValue(u"/components/messages/chat/summary"_qs, Json("Mine"),
                             u"Set summary"_qs, &error),
             qPrintable(error));
    const QByteArray mine = editor.text(file);
    QVERIFY(mine.contains("Mine"));
    QByteArray again = theirs;
    again.append("# and another\n");
    QVERIFY(writeAll(messagesPath, again));
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 20000);
    QCOMPARE(DocumentLoader::fileKey(changed.constLast().at(0).toString()),
             DocumentLoader::fileKey(messagesPath));
    QCOMPARE(editor.text(file), mine);

    // read when asked: one undo step, the edits come back with an undo
    editor.reloadFromDisk(changed.constLast().at(0).toString());
    QTRY_COMPARE_WITH_TIMEOUT(editor.text(file), again, 20000);
    QVERIFY(!editor.isFileModified(file));
    QCOMPARE(editor.undoStack()->undoText(), u"Reload messages.yaml from disk"_qs);
    editor.undoStack()->undo();
    QCOMPARE(editor.text(file), mine);
}

// Save writes every file that changed; a file that cannot be written keeps its edits
// with the reason while the others are written; edits of another file left by a
// crash come back when the document is opened again.
void TestDocumentEditor::otherFilesSavedAndRecovered()
{
    QTemporaryDir dir;
    QByteArray mainText;
    const QString main = Test::copyMultiFileDocument(dir.path(), &mainText);
    QVERIFY(!main.isEmpty());
    const QString messagesPath = dir.filePath(QStringLiteral("messages.yaml"));
    const QString commonPath = dir.filePath(QStringLiteral("schemas/common.yaml"));
    const QByteArray messages = readAll(messagesPath);
    const QByteArray common = readAll(commonPath);
    for (const QString &path : {main, messagesPath, commonPath})
        DocumentEditor::discardRecovery(path);
    QString error;
    {
        DocumentEditor editor(main, mainText);
        QTRY_VERIFY_WITH_TIMEOUT(editor.fileCount() == 3 && !editor.isReading(), 20000);
        QVERIFY2(editor.setValue(u"/info/title"_qs, Json("Rooms"), u"Set title"_qs, &error),
                 qPrintable(error));
        QVERIFY2(editor.setValue(u"/components/messages/chat/summary"_qs, Json("A line"),
                                 u"Set summary"_qs, &error),
                 qPrintable(error));
        QVERIFY2(editor.setValue(u"/components/schemas/Text/minLength"_qs, Json(1),
                                 u"Set minLength"_qs, &error),
                 qPrintable(error));
        QVERIFY(editor.isFileModified(0) && editor.isFileModified(1) && editor.isFileModified(2));
        const QByteArray editedMessages = editor.text(1);
        const QByteArray editedCommon = editor.text(2);

        // schemas/ cannot be written (its folder is gone): the rest is saved
        QVERIFY(QDir(dir.path()).rename(u"schemas"_qs, u"schemas-away"_qs));
        QSignalSpy saved(&editor, &DocumentEditor::saved);
        QSignalSpy failed(&editor, &DocumentEditor::saveFailed);
        editor.startSave();
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 20000);
        QCOMPARE(saved.count(), 0);
        QVERIFY2(failed.at(0).at(0).toString().contains(u"common.yaml"_qs),
                 qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(readAll(main), editor.text(0));
        QCOMPARE(readAll(messagesPath), editedMessages);
        QVERIFY(!editor.isFileModified(0) && !editor.isFileModified(1));
        QVERIFY(editor.isFileModified(2));
        QVERIFY(editor.isModified());
        QCOMPARE(editor.text(2), editedCommon);

        // the unsaved edits are kept for a crash
        editor.writeRecovery();
        QTRY_VERIFY_WITH_TIMEOUT(DocumentEditor::recoveredText(commonPath) == editedCommon, 5000);
        QVERIFY(QDir(dir.path()).rename(u"schemas-away"_qs, u"schemas"_qs));
        QCOMPARE(readAll(commonPath), common);
        // the editor goes away as in a crash: its recovery files stay
    }
    DocumentEditor again(main, readAll(main));
    QSignalSpy recovered(&again, &DocumentEditor::otherFileRecovered);
    QTRY_VERIFY_WITH_TIMEOUT(recovered.count() == 1, 20000);
    QCOMPARE(recovered.at(0).at(0).toString(), DocumentLoader::fileKey(commonPath));
    QVERIFY(again.text(2).contains("minLength: 1"));
    QVERIFY(again.isModified());
    QSignalSpy saved(&again, &DocumentEditor::saved);
    again.startSave();
    QTRY_VERIFY_WITH_TIMEOUT(saved.count() == 1, 20000);
    QVERIFY(!again.isModified());
    QCOMPARE(readAll(commonPath), again.text(2));
    QVERIFY(!DocumentEditor::recoveredText(commonPath));
}

// A large text's places are parsed on a thread right after a form edit (not after
// typing), so that the next form edit finds them parsed instead of parsing the whole
// text on the GUI thread.
void TestDocumentEditor::largeTextParsedAheadAfterFormEdits()
{
    QByteArray text = "asyncapi: 2.6.0\ninfo: {title: Large, version: '1'}\nchannels:\n";
    for (int i = 0; text.size() <= DocumentEditor::CheapSourceBytes; ++i)
        text += "  /c" + QByteArray::number(i)
            + ":\n    description: a channel, long enough to count\n";
    DocumentEditor editor(m_dir.filePath(u"large.yaml"_qs), text);
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.hasParsedSource(), 20000);
    QVERIFY(!editor.isParsingAhead());

    QString error;
    QVERIFY2(editor.setValue(u"/info/title"_qs, Json("Larger"), u"Set title"_qs, &error),
             qPrintable(error));
    QVERIFY(!editor.hasParsedSource());
    QVERIFY(editor.isParsingAhead());
    QTRY_VERIFY_WITH_TIMEOUT(editor.hasParsedSource(), 20000);
    QVERIFY(!editor.isParsingAhead());
    QVERIFY(editor.source().contains(u"/channels/~1c7/description"_qs));
    QCOMPARE(editor.source().text(), editor.text());

    // asked for before it is done, the parse is waited for (not made again)
    QVERIFY(editor.setValue(u"/info/title"_qs, Json("Largest"), u"Set title"_qs, &error));
    QTRY_VERIFY(editor.isParsingAhead() && !editor.hasParsedSource());
    QVERIFY(editor.setValue(u"/channels/~1c1/description"_qs, Json("the second"),
                            u"Set description"_qs, &error));
    QVERIFY(editor.text().contains("  /c1:\n    description: the second\n"));
    QVERIFY(editor.text().contains("title: Largest"));

    // typing: the read after the pause brings the places
    editor.applyTyping(TextChange {0, 0, "# big\n"});
    QVERIFY(!editor.isParsingAhead());
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading() && editor.hasParsedSource(), 20000);
}

// A form's pointer through $refs that loop, or that name a file on the network, is
// refused with the reason and changes nothing.
void TestDocumentEditor::placesThatCannotBeReached()
{
    const QByteArray text = "asyncapi: 3.0.0\n"
                            "info: {title: Loops, version: '1'}\n"
                            "components:\n"
                            "  schemas:\n"
                            "    A: {$ref: '#/components/schemas/B'}\n"
                            "    B: {$ref: '#/components/schemas/A'}\n"
                            "    Remote: {$ref: 'https://example.com/schemas.yaml#/Remote'}\n"
                            "    Local: {$ref: '#/components/schemas/Plain'}\n"
                            "    Plain: {type: string}\n";
    DocumentEditor editor(m_dir.filePath(u"loops.yaml"_qs), text);
    QString error;
    QVERIFY(!editor.place(u"/components/schemas/A/type"_qs, false, &error));
    QVERIFY2(error.contains(u"loop"_qs), qPrintable(error));
    QVERIFY(!editor.setValue(u"/components/schemas/A/type"_qs, Json("string"), u"Set"_qs, &error));
    QVERIFY(!editor.place(u"/components/schemas/Remote/type"_qs, false, &error));
    QVERIFY2(error.contains(u"network"_qs), qPrintable(error));
    QCOMPARE(editor.text(), text);
    // within the document, a $ref on the way leads to what it names
    QCOMPARE(editor.place(u"/components/schemas/Local/type"_qs),
             (DocumentEditor::Place {0, u"/components/schemas/Plain/type"_qs}));
    QVERIFY(editor.setValue(u"/components/schemas/Local/maxLength"_qs, Json(5), u"Set"_qs, &error));
    QVERIFY(editor.text().contains("Plain: {type: string, maxLength: 5}"));
}

// A definition at the top of another file is renamed with every $ref to it, from
// that file and the others, in one undo step.
void TestDocumentEditor::renamesInOtherFiles()
{
    QTemporaryDir dir;
    QByteArray mainText;
    const QString main = Test::copyMultiFileDocument(dir.path(), &mainText);
    QVERIFY(!main.isEmpty());
    DocumentEditor editor(main, mainText);
    QTRY_VERIFY_WITH_TIMEOUT(editor.fileCount() == 3 && !editor.isReading(), 20000);
    const QByteArray messages = editor.text(1);
    const QByteArray common = editor.text(2);
    QString error;

    QVERIFY2(editor.renameKeyIn({1, u"/chat"_qs}, u"talk"_qs, &error), qPrintable(error));
    QCOMPARE(editor.undoStack()->undoText(), u"Rename chat in messages.yaml"_qs);
    QVERIFY(editor.text(1).startsWith("talk:\n  name: chat\n"));
    QCOMPARE(editor.text(0),
             QByteArray(mainText).replace("'messages.yaml#/chat'", "'messages.yaml#/talk'"));
    QTRY_VERIFY_WITH_TIMEOUT(!editor.isReading(), 20000);
    QVERIFY2(editor.lastRead().ok(), qPrintable(editor.lastRead().diagnostics.value(0).message));
    QVERIFY(editor.lastRead().api->message(u"chat"_qs)); // the component keeps its key

    // a $ref within the file follows too
    QVERIFY2(editor.renameKeyIn({1, u"/greetingPayload"_qs}, u"hello"_qs, &error),
             qPrintable(error));
    QVERIFY(editor.text(1).contains("    $ref: '#/hello'\n"));
    QVERIFY(editor.text(1).contains("\nhello:\n  type: string\n"));
    // and from the document's own file into a third one
    QVERIFY2(editor.renameKeyIn({2, u"/Text"_qs}, u"Line"_qs, &error), qPrintable(error));
    QVERIFY(editor.text(2).startsWith("Line:\n"));
    QVERIFY(editor.text(2).contains("      $ref: '#/Line'\n"));
    QVERIFY(editor.text(0).contains("$ref: './schemas/common.yaml#/Line'"));

    // refused: a key taken, a node that is not there
    QVERIFY(!editor.renameKeyIn({2, u"/Line"_qs}, u"ChatLine"_qs, &error));
    QVERIFY2(error.contains(u"already"_qs), qPrintable(error));
    QVERIFY(!editor.renameKeyIn({1, u"/nothing"_qs}, u"x"_qs, &error));

    for (int i = 0; i < 3; ++i)
        editor.undoStack()->undo();
    QCOMPARE(editor.text(0), mainText);
    QCOMPARE(editor.text(1), messages);
    QCOMPARE(editor.text(2), common);
}

QTEST_MAIN(TestDocumentEditor)
#include "tst_documenteditor.moc"
