// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace Gatehouse {

// A change to a text: the bytes [offset, offset + length) become `text`.
struct TextChange
{
    qsizetype offset = 0;
    qsizetype length = 0;
    QByteArray text;

    QByteArray appliedTo(const QByteArray &source) const;
    // The change that takes the changed text back to `source`.
    TextChange inverse(const QByteArray &source) const;
    friend bool operator==(const TextChange &, const TextChange &) = default;
};

// The text of one YAML or JSON file with the place of every node in it, so that a
// value can be changed by changing only the bytes that say it. Comments, key order,
// quoting, blank lines and indentation everywhere else stay as they were: what a
// form edit must do to a file the user wrote by hand.
//
// Nodes are named by JSON Pointer ("" is the root, "/channels/~1rooms" a member).
// Each edit returns one TextChange (positions are byte offsets in the UTF-8 text)
// or nothing with the reason in `error`. Values reached through YAML anchors,
// aliases or merge keys are not edited here (an edit there would change every
// place that shares them): the reason says so.
class SourceText final
{
public:
    explicit SourceText(QByteArray text);

    bool ok() const { return m_error.isEmpty(); }
    // Why the text could not be read ("line 3, column 5: ...").
    QString error() const { return m_error; }
    const QByteArray &text() const { return m_text; }
    bool isJson() const { return m_json; }
    // The indentation of one nesting level in this text (2 when it cannot tell).
    int indentStep() const { return m_step; }

    bool contains(const QString &pointer) const { return m_byPointer.contains(pointer); }
    // Every node's pointer, in text order.
    QStringList pointers() const;
    // The bytes that say the node's value, or {-1, -1} when there is no such node.
    std::pair<qsizetype, qsizetype> valueSpan(const QString &pointer) const;
    // The member names of a mapping in text order (empty for anything else).
    QStringList keys(const QString &pointer) const;
    // Where a node begins in the text: its key for a mapping member, else its value
    // (-1 when there is no such node). What "go to" a node moves to.
    qsizetype nodeStart(const QString &pointer) const;
    // The innermost node whose key or value holds the byte at `offset` ("" for the
    // root, or when the offset is outside every node).
    QString pointerAt(qsizetype offset) const;

    // Makes the node at `pointer` say `value`, adding it (and any missing parents)
    // when it is not there. "/list/-" appends to a sequence.
    std::optional<TextChange> set(const QString &pointer, const Json &value,
                                  QString *error = nullptr) const;
    // Removes a mapping member or a sequence item, with its line(s) and the comment
    // lines directly above it.
    std::optional<TextChange> remove(const QString &pointer, QString *error = nullptr) const;
    // Gives a mapping member another name where it stands.
    std::optional<TextChange> renameKey(const QString &pointer, const QString &newKey,
                                        QString *error = nullptr) const;
    // Moves a mapping member or a sequence item to position `index` among its
    // siblings (counted before the move), keeping its text and comments.
    std::optional<TextChange> move(const QString &pointer, int index,
                                   QString *error = nullptr) const;

    // The text that says a node's value, as a fragment of its own: its lines moved
    // left so that the node starts at column 0, comments inside it kept, in "\n"
    // line endings. Empty when there is no such node. What a text field that edits
    // one subtree (a message's payload schema) shows.
    QByteArray fragment(const QString &pointer) const;
    // Makes the node say `fragment` (YAML or JSON text such as fragment() gives).
    // A block mapping or sequence of a YAML text takes the fragment's lines as they
    // are, indented to where the node stands, so the layout and comments the user
    // typed are kept; any other node is written as set() writes the fragment's value.
    // Fails, the text unchanged, when the fragment is not valid YAML or JSON (the
    // reason with the fragment's line and column).
    std::optional<TextChange> setFragment(const QString &pointer, const QByteArray &fragment,
                                          QString *error = nullptr) const;
    // The value a fragment says, or nothing with the reason ("line 2, column 3: ...").
    static std::optional<Json> parseFragment(const QByteArray &fragment, QString *error = nullptr);

    // Splits a JSON Pointer into its unescaped tokens; false when it is malformed.
    static bool splitPointer(const QString &pointer, QStringList *tokens);
    static QString joinPointer(const QStringList &tokens);

private:
    enum class Kind { Scalar, Null, Map, Seq, Alias };

    struct Node
    {
        QString pointer;
        int parent = -1;
        Kind kind = Kind::Scalar;
        bool flow = false; // a flow collection ({...} or [...])
        bool inFlow = false; // inside a flow collection
        bool shared = false; // anchored, an alias, under either, or under a merge key
        char style = 0; // scalars: 0 plain, '\'', '"', '|', '>'
        std::string key; // mapping members
        qsizetype keyStart = -1;
        qsizetype keyEnd = -1;
        qsizetype indicatorEnd = -1; // just after the ':' of a member or '-' of an item
        qsizetype start = 0;
        qsizetype end = 0;
        bool empty = false; // "key:" with no value written
        std::vector<int> children;
    };
    class Builder;

    void finish();
    qsizetype scalarEnd(const Node &node, qsizetype start) const;
    qsizetype plainEnd(const Node &node, qsizetype start) const;
    qsizetype quotedEnd(qsizetype start) const;
    qsizetype blockScalarEnd(const Node &node, qsizetype start) const;
    qsizetype flowEnd(qsizetype start) const;
    qsizetype nextMark(qsizetype after) const;
    qsizetype lineStart(qsizetype pos) const;
    qsizetype lineEndAfterNewline(qsizetype pos) const;
    int column(qsizetype pos) const;
    int ownerColumn(const Node &node) const; // column of a member's key or an item's dash
    qsizetype entryStart(const Node &node) const; // with comment lines above
    qsizetype entryEnd(const Node &node) const;
    qsizetype blockStart(const Node &node) const; // with comment lines above, for fragments

    const Node *find(const QString &pointer) const;
    std::optional<TextChange> setRaw(const QString &pointer, const Json &value,
                                     QString *error) const;
    std::optional<TextChange> removeRaw(const QString &pointer, QString *error) const;
    std::optional<TextChange> renameKeyRaw(const QString &pointer, const QString &newKey,
                                           QString *error) const;
    std::optional<TextChange> moveRaw(const QString &pointer, int index, QString *error) const;
    // In the text's line endings and no larger than it must be.
    std::optional<TextChange> finished(std::optional<TextChange> change) const;
    std::string keyText(const std::string &key, const Node *like) const;
    std::string flowValue(const Json &value, int indent) const;
    std::optional<TextChange> replaceValue(const Node &node, const Json &value,
                                           QString *error) const;
    std::optional<TextChange> addChild(const Node &parent, const QString &token, const Json &value,
                                       QString *error) const;

    QByteArray m_text;
    QString m_error;
    bool m_json = false;
    bool m_crlf = false;
    int m_step = 2;
    std::vector<Node> m_nodes;
    QHash<QString, int> m_byPointer;
    std::vector<qsizetype> m_marks; // every token position yaml-cpp reported, sorted
};

} // namespace Gatehouse
