// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTemporaryDir;
class QTimer;
class QToolButton;
class QTableView;

namespace Gatehouse {

namespace Analytics {
struct LogFilter;
class LogIntegrityCheck;
} // namespace Analytics

class JsonHighlighter;
class MessageLogModel;
class PayloadLoggingControl;

// The message log in the window: every handshake, message and close the gateway (and
// client tabs that were asked to) logged, newest at the bottom. Filters by time,
// text (reasons, channels, applications, paths, addresses, payloads), kind, API,
// channel, application, direction, status, close code and connection (all selected
// by the reader in SQL); Follow keeps the newest rows in view as they are written and stops when
// you scroll up. The selected row reads below (JSON pretty-printed, binary as hex);
// "This Connection" shows one connection's timeline; Ctrl+C copies rows as JSON;
// Export writes what the filter selects as JSON Lines or CSV, Export HAR the selected
// row's connection as HAR. Log Payloads asks the running gateway to log the payloads
// of the selected row's channel or application for a while (PayloadLoggingControl;
// the grants in force are listed with Stop). Open Log File reads a JSON Lines log of `serve
// --log-file` (in the background, into a database of its own) to read it the same way offline; Live
// Log goes back.
class MessageLogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageLogView)
public:
    explicit MessageLogView(QWidget *parent = nullptr);
    ~MessageLogView() override;

    void setDatabase(const QString &path);
    MessageLogModel *model() const { return m_model; }
    QTableView *list() const { return m_list; }
    QLineEdit *searchEdit() const { return m_search; }
    QPlainTextEdit *detailView() const { return m_detail; }
    // Filters (also the controls' own actions).
    void setTimeRange(int seconds); // 0: all
    // Rows of [fromMs, toMs) only (a moment picked on the dashboard).
    void setTimeWindow(qint64 fromMs, qint64 toMs);
    // Rows of these kinds only (Analytics::kindNames(): "opened", "rejected",
    // "message", "dropped", "throttled", "closed"); empty: every kind.
    void setKinds(const QStringList &names);
    QStringList kinds() const; // the kinds checked
    // Every filter control set from `filter` (its time range as a chosen window,
    // unless it is open-ended), Follow off: what the dashboard asks to see.
    void showFilter(const Analytics::LogFilter &filter);
    void showConnection(quint64 connectionId); // 0: every connection
    void setFollowing(bool follow);
    // Copies the selected rows as JSON Lines.
    void copySelected();
    // Writes what the filter selects as JSON Lines (in the background);
    // exported() tells how it went.
    void exportJsonLines(const QString &path);
    void exportCsv(const QString &path);
    // Writes one connection's handshake and messages as HAR (in the background);
    // exported() tells how many messages.
    void exportHar(quint64 connectionId, const QString &path);
    // Reads a JSON Lines log (gatehouse-cli serve --log-file) in the background and
    // shows it instead of the live log; logFileOpened() tells how it went, with the
    // broken lines ("messages.jsonl:17: not JSON: ...").
    void openLogFile(const QString &path);
    // Asks for a JSON Lines log file and opens it (Open Log File…, also the window's
    // File menu).
    void chooseLogFile();
    // The colour legend under the list (what each row colour means).
    QLabel *legend() const { return m_legend; }
    // Back to the log set with setDatabase().
    void showLiveLog();
    QString logFile() const { return m_filePath; } // empty: the live log
    // Log Payloads of the selected row's channel or application (of the live log only).
    PayloadLoggingControl *payloadLogging() const { return m_logPayloads; }

Q_SIGNALS:
    void exported(qint64 rows, const QString &error);
    void logFileOpened(const QString &path, qint64 events, const QStringList &problems,
                       const QString &error);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void applyFilter();
    void showSelected();
    // Runs `job` on a worker thread; its count (of rows, or of messages) or error
    // goes to the status line and exported().
    void runExport(const QString &path, std::function<qint64(QString *error)> job,
                   bool messages = false);

    void showDatabase(const QString &path);
    void showStatus();

    QString m_path; // what the model reads: the live log or a file's database
    QString m_livePath;
    QString m_filePath; // the JSON Lines log shown, if any
    QString m_fileNote; // "2 broken lines"
    QStringList m_fileProblems;
    // the damage found in the file shown (LogIntegrity), and which file was looked at
    QString m_damage;
    QStringList m_damageDetails;
    QString m_checkedPath;
    Analytics::LogIntegrityCheck *m_integrity = nullptr;
    std::shared_ptr<QTemporaryDir> m_fileDatabase; // removed when nothing uses it
    std::shared_ptr<std::atomic<bool>> m_cancelRead;
    MessageLogModel *m_model;
    QComboBox *m_range;
    QLineEdit *m_search;
    QToolButton *m_kinds; // a menu of one checkable action per kind: one button on the
                          // filter row
    QList<QAction *> m_kindActions; // their data: the kind's name
    QLineEdit *m_api;
    QLineEdit *m_channel;
    QLineEdit *m_application;
    QComboBox *m_direction;
    QLineEdit *m_statusCode;
    QLineEdit *m_closeCode;
    QLineEdit *m_connection;
    QCheckBox *m_follow;
    QPushButton *m_exportHar;
    QPushButton *m_liveLog;
    PayloadLoggingControl *m_logPayloads;
    QTableView *m_list;
    QPlainTextEdit *m_detail;
    JsonHighlighter *m_highlighter = nullptr;
    QLabel *m_status;
    // shown when the filter selects more rows than the table shows at a time
    QWidget *m_windowBar = nullptr;
    QLabel *m_windowLabel = nullptr;
    QPushButton *m_older = nullptr;
    QPushButton *m_newer = nullptr;
    void showWindow();
    QLabel *m_legend;
    void updateLegend();
    QTimer *m_tail;
    QTimer *m_typing;
    bool m_atEnd = true;
    qint64 m_windowFromMs = 0; // the range "Chosen" of setTimeWindow()
    qint64 m_windowToMs = 0;
};

} // namespace Gatehouse
