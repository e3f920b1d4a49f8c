// SPDX-License-Identifier: GPL-3.0-or-later
#include "gatewayoutputview.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace Gatehouse {

GatewayOutputView::GatewayOutputView(QWidget *parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit)
    , m_filter(new QLineEdit)
    , m_pause(new QCheckBox(tr("&Pause")))
    , m_clear(new QToolButton)
{
    m_text->setObjectName(QStringLiteral("gatewayOutputText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(MaxLines);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setAccessibleName(tr("Gateway output"));
    m_text->setPlaceholderText(
        tr("Nothing yet. Press Run to start the gateway; each connection that opens, is "
           "refused or closes gets a line here."));

    m_filter->setObjectName(QStringLiteral("gatewayOutputFilter"));
    m_filter->setPlaceholderText(tr("Filter lines"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter gateway output"));
    connect(m_filter, &QLineEdit::textChanged, this, &GatewayOutputView::refill);

    m_pause->setObjectName(QStringLiteral("gatewayOutputPause"));
    m_pause->setToolTip(tr("Keep collecting lines without scrolling the view"));
    connect(m_pause, &QCheckBox::toggled, this, [this](bool paused) {
        if (!paused)
            appendLines({});
    });

    m_clear->setObjectName(QStringLiteral("gatewayOutputClear"));
    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Clear the gateway output"));
    m_clear->setAccessibleName(tr("Clear gateway output"));
    connect(m_clear, &QToolButton::clicked, this, &GatewayOutputView::clear);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_pause);
    bar->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_text, 1);
}

bool GatewayOutputView::isPaused() const
{
    return m_pause->isChecked();
}

bool GatewayOutputView::matches(const QString &line) const
{
    const QString filter = m_filter->text().trimmed();
    return filter.isEmpty() || line.contains(filter, Qt::CaseInsensitive);
}

void GatewayOutputView::appendLines(const QStringList &lines)
{
    m_lines.append(lines);
    if (const qsizetype over = m_lines.size() - MaxLines; over > 0) {
        m_lines.remove(0, over);
        m_shownUpTo = qMax<qsizetype>(0, m_shownUpTo - over);
    }
    if (isPaused())
        return;
    QStringList shown;
    for (qsizetype i = m_shownUpTo; i < m_lines.size(); ++i)
        if (matches(m_lines.at(i)))
            shown.append(m_lines.at(i));
    m_shownUpTo = m_lines.size();
    if (shown.isEmpty())
        return;
    QScrollBar *bar = m_text->verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    m_text->appendPlainText(shown.join(u'\n')); // one block insert per batch
    if (atEnd)
        bar->setValue(bar->maximum());
}

void GatewayOutputView::refill()
{
    m_text->clear();
    m_shownUpTo = 0;
    appendLines({});
}

void GatewayOutputView::clear()
{
    m_lines.clear();
    m_shownUpTo = 0;
    m_text->clear();
}

QString GatewayOutputView::shownText() const
{
    return m_text->toPlainText();
}

} // namespace Gatehouse
