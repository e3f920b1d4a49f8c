// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/descriptorio.h"
#include "gateway/handshakerequest.h"

#include <QHostAddress>
#include <QRandomGenerator>
#include <QTest>

#include <cstring>
#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>

using namespace Gatehouse::Gateway;

// The gateway's reader of a client's upgrade request. A parsed request keeps one
// copy of its head; the parts are views of that copy, so they must outlive the
// bytes they were read from (the session's buffer goes on to hold frames).
class TestHandshakeRequest : public QObject
{
    Q_OBJECT

private slots:
    void readsTheParts();
    void partsOutliveTheInputAndFollowCopies();
    void parsedIntoARequestInUse();
    void incompleteAndTooLarge();
    void malformed_data();
    void malformed();
    void lineAndHeadEndsAsIndexOfFindsThem();
    void headerNamesCaseInsensitive();
    void backendAddressLiterals();
};

namespace {

const QByteArray Request = "GET /chats/1.0.0/rooms/room%201?token=a%20b&&flag&x=1#frag HTTP/1.1\r\n"
                           "Host: localhost:9000\r\n"
                           "Upgrade: websocket\r\n"
                           "Connection: keep-alive, Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n"
                           "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n"
                           "Authorization:   Bearer  secret-token  \r\n"
                           "X-Trace: one\r\n"
                           "x-trace: two\r\n"
                           "\r\n";

} // namespace

void TestHandshakeRequest::readsTheParts()
{
    const QByteArray frames = "\x81\x85rest";
    HandshakeRequest r;
    const QByteArray input = Request + frames;
    const auto result = HandshakeRequest::parse(input, 16384, &r);
    QCOMPARE(result.status, HandshakeRequest::ParseStatus::Complete);
    QCOMPARE(result.consumed, Request.size()); // the frames after it are left
    QCOMPARE(r.method, QByteArray("GET"));
    QCOMPARE(r.target, QByteArray("/chats/1.0.0/rooms/room%201?token=a%20b&&flag&x=1#frag"));
    QCOMPARE(r.httpVersion, QByteArray("HTTP/1.1"));
    QCOMPARE(r.path, QStringLiteral("/chats/1.0.0/rooms/room%201"));
    QCOMPARE(r.rawQuery, QByteArray("token=a%20b&&flag&x=1"));
    const QList<QPair<QString, QString>> query = {{QStringLiteral("token"), QStringLiteral("a b")},
                                                  {QStringLiteral("flag"), QString()},
                                                  {QStringLiteral("x"), QStringLiteral("1")}};
    QCOMPARE(r.query, query);
    QCOMPARE(r.headers.size(), 9);
    QCOMPARE(r.header("host"), QByteArray("localhost:9000"));
    QCOMPARE(r.header("AUTHORIZATION"), QByteArray("Bearer  secret-token"));
    QCOMPARE(r.bearerToken(), QByteArray("secret-token"));
    QCOMPARE(r.headerValues("X-Trace"), QList<QByteArray>({"one", "two"}));
    QCOMPARE(r.subprotocols(), QStringList({QStringLiteral("chat.v1"), QStringLiteral("chat.v2")}));
    QCOMPARE(r.queryValue(QStringLiteral("token")), std::optional<QString>(QStringLiteral("a b")));
    QVERIFY(!r.hasHeader("Origin"));
    QCOMPARE(r.head, Request);
}

void TestHandshakeRequest::partsOutliveTheInputAndFollowCopies()
{
    HandshakeRequest copy;
    {
        HandshakeRequest r;
        {
            auto input = std::make_unique<QByteArray>(Request);
            QCOMPARE(HandshakeRequest::parse(*input, 16384, &r).status,
                     HandshakeRequest::ParseStatus::Complete);
            input->fill('x'); // what the session's buffer does next
        }
        copy = r;
    } // the parsed request is gone; its copy keeps the head
    QByteArray filler(Request.size(), 'y'); // reuse of freed memory shows as 'y's
    QCOMPARE(copy.target, QByteArray("/chats/1.0.0/rooms/room%201?token=a%20b&&flag&x=1#frag"));
    QCOMPARE(copy.header("Sec-WebSocket-Key"), QByteArray("dGhlIHNhbXBsZSBub25jZQ=="));
    QCOMPARE(copy.header("Connection"), QByteArray("keep-alive, Upgrade"));
    // a value kept apart from the request is a copy of its own once changed
    QByteArray key = copy.header("Sec-WebSocket-Key");
    key.append('!');
    QCOMPARE(copy.header("Sec-WebSocket-Key"), QByteArray("dGhlIHNhbXBsZSBub25jZQ=="));
}

void TestHandshakeRequest::parsedIntoARequestInUse()
{
    // the session parses into its connection's request, whose peer fields are set
    HandshakeRequest r;
    r.peerAddress = QHostAddress(QStringLiteral("192.0.2.7"));
    r.peerPort = 4242;
    r.secure = true;
    QCOMPARE(HandshakeRequest::parse(Request, 16384, &r).status,
             HandshakeRequest::ParseStatus::Complete);
    QCOMPARE(r.peerAddress, QHostAddress(QStringLiteral("192.0.2.7")));
    QCOMPARE(r.peerPort, quint16(4242));
    QVERIFY(r.secure);
    // a second request into the same object: nothing of the first is left
    const QByteArray second = "GET /other HTTP/1.0\r\nX-One: 1\r\n\r\n";
    QCOMPARE(HandshakeRequest::parse(second, 16384, &r).status,
             HandshakeRequest::ParseStatus::Complete);
    QCOMPARE(r.target, QByteArray("/other"));
    QCOMPARE(r.httpVersion, QByteArray("HTTP/1.0"));
    QCOMPARE(r.headers.size(), 1);
    QVERIFY(r.query.isEmpty());
    QVERIFY(r.rawQuery.isEmpty());
    QVERIFY(!r.hasHeader("Host"));
    // a malformed one clears what the last one read before it fails
    QCOMPARE(HandshakeRequest::parse("GET  / HTTP/1.1\r\n\r\n", 16384, &r).status,
             HandshakeRequest::ParseStatus::Malformed);
    QVERIFY(r.headers.isEmpty());
    QVERIFY(r.target.isEmpty());
}

void TestHandshakeRequest::incompleteAndTooLarge()
{
    HandshakeRequest r;
    const QByteArray part = Request.first(Request.size() - 2);
    QCOMPARE(HandshakeRequest::parse(part, 16384, &r).status,
             HandshakeRequest::ParseStatus::Incomplete);
    const auto tooLarge = HandshakeRequest::parse(Request, 100, &r);
    QCOMPARE(tooLarge.status, HandshakeRequest::ParseStatus::TooLarge);
    QVERIFY2(tooLarge.error.contains(QLatin1String("100 bytes")), qPrintable(tooLarge.error));
    // garbage is refused before a line end arrives
    QCOMPARE(HandshakeRequest::parse("\x16\x03\x01\x02", 16384, &r).status,
             HandshakeRequest::ParseStatus::Malformed);
}

void TestHandshakeRequest::malformed_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("error");
    QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1") << "bad request line";
    QTest::newRow("trailing space") << QByteArray("GET / HTTP/1.1 ") << "bad request line";
    QTest::newRow("no version") << QByteArray("GET /") << "bad request line";
    QTest::newRow("not HTTP/1") << QByteArray("GET / HTTP/2.0") << "bad request line";
    QTest::newRow("method not a token") << QByteArray("G(T / HTTP/1.1") << "not an HTTP request";
    QTest::newRow("tab in target")
        << QByteArray("GET /a\tb HTTP/1.1") << "bad request target: control character or space";
    QTest::newRow("absolute form")
        << QByteArray("GET http://x/ HTTP/1.1") << "request target must be a path";
    QTest::newRow("folded header")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n b") << "folded header lines are not allowed";
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost a") << "bad header line";
    QTest::newRow("space in name") << QByteArray("GET / HTTP/1.1\r\nHo st: a") << "bad header line";
    QTest::newRow("control in value")
        << QByteArray("GET / HTTP/1.1\r\nX-A: a\x01z") << "control character in header X-A";
    QTest::newRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nhost: b")
                               << "more than one Host header";
    QTest::newRow("two authorizations")
        << QByteArray("GET / HTTP/1.1\r\nAuthorization: a\r\nAUTHORIZATION: b")
        << "more than one Authorization header";
}

void TestHandshakeRequest::malformed()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, error);
    HandshakeRequest r;
    const QByteArray input = head + "\r\n\r\n";
    const auto result = HandshakeRequest::parse(input, 16384, &r);
    QCOMPARE(result.status, HandshakeRequest::ParseStatus::Malformed);
    QCOMPARE(result.error, error);
}

// findLineEnd() and findHeadEnd() find what indexOf("\r\n") and indexOf("\r\n\r\n")
// find, in every arrangement of CR, LF and other bytes (runs of CRs included).
void TestHandshakeRequest::lineAndHeadEndsAsIndexOfFindsThem()
{
    QRandomGenerator random(17);
    const char alphabet[] = {'\r', '\n', 'a', ':'};
    for (int round = 0; round < 20000; ++round) {
        QByteArray data(random.bounded(0, 24), Qt::Uninitialized);
        for (char &c : data)
            c = alphabet[random.bounded(4)];
        const QByteArrayView view(data);
        QCOMPARE(HandshakeRequest::findHeadEnd(view), view.indexOf("\r\n\r\n"));
        for (qsizetype from = 0; from <= data.size(); ++from)
            QCOMPARE(HandshakeRequest::findLineEnd(view, from), view.indexOf("\r\n", from));
    }
}

void TestHandshakeRequest::headerNamesCaseInsensitive()
{
    HandshakeRequest r;
    const QByteArray raw = "GET / HTTP/1.1\r\nsec-websocket-KEY: k\r\nHost: h\r\n"
                           "X-A: 1\r\nx-a: 2\r\n\r\n";
    QCOMPARE(HandshakeRequest::parse(raw, 1024, &r).status,
             HandshakeRequest::ParseStatus::Complete);
    QCOMPARE(r.header("Sec-WebSocket-Key"), QByteArray("k"));
    QVERIFY(r.hasHeader("HOST"));
    QVERIFY(!r.hasHeader("Hos"));
    QVERIFY(!r.hasHeader("Hosts"));
    QCOMPARE(r.headerValues("X-a"), QList<QByteArray>({"1", "2"}));
    QVERIFY(HandshakeRequest::sameName("Upgrade", "uPGRADE"));
    QVERIFY(!HandshakeRequest::sameName("Upgrade", "Upgrades"));
    // only letters fold: these pairs differ by the same bit as a letter's cases
    QVERIFY(!HandshakeRequest::sameName("X@", "X`"));
    QVERIFY(!HandshakeRequest::sameName("X[", "X{"));
    QVERIFY(!HandshakeRequest::sameName("X^", "X~"));
    QVERIFY(!HandshakeRequest::sameName("X\xc9", "X\xe9"));
    QVERIFY(HandshakeRequest::sameName("Sec-WebSocket-Key", "sec-websocket-key"));
    // every pair of bytes, against ASCII case folding
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            const char x[2] = {'h', char(a)};
            const char y[2] = {'H', char(b)};
            const auto fold = [](int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
            if (HandshakeRequest::sameName(QByteArrayView(x, 2), QByteArrayView(y, 2))
                != (fold(a) == fold(b)))
                QFAIL(qPrintable(QStringLiteral("bytes %1 and %2").arg(a).arg(b)));
        }
    }
}

// The backend's address, when it is an IP literal, is made into a socket address
// directly (as QHostAddress reads it); anything else takes the resolving path.
void TestHandshakeRequest::backendAddressLiterals()
{
    sockaddr_storage out;
    QCOMPARE(literalSocketAddress(u"127.0.0.1", 8080, &out), socklen_t(sizeof(sockaddr_in)));
    QCOMPARE(out.ss_family, sa_family_t(AF_INET));
    QCOMPARE(portOf(out), quint16(8080));
    sockaddr_storage viaQt;
    QCOMPARE(toSocketAddress(QHostAddress(QStringLiteral("127.0.0.1")), 8080, &viaQt),
             socklen_t(sizeof(sockaddr_in)));
    QCOMPARE(std::memcmp(&out, &viaQt, sizeof(sockaddr_in)), 0);

    QCOMPARE(literalSocketAddress(u"::1", 443, &out), socklen_t(sizeof(sockaddr_in6)));
    QCOMPARE(out.ss_family, sa_family_t(AF_INET6));
    QCOMPARE(portOf(out), quint16(443));
    QCOMPARE(toSocketAddress(QHostAddress(QStringLiteral("::1")), 443, &viaQt),
             socklen_t(sizeof(sockaddr_in6)));
    QCOMPARE(std::memcmp(&out, &viaQt, sizeof(sockaddr_in6)), 0);
    QCOMPARE(literalSocketAddress(u"::ffff:10.0.0.1", 1, &out), socklen_t(sizeof(sockaddr_in6)));

    for (const QString &other :
         {QStringLiteral(""), QStringLiteral("localhost"), QStringLiteral("example.com"),
          QStringLiteral("fe80::1%eth0"), QStringLiteral("[::1]"), QStringLiteral("1.2.3.4.5"),
          QStringLiteral("256.1.1.1"), QStringLiteral("\u00e9.1.1.1"), QString(80, u'1')})
        QVERIFY2(literalSocketAddress(other, 80, &out) == 0, qPrintable(other));
}

QTEST_GUILESS_MAIN(TestHandshakeRequest)
#include "tst_handshakerequest.moc"
