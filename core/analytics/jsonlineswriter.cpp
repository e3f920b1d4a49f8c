// SPDX-License-Identifier: GPL-3.0-or-later
#include "analytics/jsonlineswriter.h"

#include "storage/privatefile.h"

#include "analytics/gatewayeventjson.h"
#include "analytics/loggedpayload.h"

#include <QDir>
#include <QFileInfo>

namespace Gatehouse::Analytics {

JsonLinesWriter::JsonLinesWriter(const Options &options)
    : m_options(options)
{ }

JsonLinesWriter::~JsonLinesWriter()
{
    close();
}

bool JsonLinesWriter::open(QString *error)
{
    if (m_file.isOpen())
        return true;
    if (m_options.path.isEmpty()) {
        if (error)
            *error = QStringLiteral("log file: no file name given");
        return false;
    }
    const QFileInfo info(m_options.path);
    if (!info.absoluteDir().exists()) {
        if (error)
            *error = QStringLiteral("%1: the folder does not exist").arg(m_options.path);
        return false;
    }
    if (!PrivateFile::prepare(m_options.path, error)) // who connected where: 0600
        return false;
    m_file.setFileName(m_options.path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = QStringLiteral("%1: cannot open for appending: %2")
                         .arg(m_options.path, m_file.errorString());
        return false;
    }
    return true;
}

bool JsonLinesWriter::write(EventSlices slices, QString *error)
{
    if (!m_file.isOpen()) {
        if (error)
            *error = QStringLiteral("%1: not open").arg(m_options.path);
        return false;
    }
    QByteArray chunk;
    auto line = [&](const Gateway::GatewayEvent &e) {
        QByteArray payload;
        if (m_options.payloads && !e.payload.isEmpty()) {
            payload = m_options.payloadFilter ? m_options.payloadFilter(e) : e.payload;
            payload.truncate(keptPayloadSize(payload, m_options.maxPayloadSize, e.binary));
        }
        chunk
            += QByteArray::fromStdString(GatewayEventJson::toJson(e, payload)
                                             .dump(-1, ' ', false, Json::error_handler_t::replace));
        chunk += '\n';
    };
    for (const EventSpan &events : slices) {
        for (const Gateway::GatewayEvent &e : events) {
            if (e.type != Gateway::GatewayEvent::Type::MessageRun) {
                line(e);
                continue;
            }
            for (const Gateway::GatewayEvent &m : Gateway::messages(e)) // a line per message
                line(m);
        }
    }
    // one write per batch: a line is never split across batches
    if (m_file.write(chunk) != chunk.size() || !m_file.flush()) {
        if (error)
            *error
                = QStringLiteral("%1: write failed: %2").arg(m_options.path, m_file.errorString());
        return false;
    }
    return true;
}

void JsonLinesWriter::close()
{
    if (m_file.isOpen())
        m_file.close();
}

} // namespace Gatehouse::Analytics
