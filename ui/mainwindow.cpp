// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "commandpalette.h"
#include "editor/apiform.h"
#include "editor/documenteditor.h"
#include "editor/documentwriter.h"
#include "editor/messageform.h"
#include "editor/newapiwizard.h"
#include "editor/sourceeditor.h"
#include "editor/sourcepane.h"
#include "overviewdiagram.h"

#include "analytics/alertcenter.h"
#include "analytics/dashboardview.h"
#include "analytics/messagelogview.h"
#include "apidetails.h"
#include "apitreemodel.h"
#include "applicationsview.h"
#include "client/clientcookiejar.h"
#include "client/clientscenarioreport.h"
#include "client/clientscenariorunner.h"
#include "client/clienttab.h"
#include "client/savedmessages.h"
#include "connectionlistmodel.h"
#include "connectionsview.h"
#include "diagnosticlistmodel.h"
#include "gatewayoutputview.h"
#include "gatewaysettingsdialog.h"
#include "payloadloggingcontrol.h"
#include "recentfiles.h"
#include "sourceview.h"
#include "uiicons.h"

#include "analytics/messagelogstore.h"
#include "asyncapi/sourcetext.h"
#include "credentials/credentialservice.h"
#include "credentials/keychainsecretstore.h"
#include "credentials/secretstoreproxy.h"
#include "gateway/router.h"
#include "mock/messagecatalog.h"
#include "policy/payloadvalidationpolicy.h"
#include "policy/policyfactory.h"
#include "runtime/eventline.h"
#include "runtime/runtimehost.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScopedValueRollback>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QUndoGroup>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

#include <functional>

namespace Gatehouse {

namespace {

// The tree unfolds without its animation while the window does it (put back after a
// read, on opening): an animated expand first draws the rows below into a picture,
// tens of milliseconds with thousands of channels.
class WithoutAnimation
{
public:
    explicit WithoutAnimation(QTreeView *tree)
        : m_tree(tree)
        , m_was(tree->isAnimated())
    {
        tree->setAnimated(false);
    }
    ~WithoutAnimation() { m_tree->setAnimated(m_was); }
    Q_DISABLE_COPY_MOVE(WithoutAnimation)

private:
    QTreeView *m_tree;
    bool m_was;
};

const QString geometryKey = QStringLiteral("mainWindow/geometry");
const QString stateKey = QStringLiteral("mainWindow/state");
const QString splitterKey = QStringLiteral("mainWindow/splitter");
const QString lastDirKey = QStringLiteral("mainWindow/lastDirectory");
const QString documentsKey = QStringLiteral("workspace/documents");
const QString clientTabsKey = QStringLiteral("workspace/clientTabs");

QString countText(int n, const char *one, const char *many)
{
    return n == 1 ? MainWindow::tr(one) : MainWindow::tr(many).arg(n);
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_loader(new ApiLoader(this))
    , m_apiModel(new ApiTreeModel(this))
    , m_diagnosticsModel(new DiagnosticListModel(this))
    , m_runtime(new RuntimeHost(this))
    , m_connectionsModel(new ConnectionListModel(this))
    , m_credentials(new Credentials::CredentialService(this))
    , m_savedMessages(new SavedMessages(this))
{
    // the registry gatehouse-cli uses, in the background; the keychain's calls are made
    // here (they never block), asked for from the other threads through proxies
    m_keychain = std::make_shared<Credentials::KeychainSecretStore>();
    m_credentials->open({}, std::make_shared<Credentials::SecretStoreProxy>(m_keychain));
    connect(m_credentials, &Credentials::CredentialService::secretRead, this,
            &MainWindow::finishChannelTarget);
    UiIcons::ensureResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(UiIcons::icon(UiIcons::AppLogo));
    setWindowTitle(QStringLiteral("Gatehouse"));
    setAcceptDrops(true);

    createWidgets();
    createActions();

    connect(m_loader, &ApiLoader::loadStarted, this, &MainWindow::handleLoadStarted);
    connect(m_loader, &ApiLoader::loadFinished, this, &MainWindow::handleLoadFinished);
    connect(m_runtime, &RuntimeHost::stateChanged, this, &MainWindow::handleRunStateChanged);
    connect(m_runtime, &RuntimeHost::reported, this,
            [this](GatewayRuntime::ReportKind kind, const QString &line) {
                takeOutputLines(); // what happened before stays before
                switch (kind) {
                case GatewayRuntime::ReportKind::Diagnostic:
                case GatewayRuntime::ReportKind::Info:
                    m_output->appendLines({line});
                    break;
                case GatewayRuntime::ReportKind::Error:
                    m_output->appendLines({tr("error: %1").arg(line)});
                    break;
                case GatewayRuntime::ReportKind::Warning:
                    m_output->appendLines({tr("warning: %1").arg(line)});
                    break;
                }
            });
    connect(m_runtime, &RuntimeHost::reloaded, this, [this](int apis) {
        m_output->appendLines({tr("reloaded %n API document(s)", nullptr, apis)});
    });
    connect(m_runtime, &RuntimeHost::stopped, this, [this](int closed) {
        takeOutputLines();
        m_output->appendLines({tr("stopped; closed %n open connection(s)", nullptr, closed)});
        if (m_closeAfterStop)
            close();
    });
    // Connection events arrive in batches, a few times a second.
    m_outputTimer = new QTimer(this);
    m_outputTimer->setInterval(250);
    connect(m_outputTimer, &QTimer::timeout, this, &MainWindow::takeOutputLines);
    m_outputTimer->start();
    m_listTimer = new QTimer(this);
    m_listTimer->setInterval(1000);
    connect(m_listTimer, &QTimer::timeout, m_runtime, &RuntimeHost::listConnections);
    connect(m_runtime, &RuntimeHost::connectionsListed, this,
            [this](const QList<Gateway::ConnectionSnapshot> &connections) {
                if (m_runtime->state() == GatewayRuntime::State::Running)
                    m_connectionsModel->setConnections(connections);
            });
    connect(m_connectionsView, &ConnectionsView::closeRequested, this,
            [this](const QList<quint64> &ids, quint16 code, const QString &reason) {
                m_runtime->closeConnections(ids, code, reason);
                QTimer::singleShot(200, m_runtime, &RuntimeHost::listConnections);
            });
    // payload logging granted for a while from the Connections tab (the current
    // connection's channel or application) and the Message Log tab (the selected row's)
    auto grant = [this](const QString &api, const QString &channel, const QString &application,
                        qint64 durationMs, int sample) {
        m_runtime->grantPayloadLogging(api, channel, application,
                                       std::chrono::milliseconds(durationMs), sample);
    };
    PayloadLoggingControl *logPayloads = m_messageLog->payloadLogging();
    connect(m_connectionsView, &ConnectionsView::payloadLoggingRequested, m_runtime, grant);
    connect(logPayloads, &PayloadLoggingControl::requested, m_runtime, grant);
    connect(m_connectionsView, &ConnectionsView::payloadLoggingStopRequested, m_runtime,
            &RuntimeHost::endPayloadLogging);
    connect(logPayloads, &PayloadLoggingControl::stopRequested, m_runtime,
            &RuntimeHost::endPayloadLogging);
    logPayloads->setBlocked(tr("Run the gateway to log payloads"));
    connect(m_runtime, &RuntimeHost::payloadLoggingChanged, this, [this] {
        const auto grants = m_runtime->payloadLogGrants();
        m_connectionsView->setPayloadLogGrants(grants);
        m_messageLog->payloadLogging()->setGrants(grants);
    });

    showEmptyState(tr("No document open.\n\nOpen an AsyncAPI document with File \u2192 Open "
                      "or drop one on this window."));
    m_details->setHtml(ApiDetails::placeholder(tr("Nothing selected.")));
    restoreSettings();
}

MainWindow::~MainWindow()
{
    // scenario runs end with the window (their objects are deleted in their thread as
    // it finishes)
    for (QThread *thread : std::as_const(m_scenarioRuns)) {
        thread->quit();
        thread->wait();
    }
}

QString MainWindow::samplePath()
{
    return QStringLiteral(":/samples/chats.asyncapi.yaml");
}

void MainWindow::createWidgets()
{
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("apiTree"));
    m_tree->setModel(m_apiModel);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(false);
    m_tree->setAnimated(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(ApiTreeModel::NameColumn, QHeaderView::Interactive);
    // the names' width is measured on the rows in view and some around them, not on a
    // thousand (7 ms when a document of 5,000 channels opens)
    m_tree->header()->setResizeContentsPrecision(100);
    m_tree->setAccessibleName(tr("API structure"));
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::handleCurrentItemChanged);

    // Shown instead of the tree when there is no API: the logo and what happened.
    auto *emptyPage = new QFrame;
    emptyPage->setFrameShape(QFrame::StyledPanel);
    emptyPage->setBackgroundRole(QPalette::Base);
    emptyPage->setAutoFillBackground(true);
    auto *logo = new QLabel;
    logo->setPixmap(UiIcons::icon(UiIcons::AppLogo).pixmap(64, 64));
    logo->setAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    m_emptyState = new QLabel;
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_emptyState->setWordWrap(true);
    m_emptyState->setMargin(16);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_emptyState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *emptyLayout = new QVBoxLayout(emptyPage);
    emptyLayout->addStretch(2);
    emptyLayout->addWidget(logo);
    emptyLayout->addWidget(m_emptyState);
    emptyLayout->addStretch(3);
    m_emptyPage = emptyPage;

    m_leftStack = new QStackedWidget;
    m_leftStack->addWidget(m_tree);
    m_leftStack->addWidget(m_emptyPage);

    m_details = new QTextBrowser;
    m_details->setObjectName(QStringLiteral("details"));
    m_details->setOpenLinks(false);
    m_details->setFrameShape(QFrame::NoFrame);
    m_details->document()->setDocumentMargin(16);
    m_details->setAccessibleName(tr("Details"));
    connect(m_details, &QTextBrowser::anchorClicked, this, &MainWindow::handleDetailsLinkClicked);

    m_source = new SourceView;
    m_source->setObjectName(QStringLiteral("sourceView"));
    m_source->setAccessibleName(tr("Document source"));
    m_source->setFrameShape(QFrame::NoFrame);
    connect(m_source, &SourceView::fileShown, this, &MainWindow::handleSourceShown);
    connect(m_source, &SourceView::fileFailed, this, &MainWindow::handleSourceFailed);

    m_rightTabs = new QTabWidget;
    m_rightTabs->setObjectName(QStringLiteral("mainTabs"));
    m_rightTabs->setDocumentMode(true);
    m_rightTabs->addTab(m_details, tr("Details"));
    m_sourcePane = new SourcePane;
    connect(m_sourcePane->editor(), &SourceEditor::referenceActivated, this,
            &MainWindow::handleReferenceActivated);
    m_sourceStack = new QStackedWidget;
    m_sourceStack->setObjectName(QStringLiteral("sourceTab"));
    m_sourceStack->addWidget(m_source);
    m_sourceStack->addWidget(m_sourcePane);
    m_rightTabs->addTab(m_sourceStack, tr("Source"));
    m_apiForm = new ApiForm;
    m_apiForm->setAccessibleName(tr("Design the API"));
    connect(m_apiForm, &ApiForm::editFailed, this,
            [this](const QString &error) { statusBar()->showMessage(error, 10000); });
    m_rightTabs->addTab(m_apiForm, tr("Design"));
    m_overview = new OverviewDiagram;
    auto *overviewScroll = new QScrollArea;
    overviewScroll->setObjectName(QStringLiteral("overviewTab"));
    overviewScroll->setWidget(m_overview);
    overviewScroll->setWidgetResizable(true);
    overviewScroll->setBackgroundRole(QPalette::Base);
    overviewScroll->setFocusProxy(m_overview);
    connect(m_overview, &OverviewDiagram::channelActivated, this,
            [this](const QString &id) { revealApiItem(ApiTreeModel::Kind::Channel, id, true); });
    m_rightTabs->addTab(overviewScroll, tr("Overview"));
    m_connectionsView = new ConnectionsView(m_connectionsModel);
    m_connectionsView->setObjectName(QStringLiteral("connectionsView"));
    m_rightTabs->addTab(m_connectionsView, tr("Connections"));
    m_dashboard = new DashboardView;
    m_dashboard->setObjectName(QStringLiteral("dashboardView"));
    m_dashboard->setMetrics(m_runtime->metrics());
    m_dashboard->setDatabase(messageLogPath());
    m_alerts = new AlertCenter(m_runtime, m_dashboard, this);
    m_alerts->setCurrentApi([this] {
        const std::shared_ptr<const Api> api = m_apiModel->api();
        return api ? Gateway::Router::apiPath(*api) : QString();
    });
    m_rightTabs->addTab(m_dashboard, tr("Dashboard"));
    m_messageLog = new MessageLogView;
    m_messageLog->setObjectName(QStringLiteral("messageLogView"));
    m_messageLog->setDatabase(messageLogPath());
    m_rightTabs->addTab(m_messageLog, tr("Message Log"));
    // a point of the dashboard opens the log of its moment, API and cause
    connect(m_dashboard, &DashboardView::logRequested, this,
            [this](const Analytics::LogFilter &filter) {
                m_messageLog->showFilter(filter);
                m_rightTabs->setCurrentWidget(m_messageLog);
            });
    m_applicationsView = new ApplicationsView(m_credentials);
    m_applicationsView->setObjectName(QStringLiteral("applicationsView"));
    connect(m_applicationsView, &ApplicationsView::keychainCheckRequested, this,
            &MainWindow::checkKeychain);
    checkKeychain();
    m_rightTabs->addTab(m_applicationsView, tr("Applications && Keys"));
    // client tabs come and go; the views before them stay
    m_rightTabs->setTabsClosable(true);
    for (int i = 0; i < m_rightTabs->count(); ++i)
        m_rightTabs->tabBar()->setTabButton(i, QTabBar::RightSide, nullptr);
    connect(m_rightTabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        if (auto *tab = qobject_cast<ClientTab *>(m_rightTabs->widget(index)))
            closeClientTab(tab);
    });
    connect(m_rightTabs, &QTabWidget::currentChanged, this, &MainWindow::handleRightTabChanged);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    // the workspace: the open documents with their channels, and the app's views
    m_workspaceModel = new QStandardItemModel(this);
    m_workspace = new QTreeView;
    m_workspace->setObjectName(QStringLiteral("workspace"));
    m_workspace->setModel(m_workspaceModel);
    m_workspace->setHeaderHidden(true);
    m_workspace->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_workspace->setAccessibleName(tr("Workspace"));
    m_workspace->setToolTip(tr("Open documents and their channels; activate one to show it"));
    connect(m_workspace, &QTreeView::activated, this, &MainWindow::handleWorkspaceActivated);
    connect(m_workspace, &QTreeView::clicked, this, &MainWindow::handleWorkspaceActivated);
    auto *left = new QSplitter(Qt::Vertical);
    left->setObjectName(QStringLiteral("leftSplitter"));
    left->addWidget(m_workspace);
    left->addWidget(m_leftStack);
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 3);
    m_splitter->addWidget(left);
    // client tabs can also sit beside the main tabs (two members of a chat room)
    m_sideTabs = new QTabWidget;
    m_sideTabs->setObjectName(QStringLiteral("sideTabs"));
    m_sideTabs->setDocumentMode(true);
    m_sideTabs->setTabsClosable(true);
    m_sideTabs->hide();
    connect(m_sideTabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        if (auto *tab = qobject_cast<ClientTab *>(m_sideTabs->widget(index)))
            closeClientTab(tab);
    });
    m_rightSplit = new QSplitter(Qt::Horizontal);
    m_rightSplit->setObjectName(QStringLiteral("rightSplitter"));
    m_rightSplit->addWidget(m_rightTabs);
    m_rightSplit->addWidget(m_sideTabs);
    m_rightSplit->setChildrenCollapsible(false);
    m_splitter->addWidget(m_rightSplit);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({500, 780});
    setCentralWidget(m_splitter);

    m_diagnosticsView = new QTreeView;
    m_diagnosticsView->setObjectName(QStringLiteral("problems"));
    m_diagnosticsView->setModel(m_diagnosticsModel);
    m_diagnosticsView->setRootIsDecorated(false);
    m_diagnosticsView->setUniformRowHeights(true);
    m_diagnosticsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diagnosticsView->setAccessibleName(tr("Problems"));
    m_diagnosticsView->header()->setStretchLastSection(false);
    m_diagnosticsView->header()->setSectionResizeMode(DiagnosticListModel::MessageColumn,
                                                      QHeaderView::Stretch);
    m_diagnosticsView->header()->setSectionResizeMode(DiagnosticListModel::LocationColumn,
                                                      QHeaderView::ResizeToContents);
    m_diagnosticsView->setToolTip(tr("Double-click a problem to see it in the source"));
    connect(m_diagnosticsView, &QTreeView::activated, this, &MainWindow::handleDiagnosticActivated);

    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_diagnosticsView);
    m_problemsDock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::TopDockWidgetArea
                                    | Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    m_problemsDock->hide();

    m_output = new GatewayOutputView;
    m_output->setObjectName(QStringLiteral("gatewayOutput"));
    m_outputDock = new QDockWidget(tr("Gateway Output"), this);
    m_outputDock->setObjectName(QStringLiteral("gatewayOutputDock"));
    m_outputDock->setWidget(m_output);
    addDockWidget(Qt::BottomDockWidgetArea, m_outputDock);
    tabifyDockWidget(m_problemsDock, m_outputDock);
    m_outputDock->hide();

    m_runState = new QLabel(tr("Stopped"));
    m_runState->setObjectName(QStringLiteral("runState"));
    m_runState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runState->setAccessibleName(tr("Gateway state"));
    m_runState->setContentsMargins(8, 0, 8, 0);

    m_busy = new QProgressBar;
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(14);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_statusPath = new QLabel;
    m_statusPath->setObjectName(QStringLiteral("statusPath"));
    m_statusPath->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusInfo = new QLabel;
    m_statusInfo->setObjectName(QStringLiteral("statusInfo"));
    statusBar()->addWidget(m_statusPath, 1);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_statusInfo);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newApi = file->addAction(tr("&New API\u2026"), this, &MainWindow::showNewApiWizard);
    newApi->setObjectName(QStringLiteral("newApiAction"));
    newApi->setShortcut(QKeySequence::New);
    newApi->setIcon(style()->standardIcon(QStyle::SP_FileIcon));
    newApi->setToolTip(tr("Create an API from a name, context, version and endpoint, "
                          "empty or from a sample"));
    QAction *open = file->addAction(tr("&Open\u2026"), this, &MainWindow::handleOpenTriggered);
    open->setShortcut(QKeySequence::Open);
    open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentFilesMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addAction(tr("Open &Sample (Chats API)"), this, &MainWindow::openSample);
    QAction *openLog = file->addAction(tr("Open &Log File…"), this, [this] {
        m_rightTabs->setCurrentWidget(m_messageLog);
        m_messageLog->chooseLogFile();
    });
    openLog->setObjectName(QStringLiteral("openLogFileAction"));
    openLog->setToolTip(tr("Read a JSON Lines log written by gatehouse-cli serve --log-file"));
    QAction *closeDocument
        = file->addAction(tr("&Close Document"), this, &MainWindow::closeCurrentDocument);
    // Ctrl+F4: Ctrl+W closes the client tab
    closeDocument->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F4));
    if (!m_undoGroup)
        m_undoGroup = new QUndoGroup(this);
    m_saveAction = file->addAction(tr("&Save"), this, &MainWindow::saveCurrentDocument);
    m_saveAction->setObjectName(QStringLiteral("saveAction"));
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    m_saveAction->setEnabled(false);
    m_saveAction->setToolTip(tr("Save the edits made in the Design tab"));
    using Version = AsyncApiWriter::TargetVersion;
    m_writer = new DocumentWriter(this);
    const auto saveAsAction = [this, file](const QString &text, const QString &tip,
                                           std::optional<Version> version) {
        QAction *action = file->addAction(text, this, [this, version] { askSaveAs(version); });
        action->setToolTip(tip);
        action->setEnabled(false);
        m_saveAsActions.append(action);
        return action;
    };
    QAction *saveAs = saveAsAction(
        tr("Save &As\u2026"),
        tr("Write the document to another file, YAML or JSON, and edit it there"), std::nullopt);
    saveAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    saveAs->setObjectName(QStringLiteral("saveAsAction"));
    saveAsAction(tr("Save a Copy as AsyncAPI &2.6\u2026"),
                 tr("Convert the document to AsyncAPI 2.6 and write the copy to another file"),
                 Version::V2_6)
        ->setObjectName(QStringLiteral("saveCopyV2Action"));
    saveAsAction(tr("Save a Copy as AsyncAPI &3.0\u2026"),
                 tr("Convert the document to AsyncAPI 3.0 and write the copy to another file"),
                 Version::V3_0)
        ->setObjectName(QStringLiteral("saveCopyV3Action"));
    QAction *exportWso2 = file->addAction(tr("&Export for WSO2 API Manager\u2026"), this,
                                          &MainWindow::askExportForWso2);
    exportWso2->setObjectName(QStringLiteral("exportWso2Action"));
    exportWso2->setToolTip(tr("Write the document as the AsyncAPI 2.6 definition WSO2 API "
                              "Manager imports, with x-uri-mapping, x-scopes and x-auth-type"));
    exportWso2->setEnabled(false);
    m_saveAsActions.append(exportWso2);
    file->addSeparator();
    m_reloadAction = file->addAction(tr("Re&load"), this, [this] {
        if (!m_currentFile.isEmpty())
            openFile(m_currentFile);
    });
    m_reloadAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_reloadAction->setEnabled(false);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    // Ctrl+Q on every platform theme (some, like Windows', bind nothing to Quit).
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undoGroup->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undoGroup->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    // Source editing: each shows the current document's source editor first.
    const auto sourceAction = [this, edit](const QString &text, const QKeySequence &key,
                                           const QString &name, auto act) {
        QAction *action = edit->addAction(text, this, [this, act] {
            if (showSourceEditor())
                act();
        });
        action->setShortcut(key);
        action->setObjectName(name);
        action->setEnabled(false);
        m_sourceActions.append(action);
        return action;
    };
    sourceAction(tr("&Find\u2026"), QKeySequence::Find, QStringLiteral("findAction"),
                 [this] { m_sourcePane->showFind(); });
    sourceAction(tr("R&eplace\u2026"), QKeySequence(Qt::CTRL | Qt::Key_H),
                 QStringLiteral("replaceAction"), [this] { m_sourcePane->showReplace(); });
    sourceAction(tr("Find &Next"), QKeySequence::FindNext, QStringLiteral("findNextAction"),
                 [this] { m_sourcePane->findNext(); });
    sourceAction(tr("Find Pre&vious"), QKeySequence::FindPrevious,
                 QStringLiteral("findPreviousAction"), [this] { m_sourcePane->findPrevious(); });
    sourceAction(tr("&Go to Line\u2026"), QKeySequence(Qt::CTRL | Qt::Key_G),
                 QStringLiteral("goToLineAction"), [this] { goToLine(); });
    sourceAction(tr("&Complete"), QKeySequence(Qt::CTRL | Qt::Key_Space),
                 QStringLiteral("completeAction"), [this] { m_sourcePane->editor()->complete(); })
        ->setToolTip(tr("Offer the keys that fit at the cursor, or after $ref: the document's "
                        "components"));
    sourceAction(tr("Follow &Reference"), QKeySequence(Qt::Key_F12),
                 QStringLiteral("followReferenceAction"), [this] {
                     SourceEditor *editor = m_sourcePane->editor();
                     if (!editor->followReference(editor->currentOffset()))
                         statusBar()->showMessage(tr("No $ref at the cursor to follow"), 5000);
                 });
    sourceAction(tr("Rena&me Component\u2026"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                 QStringLiteral("renameComponentAction"), [this] { renameComponent(); })
        ->setToolTip(tr("Rename the schema, message, parameter or other component at the "
                        "cursor (its key, inside it, or a $ref to it); every $ref follows"));

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    m_runAction = run->addAction(tr("&Run"), this, &MainWindow::handleRunTriggered);
    m_runAction->setObjectName(QStringLiteral("runAction"));
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_runAction->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_stopAction = run->addAction(tr("&Stop"), this, [this] { m_runtime->stop(); });
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stopAction->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    QMenu *withMock = run->addMenu(tr("Run with &Mock Backend"));
    withMock->setObjectName(QStringLiteral("runWithMockMenu"));
    withMock->setToolTip(tr("Run with a built-in mock as the backend, for a document that "
                            "describes none"));
    for (const auto &[kind, text] :
         {std::pair {QStringLiteral("echo"), tr("&Echo: answers each message with itself")},
          std::pair {QStringLiteral("broadcast"), tr("&Broadcast: to every client of the channel")},
          std::pair {QStringLiteral("chat"), tr("&Chat: rooms, as in the Chats tutorial")},
          std::pair {QStringLiteral("examples"),
                     tr("E&xamples: the document's message examples")}}) {
        QAction *a = withMock->addAction(text, this, [this, kind = kind] { runWithMock(kind); });
        a->setObjectName(QStringLiteral("runWithMock-") + kind);
    }
    m_runWithMockMenu = withMock;
    run->addAction(m_alerts->editAction());
    QAction *gatewaySettings
        = run->addAction(tr("&Gateway Settings…"), this, &MainWindow::editGatewaySettings);
    gatewaySettings->setObjectName(QStringLiteral("gatewaySettingsAction"));
    gatewaySettings->setToolTip(
        tr("Outgoing buffer per connection, idle timeout and ping forwarding of the gateway"));
    run->addSeparator();
    m_copyUrlAction = run->addAction(tr("&Copy Gateway URL"), this, [this] {
        if (!m_runtime->listenUrls().isEmpty())
            QGuiApplication::clipboard()->setText(m_runtime->listenUrls().constFirst());
    });
    m_copyUrlAction->setObjectName(QStringLiteral("copyUrlAction"));
    m_copyUrlAction->setToolTip(tr("Copy the address the gateway listens on"));
    m_copyWscatAction
        = run->addAction(tr("Copy &wscat Command…"), this, &MainWindow::handleCopyWscatTriggered);
    m_copyWscatAction->setObjectName(QStringLiteral("copyWscatAction"));
    m_copyWscatAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyWscatAction->setToolTip(
        tr("Copy a wscat command that connects to a channel with an application's credential"));

    QMenu *client = menuBar()->addMenu(tr("&Client"));
    QAction *newClient = client->addAction(tr("&New Client Tab"), this, [this] { addClientTab(); });
    newClient->setObjectName(QStringLiteral("newClientTabAction"));
    newClient->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    newClient->setToolTip(tr("A WebSocket client in a tab: connect to any URL, send and receive"));
    m_clientForChannelAction = client->addAction(tr("Client Tab for a &Channel…"), this, [this] {
        QString channel = m_selectedChannel;
        QString credential;
        if (pickChannelAndCredential(tr("Client Tab for a Channel"), tr("Connect"), &channel,
                                     &credential))
            openClientTabFor(channel, credential);
    });
    m_clientForChannelAction->setObjectName(QStringLiteral("clientForChannelAction"));
    m_clientForChannelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_clientForChannelAction->setToolTip(
        tr("Connect a client tab to a channel of the running gateway, with an application's "
           "credential"));
    QAction *closeClient = client->addAction(tr("&Close Client Tab"), this, [this] {
        if (ClientTab *tab = currentClientTab())
            closeClientTab(tab);
    });
    QAction *besideClient
        = client->addAction(tr("New Client Tab &Beside"), this, [this] { addClientTab({}, true); });
    besideClient->setObjectName(QStringLiteral("newClientTabBesideAction"));
    besideClient->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_T));
    besideClient->setToolTip(tr("A client tab beside the others, to watch two at once"));
    QAction *moveClient = client->addAction(tr("&Move Client Tab to the Other Side"), this, [this] {
        if (ClientTab *tab = currentClientTab())
            moveClientTab(tab);
    });
    moveClient->setObjectName(QStringLiteral("moveClientTabAction"));
    client->addSeparator();
    m_keepHistoryAction = client->addAction(tr("&Keep Tab History on Restart"));
    m_keepHistoryAction->setObjectName(QStringLiteral("keepClientHistoryAction"));
    m_keepHistoryAction->setCheckable(true);
    m_keepHistoryAction->setChecked(
        QSettings().value(QStringLiteral("client/keepHistory")).toBool());
    m_keepHistoryAction->setToolTip(tr("Client tabs come back with what they sent and received "
                                       "(the newest 5,000 events of each), not only their "
                                       "settings"));
    QAction *clearCookies = client->addAction(tr("Clear C&ookies"), this, [this] {
        for (const auto &jar : std::as_const(m_cookieJars))
            jar->clear();
        statusBar()->showMessage(tr("The client tabs' cookies are cleared"), 5000);
    });
    clearCookies->setObjectName(QStringLiteral("clearCookiesAction"));
    clearCookies->setToolTip(tr("Forget the cookies the client tabs were given, in every "
                                "environment"));
    client->addSeparator();
    QAction *saveScenarioAction
        = client->addAction(tr("&Save Client Tabs as Scenario…"), this, [this] {
              // beside the document, named after its API
              const std::shared_ptr<const Api> api = m_apiModel->api();
              QString suggested = tr("scenario.yaml");
              if (api && QFileInfo(m_currentFile).isFile())
                  suggested = QFileInfo(m_currentFile)
                                  .dir()
                                  .filePath(Gateway::Router::apiPath(*api).section(u'/', 1, 1)
                                            + QStringLiteral(".scenario.yaml"));
              const QString path = QFileDialog::getSaveFileName(
                  this, tr("Save Scenario"), suggested, tr("Scenarios (*.yaml *.yml)"));
              if (!path.isEmpty())
                  saveScenario(path);
          });
    saveScenarioAction->setObjectName(QStringLiteral("saveScenarioAction"));
    saveScenarioAction->setToolTip(tr("Write the client tabs (their URLs, what they sent and their "
                                      "expectations) as a scenario that gatehouse-cli cat --expect "
                                      "runs again"));
    QAction *runScenarioAction = client->addAction(tr("&Run Scenario…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Run Scenario"), {},
                                                          tr("Scenarios (*.yaml *.yml *.json)"));
        if (!path.isEmpty())
            runScenario(path);
    });
    runScenarioAction->setObjectName(QStringLiteral("runScenarioAction"));
    QMenu *apiScenarios = client->addMenu(tr("Scenarios of This &API"));
    apiScenarios->setObjectName(QStringLiteral("apiScenariosMenu"));
    connect(apiScenarios, &QMenu::aboutToShow, this, [this, apiScenarios] {
        apiScenarios->clear();
        const std::shared_ptr<const Api> api = m_apiModel->api();
        const QStringList paths = api ? scenariosOf(api->title) : QStringList();
        for (const QString &path : paths)
            apiScenarios->addAction(QDir::toNativeSeparators(path), this,
                                    [this, path] { runScenario(path); });
        if (paths.isEmpty())
            apiScenarios
                ->addAction(api ? tr("None saved or run for %1 yet").arg(api->title)
                                : tr("No API is open"))
                ->setEnabled(false);
    });
    runScenarioAction->setToolTip(tr("Run a scenario file; each step's result goes to the "
                                     "output"));
    moveClient->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_M));
    closeClient->setObjectName(QStringLiteral("closeClientTabAction"));
    closeClient->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));

    QToolBar *toolBar = addToolBar(tr("Run"));
    toolBar->setObjectName(QStringLiteral("runToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_documents = new QComboBox;
    m_documents->setObjectName(QStringLiteral("documentList"));
    m_documents->setAccessibleName(tr("Open documents"));
    m_documents->setToolTip(tr("The open documents: pick one to show and run it"));
    m_documents->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_documents, &QComboBox::activated, this, [this](int index) {
        const QString path = m_documents->itemData(index).toString();
        if (!path.isEmpty() && path != m_currentFile)
            openFile(path);
    });
    toolBar->addWidget(m_documents);
    toolBar->addSeparator();
    toolBar->addAction(m_runAction);
    toolBar->addAction(m_stopAction);
    toolBar->addWidget(m_runState);
    toolBar->addAction(m_copyUrlAction);
    toolBar->addAction(m_copyWscatAction);
    toolBar->addAction(m_clientForChannelAction);
    updateRunActions();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *problems = m_problemsDock->toggleViewAction();
    problems->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_6));
    view->addAction(problems);
    QAction *output = m_outputDock->toggleViewAction();
    output->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_7));
    view->addAction(output);
    view->addSeparator();
    view->addAction(tr("&Expand All"), m_tree, &QTreeView::expandAll);
    view->addAction(tr("&Collapse All"), m_tree, &QTreeView::collapseAll);
    view->addSeparator();
    QAction *palette
        = view->addAction(tr("Command &Palette\u2026"), this, &MainWindow::showCommandPalette);
    palette->setObjectName(QStringLiteral("commandPaletteAction"));
    palette->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    palette->setToolTip(tr("Find any action, channel, operation or message by name"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about
        = help->addAction(tr("&About Gatehouse"), this, &MainWindow::handleAboutTriggered);
    about->setMenuRole(QAction::AboutRole);
    QAction *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray())) {
        // 1280 x 800, or what a small screen (or a large scaling) has room for
        QSize size(1280, 800);
        if (const QScreen *s = screen())
            size = size.boundedTo(s->availableGeometry().size() * 0.9);
        resize(size);
    }
    m_problemsDockSized = restoreState(settings.value(stateKey).toByteArray());
    m_splitter->restoreState(settings.value(splitterKey).toByteArray());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
    settings.setValue(splitterKey, m_splitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_closeAfterStop
        && settleUnsavedEdits(nullptr, [this] { close(); }) != Settling::Settled) {
        event->ignore(); // cancelled, or closed again once saved
        return;
    }
    // A running gateway first closes its connections cleanly (1001), then the window;
    // with connections open the user is asked first.
    if (m_runtime->isActive()) {
        const int open = m_connectionsModel->rowCount();
        if (open > 0 && !m_closeAfterStop && m_confirmQuit
            && QMessageBox::question(
                   this, tr("Quit Gatehouse"),
                   tr("%n connection(s) are open through the gateway. Quit and close them "
                      "(clients get 1001, going away)?",
                      nullptr, open),
                   QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
                != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_closeAfterStop = true;
        m_runtime->stop();
        event->ignore();
        return;
    }
    saveSettings();
    saveClientTabs();
    event->accept();
}

void MainWindow::addOpenDocument(const QString &path)
{
    const QString key = path == samplePath() ? path : QFileInfo(path).absoluteFilePath();
    if (!m_openDocuments.contains(key))
        m_openDocuments.append(key);
    rebuildDocumentList();
    saveWorkspace();
}

void MainWindow::rebuildWorkspace()
{
    m_workspaceModel->clear();
    const QString current = m_currentFile == samplePath()
        ? m_currentFile
        : QFileInfo(m_currentFile).absoluteFilePath();
    const std::shared_ptr<const Api> api = m_apiModel->api();
    if (api && !current.isEmpty()) {
        QStringList channels;
        for (const Channel &c : api->channels)
            channels.append(c.address.isEmpty() ? c.id : c.address);
        m_documentChannels.insert(current, channels);
    }
    QModelIndex currentIndex;
    for (const QString &path : std::as_const(m_openDocuments)) {
        auto *doc = new QStandardItem(displayName(path));
        doc->setData(path, WorkspacePathRole);
        doc->setToolTip(QDir::toNativeSeparators(path));
        doc->setIcon(UiIcons::icon(UiIcons::AppLogo));
        for (const QString &channel : m_documentChannels.value(path)) {
            auto *item = new QStandardItem(channel);
            item->setData(path, WorkspacePathRole);
            item->setData(channel, WorkspaceChannelRole);
            doc->appendRow(item);
        }
        m_workspaceModel->appendRow(doc);
        if (path == current)
            currentIndex = doc->index();
    }
    auto *connections = new QStandardItem(tr("Connections"));
    connections->setData(QStringLiteral("connections"), WorkspaceViewRole);
    auto *dashboard = new QStandardItem(tr("Dashboard"));
    dashboard->setData(QStringLiteral("dashboard"), WorkspaceViewRole);
    auto *apps = new QStandardItem(tr("Applications & Keys"));
    apps->setData(QStringLiteral("applications"), WorkspaceViewRole);
    m_workspaceModel->appendRow(connections);
    m_workspaceModel->appendRow(dashboard);
    auto *log = new QStandardItem(tr("Message Log"));
    log->setData(QStringLiteral("log"), WorkspaceViewRole);
    m_workspaceModel->appendRow(log);
    m_workspaceModel->appendRow(apps);
    if (currentIndex.isValid()) {
        m_workspace->expand(currentIndex);
        m_workspace->setCurrentIndex(currentIndex);
    }
}

void MainWindow::handleWorkspaceActivated(const QModelIndex &index)
{
    const QString view = index.data(WorkspaceViewRole).toString();
    if (view == u"connections") {
        m_rightTabs->setCurrentWidget(m_connectionsView);
        return;
    }
    if (view == u"log") {
        m_rightTabs->setCurrentWidget(m_messageLog);
        return;
    }
    if (view == u"dashboard") {
        m_rightTabs->setCurrentWidget(m_dashboard);
        return;
    }
    if (view == u"applications") {
        m_rightTabs->setCurrentWidget(m_applicationsView);
        return;
    }
    const QString path = index.data(WorkspacePathRole).toString();
    const QString current = m_currentFile == samplePath()
        ? m_currentFile
        : QFileInfo(m_currentFile).absoluteFilePath();
    if (path.isEmpty())
        return;
    if (path != current) {
        openFile(path);
        return;
    }
    const QString channel = index.data(WorkspaceChannelRole).toString();
    if (channel.isEmpty())
        return;
    if (const std::shared_ptr<const Api> api = m_apiModel->api())
        for (const Channel &c : api->channels)
            if (c.address == channel || c.id == channel) {
                const QModelIndex target = m_apiModel->find(ApiTreeModel::Kind::Channel, c.id);
                if (target.isValid()) {
                    m_tree->setCurrentIndex(target);
                    m_tree->scrollTo(target);
                }
            }
}

void MainWindow::rebuildDocumentList()
{
    rebuildWorkspace();
    const QSignalBlocker blocker(m_documents);
    m_documents->clear();
    for (const QString &path : std::as_const(m_openDocuments)) {
        m_documents->addItem(displayName(path), path);
        m_documents->setItemData(m_documents->count() - 1, QDir::toNativeSeparators(path),
                                 Qt::ToolTipRole);
    }
    const QString current = m_currentFile == samplePath()
        ? m_currentFile
        : QFileInfo(m_currentFile).absoluteFilePath();
    m_documents->setCurrentIndex(m_openDocuments.indexOf(current));
    m_documents->setVisible(!m_openDocuments.isEmpty());
}

void MainWindow::saveWorkspace() const
{
    // the current document first: it is the one opened again
    QStringList documents = m_openDocuments;
    const QString current = m_currentFile == samplePath()
        ? m_currentFile
        : QFileInfo(m_currentFile).absoluteFilePath();
    if (documents.removeOne(current))
        documents.prepend(current);
    QSettings().setValue(documentsKey, documents);
}

void MainWindow::saveClientTabs() const
{
    // the histories of the last start go; the ones kept now are written anew
    QDir historyDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                    + QStringLiteral("/client-history"));
    for (const QString &name : historyDir.entryList({QStringLiteral("*.jsonl")}, QDir::Files))
        historyDir.remove(name);
    const bool keep = keepsClientHistory();
    if (keep)
        historyDir.mkpath(QStringLiteral("."));
    QVariantList tabs;
    int index = 0;
    for (ClientTab *tab : clientTabs()) {
        QVariantMap state = tab->saveState();
        state.insert(QStringLiteral("beside"), tabWidgetOf(tab) == m_sideTabs);
        if (keep) {
            // the newest events, up to a size that reads back at once
            const QString path = historyDir.filePath(QStringLiteral("tab%1.jsonl").arg(++index));
            const QString error = tab->saveHistory(path, 5000, 8 * 1024 * 1024);
            if (error.isEmpty())
                state.insert(QStringLiteral("historyFile"), path);
            else
                qWarning("client tab history not kept: %s", qPrintable(error));
        }
        tabs.append(state);
    }
    QSettings().setValue(clientTabsKey, tabs);
    QSettings().setValue(QStringLiteral("client/keepHistory"), keep);
}

QStringList MainWindow::restoreWorkspace()
{
    // client tabs come back with their settings, not connected
    for (const QVariant &state : QSettings().value(clientTabsKey).toList()) {
        ClientTab *tab = addClientTab({}, state.toMap().value(QStringLiteral("beside")).toBool());
        tab->restoreState(state.toMap());
        const QString history = state.toMap().value(QStringLiteral("historyFile")).toString();
        if (keepsClientHistory() && !history.isEmpty() && QFileInfo::exists(history))
            tab->restoreHistory(history);
    }
    if (m_rightTabs->count() > 0 && !clientTabs().isEmpty())
        m_rightTabs->setCurrentIndex(0);
    QStringList documents;
    for (const QString &path : QSettings().value(documentsKey).toStringList())
        if (path == samplePath() || QFileInfo(path).isFile())
            documents.append(path);
    m_openDocuments = documents;
    rebuildDocumentList();
    return documents;
}

void MainWindow::closeCurrentDocument()
{
    if (m_currentFile.isEmpty())
        return;
    if (DocumentEditor *editor = currentEditor()) {
        if (editor->isModified()
            && settleUnsavedEdits(editor,
                                  [this, editor = QPointer<DocumentEditor>(editor)] {
                                      // closed once saved, unless edited or left meanwhile
                                      if (editor && editor == currentEditor())
                                          closeCurrentDocument();
                                  })
                != Settling::Settled)
            return;
        forgetEditor(editor); // saved, or its edits discarded
    }
    const QString current = m_currentFile == samplePath()
        ? m_currentFile
        : QFileInfo(m_currentFile).absoluteFilePath();
    const qsizetype at = m_openDocuments.indexOf(current);
    m_openDocuments.removeAll(current);
    if (!m_openDocuments.isEmpty()) {
        openFile(m_openDocuments.at(qBound<qsizetype>(0, at, m_openDocuments.size() - 1)));
    } else {
        m_currentFile.clear();
        m_apiModel->setApi(nullptr);
        m_overview->setApi(nullptr);
        m_applicationsView->setApi(nullptr);
        m_diagnosticsModel->setDiagnostics({});
        showEmptyState(tr("No document open.\n\nOpen an AsyncAPI document with File \u2192 Open "
                          "or drop one on this window."));
        setWindowTitle(QStringLiteral("Gatehouse"));
        updateRunActions();
    }
    rebuildDocumentList();
    saveWorkspace();
    updateEditorState();
}

void MainWindow::followEditedApi(std::shared_ptr<const Api> api)
{
    if (api == m_apiModel->api())
        return;
    // An item is known by the kinds and ids on its way from the root, so that what
    // was expanded and selected is found again in the new tree (groups have no id
    // of their own but their channel's).
    const auto key = [](const QModelIndex &index) {
        QString k = index.data(ApiTreeModel::KindRole).toString();
        k += u'\x1f';
        k += index.data(ApiTreeModel::IdRole).toString();
        k += u'\x1f';
        k += index.data(ApiTreeModel::ChannelIdRole).toString();
        k += u'\x1e';
        return k;
    };
    QSet<QString> expanded;
    const std::function<void(const QModelIndex &, const QString &)> collect
        = [&](const QModelIndex &parent, const QString &path) {
              for (int row = 0; row < m_apiModel->rowCount(parent); ++row) {
                  const QModelIndex index = m_apiModel->index(row, 0, parent);
                  if (!m_tree->isExpanded(index))
                      continue;
                  QString here = path;
                  here += key(index);
                  expanded.insert(here);
                  collect(index, here);
              }
          };
    collect({}, QString());
    QString current;
    for (QModelIndex i = m_tree->currentIndex().siblingAtColumn(0); i.isValid(); i = i.parent())
        current.prepend(key(i));
    const int scroll = m_tree->verticalScrollBar()->value();

    const QScopedValueRollback following(m_followingEdit, true);
    m_apiModel->setApi(std::move(api));
    const WithoutAnimation still(m_tree);

    QModelIndex newCurrent;
    const std::function<void(const QModelIndex &, const QString &)> restore
        = [&](const QModelIndex &parent, const QString &path) {
              for (int row = 0; row < m_apiModel->rowCount(parent); ++row) {
                  const QModelIndex index = m_apiModel->index(row, 0, parent);
                  QString here = path;
                  here += key(index);
                  if (here == current)
                      newCurrent = index;
                  if (expanded.contains(here)) {
                      m_tree->expand(index);
                      restore(index, here);
                  } else if (current.startsWith(here)) {
                      restore(index, here); // the selection may be in a collapsed branch
                  }
              }
          };
    restore({}, QString());
    m_tree->setCurrentIndex(newCurrent.isValid() ? newCurrent : m_apiModel->index(0, 0));
    m_tree->verticalScrollBar()->setValue(scroll);
}

void MainWindow::revealApiItem(ApiTreeModel::Kind kind, const QString &id, bool inForm)
{
    // selecting it in the tree shows its details
    const QModelIndex index = m_apiModel->find(kind, id);
    if (index.isValid()) {
        m_tree->setCurrentIndex(index);
        m_tree->scrollTo(index);
    }
    if (inForm && kind == ApiTreeModel::Kind::Channel && m_apiForm->editor()) {
        m_rightTabs->setCurrentWidget(m_apiForm);
        m_apiForm->sections()->setCurrentIndex(0);
        m_apiForm->selectChannel(id);
    }
    if (inForm && kind == ApiTreeModel::Kind::Message && m_apiForm->editor()) {
        // a component message opens in the Messages section (inline ones do not)
        m_rightTabs->setCurrentWidget(m_apiForm);
        const int before = m_apiForm->sections()->currentIndex();
        m_apiForm->sections()->setCurrentWidget(m_apiForm->messageForm());
        m_apiForm->messageForm()->selectMessage(id);
        if (m_apiForm->messageForm()->currentMessage() != id)
            m_apiForm->sections()->setCurrentIndex(before);
    }
}

CommandPalette *MainWindow::showCommandPalette()
{
    if (!m_palette) {
        m_palette = new CommandPalette(this);
        connect(m_palette, &CommandPalette::itemChosen, this, [this](int kind, const QString &id) {
            // a channel chosen while the Design tab is shown opens in it
            const bool inForm = m_rightTabs->currentWidget() == m_apiForm;
            revealApiItem(ApiTreeModel::Kind(kind), id, inForm);
            if (!inForm)
                m_tree->setFocus();
        });
    }
    QList<CommandPaletteModel::Entry> entries = CommandPaletteModel::actionEntries(menuBar());
    // the API's named parts, depth first, each once
    QSet<std::pair<int, QString>> seen;
    const std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int row = 0; row < m_apiModel->rowCount(parent); ++row) {
            const QModelIndex index = m_apiModel->index(row, 0, parent);
            const auto kind = ApiTreeModel::Kind(index.data(ApiTreeModel::KindRole).toInt());
            const QString id = index.data(ApiTreeModel::IdRole).toString();
            QString where;
            switch (kind) {
            case ApiTreeModel::Kind::Channel:
                where = tr("Channel");
                break;
            case ApiTreeModel::Kind::Operation:
                where = tr("Operation");
                break;
            case ApiTreeModel::Kind::Message:
                where = tr("Message");
                break;
            case ApiTreeModel::Kind::Server:
                where = tr("Server");
                break;
            case ApiTreeModel::Kind::SecurityScheme:
                where = tr("Security scheme");
                break;
            default:
                break;
            }
            if (!where.isEmpty() && !id.isEmpty() && !seen.contains({int(kind), id})) {
                seen.insert({int(kind), id});
                CommandPaletteModel::Entry entry;
                entry.text = id;
                entry.where = where;
                entry.toolTip
                    = index.siblingAtColumn(ApiTreeModel::SummaryColumn).data().toString();
                entry.icon = index.data(Qt::DecorationRole).value<QIcon>();
                entry.kind = int(kind);
                entry.id = id;
                entries.append(entry);
            }
            walk(index);
        }
    };
    walk({});
    m_palette->open(std::move(entries));
    return m_palette;
}

NewApiWizard *MainWindow::showNewApiWizard()
{
    QSettings settings;
    QString folder = settings.value(QStringLiteral("newApi/folder")).toString();
    if (folder.isEmpty() || !QFileInfo(folder).isDir()) {
        folder = !m_currentFile.isEmpty() && m_currentFile != samplePath()
            ? QFileInfo(m_currentFile).absolutePath()
            : QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        if (folder.isEmpty() || !QFileInfo(folder).isDir())
            folder = QDir::homePath();
    }
    auto *wizard = new NewApiWizard(folder, this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &QDialog::accepted, this, [this, wizard] {
        const QString path = wizard->writtenFile();
        QSettings().setValue(QStringLiteral("newApi/folder"), QFileInfo(path).absolutePath());
        m_output->appendLines({tr("created %1").arg(QDir::toNativeSeparators(path))});
        openFile(path);
    });
    wizard->open();
    return wizard;
}

void MainWindow::openAndRun(const QString &path)
{
    m_runAfterLoad = path;
    openFile(path);
}

QString MainWindow::runStateText() const
{
    return m_runState->text();
}

void MainWindow::handleRunTriggered()
{
    if (m_runtime->isActive() || m_runRequested)
        return;
    m_outputDock->show();
    m_outputDock->raise();
    const std::shared_ptr<const Api> api = m_apiModel->api();
    if (m_currentFile.isEmpty() || !api || m_diagnosticsModel->errorCount() > 0) {
        const QString why = m_currentFile.isEmpty()
            ? tr("no document is open")
            : tr("%1 has errors; they are listed under Problems").arg(displayName(m_currentFile));
        m_output->appendLines({tr("error: cannot run: %1").arg(why)});
        m_runState->setText(tr("Cannot run: %1").arg(why));
        return;
    }
    GatewayRuntime::Settings settings = runSettings();
    // The document's own mock backend, when it describes one, or the one asked for.
    settings.withMocks = !api->gatehouse.mock.is_null() || !m_runMockKind.isEmpty();
    settings.mockKind = std::exchange(m_runMockKind, {});
    QDir().mkpath(QFileInfo(settings.logDatabase).absolutePath());
    m_runRequested = true;
    m_output->appendLines({tr("running %1").arg(displayName(m_currentFile))});
    m_runtime->start({m_currentFile}, settings);
    m_runState->setText(tr("Starting…"));
    updateRunActions();
}

GatewayRuntime::Settings MainWindow::runSettings() const
{
    GatewayRuntime::Settings settings;
    // JWT signing keys come from the OS keychain, read in the background.
    settings.secrets = std::make_shared<Credentials::SecretStoreProxy>(m_keychain);
    // what the gateway does goes to the app's message log (read by gatehouse-cli log)
    settings.logDatabase = messageLogPath();
    settings.logDatabaseOptional = true;
    settings.alerts = m_alerts->thresholds();
    // Run → Gateway Settings…
    const GatewayRunOptions runOptions = GatewayRunOptions::load();
    runOptions.applyTo(settings.options);
    settings.metricsPerApplication = runOptions.metricsPerApplication;
    return settings;
}

void MainWindow::editGatewaySettings()
{
    GatewaySettingsDialog dialog(GatewayRunOptions::load(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (const auto options = dialog.options()) {
        options->save();
        if (m_runtime->isActive())
            statusBar()->showMessage(tr("The gateway settings apply from the next Run"), 5000);
    }
}

void MainWindow::runWithMock(const QString &kind)
{
    m_runMockKind = kind;
    handleRunTriggered();
    m_runMockKind.clear();
}

void MainWindow::handleRunStateChanged()
{
    m_runRequested = false;
    takeOutputLines();
    switch (m_runtime->state()) {
    case GatewayRuntime::State::Stopped:
        m_runState->setText(tr("Stopped"));
        break;
    case GatewayRuntime::State::Starting:
        m_runState->setText(tr("Starting…"));
        break;
    case GatewayRuntime::State::Running:
        m_runState->setText(
            tr("Running on %1").arg(m_runtime->listenUrls().join(QStringLiteral(", "))));
        m_output->appendLines(m_runtime->describeListeners());
        m_connectionsView->setEmptyText(tr("No open connections. Clients connect to %1/…")
                                            .arg(m_runtime->listenUrls().value(0)));
        m_listTimer->start();
        m_runtime->listConnections();
        // what a run is watched for, unless a tab was asked for (gatehouse --show)
        if (!std::exchange(m_tabChosen, false))
            m_rightTabs->setCurrentWidget(m_connectionsView);
        break;
    case GatewayRuntime::State::Stopping:
        m_runState->setText(tr("Stopping…"));
        break;
    case GatewayRuntime::State::Failed:
        m_runState->setText(tr("Failed: %1").arg(m_runtime->errorString()));
        break;
    }
    m_runState->setToolTip(m_runState->text());
    m_messageLog->payloadLogging()->setBlocked(m_runtime->state() == GatewayRuntime::State::Running
                                                   ? QString()
                                                   : tr("Run the gateway to log payloads"));
    if (m_runtime->state() != GatewayRuntime::State::Running) {
        m_listTimer->stop();
        m_connectionsModel->clear();
        m_connectionsView->setEmptyText(tr("No connections yet. Press Run to start the gateway."));
    }
    updateRunActions();
}

void MainWindow::updateRunActions()
{
    const bool active = m_runtime->isActive() || m_runRequested;
    const bool loaded = m_apiModel->api() && m_diagnosticsModel->errorCount() == 0;
    m_runAction->setEnabled(!active && loaded);
    m_runWithMockMenu->setEnabled(!active && loaded);
    m_runAction->setToolTip(
        active       ? tr("Already running: stop it first")
            : loaded ? tr("Run this API behind the gateway (%1)")
                           .arg(m_runAction->shortcut().toString(QKeySequence::NativeText))
                     : tr("Open a document without errors to run it"));
    m_stopAction->setEnabled(m_runtime->state() == GatewayRuntime::State::Running
                             || m_runtime->state() == GatewayRuntime::State::Starting);
    m_stopAction->setToolTip(tr("Stop the gateway; open connections are closed with 1001"));
    m_copyUrlAction->setEnabled(m_runtime->state() == GatewayRuntime::State::Running);
    m_copyWscatAction->setEnabled(m_runtime->state() == GatewayRuntime::State::Running);
    m_clientForChannelAction->setEnabled(m_runtime->state() == GatewayRuntime::State::Running);
}

// Whether the keychain answers: a missing or locked one is said in the Applications &
// Keys view (issuing and copying secrets fail then; the gateway keeps working).
void MainWindow::checkKeychain()
{
    m_keychain->checkAvailable(this, [this](const Credentials::SecretStore::Result &r) {
        m_applicationsView->setKeychainProblem(r.ok() ? QString() : r.error);
        if (!r.ok())
            m_output->appendLines({tr("keychain: %1").arg(r.error)});
    });
}

// Asks for a channel of the current API and a credential to connect with; false when
// the user cancels.
bool MainWindow::pickChannelAndCredential(const QString &title, const QString &okText,
                                          QString *channelAddress, QString *credentialId)
{
    const std::shared_ptr<const Api> api = m_apiModel->api();
    if (!api)
        return false;
    QDialog dialog(this);
    dialog.setWindowTitle(title);
    auto *channel = new QComboBox;
    channel->setAccessibleName(tr("Channel"));
    for (const Channel &c : api->channels)
        if (!c.address.isEmpty())
            channel->addItem(c.address);
    const int current = channel->findText(*channelAddress);
    if (current >= 0)
        channel->setCurrentIndex(current);
    auto *credential = new QComboBox;
    credential->setAccessibleName(tr("Credential"));
    credential->addItem(tr("No credential"), QString());
    if (const auto snapshot = m_credentials->snapshot()) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const Credentials::Application &app : snapshot->applications())
            for (const Credentials::CredentialInfo &c : snapshot->credentialsOf(app.id))
                if (!c.isRevoked() && !c.isExpired(now))
                    credential->addItem(
                        QStringLiteral("%1 – %2 %3")
                            .arg(app.name, Credentials::credentialTypeName(c.type), c.id),
                        c.id);
    }
    if (credential->count() > 1)
        credential->setCurrentIndex(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(okText);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("&Channel:"), channel);
    form->addRow(tr("C&redential:"), credential);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted || channel->currentText().isEmpty())
        return false;
    *channelAddress = channel->currentText();
    *credentialId = credential->currentData().toString();
    return true;
}

void MainWindow::handleCopyWscatTriggered()
{
    QString channel;
    QString credential;
    if (pickChannelAndCredential(tr("Copy wscat Command"), tr("Copy"), &channel, &credential))
        copyWscatCommand(channel, credential);
}

void MainWindow::copyWscatCommand(const QString &channel, const QString &credentialId)
{
    requestChannelTarget({channel, credentialId, false});
}

void MainWindow::openClientTabFor(const QString &channel, const QString &credentialId)
{
    requestChannelTarget({channel, credentialId, true});
}

void MainWindow::requestChannelTarget(const PendingTarget &target)
{
    m_pendingTarget = target;
    if (target.credentialId.isEmpty())
        finishChannelTarget({}, {}, {});
    else
        m_credentials->readSecret(target.credentialId); // answered in finishChannelTarget
}

// The secret of the pending target's credential arrived (or not): builds the URL of
// its channel on the running gateway and where the credential goes, then copies a
// wscat command or opens a client tab.
void MainWindow::finishChannelTarget(const QString &credentialId, const QString &secret,
                                     const QString &error)
{
    // restored client tabs waiting for their credential's secret
    for (const QPointer<ClientTab> &tab : m_tabsWaitingForSecret.values(credentialId)) {
        if (!tab)
            continue;
        if (!error.isEmpty()) {
            tab->setSecretHeader({}, {}, {});
            statusBar()->showMessage(
                tr("The secret of %1 cannot be read: %2").arg(credentialId, error), 8000);
            continue;
        }
        const QVariantMap state = tab->saveState();
        tab->setSecretHeader(state.value(QStringLiteral("credentialHeader")).toString().toLatin1(),
                             state.value(QStringLiteral("credentialHeader"))
                                         .toString()
                                         .compare(u"Authorization", Qt::CaseInsensitive)
                                     == 0
                                 ? "Bearer " + secret.toUtf8()
                                 : secret.toUtf8(),
                             credentialId);
        tab->connectToServer();
    }
    m_tabsWaitingForSecret.remove(credentialId);
    if (credentialId != m_pendingTarget.credentialId || m_pendingTarget.channel.isEmpty())
        return;
    const PendingTarget target = std::exchange(m_pendingTarget, {});
    const QString what = target.forClientTab ? tr("No client tab") : tr("No wscat command");
    if (!error.isEmpty()) {
        statusBar()->showMessage(QStringLiteral("%1: %2").arg(what, error), 8000);
        return;
    }
    const std::shared_ptr<const Api> api = m_apiModel->api();
    const QString base = m_runtime->listenUrls().value(0);
    if (!api || base.isEmpty()) {
        statusBar()->showMessage(tr("%1: the gateway is not running").arg(what), 8000);
        return;
    }
    const Channel *channel = nullptr;
    for (const Channel &c : api->channels)
        if (c.address == target.channel)
            channel = &c;
    if (!channel)
        return;
    QUrl url(base + Gateway::Router::samplePath(*api, *channel));
    QByteArray headerName;
    QByteArray headerValue;
    if (!credentialId.isEmpty()) {
        const auto info = m_credentials->snapshot()
            ? m_credentials->snapshot()->credentialById(credentialId)
            : std::nullopt;
        const bool apiKey = info && info->type == Credentials::CredentialType::ApiKey;
        const Policies::CredentialExtractor::Settings places
            = Policies::PolicyFactory::credentialPlaces(*api, *channel);
        const QString queryName = apiKey ? places.apiKeyQuery : places.accessTokenQuery;
        if (apiKey && !places.apiKeyHeader.isEmpty()) {
            headerName = places.apiKeyHeader.toLatin1();
            headerValue = secret.toUtf8();
        } else if (!apiKey && places.bearerHeader) {
            headerName = "Authorization";
            headerValue = "Bearer " + secret.toUtf8();
        } else if (!queryName.isEmpty()) {
            QUrlQuery query(url);
            query.addQueryItem(queryName, QString::fromLatin1(QUrl::toPercentEncoding(secret)));
            url.setQuery(query);
        } else {
            statusBar()->showMessage(
                tr("%1: the authenticate policy of %2 accepts no place for this credential")
                    .arg(what, target.channel),
                8000);
            return;
        }
    }
    if (target.forClientTab) {
        Client::ClientOptions options;
        options.url = url;
        ClientTab *tab = addClientTab(options);
        setChannelContext(tab, *api, *channel);
        if (!headerName.isEmpty())
            tab->setSecretHeader(headerName, headerValue, credentialId);
        tab->connectToServer();
        return;
    }
    auto quoted = [](QString s) {
        s.replace(QStringLiteral("'"), QStringLiteral("'\\''"));
        return QStringLiteral("'%1'").arg(s);
    };
    QString command = QStringLiteral("wscat -c ") + quoted(url.toString(QUrl::FullyEncoded));
    if (!headerName.isEmpty())
        command += QStringLiteral(" -H ")
            + quoted(QString::fromLatin1(headerName) + QStringLiteral(": ")
                     + QString::fromUtf8(headerValue));
    QGuiApplication::clipboard()->setText(command);
    statusBar()->showMessage(credentialId.isEmpty()
                                 ? tr("Copied a wscat command for %1").arg(target.channel)
                                 : tr("Copied a wscat command for %1 with the secret of %2")
                                       .arg(target.channel, credentialId),
                             8000);
}

QTabWidget *MainWindow::tabWidgetOf(ClientTab *tab) const
{
    if (m_rightTabs->indexOf(tab) >= 0)
        return m_rightTabs;
    if (m_sideTabs->indexOf(tab) >= 0)
        return m_sideTabs;
    return nullptr;
}

void MainWindow::moveClientTab(ClientTab *tab)
{
    QTabWidget *from = tabWidgetOf(tab);
    if (!from)
        return;
    QTabWidget *to = from == m_rightTabs ? m_sideTabs : m_rightTabs;
    const QString title = from->tabText(from->indexOf(tab));
    const QString tip = from->tabToolTip(from->indexOf(tab));
    from->removeTab(from->indexOf(tab));
    const int index = to->addTab(tab, title);
    to->setTabToolTip(index, tip);
    to->setCurrentWidget(tab);
    m_sideTabs->setVisible(m_sideTabs->count() > 0);
    if (to == m_sideTabs && m_sideTabs->count() == 1)
        m_rightSplit->setSizes({1, 1}); // half and half
    tab->urlEdit()->setFocus();
}

ClientTab *MainWindow::addClientTab(const Client::ClientOptions &options, bool beside)
{
    auto *tab = new ClientTab;
    tab->setObjectName(QStringLiteral("clientTab%1").arg(++m_clientTabCount));
    tab->setCookieJars({[this](const QString &environment) {
                            std::shared_ptr<Client::ClientCookieJar> &jar
                                = m_cookieJars[environment];
                            if (!jar)
                                jar = std::make_shared<Client::ClientCookieJar>();
                            return jar;
                        },
                        [this] {
                            QStringList names = m_cookieJars.keys();
                            if (!names.contains(QStringLiteral("default")))
                                names.prepend(QStringLiteral("default"));
                            return names;
                        }});
    tab->setSavedMessages(m_savedMessages);
    tab->setMessageLogSource([this](QString *error) -> std::shared_ptr<Gateway::GatewayEventSink> {
        if (!m_clientLog) {
            Analytics::MessageLogStore::Options o;
            o.path = messageLogPath();
            QDir().mkpath(QFileInfo(o.path).absolutePath());
            auto store = std::make_shared<Analytics::MessageLogStore>(o);
            if (!store->open(error))
                return nullptr;
            m_clientLog = store;
            m_output->appendLines({tr("client tabs write to the message log %1").arg(o.path)});
        }
        return m_clientLog;
    });
    if (!options.url.isEmpty())
        tab->setOptions(options);
    QTabWidget *tabs = beside ? m_sideTabs : m_rightTabs;
    const int index = tabs->addTab(tab, tab->title());
    tabs->setTabToolTip(index, options.url.toString());
    if (beside && m_sideTabs->count() == 1) {
        m_sideTabs->show();
        m_rightSplit->setSizes({1, 1});
    }
    connect(tab, &ClientTab::secretNeeded, this, [this, tab](const QString &credentialId) {
        m_tabsWaitingForSecret.insert(credentialId, tab);
        m_credentials->readSecret(credentialId);
    });
    connect(tab, &ClientTab::titleChanged, this, [this, tab](const QString &title) {
        if (QTabWidget *w = tabWidgetOf(tab))
            w->setTabText(w->indexOf(tab), title);
    });
    tabs->setCurrentWidget(tab);
    tab->urlEdit()->setFocus();
    return tab;
}

// What a client may send on `channel`: checked against the messages' schemas before a
// tab sends it, and their examples (or a value made from the schema) as snippets.
void MainWindow::setChannelContext(ClientTab *tab, const Api &api, const Channel &channel)
{
    auto policy = std::make_shared<Policies::PayloadValidationPolicy>(
        Policies::PayloadValidationPolicy::Settings {}, api, channel);
    ClientTab::PayloadCheck check;
    if (policy->schemaCount(Gateway::Direction::ClientToBackend) > 0)
        check = [policy](const QByteArray &payload) {
            return policy->check(Gateway::Direction::ClientToBackend, payload, false);
        };
    QList<QPair<QString, QString>> snippets;
    MessageCatalog catalog(api);
    QStringList ids;
    for (const Operation *op : api.operationsOn(channel.id))
        if (op->action == Operation::Action::Receive)
            for (const QString &id : op->messageIds.isEmpty() ? channel.messageIds : op->messageIds)
                if (!ids.contains(id))
                    ids.append(id);
    for (const QString &id : std::as_const(ids)) {
        const MessageCatalog::Entry *entry = catalog.entry(id);
        const Message *message = api.message(id);
        if (!entry || !message)
            continue;
        const QString name = message->name.isEmpty() ? id : message->name;
        // as it goes on the wire: JSON indented, plain text as it is
        auto text = [entry](const Json &payload) {
            if (entry->encoding == MessageCatalog::Encoding::Json)
                return QString::fromStdString(payload.dump(2));
            return MessageCatalog::toFrame(*entry, payload).text;
        };
        for (qsizetype i = 0; i < entry->examples.size(); ++i)
            snippets.append(
                {entry->examples.size() > 1 ? QStringLiteral("%1 (%2)").arg(name).arg(i + 1) : name,
                 text(entry->examples.at(i))});
        if (entry->examples.isEmpty() && !entry->schema.is_null())
            snippets.append(
                {tr("%1 (made from its schema)").arg(name), text(catalog.generatedPayload(id))});
    }
    ClientTab::PayloadCheck incoming;
    if (policy->schemaCount(Gateway::Direction::BackendToClient) > 0)
        incoming = [policy](const QByteArray &payload) {
            return policy->check(Gateway::Direction::BackendToClient, payload, false);
        };
    tab->setChannelContext(api.title, channel.address, std::move(check), snippets,
                           std::move(incoming));
}

void MainWindow::attachChannelContexts()
{
    const std::shared_ptr<const Api> api = m_apiModel->api();
    if (!api)
        return;
    for (ClientTab *tab : clientTabs()) {
        if (tab->hasChannelContext() || tab->channel().isEmpty() || tab->channelApi() != api->title)
            continue;
        for (const Channel &channel : api->channels)
            if (channel.address == tab->channel())
                setChannelContext(tab, *api, channel);
    }
}

QString MainWindow::messageLogPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("messages.db"));
}

bool MainWindow::keepsClientHistory() const
{
    return m_keepHistoryAction->isChecked();
}

void MainWindow::setKeepClientHistory(bool keep)
{
    m_keepHistoryAction->setChecked(keep);
}

QString MainWindow::saveScenario(const QString &path)
{
    QList<Client::ClientScenarioWriter::Tab> tabs;
    QStringList names;
    for (const ClientTab *tab : clientTabs()) {
        tabs.append(tab->scenarioTab(names));
        names.append(tabs.constLast().name);
    }
    QString error;
    if (tabs.isEmpty())
        error = tr("no client tabs to save");
    QSaveFile file(path);
    if (error.isEmpty() && !file.open(QIODevice::WriteOnly))
        error = file.errorString();
    if (error.isEmpty()) {
        file.write(Client::ClientScenarioWriter::yaml(QFileInfo(path).completeBaseName(), tabs));
        if (!file.commit())
            error = file.errorString();
    }
    if (error.isEmpty())
        rememberScenario(path);
    statusBar()->showMessage(
        error.isEmpty()
            ? tr("Saved %n client tab(s) as %1", nullptr, int(tabs.size()))
                  .arg(QDir::toNativeSeparators(path))
            : tr("Cannot save the scenario %1: %2").arg(QDir::toNativeSeparators(path), error),
        8000);
    return error;
}

// Runs a scenario file in a thread of its own (its connections never touch the
// window's thread); each step's line and the summary go to the output dock.
namespace {

const QString scenariosKey = QStringLiteral("client/scenarios");

} // namespace

QStringList MainWindow::scenariosOf(const QString &apiTitle)
{
    QStringList paths = QSettings().value(scenariosKey).toMap().value(apiTitle).toStringList();
    paths.removeIf([](const QString &p) { return !QFileInfo(p).isFile(); });
    return paths;
}

// Kept under the open API, so Client > Scenarios of This API offers it again.
void MainWindow::rememberScenario(const QString &path) const
{
    const std::shared_ptr<const Api> api = m_apiModel->api();
    if (!api)
        return;
    QVariantMap all = QSettings().value(scenariosKey).toMap();
    QStringList paths = all.value(api->title).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    paths.removeAll(absolute);
    paths.prepend(absolute);
    all.insert(api->title, QStringList(paths.mid(0, 10)));
    QSettings().setValue(scenariosKey, all);
}

void MainWindow::runScenario(const QString &path)
{
    if (QFileInfo(path).isFile())
        rememberScenario(path);
    auto *thread = new QThread(this);
    thread->setObjectName(QStringLiteral("scenario"));
    auto *anchor = new QObject;
    anchor->moveToThread(thread);
    // the run's objects go in its own thread, once its event loop is over
    connect(
        thread, &QThread::finished, thread, [anchor] { delete anchor; }, Qt::DirectConnection);
    m_scenarioRuns.append(thread);
    thread->start();
    m_outputDock->show();
    m_output->appendLines({tr("scenario %1: running").arg(QDir::toNativeSeparators(path))});
    QPointer<MainWindow> window(this);
    auto say = [window](const QStringList &lines, const QString &status) {
        QMetaObject::invokeMethod(window.data(), [window, lines, status] {
            if (!window)
                return;
            window->m_output->appendLines(lines);
            if (!status.isEmpty()) {
                window->statusBar()->showMessage(status, 10000);
                Q_EMIT window->scenarioFinished(status);
            }
        });
    };
    QMetaObject::invokeMethod(anchor, [anchor, path, say] {
        QString error;
        std::optional<Client::ClientScenario> scenario = Client::ClientScenario::load(path, &error);
        if (scenario && scenario->usesDefaultConnection())
            error = scenario->defaultConnectionProblem();
        if (!error.isEmpty()) {
            say({QStringLiteral("scenario: %1").arg(error)},
                QStringLiteral("Scenario not run: %1").arg(error));
            anchor->thread()->quit();
            return;
        }
        auto *runner = new Client::ClientScenarioRunner(*scenario, anchor);
        QObject::connect(
            runner, &Client::ClientScenarioRunner::stepFinished, anchor,
            [say](const Client::ClientScenarioRunner::StepResult &step) {
                say({QStringLiteral("scenario: ") + Client::ClientScenarioReport::stepLine(step)},
                    {});
            });
        QObject::connect(
            runner, &Client::ClientScenarioRunner::finished, anchor, [say, runner, anchor] {
                const QString summary = Client::ClientScenarioReport::summary(runner->result());
                say({QStringLiteral("scenario: ") + summary},
                    QStringLiteral("Scenario %1: %2").arg(runner->scenario().name, summary));
                anchor->thread()->quit();
            });
        runner->start();
    });
}

void MainWindow::closeClientTab(ClientTab *tab)
{
    QTabWidget *tabs = tabWidgetOf(tab);
    if (!tabs)
        return;
    tabs->removeTab(tabs->indexOf(tab));
    tab->deleteLater();
    m_sideTabs->setVisible(m_sideTabs->count() > 0);
}

QList<ClientTab *> MainWindow::clientTabs() const
{
    QList<ClientTab *> tabs;
    for (const QTabWidget *w : {m_rightTabs, m_sideTabs})
        for (int i = 0; i < w->count(); ++i)
            if (auto *tab = qobject_cast<ClientTab *>(w->widget(i)))
                tabs.append(tab);
    return tabs;
}

ClientTab *MainWindow::currentClientTab() const
{
    QWidget *focus = QApplication::focusWidget();
    for (ClientTab *tab : clientTabs())
        if (focus && tab->isAncestorOf(focus))
            return tab;
    if (auto *tab = qobject_cast<ClientTab *>(m_rightTabs->currentWidget()))
        return tab;
    return qobject_cast<ClientTab *>(m_sideTabs->currentWidget());
}

void MainWindow::takeOutputLines()
{
    qsizetype dropped = 0;
    QStringList lines = m_runtime->eventLines()->takeLines(&dropped);
    if (dropped > 0)
        lines.prepend(tr("(%n earlier line(s) not shown)", nullptr, int(dropped)));
    if (!lines.isEmpty())
        m_output->appendLines(lines);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openFile(urls.first().toLocalFile());
}

bool MainWindow::isLoading() const
{
    return m_loader->isLoading();
}

void MainWindow::openFile(const QString &path)
{
    if (path.isEmpty())
        return;
    m_loader->load(path);
}

void MainWindow::openSample()
{
    openFile(samplePath());
}

void MainWindow::handleOpenTriggered()
{
    QSettings settings;
    QString dir = settings.value(lastDirKey).toString();
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QDir::homePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open AsyncAPI Document"), dir,
        tr("AsyncAPI documents (*.yaml *.yml *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(lastDirKey, QFileInfo(path).absolutePath());
    openFile(path);
}

QString MainWindow::displayName(const QString &path) const
{
    if (path == samplePath())
        return tr("%1 (sample)").arg(QFileInfo(path).fileName());
    return QFileInfo(path).fileName();
}

void MainWindow::handleLoadStarted(const QString &path)
{
    m_loadingFile = path;
    m_busy->show();
    m_statusPath->setText(tr("Loading %1\u2026").arg(QDir::toNativeSeparators(path)));
    if (m_apiModel->rowCount() == 0)
        showEmptyState(tr("Loading %1\u2026").arg(displayName(path)));
}

void MainWindow::handleLoadFinished(const LoadedApi &result)
{
    m_busy->hide();
    m_loadingFile.clear();
    m_currentFile = result.path;
    m_reloadAction->setEnabled(true);
    // the document's editor first: the source shown below is its text
    attachEditor(result);

    showProblems(result.diagnostics);
    const int errors = m_diagnosticsModel->errorCount();
    if (!result.diagnostics.isEmpty() && !m_problemsDock->isVisible() && !m_problemsDockSized) {
        // A compact list by default; the user's own size is kept from then on.
        m_problemsDock->show();
        resizeDocks({m_problemsDock}, {160}, Qt::Vertical);
        m_problemsDockSized = true;
    }
    m_problemsDock->setVisible(!result.diagnostics.isEmpty());

    // The source view reloads lazily, when shown (at once when it is the current tab);
    // a document edited here shows in the editor, which has its text already.
    m_source->clearFile();
    handleSourceShown(QString());
    if (m_rightTabs->currentWidget() == m_sourceStack)
        showSourceFile(m_currentFile);

    m_apiModel->setApi(result.api);
    m_overview->setApi(result.api);
    m_applicationsView->setApi(result.api);
    if (result.api) {
        m_leftStack->setCurrentWidget(m_tree);
        const QModelIndex root = m_apiModel->index(0, 0);
        const WithoutAnimation still(m_tree);
        m_tree->expand(root);
        for (int row = 0; row < m_apiModel->rowCount(root); ++row) {
            const QModelIndex group = m_apiModel->index(row, 0, root);
            if (group.data(ApiTreeModel::KindRole).toInt() != int(ApiTreeModel::Kind::ChannelGroup))
                continue;
            m_tree->expand(group);
            // Channels open too, so that their operations show at first sight,
            // unless there are so many that the tree would become a wall.
            constexpr int MaxExpandedChannels = 50;
            if (m_apiModel->rowCount(group) <= MaxExpandedChannels)
                for (int channel = 0; channel < m_apiModel->rowCount(group); ++channel)
                    m_tree->expand(m_apiModel->index(channel, 0, group));
        }
        m_tree->resizeColumnToContents(ApiTreeModel::NameColumn);
        m_tree->setColumnWidth(ApiTreeModel::NameColumn,
                               std::max(m_tree->columnWidth(ApiTreeModel::NameColumn) + 24, 220));
        m_tree->setCurrentIndex(root);
        m_rightTabs->setCurrentWidget(m_details);
        // a tab asked for before the first document came (gatehouse --show) stays
        if (m_startTab)
            m_rightTabs->setCurrentWidget(std::exchange(m_startTab, nullptr));
    } else {
        m_details->setHtml(ApiDetails::placeholder(tr("No API to show.")));
        QString text = tr("%1 could not be loaded.").arg(displayName(result.path));
        if (errors)
            text += QStringLiteral("\n\n")
                + tr("The problems are listed below. Double-click one to see where it is "
                     "in the source.");
        showEmptyState(text);
        // Show the first located problem straight away.
        for (const Diagnostic &d : m_diagnosticsModel->diagnostics()) {
            if (d.location.line > 0) {
                showSource(d.location.file, d.location.line, d.location.column);
                break;
            }
        }
        if (m_diagnosticsModel->rowCount() > 0)
            m_diagnosticsView->setCurrentIndex(m_diagnosticsModel->index(0, 0));
    }

    // Still on the Source tab (nothing above moved to a problem or the details):
    // it shows the document again.
    handleRightTabChanged(m_rightTabs->currentIndex());

    if (result.api || QFileInfo(result.path).isFile())
        RecentFiles().add(result.path);
    addOpenDocument(result.path);
    updateTitleAndStatus(result);
    updateRunActions();
    if (!m_runAfterLoad.isEmpty() && m_runAfterLoad == result.path) {
        m_runAfterLoad.clear();
        handleRunTriggered();
    }
    attachChannelContexts();
    updateEditorState(); // the title says whether there are unsaved edits
    Q_EMIT documentLoaded(result.path, result.ok());
}

void MainWindow::showProblems(const QList<Diagnostic> &diagnostics)
{
    m_diagnosticsModel->setDiagnostics(diagnostics);
    m_diagnosticsView->resizeColumnToContents(DiagnosticListModel::LocationColumn);
    const int errors = m_diagnosticsModel->errorCount();
    const int warnings = m_diagnosticsModel->warningCount();
    QStringList counts;
    if (errors)
        counts << countText(errors, "1 error", "%1 errors");
    if (warnings)
        counts << countText(warnings, "1 warning", "%1 warnings");
    m_problemsDock->setWindowTitle(
        counts.isEmpty() ? tr("Problems")
                         : tr("Problems (%1)").arg(counts.join(QStringLiteral(", "))));
}

void MainWindow::updateTitleAndStatus(const LoadedApi &result)
{
    setWindowTitle(tr("%1 \u2014 Gatehouse").arg(displayName(result.path)));
    m_statusPath->setText(
        result.path == samplePath()
            ? tr("Built-in sample: the Chats API")
            : QDir::toNativeSeparators(QFileInfo(result.path).absoluteFilePath()));
    m_statusPath->setToolTip(m_statusPath->text());

    QStringList info;
    if (result.api) {
        const Api &api = *result.api;
        if (!api.asyncapiVersion.isEmpty())
            info << tr("AsyncAPI %1").arg(api.asyncapiVersion);
        info << countText(int(api.channels.size()), "1 channel", "%1 channels");
        info << countText(int(api.operations.size()), "1 operation", "%1 operations");
        info << countText(int(api.messages.size()), "1 message", "%1 messages");
    }
    const int errors = m_diagnosticsModel->errorCount();
    const int warnings = m_diagnosticsModel->warningCount();
    if (errors)
        info << countText(errors, "1 error", "%1 errors");
    if (warnings)
        info << countText(warnings, "1 warning", "%1 warnings");
    m_statusInfo->setText(info.join(QStringLiteral("  \u00b7  ")));
}

QString MainWindow::emptyStateText() const
{
    return m_leftStack->currentWidget() == m_emptyPage ? m_emptyState->text() : QString();
}

void MainWindow::showEmptyState(const QString &text)
{
    m_emptyState->setText(text);
    m_leftStack->setCurrentWidget(m_emptyPage);
}

void MainWindow::handleCurrentItemChanged(const QModelIndex &current)
{
    const std::shared_ptr<const Api> api = m_apiModel->api();
    if (!api || !current.isValid()) {
        m_details->setHtml(ApiDetails::placeholder(tr("Select an item to see its details.")));
        return;
    }
    const QModelIndex item = current.siblingAtColumn(ApiTreeModel::NameColumn);
    const auto kind = ApiTreeModel::Kind(item.data(ApiTreeModel::KindRole).toInt());
    const QString channelId = kind == ApiTreeModel::Kind::Channel
        ? item.data(ApiTreeModel::IdRole).toString()
        : item.data(ApiTreeModel::ChannelIdRole).toString();
    for (const Channel &c : api->channels)
        if (c.id == channelId)
            m_selectedChannel = c.address;
    m_details->setHtml(ApiDetails::html(*api, kind, item.data(ApiTreeModel::IdRole).toString(),
                                        item.data(ApiTreeModel::ChannelIdRole).toString()));
    // a selection kept while the tree follows an edit leaves the user's tab alone
    if (!m_followingEdit && m_rightTabs->currentWidget() != m_details)
        m_rightTabs->setCurrentWidget(m_details);
}

void MainWindow::handleDetailsLinkClicked(const QUrl &url)
{
    if (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")
        || url.scheme() == QLatin1String("mailto")) {
        QDesktopServices::openUrl(url);
        return;
    }
    if (url.scheme() != QLatin1String("gatehouse"))
        return;
    const QString path = url.path();
    const qsizetype slash = path.indexOf(QLatin1Char('/'));
    if (slash < 0)
        return;
    const QString what = path.left(slash);
    const QString id = QUrl::fromPercentEncoding(path.mid(slash + 1).toUtf8());
    ApiTreeModel::Kind kind;
    if (what == QLatin1String("message"))
        kind = ApiTreeModel::Kind::Message;
    else if (what == QLatin1String("operation"))
        kind = ApiTreeModel::Kind::Operation;
    else if (what == QLatin1String("channel"))
        kind = ApiTreeModel::Kind::Channel;
    else
        return;
    // Messages appear under operations too; prefer the entry in the Messages group.
    QModelIndex target;
    if (kind == ApiTreeModel::Kind::Message) {
        const QModelIndex root = m_apiModel->index(0, 0);
        for (int row = 0; row < m_apiModel->rowCount(root) && !target.isValid(); ++row) {
            const QModelIndex group = m_apiModel->index(row, 0, root);
            if (group.data(ApiTreeModel::KindRole).toInt() != int(ApiTreeModel::Kind::MessageGroup))
                continue;
            for (int m = 0; m < m_apiModel->rowCount(group); ++m) {
                const QModelIndex candidate = m_apiModel->index(m, 0, group);
                if (candidate.data(ApiTreeModel::IdRole).toString() == id) {
                    target = candidate;
                    break;
                }
            }
        }
    }
    if (!target.isValid())
        target = m_apiModel->find(kind, id);
    if (!target.isValid())
        return;
    m_tree->setCurrentIndex(target);
    m_tree->scrollTo(target);
}

void MainWindow::handleDiagnosticActivated(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    // A problem of a node the Design form edits goes to its field; others to the line.
    const QString file = index.data(DiagnosticListModel::FileRole).toString();
    const QString pointer = index.data(DiagnosticListModel::PointerRole).toString();
    if (!pointer.isEmpty() && m_apiForm->editor()
        && QFileInfo(sourcePath(file)).absoluteFilePath()
            == QFileInfo(m_apiForm->editor()->path()).absoluteFilePath()) {
        QWidget *before = m_rightTabs->currentWidget();
        m_rightTabs->setCurrentWidget(m_apiForm);
        if (m_apiForm->focusField(pointer))
            return;
        m_rightTabs->setCurrentWidget(before);
    }
    showSource(file, index.data(DiagnosticListModel::LineRole).toInt(),
               index.data(DiagnosticListModel::ColumnRole).toInt());
    m_sourceStack->currentWidget()->setFocus();
    if (m_sourceStack->currentWidget() == m_sourcePane)
        m_sourcePane->editor()->setFocus();
}

QString MainWindow::sourcePath(const QString &file) const
{
    // Diagnostics name the opened document as it was given (relative to this
    // process's working directory, like the files it refers to) or not at all.
    return file.isEmpty() ? m_currentFile : file;
}

void MainWindow::showSource(const QString &file, int line, int column)
{
    // The read-only view reads the file in the background and moves to line:column
    // once the text is there; a failure shows in the view and in the status bar.
    m_rightTabs->setCurrentWidget(m_sourceStack);
    const bool editing = showSourceFile(sourcePath(file));
    if (line <= 0)
        return;
    if (editing)
        m_sourcePane->editor()->goTo(line, column);
    else
        m_source->goTo(line, column);
}

QWidget *MainWindow::sourceTab() const
{
    return m_sourceStack;
}

bool MainWindow::showSourceFile(const QString &path)
{
    DocumentEditor *editor
        = path.isEmpty() ? nullptr : m_editors.value(QFileInfo(path).absoluteFilePath());
    int file = 0;
    // a file the document's $refs reach is edited with it, on its own tab
    if (!editor && !path.isEmpty() && currentEditor()) {
        file = currentEditor()->fileIndex(path);
        editor = file > 0 ? currentEditor() : nullptr;
    }
    if (editor) {
        m_sourcePane->editor()->setEditor(editor);
        m_sourcePane->editor()->setFile(qMax(file, 0));
        m_sourceStack->setCurrentWidget(m_sourcePane);
        handleSourceShown(editor->path());
        return true;
    }
    m_sourceStack->setCurrentWidget(m_source);
    if (!path.isEmpty())
        m_source->showFile(path);
    return false;
}

bool MainWindow::showSourceEditor()
{
    if (!currentEditor())
        return false;
    if (m_rightTabs->currentWidget() != m_sourceStack
        || m_sourceStack->currentWidget() != m_sourcePane
        || m_sourcePane->editor()->editor() != currentEditor()) {
        showSourceFile(m_currentFile);
        m_rightTabs->setCurrentWidget(m_sourceStack);
    }
    m_sourcePane->editor()->setFocus();
    return true;
}

void MainWindow::goToLine()
{
    SourceEditor *editor = m_sourcePane->editor();
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Go to Line"));
    dialog->setLabelText(tr("Line (1 to %1):").arg(editor->lines()));
    dialog->setInputMode(QInputDialog::IntInput);
    dialog->setIntRange(1, qMax(1, editor->lines()));
    dialog->setIntValue(editor->currentLine());
    connect(dialog, &QInputDialog::intValueSelected, editor, [editor](int line) {
        editor->goTo(line, 1);
        editor->setFocus();
    });
    dialog->open();
}

void MainWindow::renameComponent()
{
    SourceEditor *editor = m_sourcePane->editor();
    const QString pointer = editor->componentAt(editor->currentOffset());
    if (pointer.isEmpty() || !editor->editor()) {
        statusBar()->showMessage(tr("No component at the cursor: put it on a component's key, "
                                    "inside one, or on a $ref to one"),
                                 5000);
        return;
    }
    QStringList tokens;
    SourceText::splitPointer(pointer, &tokens);
    if (const int file = editor->file(); file != 0) {
        // a definition at the top of another file of the document
        const QString name = QFileInfo(editor->editor()->filePath(file)).fileName();
        auto *dialog = new QInputDialog(this);
        dialog->setObjectName(QStringLiteral("renameComponentDialog"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Rename"));
        dialog->setLabelText(
            tr("New name of %1 in %2 (every $ref to it follows):").arg(tokens.value(0), name));
        dialog->setTextValue(tokens.value(0));
        QPointer<DocumentEditor> document = editor->editor();
        connect(
            dialog, &QInputDialog::textValueSelected, this,
            [this, document, file, pointer](const QString &newKey) {
                QString error;
                if (document && document->renameKeyIn({file, pointer}, newKey.trimmed(), &error))
                    statusBar()->showMessage(tr("Renamed to %1").arg(newKey.trimmed()), 5000);
                else if (document)
                    statusBar()->showMessage(error, 10000);
            });
        dialog->open();
        return;
    }
    const QString kind = DocumentEditor::componentKind(pointer);
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("renameComponentDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Rename Component"));
    dialog->setLabelText(
        tr("New name of %1 %2 (every $ref to it follows):").arg(kind, tokens.value(2)));
    dialog->setTextValue(tokens.value(2));
    QPointer<DocumentEditor> document = editor->editor();
    connect(dialog, &QInputDialog::textValueSelected, this,
            [this, document, pointer, kind](const QString &newKey) {
                if (!document)
                    return;
                QString error;
                if (document->renameComponent(pointer, newKey.trimmed(), &error))
                    statusBar()->showMessage(tr("Renamed %1 to %2").arg(kind, newKey.trimmed()),
                                             5000);
                else
                    statusBar()->showMessage(error, 10000);
            });
    dialog->open();
}

void MainWindow::handleReferenceActivated(const QString &file, const QString &pointer)
{
    // A file being edited here opens in the editor at the node; any other file in
    // the read-only view, at the line of the node once it has been read.
    if (showSourceFile(file)) {
        m_rightTabs->setCurrentWidget(m_sourceStack);
        if (!pointer.isEmpty() && !m_sourcePane->editor()->goToPointer(pointer))
            statusBar()->showMessage(tr("%1 has no %2").arg(QFileInfo(file).fileName(), pointer),
                                     5000);
        return;
    }
    m_rightTabs->setCurrentWidget(m_sourceStack);
    if (pointer.isEmpty())
        return;
    // where the node is: read off the GUI thread, like the view's text
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, file, pointer] {
        QFile in(file);
        int line = 0;
        if (in.size() <= SourceView::MaxFileSize && in.open(QIODevice::ReadOnly)) {
            const QByteArray text = in.readAll();
            const qsizetype at = SourceText(text).nodeStart(pointer);
            if (at >= 0)
                line = int(text.left(at).count('\n')) + 1;
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, file, pointer, line] {
                if (!self)
                    return;
                if (line > 0)
                    self->m_source->goTo(line, 1);
                else
                    self->statusBar()->showMessage(
                        tr("%1 has no %2").arg(QFileInfo(file).fileName(), pointer), 5000);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::handleSourceShown(const QString &path)
{
    // A file the document refers to is named on the tab, so it is not taken for
    // the document itself.
    const int tab = m_rightTabs->indexOf(m_sourceStack);
    const bool document = path.isEmpty() || path == m_currentFile;
    m_rightTabs->setTabText(
        tab, document ? tr("Source") : tr("Source: %1").arg(QFileInfo(path).fileName()));
    m_rightTabs->setTabToolTip(tab, path.isEmpty() ? QString() : QDir::toNativeSeparators(path));
}

void MainWindow::handleSourceFailed(const QString &path, const QString &error)
{
    Q_UNUSED(path)
    statusBar()->showMessage(error, 5000);
}

void MainWindow::handleRightTabChanged(int index)
{
    // While the first document is still being read, its text can already be shown.
    const QString file = m_currentFile.isEmpty() ? m_loadingFile : m_currentFile;
    if (m_rightTabs->widget(index) != m_sourceStack || file.isEmpty())
        return;
    if (file == m_currentFile && currentEditor()) {
        // the editor, unless the tab shows another file on purpose
        const QString shown
            = m_source->isLoading() ? m_source->loadingFileName() : m_source->fileName();
        if (m_sourceStack->currentWidget() == m_sourcePane || shown.isEmpty() || shown == file)
            showSourceFile(file);
        return;
    }
    if (m_source->fileName().isEmpty() && !m_source->isLoading()) {
        m_sourceStack->setCurrentWidget(m_source);
        m_source->showFile(file);
    }
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = RecentFiles().files();
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    int number = 1;
    for (const QString &file : files) {
        const QString text = number <= 9 ? tr("&%1  %2").arg(number).arg(QFileInfo(file).fileName())
                                         : QFileInfo(file).fileName();
        QAction *action = m_recentMenu->addAction(text, this, [this, file] { openFile(file); });
        action->setData(file);
        action->setToolTip(QDir::toNativeSeparators(file));
        action->setStatusTip(QDir::toNativeSeparators(file));
        ++number;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("&Clear Menu"), this, [] { RecentFiles().clear(); });
}

void MainWindow::handleAboutTriggered()
{
    QMessageBox::about(
        this, tr("About Gatehouse"),
        tr("<h3>Gatehouse %1</h3>"
           "<p>A desktop studio for WebSocket APIs described in AsyncAPI: design an API, "
           "run it behind a local gateway, talk to it and watch its traffic.</p>"
           "<p>Built with Qt %2. Licensed under the GNU General Public License, "
           "version 3 or later.</p>")
            .arg(QCoreApplication::applicationVersion().isEmpty()
                     ? QStringLiteral(GATEHOUSE_VERSION)
                     : QCoreApplication::applicationVersion(),
                 QString::fromLatin1(qVersion())));
}

// ---- the topic editor ----------------------------------------------------------

DocumentEditor *MainWindow::currentEditor() const
{
    if (m_currentFile.isEmpty())
        return nullptr;
    return m_editors.value(QFileInfo(m_currentFile).absoluteFilePath());
}

void MainWindow::attachEditor(const LoadedApi &result)
{
    if (!m_undoGroup)
        return;
    const QString key = QFileInfo(result.path).absoluteFilePath();
    DocumentEditor *editor = m_editors.value(key);
    // An editor keeps its history unless the file now says something else and
    // there is nothing unsaved to lose (a reload after another program's change).
    if (editor && !editor->isModified() && !result.text.isNull() && result.text != editor->text()) {
        m_editors.remove(key);
        delete editor;
        editor = nullptr;
    }
    if (!editor && !result.text.isNull() && QFileInfo(result.path).isFile()) {
        editor = new DocumentEditor(result.path, result.text, this);
        m_editors.insert(key, editor);
        m_undoGroup->addStack(editor->undoStack());
        connect(editor, &DocumentEditor::modificationChanged, this, &MainWindow::updateEditorState);
        // the Problems list follows the text as it is edited
        connect(editor, &DocumentEditor::modelRead, this, [this, editor](const LoadedApi &read) {
            if (editor == currentEditor()) {
                showProblems(read.diagnostics);
                // the tree and the overview follow the text as it is edited
                if (read.api) {
                    followEditedApi(read.api);
                    m_overview->setApi(read.api);
                }
            }
        });
        connect(editor, &DocumentEditor::saveFailed, this, [this](const QString &error) {
            statusBar()->showMessage(error, 15000);
            continueAfterSaving(false);
        });
        connect(editor, &DocumentEditor::reloadFailed, this,
                [this](const QString &error) { statusBar()->showMessage(error, 15000); });
        connect(editor, &DocumentEditor::savedAs, this,
                [this](const QString &previous, const QString &path) {
                    statusBar()->showMessage(tr("Saved as %1").arg(QDir::toNativeSeparators(path)),
                                             5000);
                    moveDocument(previous, path);
                });
        connect(editor, &DocumentEditor::saved, this, [this, editor](const QString &path) {
            statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
            if (m_afterSaving) {
                continueAfterSaving(true); // closing: no need to read it again
                return;
            }
            if (editor == currentEditor())
                openFile(path); // the tree, the details and the source follow
        });
        connect(editor, &DocumentEditor::changedOnDisk, this, [this, editor](const QString &path) {
            auto *box = new QMessageBox(
                QMessageBox::Question, tr("File Changed"),
                tr("%1 was changed by another program, and it has unsaved edits here. "
                   "Reload it from the disk (your edits can be undone back)?")
                    .arg(QDir::toNativeSeparators(path)),
                QMessageBox::Yes | QMessageBox::No, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            connect(box, &QMessageBox::finished, editor, [editor, path](int answer) {
                if (answer == QMessageBox::Yes)
                    editor->reloadFromDisk(path);
            });
            box->open();
        });
        connect(editor, &DocumentEditor::otherFileRecovered, this, [this](const QString &path) {
            statusBar()->showMessage(
                tr("Unsaved edits of %1 from a session that did not end normally are back "
                   "(Edit > Undo takes them away)")
                    .arg(QDir::toNativeSeparators(path)),
                10000);
        });
        // Edits of a session that ended without saving them are offered back.
        connect(editor, &DocumentEditor::recoveryFound, this,
                [this, editor](const QByteArray &text) {
                    auto *box = new QMessageBox(
                        QMessageBox::Question, tr("Recover Unsaved Edits"),
                        tr("%1 has unsaved edits from a session that did not end normally. "
                           "Restore them?")
                            .arg(QDir::toNativeSeparators(editor->path())),
                        QMessageBox::Yes | QMessageBox::Discard, this);
                    box->setAttribute(Qt::WA_DeleteOnClose);
                    connect(box, &QMessageBox::finished, editor, [editor, text](int answer) {
                        if (answer == QMessageBox::Yes)
                            editor->apply(TextChange {0, editor->text().size(), text},
                                          tr("Restore recovered edits"));
                        else
                            DocumentEditor::discardRecovery(editor->path());
                    });
                    box->open();
                });
        editor->lookForRecovery();
    }
    if (result.path == m_currentFile || key == QFileInfo(m_currentFile).absoluteFilePath()) {
        m_apiForm->setEditor(editor);
        if (editor)
            m_undoGroup->setActiveStack(editor->undoStack());
        if (m_sourceStack->currentWidget() == m_sourcePane || m_sourcePane->editor()->editor())
            m_sourcePane->editor()->setEditor(editor);
    }
    updateEditorState();
}

QStringList MainWindow::tabNames() const
{
    QStringList names;
    for (int i = 0; i < m_rightTabs->count(); ++i) {
        QString title = m_rightTabs->tabText(i);
        title.remove(u'&');
        QString name = title.section(u' ', 0, 0).toLower();
        if (name == u"message")
            name = QStringLiteral("log"); // "Message Log"
        names.append(name);
    }
    return names;
}

bool MainWindow::showTab(const QString &name)
{
    const int index = int(tabNames().indexOf(name.toLower()));
    if (index < 0)
        return false;
    m_rightTabs->setCurrentIndex(index);
    m_tabChosen = true; // the next run does not move to Connections
    if (m_openDocuments.isEmpty() && !m_apiModel->api())
        m_startTab = m_rightTabs->widget(index); // nor does the first document's loading
    return true;
}

void MainWindow::updateEditorState()
{
    DocumentEditor *editor = currentEditor();
    const bool modified = editor && editor->isModified();
    m_saveAction->setEnabled(modified);
    for (QAction *action : std::as_const(m_saveAsActions))
        action->setEnabled(!m_currentFile.isEmpty());
    for (QAction *action : std::as_const(m_sourceActions))
        action->setEnabled(editor != nullptr);
    const int tab = m_rightTabs->indexOf(m_apiForm);
    if (tab >= 0)
        m_rightTabs->setTabText(tab, modified ? tr("Design *") : tr("Design"));
    setWindowModified(modified);
    if (!m_currentFile.isEmpty())
        setWindowTitle(
            tr("%1%2 — Gatehouse").arg(displayName(m_currentFile), modified ? u"*"_qs : QString()));
}

bool MainWindow::saveCurrentDocument()
{
    DocumentEditor *editor = currentEditor();
    if (!editor)
        return false;
    if (m_apiForm->editor() == editor)
        m_apiForm->commitPending();
    // written off the GUI thread; `saved` or `saveFailed` follow
    editor->startSave();
    statusBar()->showMessage(tr("Saving %1…").arg(QDir::toNativeSeparators(editor->path())));
    return true;
}

MainWindow::Settling MainWindow::settleUnsavedEdits(DocumentEditor *only,
                                                    std::function<void()> then)
{
    if (m_afterSaving) {
        statusBar()->showMessage(tr("Still saving…"), 5000);
        return Settling::Cancelled; // what asked first goes on once saved
    }
    QList<DocumentEditor *> unsaved;
    for (DocumentEditor *editor : std::as_const(m_editors))
        if (editor->isModified() && (!only || editor == only))
            unsaved.append(editor);
    if (unsaved.isEmpty())
        return Settling::Settled;
    QStringList names;
    for (DocumentEditor *editor : unsaved)
        names.append(QFileInfo(editor->path()).fileName());
    const auto answer = unsaved.size() == 1
        ? QMessageBox::question(this, tr("Unsaved Edits"),
                                (only ? tr("%1 has unsaved edits. Save them before closing it?")
                                      : tr("%1 has unsaved edits. Save them before quitting?"))
                                    .arg(names.constFirst()),
                                QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                QMessageBox::Save)
        : QMessageBox::question(
            this, tr("Unsaved Edits"),
            tr("These documents have unsaved edits: %1. Save them before quitting?")
                .arg(names.join(u", "_qs)),
            QMessageBox::SaveAll | QMessageBox::Discard | QMessageBox::Cancel,
            QMessageBox::SaveAll);
    if (answer == QMessageBox::Cancel || answer == QMessageBox::NoButton)
        return Settling::Cancelled;
    if (answer == QMessageBox::Discard) {
        for (DocumentEditor *editor : unsaved)
            editor->undoStack()->setClean(); // forgets the recovery file too
        return Settling::Settled;
    }
    // written off the GUI thread; the window stays usable meanwhile
    m_afterSaving = std::move(then);
    for (DocumentEditor *editor : unsaved) {
        if (m_apiForm->editor() == editor)
            m_apiForm->commitPending();
        editor->startSave();
    }
    statusBar()->showMessage(
        unsaved.size() == 1
            ? tr("Saving %1…").arg(QDir::toNativeSeparators(unsaved.constFirst()->path()))
            : tr("Saving %n document(s)…", nullptr, int(unsaved.size())));
    return Settling::Saving;
}

void MainWindow::continueAfterSaving(bool ok)
{
    if (!m_afterSaving)
        return;
    if (!ok) {
        m_afterSaving = nullptr; // the edits stay, the window too; the error is shown
        return;
    }
    for (DocumentEditor *editor : std::as_const(m_editors))
        if (editor->isSaving())
            return; // the last one goes on
    std::exchange(m_afterSaving, nullptr)();
}

void MainWindow::forgetEditor(DocumentEditor *editor)
{
    m_editors.remove(m_editors.key(editor));
    if (m_apiForm->editor() == editor)
        m_apiForm->setEditor(nullptr);
    if (m_sourcePane->editor()->editor() == editor)
        m_sourcePane->editor()->setEditor(nullptr);
    delete editor;
}

void MainWindow::askSaveAs(std::optional<AsyncApiWriter::TargetVersion> version)
{
    if (m_currentFile.isEmpty())
        return;
    QSettings settings;
    QString dir = settings.value(lastDirKey).toString();
    const QFileInfo current(m_currentFile);
    if (m_currentFile != samplePath())
        dir = current.absolutePath();
    else if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QDir::homePath();
    const QString yaml = tr("AsyncAPI YAML (*.yaml *.yml)");
    const QString json = tr("AsyncAPI JSON (*.json)");
    const bool isJson = current.suffix().compare(u"json", Qt::CaseInsensitive) == 0;
    QString suggested = current.completeBaseName();
    if (version)
        suggested += *version == AsyncApiWriter::TargetVersion::V3_0 ? u"-3.0"_qs : u"-2.6"_qs;
    suggested += isJson ? u".json"_qs : u".yaml"_qs;
    QString filter = isJson ? json : yaml;
    QString path = QFileDialog::getSaveFileName(this, version ? tr("Save a Copy") : tr("Save As"),
                                                QDir(dir).filePath(suggested),
                                                yaml + u";;"_qs + json, &filter);
    if (path.isEmpty())
        return;
    // the filter chosen says the syntax when the name does not
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == json ? u".json"_qs : u".yaml"_qs;
    settings.setValue(lastDirKey, QFileInfo(path).absolutePath());
    if (version)
        saveCopyAs(*version, path);
    else
        saveCurrentDocumentAs(path);
}

void MainWindow::saveCurrentDocumentAs(const QString &path)
{
    if (m_currentFile.isEmpty() || path.isEmpty())
        return;
    const DocumentEditor *editor = currentEditor();
    const QDir from = QFileInfo(m_currentFile).absoluteDir();
    if (!editor || editor->fileCount() < 2 || QFileInfo(path).absoluteDir() == from) {
        writeCurrentDocumentAs(path);
        return;
    }
    // its $refs name the other files relative to its folder
    QStringList others;
    for (int file = 1; file < editor->fileCount(); ++file)
        others.append(QDir::toNativeSeparators(from.relativeFilePath(editor->filePath(file))));
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Save As"),
        tr("%1 names %2 by paths relative to its folder. Saved in %3, it would name files "
           "that are not there, and would not read until they are copied beside it (they "
           "stay where they are). Save it there anyway?")
            .arg(displayName(m_currentFile), others.join(u", "_qs),
                 QDir::toNativeSeparators(QFileInfo(path).absolutePath())),
        QMessageBox::Save | QMessageBox::Cancel, this);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, path, current = m_currentFile](int answer) {
        if (answer == QMessageBox::Save && m_currentFile == current)
            writeCurrentDocumentAs(path);
    });
    box->open();
}

void MainWindow::writeCurrentDocumentAs(const QString &path)
{
    const QString previous = m_currentFile;
    DocumentEditor *editor = currentEditor();
    const QString target = QFileInfo(path).absoluteFilePath();
    if (editor && target == QFileInfo(previous).absoluteFilePath()) {
        saveCurrentDocument();
        return;
    }
    if (DocumentEditor *other = m_editors.value(target); other && other->isModified()) {
        statusBar()->showMessage(
            tr("Not saved: %1 is open here with unsaved edits").arg(QDir::toNativeSeparators(path)),
            15000);
        return;
    }
    // the sample, or a file this window does not edit: read by the writer, off the
    // GUI thread
    const QByteArray text = editor ? editor->text() : QByteArray();
    const bool sameSyntax = editor
        && AsyncApiConverter::formatOf(text)
            == AsyncApiConverter::formatForPath(path, AsyncApiConverter::formatOf(text));
    if (editor && sameSyntax) {
        // the same text in another file: the editor, its history too, moves there
        // once it is written (off the GUI thread); a failure keeps the edits here
        editor->startSaveAs(path);
        return;
    }
    DocumentWriter::Request request {text, previous, path, std::nullopt};
    request.readSource = !editor;
    m_writer->write(request, [this, previous, path, text](bool written, const QString &message) {
        statusBar()->showMessage(message, written ? 5000 : 15000);
        if (!written)
            return;
        // Edits made while it was converted are not in the new file:
        // the old document stays open with them, beside the new one.
        const DocumentEditor *now = m_editors.value(QFileInfo(previous).absoluteFilePath());
        if (now && now->text() != text) {
            statusBar()->showMessage(
                tr("Saved as %1; the edits made since stay unsaved in %2")
                    .arg(QDir::toNativeSeparators(path), displayName(previous)),
                15000);
            openFile(path);
            return;
        }
        moveDocument(previous, path);
    });
}

void MainWindow::moveDocument(const QString &previous, const QString &path)
{
    const auto keyOf = [](const QString &file) {
        return file == samplePath() ? file : QFileInfo(file).absoluteFilePath();
    };
    const QString from = keyOf(previous);
    const QString to = keyOf(path);
    if (DocumentEditor *editor = m_editors.value(from)) {
        if (keyOf(editor->path()) == to) {
            m_editors.remove(from);
            if (DocumentEditor *old = m_editors.value(to); old && old != editor)
                forgetEditor(old);
            m_editors.insert(to, editor);
        } else {
            // its text went to the new file in another syntax; the old file keeps what
            // was saved there
            editor->undoStack()->setClean();
            forgetEditor(editor);
        }
    }
    m_openDocuments.removeAll(to);
    const qsizetype at = m_openDocuments.indexOf(from);
    if (at >= 0)
        m_openDocuments[at] = to;
    else
        m_openDocuments.append(to);
    RecentFiles().add(path);
    if (m_currentFile == previous)
        m_currentFile = path;
    if (m_runtime->isActive() && m_runtime->files().contains(previous))
        m_output->appendLines({tr("the gateway keeps serving %1 until it is stopped; Run then "
                                  "serves %2")
                                   .arg(displayName(previous), displayName(path))});
    rebuildDocumentList();
    saveWorkspace();
    updateEditorState();
    openFile(path); // the tree, the details, the title and the source follow
}

DocumentWriter::Request MainWindow::currentTextRequest(const QString &path) const
{
    DocumentWriter::Request request;
    request.sourceFile = m_currentFile;
    request.path = path;
    if (DocumentEditor *editor = currentEditor())
        request.text = editor->text(); // unsaved edits included
    else
        request.readSource = true; // read by the writer, off the GUI thread
    return request;
}

void MainWindow::saveCopyAs(AsyncApiWriter::TargetVersion version, const QString &path)
{
    if (m_currentFile.isEmpty() || path.isEmpty())
        return;
    statusBar()->showMessage(tr("Converting %1\u2026").arg(displayName(m_currentFile)));
    DocumentWriter::Request request = currentTextRequest(path);
    request.version = version;
    m_writer->write(request, [this, path](bool written, const QString &message) {
        statusBar()->showMessage(message, written ? 5000 : 15000);
        Q_EMIT copySaved(path, written);
    });
}

void MainWindow::askExportForWso2()
{
    if (m_currentFile.isEmpty())
        return;
    QSettings settings;
    const QFileInfo current(m_currentFile);
    QString dir = m_currentFile != samplePath() ? current.absolutePath()
                                                : settings.value(lastDirKey).toString();
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QDir::homePath();
    const QString yaml = tr("AsyncAPI YAML (*.yaml *.yml)");
    const QString json = tr("AsyncAPI JSON (*.json)");
    QString filter = yaml;
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export for WSO2 API Manager"),
        QDir(dir).filePath(current.completeBaseName() + u"-wso2.yaml"_qs), yaml + u";;"_qs + json,
        &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == json ? u".json"_qs : u".yaml"_qs;
    settings.setValue(lastDirKey, QFileInfo(path).absolutePath());
    exportForWso2(path);
}

void MainWindow::exportForWso2(const QString &path)
{
    if (m_currentFile.isEmpty() || path.isEmpty())
        return;
    statusBar()->showMessage(
        tr("Exporting %1 for WSO2 API Manager\u2026").arg(displayName(m_currentFile)));
    DocumentWriter::Request request = currentTextRequest(path);
    request.forWso2 = true;
    m_writer->write(request, [this, path](bool written, const QString &message) {
        statusBar()->showMessage(message, written ? 5000 : 15000);
        Q_EMIT copySaved(path, written);
    });
}

} // namespace Gatehouse
