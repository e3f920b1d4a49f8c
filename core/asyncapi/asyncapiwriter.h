// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/api.h"

#include <QByteArray>
#include <QString>

namespace Gatehouse {

// Writes an Api as an AsyncAPI 2.6.0 or 3.0.0 document, YAML or JSON, in a canonical
// key order, so that writing, reading and writing again gives the same bytes.
// Converting between the major versions follows the official converter's rules
// (application point of view, channel addresses, the operations map), and goes
// further with bindings: 2.x http and amqp operation and message bindings are brought
// into the form 3.0's binding schemas accept (BindingConversion).
class AsyncApiWriter final
{
public:
    enum class TargetVersion { V2_6, V3_0 };
    enum class Format { Yaml, Json };

    // The document as a JSON tree (what write() serializes).
    static Json toJson(const Api &api, TargetVersion version);
    static QByteArray write(const Api &api, TargetVersion version, Format format);
    // Writes atomically (QSaveFile); on failure returns false and sets `error`.
    static bool save(const Api &api, const QString &path, TargetVersion version, Format format,
                     QString *error = nullptr);

    // Serializes any JSON value as block-style YAML, quoting strings that a YAML
    // reader would otherwise take for something else ("yes", "123", "a: b").
    static QByteArray toYaml(const Json &value);
};

} // namespace Gatehouse
