// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "editor/designsection.h"

#include <QHash>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace Gatehouse {

// The Design tab's gateway settings: what `x-gatehouse` says about serving the API
// (context, backend endpoint, default version, listen addresses, TLS files) and its
// plans (name, messages per unit, connections), and the security schemes clients
// present credentials by (bearer token, API key in a header or a query parameter). Each field says
// what it does and its default, shows the problem the document's check finds in it, and writes only
// its own node of the text; the URL clients will use is shown as the fields change.
class GatewayForm final : public DesignSection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayForm)

public:
    explicit GatewayForm(QWidget *parent = nullptr);

    // The field that edits `key` of x-gatehouse ("context", "endpoint", ...).
    QLineEdit *field(const QString &key) const { return m_fields.value(key); }
    QCheckBox *defaultVersionBox() const { return m_defaultVersion; }
    QTableWidget *plansTable() const { return m_plans; }
    // The URL clients connect to, as the fields say now.
    QString clientUrl() const;
    // The problem shown under the field of `key`, or empty.
    QString problem(const QString &key) const;
    // Moves to the field that edits the node at `pointer` (under /x-gatehouse);
    // false when no field here edits it.
    bool focusField(const QString &pointer);

    // Security schemes (components.securitySchemes) of the kinds the gateway takes.
    enum class SchemeKind { Bearer, HeaderKey, QueryKey };
    QListWidget *schemesList() const { return m_schemes; }
    // Adds a scheme; `parameter` names the header or query parameter of an API key.
    bool addScheme(SchemeKind kind, const QString &parameter = {}, QString *error = nullptr);
    // Deletes one; refused while a server or operation names it.
    bool deleteScheme(const QString &key, QString *error = nullptr);
    // Renames one, and every security requirement that names it follows (2.x: the
    // requirement's key; 3.x: the $ref), as one undo step.
    bool renameScheme(const QString &key, const QString &newKey, QString *error = nullptr);

    bool addPlan(QString *error = nullptr);
    bool deletePlan(int row, QString *error = nullptr);
    // Writes what is typed in a field that has not been left yet (before a save).
    void commitPending();

protected:
    void refresh() override;

private:
    void refreshPlans();
    void refreshSchemes();
    void showProblems();
    void updateUrl();
    void commitField(const QString &key);
    void commitPlanCell(int row, int column);
    void report(bool ok, const QString &error);

    QHash<QString, QLineEdit *> m_fields;
    QHash<QString, QLabel *> m_problems;
    QCheckBox *m_defaultVersion;
    QLabel *m_url;
    QTableWidget *m_plans;
    QPushButton *m_addPlan;
    QPushButton *m_deletePlan;
    QLabel *m_plansProblem;
    QListWidget *m_schemes;
    QPushButton *m_renameScheme;
    QString m_selectScheme; // selected when the list is read again
    QPushButton *m_deleteScheme;
    QLabel *m_status;
    bool m_refreshing = false;
};

} // namespace Gatehouse
