// SPDX-License-Identifier: GPL-3.0-or-later
#include "asyncapi/asyncapiwriter.h"

#include <QSaveFile>

namespace Gatehouse {

Json AsyncApiWriter::toJson(const Api &, TargetVersion)
{
    return Json::object(); // placeholder until the writer lands
}

QByteArray AsyncApiWriter::toYaml(const Json &value)
{
    return QByteArray::fromStdString(value.dump(2));
}

QByteArray AsyncApiWriter::write(const Api &api, TargetVersion version, Format format)
{
    const Json json = toJson(api, version);
    if (format == Format::Json)
        return QByteArray::fromStdString(json.dump(2)) + '\n';
    return toYaml(json);
}

bool AsyncApiWriter::save(const Api &api, const QString &path, TargetVersion version, Format format,
                          QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(write(api, version, format)) < 0 || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace Gatehouse
