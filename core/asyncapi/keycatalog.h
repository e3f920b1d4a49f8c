// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace Gatehouse {

// The keys an AsyncAPI document may have at a place in it, with what each means:
// what the source editor offers when completing a key and shows when the mouse
// rests on one. AsyncAPI's objects (2.x and 3.x) and JSON Schema keywords come from
// a table here; `x-gatehouse` keys come from Gatehouse's own schema
// (x-gatehouse.schema.json, compiled in), so they follow it.
class KeyCatalog final
{
public:
    struct Key
    {
        QString name;
        QString description;
    };

    // The keys the mapping at `pointer` (a JSON Pointer) may have in a document of
    // AsyncAPI major version `major` (2 or 3); empty when the place is not known or
    // takes names of the user's own (the members of `channels`, say).
    static QList<Key> keysAt(const QString &pointer, int major);
    // What the member at `pointer` means (empty when not known).
    static QString describe(const QString &pointer, int major);

private:
    static QList<Key> keysFor(const QStringList &tokens, int major);
};

} // namespace Gatehouse
