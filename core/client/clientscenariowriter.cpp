// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientscenariowriter.h"

#include <algorithm>

namespace Gatehouse::Client {

namespace {

// A YAML double-quoted scalar (JSON string syntax is valid YAML).
QByteArray quoted(const QString &text)
{
    return QByteArray::fromStdString(Json(text.toStdString()).dump());
}

} // namespace

QString ClientScenarioWriter::connectionName(const QString &title, const QStringList &taken)
{
    QString base;
    for (QChar c : title)
        base.append(c.isLetterOrNumber() || c == u'-' || c == u'_' ? c : QChar(u'-'));
    while (base.contains(QStringLiteral("--")))
        base.replace(QStringLiteral("--"), QStringLiteral("-"));
    while (base.startsWith(u'-'))
        base.remove(0, 1);
    while (base.endsWith(u'-'))
        base.chop(1);
    if (base.isEmpty())
        base = QStringLiteral("client");
    QString name = base;
    for (int n = 2; taken.contains(name); ++n)
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    return name;
}

QByteArray ClientScenarioWriter::yaml(const QString &name, const QList<Tab> &tabs)
{
    QByteArray out = "# A Gatehouse client scenario: run it with\n"
                     "#   gatehouse-cli cat --expect FILE\n"
                     "name: "
        + quoted(name) + "\nconnections:\n";
    for (const Tab &tab : tabs) {
        out += "  " + tab.name.toUtf8() + ":\n    url: " + quoted(tab.url.toString()) + '\n';
        if (!tab.omittedCredential.isEmpty())
            out += "    # " + tab.omittedCredential.toUtf8()
                + " is left out: it carries a secret; add it under headers\n";
        if (!tab.headers.isEmpty()) {
            out += "    headers:\n";
            for (const auto &[header, value] : tab.headers)
                out += "      " + quoted(QString::fromLatin1(header)) + ": "
                    + quoted(QString::fromUtf8(value)) + '\n';
        }
        if (!tab.subprotocols.isEmpty()) {
            out += "    subprotocols: [";
            for (qsizetype i = 0; i < tab.subprotocols.size(); ++i)
                out += (i ? ", " : "") + quoted(tab.subprotocols.at(i));
            out += "]\n";
        }
    }
    // the messages in the order they were sent, across tabs
    struct Send
    {
        qint64 timeMs;
        QString tab;
        ClientEvent event;
    };
    QList<Send> sends;
    for (const Tab &tab : tabs)
        for (const ClientEvent &e : tab.sent)
            sends.append({e.timeMs, tab.name, e});
    std::stable_sort(sends.begin(), sends.end(),
                     [](const Send &a, const Send &b) { return a.timeMs < b.timeMs; });
    out += "steps:\n";
    qint64 last = 0;
    for (const Send &s : std::as_const(sends)) {
        if (last && s.timeMs - last >= 50)
            out += "  - wait: " + QByteArray::number(std::min<qint64>(s.timeMs - last, 60000))
                + "ms\n";
        last = s.timeMs;
        if (s.event.opcode == ClientEvent::Binary)
            out += "  - " + s.tab.toUtf8() + ": {sendBinary: " + s.event.data.toBase64() + "}\n";
        else
            out += "  - " + s.tab.toUtf8() + ": {send: " + quoted(QString::fromUtf8(s.event.data))
                + "}\n";
    }
    for (const Tab &tab : tabs)
        for (const Expectation &e : tab.expectations) {
            const QByteArray value = e.kind == u"match" ? e.value.toUtf8() : quoted(e.value);
            out += "  - " + tab.name.toUtf8() + ": {expect: {" + e.kind.toUtf8() + ": " + value
                + "}, within: " + QByteArray::number(e.withinMs) + "ms}\n";
        }
    if (sends.isEmpty() && std::all_of(tabs.cbegin(), tabs.cend(), [](const Tab &t) {
            return t.expectations.isEmpty();
        }))
        out += "  - wait: 100ms\n";
    return out;
}

} // namespace Gatehouse::Client
