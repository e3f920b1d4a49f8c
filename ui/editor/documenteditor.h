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

#include <memory>
#include <optional>

namespace Gatehouse {

// One document being edited. Its text is the truth and is what Save writes; forms
// and the source editor change it through one undo history (every step named, such
// as "Rename channel /rooms/{roomID}"), and a form edit changes only the bytes of
// what it edits (SourceText). After each change the text is read again off the GUI
// thread, after a short pause while typing; the newest text wins.
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

    // Form edits; false, and the text unchanged, when the text cannot say it in
    // place (the reason in `error`).
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
    // The `$ref`s of this text to the node at `pointer` or into it ("#/components/
    // messages/Chat", "#/components/messages/Chat/payload"): the pointers of the
    // `$ref` members, in text order.
    QStringList referencesTo(const QString &pointer) const;
    // Makes every such `$ref` name `newPointer` instead (after a rename), as one
    // undo step named `name` (none: part of the caller's macro); `onlyInto`: those
    // into the node only, not those naming the node itself.
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
    // The 2.x security requirements naming the scheme `key` (pointers of their
    // members: ".../security/0/petstore_auth").
    QStringList requirementsNaming(const QString &key) const;
    // An edit typed in the source; typing at one place merges into one undo step.
    void applyTyping(const TextChange &change);
    // Any change, as one undo step named `name`.
    void apply(const TextChange &change, const QString &name);

    // Writes the text now, on this thread (the window uses startSave() and
    // startSaveAs(), quitting included).
    bool save(QString *error = nullptr);
    bool saveAs(const QString &path, QString *error = nullptr);
    // Writes the text as it is now off the GUI thread; saved() or saveFailed() tells
    // how it went. Edits made meanwhile stay unsaved.
    void startSave();
    // The same, to another file which this editor then edits (its history with it):
    // savedAs() or saveFailed(); the editor stays on its file when it fails.
    void startSaveAs(const QString &path);
    bool isSaving() const { return m_savesPending > 0; }
    // Replaces the text by what the file holds now (one undo step), read off the GUI
    // thread; reloadFailed() when it cannot be read.
    void reloadFromDisk();
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
    void textChanged(const Gatehouse::TextChange &change);
    void modelRead(const Gatehouse::LoadedApi &result);
    void modificationChanged(bool modified);
    void pathChanged(const QString &path);
    void saveFailed(const QString &error);
    void saved(const QString &path);
    void savedAs(const QString &previous, const QString &path);
    void reloadFailed(const QString &error);
    void reloaded();
    void recoveryFound(const QByteArray &text);
    // Another program changed the file while it has unsaved edits here.
    void changedOnDisk();

private:
    class EditCommand;
    friend class EditCommand;

    bool edit(std::optional<TextChange> change, const QString &name, QString *error,
              const QString &why);
    void setText(const TextChange &change);
    void handleRead(const LoadedApi &result);
    void handleFileChanged();
    void applyReload(const QByteArray &onDisk);
    void finishSave(const QString &path, const QByteArray &text, const QString &error);
    void finishSaveAs(const QString &previous, const QString &path, const QByteArray &text,
                      const QString &error);
    void moveTo(const QString &path); // after a Save As
    void watch();

    QString m_path;
    QByteArray m_text;
    QByteArray m_savedText;
    // the places of m_text: parsed with its read off the GUI thread, or here on
    // first use when asked for before that read is done
    mutable std::shared_ptr<const SourceText> m_source;
    QUndoStack m_undo;
    ApiLoader m_loader;
    LoadedApi m_lastRead;
    QTimer m_readTimer;
    QTimer m_recoveryTimer;
    QFileSystemWatcher m_watcher;
    // one thread, so its reads and writes happen in the order they were asked for
    QThreadPool m_writer;
    int m_savesPending = 0;
};

} // namespace Gatehouse

Q_DECLARE_METATYPE(Gatehouse::TextChange)
