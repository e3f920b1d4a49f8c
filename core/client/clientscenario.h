// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/json.h"
#include "client/clientevent.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

namespace Gatehouse {
class JsonSchemaValidator;
}

namespace Gatehouse::Client {

// A client test scenario read from a YAML or JSON file: named connections, then steps
// that send, expect a message (text, JSON pattern, JSON Schema, regular expression) or
// a close within a time, close, or wait. ClientScenarioRunner runs it.
//
//   connections:
//     alice: {url: ws://127.0.0.1:9099/rooms/r1, headers: {Authorization: Bearer X}}
//     bob: ws://127.0.0.1:9099/rooms/r1
//   steps:
//     - alice: {send: hello}
//     - bob: {expect: {text: hello}, within: 200ms}
//     - wait: 100ms
//
// Steps without a connection name (`- send: hello`) use the default connection, the
// one `gatehouse-cli cat -c URL` opens.
class ClientScenario final
{
public:
    struct Connection
    {
        QString name;
        QUrl url;
        HeaderList headers;
        QStringList subprotocols;
        QString origin;
        int line = 0;
    };

    struct Expectation
    {
        enum class Kind { Text, Match, Schema, Regex, Closed };
        Kind kind = Kind::Text;
        QString text; // Text: the whole message
        Json value; // Match: the JsonPattern; Schema: the schema
        QRegularExpression regex; // Regex
        int closeCode = 0; // Closed: the code (0: any)
        std::shared_ptr<const JsonSchemaValidator> schema; // Schema, compiled

        // Whether a received message matches; `why` says how it differs.
        bool matches(const ClientEvent &message, QString *why = nullptr) const;
        // "text \"hello\"", "match {\"type\":\"joined\"}", "closed 1000".
        QString describe() const;
    };

    struct Step
    {
        enum class Action { Send, SendBinary, Expect, Close, Wait };
        Action action = Action::Wait;
        QString connection; // empty: the default connection (Wait: none)
        QByteArray payload; // Send: UTF-8 text; SendBinary: the bytes
        Expectation expectation; // Expect
        int withinMs = DefaultWithinMs; // Expect
        int waitMs = 0; // Wait
        int closeCode = 1000; // Close
        QString reason; // Close
        int line = 0;

        // "bob expect text \"hello\"", "wait 100 ms".
        QString describe() const;
    };

    static constexpr int DefaultWithinMs = 5000;

    QString fileName;
    QString name; // the file's `name`, else its file name
    QList<Connection> connections;
    QList<Step> steps;

    // Reads a scenario file; std::nullopt with a one-line `*error` ("file:line: ...")
    // when it cannot be used.
    static std::optional<ClientScenario> load(const QString &path, QString *error);
    // The same for data in memory; `fileName` names it in errors.
    static std::optional<ClientScenario> fromData(const QByteArray &data, const QString &fileName,
                                                  QString *error);

    // Whether a step uses the default connection.
    bool usesDefaultConnection() const;
    // "file:line: step N has no connection name ..." for the first step that uses the
    // default connection, for runs that have none; empty when no step does.
    QString defaultConnectionProblem() const;
    // Milliseconds from a number (200) or text ("200ms", "1.5s", "2m", "1min"); up to
    // a day; std::nullopt for anything else.
    static std::optional<int> parseDuration(const Json &value);
};

} // namespace Gatehouse::Client
