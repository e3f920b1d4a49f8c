// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/documentcommand.h"

#include "asyncapi/asyncapiconverter.h"
#include "cli/cli.h"

#include <QCommandLineParser>

namespace Gatehouse::Cli {

DocumentCommand::DocumentCommand(const QString &name, const QString &usage)
    : m_name(name)
    , m_usage(usage)
    , m_formatOption(QStringLiteral("format"),
                     QStringLiteral("Output format: yaml or json (default: json when OUT ends in "
                                    ".json, else yaml)."),
                     QStringLiteral("yaml|json"))
    , m_outputOption({QStringLiteral("o"), QStringLiteral("output")},
                     QStringLiteral("Write to OUT (atomically) instead of standard output."),
                     QStringLiteral("OUT"))
{ }

void DocumentCommand::addOptions(QCommandLineParser &parser) const
{
    parser.addOptions({m_formatOption, m_outputOption});
}

int DocumentCommand::check(const QCommandLineParser &parser)
{
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1)
        return usageError(m_name,
                          files.isEmpty()
                              ? QStringLiteral("no file given; usage: ") + m_usage
                              : QStringLiteral("one file at a time, got %1").arg(files.size()));
    m_file = files.first();
    m_output = parser.value(m_outputOption);
    if (parser.isSet(m_outputOption) && m_output.isEmpty())
        return usageError(m_name, QStringLiteral("-o needs a file name"));
    if (parser.isSet(m_formatOption)) {
        const QString f = parser.value(m_formatOption).toLower();
        if (f == QLatin1String("json"))
            m_format = AsyncApiWriter::Format::Json;
        else if (f == QLatin1String("yaml") || f == QLatin1String("yml"))
            m_format = AsyncApiWriter::Format::Yaml;
        else
            return usageError(m_name,
                              QStringLiteral("unknown format '%1'; use yaml or json")
                                  .arg(parser.value(m_formatOption)));
    } else {
        m_format = AsyncApiConverter::formatForPath(m_output, AsyncApiWriter::Format::Yaml);
    }
    return ExitOk;
}

std::optional<ReadResult> DocumentCommand::read(const QString &nothingWhat) const
{
    ReadResult result = AsyncApiReader::readFile(m_file);
    for (const Diagnostic &d : result.diagnostics)
        err() << d.toString() << '\n';
    if (result.ok())
        return result;
    if (result.diagnostics.isEmpty())
        err() << m_file << ": error: could not be read as an AsyncAPI document\n";
    err() << "gatehouse-cli " << m_name << ": " << m_file << " has errors; nothing " << nothingWhat
          << Qt::endl;
    return std::nullopt;
}

} // namespace Gatehouse::Cli
