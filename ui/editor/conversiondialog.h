// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/asyncapiconverter.h"

#include <QDialog>

class QDialogButtonBox;
class QListWidget;

namespace Gatehouse {

// Lists what writing a document in another version or syntax does not carry over,
// and examples a 2.x parser would reject, before anything is written: the user
// saves or cancels. Each finding shows where it is in the source, when known.
class ConversionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversionDialog)

public:
    // `intro` says what is about to be written where; `saveText` names the button
    // that writes it; `lossesHeading` heads the losses ("%1" is their number), by
    // default "Not carried over (%1):".
    ConversionDialog(const QString &title, const QString &intro,
                     const AsyncApiConverter::Result &result, const QString &saveText,
                     QWidget *parent = nullptr, const QString &lossesHeading = {});

    QListWidget *findingsView() const { return m_findings; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    QListWidget *m_findings;
    QDialogButtonBox *m_buttons;
};

} // namespace Gatehouse
