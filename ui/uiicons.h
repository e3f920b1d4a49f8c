// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIcon>

namespace Gatehouse {

// The desktop application's own icons (resources/icons, compiled in).
class UiIcons final
{
public:
    enum Name {
        AppLogo,
        Api,
        Channel,
        Error,
        Folder,
        Gateway,
        Message,
        Parameter,
        Receive,
        Security,
        Send,
        Server,
        Setting,
        Warning,
    };

    static QIcon icon(Name name);
    // Makes sure the compiled-in resources (icons, samples) are registered; the
    // resource objects live in a static library that nothing else references.
    static void ensureResources();
};

} // namespace Gatehouse
