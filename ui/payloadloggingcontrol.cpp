// SPDX-License-Identifier: GPL-3.0-or-later
#include "payloadloggingcontrol.h"

#include <QAction>
#include <QActionGroup>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

using namespace std::chrono_literals;

struct Duration
{
    std::chrono::milliseconds length;
    const char *text; // translated in the control's context
};

QString timeLeft(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

PayloadLoggingControl::PayloadLoggingControl(const QString &what, QWidget *parent)
    : QObject(parent)
    , m_button(new QToolButton(parent))
    , m_menu(new QMenu(parent))
    , m_grantsBox(new QWidget(parent))
    , m_grantsLayout(new QVBoxLayout(m_grantsBox))
    , m_timer(new QTimer(this))
{
    static const Duration durations[] = {{1min, QT_TR_NOOP("for 1 minute")},
                                         {10min, QT_TR_NOOP("for 10 minutes")},
                                         {1h, QT_TR_NOOP("for 1 hour")}};
    m_menu->setTitle(tr("&Log Payloads"));
    m_menu->addSection(tr("Of this channel"));
    for (const Duration &d : durations) {
        QAction *a = m_menu->addAction(tr("Log payloads of this channel %1").arg(tr(d.text)));
        a->setToolTip(tr("Keep the payloads of this channel in the message log %1, masked as "
                         "its log policy says")
                          .arg(tr(d.text)));
        connect(a, &QAction::triggered, this,
                [this, length = d.length] { request(false, length); });
        m_ofChannel.append(a);
    }
    m_menu->addSection(tr("Of this application"));
    for (const Duration &d : durations) {
        QAction *a = m_menu->addAction(tr("Log payloads of this application %1").arg(tr(d.text)));
        a->setToolTip(tr("Keep the payloads of this application on this API in the message "
                         "log %1, masked as the log policy says")
                          .arg(tr(d.text)));
        connect(a, &QAction::triggered, this, [this, length = d.length] { request(true, length); });
        m_ofApplication.append(a);
    }
    m_menu->addSection(tr("Keep"));
    auto *samples = new QActionGroup(this);
    for (const int n : {1, 10, 100}) {
        QAction *a = m_menu->addAction(n == 1 ? tr("Every payload")
                                              : tr("One message in %1 of each connection").arg(n));
        a->setCheckable(true);
        a->setChecked(n == 1);
        a->setData(n);
        a->setToolTip(n == 1 ? tr("Log the payload of every message")
                             : tr("Log the payload of the first message of each connection and "
                                  "of every %1th after it, for busy channels")
                                   .arg(n));
        samples->addAction(a);
        m_samples.append(a);
    }
    m_button->setObjectName(QStringLiteral("logPayloads"));
    m_button->setText(tr("&Log Payloads"));
    m_button->setAccessibleName(tr("Log payloads of %1's channel").arg(what));
    m_tip = tr("Keep the payloads of %1's channel or application in the message log for a "
               "while")
                .arg(what);
    m_button->setPopupMode(QToolButton::InstantPopup);
    m_button->setMenu(m_menu);

    m_grantsBox->setObjectName(QStringLiteral("payloadLogGrants"));
    m_grantsLayout->setContentsMargins(0, 0, 0, 0);
    m_grantsBox->hide();
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &PayloadLoggingControl::updateGrants);
    updateEnabled();
}

void PayloadLoggingControl::setTarget(const QString &api, const QString &channel,
                                      const QString &application)
{
    m_api = api;
    m_channel = channel;
    m_application = application;
    updateEnabled();
}

void PayloadLoggingControl::setBlocked(const QString &why)
{
    m_blocked = why;
    updateEnabled();
}

void PayloadLoggingControl::updateEnabled()
{
    const bool on = m_blocked.isEmpty() && !m_api.isEmpty();
    m_button->setEnabled(on);
    m_button->setToolTip(m_blocked.isEmpty() ? m_tip : m_blocked);
    for (QAction *a : std::as_const(m_ofChannel))
        a->setEnabled(on);
    for (QAction *a : std::as_const(m_ofApplication))
        a->setEnabled(on && !m_application.isEmpty());
}

void PayloadLoggingControl::request(bool application, std::chrono::milliseconds duration)
{
    if (!m_blocked.isEmpty() || m_api.isEmpty() || (application && m_application.isEmpty()))
        return;
    if (application)
        Q_EMIT requested(m_api, QString(), m_application, qint64(duration.count()), sample());
    else
        Q_EMIT requested(m_api, m_channel, QString(), qint64(duration.count()), sample());
}

int PayloadLoggingControl::sample() const
{
    for (const QAction *a : m_samples)
        if (a->isChecked())
            return a->data().toInt();
    return 1;
}

void PayloadLoggingControl::setSample(int sample)
{
    for (QAction *a : std::as_const(m_samples))
        if (a->data().toInt() == sample)
            a->setChecked(true);
}

void PayloadLoggingControl::setGrants(const QList<Gateway::PayloadLogGrants::Grant> &grants,
                                      qint64 nowMs)
{
    m_clockOffsetMs = nowMs < 0 ? 0 : nowMs - QDateTime::currentMSecsSinceEpoch();
    m_grants = grants;
    qDeleteAll(m_grantsBox->findChildren<QWidget *>(Qt::FindDirectChildrenOnly));
    m_labels.clear();
    for (const auto &g : grants) {
        auto *row = new QWidget(m_grantsBox);
        auto *label = new QLabel;
        label->setObjectName(QStringLiteral("payloadLogGrant"));
        auto *stop = new QPushButton(tr("Stop"));
        stop->setObjectName(QStringLiteral("stopPayloadLogging"));
        stop->setAccessibleName(tr("Stop logging payloads of %1").arg(g.describe()));
        label->setAccessibleName(tr("Payload logging of %1").arg(g.describe()));
        stop->setToolTip(tr("Stop logging payloads of %1 now").arg(g.describe()));
        connect(stop, &QPushButton::clicked, this, [this, id = g.id] { Q_EMIT stopRequested(id); });
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(label, 1);
        h->addWidget(stop);
        m_grantsLayout->addWidget(row);
        m_labels.append(label);
    }
    updateGrants();
}

void PayloadLoggingControl::updateGrants()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch() + m_clockOffsetMs;
    bool any = false;
    for (qsizetype i = 0; i < m_grants.size(); ++i) {
        const auto &g = m_grants.at(i);
        const qint64 left = g.remainingMs(now);
        QWidget *row = m_labels.at(i)->parentWidget();
        row->setVisible(left > 0); // ended by itself: the runtime's list follows
        any = any || left > 0;
        m_labels.at(i)->setText(tr("Logging payloads of %1%2: %3 left")
                                    .arg(g.describe(), g.sampleText(), timeLeft(left)));
    }
    m_grantsBox->setVisible(any);
    if (any && !m_timer->isActive())
        m_timer->start();
    else if (!any)
        m_timer->stop();
}

QStringList PayloadLoggingControl::grantTexts() const
{
    QStringList out;
    for (const QLabel *label : m_labels)
        if (!label->parentWidget()->isHidden())
            out.append(label->text());
    return out;
}

} // namespace Gatehouse
