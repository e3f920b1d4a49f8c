// SPDX-License-Identifier: GPL-3.0-or-later
// SourceView: showing files and moving to line:column.
#include "sourceview.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;

class TestSourceView : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_file;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath(QStringLiteral("doc.yaml"));
        QFile file(m_file);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("asyncapi: 3.0.0\ninfo:\n  title: T\n  version: '1'\n");
    }

    void goTo_data()
    {
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("expectedLine");
        QTest::addColumn<int>("expectedColumn");
        QTest::newRow("start") << 1 << 1 << 1 << 1;
        QTest::newRow("inside") << 3 << 3 << 3 << 3;
        QTest::newRow("end of line") << 3 << 11 << 3 << 11;
        QTest::newRow("column past the end") << 3 << 99 << 3 << 11;
        QTest::newRow("unknown column") << 4 << 0 << 4 << 1;
        QTest::newRow("line past the end") << 99 << 1 << 5 << 1;
        QTest::newRow("unknown line") << 0 << 0 << 1 << 1;
        QTest::newRow("negative") << -5 << -5 << 1 << 1;
    }

    void goTo()
    {
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(int, expectedLine);
        QFETCH(int, expectedColumn);
        SourceView view;
        QVERIFY(view.showFile(m_file));
        view.goTo(line, column);
        QCOMPARE(view.currentLine(), expectedLine);
        QCOMPARE(view.currentColumn(), expectedColumn);
        QCOMPARE(view.highlightedLine(), expectedLine);
        QVERIFY(view.isReadOnly());
    }

    void reloadsOnlyOtherFiles()
    {
        SourceView view;
        QVERIFY(view.showFile(m_file));
        QCOMPARE(view.fileName(), m_file);
        QVERIFY(view.toPlainText().startsWith(QStringLiteral("asyncapi: 3.0.0")));
        view.goTo(2, 1);
        QVERIFY(view.showFile(m_file)); // same file: cursor stays
        QCOMPARE(view.currentLine(), 2);
        view.clearFile();
        QVERIFY(view.fileName().isEmpty());
        QVERIFY(view.toPlainText().isEmpty());
    }

    void unreadableFiles()
    {
        SourceView view;
        QString error;
        QVERIFY(!view.showFile(m_dir.filePath(QStringLiteral("missing.yaml")), &error));
        QVERIFY(error.contains(QStringLiteral("missing.yaml")));
        QVERIFY(view.fileName().isEmpty());
        QCOMPARE(view.toPlainText(), error);

        const QString binary = m_dir.filePath(QStringLiteral("binary.yaml"));
        QFile file(binary);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("\x00\x01\x02garbage", 10));
        file.close();
        QVERIFY(view.showFile(binary));
        QVERIFY(view.toPlainText().contains(QStringLiteral("not a text file")));
        view.goTo(3, 3); // clamped, no crash
        QCOMPARE(view.currentLine(), 1);
    }
};

QTEST_MAIN(TestSourceView)
#include "tst_sourceview.moc"
