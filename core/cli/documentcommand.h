// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/asyncapireader.h"
#include "asyncapi/asyncapiwriter.h"

#include <QCommandLineOption>
#include <QString>

#include <optional>

class QCommandLineParser;

namespace Gatehouse::Cli {

// What the commands that read one document and write another (convert, export)
// share: the FILE argument, --format yaml|json and -o OUT, and reading FILE with its
// diagnostics printed.
class DocumentCommand final
{
public:
    // `usage` is the command line shown when FILE is missing.
    DocumentCommand(const QString &name, const QString &usage);

    void addOptions(QCommandLineParser &parser) const;
    // After parsing: one FILE, and output options that make sense. ExitOk, or the
    // usage error's exit status (the error printed).
    int check(const QCommandLineParser &parser);

    QString file() const { return m_file; }
    // Empty: standard output.
    QString output() const { return m_output; }
    // --format, else JSON when OUT ends in .json, else YAML.
    AsyncApiWriter::Format format() const { return m_format; }

    // Reads FILE, printing its diagnostics; nothing when it has errors, then
    // "gatehouse-cli NAME: FILE has errors; nothing WHAT" is printed too.
    std::optional<ReadResult> read(const QString &nothingWhat) const;

private:
    QString m_name;
    QString m_usage;
    QCommandLineOption m_formatOption;
    QCommandLineOption m_outputOption;
    QString m_file;
    QString m_output;
    AsyncApiWriter::Format m_format = AsyncApiWriter::Format::Yaml;
};

} // namespace Gatehouse::Cli
