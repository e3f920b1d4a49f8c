// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/documenteditor.h"

#include "asyncapi/documentloader.h"
#include "freeoffthread.h"

#include <QCryptographicHash>
#include <QStringList>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUndoCommand>
#include <algorithm>
#include <vector>

namespace Gatehouse {

namespace {

constexpr int TypingId = 1;
constexpr qint64 MaxFileSize = 32 * 1024 * 1024;
const QByteArray RecoveryMagic = "gatehouse-recovery 1\n";

bool writeAtomically(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = QObject::tr("cannot write %1: %2")
                         .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

// A document file's bytes, or why they cannot be read.
struct FileRead
{
    QByteArray data;
    QString error; // empty when read
};

FileRead readDocumentFile(const QString &path, qint64 maxSize)
{
    QFile file(path);
    if (file.size() > maxSize || !file.open(QIODevice::ReadOnly))
        return {{},
                QObject::tr("cannot read %1: %2")
                    .arg(QDir::toNativeSeparators(path),
                         file.size() > maxSize ? QObject::tr("the file is too large")
                                               : file.errorString())};
    return {file.readAll(), {}};
}

} // namespace

// One step of the history: a change and the change that takes it back.
class DocumentEditor::EditCommand final : public QUndoCommand
{
public:
    EditCommand(DocumentEditor *editor, const TextChange &change, const QString &name, int id)
        : QUndoCommand(name)
        , m_editor(editor)
        , m_id(id)
    {
        m_changes.push_back({change, change.inverse(editor->m_text)});
    }

    int id() const override { return m_id; }

    void redo() override
    {
        for (const auto &step : m_changes)
            m_editor->setText(step.first);
    }

    void undo() override
    {
        for (auto it = m_changes.rbegin(); it != m_changes.rend(); ++it)
            m_editor->setText(it->second);
    }

    // Typing at the end of the previous keystroke's text joins its step.
    bool mergeWith(const QUndoCommand *other) override
    {
        if (other->id() != TypingId || m_id != TypingId)
            return false;
        const auto *typed = static_cast<const EditCommand *>(other);
        const TextChange &last = m_changes.back().first;
        const TextChange &next = typed->m_changes.front().first;
        const bool continues = next.offset == last.offset + last.text.size() && next.length == 0
            && last.length == 0 && !next.text.contains('\n');
        const bool erases = next.text.isEmpty() && last.text.isEmpty()
            && next.offset + next.length == last.offset;
        if (!continues && !erases)
            return false;
        m_changes.insert(m_changes.end(), typed->m_changes.begin(), typed->m_changes.end());
        return true;
    }

private:
    DocumentEditor *m_editor;
    int m_id;
    std::vector<std::pair<TextChange, TextChange>> m_changes;
};

DocumentEditor::DocumentEditor(const QString &path, const QByteArray &text, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_text(text)
    , m_savedText(text)
{
    m_writer.setMaxThreadCount(1);
    m_readTimer.setSingleShot(true);
    m_readTimer.setInterval(ReadDelayMs);
    connect(&m_readTimer, &QTimer::timeout, this, &DocumentEditor::readNow);
    m_recoveryTimer.setSingleShot(true);
    m_recoveryTimer.setInterval(RecoveryIntervalMs);
    connect(&m_recoveryTimer, &QTimer::timeout, this, &DocumentEditor::writeRecovery);
    connect(&m_loader, &ApiLoader::loadFinished, this, &DocumentEditor::handleRead);
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (clean) {
            m_recoveryTimer.stop();
            m_writer.waitForDone(); // a write queued before this point must not outlive it
            discardRecovery(m_path);
        }
        Q_EMIT modificationChanged(!clean);
    });
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &DocumentEditor::handleFileChanged);
    watch();
    readNow();
}

DocumentEditor::~DocumentEditor()
{
    // Unsaved edits stay in the recovery file: the history going away says nothing.
    disconnect(&m_undo, nullptr, this, nullptr);
    m_writer.waitForDone();
}

const SourceText &DocumentEditor::source() const
{
    if (!m_source)
        m_source = sharedFreedOffThread(SourceText(m_text), m_text.size() > LargeSourceBytes);
    return *m_source;
}

bool DocumentEditor::edit(std::optional<TextChange> change, const QString &name, QString *error,
                          const QString &why)
{
    if (!change) {
        if (error)
            *error = why;
        return false;
    }
    if (change->length == 0 && change->text.isEmpty())
        return true; // already says so
    apply(*change, name);
    return true;
}

bool DocumentEditor::setValue(const QString &pointer, const Json &value, const QString &name,
                              QString *error)
{
    QString why;
    auto change = source().set(pointer, value, &why);
    return edit(std::move(change), name, error, why);
}

bool DocumentEditor::setFragment(const QString &pointer, const QByteArray &fragment,
                                 const QString &name, QString *error)
{
    QString why;
    auto change = source().setFragment(pointer, fragment, &why);
    return edit(std::move(change), name, error, why);
}

namespace {

// The target a `$ref` member's value names, unquoted.
QByteArray referenceTarget(const SourceText &source, const QString &refPointer)
{
    const auto [start, end] = source.valueSpan(refPointer);
    QByteArray text = source.text().mid(start, end - start).trimmed();
    if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"'))
        text = text.mid(1, text.size() - 2);
    return text;
}

bool refersTo(const QByteArray &target, const QByteArray &ref)
{
    return target == ref || target.startsWith(QByteArray(ref + '/'));
}

} // namespace

QStringList DocumentEditor::referencesTo(const QString &pointer) const
{
    QStringList out;
    const SourceText &text = source();
    const QByteArray ref = '#' + pointer.toUtf8();
    for (const QString &p : text.pointers())
        if (p.endsWith(u"/$ref") && refersTo(referenceTarget(text, p), ref))
            out.append(p);
    return out;
}

bool DocumentEditor::retargetReferences(const QString &pointer, const QString &newPointer,
                                        const QString &name, QString *error, bool onlyInto)
{
    const QStringList refs = referencesTo(pointer);
    if (refs.isEmpty())
        return true;
    // Every change is made against the same text and applied from the end backwards,
    // so the places of the ones before stay right.
    const SourceText &text = source();
    const QByteArray oldRef = '#' + pointer.toUtf8();
    std::vector<TextChange> changes;
    for (const QString &p : refs) {
        const QByteArray target = referenceTarget(text, p);
        if (onlyInto && target == oldRef)
            continue;
        const QByteArray next = '#' + newPointer.toUtf8() + target.mid(oldRef.size());
        QString why;
        const auto change = text.set(p, Json(next.toStdString()), &why);
        if (!change) {
            if (error)
                *error = why;
            return false;
        }
        changes.push_back(*change);
    }
    std::sort(changes.begin(), changes.end(),
              [](const TextChange &a, const TextChange &b) { return a.offset > b.offset; });
    if (!name.isEmpty())
        m_undo.beginMacro(name);
    for (const TextChange &change : changes)
        apply(change, QString());
    if (!name.isEmpty())
        m_undo.endMacro();
    return true;
}

QString DocumentEditor::componentOf(const QString &pointer)
{
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens) || tokens.size() < 3
        || tokens.at(0) != u"components")
        return QString();
    return SourceText::joinPointer(tokens.mid(0, 3));
}

QString DocumentEditor::componentKind(const QString &pointer)
{
    QStringList tokens;
    SourceText::splitPointer(pointer, &tokens);
    const QString group = tokens.value(1);
    static const QHash<QString, const char *> names {
        {QStringLiteral("schemas"), QT_TR_NOOP("schema")},
        {QStringLiteral("messages"), QT_TR_NOOP("message")},
        {QStringLiteral("parameters"), QT_TR_NOOP("parameter")},
        {QStringLiteral("securitySchemes"), QT_TR_NOOP("security scheme")},
        {QStringLiteral("servers"), QT_TR_NOOP("server")},
        {QStringLiteral("serverVariables"), QT_TR_NOOP("server variable")},
        {QStringLiteral("channels"), QT_TR_NOOP("channel")},
        {QStringLiteral("operations"), QT_TR_NOOP("operation")},
        {QStringLiteral("messageTraits"), QT_TR_NOOP("message trait")},
        {QStringLiteral("operationTraits"), QT_TR_NOOP("operation trait")},
        {QStringLiteral("correlationIds"), QT_TR_NOOP("correlation ID")},
        {QStringLiteral("replies"), QT_TR_NOOP("reply")},
        {QStringLiteral("replyAddresses"), QT_TR_NOOP("reply address")},
        {QStringLiteral("tags"), QT_TR_NOOP("tag")},
        {QStringLiteral("externalDocs"), QT_TR_NOOP("external documentation")},
    };
    if (const char *name = names.value(group))
        return tr(name);
    return group.endsWith(u"Bindings") ? tr("bindings") : tr("component");
}

QStringList DocumentEditor::requirementsNaming(const QString &key) const
{
    // .../security/N/KEY
    QStringList out;
    const QString tail = u'/' + SourceText::joinPointer({key}).mid(1);
    for (const QString &p : source().pointers()) {
        const int at = p.lastIndexOf(u"/security/");
        if (at >= 0 && p.endsWith(tail) && p.count(u'/') - p.left(at).count(u'/') == 3)
            out.append(p);
    }
    return out;
}

bool DocumentEditor::renameComponent(const QString &pointer, const QString &newKey, QString *error)
{
    QStringList tokens;
    const bool component
        = componentOf(pointer) == pointer && SourceText::splitPointer(pointer, &tokens);
    const QString kind = componentKind(pointer);
    const QString key = tokens.value(2);
    const QString group = SourceText::joinPointer(tokens.mid(0, 2));
    QString why;
    if (!component || !source().contains(pointer))
        why = tr("%1 is not a component of this document").arg(pointer);
    else if (newKey != key)
        why = componentKeyProblem(group, newKey);
    bool ok = why.isEmpty();
    if (ok && newKey != key)
        ok = renameWithReferences(
            pointer, newKey, tr("Rename %1 %2").arg(kind, key),
            tokens.at(1) == u"securitySchemes" ? requirementsNaming(key) : QStringList(), {}, &why);
    if (error)
        *error = why;
    return ok;
}

QString DocumentEditor::componentKeyProblem(const QString &group, const QString &key) const
{
    // a component key as AsyncAPI allows it
    static const QRegularExpression componentKey(QStringLiteral("^[A-Za-z0-9.\\-_]+$"));
    const QString kind = componentKind(group + u"/x");
    if (!componentKey.match(key).hasMatch())
        return tr("\"%1\" cannot name a %2: use letters, digits, '.', '-' and '_'").arg(key, kind);
    if (source().keys(group).contains(key))
        return tr("There is a %1 %2 already").arg(kind, key);
    return {};
}

bool DocumentEditor::makeComponent(const QString &pointer, const QString &group, const QString &key,
                                   QString *error)
{
    const QString kind = componentKind(group + u"/x");
    const QString target = group + u'/' + DocumentLoader::escapePointerToken(key);
    QString why;
    if (pointer.isEmpty() || !source().contains(pointer))
        why = tr("%1 is not in this document").arg(pointer);
    else if (source().contains(pointer + u"/$ref"))
        why = tr("%1 is a $ref already").arg(pointer);
    else if (componentOf(pointer) == pointer)
        why = tr("%1 is a component already").arg(pointer);
    else
        why = componentKeyProblem(group, key);
    bool ok = why.isEmpty();
    if (ok) {
        const QString name = tr("Make %1 %2 a component").arg(kind, key);
        const QByteArray fragment = source().fragment(pointer);
        Json reference = Json::object();
        reference["$ref"] = QString(u'#' + target).toStdString();
        m_undo.beginMacro(name);
        ok = setFragment(target, fragment, QString(), &why);
        // a $ref to the old place reaches the component through the $ref left there
        // (a 3.x operation names its channel's message so); one into it goes on
        if (ok)
            ok = retargetReferences(pointer, target, QString(), &why, true);
        if (ok)
            ok = setValue(pointer, reference, QString(), &why);
        m_undo.endMacro();
        if (!ok && m_undo.canUndo() && m_undo.undoText() == name)
            m_undo.undo();
    }
    if (error)
        *error = why;
    return ok;
}

bool DocumentEditor::renameWithReferences(const QString &pointer, const QString &newKey,
                                          const QString &name, const QStringList &keysNaming,
                                          const QStringList &valuesNaming, QString *error)
{
    QStringList tokens;
    SourceText::splitPointer(pointer, &tokens);
    if (tokens.isEmpty()) {
        if (error)
            *error = tr("the document itself has no key to rename");
        return false;
    }
    tokens.last() = newKey;
    const QString newPointer = SourceText::joinPointer(tokens);
    QString why;
    m_undo.beginMacro(name);
    bool ok = renameKey(pointer, newKey, QString(), &why);
    if (ok)
        ok = retargetReferences(pointer, newPointer, QString(), &why);
    for (qsizetype i = 0; ok && i < keysNaming.size(); ++i)
        ok = renameKey(keysNaming.at(i), newKey, QString(), &why);
    for (qsizetype i = 0; ok && i < valuesNaming.size(); ++i)
        ok = setValue(valuesNaming.at(i), Json(newKey.toStdString()), QString(), &why);
    m_undo.endMacro();
    if (!ok && m_undo.canUndo() && m_undo.undoText() == name)
        m_undo.undo();
    if (error)
        *error = why;
    return ok;
}

bool DocumentEditor::remove(const QString &pointer, const QString &name, QString *error)
{
    QString why;
    auto change = source().remove(pointer, &why);
    return edit(std::move(change), name, error, why);
}

bool DocumentEditor::renameKey(const QString &pointer, const QString &newKey, const QString &name,
                               QString *error)
{
    QString why;
    auto change = source().renameKey(pointer, newKey, &why);
    return edit(std::move(change), name, error, why);
}

bool DocumentEditor::move(const QString &pointer, int index, const QString &name, QString *error)
{
    QString why;
    auto change = source().move(pointer, index, &why);
    return edit(std::move(change), name, error, why);
}

void DocumentEditor::applyTyping(const TextChange &change)
{
    m_undo.push(new EditCommand(this, change, tr("Typing"), TypingId));
}

void DocumentEditor::apply(const TextChange &change, const QString &name)
{
    m_undo.push(new EditCommand(this, change, name, -1));
}

void DocumentEditor::setText(const TextChange &change)
{
    m_text = change.appliedTo(m_text);
    m_source.reset();
    m_readTimer.start();
    if (!m_undo.isClean() || m_text != m_savedText)
        m_recoveryTimer.start();
    Q_EMIT textChanged(change);
}

void DocumentEditor::readNow()
{
    m_readTimer.stop();
    m_loader.loadText(m_path, m_text, true);
}

void DocumentEditor::handleRead(const LoadedApi &result)
{
    m_lastRead = result;
    // the places parsed with the read, when no edit came since
    if (!m_source && result.places && result.text == m_text)
        m_source = result.places;
    m_lastRead.places.reset(); // (kept once, in m_source)
    Q_EMIT modelRead(m_lastRead);
}

bool DocumentEditor::save(QString *error)
{
    QString why;
    if (!writeAtomically(m_path, m_text, &why)) {
        if (error)
            *error = why;
        Q_EMIT saveFailed(why);
        return false; // the edits stay here, and in the recovery file
    }
    m_savedText = m_text;
    m_undo.setClean();
    m_recoveryTimer.stop();
    m_writer.waitForDone();
    discardRecovery(m_path);
    watch();
    return true;
}

bool DocumentEditor::saveAs(const QString &path, QString *error)
{
    const QString previous = m_path;
    m_path = path;
    if (!save(error)) {
        m_path = previous;
        return false;
    }
    m_path = previous;
    moveTo(path);
    return true;
}

void DocumentEditor::moveTo(const QString &path)
{
    const QString previous = std::exchange(m_path, path);
    discardRecovery(previous);
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    watch();
    Q_EMIT pathChanged(m_path);
    readNow();
}

void DocumentEditor::startSaveAs(const QString &path)
{
    const QString previous = m_path;
    const QByteArray text = m_text;
    m_recoveryTimer.stop();
    ++m_savesPending;
    m_writer.start([this, previous, path, text] {
        QString why;
        writeAtomically(path, text, &why);
        QMetaObject::invokeMethod(
            this, [this, previous, path, text, why] { finishSaveAs(previous, path, text, why); },
            Qt::QueuedConnection);
    });
}

void DocumentEditor::finishSaveAs(const QString &previous, const QString &path,
                                  const QByteArray &text, const QString &error)
{
    --m_savesPending;
    if (!error.isEmpty() || m_path != previous) {
        if (isModified())
            m_recoveryTimer.start(); // the edits stay here, and in the recovery file
        Q_EMIT saveFailed(error.isEmpty() ? tr("%1: saved as another file meanwhile").arg(path)
                                          : error);
        return;
    }
    m_savedText = text;
    if (m_text == text)
        m_undo.setClean();
    else
        m_recoveryTimer.start(); // edited while it was written: unsaved in the new file
    moveTo(path);
    Q_EMIT savedAs(previous, path);
}

void DocumentEditor::startSave()
{
    const QString path = m_path;
    const QByteArray text = m_text;
    m_recoveryTimer.stop();
    ++m_savesPending;
    m_writer.start([this, path, text] {
        QString why;
        if (writeAtomically(path, text, &why))
            QFile::remove(recoveryPath(path)); // after any recovery write queued before
        QMetaObject::invokeMethod(
            this, [this, path, text, why] { finishSave(path, text, why); }, Qt::QueuedConnection);
    });
}

void DocumentEditor::finishSave(const QString &path, const QByteArray &text, const QString &error)
{
    --m_savesPending;
    if (!error.isEmpty()) {
        if (isModified())
            m_recoveryTimer.start(); // the edits stay here, and in the recovery file
        Q_EMIT saveFailed(error);
        return;
    }
    if (path == m_path) {
        m_savedText = text;
        if (m_text == text)
            m_undo.setClean();
        else
            m_recoveryTimer.start(); // edited while it was written
        watch();
    }
    Q_EMIT saved(path);
}

void DocumentEditor::reloadFromDisk()
{
    const QString path = m_path;
    m_writer.start([this, path] {
        const FileRead read = readDocumentFile(path, MaxFileSize);
        QMetaObject::invokeMethod(
            this,
            [this, path, read] {
                if (path != m_path)
                    return;
                if (!read.error.isEmpty()) {
                    Q_EMIT reloadFailed(read.error);
                    return;
                }
                applyReload(read.data);
            },
            Qt::QueuedConnection);
    });
}

void DocumentEditor::applyReload(const QByteArray &onDisk)
{
    if (onDisk != m_text)
        apply(TextChange {0, m_text.size(), onDisk}, tr("Reload from disk"));
    m_savedText = onDisk;
    m_undo.setClean();
    Q_EMIT reloaded();
}

void DocumentEditor::lookForRecovery()
{
    const QString path = m_path;
    m_writer.start([this, path] {
        const std::optional<QByteArray> text = recoveredText(path);
        if (!text)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, path, text] {
                if (path == m_path && *text != m_text)
                    Q_EMIT recoveryFound(*text);
            },
            Qt::QueuedConnection);
    });
}

void DocumentEditor::watch()
{
    if (QFileInfo::exists(m_path) && !m_watcher.files().contains(m_path))
        m_watcher.addPath(m_path);
}

void DocumentEditor::handleFileChanged()
{
    // A save replaces the file: watch the new one.
    watch();
    // Read after any save queued before: its end is seen here first.
    const QString path = m_path;
    m_writer.start([this, path] {
        const FileRead read = readDocumentFile(path, MaxFileSize);
        if (!read.error.isEmpty())
            return;
        QMetaObject::invokeMethod(
            this,
            [this, path, onDisk = read.data] {
                if (path != m_path || onDisk == m_savedText || isSaving())
                    return; // our own save
                if (!isModified())
                    applyReload(onDisk);
                else
                    Q_EMIT changedOnDisk();
            },
            Qt::QueuedConnection);
    });
}

QString DocumentEditor::recoveryPath(const QString &path)
{
    const QString dir
        = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/recovery";
    const QByteArray hash = QCryptographicHash::hash(QFileInfo(path).absoluteFilePath().toUtf8(),
                                                     QCryptographicHash::Sha1)
                                .toHex()
                                .left(16);
    return dir + u'/' + QFileInfo(path).fileName() + u'-' + QString::fromLatin1(hash);
}

std::optional<QByteArray> DocumentEditor::recoveredText(const QString &path)
{
    QFile file(recoveryPath(path));
    if (file.size() > MaxFileSize + RecoveryMagic.size() || !file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray data = file.readAll();
    if (!data.startsWith(RecoveryMagic))
        return std::nullopt;
    return data.mid(RecoveryMagic.size());
}

void DocumentEditor::discardRecovery(const QString &path)
{
    QFile::remove(recoveryPath(path));
}

void DocumentEditor::writeRecovery()
{
    if (!isModified())
        return;
    const QString path = recoveryPath(m_path);
    const QByteArray data = RecoveryMagic + m_text;
    m_writer.start([path, data] {
        QDir().mkpath(QFileInfo(path).absolutePath());
        writeAtomically(path, data, nullptr);
    });
}

} // namespace Gatehouse
