// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/gatewayform.h"

#include "api/api.h"
#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"
#include "gateway/router.h"
#include "problemlabel.h"
#include "scrolling.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <utility>

namespace Gatehouse {

namespace {

constexpr auto Root = "/x-gatehouse";
constexpr auto DefaultListen = "127.0.0.1:9099";

struct FieldInfo
{
    const char *key;
    const char *label;
    const char *name; // accessible name
    const char *placeholder;
    const char *help;
};

// The fields, in the order shown; the help is what docs/x-gatehouse.md says.
const FieldInfo Fields[] = {
    {"context", QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "Co&ntext:"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "Context"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "e.g. /chats (default: from the title)"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm",
                       "Where the API lives on the gateway: clients connect to "
                       "{context}/{version}{topic}. A path starting with /, no trailing /.")},
    {"endpoint", QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "&Endpoint:"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "Backend endpoint"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "e.g. ws://localhost:8080"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm",
                       "The backend WebSocket server (ws:// or wss://). The gateway connects to "
                       "the endpoint plus the topic's mapped path. Needed to serve the API "
                       "unless it runs with its mock.")},
    {"listen", QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "&Listen on:"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "Listen address"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "host:port (default: 127.0.0.1:9099)"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm",
                       "Address of the ws:// listener that serves this API; APIs naming the "
                       "same address share it. Port 0 picks a free port. Default: "
                       "127.0.0.1:9099, shared by the APIs that name none.")},
    {"tlsListen", QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "&TLS listen on:"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "TLS listen address"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "host:port (default: none)"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm",
                       "Address of the wss:// listener that serves this API besides the plain "
                       "one. Needs a certificate and a private key. Default: no TLS listener.")},
    {"certificate", QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "Ce&rtificate:"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "TLS certificate file"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "PEM file, relative to the document's folder"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm",
                       "PEM certificate (or chain) for the TLS listener; a relative path is "
                       "relative to the document's folder.")},
    {"privateKey", QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "Private &key:"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "TLS private key file"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm", "PEM file, relative to the document's folder"),
     QT_TRANSLATE_NOOP("Gatehouse::GatewayForm",
                       "PEM private key for the TLS listener; a relative path is relative to "
                       "the document's folder.")},
};

enum PlanColumn { NameColumn, EventsColumn, UnitColumn, ConnectionsColumn, DescriptionColumn };
const char *const PlanKeys[] = {"name", "events", "unit", "maxConnections", "description"};
const char *const Units[] = {"second", "minute", "hour", "day"};

QString pointerOf(const QString &key)
{
    return QLatin1String(Root) + u'/' + key;
}

QString planPointer(int row, const QString &key = {})
{
    QString pointer = QLatin1String(Root) + u"/plans/" + QString::number(row);
    if (!key.isEmpty())
        pointer += u'/' + key;
    return pointer;
}

QString text(const Json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_null())
        return QString();
    return QString::fromStdString(value.dump());
}

} // namespace

GatewayForm::GatewayForm(QWidget *parent)
    : DesignSection(Follow::Model, parent)
    , m_defaultVersion(new QCheckBox(tr("Also serve this version &without the version in the "
                                        "path")))
    , m_url(new QLabel)
    , m_plans(new QTableWidget(0, 5))
    , m_addPlan(new QPushButton(tr("&Add Plan")))
    , m_deletePlan(new QPushButton(tr("&Delete Plan")))
    , m_plansProblem(makeProblemLabel(tr("Problem with the plans")))
    , m_schemes(new QListWidget)
    , m_renameScheme(new QPushButton(tr("Rena&me Scheme…")))
    , m_deleteScheme(new QPushButton(tr("Delete Sc&heme")))
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("gatewayForm"));
    auto *serving = new QGroupBox(tr("Serving"));
    auto *form = new QFormLayout(serving);
    for (const FieldInfo &info : Fields) {
        const QString key = QLatin1String(info.key);
        auto *edit = new QLineEdit;
        edit->setAccessibleName(tr(info.name));
        edit->setPlaceholderText(tr(info.placeholder));
        edit->setToolTip(tr(info.help));
        edit->setWhatsThis(tr(info.help));
        QLabel *problem = makeProblemLabel(tr("Problem with %1").arg(tr(info.name)));
        auto *column = new QVBoxLayout;
        column->setSpacing(2);
        column->addWidget(edit);
        column->addWidget(problem);
        auto *label = new QLabel(tr(info.label));
        label->setBuddy(edit);
        form->addRow(label, column);
        m_fields.insert(key, edit);
        m_problems.insert(key, problem);
        connect(edit, &QLineEdit::editingFinished, this, [this, key] { commitField(key); });
        connect(edit, &QLineEdit::textChanged, this, &GatewayForm::updateUrl);
        if (key == u"context") {
            m_defaultVersion->setAccessibleName(tr("Default version"));
            m_defaultVersion->setToolTip(
                tr("defaultVersion: also serve this version at {context}{topic}, without the "
                   "version segment. Default: off."));
            form->addRow(QString(), m_defaultVersion);
        }
        if (key == u"endpoint") {
            m_url->setAccessibleName(tr("Client URL"));
            m_url->setTextInteractionFlags(Qt::TextSelectableByMouse
                                           | Qt::TextSelectableByKeyboard);
            m_url->setToolTip(tr("The URL clients connect to, followed by a topic's path"));
        }
    }
    form->addRow(tr("Clients connect to:"), m_url);
    connect(m_defaultVersion, &QCheckBox::toggled, this, [this](bool on) {
        if (!m_editor || m_refreshing)
            return;
        QString error;
        const QString pointer = pointerOf(QStringLiteral("defaultVersion"));
        const QString name = on ? tr("Serve the default version") : tr("Serve versioned only");
        report(on ? m_editor->setValue(pointer, Json(true), name, &error)
                  : (!m_editor->has(pointer) || m_editor->remove(pointer, name, &error)),
               error);
    });

    auto *plans = new QGroupBox(tr("Plans"));
    auto *plansLayout = new QVBoxLayout(plans);
    auto *plansHelp = new QLabel(
        tr("Applications subscribe with a plan: it limits the messages they exchange (both "
           "directions) per unit, 0 for unlimited, and the connections they hold open, 0 for "
           "no cap."));
    plansHelp->setWordWrap(true);
    plansLayout->addWidget(plansHelp);
    m_plans->setAccessibleName(tr("Plans"));
    m_plans->setHorizontalHeaderLabels(
        {tr("Name"), tr("Messages"), tr("Per"), tr("Connections"), tr("Description")});
    m_plans->horizontalHeader()->setSectionResizeMode(DescriptionColumn, QHeaderView::Stretch);
    m_plans->verticalHeader()->hide();
    m_plans->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_plans->setSelectionMode(QAbstractItemView::SingleSelection);
    m_plans->setTabKeyNavigation(false); // Tab leaves the table; arrows move in it
    plansLayout->addWidget(m_plans, 1);
    plansLayout->addWidget(m_plansProblem);
    auto *planButtons = new QHBoxLayout;
    planButtons->addWidget(m_addPlan);
    planButtons->addWidget(m_deletePlan);
    planButtons->addStretch();
    plansLayout->addLayout(planButtons);
    connect(m_plans, &QTableWidget::cellChanged, this, &GatewayForm::commitPlanCell);
    connect(m_plans, &QTableWidget::currentCellChanged, this,
            [this](int row) { m_deletePlan->setEnabled(row >= 0); });
    connect(m_addPlan, &QPushButton::clicked, this, [this] { addPlan(); });
    connect(m_deletePlan, &QPushButton::clicked, this, [this] {
        if (m_plans->currentRow() >= 0)
            deletePlan(m_plans->currentRow());
    });

    auto *security = new QGroupBox(tr("Security schemes"));
    auto *securityLayout = new QVBoxLayout(security);
    auto *securityHelp = new QLabel(
        tr("How clients present their credentials. Who must present them is each channel's "
           "\"Who may connect\"; the gateway's authenticate policy checks them. Query "
           "parameters that carry credentials are never passed on to the backend."));
    securityHelp->setWordWrap(true);
    securityLayout->addWidget(securityHelp);
    m_schemes->setAccessibleName(tr("Security schemes"));
    m_schemes->setMaximumHeight(fontMetrics().lineSpacing() * 6);
    securityLayout->addWidget(m_schemes);
    auto *schemeButtons = new QHBoxLayout;
    auto *addSchemeButton = new QPushButton(tr("Add &Scheme"));
    auto *kinds = new QMenu(addSchemeButton);
    kinds->addAction(tr("Bearer token (Authorization header)"), this,
                     [this] { addScheme(SchemeKind::Bearer); });
    kinds->addAction(tr("API key in a header…"), this, [this] {
        bool ok = false;
        const QString name
            = QInputDialog::getText(this, tr("API Key in a Header"), tr("Header name:"),
                                    QLineEdit::Normal, QStringLiteral("X-API-Key"), &ok);
        if (ok && !name.trimmed().isEmpty())
            addScheme(SchemeKind::HeaderKey, name.trimmed());
    });
    kinds->addAction(tr("API key in a query parameter…"), this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("API Key in a Query Parameter"),
                                                   tr("Query parameter name:"), QLineEdit::Normal,
                                                   QStringLiteral("api_key"), &ok);
        if (ok && !name.trimmed().isEmpty())
            addScheme(SchemeKind::QueryKey, name.trimmed());
    });
    addSchemeButton->setMenu(kinds);
    schemeButtons->addWidget(addSchemeButton);
    schemeButtons->addWidget(m_renameScheme);
    schemeButtons->addWidget(m_deleteScheme);
    schemeButtons->addStretch();
    securityLayout->addLayout(schemeButtons);
    m_renameScheme->setAccessibleName(tr("Rename security scheme"));
    m_renameScheme->setToolTip(tr("Rename the selected scheme; the requirements naming it follow"));
    m_renameScheme->setEnabled(false);
    connect(m_schemes, &QListWidget::currentRowChanged, this, [this](int row) {
        m_renameScheme->setEnabled(row >= 0);
        m_deleteScheme->setEnabled(row >= 0);
    });
    connect(m_renameScheme, &QPushButton::clicked, this, [this] {
        const QListWidgetItem *item = m_schemes->currentItem();
        if (!item)
            return;
        const QString key = item->data(Qt::UserRole).toString();
        bool ok = false;
        const QString name
            = QInputDialog::getText(this, tr("Rename Security Scheme"),
                                    tr("New name (the security requirements naming it follow):"),
                                    QLineEdit::Normal, key, &ok);
        if (ok && !name.trimmed().isEmpty() && name.trimmed() != key)
            renameScheme(key, name.trimmed());
    });
    connect(m_deleteScheme, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_schemes->currentItem())
            deleteScheme(item->data(Qt::UserRole).toString());
    });

    m_status->setAccessibleName(tr("Gateway form status"));
    m_status->setWordWrap(true);
    auto *contentLayout = new QVBoxLayout;
    contentLayout->addWidget(serving);
    contentLayout->addWidget(plans, 1);
    contentLayout->addWidget(security);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(UiLayout::scrolling(contentLayout, tr("Gateway settings")), 1);
    layout->addWidget(m_status);
}

void GatewayForm::refresh()
{
    const Api *api
        = m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
    const Json raw = api && api->gatehouse.raw.is_object() ? api->gatehouse.raw : Json::object();
    m_refreshing = true;
    for (auto it = m_fields.constBegin(); it != m_fields.constEnd(); ++it) {
        QLineEdit *edit = it.value();
        const auto value = raw.find(it.key().toStdString());
        const QString shown = value != raw.end() ? text(*value) : QString();
        // what the user is typing stays
        if ((!edit->hasFocus() || !edit->isModified()) && edit->text() != shown)
            edit->setText(shown);
    }
    const auto defaultVersion = raw.find("defaultVersion");
    m_defaultVersion->setChecked(defaultVersion != raw.end() && defaultVersion->is_boolean()
                                 && defaultVersion->get<bool>());
    m_refreshing = false;
    refreshPlans();
    refreshSchemes();
    showProblems();
    updateUrl();
}

void GatewayForm::refreshSchemes()
{
    const Api *api
        = m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
    // the one selected stays so; a renamed one is selected under its new name
    const QString current = !m_selectScheme.isEmpty() ? std::exchange(m_selectScheme, QString())
        : m_schemes->currentItem() ? m_schemes->currentItem()->data(Qt::UserRole).toString()
                                   : QString();
    const QSignalBlocker block(m_schemes);
    m_schemes->clear();
    if (api) {
        for (const SecurityScheme &s : api->securitySchemes) {
            QString what;
            if (s.type == u"http" && s.scheme.compare(u"bearer", Qt::CaseInsensitive) == 0)
                what = tr("bearer token in the Authorization header");
            else if ((s.type == u"httpApiKey" || s.type == u"apiKey") && s.in == u"query")
                what = tr("API key in the query parameter %1").arg(s.name);
            else if ((s.type == u"httpApiKey" || s.type == u"apiKey") && s.in == u"header")
                what = tr("API key in the header %1").arg(s.name);
            else
                what = tr("%1 (not checked by the gateway)").arg(s.type);
            auto *item = new QListWidgetItem(s.id + u" — " + what, m_schemes);
            item->setData(Qt::UserRole, s.id);
            if (s.id == current)
                m_schemes->setCurrentItem(item);
        }
    }
    m_renameScheme->setEnabled(m_schemes->currentRow() >= 0);
    m_deleteScheme->setEnabled(m_schemes->currentRow() >= 0);
}

bool GatewayForm::addScheme(SchemeKind kind, const QString &parameter, QString *error)
{
    if (!m_editor)
        return false;
    QString base;
    Json scheme;
    switch (kind) {
    case SchemeKind::Bearer:
        base = QStringLiteral("bearer");
        scheme
            = Json::object({{"type", "http"},
                            {"scheme", "bearer"},
                            {"description", "A token sent as \"Authorization: Bearer TOKEN\"."}});
        break;
    case SchemeKind::HeaderKey:
    case SchemeKind::QueryKey: {
        const bool query = kind == SchemeKind::QueryKey;
        base = query ? QStringLiteral("apiKeyQuery") : QStringLiteral("apiKeyHeader");
        QString why;
        static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
        if (!token.match(parameter).hasMatch()) {
            why = tr("\"%1\" cannot be a %2 name")
                      .arg(parameter, query ? tr("query parameter") : tr("header"));
            report(false, why);
            if (error)
                *error = why;
            return false;
        }
        scheme = Json::object({{"type", "httpApiKey"},
                               {"name", parameter.toStdString()},
                               {"in", query ? "query" : "header"}});
        break;
    }
    }
    const QString schemes = QStringLiteral("/components/securitySchemes");
    const QStringList existing = m_editor->source().keys(schemes);
    QString key = base;
    for (int n = 2; existing.contains(key); ++n)
        key = base + QString::number(n);
    QString why;
    const bool ok = m_editor->setValue(schemes + u'/' + key, scheme,
                                       tr("Add security scheme %1").arg(key), &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok)
        m_editor->readNow();
    return ok;
}

bool GatewayForm::deleteScheme(const QString &key, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    // named by a security requirement (2.x: a key of its object; 3.x: a $ref)
    const QString pointer = u"/components/securitySchemes/" + SourceText::joinPointer({key}).mid(1);
    const QStringList uses = m_editor->referencesTo(pointer) + m_editor->requirementsNaming(key);
    bool ok = uses.isEmpty();
    if (!ok)
        why = tr("Security scheme %1 is required at %2: remove that requirement first")
                  .arg(key, uses.constFirst());
    else
        ok = m_editor->remove(pointer, tr("Delete security scheme %1").arg(key), &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok)
        m_editor->readNow();
    return ok;
}

bool GatewayForm::renameScheme(const QString &key, const QString &newKey, QString *error)
{
    if (!m_editor)
        return false;
    // every requirement naming it follows: 2.x by key, 3.x by $ref
    QString why;
    const bool ok = m_editor->renameComponent(
        u"/components/securitySchemes/" + SourceText::joinPointer({key}).mid(1), newKey, &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        m_selectScheme = newKey;
        m_editor->readNow();
    }
    return ok;
}

void GatewayForm::refreshPlans()
{
    const Api *api
        = m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
    const Json raw = api && api->gatehouse.raw.is_object() ? api->gatehouse.raw : Json::object();
    const auto plans = raw.find("plans");
    const Json list = plans != raw.end() && plans->is_array() ? *plans : Json::array();
    const QWidget *focus = QApplication::focusWidget();
    if (focus && focus != m_plans && m_plans->isAncestorOf(focus))
        return; // the cell being typed in stays
    m_refreshing = true;
    const int current = m_plans->currentRow();
    m_plans->setRowCount(int(list.size()));
    for (int row = 0; row < int(list.size()); ++row) {
        const Json &plan = list[size_t(row)];
        for (int column = 0; column < 5; ++column) {
            const char *key = PlanKeys[column];
            QString value;
            if (plan.is_object() && plan.contains(key))
                value = text(plan[key]);
            else if (column == UnitColumn)
                value = QStringLiteral("day");
            if (column == UnitColumn) {
                auto *unit = qobject_cast<QComboBox *>(m_plans->cellWidget(row, column));
                if (!unit) {
                    unit = new QComboBox;
                    unit->setAccessibleName(tr("Plan unit"));
                    for (const char *u : Units)
                        unit->addItem(QLatin1String(u));
                    connect(unit, &QComboBox::activated, this, [this, unit] {
                        for (int r = 0; r < m_plans->rowCount(); ++r)
                            if (m_plans->cellWidget(r, UnitColumn) == unit)
                                commitPlanCell(r, UnitColumn);
                    });
                    m_plans->setCellWidget(row, column, unit);
                }
                unit->setCurrentText(value);
                continue;
            }
            QTableWidgetItem *item = m_plans->item(row, column);
            if (!item) {
                item = new QTableWidgetItem;
                m_plans->setItem(row, column, item);
            }
            if (item->text() != value)
                item->setText(value);
        }
    }
    if (current >= 0 && current < m_plans->rowCount())
        m_plans->setCurrentCell(current, std::max(0, m_plans->currentColumn()));
    m_deletePlan->setEnabled(m_plans->currentRow() >= 0);
    m_refreshing = false;
}

void GatewayForm::showProblems()
{
    QHash<QString, QString> found;
    QString plans;
    if (m_editor) {
        for (const Diagnostic &d : m_editor->lastRead().diagnostics) {
            if (!d.pointer.startsWith(QLatin1String(Root)))
                continue;
            const QString rest = d.pointer.mid(int(qstrlen(Root)) + 1);
            const QString key = rest.section(u'/', 0, 0);
            if (key == u"plans")
                plans = plans.isEmpty() ? d.message : plans;
            else if (m_problems.contains(key) && !found.contains(key))
                found.insert(key, d.message);
        }
    }
    for (auto it = m_problems.constBegin(); it != m_problems.constEnd(); ++it) {
        it.value()->setText(found.value(it.key()));
        it.value()->setVisible(found.contains(it.key()));
    }
    m_plansProblem->setText(plans);
    m_plansProblem->setVisible(!plans.isEmpty());
}

QString GatewayForm::problem(const QString &key) const
{
    if (key == u"plans")
        return m_plansProblem->text();
    const QLabel *label = m_problems.value(key);
    return label ? label->text() : QString();
}

QString GatewayForm::clientUrl() const
{
    const Api *api
        = m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
    if (!api)
        return QString();
    Api shape; // what the path is made of
    shape.title = api->title;
    shape.version = api->version;
    shape.gatehouse.context = field(QStringLiteral("context"))->text().trimmed();
    QString listen = field(QStringLiteral("listen"))->text().trimmed();
    if (listen.isEmpty())
        listen = QLatin1String(DefaultListen);
    QString url = u"ws://" + listen + Gateway::Router::apiPath(shape);
    const QString tls = field(QStringLiteral("tlsListen"))->text().trimmed();
    if (!tls.isEmpty())
        url += tr(" and wss://%1%2").arg(tls, Gateway::Router::apiPath(shape));
    return url;
}

void GatewayForm::updateUrl()
{
    m_url->setText(clientUrl());
}

bool GatewayForm::focusField(const QString &pointer)
{
    QStringList tokens;
    if (!SourceText::splitPointer(pointer, &tokens) || tokens.size() < 2
        || tokens.at(0) != u"x-gatehouse")
        return false;
    catchUp();
    const QString &key = tokens.at(1);
    if (key == u"defaultVersion") {
        m_defaultVersion->setFocus(Qt::OtherFocusReason);
        return true;
    }
    if (key == u"plans") {
        const int row = tokens.size() > 2 ? tokens.at(2).toInt() : 0;
        int column = NameColumn;
        for (int c = 0; tokens.size() > 3 && c < 5; ++c)
            if (tokens.at(3) == QLatin1String(PlanKeys[c]))
                column = c;
        if (row < m_plans->rowCount())
            m_plans->setCurrentCell(row, column);
        m_plans->setFocus(Qt::OtherFocusReason);
        return true;
    }
    if (QLineEdit *edit = field(key)) {
        edit->setFocus(Qt::OtherFocusReason);
        edit->selectAll();
        return true;
    }
    return false;
}

void GatewayForm::commitField(const QString &key)
{
    QLineEdit *edit = field(key);
    if (!m_editor || m_refreshing || !edit || !edit->isModified())
        return;
    edit->setModified(false);
    const QString pointer = pointerOf(key);
    const QString value = edit->text().trimmed();
    const QString name = tr("Set %1").arg(edit->accessibleName().toLower());
    QString error;
    report(value.isEmpty() ? (!m_editor->has(pointer) || m_editor->remove(pointer, name, &error))
                           : m_editor->setValue(pointer, Json(value.toStdString()), name, &error),
           error);
}

void GatewayForm::commitPlanCell(int row, int column)
{
    if (!m_editor || m_refreshing || row < 0 || column < 0 || column >= 5)
        return;
    const QString key = QLatin1String(PlanKeys[column]);
    QString value;
    if (column == UnitColumn) {
        if (auto *unit = qobject_cast<QComboBox *>(m_plans->cellWidget(row, column)))
            value = unit->currentText();
    } else if (const QTableWidgetItem *item = m_plans->item(row, column)) {
        value = item->text().trimmed();
    }
    const QString pointer = planPointer(row, key);
    const QString name
        = tr("Set %1 of plan %2")
              .arg(m_plans->horizontalHeaderItem(column)->text(), QString::number(row + 1));
    Json json;
    if (column == EventsColumn || column == ConnectionsColumn) {
        bool ok = false;
        const qlonglong number = value.toLongLong(&ok);
        if (!value.isEmpty() && (!ok || number < 0)) {
            report(false,
                   tr("Plan %1: %2 must be a whole number, 0 or more, got \"%3\"")
                       .arg(row + 1)
                       .arg(m_plans->horizontalHeaderItem(column)->text(), value));
            refreshPlans();
            return;
        }
        json = Json(number);
    } else {
        json = Json(value.toStdString());
    }
    QString error;
    report(value.isEmpty() && column != NameColumn
               ? (!m_editor->has(pointer) || m_editor->remove(pointer, name, &error))
               : m_editor->setValue(pointer, json, name, &error),
           error);
}

bool GatewayForm::addPlan(QString *error)
{
    if (!m_editor)
        return false;
    const int row = m_plans->rowCount();
    const Json plan = Json::object({{"name", QStringLiteral("Plan%1").arg(row + 1).toStdString()},
                                    {"events", 1000},
                                    {"unit", "minute"}});
    const QString plans = QLatin1String(Root) + u"/plans";
    QString why;
    const bool ok = m_editor->has(plans)
        ? m_editor->setValue(plans + u"/-", plan, tr("Add plan"), &why)
        : m_editor->setValue(plans, Json::array({plan}), tr("Add plan"), &why);
    report(ok, why);
    if (error)
        *error = why;
    if (ok) {
        m_editor->readNow();
        m_plans->setFocus();
    }
    return ok;
}

bool GatewayForm::deletePlan(int row, QString *error)
{
    if (!m_editor)
        return false;
    QString why;
    const bool ok = m_editor->remove(planPointer(row), tr("Delete plan %1").arg(row + 1), &why);
    report(ok, why);
    if (error)
        *error = why;
    return ok;
}

void GatewayForm::commitPending()
{
    for (auto it = m_fields.constBegin(); it != m_fields.constEnd(); ++it)
        if (it.value()->hasFocus() && it.value()->isModified())
            commitField(it.key());
}

void GatewayForm::report(bool ok, const QString &error)
{
    DesignSection::report(m_status, ok, error);
}

} // namespace Gatehouse
