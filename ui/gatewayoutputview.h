// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QToolButton;

namespace Gatehouse {

// The Gateway output dock's contents: one line per connection event and what the
// run reported, newest at the bottom. Lines come in batches (appendLines), the view
// keeps the last `MaxLines`, can be filtered by text, paused (lines keep being
// collected and show when it resumes) and cleared.
class GatewayOutputView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayOutputView)

public:
    static constexpr int MaxLines = 5000;

    explicit GatewayOutputView(QWidget *parent = nullptr);

    void appendLines(const QStringList &lines);
    void clear();
    // Every kept line (filtered or not), oldest first.
    QStringList lines() const { return m_lines; }
    // What the view shows now.
    QString shownText() const;
    bool isPaused() const;
    QLineEdit *filterEdit() const { return m_filter; }
    QCheckBox *pauseBox() const { return m_pause; }

private:
    bool matches(const QString &line) const;
    void refill();

    QPlainTextEdit *m_text;
    QLineEdit *m_filter;
    QCheckBox *m_pause;
    QToolButton *m_clear;
    QStringList m_lines;
    qsizetype m_shownUpTo = 0; // lines already considered for the view
};

} // namespace Gatehouse
