// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analytics/alertmonitor.h"

#include <QDialog>
#include <QHash>

class QComboBox;
class QDoubleSpinBox;

namespace Gatehouse {

// Run > Alert Thresholds…: the four thresholds of one API at a time (0: off), over
// what its document's x-gatehouse.alerts says. The API is picked from the ones
// given, or typed ("/chats/1.0.0").
class AlertThresholdsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertThresholdsDialog)
public:
    AlertThresholdsDialog(const QHash<QString, Analytics::AlertThresholds> &thresholds,
                          const QStringList &apis, const QString &current,
                          QWidget *parent = nullptr);

    // Every API's thresholds as edited (APIs with none left out).
    QHash<QString, Analytics::AlertThresholds> thresholds() const;
    QComboBox *apiBox() const { return m_api; }
    QDoubleSpinBox *field(int measure) const { return m_fields[measure]; } // AlertMonitor::Measure

private:
    void showApi(const QString &api);
    void keepShown();

    QHash<QString, Analytics::AlertThresholds> m_thresholds;
    QString m_shown;
    QComboBox *m_api;
    QDoubleSpinBox *m_fields[4];
};

} // namespace Gatehouse
