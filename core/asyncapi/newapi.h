// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapiwriter.h"

#include <QByteArray>
#include <QString>

namespace Gatehouse {

// Writes the document of a new API from what File > New API asks (the questions of
// WSO2 API Manager's "Create WebSocket API": name, context, version, endpoint) and a
// starting point: an empty API or one of the samples. The result is a valid
// AsyncAPI 2.6 or 3.0 document with `x-gatehouse` filled in and its gateway server
// pointing at the context and version chosen.
class NewApi final
{
public:
    struct Request
    {
        QString name; // info.title
        QString context; // x-gatehouse.context, e.g. /chats
        QString version; // info.version, e.g. 1.0.0
        QString endpoint; // x-gatehouse.endpoint, e.g. ws://localhost:8080
        QString listen = QStringLiteral("127.0.0.1:9099"); // x-gatehouse.listen
        AsyncApiWriter::TargetVersion asyncApiVersion = AsyncApiWriter::TargetVersion::V3_0;
    };

    // What is wrong with one field of `request`, as a sentence for beside that field;
    // empty when it is fine.
    static QString nameProblem(const QString &name);
    static QString contextProblem(const QString &context);
    static QString versionProblem(const QString &version);
    static QString endpointProblem(const QString &endpoint);
    static QString listenProblem(const QString &listen);
    // The first problem of any field, naming the field; empty when all are fine.
    static QString problem(const Request &request);

    // The new document as YAML. `start` is the text of the document to start from
    // (a sample, YAML or JSON, AsyncAPI 2.x or 3.x); empty for an API with no
    // channels yet. On failure (a bad request or a start that cannot be read) returns
    // an empty array and sets `error`.
    static QByteArray create(const Request &request, const QByteArray &start = {},
                             QString *error = nullptr);

    // A file name for the new document, e.g. "chats.asyncapi.yaml" for "Chats".
    static QString suggestedFileName(const QString &name);
};

} // namespace Gatehouse
