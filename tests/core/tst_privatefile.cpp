// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/privatefile.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Gatehouse;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat st = {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

bool touch(const QString &path, QFile::Permissions permissions)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.setPermissions(permissions);
}

} // namespace

class TestPrivateFile final : public QObject
{
    Q_OBJECT

private slots:
    void createdPrivateWhateverTheUmask();
    void existingFileAndCompanionsRestricted();
    void otherThingsLeftAlone();
    void errorsNameTheFile();
};

void TestPrivateFile::createdPrivateWhateverTheUmask()
{
    QTemporaryDir dir;
    const mode_t old = ::umask(0);
    const QString path = dir.filePath(QStringLiteral("log.db"));
    const bool ok = PrivateFile::prepare(path);
    ::umask(old);
    QVERIFY(ok);
    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(modeOf(path), mode_t(0600));
    QCOMPARE(QFileInfo(path).size(), 0);
}

void TestPrivateFile::existingFileAndCompanionsRestricted()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gatehouse.db"));
    const auto open = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    QVERIFY(touch(path, open));
    QVERIFY(touch(path + u"-wal", open));
    QCOMPARE(modeOf(path), mode_t(0644));
    QVERIFY(PrivateFile::prepare(path, nullptr, true));
    QCOMPARE(modeOf(path), mode_t(0600));
    QCOMPARE(modeOf(path + u"-wal"), mode_t(0600));
    QVERIFY(!QFileInfo::exists(path + u"-shm")); // companions are not created
}

void TestPrivateFile::otherThingsLeftAlone()
{
    const mode_t before = modeOf(QStringLiteral("/dev/null"));
    QVERIFY(PrivateFile::prepare(QStringLiteral("/dev/null")));
    QCOMPARE(modeOf(QStringLiteral("/dev/null")), before);
    QVERIFY(PrivateFile::prepare(QString()));
    QVERIFY(PrivateFile::prepare(QStringLiteral(":memory:")));
}

void TestPrivateFile::errorsNameTheFile()
{
    QString error;
    const QString path = QStringLiteral("/nonexistent-folder-of-gatehouse/log.db");
    QVERIFY(!PrivateFile::prepare(path, &error));
    QVERIFY2(error.startsWith(path + u": "), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
}

QTEST_GUILESS_MAIN(TestPrivateFile)
#include "tst_privatefile.moc"
