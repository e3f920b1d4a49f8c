// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/yamlemitter.h"

#include "asyncapi/documentloader.h"

namespace Gatehouse {

namespace {

bool isYaml11Word(const std::string &t)
{
    static const char *words[]
        = {"y",    "Y",     "yes",   "Yes",   "YES",  "n",    "N",    "no",   "No",
           "NO",   "on",    "On",    "ON",    "off",  "Off",  "OFF",  "true", "True",
           "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~"};
    for (const char *w : words)
        if (t == w)
            return true;
    return false;
}

bool looksNumeric(const std::string &t)
{
    // Strings a YAML 1.1 reader might take for a number (1_000, 1:20, 0777, .5);
    // versions such as 1.0.0 stay plain.
    if (t.empty())
        return false;
    const char c = t.front();
    if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
        return false;
    int dots = 0;
    for (char ch : t) {
        if (ch == '.')
            ++dots;
        else if (!((ch >= '0' && ch <= '9') || ch == '_' || ch == ':' || ch == '+' || ch == '-'
                   || ch == 'e' || ch == 'E' || ch == 'x' || ch == 'o' || (ch >= 'a' && ch <= 'f')
                   || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return dots < 2;
}

bool hasSpecialCharacters(const std::string &t, bool allowNewline)
{
    for (size_t i = 0; i < t.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(t[i]);
        if (c == '\n' && allowNewline)
            continue;
        if (c < 0x20 && c != '\t')
            return true;
        if (c == 0x7F)
            return true;
        // U+0085, U+2028, U+2029, U+FEFF: line breaks or BOM to some readers.
        if (c == 0xC2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x85)
            return true;
        if (c == 0xE2 && i + 2 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x80
            && (static_cast<unsigned char>(t[i + 2]) == 0xA8
                || static_cast<unsigned char>(t[i + 2]) == 0xA9))
            return true;
        if (c == 0xEF && i + 2 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0xBB
            && static_cast<unsigned char>(t[i + 2]) == 0xBF)
            return true;
    }
    return false;
}

bool plainReadsBack(const std::string &t)
{
    if (t.empty() || t.size() > 512)
        return false;
    if (hasSpecialCharacters(t, false) || t.find('\n') != std::string::npos
        || t.find('\t') != std::string::npos)
        return false;
    static const std::string indicators = "-?:,[]{}#&*!|>'\"%@`";
    if (indicators.find(t.front()) != std::string::npos)
        return false;
    if (t.front() == ' ' || t.back() == ' ' || t.back() == ':')
        return false;
    if (t.find(": ") != std::string::npos || t.find(" #") != std::string::npos)
        return false;
    if (t == "<<" || isYaml11Word(t) || looksNumeric(t) || t.rfind("...", 0) == 0)
        return false; // "..." at the start of a line ends a YAML document
    const Json resolved = DocumentLoader::plainScalarValue(t);
    return resolved.is_string() && resolved.get<std::string>() == t;
}

std::string doubleQuotedText(const std::string &t)
{
    const bool special = hasSpecialCharacters(t, true);
    return Json(t).dump(-1, ' ', special, Json::error_handler_t::replace);
}

std::string quotedScalar(const std::string &t)
{
    if (plainReadsBack(t))
        return t;
    if (!hasSpecialCharacters(t, false) && t.find('\n') == std::string::npos
        && t.find('\t') == std::string::npos) {
        std::string out = "'";
        for (char c : t) {
            if (c == '\'')
                out += "''";
            else
                out += c;
        }
        return out + "'";
    }
    return doubleQuotedText(t);
}

// Whether a multi-line string can be a literal block scalar that reads back exactly.
bool canBeLiteral(const std::string &t)
{
    if (t.find('\n') == std::string::npos || hasSpecialCharacters(t, true)
        || t.find('\r') != std::string::npos)
        return false;
    // The first non-empty line sets the indentation: it must not start with a space.
    size_t pos = 0;
    while (pos < t.size() && t[pos] == '\n')
        ++pos;
    if (pos == t.size() || t[pos] == ' ' || t[pos] == '\t')
        return false;
    if (pos > 0)
        return false; // leading empty lines: keep it simple, quote instead
    // Lines that consist only of spaces would be read as indentation.
    size_t lineStart = 0;
    while (lineStart <= t.size()) {
        const size_t end = t.find('\n', lineStart);
        const std::string line
            = t.substr(lineStart, end == std::string::npos ? std::string::npos : end - lineStart);
        if (!line.empty() && line.find_first_not_of(' ') == std::string::npos)
            return false;
        if (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
            return false;
        if (end == std::string::npos)
            break;
        lineStart = end + 1;
    }
    return true;
}

} // namespace

void YamlEmitter::emitScalar(std::string &out, const Json &v, int contentIndent) const
{
    switch (v.type()) {
    case Json::value_t::null:
        out += " null\n";
        return;
    case Json::value_t::boolean:
        out += v.get<bool>() ? " true\n" : " false\n";
        return;
    case Json::value_t::string: {
        const std::string &t = v.get_ref<const std::string &>();
        if (!canBeLiteral(t)) {
            out += ' ';
            out += quotedScalar(t);
            out += '\n';
            return;
        }
        size_t trailing = 0;
        while (trailing < t.size() && t[t.size() - 1 - trailing] == '\n')
            ++trailing;
        out += trailing == 0 ? " |-\n" : trailing == 1 ? " |\n" : " |+\n";
        const std::string body = t.substr(0, t.size() - trailing);
        size_t lineStart = 0;
        while (true) {
            const size_t end = body.find('\n', lineStart);
            const std::string line = body.substr(
                lineStart, end == std::string::npos ? std::string::npos : end - lineStart);
            if (!line.empty())
                out.append(static_cast<size_t>(contentIndent), ' ') += line;
            out += '\n';
            if (end == std::string::npos)
                break;
            lineStart = end + 1;
        }
        for (size_t i = 1; i < trailing; ++i)
            out += '\n';
        return;
    }
    default:
        out += ' ';
        out += v.dump();
        out += '\n';
        return;
    }
}

void YamlEmitter::emitAfterIndicator(std::string &out, const Json &v, int indent,
                                     bool sequenceItem) const
{
    if (v.is_object() && !v.empty()) {
        if (sequenceItem) {
            out += ' ';
            emitMapping(out, v, indent + 2, true);
        } else {
            out += '\n';
            emitMapping(out, v, indent + m_step, false);
        }
    } else if (v.is_array() && !v.empty()) {
        if (sequenceItem) {
            out += ' ';
            emitSequence(out, v, indent + 2, true);
        } else {
            out += '\n';
            emitSequence(out, v, indent + m_step, false);
        }
    } else if (v.is_object()) {
        out += " {}\n";
    } else if (v.is_array()) {
        out += " []\n";
    } else {
        emitScalar(out, v, indent + m_step);
    }
}

void YamlEmitter::emitMapping(std::string &out, const Json &m, int indent, bool inlineFirst) const
{
    bool first = true;
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (!(first && inlineFirst))
            out.append(static_cast<size_t>(indent), ' ');
        first = false;
        out += quotedScalar(it.key());
        out += ':';
        emitAfterIndicator(out, it.value(), indent, false);
    }
}

void YamlEmitter::emitSequence(std::string &out, const Json &a, int indent, bool inlineFirst) const
{
    bool first = true;
    for (const Json &item : a) {
        if (!(first && inlineFirst))
            out.append(static_cast<size_t>(indent), ' ');
        first = false;
        out += '-';
        emitAfterIndicator(out, item, indent, true);
    }
}

QByteArray YamlEmitter::document(const Json &value) const
{
    std::string out;
    if ((value.is_object() || value.is_array()) && !value.empty()) {
        out = block(value, 0);
    } else {
        emitAfterIndicator(out, value, -m_step, false);
        out.erase(0, 1);
    }
    return QByteArray::fromStdString(out);
}

std::string YamlEmitter::afterIndicator(const Json &value, int indent, bool sequenceItem) const
{
    std::string out;
    emitAfterIndicator(out, value, indent, sequenceItem);
    return out;
}

std::string YamlEmitter::block(const Json &value, int indent) const
{
    std::string out;
    if (value.is_object())
        emitMapping(out, value, indent, false);
    else if (value.is_array())
        emitSequence(out, value, indent, false);
    return out;
}

std::string YamlEmitter::scalar(const std::string &text)
{
    return quotedScalar(text);
}

std::string YamlEmitter::doubleQuoted(const std::string &text)
{
    return doubleQuotedText(text);
}

bool YamlEmitter::canBePlain(const std::string &text)
{
    return plainReadsBack(text);
}

} // namespace Gatehouse
