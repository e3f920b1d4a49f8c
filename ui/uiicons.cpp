// SPDX-License-Identifier: GPL-3.0-or-later
#include "uiicons.h"

#include <QHash>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initGatehouseResources()
{
    Q_INIT_RESOURCE(samples);
    Q_INIT_RESOURCE(icons);
    Q_INIT_RESOURCE(appicon);
}

namespace Gatehouse {

void UiIcons::ensureResources()
{
    static const bool done = [] {
        initGatehouseResources();
        return true;
    }();
    Q_UNUSED(done);
}

QIcon UiIcons::icon(Name name)
{
    ensureResources();
    static QHash<int, QIcon> cache;
    const auto it = cache.constFind(name);
    if (it != cache.constEnd())
        return *it;
    QString file;
    switch (name) {
    case AppLogo:
        file = QStringLiteral("io.gatehouse.Gatehouse");
        break;
    case Api:
        file = QStringLiteral("api");
        break;
    case Channel:
        file = QStringLiteral("channel");
        break;
    case Error:
        file = QStringLiteral("error");
        break;
    case Folder:
        file = QStringLiteral("folder");
        break;
    case Gateway:
        file = QStringLiteral("gateway");
        break;
    case Message:
        file = QStringLiteral("message");
        break;
    case Parameter:
        file = QStringLiteral("parameter");
        break;
    case Receive:
        file = QStringLiteral("receive");
        break;
    case Security:
        file = QStringLiteral("security");
        break;
    case Send:
        file = QStringLiteral("send");
        break;
    case Server:
        file = QStringLiteral("server");
        break;
    case Setting:
        file = QStringLiteral("setting");
        break;
    case Warning:
        file = QStringLiteral("warning");
        break;
    }
    // The same drawing when selected: the icons are coloured and read well on the
    // highlight, where the style's generated "selected" variant washes them out.
    const QString path = QStringLiteral(":/icons/") + file + QStringLiteral(".svg");
    QIcon icon;
    icon.addFile(path, {}, QIcon::Normal);
    icon.addFile(path, {}, QIcon::Selected);
    cache.insert(name, icon);
    return icon;
}

} // namespace Gatehouse
