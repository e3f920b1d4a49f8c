// SPDX-License-Identifier: GPL-3.0-or-later
// `cpack` makes a .deb with everything a user needs, and the programs in it run.
// Needs a complete build (cpack installs, it does not build).
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

namespace {

const QString binaryDir = QStringLiteral(GATEHOUSE_BINARY_DIR);

bool hasDesktopApp()
{
    return QFile::exists(binaryDir + QStringLiteral("/app/gatehouse/gatehouse"));
}

} // namespace

class TestDebPackage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_deb;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Test::ProcessResult result = Test::runProcess(
            QStringLiteral("cpack"),
            {QStringLiteral("--config"), binaryDir + QStringLiteral("/CPackConfig.cmake"),
             QStringLiteral("-B"), m_dir.path()},
            120000);
        QVERIFY2(result.finished, "cpack did not finish in time");
        QVERIFY2(result.exitCode == 0,
                 QByteArray(result.standardOutput + result.standardError).constData());
        const QStringList debs
            = QDir(m_dir.path()).entryList({QStringLiteral("*.deb")}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        QVERIFY2(debs.first().startsWith(QStringLiteral("gatehouse_" GATEHOUSE_VERSION "_")),
                 qPrintable(debs.first()));
        m_deb = m_dir.filePath(debs.first());
    }

    void contents_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("desktopOnly");
        QTest::newRow("cli") << QStringLiteral("./usr/bin/gatehouse-cli") << false;
        QTest::newRow("sample") << QStringLiteral(
            "./usr/share/gatehouse/samples/chats.asyncapi.yaml")
                                << false;
        QTest::newRow("asyncapi schema")
            << QStringLiteral("./usr/share/gatehouse/asyncapi-schemas/2.6.0.json") << false;
        QTest::newRow("desktop app") << QStringLiteral("./usr/bin/gatehouse") << true;
        QTest::newRow("desktop entry")
            << QStringLiteral("./usr/share/applications/io.gatehouse.Gatehouse.desktop") << true;
        QTest::newRow("metainfo") << QStringLiteral(
            "./usr/share/metainfo/io.gatehouse.Gatehouse.metainfo.xml")
                                  << true;
        QTest::newRow("svg icon") << QStringLiteral(
            "./usr/share/icons/hicolor/scalable/apps/io.gatehouse.Gatehouse.svg")
                                  << true;
        for (int size : {16, 32, 48, 64, 128, 256})
            QTest::addRow("png %d", size)
                << QStringLiteral("./usr/share/icons/hicolor/%1x%1/apps/io.gatehouse.Gatehouse.png")
                       .arg(size)
                << true;
    }

    void contents()
    {
        QFETCH(QString, path);
        QFETCH(bool, desktopOnly);
        if (desktopOnly && !hasDesktopApp())
            QSKIP("Built without the desktop application");
        const Test::ProcessResult result
            = Test::runProcess(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), m_deb});
        QCOMPARE(result.exitCode, 0);
        const QStringList lines = QString::fromUtf8(result.standardOutput).split(QLatin1Char('\n'));
        bool found = false;
        for (const QString &line : lines)
            found = found || line.endsWith(QLatin1Char(' ') + path);
        QVERIFY2(found, qPrintable(path));
    }

    void control()
    {
        const Test::ProcessResult result
            = Test::runProcess(QStringLiteral("dpkg-deb"),
                               {QStringLiteral("-f"), m_deb, QStringLiteral("Package"),
                                QStringLiteral("Version"), QStringLiteral("Depends")});
        QCOMPARE(result.exitCode, 0);
        const QString fields = QString::fromUtf8(result.standardOutput);
        QVERIFY(fields.contains(QStringLiteral("Package: gatehouse\n")));
        QVERIFY(fields.contains(QStringLiteral("Version: " GATEHOUSE_VERSION "\n")));
        // Libraries found by dpkg-shlibdeps plus the plugins Qt loads at run time.
        QVERIFY2(fields.contains(QStringLiteral("libqt6core6")), qPrintable(fields));
        QVERIFY(fields.contains(QStringLiteral("libqt6sql6-sqlite")));
    }

    void programsRun_data()
    {
        QTest::addColumn<QString>("program");
        QTest::newRow("gatehouse-cli") << QStringLiteral("gatehouse-cli");
        QTest::newRow("gatehouse") << QStringLiteral("gatehouse");
    }

    void programsRun()
    {
        QFETCH(QString, program);
        if (program == QLatin1String("gatehouse") && !hasDesktopApp())
            QSKIP("Built without the desktop application");
        const QString root = m_dir.filePath(QStringLiteral("root"));
        if (!QFile::exists(root)) {
            const Test::ProcessResult extract
                = Test::runProcess(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, root});
            QCOMPARE(extract.exitCode, 0);
        }
        const Test::ProcessResult result = Test::runProcess(
            root + QStringLiteral("/usr/bin/") + program, {QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(QString::fromUtf8(result.standardOutput).trimmed(),
                 program + QStringLiteral(" " GATEHOUSE_VERSION));
    }
};

QTEST_GUILESS_MAIN(TestDebPackage)
#include "tst_debpackage.moc"
