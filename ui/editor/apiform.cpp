// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/apiform.h"

#include "api/topicmatcher.h"
#include "api/urlmapper.h"
#include "asyncapi/documentloader.h"
#include "editor/channelbindingdialog.h"
#include "editor/channeloperations.h"
#include "editor/documenteditor.h"
#include "editor/gatewayform.h"
#include "editor/messageform.h"
#include "editor/mockform.h"
#include "editor/operationdialog.h"
#include "editor/policyform.h"
#include "editor/serversform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QStyle>
#include <QTabWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace Gatehouse {

namespace {

QString escaped(const QString &key)
{
    return DocumentLoader::escapePointerToken(key);
}

// A 3.x channels key made from an address: /rooms/{roomID} -> rooms_roomID.
QString keyFromAddress(const QString &address)
{
    QString key;
    for (const QChar c : address) {
        if (c.isLetterOrNumber())
            key += c;
        else if (!key.isEmpty() && !key.endsWith(u'_'))
            key += u'_';
    }
    while (key.endsWith(u'_'))
        key.chop(1);
    return key.isEmpty() ? QStringLiteral("channel") : key;
}

// Commits a multi-line field when it loses focus.
class FocusOutFilter final : public QObject
{
public:
    FocusOutFilter(QObject *parent, std::function<void()> done)
        : QObject(parent)
        , m_done(std::move(done))
    { }
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::FocusOut)
            m_done();
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_done;
};

} // namespace

ApiForm::ApiForm(QWidget *parent)
    : DesignSection(Follow::Text, parent)
    , m_sections(new QTabWidget)
    , m_channelsPage(new QWidget)
    , m_messages(new MessageForm)
    , m_gateway(new GatewayForm)
    , m_policies(new PolicyForm)
    , m_mock(new MockForm)
    , m_servers(new ServersForm)
    , m_title(new QLineEdit)
    , m_version(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_channels(new QListWidget)
    , m_add(new QPushButton(tr("&Add…")))
    , m_rename(new QPushButton(tr("Re&name…")))
    , m_delete(new QPushButton(tr("&Delete")))
    , m_up(new QPushButton(tr("Move &Up")))
    , m_down(new QPushButton(tr("Move Do&wn")))
    , m_channelDescription(new QPlainTextEdit)
    , m_mapping(new QLineEdit)
    , m_authType(new QComboBox)
    , m_authWarning(new QLabel)
    , m_scopes(new QLineEdit)
    , m_clientsSend(new QCheckBox(tr("C&lients send to the backend")))
    , m_sendMessage(new QComboBox)
    , m_backendPushes(new QCheckBox(tr("The bac&kend pushes to clients")))
    , m_pushMessage(new QComboBox)
    , m_sendDetails(new QPushButton(tr("Details…"))) // (no mnemonic: the page uses its letters)
    , m_pushDetails(new QPushButton(tr("Details…")))
    , m_binding(new QLabel)
    , m_editBinding(new QPushButton(tr("WebSocket &Binding…")))
    , m_samplePath(new QLineEdit)
    , m_preview(new QLabel)
    , m_parameters(new QListWidget)
    , m_parameterDescription(new QLineEdit)
    , m_declareParameters(new QPushButton(tr("Declare M&issing")))
    , m_removeParameters(new QPushButton(tr("Remove Unused")))
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("apiForm"));
    m_title->setAccessibleName(tr("API title"));
    m_version->setAccessibleName(tr("API version"));
    m_description->setAccessibleName(tr("API description"));
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(m_description->fontMetrics().lineSpacing() * 5);
    m_channels->setAccessibleName(tr("Channels"));
    // one line each: laid out without asking every row its size (thousands of channels)
    m_channels->setUniformItemSizes(true);
    m_channelDescription->setAccessibleName(tr("Channel description"));
    m_channelDescription->setTabChangesFocus(true);
    m_channelDescription->setMaximumHeight(m_description->maximumHeight());
    m_mapping->setAccessibleName(tr("URL mapping"));
    m_mapping->setPlaceholderText(tr("e.g. /rooms?room={uri.var.roomID}"));
    m_mapping->setToolTip(tr("x-uri-mapping: the backend path and query a client's request is "
                             "sent to; {uri.var.NAME} takes a parameter of the address. "
                             "Empty: the request path as it is."));
    m_authType->setAccessibleName(tr("Who may connect"));
    m_authType->addItem(tr("Clients must authenticate (not set: the default)"), QString());
    m_authType->addItem(tr("Clients must authenticate (Any)"), QStringLiteral("Any"));
    m_authType->addItem(tr("Open to anyone (None)"), QStringLiteral("None"));
    m_authType->setToolTip(tr("x-auth-type: Any, clients must present a token or API key; None, "
                              "the channel is open to anyone who reaches the gateway. "
                              "Default: Any."));
    m_authWarning->setAccessibleName(tr("Open channel warning"));
    m_authWarning->setWordWrap(true);
    m_authWarning->setText(tr("Anyone who can reach the gateway may use this channel, without "
                              "a token or key."));
    m_authWarning->hide();
    m_scopes->setAccessibleName(tr("Scopes"));
    m_scopes->setPlaceholderText(tr("none; e.g. chat:read chat:write"));
    m_scopes->setToolTip(tr("x-scopes: scopes a client's token must carry to use the channel, "
                            "separated by spaces or commas. Default: none."));
    m_samplePath->setAccessibleName(tr("Sample request path"));
    m_samplePath->setPlaceholderText(tr("a path a client would connect to, e.g. /rooms/room1"));
    m_preview->setAccessibleName(tr("Backend URL preview"));
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_preview->setWordWrap(true);
    m_status->setAccessibleName(tr("Form status"));
    m_status->setWordWrap(true);

    auto *api = new QGroupBox(tr("API"));
    auto *apiLayout = new QFormLayout(api);
    apiLayout->addRow(tr("&Title:"), m_title);
    apiLayout->addRow(tr("&Version:"), m_version);
    apiLayout->addRow(tr("D&escription:"), m_description);

    auto *channels = new QGroupBox(tr("Channels"));
    auto *channelsLayout = new QHBoxLayout(channels);
    channelsLayout->addWidget(m_channels, 1);
    auto *buttons = new QVBoxLayout;
    for (QPushButton *b : {m_add, m_rename, m_delete, m_up, m_down})
        buttons->addWidget(b);
    auto *channelPolicies = new QPushButton(tr("&Policies…"));
    channelPolicies->setAccessibleName(tr("Policies of the selected channel"));
    channelPolicies->setToolTip(tr("The gateway policies of the selected channel, in the Policies "
                                   "section"));
    connect(channelPolicies, &QPushButton::clicked, this, [this] {
        m_sections->setCurrentWidget(m_policies);
        m_policies->setScope(currentChannel());
        m_policies->policyList()->setFocus(Qt::OtherFocusReason);
    });
    buttons->addWidget(channelPolicies);
    buttons->addStretch();
    channelsLayout->addLayout(buttons);

    auto *channel = new QGroupBox(tr("Selected channel"));
    auto *channelLayout = new QFormLayout(channel);
    channelLayout->addRow(tr("Des&cription:"), m_channelDescription);
    channelLayout->addRow(tr("URL &mapping:"), m_mapping);
    auto *who = new QLabel(tr("&Who may connect:"));
    who->setBuddy(m_authType);
    auto *authColumn = new QVBoxLayout;
    authColumn->setSpacing(2);
    authColumn->addWidget(m_authType);
    authColumn->addWidget(m_authWarning);
    channelLayout->addRow(who, authColumn);
    channelLayout->addRow(tr("Sc&opes:"), m_scopes);
    m_clientsSend->setAccessibleName(tr("Clients send on the channel"));
    m_clientsSend->setToolTip(tr("An operation for what clients send to the backend on this "
                                 "channel (2.x publish; 3.x an operation with action receive)"));
    m_backendPushes->setAccessibleName(tr("The backend pushes on the channel"));
    m_backendPushes->setToolTip(tr("An operation for what the backend pushes to clients on this "
                                   "channel (2.x subscribe; 3.x an operation with action send)"));
    m_sendMessage->setAccessibleName(tr("Message clients send"));
    m_pushMessage->setAccessibleName(tr("Message the backend pushes"));
    auto *operations = new QGridLayout;
    operations->addWidget(m_clientsSend, 0, 0);
    operations->addWidget(m_sendMessage, 0, 1);
    operations->addWidget(m_backendPushes, 1, 0);
    operations->addWidget(m_pushMessage, 1, 1);
    operations->addWidget(m_sendDetails, 0, 2);
    operations->addWidget(m_pushDetails, 1, 2);
    m_sendDetails->setAccessibleName(tr("Details of the operation clients send with"));
    m_pushDetails->setAccessibleName(tr("Details of the operation the backend pushes with"));
    for (QPushButton *b : {m_sendDetails, m_pushDetails}) {
        b->setEnabled(false); // until a channel with that operation is selected
        b->setToolTip(tr("The operation's id, title, summary and description, and in AsyncAPI "
                         "3 the reply it gets"));
    }
    connect(m_sendDetails, &QPushButton::clicked, this,
            [this] { editOperation(Operation::Action::Receive); });
    connect(m_pushDetails, &QPushButton::clicked, this,
            [this] { editOperation(Operation::Action::Send); });
    operations->setColumnStretch(1, 1);
    channelLayout->addRow(tr("Operations:"), operations);
    m_binding->setAccessibleName(tr("WebSocket binding"));
    m_binding->setWordWrap(true);
    m_editBinding->setAccessibleName(tr("Edit the WebSocket binding"));
    m_editBinding->setToolTip(tr("The method, query parameters and headers a client sends with "
                                 "its upgrade request on this channel (bindings.ws)"));
    connect(m_editBinding, &QPushButton::clicked, this, [this] { editBinding(); });
    auto *bindingRow = new QHBoxLayout;
    bindingRow->addWidget(m_binding, 1);
    bindingRow->addWidget(m_editBinding);
    channelLayout->addRow(tr("Binding:"), bindingRow);
    const std::pair<QCheckBox *, Operation::Action> boxes[]
        = {{m_clientsSend, Operation::Action::Receive}, {m_backendPushes, Operation::Action::Send}};
    for (const auto &[box, action] : boxes) {
        connect(box, &QCheckBox::toggled, this, [this, action = action](bool on) {
            if (!m_refreshing)
                setOperation(action, on);
        });
        connect(operationMessageBox(action), &QComboBox::activated, this,
                [this, action = action](int index) {
                    if (!m_refreshing)
                        setOperationMessage(
                            action, operationMessageBox(action)->itemData(index).toString());
                });
    }
    m_parameters->setAccessibleName(tr("Channel parameters"));
    m_parameters->setToolTip(tr("The {name}s of the channel's address and the parameters "
                                "declared for them"));
    m_parameters->setMaximumHeight(fontMetrics().lineSpacing() * 4 + 6);
    m_parameterDescription->setAccessibleName(tr("Parameter description"));
    m_parameterDescription->setPlaceholderText(tr("what the selected parameter is"));
    m_declareParameters->setAccessibleName(tr("Declare missing parameters"));
    m_declareParameters->setToolTip(tr("Declares every {name} of the address that has no "
                                       "parameter yet (a string)"));
    m_removeParameters->setAccessibleName(tr("Remove unused parameters"));
    m_removeParameters->setToolTip(tr("Removes the parameters the address does not use"));
    auto *parametersColumn = new QVBoxLayout;
    parametersColumn->addWidget(m_parameters);
    auto *parameterRow = new QHBoxLayout;
    parameterRow->addWidget(m_parameterDescription, 1);
    parameterRow->addWidget(m_declareParameters);
    parameterRow->addWidget(m_removeParameters);
    parametersColumn->addLayout(parameterRow);
    auto *parametersLabel = new QLabel(tr("Pa&rameters:"));
    parametersLabel->setBuddy(m_parameters);
    channelLayout->addRow(parametersLabel, parametersColumn);
    channelLayout->addRow(tr("&Sample path:"), m_samplePath);
    channelLayout->addRow(tr("Backend URL:"), m_preview);

    auto *layout = new QVBoxLayout(m_channelsPage);
    layout->addWidget(api);
    layout->addWidget(channels, 1);
    layout->addWidget(channel);
    layout->addWidget(m_status);
    m_sections->setObjectName(QStringLiteral("designSections"));
    m_sections->setAccessibleName(tr("Design sections"));
    m_sections->setDocumentMode(true);
    // scrolls when the window is shorter than the form (a laptop screen, 200 % scaling)
    m_channelsScroll = new QScrollArea;
    m_channelsScroll->setObjectName(QStringLiteral("channelsScroll"));
    m_channelsScroll->setWidgetResizable(true);
    m_channelsScroll->setFrameShape(QFrame::NoFrame);
    m_channelsScroll->setWidget(m_channelsPage);
    m_sections->addTab(m_channelsScroll, tr("API && Channels"));
    m_sections->addTab(m_servers, tr("Servers"));
    m_sections->addTab(m_messages, tr("Messages"));
    m_sections->addTab(m_gateway, tr("Gateway"));
    m_sections->addTab(m_policies, tr("Policies"));
    m_sections->addTab(m_mock, tr("Mock"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_sections);
    connect(m_messages, &MessageForm::editFailed, this, &ApiForm::editFailed);
    connect(m_gateway, &GatewayForm::editFailed, this, &ApiForm::editFailed);
    connect(m_policies, &PolicyForm::editFailed, this, &ApiForm::editFailed);
    connect(m_mock, &MockForm::editFailed, this, &ApiForm::editFailed);
    connect(m_servers, &ServersForm::editFailed, this, &ApiForm::editFailed);

    connect(m_title, &QLineEdit::editingFinished, this,
            [this] { commit(m_title, QStringLiteral("/info/title"), tr("Set API title")); });
    connect(m_version, &QLineEdit::editingFinished, this,
            [this] { commit(m_version, QStringLiteral("/info/version"), tr("Set API version")); });
    m_description->installEventFilter(new FocusOutFilter(this, [this] {
        commitDescription(m_description, QStringLiteral("/info/description"),
                          tr("Set API description"));
    }));
    m_channelDescription->installEventFilter(new FocusOutFilter(this, [this] {
        const QString key = currentChannel();
        if (!key.isEmpty())
            commitDescription(m_channelDescription, channelPointer(key) + u"/description",
                              tr("Set description of channel %1").arg(key));
    }));
    connect(m_mapping, &QLineEdit::editingFinished, this, &ApiForm::commitMapping);
    connect(m_authType, &QComboBox::activated, this, &ApiForm::commitAuthType);
    connect(m_scopes, &QLineEdit::editingFinished, this, &ApiForm::commitScopes);
    connect(m_mapping, &QLineEdit::textChanged, this, &ApiForm::updatePreview);
    connect(m_samplePath, &QLineEdit::textChanged, this, &ApiForm::updatePreview);
    connect(m_channels, &QListWidget::currentTextChanged, this, &ApiForm::refreshChannelFields);
    connect(m_channels, &QListWidget::currentTextChanged, this, &ApiForm::refreshOperations);
    connect(m_parameters, &QListWidget::currentRowChanged, this, &ApiForm::showParameter);
    connect(m_parameterDescription, &QLineEdit::editingFinished, this, [this] {
        QListWidgetItem *item = m_parameters->currentItem();
        if (item && m_parameterDescription->isModified()) {
            m_parameterDescription->setModified(false);
            setParameterDescription(item->data(Qt::UserRole).toString(),
                                    m_parameterDescription->text().trimmed());
        }
    });
    connect(m_declareParameters, &QPushButton::clicked, this,
            [this] { declareMissingParameters(); });
    connect(m_removeParameters, &QPushButton::clicked, this, [this] { removeUnusedParameters(); });

    connect(m_add, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString address = QInputDialog::getText(
            this, tr("Add Channel"), tr("Address of the new channel (e.g. /rooms/{roomID}):"),
            QLineEdit::Normal, QString(), &ok);
        if (ok && !address.trimmed().isEmpty())
            addChannel(address.trimmed());
    });
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const QString key = currentChannel();
        if (key.isEmpty())
            return;
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename Channel"), tr("New name:"),
                                                   QLineEdit::Normal, key, &ok);
        if (ok && !name.trimmed().isEmpty() && name.trimmed() != key)
            renameChannel(key, name.trimmed());
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (!currentChannel().isEmpty())
            deleteChannel(currentChannel());
    });
    connect(m_up, &QPushButton::clicked, this, [this] {
        if (m_channels->currentRow() > 0)
            moveChannel(currentChannel(), m_channels->currentRow() - 1);
    });
    connect(m_down, &QPushButton::clicked, this, [this] {
        if (m_channels->currentRow() >= 0 && m_channels->currentRow() + 1 < m_channels->count())
            moveChannel(currentChannel(), m_channels->currentRow() + 1);
    });
}

void ApiForm::editorChanged()
{
    m_fieldsChannel.clear();
    m_messages->setEditor(m_editor);
    m_gateway->setEditor(m_editor);
    m_policies->setEditor(m_editor);
    m_mock->setEditor(m_editor);
    m_servers->setEditor(m_editor);
}

void ApiForm::commitPending()
{
    for (QLineEdit *field : {m_title, m_version, m_mapping, m_scopes})
        if (field->hasFocus() && field->isModified())
            Q_EMIT field->editingFinished();
    if (m_description->hasFocus())
        commitDescription(m_description, QStringLiteral("/info/description"),
                          tr("Set API description"));
    if (m_channelDescription->hasFocus() && !currentChannel().isEmpty())
        commitDescription(m_channelDescription, channelPointer(currentChannel()) + u"/description",
                          tr("Set description of channel %1").arg(currentChannel()));
    m_messages->commitPending();
    m_servers->commitPending();
    m_gateway->commitPending();
    m_policies->commitPending();
    m_mock->commitPending();
}

QString ApiForm::currentChannel() const
{
    return m_channels->currentItem() ? m_channels->currentItem()->text() : QString();
}

void ApiForm::selectChannel(const QString &key)
{
    const auto found = m_channels->findItems(key, Qt::MatchExactly);
    if (!found.isEmpty())
        m_channels->setCurrentItem(found.constFirst());
}

QString ApiForm::channelPointer(const QString &key) const
{
    return u"/channels/" + escaped(key);
}

bool ApiForm::focusField(const QString &pointer)
{
    if (!m_editor)
        return false;
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens) || tokens.isEmpty())
        return false;
    if (tokens.size() >= 3 && tokens.at(0) == u"components" && tokens.at(1) == u"messages") {
        m_sections->setCurrentWidget(m_messages);
        return m_messages->focusField(pointer);
    }
    // in a message written inline in a channel
    if (tokens.size() >= 4 && tokens.at(0) == u"channels"
        && (tokens.contains(u"message"_qs) || tokens.at(2) == u"messages")) {
        const int before = m_sections->currentIndex();
        m_sections->setCurrentWidget(m_messages);
        if (m_messages->focusField(pointer))
            return true;
        m_sections->setCurrentIndex(before);
    }
    if ((tokens.size() >= 2 && tokens.at(0) == u"x-gatehouse" && tokens.at(1) == u"policies")
        || (tokens.size() >= 4 && tokens.at(0) == u"channels" && tokens.at(2) == u"x-gatehouse"
            && tokens.at(3) == u"policies")) {
        const int before = m_sections->currentIndex();
        m_sections->setCurrentWidget(m_policies);
        if (m_policies->focusField(pointer))
            return true;
        m_sections->setCurrentIndex(before);
        return false;
    }
    if (tokens.size() >= 2 && tokens.at(0) == u"servers") {
        m_sections->setCurrentWidget(m_servers);
        return m_servers->focusField(pointer);
    }
    if (tokens.size() >= 2 && tokens.at(0) == u"x-gatehouse" && tokens.at(1) == u"mock") {
        m_sections->setCurrentWidget(m_mock);
        return m_mock->focusField(pointer);
    }
    if (tokens.size() >= 2 && tokens.at(0) == u"x-gatehouse"
        && (tokens.at(1) != u"policies" && tokens.at(1) != u"mock" && tokens.at(1) != u"alerts")) {
        const int before = m_sections->currentIndex();
        m_sections->setCurrentWidget(m_gateway);
        if (m_gateway->focusField(pointer))
            return true;
        m_sections->setCurrentIndex(before);
        return false;
    }
    catchUp();
    QWidget *field = nullptr;
    if (tokens.size() == 2 && tokens.at(0) == u"info") {
        if (tokens.at(1) == u"title")
            field = m_title;
        else if (tokens.at(1) == u"version")
            field = m_version;
        else if (tokens.at(1) == u"description")
            field = m_description;
    } else if (tokens.at(0) == u"channels" && tokens.size() >= 2) {
        const QString &key = tokens.at(1);
        const bool operation
            = tokens.size() == 4 && (tokens.at(2) == u"publish" || tokens.at(2) == u"subscribe");
        const QString member = tokens.size() == 3 ? tokens.at(2)
            : operation                           ? tokens.at(3)
                                                  : QString();
        if (tokens.size() == 2)
            field = m_channels;
        else if (tokens.size() == 3 && member == u"description")
            field = m_channelDescription;
        else if (operation && member == u"x-uri-mapping")
            field = m_mapping;
        else if ((tokens.size() == 3 || operation) && member == u"x-auth-type")
            field = m_authType;
        else if (operation && member == u"x-scopes")
            field = m_scopes;
        if (field) {
            selectChannel(key);
            if (currentChannel() != key)
                return false;
        }
    } else if (tokens.at(0) == u"operations" && tokens.size() >= 3
               && (tokens.at(2) == u"x-uri-mapping" || tokens.at(2) == u"x-scopes")
               && m_editor->lastRead().api) {
        // 3.x: the mapping and scopes of an operation are those of its channel
        const Api &api = *m_editor->lastRead().api;
        if (const Operation *op = api.operation(tokens.at(1)))
            if (const Channel *channel = api.channel(op->channelId)) {
                selectChannel(channel->id);
                if (currentChannel() == channel->id)
                    field = tokens.at(2) == u"x-scopes" ? static_cast<QWidget *>(m_scopes)
                                                        : static_cast<QWidget *>(m_mapping);
            }
    }
    if (!field)
        return false;
    m_sections->setCurrentWidget(m_channelsScroll);
    field->setFocus(Qt::OtherFocusReason);
    if (auto *line = qobject_cast<QLineEdit *>(field))
        line->selectAll();
    return true;
}

void ApiForm::refresh()
{
    if (!m_editor)
        return;
    m_refreshing = true;
    // The channels' keys: from the model when it is of the current text (a parse of
    // the text's places costs as much as a read, on this thread), else the text.
    // A large text's places not parsed yet: the list waits for the read.
    QStringList keys;
    const LoadedApi &current = m_editor->lastRead();
    if (!m_editor->hasParsedSource() && !m_editor->isReading() && current.api) {
        for (const Channel &c : current.api->channels)
            keys.append(c.id);
    } else if (m_editor->hasCheapSource()) {
        keys = m_editor->source().keys(QStringLiteral("/channels"));
    } else {
        for (int i = 0; i < m_channels->count(); ++i)
            keys.append(m_channels->item(i)->text());
    }
    QStringList shown;
    for (int i = 0; i < m_channels->count(); ++i)
        shown.append(m_channels->item(i)->text());
    if (shown != keys) {
        const QString current = currentChannel();
        m_channels->clear();
        m_channels->addItems(keys);
        selectChannel(current);
        if (!m_channels->currentItem() && m_channels->count() > 0)
            m_channels->setCurrentRow(0);
    }
    // The fields show the model: while it is behind the text (an edit being read)
    // they keep what the user set; the read brings them up to date.
    const LoadedApi &read = m_editor->lastRead();
    if (read.api && !m_editor->isReading()) {
        const auto show = [](QLineEdit *field, const QString &value) {
            // what the user is typing stays; a focused field they have not typed in
            // follows the text
            if ((!field->hasFocus() || !field->isModified()) && field->text() != value)
                field->setText(value);
        };
        show(m_title, read.api->title);
        show(m_version, read.api->version);
        if (!m_description->hasFocus() && m_description->toPlainText() != read.api->description)
            m_description->setPlainText(read.api->description);
    }
    m_refreshing = false;
    refreshChannelFields();
    refreshOperations();
}

void ApiForm::refreshChannelFields()
{
    const QString key = currentChannel();
    const bool have = !key.isEmpty();
    for (QWidget *w : {static_cast<QWidget *>(m_rename), static_cast<QWidget *>(m_delete),
                       static_cast<QWidget *>(m_channelDescription),
                       static_cast<QWidget *>(m_mapping), static_cast<QWidget *>(m_samplePath),
                       static_cast<QWidget *>(m_authType), static_cast<QWidget *>(m_scopes)})
        w->setEnabled(have);
    m_up->setEnabled(have && m_channels->currentRow() > 0);
    m_down->setEnabled(have && m_channels->currentRow() + 1 < m_channels->count());
    const bool behind = m_editor && m_editor->isReading() && key == m_fieldsChannel;
    if (!m_editor || !m_editor->lastRead().api || behind) {
        updatePreview();
        return;
    }
    m_fieldsChannel = key;
    const Api &api = *m_editor->lastRead().api;
    const bool v3 = api.asyncapiVersion.startsWith(u'3');
    QString description;
    QString mapping;
    QString channelId;
    for (const Channel &c : api.channels) {
        if ((v3 && c.id == key) || (!v3 && c.address == key)) {
            description = c.description;
            channelId = c.id;
            break;
        }
    }
    for (const Operation &op : api.operations) {
        if (op.channelId == channelId && !op.uriMapping.isEmpty()) {
            mapping = op.uriMapping;
            break;
        }
    }
    if (!m_channelDescription->hasFocus() && m_channelDescription->toPlainText() != description)
        m_channelDescription->setPlainText(description);
    if (!m_mapping->hasFocus() && m_mapping->text() != mapping)
        m_mapping->setText(mapping);
    // who may connect: the channel's (3.x, or a 2.x document written so), else the
    // first operation's that says
    QString auth;
    QStringList scopes;
    for (const Channel &c : api.channels)
        if (c.id == channelId)
            auth = c.authType;
    for (const Operation &op : api.operations) {
        if (op.channelId != channelId)
            continue;
        if (auth.isEmpty())
            auth = op.authType;
        if (scopes.isEmpty())
            scopes = op.scopes;
    }
    const int authIndex = m_authType->findData(auth);
    m_authType->setCurrentIndex(authIndex >= 0 ? authIndex : 0);
    m_authWarning->setVisible(auth == u"None");
    const QString scopesText = scopes.join(u' ');
    if ((!m_scopes->hasFocus() || !m_scopes->isModified()) && m_scopes->text() != scopesText)
        m_scopes->setText(scopesText);
    refreshParameters(api, channelId);
    if (m_samplePath->text().isEmpty() || !m_samplePath->property("typed").toBool()) {
        QString address = key;
        for (const Channel &c : api.channels)
            if (c.id == channelId)
                address = c.address;
        // A sample path from the address: every {name} becomes "name1".
        QString sample = address;
        sample.replace(QRegularExpression(QStringLiteral("\\{([^}]*)\\}")), QStringLiteral("\\11"));
        m_samplePath->blockSignals(true);
        m_samplePath->setText(sample);
        m_samplePath->blockSignals(false);
    }
    updatePreview();
}

QString ApiForm::preview() const
{
    if (!m_editor || !m_editor->lastRead().api)
        return tr("(the document is being read)");
    const Api &api = *m_editor->lastRead().api;
    const QString key = currentChannel();
    const bool v3 = api.asyncapiVersion.startsWith(u'3');
    QString address = key;
    for (const Channel &c : api.channels)
        if ((v3 && c.id == key) || (!v3 && c.address == key))
            address = c.address;
    const TopicMatcher matcher(address);
    if (!matcher.isValid())
        return tr("The address %1 is not valid: %2").arg(address, matcher.errorString());
    const auto parameters = matcher.match(m_samplePath->text());
    if (!parameters)
        return tr("%1 does not match the address %2").arg(m_samplePath->text(), address);
    QString path = m_samplePath->text();
    if (!m_mapping->text().trimmed().isEmpty()) {
        const UrlMapper mapper(m_mapping->text().trimmed());
        if (!mapper.isValid())
            return tr("The mapping is not valid: %1").arg(mapper.errorString());
        QString error;
        const auto rendered = mapper.render(*parameters, &error);
        if (!rendered)
            return error;
        path = *rendered;
    }
    QString endpoint = api.gatehouse.endpoint;
    if (endpoint.isEmpty())
        return tr("%1 (no endpoint set in x-gatehouse)").arg(path);
    while (endpoint.endsWith(u'/'))
        endpoint.chop(1);
    return endpoint + path;
}

void ApiForm::updatePreview()
{
    if (sender() == m_samplePath)
        m_samplePath->setProperty("typed", true);
    m_preview->setText(currentChannel().isEmpty() ? QString() : preview());
}

void ApiForm::report(bool ok, const QString &error)
{
    DesignSection::report(m_status, ok, error);
}

void ApiForm::commit(QLineEdit *field, const QString &pointer, const QString &name)
{
    if (!m_editor || m_refreshing)
        return;
    QString error;
    report(m_editor->setValue(pointer, Json(field->text().toStdString()), name, &error), error);
}

void ApiForm::commitDescription(QPlainTextEdit *field, const QString &pointer, const QString &name)
{
    if (!m_editor || m_refreshing)
        return;
    const std::string text = field->toPlainText().toStdString();
    QString error;
    if (text.empty() && m_editor->has(pointer))
        report(m_editor->remove(pointer, name, &error), error);
    else if (!text.empty())
        report(m_editor->setValue(pointer, Json(text), name, &error), error);
}

QStringList ApiForm::operationPointers(const QString &channelKey) const
{
    QStringList out;
    const SourceText &source = m_editor->source();
    const QString channel = channelPointer(channelKey);
    for (const char *action : {"publish", "subscribe"})
        if (source.contains(channel + u'/' + QLatin1String(action)))
            out.append(channel + u'/' + QLatin1String(action));
    if (!out.isEmpty() || !m_editor->lastRead().api)
        return out;
    for (const Operation &op : m_editor->lastRead().api->operations)
        if (op.channelId == channelKey && source.contains(u"/operations/" + escaped(op.id)))
            out.append(u"/operations/" + escaped(op.id));
    return out;
}

void ApiForm::commitMapping()
{
    const QString key = currentChannel();
    if (!m_editor || m_refreshing || key.isEmpty())
        return;
    const QString mapping = m_mapping->text().trimmed();
    const QStringList operations = operationPointers(key);
    if (operations.isEmpty()) {
        report(false,
               tr("Channel %1 has no operation to carry a URL mapping; add one in the "
                  "source first")
                   .arg(key));
        return;
    }
    QUndoStack *undo = m_editor->undoStack();
    undo->beginMacro(tr("Set URL mapping of channel %1").arg(key));
    bool ok = true;
    QString error;
    for (const QString &op : operations) {
        const QString pointer = op + u"/x-uri-mapping";
        if (mapping.isEmpty())
            ok = (!m_editor->has(pointer) || m_editor->remove(pointer, QString(), &error)) && ok;
        else
            ok = m_editor->setValue(pointer, Json(mapping.toStdString()), QString(), &error) && ok;
    }
    undo->endMacro();
    report(ok, error);
}

QString ApiForm::authType() const
{
    return m_authType->currentData().toString();
}

QStringList ApiForm::scopes() const
{
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    return m_scopes->text().split(separators, Qt::SkipEmptyParts);
}

bool ApiForm::setAuthType(const QString &authType, QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty() || !m_editor->lastRead().api)
        return false;
    const bool v3 = m_editor->lastRead().api->asyncapiVersion.startsWith(u'3');
    // 3.x: on the channel; 2.x: on every operation (and on the channel too when the
    // document already says it there, as WSO2's importer reads it)
    QStringList pointers;
    const QString onChannel = channelPointer(key) + u"/x-auth-type";
    if (v3 || m_editor->has(onChannel))
        pointers.append(onChannel);
    if (!v3) {
        for (const QString &op : operationPointers(key))
            pointers.append(op + u"/x-auth-type");
        if (pointers.isEmpty()) {
            const QString why = tr("Channel %1 has no operation to say who may use it; add "
                                   "one in the source first")
                                    .arg(key);
            report(false, why);
            if (error)
                *error = why;
            return false;
        }
    }
    QUndoStack *undo = m_editor->undoStack();
    undo->beginMacro(authType == u"None" ? tr("Open channel %1 to anyone").arg(key)
                                         : tr("Set who may use channel %1").arg(key));
    bool ok = true;
    QString why;
    for (const QString &pointer : std::as_const(pointers)) {
        if (authType.isEmpty())
            ok = (!m_editor->has(pointer) || m_editor->remove(pointer, QString(), &why)) && ok;
        else
            ok = m_editor->setValue(pointer, Json(authType.toStdString()), QString(), &why) && ok;
    }
    undo->endMacro();
    report(ok, why);
    if (error)
        *error = why;
    m_authWarning->setVisible(authType == u"None");
    return ok;
}

bool ApiForm::setScopes(const QStringList &scopes, QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return false;
    const QStringList operations = operationPointers(key);
    if (operations.isEmpty()) {
        const QString why
            = tr("Channel %1 has no operation to carry scopes; add one in the source first")
                  .arg(key);
        report(false, why);
        if (error)
            *error = why;
        return false;
    }
    Json list = Json::array();
    for (const QString &scope : scopes)
        list.push_back(scope.toStdString());
    QUndoStack *undo = m_editor->undoStack();
    undo->beginMacro(tr("Set scopes of channel %1").arg(key));
    bool ok = true;
    QString why;
    for (const QString &op : operations) {
        const QString pointer = op + u"/x-scopes";
        if (scopes.isEmpty())
            ok = (!m_editor->has(pointer) || m_editor->remove(pointer, QString(), &why)) && ok;
        else
            ok = m_editor->setValue(pointer, list, QString(), &why) && ok;
    }
    undo->endMacro();
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

void ApiForm::commitAuthType()
{
    if (!m_refreshing)
        setAuthType(authType());
}

void ApiForm::commitScopes()
{
    if (!m_refreshing && m_scopes->isModified()) {
        m_scopes->setModified(false);
        setScopes(scopes());
    }
}

namespace {

enum ParameterState { Declared, Missing, Unused };
constexpr int StateRole = Qt::UserRole + 1;
constexpr int RefRole = Qt::UserRole + 2;

QStringList addressNames(const QString &address)
{
    static const QRegularExpression names(QStringLiteral("\\{([^{}]+)\\}"));
    QStringList out;
    for (auto it = names.globalMatch(address); it.hasNext();) {
        const QString name = it.next().captured(1);
        if (!out.contains(name))
            out.append(name);
    }
    return out;
}

const Channel *channelById(const Api &api, const QString &id)
{
    for (const Channel &c : api.channels)
        if (c.id == id)
            return &c;
    return nullptr;
}

} // namespace

void ApiForm::refreshParameters(const Api &api, const QString &channelId)
{
    const Channel *channel = channelById(api, channelId);
    const QString current = m_parameters->currentItem()
        ? m_parameters->currentItem()->data(Qt::UserRole).toString()
        : QString();
    const QSignalBlocker block(m_parameters);
    m_parameters->clear();
    if (!channel) {
        showParameter();
        return;
    }
    const QStringList used = addressNames(channel->address);
    QStringList declared;
    for (const ChannelParameter &p : channel->parameters)
        declared.append(p.name);
    const auto add
        = [&](const QString &name, ParameterState state, const QString &text, const QString &ref) {
              auto *item = new QListWidgetItem(text, m_parameters);
              item->setData(Qt::UserRole, name);
              item->setData(StateRole, int(state));
              item->setData(RefRole, ref);
              if (state != Declared)
                  item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
              if (name == current)
                  m_parameters->setCurrentItem(item);
          };
    for (const QString &name : used) {
        const auto found = std::find_if(channel->parameters.cbegin(), channel->parameters.cend(),
                                        [&](const ChannelParameter &p) { return p.name == name; });
        if (found == channel->parameters.cend()) {
            add(name, Missing, tr("%1 — not declared: Declare Missing adds it").arg(name), {});
            continue;
        }
        QString about = found->description;
        if (found->schema.is_object() && found->schema.contains("type")
            && found->schema["type"].is_string())
            about += (about.isEmpty() ? QString() : QStringLiteral(" ("))
                + toQString(found->schema["type"].get<std::string>())
                + (about.isEmpty() ? QString() : QStringLiteral(")"));
        if (!found->enumValues.isEmpty())
            about += (about.isEmpty() ? QString() : QStringLiteral("; "))
                + tr("one of %1").arg(found->enumValues.join(QStringLiteral(", ")));
        if (!found->ref.isEmpty())
            about += (about.isEmpty() ? QString() : QStringLiteral("; ")) + found->ref;
        add(name, Declared, about.isEmpty() ? name : name + QStringLiteral(" — ") + about,
            found->ref);
    }
    for (const QString &name : std::as_const(declared))
        if (!used.contains(name))
            add(name, Unused, tr("%1 — not in the address: Remove Unused takes it out").arg(name),
                {});
    bool missing = false;
    bool unused = false;
    for (int i = 0; i < m_parameters->count(); ++i) {
        missing = missing || m_parameters->item(i)->data(StateRole).toInt() == Missing;
        unused = unused || m_parameters->item(i)->data(StateRole).toInt() == Unused;
    }
    m_declareParameters->setEnabled(missing);
    m_removeParameters->setEnabled(unused);
    if (!m_parameters->currentItem() && m_parameters->count() > 0)
        m_parameters->setCurrentRow(0);
    showParameter();
}

void ApiForm::showParameter()
{
    QListWidgetItem *item = m_parameters->currentItem();
    const bool declared = item && item->data(StateRole).toInt() != Missing;
    const QString ref = item ? item->data(RefRole).toString() : QString();
    m_parameterDescription->setEnabled(declared && ref.isEmpty());
    m_parameterDescription->setToolTip(
        ref.isEmpty() ? tr("description of the selected parameter")
                      : tr("Defined at %1: edit it there (the Source tab)").arg(ref));
    QString description;
    if (declared && m_editor && m_editor->lastRead().api) {
        const Api &api = *m_editor->lastRead().api;
        const bool v3 = api.asyncapiVersion.startsWith(u'3');
        for (const Channel &c : api.channels)
            if ((v3 ? c.id : c.address) == currentChannel())
                for (const ChannelParameter &p : c.parameters)
                    if (p.name == item->data(Qt::UserRole).toString())
                        description = p.description;
    }
    if ((!m_parameterDescription->hasFocus() || !m_parameterDescription->isModified())
        && m_parameterDescription->text() != description)
        m_parameterDescription->setText(description);
}

QStringList ApiForm::parameterRows() const
{
    QStringList rows;
    for (int i = 0; i < m_parameters->count(); ++i)
        rows.append(m_parameters->item(i)->text());
    return rows;
}

bool ApiForm::declareMissingParameters(QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty() || !m_editor->lastRead().api)
        return false;
    const bool v3 = m_editor->lastRead().api->asyncapiVersion.startsWith(u'3');
    QStringList names;
    for (int i = 0; i < m_parameters->count(); ++i)
        if (m_parameters->item(i)->data(StateRole).toInt() == Missing)
            names.append(m_parameters->item(i)->data(Qt::UserRole).toString());
    QString why;
    bool ok = !names.isEmpty();
    const QString name = tr("Declare parameters %1 of channel %2").arg(names.join(u", "_qs), key);
    m_editor->undoStack()->beginMacro(name);
    for (const QString &parameter : std::as_const(names)) {
        const Json value = v3 ? Json::object({{"description", ""}})
                              : Json::object({{"schema", Json::object({{"type", "string"}})}});
        ok = ok
            && m_editor->setValue(channelPointer(key) + u"/parameters/" + escaped(parameter), value,
                                  name, &why);
    }
    m_editor->undoStack()->endMacro();
    report(ok || names.isEmpty(), why);
    if (error)
        *error = why;
    return ok;
}

bool ApiForm::removeUnusedParameters(QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return false;
    QStringList names;
    for (int i = 0; i < m_parameters->count(); ++i)
        if (m_parameters->item(i)->data(StateRole).toInt() == Unused)
            names.append(m_parameters->item(i)->data(Qt::UserRole).toString());
    QString why;
    bool ok = !names.isEmpty();
    const QString name = tr("Remove parameters %1 of channel %2").arg(names.join(u", "_qs), key);
    m_editor->undoStack()->beginMacro(name);
    for (const QString &parameter : std::as_const(names))
        ok = ok
            && m_editor->remove(channelPointer(key) + u"/parameters/" + escaped(parameter), name,
                                &why);
    m_editor->undoStack()->endMacro();
    report(ok || names.isEmpty(), why);
    if (error)
        *error = why;
    return ok;
}

bool ApiForm::setParameterDescription(const QString &parameter, const QString &description,
                                      QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return false;
    const QString pointer
        = channelPointer(key) + u"/parameters/" + escaped(parameter) + u"/description";
    const QString name = tr("Set description of parameter %1").arg(parameter);
    QString why;
    const bool ok = description.isEmpty()
        ? (!m_editor->has(pointer) || m_editor->remove(pointer, name, &why))
        : m_editor->setValue(pointer, Json(description.toStdString()), name, &why);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

bool ApiForm::addChannel(const QString &address, QString *error)
{
    if (!m_editor)
        return false;
    const bool v3
        = m_editor->lastRead().api && m_editor->lastRead().api->asyncapiVersion.startsWith(u'3');
    QString key = v3 ? keyFromAddress(address) : address;
    const QStringList existing = m_editor->source().keys(QStringLiteral("/channels"));
    for (int n = 2; existing.contains(key); ++n)
        key = (v3 ? keyFromAddress(address) : address) + QString::number(n);
    Json value = v3 ? Json::object({{"address", address.toStdString()}}) : Json::object();
    // the address's {name}s are declared as parameters (a string in 2.x)
    static const QRegularExpression names(QStringLiteral("\\{([^{}]+)\\}"));
    for (auto it = names.globalMatch(address); it.hasNext();) {
        const std::string name = it.next().captured(1).toStdString();
        value["parameters"][name]
            = v3 ? Json::object() : Json::object({{"schema", Json::object({{"type", "string"}})}});
    }
    QString why;
    const bool ok
        = m_editor->setValue(channelPointer(key), value, tr("Add channel %1").arg(key), &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        listEditedChannels([&key](QListWidget *list) {
            if (list->findItems(key, Qt::MatchExactly).isEmpty())
                list->addItem(key); // (a new key comes last)
        });
        selectChannel(key);
    }
    return ok;
}

void ApiForm::listEditedChannels(const std::function<void(QListWidget *)> &change)
{
    // The channels' keys from the text's places, unless they would have to be
    // parsed here: the list is changed as the edit did then, and the read of the
    // edit (its places parsed off the GUI thread) checks it.
    if (m_editor->hasCheapSource()) {
        refresh();
        return;
    }
    m_refreshing = true;
    change(m_channels);
    m_refreshing = false;
}

bool ApiForm::renameChannel(const QString &key, const QString &newKey, QString *error)
{
    if (!m_editor)
        return false;
    // references to the channel follow it (3.x operations name their channel so)
    QString why;
    const bool ok = m_editor->renameWithReferences(channelPointer(key), newKey,
                                                   tr("Rename channel %1").arg(key), {}, {}, &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        listEditedChannels([&key, &newKey](QListWidget *list) {
            for (QListWidgetItem *item : list->findItems(key, Qt::MatchExactly))
                item->setText(newKey);
        });
        selectChannel(newKey);
    }
    return ok;
}

bool ApiForm::deleteChannel(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    const bool ok = m_editor->remove(channelPointer(key), tr("Delete channel %1").arg(key), &why);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

bool ApiForm::moveChannel(const QString &key, int index, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    const bool ok
        = m_editor->move(channelPointer(key), index, tr("Move channel %1").arg(key), &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        listEditedChannels([&key, index](QListWidget *list) {
            const QList<QListWidgetItem *> found = list->findItems(key, Qt::MatchExactly);
            if (!found.isEmpty()) {
                QListWidgetItem *item = list->takeItem(list->row(found.constFirst()));
                list->insertItem(std::clamp(index, 0, list->count()), item);
            }
        });
        selectChannel(key);
    }
    return ok;
}

QCheckBox *ApiForm::operationBox(Operation::Action action) const
{
    return action == Operation::Action::Receive ? m_clientsSend : m_backendPushes;
}

QComboBox *ApiForm::operationMessageBox(Operation::Action action) const
{
    return action == Operation::Action::Receive ? m_sendMessage : m_pushMessage;
}

bool ApiForm::hasOperation(Operation::Action action) const
{
    const QString key = currentChannel();
    return m_editor && !key.isEmpty() && !ChannelOperations(m_editor, key).find(action).isEmpty();
}

bool ApiForm::setOperation(Operation::Action action, bool on, QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return false;
    QString why;
    const bool ok = ChannelOperations(m_editor, key).set(action, on, &why);
    report(ok, why);
    if (error)
        *error = why;
    refreshOperations();
    return ok;
}

bool ApiForm::setOperationMessage(Operation::Action action, const QString &message, QString *error)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return false;
    QString why;
    const bool ok = ChannelOperations(m_editor, key).setMessage(action, message, &why);
    report(ok, why);
    if (error)
        *error = why;
    refreshOperations();
    return ok;
}

QString ApiForm::bindingSummary() const
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return QString();
    const QString pointer = channelPointer(key) + u"/bindings/ws";
    QString at;
    const SourceText &source = m_editor->sourceOf(pointer, &at);
    const auto binding = source.contains(at) ? SourceText::parseFragment(source.fragment(at))
                                             : std::optional<Json>();
    if (!binding || !binding->is_object())
        return tr("none: clients send no query or headers the document names");
    // the names of a schema's properties, or what it is
    auto names = [&binding](const char *part) -> QString {
        const Json schema = binding->value(part, Json());
        if (schema.is_null())
            return tr("none");
        const Json properties = schema.value("properties", Json());
        if (!properties.is_object() || properties.empty())
            return tr("a schema");
        QStringList out;
        for (auto it = properties.begin(); it != properties.end(); ++it)
            out.append(QString::fromStdString(it.key()));
        return out.join(QStringLiteral(", "));
    };
    const Json methodValue = binding->value("method", Json());
    const QString method = methodValue.is_string()
        ? QString::fromStdString(methodValue.get<std::string>())
        : QString();
    return (method.isEmpty() ? QString() : method + QStringLiteral("; "))
        + tr("query: %1; headers: %2").arg(names("query"), names("headers"));
}

QPushButton *ApiForm::operationDetailsButton(Operation::Action action) const
{
    return action == Operation::Action::Receive ? m_sendDetails : m_pushDetails;
}

QDialog *ApiForm::editOperation(Operation::Action action)
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return nullptr;
    const QList<ChannelOperations::Found> found = ChannelOperations(m_editor, key).find(action);
    if (found.isEmpty())
        return nullptr;
    auto *dialog = new OperationDialog(m_editor, found.constFirst().pointer, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, &ApiForm::refreshOperations);
    dialog->open();
    return dialog;
}

QDialog *ApiForm::editBinding()
{
    const QString key = currentChannel();
    if (!m_editor || key.isEmpty())
        return nullptr;
    auto *dialog = new ChannelBindingDialog(m_editor, key, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, &ApiForm::refreshOperations);
    dialog->open();
    return dialog;
}

void ApiForm::refreshOperations()
{
    const QString key = currentChannel();
    m_editBinding->setEnabled(m_editor && !key.isEmpty());
    // What the channel's operations and binding say is read from the text's places;
    // a large text's are parsed with its read, which refreshes this again.
    if (m_editor && !key.isEmpty() && !m_editor->hasCheapSource()) {
        m_binding->setText(tr("reading the document…"));
        return;
    }
    m_binding->setText(bindingSummary());
    const bool refreshing = m_refreshing;
    m_refreshing = true;
    for (const Operation::Action action : {Operation::Action::Receive, Operation::Action::Send}) {
        QCheckBox *box = operationBox(action);
        QComboBox *messages = operationMessageBox(action);
        operationDetailsButton(action)->setEnabled(false);
        if (!m_editor || key.isEmpty()) {
            box->setEnabled(false);
            messages->setEnabled(false);
            continue;
        }
        const ChannelOperations operations(m_editor, key);
        const QList<ChannelOperations::Found> found = operations.find(action);
        operationDetailsButton(action)->setEnabled(!found.isEmpty());
        box->setEnabled(true);
        box->setChecked(!found.isEmpty());
        messages->setEnabled(!found.isEmpty() && !found.constFirst().inlineOrMany);
        messages->clear();
        if (operations.isV3())
            messages->addItem(tr("every message of the channel"), QString());
        for (const QString &m : operations.messageChoices())
            messages->addItem(m, m);
        if (found.isEmpty())
            continue;
        const ChannelOperations::Found &f = found.constFirst();
        if (f.inlineOrMany) {
            messages->insertItem(0, tr("as written in the document"), QVariant());
            messages->setCurrentIndex(0);
        } else {
            messages->setCurrentIndex(std::max(0, messages->findData(f.message)));
        }
    }
    m_refreshing = refreshing;
}

} // namespace Gatehouse
