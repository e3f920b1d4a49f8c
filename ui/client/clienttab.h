// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientoptions.h"
#include "client/clientscenario.h"
#include "client/clientscenariowriter.h"

#include <QMap>
#include <QPointer>

#include <QStringList>
#include <QWidget>
#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QThread;
class QTimer;
class QStandardItemModel;
class QTabWidget;
class QTreeView;

namespace Gatehouse {
namespace Client {
class ClientConnection;
class ClientCookieJar;
} // namespace Client
namespace Gateway {
class GatewayEventSink;
}
class ClientMessageModel;
class ClientFilterModel;
class SavedMessages;
class JsonHighlighter;

// A client tab: one WebSocket connection, as wscat gives on the command line but with
// everything kept and searchable. The URL bar connects; the handshake settings
// (headers, subprotocols, origin, messages sent on every open, reconnect, keep-alive
// pings) sit behind "Options"; the message list shows every event with its time,
// direction and size, colour by direction, JSON pretty-printed in the pane below; the
// composer sends text, JSON (checked first) or binary (hex or base64), Ctrl+Enter
// sends and Up/Down walk what was sent.
//
// The connection runs on a thread of the tab's own; the tab reads its history in
// batches, so a server flooding it does not stall the window.
class ClientTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientTab)
public:
    enum class Format { Text, Json, Hex, Base64 };

    explicit ClientTab(QWidget *parent = nullptr);
    ~ClientTab() override;

    // The connection settings shown in the tab (URL bar and options).
    Client::ClientOptions options() const;
    void setOptions(const Client::ClientOptions &options);
    // A header the tab adds without showing its value (a credential).
    void setSecretHeader(const QByteArray &name, const QByteArray &value, const QString &label);
    QString title() const;
    // Everything the tab's settings hold (URL, options, format, composer, what was sent,
    // filters) for the next start; never a secret, only which credential it was.
    QVariantMap saveState() const;
    void restoreState(const QVariantMap &state);
    QString credentialId() const { return m_secretLabel; }
    // The window's cookie jars, one per environment ("default", "staging", ...): a tab
    // sends the cookies of its environment's jar and keeps the Set-Cookie it receives
    // there, so the tabs of one environment share a session.
    struct CookieJars
    {
        std::function<std::shared_ptr<Client::ClientCookieJar>(const QString &environment)> jar;
        std::function<QStringList()> environments;
    };
    void setCookieJars(CookieJars jars) { m_cookieJars = std::move(jars); }
    QString environment() const { return m_environment; }
    void setEnvironment(const QString &environment);
    // Where "Write to the message log" writes; asked for when a connection starts.
    using MessageLogSource
        = std::function<std::shared_ptr<Gateway::GatewayEventSink>(QString *error)>;
    void setMessageLogSource(MessageLogSource source) { m_messageLog = std::move(source); }
    // Writes what the connection sees into the message log, from the next connect on.
    void setRecording(bool on) { m_recording = on; }
    bool isRecording() const { return m_recording; }

    // Saved messages: named messages of the tab's API, offered in every tab of it.
    void setSavedMessages(SavedMessages *saved);
    // The API the saved messages belong to: the channel's API title, or the server
    // (ws://host:port) of a tab opened by URL.
    QString apiKey() const;
    // Saves the composer's text and format under `name` (replacing one of that name).
    bool saveMessage(const QString &name);
    // Puts a saved message into the composer; false when there is none of that name.
    bool useSavedMessage(const QString &name);
    QStringList savedMessageNames() const;

    // The history over a restart: the newest events (at most `maxEvents` and
    // `maxBytes` of payload) as JSON Lines; the error, or empty.
    QString saveHistory(const QString &path, qsizetype maxEvents, qint64 maxBytes) const;
    // Reads a saved history back (off the window's thread) ahead of what comes next;
    // historyRestored() tells when it is in.
    void restoreHistory(const QString &path);

    // The channel the tab talks to: `check` says why a payload fits none of the
    // messages a client may send there (empty: it fits); `snippets` are ready
    // messages (the document's examples) to pick in the composer.
    using PayloadCheck = std::function<QString(const QByteArray &payload)>;
    // `incoming` does the same for what the server sends there (schema expectations).
    // `api` is the title of the channel's API.
    void setChannelContext(const QString &api, const QString &channel, PayloadCheck check,
                           const QList<QPair<QString, QString>> &snippets,
                           PayloadCheck incoming = {});
    // The channel a restored tab was opened for (its checks come back once its
    // document is open again); empty for a tab opened by URL.
    QString channel() const { return m_channel; }
    QString channelApi() const { return m_channelApi; }
    bool hasChannelContext() const { return m_channelContext; }
    QComboBox *snippetBox() const { return m_snippets; }
    QPushButton *savedMessagesButton() const { return m_savedButton; }
    QCheckBox *schemaCheckBox() const { return m_checkSchema; }

    void connectToServer();
    void disconnectFromServer(quint16 code = 1000, const QString &reason = {});
    // Sends the composer's text in its format; false with the problem shown when the
    // text does not fit it (invalid JSON, odd hex) or the tab is not connected.
    bool sendComposed();
    bool sendPing(const QByteArray &payload = {});
    // Sends a file's bytes as one binary message (read off the window's thread).
    bool sendFile(const QString &path);
    // Copies the selected events (payloads as read in the pane) to the clipboard.
    void copySelected();
    // Sends the composer's message `times` times: as fast as the connection takes them
    // (intervalMs 0, and no variables to fill in), else one every `intervalMs`.
    bool sendRepeated(int times, int intervalMs);
    void stopRepeating();
    bool isRepeating() const;
    // Opens `count` more connections like this tab's (to watch connection limits and
    // throttling start); their outcomes are counted: open, refused by status, failed.
    void openLoad(int count);
    void closeLoad();
    QString loadSummary() const;

    // Expectations on incoming messages, shown passed or failed: each waits for a
    // message that matches within its time, from when it is added or run again and
    // after every (re)connect. Kinds: "text" (the whole message), "regex", "match" (a
    // JSON pattern, e.g. {"type": "joined"}), "schema" (the channel's message schema).
    // False with the reason shown when the expectation cannot be read.
    bool addExpectation(const QString &kind, const QString &value, int withinMs);
    void runExpectationsAgain();
    // One line per expectation: "passed text \"hi\" (12 ms)", "failed ...", "waiting ...".
    QStringList expectationResults() const;
    // The tab as a connection of a scenario file: URL, headers (not the credential's),
    // what it sent and its expectations.
    Client::ClientScenarioWriter::Tab scenarioTab(const QStringList &takenNames) const;
    void setFormat(Format format);
    void setComposerText(const QString &text);
    QString statusText() const;
    bool isConnected() const;

    ClientMessageModel *messageModel() const { return m_model; }
    QSortFilterProxyModel *filteredModel() const;
    QTreeView *messageList() const { return m_list; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPlainTextEdit *composer() const { return m_composer; }
    QPlainTextEdit *detailView() const { return m_detail; }
    QCheckBox *pingsShownBox() const { return m_showPings; }
    QComboBox *directionBox() const { return m_direction; }
    // Writes the events the filter shows as JSON Lines; the error, or empty.
    QString exportJsonLines(const QString &path) const;
    // Open while the window is idle (widget tests): nothing is pending in the model.
    void refreshNow();
    // How many events the tab keeps (the oldest go first).
    void setHistoryLimit(qsizetype events);

Q_SIGNALS:
    void titleChanged(const QString &title);
    // Connecting needs the secret of this credential (a restored tab): answer with
    // setSecretHeader(), then connectToServer() again.
    void secretNeeded(const QString &credentialId);
    void stateChanged(bool connected);
    // A saved history is in (`events` of it), or could not be read (`error`).
    void historyRestored(int events, const QString &error);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override; // follows the palette, light or dark

private:
    void buildWidgets();
    void handleStateChanged();
    void handleEventsAdded();
    void showSelected();
    void updateCounters();
    void editOptions();
    void showStatus(const QString &text, bool error = false);
    void historyStep(int delta);
    std::optional<QPair<quint8, QByteArray>> composedMessage(QString *problem);
    void sendRepeatedOnce();
    void updateLoadSummary();
    void loadConnectionEnded(int status, bool opened);
    void checkExpectations(const QList<Client::ClientEvent> &received);
    void expireExpectations();
    void showExpectations();
    void editExpectation();
    Client::ClientOptions connectOptions() const; // options() with the credential
    void startRecording();
    void fillSavedMenu();

    QThread *m_thread;
    Client::ClientConnection *m_connection; // lives in m_thread
    ClientMessageModel *m_model;
    ClientFilterModel *m_filterModel;
    QTimer *m_refreshTimer;
    Client::ClientOptions m_options;
    CookieJars m_cookieJars;
    QString m_environment = QStringLiteral("default");
    bool m_useCookies = true;
    MessageLogSource m_messageLog;
    bool m_recording = false;
    QMetaObject::Connection m_recorder;
    SavedMessages *m_saved = nullptr;
    QPushButton *m_savedButton = nullptr;
    QString m_channelApi;
    bool m_channelContext = false;
    QByteArray m_secretName;
    QByteArray m_secretValue;
    QString m_secretLabel;

    QLineEdit *m_url;
    QPushButton *m_connect;
    QPushButton *m_optionsButton;
    QLabel *m_state;
    QLineEdit *m_filter;
    QComboBox *m_direction;
    QCheckBox *m_regex;
    QCheckBox *m_showPings;
    QCheckBox *m_autoscroll;
    QCheckBox *m_relative;
    QPushButton *m_clear;
    QPushButton *m_export;
    QTreeView *m_list;
    QPlainTextEdit *m_detail;
    JsonHighlighter *m_highlighter = nullptr;
    QComboBox *m_format;
    QComboBox *m_snippets;
    QCheckBox *m_checkSchema;
    PayloadCheck m_payloadCheck;
    PayloadCheck m_incomingCheck;
    QString m_channel;
    QPlainTextEdit *m_composer;
    QPushButton *m_send;
    QPushButton *m_repeat;
    QPushButton *m_sendFile;
    QPushButton *m_load;
    QList<QPointer<Client::ClientConnection>> m_loadConnections; // live in m_thread
    int m_loadRequested = 0;
    int m_loadOpen = 0;
    int m_loadFailed = 0;
    QMap<int, int> m_loadRefused; // by HTTP status
    QLabel *m_loadLabel;
    struct Expectation
    {
        QString kind;
        QString value;
        int withinMs = 2000;
        Client::ClientScenario::Expectation test; // text, regex, match
        enum class State { Waiting, Passed, Failed } state = State::Waiting;
        qint64 armedAtMs = 0;
        quint64 armedAfter = 0; // messages after this sequence count
        QString result;
    };
    QList<Expectation> m_expectations;
    QTreeView *m_expectationList = nullptr;
    QStandardItemModel *m_expectationModel = nullptr;
    QTimer *m_expectationTimer = nullptr;
    quint64 m_expectationsCheckedUpTo = 0;
    QTimer *m_repeatTimer = nullptr;
    int m_repeatLeft = 0;
    quint64 m_counter = 0; // {{counter}}
    QPushButton *m_ping;
    QPushButton *m_close;
    QLabel *m_counters;
    QLabel *m_status;

    QStringList m_sent; // what was sent from the composer, newest last
    int m_sentIndex = -1;
    qint64 m_lastRoundTripUs = -1;
    qint64 m_lastReplyUs = -1;
    quint64 m_countedUpTo = 0;
    bool m_connected = false;
    bool m_followTail = true;
};

} // namespace Gatehouse
