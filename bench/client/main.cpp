// SPDX-License-Identifier: GPL-3.0-or-later
// gatehouse-bench-client: how a client tab copes with a server that floods it. Prints
// one JSON object; bench/client/run.py runs it for every configuration. A benchmark,
// not a test: nothing here passes or fails.
#include "floodrun.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Floods a client tab from an in-process server and measures it."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("messages"), QStringLiteral("Messages to send (100000)."),
                      QStringLiteral("N"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("Bytes per message (64)."),
                      QStringLiteral("BYTES"), QStringLiteral("64")});
    parser.addOption({QStringLiteral("history-limit"),
                      QStringLiteral("Events the tab keeps (0: its default)."),
                      QStringLiteral("EVENTS"), QStringLiteral("0")});
    parser.process(app);

    Gatehouse::Bench::FloodRun::Settings settings;
    settings.messages = parser.value(QStringLiteral("messages")).toLongLong();
    settings.size = parser.value(QStringLiteral("size")).toInt();
    settings.historyLimit = parser.value(QStringLiteral("history-limit")).toLongLong();
    if (settings.messages <= 0 || settings.size < 0 || settings.historyLimit < 0) {
        std::fputs("gatehouse-bench-client: --messages, --size and --history-limit take "
                   "numbers\n",
                   stderr);
        return 2;
    }

    Gatehouse::Bench::FloodRun run(settings);
    const Gatehouse::Bench::FloodRun::Result r = run.run();
    QJsonObject json {
        {QStringLiteral("messages"), double(settings.messages)},
        {QStringLiteral("size"), settings.size},
        {QStringLiteral("history_limit"), double(settings.historyLimit)},
        {QStringLiteral("received"), double(r.received)},
        {QStringLiteral("wall_ms"), r.wallMs},
        {QStringLiteral("messages_per_s"), r.messagesPerSecond},
        {QStringLiteral("longest_gap_ms"), r.longestGapMs},
        {QStringLiteral("gaps_over_50ms"), r.gapsOver50Ms},
        {QStringLiteral("longest_busy_ms"), r.longestBusyMs},
        {QStringLiteral("rss_before_kib"), double(r.rssBeforeKiB)},
        {QStringLiteral("rss_peak_kib"), double(r.rssPeakKiB)},
        {QStringLiteral("rss_after_kib"), double(r.rssAfterKiB)},
        {QStringLiteral("kept_events"), r.keptEvents},
    };
    if (!r.ok)
        json.insert(QStringLiteral("error"), r.error);
    std::fputs(QJsonDocument(json).toJson(QJsonDocument::Compact).append('\n').constData(), stdout);
    return r.ok ? 0 : 1;
}
