// SPDX-License-Identifier: GPL-3.0-or-later
// Desktop integration files: the .desktop entry and AppStream metainfo pass their
// validators, agree with each other and with the project version, and the icon
// PNGs rendered at build time have the sizes their folders promise.
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QTest>
#include <QXmlStreamReader>

using namespace Gatehouse;

namespace {

const QString appId = QStringLiteral("io.gatehouse.Gatehouse");

QString packagingFile(const QString &name)
{
    return Test::sourcePath(QStringLiteral("packaging/") + name);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// Width and height from a PNG's IHDR chunk; {0, 0} when it is not a PNG.
QSize pngSize(const QByteArray &data)
{
    static const QByteArray signature("\x89PNG\r\n\x1a\n", 8);
    if (data.size() < 24 || !data.startsWith(signature) || data.mid(12, 4) != "IHDR")
        return {};
    auto be32 = [&data](int at) {
        return (quint32(quint8(data[at])) << 24) | (quint32(quint8(data[at + 1])) << 16)
            | (quint32(quint8(data[at + 2])) << 8) | quint32(quint8(data[at + 3]));
    };
    return QSize(int(be32(16)), int(be32(20)));
}

} // namespace

class TestPackaging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void desktopFileValidates()
    {
        const Test::ProcessResult result
            = Test::runProcess(QStringLiteral("desktop-file-validate"),
                               {packagingFile(appId + QStringLiteral(".desktop"))});
        QVERIFY2(result.finished,
                 "desktop-file-validate did not run (scripts/install-deps installs it)");
        QVERIFY2(result.exitCode == 0,
                 QByteArray(result.standardOutput + result.standardError).constData());
        // Hints count too: a clean entry has none.
        QVERIFY2(result.standardOutput.trimmed().isEmpty(), result.standardOutput.constData());
    }

    void metainfoValidates()
    {
        const Test::ProcessResult result
            = Test::runProcess(QStringLiteral("appstreamcli"),
                               {QStringLiteral("validate"), QStringLiteral("--no-net"),
                                packagingFile(appId + QStringLiteral(".metainfo.xml"))});
        QVERIFY2(result.finished, "appstreamcli did not run (scripts/install-deps installs it)");
        QVERIFY2(result.exitCode == 0,
                 QByteArray(result.standardOutput + result.standardError).constData());
    }

    void desktopEntryContents()
    {
        const QString text
            = QString::fromUtf8(readAll(packagingFile(appId + QStringLiteral(".desktop"))));
        QVERIFY(!text.isEmpty());
        QVERIFY(text.contains(QStringLiteral("\nExec=gatehouse %f\n")));
        QVERIFY(text.contains(QStringLiteral("\nIcon=") + appId + QLatin1Char('\n')));
        QVERIFY(text.contains(QStringLiteral("\nType=Application\n")));
    }

    void metainfoContents()
    {
        QXmlStreamReader xml(readAll(packagingFile(appId + QStringLiteral(".metainfo.xml"))));
        QString id;
        QString launchable;
        QStringList binaries;
        QStringList releases;
        bool contentRating = false;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("id"))
                id = xml.readElementText();
            else if (xml.name() == QLatin1String("launchable"))
                launchable = xml.readElementText();
            else if (xml.name() == QLatin1String("binary"))
                binaries << xml.readElementText();
            else if (xml.name() == QLatin1String("release"))
                releases << xml.attributes().value(QLatin1String("version")).toString();
            else if (xml.name() == QLatin1String("content_rating"))
                contentRating = true;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(id, appId);
        QCOMPARE(launchable, appId + QStringLiteral(".desktop"));
        QCOMPARE(binaries,
                 (QStringList {QStringLiteral("gatehouse"), QStringLiteral("gatehouse-cli")}));
        QVERIFY(contentRating);
        // The newest release (listed first) is the version being built.
        QVERIFY(!releases.isEmpty());
        QCOMPARE(releases.first(), QStringLiteral(GATEHOUSE_VERSION));
    }

    void iconPngs_data()
    {
        QTest::addColumn<int>("size");
        for (int size : {16, 32, 48, 64, 128, 256})
            QTest::addRow("%dx%d", size, size) << size;
    }

    void iconPngs()
    {
        QFETCH(int, size);
        const QString path
            = QStringLiteral(GATEHOUSE_BINARY_DIR "/packaging/icons/%1x%1/").arg(size) + appId
            + QStringLiteral(".png");
        if (!QFile::exists(QStringLiteral(GATEHOUSE_BINARY_DIR "/packaging/icons")))
            QSKIP("Built without the desktop application (GATEHOUSE_BUILD_GUI=OFF): no icons");
        const QByteArray data = readAll(path);
        QVERIFY2(!data.isEmpty(), qPrintable(path));
        QCOMPARE(pngSize(data), QSize(size, size));
    }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
