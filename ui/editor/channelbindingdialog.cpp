// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/channelbindingdialog.h"

#include "api/api.h"
#include "asyncapi/jsonschemavalidator.h"
#include "asyncapi/sourcetext.h"
#include "editor/documenteditor.h"
#include "editor/schematextedit.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

// A field's schema: null when empty; the reason (named by `what`) when it is not a
// JSON Schema of type object.
std::optional<Json> objectSchema(const SchemaTextEdit *field, const QString &what, const Api *api,
                                 QString *problem)
{
    const QByteArray text = field->fragment();
    if (text.trimmed().isEmpty())
        return Json();
    QString error;
    const std::optional<Json> value = SourceText::parseFragment(text, &error);
    if (!value) {
        *problem = QStringLiteral("%1: %2").arg(what, error);
        return std::nullopt;
    }
    const QString why
        = JsonSchemaValidator::objectSchemaProblem(api ? api->resolved(*value) : *value);
    if (!why.isEmpty()) {
        *problem = QStringLiteral("%1: %2").arg(what, why);
        return std::nullopt;
    }
    return value;
}

} // namespace

ChannelBindingDialog::ChannelBindingDialog(DocumentEditor *editor, const QString &channelKey,
                                           QWidget *parent)
    : QDialog(parent)
    , m_editor(editor)
    , m_channel(channelKey)
    , m_method(new QComboBox)
    , m_query(new SchemaTextEdit)
    , m_headers(new SchemaTextEdit)
    , m_problem(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("channelBindingDialog"));
    setWindowTitle(tr("WebSocket Binding of %1").arg(channelKey));
    m_method->setAccessibleName(tr("Upgrade request method"));
    m_method->addItem(tr("not set (GET)"), QString());
    m_method->addItem(QStringLiteral("GET"), QStringLiteral("GET"));
    m_method->addItem(QStringLiteral("POST"), QStringLiteral("POST"));
    m_query->setAccessibleName(tr("Query parameters schema"));
    m_query->setAccessibleDescription(tr("A JSON Schema of type object: the query parameters "
                                         "a client sends with its upgrade request"));
    m_headers->setAccessibleName(tr("Headers schema"));
    m_headers->setAccessibleDescription(tr("A JSON Schema of type object: the HTTP headers a "
                                           "client sends with its upgrade request"));
    const int line = m_query->fontMetrics().lineSpacing();
    for (SchemaTextEdit *field : {m_query, m_headers})
        field->setMinimumSize(line * 30, line * 7);
    m_problem->setAccessibleName(tr("Binding problem"));
    m_problem->setWordWrap(true);

    if (m_editor) {
        const SourceText &source = m_editor->source();
        m_query->setJson(source.isJson());
        m_headers->setJson(source.isJson());
        m_query->setFragment(source.fragment(pointer() + u"/query"));
        m_headers->setFragment(source.fragment(pointer() + u"/headers"));
        const auto method = SourceText::parseFragment(source.fragment(pointer() + u"/method"));
        if (method && method->is_string())
            m_method->setCurrentIndex(std::max(
                0, m_method->findData(QString::fromStdString(method->get<std::string>()))));
    }

    auto *form = new QFormLayout;
    form->addRow(tr("&Method:"), m_method);
    form->addRow(tr("&Query:"), m_query);
    form->addRow(tr("&Headers:"), m_headers);
    auto *intro = new QLabel(tr("What a client sends with its upgrade request on this channel "
                                "(AsyncAPI's ws binding). Empty: not said."));
    intro->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ChannelBindingDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_query, &SchemaTextEdit::edited, this, &ChannelBindingDialog::check);
    connect(m_headers, &SchemaTextEdit::edited, this, &ChannelBindingDialog::check);
    check();
}

QString ChannelBindingDialog::pointer() const
{
    return SourceText::joinPointer(
        {QStringLiteral("channels"), m_channel, QStringLiteral("bindings"), QStringLiteral("ws")});
}

QString ChannelBindingDialog::problem() const
{
    const Api *api
        = m_editor && m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
    QString why;
    if (!objectSchema(m_query, tr("Query"), api, &why))
        return why;
    if (!objectSchema(m_headers, tr("Headers"), api, &why))
        return why;
    return QString();
}

void ChannelBindingDialog::check()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

bool ChannelBindingDialog::apply(QString *error)
{
    QString why = problem();
    bool ok = why.isEmpty() && m_editor;
    if (ok) {
        const Api *api = m_editor->lastRead().api ? m_editor->lastRead().api.get() : nullptr;
        QString unused;
        const Json query = *objectSchema(m_query, tr("Query"), api, &unused);
        const Json headers = *objectSchema(m_headers, tr("Headers"), api, &unused);
        // what else the binding says stays
        const SourceText &source = m_editor->source();
        const auto before = source.contains(pointer())
            ? SourceText::parseFragment(source.fragment(pointer()))
            : std::optional<Json>();
        Json binding = before && before->is_object() ? *before : Json::object();
        const QString method = m_method->currentData().toString();
        const std::pair<const char *, Json> parts[]
            = {{"method", method.isEmpty() ? Json() : Json(method.toStdString())},
               {"query", query},
               {"headers", headers}};
        for (const auto &[key, value] : parts) {
            if (value.is_null())
                binding.erase(key);
            else
                binding[key] = value;
        }
        const bool empty
            = binding.empty() || (binding.size() == 1 && binding.contains("bindingVersion"));
        if (!empty && !binding.contains("bindingVersion"))
            binding["bindingVersion"] = "0.1.0";
        const QString name = tr("Set WebSocket binding of channel %1").arg(m_channel);
        if (empty)
            ok = !before || m_editor->remove(pointer(), name, &why);
        else if (!before || binding != *before)
            ok = m_editor->setValue(pointer(), binding, name, &why);
    }
    if (error)
        *error = why;
    return ok;
}

void ChannelBindingDialog::accept()
{
    QString why;
    if (apply(&why)) {
        QDialog::accept();
        return;
    }
    m_problem->setText(why);
    m_problem->setVisible(true);
}

} // namespace Gatehouse
