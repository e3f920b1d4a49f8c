// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/policyconfig.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace Gatehouse::Policies {

// Hides secrets in message payloads before they are written to the log; what is
// relayed is never changed. Rules:
//   - fields: JSON Pointers ("/user/password") or bare property names ("password",
//     matched at any depth, case-insensitive); their values become the replacement;
//   - cardNumbers: digit runs of 13 to 19 digits (spaces or dashes allowed) that pass
//     the Luhn check keep only their last four digits;
//   - patterns: regular expressions whose matches become the replacement.
// Payloads that are not JSON (or were truncated) get the field rules applied to
// the text form `"name": value`, so a cut-off payload is still masked.
class PayloadMasker final
{
public:
    struct Settings
    {
        QStringList fields;
        bool cardNumbers = false;
        QStringList patterns;
        QString replacement = QStringLiteral("***");
    };

    // Reads `fields`, `cardNumbers`, `patterns` and `replacement` from a log policy's config.
    static Settings parse(PolicyConfig &config);

    PayloadMasker() = default;
    explicit PayloadMasker(const Settings &settings);

    bool isEmpty() const;
    QByteArray mask(const QByteArray &payload, bool binary = false) const;

    static bool luhnValid(QStringView digits);

private:
    QString maskText(QString text) const;

    Settings m_settings;
    QStringList m_pointers; // JSON Pointers
    QStringList m_names; // lower-case property names
    QList<QRegularExpression> m_patterns;
    QRegularExpression m_fieldText; // "name" : value, for the text fallback
};

} // namespace Gatehouse::Policies
