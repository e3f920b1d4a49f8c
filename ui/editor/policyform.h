// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "editor/designsection.h"

#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QScrollArea;

namespace Gatehouse {

class SettingFields;

// The Design tab's gateway policies: the entries of `x-gatehouse.policies` for the
// whole API, or of one channel's `x-gatehouse.policies` (which replace the API's
// entries of the same type there), as forms. The settings of each policy type, what
// they do and their defaults come from the x-gatehouse schema (Policies::
// PolicyCatalog); what is typed is checked as the policy would read it, and each
// setting writes only its own node of the text. The document check's problem in a
// setting is shown under it.
class PolicyForm final : public DesignSection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyForm)

public:
    explicit PolicyForm(QWidget *parent = nullptr);

    // Where the list applies: empty for the whole API, else a channel's key.
    QString scope() const;
    void setScope(const QString &channelKey);
    QComboBox *scopeBox() const { return m_scope; }
    QListWidget *policyList() const { return m_list; }
    // What applies on the chosen channel besides its own entries, in words.
    QString inheritedText() const;

    // The policy list of the scope, and an entry of it.
    QString listPointer() const;
    QString entryPointer(int row) const;

    bool addPolicy(const QString &type, QString *error = nullptr);
    bool removePolicy(int row, QString *error = nullptr);
    bool movePolicy(int row, int to, QString *error = nullptr);
    void selectPolicy(int row);
    int currentPolicy() const;

    // The control that edits setting `key` of the selected entry (a QLineEdit,
    // QComboBox, QPlainTextEdit or SchemaTextEdit), or null.
    QWidget *settingField(const QString &key) const;
    QCheckBox *enabledBox() const { return m_enabled; }
    // Writes what the field of `key` says now (leaving the field does this).
    bool commitSetting(const QString &key, QString *error = nullptr);
    // The problem shown under the field of `key`, or under the list ("" key).
    QString problem(const QString &key) const;
    // Moves to the field that edits `pointer` (a policy list, entry or setting, of
    // the API or a channel); false when no field here edits it.
    bool focusField(const QString &pointer);
    // Writes what is typed in a field that has not been left yet (before a save).
    void commitPending();

protected:
    void refresh() override;

private:
    QString channelPointer(const QString &key) const;
    void refreshScopes();
    void refreshList();
    void refreshSettings();
    void showProblems();
    void updateInherited();
    void updateButtons();
    void report(bool ok, const QString &error);

    QComboBox *m_scope;
    QLabel *m_inherited;
    QListWidget *m_list;
    QPushButton *m_add;
    QPushButton *m_remove;
    QPushButton *m_up;
    QPushButton *m_down;
    QLabel *m_listProblem;
    QLabel *m_title;
    QLabel *m_description;
    QCheckBox *m_enabled;
    QScrollArea *m_scroll;
    QWidget *m_settingsPage;
    SettingFields *m_fields;
    QString m_builtType;
    QLabel *m_status;
    bool m_refreshing = false;
};

} // namespace Gatehouse
