// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientoptions.h"

#include <QString>

#include <optional>

namespace Gatehouse::Cli {

// `gatehouse-cli cat --expect FILE [--junit FILE]`: runs the scenario in FILE with
// `defaultConnection` (from -c URL, -H, ...) for steps that name no connection and
// `baseOptions` (TLS, proxy, timeouts) under its named connections. Prints a line per
// step and a summary; returns 0 when every step passed, 1 when one failed, 255 when a
// connection could not open, 2 when the file cannot be used.
int runExpectations(const QString &file, const QString &junitFile,
                    const std::optional<Client::ClientOptions> &defaultConnection,
                    const Client::ClientOptions &baseOptions);

} // namespace Gatehouse::Cli
