// SPDX-License-Identifier: GPL-3.0-or-later
// A client tab, offscreen, against servers in this process: connect, send JSON,
// receive, filter, close; bad input said where the user looks; a flood of messages
// without stalling the window, with memory bounded by the history's limit.
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"
#include "client/clientconnection.h"
#include "client/clientcookiejar.h"
#include "client/clientmessagemodel.h"
#include "client/clienttab.h"
#include "client/savedmessages.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QThread>
#include <QTimer>
#include <QTreeView>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Gatehouse;
using Kind = Client::ClientEvent::Kind;

namespace {

// Echoes text and binary; "flood N" answers with N messages as fast as it can, from a
// thread of its own so the window's event loop is measured alone.
class EchoServer final : public QObject
{
public:
    EchoServer()
        : m_server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                sockets.append(s);
                connect(s, &QWebSocket::textMessageReceived, s, [s](const QString &m) {
                    if (m.startsWith(u"flood ")) {
                        const int n = m.mid(6).toInt();
                        for (int i = 0; i < n; ++i)
                            s->sendTextMessage(QStringLiteral("{\"n\":%1}").arg(i));
                        return;
                    }
                    s->sendTextMessage(m);
                });
                connect(s, &QWebSocket::binaryMessageReceived, s,
                        [s](const QByteArray &m) { s->sendBinaryMessage(m); });
                connect(s, &QWebSocket::disconnected, s, [this, s] {
                    closeCodes.append(int(s->closeCode()));
                    s->deleteLater();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const
    {
        return QStringLiteral("ws://127.0.0.1:%1/room").arg(m_server.serverPort());
    }
    QList<QPointer<QWebSocket>> sockets;
    QList<int> closeCodes;

private:
    QWebSocketServer m_server;
};

int countKind(const ClientMessageModel *model, Kind kind)
{
    int n = 0;
    for (int row = 0; row < model->eventCount(); ++row)
        n += model->event(row).kind == kind;
    return n;
}

} // namespace

class TestClientTab final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("gatehouse-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_clienttab"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                           m_dir.filePath(QStringLiteral("settings")));
    }

    // "Write to the message log": the connection's rows go to the real message log,
    // flagged "client", without the URL's query (where a key may be).
    void writesToTheMessageLog()
    {
        EchoServer server;
        Analytics::MessageLogStore::Options options;
        options.path = m_dir.filePath(QStringLiteral("messages.db"));
        auto store = std::make_shared<Analytics::MessageLogStore>(options);
        QString error;
        QVERIFY2(store->open(&error), qPrintable(error));
        ClientTab tab;
        tab.setMessageLogSource([store](QString *) { return store; });
        tab.setRecording(true);
        tab.urlEdit()->setText(server.url() + QStringLiteral("?apikey=s3cret"));
        tab.connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(tab.isConnected(), 5000);
        tab.setComposerText(QStringLiteral("logged words"));
        QVERIFY(tab.sendComposed());
        QTRY_COMPARE(countKind(tab.messageModel(), Kind::Received), 1);
        tab.disconnectFromServer(1000, QStringLiteral("done"));
        QTRY_COMPARE(countKind(tab.messageModel(), Kind::Closed), 1);

        Analytics::MessageLogReader reader;
        QVERIFY2(reader.open(options.path, &error), qPrintable(error));
        QList<Analytics::LogRecord> rows;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                store->flush();
                rows = reader.query({}, 0, 100);
                return rows.size() == 4; // opened, sent, received, closed
            }(),
            5000);
        int messages = 0;
        for (const Analytics::LogRecord &r : std::as_const(rows)) {
            QVERIFY(r.flags.contains(QStringLiteral("client")));
            QVERIFY2(!r.backendUrl.contains(u"s3cret"), qPrintable(r.backendUrl));
            if (r.kind == Analytics::LogRecord::Kind::Message) {
                ++messages;
                QCOMPARE(r.payload, QByteArray("logged words"));
            } else if (r.kind == Analytics::LogRecord::Kind::Close) {
                QCOMPARE(r.closeCode, 1000);
                QCOMPARE(r.closedBy, QStringLiteral("client"));
            }
        }
        QCOMPARE(messages, 2);

        // a log that cannot be opened is said, and the tab connects all the same
        ClientTab other;
        other.setMessageLogSource([](QString *why) {
            *why = QStringLiteral("/nowhere/messages.db: cannot be created");
            return std::shared_ptr<Gateway::GatewayEventSink>();
        });
        other.setRecording(true);
        other.urlEdit()->setText(server.url());
        other.connectToServer();
        QVERIFY2(other.statusText().startsWith(u"Not written to the message log: /nowhere"),
                 qPrintable(other.statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(other.isConnected(), 5000);
        // and the setting is kept with the tab
        ClientTab restored;
        restored.restoreState(tab.saveState());
        QVERIFY(restored.isRecording());
    }

    // Saved messages belong to an API: every tab of it offers them, after a restart too.
    void savedMessagesPerApi()
    {
        SavedMessages saved;
        ClientTab a;
        ClientTab b;
        ClientTab c;
        for (ClientTab *t : {&a, &b, &c})
            t->setSavedMessages(&saved);
        a.urlEdit()->setText(QStringLiteral("ws://127.0.0.1:9000/chats/rooms/r1?x=1"));
        b.urlEdit()->setText(QStringLiteral("ws://127.0.0.1:9000/other"));
        c.urlEdit()->setText(QStringLiteral("ws://127.0.0.1:9001/chats"));
        QCOMPARE(a.apiKey(), QStringLiteral("ws://127.0.0.1:9000"));
        a.setFormat(ClientTab::Format::Json);
        const QString join = QStringLiteral("{\"type\": \"join\", \"id\": \"{{uuid}}\"}");
        a.setComposerText(join);
        QVERIFY(a.saveMessage(QStringLiteral("join")));
        QCOMPARE(b.savedMessageNames(), QStringList {QStringLiteral("join")});
        QVERIFY(c.savedMessageNames().isEmpty());
        QVERIFY(!b.useSavedMessage(QStringLiteral("leave")));
        QVERIFY(b.useSavedMessage(QStringLiteral("join")));
        QCOMPARE(b.composer()->toPlainText(), join); // variables kept, filled in when sent
        QCOMPARE(b.findChild<QComboBox *>(QStringLiteral("clientFormat"))->currentIndex(),
                 int(ClientTab::Format::Json));
        // the menu lists it, and saving under the same name replaces it
        QMenu *menu = b.savedMessagesButton()->menu();
        Q_EMIT menu->aboutToShow();
        QStringList texts;
        for (QAction *action : menu->actions())
            texts.append(action->text());
        QVERIFY2(texts.contains(QStringLiteral("join")), qPrintable(texts.join(u',')));
        a.setComposerText(QStringLiteral("{\"type\": \"join\"}"));
        QVERIFY(a.saveMessage(QStringLiteral("join")));
        QCOMPARE(b.savedMessageNames().size(), 1);
        // after a restart
        SavedMessages again;
        QCOMPARE(again.messages(QStringLiteral("ws://127.0.0.1:9000")).size(), 1);
        QCOMPARE(again.messages(QStringLiteral("ws://127.0.0.1:9000")).constFirst().text,
                 QStringLiteral("{\"type\": \"join\"}"));
        // a channel's tab keeps them under its API's title
        a.setChannelContext(QStringLiteral("Chats"), QStringLiteral("/rooms/{roomId}"), {}, {});
        QCOMPARE(a.apiKey(), QStringLiteral("Chats"));
        QVERIFY(a.savedMessageNames().isEmpty());
        saved.remove(QStringLiteral("ws://127.0.0.1:9000"), QStringLiteral("join"));
        QVERIFY(b.savedMessageNames().isEmpty());
    }

    // A tab's history written out and read back in another tab, newest first when
    // limited; a broken file says where, and keeps what came before.
    void historyOverRestart()
    {
        EchoServer server;
        ClientTab a;
        a.urlEdit()->setText(server.url());
        a.connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(a.isConnected(), 5000);
        for (const QString &m : {QStringLiteral("one"), QStringLiteral("two")}) {
            a.setComposerText(m);
            QVERIFY(a.sendComposed());
        }
        a.setFormat(ClientTab::Format::Hex);
        a.setComposerText(QStringLiteral("00 ff"));
        QVERIFY(a.sendComposed());
        QTRY_COMPARE(countKind(a.messageModel(), Kind::Received), 3);
        a.disconnectFromServer();
        QTRY_COMPARE(countKind(a.messageModel(), Kind::Closed), 1);
        a.refreshNow();

        const QString path = m_dir.filePath(QStringLiteral("history.jsonl"));
        QCOMPARE(a.saveHistory(path, 5000, 1 << 20), QString());
        ClientTab b;
        QSignalSpy restored(&b, &ClientTab::historyRestored);
        b.restoreHistory(path);
        QTRY_COMPARE(restored.size(), 1);
        QCOMPARE(restored.at(0).at(1).toString(), QString());
        const int count = a.messageModel()->eventCount();
        QCOMPARE(restored.at(0).at(0).toInt(), count);
        QTRY_COMPARE(b.messageModel()->eventCount(), count);
        for (int row = 0; row < count; ++row) {
            QCOMPARE(int(b.messageModel()->event(row).kind),
                     int(a.messageModel()->event(row).kind));
            QCOMPARE(b.messageModel()->event(row).data, a.messageModel()->event(row).data);
            QCOMPARE(b.messageModel()->event(row).timeMs, a.messageModel()->event(row).timeMs);
        }
        QVERIFY2(b.statusText().contains(u"from the last session"), qPrintable(b.statusText()));

        // limited to the newest two
        QCOMPARE(a.saveHistory(path, 2, 1 << 20), QString());
        ClientTab c;
        QSignalSpy restoredC(&c, &ClientTab::historyRestored);
        c.restoreHistory(path);
        QTRY_COMPARE(restoredC.size(), 1);
        QTRY_COMPARE(c.messageModel()->eventCount(), 2);
        QCOMPARE(int(c.messageModel()->event(1).kind), int(Kind::Closed));

        // a line that is not an event
        QFile broken(path);
        QVERIFY(broken.open(QIODevice::Append));
        broken.write("not json\n");
        broken.close();
        ClientTab d;
        QSignalSpy restoredD(&d, &ClientTab::historyRestored);
        d.restoreHistory(path);
        QTRY_COMPARE(restoredD.size(), 1);
        QCOMPARE(restoredD.at(0).at(1).toString(), path + QStringLiteral(":3: not JSON"));
        QTRY_COMPARE(d.messageModel()->eventCount(), 2);
        QVERIFY2(d.statusText().startsWith(u"History not read back whole: "),
                 qPrintable(d.statusText()));
    }

    // Tabs of one environment share cookies; another environment's tab sends none.
    void environmentsKeepCookiesApart()
    {
        Test::RawHttpServer login("HTTP/1.1 401 Unauthorized\r\nSet-Cookie: session=abc; Path=/\r\n"
                                  "Content-Length: 0\r\n\r\n");
        QMap<QString, std::shared_ptr<Client::ClientCookieJar>> jars;
        const ClientTab::CookieJars provider {
            [&jars](const QString &environment) {
                std::shared_ptr<Client::ClientCookieJar> &jar = jars[environment];
                if (!jar)
                    jar = std::make_shared<Client::ClientCookieJar>();
                return jar;
            },
            [&jars] { return jars.keys(); }};
        ClientTab staging1;
        ClientTab staging2;
        ClientTab local;
        for (ClientTab *t : {&staging1, &staging2, &local}) {
            t->setCookieJars(provider);
            t->urlEdit()->setText(login.url());
        }
        staging1.setEnvironment(QStringLiteral("staging"));
        staging2.setEnvironment(QStringLiteral(" staging "));
        QCOMPARE(local.environment(), QStringLiteral("default"));
        staging1.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(countKind(staging1.messageModel(), Kind::Response), 1, 5000);
        QTRY_COMPARE(jars.value(QStringLiteral("staging"))->all().size(), 1);
        staging2.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(login.requests.size(), 2, 5000);
        QVERIFY2(login.requests.at(1).contains("\r\nCookie: session=abc\r\n"),
                 login.requests.at(1).constData());
        local.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(login.requests.size(), 3, 5000);
        QVERIFY2(!login.requests.at(2).contains("Cookie:"), login.requests.at(2).constData());
        ClientTab restored;
        restored.restoreState(staging1.saveState());
        QCOMPARE(restored.environment(), QStringLiteral("staging"));
    }

    // A certificate the tab does not trust: said in one line, the history kept; with
    // "accept an untrusted certificate" it connects, with a warning in the list.
    void tlsFailureSaid()
    {
        const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
        const QString key = m_dir.filePath(QStringLiteral("key.pem"));
        const Test::ProcessResult made = Test::runProcess(
            QStringLiteral("openssl"),
            {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
             QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
             QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
             QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")});
        QVERIFY2(made.exitCode == 0, made.standardError.constData());
        QWebSocketServer server(QStringLiteral("tls"), QWebSocketServer::SecureMode);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate::fromPath(cert).constFirst());
        QFile keyFile(key);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        server.setSslConfiguration(tls);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
            while (QWebSocket *s = server.nextPendingConnection())
                connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
        });
        ClientTab tab;
        tab.urlEdit()->setText(
            QStringLiteral("wss://127.0.0.1:%1/secure").arg(server.serverPort()));
        tab.connectToServer();
        QTRY_VERIFY2_WITH_TIMEOUT(
            tab.statusText().startsWith(u"TLS: the certificate of 127.0.0.1:"),
            qPrintable(tab.statusText()), 10000);
        QVERIFY(!tab.statusText().contains(u'\n'));
        QTRY_VERIFY(countKind(tab.messageModel(), Kind::Error) >= 1);
        QVERIFY(countKind(tab.messageModel(), Kind::Connecting) >= 1);

        Client::ClientOptions o = tab.options();
        o.insecure = true;
        tab.setOptions(o);
        tab.connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(tab.isConnected(), 10000);
        QTRY_VERIFY(countKind(tab.messageModel(), Kind::Warning) >= 1);
        QVERIFY(countKind(tab.messageModel(), Kind::Error) >= 1); // the first try is still there
    }
    void connectSendReceiveFilterClose()
    {
        EchoServer server;
        ClientTab tab;
        tab.resize(1000, 700);
        tab.show();
        QAbstractItemModelTester tester(tab.messageModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filtered(tab.filteredModel(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy state(&tab, &ClientTab::stateChanged);
        tab.urlEdit()->setText(server.url());
        QCOMPARE(tab.title(), QStringLiteral("room"));
        QTest::keyClick(tab.urlEdit(), Qt::Key_Return); // Enter connects
        QTRY_VERIFY_WITH_TIMEOUT(tab.isConnected(), 5000);

        // JSON is checked before it goes: a broken one is not sent, and the tab says where
        tab.setFormat(ClientTab::Format::Json);
        tab.setComposerText(QStringLiteral("{\"type\": \"join\",\n \"room\": }"));
        QVERIFY(!tab.sendComposed());
        QVERIFY2(tab.statusText().startsWith(u"Not sent: invalid JSON at line 2"),
                 qPrintable(tab.statusText()));
        tab.setComposerText(QStringLiteral("{\"type\": \"join\", \"room\": \"r1\"}"));
        tab.composer()->setFocus();
        QTest::keyClick(tab.composer(), Qt::Key_Return, Qt::ControlModifier); // Ctrl+Enter sends
        QTRY_COMPARE(countKind(tab.messageModel(), Kind::Received), 1);
        QCOMPARE(countKind(tab.messageModel(), Kind::Sent), 1);
        tab.setFormat(ClientTab::Format::Text);
        tab.setComposerText(QStringLiteral("plain words"));
        QVERIFY(tab.sendComposed());
        tab.setFormat(ClientTab::Format::Hex);
        tab.setComposerText(QStringLiteral("00 ff 10"));
        QVERIFY(tab.sendComposed());
        tab.setComposerText(QStringLiteral("0g"));
        QVERIFY(!tab.sendComposed());
        QTRY_COMPARE(countKind(tab.messageModel(), Kind::Received), 3);

        // the received JSON reads pretty-printed in the pane
        const QModelIndex json = [&] {
            for (int row = 0; row < tab.filteredModel()->rowCount(); ++row) {
                const QModelIndex i
                    = tab.filteredModel()->index(row, ClientMessageModel::DataColumn);
                if (i.data(ClientMessageModel::EventKindRole).toInt() == int(Kind::Received))
                    return i;
            }
            return QModelIndex();
        }();
        QVERIFY(json.isValid());
        tab.messageList()->setCurrentIndex(json);
        QVERIFY2(tab.detailView()->toPlainText().contains(u"\"room\": \"r1\""),
                 qPrintable(tab.detailView()->toPlainText()));
        // in colour: the member name "room" and its string value "r1"
        {
            const QTextDocument *doc = tab.detailView()->document();
            const QTextBlock line = doc->find(QStringLiteral("\"room\"")).block();
            QVERIFY(line.isValid());
            QSet<QRgb> colours;
            for (const QTextLayout::FormatRange &r : line.layout()->formats())
                colours.insert(r.format.foreground().color().rgb());
            QCOMPARE(colours.size(), 2);
        }
        // binary as hex
        const Client::ClientEvent binary = [&] {
            for (int row = 0; row < tab.messageModel()->eventCount(); ++row)
                if (tab.messageModel()->event(row).opcode == Client::ClientEvent::Binary)
                    return tab.messageModel()->event(row);
            return Client::ClientEvent();
        }();
        QCOMPARE(binary.data, QByteArray("\x00\xff\x10", 3));
        QVERIFY(ClientMessageModel::readable(binary).contains(u"00 ff 10"));
        // a binary message that is MessagePack or CBOR reads as JSON
        const QByteArray msgpack("\x82\xa4type\xa4join\xa4room\xa2r1",
                                 19); // {"type":"join","room":"r1"}
        Client::ClientEvent packed;
        packed.kind = Kind::Received;
        packed.opcode = Client::ClientEvent::Binary;
        packed.data = msgpack;
        QVERIFY2(ClientMessageModel::readable(packed).startsWith(u"MessagePack, shown as JSON:"),
                 qPrintable(ClientMessageModel::readable(packed)));
        QVERIFY(ClientMessageModel::readable(packed).contains(u"\"room\": \"r1\""));
        packed.data = QByteArray("\xa1\x61\x61\x01", 4); // CBOR {"a": 1}
        QVERIFY(ClientMessageModel::readable(packed).startsWith(u"CBOR, shown as JSON:"));
        // nested too deep to decode (the decoder recurses per level): bytes, and why
        packed.data = QByteArray(100000, '\x81') + QByteArray(1, '\0');
        QVERIFY(ClientMessageModel::readable(packed).startsWith(
            u"CBOR nested deeper than 512 levels; shown as bytes:\n00000000  81 81"));
        // the request is one click away, its credential masked
        bool request = false;
        for (int row = 0; row < tab.messageModel()->eventCount(); ++row) {
            const Client::ClientEvent &e = tab.messageModel()->event(row);
            if (e.kind == Kind::Request) {
                request = true;
                QVERIFY(ClientMessageModel::readable(e).startsWith(u"GET /room HTTP/1.1"));
                QVERIFY(ClientMessageModel::readable(e).contains(u"Sec-WebSocket-Version: 13"));
            }
        }
        QVERIFY(request);

        // Ctrl+Up brings back what was sent
        tab.setComposerText({});
        QTest::keyClick(tab.composer(), Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(tab.composer()->toPlainText(), QStringLiteral("00 ff 10"));
        QTest::keyClick(tab.composer(), Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(tab.composer()->toPlainText(), QStringLiteral("plain words"));

        // filters: text, direction, regular expression (a bad one is said)
        tab.filterEdit()->setText(QStringLiteral("plain"));
        QCOMPARE(tab.filteredModel()->rowCount(), 2); // sent and received
        tab.directionBox()->setCurrentIndex(1); // received
        QCOMPARE(tab.filteredModel()->rowCount(), 1);
        tab.directionBox()->setCurrentIndex(0);
        tab.findChild<QCheckBox *>(QStringLiteral("clientRegex"))->setChecked(true);
        tab.filterEdit()->setText(QStringLiteral("^\\{\"type"));
        QCOMPARE(tab.filteredModel()->rowCount(), 2);
        tab.findChild<QCheckBox *>(QStringLiteral("clientRegex"))->setChecked(false);
        tab.filterEdit()->setText(QStringLiteral("$.room == r1")); // a JSON path
        QCOMPARE(tab.filteredModel()->rowCount(), 2);
        tab.filterEdit()->setText(QStringLiteral("$.room["));
        QVERIFY2(tab.statusText().startsWith(u"The filter is not a JSON path: "),
                 qPrintable(tab.statusText()));
        tab.findChild<QCheckBox *>(QStringLiteral("clientRegex"))->setChecked(true);
        tab.filterEdit()->setText(QStringLiteral("(unclosed"));
        QVERIFY(tab.statusText().contains(u"not a valid regular expression"));
        tab.filterEdit()->clear();

        // pings are counted, and shown only when asked
        QVERIFY(tab.sendPing("hb"));
        QTRY_COMPARE(countKind(tab.messageModel(), Kind::Pong), 1);
        const int shown = tab.filteredModel()->rowCount();
        tab.pingsShownBox()->setChecked(true);
        QCOMPARE(tab.filteredModel()->rowCount(), shown + 2);
        QVERIFY(
            tab.findChild<QLabel *>(QStringLiteral("clientCounters"))->text().contains(u"pongs 1"));

        // export what is shown
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("session.jsonl"));
        QCOMPARE(tab.exportJsonLines(file), QString());
        QFile exported(file);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        QCOMPARE(exported.readAll().count('\n'), tab.filteredModel()->rowCount());

        // variables are filled in at each send; a wrong one is said and nothing goes
        tab.setFormat(ClientTab::Format::Text);
        tab.setComposerText(QStringLiteral("{{nope}}"));
        QVERIFY(!tab.sendComposed());
        QVERIFY2(tab.statusText().startsWith(u"Not sent: {{nope}} is not a variable"),
                 qPrintable(tab.statusText()));
        const int before = countKind(tab.messageModel(), Kind::Received);
        tab.setComposerText(QStringLiteral("n={{counter}} id={{uuid}}"));
        QVERIFY(tab.sendRepeated(3, 20)); // with variables: one at a time
        QTRY_VERIFY(!tab.isRepeating());
        // and as fast as possible
        tab.setComposerText(QStringLiteral("burst"));
        QVERIFY(tab.sendRepeated(50, 0));
        QTRY_COMPARE(countKind(tab.messageModel(), Kind::Received), before + 3 + 50);
        QSet<QByteArray> ids;
        for (int row = 0; row < tab.messageModel()->eventCount(); ++row) {
            const Client::ClientEvent &e = tab.messageModel()->event(row);
            if (e.kind == Kind::Sent && e.data.startsWith("n="))
                ids.insert(e.data);
        }
        QCOMPARE(ids.size(), 3); // each one its own counter and uuid

        // expectations: passed, failed after their time, wrong ones refused
        QVERIFY(tab.addExpectation(QStringLiteral("match"), QStringLiteral("{\"type\": \"ping\"}"),
                                   2000));
        QVERIFY(tab.addExpectation(QStringLiteral("regex"), QStringLiteral("^pl.*s$"), 2000));
        QVERIFY(tab.addExpectation(QStringLiteral("text"), QStringLiteral("never sent"), 300));
        QVERIFY(!tab.addExpectation(QStringLiteral("match"), QStringLiteral("{broken"), 300));
        QVERIFY(tab.statusText().contains(u"not JSON"));
        QVERIFY(!tab.addExpectation(QStringLiteral("schema"), {}, 300)); // no channel here
        tab.setFormat(ClientTab::Format::Json);
        tab.setComposerText(QStringLiteral("{\"type\": \"ping\", \"n\": 1}"));
        QVERIFY(tab.sendComposed());
        tab.setFormat(ClientTab::Format::Text);
        tab.setComposerText(QStringLiteral("plain words"));
        QVERIFY(tab.sendComposed());
        QTRY_COMPARE_WITH_TIMEOUT(tab.expectationResults(),
                                  (QStringList {QStringLiteral("passed match {\"type\":\"ping\"}"),
                                                QStringLiteral("passed regex /^pl.*s$/"),
                                                QStringLiteral("failed text \"never sent\"")}),
                                  3000);
        tab.runExpectationsAgain();
        QVERIFY(tab.expectationResults().constFirst().startsWith(u"waiting"));
        // saved with the tab
        QCOMPARE(tab.saveState().value(QStringLiteral("expectations")).toList().size(), 3);

        // a file as one binary message; one that cannot be read is said in the history
        QTemporaryDir files;
        const QString blob = files.filePath(QStringLiteral("blob.bin"));
        {
            QFile f(blob);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray("\x01\x02\x03payload", 10));
        }
        QVERIFY(tab.sendFile(blob));
        QTRY_VERIFY([&] {
            for (int row = 0; row < tab.messageModel()->eventCount(); ++row)
                if (tab.messageModel()->event(row).kind == Kind::Received
                    && tab.messageModel()->event(row).data == QByteArray("\x01\x02\x03payload", 10))
                    return true;
            return false;
        }());
        QVERIFY(tab.sendFile(files.filePath(QStringLiteral("missing.bin"))));
        QTRY_VERIFY(tab.statusText().startsWith(u"cannot read "));
        // copy what is selected
        tab.filterEdit()->setText(QStringLiteral("plain words"));
        tab.messageList()->selectAll();
        tab.copySelected();
        QCOMPARE(QGuiApplication::clipboard()->text().split(u'\n').size(),
                 tab.filteredModel()->rowCount()); // sent twice, echoed twice
        QVERIFY(QGuiApplication::clipboard()->text().startsWith(u"plain words\n"));
        tab.filterEdit()->clear();

        // close with a code; the server sees it, the tab says it
        tab.disconnectFromServer(4000, QStringLiteral("bye"));
        QTRY_VERIFY_WITH_TIMEOUT(!tab.isConnected(), 5000);
        QTRY_COMPARE(server.closeCodes, QList<int>({4000}));
        QTRY_VERIFY(tab.statusText().startsWith(u"Closed: 4000 application-defined"));
        QVERIFY(!tab.sendComposed());
        QVERIFY(tab.statusText().startsWith(u"Not connected"));
    }

    void badInputSaidHistoryKept()
    {
        ClientTab tab;
        tab.urlEdit()->setText(QStringLiteral("ftp://example.test/"));
        tab.connectToServer();
        QVERIFY2(tab.statusText().contains(u"use ws:// or wss://"), qPrintable(tab.statusText()));
        tab.urlEdit()->setText(QStringLiteral("ws://127.0.0.1:%1/").arg(Test::freePort()));
        tab.connectToServer();
        QTRY_VERIFY2_WITH_TIMEOUT(tab.statusText().startsWith(u"cannot connect to 127.0.0.1:"),
                                  qPrintable(tab.statusText()), 5000);
        const int events = tab.messageModel()->eventCount();
        QVERIFY(events >= 2); // connecting, error: kept
        tab.connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(tab.messageModel()->eventCount() >= events + 2, 5000);
    }

    // More connections like the tab's: their outcomes counted by status.
    void loadCountsOutcomes()
    {
        EchoServer server;
        ClientTab tab;
        tab.urlEdit()->setText(server.url());
        tab.openLoad(5);
        QTRY_COMPARE_WITH_TIMEOUT(tab.loadSummary(), QStringLiteral("Load: 5 connections, 5 open"),
                                  5000);
        QTRY_COMPARE(server.sockets.size(), 5);
        tab.closeLoad();
        QTRY_COMPARE_WITH_TIMEOUT(server.closeCodes.size(), 5, 5000);

        QTcpServer limited; // a server whose connection limit is reached: 429 to everyone
        QVERIFY(limited.listen(QHostAddress::LocalHost, 0));
        connect(&limited, &QTcpServer::newConnection, &limited, [&limited] {
            while (QTcpSocket *s = limited.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s] {
                    if (s->readAll().contains("\r\n\r\n")) {
                        s->write("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n");
                        s->disconnectFromHost();
                    }
                });
            }
        });
        tab.urlEdit()->setText(QStringLiteral("ws://127.0.0.1:%1/").arg(limited.serverPort()));
        tab.openLoad(3);
        QTRY_COMPARE_WITH_TIMEOUT(tab.loadSummary(),
                                  QStringLiteral("Load: 3 connections, 0 open, 3 refused (429 ×3)"),
                                  5000);
    }

    // 100,000 messages arrive as fast as the server sends them: the event loop never
    // stalls over 50 ms, and the tab keeps no more than its history's limit.
    void floodWithoutStall()
    {
        QThread serverThread;
        QObject anchor;
        anchor.moveToThread(&serverThread);
        serverThread.start();
        EchoServer *server = nullptr; // made in its thread, where its sockets live
        QMetaObject::invokeMethod(
            &anchor, [&server] { server = new EchoServer; }, Qt::BlockingQueuedConnection);
        auto stop = qScopeGuard([&] {
            QMetaObject::invokeMethod(
                server, [server] { server->deleteLater(); }, Qt::BlockingQueuedConnection);
            QMetaObject::invokeMethod(
                &anchor, [&anchor] { anchor.moveToThread(qApp->thread()); },
                Qt::BlockingQueuedConnection);
            serverThread.quit();
            serverThread.wait();
        });
        QString url;
        QMetaObject::invokeMethod(
            server, [server, &url] { url = server->url(); }, Qt::BlockingQueuedConnection);

        ClientTab tab;
        tab.resize(1000, 700);
        tab.show();
        tab.setHistoryLimit(20000);
        tab.urlEdit()->setText(url);
        tab.connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(tab.isConnected(), 5000);
        tab.setComposerText(QStringLiteral("flood 100000"));
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0;
        qint64 longest = 0;
        QTimer tick;
        QObject::connect(&tick, &QTimer::timeout, &tick, [&] {
            const qint64 now = clock.elapsed();
            longest = std::max(longest, now - last);
            last = now;
        });
        tick.start(5);
        QVERIFY(tab.sendComposed());
        QTRY_VERIFY_WITH_TIMEOUT(tab.findChild<QLabel *>(QStringLiteral("clientCounters"))
                                     ->text()
                                     .contains(u"↓ 100000 received"),
                                 60000);
        tick.stop();
        QVERIFY2(longest <= 50,
                 qPrintable(QStringLiteral("the event loop stalled %1 ms").arg(longest)));
        // memory bounded by the limit: the oldest events went
        QTRY_COMPARE(tab.messageModel()->event(tab.messageModel()->eventCount() - 1).data,
                     QByteArray("{\"n\":99999}"));
        QVERIFY(tab.messageModel()->eventCount() <= 20000);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestClientTab)
#include "tst_clienttab.moc"
