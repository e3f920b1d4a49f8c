// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include <memory>
#include <random>

namespace Gatehouse {

// Makes strings that a regular expression (ECMA-262 flavour, as JSON Schema's
// `pattern` uses) matches in full: literals, escapes, character classes with ranges
// and negation, ., groups with alternation, and the quantifiers * + ? {n} {n,}
// {n,m}. Anchors are accepted and produce nothing. Lookarounds, backreferences and
// Unicode property classes are not supported: isSupported() is false.
class RegexStringGenerator
{
public:
    explicit RegexStringGenerator(const QString &pattern);
    ~RegexStringGenerator();
    RegexStringGenerator(RegexStringGenerator &&) noexcept;
    RegexStringGenerator &operator=(RegexStringGenerator &&) noexcept;

    bool isSupported() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }

    // An open-ended quantifier (*, +, {n,}) repeats at most its minimum plus this.
    void setMaxExtraRepeats(int extra) { m_maxExtra = extra; }

    QString generate(std::mt19937 &random) const;

    struct Node;

private:
    QString m_error;
    std::unique_ptr<Node> m_root;
    int m_maxExtra = 4;
};

} // namespace Gatehouse
