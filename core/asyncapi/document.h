// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "asyncapi/diagnostic.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <utility>

namespace Gatehouse {

// A parsed AsyncAPI document before it becomes an Api: the JSON tree (YAML read as
// JSON, external $refs resolved in) and where each node came from, so validation
// can report file:line:column.
struct Document
{
    Json root;
    QString fileName; // the file the user opened
    QHash<QString, SourceLocation> locations; // JSON Pointer ("" = root) -> source
    // The other files its `$ref`s reached, in the order first reached: each one's
    // absolute (canonical) path and the bytes it was read from. What an editor of
    // the document edits beside the file itself.
    QList<std::pair<QString, QByteArray>> files;

    // Location of the node at `pointer`, or of its nearest ancestor that has one.
    SourceLocation locate(const QString &pointer) const;
};

} // namespace Gatehouse
