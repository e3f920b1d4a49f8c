// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/sourcetext.h"

#include "asyncapi/documentloader.h"
#include "asyncapi/yamlemitter.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <sstream>
#include <utility>

namespace Gatehouse {

namespace {

constexpr int MaxDepth = 512;

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isNullWord(const QByteArray &text, qsizetype pos)
{
    for (const char *word : {"null", "Null", "NULL", "~"}) {
        const qsizetype len = static_cast<qsizetype>(qstrlen(word));
        if (text.mid(pos, len) != word)
            continue;
        const qsizetype after = pos + len;
        if (after >= text.size() || isSpace(text.at(after)) || text.at(after) == ','
            || text.at(after) == ']' || text.at(after) == '}' || text.at(after) == '#')
            return true;
    }
    return false;
}

std::string spaces(int n)
{
    return std::string(static_cast<size_t>(std::max(n, 0)), ' ');
}

std::string withoutTrailingNewline(std::string s)
{
    if (!s.empty() && s.back() == '\n')
        s.pop_back();
    return s;
}

// Keeps only the bytes that differ, so that a change (and its undo) touches no more
// than it must.
TextChange minimal(const QByteArray &source, TextChange change)
{
    const QByteArray old = source.mid(change.offset, change.length);
    qsizetype prefix = 0;
    const qsizetype most = std::min(old.size(), change.text.size());
    while (prefix < most && old.at(prefix) == change.text.at(prefix))
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < most - prefix
           && old.at(old.size() - 1 - suffix) == change.text.at(change.text.size() - 1 - suffix))
        ++suffix;
    change.offset += prefix;
    change.length = old.size() - prefix - suffix;
    change.text = change.text.mid(prefix, change.text.size() - prefix - suffix);
    return change;
}

struct ParseError
{
    int line;
    int column;
    QString message;
};

} // namespace

QByteArray TextChange::appliedTo(const QByteArray &source) const
{
    QByteArray out = source;
    out.replace(offset, length, text);
    return out;
}

TextChange TextChange::inverse(const QByteArray &source) const
{
    return TextChange {offset, text.size(), source.mid(offset, length)};
}

// Records the nodes from yaml-cpp's parse events.
class SourceText::Builder final : public YAML::EventHandler
{
public:
    Builder(SourceText *text, qsizetype base)
        : m_text(text)
        , m_base(base)
    { }

    void OnDocumentStart(const YAML::Mark &) override { }
    void OnDocumentEnd() override { }

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        if (takeKey(mark, std::string(), anchor != 0))
            return;
        add(mark, Kind::Null, anchor != 0, false);
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override
    {
        if (takeKey(mark, std::string(), true))
            return;
        add(mark, Kind::Alias, true, false);
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        if (takeKey(mark, value, anchor != 0)) {
            if (value == "<<" && (tag == "?" || tag.empty()))
                m_stack.back().merge = true;
            return;
        }
        add(mark, Kind::Scalar, anchor != 0, false);
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override
    {
        push(add(mark, Kind::Seq, anchor != 0, style == YAML::EmitterStyle::Flow), false);
    }
    void OnSequenceEnd() override { m_stack.pop_back(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override
    {
        push(add(mark, Kind::Map, anchor != 0, style == YAML::EmitterStyle::Flow), true);
    }
    void OnMapEnd() override { m_stack.pop_back(); }

private:
    struct Frame
    {
        int node;
        bool isMap;
        bool haveKey = false;
        bool merge = false;
        bool sharedKey = false;
        std::string key;
        qsizetype keyStart = -1;
    };

    qsizetype pos(const YAML::Mark &mark)
    {
        const qsizetype p = m_base + mark.pos;
        m_text->m_marks.push_back(p);
        return p;
    }

    bool takeKey(const YAML::Mark &mark, const std::string &key, bool shared)
    {
        if (m_stack.empty() || !m_stack.back().isMap || m_stack.back().haveKey)
            return false;
        Frame &f = m_stack.back();
        f.haveKey = true;
        f.key = key;
        f.keyStart = pos(mark);
        f.sharedKey = shared;
        f.merge = false;
        return true;
    }

    int add(const YAML::Mark &mark, Kind kind, bool anchored, bool flow)
    {
        if (!m_stack.empty() && m_stack.back().isMap && !m_stack.back().haveKey)
            throw ParseError {mark.line + 1, mark.column + 1,
                              QStringLiteral("mapping keys must be plain strings")};
        Node node;
        node.kind = kind;
        node.flow = flow;
        node.start = pos(mark);
        node.end = node.start;
        node.shared = anchored || kind == Kind::Alias;
        if (!m_stack.empty()) {
            Frame &f = m_stack.back();
            Node &parent = m_text->m_nodes[static_cast<size_t>(f.node)];
            node.parent = f.node;
            node.inFlow = parent.flow || parent.inFlow;
            node.shared = node.shared || parent.shared;
            if (f.isMap) {
                node.key = f.key;
                node.keyStart = f.keyStart;
                node.shared = node.shared || f.merge || f.sharedKey;
                node.pointer = parent.pointer + u'/'
                    + DocumentLoader::escapePointerToken(QString::fromStdString(f.key));
                f.haveKey = false;
            } else {
                node.pointer = parent.pointer + u'/' + QString::number(parent.children.size());
            }
        }
        if (kind == Kind::Scalar) {
            const char c = node.start < m_text->m_text.size() ? m_text->m_text.at(node.start) : 0;
            if (c == '\'' || c == '"' || c == '|' || c == '>')
                node.style = c;
        }
        const int index = static_cast<int>(m_text->m_nodes.size());
        if (node.parent >= 0)
            m_text->m_nodes[static_cast<size_t>(node.parent)].children.push_back(index);
        if (!m_text->m_byPointer.contains(node.pointer))
            m_text->m_byPointer.insert(node.pointer, index);
        m_text->m_nodes.push_back(std::move(node));
        return index;
    }

    void push(int node, bool isMap)
    {
        if (static_cast<int>(m_stack.size()) >= MaxDepth)
            throw ParseError {0, 0, QStringLiteral("nesting deeper than %1 levels").arg(MaxDepth)};
        m_stack.push_back(Frame {node, isMap});
    }

    SourceText *m_text;
    qsizetype m_base;
    std::vector<Frame> m_stack;
};

SourceText::SourceText(QByteArray text)
    : m_text(std::move(text))
{
    const qsizetype base = m_text.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    for (qsizetype i = base; i < m_text.size(); ++i) {
        if (isSpace(m_text.at(i)))
            continue;
        m_json = m_text.at(i) == '{' || m_text.at(i) == '[';
        break;
    }
    m_crlf = m_text.contains("\r\n");
    try {
        std::istringstream in(
            std::string(m_text.constData() + base, static_cast<size_t>(m_text.size() - base)));
        YAML::Parser parser(in);
        Builder builder(this, base);
        parser.HandleNextDocument(builder);
        if (m_nodes.empty())
            m_error = QStringLiteral("the document is empty");
    } catch (const ParseError &e) {
        m_error = QStringLiteral("line %1, column %2: %3").arg(e.line).arg(e.column).arg(e.message);
    } catch (const YAML::Exception &e) {
        m_error = QStringLiteral("line %1, column %2: %3")
                      .arg(e.mark.line + 1)
                      .arg(e.mark.column + 1)
                      .arg(QString::fromStdString(e.msg));
    }
    if (!m_error.isEmpty()) {
        m_nodes.clear();
        m_byPointer.clear();
        return;
    }
    finish();
}

void SourceText::finish()
{
    std::sort(m_marks.begin(), m_marks.end());
    const qsizetype n = m_text.size();

    // Keys, dashes and empty values, in text order.
    for (Node &node : m_nodes) {
        if (node.parent < 0)
            continue;
        const Node &parent = m_nodes[static_cast<size_t>(node.parent)];
        if (parent.kind == Kind::Map) {
            const char q = node.keyStart < n ? m_text.at(node.keyStart) : 0;
            qsizetype keyEnd = node.keyStart;
            if (q == '"' || q == '\'') {
                keyEnd = quotedEnd(node.keyStart);
            } else {
                while (keyEnd < n && m_text.at(keyEnd) != '\n') {
                    const char c = m_text.at(keyEnd);
                    const char next = keyEnd + 1 < n ? m_text.at(keyEnd + 1) : '\n';
                    if (c == ':'
                        && (isSpace(next)
                            || (node.inFlow
                                && (next == ',' || next == '}' || next == ']' || next == '{'
                                    || next == '['))))
                        break;
                    if (node.inFlow && (c == ',' || c == '}'))
                        break;
                    ++keyEnd;
                }
                while (keyEnd > node.keyStart && isBlank(m_text.at(keyEnd - 1)))
                    --keyEnd;
            }
            node.keyEnd = keyEnd;
            qsizetype colon = keyEnd;
            while (colon < n && isBlank(m_text.at(colon)))
                ++colon;
            if (colon < n && m_text.at(colon) == ':')
                node.indicatorEnd = colon + 1;
            else
                node.shared = true; // "? key" or another form not edited in place
        } else if (parent.kind == Kind::Seq && !parent.flow) {
            qsizetype dash = node.start - 1;
            while (dash >= 0 && isSpace(m_text.at(dash)))
                --dash;
            if (node.kind != Kind::Null && dash >= 0 && m_text.at(dash) == '-')
                node.indicatorEnd = dash + 1;
            else if (node.kind == Kind::Null && isNullWord(m_text, node.start) && dash >= 0
                     && m_text.at(dash) == '-')
                node.indicatorEnd = dash + 1;
            else
                node.shared = true; // an empty item or an item after a comment line
        }
        if (node.kind == Kind::Null && !isNullWord(m_text, node.start)) {
            node.empty = true;
            node.start = node.indicatorEnd >= 0 ? node.indicatorEnd : node.start;
            node.end = node.start;
        }
    }

    // Where each value ends: children before their parents.
    for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it) {
        Node &node = *it;
        if (node.empty)
            continue;
        switch (node.kind) {
        case Kind::Map:
        case Kind::Seq:
            if (node.flow)
                node.end = flowEnd(node.start);
            else
                node.end = node.children.empty()
                    ? node.start
                    : m_nodes[static_cast<size_t>(node.children.back())].end;
            break;
        default:
            node.end = scalarEnd(node, node.start);
            break;
        }
    }

    // The indentation step: a nested block mapping's first key against its parent's.
    for (const Node &node : m_nodes) {
        if (node.kind != Kind::Map || node.flow || node.parent < 0 || node.keyStart < 0)
            continue;
        const Node &parent = m_nodes[static_cast<size_t>(node.parent)];
        if (parent.kind != Kind::Map || parent.flow)
            continue;
        const int step = column(node.start) - column(node.keyStart);
        if (step > 0 && step <= 8) {
            m_step = step;
            break;
        }
    }
}

qsizetype SourceText::scalarEnd(const Node &node, qsizetype start) const
{
    if (node.style == '"' || node.style == '\'')
        return quotedEnd(start);
    if (node.style == '|' || node.style == '>')
        return blockScalarEnd(node, start);
    return plainEnd(node, start);
}

qsizetype SourceText::quotedEnd(qsizetype start) const
{
    const qsizetype n = m_text.size();
    const char q = m_text.at(start);
    for (qsizetype pos = start + 1; pos < n; ++pos) {
        const char c = m_text.at(pos);
        if (q == '"' && c == '\\') {
            ++pos;
        } else if (c == q) {
            if (q == '\'' && pos + 1 < n && m_text.at(pos + 1) == '\'')
                ++pos;
            else
                return pos + 1;
        }
    }
    return n;
}

qsizetype SourceText::plainEnd(const Node &node, qsizetype start) const
{
    const qsizetype n = m_text.size();
    const qsizetype bound = std::min(nextMark(start), n);
    // Up to the end of the line, a comment, or (in flow) a flow indicator.
    const auto lineContentEnd = [&](qsizetype from, bool *comment) {
        qsizetype pos = from;
        *comment = false;
        while (pos < bound && m_text.at(pos) != '\n') {
            const char c = m_text.at(pos);
            if (c == '#' && pos > from && isBlank(m_text.at(pos - 1))) {
                *comment = true;
                break;
            }
            if (node.inFlow && (c == ',' || c == ']' || c == '}'))
                break;
            ++pos;
        }
        while (pos > from && isSpace(m_text.at(pos - 1)))
            --pos;
        return pos;
    };
    bool comment = false;
    qsizetype end = lineContentEnd(start, &comment);
    if (node.inFlow || comment)
        return end;
    // Continuation lines of a multi-line plain scalar: indented more than its key.
    const int owner = ownerColumn(node);
    qsizetype line = lineEndAfterNewline(start);
    while (line < bound) {
        qsizetype first = line;
        while (first < n && isBlank(m_text.at(first)))
            ++first;
        if (first >= n)
            break;
        if (m_text.at(first) == '\n' || m_text.at(first) == '\r') {
            line = first + 1;
            continue;
        }
        if (m_text.at(first) == '#' || first - line <= owner || first >= bound)
            break;
        end = lineContentEnd(first, &comment);
        if (comment)
            break;
        line = lineEndAfterNewline(first);
    }
    return end;
}

qsizetype SourceText::blockScalarEnd(const Node &node, qsizetype start) const
{
    const qsizetype n = m_text.size();
    qsizetype headerEnd = start + 1;
    while (headerEnd < n
           && (m_text.at(headerEnd) == '+' || m_text.at(headerEnd) == '-'
               || (m_text.at(headerEnd) >= '1' && m_text.at(headerEnd) <= '9')))
        ++headerEnd;
    qsizetype end = headerEnd;
    int contentIndent = -1;
    qsizetype line = lineEndAfterNewline(start);
    while (line < n) {
        qsizetype first = line;
        while (first < n && m_text.at(first) == ' ')
            ++first;
        const qsizetype lineEnd = lineEndAfterNewline(line);
        const bool blank = first >= n || m_text.at(first) == '\n' || m_text.at(first) == '\r';
        if (!blank) {
            const int indent = static_cast<int>(first - line);
            if (contentIndent < 0) {
                if (indent <= ownerColumn(node))
                    break;
                contentIndent = indent;
            }
            if (indent < contentIndent)
                break;
            end = lineEnd;
            while (end > first && isSpace(m_text.at(end - 1)))
                --end;
        }
        line = lineEnd;
    }
    return end;
}

qsizetype SourceText::flowEnd(qsizetype start) const
{
    const qsizetype n = m_text.size();
    int depth = 0;
    char previous = ' ';
    for (qsizetype pos = start; pos < n; ++pos) {
        const char c = m_text.at(pos);
        if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            if (--depth == 0)
                return pos + 1;
        } else if ((c == '"' || c == '\'')
                   && (previous == '[' || previous == '{' || previous == ',' || previous == ':')) {
            pos = quotedEnd(pos) - 1;
        } else if (c == '#' && pos > start && isSpace(m_text.at(pos - 1))) {
            while (pos < n && m_text.at(pos) != '\n')
                ++pos;
            continue;
        }
        if (!isSpace(c))
            previous = c;
    }
    return n;
}

qsizetype SourceText::nextMark(qsizetype after) const
{
    const auto it = std::upper_bound(m_marks.begin(), m_marks.end(), after);
    return it == m_marks.end() ? m_text.size() : *it;
}

qsizetype SourceText::lineStart(qsizetype pos) const
{
    const qsizetype newline = pos > 0 ? m_text.lastIndexOf('\n', pos - 1) : -1;
    return newline + 1;
}

qsizetype SourceText::lineEndAfterNewline(qsizetype pos) const
{
    const qsizetype newline = m_text.indexOf('\n', pos);
    return newline < 0 ? m_text.size() : newline + 1;
}

int SourceText::column(qsizetype pos) const
{
    return static_cast<int>(pos - lineStart(pos));
}

int SourceText::ownerColumn(const Node &node) const
{
    if (node.keyStart >= 0)
        return column(node.keyStart);
    if (node.indicatorEnd > 0)
        return column(node.indicatorEnd - 1);
    return -1;
}

qsizetype SourceText::entryStart(const Node &node) const
{
    const qsizetype token = node.keyStart >= 0 ? node.keyStart : node.indicatorEnd - 1;
    qsizetype start = lineStart(token);
    for (qsizetype p = start; p < token; ++p)
        if (!isBlank(m_text.at(p)))
            return token; // the first member of a mapping that follows a dash
    // Comment lines directly above belong to the entry.
    while (start > 0) {
        const qsizetype previous = lineStart(start - 1);
        qsizetype first = previous;
        while (first < start && isBlank(m_text.at(first)))
            ++first;
        if (first >= start || m_text.at(first) != '#' || column(first) < column(token))
            break;
        start = previous;
    }
    return start;
}

qsizetype SourceText::entryEnd(const Node &node) const
{
    return lineEndAfterNewline(node.end > node.start ? node.end - 1 : node.end);
}

const SourceText::Node *SourceText::find(const QString &pointer) const
{
    const auto it = m_byPointer.constFind(pointer);
    return it == m_byPointer.constEnd() ? nullptr : &m_nodes[static_cast<size_t>(*it)];
}

std::pair<qsizetype, qsizetype> SourceText::valueSpan(const QString &pointer) const
{
    const Node *node = find(pointer);
    if (!node)
        return {-1, -1};
    return {node->start, node->end};
}

qsizetype SourceText::nodeStart(const QString &pointer) const
{
    const Node *node = find(pointer);
    if (!node)
        return -1;
    return node->keyStart >= 0 ? node->keyStart : node->start;
}

QString SourceText::pointerAt(qsizetype offset) const
{
    // Nodes are in text order and a child lies within its parent: the last node
    // that holds the offset is the innermost one.
    const Node *best = nullptr;
    for (const Node &node : m_nodes) {
        const qsizetype begin = node.keyStart >= 0 ? node.keyStart : node.start;
        if (begin > offset)
            break;
        if (offset < std::max(node.end, node.indicatorEnd))
            best = &node;
    }
    return best ? best->pointer : QString();
}

QStringList SourceText::pointers() const
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(m_nodes.size()));
    for (const Node &node : m_nodes)
        out.append(node.pointer);
    return out;
}

QStringList SourceText::keys(const QString &pointer) const
{
    QStringList out;
    const Node *node = find(pointer);
    if (!node || node->kind != Kind::Map)
        return out;
    for (int child : node->children)
        out.append(QString::fromStdString(m_nodes[static_cast<size_t>(child)].key));
    return out;
}

bool SourceText::splitPointer(const QString &pointer, QStringList *tokens)
{
    tokens->clear();
    if (pointer.isEmpty())
        return true;
    if (!pointer.startsWith(u'/'))
        return false;
    for (QString token : pointer.mid(1).split(u'/')) {
        token.replace(QLatin1String("~1"), QLatin1String("/"));
        token.replace(QLatin1String("~0"), QLatin1String("~"));
        tokens->append(token);
    }
    return true;
}

QString SourceText::joinPointer(const QStringList &tokens)
{
    QString out;
    for (const QString &token : tokens)
        out += u'/' + DocumentLoader::escapePointerToken(token);
    return out;
}

std::string SourceText::keyText(const std::string &key, const Node *like) const
{
    const char q = like && like->keyStart >= 0 ? m_text.at(like->keyStart) : 0;
    if (m_json || q == '"')
        return YamlEmitter::doubleQuoted(key);
    if (q == '\'' && key.find('\n') == std::string::npos) {
        std::string out = "'";
        for (char c : key)
            out += c == '\'' ? std::string("''") : std::string(1, c);
        return out + "'";
    }
    const bool inFlow = like && like->inFlow;
    if (inFlow && key.find_first_of(",[]{}") != std::string::npos)
        return YamlEmitter::doubleQuoted(key);
    return YamlEmitter::scalar(key);
}

std::string SourceText::flowValue(const Json &value, int indent) const
{
    if (!m_json && value.is_string()) {
        const std::string &t = value.get_ref<const std::string &>();
        if (YamlEmitter::canBePlain(t) && t.find_first_of(",[]{}") == std::string::npos)
            return t;
    }
    if (indent < 0 || !(value.is_object() || value.is_array()) || value.empty())
        return value.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::string out = value.dump(m_step, ' ', false, Json::error_handler_t::replace);
    std::string indented;
    for (char c : out) {
        indented += c;
        if (c == '\n')
            indented += spaces(indent);
    }
    return indented;
}

namespace {

// A one-line string as a YAML single-quoted scalar ('' for each ').
std::string singleQuoted(const std::string &value)
{
    std::string text = "'";
    for (const char c : value)
        text += c == '\'' ? std::string("''") : std::string(1, c);
    return text + '\'';
}

} // namespace

std::optional<TextChange> SourceText::replaceValue(const Node &node, const Json &value,
                                                   QString *error) const
{
    const auto change = [&](qsizetype from, qsizetype to, std::string text) {
        return minimal(m_text, TextChange {from, to - from, QByteArray::fromStdString(text)});
    };
    if (node.shared) {
        if (error)
            *error
                = QStringLiteral("%1 is shared through a YAML anchor or written in a form "
                                 "that is edited in the source only")
                      .arg(node.pointer.isEmpty() ? QStringLiteral("the document") : node.pointer);
        return std::nullopt;
    }
    if (node.parent < 0) {
        const std::string text = m_json
            ? value.dump(m_step, ' ', false, Json::error_handler_t::replace) + '\n'
            : YamlEmitter(m_step).document(value).toStdString();
        return change(0, m_text.size(), text);
    }
    if (node.inFlow && value.is_string() && node.kind == Kind::Scalar && !node.empty
        && value.get_ref<const std::string &>().find('\n') == std::string::npos) {
        // a scalar in a flow collection keeps its quoting: single quotes stay single,
        // a plain one stays plain where flow context allows it
        const std::string &v = value.get_ref<const std::string &>();
        if (node.style == '\'')
            return change(node.start, node.end, singleQuoted(v));
        const std::string plain = YamlEmitter::scalar(v);
        if (node.style != '"' && plain == v && v.find_first_of(",[]{}") == std::string::npos)
            return change(node.start, node.end, plain);
    }
    if (node.inFlow) {
        const bool multiline = m_text.mid(node.start, node.end - node.start).contains('\n')
            || (m_json && m_text.indexOf('\n', m_text.indexOf('{')) >= 0);
        const qsizetype line = lineStart(node.start);
        qsizetype first = line;
        while (first < node.start && isBlank(m_text.at(first)))
            ++first;
        return change(node.start, node.end,
                      flowValue(value, multiline ? static_cast<int>(first - line) : -1));
    }
    const Node &parent = m_nodes[static_cast<size_t>(node.parent)];
    const bool item = parent.kind == Kind::Seq;
    const int owner = ownerColumn(node);
    const YamlEmitter emitter(m_step);
    const bool newBlock = (value.is_object() || value.is_array()) && !value.empty();
    const bool oldBlock = (node.kind == Kind::Map || node.kind == Kind::Seq) && !node.flow;
    if (newBlock && oldBlock && value.is_object() == (node.kind == Kind::Map)) {
        const int col = column(node.start);
        std::string text = withoutTrailingNewline(emitter.block(value, col));
        return change(node.start, node.end, text.substr(static_cast<size_t>(col)));
    }
    const bool oneLineScalar = !(value.is_object() || value.is_array())
        && !(value.is_string()
             && value.get_ref<const std::string &>().find('\n') != std::string::npos);
    if (oneLineScalar && !node.empty && (node.kind == Kind::Scalar || node.kind == Kind::Null)
        && node.style != '|' && node.style != '>') {
        std::string text;
        if (!value.is_string())
            text = value.dump();
        else if (node.style == '"')
            text = YamlEmitter::doubleQuoted(value.get_ref<const std::string &>());
        else if (node.style == '\'') // single quotes stay single
            text = singleQuoted(value.get_ref<const std::string &>());
        else
            text = YamlEmitter::scalar(value.get_ref<const std::string &>());
        return change(node.start, node.end, text);
    }
    if (node.indicatorEnd < 0) {
        if (error)
            *error = QStringLiteral("%1 is written in a form that is edited in the source only")
                         .arg(node.pointer);
        return std::nullopt;
    }
    return change(node.indicatorEnd, node.end,
                  withoutTrailingNewline(emitter.afterIndicator(value, owner, item)));
}

std::optional<TextChange> SourceText::addChild(const Node &parent, const QString &token,
                                               const Json &value, QString *error) const
{
    const auto insert = [&](qsizetype at, std::string text) {
        return TextChange {at, 0, QByteArray::fromStdString(text)};
    };
    if (parent.shared) {
        if (error)
            *error = QStringLiteral("%1 is shared through a YAML anchor or written in a form "
                                    "that is edited in the source only")
                         .arg(parent.pointer);
        return std::nullopt;
    }
    if (parent.kind == Kind::Null) {
        Json wrapped;
        if (token == QLatin1String("-") || token == QLatin1String("0"))
            wrapped = Json::array({value});
        else
            wrapped = Json::object({{token.toStdString(), value}});
        return replaceValue(parent, wrapped, error);
    }
    const bool map = parent.kind == Kind::Map;
    if (!map && parent.kind != Kind::Seq) {
        if (error)
            *error = QStringLiteral("%1 holds a single value, not members").arg(parent.pointer);
        return std::nullopt;
    }
    if (!map && token != QLatin1String("-") && token != QString::number(parent.children.size())) {
        if (error)
            *error = QStringLiteral("%1 has no item %2").arg(parent.pointer, token);
        return std::nullopt;
    }
    const std::string key = token.toStdString();
    const Node *last
        = parent.children.empty() ? nullptr : &m_nodes[static_cast<size_t>(parent.children.back())];
    if (parent.flow) {
        const Node *like = last;
        const auto entry = [&](int indent) {
            const std::string v = flowValue(value, indent);
            return map ? keyText(key, like) + ": " + v : v;
        };
        const qsizetype line = lineStart(parent.start);
        qsizetype first = line;
        while (first < parent.start && isBlank(m_text.at(first)))
            ++first;
        const int parentIndent = static_cast<int>(first - line);
        if (!last) {
            if (m_json) {
                const int inner = parentIndent + m_step;
                return minimal(
                    m_text,
                    TextChange {parent.start, parent.end - parent.start,
                                QByteArray::fromStdString(
                                    std::string(map ? "{\n" : "[\n") + spaces(inner) + entry(inner)
                                    + '\n' + spaces(parentIndent) + (map ? "}" : "]"))});
            }
            return minimal(m_text,
                           TextChange {parent.start, parent.end - parent.start,
                                       QByteArray::fromStdString(std::string(map ? "{" : "[")
                                                                 + entry(-1) + (map ? "}" : "]"))});
        }
        const qsizetype lastToken = map ? last->keyStart : last->start;
        if (lineStart(lastToken) != lineStart(parent.start)) {
            const int indent = column(lastToken);
            return insert(last->end, ",\n" + spaces(indent) + entry(indent));
        }
        return insert(last->end, ", " + entry(-1));
    }
    const Node *firstChild = &m_nodes[static_cast<size_t>(parent.children.front())];
    const int col = ownerColumn(*firstChild);
    const YamlEmitter emitter(m_step);
    std::string line = spaces(col) + (map ? keyText(key, firstChild) + ":" : std::string("-"))
        + emitter.afterIndicator(value, col, !map);
    const qsizetype at = entryEnd(*last);
    if (at == 0 || m_text.at(at - 1) != '\n')
        return insert(at, '\n' + withoutTrailingNewline(line));
    return insert(at, line);
}

std::optional<TextChange> SourceText::setRaw(const QString &pointer, const Json &value,
                                             QString *error) const
{
    if (!ok()) {
        if (error)
            *error = m_error;
        return std::nullopt;
    }
    QStringList tokens;
    if (!splitPointer(pointer, &tokens)) {
        if (error)
            *error = QStringLiteral("'%1' is not a JSON Pointer").arg(pointer);
        return std::nullopt;
    }
    if (const Node *node = find(pointer))
        return replaceValue(*node, value, error);
    if (tokens.isEmpty())
        return std::nullopt;
    // The nearest parent that exists takes the missing part as one new value.
    for (qsizetype k = tokens.size() - 1; k >= 0; --k) {
        const Node *parent = find(joinPointer(tokens.mid(0, k)));
        if (!parent)
            continue;
        Json missing = value;
        for (qsizetype j = tokens.size() - 1; j > k; --j) {
            if (tokens.at(j) == QLatin1String("-") || tokens.at(j) == QLatin1String("0"))
                missing = Json::array({missing});
            else
                missing = Json::object({{tokens.at(j).toStdString(), missing}});
        }
        return addChild(*parent, tokens.at(k), missing, error);
    }
    return std::nullopt;
}

std::optional<TextChange> SourceText::removeRaw(const QString &pointer, QString *error) const
{
    const Node *node = find(pointer);
    if (!node || node->parent < 0) {
        if (error)
            *error = node ? QStringLiteral("the document itself cannot be removed")
                          : QStringLiteral("there is no %1").arg(pointer);
        return std::nullopt;
    }
    const Node &parent = m_nodes[static_cast<size_t>(node->parent)];
    if (node->shared || parent.shared) {
        if (error)
            *error = QStringLiteral("%1 is shared through a YAML anchor or written in a form "
                                    "that is edited in the source only")
                         .arg(pointer);
        return std::nullopt;
    }
    const auto &siblings = parent.children;
    if (siblings.size() == 1)
        return replaceValue(parent, parent.kind == Kind::Map ? Json::object() : Json::array(),
                            error);
    const auto index = static_cast<size_t>(
        std::find(siblings.begin(), siblings.end(), m_byPointer.value(pointer)) - siblings.begin());
    const auto tokenOf = [&](size_t i) {
        const Node &n = m_nodes[static_cast<size_t>(siblings[i])];
        return n.keyStart >= 0 ? n.keyStart : (parent.flow ? n.start : n.indicatorEnd - 1);
    };
    const auto cut = [&](qsizetype from, qsizetype to) {
        return TextChange {from, to - from, QByteArray()};
    };
    if (parent.flow) {
        if (index + 1 < siblings.size())
            return cut(tokenOf(index), tokenOf(index + 1));
        return cut(m_nodes[static_cast<size_t>(siblings[index - 1])].end, node->end);
    }
    const qsizetype start = entryStart(*node);
    const qsizetype token = tokenOf(index);
    if (start == token && lineStart(token) != token) {
        // "- a: 1\n  b: 2": the next member moves up beside the dash.
        if (index + 1 < siblings.size())
            return cut(token, tokenOf(index + 1));
    }
    return cut(start, entryEnd(*node));
}

std::optional<TextChange> SourceText::renameKeyRaw(const QString &pointer, const QString &newKey,
                                                   QString *error) const
{
    const Node *node = find(pointer);
    if (!node || node->keyStart < 0) {
        if (error)
            *error = QStringLiteral("there is no member %1").arg(pointer);
        return std::nullopt;
    }
    const Node &parent = m_nodes[static_cast<size_t>(node->parent)];
    if (node->shared || parent.shared || node->keyEnd < 0) {
        if (error)
            *error = QStringLiteral("%1 is shared through a YAML anchor or written in a form "
                                    "that is edited in the source only")
                         .arg(pointer);
        return std::nullopt;
    }
    for (int child : parent.children) {
        if (m_nodes[static_cast<size_t>(child)].key == newKey.toStdString()) {
            if (error)
                *error = QStringLiteral("%1 already has a member named '%2'")
                             .arg(parent.pointer.isEmpty() ? QStringLiteral("the document")
                                                           : parent.pointer,
                                  newKey);
            return std::nullopt;
        }
    }
    return minimal(m_text,
                   TextChange {node->keyStart, node->keyEnd - node->keyStart,
                               QByteArray::fromStdString(keyText(newKey.toStdString(), node))});
}

std::optional<TextChange> SourceText::moveRaw(const QString &pointer, int index,
                                              QString *error) const
{
    const Node *node = find(pointer);
    if (!node || node->parent < 0) {
        if (error)
            *error = QStringLiteral("there is no %1").arg(pointer);
        return std::nullopt;
    }
    const Node &parent = m_nodes[static_cast<size_t>(node->parent)];
    const auto &siblings = parent.children;
    const int from = static_cast<int>(
        std::find(siblings.begin(), siblings.end(), m_byPointer.value(pointer)) - siblings.begin());
    index = std::clamp(index, 0, static_cast<int>(siblings.size()) - 1);
    if (index == from)
        return TextChange {node->start, 0, QByteArray()};
    std::vector<QByteArray> chunks;
    qsizetype regionStart = -1;
    qsizetype regionEnd = -1;
    for (size_t i = 0; i < siblings.size(); ++i) {
        const Node &child = m_nodes[static_cast<size_t>(siblings[i])];
        const qsizetype start = entryStart(child);
        const qsizetype token = child.keyStart >= 0 ? child.keyStart : child.indicatorEnd - 1;
        if (parent.flow || parent.shared || child.shared || child.indicatorEnd < 0
            || (start == token && lineStart(token) != token)) {
            if (error)
                *error = QStringLiteral("the members of %1 are written in a form that is "
                                        "reordered in the source only")
                             .arg(parent.pointer.isEmpty() ? QStringLiteral("the document")
                                                           : parent.pointer);
            return std::nullopt;
        }
        if (regionStart < 0)
            regionStart = start;
        const qsizetype end = i + 1 < siblings.size()
            ? entryStart(m_nodes[static_cast<size_t>(siblings[i + 1])])
            : entryEnd(child);
        chunks.push_back(m_text.mid(start, end - start));
        regionEnd = end;
    }
    const bool endsWithNewline = chunks.back().endsWith('\n');
    if (!endsWithNewline)
        chunks.back().append('\n');
    QByteArray moved = chunks[static_cast<size_t>(from)];
    chunks.erase(chunks.begin() + from);
    chunks.insert(chunks.begin() + index, moved);
    QByteArray region;
    for (const QByteArray &chunk : chunks)
        region += chunk;
    if (!endsWithNewline)
        region.chop(1);
    return minimal(m_text, TextChange {regionStart, regionEnd - regionStart, region});
}

std::optional<TextChange> SourceText::finished(std::optional<TextChange> change) const
{
    if (!change)
        return change;
    if (m_crlf)
        change->text.replace("\r\n", "\n").replace("\n", "\r\n");
    return minimal(m_text, std::move(*change));
}

qsizetype SourceText::blockStart(const Node &node) const
{
    // From the start of the node's line when nothing else stands on it before the
    // node, with the comment lines directly above (after its key's line); else the
    // node itself, as after "- ".
    const qsizetype line = lineStart(node.start);
    for (qsizetype p = line; p < node.start; ++p)
        if (!isBlank(m_text.at(p)))
            return node.start;
    qsizetype start = line;
    while (start > 0 && start > node.indicatorEnd) {
        const qsizetype previous = lineStart(start - 1);
        if (previous < node.indicatorEnd)
            break;
        qsizetype first = previous;
        while (first < start && isBlank(m_text.at(first)))
            ++first;
        if (first >= start || m_text.at(first) != '#')
            break;
        start = previous;
    }
    return start;
}

QByteArray SourceText::fragment(const QString &pointer) const
{
    const Node *node = find(pointer);
    if (!node)
        return {};
    // Lines after the first lose the indentation of the line the node starts on:
    // for a block collection its own column, else that of its key or dash.
    const bool block = (node->kind == Kind::Map || node->kind == Kind::Seq) && !node->flow;
    qsizetype first = lineStart(node->start);
    while (first < node->start && isBlank(m_text.at(first)))
        ++first;
    const int base = block ? column(node->start) : column(first);
    const qsizetype from = block ? blockStart(*node) : node->start;
    QByteArray text = m_text.mid(from, node->end - from);
    text.replace("\r\n", "\n");
    QByteArray out;
    out.reserve(text.size());
    qsizetype at = 0;
    while (at <= text.size()) {
        qsizetype end = text.indexOf('\n', at);
        if (end < 0)
            end = text.size();
        qsizetype begin = at;
        for (int n = 0; n < base && begin < end && text.at(begin) == ' '; ++n)
            ++begin;
        out += text.mid(begin, end - begin);
        if (end < text.size())
            out += '\n';
        at = end + 1;
    }
    while (out.endsWith('\n'))
        out.chop(1);
    return out;
}

std::optional<Json> SourceText::parseFragment(const QByteArray &fragment, QString *error)
{
    const auto result = DocumentLoader::loadValue(fragment, QStringLiteral("fragment"));
    for (const Diagnostic &d : result.diagnostics) {
        if (d.severity != Diagnostic::Severity::Error)
            continue;
        if (error)
            *error = d.location.line > 0 ? QStringLiteral("line %1, column %2: %3")
                                               .arg(d.location.line)
                                               .arg(d.location.column)
                                               .arg(d.message)
                                         : d.message;
        return std::nullopt;
    }
    return result.document.root;
}

std::optional<TextChange> SourceText::setFragment(const QString &pointer,
                                                  const QByteArray &fragment, QString *error) const
{
    const std::optional<Json> value = parseFragment(fragment, error);
    if (!value)
        return std::nullopt;
    const Node *node = find(pointer);
    const QByteArray line = fragment.trimmed();
    const bool oneLineFlow = !line.contains('\n') && !line.contains('#')
        && ((line.startsWith('{') && line.endsWith('}'))
            || (line.startsWith('[') && line.endsWith(']')));
    if (node && !m_json && !node->shared && node->flow && oneLineFlow
        && !m_text.mid(node->start, node->end - node->start).contains('\n')) {
        // a flow collection on one line replaced by one: as typed
        return finished(TextChange {node->start, node->end - node->start, line});
    }
    if (!node && !m_json) {
        // A new node: added as set() adds it, then given the fragment's own lines (its
        // comments and layout) as an existing one would be, in one change.
        const auto added = set(pointer, *value, error);
        if (!added)
            return std::nullopt;
        const QByteArray next = added->appliedTo(m_text);
        const SourceText after(next);
        const Node *placed = after.find(pointer);
        if (!after.ok() || !placed || placed->flow)
            return added;
        const auto typed = after.setFragment(pointer, fragment);
        const qsizetype end = added->offset + added->text.size();
        if (!typed || typed->offset < added->offset || typed->offset + typed->length > end)
            return added;
        TextChange combined = *added;
        combined.text = QByteArray(added->text)
                            .replace(typed->offset - added->offset, typed->length, typed->text);
        return combined;
    }
    if (!node || m_json || node->shared || node->inFlow || node->flow)
        return set(pointer, *value, error);
    // A block collection replaced by one of the same kind written as a block: the
    // fragment's own lines, moved to the node's column.
    QByteArray normalized = fragment;
    normalized.replace("\r\n", "\n");
    QList<QByteArray> lines = normalized.split('\n');
    while (!lines.isEmpty() && lines.constFirst().trimmed().isEmpty())
        lines.removeFirst();
    while (!lines.isEmpty() && lines.constLast().trimmed().isEmpty())
        lines.removeLast();
    const auto indentOf = [](const QByteArray &line) {
        qsizetype n = 0;
        while (n < line.size() && line.at(n) == ' ')
            ++n;
        return n;
    };
    // the first line that says something decides whether it is written as a block
    char opener = 0;
    for (const QByteArray &line : std::as_const(lines)) {
        const QByteArray content = line.trimmed();
        if (!content.isEmpty() && !content.startsWith('#')) {
            opener = content.at(0);
            break;
        }
    }
    const bool sameKind = (node->kind == Kind::Map && value->is_object() && !value->empty())
        || (node->kind == Kind::Seq && value->is_array() && !value->empty());
    if (!sameKind || opener == '{' || opener == '[' || normalized.contains('\t'))
        return set(pointer, *value, error);
    qsizetype lead = -1; // the fragment's own indentation: that of its first key
    for (const QByteArray &line : std::as_const(lines))
        if (!line.trimmed().isEmpty() && !line.trimmed().startsWith('#')) {
            lead = indentOf(line);
            break;
        }
    const qsizetype from = blockStart(*node);
    const bool alone = from < node->start; // the node's first line holds only it
    const std::string indent = spaces(column(node->start));
    QByteArray text;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (i > 0)
            text += '\n';
        if (line.trimmed().isEmpty())
            continue;
        if (i > 0 || alone)
            text += QByteArray::fromStdString(indent);
        text += line.mid(std::min(lead, indentOf(line)));
    }
    return finished(TextChange {from, node->end - from, text});
}

std::optional<TextChange> SourceText::set(const QString &pointer, const Json &value,
                                          QString *error) const
{
    return finished(setRaw(pointer, value, error));
}

std::optional<TextChange> SourceText::remove(const QString &pointer, QString *error) const
{
    return finished(removeRaw(pointer, error));
}

std::optional<TextChange> SourceText::renameKey(const QString &pointer, const QString &newKey,
                                                QString *error) const
{
    return finished(renameKeyRaw(pointer, newKey, error));
}

std::optional<TextChange> SourceText::move(const QString &pointer, int index, QString *error) const
{
    return finished(moveRaw(pointer, index, error));
}

} // namespace Gatehouse
