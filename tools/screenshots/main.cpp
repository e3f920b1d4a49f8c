// SPDX-License-Identifier: GPL-3.0-or-later
// Takes the screenshots of docs/images: the main window on a demo API that runs with
// its mock, a few clients talking through the gateway, and an application with a
// token. gatehouse-screenshots OUTPUT_DIR (scripts/screenshots runs it under Xvfb).
#include "analytics/dashboardview.h"
#include "analytics/messagelogmodel.h"
#include "analytics/messagelogview.h"
#include "apitreemodel.h"
#include "applicationsview.h"
#include "client/clientmessagemodel.h"
#include "client/clienttab.h"
#include "commandpalette.h"
#include "connectionsview.h"
#include "credentials/credentialservice.h"
#include "diagnosticlistmodel.h"
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "editor/gatewayform.h"
#include "editor/messageform.h"
#include "editor/mockform.h"
#include "editor/newapiwizard.h"
#include "editor/policyform.h"
#include "editor/serversform.h"
#include "editor/sourceeditor.h"
#include "editor/sourcepane.h"
#include "mainwindow.h"
#include "overviewdiagram.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>
#include <QWebSocket>

#include <cstdio>
#include <functional>

using namespace Gatehouse;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// Runs the event loop until `done` or `ms` passed.
bool waitUntil(const std::function<bool()> &done, int ms = 10000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < ms)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    return done();
}

void settle(int ms = 600)
{
    waitUntil([] { return false; }, ms);
}

bool save(QWidget *window, const QString &dir, const QString &name)
{
    settle();
    const QString path = QDir(dir).filePath(name);
    if (!window->grab().save(path)) {
        std::fprintf(stderr, "gatehouse-screenshots: cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-screenshots"));
    QCoreApplication::setApplicationName(QStringLiteral("gatehouse-screenshots"));
    if (argc != 2) {
        std::fprintf(stderr, "usage: gatehouse-screenshots OUTPUT_DIR\n");
        return 2;
    }
    const QString out = QString::fromLocal8Bit(argv[1]);
    QDir().mkpath(out);
    QTemporaryDir scratch;
    qputenv("GATEHOUSE_DB", scratch.filePath(QStringLiteral("gatehouse.db")).toLocal8Bit());

    const quint16 gateway = freePort();
    const QString doc = scratch.filePath(QStringLiteral("orders.asyncapi.yaml"));
    QFile f(doc);
    if (!f.open(QIODevice::WriteOnly))
        return 1;
    f.write(
        "asyncapi: 2.6.0\n"
        "info:\n  title: Orders\n  version: 1.0.0\n"
        "  description: Order updates pushed to shops as they happen.\n"
        "x-gatehouse:\n  context: /orders\n  listen: 127.0.0.1:"
        + QByteArray::number(gateway)
        + "\n  endpoint: ws://127.0.0.1:" + QByteArray::number(freePort())
        + "\n  mock: {kind: broadcast}\n"
          "channels:\n"
          "  /updates:\n"
          "    publish: {x-auth-type: None, message: {$ref: '#/components/messages/update'}}\n"
          "    subscribe: {x-auth-type: None, message: {$ref: '#/components/messages/update'}}\n"
          "  /shops/{shopId}:\n"
          "    parameters:\n      shopId: {schema: {type: string}}\n"
          "    subscribe: {x-scopes: [shop], message: {payload: {type: string}}}\n"
          "components:\n"
          "  messages:\n"
          "    update:\n"
          "      name: orderUpdate\n"
          "      payload:\n"
          "        type: object\n"
          "        required: [order, status]\n"
          "        properties:\n"
          "          order: {type: integer}\n"
          "          status: {type: string}\n"
          "      examples:\n"
          "        - payload: {order: 1042, status: packed}\n");
    f.close();

    MainWindow window;
    window.setConfirmQuit(false);
    window.resize(1400, 860);
    window.show();

    // the Chats sample with an operation selected
    window.openFile(MainWindow::samplePath());
    waitUntil([&] { return window.apiModel()->rowCount() > 0 && !window.isLoading(); });
    const QModelIndex operation
        = window.apiModel()->find(ApiTreeModel::Kind::Operation, QStringLiteral("sendRoomMessage"));
    window.apiTree()->setCurrentIndex(operation);
    bool ok = save(&window, out, QStringLiteral("main-window.png"));

    // the command palette over the window, finding actions and channels
    if (CommandPalette *palette = window.showCommandPalette()) {
        palette->filterEdit()->setText(QStringLiteral("room"));
        QPixmap shot = window.grab();
        {
            QPainter painter(&shot);
            painter.drawPixmap(window.mapFromGlobal(palette->pos()), palette->grab());
        }
        const QString path = QDir(out).filePath(QStringLiteral("command-palette.png"));
        if (!shot.save(path)) {
            std::fprintf(stderr, "gatehouse-screenshots: cannot write %s\n", qPrintable(path));
            ok = false;
        }
        palette->hide();
    }

    // a document with a mistake: the problem list and the source at its line
    const QString broken = scratch.filePath(QStringLiteral("broken.asyncapi.yaml"));
    QFile b(broken);
    if (!b.open(QIODevice::WriteOnly))
        return 1;
    b.write("asyncapi: 2.6.0\ninfo:\n  title: Broken\n  version: 1.0.0\nchannels:\n"
            "  /news:\n    subscribe:\n      message:\n        payload:\n"
            "          type: strin\n");
    b.close();
    window.openFile(broken);
    waitUntil([&] { return window.currentFile() == broken && !window.isLoading(); });
    const QModelIndex problem = window.diagnosticsModel()->index(0, 0);
    window.diagnosticsView()->setCurrentIndex(problem);
    Q_EMIT window.diagnosticsView()->activated(problem); // as a double-click does
    ok = save(&window, out, QStringLiteral("problems.png")) && ok;

    // the Design tab: the topic editor's form on a copy of the Chats sample
    const QString design = scratch.filePath(QStringLiteral("chats.asyncapi.yaml"));
    QFile::copy(MainWindow::samplePath(), design);
    QFile::setPermissions(design, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    {
        // gateway policies for the Policies section
        QFile file(design);
        if (file.open(QIODevice::Append))
            file.write("  policies:\n"
                       "    - type: rateLimit\n"
                       "      mode: hard\n"
                       "      anonymousEvents: 60\n"
                       "    - type: log\n"
                       "      payloads: true\n"
                       "      maxPayloadSize: 2KiB\n"
                       "      mask: [password, /card/number]\n"
                       "      maskCardNumbers: true\n");
    }
    window.openFile(design);
    waitUntil([&] { return window.currentFile() == design && !window.isLoading(); });
    if (auto *form = window.findChild<ApiForm *>()) {
        waitUntil([&] { return form->editor() && form->editor()->lastRead().api; });
        window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->setCurrentWidget(form);
        form->selectChannel(QStringLiteral("/rooms/{roomID}"));
        ok = save(&window, out, QStringLiteral("design.png")) && ok;

        // the Design tab's Messages: a payload schema and its examples, checked
        form->sections()->setCurrentWidget(form->messageForm());
        form->messageForm()->selectMessage(QStringLiteral("ChatMessage"));
        form->messageForm()->selectExample(0);
        ok = save(&window, out, QStringLiteral("design-messages.png")) && ok;
        form->sections()->setCurrentWidget(form->gatewayForm());
        ok = save(&window, out, QStringLiteral("design-gateway.png")) && ok;
        form->sections()->setCurrentWidget(form->policyForm());
        form->policyForm()->selectPolicy(1);
        ok = save(&window, out, QStringLiteral("design-policies.png")) && ok;
        form->sections()->setCurrentWidget(form->mockForm());
        ok = save(&window, out, QStringLiteral("design-mock.png")) && ok;
        form->sections()->setCurrentWidget(form->serversForm());
        ok = save(&window, out, QStringLiteral("design-servers.png")) && ok;
        form->sections()->setCurrentIndex(0);

        // the Source tab: the same document in the source editor, a key's help shown
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        tabs->setCurrentWidget(window.sourceTab());
        if (SourceEditor *editor = window.sourcePane()->editor()) {
            editor->goTo(48, 7);
            editor->setFocus();
        }
        ok = save(&window, out, QStringLiteral("source-editor.png")) && ok;

        // the Overview tab: clients, channels and where each goes on the backend
        tabs->setCurrentWidget(window.findChild<QWidget *>(QStringLiteral("overviewTab")));
        window.overview()->setFocus();
        window.overview()->setCurrentRow(1);
        ok = save(&window, out, QStringLiteral("overview.png")) && ok;
        tabs->setCurrentWidget(form);
    }

    // File > New API: the API page of the wizard, from the Chats sample
    if (NewApiWizard *wizard = window.showNewApiWizard()) {
        wizard->next();
        wizard->nameEdit()->setText(QStringLiteral("Team Chat"));
        wizard->contextEdit()->setText(QStringLiteral("/team"));
        wizard->asyncApiVersionBox()->setCurrentIndex(0);
        ok = save(wizard, out, QStringLiteral("new-api.png")) && ok;
        wizard->reject();
    }
    window.openAndRun(doc);
    if (!waitUntil([&] { return window.runStateText().startsWith(u"Running on "); })) {
        std::fprintf(stderr, "gatehouse-screenshots: the demo did not run: %s\n",
                     qPrintable(window.runStateText()));
        return 1;
    }
    // a few clients talking, and one refused
    QList<QWebSocket *> clients;
    for (int i = 0; i < 4; ++i) {
        auto *ws = new QWebSocket;
        ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/orders/1.0.0/updates").arg(gateway)));
        clients.append(ws);
    }
    auto *refused = new QWebSocket;
    refused->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/orders/1.0.0/shops/s1").arg(gateway)));
    waitUntil([&] {
        for (QWebSocket *ws : clients)
            if (ws->state() != QAbstractSocket::ConnectedState)
                return false;
        return true;
    });
    for (int i = 0; i < clients.size(); ++i)
        for (int n = 0; n <= i * 3; ++n)
            clients.at(i)->sendTextMessage(QStringLiteral("order %1 shipped").arg(n));
    settle(2200); // a listing or two

    ok = save(&window, out, QStringLiteral("connections.png")) && ok;

    // the dashboard after some seconds of traffic: messages both ways, a few refused
    {
        QTimer traffic;
        int tick = 0;
        QList<QWebSocket *> more;
        QObject::connect(&traffic, &QTimer::timeout, &traffic, [&] {
            ++tick;
            for (int i = 0; i < clients.size(); ++i)
                for (int n = 0; n < 1 + (tick / 10 + i) % 4; ++n)
                    clients.at(i)->sendTextMessage(QStringLiteral("order %1 tick").arg(tick));
            if (tick % 25 == 0) { // now and then one without a credential
                auto *ws = new QWebSocket;
                ws->open(
                    QUrl(QStringLiteral("ws://127.0.0.1:%1/orders/1.0.0/shops/s1").arg(gateway)));
                more.append(ws);
            }
        });
        traffic.start(40);
        settle(9000);
        window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))
            ->setCurrentWidget(window.dashboardView());
        window.dashboardView()->setWindowSeconds(60);
        settle(1500);
        ok = save(&window, out, QStringLiteral("dashboard.png")) && ok; // under load
        traffic.stop();
        // the message log of that traffic, a message selected
        MessageLogView *log = window.messageLogView();
        window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->setCurrentWidget(log);
        log->setFollowing(false);
        settle(1500);
        const int rows = log->model()->rowCount();
        log->list()->scrollToBottom();
        settle(800);
        if (rows > 3)
            log->list()->setCurrentIndex(log->model()->index(rows - 3, 0));
        settle(500);
        ok = save(&window, out, QStringLiteral("message-log.png")) && ok;
        qDeleteAll(more);
    }

    // an application with a subscription and a token
    ApplicationsView *apps = window.applicationsView();
    apps->setShowIssuedDialog(false);
    apps->createApplication(QStringLiteral("shop-frontend"));
    waitUntil([&] { return apps->selectedApplication() == u"shop-frontend"; });
    apps->subscribeSelected(QStringLiteral("AsyncGold"));
    waitUntil([&] { return apps->subscriptionsModel()->rowCount() == 1; });
    apps->issueForSelected(Credentials::CredentialType::AccessToken, {QStringLiteral("shop")});
    waitUntil([&] { return apps->credentialsModel()->rowCount() == 1; });
    window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->setCurrentWidget(apps);
    ok = save(&window, out, QStringLiteral("applications.png")) && ok;

    // two client tabs side by side on the open channel: what one sends, the other gets
    window.openClientTabFor(QStringLiteral("/updates"), {});
    waitUntil([&] {
        return window.clientTabs().size() == 1 && window.clientTabs().at(0)->isConnected();
    });
    window.openClientTabFor(QStringLiteral("/updates"), {});
    waitUntil([&] {
        return window.clientTabs().size() == 2 && window.clientTabs().at(1)->isConnected();
    });
    if (window.clientTabs().size() == 2) {
        ClientTab *shop = window.clientTabs().at(0);
        ClientTab *warehouse = window.clientTabs().at(1);
        window.moveClientTab(warehouse);
        shop->setFormat(ClientTab::Format::Json);
        for (const char *m : {R"({"order": 1042, "status": "packed", "items": 3})",
                              R"({"order": 1042, "status": "shipped", "carrier": "DHL"})"}) {
            shop->setComposerText(QString::fromUtf8(m));
            shop->sendComposed();
            settle(150);
        }
        warehouse->setFormat(ClientTab::Format::Json);
        warehouse->setComposerText(
            QStringLiteral(R"({"order": 1043, "status": "cancelled", "reason": "stock"})"));
        warehouse->sendComposed();
        shop->sendPing("heartbeat");
        settle(400);
        for (ClientTab *tab : {shop, warehouse}) {
            tab->refreshNow();
            const QAbstractItemModel *shown = tab->messageList()->model();
            for (int row = shown->rowCount() - 1; row >= 0; --row)
                if (shown->index(row, 0).data(ClientMessageModel::EventKindRole).toInt()
                    == int(Client::ClientEvent::Kind::Received)) {
                    tab->messageList()->setCurrentIndex(shown->index(row, 0));
                    break;
                }
        }
        shop->setComposerText(QStringLiteral("{\"order\": 1044, \"status\": \"{{uuid}}\"}"));
        window.resize(1600, 900);
        ok = save(&window, out, QStringLiteral("client-tab.png")) && ok;
    } else {
        std::fprintf(stderr, "gatehouse-screenshots: the client tabs did not connect\n");
        ok = false;
    }

    qDeleteAll(clients);
    delete refused;
    window.stopAction()->trigger();
    waitUntil([&] { return window.runStateText() == u"Stopped"; });
    return ok ? 0 : 1;
}
