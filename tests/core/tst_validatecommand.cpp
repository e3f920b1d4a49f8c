// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include "api/json.h"

#include <QtTest>

using namespace Gatehouse;

namespace {

const char Valid[] = R"(asyncapi: 2.6.0
info:
  title: Rooms
  version: 1.0.0
channels:
  /rooms:
    publish:
      message:
        payload:
          type: string
x-gatehouse:
  context: /rooms
  endpoint: ws://localhost:8080
)";

QString sample()
{
    return Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml"));
}

QList<QByteArray> lines(const QByteArray &text)
{
    QList<QByteArray> result = text.split('\n');
    if (!result.isEmpty() && result.last().isEmpty())
        result.removeLast();
    return result;
}

} // namespace

class TestValidateCommand final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void usage_data();
    void usage();
    void validFileIsSilent();
    void verboseSaysValid();
    void errorsGiveOneLineEach();
    void warningsPassUnlessStrict();
    void missingFile();
    void severalFiles();
    void jsonFormat();
    void gatewaySettingsAreChecked_data();
    void gatewaySettingsAreChecked();
    void standardInput();
    void schemasUnavailable();

private:
    QString write(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
};

void TestValidateCommand::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString TestValidateCommand::write(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return {};
    return path;
}

void TestValidateCommand::usage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("no file") << QStringList {u"validate"_qs} << QByteArray("no file given");
    QTest::newRow("unknown option")
        << QStringList {u"validate"_qs, u"--frobnicate"_qs, sample()} << QByteArray("frobnicate");
    QTest::newRow("bad format") << QStringList {u"validate"_qs, u"--format"_qs, u"xml"_qs, sample()}
                                << QByteArray("unknown format 'xml'");
}

void TestValidateCommand::usage()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, expected);
    const auto result = Test::runCli(arguments);
    QVERIFY(result.finished);
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(lines(result.standardError).size(), 1);
    QVERIFY2(result.standardError.contains(expected), result.standardError.constData());
    QVERIFY(result.standardError.startsWith("gatehouse-cli validate: "));
}

void TestValidateCommand::validFileIsSilent()
{
    const auto result = Test::runCli({u"validate"_qs, sample()});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QCOMPARE(result.standardError, QByteArray());
    QCOMPARE(result.standardOutput, QByteArray());
}

void TestValidateCommand::verboseSaysValid()
{
    const QString file = write(u"valid.yaml"_qs, Valid);
    const auto result = Test::runCli({u"validate"_qs, u"-v"_qs, file});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QCOMPARE(result.standardOutput, (file + u": valid\n"_qs).toUtf8());
    QCOMPARE(result.standardError, QByteArray());
}

void TestValidateCommand::errorsGiveOneLineEach()
{
    QByteArray broken(Valid);
    broken.replace("title: Rooms", "title: [Rooms]").replace("publish:", "pubish:");
    const QString file = write(u"broken.yaml"_qs, broken);
    const auto result = Test::runCli({u"validate"_qs, u"--verbose"_qs, file});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.standardOutput, QByteArray()); // not "valid"
    const auto errorLines = lines(result.standardError);
    QVERIFY2(errorLines.size() >= 2, result.standardError.constData());
    const QRegularExpression shape(u"^.+:\\d+:\\d+: (error|warning): .+$"_qs);
    for (const QByteArray &line : errorLines)
        QVERIFY2(shape.match(QString::fromUtf8(line)).hasMatch(), line.constData());
    // The reader or the schema may phrase it; the place and the subject are fixed.
    QVERIFY2(result.standardError.contains((file + u":3:"_qs).toUtf8())
                 && result.standardError.contains("title"),
             result.standardError.constData());
    QVERIFY2(result.standardError.contains((file + u":7:5: error: "_qs).toUtf8()),
             result.standardError.constData());
    QVERIFY(result.standardError.contains("unknown field 'pubish'"));
}

void TestValidateCommand::warningsPassUnlessStrict()
{
    const QString file = write(u"warning.yaml"_qs, QByteArray(Valid) + "  futureKey: 1\n");
    const auto lenient = Test::runCli({u"validate"_qs, file});
    QCOMPARE(lenient.exitCode, 0);
    QCOMPARE(lines(lenient.standardError).size(), 1);
    QVERIFY2(lenient.standardError.contains(
                 (file + u":14:3: warning: x-gatehouse: unknown field 'futureKey'"_qs).toUtf8()),
             lenient.standardError.constData());

    const auto strict = Test::runCli({u"validate"_qs, u"--strict"_qs, file});
    QCOMPARE(strict.exitCode, 1);
    QCOMPARE(strict.standardError, lenient.standardError);
}

void TestValidateCommand::missingFile()
{
    const QString file = m_dir.filePath(u"does-not-exist.yaml"_qs);
    const auto result = Test::runCli({u"validate"_qs, file});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(lines(result.standardError).size(), 1);
    QVERIFY2(result.standardError.startsWith(file.toUtf8()), result.standardError.constData());
    QVERIFY(result.standardError.contains(": error: "));
}

void TestValidateCommand::severalFiles()
{
    const QString good = write(u"good.yaml"_qs, Valid);
    const QString bad = write(
        u"bad.yaml"_qs, QByteArray(Valid).replace("info:\n  title: Rooms\n  version: 1.0.0\n", ""));
    const auto result = Test::runCli({u"validate"_qs, u"-v"_qs, good, bad, sample()});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.standardOutput, (good + u": valid\n"_qs + sample() + u": valid\n"_qs).toUtf8());
    QVERIFY2(result.standardError.contains((bad + u":1:1: error: "_qs).toUtf8())
                 && result.standardError.contains("info"),
             result.standardError.constData());
}

void TestValidateCommand::jsonFormat()
{
    const QString file = write(u"json.yaml"_qs, QByteArray(Valid).replace("publish:", "pubish:"));
    const auto result = Test::runCli({u"validate"_qs, u"--format"_qs, u"json"_qs, file});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.standardError, QByteArray());
    const Json array = Json::parse(result.standardOutput.toStdString(), nullptr, false);
    QVERIFY2(array.is_array() && !array.empty(), result.standardOutput.constData());
    const Json &first = array.front();
    QCOMPARE(toQString(first["file"].get<std::string>()), file);
    QCOMPARE(first["line"].get<int>(), 7);
    QCOMPARE(first["column"].get<int>(), 5);
    QCOMPARE(first["severity"].get<std::string>(), std::string("error"));
    QCOMPARE(first["pointer"].get<std::string>(), std::string("/channels/~1rooms/pubish"));
    QVERIFY(toQString(first["message"].get<std::string>()).contains(u"unknown field 'pubish'"_qs));

    const auto valid = Test::runCli({u"validate"_qs, u"--format"_qs, u"json"_qs, sample()});
    QCOMPARE(valid.exitCode, 0);
    QCOMPARE(Json::parse(valid.standardOutput.toStdString(), nullptr, false), Json::array());
}

void TestValidateCommand::gatewaySettingsAreChecked_data()
{
    QTest::addColumn<QByteArray>("extra");
    QTest::addColumn<QByteArray>("expected");
    // Settings the schema lets through but the policy and mock readers refuse.
    QTest::newRow("unknown policy option")
        << QByteArray("  policies:\n    - type: sizeLimit\n      maxSize: lots\n")
        << QByteArray(":16:7: error: x-gatehouse.policies[0].maxSize: expected a size");
    QTest::newRow("mock option")
        << QByteArray("  mock:\n    kind: examples\n    channels:\n      ticker: fast\n")
        << QByteArray(":17:7: error: x-gatehouse.mock.channels.ticker: must be {interval: "
                      "milliseconds}");
    // Reported once, by the schema, when both would complain.
    QTest::newRow("schema first")
        << QByteArray("  mock:\n    kind: chat\n    chat: 5\n")
        << QByteArray(":16:5: error: x-gatehouse.mock.chat: must be object, got integer");
}

void TestValidateCommand::gatewaySettingsAreChecked()
{
    QFETCH(QByteArray, extra);
    QFETCH(QByteArray, expected);
    const QString file = write(u"settings.yaml"_qs, QByteArray(Valid) + extra);
    const auto result = Test::runCli({u"validate"_qs, file});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(lines(result.standardError).size(), 1);
    QVERIFY2(result.standardError.startsWith(QByteArray(file.toUtf8() + expected)),
             result.standardError.constData());
}

void TestValidateCommand::standardInput()
{
    const auto valid = Test::runCli({u"validate"_qs, u"-v"_qs, u"-"_qs}, 30000, QByteArray(Valid));
    QCOMPARE(valid.exitCode, 0);
    QCOMPARE(valid.standardOutput, QByteArray("-: valid\n"));
    const auto broken = Test::runCli({u"validate"_qs, u"-"_qs}, 30000,
                                     QByteArray(Valid).replace("publish:", "pubish:"));
    QCOMPARE(broken.exitCode, 1);
    QVERIFY2(broken.standardError.startsWith("<stdin>:7:5: error: "),
             broken.standardError.constData());
}

void TestValidateCommand::schemasUnavailable()
{
    // The child process inherits the variable: no schemas there.
    qputenv("GATEHOUSE_ASYNCAPI_SCHEMAS_DIR", m_dir.filePath(u"no-schemas-here"_qs).toUtf8());
    const auto result = Test::runCli({u"validate"_qs, sample()});
    qunsetenv("GATEHOUSE_ASYNCAPI_SCHEMAS_DIR");
    QCOMPARE(result.exitCode, 0);
    const auto errorLines = lines(result.standardError);
    QCOMPARE(errorLines.size(), 1);
    QVERIFY2(errorLines.first().contains("warning: structural validation is unavailable"),
             result.standardError.constData());
    QVERIFY(errorLines.first().contains("no-schemas-here"));
}

QTEST_GUILESS_MAIN(TestValidateCommand)
#include "tst_validatecommand.moc"
