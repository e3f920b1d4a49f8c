// SPDX-License-Identifier: GPL-3.0-or-later
// DocumentWriter: a copy or export of a document that is not being edited reads its
// file off the GUI thread; a file that cannot be read writes nothing and says why.
#include "editor/conversiondialog.h"
#include "editor/documentwriter.h"

#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

using namespace Gatehouse;

class TestDocumentWriter : public QObject
{
    Q_OBJECT

private slots:
    void readsTheSourceWhenAsked();
    void unreadableSourceWritesNothing();

private:
    QTemporaryDir m_dir;
};

void TestDocumentWriter::readsTheSourceWhenAsked()
{
    const QString source = m_dir.filePath(QStringLiteral("chats.yaml"));
    QVERIFY(QFile::copy(Test::sourcePath(u"resources/samples/chats.asyncapi.yaml"_qs), source));
    QWidget window;
    DocumentWriter writer(&window);
    DocumentWriter::Request request;
    request.sourceFile = source;
    request.path = m_dir.filePath(QStringLiteral("chats-3.yaml"));
    request.version = AsyncApiConverter::TargetVersion::V3_0;
    request.readSource = true;
    bool done = false;
    bool written = false;
    writer.write(request, [&](bool ok, const QString &) {
        done = true;
        written = ok;
    });
    QVERIFY(!done); // the file is read and converted on the writer's thread
    QVERIFY(QTest::qWaitFor([&] { return done || writer.dialog(); }, 20000));
    if (ConversionDialog *dialog = writer.dialog())
        dialog->accept(); // what the conversion cannot carry, confirmed
    QVERIFY(QTest::qWaitFor([&] { return done; }, 20000));
    QVERIFY(written);
    QFile copy(request.path);
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QVERIFY(copy.readAll().startsWith("asyncapi: 3.0.0"));
}

void TestDocumentWriter::unreadableSourceWritesNothing()
{
    QWidget window;
    DocumentWriter writer(&window);
    DocumentWriter::Request request;
    request.sourceFile = m_dir.filePath(QStringLiteral("gone.yaml"));
    request.path = m_dir.filePath(QStringLiteral("gone-wso2.yaml"));
    request.forWso2 = true;
    request.readSource = true;
    bool done = false;
    bool written = true;
    QString message;
    writer.write(request, [&](bool ok, const QString &why) {
        done = true;
        written = ok;
        message = why;
    });
    QVERIFY(QTest::qWaitFor([&] { return done; }, 20000));
    QVERIFY(!written);
    QVERIFY2(message.startsWith(u"Nothing written: cannot read " + request.sourceFile),
             qPrintable(message));
    QVERIFY(!QFile::exists(request.path));
    QVERIFY(!writer.isBusy());
}

QTEST_MAIN(TestDocumentWriter)
#include "tst_documentwriter.moc"
