// SPDX-License-Identifier: GPL-3.0-or-later
#include "testsupport.h"

#include <QtTest>

using namespace Gatehouse;

class TestCli final : public QObject
{
    Q_OBJECT

private slots:
    void versionAndHelp();
    void unknownCommandIsUsageError();
    void linksNoGuiLibrary();
};

void TestCli::versionAndHelp()
{
    const auto version = Test::runCli({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.standardOutput.startsWith("gatehouse-cli "));

    const auto help = Test::runCli({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.standardOutput.contains("validate"));
    QVERIFY(help.standardOutput.contains("convert"));
}

void TestCli::unknownCommandIsUsageError()
{
    const auto result = Test::runCli({QStringLiteral("frobnicate")});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.standardError.contains("unknown command 'frobnicate'"));
    QCOMPARE(result.standardError.count('\n'), 1);
}

// gatehouse-cli must run on a server without display libraries.
void TestCli::linksNoGuiLibrary()
{
    const auto ldd = Test::runProcess(QStringLiteral("ldd"), {QStringLiteral(GATEHOUSE_CLI_PATH)});
    QCOMPARE(ldd.exitCode, 0);
    QVERIFY(ldd.standardOutput.contains("libQt6Core"));
    QVERIFY2(!ldd.standardOutput.contains("libQt6Gui"), ldd.standardOutput.constData());
    QVERIFY2(!ldd.standardOutput.contains("libQt6Widgets"), ldd.standardOutput.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
