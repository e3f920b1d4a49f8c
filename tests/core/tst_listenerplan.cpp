// SPDX-License-Identifier: GPL-3.0-or-later
// ListenerPlan: which addresses `serve` opens for a set of APIs and which APIs each
// one serves, from x-gatehouse listen / tlsListen and the command-line overrides.
#include "gateway/listenerplan.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using namespace Gatehouse::Gateway;

class TestListenerPlan final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void plan_data();
    void plan();
    void reloadNamingAnotherAddress();
    void parseAddress_data();
    void parseAddress();

private:
    QTemporaryDir m_dir;
};

void TestListenerPlan::initTestCase()
{
    QVERIFY(m_dir.isValid());
    for (const char *name : {"a.crt", "a.key", "b.crt", "b.key"}) {
        QFile f(m_dir.filePath(QString::fromLatin1(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("-----BEGIN TEST-----\n");
    }
}

void TestListenerPlan::plan_data()
{
    // one API per entry of `listens` (titles A, B, C, ...); `tls` and `certs` in the
    // same order: certs "a" / "b" name existing files a.crt + a.key / b.crt + b.key
    // (relative to the document), "missing" names files that do not exist
    QTest::addColumn<QStringList>("listens");
    QTest::addColumn<QStringList>("tls");
    QTest::addColumn<QStringList>("certs");
    QTest::addColumn<QString>("wsOverride");
    QTest::addColumn<QString>("wssOverride");
    QTest::addColumn<QStringList>("listeners"); // as ListenerConfig::toString()
    QTest::addColumn<QStringList>("served"); // per API: listener indexes, comma separated
    QTest::addColumn<QString>("error"); // the start of the error, or "" for none
    QTest::addColumn<QString>("warning"); // part of the only warning, or "" for none

    const QString none;
    const QStringList noTls;
    QTest::newRow("default") << QStringList {none, none} << noTls << noTls << none << none
                             << QStringList {QStringLiteral("ws://127.0.0.1:9099")}
                             << QStringList {QStringLiteral("0"), QStringLiteral("0")} << none
                             << none;
    QTest::newRow("two-addresses")
        << QStringList {QStringLiteral("127.0.0.1:9100"), QStringLiteral("127.0.0.1:9101")} << noTls
        << noTls << none << none
        << QStringList {QStringLiteral("ws://127.0.0.1:9100"),
                        QStringLiteral("ws://127.0.0.1:9101")}
        << QStringList {QStringLiteral("0"), QStringLiteral("1")} << none << none;
    QTest::newRow("one-address-spelled-twice-and-default")
        << QStringList {QStringLiteral("localhost:9100"), QStringLiteral(" 127.0.0.1:9100"), none}
        << noTls << noTls << none << none
        << QStringList {QStringLiteral("ws://127.0.0.1:9100"),
                        QStringLiteral("ws://127.0.0.1:9099")}
        << QStringList {QStringLiteral("0"), QStringLiteral("0"), QStringLiteral("1")} << none
        << none;
    QTest::newRow("default-named-explicitly")
        << QStringList {none, QStringLiteral("127.0.0.1:9099")} << noTls << noTls << none << none
        << QStringList {QStringLiteral("ws://127.0.0.1:9099")}
        << QStringList {QStringLiteral("0"), QStringLiteral("0")} << none << none;
    QTest::newRow("listen-override")
        << QStringList {QStringLiteral("127.0.0.1:9100"), QStringLiteral("127.0.0.1:9101")} << noTls
        << noTls << QStringLiteral("127.0.0.1:7000") << none
        << QStringList {QStringLiteral("ws://127.0.0.1:7000")}
        << QStringList {QStringLiteral("0"), QStringLiteral("0")} << none << none;
    QTest::newRow("tls-own") << QStringList {none, none}
                             << QStringList {QStringLiteral("127.0.0.1:8443"), none}
                             << QStringList {QStringLiteral("a"), none} << none << none
                             << QStringList {QStringLiteral("ws://127.0.0.1:9099"),
                                             QStringLiteral("wss://127.0.0.1:8443")}
                             << QStringList {QStringLiteral("0,1"), QStringLiteral("0")} << none
                             << none;
    QTest::newRow("tls-only-keeps-default-ws")
        << QStringList {QStringLiteral("127.0.0.1:9100"), none}
        << QStringList {none, QStringLiteral("127.0.0.1:8443")}
        << QStringList {none, QStringLiteral("b")} << none << none
        << QStringList {QStringLiteral("ws://127.0.0.1:9100"),
                        QStringLiteral("ws://127.0.0.1:9099"),
                        QStringLiteral("wss://127.0.0.1:8443")}
        << QStringList {QStringLiteral("0"), QStringLiteral("1,2")} << none << none;
    QTest::newRow("tls-shared-by-an-api-without-files")
        << QStringList {none, none}
        << QStringList {QStringLiteral("127.0.0.1:8443"), QStringLiteral("127.0.0.1:8443")}
        << QStringList {none, QStringLiteral("b")} << none << none
        << QStringList {QStringLiteral("ws://127.0.0.1:9099"),
                        QStringLiteral("wss://127.0.0.1:8443")}
        << QStringList {QStringLiteral("0,1"), QStringLiteral("0,1")} << none << none;
    QTest::newRow("tls-files-missing")
        << QStringList {none} << QStringList {QStringLiteral("127.0.0.1:8443")}
        << QStringList {QStringLiteral("missing")} << none << none
        << QStringList {QStringLiteral("ws://127.0.0.1:9099")} << QStringList {QStringLiteral("0")}
        << none << QStringLiteral("A: no wss on 127.0.0.1:8443");
    QTest::newRow("tls-override") << QStringList {QStringLiteral("127.0.0.1:9100"), none}
                                  << QStringList {QStringLiteral("127.0.0.1:8443"), none}
                                  << QStringList {QStringLiteral("a"), none} << none
                                  << QStringLiteral("127.0.0.1:7443")
                                  << QStringList {QStringLiteral("ws://127.0.0.1:9100"),
                                                  QStringLiteral("ws://127.0.0.1:9099"),
                                                  QStringLiteral("wss://127.0.0.1:7443")}
                                  << QStringList {QStringLiteral("0,2"), QStringLiteral("1,2")}
                                  << none << none;
    QTest::newRow("bad-listen") << QStringList {none, QStringLiteral("localhost:http")} << noTls
                                << noTls << none << none << QStringList() << QStringList()
                                << QStringLiteral("API 'B': x-gatehouse.listen 'localhost:http': "
                                                  "'http' is not a port number")
                                << none;
    QTest::newRow("bad-tls-listen")
        << QStringList {none} << QStringList {QStringLiteral("nowhere:1")}
        << QStringList {QStringLiteral("a")} << none << none << QStringList() << QStringList()
        << QStringLiteral("API 'A': x-gatehouse.tlsListen 'nowhere:1': 'nowhere' is not an IP "
                          "address")
        << none;
    QTest::newRow("ws-and-wss-on-one-port")
        << QStringList {QStringLiteral("127.0.0.1:9100"), none}
        << QStringList {none, QStringLiteral("127.0.0.1:9100")}
        << QStringList {none, QStringLiteral("b")} << none << none << QStringList() << QStringList()
        << QStringLiteral("127.0.0.1:9100 cannot be both a ws address (API 'A' (listen)) and a "
                          "wss address (API 'B' (tlsListen))")
        << none;
    QTest::newRow("override-and-document-on-one-port")
        << QStringList {none} << QStringList {QStringLiteral("127.0.0.1:7000")}
        << QStringList {QStringLiteral("a")} << QStringLiteral("127.0.0.1:7000") << none
        << QStringList() << QStringList()
        << QStringLiteral("127.0.0.1:7000 cannot be both a ws address (--listen)") << none;
    QTest::newRow("two-certificates-on-one-address")
        << QStringList {none, none}
        << QStringList {QStringLiteral("127.0.0.1:8443"), QStringLiteral("127.0.0.1:8443")}
        << QStringList {QStringLiteral("a"), QStringLiteral("b")} << none << none << QStringList()
        << QStringList()
        << QStringLiteral("API 'B': x-gatehouse.tlsListen 127.0.0.1:8443 is also named by API "
                          "'A' (tlsListen) with other certificate files")
        << none;
}

void TestListenerPlan::plan()
{
    QFETCH(QStringList, listens);
    QFETCH(QStringList, tls);
    QFETCH(QStringList, certs);
    QFETCH(QString, wsOverride);
    QFETCH(QString, wssOverride);
    QFETCH(QStringList, listeners);
    QFETCH(QStringList, served);
    QFETCH(QString, error);
    QFETCH(QString, warning);

    QList<Api> apis;
    QStringList documents;
    for (qsizetype i = 0; i < listens.size(); ++i) {
        Api api;
        api.title = QString(QChar(char16_t(u'A' + i)));
        api.version = QStringLiteral("1.0.0");
        api.gatehouse.listen = listens.at(i);
        api.gatehouse.tlsListen = tls.value(i);
        const QString c = certs.value(i);
        if (!c.isEmpty()) {
            api.gatehouse.certificateFile = c + QStringLiteral(".crt");
            api.gatehouse.privateKeyFile = c + QStringLiteral(".key");
        }
        apis.append(api);
        documents.append(m_dir.filePath(api.title + QStringLiteral(".yaml")));
    }
    ListenerPlan plan;
    QString e;
    if (!wsOverride.isEmpty()) {
        ListenerConfig l;
        QVERIFY(ListenerPlan::parseAddress(wsOverride, &l.address, &l.port, &e));
        plan.wsOverride = l;
    }
    if (!wssOverride.isEmpty()) {
        ListenerConfig l;
        QVERIFY(ListenerPlan::parseAddress(wssOverride, &l.address, &l.port, &e));
        l.tls = true;
        l.certificateFile = m_dir.filePath(QStringLiteral("a.crt"));
        l.privateKeyFile = m_dir.filePath(QStringLiteral("a.key"));
        plan.wssOverride = l;
    }

    const bool ok = plan.build(apis, documents, &e);
    if (!error.isEmpty()) {
        QVERIFY2(!ok, "built although an error was expected");
        QVERIFY2(e.startsWith(error), qPrintable(e));
        QVERIFY(!e.contains(u'\n'));
        return;
    }
    QVERIFY2(ok, qPrintable(e));
    QStringList got;
    for (const ListenerConfig &l : plan.listeners())
        got.append(l.toString());
    QCOMPARE(got, listeners);
    for (qsizetype i = 0; i < apis.size(); ++i) {
        QStringList indexes;
        for (int index : plan.listenersFor(apis.at(i), &e))
            indexes.append(QString::number(index));
        QVERIFY2(e.isEmpty(), qPrintable(e));
        QCOMPARE(indexes.join(u','), served.at(i));
    }
    if (warning.isEmpty()) {
        QVERIFY2(plan.warnings().isEmpty(), qPrintable(plan.warnings().join(u'\n')));
    } else {
        QCOMPARE(plan.warnings().size(), 1);
        QVERIFY2(plan.warnings().at(0).contains(warning), qPrintable(plan.warnings().at(0)));
    }
    // certificate paths are made absolute against the document's folder
    for (const ListenerConfig &l : plan.listeners())
        if (l.tls)
            QVERIFY2(QFile::exists(l.certificateFile), qPrintable(l.certificateFile));
}

void TestListenerPlan::reloadNamingAnotherAddress()
{
    Api a;
    a.title = QStringLiteral("A");
    a.gatehouse.listen = QStringLiteral("127.0.0.1:9100");
    Api b;
    b.title = QStringLiteral("B");
    ListenerPlan plan;
    QString error;
    QVERIFY(plan.build({a, b}, {}, &error));
    QCOMPARE(plan.listeners().size(), 2);

    // at a reload the documents may name other addresses: the open ones still work,
    // a new one is refused with what and where
    b.gatehouse.listen = QStringLiteral("localhost:9100");
    QCOMPARE(plan.listenersFor(b, &error), QList<int> {0});
    QVERIFY(error.isEmpty());
    a.gatehouse.listen.clear();
    QCOMPARE(plan.listenersFor(a, &error), QList<int> {1});
    a.gatehouse.listen = QStringLiteral("127.0.0.1:9200");
    QVERIFY(plan.listenersFor(a, &error).isEmpty());
    QCOMPARE(error,
             QStringLiteral("API 'A': x-gatehouse.listen 127.0.0.1:9200 is not an address this "
                            "gateway listens on (restart it to listen there)"));
    a.gatehouse.listen.clear();
    a.gatehouse.tlsListen = QStringLiteral("127.0.0.1:8443");
    QVERIFY(plan.listenersFor(a, &error).isEmpty());
    QVERIFY2(error.contains(u"x-gatehouse.tlsListen 127.0.0.1:8443 is not an address"),
             qPrintable(error));
}

void TestListenerPlan::parseAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address"); // "" when invalid
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("shown"); // as "listening on" shows it
    QTest::newRow("host-port") << QStringLiteral("127.0.0.1:9099") << QStringLiteral("127.0.0.1")
                               << 9099 << QStringLiteral("ws://127.0.0.1:9099");
    QTest::newRow("localhost") << QStringLiteral("localhost:80") << QStringLiteral("127.0.0.1")
                               << 80 << QStringLiteral("ws://127.0.0.1:80");
    QTest::newRow("port-only") << QStringLiteral("9100") << QStringLiteral("127.0.0.1") << 9100
                               << QStringLiteral("ws://127.0.0.1:9100");
    QTest::newRow("colon-port") << QStringLiteral(":0") << QStringLiteral("127.0.0.1") << 0
                                << QStringLiteral("ws://127.0.0.1:0");
    QTest::newRow("any") << QStringLiteral("*:9099") << QStringLiteral("0.0.0.0") << 9099
                         << QStringLiteral("ws://0.0.0.0:9099");
    QTest::newRow("any-v4") << QStringLiteral("0.0.0.0:9099") << QStringLiteral("0.0.0.0") << 9099
                            << QStringLiteral("ws://0.0.0.0:9099");
    // both families: not to be shown as the IPv4 wildcard
    QTest::newRow("any-v6-and-v4") << QStringLiteral("[::]:9099") << QStringLiteral("::") << 9099
                                   << QStringLiteral("ws://[::]:9099");
    QTest::newRow("v6") << QStringLiteral("[::1]:9099") << QStringLiteral("::1") << 9099
                        << QStringLiteral("ws://[::1]:9099");
    QTest::newRow("spaces") << QStringLiteral(" 127.0.0.1:1 ") << QStringLiteral("127.0.0.1") << 1
                            << QStringLiteral("ws://127.0.0.1:1");
    QTest::newRow("big-port") << QStringLiteral("127.0.0.1:70000") << QString() << 0 << QString();
    QTest::newRow("name") << QStringLiteral("example.org:80") << QString() << 0 << QString();
    QTest::newRow("v6-unclosed") << QStringLiteral("[::1:80") << QString() << 0 << QString();
    QTest::newRow("empty") << QString() << QString() << 0 << QString();
}

void TestListenerPlan::parseAddress()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(QString, shown);
    QHostAddress parsed;
    quint16 parsedPort = 1;
    QString error;
    const bool ok = ListenerPlan::parseAddress(text, &parsed, &parsedPort, &error);
    QCOMPARE(ok, !address.isEmpty());
    if (!ok) {
        QVERIFY(!error.isEmpty());
        QVERIFY(!error.contains(u'\n'));
        return;
    }
    if (address == u"::")
        QCOMPARE(parsed, QHostAddress(QHostAddress::Any)); // IPv6 and IPv4
    else
        QCOMPARE(parsed, QHostAddress(address));
    QCOMPARE(int(parsedPort), port);
    ListenerConfig listener;
    listener.address = parsed;
    listener.port = parsedPort;
    QCOMPARE(listener.toString(), shown);
}

QTEST_GUILESS_MAIN(TestListenerPlan)
#include "tst_listenerplan.moc"
