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
#include <QUrl>
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
    EditCommand(DocumentEditor *editor, int file, const TextChange &change, const QString &name,
                int id)
        : QUndoCommand(name)
        , m_editor(editor)
        , m_file(file)
        , m_id(id)
    {
        m_changes.push_back({change, change.inverse(editor->text(file))});
    }

    int id() const override { return m_id; }

    void redo() override
    {
        for (const auto &step : m_changes)
            m_editor->setText(m_file, step.first);
    }

    void undo() override
    {
        for (auto it = m_changes.rbegin(); it != m_changes.rend(); ++it)
            m_editor->setText(m_file, it->second);
    }

    // Typing at the end of the previous keystroke's text joins its step.
    bool mergeWith(const QUndoCommand *other) override
    {
        if (other->id() != TypingId || m_id != TypingId)
            return false;
        const auto *typed = static_cast<const EditCommand *>(other);
        if (typed->m_file != m_file)
            return false;
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
    int m_file;
    int m_id;
    std::vector<std::pair<TextChange, TextChange>> m_changes;
};

DocumentEditor::DocumentEditor(const QString &path, const QByteArray &text, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_pathKey(DocumentLoader::fileKey(path))
    , m_text(text)
    , m_savedText(text)
{
    m_writer.setMaxThreadCount(1);
    m_parser.setMaxThreadCount(1);
    m_aheadTimer.setSingleShot(true);
    m_aheadTimer.setInterval(0);
    connect(&m_aheadTimer, &QTimer::timeout, this, &DocumentEditor::parseAhead);
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
            for (const OtherFile &other : m_others)
                discardRecovery(other.path);
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
    m_parser.waitForDone();
}

const SourceText &DocumentEditor::source() const
{
    if (!m_source && m_ahead.valid() && m_aheadText == m_text)
        m_source = m_ahead.get(); // the rest of the parse begun after the last edit
    if (!m_source)
        m_source = sharedFreedOffThread(SourceText(m_text), m_text.size() > LargeSourceBytes);
    return *m_source;
}

void DocumentEditor::parseAhead()
{
    if (m_source || m_text.size() <= CheapSourceBytes)
        return;
    auto parse = std::make_shared<std::packaged_task<std::shared_ptr<const SourceText>()>>(
        [text = m_text] { return sharedFreedOffThread(SourceText(text), true); });
    m_ahead = parse->get_future().share();
    m_aheadText = m_text;
    m_parser.start([this, parse] {
        (*parse)();
        // taken as soon as it is there, unless the text changed meanwhile
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_source && m_ahead.valid() && m_aheadText == m_text)
                    m_source = m_ahead.get();
            },
            Qt::QueuedConnection);
    });
}

QString DocumentEditor::filePath(int file) const
{
    if (file == 0)
        return m_path;
    return file > 0 && file <= int(m_others.size()) ? m_others[file - 1].path : QString();
}

int DocumentEditor::fileIndex(const QString &path) const
{
    if (path.isEmpty())
        return -1;
    const QString key = DocumentLoader::fileKey(path);
    if (key == m_pathKey)
        return 0;
    for (size_t i = 0; i < m_others.size(); ++i)
        if (m_others[i].path == key)
            return int(i) + 1;
    return -1;
}

const QByteArray &DocumentEditor::text(int file) const
{
    Q_ASSERT(file >= 0 && file < fileCount());
    return file == 0 ? m_text : m_others[file - 1].text;
}

const SourceText &DocumentEditor::source(int file) const
{
    Q_ASSERT(file >= 0 && file < fileCount());
    if (file == 0)
        return source();
    const OtherFile &other = m_others[file - 1];
    if (!other.source)
        other.source = std::make_shared<const SourceText>(other.text);
    return *other.source;
}

bool DocumentEditor::isFileModified(int file) const
{
    if (file == 0)
        return m_text != m_savedText;
    return file > 0 && file <= int(m_others.size())
        && m_others[file - 1].text != m_others[file - 1].savedText;
}

bool DocumentEditor::edit(int file, std::optional<TextChange> change, const QString &name,
                          QString *error, const QString &why)
{
    if (!change) {
        if (error)
            *error = why;
        return false;
    }
    if (change->length == 0 && change->text.isEmpty())
        return true; // already says so
    apply(file, *change, name);
    return true;
}

template<typename Make>
bool DocumentEditor::editAt(const QString &pointer, const QString &name, QString *error, Make make)
{
    QString why;
    const std::optional<Place> at = place(pointer, false, &why);
    if (!at) {
        if (error)
            *error = why;
        return false;
    }
    auto change = make(source(at->file), at->pointer, &why);
    return edit(at->file, std::move(change), name, error, why);
}

bool DocumentEditor::setValue(const QString &pointer, const Json &value, const QString &name,
                              QString *error)
{
    return editAt(pointer, name, error,
                  [&](const SourceText &text, const QString &at, QString *why) {
                      return text.set(at, value, why);
                  });
}

bool DocumentEditor::setFragment(const QString &pointer, const QByteArray &fragment,
                                 const QString &name, QString *error)
{
    return editAt(pointer, name, error,
                  [&](const SourceText &text, const QString &at, QString *why) {
                      return text.setFragment(at, fragment, why);
                  });
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

constexpr int MaxReferenceHops = 64;

} // namespace

std::optional<DocumentEditor::Place> DocumentEditor::place(const QString &pointer, bool throughNode,
                                                           QString *error) const
{
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens)) {
        if (error)
            *error = tr("%1 is not a JSON Pointer").arg(pointer);
        return std::nullopt;
    }
    Place at;
    int hops = 0;
    for (qsizetype i = 0; i <= tokens.size(); ++i) {
        // a `$ref` on the way is followed to what it names
        while ((i < tokens.size() || throughNode)
               && source(at.file).contains(at.pointer + u"/$ref")) {
            const QString ref
                = QString::fromUtf8(referenceTarget(source(at.file), at.pointer + u"/$ref"));
            const qsizetype hash = ref.indexOf(u'#');
            const QString file = hash < 0 ? ref : ref.left(hash);
            const QString fragment
                = hash < 0 ? QString() : QUrl::fromPercentEncoding(ref.mid(hash + 1).toUtf8());
            QString why;
            if (++hops > MaxReferenceHops)
                why = tr("the $refs on the way to %1 loop").arg(pointer);
            else if (!fragment.isEmpty() && !fragment.startsWith(u'/'))
                why = tr("$ref '%1' does not name a node (#/...)").arg(ref);
            int next = at.file;
            if (why.isEmpty() && !file.isEmpty()) {
                const QString path = QDir::isAbsolutePath(file)
                    ? file
                    : QFileInfo(filePath(at.file)).absoluteDir().absoluteFilePath(file);
                next = fileIndex(path);
                if (next < 0)
                    why = QUrl(file).scheme().size() > 1
                        ? tr("$ref '%1' names a file on the network, which is not edited here")
                              .arg(ref)
                        : tr("%1 is not read yet: try again in a moment")
                              .arg(QDir::toNativeSeparators(file));
            }
            if (!why.isEmpty()) {
                if (error)
                    *error = why;
                return std::nullopt;
            }
            at = Place {next, fragment};
        }
        if (i < tokens.size())
            at.pointer += u'/' + SourceText::joinPointer({tokens.at(i)}).mid(1);
    }
    return at;
}

QList<DocumentEditor::Place> DocumentEditor::referencePlaces(const Place &target) const
{
    QList<Place> out;
    const QByteArray ref = '#' + target.pointer.toUtf8();
    const QString targetKey = DocumentLoader::fileKey(filePath(target.file));
    for (int file = 0; file < fileCount(); ++file) {
        const SourceText &text = source(file);
        const QDir folder = QFileInfo(filePath(file)).absoluteDir();
        for (const QString &p : text.pointers()) {
            if (!p.endsWith(u"/$ref"))
                continue;
            const QByteArray value = referenceTarget(text, p);
            const qsizetype hash = value.indexOf('#');
            if (hash < 0 || !refersTo(value.mid(hash), ref))
                continue;
            // the target's file: named without a file in its own text, and with its
            // path (from the referring file's folder) in the others'
            const QString path = QString::fromUtf8(value.left(hash));
            const bool there = path.isEmpty()
                ? file == target.file
                : DocumentLoader::fileKey(folder.absoluteFilePath(path)) == targetKey;
            if (there)
                out.append({file, p});
        }
    }
    return out;
}

QStringList DocumentEditor::referencesTo(const QString &pointer) const
{
    QStringList out;
    const QDir folder = QFileInfo(m_path).absoluteDir();
    for (const Place &place : referencePlaces(Place {0, pointer}))
        out.append(place.file == 0
                       ? place.pointer
                       : folder.relativeFilePath(filePath(place.file)) + u'#' + place.pointer);
    return out;
}

bool DocumentEditor::referenceChanges(const Place &target, const QString &newPointer, bool onlyInto,
                                      Changes *changes, QString *error) const
{
    const QByteArray oldRef = '#' + target.pointer.toUtf8();
    for (const Place &place : referencePlaces(target)) {
        const SourceText &text = source(place.file);
        const QByteArray value = referenceTarget(text, place.pointer);
        const qsizetype hash = value.indexOf('#');
        const QByteArray fragment = value.mid(hash);
        if (onlyInto && fragment == oldRef)
            continue;
        const QByteArray next
            = value.left(hash) + '#' + newPointer.toUtf8() + fragment.mid(oldRef.size());
        const auto change = text.set(place.pointer, Json(next.toStdString()), error);
        if (!change)
            return false;
        changes->push_back({place.file, *change});
    }
    return true;
}

bool DocumentEditor::applyAll(Changes changes, const QString &name, QString *error)
{
    // Every change to a file was made against the same text: applied from the end
    // backwards, the places of the ones before stay right.
    std::sort(changes.begin(), changes.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first < b.first : a.second.offset > b.second.offset;
    });
    for (size_t i = 1; i < changes.size(); ++i) {
        const auto &[file, later] = changes[i - 1];
        const auto &[nextFile, earlier] = changes[i];
        if (file == nextFile && earlier.offset + earlier.length > later.offset) {
            if (error)
                *error = tr("the edits overlap in the text: make them one at a time");
            return false;
        }
    }
    if (changes.empty())
        return true;
    if (!name.isEmpty())
        m_undo.beginMacro(name);
    for (const auto &[file, change] : changes)
        if (change.length > 0 || !change.text.isEmpty())
            apply(file, change, QString());
    if (!name.isEmpty())
        m_undo.endMacro();
    return true;
}

bool DocumentEditor::retargetReferences(const QString &pointer, const QString &newPointer,
                                        const QString &name, QString *error, bool onlyInto)
{
    Changes changes;
    return referenceChanges(Place {0, pointer}, newPointer, onlyInto, &changes, error)
        && applyAll(std::move(changes), name, error);
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
    // every change made against the text as it is now (one parse of it), the key's
    // rename, the $refs that follow it and the places that name it otherwise
    Changes changes;
    QString why;
    const auto at = [&](const QString &p, auto make) {
        const std::optional<Place> found = place(p, false, &why);
        if (!found)
            return false;
        const auto change = make(source(found->file), found->pointer);
        if (!change)
            return false;
        changes.push_back({found->file, *change});
        return true;
    };
    bool ok = at(pointer, [&](const SourceText &text, const QString &p) {
        return text.renameKey(p, newKey, &why);
    });
    if (ok)
        ok = referenceChanges(Place {0, pointer}, newPointer, false, &changes, &why);
    for (qsizetype i = 0; ok && i < keysNaming.size(); ++i)
        ok = at(keysNaming.at(i), [&](const SourceText &text, const QString &p) {
            return text.renameKey(p, newKey, &why);
        });
    for (qsizetype i = 0; ok && i < valuesNaming.size(); ++i)
        ok = at(valuesNaming.at(i), [&](const SourceText &text, const QString &p) {
            return text.set(p, Json(newKey.toStdString()), &why);
        });
    if (ok)
        ok = applyAll(std::move(changes), name, &why);
    if (error)
        *error = why;
    return ok;
}

const SourceText &DocumentEditor::sourceOf(const QString &pointer, QString *at,
                                           bool throughNode) const
{
    const std::optional<Place> found = place(pointer, throughNode);
    *at = found ? found->pointer : pointer;
    return source(found ? found->file : 0);
}

bool DocumentEditor::has(const QString &pointer) const
{
    QString at;
    return sourceOf(pointer, &at).contains(at);
}

bool DocumentEditor::renameKeyIn(const Place &at, const QString &newKey, QString *error)
{
    QStringList tokens;
    QString why;
    if (at.file < 0 || at.file >= fileCount() || !SourceText::splitPointer(at.pointer, &tokens)
        || tokens.isEmpty() || !source(at.file).contains(at.pointer))
        why = tr("%1 has no %2 to rename").arg(QFileInfo(filePath(at.file)).fileName(), at.pointer);
    else if (newKey.isEmpty())
        why = tr("a key cannot be empty");
    else if (source(at.file)
                 .keys(SourceText::joinPointer(tokens.mid(0, tokens.size() - 1)))
                 .contains(newKey)
             && newKey != tokens.last())
        why = tr("there is a %1 there already").arg(newKey);
    bool ok = why.isEmpty();
    if (ok && newKey != tokens.last()) {
        const QString oldKey = tokens.last();
        tokens.last() = newKey;
        Changes changes;
        const auto renamed = source(at.file).renameKey(at.pointer, newKey, &why);
        ok = renamed.has_value();
        if (ok) {
            changes.push_back({at.file, *renamed});
            ok = referenceChanges(at, SourceText::joinPointer(tokens), false, &changes, &why);
        }
        if (ok)
            ok = applyAll(
                std::move(changes),
                tr("Rename %1 in %2").arg(oldKey, QFileInfo(filePath(at.file)).fileName()), &why);
    }
    if (error)
        *error = why;
    return ok;
}

bool DocumentEditor::remove(const QString &pointer, const QString &name, QString *error)
{
    return editAt(pointer, name, error,
                  [&](const SourceText &text, const QString &at, QString *why) {
                      return text.remove(at, why);
                  });
}

bool DocumentEditor::renameKey(const QString &pointer, const QString &newKey, const QString &name,
                               QString *error)
{
    return editAt(pointer, name, error,
                  [&](const SourceText &text, const QString &at, QString *why) {
                      return text.renameKey(at, newKey, why);
                  });
}

bool DocumentEditor::move(const QString &pointer, int index, const QString &name, QString *error)
{
    return editAt(pointer, name, error,
                  [&](const SourceText &text, const QString &at, QString *why) {
                      return text.move(at, index, why);
                  });
}

void DocumentEditor::applyTyping(int file, const TextChange &change)
{
    m_aheadTimer.stop(); // typing: the read after the pause parses the places
    m_undo.push(new EditCommand(this, file, change, tr("Typing"), TypingId));
}

void DocumentEditor::apply(int file, const TextChange &change, const QString &name)
{
    m_undo.push(new EditCommand(this, file, change, name, -1));
    // a form edit (once all its steps are made): the next one is likely to follow soon
    if (file == 0)
        m_aheadTimer.start();
}

void DocumentEditor::setText(int file, const TextChange &change)
{
    if (file == 0) {
        m_text = change.appliedTo(m_text);
        m_source.reset();
    } else {
        OtherFile &other = m_others[file - 1];
        other.text = change.appliedTo(other.text);
        other.source.reset();
    }
    m_readTimer.start();
    if (!m_undo.isClean() || !allSaved())
        m_recoveryTimer.start();
    Q_EMIT textChanged(file, change);
}

void DocumentEditor::readNow()
{
    m_readTimer.stop();
    DocumentLoader::FileTexts others;
    for (const OtherFile &other : m_others)
        others.insert(other.path, other.text);
    m_loader.loadText(m_path, m_text, true, others);
}

void DocumentEditor::handleRead(const LoadedApi &result)
{
    m_lastRead = result;
    // the places parsed with the read, when no edit came since
    if (!m_source && result.places && result.text == m_text)
        m_source = result.places;
    m_lastRead.places.reset(); // (kept once, in m_source)
    // files reached for the first time are edited here from now on
    QStringList found;
    for (const auto &[path, bytes] : result.files) {
        if (fileIndex(path) >= 0)
            continue;
        m_others.push_back({path, bytes, bytes, {}});
        found.append(path);
        if (QFileInfo::exists(path))
            m_watcher.addPath(path);
    }
    if (!found.isEmpty()) {
        Q_EMIT filesChanged();
        // unsaved edits of theirs that a crash left behind are put back
        m_writer.start([this, found] {
            for (const QString &path : found) {
                const std::optional<QByteArray> kept = recoveredText(path);
                if (!kept)
                    continue;
                QMetaObject::invokeMethod(
                    this,
                    [this, path, kept] {
                        const int file = fileIndex(path);
                        if (file <= 0 || *kept == text(file))
                            return;
                        apply(file, TextChange {0, text(file).size(), *kept},
                              tr("Recover %1").arg(QFileInfo(path).fileName()));
                        Q_EMIT otherFileRecovered(path);
                    },
                    Qt::QueuedConnection);
            }
        });
    }
    Q_EMIT modelRead(m_lastRead);
}

QList<DocumentEditor::Write> DocumentEditor::otherWrites() const
{
    QList<Write> writes;
    for (size_t i = 0; i < m_others.size(); ++i)
        if (m_others[i].text != m_others[i].savedText)
            writes.append({int(i) + 1, m_others[i].path, m_others[i].text, {}});
    return writes;
}

QString DocumentEditor::takeWrites(const QList<Write> &writes, const QString &rootPath)
{
    QString error;
    for (const Write &write : writes) {
        if (!write.error.isEmpty()) {
            if (error.isEmpty())
                error = write.error;
            continue;
        }
        if (write.file == 0 && write.path == rootPath) {
            m_savedText = write.text;
            if (rootPath == m_path)
                watch(); // (a Save As watches its new file as the editor moves there)
        } else if (write.file > 0 && filePath(write.file) == write.path) {
            m_others[write.file - 1].savedText = write.text;
        }
    }
    if (allSaved())
        m_undo.setClean();
    else if (isModified())
        m_recoveryTimer.start(); // the edits stay here, and in the recovery files
    return error;
}

bool DocumentEditor::allSaved() const
{
    if (m_text != m_savedText)
        return false;
    return std::all_of(m_others.begin(), m_others.end(),
                       [](const OtherFile &other) { return other.text == other.savedText; });
}

namespace {

// Writes every file of a save; the reasons of those that failed are kept with them.
template<typename Writes>
void writeAll(Writes &writes)
{
    for (auto &write : writes)
        if (writeAtomically(write.path, write.text, &write.error))
            QFile::remove(DocumentEditor::recoveryPath(write.path));
}

} // namespace

bool DocumentEditor::save(QString *error)
{
    return writeTo(m_path, error);
}

bool DocumentEditor::writeTo(const QString &path, QString *error)
{
    QList<Write> writes = otherWrites();
    writes.append({0, path, m_text, {}});
    m_recoveryTimer.stop();
    m_writer.waitForDone();
    writeAll(writes);
    const QString why = takeWrites(writes, path);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        Q_EMIT saveFailed(why);
        return false; // the edits stay here, and in the recovery files
    }
    return true;
}

bool DocumentEditor::saveAs(const QString &path, QString *error)
{
    if (!writeTo(path, error))
        return false;
    moveTo(path);
    return true;
}

void DocumentEditor::moveTo(const QString &path)
{
    const QString previous = std::exchange(m_path, path);
    m_pathKey = DocumentLoader::fileKey(m_path);
    discardRecovery(previous);
    if (m_watcher.files().contains(previous))
        m_watcher.removePath(previous);
    watch();
    Q_EMIT pathChanged(m_path);
    readNow();
}

void DocumentEditor::startSaveAs(const QString &path)
{
    const QString previous = m_path;
    QList<Write> writes = otherWrites();
    writes.append({0, path, m_text, {}});
    m_recoveryTimer.stop();
    ++m_savesPending;
    m_writer.start([this, previous, writes]() mutable {
        writeAll(writes);
        QMetaObject::invokeMethod(
            this, [this, previous, writes] { finishSaveAs(previous, writes); },
            Qt::QueuedConnection);
    });
}

void DocumentEditor::finishSaveAs(const QString &previous, const QList<Write> &writes)
{
    --m_savesPending;
    const Write &root = writes.constLast();
    if (!root.error.isEmpty() || m_path != previous) {
        // the other files written stay so
        takeWrites(writes.mid(0, writes.size() - 1), root.path);
        Q_EMIT saveFailed(root.error.isEmpty()
                              ? tr("%1: saved as another file meanwhile").arg(root.path)
                              : root.error);
        return;
    }
    // the editor moves to the new file once it is written
    const QString error = takeWrites(writes, root.path);
    moveTo(root.path);
    if (!error.isEmpty()) {
        Q_EMIT saveFailed(error);
        return;
    }
    Q_EMIT savedAs(previous, root.path);
}

void DocumentEditor::startSave()
{
    QList<Write> writes = otherWrites();
    writes.append({0, m_path, m_text, {}});
    m_recoveryTimer.stop();
    ++m_savesPending;
    m_writer.start([this, writes]() mutable {
        writeAll(writes);
        QMetaObject::invokeMethod(
            this, [this, writes] { finishSave(writes); }, Qt::QueuedConnection);
    });
}

void DocumentEditor::finishSave(const QList<Write> &writes)
{
    --m_savesPending;
    // (a save to a path the editor has left since is not its saved text)
    const QString error = takeWrites(writes, m_path);
    if (!error.isEmpty()) {
        Q_EMIT saveFailed(error);
        return;
    }
    Q_EMIT saved(writes.constLast().path);
}

void DocumentEditor::reloadFromDisk(const QString &path)
{
    // (a path that is not one of the document's files: the document's own)
    const QString file = fileIndex(path) >= 0 ? path : m_path;
    m_writer.start([this, file] {
        const FileRead read = readDocumentFile(file, MaxFileSize);
        QMetaObject::invokeMethod(
            this,
            [this, file, read] {
                const int index = fileIndex(file);
                if (index < 0)
                    return; // no longer a file of the document (saved as another)
                if (!read.error.isEmpty()) {
                    Q_EMIT reloadFailed(read.error);
                    return;
                }
                applyReload(index, read.data);
            },
            Qt::QueuedConnection);
    });
}

void DocumentEditor::reloadFromDisk()
{
    reloadFromDisk(m_path);
}

QByteArray &DocumentEditor::savedText(int file)
{
    Q_ASSERT(file >= 0 && file < fileCount());
    return file == 0 ? m_savedText : m_others[file - 1].savedText;
}

void DocumentEditor::applyReload(int file, const QByteArray &onDisk)
{
    const QByteArray &now = text(file);
    if (onDisk != now)
        apply(file, TextChange {0, now.size(), onDisk},
              file == 0 ? tr("Reload from disk")
                        : tr("Reload %1 from disk").arg(QFileInfo(filePath(file)).fileName()));
    savedText(file) = onDisk;
    if (allSaved())
        m_undo.setClean();
    if (file == 0)
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

void DocumentEditor::handleFileChanged(const QString &changed)
{
    // A save replaces the file: watch the new one.
    if (QFileInfo::exists(changed) && !m_watcher.files().contains(changed))
        m_watcher.addPath(changed);
    // Read after any save queued before: its end is seen here first.
    m_writer.start([this, changed] {
        const FileRead read = readDocumentFile(changed, MaxFileSize);
        if (!read.error.isEmpty())
            return;
        QMetaObject::invokeMethod(
            this,
            [this, changed, onDisk = read.data] {
                const int file = fileIndex(changed);
                if (file < 0 || isSaving() || onDisk == savedText(file))
                    return; // our own save (or no longer a file of the document)
                // taken as it is now when it has no edits here (for the document's
                // own file: none in any file); otherwise asked about
                if (file == 0 ? !isModified() : !isFileModified(file))
                    applyReload(file, onDisk);
                else
                    Q_EMIT changedOnDisk(changed);
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
    QList<std::pair<QString, QByteArray>> kept {{recoveryPath(m_path), RecoveryMagic + m_text}};
    for (const OtherFile &other : m_others)
        if (other.text != other.savedText)
            kept.append({recoveryPath(other.path), RecoveryMagic + other.text});
    m_writer.start([kept] {
        for (const auto &[path, data] : kept) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            writeAtomically(path, data, nullptr);
        }
    });
}

} // namespace Gatehouse
