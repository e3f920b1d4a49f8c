// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/conversiondialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace Gatehouse {

namespace {

QString whereOf(const Diagnostic &d)
{
    if (d.location.line > 0)
        return QStringLiteral("%1:%2")
            .arg(QFileInfo(d.location.file).fileName())
            .arg(d.location.line);
    return d.pointer;
}

} // namespace

ConversionDialog::ConversionDialog(const QString &title, const QString &intro,
                                   const AsyncApiConverter::Result &result, const QString &saveText,
                                   QWidget *parent, const QString &lossesHeading)
    : QDialog(parent)
    , m_findings(new QListWidget(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("conversionDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(intro, this);
    label->setWordWrap(true);
    layout->addWidget(label);

    m_findings->setObjectName(QStringLiteral("conversionFindings"));
    m_findings->setAccessibleName(tr("What the conversion does not carry over"));
    // long findings wrap instead of being cut off
    m_findings->setWordWrap(true);
    m_findings->setTextElideMode(Qt::ElideNone);
    m_findings->setResizeMode(QListView::Adjust);
    m_findings->setUniformItemSizes(false);
    m_findings->setAlternatingRowColors(true);
    const auto addGroup = [this](const QString &heading, const QList<Diagnostic> &items) {
        if (items.isEmpty())
            return;
        auto *group = new QListWidgetItem(heading.arg(items.size()), m_findings);
        QFont bold = group->font();
        bold.setBold(true);
        group->setFont(bold);
        group->setFlags(Qt::ItemIsEnabled);
        for (const Diagnostic &d : items) {
            const QString where = whereOf(d);
            auto *item = new QListWidgetItem(
                where.isEmpty() ? d.message : QStringLiteral("%1 (%2)").arg(d.message, where),
                m_findings);
            item->setToolTip(d.message);
        }
    };
    addGroup(lossesHeading.isEmpty() ? tr("Not carried over (%1):") : lossesHeading, result.losses);
    addGroup(tr("Examples that do not match their schema; AsyncAPI 2.x parsers reject them "
                "(%1):"),
             result.exampleMismatches);
    if (m_findings->count() > 1)
        m_findings->setCurrentRow(1);
    layout->addWidget(m_findings, 1);

    QPushButton *save = m_buttons->button(QDialogButtonBox::Save);
    save->setText(saveText);
    save->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    resize(680, 360);
}

} // namespace Gatehouse
