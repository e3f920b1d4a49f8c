// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"
#include "uiicons.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <cstring>

namespace {

void setApplicationInfo()
{
    QCoreApplication::setApplicationName(QStringLiteral("gatehouse"));
    QCoreApplication::setOrganizationName(QStringLiteral("gatehouse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GATEHOUSE_VERSION));
}

void setUpParser(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QCoreApplication::translate(
        "main",
        "Gatehouse: a desktop studio for WebSocket APIs described in AsyncAPI.\n"
        "Opens FILE; without one, the documents open when it last closed, or the built-in "
        "Chats sample."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(
        {QStringLiteral("run"),
         QCoreApplication::translate("main",
                                     "Run FILE (or the sample) behind the gateway once it is open, "
                                     "as the Run button does.")});
    parser.addOption(
        {QStringLiteral("show"),
         QCoreApplication::translate("main",
                                     "Show this tab first: details, source, design, overview, "
                                     "connections, dashboard, log or applications."),
         QStringLiteral("TAB")});
    parser.addPositionalArgument(
        QStringLiteral("FILE"),
        QCoreApplication::translate("main", "AsyncAPI document to open (YAML or JSON)."),
        QStringLiteral("[FILE]"));
}

// --help and --version need no display: answer them before a GUI connection exists.
bool wantsInformationOnly(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "--help-all", "-?", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0)
                return true;
    }
    return false;
}

void usageError(const QString &message)
{
    std::fprintf(stderr, "gatehouse: %s\n", qPrintable(message));
    std::fprintf(stderr, "%s\n",
                 qPrintable(QCoreApplication::translate("main", "Try 'gatehouse --help'.")));
}

} // namespace

int main(int argc, char *argv[])
{
    if (wantsInformationOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationInfo();
        QCommandLineParser parser;
        setUpParser(parser);
        parser.process(app); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    setApplicationInfo();
    QApplication::setApplicationDisplayName(QStringLiteral("Gatehouse"));
    QApplication::setDesktopFileName(QStringLiteral("io.gatehouse.Gatehouse"));
    QApplication::setWindowIcon(Gatehouse::UiIcons::icon(Gatehouse::UiIcons::AppLogo));

    QCommandLineParser parser;
    setUpParser(parser);
    if (!parser.parse(QCoreApplication::arguments())) {
        usageError(parser.errorText());
        return 2;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() > 1) {
        usageError(QCoreApplication::translate("main", "expected at most one FILE, got %1")
                       .arg(files.size()));
        return 2;
    }

    Gatehouse::MainWindow window;
    if (parser.isSet(QStringLiteral("show"))
        && !window.showTab(parser.value(QStringLiteral("show")))) {
        usageError(QCoreApplication::translate("main", "--show: no tab '%1' (tabs: %2)")
                       .arg(parser.value(QStringLiteral("show")),
                            window.tabNames().join(QStringLiteral(", "))));
        return 2;
    }
    window.show();
    // no file: the documents open when the window last closed, else the sample
    const QStringList restored = window.restoreWorkspace();
    const QString file = !files.isEmpty() ? files.first()
        : !restored.isEmpty()             ? restored.first()
                                          : Gatehouse::MainWindow::samplePath();
    if (parser.isSet(QStringLiteral("run")))
        window.openAndRun(file);
    else
        window.openFile(file);
    return QApplication::exec();
}
