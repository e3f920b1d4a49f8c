// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/documentloader.h"
#include "asyncapi/sourcetext.h"

#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTest>

using namespace Gatehouse;

namespace {

// The model a text reads as; `path` is where its relative $refs start.
Json parsed(const QByteArray &text, const QString &path = QStringLiteral("edit.yaml"))
{
    const auto result = DocumentLoader::loadData(text, path);
    return result.ok() ? result.document.root : Json(QStringLiteral("<unreadable>").toStdString());
}

// Every YAML and JSON document under tests/data and resources/samples.
QStringList documentFiles()
{
    QStringList files;
    for (const QString &dir : {Test::sourcePath(QStringLiteral("tests/data")),
                               Test::sourcePath(QStringLiteral("resources/samples"))}) {
        QDirIterator it(
            dir, {QStringLiteral("*.yaml"), QStringLiteral("*.yml"), QStringLiteral("*.json")},
            QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
    }
    files.sort();
    return files;
}

// The same object with one member renamed where it stands.
Json renamed(const Json &object, const std::string &from, const std::string &to)
{
    Json out = Json::object();
    for (auto it = object.begin(); it != object.end(); ++it)
        out[it.key() == from ? to : it.key()] = it.value();
    return out;
}

Json moved(const Json &container, size_t from, size_t to)
{
    if (container.is_array()) {
        Json out = container;
        Json item = out[from];
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(from));
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(to), item);
        return out;
    }
    std::vector<std::pair<std::string, Json>> members;
    for (auto it = container.begin(); it != container.end(); ++it)
        members.emplace_back(it.key(), it.value());
    auto member = members[from];
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(from));
    members.insert(members.begin() + static_cast<std::ptrdiff_t>(to), member);
    Json out = Json::object();
    for (auto &[key, value] : members)
        out[key] = value;
    return out;
}

int lineOf(const QByteArray &text, qsizetype offset)
{
    return static_cast<int>(text.left(offset).count('\n')) + 1;
}

} // namespace

class tst_SourceText : public QObject
{
    Q_OBJECT

private slots:
    void edits_data();
    void edits();
    void refusals_data();
    void refusals();
    void inverseTakesTheTextBack();
    void placesOfNodes();
    void fragments();
    void fragmentKeepsWhatTheUserTyped();
    void badFragmentIsRefused();
    void everyDocument_data();
    void everyDocument();
};

void tst_SourceText::edits_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QByteArray>("value"); // JSON, or the new key, or the new index
    QTest::addColumn<QByteArray>("after");

    const QByteArray doc = "# Chats\n"
                           "asyncapi: 2.6.0 # version\n"
                           "info:\n"
                           "  title: 'Chats'\n"
                           "  version: \"1.0\"\n"
                           "\n"
                           "channels:\n"
                           "  # the rooms\n"
                           "  /rooms/{id}:\n"
                           "    description: A room\n"
                           "  /notifications: {}\n"
                           "  /news:\n"
                           "    description: >\n"
                           "      Folded\n"
                           "      text\n"
                           "    tags: [a, b]\n";

    QTest::newRow("plain scalar keeps its comment")
        << doc << "set"
        << "/asyncapi" << QByteArray("\"3.0.0\"")
        << QByteArray(doc).replace("2.6.0 # version", "3.0.0 # version");
    QTest::newRow("single-quoted stays single-quoted")
        << doc << "set"
        << "/info/title" << QByteArray("\"Chat rooms\"")
        << QByteArray(doc).replace("'Chats'", "'Chat rooms'");
    QTest::newRow("single-quoted with a quote in it")
        << doc << "set"
        << "/info/title" << QByteArray("\"Chat's rooms\"")
        << QByteArray(doc).replace("'Chats'", "'Chat''s rooms'");
    QTest::newRow("double-quoted stays double-quoted")
        << doc << "set"
        << "/info/version" << QByteArray("\"2.0\"")
        << QByteArray(doc).replace("\"1.0\"", "\"2.0\"");
    QTest::newRow("string that needs quotes")
        << doc << "set"
        << "/channels/~1rooms~1{id}/description" << QByteArray("\"yes\"")
        << QByteArray(doc).replace("description: A room", "description: 'yes'");
    QTest::newRow("number") << doc << "set"
                            << "/channels/~1rooms~1{id}/description" << QByteArray("12")
                            << QByteArray(doc).replace("description: A room", "description: 12");
    QTest::newRow("multi-line string becomes a literal block")
        << doc << "set"
        << "/channels/~1rooms~1{id}/description" << QByteArray("\"one\\ntwo\"")
        << QByteArray(doc).replace("description: A room", "description: |-\n      one\n      two");
    QTest::newRow("folded block replaced")
        << doc << "set"
        << "/channels/~1news/description" << QByteArray("\"short\"")
        << QByteArray(doc).replace(">\n      Folded\n      text", "short");
    QTest::newRow("flow sequence item") << doc << "set"
                                        << "/channels/~1news/tags/1" << QByteArray("\"c\"")
                                        << QByteArray(doc).replace("[a, b]", "[a, c]");
    const QByteArray quotedFlow = "refs: [{$ref: '#/a/b'}, x]\n";
    QTest::newRow("single-quoted in flow stays single-quoted")
        << quotedFlow << "set"
        << "/refs/0/$ref" << QByteArray("\"#/a/it's\"")
        << QByteArray("refs: [{$ref: '#/a/it''s'}, x]\n");
    QTest::newRow("plain in flow quoted where it must be")
        << quotedFlow << "set"
        << "/refs/1" << QByteArray("\"y, z\"") << QByteArray("refs: [{$ref: '#/a/b'}, \"y, z\"]\n");
    QTest::newRow("append to flow sequence") << doc << "set"
                                             << "/channels/~1news/tags/-" << QByteArray("\"c\"")
                                             << QByteArray(doc).replace("[a, b]", "[a, b, c]");
    QTest::newRow("new member at the end of its mapping")
        << doc << "set"
        << "/info/description" << QByteArray("\"Rooms\"")
        << QByteArray(doc).replace("  version: \"1.0\"\n",
                                   "  version: \"1.0\"\n  description: Rooms\n");
    QTest::newRow("new member with missing parents")
        << doc << "set"
        << "/channels/~1rooms~1{id}/x-uri-mapping" << QByteArray("\"/rooms?id={id}\"")
        << QByteArray(doc).replace("    description: A room\n",
                                   "    description: A room\n    x-uri-mapping: /rooms?id={id}\n");
    QTest::newRow("new nested mapping")
        << doc << "set"
        << "/x-gatehouse/policies/0" << QByteArray(R"({"type": "log"})")
        << doc + "x-gatehouse:\n  policies:\n    - type: log\n";
    QTest::newRow("into an empty flow mapping")
        << doc << "set"
        << "/channels/~1notifications/description" << QByteArray("\"News\"")
        << QByteArray(doc).replace("/notifications: {}", "/notifications: {description: News}");
    QTest::newRow("block mapping replaced by a scalar")
        << doc << "set"
        << "/info" << QByteArray("\"none\"")
        << QByteArray(doc).replace("info:\n  title: 'Chats'\n  version: \"1.0\"", "info: none");
    QTest::newRow("block mapping replaced by a mapping")
        << doc << "set"
        << "/channels/~1rooms~1{id}" << QByteArray(R"({"description": "B", "x": [1]})")
        << QByteArray(doc).replace("    description: A room\n",
                                   "    description: B\n    x:\n      - 1\n");
    QTest::newRow("scalar replaced by a mapping keeps the comment")
        << doc << "set"
        << "/asyncapi" << QByteArray(R"({"a": 1})")
        << QByteArray(doc).replace("asyncapi: 2.6.0 # version", "asyncapi:\n  a: 1 # version");
    QTest::newRow("remove a member with its comment")
        << doc << "remove"
        << "/channels/~1rooms~1{id}" << QByteArray()
        << QByteArray(doc).replace("  # the rooms\n  /rooms/{id}:\n    description: A room\n", "");
    QTest::newRow("remove the last member of a block mapping")
        << doc << "remove"
        << "/channels/~1news" << QByteArray()
        << QByteArray(doc).replace(
               "  /news:\n    description: >\n      Folded\n      text\n    tags: [a, b]\n", "");
    QTest::newRow("remove the only member")
        << QByteArray("a:\n  b: 1\nc: 2\n") << "remove"
        << "/a/b" << QByteArray() << QByteArray("a: {}\nc: 2\n");
    QTest::newRow("remove a flow item")
        << doc << "remove"
        << "/channels/~1news/tags/0" << QByteArray() << QByteArray(doc).replace("[a, b]", "[b]");
    QTest::newRow("remove the last flow item")
        << doc << "remove"
        << "/channels/~1news/tags/1" << QByteArray() << QByteArray(doc).replace("[a, b]", "[a]");
    QTest::newRow("rename a channel")
        << doc << "rename"
        << "/channels/~1rooms~1{id}" << QByteArray("/rooms/{roomId}")
        << QByteArray(doc).replace("/rooms/{id}:", "/rooms/{roomId}:");
    QTest::newRow("rename to a key that needs quotes")
        << doc << "rename"
        << "/info/title" << QByteArray("a: b")
        << QByteArray(doc).replace("title: 'Chats'", "'a: b': 'Chats'");
    QTest::newRow("move a channel first")
        << doc << "move"
        << "/channels/~1news" << QByteArray("0")
        << QByteArray(doc)
               .replace(
                   "  /news:\n    description: >\n      Folded\n      text\n    tags: [a, b]\n", "")
               .replace("  # the rooms\n",
                        "  /news:\n    description: >\n      Folded\n      text\n"
                        "    tags: [a, b]\n  # the rooms\n");
    QTest::newRow("move the first channel last")
        << doc << "move"
        << "/channels/~1rooms~1{id}" << QByteArray("2")
        << QByteArray(doc).replace("  # the rooms\n  /rooms/{id}:\n    description: A room\n", "")
            + "  # the rooms\n  /rooms/{id}:\n    description: A room\n";

    const QByteArray items = "list:\n  - name: a\n    size: 1\n  - name: b\n  - c\n";
    QTest::newRow("append a block item") << items << "set"
                                         << "/list/-" << QByteArray(R"({"name": "d", "size": 4})")
                                         << items + "  - name: d\n    size: 4\n";
    QTest::newRow("remove a block item")
        << items << "remove"
        << "/list/1" << QByteArray() << QByteArray("list:\n  - name: a\n    size: 1\n  - c\n");
    QTest::newRow("remove the first member beside a dash")
        << items << "remove"
        << "/list/0/name" << QByteArray() << QByteArray("list:\n  - size: 1\n  - name: b\n  - c\n");
    QTest::newRow("set a member beside a dash")
        << items << "set"
        << "/list/0/name" << QByteArray("\"z\"") << QByteArray(items).replace("name: a", "name: z");
    QTest::newRow("add to an item's mapping")
        << items << "set"
        << "/list/1/size" << QByteArray("2")
        << QByteArray(items).replace("  - name: b\n", "  - name: b\n    size: 2\n");
    QTest::newRow("replace an item by a mapping")
        << items << "set"
        << "/list/2" << QByteArray(R"({"name": "c", "size": 3})")
        << QByteArray(items).replace("  - c\n", "  - name: c\n    size: 3\n");

    QTest::newRow("empty value") << QByteArray("a:\nb: 1\n") << "set"
                                 << "/a/x" << QByteArray("true")
                                 << QByteArray("a:\n  x: true\nb: 1\n");
    QTest::newRow("four-space indentation")
        << QByteArray("a:\n    b: 1\n") << "set"
        << "/c/d" << QByteArray("1") << QByteArray("a:\n    b: 1\nc:\n    d: 1\n");
    QTest::newRow("no newline at the end") << QByteArray("a: 1") << "set"
                                           << "/b" << QByteArray("2") << QByteArray("a: 1\nb: 2");
    QTest::newRow("CRLF line ends") << QByteArray("a:\r\n  b: 1\r\n") << "set"
                                    << "/a/c" << QByteArray(R"({"d": 1})")
                                    << QByteArray("a:\r\n  b: 1\r\n  c:\r\n    d: 1\r\n");
    QTest::newRow("byte order mark and UTF-8")
        << QByteArray("\xEF\xBB\xBFtitle: Caf\xC3\xA9\nb: 1\n") << "set"
        << "/b" << QByteArray("2") << QByteArray("\xEF\xBB\xBFtitle: Caf\xC3\xA9\nb: 2\n");
    QTest::newRow("multi-line plain scalar")
        << QByteArray("a: one\n  two\nb: 1\n") << "set"
        << "/a" << QByteArray("\"x\"") << QByteArray("a: x\nb: 1\n");
    QTest::newRow("literal block with a hash line")
        << QByteArray("a: |\n  one\n  # not a comment\n# comment\nb: 1\n") << "set"
        << "/a" << QByteArray("\"x\"") << QByteArray("a: x\n# comment\nb: 1\n");

    const QByteArray json = "{\n  \"info\": {\n    \"title\": \"Chats\"\n  },\n  \"tags\": []\n}\n";
    QTest::newRow("JSON member") << json << "set"
                                 << "/info/version" << QByteArray("\"1.0\"")
                                 << QByteArray(json).replace(
                                        "\"Chats\"\n", "\"Chats\",\n    \"version\": \"1.0\"\n");
    QTest::newRow("JSON nested value is pretty")
        << json << "set"
        << "/info/x" << QByteArray(R"({"a": [1]})")
        << QByteArray(json).replace(
               "\"Chats\"\n",
               "\"Chats\",\n    \"x\": {\n      \"a\": [\n        1\n      ]\n    }\n");
    QTest::newRow("JSON into an empty array")
        << json << "set"
        << "/tags/-" << QByteArray("\"a\"") << QByteArray(json).replace("[]", "[\n    \"a\"\n  ]");
    QTest::newRow("JSON remove") << json << "remove"
                                 << "/tags" << QByteArray()
                                 << QByteArray(
                                        "{\n  \"info\": {\n    \"title\": \"Chats\"\n  }\n}\n");
    QTest::newRow("JSON rename") << json << "rename"
                                 << "/info/title" << QByteArray("name")
                                 << QByteArray(json).replace("\"title\"", "\"name\"");
}

void tst_SourceText::edits()
{
    QFETCH(QByteArray, before);
    QFETCH(QString, operation);
    QFETCH(QString, pointer);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, after);

    const SourceText text(before);
    QVERIFY2(text.ok(), qPrintable(text.error()));
    QString error;
    std::optional<TextChange> change;
    if (operation == QLatin1String("set"))
        change = text.set(pointer, Json::parse(value.toStdString()), &error);
    else if (operation == QLatin1String("remove"))
        change = text.remove(pointer, &error);
    else if (operation == QLatin1String("rename"))
        change = text.renameKey(pointer, QString::fromUtf8(value), &error);
    else
        change = text.move(pointer, value.toInt(), &error);
    QVERIFY2(change, qPrintable(error));
    QCOMPARE(change->appliedTo(before), after);
}

void tst_SourceText::refusals_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("error");

    QTest::newRow("anchored") << QByteArray("a: &x\n  b: 1\nc: *x\n") << "/a/b"
                              << "/a/b is shared through a YAML anchor or written in a form "
                                 "that is edited in the source only";
    QTest::newRow("alias") << QByteArray("a: &x 1\nc: *x\n") << "/c"
                           << "/c is shared through a YAML anchor or written in a form that "
                              "is edited in the source only";
    QTest::newRow("scalar parent") << QByteArray("a: 1\n") << "/a/b"
                                   << "/a holds a single value, not members";
    QTest::newRow("sequence gap") << QByteArray("a: [1]\n") << "/a/5"
                                  << "/a has no item 5";
}

void tst_SourceText::refusals()
{
    QFETCH(QByteArray, before);
    QFETCH(QString, pointer);
    QFETCH(QString, error);
    const SourceText text(before);
    QVERIFY(text.ok());
    QString why;
    QVERIFY(!text.set(pointer, Json(1), &why));
    QCOMPARE(why, error);

    const SourceText broken("a: [1\n");
    QVERIFY(!broken.ok());
    QVERIFY(broken.error().startsWith(u"line "));
    QVERIFY(!broken.set(QStringLiteral("/a"), Json(1)));
}

void tst_SourceText::inverseTakesTheTextBack()
{
    const QByteArray before = "a: 1 # one\nb:\n  c: [x]\n";
    const SourceText text(before);
    const auto change = text.set(QStringLiteral("/b/c/0"), Json("longer value"));
    QVERIFY(change);
    const QByteArray after = change->appliedTo(before);
    QCOMPARE(change->inverse(before).appliedTo(after), before);
    QCOMPARE(change->length, 1); // only the bytes that differ
}

void tst_SourceText::everyDocument_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("asJson"); // the same document written as indented JSON
    const QStringList files = documentFiles();
    QVERIFY(files.size() >= 15);
    for (const QString &file : files) {
        const QString name = QDir(Test::sourcePath(QString())).relativeFilePath(file);
        QTest::newRow(qPrintable(name)) << file << false;
        QTest::newRow(qPrintable(name + u" as JSON")) << file << true;
    }
}

// Edits every kind of node of a real document: the text reads back as the edited
// model, and only the edited node's lines changed.
void tst_SourceText::everyDocument()
{
    QFETCH(QString, path);
    QFETCH(bool, asJson);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray before = file.readAll();
    if (asJson) {
        const Json tree = parsed(before, path);
        if (tree.is_string())
            QSKIP("not a document the loader reads on its own (a test of bad input)");
        before = QByteArray::fromStdString(tree.dump(2)) + '\n';
    }
    const SourceText text(before);
    if (!text.ok())
        QSKIP(qPrintable(u"not readable (a test of bad input): "_qs + text.error()));
    const Json original = parsed(before, path);
    if (original.is_string())
        QSKIP("not a document the loader reads on its own (a test of bad input)");

    const QStringList pointers = text.pointers();
    const qsizetype stride = std::max<qsizetype>(1, pointers.size() / 120);
    int edits = 0;
    for (qsizetype i = 1; i < pointers.size(); i += stride) {
        const QString pointer = pointers.at(i);
        const Json::json_pointer jp(pointer.toStdString());
        if (!original.contains(jp) || jp.back() == "$ref")
            continue; // under a merge key or a bundled $ref; a $ref's text is read as one
        const Json &node = original.at(jp);
        const Json::json_pointer parentPointer = jp.parent_pointer();
        const Json &parent = original.at(parentPointer);
        const auto [spanStart, spanEnd] = text.valueSpan(pointer);
        // A $ref to another file is replaced by what it names when read.
        const bool isRef = text.contains(pointer + u"/$ref");
        const bool parentIsRef
            = text.contains(QString::fromStdString(parentPointer.to_string()) + u"/$ref");
        const auto check = [&](const char *what, const std::optional<TextChange> &change,
                               const QString &error, const Json &expected, int firstLine,
                               int lastLine) {
            if (!change) {
                QVERIFY2(error.contains(u"shared through a YAML anchor"),
                         qPrintable(u"%1 %2: %3"_qs.arg(QLatin1String(what), pointer, error)));
                return;
            }
            const QByteArray after = change->appliedTo(before);
            QVERIFY2(parsed(after, path) == expected,
                     qPrintable(u"%1 %2 reads back differently:\n%3"_qs.arg(
                         QLatin1String(what), pointer, QString::fromUtf8(after))));
            const int changedFrom = lineOf(before, change->offset);
            const int changedTo = lineOf(before, change->offset + change->length);
            QVERIFY2(changedFrom >= firstLine && changedTo <= lastLine,
                     qPrintable(u"%1 %2 changed lines %3-%4, outside %5-%6"_qs
                                    .arg(QLatin1String(what), pointer)
                                    .arg(changedFrom)
                                    .arg(changedTo)
                                    .arg(firstLine)
                                    .arg(lastLine)));
            ++edits;
        };
        // The node's own lines: from its key (or the line before it, for a comment
        // or an indicator that moves) to the line after its value.
        const int keyLine = std::max(1, lineOf(before, spanStart) - 1);
        const int firstLine = keyLine - 1;
        const int lastLine = lineOf(before, spanEnd) + 1;

        QString error;
        // Set: a scalar gets another value; a mapping gets a new member.
        if (node.is_object() && !isRef) {
            Json expected = original;
            expected[jp]["x-edited"] = "by a form: yes";
            Json::json_pointer member = jp;
            member.push_back("x-edited");
            const int endLine = lineOf(before, spanEnd);
            check("add",
                  text.set(QString::fromStdString(member.to_string()), Json("by a form: yes"),
                           &error),
                  error, expected, 1, endLine + 2);
            QVERIFY(!QTest::currentTestFailed());
        } else if (!node.is_object() && !node.is_array()) {
            Json expected = original;
            expected[jp] = node.is_string() ? Json("edited\nover two lines") : Json(42);
            check("set", text.set(pointer, expected[jp], &error), error, expected, firstLine,
                  lastLine);
            QVERIFY(!QTest::currentTestFailed());
        }
        // Remove.
        if (!parentIsRef) {
            Json expected = original;
            if (parent.is_array())
                expected[parentPointer].erase(static_cast<size_t>(std::stoul(jp.back())));
            else
                expected[parentPointer].erase(jp.back());
            check("remove", text.remove(pointer, &error), error, expected, 1, lastLine);
            QVERIFY(!QTest::currentTestFailed());
        }
        // Rename and move a mapping member.
        if (parent.is_object() && !parentIsRef && !parent.contains("x-renamed")) {
            Json expected = original;
            expected[parentPointer] = renamed(parent, jp.back(), "x-renamed");
            check("rename", text.renameKey(pointer, QStringLiteral("x-renamed"), &error), error,
                  expected, keyLine - 1, keyLine + 2);
            QVERIFY(!QTest::currentTestFailed());
        }
        if ((parent.is_object() || parent.is_array()) && parent.size() > 1 && !parentIsRef) {
            const QStringList tokens = pointer.split(u'/');
            size_t index = 0;
            if (parent.is_array()) {
                index = static_cast<size_t>(std::stoul(jp.back()));
            } else {
                for (auto it = parent.begin(); it != parent.end(); ++it, ++index)
                    if (it.key() == jp.back())
                        break;
            }
            const size_t to = index == 0 ? parent.size() - 1 : 0;
            Json expected = original;
            expected[parentPointer] = moved(parent, index, to);
            const auto change = text.move(pointer, static_cast<int>(to), &error);
            if (change || !error.contains(u"reordered in the source only"))
                check("move", change, error, expected, 1, std::numeric_limits<int>::max());
            QVERIFY(!QTest::currentTestFailed());
        }
    }
    QVERIFY(edits > 0);
}

void tst_SourceText::placesOfNodes()
{
    // where "go to" a node lands, and which node a place in the text belongs to
    const QByteArray text = "info:\n"
                            "  title: Chats # the name\n"
                            "channels:\n"
                            "  /rooms/{id}:\n"
                            "    description: A room\n"
                            "list: [1, 22]\n";
    const SourceText source(text);
    QVERIFY(source.ok());
    QCOMPARE(source.nodeStart(u"/info/title"_qs), text.indexOf("title:"));
    QCOMPARE(source.nodeStart(u"/channels/~1rooms~1{id}"_qs), text.indexOf("/rooms/"));
    QCOMPARE(source.nodeStart(u"/list/1"_qs), text.indexOf("22"));
    QCOMPARE(source.nodeStart(u"/nothing"_qs), qsizetype(-1));

    QCOMPARE(source.pointerAt(text.indexOf("itle:")), u"/info/title"_qs);
    QCOMPARE(source.pointerAt(text.indexOf("Chats")), u"/info/title"_qs);
    QCOMPARE(source.pointerAt(text.indexOf("A room")), u"/channels/~1rooms~1{id}/description"_qs);
    QCOMPARE(source.pointerAt(text.indexOf("rooms/{id}:") + 2), u"/channels/~1rooms~1{id}"_qs);
    QCOMPARE(source.pointerAt(text.indexOf("22") + 1), u"/list/1"_qs);
    QCOMPARE(source.pointerAt(text.indexOf("info")), u"/info"_qs);
}

void tst_SourceText::fragments()
{
    const QByteArray doc = "components:\n"
                           "  messages:\n"
                           "    Chat:\n"
                           "      payload:\n"
                           "        # what a member sends\n"
                           "        type: object\n"
                           "        properties:\n"
                           "          text: {type: string}\n"
                           "        required:\n"
                           "        - text\n"
                           "      title: Chat\n";
    const SourceText source(doc);
    QVERIFY(source.ok());
    const QString payload = QStringLiteral("/components/messages/Chat/payload");
    QCOMPARE(source.fragment(payload),
             QByteArray("# what a member sends\n"
                        "type: object\n"
                        "properties:\n"
                        "  text: {type: string}\n"
                        "required:\n"
                        "- text"));
    QCOMPARE(source.fragment(payload + u"/properties/text"), QByteArray("{type: string}"));
    QCOMPARE(source.fragment(payload + u"/required"), QByteArray("- text"));
    // any value can be a fragment: a list, a scalar
    QVERIFY(SourceText::parseFragment("# steps\n- remove: /a\n- set: /b\n  value: 1\n")
            == Json::parse(R"([{"remove":"/a"},{"set":"/b","value":1}])"));
    QVERIFY(SourceText::parseFragment("hello") == Json("hello"));
    QVERIFY(SourceText::parseFragment("42") == Json(42));
    // a $ref into another file stays as written: it is read with its document
    QVERIFY(SourceText::parseFragment("payload:\n  $ref: 'schemas/common.yaml#/ChatLine'\n")
            == Json::parse(R"({"payload":{"$ref":"schemas/common.yaml#/ChatLine"}})"));
    const auto list = source.setFragment(payload + u"/required", "- text\n- author\n");
    QVERIFY(list);
    QVERIFY(parsed(list->appliedTo(doc))["components"]["messages"]["Chat"]["payload"]["required"]
            == Json::array({"text", "author"}));
    // a node that is not there yet is added with the fragment's lines, comments kept
    const auto added = source.setFragment(QStringLiteral("/components/messages/Chat/headers"),
                                          "# tracing\ntype: object\nproperties:\n  trace: "
                                          "{type: string}\n");
    QVERIFY(added);
    QCOMPARE(added->appliedTo(doc),
             doc
                 + "      headers:\n        # tracing\n        type: object\n        "
                   "properties:\n          trace: {type: string}\n");
    QCOMPARE(source.fragment(QStringLiteral("/components/messages/Chat/title")),
             QByteArray("Chat"));
    QVERIFY(source.fragment(QStringLiteral("/nothing")).isEmpty());
    // a one-line flow collection replaced by one stays as typed
    const auto flow = source.setFragment(payload + u"/properties/text", "{type:  integer} ");
    QVERIFY(flow);
    QCOMPARE(flow->appliedTo(doc),
             QByteArray(doc).replace("text: {type: string}", "text: {type:  integer}"));

    // JSON: the object's inner lines lose the indentation of its key's line
    const QByteArray json = "{\n"
                            "  \"components\": {\n"
                            "    \"schemas\": {\n"
                            "      \"Id\": {\n"
                            "        \"type\": \"string\"\n"
                            "      }\n"
                            "    }\n"
                            "  }\n"
                            "}\n";
    const SourceText jsonSource(json);
    QCOMPARE(jsonSource.fragment(QStringLiteral("/components/schemas/Id")),
             QByteArray("{\n  \"type\": \"string\"\n}"));
    const auto change = jsonSource.setFragment(QStringLiteral("/components/schemas/Id"),
                                               "{\"type\": \"integer\"}");
    QVERIFY(change);
    QVERIFY(parsed(change->appliedTo(json))["components"]["schemas"]["Id"]
            == Json::object({{"type", "integer"}}));
}

void tst_SourceText::fragmentKeepsWhatTheUserTyped()
{
    const QByteArray doc = "# top\n"
                           "components:\n"
                           "  messages:\n"
                           "    Chat:\n"
                           "      payload:\n"
                           "        type: object   # an object\n"
                           "        properties:\n"
                           "          text: {type: string}\n"
                           "      title: 'Chat'\n";
    const SourceText source(doc);
    const QString payload = QStringLiteral("/components/messages/Chat/payload");
    // the user adds a property and a comment in a field that shows the fragment
    const QByteArray typed = source.fragment(payload)
        + "\n"
          "  # when it was sent\n"
          "  sentAt:   {type: string, format: date-time}\n";
    QString error;
    const auto change = source.setFragment(payload, typed, &error);
    QVERIFY2(change, qPrintable(error));
    const QByteArray after = change->appliedTo(doc);
    QCOMPARE(after,
             QByteArray("# top\n"
                        "components:\n"
                        "  messages:\n"
                        "    Chat:\n"
                        "      payload:\n"
                        "        type: object   # an object\n"
                        "        properties:\n"
                        "          text: {type: string}\n"
                        "          # when it was sent\n"
                        "          sentAt:   {type: string, format: date-time}\n"
                        "      title: 'Chat'\n"));
    // what the fragment said is what the document now says there
    QVERIFY(parsed(after)["components"]["messages"]["Chat"]["payload"]
            == *SourceText::parseFragment(typed));
    // and shown again, it is what was typed
    QCOMPARE(SourceText(after).fragment(payload), typed.trimmed());

    // a whole fragment indented by the user lands at the node's column all the same
    const auto indented = source.setFragment(payload, "   type: string\n   minLength: 1\n");
    QVERIFY(indented);
    QVERIFY(indented->appliedTo(doc).contains(
        "      payload:\n        type: string\n        minLength: 1\n      title"));

    // a fragment written in flow style, or of another kind, is written as set() does
    const auto flow = source.setFragment(payload, "{type: string}");
    QVERIFY(flow);
    QVERIFY(parsed(flow->appliedTo(doc))["components"]["messages"]["Chat"]["payload"]
            == Json::object({{"type", "string"}}));

    // Windows line endings stay Windows line endings
    QByteArray crlf = doc;
    crlf.replace("\n", "\r\n");
    const SourceText crlfSource(crlf);
    QCOMPARE(crlfSource.fragment(payload), source.fragment(payload));
    const auto crlfChange = crlfSource.setFragment(payload, typed);
    QVERIFY(crlfChange);
    QByteArray expected = after;
    QCOMPARE(crlfChange->appliedTo(crlf), expected.replace("\n", "\r\n"));
}

void tst_SourceText::badFragmentIsRefused()
{
    const QByteArray doc = "a:\n  b:\n    c: 1\n";
    const SourceText source(doc);
    QString error;
    QVERIFY(!source.setFragment(QStringLiteral("/a/b"), "c: [1,\nd: 2", &error));
    QVERIFY2(error.contains(QLatin1String("line ")), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    error.clear();
    QVERIFY(!SourceText::parseFragment("key: value\n\tbad: tab", &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(tst_SourceText)
#include "tst_sourcetext.moc"
