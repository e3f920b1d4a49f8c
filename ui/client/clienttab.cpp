// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clienttab.h"

#include "client/clientconnection.h"
#include "client/clientfiltermodel.h"
#include "client/clientlogrecorder.h"
#include "client/clientmessagemodel.h"
#include "client/jsonhighlighter.h"
#include "client/messagetemplate.h"
#include "client/savedmessages.h"
#include "uibuttons.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gatehouse {

using Client::ClientConnection;
using Client::ClientEvent;

namespace {

constexpr int RefreshMs = 50; // at most 20 batches a second reach the list
constexpr qsizetype RefreshBatch = 2000; // events taken in one go

QString headersText(const Client::HeaderList &headers)
{
    QStringList lines;
    for (const auto &[name, value] : headers)
        lines.append(QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromUtf8(value));
    return lines.join(u'\n');
}

Client::HeaderList parseHeaders(const QString &text)
{
    Client::HeaderList headers;
    for (const QString &line : text.split(u'\n', Qt::SkipEmptyParts)) {
        const qsizetype colon = line.indexOf(u':');
        if (colon > 0)
            headers.append(
                {line.left(colon).trimmed().toLatin1(), line.mid(colon + 1).trimmed().toUtf8()});
    }
    return headers;
}

} // namespace

ClientTab::ClientTab(QWidget *parent)
    : QWidget(parent)
    , m_thread(new QThread(this))
    , m_connection(new ClientConnection)
    , m_model(new ClientMessageModel(this))
    , m_filterModel(new ClientFilterModel(this))
    , m_refreshTimer(new QTimer(this))
{
    m_thread->setObjectName(QStringLiteral("client tab"));
    m_connection->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_connection, &QObject::deleteLater);
    m_thread->start();
    m_model->setHistory(m_connection->history());
    m_filterModel->setSourceModel(m_model);
    m_options.reconnectDelayMs = 1000;

    m_repeatTimer = new QTimer(this);
    connect(m_repeatTimer, &QTimer::timeout, this, &ClientTab::sendRepeatedOnce);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &ClientTab::refreshNow);
    connect(m_connection, &ClientConnection::eventsAdded, this, &ClientTab::handleEventsAdded);
    connect(m_connection, &ClientConnection::stateChanged, this, &ClientTab::handleStateChanged);
    buildWidgets();
    handleStateChanged();
}

ClientTab::~ClientTab()
{
    for (const QPointer<ClientConnection> &c : std::as_const(m_loadConnections))
        if (c)
            QMetaObject::invokeMethod(
                c, [c = c.data()] { delete c; }, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(
        m_connection, [c = m_connection] { c->abort(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void ClientTab::buildWidgets()
{
    m_url = new QLineEdit;
    m_url->setObjectName(QStringLiteral("clientUrl"));
    m_url->setAccessibleName(tr("WebSocket URL"));
    m_url->setPlaceholderText(tr("ws://127.0.0.1:9099/chats/1.0.0/rooms/room1"));
    m_url->setClearButtonEnabled(true);
    connect(m_url, &QLineEdit::returnPressed, this, [this] {
        if (!m_connected)
            connectToServer();
    });
    connect(m_url, &QLineEdit::textChanged, this, [this] { Q_EMIT titleChanged(title()); });
    m_connect = UiButtons::named(tr("&Connect"), QStringLiteral("clientConnect"),
                                 tr("Open the connection (Enter in the URL bar)"));
    connect(m_connect, &QPushButton::clicked, this, [this] {
        if (m_connected || m_connection->state() == ClientConnection::State::Connecting
            || m_connection->state() == ClientConnection::State::WaitingToReconnect)
            disconnectFromServer();
        else
            connectToServer();
    });
    m_optionsButton = UiButtons::named(tr("&Options…"), QStringLiteral("clientOptions"),
                                       tr("Headers, subprotocols, origin, messages sent on open, "
                                          "reconnect, keep-alive pings, TLS and proxy"));
    connect(m_optionsButton, &QPushButton::clicked, this, &ClientTab::editOptions);
    m_state = new QLabel;
    m_state->setObjectName(QStringLiteral("clientState"));
    m_state->setAccessibleName(tr("Connection state"));
    m_state->setMinimumWidth(120);

    auto *top = new QHBoxLayout;
    top->addWidget(m_url, 1);
    top->addWidget(m_optionsButton);
    top->addWidget(m_connect);
    top->addWidget(m_state);

    m_filter = new QLineEdit;
    m_filter->setObjectName(QStringLiteral("clientFilter"));
    m_filter->setAccessibleName(tr("Filter messages"));
    m_filter->setPlaceholderText(tr("Filter messages… (text, or a JSON path: $.type == join)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(160);
    m_direction = new QComboBox;
    m_direction->setObjectName(QStringLiteral("clientDirection"));
    m_direction->setAccessibleName(tr("Direction shown"));
    m_direction->addItems({tr("All events"), tr("Received"), tr("Sent")});
    m_regex = new QCheckBox(tr("Re&gex"));
    m_regex->setObjectName(QStringLiteral("clientRegex"));
    m_regex->setToolTip(tr("Take the filter as a regular expression"));
    m_showPings = new QCheckBox(tr("&Pings"));
    m_showPings->setObjectName(QStringLiteral("clientShowPings"));
    m_showPings->setToolTip(tr("Show pings and pongs in the list (else they are only counted)"));
    m_autoscroll = new QCheckBox(tr("&Follow"));
    m_autoscroll->setObjectName(QStringLiteral("clientAutoscroll"));
    m_autoscroll->setChecked(true);
    m_autoscroll->setToolTip(
        tr("Keep the newest event in view; scrolling up stops it, scrolling to the end resumes"));
    m_relative = new QCheckBox(tr("&Relative times"));
    m_relative->setObjectName(QStringLiteral("clientRelativeTimes"));
    m_clear = UiButtons::named(tr("C&lear"), QStringLiteral("clientClear"),
                               tr("Forget the events shown"));
    m_export = UiButtons::named(tr("E&xport…"), QStringLiteral("clientExport"),
                                tr("Save the events shown as JSON Lines"));
    auto applyFilter = [this] {
        QString why;
        const bool ok = m_filterModel->setText(m_filter->text(), m_regex->isChecked(), &why);
        m_filter->setToolTip(ok ? QString() : why);
        if (!ok)
            showStatus(m_regex->isChecked()
                           ? tr("The filter is not a valid regular expression: %1").arg(why)
                           : tr("The filter is not a JSON path: %1").arg(why),
                       true);
    };
    connect(m_filter, &QLineEdit::textChanged, this, applyFilter);
    connect(m_regex, &QCheckBox::toggled, this, applyFilter);
    connect(m_direction, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filterModel->setDirection(ClientFilterModel::Direction(index));
    });
    connect(m_showPings, &QCheckBox::toggled, m_filterModel, &ClientFilterModel::setPingsShown);
    connect(m_relative, &QCheckBox::toggled, m_model, &ClientMessageModel::setRelativeTimes);
    connect(m_clear, &QPushButton::clicked, this, [this] {
        m_model->clear();
        m_detail->clear();
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Events"), tr("client-session.jsonl"), tr("JSON Lines (*.jsonl)"));
        if (path.isEmpty())
            return;
        const QString error = exportJsonLines(path);
        showStatus(error.isEmpty() ? tr("Exported to %1").arg(path) : error, !error.isEmpty());
    });
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_direction);
    filters->addWidget(m_regex);
    filters->addWidget(m_showPings);
    filters->addWidget(m_relative);
    filters->addWidget(m_autoscroll);
    filters->addWidget(m_clear);
    filters->addWidget(m_export);

    m_list = new QTreeView;
    m_list->setObjectName(QStringLiteral("clientMessages"));
    m_list->setAccessibleName(tr("Messages and events"));
    m_list->setModel(m_filterModel);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->header()->setStretchLastSection(true);
    m_list->header()->resizeSection(ClientMessageModel::TimeColumn, 100);
    m_list->header()->resizeSection(ClientMessageModel::DirectionColumn, 70);
    m_list->header()->resizeSection(ClientMessageModel::KindColumn, 80);
    m_list->header()->resizeSection(ClientMessageModel::SizeColumn, 70);
    auto *copy = new QAction(tr("&Copy"), m_list);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &ClientTab::copySelected);
    m_list->addAction(copy);
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ClientTab::showSelected);
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        // scrolling up stops following the tail; back at the end resumes it
        const bool atEnd = value >= m_list->verticalScrollBar()->maximum();
        if (m_followTail != atEnd && m_autoscroll->isChecked())
            m_followTail = atEnd;
    });
    m_detail = new QPlainTextEdit;
    m_detail->setObjectName(QStringLiteral("clientDetail"));
    m_detail->setAccessibleName(tr("Selected event"));
    m_detail->setReadOnly(true);
    m_detail->setPlaceholderText(tr("Select an event to read it here: JSON pretty-printed, "
                                    "binary as hex, the handshake's headers."));
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_highlighter = new JsonHighlighter(nullptr);
    m_highlighter->setParent(this);

    m_format = new QComboBox;
    m_format->setObjectName(QStringLiteral("clientFormat"));
    m_format->setAccessibleName(tr("Message format"));
    m_format->addItems({tr("Text"), tr("JSON"), tr("Binary (hex)"), tr("Binary (base64)")});
    m_composer = new QPlainTextEdit;
    m_composer->setObjectName(QStringLiteral("clientComposer"));
    m_composer->setAccessibleName(tr("Message to send"));
    m_composer->setPlaceholderText(
        tr("Message to send. Ctrl+Enter sends; Ctrl+Up and Ctrl+Down walk what you sent. "
           "{{uuid}}, {{timestamp}}, {{isoTime}}, {{counter}}, {{random}} and {{env.NAME}} "
           "are filled in at each send."));
    m_composer->setTabChangesFocus(true);
    m_composer->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_composer->installEventFilter(this);
    m_send = UiButtons::named(tr("&Send"), QStringLiteral("clientSend"),
                              tr("Send the message (Ctrl+Enter)"));
    connect(m_send, &QPushButton::clicked, this, &ClientTab::sendComposed);
    m_repeat = UiButtons::named(tr("&Repeat…"), QStringLiteral("clientRepeat"),
                                tr("Send the message N times, as fast as possible or every T ms"));
    connect(m_repeat, &QPushButton::clicked, this, [this] {
        if (isRepeating()) {
            stopRepeating();
            return;
        }
        QDialog dialog(this);
        dialog.setWindowTitle(tr("Repeat Message"));
        auto *times = new QSpinBox;
        times->setAccessibleName(tr("Times"));
        times->setRange(1, 1000000);
        times->setValue(10);
        auto *interval = new QSpinBox;
        interval->setAccessibleName(tr("Interval"));
        interval->setRange(0, 3600000);
        interval->setSuffix(tr(" ms"));
        interval->setSpecialValueText(tr("as fast as possible"));
        interval->setValue(1000);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        auto *form = new QFormLayout(&dialog);
        form->addRow(tr("&Times:"), times);
        form->addRow(tr("&Every:"), interval);
        form->addRow(buttons);
        if (dialog.exec() == QDialog::Accepted)
            sendRepeated(times->value(), interval->value());
    });
    m_load
        = UiButtons::named(tr("&Load…"), QStringLiteral("clientLoad"),
                           tr("Open more connections like this one, to watch connection limits and "
                              "throttling start"));
    connect(m_load, &QPushButton::clicked, this, [this] {
        if (m_loadRequested > 0) {
            closeLoad();
            return;
        }
        bool ok = false;
        const int count
            = QInputDialog::getInt(this, tr("Open Connections"),
                                   tr("Connections to open like this tab's:"), 10, 1, 1000, 1, &ok);
        if (ok)
            openLoad(count);
    });
    m_loadLabel = new QLabel;
    m_loadLabel->setObjectName(QStringLiteral("clientLoadSummary"));
    m_loadLabel->setAccessibleName(tr("Load summary"));
    m_ping = UiButtons::named(tr("P&ing"), QStringLiteral("clientPing"),
                              tr("Send a ping; its pong shows the round trip"));
    connect(m_ping, &QPushButton::clicked, this, [this] { sendPing(); });
    m_sendFile = UiButtons::named(tr("Send &File…"), QStringLiteral("clientSendFile"),
                                  tr("Send a file's bytes as one binary message"));
    connect(m_sendFile, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Send File"));
        if (!path.isEmpty())
            sendFile(path);
    });
    m_close = UiButtons::named(tr("Cl&ose…"), QStringLiteral("clientClose"),
                               tr("Close the connection with a chosen code and reason"));
    connect(m_close, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString text = QInputDialog::getText(this, tr("Close Connection"),
                                                   tr("Close code and reason (e.g. 1000 done):"),
                                                   QLineEdit::Normal, QStringLiteral("1000"), &ok);
        if (!ok)
            return;
        const QString codeText = text.section(u' ', 0, 0);
        const uint code = codeText.toUInt(&ok);
        if (!ok || code < 1000 || code > 4999) {
            showStatus(tr("'%1' is not a close code (1000-4999)").arg(codeText), true);
            return;
        }
        disconnectFromServer(quint16(code), text.section(u' ', 1).trimmed());
    });
    m_counters = new QLabel;
    m_counters->setObjectName(QStringLiteral("clientCounters"));
    m_counters->setAccessibleName(tr("Message counters"));
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("clientStatus"));
    m_status->setAccessibleName(tr("Client status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_snippets = new QComboBox;
    m_snippets->setObjectName(QStringLiteral("clientSnippets"));
    m_snippets->setAccessibleName(tr("Example messages"));
    m_snippets->setToolTip(tr("The document's examples of what a client sends on this channel"));
    m_snippets->setVisible(false);
    connect(m_snippets, &QComboBox::activated, this, [this](int index) {
        if (index <= 0)
            return;
        const QString text = m_snippets->itemData(index).toString();
        const QString trimmed = text.trimmed();
        setFormat(trimmed.startsWith(u'{') || trimmed.startsWith(u'[') ? Format::Json
                                                                       : Format::Text);
        m_composer->setPlainText(text);
        m_snippets->setCurrentIndex(0);
        m_composer->setFocus();
    });
    m_savedButton = UiButtons::named(tr("Saved &Messages"), QStringLiteral("clientSavedMessages"),
                                     tr("Messages saved for this API: send one again, or save "
                                        "the composer's message under a name"));
    m_savedButton->setMenu(new QMenu(m_savedButton));
    connect(m_savedButton->menu(), &QMenu::aboutToShow, this, &ClientTab::fillSavedMenu);
    m_checkSchema = new QCheckBox(tr("C&heck schema"));
    m_checkSchema->setObjectName(QStringLiteral("clientCheckSchema"));
    m_checkSchema->setToolTip(tr("Send only messages that match the channel's message schema "
                                 "(clear it to send a wrong one on purpose)"));
    m_checkSchema->setVisible(false);

    auto *composeButtons = new QVBoxLayout;
    composeButtons->addWidget(m_snippets);
    composeButtons->addWidget(m_checkSchema);
    composeButtons->addWidget(m_format);
    composeButtons->addWidget(m_savedButton);
    composeButtons->addWidget(m_send);
    composeButtons->addWidget(m_repeat);
    composeButtons->addWidget(m_load);
    composeButtons->addWidget(m_sendFile);
    composeButtons->addWidget(m_ping);
    composeButtons->addWidget(m_close);
    composeButtons->addStretch();
    auto *composeRow = new QHBoxLayout;
    composeRow->addWidget(m_composer, 1);
    composeRow->addLayout(composeButtons);
    auto *composeBox = new QWidget;
    auto *composeLayout = new QVBoxLayout(composeBox);
    composeLayout->setContentsMargins(0, 0, 0, 0);
    composeLayout->addLayout(composeRow);

    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("clientSplitter"));
    split->addWidget(m_list);
    // below the list: the selected event, and the expectations
    auto *lower = new QTabWidget;
    lower->setObjectName(QStringLiteral("clientLowerTabs"));
    lower->setDocumentMode(true);
    lower->addTab(m_detail, tr("Event"));
    m_expectationModel = new QStandardItemModel(0, 3, this);
    m_expectationModel->setHorizontalHeaderLabels({tr("Expectation"), tr("Within"), tr("Result")});
    m_expectationList = new QTreeView;
    m_expectationList->setObjectName(QStringLiteral("clientExpectations"));
    m_expectationList->setAccessibleName(tr("Expectations"));
    m_expectationList->setModel(m_expectationModel);
    m_expectationList->setRootIsDecorated(false);
    m_expectationList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_expectationList->header()->setStretchLastSection(true);
    m_expectationList->header()->resizeSection(0, 260);
    auto *addExpectationButton
        = UiButtons::named(tr("&Expect…"), QStringLiteral("clientAddExpectation"),
                           tr("Expect a message: its text, a regular expression, "
                              "a JSON pattern or the channel's schema, within a time"));
    connect(addExpectationButton, &QPushButton::clicked, this, &ClientTab::editExpectation);
    auto *removeExpectation
        = UiButtons::named(tr("Remo&ve"), QStringLiteral("clientRemoveExpectation"),
                           tr("Remove the selected expectation"));
    connect(removeExpectation, &QPushButton::clicked, this, [this] {
        const int row = m_expectationList->currentIndex().row();
        if (row >= 0 && row < m_expectations.size()) {
            m_expectations.removeAt(row);
            showExpectations();
        }
    });
    auto *again = UiButtons::named(tr("Run &Again"), QStringLiteral("clientRunExpectations"),
                                   tr("Wait again for every expectation, from now"));
    connect(again, &QPushButton::clicked, this, &ClientTab::runExpectationsAgain);
    auto *expectationButtons = new QHBoxLayout;
    expectationButtons->addWidget(addExpectationButton);
    expectationButtons->addWidget(removeExpectation);
    expectationButtons->addWidget(again);
    expectationButtons->addStretch();
    auto *expectationPage = new QWidget;
    auto *expectationLayout = new QVBoxLayout(expectationPage);
    expectationLayout->setContentsMargins(0, 4, 0, 0);
    expectationLayout->addLayout(expectationButtons);
    expectationLayout->addWidget(m_expectationList);
    lower->addTab(expectationPage, tr("Expectations"));
    m_expectationTimer = new QTimer(this);
    m_expectationTimer->setInterval(50);
    connect(m_expectationTimer, &QTimer::timeout, this, &ClientTab::expireExpectations);
    split->addWidget(lower);
    split->addWidget(composeBox);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 2);
    split->setStretchFactor(2, 1);
    split->setChildrenCollapsible(false);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_counters);
    bottom->addWidget(m_loadLabel);
    bottom->addStretch();
    bottom->addWidget(m_status, 2);

    // Narrower than its controls (two tabs side by side on a small screen), the tab
    // scrolls sideways instead of widening the window past the screen.
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addLayout(filters);
    layout->addWidget(split, 1);
    layout->addLayout(bottom);
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("clientTabScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->addWidget(scroll);
    updateCounters();
}

Client::ClientOptions ClientTab::options() const
{
    Client::ClientOptions o = m_options;
    o.url = QUrl::fromUserInput(m_url->text().trimmed());
    if (!m_url->text().contains(QStringLiteral("://")))
        o.url = QUrl(QStringLiteral("ws://") + m_url->text().trimmed());
    else
        o.url = QUrl(m_url->text().trimmed());
    return o;
}

void ClientTab::setOptions(const Client::ClientOptions &options)
{
    m_options = options;
    m_url->setText(options.url.toString());
}

void ClientTab::setSecretHeader(const QByteArray &name, const QByteArray &value,
                                const QString &label)
{
    m_secretName = name;
    m_secretValue = value;
    m_secretLabel = label;
    m_optionsButton->setText(label.isEmpty() ? tr("&Options…") : tr("&Options (%1)…").arg(label));
}

QString ClientTab::title() const
{
    const QUrl url(m_url->text().trimmed());
    // the last two path segments, without a version ("/chats/1.0.0/rooms/r1" -> rooms/r1)
    static const QRegularExpression version(QStringLiteral("^v?\\d+(\\.\\d+)*$"));
    QStringList parts = url.path().split(u'/', Qt::SkipEmptyParts);
    parts.removeIf([](const QString &p) { return version.match(p).hasMatch(); });
    if (parts.isEmpty())
        return url.host().isEmpty() ? tr("New Client") : url.host();
    return parts.mid(std::max<qsizetype>(0, parts.size() - 2)).join(u'/');
}

void ClientTab::connectToServer()
{
    if (!m_secretName.isEmpty() && m_secretValue.isEmpty() && !m_secretLabel.isEmpty()) {
        showStatus(tr("Reading the secret of %1 from the keychain…").arg(m_secretLabel));
        Q_EMIT secretNeeded(m_secretLabel);
        return;
    }
    const Client::ClientOptions o = connectOptions();
    const QString problem = o.validate();
    if (!problem.isEmpty()) {
        showStatus(problem, true);
        return;
    }
    showStatus(QString());
    startRecording();
    QMetaObject::invokeMethod(m_connection, [c = m_connection, o] {
        c->setOptions(o);
        c->open();
    });
}

void ClientTab::setChannelContext(const QString &api, const QString &channel, PayloadCheck check,
                                  const QList<QPair<QString, QString>> &snippets,
                                  PayloadCheck incoming)
{
    m_channelApi = api;
    m_channel = channel;
    m_channelContext = true;
    m_incomingCheck = std::move(incoming);
    m_payloadCheck = std::move(check);
    m_checkSchema->setVisible(bool(m_payloadCheck));
    m_checkSchema->setChecked(bool(m_payloadCheck));
    m_snippets->clear();
    m_snippets->addItem(tr("Examples…"));
    for (const auto &[name, text] : snippets)
        m_snippets->addItem(name, text);
    m_snippets->setVisible(!snippets.isEmpty());
    showExpectations(); // schema expectations of a restored tab can run now
}

Client::ClientOptions ClientTab::connectOptions() const
{
    Client::ClientOptions o = options();
    if (m_useCookies && m_cookieJars.jar)
        o.cookies = m_cookieJars.jar(m_environment);
    if (!m_secretName.isEmpty()) {
        o.headers.removeIf([this](const auto &h) {
            return h.first.compare(m_secretName, Qt::CaseInsensitive) == 0;
        });
        o.headers.append({m_secretName, m_secretValue});
    }
    return o;
}

void ClientTab::openLoad(int count)
{
    closeLoad();
    Client::ClientOptions o = connectOptions();
    o.reconnect = false;
    const QString problem = o.validate();
    if (!problem.isEmpty()) {
        showStatus(problem, true);
        return;
    }
    m_loadOpen = 0;
    m_loadFailed = 0;
    m_loadRefused.clear();
    m_loadRequested = count;
    // made in the tab's connection thread, where they live, without waiting for it; what
    // becomes of each comes back here as a value
    QPointer<ClientTab> tab(this);
    QMetaObject::invokeMethod(m_connection, [tab, o, count] {
        for (int i = 0; i < count; ++i) {
            auto *c = new ClientConnection;
            c->setOptions(o);
            QObject::connect(c, &ClientConnection::opened, c, [tab] {
                QMetaObject::invokeMethod(tab.data(), [tab] {
                    if (tab)
                        tab->loadConnectionEnded(0, true);
                });
            });
            QObject::connect(c, &ClientConnection::finished, c, [tab, c] {
                const int status = c->responseStatus();
                QMetaObject::invokeMethod(tab.data(), [tab, c, status] {
                    if (tab && tab->m_loadConnections.contains(c))
                        tab->loadConnectionEnded(status, false);
                });
            });
            QMetaObject::invokeMethod(tab.data(), [tab, c] {
                if (tab)
                    tab->m_loadConnections.append(c);
                else
                    QMetaObject::invokeMethod(c, [c] { delete c; });
            });
            c->open();
        }
    });
    m_load->setText(tr("Close &Load"));
    updateLoadSummary();
}

void ClientTab::closeLoad()
{
    for (const QPointer<ClientConnection> &c : std::exchange(m_loadConnections, {}))
        if (c)
            QMetaObject::invokeMethod(c, [c = c.data()] {
                c->abort();
                c->deleteLater();
            });
    m_loadRequested = 0;
    m_load->setText(tr("&Load…"));
    m_loadLabel->clear();
}

bool ClientTab::addExpectation(const QString &kind, const QString &value, int withinMs)
{
    Expectation e;
    e.kind = kind;
    e.value = value;
    e.withinMs = std::max(1, withinMs);
    using Kind = Client::ClientScenario::Expectation::Kind;
    if (kind == u"text") {
        e.test.kind = Kind::Text;
        e.test.text = value;
    } else if (kind == u"regex") {
        e.test.kind = Kind::Regex;
        e.test.regex = QRegularExpression(value);
        if (!e.test.regex.isValid()) {
            showStatus(tr("Expectation not added: %1 is not a valid regular expression (%2)")
                           .arg(value, e.test.regex.errorString()),
                       true);
            return false;
        }
    } else if (kind == u"match") {
        e.test.kind = Kind::Match;
        e.test.value = Json::parse(value.toStdString(), nullptr, false);
        if (e.test.value.is_discarded()) {
            showStatus(tr("Expectation not added: the pattern is not JSON"), true);
            return false;
        }
    } else if (kind == u"schema") {
        // a restored tab keeps it until its channel's document is open again
        if (!m_incomingCheck && m_channel.isEmpty()) {
            showStatus(tr("Expectation not added: this tab has no channel with a schema (open "
                          "it for a channel of the running gateway)"),
                       true);
            return false;
        }
    } else {
        showStatus(tr("Expectation not added: unknown kind %1").arg(kind), true);
        return false;
    }
    // armed now when connected, else by the next open
    e.armedAtMs = m_connected ? QDateTime::currentMSecsSinceEpoch() : 0;
    e.armedAfter = m_connection->history()->lastSequence();
    m_expectations.append(e);
    m_expectationsCheckedUpTo = std::max(m_expectationsCheckedUpTo, e.armedAfter);
    if (m_connected)
        m_expectationTimer->start();
    showExpectations();
    return true;
}

void ClientTab::runExpectationsAgain()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const quint64 last = m_connection->history()->lastSequence();
    for (Expectation &e : m_expectations) {
        e.state = Expectation::State::Waiting;
        e.armedAtMs = now;
        e.armedAfter = last;
        e.result.clear();
    }
    m_expectationsCheckedUpTo = last;
    if (!m_expectations.isEmpty())
        m_expectationTimer->start();
    showExpectations();
}

void ClientTab::checkExpectations(const QList<ClientEvent> &added)
{
    bool changed = false;
    for (const ClientEvent &event : added) {
        if (event.kind == ClientEvent::Kind::Opened) {
            // every (re)connect starts them again
            for (Expectation &e : m_expectations) {
                e.state = Expectation::State::Waiting;
                e.armedAtMs = event.timeMs;
                e.armedAfter = event.sequence;
                e.result.clear();
            }
            m_expectationTimer->start();
            changed = true;
            continue;
        }
        if (event.kind != ClientEvent::Kind::Received)
            continue;
        for (Expectation &e : m_expectations) {
            if (e.state != Expectation::State::Waiting || e.armedAtMs == 0
                || event.sequence <= e.armedAfter)
                continue;
            if (event.timeMs - e.armedAtMs > e.withinMs)
                continue; // too late: expireExpectations() says so
            QString why;
            if (e.kind == u"schema" && !m_incomingCheck)
                continue; // its document is not open
            const bool ok = e.kind == u"schema" ? m_incomingCheck(event.data).isEmpty()
                                                : e.test.matches(event, &why);
            if (ok) {
                e.state = Expectation::State::Passed;
                e.result = tr("passed after %1 ms").arg(event.timeMs - e.armedAtMs);
                changed = true;
            } else {
                e.result = tr("last: %1").arg(why.isEmpty() ? tr("did not match") : why);
                changed = true;
            }
        }
    }
    if (changed)
        showExpectations();
}

void ClientTab::expireExpectations()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    bool waiting = false;
    bool changed = false;
    for (Expectation &e : m_expectations) {
        if (e.state != Expectation::State::Waiting || e.armedAtMs == 0
            || (e.kind == u"schema" && !m_incomingCheck))
            continue;
        if (now - e.armedAtMs > e.withinMs + RefreshMs) {
            // messages counted before this moment were looked at by refreshNow()
            refreshNow();
            if (e.state != Expectation::State::Waiting)
                continue;
            e.state = Expectation::State::Failed;
            e.result
                = tr("failed: nothing matched within %1 ms%2")
                      .arg(e.withinMs)
                      .arg(e.result.isEmpty() ? QString() : QStringLiteral(" (") + e.result + u')');
            changed = true;
        } else {
            waiting = true;
        }
    }
    if (!waiting)
        m_expectationTimer->stop();
    if (changed)
        showExpectations();
}

void ClientTab::showExpectations()
{
    m_expectationModel->setRowCount(0);
    for (const Expectation &e : std::as_const(m_expectations)) {
        const QString what
            = e.kind == u"schema" ? tr("the channel's message schema") : e.test.describe();
        QString state;
        QColor color;
        switch (e.state) {
        case Expectation::State::Waiting:
            state = e.kind == u"schema" && !m_incomingCheck
                ? tr("waiting for the document of %1 to be open").arg(m_channelApi)
                : e.armedAtMs == 0   ? tr("waiting for the connection")
                : e.result.isEmpty() ? tr("waiting")
                                     : tr("waiting (%1)").arg(e.result);
            break;
        case Expectation::State::Passed:
            state = QStringLiteral("✔ ") + e.result;
            color = QColor(0x1d, 0x6b, 0x2c);
            break;
        case Expectation::State::Failed:
            state = QStringLiteral("✘ ") + e.result;
            color = QColor(0xb0, 0x00, 0x20);
            break;
        }
        auto *result = new QStandardItem(state);
        if (color.isValid())
            result->setForeground(color);
        m_expectationModel->appendRow(
            {new QStandardItem(what), new QStandardItem(tr("%1 ms").arg(e.withinMs)), result});
    }
}

QStringList ClientTab::expectationResults() const
{
    QStringList lines;
    for (const Expectation &e : m_expectations) {
        const QString what = e.kind == u"schema" ? QStringLiteral("schema") : e.test.describe();
        const QString state = e.state == Expectation::State::Passed ? QStringLiteral("passed")
            : e.state == Expectation::State::Failed                 ? QStringLiteral("failed")
                                                                    : QStringLiteral("waiting");
        lines.append(QStringLiteral("%1 %2").arg(state, what));
    }
    return lines;
}

Client::ClientScenarioWriter::Tab ClientTab::scenarioTab(const QStringList &takenNames) const
{
    Client::ClientScenarioWriter::Tab tab;
    tab.name = Client::ClientScenarioWriter::connectionName(title(), takenNames);
    const Client::ClientOptions o = options();
    tab.url = o.url;
    tab.headers = o.headers;
    tab.subprotocols = o.subprotocols;
    if (!m_secretName.isEmpty())
        tab.omittedCredential = QStringLiteral("%1 (the credential %2)")
                                    .arg(QString::fromLatin1(m_secretName), m_secretLabel);
    for (const ClientEvent &e : m_connection->history()->all())
        if (e.kind == ClientEvent::Kind::Sent)
            tab.sent.append(e);
    for (const Expectation &e : m_expectations)
        if (e.kind != u"schema") // the schema lives in the document, not in the file
            tab.expectations.append({e.kind, e.value, e.withinMs});
    return tab;
}

void ClientTab::editExpectation()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Expect a Message"));
    auto *kind = new QComboBox;
    kind->setAccessibleName(tr("Kind"));
    kind->addItem(tr("JSON pattern (the message has these members)"), QStringLiteral("match"));
    kind->addItem(tr("Text (the whole message)"), QStringLiteral("text"));
    kind->addItem(tr("Regular expression"), QStringLiteral("regex"));
    if (m_incomingCheck)
        kind->addItem(tr("The channel's message schema"), QStringLiteral("schema"));
    auto *value = new QLineEdit;
    value->setAccessibleName(tr("Expected"));
    value->setPlaceholderText(tr("{\"type\": \"joined\"}"));
    auto *within = new QSpinBox;
    within->setAccessibleName(tr("Within"));
    within->setRange(1, 3600000);
    within->setSuffix(tr(" ms"));
    within->setValue(2000);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("&Kind:"), kind);
    form->addRow(tr("&Expected:"), value);
    form->addRow(tr("&Within:"), within);
    form->addRow(buttons);
    if (dialog.exec() == QDialog::Accepted)
        addExpectation(kind->currentData().toString(), value->text(), within->value());
}

// A load connection opened (`opened`) or ended with the handshake's status.
void ClientTab::loadConnectionEnded(int status, bool opened)
{
    if (opened)
        ++m_loadOpen;
    else if (status >= 300)
        ++m_loadRefused[status];
    else if (status == 101)
        --m_loadOpen; // it was open and closed
    else
        ++m_loadFailed;
    updateLoadSummary();
}

QString ClientTab::loadSummary() const
{
    return m_loadLabel->text();
}

void ClientTab::updateLoadSummary()
{
    if (m_loadRequested == 0)
        return;
    QStringList refused;
    int refusedCount = 0;
    for (auto it = m_loadRefused.cbegin(); it != m_loadRefused.cend(); ++it) {
        refused.append(tr("%1 ×%2").arg(it.key()).arg(it.value()));
        refusedCount += it.value();
    }
    QString text = tr("Load: %1 connections, %2 open").arg(m_loadRequested).arg(m_loadOpen);
    if (refusedCount)
        text += tr(", %1 refused (%2)").arg(refusedCount).arg(refused.join(QStringLiteral(", ")));
    if (m_loadFailed)
        text += tr(", %1 failed").arg(m_loadFailed);
    m_loadLabel->setText(text);
}

QVariantMap ClientTab::saveState() const
{
    QVariantMap state;
    state.insert(QStringLiteral("url"), m_url->text());
    QStringList headers;
    for (const auto &[name, value] : m_options.headers)
        headers.append(QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromUtf8(value));
    state.insert(QStringLiteral("headers"), headers);
    state.insert(QStringLiteral("subprotocols"), m_options.subprotocols);
    state.insert(QStringLiteral("origin"), m_options.origin);
    QStringList onOpen;
    for (const auto &[opcode, payload] : m_options.onOpen)
        onOpen.append(QString::fromUtf8(payload));
    state.insert(QStringLiteral("onOpen"), onOpen);
    state.insert(QStringLiteral("reconnect"), m_options.reconnect);
    state.insert(QStringLiteral("pingIntervalMs"), m_options.pingIntervalMs);
    state.insert(QStringLiteral("autoPong"), m_options.autoPong);
    state.insert(QStringLiteral("cookies"), m_useCookies);
    state.insert(QStringLiteral("environment"), m_environment);
    state.insert(QStringLiteral("record"), m_recording);
    if (!m_channel.isEmpty()) {
        state.insert(QStringLiteral("channel"), m_channel);
        state.insert(QStringLiteral("channelApi"), m_channelApi);
    }
    state.insert(QStringLiteral("insecure"), m_options.insecure);
    state.insert(QStringLiteral("caFile"), m_options.caFile);
    state.insert(QStringLiteral("certificateFile"), m_options.certificateFile);
    state.insert(QStringLiteral("keyFile"), m_options.keyFile);
    state.insert(QStringLiteral("proxy"), m_options.proxy);
    state.insert(QStringLiteral("format"), m_format->currentIndex());
    state.insert(QStringLiteral("composer"), m_composer->toPlainText());
    state.insert(QStringLiteral("sent"),
                 QStringList(m_sent.mid(std::max<qsizetype>(0, m_sent.size() - 50))));
    state.insert(QStringLiteral("filter"), m_filter->text());
    state.insert(QStringLiteral("regex"), m_regex->isChecked());
    state.insert(QStringLiteral("direction"), m_direction->currentIndex());
    state.insert(QStringLiteral("pings"), m_showPings->isChecked());
    state.insert(QStringLiteral("relativeTimes"), m_relative->isChecked());
    QVariantList expectations;
    for (const Expectation &e : m_expectations)
        expectations.append(QVariantMap {{QStringLiteral("kind"), e.kind},
                                         {QStringLiteral("value"), e.value},
                                         {QStringLiteral("withinMs"), e.withinMs}});
    state.insert(QStringLiteral("expectations"), expectations);
    if (!m_secretName.isEmpty()) {
        state.insert(QStringLiteral("credentialHeader"), QString::fromLatin1(m_secretName));
        state.insert(QStringLiteral("credential"), m_secretLabel);
    }
    return state;
}

void ClientTab::restoreState(const QVariantMap &state)
{
    m_options.headers
        = parseHeaders(state.value(QStringLiteral("headers")).toStringList().join(u'\n'));
    m_options.subprotocols = state.value(QStringLiteral("subprotocols")).toStringList();
    m_options.origin = state.value(QStringLiteral("origin")).toString();
    m_options.onOpen.clear();
    for (const QString &m : state.value(QStringLiteral("onOpen")).toStringList())
        m_options.onOpen.append({ClientEvent::Text, m.toUtf8()});
    m_options.reconnect = state.value(QStringLiteral("reconnect")).toBool();
    m_options.pingIntervalMs = state.value(QStringLiteral("pingIntervalMs")).toInt();
    m_options.autoPong = state.value(QStringLiteral("autoPong"), true).toBool();
    m_useCookies = state.value(QStringLiteral("cookies"), true).toBool();
    setEnvironment(state.value(QStringLiteral("environment")).toString());
    m_recording = state.value(QStringLiteral("record")).toBool();
    // the channel's checks and examples come back when its document is open
    m_channel = state.value(QStringLiteral("channel")).toString();
    m_channelApi = state.value(QStringLiteral("channelApi")).toString();
    m_options.insecure = state.value(QStringLiteral("insecure")).toBool();
    m_options.caFile = state.value(QStringLiteral("caFile")).toString();
    m_options.certificateFile = state.value(QStringLiteral("certificateFile")).toString();
    m_options.keyFile = state.value(QStringLiteral("keyFile")).toString();
    m_options.proxy = state.value(QStringLiteral("proxy")).toString();
    m_url->setText(state.value(QStringLiteral("url")).toString());
    m_format->setCurrentIndex(std::clamp(state.value(QStringLiteral("format")).toInt(), 0, 3));
    m_composer->setPlainText(state.value(QStringLiteral("composer")).toString());
    m_sent = state.value(QStringLiteral("sent")).toStringList();
    m_regex->setChecked(state.value(QStringLiteral("regex")).toBool());
    m_filter->setText(state.value(QStringLiteral("filter")).toString());
    m_direction->setCurrentIndex(
        std::clamp(state.value(QStringLiteral("direction")).toInt(), 0, 2));
    m_showPings->setChecked(state.value(QStringLiteral("pings")).toBool());
    m_relative->setChecked(state.value(QStringLiteral("relativeTimes")).toBool());
    for (const QVariant &v : state.value(QStringLiteral("expectations")).toList()) {
        const QVariantMap e = v.toMap();
        addExpectation(e.value(QStringLiteral("kind")).toString(),
                       e.value(QStringLiteral("value")).toString(),
                       e.value(QStringLiteral("withinMs")).toInt());
    }
    const QString credential = state.value(QStringLiteral("credential")).toString();
    if (!credential.isEmpty())
        setSecretHeader(state.value(QStringLiteral("credentialHeader")).toString().toLatin1(), {},
                        credential);
}

void ClientTab::disconnectFromServer(quint16 code, const QString &reason)
{
    QMetaObject::invokeMethod(m_connection,
                              [c = m_connection, code, reason] { c->close(code, reason); });
}

bool ClientTab::isConnected() const
{
    return m_connected;
}

// The composer's text as a message in its format, with its variables filled in;
// std::nullopt with `*problem` set when it does not fit the format or the schema.
std::optional<QPair<quint8, QByteArray>> ClientTab::composedMessage(QString *problem)
{
    QString variableError;
    const QString text
        = Client::MessageTemplate::expand(m_composer->toPlainText(), m_counter + 1, &variableError);
    if (!variableError.isEmpty()) {
        *problem = tr("Not sent: %1").arg(variableError);
        return std::nullopt;
    }
    QByteArray payload;
    quint8 opcode = ClientEvent::Text;
    switch (Format(m_format->currentIndex())) {
    case Format::Text:
        payload = text.toUtf8();
        break;
    case Format::Json: {
        // any JSON value (an object, a list, a string, a number ...), as RFC 8259 allows
        const QByteArray utf8 = text.toUtf8();
        try {
            const Json parsed = Json::parse(utf8.constData(), utf8.constData() + utf8.size());
            Q_UNUSED(parsed);
        } catch (const Json::parse_error &error) {
            // line and column of the problem, counted in the composer's text
            const qsizetype offset = qsizetype(error.byte) > 0 ? qsizetype(error.byte) - 1 : 0;
            const QString before = QString::fromUtf8(utf8.left(offset));
            QString why = QString::fromUtf8(error.what());
            why = why.mid(why.indexOf(u':', why.indexOf(QStringLiteral("column"))) + 1).trimmed();
            *problem = tr("Not sent: invalid JSON at line %1, column %2: %3")
                           .arg(before.count(u'\n') + 1)
                           .arg(before.size() - before.lastIndexOf(u'\n'))
                           .arg(why);
            return std::nullopt;
        }
        payload = text.toUtf8();
        break;
    }
    case Format::Hex: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        static const QRegularExpression hex(QStringLiteral("^([0-9a-fA-F]{2})*$"));
        if (!hex.match(digits).hasMatch()) {
            *problem = tr("Not sent: hex needs pairs of 0-9 and a-f");
            return std::nullopt;
        }
        payload = QByteArray::fromHex(digits.toLatin1());
        opcode = ClientEvent::Binary;
        break;
    }
    case Format::Base64: {
        const auto decoded = QByteArray::fromBase64Encoding(
            text.trimmed().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            *problem = tr("Not sent: the text is not base64");
            return std::nullopt;
        }
        payload = *decoded;
        opcode = ClientEvent::Binary;
        break;
    }
    }
    if (opcode == ClientEvent::Text && m_payloadCheck && m_checkSchema->isChecked()) {
        const QString mismatch = m_payloadCheck(payload);
        if (!mismatch.isEmpty()) {
            *problem = tr("Not sent: %1 (clear \"Check schema\" to send it anyway)").arg(mismatch);
            return std::nullopt;
        }
    }
    ++m_counter;
    return QPair<quint8, QByteArray>(opcode, payload);
}

bool ClientTab::sendComposed()
{
    if (!m_connected) {
        showStatus(tr("Not connected: connect first (Enter in the URL bar)"), true);
        return false;
    }
    QString problem;
    const auto message = composedMessage(&problem);
    if (!message) {
        showStatus(problem, true);
        return false;
    }
    QMetaObject::invokeMethod(m_connection, [c = m_connection, message = *message] {
        c->send(message.first, message.second);
    });
    const QString text = m_composer->toPlainText();
    if (m_sent.isEmpty() || m_sent.constLast() != text)
        m_sent.append(text);
    m_sentIndex = -1;
    showStatus(QString());
    return true;
}

bool ClientTab::sendRepeated(int times, int intervalMs)
{
    stopRepeating();
    if (!m_connected) {
        showStatus(tr("Not connected: connect first (Enter in the URL bar)"), true);
        return false;
    }
    QString problem;
    if (!composedMessage(&problem)) { // checked once before anything goes
        showStatus(problem, true);
        return false;
    }
    --m_counter;
    const bool variables = Client::MessageTemplate::hasVariables(m_composer->toPlainText());
    if (intervalMs <= 0 && !variables) {
        // as fast as the connection takes them, in its own thread
        const auto message = *composedMessage(&problem);
        QMetaObject::invokeMethod(m_connection, [c = m_connection, message, times] {
            for (int i = 0; i < times && c->send(message.first, message.second); ++i) { }
        });
        m_counter += times - 1;
        showStatus(tr("Sent %n message(s)", nullptr, times));
        return true;
    }
    m_repeatLeft = times;
    m_repeatTimer->start(std::max(intervalMs, 1));
    m_repeat->setText(tr("Stop &Repeat"));
    sendRepeatedOnce();
    return true;
}

void ClientTab::sendRepeatedOnce()
{
    QString problem;
    const auto message = m_connected && m_repeatLeft > 0 ? composedMessage(&problem) : std::nullopt;
    if (!message) {
        if (!problem.isEmpty())
            showStatus(problem, true);
        stopRepeating();
        return;
    }
    QMetaObject::invokeMethod(m_connection, [c = m_connection, message = *message] {
        c->send(message.first, message.second);
    });
    if (--m_repeatLeft <= 0)
        stopRepeating();
    else
        showStatus(tr("Repeating: %n message(s) to go", nullptr, m_repeatLeft));
}

void ClientTab::stopRepeating()
{
    if (!m_repeatTimer->isActive() && m_repeatLeft <= 0)
        return;
    m_repeatTimer->stop();
    m_repeatLeft = 0;
    m_repeat->setText(tr("&Repeat…"));
    showStatus(tr("Repeat done"));
}

bool ClientTab::isRepeating() const
{
    return m_repeatTimer->isActive();
}

bool ClientTab::sendFile(const QString &path)
{
    if (!m_connected) {
        showStatus(tr("Not connected: connect first (Enter in the URL bar)"), true);
        return false;
    }
    // read in the connection's thread, never the window's; what goes wrong is an event
    const qint64 limit = m_options.maxMessageSize;
    QMetaObject::invokeMethod(m_connection, [c = m_connection, path, limit] {
        QFile file(path);
        QString problem;
        if (!file.open(QIODevice::ReadOnly))
            problem = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        else if (file.size() > limit)
            problem = QStringLiteral("%1 is larger than the %2 bytes a message may have")
                          .arg(path)
                          .arg(limit);
        if (!problem.isEmpty()) {
            c->note(Client::ClientEvent::Kind::Error, problem);
            return;
        }
        c->sendBinary(file.readAll());
    });
    showStatus(tr("Sending %1").arg(QFileInfo(path).fileName()));
    return true;
}

void ClientTab::copySelected()
{
    QStringList texts;
    const QModelIndexList rows = m_list->selectionModel()->selectedRows();
    QList<int> sourceRows;
    for (const QModelIndex &row : rows)
        sourceRows.append(m_filterModel->mapToSource(row).row());
    std::sort(sourceRows.begin(), sourceRows.end());
    for (int row : std::as_const(sourceRows)) {
        const ClientEvent &e = m_model->event(row);
        texts.append(e.data.isEmpty() && e.kind != ClientEvent::Kind::Response
                         ? ClientMessageModel::preview(e)
                         : ClientMessageModel::readable(e));
    }
    if (!texts.isEmpty())
        QGuiApplication::clipboard()->setText(texts.join(u'\n'));
}

bool ClientTab::sendPing(const QByteArray &payload)
{
    if (!m_connected) {
        showStatus(tr("Not connected"), true);
        return false;
    }
    QMetaObject::invokeMethod(m_connection, [c = m_connection, payload] { c->ping(payload); });
    return true;
}

void ClientTab::setFormat(Format format)
{
    m_format->setCurrentIndex(int(format));
}

void ClientTab::setComposerText(const QString &text)
{
    m_composer->setPlainText(text);
}

QString ClientTab::statusText() const
{
    return m_status->text();
}

QSortFilterProxyModel *ClientTab::filteredModel() const
{
    return m_filterModel;
}

void ClientTab::handleStateChanged()
{
    const ClientConnection::State state = m_connection->state();
    m_connected = state == ClientConnection::State::Open;
    QString text;
    switch (state) {
    case ClientConnection::State::Idle:
        text = tr("Not connected");
        break;
    case ClientConnection::State::Connecting:
        text = tr("Connecting…");
        break;
    case ClientConnection::State::Open:
        text = tr("Connected");
        break;
    case ClientConnection::State::Closing:
        text = tr("Closing…");
        break;
    case ClientConnection::State::Closed:
        text = tr("Closed");
        break;
    case ClientConnection::State::WaitingToReconnect:
        text = tr("Reconnecting…");
        break;
    }
    m_state->setText(text);
    const bool busy = state == ClientConnection::State::Connecting
        || state == ClientConnection::State::WaitingToReconnect;
    m_connect->setText(m_connected || busy ? tr("Dis&connect") : tr("&Connect"));
    m_send->setEnabled(m_connected);
    m_sendFile->setEnabled(m_connected);
    m_repeat->setEnabled(m_connected);
    if (!m_connected)
        stopRepeating();
    m_ping->setEnabled(m_connected);
    m_close->setEnabled(m_connected);
    Q_EMIT stateChanged(m_connected);
}

void ClientTab::handleEventsAdded()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void ClientTab::refreshNow()
{
    // a portion per event-loop turn, so a flood never holds the window up for long
    if (m_model->refresh(RefreshBatch))
        QTimer::singleShot(0, this, [this] {
            if (!m_refreshTimer->isActive())
                refreshNow();
        });
    if (!m_expectations.isEmpty()) {
        // what arrived since the last look, in order (the history may have let the
        // oldest go; the newest are what counts)
        const QList<ClientEvent> added = m_connection->history()->since(m_expectationsCheckedUpTo);
        if (!added.isEmpty())
            m_expectationsCheckedUpTo = added.constLast().sequence;
        checkExpectations(added);
    }
    updateCounters();
    if (m_autoscroll->isChecked() && m_followTail)
        m_list->scrollToBottom();
}

void ClientTab::updateCounters()
{
    // what is new since the last look: round trips, and what the status line says
    const int rows = m_model->eventCount();
    int firstNew = rows;
    while (firstNew > 0 && m_model->event(firstNew - 1).sequence > m_countedUpTo)
        --firstNew;
    for (int row = firstNew; row < rows; ++row) {
        const ClientEvent &e = m_model->event(row);
        m_countedUpTo = e.sequence;
        switch (e.kind) {
        case ClientEvent::Kind::Received:
            if (e.roundTripUs >= 0)
                m_lastReplyUs = e.roundTripUs;
            break;
        case ClientEvent::Kind::Pong:
            if (e.roundTripUs >= 0)
                m_lastRoundTripUs = e.roundTripUs;
            break;
        case ClientEvent::Kind::Error:
        case ClientEvent::Kind::Warning:
            showStatus(e.text, true);
            break;
        case ClientEvent::Kind::Closed:
            showStatus(tr("Closed: %1%2")
                           .arg(ClientEvent::closeCodeMeaning(e.closeCode),
                                e.text.isEmpty() ? QString() : QStringLiteral(" – ") + e.text));
            break;
        default:
            break;
        }
    }
    const Client::ClientHistory::Totals totals = m_connection->history()->totals();
    QString text = tr("↓ %1 received   ↑ %2 sent   pings %3 / pongs %4")
                       .arg(totals.received)
                       .arg(totals.sent)
                       .arg(totals.pings)
                       .arg(totals.pongs);
    if (m_lastRoundTripUs >= 0)
        text += tr("   ping round trip %1 ms").arg(double(m_lastRoundTripUs) / 1000.0, 0, 'f', 2);
    if (m_lastReplyUs >= 0)
        text += tr("   last reply after %1 ms").arg(double(m_lastReplyUs) / 1000.0, 0, 'f', 2);
    m_counters->setText(text);
}

void ClientTab::setHistoryLimit(qsizetype events)
{
    m_connection->history()->setLimits(events, m_connection->history()->maxBytes());
}

void ClientTab::showSelected()
{
    const QModelIndex current = m_filterModel->mapToSource(m_list->currentIndex());
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    const QString text = ClientMessageModel::readable(m_model->event(current.row()));
    // JSON in colour; headers, text and hex as they are
    const bool json = text.startsWith(u'{') || text.startsWith(u'[')
        || text.contains(QStringLiteral(", shown as JSON:\n")); // CBOR, MessagePack
    m_highlighter->setDocument(json ? m_detail->document() : nullptr);
    m_detail->setPlainText(text);
}

void ClientTab::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText,
                     error ? QColor(0xb0, 0x00, 0x20)
                           : QWidget::palette().color(QPalette::WindowText));
    m_status->setPalette(palette);
}

QString ClientTab::exportJsonLines(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    for (int row = 0; row < m_filterModel->rowCount(); ++row) {
        const int source = m_filterModel->mapToSource(m_filterModel->index(row, 0)).row();
        file.write(QByteArray::fromStdString(m_model->event(source).toJson().dump()) + '\n');
    }
    if (!file.commit())
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

void ClientTab::historyStep(int delta)
{
    if (m_sent.isEmpty())
        return;
    if (m_sentIndex < 0)
        m_sentIndex = int(m_sent.size());
    m_sentIndex = std::clamp(m_sentIndex + delta, 0, int(m_sent.size()));
    m_composer->setPlainText(m_sentIndex < m_sent.size() ? m_sent.at(m_sentIndex) : QString());
    m_composer->moveCursor(QTextCursor::End);
}

void ClientTab::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_highlighter)
        m_highlighter->setBackground(
            palette().color(QPalette::Base)); // (the pane's, which it inherits)
}

bool ClientTab::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_composer && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool ctrl = key->modifiers().testFlag(Qt::ControlModifier);
        if (ctrl && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
            sendComposed();
            return true;
        }
        if (ctrl && key->key() == Qt::Key_Up) {
            historyStep(-1);
            return true;
        }
        if (ctrl && key->key() == Qt::Key_Down) {
            historyStep(1);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ClientTab::editOptions()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Connection Options"));
    auto *headers = new QPlainTextEdit(headersText(m_options.headers));
    headers->setAccessibleName(tr("Headers"));
    headers->setPlaceholderText(tr("One per line: Name: value"));
    headers->setTabChangesFocus(true);
    auto *subprotocols = new QLineEdit(m_options.subprotocols.join(QStringLiteral(", ")));
    subprotocols->setAccessibleName(tr("Subprotocols"));
    auto *origin = new QLineEdit(m_options.origin);
    origin->setAccessibleName(tr("Origin"));
    auto *onOpen = new QPlainTextEdit;
    onOpen->setAccessibleName(tr("Messages sent on open"));
    onOpen->setPlaceholderText(tr("One message per line, sent in order after every (re)connect"));
    onOpen->setTabChangesFocus(true);
    QStringList onOpenLines;
    for (const auto &[opcode, payload] : m_options.onOpen)
        onOpenLines.append(QString::fromUtf8(payload));
    onOpen->setPlainText(onOpenLines.join(u'\n'));
    auto *reconnect = new QCheckBox(tr("Reconnect when the connection drops"));
    reconnect->setChecked(m_options.reconnect);
    auto *pingInterval = new QSpinBox;
    pingInterval->setAccessibleName(tr("Keep-alive ping interval"));
    pingInterval->setRange(0, 3600);
    pingInterval->setSuffix(tr(" s"));
    pingInterval->setSpecialValueText(tr("off"));
    pingInterval->setValue(m_options.pingIntervalMs / 1000);
    auto *cookies = new QCheckBox(tr("Send and keep cookies (shared by the client tabs of the "
                                     "environment, kept until Gatehouse quits)"));
    cookies->setChecked(m_useCookies);
    auto *environment = new QComboBox;
    environment->setEditable(true);
    environment->setAccessibleName(tr("Environment"));
    environment->setToolTip(tr("Tabs of one environment share a cookie jar (type a new name "
                               "for a jar of its own)"));
    QStringList environments
        = m_cookieJars.environments ? m_cookieJars.environments() : QStringList();
    if (!environments.contains(m_environment))
        environments.prepend(m_environment);
    environment->addItems(environments);
    environment->setCurrentText(m_environment);
    auto *record = new QCheckBox(tr("Write what this tab sends and receives to the message &log"));
    record->setToolTip(tr("Rows with the flag \"client\", beside the gateway's, from the next "
                          "connect on"));
    record->setChecked(m_recording);
    auto *autoPong = new QCheckBox(tr("Answer the server's pings"));
    autoPong->setChecked(m_options.autoPong);
    auto *insecure = new QCheckBox(tr("Accept an untrusted certificate (a warning is shown)"));
    insecure->setChecked(m_options.insecure);
    auto *caFile = new QLineEdit(m_options.caFile);
    caFile->setAccessibleName(tr("CA certificate file"));
    auto *certFile = new QLineEdit(m_options.certificateFile);
    certFile->setAccessibleName(tr("Client certificate file"));
    auto *keyFile = new QLineEdit(m_options.keyFile);
    keyFile->setAccessibleName(tr("Client key file"));
    auto *proxy = new QLineEdit(m_options.proxy);
    proxy->setAccessibleName(tr("Proxy"));
    proxy->setPlaceholderText(tr("http://host:3128 or socks5://host:1080"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("&Headers:"), headers);
    if (!m_secretLabel.isEmpty())
        form->addRow(tr("Credential:"),
                     new QLabel(tr("%1 (sent as %2, never shown)")
                                    .arg(m_secretLabel, QString::fromLatin1(m_secretName))));
    form->addRow(tr("&Subprotocols:"), subprotocols);
    form->addRow(tr("O&rigin:"), origin);
    form->addRow(tr("On &open:"), onOpen);
    form->addRow(QString(), reconnect);
    form->addRow(tr("&Keep-alive ping:"), pingInterval);
    form->addRow(QString(), autoPong);
    form->addRow(QString(), cookies);
    form->addRow(tr("E&nvironment:"), environment);
    form->addRow(QString(), record);
    form->addRow(tr("&CA file:"), caFile);
    form->addRow(tr("Client c&ertificate:"), certFile);
    form->addRow(tr("Client &key:"), keyFile);
    form->addRow(QString(), insecure);
    form->addRow(tr("&Proxy:"), proxy);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_options.headers = parseHeaders(headers->toPlainText());
    m_options.subprotocols.clear();
    for (const QString &p : subprotocols->text().split(u',', Qt::SkipEmptyParts))
        m_options.subprotocols.append(p.trimmed());
    m_options.origin = origin->text().trimmed();
    m_options.onOpen.clear();
    for (const QString &line : onOpen->toPlainText().split(u'\n', Qt::SkipEmptyParts))
        m_options.onOpen.append({ClientEvent::Text, line.toUtf8()});
    m_options.reconnect = reconnect->isChecked();
    m_options.pingIntervalMs = pingInterval->value() * 1000;
    m_options.autoPong = autoPong->isChecked();
    m_useCookies = cookies->isChecked();
    setEnvironment(environment->currentText());
    m_recording = record->isChecked();
    m_options.insecure = insecure->isChecked();
    m_options.caFile = caFile->text().trimmed();
    m_options.certificateFile = certFile->text().trimmed();
    m_options.keyFile = keyFile->text().trimmed();
    m_options.proxy = proxy->text().trimmed();
}

void ClientTab::setEnvironment(const QString &environment)
{
    const QString name = environment.trimmed();
    m_environment = name.isEmpty() ? QStringLiteral("default") : name;
}

void ClientTab::startRecording()
{
    QObject::disconnect(std::exchange(m_recorder, {}));
    if (!m_recording || !m_messageLog)
        return;
    QString error;
    const std::shared_ptr<Gateway::GatewayEventSink> sink = m_messageLog(&error);
    if (!sink) {
        showStatus(tr("Not written to the message log: %1").arg(error), true);
        return;
    }
    auto recorder = std::make_shared<Client::ClientLogRecorder>(
        sink, Client::ClientLogRecorder::Source {title(), options().url, m_channel});
    const std::shared_ptr<Client::ClientHistory> history = m_connection->history();
    auto upTo = std::make_shared<quint64>(history->lastSequence());
    // on the connection's thread, as its events come
    m_recorder = connect(m_connection, &ClientConnection::eventsAdded, m_connection,
                         [recorder, history, upTo] {
                             const QList<ClientEvent> added = history->since(*upTo);
                             if (added.isEmpty())
                                 return;
                             *upTo = added.constLast().sequence;
                             recorder->record(added);
                         });
}

void ClientTab::setSavedMessages(SavedMessages *saved)
{
    m_saved = saved;
}

QString ClientTab::apiKey() const
{
    if (!m_channelApi.isEmpty())
        return m_channelApi;
    const QUrl url = options().url;
    return url
        .adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery
                  | QUrl::RemoveFragment)
        .toString();
}

bool ClientTab::saveMessage(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (!m_saved || trimmed.isEmpty() || m_composer->toPlainText().isEmpty())
        return false;
    m_saved->save(apiKey(), {trimmed, m_format->currentIndex(), m_composer->toPlainText()});
    showStatus(tr("Saved \"%1\" for %2").arg(trimmed, apiKey()));
    return true;
}

bool ClientTab::useSavedMessage(const QString &name)
{
    if (!m_saved)
        return false;
    for (const SavedMessages::Message &m : m_saved->messages(apiKey()))
        if (m.name == name) {
            setFormat(Format(std::clamp(m.format, 0, 3)));
            m_composer->setPlainText(m.text);
            m_composer->setFocus();
            return true;
        }
    return false;
}

QStringList ClientTab::savedMessageNames() const
{
    QStringList names;
    if (m_saved)
        for (const SavedMessages::Message &m : m_saved->messages(apiKey()))
            names.append(m.name);
    return names;
}

void ClientTab::fillSavedMenu()
{
    QMenu *menu = m_savedButton->menu();
    menu->clear();
    const QStringList names = savedMessageNames();
    if (names.isEmpty())
        menu->addAction(tr("No saved messages for %1").arg(apiKey()))->setEnabled(false);
    for (const QString &name : names)
        menu->addAction(name, this, [this, name] { useSavedMessage(name); });
    menu->addSeparator();
    QAction *save = menu->addAction(tr("&Save the Message…"), this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save the Message"),
                                                   tr("Name (for every tab of %1):").arg(apiKey()),
                                                   QLineEdit::Normal, QString(), &ok);
        if (!ok || name.trimmed().isEmpty())
            return;
        if (savedMessageNames().contains(name.trimmed())
            && QMessageBox::question(this, tr("Save the Message"),
                                     tr("Replace the saved message \"%1\"?").arg(name.trimmed()))
                != QMessageBox::Yes)
            return;
        saveMessage(name);
    });
    save->setEnabled(m_saved && !m_composer->toPlainText().isEmpty());
    if (!names.isEmpty()) {
        QMenu *remove = menu->addMenu(tr("&Delete"));
        for (const QString &name : names)
            remove->addAction(name, this, [this, name] {
                if (m_saved)
                    m_saved->remove(apiKey(), name);
            });
    }
}

QString ClientTab::saveHistory(const QString &path, qsizetype maxEvents, qint64 maxBytes) const
{
    QList<ClientEvent> events = m_connection->history()->all();
    // the newest that fit
    qsizetype first = events.size();
    qint64 bytes = 0;
    while (first > 0 && events.size() - first < maxEvents
           && bytes + events.at(first - 1).size() <= maxBytes)
        bytes += events.at(--first).size();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tr("%1: %2").arg(path, file.errorString());
    for (qsizetype i = first; i < events.size(); ++i) {
        file.write(QByteArray::fromStdString(events.at(i).toJson().dump()));
        file.write("\n");
    }
    if (!file.commit())
        return tr("%1: %2").arg(path, file.errorString());
    return {};
}

void ClientTab::restoreHistory(const QString &path)
{
    QPointer<ClientTab> tab(this);
    const std::shared_ptr<Client::ClientHistory> history = m_connection->history();
    QThreadPool::globalInstance()->start([tab, history, path] {
        QFile file(path);
        int count = 0;
        QString error;
        if (!file.open(QIODevice::ReadOnly)) {
            error = QStringLiteral("%1: %2").arg(path, file.errorString());
        } else {
            int line = 0;
            while (!file.atEnd()) {
                ++line;
                const QByteArray text = file.readLine().trimmed();
                if (text.isEmpty())
                    continue;
                QString why;
                const Json json = Json::parse(text.toStdString(), nullptr, false);
                const std::optional<ClientEvent> event = ClientEvent::fromJson(json, &why);
                if (!event) {
                    error = QStringLiteral("%1:%2: %3")
                                .arg(path)
                                .arg(line)
                                .arg(json.is_discarded() ? QStringLiteral("not JSON") : why);
                    break;
                }
                history->append(*event);
                ++count;
            }
        }
        const quint64 last = history->lastSequence();
        QMetaObject::invokeMethod(tab.data(), [tab, count, error, last] {
            if (!tab)
                return;
            // what the last session saw is not news for the status line
            tab->m_countedUpTo = std::max(tab->m_countedUpTo, last);
            tab->handleEventsAdded();
            if (!error.isEmpty())
                tab->showStatus(tr("History not read back whole: %1").arg(error), true);
            else if (count > 0)
                tab->showStatus(tr("%n event(s) from the last session", nullptr, count));
            Q_EMIT tab->historyRestored(count, error);
        });
    });
}

} // namespace Gatehouse
