// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "apiloader.h"
#include "apitreemodel.h"
#include "asyncapi/asyncapiwriter.h"
#include "client/clientoptions.h"
#include "editor/documentwriter.h"
#include "runtime/gatewayruntime.h"

#include <QHash>
#include <QMainWindow>
#include <QMap>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QUndoGroup;
class QTextBrowser;
class QStandardItemModel;
class QThread;
class QTimer;
class QTreeView;
class QUrl;

namespace Gatehouse {

class ApiForm;
class DocumentEditor;

class ApiTreeModel;
class ApplicationsView;
class ClientTab;
class SavedMessages;
namespace Analytics {
class MessageLogStore;
}
namespace Client {
class ClientCookieJar;
}
namespace Credentials {
class CredentialService;
class SecretStore;
} // namespace Credentials
class ConnectionListModel;
class ConnectionsView;
class AlertCenter;
class DashboardView;
class CommandPalette;
class MessageLogView;
class NewApiWizard;
class OverviewDiagram;
class DiagnosticListModel;
class GatewayOutputView;
class RuntimeHost;
class SourcePane;
class SourceView;

// The Gatehouse main window: opens an AsyncAPI document (File > Open, recent files,
// drag and drop, command line or the built-in sample), shows the API in a tree
// with a details pane, and lists the document's problems with a source view that
// shows where each one points.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // The built-in Chats sample.
    static QString samplePath();

    // Loads `path` in the background; documentLoaded() tells when it is shown.
    void openFile(const QString &path);
    void openSample();
    // File > New API: opens the wizard (window-modal); the document it writes is
    // opened when it is accepted.
    NewApiWizard *showNewApiWizard();
    // View > Command Palette (Ctrl+Shift+P): finds any action and any channel,
    // operation, message, server or security scheme of the open API by name.
    CommandPalette *showCommandPalette();
    // Shows `api`, read from the text being edited, in the tree, keeping what was
    // expanded and selected.
    void followEditedApi(std::shared_ptr<const Api> api);
    // Selects an item of the API in the tree (its details show); a channel opens in
    // the Design tab too when `inForm` and the document is edited here.
    void revealApiItem(ApiTreeModel::Kind kind, const QString &id, bool inForm);
    // Opens `path` and runs it as soon as it is loaded (gatehouse --run).
    void openAndRun(const QString &path);
    // Shows the main tab named `name` (its title's first word, any case: "dashboard",
    // "log", "connections", ...; gatehouse --show), and keeps it when the next run
    // starts (a run shows Connections otherwise); false when there is none.
    bool showTab(const QString &name);
    // The main tabs' names showTab() takes.
    QStringList tabNames() const;
    // The documents that were open when the window last closed (the current one
    // first) and puts them back in the document list; the caller opens the first.
    QStringList restoreWorkspace();
    // The open documents, in the order of the toolbar's document list.
    QStringList openDocuments() const { return m_openDocuments; }
    QComboBox *documentList() const { return m_documents; }
    // The workspace sidebar: a row per open document (its channels below it), then
    // Connections and Applications & Keys.
    QTreeView *workspaceTree() const { return m_workspace; }
    // Asks Save / Discard / Cancel first when the document has unsaved edits.
    void closeCurrentDocument();
    // File > Save As: writes the current document (its unsaved edits too) to `path`,
    // YAML or JSON by the extension, and edits it there; the old file stays as saved.
    // Another syntax is the same document, after the user confirmed what does not
    // carry over (comments). documentLoaded(path) follows when the window shows it.
    // A document whose $refs reach other files, saved in another folder, is written
    // only after the user confirmed that its relative $refs would name files that are
    // not there (the other files stay where they are).
    void saveCurrentDocumentAs(const QString &path);
    // File > Save a Copy as AsyncAPI 2.6 / 3.0: converts the current text, lists what
    // does not carry over for the user to confirm, writes `path`; the window keeps
    // editing the current document. copySaved() follows.
    void saveCopyAs(AsyncApiWriter::TargetVersion version, const QString &path);
    // File > Export for WSO2 API Manager: writes the current text as the definition
    // WSO2 imports (Wso2Export) after the user confirmed what it leaves out, as
    // saveCopyAs() does; copySaved() follows.
    void exportForWso2(const QString &path);
    // Writes the copies and Save As conversions, and asks about them.
    DocumentWriter *documentWriter() const { return m_writer; }
    QString currentFile() const { return m_currentFile; }
    bool isLoading() const;

    ApiTreeModel *apiModel() const { return m_apiModel; }
    QTreeView *apiTree() const { return m_tree; }
    QTextBrowser *detailsView() const { return m_details; }
    DiagnosticListModel *diagnosticsModel() const { return m_diagnosticsModel; }
    QTreeView *diagnosticsView() const { return m_diagnosticsView; }
    QDockWidget *problemsDock() const { return m_problemsDock; }
    // The Source tab: the source editor for a document being edited here, the
    // read-only view for anything else (a file a document refers to, a sample).
    QWidget *sourceTab() const;
    SourceView *sourceView() const { return m_source; }
    SourcePane *sourcePane() const { return m_sourcePane; }
    OverviewDiagram *overview() const { return m_overview; }
    QMenu *recentFilesMenu() const { return m_recentMenu; }
    RuntimeHost *runtime() const { return m_runtime; }
    // What Run starts the gateway with (the document's mock aside).
    GatewayRuntime::Settings runSettings() const;
    QAction *runAction() const { return m_runAction; }
    QAction *stopAction() const { return m_stopAction; }
    QDockWidget *outputDock() const { return m_outputDock; }
    GatewayOutputView *outputView() const { return m_output; }
    ConnectionListModel *connectionsModel() const { return m_connectionsModel; }
    ConnectionsView *connectionsView() const { return m_connectionsView; }
    DashboardView *dashboardView() const { return m_dashboard; }
    MessageLogView *messageLogView() const { return m_messageLog; }
    ApplicationsView *applicationsView() const { return m_applicationsView; }
    Credentials::CredentialService *credentials() const { return m_credentials; }
    // Puts a ready wscat command for `channel` (an address of the open API) on the
    // clipboard, with the secret of `credentialId` (read from the keychain in the
    // background; never shown or logged) where the API expects it; no credential for
    // an empty id. Tells in the status bar when it is there.
    void copyWscatCommand(const QString &channel, const QString &credentialId);
    // Opens a client tab connected to a channel of the running gateway, with the
    // credential's secret where the channel expects it (read from the keychain first).
    void openClientTabFor(const QString &channel, const QString &credentialId);
    // A client tab in the main tabs, or `beside` them (the side shows when it has one).
    ClientTab *addClientTab(const Client::ClientOptions &options = {}, bool beside = false);
    // Moves a client tab between the main tabs and the side.
    void moveClientTab(ClientTab *tab);
    QTabWidget *tabWidgetOf(ClientTab *tab) const;
    ClientTab *currentClientTab() const;
    QList<ClientTab *> clientTabs() const;
    void closeClientTab(ClientTab *tab);
    void saveClientTabs() const;
    // Writes the client tabs as a scenario file; the error, or empty.
    QString saveScenario(const QString &path);
    // Runs a scenario file in the background; results go to the output dock.
    void runScenario(const QString &path);
    // The scenario files saved or run for an API (by title), the newest first.
    static QStringList scenariosOf(const QString &apiTitle);
    void setChannelContext(ClientTab *tab, const Api &api, const Channel &channel);
    // Restored client tabs of the open API's channels get their checks and examples back.
    void attachChannelContexts();
    // Where client tabs write what they see when asked to (the app's message log).
    static QString messageLogPath();
    // Client tabs keep their history over a restart (Client > Keep Tab History).
    bool keepsClientHistory() const;
    void setKeepClientHistory(bool keep);
    // The run state as the toolbar shows it, e.g. "Running on ws://127.0.0.1:9099".
    QString runStateText() const;
    // The text shown instead of the tree when there is no API to show.
    QString emptyStateText() const;

Q_SIGNALS:
    void documentLoaded(const QString &path, bool ok);
    // Save a Copy ended: written or not (cancelled, or the reason in the status bar).
    void copySaved(const QString &path, bool written);
    // A scenario run ended (or could not start): its summary line.
    void scenarioFinished(const QString &summary);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void attachEditor(const LoadedApi &result);
    DocumentEditor *currentEditor() const;
    // A writer's request for the current document's text to `path`: the editor's,
    // unsaved edits included, else the file's (read by the writer off the GUI thread).
    DocumentWriter::Request currentTextRequest(const QString &path) const;
    // Shows `path` in the Source tab (the editor when it is being edited here);
    // true when that is the editor.
    bool showSourceFile(const QString &path);
    // The current document's source in the editor, on its tab; false when it is
    // not being edited here.
    bool showSourceEditor();
    void showProblems(const QList<Diagnostic> &diagnostics);
    void handleReferenceActivated(const QString &file, const QString &pointer);
    void goToLine();
    // Asks for a new name of the component at the source editor's cursor and renames
    // it (DocumentEditor::renameComponent); the status bar says how it went.
    void renameComponent();
    void updateEditorState();
    bool saveCurrentDocument();
    // Asks about unsaved edits before quitting (or, for `only`, closing it). Settled:
    // nothing unsaved is left (saved before, or discarded); Cancelled; Saving: the
    // saves run off the GUI thread, and `then` runs once every one of them is done
    // (not when one fails: the edits and the window stay, the error is shown).
    enum class Settling { Settled, Cancelled, Saving };
    Settling settleUnsavedEdits(DocumentEditor *only, std::function<void()> then);
    // A save of `editor` ended: what waits for the saves asked for by
    // settleUnsavedEdits() goes on when it was the last one.
    void continueAfterSaving(bool ok);
    void askSaveAs(std::optional<AsyncApiWriter::TargetVersion> version);
    void askExportForWso2();
    // The window edits `path` instead of `previous` (after Save As).
    void moveDocument(const QString &previous, const QString &path);
    void writeCurrentDocumentAs(const QString &path);
    // Drops a document's editor, history and all (nothing unsaved is left in it).
    void forgetEditor(DocumentEditor *editor);
    void createActions();
    void createWidgets();
    void restoreSettings();
    void saveSettings() const;

    void handleOpenTriggered();
    void handleLoadStarted(const QString &path);
    void handleLoadFinished(const LoadedApi &result);
    void handleCurrentItemChanged(const QModelIndex &current);
    void handleDetailsLinkClicked(const QUrl &url);
    void handleDiagnosticActivated(const QModelIndex &index);
    void handleRightTabChanged(int index);
    void handleSourceShown(const QString &path);
    void handleSourceFailed(const QString &path, const QString &error);
    void handleAboutTriggered();
    void handleRunTriggered();
    // Runs the open API with a built-in mock of `kind` as its backend (for a document
    // that describes none); empty: as the document says.
    void runWithMock(const QString &kind);
    void editGatewaySettings();
    void handleRunStateChanged();
    void takeOutputLines();
    void updateRunActions();
    void addOpenDocument(const QString &path);
    void rebuildDocumentList();
    void rebuildWorkspace();
    void handleWorkspaceActivated(const QModelIndex &index);
    void saveWorkspace() const;
    void handleCopyWscatTriggered();
    void checkKeychain();
    struct PendingTarget
    {
        QString channel; // waiting for the secret of credentialId
        QString credentialId;
        bool forClientTab = false;
    };
    bool pickChannelAndCredential(const QString &title, const QString &okText,
                                  QString *channelAddress, QString *credentialId);
    void requestChannelTarget(const PendingTarget &target);
    void finishChannelTarget(const QString &credentialId, const QString &secret,
                             const QString &error);
    void rebuildRecentMenu();
    void rememberScenario(const QString &path) const;

    void showEmptyState(const QString &text);
    void showSource(const QString &file, int line, int column);
    QString sourcePath(const QString &file) const;
    void updateTitleAndStatus(const LoadedApi &result);
    QString displayName(const QString &path) const;

    ApiLoader *m_loader;
    ApiTreeModel *m_apiModel;
    DiagnosticListModel *m_diagnosticsModel;

    QSplitter *m_splitter = nullptr;
    QStackedWidget *m_leftStack = nullptr;
    QTreeView *m_tree = nullptr;
    QWidget *m_emptyPage = nullptr;
    QLabel *m_emptyState = nullptr;
    QTabWidget *m_rightTabs = nullptr;
    QTextBrowser *m_details = nullptr;
    SourceView *m_source = nullptr;
    SourcePane *m_sourcePane = nullptr;
    QStackedWidget *m_sourceStack = nullptr;
    QList<QAction *> m_sourceActions; // Find, Replace, Go to Line, ...: need an editor
    QDockWidget *m_problemsDock = nullptr;
    QTreeView *m_diagnosticsView = nullptr;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_statusPath = nullptr;
    QLabel *m_statusInfo = nullptr;
    QProgressBar *m_busy = nullptr;

    QAction *m_reloadAction = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_copyUrlAction = nullptr;
    QAction *m_copyWscatAction = nullptr;
    QMenu *m_runWithMockMenu = nullptr;
    QComboBox *m_documents = nullptr; // the open documents; the current one is shown
    QStringList m_openDocuments;
    QTreeView *m_workspace = nullptr;
    QStandardItemModel *m_workspaceModel = nullptr;
    QHash<QString, QStringList> m_documentChannels; // path -> channel addresses, as last read
    enum WorkspaceRole {
        WorkspacePathRole = Qt::UserRole + 1,
        WorkspaceChannelRole,
        WorkspaceViewRole
    };
    PendingTarget m_pendingTarget;
    QList<QThread *> m_scenarioRuns;
    QMultiHash<QString, QPointer<ClientTab>> m_tabsWaitingForSecret; // by credential id
    QAction *m_clientForChannelAction = nullptr;
    QTabWidget *m_sideTabs = nullptr;
    QSplitter *m_rightSplit = nullptr;
    QString m_selectedChannel; // the channel last selected in the tree or the workspace
    int m_clientTabCount = 0;
    RuntimeHost *m_runtime = nullptr;
    QLabel *m_runState = nullptr;
    QDockWidget *m_outputDock = nullptr;
    GatewayOutputView *m_output = nullptr;
    QTimer *m_outputTimer = nullptr;
    ConnectionListModel *m_connectionsModel = nullptr;
    ConnectionsView *m_connectionsView = nullptr;
    DashboardView *m_dashboard = nullptr;
    AlertCenter *m_alerts = nullptr;
    MessageLogView *m_messageLog = nullptr;
    Credentials::CredentialService *m_credentials = nullptr;
    // the client tabs' cookie jars, one per environment, in memory only
    QMap<QString, std::shared_ptr<Client::ClientCookieJar>> m_cookieJars;
    SavedMessages *m_savedMessages = nullptr;
    std::shared_ptr<Analytics::MessageLogStore> m_clientLog; // opened when a tab records
    QAction *m_keepHistoryAction = nullptr;
    // the one OS keychain store, in this thread; other threads get proxies of it
    std::shared_ptr<Credentials::SecretStore> m_keychain;
    ApplicationsView *m_applicationsView = nullptr;
    QTimer *m_listTimer = nullptr; // asks for the open connections while running
    QString m_runAfterLoad; // gatehouse --run: the file to run once loaded
    bool m_runRequested = false; // Run pressed, no state from the runtime yet
    QString m_runMockKind; // Run with Mock: the kind asked for
    bool m_closeAfterStop = false;
    std::function<void()> m_afterSaving; // settleUnsavedEdits()'s `then`, while saving
    bool m_confirmQuit = true;

public:
    // Tests close without the question about open connections.
    void setConfirmQuit(bool confirm) { m_confirmQuit = confirm; }
    QString m_currentFile;
    // The topic editor: one DocumentEditor per open document file (absolute path),
    // the form over the current one, and their histories in one group.
    QHash<QString, DocumentEditor *> m_editors;
    ApiForm *m_apiForm = nullptr;
    CommandPalette *m_palette = nullptr;
    OverviewDiagram *m_overview = nullptr;
    bool m_followingEdit = false; // the tree is being rebuilt for an edit
    QUndoGroup *m_undoGroup = nullptr;
    QAction *m_saveAction = nullptr;
    QList<QAction *> m_saveAsActions; // Save As, Save a Copy: need a document
    DocumentWriter *m_writer = nullptr;
    QString m_loadingFile;
    bool m_problemsDockSized = false;
    bool m_tabChosen = false; // showTab(): the next run keeps the tab shown
    QPointer<QWidget> m_startTab; // showTab() before the first document: kept once it loads
};

} // namespace Gatehouse
