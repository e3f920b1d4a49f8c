// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/commands.h"

namespace Gatehouse::Cli {

int appsCommand(const QStringList &)
{
    err() << "gatehouse-cli apps: not implemented yet" << Qt::endl;
    return ExitFailure;
}

} // namespace Gatehouse::Cli
