// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/gatehouseschema.h"

#include <QFile>

namespace Gatehouse {

const Json &gatehouseSchema()
{
    static const Json schema = [] {
        QFile file(QStringLiteral(":/gatehouse/schemas/x-gatehouse.schema.json"));
        if (!file.open(QIODevice::ReadOnly))
            return Json::object();
        Json parsed = Json::parse(file.readAll().toStdString(), nullptr, false);
        return parsed.is_object() ? parsed : Json::object();
    }();
    return schema;
}

} // namespace Gatehouse
