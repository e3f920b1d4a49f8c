// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/payloadloggrants.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>

class QAction;
class QLabel;
class QMenu;
class QTimer;
class QToolButton;
class QVBoxLayout;
class QWidget;

namespace Gatehouse {

// Log Payloads, where a view shows connections or their rows (the Connections tab, the
// Message Log tab): a button whose menu asks to log the payloads of "this channel" or
// "this application" (the view's current row: setTarget) for 1 minute, 10 minutes or
// 1 hour, of every message or of one in 10 or 100 of each connection (the menu's
// "Keep" choice), and a box listing the grants in force with their time left and a Stop
// button each. The view places button() and grantsBox(); the window connects
// requested() and stopRequested() to the running gateway and hands back its grants.
class PayloadLoggingControl final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PayloadLoggingControl)
public:
    // `what` names the row in the button's accessible name ("the current connection").
    PayloadLoggingControl(const QString &what, QWidget *parent);

    QToolButton *button() const { return m_button; }
    // Of the channel for each duration, then of the application.
    QMenu *menu() const { return m_menu; }
    QWidget *grantsBox() const { return m_grantsBox; }
    // What the actions log: `api`'s (its key, "/chats/1.0.0") `channel` template or
    // `application`; an empty API turns the button off, an empty application the
    // actions of the application. `blocked` turns it off too, saying why in its tooltip
    // (the gateway is not running).
    void setTarget(const QString &api, const QString &channel, const QString &application);
    void setBlocked(const QString &why); // empty: not blocked
    // The grants to show (the runtime's); `nowMs` for the time left (tests pass theirs).
    void setGrants(const QList<Gateway::PayloadLogGrants::Grant> &grants, qint64 nowMs = -1);
    // One line per grant shown, as the user reads it.
    QStringList grantTexts() const;
    // Asks to log the payloads of the target's channel (or application).
    void request(bool application, std::chrono::milliseconds duration);
    // One message in how many the next request keeps (1: every one): the menu's choice.
    int sample() const;
    void setSample(int sample);

Q_SIGNALS:
    // Log the payloads of `api`'s `channel` (or of its `application`'s connections,
    // channel empty) for `durationMs`, one message in `sample` of each connection.
    void requested(const QString &api, const QString &channel, const QString &application,
                   qint64 durationMs, int sample);
    void stopRequested(quint64 id);

private:
    void updateEnabled();
    void updateGrants(); // the rows of m_grants with their time left

    QToolButton *m_button;
    QMenu *m_menu;
    QList<QAction *> m_ofChannel; // per duration
    QList<QAction *> m_ofApplication;
    QList<QAction *> m_samples; // checkable, one checked; data: the sample
    QWidget *m_grantsBox;
    QVBoxLayout *m_grantsLayout;
    QTimer *m_timer;
    QString m_api;
    QString m_channel;
    QString m_application;
    QString m_blocked;
    QString m_tip;
    QList<Gateway::PayloadLogGrants::Grant> m_grants;
    qint64 m_clockOffsetMs = 0; // tests' now minus the real now
    QList<QLabel *> m_labels;
};

} // namespace Gatehouse
