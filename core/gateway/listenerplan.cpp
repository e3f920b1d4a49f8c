// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/listenerplan.h"

#include <QDir>
#include <QFileInfo>

namespace Gatehouse::Gateway {

namespace {

QString titleOf(const Api &api)
{
    return api.title.isEmpty() ? QStringLiteral("(untitled API)") : api.title;
}

// A certificate or key path as x-gatehouse gives it, relative to the document.
QString documentPath(const QString &path, const QString &document)
{
    if (path.isEmpty())
        return {};
    const QDir base = document.isEmpty() ? QDir::current() : QFileInfo(document).absoluteDir();
    return QDir::cleanPath(base.absoluteFilePath(path));
}

} // namespace

bool ListenerPlan::parseAddress(const QString &text, QHostAddress *address, quint16 *port,
                                QString *error)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = text.trimmed();
    const QString trimmed = portText;
    if (trimmed.startsWith(u'[')) {
        const qsizetype close = trimmed.indexOf(u"]:");
        if (close < 0) {
            *error = QStringLiteral("'%1' is not [ADDRESS]:PORT").arg(text);
            return false;
        }
        host = trimmed.mid(1, close - 1);
        portText = trimmed.mid(close + 2);
    } else if (const qsizetype colon = trimmed.lastIndexOf(u':'); colon >= 0) {
        if (colon > 0)
            host = trimmed.left(colon);
        portText = trimmed.mid(colon + 1);
    }
    bool ok = false;
    const uint p = portText.toUInt(&ok);
    if (!ok || p > 65535) {
        *error = QStringLiteral("'%1': '%2' is not a port number").arg(text, portText);
        return false;
    }
    QHostAddress parsed;
    if (host == u"localhost")
        parsed = QHostAddress::LocalHost;
    else if (host == u"*" || host == u"0.0.0.0")
        parsed = QHostAddress::AnyIPv4;
    else if (host == u"::")
        parsed = QHostAddress::Any;
    else if (!parsed.setAddress(host)) {
        *error = QStringLiteral("'%1': '%2' is not an IP address").arg(text, host);
        return false;
    }
    *address = parsed;
    *port = quint16(p);
    return true;
}

int ListenerPlan::find(const QHostAddress &address, quint16 port, bool tls) const
{
    for (qsizetype i = 0; i < m_listeners.size(); ++i) {
        const ListenerConfig &l = m_listeners.at(i);
        if (l.tls == tls && l.port == port && l.address == address)
            return int(i);
    }
    return -1;
}

void ListenerPlan::append(const ListenerConfig &listener, const QString &namedBy)
{
    m_listeners.append(listener);
    m_namedBy.append(namedBy);
}

bool ListenerPlan::build(const QList<Api> &apis, const QStringList &documents, QString *error)
{
    m_listeners.clear();
    m_namedBy.clear();
    m_warnings.clear();
    m_skippedTls.clear();

    // ws: the override, else each API's own address or the default one
    if (wsOverride) {
        ListenerConfig l = *wsOverride;
        l.tls = false;
        append(l, QStringLiteral("--listen"));
    } else {
        for (const Api &api : apis) {
            ListenerConfig l = defaultWs;
            l.tls = false;
            QString namedBy = QStringLiteral("the default address");
            const QString text = api.gatehouse.listen.trimmed();
            if (!text.isEmpty()) {
                QString e;
                if (!parseAddress(text, &l.address, &l.port, &e)) {
                    *error = QStringLiteral("API '%1': x-gatehouse.listen %2").arg(titleOf(api), e);
                    return false;
                }
                namedBy = QStringLiteral("API '%1' (listen)").arg(titleOf(api));
            }
            if (find(l.address, l.port, false) < 0)
                append(l, namedBy);
        }
    }

    // wss: the override, else each tlsListen with its certificate files. One address
    // has one certificate: APIs that name the address without files share it.
    if (wssOverride) {
        ListenerConfig l = *wssOverride;
        l.tls = true;
        append(l, QStringLiteral("--tls-listen"));
    } else {
        for (qsizetype i = 0; i < apis.size(); ++i) {
            const Api &api = apis.at(i);
            const QString text = api.gatehouse.tlsListen.trimmed();
            if (text.isEmpty())
                continue;
            ListenerConfig l;
            l.tls = true;
            QString e;
            if (!parseAddress(text, &l.address, &l.port, &e)) {
                *error = QStringLiteral("API '%1': x-gatehouse.tlsListen %2").arg(titleOf(api), e);
                return false;
            }
            l.certificateFile = documentPath(api.gatehouse.certificateFile, documents.value(i));
            l.privateKeyFile = documentPath(api.gatehouse.privateKeyFile, documents.value(i));
            if (l.certificateFile.isEmpty() && l.privateKeyFile.isEmpty())
                continue; // uses another API's certificate for this address, if any
            if (const int existing = find(l.address, l.port, true); existing >= 0) {
                const ListenerConfig &other = m_listeners.at(existing);
                if (other.certificateFile != l.certificateFile
                    || other.privateKeyFile != l.privateKeyFile) {
                    *error = QStringLiteral("API '%1': x-gatehouse.tlsListen %2 is also named by "
                                            "%3 with other certificate files (one address has "
                                            "one certificate)")
                                 .arg(titleOf(api), text, m_namedBy.at(existing));
                    return false;
                }
                continue;
            }
            if (!QFileInfo::exists(l.certificateFile) || !QFileInfo::exists(l.privateKeyFile))
                continue; // warned below unless another API opens the address
            append(l, QStringLiteral("API '%1' (tlsListen)").arg(titleOf(api)));
        }
        for (const Api &api : apis) {
            const QString text = api.gatehouse.tlsListen.trimmed();
            QHostAddress address;
            quint16 port = 0;
            QString e;
            if (text.isEmpty() || !parseAddress(text, &address, &port, &e)
                || find(address, port, true) >= 0)
                continue;
            m_warnings.append(QStringLiteral("%1: no wss on %2 (x-gatehouse certificate/"
                                             "privateKey files missing; use --tls-listen "
                                             "--cert --key)")
                                  .arg(titleOf(api), text));
            m_skippedTls.append({address, port});
        }
    }

    // a ws and a wss listener cannot share a port
    for (qsizetype i = 0; i < m_listeners.size(); ++i)
        for (qsizetype j = i + 1; j < m_listeners.size(); ++j) {
            const ListenerConfig &a = m_listeners.at(i);
            const ListenerConfig &b = m_listeners.at(j);
            if (a.tls != b.tls && a.port != 0 && a.port == b.port && a.address == b.address) {
                *error = QStringLiteral("%1 cannot be both a ws address (%2) and a wss address "
                                        "(%3)")
                             .arg(a.toString().section(u'/', 2), m_namedBy.at(a.tls ? j : i),
                                  m_namedBy.at(a.tls ? i : j));
                return false;
            }
        }

    for (const Api &api : apis) {
        listenersFor(api, error);
        if (!error->isEmpty())
            return false;
    }
    return true;
}

QList<int> ListenerPlan::listenersFor(const Api &api, QString *error) const
{
    QList<int> out;
    error->clear();
    if (wsOverride) {
        out.append(find(wsOverride->address, wsOverride->port, false));
    } else {
        QHostAddress address = defaultWs.address;
        quint16 port = defaultWs.port;
        const QString text = api.gatehouse.listen.trimmed();
        QString e;
        if (!text.isEmpty() && !parseAddress(text, &address, &port, &e)) {
            *error = QStringLiteral("API '%1': x-gatehouse.listen %2").arg(titleOf(api), e);
            return {};
        }
        const int index = find(address, port, false);
        if (index < 0) {
            *error = QStringLiteral("API '%1': x-gatehouse.listen %2 is not an address this "
                                    "gateway listens on (restart it to listen there)")
                         .arg(titleOf(api), text.isEmpty() ? QStringLiteral("(default)") : text);
            return {};
        }
        out.append(index);
    }
    if (wssOverride) {
        out.append(find(wssOverride->address, wssOverride->port, true));
    } else if (const QString text = api.gatehouse.tlsListen.trimmed(); !text.isEmpty()) {
        QHostAddress address;
        quint16 port = 0;
        QString e;
        if (!parseAddress(text, &address, &port, &e)) {
            *error = QStringLiteral("API '%1': x-gatehouse.tlsListen %2").arg(titleOf(api), e);
            return {};
        }
        if (const int index = find(address, port, true); index >= 0) {
            out.append(index);
        } else if (!m_skippedTls.contains(qMakePair(address, port))) {
            *error = QStringLiteral("API '%1': x-gatehouse.tlsListen %2 is not an address this "
                                    "gateway listens on (restart it to listen there)")
                         .arg(titleOf(api), text);
            return {};
        }
    }
    return out;
}

} // namespace Gatehouse::Gateway
