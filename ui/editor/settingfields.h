// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "policy/policycatalog.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <functional>
#include <optional>

class QFormLayout;
class QLabel;
class QWidget;

namespace Gatehouse {

// The fields of a group of settings described by the x-gatehouse schema (a policy's,
// the mock's), in a form layout: a choice for booleans and enumerations (its first
// entry is the default, which leaves the setting out), a line for numbers, sizes,
// durations and names, one item per line for lists, and a YAML code field for
// objects and lists of objects. Each field names the setting and says what it does
// and its default, has a line for its problem under it, and asks to be written when
// it is left. What the owner writes is what typed() reads.
class SettingFields final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingFields)

public:
    using Setting = Policies::PolicySetting;

    // `after`: the control the fields follow in the tab order.
    SettingFields(QFormLayout *form, QWidget *after, QObject *parent = nullptr);

    // Replaces the fields by those of `settings`; `title` starts their accessible
    // names ("Rate limit: Mode").
    void build(const QList<Setting> &settings, const QString &title);
    QStringList keys() const { return m_order; }
    QWidget *field(const QString &key) const { return m_fields.value(key); }
    const Setting *setting(const QString &key) const;

    // Shows `values` (an object; a setting it lacks shows as its default); the YAML of a
    // structured setting comes from `fragment` (so that its layout and comments show).
    // A field the user is typing in keeps what is typed.
    void show(const Json &values, const std::function<QByteArray(const QString &key)> &fragment,
              bool json);

    // What a field says: nothing (and the reason) when it cannot be written; else
    // `unset` (leave the setting out), a value, or a YAML fragment.
    struct Typed
    {
        bool unset = false;
        Json value;
        std::optional<QByteArray> fragment;
    };
    std::optional<Typed> typed(const QString &key, QString *error) const;
    // After a write: done (the field is clean), or refused (what is typed stays, with
    // the reason under it).
    void written(const QString &key, bool ok, const QString &error);
    // Settings typed in the focused field and not written yet.
    QStringList pending() const;

    // Shows or hides a setting's row (settings that do not apply now).
    void setRowVisible(const QString &key, bool visible);

    void setProblem(const QString &key, const QString &problem);
    QString problem(const QString &key) const;
    // Whether a refused edit's reason is shown (kept until the field is written).
    bool isRefused(const QString &key) const { return m_refused.contains(key); }

Q_SIGNALS:
    // The user left a changed field, or chose a value.
    void commitRequested(const QString &key);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void checkStructured(const QString &key);

    QFormLayout *m_form;
    QWidget *m_after;
    QList<Setting> m_settings;
    QStringList m_order;
    QHash<QString, QWidget *> m_fields;
    QHash<QString, QLabel *> m_problems;
    QHash<QString, QList<QWidget *>> m_rows; // field, problem, help
    QStringList m_edited; // list fields typed in
    QStringList m_refused;
    bool m_showing = false;
};

// The label of a setting's key: "maxPerApplication" -> "Max per application".
QString settingLabel(const QString &key);

} // namespace Gatehouse
