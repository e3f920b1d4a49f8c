// SPDX-License-Identifier: GPL-3.0-or-later
// Replays inputs through a fuzz target without libFuzzer: every file of the folders
// (and files) named on the command line, in name order, one LLVMFuzzerTestOneInput
// call each. The corpus replay tests (ctest fuzz_<name>) run it in every build,
// under AddressSanitizer and UndefinedBehaviorSanitizer in the `asan` preset; a
// crash or a sanitizer report fails the test. Exits 1 when no input was found.
#include "fuzzsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cstdio>

int main(int argc, char **argv)
{
    QStringList files;
    for (int i = 1; i < argc; ++i) {
        const QString path = QString::fromLocal8Bit(argv[i]);
        const QFileInfo info(path);
        if (info.isDir()) {
            const QDir dir(path);
            const QStringList names = dir.entryList(QDir::Files | QDir::Hidden, QDir::Name);
            for (const QString &name : names)
                if (name != QLatin1String(".gitkeep"))
                    files.append(dir.filePath(name));
        } else if (info.isFile()) {
            files.append(path);
        } else if (!info.exists() && !path.contains(QLatin1String("regressions"))) {
            std::fprintf(stderr, "replay: %s does not exist\n", argv[i]);
            return 1;
        }
    }
    if (files.isEmpty()) {
        std::fprintf(stderr, "replay: no input files\n");
        return 1;
    }
    QElapsedTimer total;
    total.start();
    qint64 slowest = 0;
    QString slowestFile;
    for (const QString &file : std::as_const(files)) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "replay: cannot read %s\n", qPrintable(file));
            return 1;
        }
        const QByteArray data = f.readAll();
        QElapsedTimer timer;
        timer.start();
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(data.constData()),
                               size_t(data.size()));
        if (timer.elapsed() > slowest) {
            slowest = timer.elapsed();
            slowestFile = file;
        }
    }
    std::printf("replay: %lld inputs in %lld ms (slowest %lld ms: %s)\n",
                static_cast<long long>(files.size()), static_cast<long long>(total.elapsed()),
                static_cast<long long>(slowest), qPrintable(QFileInfo(slowestFile).fileName()));
    return 0;
}
