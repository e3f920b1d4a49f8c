// SPDX-License-Identifier: GPL-3.0-or-later
// The command palette: ranking, its model under QAbstractItemModelTester, and the
// window's palette finding and running actions and showing channels and messages,
// from the keyboard.
#include "apitreemodel.h"
#include "commandpalette.h"
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "mainwindow.h"
#include "windowtesting.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QFile>
#include <QLineEdit>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Gatehouse;
using namespace Gatehouse::Test;
using Kind = ApiTreeModel::Kind;

class TestCommandPalette final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        useScratchSettings(m_dir.path(), u"tst_commandpalette"_qs);
    }

    void score_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("matches");
        QTest::newRow("empty") << ""
                               << "Save" << true;
        QTest::newRow("prefix") << "sav"
                                << "Save" << true;
        QTest::newRow("case") << "SAVE"
                              << "Save" << true;
        QTest::newRow("initials") << "cgu"
                                  << "Copy Gateway URL" << true;
        QTest::newRow("in order only") << "evas"
                                       << "Save" << false;
        QTest::newRow("missing") << "x"
                                 << "Save" << false;
        QTest::newRow("inside a word") << "at"
                                       << "cat Ax" << true;
        QTest::newRow("words with a space") << "run mock"
                                            << "Run with Mock Backend" << true;
        QTest::newRow("path") << "rooms"
                              << "/rooms/{roomID}" << true;
    }

    void score()
    {
        QFETCH(QString, query);
        QFETCH(QString, text);
        QFETCH(bool, matches);
        QCOMPARE(CommandPaletteModel::score(query, text) >= 0, matches);
    }

    void ranking()
    {
        // a match at the start of the text or its words ranks above one inside
        const auto s = &CommandPaletteModel::score;
        QVERIFY(s(u"save"_qs, u"Save"_qs) > s(u"save"_qs, u"Autosave settings"_qs));
        QVERIFY(s(u"cgu"_qs, u"Copy Gateway URL"_qs) > s(u"cgu"_qs, u"Configure logging"_qs));
        QVERIFY(s(u"run"_qs, u"Run"_qs) > s(u"run"_qs, u"Run Scenario"_qs));
        QVERIFY(s(u"rg"_qs, u"RoomGreeting"_qs) > s(u"rg"_qs, u"large"_qs));

        CommandPaletteModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<CommandPaletteModel::Entry> entries;
        for (const char *text : {"Autosave settings", "Save", "Save As", "Quit"}) {
            CommandPaletteModel::Entry e;
            e.text = QString::fromLatin1(text);
            e.where = u"File"_qs;
            entries.append(e);
        }
        entries[3].enabled = false;
        model.setEntries(entries);
        QCOMPARE(model.rowCount(), 4); // all, in order, for no query
        QCOMPARE(model.index(0, 0).data().toString(), u"Autosave settings"_qs);
        model.setQuery(u"save"_qs);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data().toString(), u"Save"_qs);
        QCOMPARE(model.index(1, 0).data().toString(), u"Save As"_qs);
        QCOMPARE(model.index(0, CommandPaletteModel::WhereColumn).data().toString(), u"File"_qs);
        model.setQuery(u"file quit"_qs); // the menu's name counts too
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(!(model.flags(model.index(0, 0)) & Qt::ItemIsEnabled));
        model.setQuery(u"zzz"_qs);
        QCOMPARE(model.rowCount(), 0);
    }

    void windowPalette()
    {
        MainWindow window;
        window.setConfirmQuit(false);
        window.show();
        QVERIFY(openAndWait(window, MainWindow::samplePath()));
        QAction *open = window.findChild<QAction *>(QStringLiteral("commandPaletteAction"));
        QVERIFY(open);
        QCOMPARE(open->shortcut(), QKeySequence(u"Ctrl+Shift+P"_qs));
        open->trigger();
        auto *palette = window.findChild<CommandPalette *>();
        QVERIFY(palette && palette->isVisible());
        QLineEdit *filter = palette->filterEdit();
        QVERIFY(!filter->accessibleName().isEmpty());
        QVERIFY(!palette->list()->accessibleName().isEmpty());

        // every menu action is there, with its menu and shortcut
        CommandPaletteModel *model = palette->model();
        int actions = 0;
        bool hasSave = false;
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto &e = model->entry(row);
            actions += e.action ? 1 : 0;
            if (e.text == u"Save" && e.where == u"File") {
                hasSave = true;
                QCOMPARE(e.shortcut,
                         QKeySequence(QKeySequence::Save).toString(QKeySequence::NativeText));
            }
        }
        QVERIFY(actions > 30);
        QVERIFY(hasSave);

        // a channel, from the keyboard: typing, then Enter
        QTest::keyClicks(filter, u"rooms"_qs);
        QVERIFY(model->rowCount() > 0);
        QCOMPARE(model->entry(0).text, u"/rooms/{roomID}"_qs);
        QCOMPARE(model->entry(0).where, u"Channel"_qs);
        QTest::keyClick(filter, Qt::Key_Return);
        QVERIFY(!palette->isVisible());
        QModelIndex current = window.apiTree()->currentIndex();
        QCOMPARE(current.data(ApiTreeModel::KindRole).toInt(), int(Kind::Channel));
        QCOMPARE(current.data(ApiTreeModel::IdRole).toString(), u"/rooms/{roomID}"_qs);

        // a message: Down moves in the list while the filter keeps the focus
        open->trigger();
        QVERIFY(filter->text().isEmpty());
        QTest::keyClicks(filter, u"greeting"_qs);
        int greeting = -1;
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->entry(row).where == u"Message")
                greeting = row;
        QVERIFY(greeting >= 0);
        for (int i = palette->list()->currentIndex().row(); i < greeting; ++i)
            QTest::keyClick(filter, Qt::Key_Down);
        QCOMPARE(palette->list()->currentIndex().row(), greeting);
        QTest::keyClick(filter, Qt::Key_Return);
        current = window.apiTree()->currentIndex();
        QCOMPARE(current.data(ApiTreeModel::KindRole).toInt(), int(Kind::Message));
        QCOMPARE(current.data(ApiTreeModel::IdRole).toString(), u"RoomGreeting"_qs);

        // an action runs
        window.apiTree()->collapseAll();
        open->trigger();
        QTest::keyClicks(filter, u"expand all"_qs);
        QCOMPARE(model->entry(0).text, u"Expand All"_qs);
        QTest::keyClick(filter, Qt::Key_Return);
        QVERIFY(window.apiTree()->isExpanded(window.apiModel()->index(0, 0)));

        // a greyed-out action does nothing and Escape closes the palette
        open->trigger();
        QTest::keyClicks(filter, u"stop"_qs);
        int stop = -1;
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->entry(row).text == u"Stop" && !model->entry(row).enabled)
                stop = row;
        QVERIFY(stop >= 0);
        palette->activate(stop);
        QVERIFY(palette->isVisible());
        QTest::keyClick(filter, Qt::Key_Escape);
        QVERIFY(!palette->isVisible());
    }

    // Chosen while the Design tab is shown, a channel opens in the form.
    void channelOpensInTheDesignTab()
    {
        const QString path = m_dir.filePath(QStringLiteral("palette.yaml"));
        QVERIFY(QFile::copy(MainWindow::samplePath(), path));
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        MainWindow window;
        window.setConfirmQuit(false);
        window.show();
        QVERIFY(openAndWait(window, path));
        auto *form = window.findChild<ApiForm *>();
        QVERIFY(form && form->editor());
        QTRY_VERIFY_WITH_TIMEOUT(form->editor()->lastRead().api, 20000);
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        tabs->setCurrentWidget(form);
        form->selectChannel(u"/notifications"_qs);
        CommandPalette *palette = window.showCommandPalette();
        QTest::keyClicks(palette->filterEdit(), u"rooms"_qs);
        QCOMPARE(palette->model()->entry(0).where, u"Channel"_qs);
        QTest::keyClick(palette->filterEdit(), Qt::Key_Return);
        QCOMPARE(tabs->currentWidget(), form);
        QCOMPARE(form->currentChannel(), u"/rooms/{roomID}"_qs);
        QCOMPARE(window.apiTree()->currentIndex().data(ApiTreeModel::IdRole).toString(),
                 u"/rooms/{roomID}"_qs);
    }
};

QTEST_MAIN(TestCommandPalette)
#include "tst_commandpalette.moc"
