// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <nlohmann/json.hpp>

namespace Gatehouse {

// JSON values in the model keep their keys in document order, so that a document
// read and written again keeps the order its author chose.
using Json = nlohmann::ordered_json;

inline QString toQString(const std::string &s)
{
    return QString::fromStdString(s);
}

inline std::string toStdString(const QString &s)
{
    return s.toStdString();
}

} // namespace Gatehouse
