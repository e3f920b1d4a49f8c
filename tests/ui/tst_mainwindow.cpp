// SPDX-License-Identifier: GPL-3.0-or-later
// The main window, offscreen: the sample, broken documents, recent files, drag and
// drop, details and the source view.
#include "analytics/dashboardview.h"
#include "analytics/messagelogmodel.h"
#include "analytics/messagelogreader.h"
#include "analytics/messagelogview.h"
#include "apitreemodel.h"
#include "applicationsview.h"
#include "client/clientmessagemodel.h"
#include "client/clienttab.h"
#include "commandpalette.h"
#include "connectionlistmodel.h"
#include "connectionsview.h"
#include "credentials/credentialservice.h"
#include "diagnosticlistmodel.h"
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "editor/messageform.h"
#include "editor/sourceeditor.h"
#include "editor/sourcepane.h"
#include "gatewayoutputview.h"
#include "mainwindow.h"
#include "payloadloggingcontrol.h"
#include "recentfiles.h"
#include "sourceview.h"
#include "testsupport.h"
#include "uiicons.h"
#include "windowtesting.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAbstractSpinBox>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QWebSocket>
#include <QWidgetAction>

#include <ctime>

using namespace Gatehouse;
using Kind = ApiTreeModel::Kind;

namespace {

QStringList childLabels(const QAbstractItemModel *model, const QModelIndex &parent)
{
    QStringList labels;
    for (int row = 0; row < model->rowCount(parent); ++row)
        labels << model->index(row, 0, parent).data().toString();
    return labels;
}

QModelIndex child(const QAbstractItemModel *model, const QModelIndex &parent, const QString &label)
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        if (index.data().toString() == label)
            return index;
    }
    return {};
}

using Test::echoApi;
using Test::openAndWait;
using Test::writeFile;

QStringList allTexts(const QStandardItemModel *model)
{
    QStringList texts;
    for (int row = 0; row < model->rowCount(); ++row)
        for (int column = 0; column < model->columnCount(); ++column)
            texts.append(model->index(row, column).data().toString());
    return texts;
}

const QByteArray brokenYaml = "asyncapi: 2.6.0\n"
                              "info:\n"
                              "  title: Broken\n"
                              "  version: 1.0.0\n"
                              "channels:\n"
                              "  /a:\n"
                              "    subscribe: [unclosed, \n"
                              "      message: {}\n";

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                           m_dir.filePath(QStringLiteral("settings")));
    }

    void init() { RecentFiles().clear(); }

    void resourcesAreLinked()
    {
        MainWindow window;
        QVERIFY(QFile::exists(MainWindow::samplePath()));
        QVERIFY(QFile::exists(QStringLiteral(":/icons/send.svg")));
        QVERIFY(!UiIcons::icon(UiIcons::Receive).pixmap(16, 16).isNull());
        QVERIFY(!UiIcons::icon(UiIcons::AppLogo).pixmap(64, 64).isNull());
        // The compiled-in sample is the one in the source tree.
        QFile compiled(MainWindow::samplePath());
        QFile source(Test::sourcePath(QStringLiteral("resources/samples/chats.asyncapi.yaml")));
        QVERIFY(compiled.open(QIODevice::ReadOnly));
        QVERIFY(source.open(QIODevice::ReadOnly));
        QCOMPARE(compiled.readAll(), source.readAll());
    }

    void shortcuts_data()
    {
        QTest::addColumn<QKeySequence>("keys");
        QTest::addColumn<QString>("text");
        QTest::newRow("open") << QKeySequence(QKeySequence::Open) << QStringLiteral("&Open\u2026");
        QTest::newRow("quit") << QKeySequence(Qt::CTRL | Qt::Key_Q) << QStringLiteral("&Quit");
        QTest::newRow("reload") << QKeySequence(Qt::Key_F5) << QStringLiteral("Re&load");
    }

    void shortcuts()
    {
        QFETCH(QKeySequence, keys);
        QFETCH(QString, text);
        MainWindow window;
        QAction *found = nullptr;
        const QList<QAction *> actions = window.findChildren<QAction *>();
        for (QAction *action : actions)
            if (action->shortcut() == keys && !keys.isEmpty())
                found = action;
        QVERIFY(found);
        QCOMPARE(found->text(), text);
    }

    void emptyStateBeforeLoading()
    {
        MainWindow window;
        QVERIFY(window.emptyStateText().contains(QStringLiteral("No document open")));
        QCOMPARE(window.apiModel()->rowCount(), 0);
    }

    // gatehouse --show TAB: the tab is asked for before the first document opens,
    // whose loading would show its details otherwise; a later document does.
    void startTabOutlivesFirstLoad()
    {
        MainWindow window;
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        QVERIFY(!window.showTab(u"nosuchtab"_qs));
        QVERIFY(window.showTab(u"dashboard"_qs));
        QWidget *dashboard = tabs->currentWidget();
        QCOMPARE(tabs->tabText(tabs->currentIndex()).remove(u'&'), u"Dashboard"_qs);
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.openSample();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QCOMPARE(tabs->currentWidget(), dashboard);

        const QString path = m_dir.filePath(QStringLiteral("second-document.yaml"));
        QVERIFY(writeFile(path,
                          QByteArray("asyncapi: 3.0.0\ninfo:\n  title: Second\n  version: '1'\n")));
        window.openFile(path);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 20000);
        QVERIFY(tabs->currentWidget() != dashboard);
    }

    void sampleTree()
    {
        MainWindow window;
        QAbstractItemModelTester tester(window.apiModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.openSample();
        QVERIFY(window.isLoading());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QVERIFY2(loaded.constFirst().at(1).toBool(),
                 qPrintable(window.diagnosticsModel()->diagnostics().value(0).toString()));
        QVERIFY(!window.isLoading());
        QCOMPARE(window.currentFile(), MainWindow::samplePath());
        QCOMPARE(window.windowTitle(),
                 QStringLiteral("chats.asyncapi.yaml (sample) \u2014 Gatehouse"));
        QVERIFY(window.emptyStateText().isEmpty());
        QVERIFY(!window.problemsDock()->isVisibleTo(&window));

        const QAbstractItemModel *model = window.apiModel();
        QCOMPARE(model->rowCount(), 1);
        const QModelIndex root = model->index(0, 0);
        QCOMPARE(root.data().toString(), QStringLiteral("Chats 1.0.0"));
        QCOMPARE(window.apiTree()->currentIndex(), root);

        const QModelIndex channels = child(model, root, QStringLiteral("Channels"));
        QVERIFY(window.apiTree()->isExpanded(channels));
        QCOMPARE(
            childLabels(model, channels),
            (QStringList {QStringLiteral("/notifications"), QStringLiteral("/rooms/{roomID}")}));

        // 2.x subscribe = the application sends; publish = it receives.
        const QModelIndex notifications = child(model, channels, QStringLiteral("/notifications"));
        QCOMPARE(childLabels(model, notifications),
                 (QStringList {QStringLiteral("send \u00b7 receiveNotifications"),
                               QStringLiteral("Messages")}));
        const QModelIndex rooms = child(model, channels, QStringLiteral("/rooms/{roomID}"));
        const QStringList roomItems = childLabels(model, rooms);
        QVERIFY2(roomItems.contains(QStringLiteral("receive \u00b7 sendRoomMessage")),
                 qPrintable(roomItems.join(u',')));
        QVERIFY(roomItems.contains(QStringLiteral("send \u00b7 receiveRoomMessages")));
        QVERIFY(roomItems.contains(QStringLiteral("Parameters")));
        QCOMPARE(childLabels(model, child(model, rooms, QStringLiteral("Parameters"))),
                 QStringList {QStringLiteral("roomID")});
        const QModelIndex receive
            = child(model, rooms, QStringLiteral("send \u00b7 receiveRoomMessages"));
        QCOMPARE(receive.data(ApiTreeModel::ActionRole).toString(), QStringLiteral("send"));
        QCOMPARE(childLabels(model, receive),
                 (QStringList {QStringLiteral("ChatMessage"), QStringLiteral("RoomGreeting")}));

        QStringList messages = childLabels(model, child(model, root, QStringLiteral("Messages")));
        messages.sort();
        QCOMPARE(messages,
                 (QStringList {QStringLiteral("ChatMessage"), QStringLiteral("Notification"),
                               QStringLiteral("RoomGreeting")}));
        QCOMPARE(childLabels(model, child(model, root, QStringLiteral("Security schemes"))),
                 (QStringList {QStringLiteral("bearer"), QStringLiteral("accessToken")}));
        QVERIFY(child(model, root, QStringLiteral("Gateway settings")).isValid());

        const auto *status = window.findChild<QLabel *>(QStringLiteral("statusInfo"));
        QVERIFY(status);
        QVERIFY(status->text().contains(QStringLiteral("AsyncAPI 2.6.0")));
        QVERIFY(status->text().contains(QStringLiteral("2 channels")));
        // The built-in sample is not a file the user can reopen from the menu.
        QVERIFY(RecentFiles().files().isEmpty());
    }

    // Every shared example shows as a tree, and every item of it has details.
    void examples_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = Test::exampleFiles();
        QVERIFY(!files.isEmpty());
        for (const QString &file : files)
            QTest::newRow(
                qPrintable(QFileInfo(file).dir().dirName() + u'/' + QFileInfo(file).fileName()))
                << file;
    }

    void examples()
    {
        QFETCH(QString, path);
        MainWindow window;
        QAbstractItemModelTester tester(window.apiModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        openAndWait(window, path);
        const QAbstractItemModel *model = window.apiModel();
        QCOMPARE(model->rowCount(), 1);
        QVERIFY(window.emptyStateText().isEmpty());
        int items = 0;
        QList<QModelIndex> pending {model->index(0, 0)};
        while (!pending.isEmpty()) {
            const QModelIndex index = pending.takeLast();
            window.apiTree()->setCurrentIndex(index);
            QVERIFY2(!window.detailsView()->toPlainText().trimmed().isEmpty(),
                     qPrintable(index.data().toString()));
            ++items;
            for (int row = 0; row < model->rowCount(index); ++row)
                pending.append(model->index(row, 0, index));
        }
        QVERIFY(items > 2);
    }

    // The Design tab edits the document's text; Save writes it, the tree follows, and
    // the history stays.
    void designTabEditsAndSaves()
    {
        const QString path = m_dir.filePath(QStringLiteral("design.yaml"));
        QFile::remove(path);
        QVERIFY(QFile::copy(MainWindow::samplePath(), path));
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QFile original(path);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray before = original.readAll();
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, path));
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form->editor()->lastRead().api, 20000);
        // the form follows the text when it is shown
        window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->setCurrentWidget(form);
        QLineEdit *title = nullptr;
        for (auto *edit : form->findChildren<QLineEdit *>())
            if (edit->accessibleName() == u"API title")
                title = edit;
        QVERIFY(title);
        QCOMPARE(title->text(), u"Chats"_qs);
        title->setText(QStringLiteral("Chats designed"));
        Q_EMIT title->editingFinished();
        QVERIFY(window.windowTitle().contains(u'*'));
        QAction *save = nullptr;
        QAction *undo = nullptr;
        for (QAction *action : window.findChildren<QAction *>()) {
            if (action->text() == u"&Save")
                save = action;
            if (action->text().startsWith(u"&Undo"))
                undo = action;
        }
        QVERIFY(save && save->isEnabled() && undo && undo->isEnabled());
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        save->trigger(); // written off the GUI thread, then the window reads it again
        QVERIFY(loaded.wait(20000));
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray after = saved.readAll();
        QCOMPARE(after, QByteArray(before).replace("title: Chats\n", "title: Chats designed\n"));
        QVERIFY(window.apiModel()->index(0, 0).data().toString().startsWith(u"Chats designed "));
        QVERIFY(!save->isEnabled());
        QVERIFY(!window.windowTitle().contains(u'*'));
        undo->trigger(); // the history survived the save
        QCOMPARE(form->editor()->text(), before);
        QVERIFY(save->isEnabled());
    }

    // A problem with a node the Design form edits goes to its field; another goes to
    // its line in the source.
    void problemGoesToFormField()
    {
        const QString path = m_dir.filePath(QStringLiteral("field-problem.yaml"));
        QVERIFY(writeFile(path,
                          "asyncapi: 2.6.0\n"
                          "info:\n  title: Fields\n  version: 1.0.0\n  contact: [x]\n"
                          "channels:\n"
                          "  /rooms:\n"
                          "    description: [not, text]\n"
                          "    subscribe:\n"
                          "      message:\n        payload: {type: strin}\n"
                          "  /news:\n"
                          "    description: News.\n"));
        MainWindow window;
        window.show();
        openAndWait(window, path);
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QModelIndex description, payload;
        for (int row = 0; row < window.diagnosticsModel()->rowCount(); ++row) {
            const QModelIndex index = window.diagnosticsModel()->index(row, 0);
            const QString pointer = index.data(DiagnosticListModel::PointerRole).toString();
            if (pointer == u"/channels/~1rooms/description")
                description = index;
            else if (pointer.contains(u"payload"))
                payload = index;
        }
        QVERIFY2(description.isValid(),
                 qPrintable(window.diagnosticsModel()->diagnostics().value(0).toString()));
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        form->selectChannel(u"/news"_qs);
        Q_EMIT window.diagnosticsView()->activated(description);
        QCOMPARE(tabs->currentWidget(), form);
        QCOMPARE(form->currentChannel(), u"/rooms"_qs);
        QVERIFY(QApplication::focusWidget());
        QCOMPARE(QApplication::focusWidget()->accessibleName(), u"Channel description"_qs);

        // the payload schema of the message written inline: its field in Messages
        QVERIFY(payload.isValid());
        Q_EMIT window.diagnosticsView()->activated(payload);
        QCOMPARE(tabs->currentWidget(), form);
        QVERIFY(QApplication::focusWidget());
        QCOMPARE(QApplication::focusWidget()->accessibleName(), u"Payload schema"_qs);

        // a node no field edits: the source, at its line
        QModelIndex other;
        for (int row = 0; row < window.diagnosticsModel()->rowCount(); ++row) {
            const QModelIndex index = window.diagnosticsModel()->index(row, 0);
            if (index.data(DiagnosticListModel::PointerRole)
                    .toString()
                    .startsWith(u"/info/contact"))
                other = index;
        }
        QVERIFY(other.isValid());
        Q_EMIT window.diagnosticsView()->activated(other);
        QCOMPARE(tabs->currentWidget(), window.sourceTab());
    }

    void problemOfMessageGoesToMessagesSection()
    {
        const QString path = m_dir.filePath(QStringLiteral("message-problem.yaml"));
        QVERIFY(writeFile(path,
                          "asyncapi: 2.6.0\n"
                          "info:\n  title: Messages\n  version: 1.0.0\n"
                          "channels:\n"
                          "  /rooms:\n"
                          "    subscribe:\n"
                          "      message:\n        $ref: '#/components/messages/Line'\n"
                          "components:\n"
                          "  messages:\n"
                          "    Line:\n"
                          "      payload: {type: string}\n"
                          "      examples:\n"
                          "        - payload: 12\n"));
        MainWindow window;
        window.show();
        openAndWait(window, path);
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form->editor()->lastRead().api, 20000);
        QModelIndex example;
        for (int row = 0; row < window.diagnosticsModel()->rowCount(); ++row) {
            const QModelIndex index = window.diagnosticsModel()->index(row, 0);
            if (index.data(DiagnosticListModel::PointerRole)
                    .toString()
                    .startsWith(u"/components/messages/Line/examples/0"))
                example = index;
        }
        QVERIFY2(example.isValid(),
                 qPrintable(window.diagnosticsModel()->diagnostics().value(0).toString()));
        Q_EMIT window.diagnosticsView()->activated(example);
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QCOMPARE(tabs->currentWidget(), form);
        QCOMPARE(form->sections()->currentWidget(), form->messageForm());
        QCOMPARE(form->messageForm()->currentMessage(), u"Line"_qs);
        QVERIFY(QApplication::focusWidget());
        QCOMPARE(QApplication::focusWidget()->accessibleName(), u"Example payload"_qs);
        QVERIFY(!form->messageForm()->exampleProblem(0).isEmpty());

        // a message chosen in the command palette while designing opens there too
        form->sections()->setCurrentIndex(0);
        CommandPalette *palette = window.showCommandPalette();
        QTest::keyClicks(palette->filterEdit(), u"Line"_qs);
        int row = 0;
        while (row < palette->model()->rowCount()
               && palette->model()->entry(row).where != u"Message")
            ++row;
        QVERIFY(row < palette->model()->rowCount());
        palette->activate(row);
        QCOMPARE(form->sections()->currentWidget(), form->messageForm());
        QCOMPARE(form->messageForm()->currentMessage(), u"Line"_qs);
    }

    void detailsShowUriMapping()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        const QModelIndex op
            = window.apiModel()->find(Kind::Operation, QStringLiteral("sendRoomMessage"));
        QVERIFY(op.isValid());
        window.apiTree()->setCurrentIndex(op);
        const QString text = window.detailsView()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("x-uri-mapping")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("/rooms?room={uri.var.roomID}")));
        QVERIFY(text.contains(QStringLiteral("x-auth-type")));

        // A link in the details selects its target in the tree.
        Q_EMIT window.detailsView()->anchorClicked(
            QUrl(QStringLiteral("gatehouse:message/ChatMessage")));
        const QModelIndex current = window.apiTree()->currentIndex();
        QCOMPARE(current.data(ApiTreeModel::KindRole).toInt(), int(Kind::Message));
        QCOMPARE(current.data(ApiTreeModel::IdRole).toString(), QStringLiteral("ChatMessage"));
        QCOMPARE(current.parent().data(ApiTreeModel::KindRole).toInt(), int(Kind::MessageGroup));
        QVERIFY(window.detailsView()->toPlainText().contains(QStringLiteral("Payload")));
    }

    void brokenDocumentShowsDiagnostics()
    {
        const QString path = m_dir.filePath(QStringLiteral("broken.yaml"));
        QVERIFY(writeFile(path, brokenYaml));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAbstractItemModelTester tester(window.diagnosticsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!openAndWait(window, path));

        QCOMPARE(window.apiModel()->rowCount(), 0);
        QVERIFY(window.emptyStateText().contains(QStringLiteral("could not be loaded")));
        QVERIFY(window.problemsDock()->isVisible());
        QVERIFY(window.diagnosticsModel()->rowCount() > 0);
        QVERIFY(window.diagnosticsModel()->errorCount() > 0);
        QCOMPARE(window.windowTitle(), QStringLiteral("broken.yaml \u2014 Gatehouse"));

        const QModelIndex first = window.diagnosticsModel()->index(0, 0);
        const int line = first.data(DiagnosticListModel::LineRole).toInt();
        const int column = first.data(DiagnosticListModel::ColumnRole).toInt();
        QVERIFY2(line > 1,
                 qPrintable(window.diagnosticsModel()->diagnostics().value(0).toString()));
        QVERIFY(!first.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(first.siblingAtColumn(DiagnosticListModel::LocationColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("broken.yaml:")));

        // Move away, then double-click the problem: the source editor shows its line.
        SourceEditor *source = window.sourcePane()->editor();
        QVERIFY(source->editor());
        QCOMPARE(source->editor()->path(), path);
        source->goTo(1, 1);
        QCOMPARE(source->currentLine(), 1);
        QTreeView *problems = window.diagnosticsView();
        const QRect rect = problems->visualRect(first);
        QVERIFY(rect.isValid());
        // An item view activates on a double-click that follows a press on the same item.
        QTest::mouseClick(problems->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(problems->viewport(), Qt::LeftButton, {}, rect.center());
        QTRY_COMPARE(source->currentLine(), line);
        if (column > 0)
            QCOMPARE(source->currentColumn(), column);
        QCOMPARE(source->editor()->path(), path);
        QVERIFY(source->isVisible());
        QVERIFY(source->hasFocus());
        QTRY_VERIFY(!source->diagnostics().isEmpty()); // underlined there too
    }

    // The Source tab shows a document opened from a file in the source editor, with
    // the text the loader read in the background; the built-in sample (no file to
    // edit) in the read-only view, which reads it in the background when shown.
    void sourceTabShowsTheDocument()
    {
        const QString path = m_dir.filePath(QStringLiteral("source-tab.yaml"));
        QVERIFY(writeFile(
            path, QByteArray("asyncapi: 3.0.0\ninfo:\n  title: Source tab\n  version: '1'\n")));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, path));
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        tabs->setCurrentWidget(window.sourceTab());
        SourceEditor *editor = window.sourcePane()->editor();
        QVERIFY(editor->isVisible());
        QVERIFY(editor->bytes().startsWith("asyncapi: 3.0.0\ninfo:"));
        QVERIFY(!editor->isReadOnly());
        QCOMPARE(tabs->tabText(tabs->indexOf(window.sourceTab())), QStringLiteral("Source"));

        window.openSample();
        QTRY_VERIFY(!window.isLoading());
        tabs->setCurrentWidget(window.sourceTab());
        SourceView *source = window.sourceView();
        QVERIFY(source->isLoading() || !source->fileName().isEmpty());
        QTRY_VERIFY(source->isVisible());
        QTRY_VERIFY(source->toPlainText().startsWith(QStringLiteral("asyncapi:")));
        QVERIFY(!editor->isVisible());
    }

    // Edit > Rename Component… renames the component at the source editor's cursor
    // (here a $ref to it), after asking for the name; what cannot be renamed is said.
    void renameComponentFromTheSource()
    {
        const QString path = m_dir.filePath(QStringLiteral("rename-component.yaml"));
        const QByteArray text = "asyncapi: 2.6.0\n"
                                "info: {title: Rename, version: '1'}\n"
                                "channels:\n"
                                "  /rooms/{roomId}:\n"
                                "    parameters:\n"
                                "      roomId:\n"
                                "        $ref: '#/components/parameters/room'\n"
                                "    subscribe:\n"
                                "      message:\n"
                                "        payload:\n"
                                "          $ref: '#/components/schemas/Chat'\n"
                                "components:\n"
                                "  schemas:\n"
                                "    Chat:\n"
                                "      type: object\n"
                                "      properties:\n"
                                "        reply: {$ref: '#/components/schemas/Chat'}\n"
                                "  parameters:\n"
                                "    room:\n"
                                "      schema: {type: string}\n";
        QVERIFY(writeFile(path, text));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, path));
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        tabs->setCurrentWidget(window.sourceTab());
        SourceEditor *editor = window.sourcePane()->editor();
        QTRY_VERIFY(editor->isVisible());
        auto *action = window.findChild<QAction *>(QStringLiteral("renameComponentAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));

        // nothing to rename at the top of the file
        editor->setCurrentOffset(0);
        action->trigger();
        QVERIFY(window.statusBar()->currentMessage().startsWith(u"No component at the cursor"));
        QVERIFY(!window.findChild<QInputDialog *>(QStringLiteral("renameComponentDialog")));

        editor->setCurrentOffset(int(text.indexOf("schemas/Chat")));
        action->trigger();
        auto *dialog = window.findChild<QInputDialog *>(QStringLiteral("renameComponentDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->textValue(), u"Chat"_qs);
        QVERIFY(dialog->labelText().contains(u"schema Chat"));
        dialog->setTextValue(QStringLiteral("ChatMessage"));
        dialog->accept();
        QCOMPARE(window.statusBar()->currentMessage(), u"Renamed schema to ChatMessage"_qs);
        QByteArray expected = text;
        expected.replace("schemas/Chat'", "schemas/ChatMessage'");
        expected.replace("    Chat:\n", "    ChatMessage:\n");
        QCOMPARE(editor->bytes(), expected);
        QCOMPARE(editor->editor()->undoStack()->undoText(), u"Rename schema Chat"_qs);
        QTRY_VERIFY(!window.findChild<QInputDialog *>(QStringLiteral("renameComponentDialog")));

        // a name a component cannot have: the reason, nothing changed
        editor->setCurrentOffset(int(expected.indexOf("    room:")) + 5);
        action->trigger();
        dialog = window.findChild<QInputDialog *>(QStringLiteral("renameComponentDialog"));
        QVERIFY(dialog);
        dialog->setTextValue(QStringLiteral("bad name"));
        dialog->accept();
        QCOMPARE(window.statusBar()->currentMessage(),
                 u"\"bad name\" cannot name a parameter: use letters, digits, '.', '-' and '_'"_qs);
        QCOMPARE(editor->bytes(), expected);
    }

    // The Source tab chosen while the document is still being read shows its text,
    // and the editor takes over when the reading is done.
    void sourceTabDuringFirstLoad()
    {
        const QString path = m_dir.filePath(QStringLiteral("first-load.yaml"));
        QVERIFY(writeFile(
            path, QByteArray("asyncapi: 3.0.0\ninfo:\n  title: First load\n  version: '1'\n")));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openFile(path);
        QVERIFY(window.isLoading());
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        SourceView *source = window.sourceView();
        tabs->setCurrentWidget(window.sourceTab());
        QVERIFY(source->isLoading() || source->fileName() == path);
        QTRY_VERIFY(!window.isLoading());
        // the document opens on its details; the Source tab has the editor now
        auto *stack = qobject_cast<QStackedWidget *>(window.sourceTab());
        QVERIFY(stack);
        QTRY_COMPARE(stack->currentWidget(), window.sourcePane());
        SourceEditor *editor = window.sourcePane()->editor();
        QVERIFY(editor->editor());
        QCOMPARE(editor->editor()->path(), path);
        QVERIFY(editor->bytes().startsWith("asyncapi: 3.0.0\ninfo:"));
    }

    // Reloading a document shows its text as it is now, not as it was read before.
    void sourceFollowsReload()
    {
        const QString path = m_dir.filePath(QStringLiteral("reloaded.yaml"));
        QVERIFY(writeFile(path, brokenYaml));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!openAndWait(window, path));
        SourceEditor *source = window.sourcePane()->editor();
        QTRY_VERIFY(source->isVisible());
        QCOMPARE(source->bytes(), brokenYaml);
        const int problemLine = source->currentLine(); // the first problem is shown
        QVERIFY(problemLine > 1);

        const QByteArray changed = "# changed\n" + brokenYaml;
        QVERIFY(writeFile(path, changed));
        QVERIFY(!openAndWait(window, path));
        QTRY_COMPARE(source->bytes(), changed);
        QCOMPARE(source->editor()->path(), path);
        QTRY_COMPARE(source->currentLine(), problemLine + 1); // one line further down
    }

    // Problems in a file the document refers to name that file; the source shows it,
    // also when the document was opened by a relative path: in the read-only view
    // until the document's editor has read the file, then in the editor, on the
    // file's own tab.
    void problemInReferencedFile_data()
    {
        QTest::addColumn<bool>("relative");
        QTest::newRow("absolute path") << false;
        QTest::newRow("relative path") << true;
    }

    void problemInReferencedFile()
    {
        QFETCH(bool, relative);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir().mkdir(dir.filePath(QStringLiteral("api"))));
        const QString main = dir.filePath(QStringLiteral("api/main.yaml"));
        const QString common = dir.filePath(QStringLiteral("api/common.yaml"));
        QVERIFY(writeFile(main,
                          "asyncapi: 2.6.0\n"
                          "info:\n"
                          "  title: Refs\n"
                          "  version: 1.0.0\n"
                          "channels:\n"
                          "  /a:\n"
                          "    subscribe:\n"
                          "      message:\n"
                          "        $ref: 'common.yaml#/components/messages/Hello'\n"));
        QVERIFY(writeFile(common,
                          "components:\n"
                          "  messages:\n"
                          "    Hello:\n"
                          "      payload:\n"
                          "        type: 12\n"));
        const QString previousDir = QDir::currentPath();
        const auto restoreDir = qScopeGuard([&] { QDir::setCurrent(previousDir); });
        if (relative)
            QVERIFY(QDir::setCurrent(dir.path()));
        const QString opened = relative ? QStringLiteral("api/main.yaml") : main;

        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!openAndWait(window, opened));
        QModelIndex problem;
        for (int row = 0; row < window.diagnosticsModel()->rowCount(); ++row) {
            const QModelIndex index = window.diagnosticsModel()->index(row, 0);
            if (index.data(DiagnosticListModel::FileRole)
                    .toString()
                    .endsWith(QLatin1String("common.yaml")))
                problem = index;
        }
        QVERIFY2(problem.isValid(),
                 qPrintable(window.diagnosticsModel()->diagnostics().value(0).toString()));
        const int line = problem.data(DiagnosticListModel::LineRole).toInt();
        const int column = problem.data(DiagnosticListModel::ColumnRole).toInt();
        QCOMPARE(line, 5);

        Q_EMIT window.diagnosticsView()->activated(problem);
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        DocumentEditor *editor = window.findChild<ApiForm *>()->editor();
        QVERIFY(editor);
        if (editor->fileIndex(common) < 0) {
            // the editor has not read the other file yet: the read-only view shows it
            SourceView *source = window.sourceView();
            QTRY_VERIFY(!source->isLoading());
            QCOMPARE(QFileInfo(source->fileName()).absoluteFilePath(), common);
            QCOMPARE(source->currentLine(), line);
            QCOMPARE(source->currentColumn(), column);
            QCOMPARE(source->highlightedLine(), line);
            QVERIFY(source->toPlainText().startsWith(QStringLiteral("components:")));
            QCOMPARE(tabs->currentWidget(), window.sourceTab());
            QVERIFY(source->isVisible());
            QCOMPARE(tabs->tabText(tabs->indexOf(window.sourceTab())),
                     QStringLiteral("Source: common.yaml"));
        }
        // once it has, the editor shows it on its tab
        QTRY_VERIFY_WITH_TIMEOUT(editor->fileIndex(common) == 1, 20000);
        Q_EMIT window.diagnosticsView()->activated(problem);
        SourceEditor *edited = window.sourcePane()->editor();
        QCOMPARE(tabs->currentWidget(), window.sourceTab());
        QVERIFY(edited->isVisible());
        QCOMPARE(edited->file(), 1);
        QCOMPARE(window.sourcePane()->fileTabs()->currentIndex(), 1);
        QVERIFY(edited->bytes().startsWith("components:"));
        QCOMPARE(edited->currentLine(), line);
        QCOMPARE(edited->currentColumn(), column);
        QVERIFY(!edited->diagnostics().isEmpty()); // the problem, underlined there
        QCOMPARE(tabs->tabText(tabs->indexOf(window.sourceTab())), QStringLiteral("Source"));

        // Reloading the document: the tab stops naming the other file.
        QVERIFY(!openAndWait(window, opened));
        QCOMPARE(tabs->tabText(tabs->indexOf(window.sourceTab())), QStringLiteral("Source"));
    }

    void missingAndBinaryFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content"); // empty: the file does not exist
        QTest::newRow("missing") << QStringLiteral("nope.yaml") << QByteArray();
        QTest::newRow("binary") << QStringLiteral("garbage.yaml")
                                << QByteArray("\x00\x01\xff\xfe garbage", 13);
        QTest::newRow("empty") << QStringLiteral("empty.yaml") << QByteArray("\n");
        QTest::newRow("not asyncapi")
            << QStringLiteral("other.json") << QByteArray("{\"openapi\": \"3.0.0\"}");
    }

    void missingAndBinaryFiles()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        const QString path = m_dir.filePath(name);
        if (!content.isEmpty())
            QVERIFY(writeFile(path, content));
        MainWindow window;
        QVERIFY(!openAndWait(window, path));
        QVERIFY(window.diagnosticsModel()->errorCount() > 0);
        QVERIFY(window.problemsDock()->isVisibleTo(&window));
        // Never silently empty: either a tree or a text saying what happened.
        QVERIFY(window.apiModel()->rowCount() > 0 || !window.emptyStateText().isEmpty());
        QCOMPARE(RecentFiles().files().contains(path), !content.isEmpty());
    }

    void recentFiles()
    {
        const QString a = m_dir.filePath(QStringLiteral("a.asyncapi.yaml"));
        const QString b = m_dir.filePath(QStringLiteral("b.asyncapi.yaml"));
        QFile sample(MainWindow::samplePath());
        QVERIFY(sample.open(QIODevice::ReadOnly));
        const QByteArray data = sample.readAll();
        QVERIFY(writeFile(a, data));
        QVERIFY(writeFile(b, data));

        MainWindow window;
        QVERIFY(openAndWait(window, a));
        QVERIFY(openAndWait(window, b));
        QCOMPARE(RecentFiles().files(), (QStringList {b, a}));
        QVERIFY(openAndWait(window, a));
        QCOMPARE(RecentFiles().files(), (QStringList {a, b}));

        // The menu is rebuilt when it opens; its entries reopen the files.
        QMenu *menu = window.recentFilesMenu();
        Q_EMIT menu->aboutToShow();
        QStringList entries;
        QAction *entryB = nullptr;
        for (QAction *action : menu->actions()) {
            if (!action->data().toString().isEmpty())
                entries << action->data().toString();
            if (action->data().toString() == b)
                entryB = action;
        }
        QCOMPARE(entries, (QStringList {a, b}));
        QVERIFY(entryB);
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        entryB->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QCOMPARE(window.currentFile(), b);

        // Files that disappeared are pruned.
        QVERIFY(QFile::remove(a));
        QCOMPARE(RecentFiles().files(), QStringList {b});
    }

    void recentFilesKeepsTen()
    {
        RecentFiles recent;
        QStringList paths;
        for (int i = 0; i < 12; ++i) {
            const QString path = m_dir.filePath(QStringLiteral("r%1.yaml").arg(i));
            QVERIFY(writeFile(path, "x"));
            recent.add(path);
            paths.prepend(path);
        }
        recent.add(QStringLiteral(":/samples/chats.asyncapi.yaml"));
        QCOMPARE(recent.files().size(), RecentFiles::MaxCount);
        QCOMPARE(recent.files(), paths.mid(0, RecentFiles::MaxCount));
        recent.remove(paths.first());
        QCOMPARE(recent.files().first(), paths.at(1));
    }

    void dropOpensFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("dropped.asyncapi.yaml"));
        QFile sample(MainWindow::samplePath());
        QVERIFY(sample.open(QIODevice::ReadOnly));
        QVERIFY(writeFile(path, sample.readAll()));

        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint pos = window.rect().center();
        QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &drop);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QCOMPARE(window.currentFile(), path);
        QCOMPARE(window.windowTitle(), QStringLiteral("dropped.asyncapi.yaml \u2014 Gatehouse"));

        // Text that is not a file is refused.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(pos, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QCoreApplication::sendEvent(&window, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void laterRequestWins()
    {
        const QString path = m_dir.filePath(QStringLiteral("broken2.yaml"));
        QVERIFY(writeFile(path, brokenYaml));
        MainWindow window;
        QSignalSpy loaded(&window, &MainWindow::documentLoaded);
        window.openFile(path);
        window.openSample();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QTest::qWait(50);
        QCOMPARE(loaded.size(), 1);
        QCOMPARE(window.currentFile(), MainWindow::samplePath());
    }

    void commandLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("output");
        QTest::newRow("version") << QStringList {QStringLiteral("--version")} << 0
                                 << QStringLiteral("gatehouse " GATEHOUSE_VERSION);
        QTest::newRow("help") << QStringList {QStringLiteral("--help")} << 0
                              << QStringLiteral("[FILE]");
        QTest::newRow("unknown option") << QStringList {QStringLiteral("--bogus")} << 2
                                        << QStringLiteral("Unknown option 'bogus'");
        QTest::newRow("two files") << QStringList {QStringLiteral("a"), QStringLiteral("b")} << 2
                                   << QStringLiteral("at most one FILE");
    }

    // Run from the toolbar: the document's mock and the gateway start, a client gets
    // through, the output shows its connection, Stop closes it with 1001.
    void runAndStop()
    {
        qputenv("GATEHOUSE_DB", m_dir.filePath(QStringLiteral("run-registry.db")).toLocal8Bit());
        const quint16 port = Test::freePort();
        const QString path = m_dir.filePath(QStringLiteral("echo.yaml"));
        QVERIFY(writeFile(path, echoApi(port, Test::freePort())));
        MainWindow window;
        QVERIFY(!window.runAction()->isEnabled()); // nothing open yet
        QVERIFY(!window.stopAction()->isEnabled());
        QVERIFY(openAndWait(window, path));
        QVERIFY(window.runAction()->isEnabled());
        window.runAction()->trigger();
        QVERIFY(!window.runAction()->isEnabled()); // no second start while this one runs
        const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Running on ") + url,
                                  10000);
        QVERIFY(window.stopAction()->isEnabled());
        QVERIFY(window.outputDock()->isVisible() || !window.isVisible());
        QVERIFY(window.outputView()->lines().contains(
            QStringLiteral("serving /echo/1.0.0  Echo 1.0.0: /talk, /secure")));

        QWebSocket client;
        QSignalSpy received(&client, &QWebSocket::textMessageReceived);
        client.open(QUrl(url + QStringLiteral("/echo/1.0.0/talk")));
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        client.sendTextMessage(QStringLiteral("hello"));
        QTRY_COMPARE(received.size(), 1);
        QTRY_VERIFY(window.outputView()->shownText().contains(u"accepted #"));

        // the Connections tab lists it with its traffic; another one is closed from there
        QAbstractItemModelTester tester(window.connectionsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        ConnectionsView *view = window.connectionsView();
        QVERIFY(view->emptyText().isEmpty() || window.connectionsModel()->rowCount() == 0);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()
                                      ->index(0, ConnectionListModel::MessagesInColumn)
                                      .data()
                                      .toString(),
                                  QStringLiteral("1"), 5000);
        QCOMPARE(window.connectionsModel()->index(0, ConnectionListModel::PathColumn).data(),
                 QVariant(QStringLiteral("/echo/1.0.0/talk")));
        QWebSocket other;
        other.open(QUrl(url + QStringLiteral("/echo/1.0.0/talk")));
        QTRY_COMPARE(other.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 2, 5000);
        // the dashboard counts them from the gateway's own events
        QTRY_VERIFY_WITH_TIMEOUT(
            (window.dashboardView()->refresh(QDateTime::currentMSecsSinceEpoch()),
             window.dashboardView()->figure(QStringLiteral("open")) == u"2"),
            5000);
        QVERIFY(view->selectedIds().isEmpty());
        QVERIFY(!view->closeButton()->isEnabled());
        view->filterEdit()->setText(QStringLiteral("nothing like this"));
        QCOMPARE(view->table()->model()->rowCount(), 0);
        view->filterEdit()->clear();
        for (int row = 0; row < view->table()->model()->rowCount(); ++row) {
            const QModelIndex in
                = view->table()->model()->index(row, ConnectionListModel::MessagesInColumn);
            if (in.data().toString() == u"0")
                view->table()->selectionModel()->select(
                    in, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        QCOMPARE(view->selectedIds().size(), 1);
        QVERIFY(view->closeButton()->isEnabled());
        view->closeSelected(4001, QStringLiteral("closed in a test"));
        QTRY_COMPARE(other.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(int(other.closeCode()), 4001);
        QCOMPARE(other.closeReason(), QStringLiteral("closed in a test"));
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 1, 5000);
        QCOMPARE(client.state(), QAbstractSocket::ConnectedState);

        // the filter narrows what is shown, not what is kept
        window.outputView()->filterEdit()->setText(QStringLiteral("serving"));
        QVERIFY(!window.outputView()->shownText().contains(u"accepted #"));
        window.outputView()->filterEdit()->clear();
        QVERIFY(window.outputView()->shownText().contains(u"accepted #"));

        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
        QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(int(client.closeCode()), 1001);
        QTRY_VERIFY(window.outputView()->shownText().contains(u"closed #"));
        QVERIFY(window.outputView()->shownText().contains(u"stopped; closed 1 open connection"));
        QVERIFY(window.runAction()->isEnabled());
        qunsetenv("GATEHOUSE_DB");
    }

    // Log Payloads in the Connections tab grants payload logging of the current
    // connection's channel for the chosen time; the grant is listed with its time left
    // and Stop (from the keyboard) ends it.
    void logPayloadsFromConnections()
    {
        qputenv("GATEHOUSE_DB", m_dir.filePath(QStringLiteral("run-registry.db")).toLocal8Bit());
        const quint16 port = Test::freePort();
        const QString path = m_dir.filePath(QStringLiteral("echo-payloads.yaml"));
        QVERIFY(writeFile(path, echoApi(port, Test::freePort())));
        MainWindow window;
        QVERIFY(openAndWait(window, path));
        window.runAction()->trigger();
        const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Running on ") + url,
                                  10000);
        QWebSocket client;
        client.open(QUrl(url + QStringLiteral("/echo/1.0.0/talk")));
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        ConnectionsView *view = window.connectionsView();
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 1, 5000);

        QToolButton *button = view->logPayloadsButton();
        QVERIFY(!button->accessibleName().isEmpty());
        QVERIFY(!button->isEnabled()); // nothing selected
        view->table()->setCurrentIndex(view->table()->model()->index(0, 0));
        QVERIFY(button->isEnabled());
        const QList<QAction *> actions = view->logPayloadsMenu()->actions();
        QAction *tenMinutes = nullptr;
        QAction *applicationHour = nullptr;
        for (QAction *a : actions) {
            if (a->text() == u"Log payloads of this channel for 10 minutes")
                tenMinutes = a;
            if (a->text() == u"Log payloads of this application for 1 hour")
                applicationHour = a;
        }
        QVERIFY(tenMinutes && applicationHour);
        QVERIFY(tenMinutes->isEnabled());
        QVERIFY(!applicationHour->isEnabled()); // an anonymous connection
        tenMinutes->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(view->payloadLogGrantTexts().size(), 1, 5000);
        const QString text = view->payloadLogGrantTexts().constFirst();
        QVERIFY2(text == u"Logging payloads of /echo/1.0.0 /talk: 10:00 left"
                     || text == u"Logging payloads of /echo/1.0.0 /talk: 9:59 left",
                 qPrintable(text));
        QTRY_VERIFY(window.outputView()->shownText().contains(
            u"payload logging on for /echo/1.0.0 /talk until"));

        auto *stop = view->findChild<QPushButton *>(QStringLiteral("stopPayloadLogging"));
        QVERIFY(stop);
        QCOMPARE(stop->accessibleName(), u"Stop logging payloads of /echo/1.0.0 /talk"_qs);
        stop->setFocus();
        QTest::keyClick(stop, Qt::Key_Space);
        QTRY_VERIFY_WITH_TIMEOUT(view->payloadLogGrantTexts().isEmpty(), 5000);
        QTRY_VERIFY(window.outputView()->shownText().contains(
            u"payload logging ended for /echo/1.0.0 /talk"));

        // sampled: one message in 10 of each connection
        QAction *oneInTen = nullptr;
        for (QAction *a : actions)
            if (a->text() == u"One message in 10 of each connection")
                oneInTen = a;
        QVERIFY(oneInTen && oneInTen->isCheckable() && !oneInTen->isChecked());
        oneInTen->trigger();
        QVERIFY(oneInTen->isChecked());
        tenMinutes->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(view->payloadLogGrantTexts().size(), 1, 5000);
        QVERIFY2(view->payloadLogGrantTexts().constFirst().startsWith(
                     u"Logging payloads of /echo/1.0.0 /talk, one message in 10: "),
                 qPrintable(view->payloadLogGrantTexts().constFirst()));
        QTRY_VERIFY(window.outputView()->shownText().contains(
            u"payload logging on for /echo/1.0.0 /talk, one message in 10 until"));

        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
        qunsetenv("GATEHOUSE_DB");
    }

    // Log Payloads in the Message Log tab grants payload logging of the selected row's
    // channel: the messages after it are stored with their payloads, those before
    // without. It is off while the gateway is stopped, saying why.
    void logPayloadsFromTheLog()
    {
        qputenv("GATEHOUSE_DB", m_dir.filePath(QStringLiteral("run-registry.db")).toLocal8Bit());
        auto unset = qScopeGuard([] { qunsetenv("GATEHOUSE_DB"); });
        const quint16 port = Test::freePort();
        const QString path = m_dir.filePath(QStringLiteral("echo-log-payloads.yaml"));
        QVERIFY(writeFile(path, echoApi(port, Test::freePort())));
        MainWindow window;
        QVERIFY(openAndWait(window, path));
        MessageLogView *log = window.messageLogView();
        PayloadLoggingControl *control = log->payloadLogging();
        QVERIFY(!control->button()->isEnabled());
        QCOMPARE(control->button()->toolTip(), u"Run the gateway to log payloads"_qs);
        QVERIFY(!control->button()->accessibleName().isEmpty());
        QVERIFY(window.showTab(u"log"_qs)); // gatehouse --show log: kept when the run starts
        window.runAction()->trigger();
        const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Running on ") + url,
                                  10000);
        QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->currentWidget(),
                 static_cast<QWidget *>(log));
        window.showTab(u"connections"_qs); // (what a run shows otherwise)
        QWebSocket client;
        client.open(QUrl(url + QStringLiteral("/echo/1.0.0/talk")));
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        Analytics::LogFilter talk;
        talk.channel = QStringLiteral("/talk");
        talk.kinds = {Analytics::LogRecord::Kind::Message};
        talk.fromMs = QDateTime::currentMSecsSinceEpoch(); // (other tests' rows are older)
        const QString before = QStringLiteral("said before the grant %1").arg(port);
        client.sendTextMessage(before);

        // the message's rows (in and echoed out), once the log has them: relayed
        // before the grant is asked for
        Analytics::MessageLogReader reader;
        QString error;
        QVERIFY2(reader.open(MainWindow::messageLogPath(), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(reader.count(talk, &error) >= 2, 10000);
        // (both counts answered: the rows shown are those of the new filter)
        QSignalSpy counted(log->model(), &MessageLogModel::counted);
        log->setKinds({QStringLiteral("message")});
        log->model()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(counted.size() >= 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(log->model()->rowCount() >= 1, 5000);
        QVERIFY(!control->button()->isEnabled()); // no row selected yet
        log->list()->setCurrentIndex(log->model()->index(log->model()->rowCount() - 1, 0));
        // (on once the row's page is read)
        QTRY_VERIFY_WITH_TIMEOUT(control->button()->isEnabled(), 5000);
        QAction *minute = nullptr;
        QAction *applicationMinute = nullptr;
        for (QAction *a : control->menu()->actions()) {
            if (a->text() == u"Log payloads of this channel for 1 minute")
                minute = a;
            if (a->text() == u"Log payloads of this application for 1 minute")
                applicationMinute = a;
        }
        QVERIFY(minute && applicationMinute);
        QVERIFY(!applicationMinute->isEnabled()); // an anonymous connection
        minute->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(control->grantTexts().size(), 1, 5000);
        const QString text = control->grantTexts().constFirst();
        QVERIFY2(text == u"Logging payloads of /echo/1.0.0 /talk: 1:00 left"
                     || text == u"Logging payloads of /echo/1.0.0 /talk: 0:59 left",
                 qPrintable(text));
        // the Connections tab lists it too
        QCOMPARE(window.connectionsView()->payloadLogGrantTexts().size(), 1);

        const QString after = QStringLiteral("said after the grant %1").arg(port);
        client.sendTextMessage(after);
        Analytics::LogFilter withAfter = talk;
        withAfter.text = after;
        QTRY_VERIFY_WITH_TIMEOUT(reader.count(withAfter, &error) >= 1, 10000);
        const QList<Analytics::LogRecord> rows = reader.query(withAfter, 0, 10, &error);
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.constFirst().payload, after.toUtf8());
        Analytics::LogFilter withBefore = talk;
        withBefore.text = before;
        QCOMPARE(reader.count(withBefore, &error), 0);

        auto *stop = log->findChild<QPushButton *>(QStringLiteral("stopPayloadLogging"));
        QVERIFY(stop);
        stop->click();
        QTRY_VERIFY_WITH_TIMEOUT(control->grantTexts().isEmpty(), 5000);
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
        QVERIFY(!control->button()->isEnabled());
    }

    // The time left counts down and a grant that ran out is no longer shown.
    void payloadLogGrantTimeLeft()
    {
        ConnectionListModel model;
        ConnectionsView view(&model);
        Gateway::PayloadLogGrants::Grant g;
        g.id = 3;
        g.api = QStringLiteral("/chats/1.0.0");
        g.application = QStringLiteral("app_1");
        g.untilMs = 1'000'000 + 3'725'000; // 1 h 2 min 5 s after "now"
        QSignalSpy stopped(&view, &ConnectionsView::payloadLoggingStopRequested);
        view.setPayloadLogGrants({g}, 1'000'000);
        QCOMPARE(
            view.payloadLogGrantTexts(),
            QStringList {u"Logging payloads of /chats/1.0.0 application app_1: 1:02:05 left"_qs});
        view.findChild<QPushButton *>(QStringLiteral("stopPayloadLogging"))->click();
        QCOMPARE(stopped.size(), 1);
        QCOMPARE(stopped.constFirst().at(0).value<quint64>(), quint64(3));
        view.setPayloadLogGrants({g}, g.untilMs + 1);
        QVERIFY(view.payloadLogGrantTexts().isEmpty());
        view.setPayloadLogGrants({});
        QVERIFY(view.payloadLogGrantTexts().isEmpty());
    }

    // What cannot run says why, and the window stays usable.
    void runRefusedOrFailed()
    {
        qputenv("GATEHOUSE_DB", m_dir.filePath(QStringLiteral("run-registry.db")).toLocal8Bit());
        MainWindow window;
        const QString broken = m_dir.filePath(QStringLiteral("broken-run.yaml"));
        QVERIFY(writeFile(broken, brokenYaml));
        QVERIFY(!openAndWait(window, broken));
        QVERIFY(!window.runAction()->isEnabled());
        QVERIFY(window.runAction()->toolTip().contains(u"without errors"));

        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const QString path = m_dir.filePath(QStringLiteral("taken.yaml"));
        QVERIFY(writeFile(path, echoApi(taken.serverPort(), Test::freePort())));
        QVERIFY(openAndWait(window, path));
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Failed: "), 10000);
        QVERIFY2(window.runStateText().contains(QString::number(taken.serverPort())),
                 qPrintable(window.runStateText()));
        QVERIFY(window.outputView()->lines().constLast().startsWith(u"error: "));
        QVERIFY(window.runAction()->isEnabled()); // try again after freeing the port

        // a certificate that is not one: the run fails naming the file
        const QString notPem = m_dir.filePath(QStringLiteral("not-a-certificate.pem"));
        QVERIFY(writeFile(notPem, "these are not the bytes of a certificate\n"));
        const QString tls = m_dir.filePath(QStringLiteral("tls.yaml"));
        const QByteArray tlsSettings
            = "  mock: {kind: echo}\n  tlsListen: 127.0.0.1:" + QByteArray::number(Test::freePort())
            + "\n  certificate: " + notPem.toUtf8() + "\n  privateKey: " + notPem.toUtf8() + "\n";
        QVERIFY(writeFile(tls,
                          echoApi(Test::freePort(), Test::freePort())
                              .replace("  mock: {kind: echo}\n", tlsSettings)));
        QVERIFY(openAndWait(window, tls));
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Failed: "), 10000);
        QVERIFY2(window.runStateText().contains(notPem), qPrintable(window.runStateText()));
        QVERIFY(openAndWait(window, path));

        taken.close();
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Running on "), 10000);
        qunsetenv("GATEHOUSE_DB");
    }

    // Applications & Keys: an application, a subscription and a token made in the
    // window work against the window's gateway and are what gatehouse-cli sees;
    // revoking the token closes its connection.
    void applicationsAndKeys()
    {
        const QString db = m_dir.filePath(QStringLiteral("keys-registry.db"));
        qputenv("GATEHOUSE_DB", db.toLocal8Bit());
        auto unset = qScopeGuard([] { qunsetenv("GATEHOUSE_DB"); });
        const quint16 port = Test::freePort();
        const QString path = m_dir.filePath(QStringLiteral("keys.yaml"));
        QVERIFY(writeFile(path, echoApi(port, Test::freePort())));
        MainWindow window;
        ApplicationsView *view = window.applicationsView();
        view->setShowIssuedDialog(false);
        QAbstractItemModelTester apps(view->applicationsModel(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(openAndWait(window, path));
        QTRY_VERIFY(window.credentials()->snapshot());

        view->createApplication(QStringLiteral("tester"));
        QTRY_COMPARE(view->applicationsModel()->rowCount(), 1);
        QTRY_COMPARE(view->selectedApplication(), QStringLiteral("tester"));
        view->createApplication(QStringLiteral("tester")); // twice: refused, said so
        QTRY_VERIFY2(view->statusText().startsWith(u"Cannot create application: "),
                     qPrintable(view->statusText()));
        QCOMPARE(view->applicationsModel()->rowCount(), 1);

        view->subscribeSelected(QStringLiteral("AsyncUnlimited"));
        QTRY_COMPARE(view->subscriptionsModel()->rowCount(), 1);
        QCOMPARE(view->subscriptionsModel()->index(0, 0).data().toString(),
                 QStringLiteral("Echo 1.0.0"));
        QSignalSpy issued(view, &ApplicationsView::secretIssued);
        view->issueForSelected(Credentials::CredentialType::AccessToken);
        QTRY_VERIFY2_WITH_TIMEOUT(issued.size() == 1, qPrintable(view->statusText()), 10000);
        const QString token = issued.at(0).at(1).toString();
        QVERIFY2(token.startsWith(u"gh_at_"), qPrintable(view->statusText()));
        QTRY_COMPARE(view->credentialsModel()->rowCount(), 1);
        for (const QString &text : allTexts(view->credentialsModel()))
            QVERIFY(!text.contains(token)); // never displayed after the once-only dialog

        // the command line sees the same registry
        const Test::ProcessResult listed
            = Test::runCli({QStringLiteral("keys"), QStringLiteral("list"),
                            QStringLiteral("tester"), QStringLiteral("--db"), db});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.standardOutput.contains(issued.at(0).at(0).toString().toUtf8()));

        // the token opens the authenticated channel of the window's gateway
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Running on "), 10000);
        QWebSocket client;
        QNetworkRequest request(
            QUrl(QStringLiteral("ws://127.0.0.1:%1/echo/1.0.0/secure").arg(port)));
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        client.open(request);
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);

        // a ready wscat command with it, and wscat (from npm) gets through with it
        window.copyWscatCommand(QStringLiteral("/secure"), issued.at(0).at(0).toString());
        const QString expected = QStringLiteral("wscat -c 'ws://127.0.0.1:%1/echo/1.0.0/secure' "
                                                "-H 'Authorization: Bearer %2'")
                                     .arg(port)
                                     .arg(token);
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), expected);
        QVERIFY(!window.outputView()->lines().join(u'\n').contains(token));
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        const QString wscat
            = QDir(Test::nodeModulesPath()).absoluteFilePath(QStringLiteral("wscat/bin/wscat"));
        if (!node.isEmpty() && QFile::exists(wscat)) {
            // (stdin stays open: wscat quits at its end)
            QProcess wscatProcess;
            wscatProcess.setProcessChannelMode(QProcess::MergedChannels);
            wscatProcess.start(node,
                               {wscat, QStringLiteral("--no-color"), QStringLiteral("-c"),
                                QStringLiteral("ws://127.0.0.1:%1/echo/1.0.0/secure").arg(port),
                                QStringLiteral("-H"),
                                QStringLiteral("Authorization: Bearer ") + token,
                                QStringLiteral("-x"), QStringLiteral("hello"), QStringLiteral("-w"),
                                QStringLiteral("1")});
            QTRY_COMPARE_WITH_TIMEOUT(wscatProcess.state(), QProcess::NotRunning, 20000);
            const QByteArray said = wscatProcess.readAll();
            QVERIFY2(wscatProcess.exitCode() == 0, said.constData());
            QTRY_VERIFY2(
                window.outputView()->lines().filter(u"accepted #").size() >= 2,
                qPrintable(window.outputView()->lines().join(u'\n') + QString::fromUtf8(said)));
        }

        // revoking it closes that connection
        view->credentialsTable()->selectionModel()->select(view->credentialsModel()->index(0, 0),
                                                           QItemSelectionModel::ClearAndSelect
                                                               | QItemSelectionModel::Rows);
        view->revokeSelectedCredential();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 10000);
        QCOMPARE(int(client.closeCode()), 1008);
        QTRY_COMPARE(view->credentialsModel()->index(0, 7).data().toString(),
                     QStringLiteral("revoked"));

        // deleting the application while it is connected closes its connections too
        issued.clear();
        view->issueForSelected(Credentials::CredentialType::AccessToken);
        QTRY_COMPARE_WITH_TIMEOUT(issued.size(), 1, 10000);
        QWebSocket second;
        QNetworkRequest again(request);
        again.setRawHeader("Authorization", "Bearer " + issued.at(0).at(1).toString().toLatin1());
        // the running gateway's registry sees the new token within its polling interval
        for (int attempt = 0; attempt < 20 && second.state() != QAbstractSocket::ConnectedState;
             ++attempt) {
            second.open(again);
            QTRY_VERIFY(second.state() == QAbstractSocket::ConnectedState
                        || second.state() == QAbstractSocket::UnconnectedState);
            if (second.state() != QAbstractSocket::ConnectedState)
                QTest::qWait(250);
        }
        QCOMPARE(second.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 1, 5000);
        view->deleteSelectedApplication();
        QTRY_COMPARE_WITH_TIMEOUT(second.state(), QAbstractSocket::UnconnectedState, 10000);
        QCOMPARE(int(second.closeCode()), 1008);
        QTRY_COMPARE(view->applicationsModel()->rowCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 0, 5000);
        QCOMPARE(window.runStateText().startsWith(u"Running on "), true); // still serving
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
    }

    // Two client tabs are two members of a room of the Chats sample, on the window's
    // own gateway with its chat mock, connected with a token issued in the window.
    void twoClientTabsChat()
    {
        const QString db = m_dir.filePath(QStringLiteral("chat-registry.db"));
        qputenv("GATEHOUSE_DB", db.toLocal8Bit());
        auto unset = qScopeGuard([] { qunsetenv("GATEHOUSE_DB"); });
        QFile sample(MainWindow::samplePath());
        QVERIFY(sample.open(QIODevice::ReadOnly));
        QByteArray text = sample.readAll();
        const quint16 port = Test::freePort();
        const QByteArray endpoint
            = QByteArray("endpoint: ws://127.0.0.1:") + QByteArray::number(Test::freePort());
        const QByteArray listen = QByteArray("listen: 127.0.0.1:") + QByteArray::number(port);
        text.replace("endpoint: ws://localhost:8080", endpoint);
        text.replace("listen: 127.0.0.1:9099", listen);
        text.replace("  tlsListen: 127.0.0.1:8099\n", "");
        const QString path = m_dir.filePath(QStringLiteral("chats.asyncapi.yaml"));
        QVERIFY(writeFile(path, text));

        MainWindow window;
        window.setConfirmQuit(false);
        QVERIFY(openAndWait(window, path));
        ApplicationsView *apps = window.applicationsView();
        apps->setShowIssuedDialog(false);
        QTRY_VERIFY(window.credentials()->snapshot());
        apps->createApplication(QStringLiteral("chatter"));
        QTRY_COMPARE(apps->selectedApplication(), QStringLiteral("chatter"));
        apps->subscribeSelected(QStringLiteral("AsyncUnlimited"));
        QTRY_COMPARE(apps->subscriptionsModel()->rowCount(), 1);
        QSignalSpy issued(apps, &ApplicationsView::secretIssued);
        apps->issueForSelected(Credentials::CredentialType::AccessToken);
        QTRY_COMPARE_WITH_TIMEOUT(issued.size(), 1, 10000);
        const QString credential = issued.at(0).at(0).toString();
        const QString token = issued.at(0).at(1).toString();

        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Running on "), 10000);
        window.openClientTabFor(QStringLiteral("/rooms/{roomID}"), credential);
        QTRY_COMPARE_WITH_TIMEOUT(window.clientTabs().size(), 1, 10000);
        window.openClientTabFor(QStringLiteral("/rooms/{roomID}"), credential);
        QTRY_COMPARE_WITH_TIMEOUT(window.clientTabs().size(), 2, 10000);
        ClientTab *alice = window.clientTabs().at(0);
        ClientTab *bob = window.clientTabs().at(1);
        // side by side: bob moves beside alice
        window.moveClientTab(bob);
        QCOMPARE(window.tabWidgetOf(bob),
                 window.findChild<QTabWidget *>(QStringLiteral("sideTabs")));
        QVERIFY(!window.tabWidgetOf(bob)->isHidden());
        QCOMPARE(window.clientTabs(), (QList<ClientTab *> {alice, bob}));
        QAbstractItemModelTester aliceModel(alice->messageModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester bobModel(bob->filteredModel(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY2_WITH_TIMEOUT(alice->isConnected() && bob->isConnected(),
                                  qPrintable(alice->statusText() + u" / " + bob->statusText()),
                                  10000);
        QCOMPARE(alice->urlEdit()->text(),
                 QStringLiteral("ws://127.0.0.1:%1/chats/1.0.0/rooms/roomID").arg(port));
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 2, 5000);

        // the document's example is a snippet; what breaks the schema is not sent unless asked
        QCOMPARE(alice->snippetBox()->count(), 2);
        QCOMPARE(alice->snippetBox()->itemText(1), QStringLiteral("chatMessage"));
        QCOMPARE(alice->snippetBox()->itemData(1).toString(), QStringLiteral("Hello everyone!"));
        QVERIFY(alice->schemaCheckBox()->isChecked());
        alice->setComposerText(QString(5000, u'x')); // maxLength 4096
        QVERIFY(!alice->sendComposed());
        QVERIFY2(alice->statusText().startsWith(u"Not sent: "), qPrintable(alice->statusText()));
        // bob expects a message that fits the channel's schema, within a second
        QVERIFY(bob->addExpectation(QStringLiteral("schema"), {}, 2000));
        alice->setComposerText(QStringLiteral("hello from alice"));
        QVERIFY(alice->sendComposed());
        QTRY_VERIFY_WITH_TIMEOUT(bob->expectationResults().value(0).startsWith(u"passed"), 3000);
        auto received = [](ClientTab *tab, const QString &needle) {
            tab->refreshNow();
            for (int row = 0; row < tab->messageModel()->eventCount(); ++row) {
                const Client::ClientEvent &e = tab->messageModel()->event(row);
                if (e.kind == Client::ClientEvent::Kind::Received
                    && QString::fromUtf8(e.data).contains(needle))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(received(bob, QStringLiteral("hello from alice")), 5000);
        bob->setComposerText(QStringLiteral("hi alice"));
        QVERIFY(bob->sendComposed());
        QTRY_VERIFY_WITH_TIMEOUT(received(alice, QStringLiteral("hi alice")), 5000);

        // the token went in a header: never in the URL bar, the history or an export
        QVERIFY(!alice->urlEdit()->text().contains(token));
        const QString exported = m_dir.filePath(QStringLiteral("alice.jsonl"));
        QCOMPARE(alice->exportJsonLines(exported), QString());
        QFile file(exported);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(token.toUtf8()));

        // a tab restored from its settings reads its credential's secret again to connect
        ClientTab *again = window.addClientTab();
        again->restoreState(bob->saveState());
        QVERIFY(!again->saveState().values().contains(token));
        again->connectToServer();
        QTRY_VERIFY2_WITH_TIMEOUT(again->isConnected(), qPrintable(again->statusText()), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 3, 5000);
        window.closeClientTab(again);
        window.moveClientTab(bob); // back: the side hides when it is empty
        QVERIFY(window.findChild<QTabWidget *>(QStringLiteral("sideTabs"))->isHidden());

        // closing a tab closes its connection
        window.closeClientTab(alice);
        QTRY_COMPARE(window.clientTabs().size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionsModel()->rowCount(), 1, 5000);
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!bob->isConnected(), 5000);
        // the run went to the app's message log: the chat's handshakes and closes
        Analytics::MessageLogReader reader;
        QString error;
        QVERIFY2(reader.open(MainWindow::messageLogPath(), &error), qPrintable(error));
        Analytics::LogFilter closes;
        closes.kinds = {Analytics::LogRecord::Kind::Close};
        QVERIFY(reader.count(closes, &error) >= 3);
        Analytics::LogFilter messages;
        messages.kinds = {Analytics::LogRecord::Kind::Message};
        QVERIFY(reader.count(messages, &error) >= 2);
    }

    // Client tabs saved as a scenario file, which the window (and cat --expect) runs again.
    void scenarioFromClientTabs()
    {
        qputenv("GATEHOUSE_DB",
                m_dir.filePath(QStringLiteral("scenario-registry.db")).toLocal8Bit());
        auto unset = qScopeGuard([] { qunsetenv("GATEHOUSE_DB"); });
        const quint16 port = Test::freePort();
        const QString api = m_dir.filePath(QStringLiteral("scenario-echo.yaml"));
        QVERIFY(writeFile(api, echoApi(port, Test::freePort())));
        MainWindow window;
        window.setConfirmQuit(false);
        QVERIFY(openAndWait(window, api));
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Running on "), 10000);
        window.openClientTabFor(QStringLiteral("/talk"), {});
        QTRY_COMPARE_WITH_TIMEOUT(window.clientTabs().size(), 1, 5000);
        ClientTab *tab = window.clientTabs().constFirst();
        QTRY_VERIFY_WITH_TIMEOUT(tab->isConnected(), 5000);
        tab->setFormat(ClientTab::Format::Json); // the channel's messages are JSON strings
        tab->setComposerText(QStringLiteral("\"hello there\""));
        QVERIFY2(tab->sendComposed(), qPrintable(tab->statusText()));
        QVERIFY(tab->addExpectation(QStringLiteral("regex"), QStringLiteral("hello"), 2000));

        const QString path = m_dir.filePath(QStringLiteral("talk.scenario.yaml"));
        QTRY_VERIFY(tab->messageModel()->eventCount() >= 6); // the send is in the history
        QCOMPARE(window.saveScenario(path), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray yaml = file.readAll();
        QVERIFY2(yaml.contains("  echo-talk:\n    url: \"ws://127.0.0.1:"), yaml.constData());
        QVERIFY2(yaml.contains("  - echo-talk: {send: \"\\\"hello there\\\"\"}"), yaml.constData());
        QVERIFY2(yaml.contains("  - echo-talk: {expect: {regex: \"hello\"}, within: 2000ms}"),
                 yaml.constData());
        // kept under its API, for Client > Scenarios of This API
        QCOMPARE(MainWindow::scenariosOf(QStringLiteral("Echo")), QStringList {path});
        QMenu *apiScenarios = window.findChild<QMenu *>(QStringLiteral("apiScenariosMenu"));
        QVERIFY(apiScenarios);
        Q_EMIT apiScenarios->aboutToShow();
        QCOMPARE(apiScenarios->actions().size(), 1);
        QCOMPARE(apiScenarios->actions().constFirst()->text(), QDir::toNativeSeparators(path));
        QVERIFY(MainWindow::scenariosOf(QStringLiteral("Other")).isEmpty());

        QSignalSpy finished(&window, &MainWindow::scenarioFinished);
        window.runScenario(path);
        QVERIFY(finished.wait(15000));
        QVERIFY2(finished.constFirst().constFirst().toString().endsWith(u"2 passed, 0 failed"),
                 qPrintable(finished.constFirst().constFirst().toString()));
        QVERIFY(
            window.outputView()->lines().contains(QStringLiteral("scenario: 2 passed, 0 failed")));

        // a broken file is said, and nothing runs
        QVERIFY(writeFile(path, "steps: [{nope: 1}]\n"));
        finished.clear();
        window.runScenario(path);
        QVERIFY(finished.wait(10000));
        QVERIFY2(finished.constFirst().constFirst().toString().startsWith(u"Scenario not run: "),
                 qPrintable(finished.constFirst().constFirst().toString()));
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.runStateText(), QStringLiteral("Stopped"), 10000);
    }

    // A point of the dashboard opens the message log of its moment and kind.
    void dashboardPointOpensLog()
    {
        MainWindow window;
        window.dashboardView()->setPaused(true);
        window.dashboardView()->refresh(1'700'000'000'000);
        window.messageLogView()->searchEdit()->setText(QStringLiteral("typed before"));
        window.dashboardView()->setApi(QStringLiteral("/chats/1.0.0"));
        window.dashboardView()->setPaused(true);
        window.dashboardView()->refresh(1'700'000'000'000);
        window.dashboardView()->clickPoint(QStringLiteral("rejected 429"), 1'700'000'000'000);
        QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->currentWidget(),
                 static_cast<QWidget *>(window.messageLogView()));
        const Analytics::LogFilter &f = window.messageLogView()->model()->filter();
        QCOMPARE(f.fromMs, 1'699'999'999'000);
        QCOMPARE(f.toMs, 1'700'000'000'000);
        QCOMPARE(f.kinds,
                 QList<Analytics::LogRecord::Kind> {Analytics::LogRecord::Kind::Handshake});
        QVERIFY(f.handshakes == Analytics::LogFilter::Handshakes::Rejected);
        QCOMPARE(f.status, 429);
        QCOMPARE(f.api, u"/chats/1.0.0"_qs);
        QCOMPARE(f.text, QString()); // what was typed before does not hide the rows
        QCOMPARE(window.messageLogView()->kinds(), QStringList {u"rejected"_qs});
    }

    // Client tabs come back on the next start with their settings (never a secret).
    void clientTabsRestored()
    {
        QSettings().remove(QStringLiteral("workspace"));
        {
            MainWindow window;
            window.setConfirmQuit(false);
            Client::ClientOptions options;
            options.url = QUrl(QStringLiteral("ws://127.0.0.1:1/chats/1.0.0/rooms/r1"));
            options.headers = {{"X-Trace", "abc"}};
            options.onOpen = {{Client::ClientEvent::Text, "{\"join\": \"r1\"}"}};
            options.reconnect = true;
            ClientTab *tab = window.addClientTab(options);
            tab->setSecretHeader("Authorization", "Bearer top-secret", QStringLiteral("at_1"));
            tab->setFormat(ClientTab::Format::Json);
            tab->setComposerText(QStringLiteral("{\"text\": \"hi\"}"));
            tab->filterEdit()->setText(QStringLiteral("hi"));
            window.addClientTab()->urlEdit()->setText(QStringLiteral("ws://127.0.0.1:2/echo"));
            QVERIFY(window.close());
        }
        QSettings settings;
        QVERIFY(!settings.value(QStringLiteral("workspace/clientTabs"))
                     .toString()
                     .contains(u"top-secret"));
        for (const QVariant &v : settings.value(QStringLiteral("workspace/clientTabs")).toList())
            for (const QVariant &value : v.toMap())
                QVERIFY(!value.toString().contains(u"top-secret"));
        MainWindow window;
        window.restoreWorkspace();
        QCOMPARE(window.clientTabs().size(), 2);
        ClientTab *tab = window.clientTabs().at(0);
        QCOMPARE(tab->urlEdit()->text(), QStringLiteral("ws://127.0.0.1:1/chats/1.0.0/rooms/r1"));
        QCOMPARE(tab->options().headers.size(), 1);
        QCOMPARE(tab->options().onOpen.size(), 1);
        QVERIFY(tab->options().reconnect);
        QCOMPARE(tab->composer()->toPlainText(), QStringLiteral("{\"text\": \"hi\"}"));
        QCOMPARE(tab->filterEdit()->text(), QStringLiteral("hi"));
        QCOMPARE(tab->credentialId(), QStringLiteral("at_1"));
        QCOMPARE(window.clientTabs().at(1)->urlEdit()->text(),
                 QStringLiteral("ws://127.0.0.1:2/echo"));
        QSettings().remove(QStringLiteral("workspace"));
    }

    // A tab opened for a channel comes back with it: once the document is open again,
    // its examples, its schema check and its schema expectations are back; with
    // Client > Keep Tab History its events come back too.
    void clientTabRestoredWithChannelAndHistory()
    {
        QSettings().remove(QStringLiteral("workspace"));
        {
            MainWindow window;
            window.setConfirmQuit(false);
            window.setKeepClientHistory(true);
            ClientTab *tab = window.addClientTab();
            QVariantMap state = tab->saveState();
            state.insert(QStringLiteral("url"),
                         QStringLiteral("ws://127.0.0.1:1/chats/1.0.0/rooms/roomID"));
            state.insert(QStringLiteral("channel"), QStringLiteral("/rooms/{roomID}"));
            state.insert(QStringLiteral("channelApi"), QStringLiteral("Chats"));
            state.insert(QStringLiteral("environment"), QStringLiteral("staging"));
            state.insert(
                QStringLiteral("expectations"),
                QVariantList {QVariantMap {{QStringLiteral("kind"), QStringLiteral("schema")},
                                           {QStringLiteral("value"), QString()},
                                           {QStringLiteral("withinMs"), 500}}});
            tab->restoreState(state);
            QCOMPARE(tab->expectationResults().size(), 1); // kept until the document is open
            tab->connectToServer(); // nothing listens on port 1: connecting, error
            QTRY_VERIFY_WITH_TIMEOUT(tab->messageModel()->eventCount() >= 2, 5000);
            QVERIFY(window.close());
        }
        MainWindow window;
        QCOMPARE(window.keepsClientHistory(), true);
        window.restoreWorkspace();
        QCOMPARE(window.clientTabs().size(), 1);
        ClientTab *tab = window.clientTabs().constFirst();
        QCOMPARE(tab->environment(), QStringLiteral("staging"));
        QTRY_VERIFY_WITH_TIMEOUT(tab->messageModel()->eventCount() >= 2, 5000);
        QCOMPARE(int(tab->messageModel()->event(0).kind),
                 int(Client::ClientEvent::Kind::Connecting));
        QVERIFY(!tab->hasChannelContext());
        QCOMPARE(tab->expectationResults().size(), 1);
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        QTRY_VERIFY(tab->hasChannelContext());
        QCOMPARE(tab->snippetBox()->count(), 2);
        QCOMPARE(tab->snippetBox()->itemText(1), QStringLiteral("chatMessage"));
        QVERIFY(tab->schemaCheckBox()->isChecked());
        // history off: the next start has none
        window.setConfirmQuit(false);
        window.setKeepClientHistory(false);
        QVERIFY(window.close());
        MainWindow again;
        again.restoreWorkspace();
        QCOMPARE(again.clientTabs().size(), 1);
        QTest::qWait(200);
        QCOMPARE(again.clientTabs().constFirst()->messageModel()->eventCount(), 0);
        QSettings().remove(QStringLiteral("workspace"));
        QSettings().remove(QStringLiteral("client"));
    }

    // Several documents open, one shown; the list comes back on the next start.
    void workspaceRestored()
    {
        const QString a = m_dir.filePath(QStringLiteral("first.yaml"));
        const QString b = m_dir.filePath(QStringLiteral("second.yaml"));
        QVERIFY(writeFile(a, echoApi(Test::freePort(), Test::freePort())));
        QVERIFY(writeFile(
            b, echoApi(Test::freePort(), Test::freePort()).replace("title: Echo", "title: Other")));
        {
            MainWindow window;
            QVERIFY(openAndWait(window, a));
            QVERIFY(openAndWait(window, b));
            QCOMPARE(window.openDocuments(), (QStringList {a, b}));
            QCOMPARE(window.documentList()->count(), 2);
            QCOMPARE(window.documentList()->currentIndex(), 1);
            QVERIFY(!window.documentList()->accessibleName().isEmpty());
            // the workspace: both documents, the current one with its channels, the views
            QAbstractItemModel *workspace = window.workspaceTree()->model();
            QAbstractItemModelTester tester(workspace,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
            QCOMPARE(workspace->rowCount(), 6);
            QCOMPARE(workspace->index(0, 0).data().toString(), QStringLiteral("first.yaml"));
            QCOMPARE(workspace->index(1, 0).data().toString(), QStringLiteral("second.yaml"));
            QCOMPARE(childLabels(workspace, workspace->index(1, 0)),
                     (QStringList {u"/talk"_qs, u"/secure"_qs}));
            QCOMPARE(workspace->index(3, 0).data().toString(), QStringLiteral("Dashboard"));
            Q_EMIT window.workspaceTree()->activated(workspace->index(3, 0));
            QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->currentWidget(),
                     static_cast<QWidget *>(window.dashboardView()));
            QCOMPARE(workspace->index(4, 0).data().toString(), QStringLiteral("Message Log"));
            Q_EMIT window.workspaceTree()->activated(workspace->index(4, 0));
            QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->currentWidget(),
                     static_cast<QWidget *>(window.messageLogView()));
            QCOMPARE(workspace->index(5, 0).data().toString(),
                     QStringLiteral("Applications & Keys"));
            Q_EMIT window.workspaceTree()->activated(workspace->index(5, 0));
            QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->currentWidget(),
                     static_cast<QWidget *>(window.applicationsView()));
            // a channel of the current document selects it in the API tree
            Q_EMIT window.workspaceTree()->activated(
                workspace->index(1, 0, workspace->index(1, 0)));
            QCOMPARE(window.apiTree()->currentIndex().data().toString(), QStringLiteral("/secure"));
            // picking the first (in the workspace) shows it again
            QSignalSpy loaded(&window, &MainWindow::documentLoaded);
            Q_EMIT window.workspaceTree()->activated(workspace->index(0, 0));
            QTRY_COMPARE(loaded.size(), 1);
            QCOMPARE(window.currentFile(), a);
            QCOMPARE(window.documentList()->currentIndex(), 0);
        }
        {
            MainWindow window;
            const QStringList restored = window.restoreWorkspace();
            QCOMPARE(restored, (QStringList {a, b})); // the one shown last comes first
            QCOMPARE(window.documentList()->count(), 2);
            QVERIFY(openAndWait(window, restored.first()));
            QSignalSpy loaded(&window, &MainWindow::documentLoaded);
            window.closeCurrentDocument();
            QTRY_COMPARE(loaded.size(), 1);
            QCOMPARE(window.currentFile(), b);
            QCOMPARE(window.openDocuments(), QStringList {b});
            window.closeCurrentDocument();
            QVERIFY(window.openDocuments().isEmpty());
            QVERIFY(window.emptyStateText().contains(u"No document open"));
            QVERIFY(!window.runAction()->isEnabled());
        }
        MainWindow window;
        QVERIFY(window.restoreWorkspace().isEmpty());
    }

    void guiResponsiveUnderLoad_data()
    {
        QTest::addColumn<QString>("tab");
        QTest::newRow("connections") << QStringLiteral("connections");
        QTest::newRow("dashboard") << QStringLiteral("dashboard");
        QTest::newRow("log") << QStringLiteral("log");
    }

    // 20,000 messages a second through the window's gateway (a node process sends
    // them), logged and shown (the Connections tab, the Dashboard's charts moving
    // every second, or the Message Log following its tail): the GUI thread never
    // spends more than 50 ms of CPU in one turn of its event loop (thread CPU time, so
    // a busy machine descheduling it does not count), and all it does for the traffic
    // is a few batched updates a second.
    void guiResponsiveUnderLoad()
    {
        QFETCH(QString, tab);
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node.isEmpty() || !QFile::exists(QDir(Test::nodeModulesPath()).filePath(u"ws"_qs)))
            QSKIP("node or the ws package is not installed (scripts/install-deps)");
        qputenv("GATEHOUSE_DB", m_dir.filePath(QStringLiteral("load-registry.db")).toLocal8Bit());
        auto unset = qScopeGuard([] { qunsetenv("GATEHOUSE_DB"); });
        const quint16 port = Test::freePort();
        const QString path = m_dir.filePath(QStringLiteral("load.yaml"));
        QVERIFY(writeFile(path, echoApi(port, Test::freePort())));
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, path));
        window.runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith(u"Running on "), 10000);
        QVERIFY(window.showTab(tab));
        const qint64 logRowsBefore = window.messageLogView()->model()->rowCount();

        auto threadCpuNs = [] {
            timespec t {};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
            return qint64(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
        };
        // A 5 ms ticker: the GUI thread's CPU time between two ticks bounds what any one
        // piece of work in between cost it.
        qint64 lastTick = -1;
        qint64 longestTurn = 0;
        int turns = 0;
        QTimer ticker;
        ticker.setTimerType(Qt::PreciseTimer);
        ticker.setInterval(5);
        connect(&ticker, &QTimer::timeout, &ticker, [&] {
            const qint64 now = threadCpuNs();
            if (lastTick >= 0)
                longestTurn = qMax(longestTurn, now - lastTick);
            lastTick = now;
            ++turns;
        });
        ticker.start();

        QProcess load;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("GATEHOUSE_NODE_MODULES"), Test::nodeModulesPath());
        load.setProcessEnvironment(env);
        const qint64 cpuBefore = threadCpuNs();
        QElapsedTimer wall;
        wall.start();
        load.start(node,
                   {Test::sourcePath(QStringLiteral("tests/ui/load-clients.js")),
                    QStringLiteral("ws://127.0.0.1:%1/echo/1.0.0/talk").arg(port),
                    QStringLiteral("8"), QStringLiteral("20000"), QStringLiteral("3")});
        // a real event loop (QTRY's waits sleep between turns): it blocks when idle
        QEventLoop loop;
        connect(&load, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        if (load.state() != QProcess::NotRunning)
            loop.exec();
        QCOMPARE(load.state(), QProcess::NotRunning);
        const qint64 cpu = threadCpuNs() - cpuBefore;
        const QByteArray said = load.readAllStandardOutput() + load.readAllStandardError();
        QVERIFY2(load.exitCode() == 0, said.constData());
        const QList<QByteArray> words = said.trimmed().split(' ');
        QCOMPARE(words.value(0), QByteArray("sent"));
        const qint64 sent = words.value(1).toLongLong();
        QVERIFY2(sent >= 50'000, said.constData()); // the load did reach its rate
        QVERIFY2(words.value(3).toLongLong() >= sent * 9 / 10, said.constData()); // echoed
        ticker.stop();
        qInfo("GUI thread: %.1f %% of one core over %.1f s, at most %.2f ms of CPU between "
              "two of %d ticks, %lld messages each way",
              100.0 * double(cpu) / double(wall.nsecsElapsed()), wall.elapsed() / 1000.0,
              longestTurn / 1e6, turns, sent);
        QVERIFY(turns > 100); // the measurement saw the loop turn
        QVERIFY2(
            longestTurn < 50'000'000,
            qPrintable(
                QStringLiteral("an event-loop turn took %1 ms of CPU").arg(longestTurn / 1e6)));
        // the traffic reached the views as a few batched updates: the connections list
        // shows it, no per-message line was written
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionsModel()->rowCount() == 0
                                     || window.outputView()->lines().filter(u"closed #").size()
                                         == 8,
                                 10000);
        QVERIFY(window.outputView()->lines().size() < 40);
        if (tab == u"log") // the log followed its tail
            QTRY_VERIFY_WITH_TIMEOUT(
                window.messageLogView()->model()->rowCount() > logRowsBefore + 1000, 10000);
        if (tab == u"dashboard") { // the charts moved with the traffic
            double highest = 0;
            for (const QPointF &p : window.dashboardView()->points(QStringLiteral("messages in")))
                highest = std::max(highest, p.y());
            QVERIFY2(highest > 5000, qPrintable(QString::number(highest)));
        }
    }

    // Assistive technology finds a name for every control of the window: its own
    // text or an accessible name; every action has text.
    void everyControlIsNamed()
    {
        MainWindow window;
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        window.addClientTab(); // a client tab's controls too
        QStringList unnamed;
        for (QWidget *w : window.findChildren<QWidget *>()) {
            QString text;
            if (auto *b = qobject_cast<QAbstractButton *>(w))
                text = b->text();
            if (!w->accessibleName().isEmpty() || !text.isEmpty())
                continue;
            const bool control = qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w)
                || qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractItemView *>(w)
                || qobject_cast<QPlainTextEdit *>(w) || qobject_cast<QTextBrowser *>(w)
                || qobject_cast<QAbstractSpinBox *>(w);
            // Qt's own parts (tab bar scrollers, line edit clear buttons, ...) name
            // themselves through their parents
            const bool comboPopup
                = w->parentWidget() && qobject_cast<QComboBox *>(w->parentWidget()->parentWidget());
            if (control && !comboPopup && !w->objectName().startsWith(u"qt_")
                && !qobject_cast<QAbstractButton *>(w) && !qobject_cast<QHeaderView *>(w))
                unnamed.append(QStringLiteral("%1 %2").arg(
                    QString::fromLatin1(w->metaObject()->className()), w->objectName()));
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u", ")));
        for (QAction *a : window.findChildren<QAction *>())
            if (!a->isSeparator() && a->menu() == nullptr && a->text().isEmpty()
                && !qobject_cast<QWidgetAction *>(a) // a toolbar widget: named above
                && !a->objectName().startsWith(u"qt_") && !a->objectName().startsWith(u"_q_"))
                QFAIL(qPrintable(u"an action without text: "_qs + a->objectName()));
    }

    // Usable at 200 % scaling: a 1920 x 1080 screen is then 960 x 540, and the window
    // must be able to shrink to that on every tab without its controls overlapping
    // or going past its edges (its minimum size, what its layouts allow, fits).
    void fitsAScreenAt200Percent()
    {
        QSettings().remove(QStringLiteral("mainWindow/geometry")); // a first start
        MainWindow window;
        // its first size fits the screen (800 x 600 offscreen)
        const QSize screen = window.screen()->availableGeometry().size();
        QVERIFY2(window.width() <= screen.width() && window.height() <= screen.height(),
                 qPrintable(QStringLiteral("%1 x %2").arg(window.width()).arg(window.height())));
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        window.addClientTab();
        window.show();
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        QStringList tooBig;
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            QTest::qWait(20);
            const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
            if (least.width() > 960 || least.height() > 540)
                tooBig.append(QStringLiteral("%1: %2 x %3")
                                  .arg(tabs->tabText(i))
                                  .arg(least.width())
                                  .arg(least.height()));
        }
        QVERIFY2(tooBig.isEmpty(), qPrintable(tooBig.join(u"; ")));
    }

    void outputViewKeepsBatchesAndPauses()
    {
        GatewayOutputView view;
        QStringList many;
        for (int i = 0; i < GatewayOutputView::MaxLines + 10; ++i)
            many.append(QStringLiteral("line %1").arg(i));
        view.appendLines(many);
        QCOMPARE(view.lines().size(), GatewayOutputView::MaxLines);
        QCOMPARE(view.lines().constFirst(), QStringLiteral("line 10"));
        view.pauseBox()->setChecked(true);
        view.appendLines({QStringLiteral("while paused")});
        QVERIFY(!view.shownText().contains(u"while paused"));
        view.pauseBox()->setChecked(false);
        QVERIFY(view.shownText().endsWith(u"while paused"));
        view.clear();
        QVERIFY(view.lines().isEmpty());
        QVERIFY(view.shownText().isEmpty());
    }

    void commandLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, output);
        const QString program = QStringLiteral(GATEHOUSE_BINARY_DIR "/app/gatehouse/gatehouse");
        QVERIFY2(QFile::exists(program), qPrintable(program));
        arguments << QStringLiteral("-platform") << QStringLiteral("offscreen");
        if (exitCode == 0)
            arguments = arguments.mid(0, 1); // information options need no platform
        const Test::ProcessResult result = Test::runProcess(program, arguments);
        QVERIFY(result.finished);
        QCOMPARE(result.exitCode, exitCode);
        const QString all = QString::fromUtf8(result.standardOutput + result.standardError);
        QVERIFY2(all.contains(output), qPrintable(all));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
