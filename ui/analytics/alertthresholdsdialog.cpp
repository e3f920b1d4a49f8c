// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/alertthresholdsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace Gatehouse {

AlertThresholdsDialog::AlertThresholdsDialog(
    const QHash<QString, Analytics::AlertThresholds> &thresholds, const QStringList &apis,
    const QString &current, QWidget *parent)
    : QDialog(parent)
    , m_thresholds(thresholds)
    , m_api(new QComboBox)
{
    setWindowTitle(tr("Alert Thresholds"));
    m_api->setObjectName(QStringLiteral("alertApi"));
    m_api->setAccessibleName(tr("API"));
    m_api->setEditable(true);
    QStringList all = apis;
    for (auto it = thresholds.cbegin(); it != thresholds.cend(); ++it)
        if (!all.contains(it.key()))
            all.append(it.key());
    if (!current.isEmpty() && !all.contains(current))
        all.prepend(current);
    m_api->addItems(all);

    auto *form = new QFormLayout;
    form->addRow(tr("&API:"), m_api);
    struct Field
    {
        QString label;
        QString name;
        QString suffix;
        double max;
        int decimals;
    };
    const Field fields[] = {
        {tr("&Rejections over:"), QStringLiteral("alertRejections"), tr(" /s"), 1e6, 2},
        {tr("&Throttling over:"), QStringLiteral("alertThrottling"), tr(" /s"), 1e6, 2},
        {tr("Relay p&99 over:"), QStringLiteral("alertRelayP99"), tr(" µs"), 1e7, 0},
        {tr("&Connections open over:"), QStringLiteral("alertOpen"), QString(), 1e9, 0},
    };
    for (int i = 0; i < 4; ++i) {
        auto *box = new QDoubleSpinBox;
        box->setObjectName(fields[i].name);
        QString name = fields[i].label;
        name.remove(u'&');
        name.chop(1); // the colon
        box->setAccessibleName(name);
        box->setRange(0, fields[i].max);
        box->setDecimals(fields[i].decimals);
        box->setSuffix(fields[i].suffix);
        box->setSpecialValueText(tr("Off"));
        m_fields[i] = box;
        form->addRow(fields[i].label, box);
        connect(box, &QDoubleSpinBox::valueChanged, this, &AlertThresholdsDialog::keepShown);
    }
    auto *note = new QLabel(tr("Rates and the p99 are over the last minute. An alert is raised "
                               "once when a value goes over its threshold and cleared when it "
                               "is back under 90% of it. Off: not watched."));
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);

    connect(m_api, &QComboBox::currentTextChanged, this, &AlertThresholdsDialog::showApi);
    showApi(m_api->currentText());
}

void AlertThresholdsDialog::showApi(const QString &api)
{
    m_shown.clear(); // no keepShown() while filling
    const Analytics::AlertThresholds t = m_thresholds.value(api);
    m_fields[0]->setValue(t.rejectedPerSecond);
    m_fields[1]->setValue(t.throttledPerSecond);
    m_fields[2]->setValue(t.relayP99Us);
    m_fields[3]->setValue(double(t.openConnections));
    m_shown = api.trimmed();
}

void AlertThresholdsDialog::keepShown()
{
    if (m_shown.isEmpty())
        return;
    Analytics::AlertThresholds t;
    t.rejectedPerSecond = m_fields[0]->value();
    t.throttledPerSecond = m_fields[1]->value();
    t.relayP99Us = m_fields[2]->value();
    t.openConnections = qint64(m_fields[3]->value());
    if (t.any())
        m_thresholds.insert(m_shown, t);
    else
        m_thresholds.remove(m_shown);
}

QHash<QString, Analytics::AlertThresholds> AlertThresholdsDialog::thresholds() const
{
    return m_thresholds;
}

} // namespace Gatehouse
