// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/mockform.h"

#include "api/api.h"
#include "asyncapi/documentloader.h"
#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"
#include "editor/settingfields.h"
#include "policy/policycatalog.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

constexpr auto Root = "/x-gatehouse/mock";

QString pointerOf(const QString &key)
{
    QString pointer = QLatin1String(Root);
    for (const QString &part : key.split(u'/'))
        pointer += u'/' + DocumentLoader::escapePointerToken(part);
    return pointer;
}

// Whether a setting applies to a kind ("" when the document names none: the mock
// then picks examples or echo).
bool appliesTo(const QString &key, const QString &kind)
{
    if (key.startsWith(u"broadcast/"))
        return kind == u"broadcast";
    if (key.startsWith(u"chat/"))
        return kind == u"chat";
    if (key == u"interval" || key == u"channels" || key == u"seed")
        return kind.isEmpty() || kind == u"examples";
    return true;
}

} // namespace

MockForm::MockForm(QWidget *parent)
    : DesignSection(Follow::Model, parent)
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("mockForm"));
    auto *intro = new QLabel(
        tr("The built-in mock backend answers for the API when it runs with its mock (Run with "
           "Mock, or gatehouse-cli serve --with-mock and gatehouse-cli mock). It listens on the "
           "endpoint's port unless told otherwise."));
    intro->setWordWrap(true);
    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_fields = new SettingFields(form, nullptr, this);
    m_fields->build(Policies::PolicyCatalog::mockSettings(), tr("Mock"));
    connect(m_fields, &SettingFields::commitRequested, this,
            [this](const QString &key) { commitSetting(key); });
    if (auto *kind = qobject_cast<QComboBox *>(m_fields->field(QStringLiteral("kind"))))
        connect(kind, &QComboBox::currentIndexChanged, this, [this, kind] {
            showKind(kind->currentIndex() > 0 ? kind->currentData().toString() : QString());
        });
    auto *scroll = new QScrollArea;
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setAccessibleName(tr("Mock settings"));
    m_status->setAccessibleName(tr("Mock form status"));
    m_status->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_status);
    showKind(QString());
}

QWidget *MockForm::field(const QString &key) const
{
    return m_fields->field(key);
}

bool MockForm::isShown(const QString &key) const
{
    QWidget *widget = m_fields->field(key);
    return widget && !widget->isHidden();
}

Json MockForm::mock() const
{
    const Api *api
        = m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
    if (!api || !api->gatehouse.raw.is_object())
        return Json::object();
    const auto mock = api->gatehouse.raw.find("mock");
    if (mock == api->gatehouse.raw.end())
        return Json::object();
    if (mock->is_string())
        return Json::object({{"kind", *mock}});
    return mock->is_object() ? *mock : Json::object();
}

void MockForm::showKind(const QString &kind)
{
    for (const QString &key : m_fields->keys())
        m_fields->setRowVisible(key, appliesTo(key, kind));
}

void MockForm::refresh()
{
    m_refreshing = true;
    const Json values = mock();
    m_fields->show(
        values, [this](const QString &key) { return m_editor->source().fragment(pointerOf(key)); },
        m_editor && m_editor->source().isJson());
    const auto kind = values.find("kind");
    showKind(kind != values.end() && kind->is_string() ? toQString(kind->get<std::string>())
                                                       : QString());
    // the document check's problems, under their setting or here
    QHash<QString, QString> found;
    QStringList others;
    if (m_editor) {
        const QString root = QLatin1String(Root);
        for (const Diagnostic &d : m_editor->lastRead().diagnostics) {
            if (d.pointer != root && !d.pointer.startsWith(root + u'/'))
                continue;
            QStringList tokens;
            SourceText::splitPointer(d.pointer.mid(root.size()), &tokens);
            const QString two = tokens.mid(0, 2).join(u'/');
            const QString key = m_fields->setting(two) ? two : tokens.value(0);
            if (m_fields->setting(key) && !found.contains(key))
                found.insert(key, d.message);
            else if (!m_fields->setting(key))
                others.append(d.message);
        }
    }
    for (const QString &key : m_fields->keys())
        if (found.contains(key) || !m_fields->isRefused(key))
            m_fields->setProblem(key, found.value(key));
    m_status->setText(others.join(u'\n'));
    m_refreshing = false;
}

bool MockForm::commitSetting(const QString &key, QString *error)
{
    if (!m_editor || m_refreshing || !m_fields->setting(key))
        return false;
    const QString root = QLatin1String(Root);
    const QString pointer = pointerOf(key);
    const QString name = tr("Set %1 of the mock").arg(key.section(u'/', -1));
    const Api *api = m_editor->lastRead().api.get();
    const Json *written = nullptr;
    if (api && api->gatehouse.raw.is_object())
        if (const auto it = api->gatehouse.raw.find("mock"); it != api->gatehouse.raw.end())
            written = &*it;
    const bool shortForm = written && written->is_string();
    QString why;
    bool ok = false;
    if (const auto typed = m_fields->typed(key, &why)) {
        if (shortForm && key == u"kind") {
            // `mock: chat` stays a kind alone
            ok = typed->unset ? m_editor->remove(root, name, &why)
                              : m_editor->setValue(root, typed->value, name, &why);
        } else if (typed->unset) {
            ok = !m_editor->has(pointer) || m_editor->remove(pointer, name, &why);
        } else if (shortForm) {
            // another setting: the kind alone becomes an object that keeps it
            Json object = Json::object({{"kind", *written}});
            if (typed->fragment) {
                const auto value = SourceText::parseFragment(*typed->fragment, &why);
                if (value)
                    object[toStdString(key)] = *value;
            } else {
                Json *at = &object;
                for (const QString &part : key.split(u'/'))
                    at = &(*at)[toStdString(part)];
                *at = typed->value;
            }
            ok = why.isEmpty() && m_editor->setValue(root, object, name, &why);
        } else if (typed->fragment) {
            ok = m_editor->setFragment(pointer, *typed->fragment, name, &why);
        } else {
            ok = m_editor->setValue(pointer, typed->value, name, &why);
        }
    }
    m_fields->written(key, ok, why);
    report(m_status, ok, why);
    if (error)
        *error = why;
    return ok;
}

QString MockForm::problem(const QString &key) const
{
    return m_fields->problem(key);
}

bool MockForm::focusField(const QString &pointer)
{
    const QString root = QLatin1String(Root);
    if (pointer != root && !pointer.startsWith(root + u'/'))
        return false;
    catchUp();
    QStringList tokens;
    SourceText::splitPointer(pointer.mid(root.size()), &tokens);
    const QString two = tokens.mid(0, 2).join(u'/');
    QWidget *widget = m_fields->field(two);
    if (!widget)
        widget = m_fields->field(tokens.value(0, QStringLiteral("kind")));
    if (!widget)
        widget = m_fields->field(QStringLiteral("kind"));
    if (!widget)
        return false;
    widget->setFocus(Qt::OtherFocusReason);
    if (auto *line = qobject_cast<QLineEdit *>(widget))
        line->selectAll();
    return true;
}

void MockForm::commitPending()
{
    for (const QString &key : m_fields->pending())
        commitSetting(key);
}

} // namespace Gatehouse
