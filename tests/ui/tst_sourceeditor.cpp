// SPDX-License-Identifier: GPL-3.0-or-later
// SourceEditor and SourcePane: typing becomes edits of the document (one history
// with the forms), form edits and undo keep the cursor on its text, problems are
// underlined, completion of keys and $refs, following a $ref, find and replace.
#include "editor/documenteditor.h"
#include "editor/schematextedit.h"
#include "editor/sourceeditor.h"
#include "editor/sourcepane.h"
#include "readablecolour.h"

#include "testsupport.h"

#include <Qsci/qscicommandset.h>
#include <Qsci/qscilexer.h>

#include <QAccessible>
#include <QFile>
#include <QKeyEvent>
#include <QLineEdit>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
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

// Types text that QTest::keyClicks cannot (characters beyond Latin-1).
void typeText(QWidget *widget, const QString &text)
{
    for (const QChar c : text) {
        QKeyEvent press(QEvent::KeyPress, 0, Qt::NoModifier, QString(c));
        QCoreApplication::sendEvent(widget, &press);
        QKeyEvent release(QEvent::KeyRelease, 0, Qt::NoModifier, QString(c));
        QCoreApplication::sendEvent(widget, &release);
    }
}

} // namespace

class TestSourceEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void showsTheDocumentAndTypingEditsIt();
    void formEditsKeepTheCursorOnItsText();
    void undoKeysBelongToTheWindow();
    void changesToldToAssistiveTechnology();
    void followsThePalette();
    void problemsAreUnderlined();
    void completesKeysAndReferences();
    void completionInsertsOneStep();
    void followsReferences();
    void tabPerFile();
    void findAndReplace();
    void detachesWhenTheDocumentGoes();

private:
    QTemporaryDir m_dir;
    QString m_path;
    QByteArray m_original;
};

void TestSourceEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_original = readAll(Test::sourcePath(QStringLiteral("resources/samples/echo.asyncapi.yaml")));
    QVERIFY(m_original.contains("$ref: '#/components/messages/Echo'"));
}

void TestSourceEditor::init()
{
    m_path = m_dir.filePath(
        QStringLiteral("%1.asyncapi.yaml").arg(QLatin1String(QTest::currentTestFunction())));
    QVERIFY(writeAll(m_path, m_original));
    DocumentEditor::discardRecovery(m_path);
}

void TestSourceEditor::showsTheDocumentAndTypingEditsIt()
{
    DocumentEditor document(m_path, m_original);
    SourceEditor view;
    QVERIFY(view.isReadOnly());
    view.setEditor(&document);
    QVERIFY(!view.isReadOnly());
    QCOMPARE(view.bytes(), m_original);

    // type a word at the end of the title line
    const int at = int(m_original.indexOf("title: Echo") + qsizetype(strlen("title: Echo")));
    view.setCurrentOffset(at);
    view.show();
    view.setFocus();
    QTest::keyClicks(&view, QStringLiteral(" Studio"));
    QVERIFY(document.text().contains("title: Echo Studio\n"));
    QCOMPARE(view.bytes(), document.text());
    QCOMPARE(document.undoStack()->count(), 1); // typing at one place is one step
    QVERIFY(document.isModified());

    // Backspace is an edit too
    QTest::keyClick(&view, Qt::Key_Backspace);
    QVERIFY(document.text().contains("title: Echo Studi\n"));
    QCOMPARE(view.bytes(), document.text());

    // undoing in the history takes the view back to the original bytes
    while (document.undoStack()->canUndo())
        document.undoStack()->undo();
    QCOMPARE(document.text(), m_original);
    QCOMPARE(view.bytes(), m_original);
    QVERIFY(!document.isModified());

    // a non-ASCII character is one edit of its UTF-8 bytes
    view.setCurrentOffset(at);
    typeText(&view, QStringLiteral(" — café"));
    QVERIFY(document.text().contains("title: Echo — café\n"));
    QCOMPARE(view.bytes(), document.text());
}

void TestSourceEditor::formEditsKeepTheCursorOnItsText()
{
    DocumentEditor document(m_path, m_original);
    SourceEditor view;
    view.setEditor(&document);
    // the cursor in the components, below what the form edit changes
    const int at = int(m_original.indexOf("contentType: text/plain\n      payload"));
    QVERIFY(at > 0);
    view.setCurrentOffset(at);
    const int line = view.currentLine();
    QVERIFY(document.setValue(QStringLiteral("/info/title"), Json("Echo, renamed by a form"),
                              QStringLiteral("Set title")));
    QCOMPARE(view.bytes(), document.text());
    // same text under the cursor, same line
    QVERIFY(view.bytes().mid(view.currentOffset()).startsWith("contentType: text/plain"));
    QCOMPARE(view.currentLine(), line);

    // an edit that adds lines above moves the cursor down with its text
    QVERIFY(document.setValue(QStringLiteral("/info/x-notes"), Json("a\nb\nc"),
                              QStringLiteral("Add notes")));
    QCOMPARE(view.bytes(), document.text());
    QVERIFY(view.bytes().mid(view.currentOffset()).startsWith("contentType: text/plain"));
    QVERIFY(view.currentLine() > line);

    document.undoStack()->undo();
    document.undoStack()->undo();
    QCOMPARE(view.bytes(), m_original);
    QVERIFY(view.bytes().mid(view.currentOffset()).startsWith("contentType: text/plain"));
}

void TestSourceEditor::undoKeysBelongToTheWindow()
{
    SourceEditor view;
    // Ctrl+Z and Ctrl+Y are the window's Edit > Undo and Redo (the one history of
    // forms and source): the editor does not take them.
    QsciCommandSet *commands = view.standardCommands();
    QVERIFY(!commands->boundTo((Qt::CTRL | Qt::Key_Z).toCombined()));
    QVERIFY(!commands->boundTo((Qt::CTRL | Qt::Key_Y).toCombined()));
    QVERIFY(!commands->boundTo((Qt::CTRL | Qt::SHIFT | Qt::Key_Z).toCombined()));
    QVERIFY(commands->boundTo((Qt::CTRL | Qt::Key_C).toCombined())); // others stay
}

void TestSourceEditor::changesToldToAssistiveTechnology()
{
    // QScintilla tells assistive technology of each change it is told of, at an offset
    // in characters that it counts from the start of the text one character at a time
    // (15 ms at the end of a 2 MB text). A change from the document (a form edit, an
    // undo) goes past that report; the editor tells it itself, with the offset counted
    // at once.
    const QByteArray utf8 = QStringLiteral("title: Écho — x").toUtf8();
    QCOMPARE(SourceEditor::characterOffset(utf8, utf8.indexOf(" x")), 13);
    QCOMPARE(SourceEditor::characterOffset("abc", 99), 3);
    QCOMPARE(SourceEditor::characterOffset("abc", -1), 0);
    QCOMPARE(SourceEditor::characterOffset(QByteArray(), 5), 0);

    DocumentEditor document(m_path, m_original);
    SourceEditor view;
    view.setEditor(&document);
    QSignalSpy reports(&view, &QsciScintillaBase::SCN_MODIFIED);
    QSignalSpy textChanged(&view, &QsciScintilla::textChanged);
    QSignalSpy linesChanged(&view, &QsciScintilla::linesChanged);
    const auto textReports = [&reports] {
        int n = 0;
        for (const QList<QVariant> &args : std::as_const(reports))
            n += (args.at(1).toInt()
                  & (QsciScintillaBase::SC_MOD_INSERTTEXT | QsciScintillaBase::SC_MOD_DELETETEXT))
                != 0;
        return n;
    };

    QVERIFY(document.setValue(QStringLiteral("/info/version"), Json("9.9.9"),
                              QStringLiteral("Set version")));
    QCOMPARE(view.bytes(), document.text());
    QCOMPARE(textReports(), 0);
    QCOMPARE(textChanged.size(), 1); // QsciScintilla's own signals still come
    QCOMPARE(linesChanged.size(), 0);
    QVERIFY(document.setValue(QStringLiteral("/info/x-notes"), Json("a\nb"),
                              QStringLiteral("Add notes")));
    QCOMPARE(textReports(), 0);
    QCOMPARE(linesChanged.size(), 1);
    document.undoStack()->undo();
    document.undoStack()->undo();
    QCOMPARE(view.bytes(), m_original);
    QCOMPARE(textReports(), 0);
    QCOMPARE(textChanged.size(), 4);

    // typing is reported by QScintilla as before (and becomes an edit of the document)
    view.show();
    view.setFocus();
    view.setCurrentOffset(int(m_original.indexOf("title: Echo") + 6));
    QTest::keyClicks(&view, QStringLiteral("x"));
    QVERIFY(document.text().contains("title:x Echo"));
    QCOMPARE(textReports(), 1);
}

// The code editors follow the palette, light or dark: paper and plain text from it,
// every style of the YAML and JSON lexers readable on that paper (4.5:1 or more),
// margins and fold marks in its colours; again when the palette changes.
void TestSourceEditor::followsThePalette()
{
    DocumentEditor document(m_path, m_original);
    SourceEditor source;
    source.setEditor(&document);
    SchemaTextEdit schema;
    schema.setJson(true);
    for (const bool dark : {true, false, true}) {
        QPalette p = source.palette();
        p.setColor(QPalette::Base, dark ? QColor(0x1e, 0x1e, 0x1e) : QColor(Qt::white));
        p.setColor(QPalette::Text, dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(Qt::black));
        p.setColor(QPalette::Window, dark ? QColor(0x2b, 0x2b, 0x2b) : QColor(0xef, 0xef, 0xef));
        p.setColor(QPalette::WindowText, dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(Qt::black));
        for (QsciScintilla *editor :
             {static_cast<QsciScintilla *>(&source), static_cast<QsciScintilla *>(&schema)}) {
            editor->setPalette(p);
            QsciLexer *lexer = editor->lexer();
            QVERIFY(lexer);
            const QColor paper = p.color(QPalette::Base);
            int styles = 0;
            for (int style = 0; style <= 127; ++style) {
                if (lexer->description(style).isEmpty())
                    continue;
                ++styles;
                QCOMPARE(lexer->paper(style), paper);
                QVERIFY2(ReadableColour::contrast(lexer->color(style), paper) >= 4.5,
                         qPrintable(lexer->description(style)));
            }
            QVERIFY(styles >= 8);
            QCOMPARE(lexer->color(0), p.color(QPalette::Text)); // plain text
            // what Scintilla draws with (BGR)
            const long back = editor->SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK,
                                                    QsciScintillaBase::STYLE_DEFAULT);
            QCOMPARE(QColor(int(back & 0xff), int((back >> 8) & 0xff), int((back >> 16) & 0xff)),
                     paper);
            const long margin = editor->SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK,
                                                      QsciScintillaBase::STYLE_LINENUMBER);
            QCOMPARE(
                QColor(int(margin & 0xff), int((margin >> 8) & 0xff), int((margin >> 16) & 0xff)),
                p.color(QPalette::Window));
        }
    }
}

void TestSourceEditor::problemsAreUnderlined()
{
    QByteArray broken = m_original;
    const QByteArray good = "'#/components/messages/Echo'";
    const qsizetype first = broken.indexOf(good);
    broken.replace(first, good.size(), "'#/components/messages/Ech'");
    QVERIFY(writeAll(m_path, broken));
    DocumentEditor document(m_path, broken);
    SourceEditor view;
    view.setEditor(&document);
    QTRY_VERIFY(!view.diagnostics().isEmpty());
    const int at = int(broken.indexOf("Ech'"));
    QVERIFY2(!view.diagnosticAt(at).isEmpty(), qPrintable(view.diagnostics().first().toString()));
    QVERIFY(view.diagnosticAt(0).isEmpty());

    // fixing it by typing clears the mark once the text is read again
    view.setCurrentOffset(at + 3);
    view.show();
    view.setFocus();
    QTest::keyClicks(&view, QStringLiteral("o"));
    QVERIFY(document.text().contains(good));
    QTRY_VERIFY(view.diagnostics().isEmpty());
    QVERIFY(view.diagnosticAt(at).isEmpty());
}

void TestSourceEditor::completesKeysAndReferences()
{
    const QByteArray text = "asyncapi: 3.0.0\n"
                            "info:\n"
                            "  title: T\n"
                            "  \n"
                            "channels:\n"
                            "  rooms:\n"
                            "    address: /rooms\n"
                            "    messages:\n"
                            "      said:\n"
                            "        $ref: '#/components/messages/Sa'\n"
                            "x-gatehouse:\n"
                            "  con\n"
                            "components:\n"
                            "  messages:\n"
                            "    Said:\n"
                            "      payload:\n"
                            "        type: string\n"
                            "    Left:\n"
                            "      payload:\n"
                            "        ty\n";
    QVERIFY(writeAll(m_path, text));
    DocumentEditor document(m_path, text);
    SourceEditor view;
    view.setEditor(&document);

    // a key of info, without the ones already there
    const int inInfo = int(text.indexOf("  \nchannels") + 2);
    QStringList keys = view.completionsAt(inInfo);
    QVERIFY2(keys.contains(u"version"_qs), qPrintable(keys.join(u' ')));
    QVERIFY(keys.contains(u"description"_qs));
    QVERIFY(!keys.contains(u"title"_qs)); // already there
    QVERIFY(!keys.contains(u"asyncapi"_qs)); // a root key

    // x-gatehouse keys come from Gatehouse's schema, filtered by what is typed
    const int inGatehouse = int(text.indexOf("  con\n") + 5);
    keys = view.completionsAt(inGatehouse);
    QCOMPARE(keys, QStringList {u"context"_qs});

    // schema keywords inside a payload
    const int inSchema = int(text.indexOf("        ty\n") + 10);
    keys = view.completionsAt(inSchema);
    QCOMPARE(keys, QStringList {u"type"_qs});

    // after $ref:, the document's components
    const int inReference = int(text.indexOf("messages/Sa'") + 11);
    QStringList references = view.completionsAt(inReference);
    QCOMPARE(references, QStringList {u"#/components/messages/Said"_qs});
    const int atReferenceStart = int(text.indexOf("'#/components/messages/Sa'") + 1);
    references = view.completionsAt(atReferenceStart);
    QVERIFY(references.contains(u"#/components/messages/Left"_qs));
    QVERIFY(references.contains(u"#/channels/rooms"_qs));
    QVERIFY(references.contains(u"#/channels/rooms/messages/said"_qs));

    // the root of a 3.0 document offers operations; keys already there are left out
    const QStringList root = view.completionsAt(int(text.indexOf("x-gatehouse")));
    QVERIFY2(root.contains(u"operations"_qs), qPrintable(root.join(u' ')));
    QVERIFY(root.contains(u"servers"_qs));
    QVERIFY(!root.contains(u"info"_qs));
    QVERIFY(!root.contains(u"channels"_qs));
}

void TestSourceEditor::completionInsertsOneStep()
{
    DocumentEditor document(m_path, m_original);
    SourceEditor view;
    view.setEditor(&document);
    // complete a half-written reference: it is replaced whole, quoted, as one step
    const QByteArray half = "$ref: '#/components/messages/Echo'";
    const int at = int(m_original.indexOf(half) + half.indexOf("/Echo") + 3);
    view.setCurrentOffset(at);
    view.complete();
    QVERIFY(view.isListActive());
    Q_EMIT view.userListActivated(2, u"#/components/messages/Echo"_qs); // as Scintilla does
    view.cancelList();
    QCOMPARE(document.text(), m_original); // the same reference written again
    QCOMPARE(view.bytes(), m_original);

    // a key completes with its colon
    const int lineEnd = int(m_original.indexOf("  version: 1.0.0\n") + 16);
    view.setCurrentOffset(lineEnd);
    view.show();
    view.setFocus();
    QTest::keyClick(&view, Qt::Key_Return); // indented like the line above
    QTest::keyClicks(&view, QStringLiteral("lic"));
    QVERIFY2(document.text().contains("  version: 1.0.0\n  lic\n"), document.text().left(200));
    QCOMPARE(view.completionsAt(view.currentOffset()), QStringList {u"license"_qs});
    const int before = document.undoStack()->count();
    view.complete();
    Q_EMIT view.userListActivated(1, u"license"_qs);
    QVERIFY2(document.text().contains("  version: 1.0.0\n  license: \n"),
             document.text().left(300));
    QCOMPARE(view.bytes(), document.text());
    QCOMPARE(document.undoStack()->count(), before + 1);
    QCOMPARE(document.undoStack()->undoText(), u"Complete license"_qs);
}

void TestSourceEditor::followsReferences()
{
    QByteArray text = m_original;
    text.append("x-more:\n  $ref: 'parts/more.yaml#/components/schemas/More'\n");
    DocumentEditor document(m_path, text);
    SourceEditor view;
    view.setEditor(&document);

    const int onReference = int(text.indexOf("$ref: '#/components/messages/Echo'"));
    QCOMPARE(view.referenceAt(onReference), u"#/components/messages/Echo"_qs);
    QVERIFY(view.followReference(onReference));
    QVERIFY(view.bytes().mid(view.currentOffset()).startsWith("Echo:\n      name: echo"));

    QSignalSpy activated(&view, &SourceEditor::referenceActivated);
    const int onOther = int(text.indexOf("parts/more.yaml"));
    QVERIFY(view.followReference(onOther));
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().at(0).toString(), m_dir.filePath(u"parts/more.yaml"_qs));
    QCOMPARE(activated.first().at(1).toString(), u"/components/schemas/More"_qs);

    // the component at the cursor: named by the $ref on its line, or the one it is in
    QCOMPARE(view.componentAt(onReference), u"/components/messages/Echo"_qs);
    const int inEcho = int(text.indexOf("Echo:\n      name: echo")) + 12;
    QCOMPARE(view.componentAt(inEcho), u"/components/messages/Echo"_qs);
    QCOMPARE(view.componentAt(onOther), QString()); // another file's
    QCOMPARE(view.componentAt(0), QString());

    QVERIFY(view.referenceAt(0).isEmpty());
    QVERIFY(!view.followReference(0));
    QVERIFY(!view.goToPointer(u"/components/messages/Nope"_qs));
}

// A document whose $refs reach other files: a tab for each, each file's text edited
// in its own tab, a reference into one opening its tab at the node, and a tab with
// unsaved changes marked.
void TestSourceEditor::tabPerFile()
{
    QTemporaryDir dir;
    QByteArray text;
    const QString main = Test::copyMultiFileDocument(dir.path(), &text);
    QVERIFY(!main.isEmpty());
    DocumentEditor document(main, text);
    SourcePane pane;
    pane.resize(800, 600);
    pane.show();
    pane.editor()->setEditor(&document);
    QTabBar *tabs = pane.fileTabs();
    QVERIFY(!tabs->isVisibleTo(&pane)); // one file known so far
    QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 3, 20000);
    QVERIFY(tabs->isVisibleTo(&pane));
    QCOMPARE(tabs->accessibleName(), u"Files of the document"_qs);
    QCOMPARE(tabs->tabText(0), u"main.yaml"_qs);
    QCOMPARE(tabs->tabText(1), u"messages.yaml"_qs);
    QCOMPARE(tabs->tabText(2), u"schemas/common.yaml"_qs);
    QCOMPARE(tabs->currentIndex(), 0);

    // a reference into another file opens its tab at the node
    const int onOther = int(text.indexOf("messages.yaml#/greeting"));
    QVERIFY(pane.editor()->followReference(onOther));
    QCOMPARE(tabs->currentIndex(), 1);
    QCOMPARE(pane.editor()->file(), 1);
    QCOMPARE(pane.editor()->bytes(), document.text(1));
    QVERIFY(pane.editor()->bytes().mid(pane.editor()->currentOffset()).startsWith("greeting:"));
    // what another file defines: its top-level members
    QCOMPARE(pane.editor()->componentAt(pane.editor()->currentOffset() + 20), u"/greeting"_qs);

    // typing there edits that file, and its tab says it has unsaved changes
    pane.editor()->setFocus();
    pane.editor()->setCurrentOffset(0);
    QTest::keyClicks(pane.editor(), u"# greetings"_qs);
    QTest::keyClick(pane.editor(), Qt::Key_Return);
    QVERIFY(document.text(1).startsWith("# greetings\n"));
    QCOMPARE(document.text(0), text);
    QCOMPARE(tabs->tabText(1), u"messages.yaml*"_qs);
    QCOMPARE(tabs->accessibleTabName(1), u"messages.yaml, unsaved changes"_qs);

    // a form edit to another file's node shows there when its tab is chosen
    QString error;
    QVERIFY2(
        document.setValue(u"/components/schemas/Text/minLength"_qs, Json(1), u"Set"_qs, &error),
        qPrintable(error));
    tabs->setCurrentIndex(2);
    QCOMPARE(pane.editor()->file(), 2);
    QCOMPARE(pane.editor()->bytes(), document.text(2));
    QVERIFY(pane.editor()->bytes().contains("minLength: 1"));
    QCOMPARE(tabs->tabText(2), u"schemas/common.yaml*"_qs);

    // back in the document's own file, its text and the undo of both steps
    tabs->setCurrentIndex(0);
    QCOMPARE(pane.editor()->bytes(), text);
    document.undoStack()->undo(); // the form edit
    document.undoStack()->undo(); // the new line
    document.undoStack()->undo(); // what was typed before it
    QFile messages(dir.filePath(u"messages.yaml"_qs));
    QVERIFY(messages.open(QIODevice::ReadOnly));
    QCOMPARE(document.text(1), messages.readAll());
    QCOMPARE(tabs->tabText(1), u"messages.yaml"_qs);
    QCOMPARE(tabs->tabText(2), u"schemas/common.yaml"_qs);
}

void TestSourceEditor::findAndReplace()
{
    DocumentEditor document(m_path, m_original);
    SourcePane pane;
    pane.resize(800, 600);
    pane.show();
    pane.editor()->setEditor(&document);
    pane.showReplace();
    QVERIFY(pane.isFindBarVisible());
    QVERIFY(pane.replaceField()->isVisibleTo(&pane));

    pane.findField()->setText(u"echo"_qs);
    QVERIFY(pane.findNext());
    QCOMPARE(pane.editor()->selectedText().toLower(), u"echo"_qs);
    pane.setCaseSensitive(true);
    pane.findField()->setText(u"nothing like this"_qs);
    QVERIFY(!pane.findNext());

    // replace one, then all, each one step of the history
    pane.findField()->setText(u"/echo"_qs);
    pane.replaceField()->setText(u"/mirror"_qs);
    QVERIFY(pane.findNext());
    QVERIFY(pane.replaceOne());
    QCOMPARE(document.undoStack()->count(), 1);
    QCOMPARE(document.text().count("/mirror"), 1);
    QCOMPARE(pane.editor()->bytes(), document.text());
    const int rest = int(document.text().count("/echo"));
    QVERIFY(rest > 1);
    QCOMPARE(pane.replaceAll(), rest);
    QCOMPARE(document.text().count("/echo"), 0);
    QCOMPARE(document.undoStack()->count(), 2);
    QCOMPARE(pane.editor()->bytes(), document.text());

    // regular expressions with captures
    pane.setRegularExpression(true);
    pane.findField()->setText(u"x-auth-type: ([A-Z][a-z]+)"_qs);
    pane.replaceField()->setText(u"x-auth-type: None # was \\1"_qs);
    QCOMPARE(pane.replaceAll(), 2);
    QCOMPARE(document.text().count("x-auth-type: None # was Any"), 2);

    document.undoStack()->undo();
    document.undoStack()->undo();
    document.undoStack()->undo();
    QCOMPARE(document.text(), m_original);
    QCOMPARE(pane.editor()->bytes(), m_original);

    QTest::keyClick(pane.findField(), Qt::Key_Escape);
    QVERIFY(!pane.isFindBarVisible());
}

void TestSourceEditor::detachesWhenTheDocumentGoes()
{
    SourceEditor view;
    {
        DocumentEditor document(m_path, m_original);
        view.setEditor(&document);
        QCOMPARE(view.bytes(), m_original);
    }
    QVERIFY(!view.editor());
    QVERIFY(view.bytes().isEmpty());
    QVERIFY(view.isReadOnly());
}

QTEST_MAIN(TestSourceEditor)
#include "tst_sourceeditor.moc"
