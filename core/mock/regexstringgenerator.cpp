// SPDX-License-Identifier: GPL-3.0-or-later
#include "mock/regexstringgenerator.h"

#include <utility>
#include <vector>

namespace Gatehouse {

// A parsed pattern: a character set, a sequence, an alternation or a repetition.
struct RegexStringGenerator::Node
{
    enum class Type { Set, Sequence, Alternation, Repeat };
    Type type = Type::Sequence;
    std::vector<std::pair<char32_t, char32_t>> ranges; // Set (after negation is applied)
    std::vector<std::unique_ptr<Node>> children; // Sequence, Alternation, Repeat (one)
    int min = 0;
    int max = -1; // Repeat: -1 = no upper bound
};

namespace {

using Node = RegexStringGenerator::Node;
using Ranges = std::vector<std::pair<char32_t, char32_t>>;

constexpr char32_t PrintableFirst = 0x20;
constexpr char32_t PrintableLast = 0x7e;

Ranges digitRanges()
{
    return {{U'0', U'9'}};
}
Ranges wordRanges()
{
    return {{U'0', U'9'}, {U'A', U'Z'}, {U'_', U'_'}, {U'a', U'z'}};
}
Ranges spaceRanges()
{
    return {{U' ', U' '}};
}
Ranges dotRanges()
{
    return {{U'0', U'9'}, {U'A', U'Z'}, {U'a', U'z'}};
}

// The printable ASCII characters not in `ranges`.
Ranges complement(const Ranges &ranges)
{
    Ranges out;
    char32_t start = 0;
    bool open = false;
    for (char32_t c = PrintableFirst; c <= PrintableLast; ++c) {
        bool inside = false;
        for (const auto &r : ranges)
            if (c >= r.first && c <= r.second)
                inside = true;
        if (!inside && !open) {
            start = c;
            open = true;
        } else if (inside && open) {
            out.emplace_back(start, c - 1);
            open = false;
        }
    }
    if (open)
        out.emplace_back(start, PrintableLast);
    return out;
}

std::unique_ptr<Node> makeSet(Ranges ranges)
{
    auto node = std::make_unique<Node>();
    node->type = Node::Type::Set;
    node->ranges = std::move(ranges);
    return node;
}

class Parser
{
public:
    explicit Parser(const QString &pattern)
        : m_text(pattern.toUcs4())
    { }

    std::unique_ptr<Node> parse(QString *error)
    {
        auto node = parseAlternation();
        if (m_error.isEmpty() && m_pos < m_text.size())
            m_error = QStringLiteral("unbalanced ')' at offset %1").arg(m_pos);
        *error = m_error;
        return node;
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char32_t peek() const { return atEnd() ? 0 : m_text.at(m_pos); }
    char32_t take() { return atEnd() ? 0 : m_text.at(m_pos++); }
    void fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        m_pos = m_text.size();
    }

    std::unique_ptr<Node> parseAlternation()
    {
        auto alternation = std::make_unique<Node>();
        alternation->type = Node::Type::Alternation;
        alternation->children.push_back(parseSequence());
        while (!atEnd() && peek() == U'|') {
            take();
            alternation->children.push_back(parseSequence());
        }
        if (alternation->children.size() == 1)
            return std::move(alternation->children.front());
        return alternation;
    }

    std::unique_ptr<Node> parseSequence()
    {
        auto sequence = std::make_unique<Node>();
        sequence->type = Node::Type::Sequence;
        while (!atEnd() && peek() != U'|' && peek() != U')') {
            auto atom = parseAtom();
            if (!atom)
                continue; // zero-width (anchor)
            atom = parseQuantifier(std::move(atom));
            sequence->children.push_back(std::move(atom));
        }
        return sequence;
    }

    std::unique_ptr<Node> parseQuantifier(std::unique_ptr<Node> atom)
    {
        int min = 1;
        int max = 1;
        const char32_t c = peek();
        if (c == U'*') {
            take();
            min = 0;
            max = -1;
        } else if (c == U'+') {
            take();
            min = 1;
            max = -1;
        } else if (c == U'?') {
            take();
            min = 0;
            max = 1;
        } else if (c == U'{') {
            const qsizetype save = m_pos;
            take();
            int a = readNumber();
            if (a < 0) { // not a quantifier: a literal '{'
                m_pos = save;
                return atom;
            }
            int b = a;
            if (peek() == U',') {
                take();
                b = peek() == U'}' ? -1 : readNumber();
            }
            if (take() != U'}') {
                m_pos = save;
                return atom;
            }
            if (b >= 0 && b < a) {
                fail(QStringLiteral("quantifier {%1,%2} has min above max").arg(a).arg(b));
                return atom;
            }
            min = a;
            max = b;
        } else {
            return atom;
        }
        if (peek() == U'?' || peek() == U'+')
            take(); // lazy or possessive: the same strings match
        auto repeat = std::make_unique<Node>();
        repeat->type = Node::Type::Repeat;
        repeat->min = min;
        repeat->max = max;
        repeat->children.push_back(std::move(atom));
        return parseQuantifier(std::move(repeat));
    }

    int readNumber()
    {
        int value = -1;
        while (!atEnd() && peek() >= U'0' && peek() <= U'9') {
            value = (value < 0 ? 0 : value * 10) + int(take() - U'0');
            if (value > 10000) {
                fail(QStringLiteral("quantifier too large"));
                return -1;
            }
        }
        return value;
    }

    std::unique_ptr<Node> parseAtom()
    {
        const char32_t c = take();
        switch (c) {
        case U'^':
        case U'$':
            return nullptr;
        case U'.':
            return makeSet(dotRanges());
        case U'[':
            return parseClass();
        case U'(': {
            if (peek() == U'?') {
                take();
                const char32_t kind = take();
                if (kind == U'<' && peek() != U'=' && peek() != U'!') {
                    while (!atEnd() && peek() != U'>')
                        take();
                    take();
                } else if (kind != U':') {
                    fail(QStringLiteral("lookaround groups are not supported"));
                    return nullptr;
                }
            }
            auto inner = parseAlternation();
            if (take() != U')') {
                fail(QStringLiteral("missing ')'"));
                return nullptr;
            }
            return inner;
        }
        case U'\\':
            return parseEscape(false);
        case U'*':
        case U'+':
        case U'?':
            fail(QStringLiteral("quantifier without anything to repeat"));
            return nullptr;
        default:
            return makeSet({{c, c}});
        }
    }

    // After a backslash. In a class, \b is a backspace; outside, a word boundary.
    std::unique_ptr<Node> parseEscape(bool inClass)
    {
        if (atEnd()) {
            fail(QStringLiteral("pattern ends with a backslash"));
            return nullptr;
        }
        const char32_t c = take();
        switch (c) {
        case U'd':
            return makeSet(digitRanges());
        case U'D':
            return makeSet(complement(digitRanges()));
        case U'w':
            return makeSet(wordRanges());
        case U'W':
            return makeSet(complement(wordRanges()));
        case U's':
            return makeSet(spaceRanges());
        case U'S':
            return makeSet(complement({{U' ', U' '}}));
        case U't':
            return makeSet({{U'\t', U'\t'}});
        case U'n':
            return makeSet({{U'\n', U'\n'}});
        case U'r':
            return makeSet({{U'\r', U'\r'}});
        case U'f':
            return makeSet({{U'\f', U'\f'}});
        case U'v':
            return makeSet({{U'\v', U'\v'}});
        case U'0':
            return makeSet({{0, 0}});
        case U'b':
            if (inClass)
                return makeSet({{U'\b', U'\b'}});
            return nullptr;
        case U'B':
            return nullptr;
        case U'x':
        case U'u': {
            const int digits = c == U'x' ? 2 : 4;
            char32_t value = 0;
            for (int i = 0; i < digits; ++i) {
                const char32_t h = take();
                int v = -1;
                if (h >= U'0' && h <= U'9')
                    v = int(h - U'0');
                else if (h >= U'a' && h <= U'f')
                    v = int(h - U'a') + 10;
                else if (h >= U'A' && h <= U'F')
                    v = int(h - U'A') + 10;
                if (v < 0) {
                    fail(QStringLiteral("bad \\%1 escape").arg(QChar(char16_t(c))));
                    return nullptr;
                }
                value = value * 16 + char32_t(v);
            }
            return makeSet({{value, value}});
        }
        case U'p':
        case U'P':
            fail(QStringLiteral("Unicode property classes are not supported"));
            return nullptr;
        default:
            if (c >= U'1' && c <= U'9') {
                fail(QStringLiteral("backreferences are not supported"));
                return nullptr;
            }
            return makeSet({{c, c}});
        }
    }

    std::unique_ptr<Node> parseClass()
    {
        bool negated = false;
        if (peek() == U'^') {
            take();
            negated = true;
        }
        Ranges ranges;
        bool first = true;
        while (true) {
            if (atEnd()) {
                fail(QStringLiteral("missing ']'"));
                return nullptr;
            }
            char32_t c = peek();
            if (c == U']' && !first) {
                take();
                break;
            }
            first = false;
            take();
            Ranges item;
            if (c == U'\\') {
                auto escaped = parseEscape(true);
                if (!escaped)
                    return nullptr;
                item = escaped->ranges;
            } else {
                item = {{c, c}};
            }
            // A range a-z, unless '-' is last or follows a class escape such as \d.
            if (item.size() == 1 && item.front().first == item.front().second && peek() == U'-'
                && m_pos + 1 < m_text.size() && m_text.at(m_pos + 1) != U']') {
                take();
                char32_t high = take();
                if (high == U'\\') {
                    auto escaped = parseEscape(true);
                    if (!escaped)
                        return nullptr;
                    if (escaped->ranges.size() != 1
                        || escaped->ranges.front().first != escaped->ranges.front().second) {
                        fail(QStringLiteral("bad range in character class"));
                        return nullptr;
                    }
                    high = escaped->ranges.front().first;
                }
                if (high < item.front().first) {
                    fail(QStringLiteral("range out of order in character class"));
                    return nullptr;
                }
                item = {{item.front().first, high}};
            }
            ranges.insert(ranges.end(), item.begin(), item.end());
        }
        if (negated)
            ranges = complement(ranges);
        if (ranges.empty()) {
            fail(QStringLiteral("character class matches nothing printable"));
            return nullptr;
        }
        return makeSet(std::move(ranges));
    }

    QList<uint> m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

void generateInto(const Node &node, std::mt19937 &random, int maxExtra, QList<char32_t> *out)
{
    switch (node.type) {
    case Node::Type::Set: {
        quint64 total = 0;
        for (const auto &r : node.ranges)
            total += quint64(r.second - r.first) + 1;
        if (total == 0)
            return;
        quint64 pick = std::uniform_int_distribution<quint64>(0, total - 1)(random);
        for (const auto &r : node.ranges) {
            const quint64 size = quint64(r.second - r.first) + 1;
            if (pick < size) {
                out->append(char32_t(r.first + pick));
                return;
            }
            pick -= size;
        }
        return;
    }
    case Node::Type::Sequence:
        for (const auto &child : node.children)
            generateInto(*child, random, maxExtra, out);
        return;
    case Node::Type::Alternation: {
        const auto index
            = std::uniform_int_distribution<size_t>(0, node.children.size() - 1)(random);
        generateInto(*node.children[index], random, maxExtra, out);
        return;
    }
    case Node::Type::Repeat: {
        const int max = node.max < 0 ? node.min + maxExtra : node.max;
        const int count = std::uniform_int_distribution<int>(node.min, max)(random);
        for (int i = 0; i < count; ++i)
            generateInto(*node.children.front(), random, maxExtra, out);
        return;
    }
    }
}

} // namespace

RegexStringGenerator::RegexStringGenerator(const QString &pattern)
{
    Parser parser(pattern);
    m_root = parser.parse(&m_error);
    if (!m_error.isEmpty())
        m_root.reset();
}

RegexStringGenerator::~RegexStringGenerator() = default;
RegexStringGenerator::RegexStringGenerator(RegexStringGenerator &&) noexcept = default;
RegexStringGenerator &RegexStringGenerator::operator=(RegexStringGenerator &&) noexcept = default;

QString RegexStringGenerator::generate(std::mt19937 &random) const
{
    if (!m_root)
        return {};
    QList<char32_t> codePoints;
    generateInto(*m_root, random, m_maxExtra, &codePoints);
    return QString::fromUcs4(codePoints.constData(), codePoints.size());
}

} // namespace Gatehouse
