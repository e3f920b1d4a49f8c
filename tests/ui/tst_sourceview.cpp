// SPDX-License-Identifier: GPL-3.0-or-later
// SourceView: showing files read in the background and moving to line:column.
#include "sourceview.h"

#include <QAtomicPointer>
#include <QFile>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <stdexcept>

using namespace Gatehouse;

namespace {

const QByteArray document = "asyncapi: 3.0.0\ninfo:\n  title: T\n  version: '1'\n";

// Shows `path` and waits until the view has it (true) or reports a failure.
bool showAndWait(SourceView &view, const QString &path, QString *error = nullptr)
{
    QSignalSpy shown(&view, &SourceView::fileShown);
    QSignalSpy failed(&view, &SourceView::fileFailed);
    view.showFile(path);
    if (!view.isLoading())
        return view.fileName() == path;
    if (!QTest::qWaitFor([&] { return !shown.isEmpty() || !failed.isEmpty(); }, 20000))
        return false;
    if (!failed.isEmpty() && error)
        *error = failed.constFirst().at(1).toString();
    return !shown.isEmpty() && shown.constFirst().at(0).toString() == path;
}

} // namespace

class TestSourceView : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_file;

    QString writeFile(const QString &name, const QByteArray &data)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size())
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_file = writeFile(QStringLiteral("doc.yaml"), document);
        QVERIFY(!m_file.isEmpty());
    }

    void showsTheFileText()
    {
        SourceView view;
        QSignalSpy shown(&view, &SourceView::fileShown);
        view.showFile(m_file);
        QTRY_COMPARE(view.toPlainText(), QString::fromUtf8(document));
        QCOMPARE(view.fileName(), m_file);
        QVERIFY(!view.isLoading());
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.constFirst().at(0).toString(), m_file);
        QCOMPARE(view.blockCount(), 5);
        QVERIFY(view.isReadOnly());
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
        QVERIFY(showAndWait(view, m_file));
        view.goTo(line, column);
        QCOMPARE(view.currentLine(), expectedLine);
        QCOMPARE(view.currentColumn(), expectedColumn);
        QCOMPARE(view.highlightedLine(), expectedLine);
    }

    // A jump asked for while the text is still loading lands once it is there.
    void goToWhileLoading()
    {
        SourceView view;
        view.showFile(m_file);
        QVERIFY(view.isLoading());
        view.goTo(4, 3);
        QTRY_COMPARE(view.fileName(), m_file);
        QCOMPARE(view.currentLine(), 4);
        QCOMPARE(view.currentColumn(), 3);
        QCOMPARE(view.highlightedLine(), 4);
    }

    // The file is read on another thread, and until it arrives the view says so.
    void readsOffTheGuiThread()
    {
        SourceView view;
        QSemaphore release;
        QAtomicPointer<QThread> readingThread;
        view.setReader([&](const QString &path) {
            readingThread.storeRelease(QThread::currentThread());
            // Bounded wait: a read on the GUI thread fails the checks below, not hangs.
            release.tryAcquire(1, 10000);
            return SourceView::readFile(path);
        });
        view.showFile(m_file);
        QVERIFY(view.isLoading());
        QCOMPARE(view.loadingFileName(), m_file);
        QVERIFY(view.fileName().isEmpty());
        QVERIFY(view.toPlainText().isEmpty());
        QCOMPARE(view.placeholderText(), QStringLiteral("Loading source\u2026"));
        QTRY_VERIFY(readingThread.loadAcquire() != nullptr);
        QVERIFY(readingThread.loadAcquire() != QThread::currentThread());
        QVERIFY(view.isLoading()); // the reader is still held

        release.release();
        QTRY_COMPARE(view.toPlainText(), QString::fromUtf8(document));
        QVERIFY(!view.isLoading());
        QCOMPARE(view.fileName(), m_file);
        QCOMPARE(view.placeholderText(), QStringLiteral("No document"));
    }

    // A newer request wins; the older result is never shown.
    void newerRequestWins()
    {
        const QString other = writeFile(QStringLiteral("other.yaml"), "other: true\n");
        QVERIFY(!other.isEmpty());
        SourceView view;
        QSemaphore started;
        QSemaphore release;
        view.setReader([&](const QString &path) {
            if (path == m_file) {
                started.release();
                release.tryAcquire(1, 10000);
            }
            return SourceView::readFile(path);
        });
        QSignalSpy shown(&view, &SourceView::fileShown);
        view.showFile(m_file);
        view.goTo(3, 1);
        QVERIFY(started.tryAcquire(1, 10000)); // the first read is under way
        view.showFile(other);
        QCOMPARE(view.loadingFileName(), other);
        view.showFile(other); // already loading: nothing new
        release.release();
        QTRY_COMPARE(view.fileName(), other);
        QCOMPARE(view.toPlainText(), QStringLiteral("other: true\n"));
        QCOMPARE(view.currentLine(), 1); // the jump belonged to the first file
        QCOMPARE(view.highlightedLine(), 0);
        QTest::qWait(50); // the superseded result would have arrived by now
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.constFirst().at(0).toString(), other);
        QCOMPARE(view.fileName(), other);
    }

    void reloadsOnlyOtherFiles()
    {
        SourceView view;
        QVERIFY(showAndWait(view, m_file));
        view.goTo(2, 1);
        view.showFile(m_file); // same file: nothing is read again, cursor stays
        QVERIFY(!view.isLoading());
        QCOMPARE(view.currentLine(), 2);
        QCOMPARE(view.highlightedLine(), 2);
        view.clearFile();
        QVERIFY(view.fileName().isEmpty());
        QVERIFY(view.toPlainText().isEmpty());
        QCOMPARE(view.highlightedLine(), 0);
        QVERIFY(showAndWait(view, m_file));
    }

    void clearFileCancelsLoading()
    {
        SourceView view;
        QSignalSpy shown(&view, &SourceView::fileShown);
        view.showFile(m_file);
        view.clearFile();
        QVERIFY(!view.isLoading());
        QTest::qWait(100);
        QVERIFY(shown.isEmpty());
        QVERIFY(view.toPlainText().isEmpty());
        QVERIFY(view.fileName().isEmpty());
    }

    void unreadableFiles()
    {
        SourceView view;
        QSignalSpy failed(&view, &SourceView::fileFailed);
        QString error;
        const QString missing = m_dir.filePath(QStringLiteral("missing.yaml"));
        QVERIFY(!showAndWait(view, missing, &error));
        QVERIFY2(error.contains(QStringLiteral("missing.yaml")), qPrintable(error));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.constFirst().at(0).toString(), missing);
        QVERIFY(view.fileName().isEmpty());
        QCOMPARE(view.toPlainText(), error);
        view.goTo(2, 2); // nothing to move in, no crash
        QCOMPARE(view.currentLine(), 1);

        // A folder is no file to show.
        error.clear();
        QVERIFY(!showAndWait(view, m_dir.path(), &error));
        QVERIFY2(!error.isEmpty(), qPrintable(view.toPlainText()));
        QVERIFY(view.fileName().isEmpty());

        const QString binary
            = writeFile(QStringLiteral("binary.yaml"), QByteArray("\x00\x01\x02garbage", 10));
        QVERIFY(showAndWait(view, binary));
        QVERIFY(view.toPlainText().contains(QStringLiteral("not a text file")));
        view.goTo(3, 3); // clamped, no crash
        QCOMPARE(view.currentLine(), 1);
    }

    void tooLargeFiles()
    {
        const QString path = m_dir.filePath(QStringLiteral("huge.yaml"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QVERIFY(file.resize(SourceView::MaxFileSize + 1)); // sparse: no real data
        }
        SourceView view;
        QString error;
        QVERIFY(!showAndWait(view, path, &error));
        QVERIFY2(error.contains(QStringLiteral("too large")), qPrintable(error));
        QVERIFY(view.fileName().isEmpty());
        QFile::remove(path);
    }

    // A reader that fails in an unexpected way leaves a message, not a broken view.
    void throwingReader()
    {
        SourceView view;
        view.setReader([](const QString &) -> SourceView::SourceFile {
            throw std::runtime_error("disk on fire");
        });
        QString error;
        QVERIFY(!showAndWait(view, m_file, &error));
        QVERIFY2(error.contains(QStringLiteral("disk on fire")), qPrintable(error));
        QVERIFY(!view.isLoading());
        view.setReader({}); // back to the default reader
        QVERIFY(showAndWait(view, m_file));
        QCOMPARE(view.toPlainText(), QString::fromUtf8(document));
    }

    // A view closed while its file is being read waits for the read and drops it.
    void destroyedWhileLoading()
    {
        auto view = std::make_unique<SourceView>();
        view->setReader([](const QString &path) {
            QThread::msleep(50);
            return SourceView::readFile(path);
        });
        view->showFile(m_file);
        QVERIFY(view->isLoading());
        view.reset();
        QTest::qWait(10); // a stray result would crash here
    }
};

QTEST_MAIN(TestSourceView)
#include "tst_sourceview.moc"
