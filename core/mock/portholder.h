// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Gatehouse {

// Finds out which local process listens on a TCP port, for error messages such as
// "port 8080 is already in use by node (pid 4242)". Linux only (/proc); elsewhere,
// or when the process belongs to another user, the answer is empty.
class PortHolder
{
public:
    // "NAME (pid N)", or empty when it cannot be found cheaply.
    static QString describe(quint16 port);
};

} // namespace Gatehouse
