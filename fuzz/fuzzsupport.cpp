// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzzsupport.h"

#include "gateway/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>

namespace Gatehouse::Fuzz {

namespace {

// Warnings the parsers print about bad input would cost most of a run's time (and
// its readability); only fatal messages are shown.
void quietHandler(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtFatalMsg) {
        std::fprintf(stderr, "fatal: %s\n", qPrintable(message));
        std::abort();
    }
}

[[maybe_unused]] const bool t_quiet = [] {
    if (qEnvironmentVariableIsEmpty("GATEHOUSE_FUZZ_VERBOSE"))
        qInstallMessageHandler(quietHandler);
    return true;
}();

} // namespace

QCoreApplication *application()
{
    static QCoreApplication *app = [] {
        static int argc = 1;
        static char name[] = "gatehouse-fuzz";
        static char *argv[] = {name, nullptr};
        QCoreApplication::setEventDispatcher(new Gateway::EpollEventDispatcher);
        return new QCoreApplication(argc, argv); // never deleted: lives until exit
    }();
    return app;
}

void processEvents()
{
    application();
    QCoreApplication::processEvents(QEventLoop::AllEvents);
}

QString scratchDir()
{
    static QTemporaryDir dir;
    return dir.path();
}

} // namespace Gatehouse::Fuzz
