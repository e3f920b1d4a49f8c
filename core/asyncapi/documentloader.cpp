// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/documentloader.h"

#include "api/boundedjson.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QScopeGuard>
#include <QUrl>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace Gatehouse {

namespace {

// One parsed file: its tree and where each node is (JSON Pointer -> location).
struct ParsedFile
{
    Json root;
    QHash<QString, SourceLocation> locations;
    QList<Diagnostic> diagnostics;
    bool ok = false;
};

Diagnostic makeError(const QString &file, int line, int column, const QString &message,
                     const QString &pointer = {})
{
    Diagnostic d;
    d.severity = Diagnostic::Severity::Error;
    d.location = SourceLocation {file, line, column};
    d.message = message;
    d.pointer = pointer;
    return d;
}

// Line and column (from 1) of a byte offset.
std::pair<int, int> lineColumnAt(const QByteArray &data, qsizetype offset)
{
    int line = 1;
    qsizetype lineStart = 0;
    offset = std::min(offset, data.size());
    for (qsizetype i = 0; i < offset; ++i) {
        if (data.at(i) == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    // Columns count characters, not bytes: skip UTF-8 continuation bytes.
    int column = 1;
    for (qsizetype i = lineStart; i < offset; ++i)
        if ((static_cast<unsigned char>(data.at(i)) & 0xC0) != 0x80)
            ++column;
    return {line, column};
}

// Offset of the first byte that is not valid UTF-8, or -1.
qsizetype invalidUtf8Offset(const QByteArray &data)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    const qsizetype n = data.size();
    qsizetype i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + extra >= n)
            return i;
        for (int k = 1; k <= extra; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        const bool overlong = (extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800)
            || (extra == 3 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += extra + 1;
    }
    return -1;
}

bool matchesInt(const std::string &s)
{
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    if (i == s.size())
        return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool matchesFloat(const std::string &s)
{
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    size_t i = 0;
    const size_t n = s.size();
    if (i < n && (s[i] == '-' || s[i] == '+'))
        ++i;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        ++i;
        ++digits;
    }
    if (i < n && s[i] == '.') {
        ++i;
        size_t frac = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            ++i;
            ++frac;
        }
        if (digits == 0 && frac == 0)
            return false;
    } else if (digits == 0) {
        return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            ++i;
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            ++i;
            ++exp;
        }
        if (exp == 0)
            return false;
    }
    return i == n;
}

Json integerValue(const std::string &s, int base, size_t skip)
{
    const char *begin = s.data() + skip;
    const char *end = s.data() + s.size();
    bool negative = false;
    if (begin < end && (*begin == '+' || *begin == '-')) {
        negative = *begin == '-';
        ++begin;
    }
    if (!negative) {
        std::uint64_t u = 0;
        const auto [ptr, ec] = std::from_chars(begin, end, u, base);
        if (ec == std::errc() && ptr == end) {
            if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return Json(static_cast<std::int64_t>(u));
            return Json(u);
        }
    } else {
        std::int64_t v = 0;
        const std::string withSign = "-" + std::string(begin, end);
        const auto [ptr, ec]
            = std::from_chars(withSign.data(), withSign.data() + withSign.size(), v, base);
        if (ec == std::errc() && ptr == withSign.data() + withSign.size())
            return Json(v);
    }
    // Too large for 64 bits: keep it as a double, like JSON parsers do.
    return Json(std::strtod(s.c_str(), nullptr));
}

// YAML 1.2 core schema resolution of a plain scalar.
Json resolvePlain(const std::string &s)
{
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
        return Json(nullptr);
    if (s == "true" || s == "True" || s == "TRUE")
        return Json(true);
    if (s == "false" || s == "False" || s == "FALSE")
        return Json(false);
    const char first = s.front();
    if ((first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.') {
        if (matchesInt(s))
            return integerValue(s, 10, 0);
        if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
            bool hex = true;
            for (size_t i = 2; i < s.size(); ++i)
                hex = hex && std::isxdigit(static_cast<unsigned char>(s[i]));
            if (hex)
                return integerValue(s, 16, 2);
        }
        if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
            bool oct = true;
            for (size_t i = 2; i < s.size(); ++i)
                oct = oct && s[i] >= '0' && s[i] <= '7';
            if (oct)
                return integerValue(s, 8, 2);
        }
        if (matchesFloat(s))
            return Json(std::strtod(s.c_str(), nullptr));
        // .inf and .nan have no JSON form: they stay strings.
    }
    return Json(s);
}

Json resolveScalar(const std::string &tag, const std::string &value)
{
    if (tag == "!" || tag == "tag:yaml.org,2002:str")
        return Json(value);
    if (tag == "?" || tag.empty())
        return resolvePlain(value);
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float"
        || tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
        Json v = resolvePlain(value);
        return v;
    }
    return Json(value); // other tags: the text as written
}

struct LoadError
{
    int line;
    int column;
    QString message;
};

// Builds a Json tree from yaml-cpp parse events, recording where each node is.
class TreeBuilder final : public YAML::EventHandler
{
public:
    TreeBuilder(const QString &file, QHash<QString, SourceLocation> *locations)
        : m_file(file)
        , m_locations(locations)
    { }

    Json takeRoot() { return std::move(m_root); }
    bool hasRoot() const { return m_haveRoot; }

    void OnDocumentStart(const YAML::Mark &) override { }
    void OnDocumentEnd() override { }

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        addValue(mark, Json(nullptr), anchor, 1);
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        const auto it = m_anchors.find(anchor);
        if (it == m_anchors.end())
            throw LoadError {mark.line + 1, mark.column + 1, QStringLiteral("unknown alias")};
        m_aliasNodes += it->second.second;
        if (m_aliasNodes > DocumentLoader::MaxAliasNodes)
            throw LoadError {mark.line + 1, mark.column + 1,
                             QStringLiteral("aliases expand to more than %1 nodes; refusing "
                                            "to expand them (an \"alias bomb\"?)")
                                 .arg(DocumentLoader::MaxAliasNodes)};
        addValue(mark, it->second.first, 0, it->second.second);
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        if (!m_stack.empty() && m_stack.back().isMap && !m_stack.back().haveKey) {
            Frame &f = m_stack.back();
            f.key = value;
            f.keyMark = mark;
            f.haveKey = true;
            f.keyIsMerge = value == "<<" && (tag == "?" || tag.empty());
            if (anchor)
                m_anchors[anchor] = {Json(value), 1};
            return;
        }
        addValue(mark, resolveScalar(tag, value), anchor, 1);
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        push(mark, Json::array(), anchor, false);
    }
    void OnSequenceEnd() override { pop(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        push(mark, Json::object(), anchor, true);
    }
    void OnMapEnd() override { pop(); }

private:
    struct Frame
    {
        Json value;
        bool isMap = false;
        bool haveKey = false;
        std::string key;
        YAML::Mark keyMark;
        YAML::Mark mark;
        QString pointer;
        YAML::anchor_t anchor = 0;
        qint64 nodesAtStart = 0;
        std::unique_ptr<std::unordered_set<std::string>> keys; // for large mappings
        std::unique_ptr<std::unordered_set<std::string>> merged; // keys from a merge key
        bool keyIsMerge = false;
    };

    // Where the next value goes: its pointer and the location to record.
    QString childPointer(const YAML::Mark &valueMark, SourceLocation *location)
    {
        if (m_stack.empty()) {
            *location = SourceLocation {m_file, valueMark.line + 1, valueMark.column + 1};
            return QString();
        }
        Frame &f = m_stack.back();
        if (f.isMap) {
            *location = SourceLocation {m_file, f.keyMark.line + 1, f.keyMark.column + 1};
            return f.pointer + u'/'
                + DocumentLoader::escapePointerToken(QString::fromStdString(f.key));
        }
        *location = SourceLocation {m_file, valueMark.line + 1, valueMark.column + 1};
        return f.pointer + u'/' + QString::number(f.value.size());
    }

    void checkKeyExpected(const YAML::Mark &mark)
    {
        if (!m_stack.empty() && m_stack.back().isMap && !m_stack.back().haveKey)
            throw LoadError {mark.line + 1, mark.column + 1,
                             QStringLiteral("mapping keys must be plain strings, not "
                                            "collections")};
    }

    void attach(Json value, const YAML::Mark &mark)
    {
        if (m_stack.empty()) {
            m_root = std::move(value);
            m_haveRoot = true;
            return;
        }
        Frame &f = m_stack.back();
        if (f.isMap) {
            if (f.keyIsMerge) {
                merge(f, value);
            } else if (!insertKey(f, f.key)) {
                // An explicit key overrides one that came in through a merge key.
                if (!f.merged || !f.merged->erase(f.key))
                    throw LoadError {
                        f.keyMark.line + 1, f.keyMark.column + 1,
                        QStringLiteral("duplicate key '%1'").arg(QString::fromStdString(f.key))};
                f.value[f.key] = std::move(value);
            } else {
                members(f).emplace_back(std::move(f.key), std::move(value));
            }
            f.key.clear();
            f.haveKey = false;
            f.keyIsMerge = false;
        } else {
            f.value.push_back(std::move(value));
        }
        Q_UNUSED(mark);
    }

    using Members = std::vector<std::pair<const std::string, Json>>;

    // ordered_json looks keys up linearly: members are appended directly, and large
    // mappings get a set of their keys so that reading stays linear.
    static Members &members(Frame &f)
    {
        return static_cast<Members &>(f.value.get_ref<Json::object_t &>());
    }

    // Records `key` as present; false when it already was.
    static bool insertKey(Frame &f, const std::string &key)
    {
        Members &m = members(f);
        if (m.size() < 16 && !f.keys) {
            for (const auto &member : m)
                if (member.first == key)
                    return false;
            return true;
        }
        if (!f.keys) {
            f.keys = std::make_unique<std::unordered_set<std::string>>();
            for (const auto &member : m)
                f.keys->insert(member.first);
        }
        return f.keys->insert(key).second;
    }

    // YAML merge key (<<: *base or <<: [*a, *b]): adds the members the mapping
    // does not have; keys written in the mapping itself win.
    void merge(Frame &f, const Json &value)
    {
        const auto fail = [&] {
            throw LoadError {
                f.keyMark.line + 1, f.keyMark.column + 1,
                QStringLiteral("a merge key (<<) needs a mapping or a list of mappings")};
        };
        std::vector<const Json *> sources;
        if (value.is_object())
            sources.push_back(&value);
        else if (value.is_array())
            for (const Json &item : value)
                item.is_object() ? sources.push_back(&item) : fail();
        else
            fail();
        for (const Json *source : sources) {
            for (auto it = source->begin(); it != source->end(); ++it) {
                if (!insertKey(f, it.key()))
                    continue;
                if (!f.merged)
                    f.merged = std::make_unique<std::unordered_set<std::string>>();
                f.merged->insert(it.key());
                members(f).emplace_back(it.key(), it.value());
            }
        }
    }

    void addValue(const YAML::Mark &mark, Json value, YAML::anchor_t anchor, qint64 nodes)
    {
        if (!m_stack.empty() && m_stack.back().isMap && !m_stack.back().haveKey) {
            // A null or alias used as a key.
            Frame &f = m_stack.back();
            if (value.is_string())
                f.key = value.get<std::string>();
            else if (value.is_null())
                f.key = std::string();
            else
                throw LoadError {mark.line + 1, mark.column + 1,
                                 QStringLiteral("mapping keys must be plain strings, not "
                                                "collections")};
            f.keyMark = mark;
            f.haveKey = true;
            return;
        }
        SourceLocation location;
        const QString pointer = childPointer(mark, &location);
        m_locations->insert(pointer, location);
        m_nodes += nodes;
        if (anchor)
            m_anchors[anchor] = {value, nodes};
        attach(std::move(value), mark);
    }

    void push(const YAML::Mark &mark, Json value, YAML::anchor_t anchor, bool isMap)
    {
        checkKeyExpected(mark);
        if (static_cast<int>(m_stack.size()) >= DocumentLoader::MaxDepth)
            throw LoadError {
                mark.line + 1, mark.column + 1,
                QStringLiteral("nesting deeper than %1 levels").arg(DocumentLoader::MaxDepth)};
        SourceLocation location;
        const QString pointer = childPointer(mark, &location);
        m_locations->insert(pointer, location);
        Frame f;
        f.value = std::move(value);
        f.isMap = isMap;
        f.mark = mark;
        f.pointer = pointer;
        f.anchor = anchor;
        f.nodesAtStart = m_nodes;
        m_nodes += 1;
        m_stack.push_back(std::move(f));
    }

    void pop()
    {
        Frame f = std::move(m_stack.back());
        m_stack.pop_back();
        if (f.anchor)
            m_anchors[f.anchor] = {f.value, m_nodes - f.nodesAtStart};
        attach(std::move(f.value), f.mark);
    }

    QString m_file;
    QHash<QString, SourceLocation> *m_locations;
    std::vector<Frame> m_stack;
    std::unordered_map<YAML::anchor_t, std::pair<Json, qint64>> m_anchors;
    Json m_root;
    bool m_haveRoot = false;
    qint64 m_nodes = 0;
    qint64 m_aliasNodes = 0;
};

bool looksLikeJson(const QByteArray &data)
{
    for (char c : data) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

// Parses YAML (or JSON) text; `locations` receives every node's place.
ParsedFile parseText(QByteArray data, const QString &file)
{
    ParsedFile parsed;
    auto fail = [&](int line, int column, const QString &message) {
        parsed.diagnostics.append(makeError(file, line, column, message));
        parsed.ok = false;
        return parsed;
    };

    if (data.size() > DocumentLoader::MaxFileSize)
        return fail(
            0, 0,
            QStringLiteral("file is too large (%1 MiB); Gatehouse reads documents up to %2 MiB")
                .arg(data.size() / (1024 * 1024))
                .arg(DocumentLoader::MaxFileSize / (1024 * 1024)));
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3);
    const qsizetype nul = data.indexOf('\0');
    if (nul >= 0) {
        const auto [line, column] = lineColumnAt(data, nul);
        return fail(line, column,
                    QStringLiteral("binary data (a NUL byte) where a YAML or JSON "
                                   "document was expected"));
    }
    const qsizetype bad = invalidUtf8Offset(data);
    if (bad >= 0) {
        const auto [line, column] = lineColumnAt(data, bad);
        return fail(line, column,
                    QStringLiteral("invalid UTF-8 (byte 0x%1 at offset %2); "
                                   "documents must be UTF-8 text")
                        .arg(static_cast<unsigned char>(data.at(bad)), 2, 16, QLatin1Char('0'))
                        .arg(bad));
    }
    if (data.trimmed().isEmpty())
        return fail(1, 1, QStringLiteral("the document is empty"));

    const bool json = looksLikeJson(data);
    std::optional<Diagnostic> jsonError;
    Json jsonRoot;
    if (json) {
        const qsizetype deep = jsonTooDeepAt(data, DocumentLoader::MaxDepth);
        if (deep >= 0) {
            const auto [line, column] = lineColumnAt(data, deep);
            return fail(
                line, column,
                QStringLiteral("nesting deeper than %1 levels").arg(DocumentLoader::MaxDepth));
        }
        try {
            jsonRoot = Json::parse(data.constBegin(), data.constEnd());
        } catch (const Json::parse_error &e) {
            const auto [line, column] = lineColumnAt(data, static_cast<qsizetype>(e.byte) - 1);
            QString what = QString::fromStdString(e.what());
            // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
            const qsizetype colon
                = what.indexOf(QLatin1String(": "), what.indexOf(QLatin1String("column")));
            if (colon > 0)
                what = what.mid(colon + 2);
            jsonError = makeError(file, line, column, QStringLiteral("invalid JSON: ") + what);
        } catch (const Json::exception &e) {
            // a number beyond a double (2e+308): out_of_range, with no position of its own
            jsonError
                = makeError(file, 1, 1,
                            QStringLiteral("invalid JSON: ")
                                + QString::fromStdString(e.what()).section(u']', 1).trimmed());
        }
    }

    QHash<QString, SourceLocation> locations;
    try {
        std::istringstream in(std::string(data.constData(), static_cast<size_t>(data.size())));
        YAML::Parser parser(in);
        TreeBuilder builder(file, &locations);
        parser.HandleNextDocument(builder);
        if (!builder.hasRoot()) {
            if (jsonError)
                return fail(jsonError->location.line, jsonError->location.column,
                            jsonError->message);
            return fail(1, 1, QStringLiteral("the document is empty"));
        }
        parsed.root = builder.takeRoot();
    } catch (const LoadError &e) {
        if (jsonError)
            return fail(jsonError->location.line, jsonError->location.column, jsonError->message);
        return fail(e.line, e.column, e.message);
    } catch (const YAML::Exception &e) {
        if (jsonError)
            return fail(jsonError->location.line, jsonError->location.column, jsonError->message);
        if (json && !jsonError)
            locations.clear(); // JSON that yaml-cpp cannot follow: no locations below the root
        else
            return fail(e.mark.line + 1, e.mark.column + 1,
                        QStringLiteral("invalid YAML: ")
                            + (e.msg == "bad file" ? QStringLiteral(
                                   "the YAML parser gave up here (too deeply nested?)")
                                                   : QString::fromStdString(e.msg)));
    }
    if (json && !jsonError)
        parsed.root = std::move(jsonRoot);
    if (!locations.contains(QString()))
        locations.insert(QString(), SourceLocation {file, 1, 1});
    parsed.locations = std::move(locations);
    parsed.ok = true;
    return parsed;
}

ParsedFile readAndParse(const QString &path, const QString &displayName,
                        QByteArray *bytes = nullptr)
{
    ParsedFile parsed;
    QFileInfo info(path);
    if (!info.exists()) {
        parsed.diagnostics.append(makeError(displayName, 0, 0, QStringLiteral("file not found")));
        return parsed;
    }
    if (info.isDir()) {
        parsed.diagnostics.append(
            makeError(displayName, 0, 0, QStringLiteral("is a directory, not a file")));
        return parsed;
    }
    // A `$ref` may name any path: a FIFO or a device (/dev/stdin, /dev/zero) would
    // block the read or feed it without end.
    if (!info.isFile()) {
        parsed.diagnostics.append(
            makeError(displayName, 0, 0, QStringLiteral("is not a regular file")));
        return parsed;
    }
    if (info.size() > DocumentLoader::MaxFileSize) {
        parsed.diagnostics.append(makeError(
            displayName, 0, 0,
            QStringLiteral("file is too large (%1 MiB); Gatehouse reads documents up to %2 MiB")
                .arg(info.size() / (1024 * 1024))
                .arg(DocumentLoader::MaxFileSize / (1024 * 1024))));
        return parsed;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        parsed.diagnostics.append(
            makeError(displayName, 0, 0, QStringLiteral("cannot open: ") + file.errorString()));
        return parsed;
    }
    // Read at most one byte past the limit: a file that grows meanwhile stays bounded.
    const QByteArray data = file.read(DocumentLoader::MaxFileSize + 1);
    if (bytes)
        *bytes = data;
    return parseText(data, displayName);
}

// Bundles relative-file $refs into the root document.
class Bundler
{
public:
    Bundler(Document &document, QList<Diagnostic> &diagnostics, const QString &rootPath,
            const DocumentLoader::FileTexts &texts)
        : m_document(document)
        , m_diagnostics(diagnostics)
        , m_texts(texts)
    {
        m_rootKey = DocumentLoader::fileKey(rootPath);
    }

    void run(const QHash<QString, SourceLocation> &rootLocations)
    {
        auto root = std::make_shared<ParsedFile>();
        root->locations = rootLocations;
        // Local refs of the root document stay as written: without refs to other
        // files there is nothing to do.
        if (!hasExternalRef(m_document.root, 0))
            return;
        // Refs from other files back into this one need its tree as written.
        root->root = m_document.root;
        root->ok = true;
        m_files.insert(m_rootKey, root);
        m_names.insert(m_rootKey, m_document.fileName);
        Context ctx {m_rootKey, m_document.fileName, root.get()};
        walk(m_document.root, QString(), ctx, QString(), true);
    }

private:
    struct Context
    {
        QString key; // canonical path
        QString name; // display name
        const ParsedFile *file;
    };
    struct ChainEntry
    {
        QString key;
        QString fragment;
        QString name;
        QString referrerKey;
    };

    static bool hasExternalRef(const Json &node, int depth)
    {
        if (depth > DocumentLoader::MaxDepth)
            return false;
        if (node.is_object()) {
            const auto ref = node.find("$ref");
            if (ref != node.end() && ref->is_string()
                && !ref->get_ref<const std::string &>().starts_with('#'))
                return true;
            for (const Json &v : node)
                if (hasExternalRef(v, depth + 1))
                    return true;
        } else if (node.is_array()) {
            for (const Json &v : node)
                if (hasExternalRef(v, depth + 1))
                    return true;
        }
        return false;
    }

    // A file's name for messages: relative to the root document's folder.
    QString shortName(const QString &key) const
    {
        return QDir(QFileInfo(m_rootKey).absolutePath()).relativeFilePath(key);
    }

    void error(const QString &pointer, const QString &message)
    {
        Diagnostic d;
        d.location = m_document.locate(pointer);
        d.message = message;
        d.pointer = pointer;
        // The same ref reached along two paths reports once per place.
        for (const Diagnostic &seen : std::as_const(m_diagnostics))
            if (seen.location == d.location && seen.message == d.message)
                return;
        m_diagnostics.append(d);
    }

    void warning(const QString &pointer, const QString &message)
    {
        Diagnostic d;
        d.severity = Diagnostic::Severity::Warning;
        d.location = m_document.locate(pointer);
        d.message = message;
        d.pointer = pointer;
        m_diagnostics.append(d);
    }

    // `inRoot`: node is the root file's own content in place (locations already set).
    void walk(Json &node, const QString &pointer, const Context &ctx, const QString &srcPointer,
              bool inRoot)
    {
        if (m_failed)
            return;
        // Inlined files nest inside each other; keep the result within the depth
        // every later (recursive) consumer of the tree can handle.
        if (++m_depth > 2 * DocumentLoader::MaxDepth) {
            m_failed = true;
            error(pointer,
                  QStringLiteral("$refs to other files nest deeper than %1 levels")
                      .arg(2 * DocumentLoader::MaxDepth));
            return;
        }
        const auto leave = qScopeGuard([this] { --m_depth; });
        if (!inRoot) {
            if (++m_copied > DocumentLoader::MaxBundledNodes) {
                m_failed = true;
                error(pointer,
                      QStringLiteral("bundling $refs produces more than %1 nodes")
                          .arg(DocumentLoader::MaxBundledNodes));
                return;
            }
            const auto it = ctx.file->locations.constFind(srcPointer);
            if (it != ctx.file->locations.constEnd())
                m_document.locations.insert(pointer, *it);
        }
        if (node.is_object()) {
            const auto ref = node.find("$ref");
            if (ref != node.end() && ref->is_string()) {
                handleRef(node, pointer, ctx, ref->get<std::string>());
                return;
            }
            for (auto it = node.begin(); it != node.end(); ++it) {
                const std::string token = DocumentLoader::escapePointerToken(it.key());
                const QString t = QString::fromStdString(token);
                walk(it.value(), pointer + u'/' + t, ctx, srcPointer + u'/' + t, inRoot);
            }
        } else if (node.is_array()) {
            for (size_t i = 0; i < node.size(); ++i) {
                const QString t = QString::number(i);
                walk(node[i], pointer + u'/' + t, ctx, srcPointer + u'/' + t, inRoot);
            }
        }
    }

    void handleRef(Json &node, const QString &pointer, const Context &ctx,
                   const std::string &refText)
    {
        const QString ref = QString::fromStdString(refText);
        const QString refPointer = pointer + QStringLiteral("/$ref");
        const qsizetype hash = ref.indexOf(u'#');
        const QString pathPart = hash < 0 ? ref : ref.left(hash);
        const QString fragment
            = hash < 0 ? QString() : QUrl::fromPercentEncoding(ref.mid(hash + 1).toUtf8());

        if (pathPart.isEmpty()) {
            if (ctx.key == m_rootKey)
                return; // a local ref of the root document: kept as written
        } else {
            const QUrl url(pathPart);
            if (!url.scheme().isEmpty() && url.scheme().size() > 1) {
                warning(refPointer,
                        QStringLiteral("remote $ref '%1' is not fetched; Gatehouse "
                                       "resolves only refs within the document and to "
                                       "relative files")
                            .arg(ref));
                return;
            }
        }

        QString targetKey = ctx.key;
        QString targetName = ctx.name;
        if (!pathPart.isEmpty()) {
            const QString baseDir = QFileInfo(ctx.key).absolutePath();
            const QString absolute = QDir::isAbsolutePath(pathPart)
                ? pathPart
                : QDir(baseDir).absoluteFilePath(pathPart);
            targetKey = DocumentLoader::fileKey(absolute);
            targetName = QDir::isAbsolutePath(pathPart)
                ? pathPart
                : QDir::cleanPath(QFileInfo(ctx.name).path() + u'/' + pathPart);
            if (QFileInfo(ctx.name).path() == QLatin1String("."))
                targetName = QDir::cleanPath(pathPart);
        }

        if (!fragment.isEmpty() && !fragment.startsWith(u'/')) {
            error(refPointer,
                  QStringLiteral("$ref '%1': the part after '#' must be a JSON Pointer "
                                 "such as #/components/schemas/Name")
                      .arg(ref));
            return;
        }

        for (qsizetype i = 0; i < m_chain.size(); ++i) {
            if (m_chain.at(i).key == targetKey && m_chain.at(i).fragment == fragment) {
                QStringList names {shortName(m_chain.at(i).referrerKey)};
                for (qsizetype j = i; j < m_chain.size(); ++j)
                    names.append(shortName(m_chain.at(j).key));
                error(refPointer,
                      QStringLiteral("cyclic $ref: ") + names.join(QLatin1String(" -> ")));
                return;
            }
        }
        if (m_chain.size() >= DocumentLoader::MaxRefChain) {
            error(
                refPointer,
                QStringLiteral("$refs nested more than %1 deep").arg(DocumentLoader::MaxRefChain));
            return;
        }

        const ParsedFile *target = load(targetKey, targetName, refPointer, ref);
        if (!target)
            return;
        Json::json_pointer jp;
        try {
            jp = Json::json_pointer(fragment.toStdString());
        } catch (const Json::exception &) {
            error(refPointer, QStringLiteral("$ref '%1' has an invalid JSON Pointer").arg(ref));
            return;
        }
        if (!target->root.contains(jp)) {
            error(refPointer,
                  QStringLiteral("$ref '%1': '#%2' not found in %3")
                      .arg(ref, fragment.isEmpty() ? QStringLiteral("/") : fragment, targetName));
            return;
        }
        node = target->root.at(jp);
        m_chain.append(ChainEntry {targetKey, fragment, targetName, ctx.key});
        const Context next {targetKey, targetName, target};
        walk(node, pointer, next, fragment, false);
        m_chain.removeLast();
    }

    const ParsedFile *load(const QString &key, const QString &name, const QString &refPointer,
                           const QString &ref)
    {
        const auto it = m_files.constFind(key);
        if (it != m_files.constEnd())
            return (*it)->ok ? it->get() : nullptr;
        auto parsed = std::make_shared<ParsedFile>();
        const auto text = m_texts.constFind(key);
        QByteArray bytes;
        if (text != m_texts.constEnd()) {
            bytes = *text;
            *parsed = parseText(bytes, name);
        } else if (!QFileInfo::exists(key)) {
            error(refPointer, QStringLiteral("$ref '%1': file '%2' not found").arg(ref, name));
        } else {
            *parsed = readAndParse(key, name, &bytes);
        }
        // a file that does not parse is one of the document's files too: where it
        // gets mended
        if (key != m_rootKey && (text != m_texts.constEnd() || parsed->ok || !bytes.isEmpty()))
            m_document.files.append({key, bytes});
        if (text != m_texts.constEnd() || QFileInfo::exists(key)) {
            if (!parsed->ok) {
                for (const Diagnostic &d : std::as_const(parsed->diagnostics)) {
                    error(refPointer,
                          QStringLiteral("$ref '%1': %2 cannot be read: %3")
                              .arg(ref, name, d.message));
                    m_diagnostics.append(d);
                }
            }
        }
        m_files.insert(key, parsed);
        return parsed->ok ? parsed.get() : nullptr;
    }

    Document &m_document;
    QList<Diagnostic> &m_diagnostics;
    const DocumentLoader::FileTexts &m_texts;
    QString m_rootKey;
    QHash<QString, std::shared_ptr<ParsedFile>> m_files;
    QHash<QString, QString> m_names;
    QList<ChainEntry> m_chain;
    qint64 m_copied = 0;
    int m_depth = 0;
    bool m_failed = false;
};

DocumentLoader::Result finish(ParsedFile parsed, const QString &fileName, const QString &path,
                              bool anyValue = false, const DocumentLoader::FileTexts &texts = {})
{
    DocumentLoader::Result result;
    result.document.fileName = fileName;
    result.diagnostics = parsed.diagnostics;
    if (!parsed.ok)
        return result;
    result.document.root = std::move(parsed.root);
    result.document.locations = parsed.locations;
    if (anyValue)
        return result; // a part of a document: its $refs are read with the document
    if (!result.document.root.is_object()) {
        const SourceLocation at = result.document.locate(QString());
        result.diagnostics.append(
            makeError(fileName, at.line, at.column,
                      QStringLiteral("the document must be a mapping (an object) "
                                     "with an 'asyncapi' field, not ")
                          + describeJsonType(result.document.root)));
        return result;
    }
    Bundler bundler(result.document, result.diagnostics, path, texts);
    bundler.run(parsed.locations);
    return result;
}

} // namespace

QString DocumentLoader::escapePointerToken(const QString &token)
{
    if (!token.contains(u'~') && !token.contains(u'/'))
        return token;
    QString out = token;
    out.replace(u'~', QLatin1String("~0"));
    out.replace(u'/', QLatin1String("~1"));
    return out;
}

std::string DocumentLoader::escapePointerToken(const std::string &token)
{
    if (token.find_first_of("~/") == std::string::npos)
        return token;
    std::string out;
    out.reserve(token.size() + 4);
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

Json DocumentLoader::plainScalarValue(const std::string &text)
{
    return resolvePlain(text);
}

DocumentLoader::Result DocumentLoader::loadFile(const QString &path)
{
    return finish(readAndParse(path, path), path, path);
}

DocumentLoader::Result DocumentLoader::loadData(const QByteArray &data, const QString &fileName,
                                                const FileTexts &texts)
{
    return finish(parseText(data, fileName), fileName, fileName, false, texts);
}

QString DocumentLoader::fileKey(const QString &path)
{
    const QFileInfo info(path);
    const QString c = info.canonicalFilePath();
    return c.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : c;
}

DocumentLoader::Result DocumentLoader::loadValue(const QByteArray &data, const QString &fileName)
{
    return finish(parseText(data, fileName), fileName, fileName, true);
}

} // namespace Gatehouse
