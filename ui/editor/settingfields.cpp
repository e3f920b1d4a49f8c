// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/settingfields.h"

#include "asyncapi/sourcetext.h"
#include "editor/schematextedit.h"
#include "problemlabel.h"

#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace Gatehouse {

using Policies::PolicyCatalog;

namespace {

QString camelWords(const QString &key, bool capital)
{
    QString out;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const QChar c = key.at(i);
        if (i == 0)
            out += capital ? c.toUpper() : c;
        else if (c.isUpper())
            out += u' ' + c.toLower();
        else
            out += c;
    }
    return out;
}

// The line of a parse error "line 3, column 5: ..." (0 when it names none).
int lineOf(const QString &error)
{
    static const QRegularExpression re(QStringLiteral("^line (\\d+)"));
    const auto m = re.match(error);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

// The member at a key such as "broadcast/serverTime".
const Json *member(const Json &values, const QString &key)
{
    const Json *at = &values;
    for (const QString &part : key.split(u'/')) {
        if (!at->is_object())
            return nullptr;
        const auto it = at->find(toStdString(part));
        if (it == at->end())
            return nullptr;
        at = &*it;
    }
    return at;
}

} // namespace

QString settingLabel(const QString &key)
{
    const QStringList parts = key.split(u'/');
    QStringList words;
    for (qsizetype i = 0; i < parts.size(); ++i)
        words.append(camelWords(parts.at(i), i == 0));
    return words.join(u' ');
}

SettingFields::SettingFields(QFormLayout *form, QWidget *after, QObject *parent)
    : QObject(parent)
    , m_form(form)
    , m_after(after)
{ }

const SettingFields::Setting *SettingFields::setting(const QString &key) const
{
    for (const Setting &s : m_settings)
        if (s.key == key)
            return &s;
    return nullptr;
}

void SettingFields::build(const QList<Setting> &settings, const QString &title)
{
    // removing a focused field takes the focus from it: nothing is written then
    for (QWidget *field : std::as_const(m_fields)) {
        field->disconnect(this);
        field->removeEventFilter(this);
    }
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_settings = settings;
    m_order.clear();
    m_fields.clear();
    m_problems.clear();
    m_rows.clear();
    m_edited.clear();
    m_refused.clear();
    QWidget *previous = m_after;
    for (const Setting &setting : settings) {
        const QString key = setting.key;
        const QString label = settingLabel(key);
        const QString name = title + QStringLiteral(": ") + label;
        const QString fallback = setting.defaultText();
        QString help = setting.help;
        if (!fallback.isEmpty() && !help.contains(QStringLiteral("Default")))
            help += u' ' + tr("Default: %1.").arg(fallback);
        help += u' ' + tr("Written as %1.").arg(key.section(u'/', -1));
        QWidget *field = nullptr;
        switch (setting.kind) {
        case Setting::Kind::Boolean:
        case Setting::Kind::Choice: {
            auto *combo = new QComboBox;
            combo->addItem(fallback.isEmpty() ? tr("not set") : tr("default (%1)").arg(fallback));
            const QList<Json> choices = setting.kind == Setting::Kind::Boolean
                ? QList<Json> {Json(true), Json(false)}
                : setting.choices;
            for (const Json &choice : choices)
                combo->addItem(PolicyCatalog::textOf(setting, choice),
                               PolicyCatalog::textOf(setting, choice));
            connect(combo, &QComboBox::activated, this,
                    [this, key] { Q_EMIT commitRequested(key); });
            field = combo;
            break;
        }
        case Setting::Kind::TextList: {
            auto *edit = new QPlainTextEdit;
            edit->setTabChangesFocus(true);
            edit->setPlaceholderText(tr("one per line"));
            edit->setFixedHeight(edit->fontMetrics().lineSpacing() * 4 + 2 * edit->frameWidth()
                                 + 8);
            edit->installEventFilter(this);
            connect(edit, &QPlainTextEdit::textChanged, this, [this, key] {
                if (!m_showing && !m_edited.contains(key))
                    m_edited.append(key);
            });
            field = edit;
            break;
        }
        case Setting::Kind::Structured: {
            auto *edit = new SchemaTextEdit;
            edit->setMinimumHeight(edit->fontMetrics().lineSpacing() * 5 + 8);
            edit->setMaximumHeight(edit->fontMetrics().lineSpacing() * 9 + 8);
            connect(edit, &SchemaTextEdit::edited, this, [this, key] { checkStructured(key); });
            connect(edit, &SchemaTextEdit::left, this, [this, key, edit] {
                if (edit->isEdited())
                    Q_EMIT commitRequested(key);
            });
            field = edit;
            break;
        }
        default: {
            auto *edit = new QLineEdit;
            edit->setPlaceholderText(fallback.isEmpty() ? tr("not set")
                                                        : tr("default: %1").arg(fallback));
            connect(edit, &QLineEdit::editingFinished, this, [this, key, edit] {
                if (edit->isModified())
                    Q_EMIT commitRequested(key);
            });
            field = edit;
            break;
        }
        }
        field->setAccessibleName(name);
        field->setAccessibleDescription(help);
        field->setToolTip(help);
        field->setWhatsThis(help);
        auto *helpLabel = new QLabel(setting.help);
        helpLabel->setWordWrap(true);
        helpLabel->setForegroundRole(QPalette::PlaceholderText);
        QFont small = helpLabel->font();
        small.setPointSizeF(small.pointSizeF() * 0.9);
        helpLabel->setFont(small);
        helpLabel->setContentsMargins(0, 0, 0, 8); // the space before the next setting
        QLabel *problem = makeProblemLabel(tr("Problem with %1").arg(name));
        // the problem and the help are rows of their own under the field (the form
        // then gives each wrapped line the height it needs)
        auto *labelWidget = new QLabel(label + u':');
        labelWidget->setBuddy(field);
        labelWidget->setToolTip(key);
        m_form->addRow(labelWidget, field);
        // no label beside them: an empty one would make the rows a label's height
        m_form->setWidget(m_form->rowCount(), QFormLayout::FieldRole, problem);
        m_form->setRowVisible(problem, false);
        m_form->setWidget(m_form->rowCount(), QFormLayout::FieldRole, helpLabel);
        m_rows.insert(key, {field, problem, helpLabel});
        if (previous)
            QWidget::setTabOrder(previous, field);
        previous = field;
        m_order.append(key);
        m_fields.insert(key, field);
        m_problems.insert(key, problem);
    }
}

void SettingFields::setRowVisible(const QString &key, bool visible)
{
    const QList<QWidget *> rows = m_rows.value(key);
    for (qsizetype i = 0; i < rows.size(); ++i)
        // a hidden problem stays hidden when its setting is shown again
        m_form->setRowVisible(rows.at(i), visible && (i != 1 || !problem(key).isEmpty()));
}

void SettingFields::show(const Json &values,
                         const std::function<QByteArray(const QString &key)> &fragment, bool json)
{
    const QWidget *focus = QApplication::focusWidget();
    m_showing = true;
    for (const Setting &setting : std::as_const(m_settings)) {
        const QString &key = setting.key;
        QWidget *widget = m_fields.value(key);
        const Json *found = member(values, key);
        const bool typing = focus && (widget == focus || widget->isAncestorOf(focus));
        const QString shown = found ? PolicyCatalog::textOf(setting, *found) : QString();
        if (auto *combo = qobject_cast<QComboBox *>(widget)) {
            combo->setCurrentIndex(found ? std::max(0, combo->findData(shown)) : 0);
        } else if (auto *line = qobject_cast<QLineEdit *>(widget)) {
            if ((!typing || !line->isModified()) && !m_refused.contains(key)
                && line->text() != shown) {
                line->setText(shown);
                line->setModified(false);
            }
        } else if (auto *lines = qobject_cast<QPlainTextEdit *>(widget)) {
            if ((!typing || !m_edited.contains(key)) && !m_refused.contains(key)
                && lines->toPlainText() != shown) {
                lines->setPlainText(shown);
                m_edited.removeAll(key);
            }
        } else if (auto *code = qobject_cast<SchemaTextEdit *>(widget)) {
            if ((!typing || !code->isEdited()) && !m_refused.contains(key)) {
                code->setJson(json);
                code->setFragment(found ? fragment(key) : QByteArray());
                code->markProblem(0, QString());
            }
        }
    }
    m_showing = false;
}

std::optional<SettingFields::Typed> SettingFields::typed(const QString &key, QString *error) const
{
    const Setting *s = setting(key);
    QWidget *widget = m_fields.value(key);
    if (!s || !widget)
        return std::nullopt;
    Typed typed;
    if (auto *code = qobject_cast<SchemaTextEdit *>(widget)) {
        const QByteArray fragment = code->fragment();
        if (fragment.trimmed().isEmpty()) {
            typed.unset = true;
            return typed;
        }
        QString why;
        if (!SourceText::parseFragment(fragment, &why)) {
            if (error)
                *error = key.section(u'/', -1) + QStringLiteral(": ") + why;
            return std::nullopt;
        }
        typed.fragment = fragment;
        return typed;
    }
    QString text;
    if (auto *combo = qobject_cast<QComboBox *>(widget)) {
        typed.unset = combo->currentIndex() <= 0;
        text = combo->currentData().toString();
    } else if (auto *line = qobject_cast<QLineEdit *>(widget)) {
        text = line->text();
        typed.unset = text.trimmed().isEmpty();
    } else if (auto *lines = qobject_cast<QPlainTextEdit *>(widget)) {
        text = lines->toPlainText();
        typed.unset = text.trimmed().isEmpty();
    }
    if (typed.unset)
        return typed;
    Setting named = *s;
    named.key = key.section(u'/', -1);
    const auto value = PolicyCatalog::valueOf(named, text, error);
    if (!value)
        return std::nullopt;
    typed.value = *value;
    return typed;
}

void SettingFields::written(const QString &key, bool ok, const QString &error)
{
    QWidget *widget = m_fields.value(key);
    if (ok) {
        m_refused.removeAll(key);
        m_edited.removeAll(key);
        if (auto *line = qobject_cast<QLineEdit *>(widget))
            line->setModified(false);
        else if (auto *code = qobject_cast<SchemaTextEdit *>(widget))
            code->setEdited(false);
        setProblem(key, QString());
        return;
    }
    // what was typed stays, to be fixed, with the reason under it
    if (!m_refused.contains(key))
        m_refused.append(key);
    if (auto *line = qobject_cast<QLineEdit *>(widget))
        line->setModified(true);
    else if (auto *code = qobject_cast<SchemaTextEdit *>(widget))
        code->setEdited(true);
    setProblem(key, error);
}

QStringList SettingFields::pending() const
{
    QStringList keys;
    const QWidget *focus = QApplication::focusWidget();
    for (const QString &key : m_order) {
        QWidget *widget = m_fields.value(key);
        if (!focus || (widget != focus && !widget->isAncestorOf(focus)))
            continue;
        if (auto *line = qobject_cast<QLineEdit *>(widget); line && line->isModified())
            keys.append(key);
        else if (qobject_cast<QPlainTextEdit *>(widget) && m_edited.contains(key))
            keys.append(key);
        else if (auto *code = qobject_cast<SchemaTextEdit *>(widget); code && code->isEdited())
            keys.append(key);
    }
    return keys;
}

void SettingFields::setProblem(const QString &key, const QString &problem)
{
    if (QLabel *label = m_problems.value(key)) {
        label->setText(problem);
        const bool shown = !problem.isEmpty() && !m_rows.value(key).constFirst()->isHidden();
        m_form->setRowVisible(label, shown);
    }
}

QString SettingFields::problem(const QString &key) const
{
    const QLabel *label = m_problems.value(key);
    return label ? label->text() : QString();
}

void SettingFields::checkStructured(const QString &key)
{
    auto *code = qobject_cast<SchemaTextEdit *>(m_fields.value(key));
    if (!code)
        return;
    QString error;
    const QByteArray fragment = code->fragment();
    const bool ok = fragment.trimmed().isEmpty() || SourceText::parseFragment(fragment, &error);
    code->markProblem(ok ? 0 : std::max(1, lineOf(error)), error);
    setProblem(key, ok ? QString() : error);
}

bool SettingFields::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::FocusOut) {
        for (auto it = m_fields.constBegin(); it != m_fields.constEnd(); ++it)
            if (it.value() == watched && m_edited.contains(it.key())) {
                Q_EMIT commitRequested(it.key());
                break;
            }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace Gatehouse
