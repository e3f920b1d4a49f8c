// SPDX-License-Identifier: GPL-3.0-or-later
#include "editor/conversiondialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
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
                                   QWidget *parent)
    : QDialog(parent)
    , m_findings(new QTreeWidget(this))
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
    m_findings->setColumnCount(2);
    m_findings->setHeaderLabels({tr("Finding"), tr("Where")});
    m_findings->setRootIsDecorated(true);
    m_findings->setWordWrap(true);
    m_findings->setUniformRowHeights(false);
    const auto addGroup = [this](const QString &heading, const QList<Diagnostic> &items) {
        if (items.isEmpty())
            return;
        auto *group = new QTreeWidgetItem(m_findings, {heading.arg(items.size())});
        group->setFirstColumnSpanned(true);
        for (const Diagnostic &d : items) {
            auto *item = new QTreeWidgetItem(group, {d.message, whereOf(d)});
            item->setToolTip(0, d.message);
        }
        group->setExpanded(true);
    };
    addGroup(tr("Not carried over (%1)"), result.losses);
    addGroup(tr("Examples that do not match their schema; AsyncAPI 2.x parsers reject them (%1)"),
             result.exampleMismatches);
    m_findings->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_findings->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_findings->header()->setStretchLastSection(false);
    if (m_findings->topLevelItemCount() > 0)
        m_findings->setCurrentItem(m_findings->topLevelItem(0));
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
