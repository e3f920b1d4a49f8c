// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/messageform.h"

#include "api/api.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/jsonschemavalidator.h"
#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"
#include "editor/schematextedit.h"
#include "mock/schemavaluegenerator.h"
#include "scrolling.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QUndoStack>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

constexpr int CheckDelayMs = 200;

// The line a "line 3, column 5: ..." reason names (0 when none).
int lineOf(const QString &reason)
{
    static const QRegularExpression line(QStringLiteral("^line (\\d+)"));
    const auto match = line.match(reason);
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

constexpr int PointerRole = Qt::UserRole;
constexpr int InlineRole = Qt::UserRole + 1;

QString escaped(const QString &token)
{
    return DocumentLoader::escapePointerToken(token);
}

// What the message written at `pointer` says, read from the text (what is written
// on the message itself: traits are not applied), or nothing.
std::optional<Message> messageAt(const SourceText &source, const QString &pointer)
{
    if (pointer.isEmpty() || !source.contains(pointer))
        return std::nullopt;
    const std::optional<Json> value = SourceText::parseFragment(source.fragment(pointer));
    if (!value || !value->is_object())
        return std::nullopt;
    const auto text = [](const Json &object, const char *member) {
        const auto it = object.find(member);
        return it != object.end() && it->is_string()
            ? QString::fromStdString(it->get<std::string>())
            : QString();
    };
    Message m;
    m.name = text(*value, "name");
    m.title = text(*value, "title");
    m.summary = text(*value, "summary");
    m.contentType = text(*value, "contentType");
    m.payload = value->value("payload", Json());
    m.headers = value->value("headers", Json());
    if (const auto examples = value->find("examples");
        examples != value->end() && examples->is_array())
        for (const Json &e : *examples) {
            MessageExample example;
            if (e.is_object()) {
                example.name = text(e, "name");
                example.summary = text(e, "summary");
                example.payload = e.value("payload", Json());
                example.headers = e.value("headers", Json());
            }
            m.examples.append(example);
        }
    return m;
}

struct Entry
{
    QString label;
    QString pointer;
    bool inlined = false;
    QString where; // for an inline message: where it is written
};

// The messages the form offers: the component messages, then those written inline
// in a channel (2.x operations' `message` and its `oneOf` items, 3.x channel
// `messages`), in text order.
QList<Entry> messageEntries(const SourceText &source)
{
    QList<Entry> out;
    for (const QString &key : source.keys(QStringLiteral("/components/messages")))
        out.append({key, u"/components/messages/" + escaped(key), false, {}});
    const auto inlined = [&](const QString &pointer) {
        return source.contains(pointer) && !source.contains(pointer + u"/$ref");
    };
    for (const QString &channel : source.keys(QStringLiteral("/channels"))) {
        const QString base = u"/channels/" + escaped(channel);
        for (const QString &op : {QStringLiteral("publish"), QStringLiteral("subscribe")}) {
            const QString pointer = base + u'/' + op + u"/message";
            if (source.contains(pointer + u"/oneOf")) {
                for (int i = 0; source.contains(pointer + u"/oneOf/" + QString::number(i)); ++i) {
                    const QString item = pointer + u"/oneOf/" + QString::number(i);
                    if (inlined(item))
                        out.append(
                            {QObject::tr("%1 %2 message %3 (inline)").arg(channel, op).arg(i + 1),
                             item, true,
                             QObject::tr("channel %1, %2, oneOf item %3")
                                 .arg(channel, op)
                                 .arg(i + 1)});
                }
            } else if (inlined(pointer)) {
                out.append({QObject::tr("%1 %2 (inline)").arg(channel, op), pointer, true,
                            QObject::tr("channel %1, %2").arg(channel, op)});
            }
        }
        for (const QString &key : source.keys(base + u"/messages")) {
            const QString pointer = base + u"/messages/" + escaped(key);
            if (inlined(pointer))
                out.append({QObject::tr("%1 %2 (inline)").arg(channel, key), pointer, true,
                            QObject::tr("channel %1, message %2").arg(channel, key)});
        }
    }
    return out;
}

// A component key made from what an inline message says of itself, or where it is.
QString suggestedKey(const SourceText &source, const QString &pointer)
{
    static const QRegularExpression notAllowed(QStringLiteral("[^A-Za-z0-9.\\-_]+"));
    QString key;
    if (const auto m = messageAt(source, pointer))
        key = m->name;
    if (key.isEmpty())
        if (const auto value = SourceText::parseFragment(source.fragment(pointer + u"/messageId"));
            value && value->is_string())
            key = QString::fromStdString(value->get<std::string>());
    if (key.isEmpty()) {
        QStringList tokens;
        SourceText::splitPointer(pointer, &tokens);
        key = tokens.value(tokens.size() - 2) == u"messages" ? tokens.constLast()
                                                             : tokens.value(1) + u"-Message";
    }
    key.replace(notAllowed, QStringLiteral("-"));
    while (key.startsWith(u'-'))
        key.remove(0, 1);
    const QStringList taken = source.keys(QStringLiteral("/components/messages"));
    QString candidate = key.isEmpty() ? QStringLiteral("Message") : key;
    for (int n = 2; taken.contains(candidate); ++n)
        candidate = key + QString::number(n);
    return candidate;
}

} // namespace

MessageForm::MessageForm(QWidget *parent)
    : DesignSection(Follow::Text, parent)
    , m_list(new QListWidget)
    , m_add(new QPushButton(tr("&Add…")))
    , m_rename(new QPushButton(tr("Re&name…")))
    , m_duplicate(new QPushButton(tr("D&uplicate")))
    , m_delete(new QPushButton(tr("&Delete")))
    , m_makeComponent(new QPushButton(tr("Make &Component…")))
    , m_fields(new QWidget)
    , m_reference(new QLabel)
    , m_name(new QLineEdit)
    , m_title(new QLineEdit)
    , m_summary(new QLineEdit)
    , m_contentType(new QComboBox)
    , m_payload(new SchemaTextEdit)
    , m_payloadStatus(new QLabel)
    , m_headers(new SchemaTextEdit)
    , m_headersStatus(new QLabel)
    , m_examples(new QListWidget)
    , m_generate(new QPushButton(tr("&Generate Example")))
    , m_deleteExample(new QPushButton(tr("Delete E&xample")))
    , m_example(new SchemaTextEdit)
    , m_exampleStatus(new QLabel)
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("messageForm"));
    m_list->setAccessibleName(tr("Messages"));
    m_add->setAccessibleName(tr("Add message"));
    m_rename->setAccessibleName(tr("Rename message"));
    m_duplicate->setAccessibleName(tr("Duplicate message"));
    m_delete->setAccessibleName(tr("Delete message"));
    m_makeComponent->setAccessibleName(tr("Make the inline message a component"));
    m_makeComponent->setToolTip(
        tr("Moves the message written inline in its channel under components.messages and "
           "leaves a $ref to it in its place"));
    m_makeComponent->hide();
    m_reference->setAccessibleName(tr("Where the message is defined"));
    m_reference->setWordWrap(true);
    m_reference->hide();
    m_name->setAccessibleName(tr("Message name"));
    m_name->setToolTip(tr("name: a machine-friendly name of the message"));
    m_title->setAccessibleName(tr("Message title"));
    m_title->setToolTip(tr("title: a human-friendly title of the message"));
    m_summary->setAccessibleName(tr("Message summary"));
    m_contentType->setAccessibleName(tr("Message content type"));
    m_contentType->setEditable(true);
    m_contentType->lineEdit()->setAccessibleName(tr("Message content type"));
    m_contentType->addItems(
        {QString(), QStringLiteral("application/json"), QStringLiteral("text/plain"),
         QStringLiteral("application/octet-stream"), QStringLiteral("application/cbor"),
         QStringLiteral("application/msgpack")});
    m_contentType->lineEdit()->setPlaceholderText(tr("the document's default content type"));
    m_contentType->setToolTip(
        tr("contentType: how the payload is written on the wire; empty: the document's "
           "defaultContentType (application/json when it has none)"));
    m_payload->setAccessibleName(tr("Payload schema"));
    m_payload->setAccessibleDescription(
        tr("The message's payload as a JSON Schema, in the document's YAML or JSON. Checked "
           "as you type; written into the document when you leave the field. Ctrl+Tab "
           "moves on."));
    m_headers->setAccessibleName(tr("Headers schema"));
    m_headers->setAccessibleDescription(
        tr("The message's headers as a JSON Schema of type object, in the document's YAML or "
           "JSON. Checked as you type; written into the document when you leave the field; "
           "empty: no headers schema. Ctrl+Tab moves on."));
    m_headersStatus->setAccessibleName(tr("Headers schema check"));
    m_headersStatus->setWordWrap(true);
    m_payloadStatus->setAccessibleName(tr("Payload schema check"));
    m_payloadStatus->setWordWrap(true);
    m_payloadStatus->setTextInteractionFlags(Qt::TextSelectableByMouse
                                             | Qt::TextSelectableByKeyboard);
    m_examples->setAccessibleName(tr("Examples"));
    m_generate->setAccessibleName(tr("Generate an example"));
    m_generate->setToolTip(tr("Adds an example made from the payload schema by the mock's value "
                              "generator"));
    m_deleteExample->setAccessibleName(tr("Delete example"));
    m_example->setAccessibleName(tr("Example payload"));
    m_example->setAccessibleDescription(
        tr("The selected example's payload; checked against the payload schema as you type. "
           "Ctrl+Tab moves on."));
    m_exampleStatus->setAccessibleName(tr("Example check"));
    m_exampleStatus->setWordWrap(true);
    m_status->setAccessibleName(tr("Messages form status"));
    m_status->setWordWrap(true);
    const int lineHeight = fontMetrics().lineSpacing();
    m_payload->setMinimumHeight(lineHeight * 8);
    m_headers->setMinimumHeight(lineHeight * 4);
    m_example->setMinimumHeight(lineHeight * 4);
    m_examples->setMaximumHeight(lineHeight * 4);
    // asked-for heights that keep the examples in view in a window of 860 pixels
    // (and at 200 % scaling on a 1600x1000 screen of logical pixels); more room goes
    // to the payload schema first
    m_payload->setPreferredLines(7);
    m_headers->setPreferredLines(3);
    m_example->setPreferredLines(5);

    auto *listBox = new QGroupBox(tr("Messages"));
    auto *listLayout = new QVBoxLayout(listBox);
    listLayout->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    for (QPushButton *b : {m_add, m_rename, m_duplicate, m_delete})
        listButtons->addWidget(b);
    listLayout->addLayout(listButtons);
    listLayout->addWidget(m_makeComponent);

    auto *fieldsLayout = new QVBoxLayout(m_fields);
    fieldsLayout->setContentsMargins(0, 0, 0, 0);
    fieldsLayout->addWidget(m_reference);
    auto *form = new QFormLayout;
    form->addRow(tr("Na&me:"), m_name);
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("Su&mmary:"), m_summary);
    form->addRow(tr("&Content type:"), m_contentType);
    fieldsLayout->addLayout(form);
    auto *payloadBox = new QGroupBox(tr("&Payload schema"));
    auto *payloadLayout = new QVBoxLayout(payloadBox);
    payloadLayout->addWidget(m_payload, 1);
    payloadLayout->addWidget(m_payloadStatus);
    fieldsLayout->addWidget(payloadBox, 2);
    auto *headersBox = new QGroupBox(tr("&Headers schema"));
    auto *headersLayout = new QVBoxLayout(headersBox);
    headersLayout->addWidget(m_headers, 1);
    headersLayout->addWidget(m_headersStatus);
    fieldsLayout->addWidget(headersBox, 1);
    auto *examplesBox = new QGroupBox(tr("E&xamples"));
    auto *examplesLayout = new QVBoxLayout(examplesBox);
    auto *examplesRow = new QHBoxLayout;
    examplesRow->addWidget(m_examples, 1);
    auto *exampleButtons = new QVBoxLayout;
    exampleButtons->addWidget(m_generate);
    exampleButtons->addWidget(m_deleteExample);
    exampleButtons->addStretch();
    examplesRow->addLayout(exampleButtons);
    examplesLayout->addLayout(examplesRow);
    examplesLayout->addWidget(m_example, 1);
    examplesLayout->addWidget(m_exampleStatus);
    fieldsLayout->addWidget(examplesBox, 1);

    auto *splitter = new QSplitter;
    splitter->addWidget(listBox);
    splitter->addWidget(UiLayout::scrolling(m_fields, tr("Message fields")));
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    m_checkTimer.setSingleShot(true);
    m_checkTimer.setInterval(CheckDelayMs);
    connect(&m_checkTimer, &QTimer::timeout, this, &MessageForm::checkPayloadNow);
    connect(m_payload, &SchemaTextEdit::edited, this, [this] { m_checkTimer.start(); });
    connect(m_payload, &SchemaTextEdit::left, this, [this] {
        if (m_payload->isEdited())
            applyPayload();
    });
    connect(m_headers, &SchemaTextEdit::edited, this, &MessageForm::checkHeaders);
    connect(m_headers, &SchemaTextEdit::left, this, [this] {
        if (m_headers->isEdited())
            applyHeaders();
    });
    connect(m_example, &SchemaTextEdit::edited, this, &MessageForm::checkExample);
    connect(m_example, &SchemaTextEdit::left, this, [this] {
        if (m_example->isEdited())
            applyExample();
    });
    connect(m_name, &QLineEdit::editingFinished, this,
            [this] { commitField(m_name, QStringLiteral("name"), tr("name")); });
    connect(m_title, &QLineEdit::editingFinished, this,
            [this] { commitField(m_title, QStringLiteral("title"), tr("title")); });
    connect(m_summary, &QLineEdit::editingFinished, this,
            [this] { commitField(m_summary, QStringLiteral("summary"), tr("summary")); });
    connect(m_contentType->lineEdit(), &QLineEdit::editingFinished, this, [this] {
        commitField(m_contentType->lineEdit(), QStringLiteral("contentType"), tr("content type"));
    });
    connect(m_contentType, &QComboBox::activated, this, [this] {
        commitField(m_contentType->lineEdit(), QStringLiteral("contentType"), tr("content type"));
    });
    connect(m_list, &QListWidget::currentTextChanged, this, &MessageForm::refreshMessageFields);
    connect(m_examples, &QListWidget::currentRowChanged, this, &MessageForm::showExample);

    connect(m_add, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString key = QInputDialog::getText(this, tr("Add Message"),
                                                  tr("Name of the new message (e.g. ChatMessage):"),
                                                  QLineEdit::Normal, QString(), &ok);
        if (ok && !key.trimmed().isEmpty())
            addMessage(key.trimmed());
    });
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const QString key = currentMessage();
        if (key.isEmpty())
            return;
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename Message"),
                                                   tr("New name (every $ref to it follows):"),
                                                   QLineEdit::Normal, key, &ok);
        if (ok && !name.trimmed().isEmpty() && name.trimmed() != key)
            renameMessage(key, name.trimmed());
    });
    connect(m_duplicate, &QPushButton::clicked, this, [this] {
        if (!currentMessage().isEmpty())
            duplicateMessage(currentMessage());
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (!currentMessage().isEmpty())
            deleteMessage(currentMessage());
    });
    connect(m_makeComponent, &QPushButton::clicked, this, [this] {
        const QString pointer = currentPointer();
        if (!m_editor || !isInline())
            return;
        bool ok = false;
        const QString key = QInputDialog::getText(
            this, tr("Make Component"),
            tr("Name of the message under components.messages (the channel keeps a $ref to it):"),
            QLineEdit::Normal, suggestedKey(m_editor->source(), pointer), &ok);
        if (ok && !key.trimmed().isEmpty())
            makeComponent(pointer, key.trimmed());
    });
    connect(m_generate, &QPushButton::clicked, this, [this] { generateExample(); });
    connect(m_deleteExample, &QPushButton::clicked, this, [this] {
        if (m_examples->currentRow() >= 0)
            deleteExample(m_examples->currentRow());
    });
}

MessageForm::~MessageForm() = default;

void MessageForm::commitPending()
{
    if (m_payload->isEdited())
        applyPayload();
    if (m_headers->isEdited())
        applyHeaders();
    if (m_example->isEdited())
        applyExample();
    for (QLineEdit *field : {m_name, m_title, m_summary, m_contentType->lineEdit()})
        if (field->hasFocus() && field->isModified())
            Q_EMIT field->editingFinished();
}

QString MessageForm::messagePointer(const QString &key) const
{
    return u"/components/messages/" + escaped(key);
}

QString MessageForm::currentPointer() const
{
    return m_list->currentItem() ? m_list->currentItem()->data(PointerRole).toString() : QString();
}

bool MessageForm::isInline() const
{
    return m_list->currentItem() && m_list->currentItem()->data(InlineRole).toBool();
}

void MessageForm::selectPointer(const QString &pointer)
{
    catchUp();
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(PointerRole).toString() == pointer) {
            m_list->setCurrentRow(i);
            return;
        }
}

const Api *MessageForm::api() const
{
    return m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
}

QString MessageForm::currentMessage() const
{
    return m_list->currentItem() ? m_list->currentItem()->text() : QString();
}

QStringList MessageForm::messages() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out.append(m_list->item(i)->text());
    return out;
}

void MessageForm::selectMessage(const QString &key)
{
    catchUp();
    const auto found = m_list->findItems(key, Qt::MatchExactly);
    if (!found.isEmpty())
        m_list->setCurrentItem(found.constFirst());
}

bool MessageForm::isReference() const
{
    if (!m_editor || !m_editor->source().contains(currentPointer() + u"/$ref"))
        return false;
    // one that leads into another file of the document is edited there, from here
    const auto place = m_editor->place(currentPointer(), true);
    return !place || place->file == 0;
}

std::optional<Message> MessageForm::currentValue() const
{
    if (!m_editor)
        return std::nullopt;
    QString at;
    const SourceText &source = m_editor->sourceOf(currentPointer(), &at, true);
    return messageAt(source, at);
}

QByteArray MessageForm::fragmentOf(const QString &pointer, bool *json) const
{
    QString at;
    const SourceText &source = m_editor->sourceOf(pointer, &at);
    *json = source.isJson();
    return source.fragment(at);
}

bool MessageForm::focusField(const QString &pointer)
{
    if (!m_editor)
        return false;
    catchUp();
    // the message listed whose place holds the pointer
    QString message;
    for (int i = 0; i < m_list->count(); ++i) {
        const QString at = m_list->item(i)->data(PointerRole).toString();
        if ((pointer == at || pointer.startsWith(at + u'/')) && at.size() > message.size())
            message = at;
    }
    if (message.isEmpty())
        return false;
    selectPointer(message);
    QStringList tokens;
    if (currentPointer() != message
        || !SourceText::splitPointer(pointer.mid(message.size()), &tokens))
        return false;
    QWidget *field = m_list;
    if (!tokens.isEmpty()) {
        const QString &member = tokens.at(0);
        if (member == u"name")
            field = m_name;
        else if (member == u"title")
            field = m_title;
        else if (member == u"summary")
            field = m_summary;
        else if (member == u"contentType")
            field = m_contentType;
        else if (member == u"payload")
            field = m_payload;
        else if (member == u"headers")
            field = m_headers;
        else if (member == u"examples" && tokens.size() >= 2) {
            selectExample(tokens.at(1).toInt());
            field = m_example;
        }
    }
    field->setFocus(Qt::OtherFocusReason);
    return true;
}

void MessageForm::refresh()
{
    if (!m_editor) {
        m_list->clear();
        return;
    }
    m_refreshing = true;
    // The messages: from the model when it is of the current text and has none
    // written inline (whose places only the text knows), else the text.
    QList<Entry> entries;
    const bool fromModel = !m_editor->hasParsedSource() && !m_editor->isReading() && api()
        && std::none_of(api()->messages.cbegin(), api()->messages.cend(),
                        [](const Message &m) { return m.inlined; });
    if (fromModel) {
        for (const Message &m : api()->messages)
            entries.append({m.id, messagePointer(m.id), false, {}});
    } else {
        entries = messageEntries(m_editor->source());
    }
    bool same = entries.size() == m_list->count();
    for (int i = 0; same && i < entries.size(); ++i)
        same = m_list->item(i)->text() == entries.at(i).label
            && m_list->item(i)->data(PointerRole).toString() == entries.at(i).pointer;
    if (!same) {
        const QString current = currentPointer();
        m_list->clear();
        QFont italic = m_list->font();
        italic.setItalic(true);
        for (const Entry &entry : std::as_const(entries)) {
            auto *item = new QListWidgetItem(entry.label, m_list);
            item->setData(PointerRole, entry.pointer);
            item->setData(InlineRole, entry.inlined);
            if (entry.inlined) {
                item->setFont(italic);
                item->setToolTip(tr("Written inline in %1. Make Component moves it under "
                                    "components.messages, where other channels can use it.")
                                     .arg(entry.where));
            }
        }
        selectPointer(current);
        if (!m_list->currentItem() && m_list->count() > 0)
            m_list->setCurrentRow(0);
    }
    m_refreshing = false;
    refreshMessageFields();
}

void MessageForm::refreshMessageFields()
{
    const QString key = currentMessage();
    const QString at = currentPointer();
    const bool have = !key.isEmpty() && m_editor;
    // A $ref here: to a message of this file (a reference, edited where it leads), or
    // into another file of the document (edited here, written there). Where it
    // leads is found once (isReference() finds it again).
    const bool referred = have && m_editor->source().contains(at + u"/$ref");
    const auto place = referred ? m_editor->place(at, true) : std::nullopt;
    const bool reference = referred && (!place || place->file == 0);
    const auto elsewhere = referred && !reference ? place : std::nullopt;
    for (QPushButton *b : {m_rename, m_duplicate, m_delete})
        b->setEnabled(have && !isInline());
    m_makeComponent->setEnabled(have && isInline());
    m_makeComponent->setVisible(have && isInline());
    m_fields->setEnabled(have && !reference);
    m_reference->setVisible(reference || elsewhere);
    if (reference) {
        const QString pointer = at + u"/$ref";
        const auto [start, end] = m_editor->source().valueSpan(pointer);
        m_reference->setText(
            tr("Message %1 is defined at %2: edit it there (the Source tab).")
                .arg(key, QString::fromUtf8(m_editor->source().text().mid(start, end - start))));
    } else if (elsewhere) {
        const QString file = QFileInfo(m_editor->path())
                                 .absoluteDir()
                                 .relativeFilePath(m_editor->filePath(elsewhere->file));
        m_reference->setText(tr("Message %1 is written in %2 (at #%3): edits here change "
                                "that file, and Save writes it.")
                                 .arg(key, QDir::toNativeSeparators(file), elsewhere->pointer));
    }
    const std::optional<Message> found = have ? currentValue() : std::optional<Message>();
    const Message *message = found ? &*found : nullptr;
    const auto show = [](QLineEdit *field, const QString &value) {
        // what the user is typing stays
        if ((!field->hasFocus() || !field->isModified()) && field->text() != value)
            field->setText(value);
    };
    m_refreshing = true;
    show(m_name, message ? message->name : QString());
    show(m_title, message ? message->title : QString());
    show(m_summary, message ? message->summary : QString());
    show(m_contentType->lineEdit(), message ? message->contentType : QString());
    m_refreshing = false;
    if (have && !reference && !m_payload->isEdited()) {
        bool json = false;
        const QByteArray fragment = fragmentOf(at + u"/payload", &json);
        m_payload->setJson(json);
        m_payload->setFragment(fragment);
        compileSchema(message ? message->payload : Json());
        m_payloadProblem.clear();
        m_payloadStatus->setText(message && !message->payload.is_null()
                                     ? (m_validator && !m_validator->isValid()
                                            ? m_validator->errorString()
                                            : tr("A valid JSON Schema."))
                                     : tr("No payload schema: any payload is accepted."));
    } else if (!have) {
        m_payload->setFragment(QByteArray());
        m_payloadStatus->clear();
        m_validator.reset();
    }
    if (have && !reference && !m_headers->isEdited()) {
        bool json = false;
        const QByteArray fragment = fragmentOf(at + u"/headers", &json);
        m_headers->setJson(json);
        m_headers->setFragment(fragment);
        checkHeaders();
    } else if (!have) {
        m_headers->setFragment(QByteArray());
        m_headersStatus->clear();
        m_headersProblem.clear();
    }
    refreshExamples();
}

void MessageForm::compileSchema(const Json &schema)
{
    const Api *a = api();
    if (schema.is_null()) {
        m_validator.reset();
        return;
    }
    m_validator = std::make_unique<JsonSchemaValidator>(a ? a->resolved(schema) : schema);
}

void MessageForm::refreshExamples()
{
    const std::optional<Message> found = currentValue();
    const Message *message = found ? &*found : nullptr;
    const bool reference = message && isReference();
    const int row = m_examples->currentRow();
    m_exampleProblems.clear();
    QStringList labels;
    if (message && !reference) {
        for (int i = 0; i < message->examples.size(); ++i) {
            const MessageExample &example = message->examples.at(i);
            QString problem;
            if (m_validator && m_validator->isValid() && !example.payload.is_null()) {
                const auto errors = m_validator->validate(example.payload, 1);
                if (!errors.isEmpty())
                    problem = errors.constFirst().toString();
            }
            m_exampleProblems.append(problem);
            QString label = example.name.isEmpty() ? tr("Example %1").arg(i + 1) : example.name;
            label += problem.isEmpty() ? tr(" — matches the schema")
                                       : tr(" — does not match: %1").arg(problem);
            labels.append(label);
        }
    }
    QStringList shown;
    for (int i = 0; i < m_examples->count(); ++i)
        shown.append(m_examples->item(i)->text());
    if (shown != labels) {
        const QSignalBlocker block(m_examples);
        m_examples->clear();
        for (int i = 0; i < labels.size(); ++i) {
            auto *item = new QListWidgetItem(labels.at(i), m_examples);
            item->setForeground(m_exampleProblems.at(i).isEmpty() ? palette().color(QPalette::Text)
                                                                  : QColor(0xd3, 0x2f, 0x2f));
        }
        m_examples->setCurrentRow(std::min(std::max(row, 0), int(labels.size()) - 1));
    }
    if (m_examples->property("selectLast").toBool() && m_examples->count() > 0) {
        // a generated example is shown once it is read
        m_examples->setProperty("selectLast", false);
        const QSignalBlocker block(m_examples);
        m_examples->setCurrentRow(m_examples->count() - 1);
    }
    m_deleteExample->setEnabled(m_examples->currentRow() >= 0);
    m_generate->setEnabled(message != nullptr && !reference);
    showExample();
}

void MessageForm::showExample()
{
    const int row = m_examples->currentRow();
    m_deleteExample->setEnabled(row >= 0);
    m_example->setEnabled(row >= 0);
    if (m_example->isEdited())
        return; // what the user is typing stays
    if (row < 0 || !m_editor) {
        m_example->setFragment(QByteArray());
        m_exampleStatus->clear();
        return;
    }
    const QString pointer = currentPointer() + u"/examples/" + QString::number(row) + u"/payload";
    bool json = false;
    const QByteArray fragment = fragmentOf(pointer, &json);
    m_example->setJson(json);
    m_example->setFragment(fragment);
    m_exampleStatus->setText(
        exampleProblem(row).isEmpty()
            ? tr("Matches the payload schema.")
            : tr("Does not match the payload schema: %1").arg(exampleProblem(row)));
}

void MessageForm::selectExample(int index)
{
    if (index >= 0 && index < m_examples->count())
        m_examples->setCurrentRow(index);
}

int MessageForm::exampleCount() const
{
    return m_examples->count();
}

QString MessageForm::exampleProblem(int index) const
{
    return index >= 0 && index < m_exampleProblems.size() ? m_exampleProblems.at(index) : QString();
}

namespace {

// The value a code field says (null when it is empty), or nothing with the parse
// error in `problem`, marked at its line.
std::optional<Json> typedValue(SchemaTextEdit *field, QString *problem)
{
    const QByteArray text = field->fragment();
    if (text.trimmed().isEmpty())
        return Json();
    QString error;
    std::optional<Json> value = SourceText::parseFragment(text, &error);
    if (!value) {
        *problem = error;
        field->markProblem(lineOf(error), error);
    }
    return value;
}

} // namespace

void MessageForm::checkPayloadNow()
{
    m_checkTimer.stop();
    if (!m_editor || currentMessage().isEmpty())
        return;
    const std::optional<Json> value = typedValue(m_payload, &m_payloadProblem);
    if (value) {
        compileSchema(*value);
        m_payloadProblem
            = m_validator && !m_validator->isValid() ? m_validator->errorString() : QString();
        m_payload->markProblem(0, QString());
    }
    m_payloadStatus->setText(m_payloadProblem.isEmpty()
                                 ? (value && value->is_null()
                                        ? tr("No payload schema: any payload is accepted.")
                                        : tr("A valid JSON Schema."))
                                 : m_payloadProblem);
    // the examples are checked against what is typed
    if (m_payloadProblem.isEmpty())
        refreshExamples();
}

bool MessageForm::applyPayload(QString *error)
{
    const QString key = currentMessage();
    if (!m_editor || key.isEmpty())
        return false;
    checkPayloadNow();
    if (!m_payloadProblem.isEmpty()) {
        const QString why = tr("Payload schema of %1 not written: %2").arg(key, m_payloadProblem);
        report(false, why);
        if (error)
            *error = why;
        return false;
    }
    const QString pointer = currentPointer() + u"/payload";
    const QString name = tr("Edit payload schema of message %1").arg(key);
    QString why;
    bool ok = true;
    if (m_payload->fragment().trimmed().isEmpty())
        ok = !m_editor->has(pointer) || m_editor->remove(pointer, name, &why);
    else
        ok = m_editor->setFragment(pointer, m_payload->fragment(), name, &why);
    if (ok)
        m_payload->setEdited(false);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

void MessageForm::checkHeaders()
{
    const std::optional<Json> value = typedValue(m_headers, &m_headersProblem);
    if (value) {
        m_headersProblem.clear();
        if (!value->is_null()) {
            const QString why = JsonSchemaValidator::objectSchemaProblem(
                api() ? api()->resolved(*value) : *value);
            if (!why.isEmpty())
                m_headersProblem = tr("headers: %1").arg(why);
        }
        m_headers->markProblem(m_headersProblem.isEmpty() ? 0 : 1, m_headersProblem);
    }
    m_headersStatus->setText(m_headersProblem.isEmpty()
                                 ? (value && value->is_null()
                                        ? tr("No headers schema.")
                                        : tr("A valid JSON Schema of the headers."))
                                 : m_headersProblem);
}

bool MessageForm::applyHeaders(QString *error)
{
    const QString key = currentMessage();
    if (!m_editor || key.isEmpty())
        return false;
    checkHeaders();
    QString why;
    bool ok = m_headersProblem.isEmpty();
    if (!ok) {
        why = tr("Headers schema of %1 not written: %2").arg(key, m_headersProblem);
    } else {
        const QString pointer = currentPointer() + u"/headers";
        const QString name = tr("Edit headers schema of message %1").arg(key);
        ok = m_headers->fragment().trimmed().isEmpty()
            ? (!m_editor->has(pointer) || m_editor->remove(pointer, name, &why))
            : m_editor->setFragment(pointer, m_headers->fragment(), name, &why);
        if (ok)
            m_headers->setEdited(false);
    }
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

void MessageForm::checkExample()
{
    QString error;
    const auto value = SourceText::parseFragment(m_example->fragment(), &error);
    if (!value) {
        m_example->markProblem(lineOf(error), error);
        m_exampleStatus->setText(error);
        return;
    }
    m_example->markProblem(0, QString());
    QString problem;
    if (m_validator && m_validator->isValid()) {
        const auto errors = m_validator->validate(*value, 1);
        if (!errors.isEmpty())
            problem = errors.constFirst().toString();
    }
    m_exampleStatus->setText(problem.isEmpty()
                                 ? tr("Matches the payload schema.")
                                 : tr("Does not match the payload schema: %1").arg(problem));
}

bool MessageForm::applyExample(QString *error)
{
    const QString key = currentMessage();
    const int row = m_examples->currentRow();
    if (!m_editor || key.isEmpty() || row < 0)
        return false;
    QString why;
    const QString pointer = currentPointer() + u"/examples/" + QString::number(row) + u"/payload";
    const bool ok
        = m_editor->setFragment(pointer, m_example->fragment(),
                                tr("Edit example %1 of message %2").arg(row + 1).arg(key), &why);
    if (ok)
        m_example->setEdited(false);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

bool MessageForm::generateExample(QString *error)
{
    const QString key = currentMessage();
    const Api *a = api();
    const std::optional<Message> found = currentValue();
    const Message *message = found ? &*found : nullptr;
    if (!m_editor || !message)
        return false;
    // from the schema in the field when it is valid, else the document's
    Json schema = message->payload;
    if (m_payload->isEdited() && m_payloadProblem.isEmpty())
        if (const auto typed = SourceText::parseFragment(m_payload->fragment()))
            schema = *typed;
    Json value = Json::object();
    if (!schema.is_null()) {
        const JsonSchemaValidator validator(a ? a->resolved(schema) : schema);
        SchemaValueGenerator generator(m_seed++, a);
        for (int attempt = 0; attempt < 20; ++attempt) {
            value = generator.generate(schema);
            if (!validator.isValid() || validator.accepts(value))
                break;
        }
    }
    const QString base = currentPointer() + u"/examples";
    const int count = int(message->examples.size());
    Json example = Json::object(
        {{"name", QStringLiteral("example%1").arg(count + 1).toStdString()}, {"payload", value}});
    QString why;
    const QString name = tr("Generate example of message %1").arg(key);
    const bool ok = m_editor->has(base)
        ? m_editor->setValue(base + u"/-", example, name, &why)
        : m_editor->setValue(base, Json::array({example}), name, &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        m_editor->readNow();
        m_examples->setProperty("selectLast", true);
    }
    return ok;
}

bool MessageForm::deleteExample(int index, QString *error)
{
    const QString key = currentMessage();
    if (!m_editor || key.isEmpty())
        return false;
    QString why;
    m_example->setEdited(false);
    const bool ok
        = m_editor->remove(currentPointer() + u"/examples/" + QString::number(index),
                           tr("Delete example %1 of message %2").arg(index + 1).arg(key), &why);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

void MessageForm::commitField(QLineEdit *field, const QString &member, const QString &what)
{
    const QString key = currentMessage();
    if (!m_editor || m_refreshing || key.isEmpty() || !field->isModified())
        return;
    field->setModified(false);
    const QString pointer = currentPointer() + u'/' + member;
    const QString value = field->text().trimmed();
    const QString name = tr("Set %1 of message %2").arg(what, key);
    QString why;
    bool ok = true;
    if (value.isEmpty())
        ok = !m_editor->has(pointer) || m_editor->remove(pointer, name, &why);
    else
        ok = m_editor->setValue(pointer, Json(value.toStdString()), name, &why);
    report(ok, why);
}

void MessageForm::editorChanged()
{
    m_payload->setEdited(false);
    m_headers->setEdited(false);
    m_example->setEdited(false);
}

void MessageForm::report(bool ok, const QString &error)
{
    DesignSection::report(m_status, ok, error);
}

bool MessageForm::finish(bool ok, const QString &why, QString *error, const QString &select)
{
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        refresh();
        selectMessage(select);
    }
    return ok;
}

bool MessageForm::addMessage(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    bool ok = true;
    if (m_editor->source().keys(QStringLiteral("/components/messages")).contains(key)) {
        ok = false;
        why = tr("There is a message %1 already").arg(key);
    } else {
        const Json message = Json::object({{"name", key.toStdString()},
                                           {"title", key.toStdString()},
                                           {"payload", Json::object({{"type", "object"}})}});
        ok = m_editor->setValue(messagePointer(key), message, tr("Add message %1").arg(key), &why);
    }
    return finish(ok, why, error, key);
}

bool MessageForm::renameMessage(const QString &key, const QString &newKey, QString *error)
{
    if (!m_editor)
        return false;
    // every $ref to it follows, and a 2.x `messageId`-less name stays as it was
    QString why;
    const bool ok = m_editor->renameComponent(messagePointer(key), newKey, &why);
    return finish(ok, why, error, newKey);
}

bool MessageForm::duplicateMessage(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    const QStringList existing = m_editor->source().keys(QStringLiteral("/components/messages"));
    QString copy = key + QStringLiteral("Copy");
    for (int n = 2; existing.contains(copy); ++n)
        copy = key + QStringLiteral("Copy") + QString::number(n);
    QString why;
    const auto value
        = SourceText::parseFragment(m_editor->source().fragment(messagePointer(key)), &why);
    bool ok = value.has_value();
    if (ok)
        ok = m_editor->setValue(messagePointer(copy), *value,
                                tr("Duplicate message %1 as %2").arg(key, copy), &why);
    return finish(ok, why, error, copy);
}

bool MessageForm::deleteMessage(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    bool ok = true;
    const QStringList uses = m_editor->referencesTo(messagePointer(key));
    if (!uses.isEmpty()) {
        ok = false;
        why = tr("Message %1 is used at %2%3: remove that use first")
                  .arg(key, uses.constFirst().chopped(int(qstrlen("/$ref"))),
                       uses.size() > 1 ? tr(" and %n more place(s)", nullptr, int(uses.size()) - 1)
                                       : QString());
    } else {
        ok = m_editor->remove(messagePointer(key), tr("Delete message %1").arg(key), &why);
    }
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

bool MessageForm::makeComponent(const QString &pointer, const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    const bool ok
        = m_editor->makeComponent(pointer, QStringLiteral("/components/messages"), key, &why);
    return finish(ok, why, error, key);
}

} // namespace Gatehouse
