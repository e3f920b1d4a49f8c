// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/policyform.h"

#include "api/api.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"
#include "editor/settingfields.h"
#include "policy/policycatalog.h"
#include "problemlabel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QVBoxLayout>

namespace Gatehouse {

using Policies::PolicyCatalog;
using Policies::PolicySetting;
using Policies::PolicyType;

namespace {

constexpr auto ApiList = "/x-gatehouse/policies";
constexpr int TypeRole = Qt::UserRole;

QString typeTitle(const QString &type)
{
    const PolicyType *known = PolicyCatalog::type(type);
    return known && !known->title.isEmpty() ? known->title : type;
}

QString typeOf(const Json &entry)
{
    if (!entry.is_object())
        return QString();
    const auto type = entry.find("type");
    return type != entry.end() && type->is_string() ? toQString(type->get<std::string>())
                                                    : QString();
}

bool isOff(const Json &entry)
{
    if (!entry.is_object())
        return false;
    const auto enabled = entry.find("enabled");
    return enabled != entry.end() && enabled->is_boolean() && !enabled->get<bool>();
}

QString knownTypes()
{
    QStringList names;
    for (const PolicyType &type : PolicyCatalog::types())
        names.append(type.type);
    return names.join(QStringLiteral(", "));
}

} // namespace

PolicyForm::PolicyForm(QWidget *parent)
    : DesignSection(Follow::Model, parent)
    , m_scope(new QComboBox)
    , m_inherited(new QLabel)
    , m_list(new QListWidget)
    , m_add(new QPushButton(tr("&Add Policy")))
    , m_remove(new QPushButton(tr("&Remove Policy")))
    , m_up(new QPushButton(tr("Move &Up")))
    , m_down(new QPushButton(tr("Move Do&wn")))
    , m_listProblem(makeProblemLabel(tr("Problem with the policies")))
    , m_title(new QLabel)
    , m_description(new QLabel)
    , m_enabled(new QCheckBox(tr("&Enabled")))
    , m_scroll(new QScrollArea)
    , m_settingsPage(new QWidget)
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("policyForm"));

    auto *scopeLabel = new QLabel(tr("&Policies of:"));
    scopeLabel->setBuddy(m_scope);
    m_scope->setAccessibleName(tr("Policies of"));
    m_scope->setToolTip(tr("API-wide policies apply to every channel; a channel's own entry of "
                           "a type replaces the API's entries of that type on the channel."));
    m_scope->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *scopeRow = new QHBoxLayout;
    scopeRow->addWidget(scopeLabel);
    scopeRow->addWidget(m_scope, 1);
    m_inherited->setAccessibleName(tr("What else applies"));
    m_inherited->setWordWrap(true);
    m_inherited->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_list->setAccessibleName(tr("Policies"));
    m_list->setToolTip(tr("The policies declared here. They run in a fixed order whatever the "
                          "order of the list: authenticate, connection throttle, fault "
                          "injection at the handshake; size limit, rate limit, validation, "
                          "transforms (in list order), fault injection, log on each message."));
    auto *typeMenu = new QMenu(m_add);
    for (const PolicyType &type : PolicyCatalog::types()) {
        QAction *action = typeMenu->addAction(type.title + QStringLiteral(" (") + type.type + u')',
                                              this, [this, t = type.type] { addPolicy(t); });
        action->setData(type.type);
        action->setToolTip(type.description);
        action->setStatusTip(type.description);
    }
    typeMenu->setToolTipsVisible(true);
    connect(typeMenu, &QMenu::aboutToShow, this, [this, typeMenu] {
        // one entry per type and scope; transforms may be several (they run in order)
        QStringList present;
        for (int row = 0; row < m_list->count(); ++row)
            present.append(m_list->item(row)->data(TypeRole).toString());
        for (QAction *action : typeMenu->actions()) {
            const QString type = action->data().toString();
            action->setEnabled(type == u"transform" || !present.contains(type));
        }
    });
    m_add->setMenu(typeMenu);
    m_add->setAccessibleName(tr("Add policy"));
    m_remove->setAccessibleName(tr("Remove policy"));
    m_up->setAccessibleName(tr("Move policy up"));
    m_down->setAccessibleName(tr("Move policy down"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_up);
    buttons->addWidget(m_down);
    buttons->addStretch();

    auto *listSide = new QWidget;
    auto *listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_list, 1);
    listLayout->addWidget(m_listProblem);
    listLayout->addLayout(buttons);

    m_title->setAccessibleName(tr("Policy type"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_description->setAccessibleName(tr("What the policy does"));
    m_description->setWordWrap(true);
    m_enabled->setAccessibleName(tr("Policy enabled"));
    m_enabled->setToolTip(tr("Off writes enabled: false, which switches this type off here, "
                             "its default included."));
    auto *pageLayout = new QVBoxLayout(m_settingsPage);
    pageLayout->addWidget(m_title);
    pageLayout->addWidget(m_description);
    pageLayout->addWidget(m_enabled);
    auto *settingsBox = new QWidget;
    auto *settingsForm = new QFormLayout(settingsBox);
    settingsForm->setContentsMargins(0, 0, 0, 0);
    settingsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_fields = new SettingFields(settingsForm, m_enabled, this);
    connect(m_fields, &SettingFields::commitRequested, this,
            [this](const QString &key) { commitSetting(key); });
    pageLayout->addWidget(settingsBox);
    pageLayout->addStretch();
    m_scroll->setWidget(m_settingsPage);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setAccessibleName(tr("Policy settings"));

    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(listSide);
    split->addWidget(m_scroll);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setSizes({300, 700}); // the settings, with their help, get the room
    split->setChildrenCollapsible(false);

    m_status->setAccessibleName(tr("Policies form status"));
    m_status->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(scopeRow);
    layout->addWidget(m_inherited);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_scope, &QComboBox::activated, this, [this] {
        m_status->clear();
        refreshList();
        refreshSettings();
        showProblems();
        updateInherited();
    });
    connect(m_list, &QListWidget::currentRowChanged, this, [this] {
        if (m_refreshing)
            return;
        refreshSettings();
        showProblems();
        updateButtons();
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (currentPolicy() >= 0)
            removePolicy(currentPolicy());
    });
    connect(m_up, &QPushButton::clicked, this, [this] {
        if (currentPolicy() > 0)
            movePolicy(currentPolicy(), currentPolicy() - 1);
    });
    connect(m_down, &QPushButton::clicked, this, [this] {
        const int row = currentPolicy();
        if (row >= 0 && row + 1 < m_list->count())
            movePolicy(row, row + 1);
    });
    connect(m_enabled, &QCheckBox::toggled, this, [this](bool on) {
        const int row = currentPolicy();
        if (!m_editor || m_refreshing || row < 0)
            return;
        const QString pointer = entryPointer(row) + QStringLiteral("/enabled");
        const QString title = typeTitle(m_list->item(row)->data(TypeRole).toString());
        QString error;
        report(on ? (!m_editor->has(pointer)
                     || m_editor->remove(pointer, tr("Switch on %1").arg(title.toLower()), &error))
                  : m_editor->setValue(pointer, Json(false),
                                       tr("Switch off %1").arg(title.toLower()), &error),
               error);
    });
    updateButtons();
}

QString PolicyForm::scope() const
{
    return m_scope->currentIndex() > 0 ? m_scope->currentData().toString() : QString();
}

void PolicyForm::setScope(const QString &channelKey)
{
    catchUp();
    const int index = channelKey.isEmpty() ? 0 : m_scope->findData(channelKey);
    if (index < 0 || index == m_scope->currentIndex())
        return;
    m_scope->setCurrentIndex(index);
    m_status->clear();
    refreshList();
    refreshSettings();
    showProblems();
    updateInherited();
}

QString PolicyForm::channelPointer(const QString &key) const
{
    return u"/channels/" + DocumentLoader::escapePointerToken(key);
}

QString PolicyForm::listPointer() const
{
    const QString channel = scope();
    if (channel.isEmpty())
        return QLatin1String(ApiList);
    return channelPointer(channel) + QStringLiteral("/x-gatehouse/policies");
}

QString PolicyForm::entryPointer(int row) const
{
    return listPointer() + u'/' + QString::number(row);
}

namespace {

const Api *apiOf(const DocumentEditor *editor)
{
    return editor && editor->lastRead().api ? editor->lastRead().api.get() : nullptr;
}

bool isV3(const Api &api)
{
    return api.asyncapiVersion.startsWith(u'3');
}

// The channel a key under `channels` names.
const Channel *channelOf(const Api &api, const QString &key)
{
    return isV3(api) ? api.channel(key) : api.channelByAddress(key);
}

Json declaredPolicies(const Api *api, const QString &channelKey)
{
    if (!api)
        return Json::array();
    const Json *holder = nullptr;
    if (channelKey.isEmpty()) {
        holder = &api->gatehouse.raw;
    } else if (const Channel *channel = channelOf(*api, channelKey);
               channel && channel->extra.is_object()) {
        const auto ext = channel->extra.find("x-gatehouse");
        if (ext != channel->extra.end())
            holder = &*ext;
    }
    if (!holder || !holder->is_object())
        return Json::array();
    const auto list = holder->find("policies");
    return list != holder->end() && list->is_array() ? *list : Json::array();
}

} // namespace

void PolicyForm::refresh()
{
    refreshScopes();
    refreshList();
    refreshSettings();
    showProblems();
    updateInherited();
}

void PolicyForm::refreshScopes()
{
    const Api *api = apiOf(m_editor);
    const QString current = scope();
    QStringList keys;
    if (api)
        for (const Channel &channel : api->channels)
            keys.append(isV3(*api) ? channel.id : channel.address);
    QStringList shown;
    for (int i = 1; i < m_scope->count(); ++i)
        shown.append(m_scope->itemData(i).toString());
    if (shown == keys && m_scope->count() > 0)
        return;
    const QSignalBlocker block(m_scope);
    m_scope->clear();
    m_scope->addItem(tr("The whole API"), QString());
    for (const QString &key : std::as_const(keys))
        m_scope->addItem(tr("Channel %1").arg(key), key);
    const int index = m_scope->findData(current);
    m_scope->setCurrentIndex(current.isEmpty() || index < 0 ? 0 : index);
}

void PolicyForm::refreshList()
{
    const Json list = declaredPolicies(apiOf(m_editor), scope());
    const int current = m_list->currentRow();
    m_refreshing = true;
    if (m_list->count() != int(list.size())) {
        m_list->clear();
        for (size_t i = 0; i < list.size(); ++i)
            new QListWidgetItem(m_list);
    }
    for (int row = 0; row < int(list.size()); ++row) {
        const Json &entry = list[size_t(row)];
        const QString type = typeOf(entry);
        QListWidgetItem *item = m_list->item(row);
        Policy policy {type, entry};
        const QString text = type.isEmpty() ? tr("Entry %1 without a type").arg(row + 1)
                                            : PolicyCatalog::summary(policy);
        if (item->text() != text)
            item->setText(text);
        item->setData(TypeRole, type);
        const PolicyType *known = PolicyCatalog::type(type);
        item->setToolTip(known ? known->description : QString());
        QFont font = item->font();
        font.setItalic(isOff(entry));
        item->setFont(font);
    }
    if (m_list->count() > 0)
        m_list->setCurrentRow(std::clamp(current, 0, m_list->count() - 1));
    m_refreshing = false;
    updateButtons();
}

int PolicyForm::currentPolicy() const
{
    return m_list->currentRow();
}

void PolicyForm::selectPolicy(int row)
{
    catchUp();
    if (row < 0 || row >= m_list->count())
        return;
    m_list->setCurrentRow(row);
}

void PolicyForm::updateButtons()
{
    const int row = currentPolicy();
    m_remove->setEnabled(row >= 0);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row + 1 < m_list->count());
    m_add->setEnabled(m_editor != nullptr);
}

void PolicyForm::refreshSettings()
{
    const int row = currentPolicy();
    const Json list = declaredPolicies(apiOf(m_editor), scope());
    const bool has = row >= 0 && row < int(list.size());
    const Json entry = has ? list[size_t(row)] : Json::object();
    const QString type = has ? typeOf(entry) : QString();
    const PolicyType *known = PolicyCatalog::type(type);
    m_settingsPage->setVisible(has);
    if (type != m_builtType || !has) {
        m_builtType = has ? type : QString();
        m_fields->build(known && has ? known->settings : QList<Policies::PolicySetting>(),
                        known ? known->title : type);
    }
    if (!has)
        return;
    m_refreshing = true;
    m_title->setText(known ? known->title + QStringLiteral(" (") + type + u')'
                           : tr("Unknown policy type \"%1\"").arg(type));
    m_description->setText(
        known ? known->description
              : tr("Known types: %1. Fix the type in the Source tab.").arg(knownTypes()));
    m_enabled->setEnabled(known != nullptr);
    m_enabled->setChecked(!isOff(entry));
    const QString base = entryPointer(row);
    m_fields->show(
        entry,
        [this, base](const QString &key) {
            return m_editor->source().fragment(base + u'/'
                                               + DocumentLoader::escapePointerToken(key));
        },
        m_editor->source().isJson());
    m_refreshing = false;
}

bool PolicyForm::commitSetting(const QString &key, QString *error)
{
    const int row = currentPolicy();
    const PolicyType *known = PolicyCatalog::type(m_builtType);
    if (!m_editor || m_refreshing || row < 0 || !known || !m_fields->setting(key))
        return false;
    const QString pointer = entryPointer(row) + u'/' + DocumentLoader::escapePointerToken(key);
    QString name = tr("Set %1 of %2").arg(key, known->title.toLower());
    if (!scope().isEmpty())
        name += u' ' + tr("on channel %1").arg(scope());
    QString why;
    bool ok = false;
    if (const auto typed = m_fields->typed(key, &why)) {
        if (typed->unset)
            ok = !m_editor->has(pointer) || m_editor->remove(pointer, name, &why);
        else if (typed->fragment)
            ok = m_editor->setFragment(pointer, *typed->fragment, name, &why);
        else
            ok = m_editor->setValue(pointer, typed->value, name, &why);
    }
    m_fields->written(key, ok, why);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

QWidget *PolicyForm::settingField(const QString &key) const
{
    return m_fields->field(key);
}

void PolicyForm::showProblems()
{
    const QString list = listPointer();
    const int row = currentPolicy();
    QHash<QString, QString> found;
    QStringList listProblems;
    QHash<int, QString> byRow;
    if (m_editor) {
        for (const Diagnostic &d : m_editor->lastRead().diagnostics) {
            if (d.pointer != list && !d.pointer.startsWith(list + u'/'))
                continue;
            const QStringList rest = d.pointer.mid(list.size() + 1).split(u'/');
            bool isIndex = false;
            const int at = rest.value(0).toInt(&isIndex);
            if (isIndex && !byRow.contains(at))
                byRow.insert(at, d.message);
            const QString key = rest.size() >= 2 ? rest.at(1) : QString();
            if (isIndex && at == row && m_fields->setting(key)) {
                if (!found.contains(key))
                    found.insert(key, d.message);
            } else if (!isIndex || at == row) {
                listProblems.append(d.message);
            }
        }
    }
    for (const QString &key : m_fields->keys())
        // a refused edit's reason stays until the field is written
        if (found.contains(key) || !m_fields->isRefused(key))
            m_fields->setProblem(key, found.value(key));
    m_listProblem->setText(listProblems.join(u'\n'));
    m_listProblem->setVisible(!listProblems.isEmpty());
    const QIcon error = style()->standardIcon(QStyle::SP_MessageBoxCritical);
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        item->setIcon(byRow.contains(i) ? error : QIcon());
        const PolicyType *known = PolicyCatalog::type(item->data(TypeRole).toString());
        const QString description = known ? known->description : QString();
        item->setToolTip(byRow.contains(i) ? byRow.value(i) : description);
    }
}

QString PolicyForm::problem(const QString &key) const
{
    if (key.isEmpty())
        return m_listProblem->text();
    return m_fields->problem(key);
}

QString PolicyForm::inheritedText() const
{
    return m_inherited->text();
}

void PolicyForm::updateInherited()
{
    const Api *api = apiOf(m_editor);
    const Json apiList = declaredPolicies(api, QString());
    const QString channel = scope();
    const Json own = channel.isEmpty() ? apiList : declaredPolicies(api, channel);
    QStringList ownTypes;
    QStringList offTypes;
    for (const Json &entry : own) {
        ownTypes.append(typeOf(entry));
        if (isOff(entry))
            offTypes.append(typeOf(entry));
    }
    QStringList fromApi;
    QStringList replaced;
    if (!channel.isEmpty()) {
        for (const Json &entry : apiList) {
            const QString type = typeOf(entry);
            if (type.isEmpty() || isOff(entry))
                continue;
            const QString title = typeTitle(type);
            if (ownTypes.contains(type)) {
                if (!replaced.contains(title))
                    replaced.append(title);
            } else if (!fromApi.contains(title)) {
                fromApi.append(title);
            }
        }
    }
    // the defaults run where neither list has an entry of their type
    QStringList apiTypes;
    for (const Json &entry : apiList)
        apiTypes.append(typeOf(entry));
    QStringList defaults;
    const std::pair<const char *, QString> builtIn[] = {
        {"authenticate", tr("authenticate (when the gateway has a credential store)")},
        {"sizeLimit", tr("size limit (1 MiB from clients, 16 MiB from the backend)")},
        {"rateLimit", tr("rate limit (soft, by the application's plan)")},
    };
    for (const auto &[type, text] : builtIn)
        if (!ownTypes.contains(QLatin1String(type)) && !apiTypes.contains(QLatin1String(type)))
            defaults.append(text);
    QStringList lines;
    if (channel.isEmpty())
        lines.append(tr("These apply to every channel, unless a channel declares its own entry "
                        "of the same type."));
    else if (!fromApi.isEmpty())
        lines.append(tr("Also applies here, from the API: %1.").arg(fromApi.join(tr(", "))));
    if (!replaced.isEmpty())
        lines.append(tr("Replaced here: the API's %1.").arg(replaced.join(tr(", "))));
    if (!offTypes.isEmpty()) {
        QStringList titles;
        for (const QString &type : std::as_const(offTypes))
            titles.append(typeTitle(type));
        lines.append(tr("Switched off here: %1.").arg(titles.join(tr(", "))));
    }
    if (!defaults.isEmpty())
        lines.append(
            tr("Without an entry, these run by default: %1.").arg(defaults.join(tr("; "))));
    m_inherited->setText(lines.join(u' '));
}

bool PolicyForm::addPolicy(const QString &type, QString *error)
{
    if (!m_editor)
        return false;
    const QString list = listPointer();
    const Json entry = Json::object({{"type", toStdString(type)}});
    QString name = tr("Add %1 policy").arg(typeTitle(type).toLower());
    if (!scope().isEmpty())
        name += u' ' + tr("to channel %1").arg(scope());
    QString why;
    const bool exists = m_editor->has(list);
    const bool ok = exists ? m_editor->setValue(list + QStringLiteral("/-"), entry, name, &why)
                           : m_editor->setValue(list, Json::array({entry}), name, &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        m_editor->readNow();
        // the new entry is the last one once the text is read
        const int row = m_list->count();
        connect(
            m_editor, &DocumentEditor::modelRead, this,
            [this, row] {
                if (row < m_list->count()) {
                    m_list->setCurrentRow(row);
                    m_list->setFocus(Qt::OtherFocusReason);
                }
            },
            Qt::SingleShotConnection);
    }
    return ok;
}

bool PolicyForm::removePolicy(int row, QString *error)
{
    if (!m_editor || row < 0 || row >= m_list->count())
        return false;
    const QString type = m_list->item(row)->data(TypeRole).toString();
    QString name = tr("Remove %1 policy").arg(typeTitle(type).toLower());
    if (!scope().isEmpty())
        name += u' ' + tr("from channel %1").arg(scope());
    QString why;
    const bool ok = m_editor->remove(entryPointer(row), name, &why);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

bool PolicyForm::movePolicy(int row, int to, QString *error)
{
    if (!m_editor || row < 0 || row >= m_list->count() || to < 0 || to >= m_list->count())
        return false;
    const QString type = m_list->item(row)->data(TypeRole).toString();
    QString why;
    const bool ok = m_editor->move(entryPointer(row), to,
                                   tr("Move %1 policy").arg(typeTitle(type).toLower()), &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        m_editor->readNow();
        connect(
            m_editor, &DocumentEditor::modelRead, this,
            [this, to] {
                if (to < m_list->count())
                    m_list->setCurrentRow(to);
            },
            Qt::SingleShotConnection);
    }
    return ok;
}

bool PolicyForm::focusField(const QString &pointer)
{
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens))
        return false;
    QString channel;
    qsizetype at = 0;
    if (tokens.size() >= 2 && tokens.at(0) == u"x-gatehouse" && tokens.at(1) == u"policies") {
        at = 2;
    } else if (tokens.size() >= 4 && tokens.at(0) == u"channels" && tokens.at(2) == u"x-gatehouse"
               && tokens.at(3) == u"policies") {
        channel = tokens.at(1);
        at = 4;
    } else {
        return false;
    }
    catchUp();
    if (!channel.isEmpty() && m_scope->findData(channel) < 0)
        return false;
    setScope(channel);
    bool isIndex = false;
    const int row = tokens.value(at).toInt(&isIndex);
    if (!isIndex || row >= m_list->count()) {
        m_list->setFocus(Qt::OtherFocusReason);
        return true;
    }
    m_list->setCurrentRow(row);
    QWidget *field = m_fields->field(tokens.value(at + 1));
    if (tokens.value(at + 1) == u"enabled")
        field = m_enabled;
    if (!field) {
        m_list->setFocus(Qt::OtherFocusReason);
        return true;
    }
    m_scroll->ensureWidgetVisible(field);
    field->setFocus(Qt::OtherFocusReason);
    if (auto *line = qobject_cast<QLineEdit *>(field))
        line->selectAll();
    return true;
}

void PolicyForm::commitPending()
{
    for (const QString &key : m_fields->pending())
        commitSetting(key);
}

void PolicyForm::report(bool ok, const QString &error)
{
    DesignSection::report(m_status, ok, error);
}

} // namespace Gatehouse
