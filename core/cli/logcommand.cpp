// SPDX-License-Identifier: GPL-3.0-or-later
// gatehouse-cli log: the message log in a terminal, for support staff on a server.
#include "cli/cli.h"
#include "cli/commands.h"

#include "analytics/jsonlinesimport.h"
#include "analytics/logexport.h"
#include "analytics/logrecordjson.h"
#include "analytics/messagelogreader.h"
#include "api/json.h"
#include "policy/policyconfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <optional>

namespace Gatehouse::Cli {

using Analytics::LogFilter;
using Analytics::LogRecord;

namespace {

const QString Name = QStringLiteral("log");
constexpr qint64 Page = 1000;

// "10m" (that long ago), an ISO 8601 time, or milliseconds since the epoch.
std::optional<qint64> parseTime(const QString &text, qint64 nowMs)
{
    if (const auto ago = Policies::PolicyConfig::parseDuration(text))
        return nowMs - ago->count();
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (time.isValid())
        return time.toMSecsSinceEpoch();
    bool ok = false;
    const qint64 ms = text.toLongLong(&ok);
    if (ok)
        return ms;
    return std::nullopt;
}

QString when(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
}

QString oneLine(const QByteArray &payload, bool binary)
{
    if (binary || !QUtf8StringView(payload).isValidUtf8())
        return QStringLiteral("<%1 bytes binary> %2")
            .arg(payload.size())
            .arg(QString::fromLatin1(payload.left(32).toHex(' ')));
    QString text = QString::fromUtf8(payload);
    text.replace(u'\n', QStringLiteral("\\n"));
    if (text.size() > 200)
        text = text.left(200) + QStringLiteral("…");
    return text;
}

QString text(const LogRecord &r)
{
    QString line = QStringLiteral("%1  #%2  ").arg(when(r.timeMs)).arg(r.connectionId);
    switch (r.kind) {
    case LogRecord::Kind::Handshake:
        line += QStringLiteral("%1 %2 %3").arg(Analytics::kindName(r)).arg(r.status).arg(r.path);
        if (!r.channel.isEmpty())
            line += QStringLiteral(" (%1)").arg(r.channel);
        if (!r.application.isEmpty())
            line += QStringLiteral(" app %1").arg(r.application);
        if (!r.clientAddress.isEmpty())
            line += QStringLiteral(" from %1").arg(r.clientAddress);
        if (!r.reason.isEmpty())
            line += QStringLiteral(": ") + r.reason;
        break;
    case LogRecord::Kind::Message:
        line += QStringLiteral("%1 %2 %3 %4 B").arg(r.direction, r.action, r.opcode).arg(r.size);
        if (!r.reason.isEmpty())
            line += QStringLiteral(" (%1)").arg(r.reason);
        if (!r.payload.isEmpty())
            line += QStringLiteral("  ") + oneLine(r.payload, r.binary)
                + (r.payloadTruncated ? QStringLiteral(" [cut]") : QString());
        break;
    case LogRecord::Kind::Close:
        line += QStringLiteral("closed %1 by %2 after %3 s (in %4, out %5)")
                    .arg(r.closeCode)
                    .arg(r.closedBy)
                    .arg(double(r.durationMs) / 1000.0, 0, 'f', 1)
                    .arg(r.messagesIn)
                    .arg(r.messagesOut);
        if (!r.reason.isEmpty())
            line += QStringLiteral(": ") + r.reason;
        break;
    }
    return line;
}

} // namespace

int logCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Read the message log (handshakes, messages, closes), as written by "
                       "gatehouse-cli serve --log-db and by the desktop app."));
    auto option
        = [&parser](const QStringList &names, const QString &help, const QString &value = {}) {
              QCommandLineOption o(names, help, value);
              parser.addOption(o);
              return o;
          };
    const auto dbOpt = option({QStringLiteral("db")},
                              QStringLiteral("The log database (default: the desktop app's, "
                                             "messages.db in its data folder)."),
                              QStringLiteral("FILE"));
    const auto fileOpt
        = option({QStringLiteral("file")},
                 QStringLiteral("Read a JSON Lines log (gatehouse-cli serve --log-file) instead "
                                "of a database; broken lines are reported and passed over."),
                 QStringLiteral("FILE"));
    const auto sinceOpt = option({QStringLiteral("since")},
                                 QStringLiteral("From this time on: 10m, 2h, 1d ago, or an ISO "
                                                "8601 time."),
                                 QStringLiteral("TIME"));
    const auto untilOpt = option({QStringLiteral("until")},
                                 QStringLiteral("Up to this time (same forms as --since)."),
                                 QStringLiteral("TIME"));
    const auto apiOpt = option({QStringLiteral("api")},
                               QStringLiteral("Only this API (context/version, or part of it)."),
                               QStringLiteral("API"));
    const auto channelOpt = option({QStringLiteral("channel")},
                                   QStringLiteral("Only this channel (or part of its address)."),
                                   QStringLiteral("CHANNEL"));
    const auto appOpt = option({QStringLiteral("app")}, QStringLiteral("Only this application id."),
                               QStringLiteral("ID"));
    const auto connectionOpt
        = option({QStringLiteral("connection")},
                 QStringLiteral("Only this connection: its whole timeline."), QStringLiteral("ID"));
    const auto kindOpt
        = option({QStringLiteral("kind")},
                 QStringLiteral("Only these kinds, comma-separated: opened, rejected, message "
                                "(relayed), dropped, throttled, closed; handshake is opened "
                                "and rejected, close is closed."),
                 QStringLiteral("KINDS"));
    const auto directionOpt
        = option({QStringLiteral("direction")},
                 QStringLiteral("Only messages this way: in or out."), QStringLiteral("DIR"));
    const auto statusOpt = option({QStringLiteral("status")},
                                  QStringLiteral("Only handshakes answered with this status."),
                                  QStringLiteral("CODE"));
    const auto codeOpt
        = option({QStringLiteral("code")}, QStringLiteral("Only closes with this close code."),
                 QStringLiteral("CODE"));
    const auto grepOpt = option({QStringLiteral("g"), QStringLiteral("grep")},
                                QStringLiteral("Only rows with this text (reason, channel, "
                                               "application, path, address or payload)."),
                                QStringLiteral("TEXT"));
    const auto linesOpt
        = option({QStringLiteral("n"), QStringLiteral("lines")},
                 QStringLiteral("Only the last N rows (before following)."), QStringLiteral("N"));
    const auto followOpt = option({QStringLiteral("f"), QStringLiteral("follow")},
                                  QStringLiteral("Keep reading: print new rows as they come."));
    const auto jsonOpt
        = option({QStringLiteral("json")}, QStringLiteral("One JSON object per row (JSON Lines)."));
    const auto csvOpt
        = option({QStringLiteral("csv")}, QStringLiteral("As CSV (RFC 4180) with a header row."));
    const auto harOpt
        = option({QStringLiteral("har")},
                 QStringLiteral("Write this connection's handshake and messages as HAR 1.2 (the "
                                "_webSocketMessages that browsers' developer tools read)."),
                 QStringLiteral("ID"));
    const auto originOpt
        = option({QStringLiteral("har-origin")},
                 QStringLiteral("With --har: the gateway's address for the request URL "
                                "(default ws://localhost)."),
                 QStringLiteral("URL"));
    const QCommandLineOption helpOption = parser.addHelpOption();
    if (!parser.parse(arguments))
        return usageError(Name, parser.errorText());
    if (parser.isSet(helpOption)) {
        out() << parser.helpText();
        return ExitOk;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(Name,
                          QStringLiteral("unexpected argument '%1'; see --help")
                              .arg(parser.positionalArguments().constFirst()));

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    LogFilter filter;
    for (const auto &[opt, target] :
         {std::pair {&sinceOpt, &filter.fromMs}, std::pair {&untilOpt, &filter.toMs}}) {
        if (!parser.isSet(*opt))
            continue;
        const std::optional<qint64> t = parseTime(parser.value(*opt), now);
        if (!t)
            return usageError(Name,
                              QStringLiteral("--%1 '%2' is not a time (10m, 2h, 1d or "
                                             "2026-12-05T10:00:00)")
                                  .arg(opt->names().constFirst(), parser.value(*opt)));
        *target = *t;
    }
    filter.text = parser.value(grepOpt);
    if (parser.isSet(connectionOpt)) {
        bool ok = false;
        filter.connectionId = parser.value(connectionOpt).toULongLong(&ok);
        if (!ok || filter.connectionId == 0)
            return usageError(Name,
                              QStringLiteral("--connection '%1' is not a connection id")
                                  .arg(parser.value(connectionOpt)));
    }
    if (QString why; !Analytics::selectKinds(
            &filter, parser.value(kindOpt).split(u',', Qt::SkipEmptyParts), &why))
        return usageError(Name, QStringLiteral("--kind ") + why);
    filter.api = parser.value(apiOpt);
    filter.channel = parser.value(channelOpt);
    filter.application = parser.value(appOpt);
    filter.direction = parser.value(directionOpt);
    if (!filter.direction.isEmpty() && filter.direction != u"in" && filter.direction != u"out")
        return usageError(Name,
                          QStringLiteral("--direction '%1': use in or out").arg(filter.direction));
    auto number = [&](const QCommandLineOption &opt, std::optional<int> *target) {
        if (!parser.isSet(opt))
            return true;
        bool ok = false;
        *target = parser.value(opt).toInt(&ok);
        return ok;
    };
    std::optional<int> status;
    if (!number(statusOpt, &status) || (status && *status <= 0))
        return usageError(Name, QStringLiteral("--status needs a number such as 401"));
    filter.status = status.value_or(0);
    std::optional<int> code;
    if (!number(codeOpt, &code) || (code && *code <= 0))
        return usageError(Name, QStringLiteral("--code needs a number such as 1008"));
    filter.closeCode = code.value_or(0);
    std::optional<int> lines;
    if (!number(linesOpt, &lines) || (lines && *lines < 0))
        return usageError(Name, QStringLiteral("--lines needs a number"));

    if (parser.isSet(jsonOpt) + parser.isSet(csvOpt) + parser.isSet(harOpt) > 1)
        return usageError(Name, QStringLiteral("use one of --json, --csv and --har"));
    quint64 harConnection = 0;
    if (parser.isSet(harOpt)) {
        bool ok = false;
        harConnection = parser.value(harOpt).toULongLong(&ok);
        if (!ok || harConnection == 0)
            return usageError(
                Name,
                QStringLiteral("--har '%1' is not a connection id").arg(parser.value(harOpt)));
        if (parser.isSet(followOpt))
            return usageError(Name, QStringLiteral("--har does not go with --follow"));
    }

    if (parser.isSet(fileOpt) && parser.isSet(dbOpt))
        return usageError(Name, QStringLiteral("use --db or --file, not both"));
    if (parser.isSet(fileOpt) && parser.isSet(followOpt))
        return usageError(Name, QStringLiteral("--follow reads a database, not --file"));
    // a JSON Lines log is read into a database of its own first, for the same reader
    std::unique_ptr<QTemporaryDir> fileDatabase;
    QString path = parser.value(dbOpt);
    if (parser.isSet(fileOpt)) {
        fileDatabase = std::make_unique<QTemporaryDir>();
        if (!fileDatabase->isValid())
            return failure(
                Name, QStringLiteral("no temporary folder: %1").arg(fileDatabase->errorString()));
        path = fileDatabase->filePath(QStringLiteral("log.db"));
        Analytics::JsonLinesImport import;
        QString error;
        if (!import.run(parser.value(fileOpt), path, &error))
            return failure(Name, error);
        for (const QString &problem : import.problems())
            err() << problem << '\n';
        if (import.brokenLines() > import.problems().size())
            err() << QStringLiteral("%1: %2 more broken lines")
                         .arg(QFileInfo(parser.value(fileOpt)).fileName())
                         .arg(import.brokenLines() - import.problems().size())
                  << '\n';
        err().flush();
    }
    if (path.isEmpty())
        path = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                   .filePath(QStringLiteral("messages.db"));
    if (!QFileInfo(path).isFile())
        return failure(Name, QStringLiteral("%1: no such message log").arg(path));
    Analytics::MessageLogReader reader;
    QString error;
    if (!reader.open(path, &error))
        return failure(Name, error);

    if (harConnection != 0) {
        const Json har = Analytics::harOf(reader, harConnection, parser.value(originOpt), &error);
        if (har.is_null())
            return failure(Name, error);
        out() << QString::fromStdString(har.dump(2)) << '\n';
        return ExitOk;
    }

    const bool asJson = parser.isSet(jsonOpt);
    const bool asCsv = parser.isSet(csvOpt);
    if (asCsv)
        out() << QString::fromUtf8(Analytics::csvHeader());
    auto print = [&](const LogRecord &r) {
        if (asJson)
            out() << QString::fromStdString(Analytics::toJson(r).dump()) << '\n';
        else if (asCsv)
            out() << QString::fromUtf8(Analytics::toCsv(r));
        else
            out() << text(r) << '\n';
    };
    // everything that matches, in pages; the last N when asked
    QList<LogRecord> tail;
    // Following reads again from a while before the newest row seen: messages are
    // written in blocks, so rows of a time already passed can still come.
    constexpr qint64 LookBackMs = 10000;
    qint64 lastTime = filter.fromMs;
    QHash<QPair<int, qint64>, qint64> seen; // rows of the look-back, and their times
    auto note = [&](const LogRecord &r) {
        lastTime = std::max(lastTime, r.timeMs);
        if (r.timeMs >= lastTime - LookBackMs)
            seen.insert({int(r.kind), r.id}, r.timeMs);
    };
    for (qint64 offset = 0;; offset += Page) {
        const QList<LogRecord> page = reader.query(filter, offset, Page, &error);
        if (!error.isEmpty())
            return failure(Name, QStringLiteral("%1: %2").arg(path, error));
        for (const LogRecord &r : page) {
            note(r);
            if (lines) {
                tail.append(r);
                if (tail.size() > *lines)
                    tail.removeFirst();
            } else {
                print(r);
            }
        }
        if (page.size() < Page)
            break;
    }
    for (const LogRecord &r : std::as_const(tail))
        print(r);
    out().flush();
    if (!parser.isSet(followOpt))
        return ExitOk;
    // follow: what came since the last row seen, twice a second, until interrupted
    for (;;) {
        QThread::msleep(500);
        LogFilter since = filter;
        since.fromMs = std::max(filter.fromMs, lastTime - LookBackMs);
        seen.removeIf([&](const auto &entry) { return entry.value() < since.fromMs; });
        for (qint64 offset = 0;; offset += Page) {
            const QList<LogRecord> page = reader.query(since, offset, Page, &error);
            if (!error.isEmpty())
                return failure(Name, QStringLiteral("%1: %2").arg(path, error));
            for (const LogRecord &r : page) {
                if (seen.contains({int(r.kind), r.id}))
                    continue;
                note(r);
                print(r);
            }
            if (page.size() < Page)
                break;
        }
        out().flush();
    }
}

} // namespace Gatehouse::Cli
