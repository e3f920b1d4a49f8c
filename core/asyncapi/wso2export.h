// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "asyncapi/asyncapiconverter.h"
#include "asyncapi/asyncapireader.h"

#include <QByteArray>
#include <QString>

namespace Gatehouse {

// Writes a document (AsyncAPI 2.x or 3.x) as the AsyncAPI 2.6 definition of a
// WebSocket API that WSO2 API Manager 4.x imports (Publisher > Create API > Import
// AsyncAPI Definition), and says what it dropped or changed on the way:
// - every topic carries x-uri-mapping on its operations and x-auth-type on the channel
//   (where WSO2's importer reads it) and on its operations (where WSO2's Topics page
//   shows it); x-scopes stay on the operations;
// - every scope an operation names is declared in the `oauth2` security scheme's
//   implicit flow, with `x-scopes-bindings`, as WSO2 requires (an undeclared scope
//   fails the import);
// - `x-gatehouse.endpoint` becomes the `production` server (WSO2's servers are the
//   backend endpoints); the rest of `x-gatehouse`, which WSO2 has no place for, is
//   left out and listed.
// The result reads back as a valid AsyncAPI 2.6 document; problems it would still
// have are listed with the losses.
class Wso2Export final
{
public:
    using Result = AsyncApiConverter::Result;
    using Format = AsyncApiConverter::Format;

    // `fileName` names the text in diagnostics and is the base for relative $refs.
    static Result exportDocument(const QByteArray &text, const QString &fileName, Format format);
    static Result exportDocument(const ReadResult &read, Format format);

    // The authorization URL written in the `oauth2` scheme's implicit flow when the
    // document names none: WSO2 API Manager's own authorize endpoint on this machine.
    static constexpr const char *DefaultAuthorizationUrl
        = "https://localhost:9443/oauth2/authorize";
};

} // namespace Gatehouse
