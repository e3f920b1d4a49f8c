// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/jsonlinesimport.h"

#include "analytics/gatewayeventjson.h"
#include "analytics/sqlitelogwriter.h"
#include "api/boundedjson.h"

#include <QFile>
#include <QFileInfo>

namespace Gatehouse::Analytics {

bool JsonLinesImport::run(const QString &jsonLinesPath, const QString &databasePath, QString *error,
                          const std::atomic<bool> *cancel)
{
    m_events = 0;
    m_brokenLines = 0;
    m_problems.clear();
    QFile file(jsonLinesPath);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(jsonLinesPath, file.errorString());
        return false;
    }
    if (QFileInfo(jsonLinesPath).isDir()) {
        *error = QStringLiteral("%1: is a folder").arg(jsonLinesPath);
        return false;
    }
    SqliteLogWriter::Options options;
    options.path = databasePath;
    options.maxPayloadSize = 64 * 1024 * 1024; // the file's payloads as they are
    SqliteLogWriter writer(options);
    if (!writer.open(error))
        return false;
    const QString name = QFileInfo(jsonLinesPath).fileName();
    constexpr qsizetype Batch = 4096;
    QList<Gateway::GatewayEvent> batch;
    batch.reserve(Batch);
    auto write = [&] {
        if (batch.isEmpty())
            return true;
        const EventSpan span(batch.constData(), size_t(batch.size()));
        if (!writer.write(EventSlices(&span, 1), error))
            return false;
        m_events += batch.size();
        batch.clear();
        return true;
    };
    auto broken = [&](qint64 line, const QString &what) {
        ++m_brokenLines;
        if (m_problems.size() < MaxProblems)
            m_problems.append(QStringLiteral("%1:%2: %3").arg(name).arg(line).arg(what));
    };
    qint64 line = 0;
    while (!file.atEnd()) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            writer.close();
            *error = QStringLiteral("cancelled");
            return false;
        }
        QByteArray text = file.readLine();
        ++line;
        while (text.endsWith('\n') || text.endsWith('\r'))
            text.chop(1);
        if (text.trimmed().isEmpty())
            continue;
        QString why;
        const std::optional<Json> json = parseBoundedJson(text, &why);
        if (!json) {
            broken(line, QStringLiteral("not JSON: ") + why);
            continue;
        }
        std::optional<Gateway::GatewayEvent> event = GatewayEventJson::fromJson(*json);
        if (!event) {
            broken(line, QStringLiteral("not a gateway event"));
            continue;
        }
        batch.append(std::move(*event));
        if (batch.size() >= Batch && !write()) {
            writer.close();
            return false;
        }
    }
    const bool ok = write();
    writer.close();
    if (ok && file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("%1: %2").arg(jsonLinesPath, file.errorString());
        return false;
    }
    return ok;
}

} // namespace Gatehouse::Analytics
