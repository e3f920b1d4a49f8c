// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/serversform.h"

#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QUndoStack>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

// Why `key` cannot name a server (AsyncAPI allows letters, digits, '-' and '_'), or empty.
QString serverKeyProblem(const QString &key)
{
    static const QRegularExpression serverKey(QStringLiteral("^[A-Za-z0-9_\\-]+$"));
    return serverKey.match(key).hasMatch()
        ? QString()
        : ServersForm::tr("\"%1\" cannot name a server: use letters, digits, '-' and '_'").arg(key);
}

// A scalar as a field shows it (numbers and booleans as written).
QString scalarText(const Json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_null())
        return QString();
    return QString::fromStdString(value.dump());
}

// The scheme a requirement names: 2.x by its (only) key, 3.x by its `$ref`.
QString schemeOf(const Json &requirement)
{
    if (!requirement.is_object() || requirement.empty())
        return QString();
    const auto ref = requirement.find("$ref");
    if (ref != requirement.end() && ref->is_string()) {
        const QString text = QString::fromStdString(ref->get<std::string>());
        QStringList tokens;
        return SourceText::splitPointer(text.mid(text.indexOf(u'#') + 1), &tokens)
            ? tokens.value(tokens.size() - 1)
            : QString();
    }
    return QString::fromStdString(requirement.begin().key());
}

} // namespace

ServersForm::ServersForm(QWidget *parent)
    : DesignSection(Follow::Text, parent)
    , m_list(new QListWidget)
    , m_add(new QPushButton(tr("&Add…")))
    , m_rename(new QPushButton(tr("Re&name…")))
    , m_delete(new QPushButton(tr("&Delete")))
    , m_url(new QLineEdit)
    , m_host(new QLineEdit)
    , m_pathname(new QLineEdit)
    , m_protocol(new QComboBox)
    , m_protocolVersion(new QLineEdit)
    , m_title(new QLineEdit)
    , m_summary(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_security(new QLineEdit)
    , m_reference(new QLabel)
    , m_status(new QLabel)
    , m_fields(new QGroupBox(tr("Selected server")))
{
    setObjectName(QStringLiteral("serversForm"));
    m_list->setAccessibleName(tr("Servers"));
    m_list->setToolTip(tr("The servers the document describes: where clients reach the API "
                          "(the gateway itself serves on its listen addresses)"));
    m_add->setAccessibleName(tr("Add server"));
    m_rename->setAccessibleName(tr("Rename server"));
    m_rename->setToolTip(tr("Rename the selected server; the channels naming it follow"));
    m_delete->setAccessibleName(tr("Delete server"));
    m_url->setAccessibleName(tr("Server URL"));
    m_url->setPlaceholderText(tr("e.g. ws://localhost:8080/chats or {host}:{port}"));
    m_url->setToolTip(tr("url: where the server is (2.x); {name}s are its variables"));
    m_host->setAccessibleName(tr("Server host"));
    m_host->setPlaceholderText(tr("e.g. localhost:8080"));
    m_host->setToolTip(tr("host: the server's host and port (3.x)"));
    m_pathname->setAccessibleName(tr("Server pathname"));
    m_pathname->setPlaceholderText(tr("none; e.g. /chats"));
    m_pathname->setToolTip(tr("pathname: the path on the host every channel's address follows "
                              "(3.x). Default: none."));
    m_protocol->setAccessibleName(tr("Server protocol"));
    m_protocol->setEditable(true);
    m_protocol->lineEdit()->setAccessibleName(tr("Server protocol"));
    m_protocol->addItems({QStringLiteral("ws"), QStringLiteral("wss"), QStringLiteral("http"),
                          QStringLiteral("https"), QStringLiteral("mqtt"), QStringLiteral("amqp"),
                          QStringLiteral("kafka")});
    m_protocol->setToolTip(tr("protocol: ws or wss for a WebSocket API"));
    m_protocolVersion->setAccessibleName(tr("Server protocol version"));
    m_protocolVersion->setPlaceholderText(tr("none; e.g. 13"));
    m_title->setAccessibleName(tr("Server title"));
    m_summary->setAccessibleName(tr("Server summary"));
    m_description->setAccessibleName(tr("Server description"));
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(m_description->fontMetrics().lineSpacing() * 4);
    m_security->setAccessibleName(tr("Server security schemes"));
    m_security->setPlaceholderText(tr("none; e.g. bearer, apiKey"));
    m_security->setToolTip(tr("security: the security schemes (of the Gateway section) a client "
                              "of this server uses, separated by commas or spaces. Default: "
                              "none."));
    m_reference->setAccessibleName(tr("Server reference"));
    m_reference->setWordWrap(true);
    m_reference->hide();
    m_status->setAccessibleName(tr("Form status"));
    m_status->setWordWrap(true);

    auto *servers = new QGroupBox(tr("Servers"));
    auto *serversLayout = new QHBoxLayout(servers);
    serversLayout->addWidget(m_list, 1);
    auto *buttons = new QVBoxLayout;
    for (QPushButton *b : {m_add, m_rename, m_delete})
        buttons->addWidget(b);
    buttons->addStretch();
    serversLayout->addLayout(buttons);

    auto *form = new QFormLayout(m_fields);
    form->addRow(m_reference);
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Pathname:"), m_pathname);
    form->addRow(tr("Pr&otocol:"), m_protocol);
    form->addRow(tr("Protocol &version:"), m_protocolVersion);
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("Su&mmary:"), m_summary);
    form->addRow(tr("D&escription:"), m_description);
    form->addRow(tr("Se&curity:"), m_security);

    m_list->setMaximumHeight(m_list->fontMetrics().lineSpacing() * 8 + 8);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(servers);
    layout->addWidget(m_fields);
    layout->addWidget(m_status);
    layout->addStretch(1);

    connect(m_list, &QListWidget::currentRowChanged, this, [this] {
        if (!m_refreshing)
            showServer();
    });
    const std::pair<QLineEdit *, const char *> lines[]
        = {{m_url, "url"},          {m_host, "host"},       {m_pathname, "pathname"},
           {m_title, "title"},      {m_summary, "summary"}, {m_protocolVersion, "protocolVersion"},
           {m_security, "security"}};
    for (const auto &[edit, key] : lines)
        connect(edit, &QLineEdit::editingFinished, this,
                [this, key = QString::fromLatin1(key)] { commitField(key); });
    connect(m_protocol->lineEdit(), &QLineEdit::editingFinished, this,
            [this] { commitField(QStringLiteral("protocol")); });
    connect(m_protocol, &QComboBox::activated, this,
            [this] { commitField(QStringLiteral("protocol")); });
    m_description->installEventFilter(this);
    connect(m_add, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString key = QInputDialog::getText(this, tr("Add Server"),
                                                  tr("Name of the new server (e.g. production):"),
                                                  QLineEdit::Normal, QString(), &ok);
        if (ok && !key.trimmed().isEmpty())
            addServer(key.trimmed());
    });
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const QString key = currentServer();
        if (key.isEmpty())
            return;
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename Server"), tr("New name:"),
                                                   QLineEdit::Normal, key, &ok);
        if (ok && !name.trimmed().isEmpty() && name.trimmed() != key)
            renameServer(key, name.trimmed());
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (!currentServer().isEmpty())
            deleteServer(currentServer());
    });
    showServer();
}

bool ServersForm::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_description && event->type() == QEvent::FocusOut)
        commitField(QStringLiteral("description"));
    return DesignSection::eventFilter(watched, event);
}

QString ServersForm::currentServer() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item ? item->text() : QString();
}

void ServersForm::selectServer(const QString &key)
{
    const auto found = m_list->findItems(key, Qt::MatchExactly);
    if (!found.isEmpty())
        m_list->setCurrentItem(found.constFirst());
}

bool ServersForm::isV3() const
{
    if (!m_editor)
        return false;
    if (m_editor->lastRead().api)
        return m_editor->lastRead().api->asyncapiVersion.startsWith(u'3');
    const auto version = SourceText::parseFragment(m_editor->source().fragment(u"/asyncapi"_qs));
    return version && version->is_string() && version->get<std::string>().starts_with('3');
}

QString ServersForm::serverPointer(const QString &key) const
{
    return SourceText::joinPointer({QStringLiteral("servers"), key});
}

Json ServersForm::server(const QString &key) const
{
    if (!m_editor || key.isEmpty() || !m_editor->source().contains(serverPointer(key)))
        return Json();
    const auto value = SourceText::parseFragment(m_editor->source().fragment(serverPointer(key)));
    return value ? *value : Json();
}

QWidget *ServersForm::field(const QString &key) const
{
    const std::pair<const char *, QWidget *> fields[] = {{"url", m_url},
                                                         {"host", m_host},
                                                         {"pathname", m_pathname},
                                                         {"protocol", m_protocol},
                                                         {"protocolVersion", m_protocolVersion},
                                                         {"title", m_title},
                                                         {"summary", m_summary},
                                                         {"description", m_description},
                                                         {"security", m_security}};
    for (const auto &[name, widget] : fields)
        if (key == QLatin1String(name))
            return widget;
    return nullptr;
}

bool ServersForm::isShown(const QString &key) const
{
    QWidget *w = field(key);
    auto *form = qobject_cast<QFormLayout *>(m_fields->layout());
    return w && form && form->isRowVisible(w);
}

QString ServersForm::fieldText(const QString &key) const
{
    if (key == u"description")
        return m_description->toPlainText();
    if (key == u"protocol")
        return m_protocol->currentText();
    auto *edit = qobject_cast<QLineEdit *>(field(key));
    return edit ? edit->text() : QString();
}

void ServersForm::refresh()
{
    if (!m_editor)
        return;
    m_refreshing = true;
    const QStringList keys = m_editor->source().keys(QStringLiteral("/servers"));
    QStringList shown;
    for (int i = 0; i < m_list->count(); ++i)
        shown.append(m_list->item(i)->text());
    if (shown != keys) {
        const QString current = m_select.isEmpty() ? currentServer() : m_select;
        m_list->clear();
        m_list->addItems(keys);
        selectServer(current);
        if (!m_list->currentItem() && m_list->count() > 0)
            m_list->setCurrentRow(0);
    } else if (!m_select.isEmpty()) {
        selectServer(m_select);
    }
    if (keys.contains(m_select))
        m_select.clear();
    m_refreshing = false;
    showServer();
}

void ServersForm::showServer()
{
    const QString key = currentServer();
    const Json raw = server(key);
    const bool v3 = isV3();
    auto *form = qobject_cast<QFormLayout *>(m_fields->layout());
    form->setRowVisible(m_url, !v3);
    for (QWidget *w : {static_cast<QWidget *>(m_host), static_cast<QWidget *>(m_pathname),
                       static_cast<QWidget *>(m_title), static_cast<QWidget *>(m_summary)})
        form->setRowVisible(w, v3);
    const auto ref = raw.is_object() ? raw.find("$ref") : raw.end();
    const bool referenced = raw.is_object() && ref != raw.end();
    m_reference->setText(referenced
                             ? tr("Defined at %1: edit it there (Source tab)").arg(scalarText(*ref))
                             : QString());
    form->setRowVisible(m_reference, referenced);
    m_fields->setEnabled(!key.isEmpty() && !referenced);
    m_rename->setEnabled(!key.isEmpty());
    m_delete->setEnabled(!key.isEmpty());
    const bool other = key != m_shownServer; // another server: every field follows
    m_shownServer = key;
    auto value = [&raw](const char *name) {
        return raw.is_object() && raw.contains(name) ? scalarText(raw[name]) : QString();
    };
    const bool refreshing = m_refreshing;
    m_refreshing = true;
    for (const char *name : {"url", "host", "pathname", "protocolVersion", "title", "summary"}) {
        auto *edit = qobject_cast<QLineEdit *>(field(QLatin1String(name)));
        const QString text = value(name);
        if ((other || !edit->hasFocus() || !edit->isModified()) && edit->text() != text)
            edit->setText(text);
    }
    if ((other || !m_protocol->hasFocus()) && m_protocol->currentText() != value("protocol"))
        m_protocol->setCurrentText(value("protocol"));
    if ((other || !m_description->hasFocus())
        && m_description->toPlainText() != value("description"))
        m_description->setPlainText(value("description"));
    QStringList schemes;
    if (raw.is_object() && raw.contains("security") && raw["security"].is_array())
        for (const Json &requirement : raw["security"])
            schemes.append(schemeOf(requirement));
    const QString security = schemes.join(QStringLiteral(", "));
    if ((other || !m_security->hasFocus() || !m_security->isModified())
        && m_security->text() != security)
        m_security->setText(security);
    m_refreshing = refreshing;
}

void ServersForm::report(bool ok, const QString &error)
{
    DesignSection::report(m_status, ok, error);
}

bool ServersForm::commitField(const QString &key, QString *error)
{
    const QString server = currentServer();
    if (!m_editor || m_refreshing || server.isEmpty() || !field(key))
        return false;
    const Json raw = this->server(server);
    const QString text = fieldText(key).trimmed();
    const QString pointer = serverPointer(server) + u'/' + key;
    const QString name = tr("Set %1 of server %2").arg(key, server);
    const bool v3 = isV3();
    QString why;
    bool ok = true;
    if (key == u"security") {
        static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
        const QStringList names = text.split(separators, Qt::SkipEmptyParts);
        const QStringList known
            = m_editor->source().keys(QStringLiteral("/components/securitySchemes"));
        // the requirements kept as written (2.x scopes included), the new ones added
        Json requirements = Json::array();
        const Json before
            = raw.contains("security") && raw["security"].is_array() ? raw["security"] : Json();
        for (const QString &scheme : names) {
            if (!known.contains(scheme)) {
                why = tr("There is no security scheme %1: add it in the Gateway section first")
                          .arg(scheme);
                break;
            }
            Json requirement;
            if (before.is_array())
                for (const Json &r : before)
                    if (schemeOf(r) == scheme)
                        requirement = r;
            if (requirement.is_null()) {
                const QString ref = QStringLiteral("#/components/securitySchemes/")
                    + SourceText::joinPointer({scheme}).mid(1);
                requirement = v3 ? Json::object({{"$ref", ref.toStdString()}})
                                 : Json::object({{scheme.toStdString(), Json::array()}});
            }
            requirements.push_back(requirement);
        }
        ok = why.isEmpty();
        QStringList had;
        if (before.is_array())
            for (const Json &r : before)
                had.append(schemeOf(r));
        QStringList kept;
        for (const QString &scheme : had)
            if (names.contains(scheme))
                kept.append(scheme);
        QStringList keptInNewOrder;
        for (const QString &scheme : names)
            if (had.contains(scheme))
                keptInNewOrder.append(scheme);
        if (!ok || requirements == before) {
            // nothing to write
        } else if (requirements.empty()) {
            ok = before.is_null() || m_editor->remove(pointer, name, &why);
        } else if (!before.is_array() || kept.isEmpty() || kept != keptInNewOrder) {
            ok = m_editor->setValue(pointer, requirements, name, &why);
        } else {
            // the requirements dropped and added, each in place: the others stay as written
            QUndoStack *undo = m_editor->undoStack();
            undo->beginMacro(name);
            for (qsizetype i = had.size() - 1; ok && i >= 0; --i)
                if (!names.contains(had.at(i)))
                    ok = m_editor->remove(pointer + u'/' + QString::number(i), QString(), &why);
            for (const Json &requirement : requirements)
                if (ok && !had.contains(schemeOf(requirement)))
                    ok = m_editor->setValue(pointer + u"/-", requirement, QString(), &why);
            undo->endMacro();
            if (!ok && undo->canUndo() && undo->undoText() == name)
                undo->undo();
        }
    } else if (text.isEmpty()) {
        const bool required = key == u"protocol" || key == (v3 ? u"host" : u"url");
        if (required)
            why = tr("A server needs a %1").arg(key);
        else if (raw.contains(key.toStdString()))
            ok = m_editor->remove(pointer, name, &why);
        ok = ok && why.isEmpty();
    } else if (!raw.contains(key.toStdString()) || scalarText(raw[key.toStdString()]) != text) {
        ok = m_editor->setValue(pointer, Json(text.toStdString()), name, &why);
    }
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

void ServersForm::commitPending()
{
    for (const char *key : {"url", "host", "pathname", "protocol", "protocolVersion", "title",
                            "summary", "description", "security"})
        if (QWidget *w = field(QLatin1String(key));
            w && (w->hasFocus() || w->isAncestorOf(focusWidget())))
            commitField(QLatin1String(key));
}

bool ServersForm::focusField(const QString &pointer)
{
    QStringList tokens;
    if (!m_editor || !SourceText::splitPointer(pointer, &tokens) || tokens.size() < 2
        || tokens.at(0) != u"servers")
        return false;
    catchUp();
    selectServer(tokens.at(1));
    if (currentServer() != tokens.at(1))
        return false;
    QWidget *w = tokens.size() >= 3 ? field(tokens.at(2)) : nullptr;
    if (w && isShown(tokens.at(2)))
        w->setFocus(Qt::OtherFocusReason);
    else
        m_list->setFocus(Qt::OtherFocusReason);
    return true;
}

QStringList ServersForm::usesOf(const QString &key) const
{
    if (!m_editor)
        return {};
    // 3.x: `$ref: '#/servers/KEY'`; 2.x: a channel's `servers: [KEY]`
    QStringList out = m_editor->referencesTo(serverPointer(key));
    for (const QString &p : m_editor->source().pointers()) {
        QStringList tokens;
        if (!SourceText::splitPointer(p, &tokens) || tokens.size() != 4
            || tokens.at(0) != u"channels" || tokens.at(2) != u"servers")
            continue;
        const auto value = SourceText::parseFragment(m_editor->source().fragment(p));
        if (value && value->is_string() && QString::fromStdString(value->get<std::string>()) == key)
            out.append(p);
    }
    return out;
}

bool ServersForm::addServer(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    // the names AsyncAPI allows for a server
    QString why = serverKeyProblem(key);
    if (why.isEmpty() && m_editor->source().keys(QStringLiteral("/servers")).contains(key))
        why = tr("There is a server %1 already").arg(key);
    bool ok = why.isEmpty();
    if (ok) {
        const Json value = isV3()
            ? Json::object({{"host", "localhost:8080"}, {"protocol", "ws"}})
            : Json::object({{"url", "ws://localhost:8080"}, {"protocol", "ws"}});
        m_select = key;
        ok = m_editor->setValue(serverPointer(key), value, tr("Add server %1").arg(key), &why);
    }
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        refresh();
        selectServer(key);
    }
    return ok;
}

bool ServersForm::renameServer(const QString &key, const QString &newKey, QString *error)
{
    if (!m_editor)
        return false;
    QString why = serverKeyProblem(newKey);
    if (why.isEmpty() && m_editor->source().keys(QStringLiteral("/servers")).contains(newKey))
        why = tr("There is a server %1 already").arg(newKey);
    bool ok = why.isEmpty();
    if (ok) {
        // the 2.x channels naming it (their entries stay where they are)
        QStringList byName;
        for (const QString &use : usesOf(key))
            if (!use.endsWith(u"/$ref"))
                byName.append(use);
        ok = m_editor->renameWithReferences(serverPointer(key), newKey,
                                            tr("Rename server %1").arg(key), {}, byName, &why);
    }
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        m_select = newKey;
        refresh();
    }
    return ok;
}

bool ServersForm::deleteServer(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    const QStringList uses = usesOf(key);
    bool ok = uses.isEmpty();
    if (!ok) {
        QStringList tokens;
        SourceText::splitPointer(uses.constFirst(), &tokens);
        why = tr("Server %1 is named by %2 %3: remove it there first")
                  .arg(key, tokens.value(0) == u"channels" ? tr("channel") : tokens.value(0),
                       tokens.value(1));
    } else {
        ok = m_editor->remove(serverPointer(key), tr("Delete server %1").arg(key), &why);
    }
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

} // namespace Gatehouse
