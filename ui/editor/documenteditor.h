// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "apiloader.h"
#include "asyncapi/sourcetext.h"

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>
#include <QUndoStack>

#include <future>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace Gatehouse {

// One document being edited. Its text is the truth and is what Save writes; forms
// and the source editor change it through one undo history (every step named, such
// as "Rename channel /rooms/{roomID}"), and a form edit changes only the bytes of
// what it edits (SourceText). After each change the text is read again off the GUI
// thread, after a short pause while typing; the newest text wins.
//
// A document split over several files is edited as one: the files its `$ref`s
// reach (found by each read) are edited here beside it, file 1 and up, with the
// same history. An edit names its node by where it is in the document as read (a
// form's pointer): the `$ref`s on the way are followed, so a change to a message
// that lives in another file changes that file's text (place()). Save writes every
// file that changed.
//
// Nothing is lost: saves are atomic (QSaveFile) and a failed save keeps the edits
// with the reason; while there are unsaved edits they are copied to a recovery file
// every few seconds, which recoveredText() offers back after a crash; a change made
// to the file by another program is reported, never silently written over.
class DocumentEditor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentEditor)

public:
    static constexpr int ReadDelayMs = 250;
    static constexpr int RecoveryIntervalMs = 3000;

    // `text` is the file's content as read (off the GUI thread) by the caller.
    DocumentEditor(const QString &path, const QByteArray &text, QObject *parent = nullptr);
    // Waits for a recovery write in progress.
    ~DocumentEditor() override;

    QString path() const { return m_path; }
    const QByteArray &text() const { return m_text; }
    bool isModified() const { return !m_undo.isClean(); }
    QUndoStack *undoStack() { return &m_undo; }
    // The text as a SourceText (read again only after a change).
    const SourceText &source() const;

    // The document's files: 0 is this one (path()), the others are those its `$ref`s
    // reached, in the order the reads found them (absolute paths).
    int fileCount() const { return 1 + int(m_others.size()); }
    QString filePath(int file) const;
    // The file at `path` (-1 when it is none of them).
    int fileIndex(const QString &path) const;
    const QByteArray &text(int file) const;
    const SourceText &source(int file) const;
    // Whether a file's text differs from what it was read or saved as.
    bool isFileModified(int file) const;

    // Where a node of the document is written: the file and the node's pointer in
    // it. Every `$ref` on the way to the node is followed (to another file or
    // within one); with `throughNode`, a `$ref` the node itself is made of too.
    // Nothing, with the reason, when a `$ref` names a file not read yet or loops.
    struct Place
    {
        int file = 0;
        QString pointer;
        friend bool operator==(const Place &, const Place &) = default;
    };
    std::optional<Place> place(const QString &pointer, bool throughNode = false,
                               QString *error = nullptr) const;
    // The text a node of the document is written in (its place()) with the node's
    // pointer there in `at`: this document's own text and `pointer` itself when a
    // `$ref` on the way cannot be followed.
    const SourceText &sourceOf(const QString &pointer, QString *at, bool throughNode = false) const;
    // Whether the node is written (at its place()).
    bool has(const QString &pointer) const;

    // Form edits, at the place() of `pointer`; false, and the text unchanged, when
    // the text cannot say it in place (the reason in `error`).
    bool setValue(const QString &pointer, const Json &value, const QString &name,
                  QString *error = nullptr);
    // Makes the node say a YAML or JSON fragment typed by the user, keeping its
    // layout and comments where it can (SourceText::setFragment).
    bool setFragment(const QString &pointer, const QByteArray &fragment, const QString &name,
                     QString *error = nullptr);
    bool remove(const QString &pointer, const QString &name, QString *error = nullptr);
    bool renameKey(const QString &pointer, const QString &newKey, const QString &name,
                   QString *error = nullptr);
    bool move(const QString &pointer, int index, const QString &name, QString *error = nullptr);
    // The `$ref`s to the node at `pointer` of this text or into it ("#/components/
    // messages/Chat", "#/components/messages/Chat/payload"): the pointers of the
    // `$ref` members, in text order, then those in the document's other files
    // ("main.yaml#/components/messages/Chat" there) as "FILE#POINTER".
    QStringList referencesTo(const QString &pointer) const;
    // Makes every such `$ref` name `newPointer` instead (after a rename), in every
    // file, as one undo step named `name` (none: part of the caller's macro);
    // `onlyInto`: those into the node only, not those naming the node itself.
    bool retargetReferences(const QString &pointer, const QString &newPointer, const QString &name,
                            QString *error = nullptr, bool onlyInto = false);
    // The component a pointer is in ("/components/schemas/Chat/properties/text" ->
    // "/components/schemas/Chat"; "/components/schemas/Chat" itself), or empty.
    static QString componentOf(const QString &pointer);
    // What a component of `pointer` is called in messages: "schema", "message",
    // "security scheme", ... ("component" for what has no name of its own).
    static QString componentKind(const QString &pointer);
    // Renames the component at `pointer` ("/components/schemas/Chat") to `newKey`,
    // and every `$ref` to it or into it follows (for a security scheme, also the 2.x
    // requirements naming it by key), as one undo step ("Rename schema Chat"). False,
    // and nothing changed, with a one-line reason: not a component, a key AsyncAPI
    // does not allow (letters, digits, '.', '-', '_'), one taken, or a text that
    // cannot say it.
    bool renameComponent(const QString &pointer, const QString &newKey, QString *error = nullptr);
    // Why `key` cannot name a new component of `group` ("/components/messages"): not
    // a key AsyncAPI allows (letters, digits, '.', '-', '_'), or one taken; empty
    // when it can.
    QString componentKeyProblem(const QString &group, const QString &key) const;
    // Moves what is written inline at `pointer` (a channel's message, a payload
    // schema) under `group` as component `key`, keeping its text and comments, and
    // leaves a `$ref` to it in its place; `$ref`s into the old place follow (those to
    // the place itself reach it through the `$ref` left there). One undo
    // step ("Make message Chat a component"); on a failure nothing is changed.
    bool makeComponent(const QString &pointer, const QString &group, const QString &key,
                       QString *error = nullptr);
    // Renames the key of the node at `pointer` to `newKey`, makes every `$ref` to it or
    // into it follow, renames the keys at `keysNaming` and sets the values at
    // `valuesNaming` to `newKey` (places that name it otherwise), as one undo step named
    // `name`; on a failure, nothing is changed.
    bool renameWithReferences(const QString &pointer, const QString &newKey, const QString &name,
                              const QStringList &keysNaming, const QStringList &valuesNaming,
                              QString *error = nullptr);
    // Renames the key of the node at `at` in any file of the document (a message
    // defined at the top of messages.yaml, say), and every `$ref` to it or into it,
    // in every file, follows: one undo step ("Rename chat in messages.yaml"). False,
    // nothing changed, with the reason: no such node, an empty key or one taken.
    bool renameKeyIn(const Place &at, const QString &newKey, QString *error = nullptr);
    // The 2.x security requirements naming the scheme `key` (pointers of their
    // members: ".../security/0/petstore_auth").
    QStringList requirementsNaming(const QString &key) const;
    // An edit typed in the source of a file; typing at one place merges into one
    // undo step.
    void applyTyping(const TextChange &change) { applyTyping(0, change); }
    void applyTyping(int file, const TextChange &change);
    // Any change, as one undo step named `name`.
    void apply(const TextChange &change, const QString &name) { apply(0, change, name); }
    void apply(int file, const TextChange &change, const QString &name);

    // Writes the text now, and every other file with changes, on this thread (the
    // window uses startSave() and startSaveAs(), quitting included).
    bool save(QString *error = nullptr);
    bool saveAs(const QString &path, QString *error = nullptr);
    // Writes the text as it is now, and every other file with changes, off the GUI
    // thread; saved() or saveFailed() tells how it went (the files written stay
    // written when another fails). Edits made meanwhile stay unsaved.
    void startSave();
    // The same, to another file which this editor then edits (its history with it):
    // savedAs() or saveFailed(); the editor stays on its file when it fails. The
    // other files are saved where they are.
    void startSaveAs(const QString &path);
    bool isSaving() const { return m_savesPending > 0; }
    // Replaces the text by what the file holds now (one undo step), read off the GUI
    // thread; reloadFailed() when it cannot be read.
    void reloadFromDisk();
    // The same for another file of the document (path() included).
    void reloadFromDisk(const QString &path);
    // Reads the recovery file off the GUI thread; recoveryFound() when it holds edits
    // of a session that did not end normally (a text other than this one).
    void lookForRecovery();

    // The model of the newest text, once read; isReading() while a read is due.
    const LoadedApi &lastRead() const { return m_lastRead; }
    // Whether source() has the places of the current text already (the read after
    // a change parses them off the GUI thread; source() asked for before that
    // parses them here).
    bool hasParsedSource() const { return m_source != nullptr; }
    // Whether source() costs little now: parsed, or a text small enough to parse
    // here within a frame. What follows every change waits for the read otherwise.
    bool hasCheapSource() const { return m_source || m_text.size() <= CheapSourceBytes; }
    static constexpr qsizetype CheapSourceBytes = 128 * 1024;
    // Whether the places of such a text are being parsed on a thread now: they are
    // after each form edit, at once, so that the next form edit (a moment later) finds
    // them parsed; asked for before they are, source() waits for the rest of that parse.
    bool isParsingAhead() const
    {
        return m_aheadTimer.isActive() || (m_ahead.valid() && m_aheadText == m_text && !m_source);
    }
    bool isReading() const { return m_readTimer.isActive() || m_loader.isLoading(); }
    // Reads now instead of after the pause.
    void readNow();

    // Where unsaved edits of `path` are kept; the text kept there after a crash (or
    // nothing); and forgetting it.
    static QString recoveryPath(const QString &path);
    static std::optional<QByteArray> recoveredText(const QString &path);
    static void discardRecovery(const QString &path);
    // Writes the recovery file now (done on a timer while there are unsaved edits).
    void writeRecovery();

Q_SIGNALS:
    // A change to the text of `file` (0: this document's own).
    void textChanged(int file, const Gatehouse::TextChange &change);
    // A read found files the document had not reached before (fileCount() grew).
    void filesChanged();
    void modelRead(const Gatehouse::LoadedApi &result);
    void modificationChanged(bool modified);
    void pathChanged(const QString &path);
    void saveFailed(const QString &error);
    void saved(const QString &path);
    void savedAs(const QString &previous, const QString &path);
    void reloadFailed(const QString &error);
    void reloaded();
    void recoveryFound(const QByteArray &text);
    // Unsaved edits of another file of the document, kept after a crash, were put
    // back (one undo step).
    void otherFileRecovered(const QString &path);
    // Another program changed a file of the document (`path`: path() or another of
    // its files) while it has unsaved edits here.
    void changedOnDisk(const QString &path);

private:
    class EditCommand;
    friend class EditCommand;

    // One file written by a save: which, where, what, and the reason when it failed.
    struct Write
    {
        int file = 0;
        QString path;
        QByteArray text;
        QString error;
    };
    struct OtherFile
    {
        QString path; // absolute (DocumentLoader::fileKey)
        QByteArray text;
        QByteArray savedText;
        mutable std::shared_ptr<const SourceText> source;
    };

    // The `$ref` members, in every file, naming the node at `target` or one inside it.
    QList<Place> referencePlaces(const Place &target) const;
    // Changes to files (file, change), each made against the file's text as it is.
    using Changes = std::vector<std::pair<int, TextChange>>;
    bool referenceChanges(const Place &target, const QString &newPointer, bool onlyInto,
                          Changes *changes, QString *error) const;
    // Applies them as one undo step named `name` (none: part of the caller's macro);
    // false, nothing changed, when two of them overlap.
    bool applyAll(Changes changes, const QString &name, QString *error);
    bool edit(int file, std::optional<TextChange> change, const QString &name, QString *error,
              const QString &why);
    // Runs `make` on the source of `pointer`'s place and applies the change made.
    template<typename Make>
    bool editAt(const QString &pointer, const QString &name, QString *error, Make make);
    void setText(int file, const TextChange &change);
    void parseAhead();
    void handleRead(const LoadedApi &result);
    void handleFileChanged(const QString &path);
    // A file of the document as it is on disk now, as one undo step.
    void applyReload(int file, const QByteArray &onDisk);
    QByteArray &savedText(int file); // what was last saved or read of a file
    // The other files with unsaved changes, to be written with this one.
    QList<Write> otherWrites() const;
    // Takes what a save wrote as saved; the first failure's reason, or empty.
    // Takes what a save wrote (`rootPath`: where the document's own text went); the
    // reasons of the files that could not be written, the first of them.
    QString takeWrites(const QList<Write> &writes, const QString &rootPath);
    bool writeTo(const QString &path, QString *error);
    bool allSaved() const;
    void finishSave(const QList<Write> &writes);
    void finishSaveAs(const QString &previous, const QList<Write> &writes);
    void moveTo(const QString &path); // after a Save As
    void watch();

    QString m_path;
    QString m_pathKey; // DocumentLoader::fileKey(m_path), kept for fileIndex()
    QByteArray m_text;
    QByteArray m_savedText;
    // the places of m_text: parsed with its read off the GUI thread, or here on
    // first use when asked for before that read is done
    mutable std::shared_ptr<const SourceText> m_source;
    std::vector<OtherFile> m_others;
    QUndoStack m_undo;
    ApiLoader m_loader;
    LoadedApi m_lastRead;
    QTimer m_readTimer;
    QTimer m_recoveryTimer;
    QFileSystemWatcher m_watcher;
    // one thread, so its reads and writes happen in the order they were asked for
    QThreadPool m_writer;
    // the places of a large text parsed ahead (parseAhead()), and of which text
    QThreadPool m_parser;
    QTimer m_aheadTimer;
    mutable std::shared_future<std::shared_ptr<const SourceText>> m_ahead;
    QByteArray m_aheadText;
    int m_savesPending = 0;
};

} // namespace Gatehouse

Q_DECLARE_METATYPE(Gatehouse::TextChange)
