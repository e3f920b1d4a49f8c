// SPDX-License-Identifier: GPL-3.0-or-later
// The API overview: rows drawn from the model (messages each way, who may connect,
// the backend URL each channel is mapped to), picking a channel with the mouse and
// the keyboard, and the window's Overview tab following edits and opening the form.
#include "api/api.h"
#include "apitreemodel.h"
#include "asyncapi/asyncapireader.h"
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "mainwindow.h"
#include "overviewdiagram.h"
#include "windowtesting.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

using namespace Gatehouse;
using namespace Gatehouse::Test;

namespace {

std::shared_ptr<const Api> chats()
{
    QFile file(MainWindow::samplePath());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    ReadResult read = AsyncApiReader::readData(file.readAll(), QStringLiteral("chats.yaml"));
    return read.api ? std::make_shared<const Api>(*read.api) : nullptr;
}

} // namespace

class TestOverviewDiagram final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        useScratchSettings(m_dir.path(), u"tst_overviewdiagram"_qs);
    }

    void rowsFromTheModel()
    {
        OverviewDiagram diagram;
        QCOMPARE(diagram.summaryText(), u"No API open."_qs);
        const auto api = chats();
        QVERIFY(api);
        diagram.setApi(api);
        QCOMPARE(diagram.gatewayTitle(), u"Gateway  ws://127.0.0.1:9099/chats/1.0.0"_qs);
        QCOMPARE(diagram.backendTitle(), u"Backend  ws://localhost:8080"_qs);
        QCOMPARE(diagram.rows().size(), 2);
        const OverviewDiagram::Row &notifications = diagram.rows().at(0);
        QCOMPARE(notifications.address, u"/notifications"_qs);
        QVERIFY(notifications.toBackend.isEmpty());
        QCOMPARE(notifications.toClients, QStringList {u"Notification"_qs});
        QCOMPARE(notifications.backend, u"ws://localhost:8080/notifications"_qs);
        QCOMPARE(notifications.auth, u"credential required"_qs);
        const OverviewDiagram::Row &rooms = diagram.rows().at(1);
        QCOMPARE(rooms.toBackend, QStringList {u"ChatMessage"_qs});
        QCOMPARE(rooms.toClients, (QStringList {u"ChatMessage"_qs, u"RoomGreeting"_qs}));
        // x-uri-mapping, as WSO2 writes it, shown with the channel's parameter
        QCOMPARE(rooms.backend, u"ws://localhost:8080/rooms?room={roomID}"_qs);
        // what assistive technology reads
        QVERIFY(diagram.accessibleDescription().contains(
            u"Channel /rooms/{roomID} (credential required); clients send ChatMessage; clients "
            "receive ChatMessage, RoomGreeting; backend ws://localhost:8080/rooms?room={roomID}"_qs));
        QVERIFY(!diagram.accessibleName().isEmpty());

        // an open channel says so; the current row stays on its channel
        Api open = *api;
        open.channels[1].authType = u"None"_qs;
        for (Operation &op : open.operations)
            op.authType.clear();
        diagram.setCurrentRow(1);
        diagram.setApi(std::make_shared<const Api>(open));
        QCOMPARE(diagram.currentRow(), 1);
        QCOMPARE(diagram.rows().at(1).auth, u"open: no credential"_qs);

        // thousands of channels: the description names the first ones and how many more
        // (the tree has them all); summaryText() has every one
        Api many = *api;
        while (many.channels.size() < OverviewDiagram::DescribedChannels + 50) {
            Channel c = api->channels.at(0);
            c.id = c.address = u"/extra%1"_qs.arg(many.channels.size());
            many.channels.append(c);
        }
        diagram.setApi(std::make_shared<const Api>(many));
        QCOMPARE(diagram.rows().size(), OverviewDiagram::DescribedChannels + 50);
        QVERIFY2(diagram.accessibleDescription().endsWith(u"And 50 more channel(s)."_qs),
                 qPrintable(diagram.accessibleDescription().right(80)));
        QCOMPARE(diagram.summaryText().count(u"\nChannel "_qs),
                 OverviewDiagram::DescribedChannels + 50);

        Api empty = *api;
        empty.channels.clear();
        empty.operations.clear();
        diagram.setApi(std::make_shared<const Api>(empty));
        QVERIFY(diagram.rows().isEmpty());
        QVERIFY(diagram.summaryText().contains(u"No channels yet"));
    }

    void pickingAChannel()
    {
        OverviewDiagram diagram;
        diagram.setApi(chats());
        diagram.resize(diagram.sizeHint());
        diagram.show();
        QSignalSpy picked(&diagram, &OverviewDiagram::channelActivated);
        // a click on the second row, in its channel box
        const int y = diagram.sizeHint().height() - 3 * diagram.fontMetrics().height();
        const int row = diagram.rowAt(QPoint(diagram.width() / 2, y));
        QCOMPARE(row, 1);
        QTest::mouseClick(&diagram, Qt::LeftButton, {}, QPoint(diagram.width() / 2, y));
        QCOMPARE(picked.size(), 1);
        QCOMPARE(picked.at(0).at(0).toString(), u"/rooms/{roomID}"_qs);
        QCOMPARE(diagram.currentRow(), 1);
        QCOMPARE(diagram.rowAt(QPoint(5, 2)), -1); // the headings pick nothing

        // the keyboard
        diagram.setFocus();
        QTest::keyClick(&diagram, Qt::Key_Up);
        QCOMPARE(diagram.currentRow(), 0);
        QTest::keyClick(&diagram, Qt::Key_Up); // stays on the first
        QCOMPARE(diagram.currentRow(), 0);
        QTest::keyClick(&diagram, Qt::Key_Return);
        QCOMPARE(picked.size(), 2);
        QCOMPARE(picked.at(1).at(0).toString(), u"/notifications"_qs);
        QTest::keyClick(&diagram, Qt::Key_End);
        QCOMPARE(diagram.currentRow(), 1);
    }

    void windowOverviewFollowsEditsAndOpensTheForm()
    {
        const QString path = m_dir.filePath(QStringLiteral("chats.yaml"));
        QVERIFY(QFile::copy(MainWindow::samplePath(), path));
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        MainWindow window;
        window.setConfirmQuit(false);
        window.show();
        QVERIFY(openAndWait(window, path));
        OverviewDiagram *overview = window.overview();
        QVERIFY(overview);
        QCOMPARE(overview->rows().size(), 2);
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        int overviewTab = -1;
        for (int i = 0; i < tabs->count(); ++i)
            if (tabs->tabText(i) == u"Overview")
                overviewTab = i;
        QVERIFY(overviewTab >= 0);

        // a channel added in the form appears without saving
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form->editor()->lastRead().api, 20000);
        QVERIFY(form->addChannel(u"/alerts"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(overview->rows().size(), 3, 20000);

        // picking a channel selects it in the tree and opens it in the form
        tabs->setCurrentIndex(overviewTab);
        overview->setFocus();
        overview->setCurrentRow(1);
        QTest::keyClick(overview, Qt::Key_Return);
        QCOMPARE(tabs->currentWidget(), form);
        QCOMPARE(form->currentChannel(), u"/rooms/{roomID}"_qs);
        const QModelIndex current = window.apiTree()->currentIndex();
        QCOMPARE(current.data(ApiTreeModel::IdRole).toString(), u"/rooms/{roomID}"_qs);
    }

    // The tree follows the text as it is edited, before any save, keeping what was
    // expanded, collapsed and selected.
    void treeFollowsEditsKeepingItsState()
    {
        const QString path = m_dir.filePath(QStringLiteral("tree.yaml"));
        QVERIFY(QFile::copy(MainWindow::samplePath(), path));
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        MainWindow window;
        window.setConfirmQuit(false);
        window.show();
        QVERIFY(openAndWait(window, path));
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form->editor()->lastRead().api, 20000);
        ApiTreeModel *model = window.apiModel();
        QTreeView *tree = window.apiTree();
        const auto find
            = [model](ApiTreeModel::Kind kind, const QString &id) { return model->find(kind, id); };
        tree->collapse(find(ApiTreeModel::Kind::Channel, u"/notifications"_qs));
        QVERIFY(tree->isExpanded(find(ApiTreeModel::Kind::Channel, u"/rooms/{roomID}"_qs)));
        tree->setCurrentIndex(find(ApiTreeModel::Kind::Operation, u"sendRoomMessage"_qs));

        QVERIFY(form->addChannel(u"/alerts"_qs));
        const auto channels = [&] {
            const QModelIndex api = model->index(0, 0);
            for (int row = 0; row < model->rowCount(api); ++row) {
                const QModelIndex group = model->index(row, 0, api);
                if (group.data(ApiTreeModel::KindRole).toInt()
                    == int(ApiTreeModel::Kind::ChannelGroup))
                    return model->rowCount(group);
            }
            return -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(channels(), 3, 20000);
        QVERIFY(form->editor()->isModified());
        const QModelIndex current = tree->currentIndex();
        QCOMPARE(current.data(ApiTreeModel::KindRole).toInt(), int(ApiTreeModel::Kind::Operation));
        QCOMPARE(current.data(ApiTreeModel::IdRole).toString(), u"sendRoomMessage"_qs);
        QVERIFY(!tree->isExpanded(find(ApiTreeModel::Kind::Channel, u"/notifications"_qs)));
        QVERIFY(tree->isExpanded(find(ApiTreeModel::Kind::Channel, u"/rooms/{roomID}"_qs)));
        QVERIFY(find(ApiTreeModel::Kind::Channel, u"/alerts"_qs).isValid());

        // undo: the channel leaves the tree again, the selection stays
        form->editor()->undoStack()->undo();
        QTRY_COMPARE_WITH_TIMEOUT(channels(), 2, 20000);
        QCOMPARE(tree->currentIndex().data(ApiTreeModel::IdRole).toString(), u"sendRoomMessage"_qs);
    }
};

QTEST_MAIN(TestOverviewDiagram)
#include "tst_overviewdiagram.moc"
