// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/clientevent.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace Gatehouse::Client {

// Writes what happened in client tabs as a scenario file (YAML) that
// `gatehouse-cli cat --expect` and the window run again: a connection per tab, then
// the messages they sent in the order they were sent, then each tab's expectations.
class ClientScenarioWriter final
{
public:
    struct Expectation
    {
        QString kind; // text, regex, match
        QString value;
        int withinMs = 2000;
    };
    struct Tab
    {
        QString name; // unique, a YAML key
        QUrl url;
        HeaderList headers; // without secrets
        QStringList subprotocols;
        QString omittedCredential; // a header left out because it carries a secret
        QList<ClientEvent> sent; // Sent events (time and payload)
        QList<Expectation> expectations;
    };

    static QByteArray yaml(const QString &name, const QList<Tab> &tabs);
    // A name usable as a connection key: letters, digits, '-' and '_'.
    static QString connectionName(const QString &title, const QStringList &taken);
};

} // namespace Gatehouse::Client
