// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/messagelogview.h"

#include "analytics/jsonlinesimport.h"
#include "analytics/logexport.h"
#include "analytics/logintegrity.h"
#include "analytics/logrecordjson.h"
#include "analytics/messagelogmodel.h"
#include "client/jsonhighlighter.h"
#include "payloadloggingcontrol.h"
#include "uibuttons.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIntValidator>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Gatehouse {

using Analytics::LogRecord;

MessageLogView::MessageLogView(QWidget *parent)
    : QWidget(parent)
    , m_model(new MessageLogModel(this))
    , m_range(new QComboBox)
    , m_search(new QLineEdit)
    , m_kinds(new QToolButton)
    , m_api(new QLineEdit)
    , m_channel(new QLineEdit)
    , m_application(new QLineEdit)
    , m_direction(new QComboBox)
    , m_statusCode(new QLineEdit)
    , m_closeCode(new QLineEdit)
    , m_connection(new QLineEdit)
    , m_follow(new QCheckBox(tr("&Follow")))
    , m_list(new QTableView)
    , m_detail(new QPlainTextEdit)
    , m_status(new QLabel)
    , m_legend(new QLabel)
    , m_tail(new QTimer(this))
    , m_typing(new QTimer(this))
{
    m_range->setObjectName(QStringLiteral("logRange"));
    m_range->setAccessibleName(tr("Time range"));
    m_range->addItem(tr("Last 15 minutes"), 15 * 60);
    m_range->addItem(tr("Last hour"), 3600);
    m_range->addItem(tr("Last 24 hours"), 24 * 3600);
    m_range->addItem(tr("Last 7 days"), 7 * 24 * 3600);
    m_range->addItem(tr("Everything"), 0);
    m_range->setCurrentIndex(2);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setAccessibleName(tr("Search the log"));
    m_search->setPlaceholderText(tr("Search text and payloads"));
    m_search->setToolTip(
        tr("Rows with this text in a reason, channel, application, path, address or payload"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(140);
    m_kinds->setObjectName(QStringLiteral("logKinds"));
    m_kinds->setAccessibleName(tr("Kinds of rows"));
    m_kinds->setToolTip(tr("Which kinds of rows to show: handshakes opened or rejected, messages "
                           "relayed, dropped or throttled, closes"));
    m_kinds->setPopupMode(QToolButton::InstantPopup);
    m_kinds->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_kinds->setFocusPolicy(Qt::StrongFocus);
    auto *kindsMenu = new QMenu(m_kinds);
    const QList<QPair<QString, QString>> kinds {{QStringLiteral("opened"), tr("&Opened")},
                                                {QStringLiteral("rejected"), tr("&Rejected")},
                                                {QStringLiteral("message"), tr("&Messages")},
                                                {QStringLiteral("dropped"), tr("&Dropped")},
                                                {QStringLiteral("throttled"), tr("&Throttled")},
                                                {QStringLiteral("closed"), tr("C&losed")}};
    for (const auto &[name, label] : kinds) {
        auto *kind = new QAction(label, this);
        kind->setData(name);
        kind->setCheckable(true);
        m_kindActions.append(kind);
        kind->setChecked(true);
        kindsMenu->addAction(kind);
        connect(kind, &QAction::toggled, this, &MessageLogView::applyFilter);
    }
    m_kinds->setMenu(kindsMenu);
    m_kinds->setText(tr("All kinds"));
    // label filters: typed text, selected after a short pause like the search
    struct Field
    {
        QLineEdit *edit;
        const char *name;
        QString accessible;
        QString placeholder;
        QString tip;
        int width;
    };
    for (const Field &f :
         {Field {m_api, "logApi", tr("API"), tr("API"), tr("Only APIs containing this text"), 90},
          Field {m_channel, "logChannel", tr("Channel"), tr("Channel"),
                 tr("Only channels containing this text"), 100},
          Field {m_application, "logApplication", tr("Application"), tr("Application"),
                 tr("Only this application id"), 100},
          Field {m_statusCode, "logStatusCode", tr("Handshake status"), tr("Status"),
                 tr("Only handshakes answered with this HTTP status, such as 401"), 60},
          Field {m_closeCode, "logCloseCode", tr("Close code"), tr("Code"),
                 tr("Only closes with this close code, such as 1008"), 60}}) {
        f.edit->setObjectName(QLatin1String(f.name));
        f.edit->setAccessibleName(f.accessible);
        f.edit->setPlaceholderText(f.placeholder);
        f.edit->setToolTip(f.tip);
        f.edit->setMaximumWidth(f.width);
        connect(f.edit, &QLineEdit::textChanged, m_typing, qOverload<>(&QTimer::start));
    }
    for (QLineEdit *code : {m_statusCode, m_closeCode})
        code->setValidator(new QIntValidator(1, 9999, code));
    m_direction->setObjectName(QStringLiteral("logDirection"));
    m_direction->setAccessibleName(tr("Direction"));
    m_direction->setToolTip(tr("Only messages that went this way"));
    m_direction->addItem(tr("Both ways"), QString());
    m_direction->addItem(tr("↑ In"), QStringLiteral("in"));
    m_direction->addItem(tr("↓ Out"), QStringLiteral("out"));
    connect(m_direction, &QComboBox::currentIndexChanged, this, &MessageLogView::applyFilter);
    m_connection->setObjectName(QStringLiteral("logConnection"));
    m_connection->setAccessibleName(tr("Connection id"));
    m_connection->setPlaceholderText(tr("Connection"));
    m_connection->setMaximumWidth(140);
    m_connection->setClearButtonEnabled(true);
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest rows in view as they are written"));
    auto *thisConnection
        = UiButtons::named(tr("This &Connection"), QStringLiteral("logThisConnection"),
                           tr("Show the selected row's connection, from its handshake to its "
                              "close"));
    auto *exportButton = UiButtons::named(tr("E&xport…"), QStringLiteral("logExport"),
                                          tr("Write what the filter selects as JSON Lines or "
                                             "CSV"));
    m_exportHar = UiButtons::named(tr("Export &HAR…"), QStringLiteral("logExportHar"),
                                   tr("Write the selected row's connection (handshake and "
                                      "messages) as HAR, for browsers' developer tools"));
    m_exportHar->setEnabled(false);
    auto *openFile = UiButtons::named(tr("&Open Log File…"), QStringLiteral("logOpenFile"),
                                      tr("Read a JSON Lines log written by gatehouse-cli serve "
                                         "--log-file"));
    m_liveLog = UiButtons::named(tr("&Live Log"), QStringLiteral("logLive"),
                                 tr("Back to the message log of this app"));
    m_liveLog->setVisible(false);
    m_logPayloads = new PayloadLoggingControl(tr("the selected row"), this);
    m_logPayloads->button()->setText(tr("Log Pa&yloads"));
    // More rows than the table shows at a time: which of them it shows, and the way
    // to the older and newer ones (half a window at a time, so that some rows of the
    // last window stay in sight)
    m_windowBar = new QWidget;
    m_windowBar->setObjectName(QStringLiteral("logWindow"));
    m_windowLabel = new QLabel;
    m_windowLabel->setObjectName(QStringLiteral("logWindowRows"));
    m_windowLabel->setAccessibleName(tr("Rows shown"));
    m_older = UiButtons::named(tr("Older Rows"), QStringLiteral("logOlder"),
                               tr("Show the rows before these"));
    m_newer = UiButtons::named(tr("Newer Rows"), QStringLiteral("logNewer"),
                               tr("Show the rows after these"));
    auto *newest
        = UiButtons::named(tr("Newest"), QStringLiteral("logNewest"), tr("Show the newest rows"));
    auto *windowRow = new QHBoxLayout(m_windowBar);
    windowRow->setContentsMargins(0, 0, 0, 0);
    windowRow->addWidget(m_windowLabel, 1);
    windowRow->addWidget(m_older);
    windowRow->addWidget(m_newer);
    windowRow->addWidget(newest);
    m_windowBar->setVisible(false);
    connect(m_older, &QPushButton::clicked, this, [this] {
        m_model->showWindowAt(m_model->windowStart() - m_model->windowRows() / 2);
        m_list->scrollToBottom(); // where the rows shown before go on
    });
    connect(m_newer, &QPushButton::clicked, this, [this] {
        m_model->showWindowAt(m_model->windowStart() + m_model->windowRows() / 2);
        m_list->scrollToTop();
    });
    connect(newest, &QPushButton::clicked, this, [this] {
        m_model->showWindowAt(m_model->totalRows());
        m_list->scrollToBottom();
    });
    connect(m_model, &MessageLogModel::windowMoved, this, &MessageLogView::showWindow);
    connect(openFile, &QPushButton::clicked, this, &MessageLogView::chooseLogFile);
    connect(m_liveLog, &QPushButton::clicked, this, &MessageLogView::showLiveLog);
    connect(m_range, &QComboBox::currentIndexChanged, this, &MessageLogView::applyFilter);
    // typing searches after a short pause, not at every key
    m_typing->setSingleShot(true);
    m_typing->setInterval(300);
    connect(m_typing, &QTimer::timeout, this, &MessageLogView::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_typing, qOverload<>(&QTimer::start));
    connect(m_connection, &QLineEdit::textChanged, m_typing, qOverload<>(&QTimer::start));
    connect(m_follow, &QCheckBox::toggled, this, &MessageLogView::setFollowing);
    connect(thisConnection, &QPushButton::clicked, this, [this] {
        if (const LogRecord *r = m_model->record(m_list->currentIndex().row()))
            showConnection(r->connectionId);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString jsonLines = tr("JSON Lines (*.jsonl *.json)");
        const QString csv = tr("CSV (*.csv)");
        QString chosen;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the Log"), QStringLiteral("gatehouse-log.jsonl"),
            jsonLines + QStringLiteral(";;") + csv, &chosen);
        if (path.isEmpty())
            return;
        if (chosen == csv || path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive))
            exportCsv(path);
        else
            exportJsonLines(path);
    });
    connect(m_exportHar, &QPushButton::clicked, this, [this] {
        const LogRecord *r = m_model->record(m_list->currentIndex().row());
        if (!r)
            return;
        const quint64 id = r->connectionId;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Connection %1 as HAR").arg(id),
            QStringLiteral("gatehouse-connection-%1.har").arg(id), tr("HAR (*.har *.json)"));
        if (!path.isEmpty())
            exportHar(id, path);
    });

    m_list->setObjectName(QStringLiteral("logList"));
    m_list->setAccessibleName(tr("Message log"));
    m_list->setModel(m_model);
    // A table, not a tree: a tree view lays out an item per row when the model is
    // reset (over a second for 10,000,000 rows); rows of one fixed height are
    // placed by arithmetic.
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setShowGrid(false);
    m_list->setWordWrap(false);
    m_list->setTabKeyNavigation(false); // Tab leaves the list
    m_list->verticalHeader()->hide();
    m_list->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_list->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView *header = m_list->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->resizeSection(MessageLogModel::TimeColumn, 175);
    header->resizeSection(MessageLogModel::ConnectionColumn, 85);
    header->resizeSection(MessageLogModel::KindColumn, 75);
    header->resizeSection(MessageLogModel::WhatColumn, 90);
    header->resizeSection(MessageLogModel::ChannelColumn, 140);
    header->resizeSection(MessageLogModel::ApplicationColumn, 110);
    header->resizeSection(MessageLogModel::SizeColumn, 60);
    m_list->installEventFilter(this);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MessageLogView::showSelected);
    connect(m_model, &MessageLogModel::dataChanged, this,
            [this](const QModelIndex &from, const QModelIndex &to) {
                const int row = m_list->currentIndex().row();
                if (row >= from.row() && row <= to.row())
                    showSelected();
            });
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        // scrolling up stops following; back at the end follows again
        m_atEnd = value >= m_list->verticalScrollBar()->maximum();
    });
    connect(m_model, &MessageLogModel::counted, this, [this](qint64) {
        showStatus();
        showWindow();
        if (m_follow->isChecked() && m_atEnd)
            m_list->scrollToBottom();
    });

    m_detail->setObjectName(QStringLiteral("logDetail"));
    m_detail->setAccessibleName(tr("Selected row"));
    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setPlaceholderText(tr("Select a row to read it here"));
    m_highlighter = new JsonHighlighter(nullptr);
    m_highlighter->setParent(this);
    m_status->setObjectName(QStringLiteral("logStatus"));
    m_status->setAccessibleName(tr("Log status"));
    // a long line (an error, a damaged file) is cut at the window's edge, not widening
    // it; its tooltip has all of it
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    // what to show on the first row, what to do on the second
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_range);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_api);
    filters->addWidget(m_channel);
    filters->addWidget(m_application);
    filters->addWidget(m_direction);
    filters->addWidget(m_statusCode);
    filters->addWidget(m_closeCode);
    filters->addWidget(m_kinds);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_connection);
    actions->addWidget(thisConnection);
    actions->addWidget(m_follow);
    actions->addWidget(exportButton);
    actions->addWidget(m_exportHar);
    actions->addWidget(m_logPayloads->button());
    actions->addWidget(openFile);
    actions->addWidget(m_liveLog);
    actions->addStretch();
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_list);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addLayout(actions);
    layout->addWidget(m_logPayloads->grantsBox());
    layout->addWidget(m_windowBar);
    layout->addWidget(split, 1);
    m_legend->setObjectName(QStringLiteral("logLegend"));
    m_legend->setAccessibleName(tr("Row colours"));
    m_legend->setTextFormat(Qt::RichText);
    updateLegend();
    // the colours, and what is shown (the log's file, how many rows) beside them, where
    // a long path has the room the buttons above leave it
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_legend);
    bottom->addSpacing(16);
    bottom->addWidget(m_status, 1);
    layout->addLayout(bottom);

    m_tail->setInterval(1000);
    connect(m_tail, &QTimer::timeout, m_model, &MessageLogModel::refresh);
}

MessageLogView::~MessageLogView()
{
    if (m_cancelRead)
        *m_cancelRead = true;
}

void MessageLogView::setDatabase(const QString &path)
{
    m_livePath = path;
    showLiveLog();
}

void MessageLogView::showDatabase(const QString &path)
{
    m_path = path;
    m_model->setDatabase(path);
    if (path != m_checkedPath) {
        // damage deep in the file does not show until a query reaches it: looked for
        // once per file, off the GUI thread
        m_checkedPath = path;
        m_damage.clear();
        m_damageDetails.clear();
        delete m_integrity;
        m_integrity = new Analytics::LogIntegrityCheck(path, this);
        connect(m_integrity, &Analytics::LogIntegrityCheck::finished, this,
                [this, path](const Analytics::LogIntegrity::Result &result) {
                    if (path != m_path || !result.damaged())
                        return;
                    m_damage = Analytics::LogIntegrity::describe(result);
                    m_damageDetails = result.problems;
                    showStatus();
                });
        m_integrity->start();
    }
    applyFilter();
}

void MessageLogView::showStatus()
{
    QString text = m_model->lastError().isEmpty()
        ? tr("%1 row(s)", nullptr,
             int(std::min<qint64>(m_model->totalRows(), std::numeric_limits<int>::max())))
              .arg(QLocale().toString(m_model->totalRows()))
        : m_model->lastError();
    if (!m_filePath.isEmpty())
        text = QFileInfo(m_filePath).fileName() + QStringLiteral(": ") + text
            + (m_fileNote.isEmpty() ? QString() : QStringLiteral(", ") + m_fileNote);
    if (!m_damage.isEmpty())
        text += QStringLiteral(" — ") + m_damage;
    m_status->setText(text);
    m_status->setToolTip((QStringList {text} + m_fileProblems + m_damageDetails).join(u'\n'));
}

void MessageLogView::showWindow()
{
    const qint64 total = m_model->totalRows();
    const qint64 first = m_model->windowStart();
    const int shown = m_model->rowCount();
    m_windowBar->setVisible(total > shown);
    if (total <= shown)
        return;
    const QLocale locale;
    m_windowLabel->setText(tr("Rows %1 to %2 of %3: the table shows %4 at a time")
                               .arg(locale.toString(first + 1), locale.toString(first + shown),
                                    locale.toString(total),
                                    locale.toString(m_model->windowRows())));
    m_older->setEnabled(first > 0);
    m_newer->setEnabled(!m_model->windowAtEnd());
}

void MessageLogView::showLiveLog()
{
    if (m_cancelRead)
        *m_cancelRead = true; // a file still being read is not shown
    m_filePath.clear();
    m_fileNote.clear();
    m_fileProblems.clear();
    m_liveLog->setVisible(false);
    showDatabase(m_livePath);
    m_fileDatabase.reset();
    showSelected();
}

void MessageLogView::chooseLogFile()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Open a Log File"), QString(),
                                       tr("JSON Lines (*.jsonl *.json *.log);;All files (*)"));
    if (!path.isEmpty())
        openLogFile(path);
}

void MessageLogView::updateLegend()
{
    using Shade = MessageLogModel::Shade;
    const bool dark = MessageLogModel::darkPalette();
    const QList<QPair<Shade, QString>> items {
        {Shade::Opened, tr("opened")},       {Shade::Rejected, tr("rejected")},
        {Shade::In, tr("message in")},       {Shade::Out, tr("message out")},
        {Shade::Throttled, tr("throttled")}, {Shade::Dropped, tr("dropped")},
        {Shade::Closed, tr("closed")},
    };
    QStringList parts;
    for (const auto &[shade, text] : items)
        parts.append(QStringLiteral("<span style=\"color:%1\">■ %2</span>")
                         .arg(MessageLogModel::colour(shade, dark).name(), text.toHtmlEscaped()));
    m_legend->setText(tr("Rows: %1").arg(parts.join(QStringLiteral("&nbsp;&nbsp;"))));
}

void MessageLogView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange
        || event->type() == QEvent::ApplicationPaletteChange) {
        updateLegend();
        if (m_highlighter)
            m_highlighter->setBackground(
                palette().color(QPalette::Base)); // (the pane's, which it inherits)
    }
}

void MessageLogView::openLogFile(const QString &path)
{
    if (m_cancelRead)
        *m_cancelRead = true;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancelRead = cancel;
    auto folder = std::make_shared<QTemporaryDir>();
    m_status->setText(tr("Reading %1…").arg(path));
    QPointer<MessageLogView> self(this);
    QThreadPool::globalInstance()->start([self, cancel, folder, path] {
        Analytics::JsonLinesImport import;
        QString error;
        const QString database = folder->filePath(QStringLiteral("log.db"));
        if (!folder->isValid())
            error = tr("no temporary folder: %1").arg(folder->errorString());
        else
            import.run(path, database, &error, cancel.get());
        QMetaObject::invokeMethod(
            self.data(), [self, cancel, folder, path, database, import, error] {
                if (!self || *cancel)
                    return;
                if (!error.isEmpty()) {
                    self->m_status->setText(error);
                    Q_EMIT self->logFileOpened(path, 0, {}, error);
                    return;
                }
                self->m_filePath = path;
                self->m_fileProblems = import.problems();
                if (import.brokenLines() > import.problems().size())
                    self->m_fileProblems.append(
                        tr("%1: %2 more broken lines")
                            .arg(QFileInfo(path).fileName())
                            .arg(import.brokenLines() - import.problems().size()));
                self->m_fileNote = import.brokenLines() == 0
                    ? QString()
                    : tr("%n broken line(s) passed over", nullptr, int(import.brokenLines()));
                self->m_fileDatabase = folder;
                self->m_liveLog->setVisible(true);
                self->setFollowing(false); // a file does not grow
                {
                    const QSignalBlocker block(self->m_range);
                    self->setTimeRange(0); // however old it is
                }
                self->showDatabase(database);
                self->m_list->clearSelection();
                self->m_list->setCurrentIndex({});
                self->showSelected();
                Q_EMIT self->logFileOpened(path, import.events(), import.problems(), QString());
            });
    });
}

void MessageLogView::setTimeRange(int seconds)
{
    const int index = m_range->findData(seconds);
    if (index >= 0)
        m_range->setCurrentIndex(index);
}

void MessageLogView::setTimeWindow(qint64 fromMs, qint64 toMs)
{
    m_windowFromMs = fromMs;
    m_windowToMs = toMs;
    const QString label = tr("%1 – %2").arg(
        QDateTime::fromMSecsSinceEpoch(fromMs).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss")),
        QDateTime::fromMSecsSinceEpoch(toMs).toString(QStringLiteral("hh:mm:ss")));
    int index = m_range->findData(-1);
    if (index < 0) {
        m_range->addItem(label, -1);
        index = m_range->count() - 1;
    }
    m_range->setItemText(index, label);
    const QSignalBlocker block(m_range);
    m_range->setCurrentIndex(index);
    setFollowing(false); // a moment in the past: hold still on it
    applyFilter();
}

void MessageLogView::setKinds(const QStringList &names)
{
    for (QAction *kind : std::as_const(m_kindActions)) {
        const QSignalBlocker block(kind);
        kind->setChecked(names.isEmpty() || names.contains(kind->data().toString()));
    }
    applyFilter();
}

QStringList MessageLogView::kinds() const
{
    QStringList names;
    for (const QAction *kind : m_kindActions)
        if (kind->isChecked())
            names.append(kind->data().toString());
    return names;
}

void MessageLogView::showFilter(const Analytics::LogFilter &filter)
{
    const QSignalBlocker blockRange(m_range);
    const QSignalBlocker blockDirection(m_direction);
    const QList<QPair<QLineEdit *, QString>> texts {
        {m_search, filter.text},
        {m_api, filter.api},
        {m_channel, filter.channel},
        {m_application, filter.application},
        {m_statusCode, filter.status ? QString::number(filter.status) : QString()},
        {m_closeCode, filter.closeCode ? QString::number(filter.closeCode) : QString()},
        {m_connection, filter.connectionId ? QString::number(filter.connectionId) : QString()}};
    for (const auto &[edit, text] : texts) {
        const QSignalBlocker block(edit);
        edit->setText(text);
    }
    m_direction->setCurrentIndex(std::max(0, m_direction->findData(filter.direction)));
    // each kind checked when the filter passes its rows
    auto passes = [&](const QString &name) {
        using Kind = LogRecord::Kind;
        using Handshakes = Analytics::LogFilter::Handshakes;
        if (name == u"opened" || name == u"rejected")
            return (filter.kinds.isEmpty() || filter.kinds.contains(Kind::Handshake))
                && filter.handshakes
                != (name == u"opened" ? Handshakes::Rejected : Handshakes::Accepted);
        if (name == u"closed")
            return filter.kinds.isEmpty() || filter.kinds.contains(Kind::Close);
        const QString action = name == u"message" ? QStringLiteral("relayed") : name;
        return (filter.kinds.isEmpty() || filter.kinds.contains(Kind::Message))
            && (filter.actions.isEmpty() || filter.actions.contains(action));
    };
    for (QAction *kind : std::as_const(m_kindActions)) {
        const QSignalBlocker block(kind);
        kind->setChecked(passes(kind->data().toString()));
    }
    if (filter.fromMs != std::numeric_limits<qint64>::min()
        || filter.toMs != std::numeric_limits<qint64>::max())
        setTimeWindow(filter.fromMs, filter.toMs); // applies the filter, stops following
    else {
        setTimeRange(0);
        setFollowing(false);
        applyFilter();
    }
}

void MessageLogView::showConnection(quint64 connectionId)
{
    m_connection->setText(connectionId ? QString::number(connectionId) : QString());
    setTimeRange(0); // the whole timeline, however old
    applyFilter();
}

void MessageLogView::setFollowing(bool follow)
{
    m_follow->setChecked(follow);
    if (follow && isVisible())
        m_tail->start();
    else
        m_tail->stop();
    if (follow) {
        m_atEnd = true;
        m_list->scrollToBottom();
    }
}

void MessageLogView::applyFilter()
{
    m_typing->stop();
    Analytics::LogFilter filter;
    const int seconds = m_range->currentData().toInt();
    if (seconds > 0)
        filter.fromMs = QDateTime::currentMSecsSinceEpoch() - qint64(seconds) * 1000;
    if (seconds < 0) {
        filter.fromMs = m_windowFromMs;
        filter.toMs = m_windowToMs;
    }
    filter.text = m_search->text().trimmed();
    filter.connectionId = m_connection->text().trimmed().toULongLong();
    filter.api = m_api->text().trimmed();
    filter.channel = m_channel->text().trimmed();
    filter.application = m_application->text().trimmed();
    filter.direction = m_direction->currentData().toString();
    filter.status = m_statusCode->text().toInt();
    filter.closeCode = m_closeCode->text().toInt();
    QStringList labels;
    for (const QAction *kind : std::as_const(m_kindActions))
        if (kind->isChecked())
            labels.append(kind->text().remove(u'&'));
    m_kinds->setText(labels.size() == m_kindActions.size() ? tr("All kinds")
                         : labels.isEmpty()                ? tr("No kind")
                                                           : labels.join(QStringLiteral(", ")));
    const QStringList names = kinds();
    if (names.isEmpty())
        filter.connectionId = ~quint64(0); // nothing: no kind chosen
    else if (names.size() < m_kindActions.size())
        Analytics::selectKinds(&filter, names);
    m_model->setFilter(filter);
}

void MessageLogView::showSelected()
{
    const LogRecord *r = m_model->record(m_list->currentIndex().row());
    m_exportHar->setEnabled(r != nullptr);
    // payloads are granted on the running gateway: not for the rows of a file
    if (r && m_filePath.isEmpty())
        m_logPayloads->setTarget(r->api, r->channel, r->application);
    else
        m_logPayloads->setTarget(QString(), QString(), QString());
    if (!r) {
        // a file's broken lines, where the rows read
        m_highlighter->setDocument(nullptr);
        m_detail->setPlainText(m_fileProblems.join(u'\n'));
        return;
    }
    QString text = QString::fromStdString(Analytics::toJson(*r).dump(2));
    bool json = true;
    if (r->kind == LogRecord::Kind::Message && !r->payload.isEmpty()) {
        // the payload as it was: JSON indented, text as it is, binary as hex
        const QJsonDocument doc = QJsonDocument::fromJson(r->payload);
        if (!doc.isNull())
            text += QStringLiteral("\n\n") + QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
        else if (!r->binary && QUtf8StringView(r->payload).isValidUtf8())
            text += QStringLiteral("\n\n") + QString::fromUtf8(r->payload);
        else
            text += QStringLiteral("\n\n") + QString::fromLatin1(r->payload.toHex(' '));
    }
    m_highlighter->setDocument(json ? m_detail->document() : nullptr);
    m_detail->setPlainText(text);
}

void MessageLogView::copySelected()
{
    QStringList lines;
    const QModelIndexList rows = m_list->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        if (const LogRecord *r = m_model->record(index.row()))
            lines.append(QString::fromStdString(Analytics::toJson(*r).dump()));
    if (!lines.isEmpty())
        QGuiApplication::clipboard()->setText(lines.join(u'\n') + u'\n');
}

void MessageLogView::exportJsonLines(const QString &path)
{
    runExport(path, [database = m_path, filter = m_model->filter(), path](QString *error) {
        return Analytics::writeJsonLines(database, filter, path, error);
    });
}

void MessageLogView::exportCsv(const QString &path)
{
    runExport(path, [database = m_path, filter = m_model->filter(), path](QString *error) {
        return Analytics::writeCsv(database, filter, path, error);
    });
}

void MessageLogView::exportHar(quint64 connectionId, const QString &path)
{
    runExport(
        path,
        [database = m_path, connectionId, path](QString *error) {
            return Analytics::writeHar(database, connectionId, path, error);
        },
        true);
}

void MessageLogView::runExport(const QString &path, std::function<qint64(QString *)> job,
                               bool messages)
{
    m_status->setText(tr("Exporting to %1…").arg(path));
    QPointer<MessageLogView> self(this);
    QThreadPool::globalInstance()->start([self, job = std::move(job), path, messages] {
        QString error;
        const qint64 rows = job(&error);
        QMetaObject::invokeMethod(self.data(), [self, rows, error, path, messages] {
            if (!self)
                return;
            self->m_status->setText(
                !error.isEmpty() ? error
                    : messages   ? tr("Exported %n message(s) to %1", nullptr, int(rows)).arg(path)
                                 : tr("Exported %n row(s) to %1", nullptr, int(rows)).arg(path));
            Q_EMIT self->exported(rows, error);
        });
    });
}

void MessageLogView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_range->currentData().toInt() >= 0)
        applyFilter(); // "the last hour" is now's last hour
    if (m_follow->isChecked())
        m_tail->start();
}

void MessageLogView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_tail->stop();
}

bool MessageLogView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
        copySelected();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace Gatehouse
