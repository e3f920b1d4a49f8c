// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "editor/designsection.h"

class QLabel;

namespace Gatehouse {

class SettingFields;

// The Design tab's mock settings: `x-gatehouse.mock`, the built-in backend the API
// runs with when it has none of its own: its kind, where it listens, the seed and
// push interval of generated messages, the texts of the chat kind, the server time
// of the broadcast kind, and per-channel settings and scripted scenarios as YAML.
// Only the settings of the chosen kind are shown. `mock: chat` (a kind alone) stays
// that short until another setting is given.
class MockForm final : public DesignSection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MockForm)

public:
    explicit MockForm(QWidget *parent = nullptr);

    // The field of a setting ("kind", "listen", "chat/room", "scenarios", ...).
    QWidget *field(const QString &key) const;
    bool isShown(const QString &key) const;
    bool commitSetting(const QString &key, QString *error = nullptr);
    QString problem(const QString &key) const;
    // Moves to the field that edits `pointer` (under /x-gatehouse/mock).
    bool focusField(const QString &pointer);
    void commitPending();

protected:
    void refresh() override;

private:
    Json mock() const;
    void showKind(const QString &kind);

    SettingFields *m_fields;
    QLabel *m_status;
    bool m_refreshing = false;
};

} // namespace Gatehouse
