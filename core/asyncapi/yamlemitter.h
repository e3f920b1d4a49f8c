// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"

#include <QByteArray>

#include <string>

namespace Gatehouse {

// Writes JSON values as block-style YAML that reads back as the same values: strings
// a YAML reader would take for something else ("yes", "123", "a: b") are quoted,
// multi-line strings become literal blocks. `step` is the indentation of a nested
// mapping (2 unless a document being edited uses another).
class YamlEmitter final
{
public:
    explicit YamlEmitter(int step = 2)
        : m_step(step)
    { }

    // A whole document (or a value at column 0), ending with a newline.
    QByteArray document(const Json &value) const;

    // What follows "key:" or "- " for `value` when the key or dash is at column
    // `indent`: " scalar\n", " {}\n", or "\n" and the indented block. A sequence
    // item's mapping starts on the dash's line ("- a: 1\n  b: 2\n").
    std::string afterIndicator(const Json &value, int indent, bool sequenceItem) const;

    // A block mapping or sequence at column `indent`, every line indented (the first
    // too), ending with a newline.
    std::string block(const Json &value, int indent) const;

    // A scalar as it is written after "key: " on one line: plain when that reads
    // back as the same string, else single- or double-quoted.
    static std::string scalar(const std::string &text);
    static std::string doubleQuoted(const std::string &text);
    // Whether `text` written plain reads back as the same string.
    static bool canBePlain(const std::string &text);

private:
    void emitScalar(std::string &out, const Json &v, int contentIndent) const;
    void emitAfterIndicator(std::string &out, const Json &v, int indent, bool sequenceItem) const;
    void emitMapping(std::string &out, const Json &m, int indent, bool inlineFirst) const;
    void emitSequence(std::string &out, const Json &a, int indent, bool inlineFirst) const;

    int m_step;
};

} // namespace Gatehouse
