// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/sourceeditor.h"

#include "asyncapi/keycatalog.h"
#include "editor/codestyle.h"
#include "editor/documenteditor.h"

#include <Qsci/qscicommand.h>
#include <Qsci/qscicommandset.h>

#include <QAccessible>
#include <QDir>
#include <QFileInfo>
#include <QMouseEvent>
#include <QRegularExpression>

namespace Gatehouse {

namespace {

constexpr int ErrorIndicator = 8;
constexpr int WarningIndicator = 9;
constexpr int ErrorMarker = 0;
constexpr int WarningMarker = 1;
constexpr int KeyList = 1;
constexpr int ReferenceList = 2;

// `$ref: '#/components/...` as far as it is written before the cursor.
const QRegularExpression &referenceBeforeCursor()
{
    static const QRegularExpression re(
        QStringLiteral(R"(["']?\$ref["']?\s*:\s*(["']?)([^"'\s,}]*)$)"));
    return re;
}

// The reference a line names.
const QRegularExpression &referenceOnLine()
{
    static const QRegularExpression re(
        QStringLiteral(R"(["']?\$ref["']?\s*:\s*["']?([^"'\s,}]+))"));
    return re;
}

// A YAML line that starts a mapping member: its indentation and key.
const QRegularExpression &memberLine()
{
    static const QRegularExpression re(QStringLiteral(
        R"(^( *)(?:- +)?("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"{}\[\],:][^:#]*?) *:(?:\s|$))"));
    return re;
}

QString unquoted(QString key)
{
    if (key.size() >= 2 && (key.front() == u'"' || key.front() == u'\'')
        && key.back() == key.front())
        key = key.mid(1, key.size() - 2);
    return key;
}

// The AsyncAPI major version a text says it is written in (2 when it does not say).
int majorVersion(const QByteArray &text)
{
    static const QRegularExpression version(
        QStringLiteral(R"((?m)^\s*["']?asyncapi["']?\s*:\s*['"]?(\d+))"));
    const auto match = version.match(QString::fromUtf8(text.left(4096)));
    return match.hasMatch() ? match.captured(1).toInt() : 2;
}

int indentOf(const QString &line)
{
    int n = 0;
    while (n < line.size() && line[n] == u' ')
        ++n;
    return n;
}

} // namespace

SourceEditor::SourceEditor(QWidget *parent)
    : QsciScintilla(parent)
{
    setUtf8(true);
    setAccessibleName(tr("Document source editor"));
    setAccessibleDescription(tr("The document's YAML or JSON text. Ctrl+Space completes, F12 or "
                                "Ctrl+click follows a $ref, Ctrl+Shift+R renames the component "
                                "at the cursor."));
    setReadOnly(true);
    setWrapMode(WrapNone);
    setIndentationsUseTabs(false);
    setTabWidth(2);
    setIndentationWidth(2);
    setAutoIndent(true);
    setBraceMatching(SloppyBraceMatch);
    setCaretLineVisible(true); // (its colour from the palette: applyCodePalette)
    setEolMode(EolUnix);

    setMarginType(0, NumberMargin);
    setMarginLineNumbers(0, true);
    setMarginType(1, SymbolMargin);
    setMarginWidth(1, 14);
    setMarginSensitivity(1, false);
    markerDefine(Circle, ErrorMarker);
    setMarkerBackgroundColor(QColor(0xd3, 0x2f, 0x2f), ErrorMarker);
    setMarkerForegroundColor(QColor(0xd3, 0x2f, 0x2f), ErrorMarker);
    markerDefine(Circle, WarningMarker);
    setMarkerBackgroundColor(QColor(0xe0, 0x9b, 0x00), WarningMarker);
    setMarkerForegroundColor(QColor(0xe0, 0x9b, 0x00), WarningMarker);
    setFolding(BoxedTreeFoldStyle, 2);

    indicatorDefine(SquiggleLowIndicator, ErrorIndicator);
    setIndicatorForegroundColor(QColor(0xd3, 0x2f, 0x2f), ErrorIndicator);
    indicatorDefine(SquiggleLowIndicator, WarningIndicator);
    setIndicatorForegroundColor(QColor(0xe0, 0x9b, 0x00), WarningIndicator);

    // The document's one history is the window's Undo and Redo (Edit menu): the
    // editor keeps none of its own and leaves those keys to the window.
    SendScintilla(SCI_SETUNDOCOLLECTION, 0UL);
    // A large text is styled a piece at a time while the window is idle, up to its end:
    // going far down later (a jump, an undo) does not style everything before it at once.
    SendScintilla(SCI_SETIDLESTYLING, static_cast<unsigned long>(SC_IDLESTYLING_ALL));
    for (QsciCommand *command : standardCommands()->commands()) {
        for (const QKeyCombination combination :
             {Qt::CTRL | Qt::Key_Z, Qt::CTRL | Qt::Key_Y, Qt::CTRL | Qt::SHIFT | Qt::Key_Z,
              Qt::ALT | Qt::Key_Backspace}) {
            const int key = combination.toCombined();
            if (command->key() == key)
                command->setKey(0);
            if (command->alternateKey() == key)
                command->setAlternateKey(0);
        }
    }
    SendScintilla(SCI_SETMOUSEDWELLTIME, 400UL);

    connect(this, &QsciScintillaBase::SCN_MODIFIED, this,
            [this](int position, int type, const char *text, int length, int, int, int, int, int,
                   int) { handleModified(position, type, text, length); });
    connect(this, &QsciScintillaBase::SCN_DWELLSTART, this,
            [this](int position, int, int) { showDwellTip(position); });
    connect(this, &QsciScintillaBase::SCN_DWELLEND, this,
            [this](int, int, int) { SendScintilla(SCI_CALLTIPCANCEL); });
    connect(this, &QsciScintilla::userListActivated, this, &SourceEditor::insertCompletion);
    connect(this, &QsciScintilla::linesChanged, this, &SourceEditor::updateLineNumberWidth);
    setLanguage(false);
    updateLineNumberWidth();
}

void SourceEditor::changeEvent(QEvent *event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyCodePalette(this);
}

SourceEditor::~SourceEditor()
{
    if (m_editor)
        disconnect(m_editor, nullptr, this, nullptr);
}

long SourceEditor::call(unsigned int message, long wParam, long lParam) const
{
    return SendScintilla(message, static_cast<unsigned long>(wParam), lParam);
}

void SourceEditor::setLanguage(bool json)
{
    m_json = json;
    setCodeSyntax(this, json);
    updateLineNumberWidth();
}

void SourceEditor::updateLineNumberWidth()
{
    setMarginWidth(0, QStringLiteral("0%1").arg(qMax(lines(), 100)));
}

void SourceEditor::setEditor(DocumentEditor *editor)
{
    if (editor && editor == m_editor)
        return;
    if (m_editor)
        disconnect(m_editor, nullptr, this, nullptr);
    m_editor = editor; // (null also when the document went away: it is cleared then)
    m_file = 0;
    m_offsets.clear();
    m_modifiedShown.clear();
    m_diagnostics.clear();
    showText();
    if (!editor) {
        markDiagnostics();
        Q_EMIT filesChanged();
        return;
    }
    connect(editor, &DocumentEditor::textChanged, this, &SourceEditor::applyChange);
    connect(editor, &DocumentEditor::filesChanged, this, &SourceEditor::filesChanged);
    // a file's tab shows whether it has unsaved changes
    connect(editor, &DocumentEditor::textChanged, this, &SourceEditor::checkModifiedFiles);
    connect(editor, &DocumentEditor::modificationChanged, this, &SourceEditor::checkModifiedFiles);
    connect(editor, &DocumentEditor::saved, this, &SourceEditor::checkModifiedFiles);
    connect(editor, &DocumentEditor::modelRead, this, &SourceEditor::showDiagnostics);
    connect(editor, &QObject::destroyed, this, [this] { setEditor(nullptr); });
    showDiagnostics(editor->lastRead());
    Q_EMIT filesChanged();
}

void SourceEditor::setFile(int file)
{
    if (!m_editor || file == m_file || file < 0 || file >= m_editor->fileCount())
        return;
    m_offsets.insert(m_file, currentOffset());
    m_file = file;
    showText();
    setCurrentOffset(m_offsets.value(file));
    call(SCI_SCROLLCARET);
    showDiagnostics(m_editor->lastRead());
    Q_EMIT fileChanged(file);
}

void SourceEditor::checkModifiedFiles()
{
    QSet<int> modified;
    for (int file = 1; m_editor && file < m_editor->fileCount(); ++file)
        if (m_editor->isFileModified(file))
            modified.insert(file);
    if (modified == m_modifiedShown)
        return;
    m_modifiedShown = modified;
    Q_EMIT filesChanged();
}

void SourceEditor::showText()
{
    const QByteArray text = m_editor ? m_editor->text(m_file) : QByteArray();
    m_applying = true;
    setReadOnly(false);
    // (told to assistive technology below, as a change from the document is)
    const QString before = QAccessible::isActive() ? QString::fromUtf8(bytes()) : QString();
    const long mask = quietTextChanges();
    call(SCI_CLEARALL);
    if (m_editor) {
        // The language first, on the empty text: a new lexer styles the whole text at
        // once, while a text added under one is styled as it is shown.
        const QString suffix = QFileInfo(m_editor->filePath(m_file)).suffix().toLower();
        const QByteArray start = text.trimmed().left(1);
        const bool json = suffix == u"json" || start == "{" || start == "[";
        if (json != m_json)
            setLanguage(json);
    }
    if (!text.isEmpty())
        SendScintilla(SCI_APPENDTEXT, static_cast<uintptr_t>(text.size()), text.constData());
    call(SCI_SETMODEVENTMASK, mask);
    call(SCI_EMPTYUNDOBUFFER);
    call(SCI_GOTOPOS, 0);
    m_applying = false;
    setReadOnly(!m_editor);
    updateLineNumberWidth();
    Q_EMIT textChanged();
    if (QAccessible::isActive()) {
        QAccessibleTextUpdateEvent event(this, 0, before, QString::fromUtf8(text));
        QAccessible::updateAccessibility(&event);
    }
}

long SourceEditor::quietTextChanges()
{
    // QScintilla tells assistive technology of every change with the character offset
    // where it happened, which it counts from the start of the text one character at a
    // time: 7 to 15 ms for an undo at the end of a 2 MB document. A change coming from
    // the document goes past it; the change is told to assistive technology here, its
    // offset counted over the bytes at once. (Scintilla reports a change when any of
    // its flags is in the mask, the ones that say who made it too.)
    const long mask = call(SCI_GETMODEVENTMASK);
    call(SCI_SETMODEVENTMASK,
         mask
             & ~long(SC_MOD_INSERTTEXT | SC_MOD_DELETETEXT | SC_MOD_BEFOREINSERT
                     | SC_MOD_BEFOREDELETE | SC_MOD_INSERTCHECK | SC_PERFORMED_USER
                     | SC_PERFORMED_UNDO | SC_PERFORMED_REDO | SC_MULTISTEPUNDOREDO
                     | SC_LASTSTEPINUNDOREDO | SC_MULTILINEUNDOREDO | SC_STARTACTION));
    return mask;
}

int SourceEditor::characterOffset(const QByteArray &text, qsizetype bytes)
{
    // the bytes that start a UTF-8 sequence (a loop the compiler vectorizes: well under
    // a millisecond for 2 MB)
    const char *data = text.constData();
    const qsizetype end = qBound(qsizetype(0), bytes, text.size());
    int characters = 0;
    for (qsizetype i = 0; i < end; ++i)
        characters += (static_cast<unsigned char>(data[i]) & 0xC0) != 0x80;
    return characters;
}

QByteArray SourceEditor::bytes() const
{
    const long length = call(SCI_GETLENGTH);
    const auto *data = static_cast<const char *>(SendScintillaPtrResult(SCI_GETCHARACTERPOINTER));
    return data ? QByteArray(data, length) : QByteArray();
}

void SourceEditor::handleModified(int position, int type, const char *text, int length)
{
    if (m_applying || !m_editor)
        return;
    TextChange change;
    change.offset = position;
    if (type & SC_MOD_INSERTTEXT) {
        change.text = QByteArray(text, length);
    } else if (type & SC_MOD_DELETETEXT) {
        change.length = length;
    } else {
        return;
    }
    m_typing = true;
    m_editor->applyTyping(m_file, change);
    m_typing = false;
}

void SourceEditor::applyChange(int file, const TextChange &change)
{
    if (m_typing || file != m_file)
        return;
    m_applying = true;
    const bool readOnly = isReadOnly();
    setReadOnly(false);
    // (see quietTextChanges(); with no assistive technology listening, nothing is told)
    const bool told = QAccessible::isActive();
    const QString removed = told && change.length > 0
        ? QString::fromUtf8(reinterpret_cast<const char *>(SendScintilla(
                                SCI_GETRANGEPOINTER, long(change.offset), long(change.length))),
                            qsizetype(change.length))
        : QString();
    const long lines = call(SCI_GETLINECOUNT);
    const long mask = quietTextChanges();
    call(SCI_SETTARGETRANGE, long(change.offset), long(change.offset + change.length));
    SendScintilla(SCI_REPLACETARGET, static_cast<uintptr_t>(change.text.size()),
                  change.text.constData());
    call(SCI_SETMODEVENTMASK, mask);
    setReadOnly(readOnly);
    m_applying = false;
    if (call(SCI_GETLINECOUNT) != lines)
        Q_EMIT linesChanged();
    Q_EMIT textChanged();
    if (told)
        tellAssistiveTechnology(change, removed);
    // With the focus here, the change is an undo or redo the user asked for here:
    // the cursor goes to it. Otherwise (a form edit) the cursor stays where it was.
    if (hasFocus()) {
        setCurrentOffset(int(change.offset + change.text.size()));
        call(SCI_SCROLLCARET);
    }
}

void SourceEditor::tellAssistiveTechnology(const TextChange &change, const QString &removed)
{
    const int offset = characterOffset(m_editor->text(m_file), qsizetype(change.offset));
    const QString inserted = QString::fromUtf8(change.text);
    if (removed.isEmpty() && inserted.isEmpty())
        return;
    if (removed.isEmpty()) {
        QAccessibleTextInsertEvent event(this, offset, inserted);
        QAccessible::updateAccessibility(&event);
    } else if (inserted.isEmpty()) {
        QAccessibleTextRemoveEvent event(this, offset, removed);
        QAccessible::updateAccessibility(&event);
    } else {
        QAccessibleTextUpdateEvent event(this, offset, removed, inserted);
        QAccessible::updateAccessibility(&event);
    }
}

void SourceEditor::showDiagnostics(const LoadedApi &result)
{
    m_diagnostics.clear();
    if (m_editor) {
        // a problem names its file relative to the document's folder
        const QDir folder = QFileInfo(m_editor->path()).absoluteDir();
        const QString self = QFileInfo(m_editor->filePath(m_file)).absoluteFilePath();
        for (const Diagnostic &d : result.diagnostics)
            if (d.location.line > 0
                && ((d.location.file.isEmpty() && m_file == 0)
                    || QFileInfo(d.location.file).absoluteFilePath() == self
                    || QFileInfo(folder, d.location.file).absoluteFilePath() == self))
                m_diagnostics.append(d);
    }
    markDiagnostics();
}

void SourceEditor::markDiagnostics()
{
    const long length = call(SCI_GETLENGTH);
    for (const int indicator : {ErrorIndicator, WarningIndicator}) {
        call(SCI_SETINDICATORCURRENT, indicator);
        call(SCI_INDICATORCLEARRANGE, 0, length);
    }
    markerDeleteAll();
    const int lineCount = lines();
    for (qsizetype i = 0; i < m_diagnostics.size(); ++i) {
        const Diagnostic &d = m_diagnostics[i];
        const int line = qBound(0, d.location.line - 1, qMax(0, lineCount - 1));
        const long lineStart = call(SCI_POSITIONFROMLINE, line);
        long lineEnd = call(SCI_GETLINEENDPOSITION, line);
        // up to the end of the line's text, trailing blanks and comments aside
        const QByteArray text = bytes().mid(lineStart, lineEnd - lineStart);
        qsizetype visible = text.size();
        while (visible > 0 && (text[visible - 1] == ' ' || text[visible - 1] == '\t'))
            --visible;
        lineEnd = lineStart + visible;
        long start = d.location.column > 0
            ? call(SCI_POSITIONRELATIVE, lineStart, d.location.column - 1)
            : lineStart;
        if (start <= 0 && d.location.column > 1)
            start = lineStart;
        if (start >= lineEnd) // past the text: mark its last character
            start = qMax(lineStart, lineEnd - 1);
        const bool error = d.severity == Diagnostic::Severity::Error;
        if (lineEnd > start) {
            call(SCI_SETINDICATORCURRENT, error ? ErrorIndicator : WarningIndicator);
            call(SCI_SETINDICATORVALUE, long(i + 1));
            call(SCI_INDICATORFILLRANGE, start, lineEnd - start);
        }
        markerAdd(line, error ? ErrorMarker : WarningMarker);
    }
}

QString SourceEditor::diagnosticAt(int offset) const
{
    for (const int indicator : {ErrorIndicator, WarningIndicator}) {
        const long value = call(SCI_INDICATORVALUEAT, indicator, offset);
        if (call(SCI_INDICATORALLONFOR, offset) & (1L << indicator) && value > 0
            && value <= m_diagnostics.size())
            return m_diagnostics[value - 1].message;
    }
    return {};
}

void SourceEditor::showDwellTip(int position)
{
    if (position < 0)
        return;
    QString tip = diagnosticAt(position);
    // keys are described where the document's own file says them
    if (tip.isEmpty() && m_editor && !m_json && m_file == 0) {
        // a key's meaning, when the mouse rests on a key
        const SourceText &source = m_editor->source(m_file);
        const QString pointer = source.pointerAt(position);
        const qsizetype start = source.nodeStart(pointer);
        const auto value = source.valueSpan(pointer);
        if (!pointer.isEmpty() && start >= 0 && start <= position
            && (position < value.first || value.first == start)) {
            tip = KeyCatalog::describe(pointer, majorVersion(m_editor->text()));
        }
    }
    if (tip.isEmpty())
        return;
    const QByteArray utf8 = tip.toUtf8();
    SendScintilla(SCI_CALLTIPSHOW, static_cast<uintptr_t>(position), utf8.constData());
}

int SourceEditor::currentOffset() const
{
    return int(call(SCI_GETCURRENTPOS));
}

void SourceEditor::setCurrentOffset(int offset)
{
    call(SCI_GOTOPOS, qBound(0L, long(offset), call(SCI_GETLENGTH)));
}

int SourceEditor::currentLine() const
{
    int line = 0;
    int index = 0;
    getCursorPosition(&line, &index);
    return line + 1;
}

int SourceEditor::currentColumn() const
{
    const long position = call(SCI_GETCURRENTPOS);
    const long lineStart = call(SCI_POSITIONFROMLINE, call(SCI_LINEFROMPOSITION, position));
    return int(call(SCI_COUNTCHARACTERS, lineStart, position)) + 1;
}

void SourceEditor::goTo(int line, int column)
{
    const int lineIndex = qBound(0, line - 1, qMax(0, lines() - 1));
    const long lineStart = call(SCI_POSITIONFROMLINE, lineIndex);
    const long lineEnd = call(SCI_GETLINEENDPOSITION, lineIndex);
    long position = column > 1 ? call(SCI_POSITIONRELATIVE, lineStart, column - 1) : lineStart;
    if (position <= 0 && column > 1)
        position = lineEnd;
    position = qBound(lineStart, position, lineEnd);
    call(SCI_GOTOPOS, position);
    ensureLineVisible(lineIndex);
    call(SCI_SCROLLCARET);
}

bool SourceEditor::goToPointer(const QString &pointer)
{
    if (!m_editor)
        return false;
    const qsizetype start = m_editor->source(m_file).nodeStart(pointer);
    if (start < 0)
        return false;
    setCurrentOffset(int(start));
    ensureLineVisible(int(call(SCI_LINEFROMPOSITION, long(start))));
    call(SCI_SCROLLCARET);
    return true;
}

QByteArray SourceEditor::lineBefore(int offset) const
{
    const long lineStart = call(SCI_POSITIONFROMLINE, call(SCI_LINEFROMPOSITION, offset));
    return bytes().mid(lineStart, offset - lineStart);
}

QString SourceEditor::referenceAt(int offset) const
{
    const long line = call(SCI_LINEFROMPOSITION, offset);
    const long lineStart = call(SCI_POSITIONFROMLINE, line);
    const long lineEnd = call(SCI_GETLINEENDPOSITION, line);
    const QString text = QString::fromUtf8(bytes().mid(lineStart, lineEnd - lineStart));
    const auto match = referenceOnLine().match(text);
    return match.hasMatch() ? match.captured(1) : QString();
}

QString SourceEditor::componentAt(int offset) const
{
    if (!m_editor)
        return QString();
    if (m_file != 0) {
        // another file of the document: what it defines are its top-level members
        QStringList tokens;
        SourceText::splitPointer(m_editor->source(m_file).pointerAt(offset), &tokens);
        return tokens.isEmpty() ? QString() : SourceText::joinPointer(tokens.mid(0, 1));
    }
    const QString reference = referenceAt(offset);
    if (reference.startsWith(u"#/")) {
        const QString named = DocumentEditor::componentOf(reference.mid(1));
        if (!named.isEmpty())
            return named;
    }
    return DocumentEditor::componentOf(m_editor->source(m_file).pointerAt(offset));
}

bool SourceEditor::followReference(int offset)
{
    const QString reference = referenceAt(offset);
    if (reference.isEmpty() || !m_editor)
        return false;
    const qsizetype hash = reference.indexOf(u'#');
    const QString file = hash < 0 ? reference : reference.left(hash);
    const QString pointer = hash < 0 ? QString() : reference.mid(hash + 1);
    if (file.isEmpty())
        return goToPointer(pointer);
    const QString path
        = QDir::cleanPath(QFileInfo(m_editor->filePath(m_file)).dir().absoluteFilePath(file));
    // a file of the document is edited here
    if (const int other = m_editor->fileIndex(path); other >= 0) {
        setFile(other);
        if (!pointer.isEmpty())
            goToPointer(pointer);
        return true;
    }
    Q_EMIT referenceActivated(path, pointer);
    return true;
}

void SourceEditor::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && event->modifiers() == Qt::ControlModifier) {
        const QPoint at = event->position().toPoint();
        const long position = call(SCI_POSITIONFROMPOINTCLOSE, at.x(), at.y());
        if (position >= 0 && !referenceAt(int(position)).isEmpty()) {
            followReference(int(position));
            event->accept();
            return;
        }
    }
    QsciScintilla::mousePressEvent(event);
}

QStringList SourceEditor::completionsAt(int offset) const
{
    if (!m_editor)
        return {};
    const QString before = QString::fromUtf8(lineBefore(offset));
    QStringList out;

    // After `$ref:`, the places of this document a reference can name.
    if (const auto match = referenceBeforeCursor().match(before); match.hasMatch()) {
        const QString typed = match.captured(2);
        for (const QString &pointer : m_editor->source(m_file).pointers()) {
            QStringList tokens;
            if (!SourceText::splitPointer(pointer, &tokens))
                continue;
            const bool component = tokens.size() == 3 && tokens[0] == u"components";
            const bool channel = tokens.size() == 2 && tokens[0] == u"channels";
            const bool channelMessage
                = tokens.size() == 4 && tokens[0] == u"channels" && tokens[2] == u"messages";
            if (!component && !channel && !channelMessage)
                continue;
            const QString reference = u'#' + pointer;
            if (reference.startsWith(typed))
                out.append(reference);
        }
        return out;
    }
    if (m_json || m_file != 0)
        return {}; // (another file's keys are not the document's)

    // A key: the mapping it goes in is the nearest line above that is less indented.
    const qsizetype wordStart = [&] {
        qsizetype i = before.size();
        while (i > 0
               && (before[i - 1].isLetterOrNumber() || before[i - 1] == u'-'
                   || before[i - 1] == u'_' || before[i - 1] == u'$'))
            --i;
        return i;
    }();
    const QString head = before.left(wordStart);
    if (!head.trimmed().isEmpty() && head.trimmed() != u"-")
        return {}; // not where a key goes
    const QString typed = before.mid(wordStart);
    const int indent = indentOf(head);
    const int line = int(call(SCI_LINEFROMPOSITION, offset));
    QStringList path; // keys from the root down to the mapping
    QStringList siblings;
    int limit = indent;
    for (int l = line - 1; l >= 0 && limit > 0; --l) {
        const long start = call(SCI_POSITIONFROMLINE, l);
        const QString text
            = QString::fromUtf8(bytes().mid(start, call(SCI_GETLINEENDPOSITION, l) - start));
        if (text.trimmed().isEmpty() || text.trimmed().startsWith(u'#'))
            continue;
        const auto member = memberLine().match(text);
        const int at = member.hasMatch() ? member.capturedLength(1) : indentOf(text);
        if (at == indent && path.isEmpty() && member.hasMatch())
            siblings.append(unquoted(member.captured(2).trimmed()));
        if (at >= limit)
            continue;
        if (!member.hasMatch())
            return {}; // inside a block scalar or a flow collection
        path.prepend(unquoted(member.captured(2).trimmed()));
        limit = at;
    }
    if (indent == 0) {
        for (int l = 0; l < lines(); ++l) {
            if (l == line)
                continue;
            const long start = call(SCI_POSITIONFROMLINE, l);
            const QString text
                = QString::fromUtf8(bytes().mid(start, call(SCI_GETLINEENDPOSITION, l) - start));
            const auto member = memberLine().match(text);
            if (member.hasMatch() && member.capturedLength(1) == 0)
                siblings.append(unquoted(member.captured(2).trimmed()));
        }
    }
    const QString pointer = SourceText::joinPointer(path);
    for (const KeyCatalog::Key &key : KeyCatalog::keysAt(pointer, majorVersion(m_editor->text())))
        if (key.name.startsWith(typed, Qt::CaseInsensitive) && !siblings.contains(key.name))
            out.append(key.name);
    return out;
}

void SourceEditor::complete()
{
    const int offset = currentOffset();
    const QStringList items = completionsAt(offset);
    if (items.isEmpty())
        return;
    const QString before = QString::fromUtf8(lineBefore(offset));
    const long lineStart = offset - lineBefore(offset).size();
    if (const auto match = referenceBeforeCursor().match(before); match.hasMatch()) {
        m_completingReference = true;
        m_completionStart = int(lineStart + before.left(match.capturedStart(1)).toUtf8().size());
    } else {
        qsizetype i = before.size();
        while (i > 0
               && (before[i - 1].isLetterOrNumber() || before[i - 1] == u'-'
                   || before[i - 1] == u'_' || before[i - 1] == u'$'))
            --i;
        m_completingReference = false;
        m_completionStart = int(lineStart + before.left(i).toUtf8().size());
    }
    showUserList(m_completingReference ? ReferenceList : KeyList, items);
}

void SourceEditor::insertCompletion(int id, const QString &text)
{
    if (!m_editor || m_completionStart < 0)
        return;
    const int end = currentOffset();
    // a reference is quoted (an unquoted # starts a YAML comment); a key gets its colon
    const QChar quote = m_json ? u'"' : u'\'';
    const QString inserted = id == ReferenceList ? QString(quote + text + quote)
                                                 : QString(text + QStringLiteral(": "));
    int replaceEnd = end;
    if (id == ReferenceList) {
        // the rest of a reference already written after the cursor goes too
        const QByteArray all = bytes();
        while (replaceEnd < all.size() && !QByteArrayView("\"' \t\r\n,}").contains(all[replaceEnd]))
            ++replaceEnd;
        if (replaceEnd < all.size() && (all[replaceEnd] == '\'' || all[replaceEnd] == '"'))
            ++replaceEnd;
    }
    m_editor->undoStack()->beginMacro(tr("Complete %1").arg(text));
    call(SCI_SETTARGETRANGE, m_completionStart, replaceEnd);
    const QByteArray utf8 = inserted.toUtf8();
    SendScintilla(SCI_REPLACETARGET, static_cast<uintptr_t>(utf8.size()), utf8.constData());
    m_editor->undoStack()->endMacro();
    setCurrentOffset(m_completionStart + int(utf8.size()));
    m_completionStart = -1;
}

} // namespace Gatehouse
