// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/websocketcodec.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <thread>

using namespace Gatehouse::Gateway;

// The relay parses client frames in place (WebSocketCodec::parseInPlace): the
// payload is unmasked where it lies and handed on as a view of the read buffer.
class TestWebSocketCodec : public QObject
{
    Q_OBJECT

private slots:
    void parseInPlaceUnmasksInTheBuffer_data();
    void parseInPlaceUnmasksInTheBuffer();
    void parseInPlaceWaitsForWholeFrames();
    void parseInPlaceChecksLikeParse_data();
    void parseInPlaceChecksLikeParse();
    void unmaskedFramesFromAServer();
    void encodeToGrowsByDoubling();
    void maskingKeysVary();
    void acceptKeyAsRfc6455Says();
    void asciiFoundWhileUnmasking_data();
    void asciiFoundWhileUnmasking();
};

void TestWebSocketCodec::asciiFoundWhileUnmasking_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("ascii");
    QTest::newRow("json") << QByteArray("{\"user\":\"ann\",\"text\":\"hello there\"}") << true;
    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("umlaut in the 8-byte part")
        << QByteArray("gr\xc3\xbc\xc3\x9f dich, welt") << false;
    QTest::newRow("high byte in the tail") << QByteArray("12345678\xff") << false;
    QTest::newRow("high byte at the end of a word") << QByteArray("1234567\x80"
                                                                  "abc")
                                                    << false;
}

// Unmasking tells whether a payload is ASCII (the relay then skips the UTF-8 check);
// an unmasked frame tells nothing.
void TestWebSocketCodec::asciiFoundWhileUnmasking()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, ascii);
    WebSocketCodec client(WebSocketCodec::Role::Client);
    QByteArray wire;
    client.encodeTo(wire, WebSocketCodec::Text, payload);
    WebSocketCodec server(WebSocketCodec::Role::Server);
    WebSocketCodec::Frame frame;
    qsizetype offset = 0;
    QCOMPARE(server.parseInPlace(wire.data(), wire.size(), &offset, -1, &frame),
             WebSocketCodec::Result::Frame);
    QCOMPARE(frame.payload, payload);
    QCOMPARE(frame.ascii, ascii);

    QByteArray plain;
    WebSocketCodec(WebSocketCodec::Role::Server).encodeTo(plain, WebSocketCodec::Text, payload);
    WebSocketCodec fromServer(WebSocketCodec::Role::Client);
    offset = 0;
    QCOMPARE(fromServer.parseInPlace(plain.data(), plain.size(), &offset, -1, &frame),
             WebSocketCodec::Result::Frame);
    QVERIFY(!frame.ascii);
}

void TestWebSocketCodec::parseInPlaceUnmasksInTheBuffer_data()
{
    QTest::addColumn<QList<QByteArray>>("payloads");
    QTest::newRow("one small") << QList<QByteArray> {QByteArray("hello")};
    QTest::newRow("empty") << QList<QByteArray> {QByteArray()};
    QTest::newRow("many small") << QList<QByteArray> {"a", "bc", "def", QByteArray(64, 'x'),
                                                      "{\"n\":1}"};
    QTest::newRow("16-bit and 64-bit lengths")
        << QList<QByteArray> {QByteArray(300, 'm'), QByteArray(70000, 'L'), "tail"};
}

void TestWebSocketCodec::parseInPlaceUnmasksInTheBuffer()
{
    QFETCH(QList<QByteArray>, payloads);
    WebSocketCodec client(WebSocketCodec::Role::Client); // masks what it sends
    QByteArray wire;
    for (const QByteArray &p : payloads)
        client.encodeTo(wire, WebSocketCodec::Text, p);

    WebSocketCodec server(WebSocketCodec::Role::Server);
    char *const buffer = wire.data();
    const char *const end = buffer + wire.size();
    qsizetype offset = 0;
    for (const QByteArray &p : payloads) {
        WebSocketCodec::Frame frame;
        const qsizetype start = offset;
        QCOMPARE(server.parseInPlace(buffer, wire.size(), &offset, -1, &frame),
                 WebSocketCodec::Result::Frame);
        QCOMPARE(frame.opcode, quint8(WebSocketCodec::Text));
        QVERIFY(frame.fin);
        QCOMPARE(frame.payload, p);
        QVERIFY(offset > start);
        if (!p.isEmpty()) {
            // a view of the buffer, not a copy: unmasked where it lies
            QVERIFY(frame.payload.constData() > buffer + start);
            QVERIFY(frame.payload.constData() + frame.payload.size() <= end);
            QVERIFY(!frame.payload.data_ptr().isMutable());
            QCOMPARE(QByteArray(buffer + offset - p.size(), p.size()), p);
        }
    }
    QCOMPARE(offset, wire.size());
}

void TestWebSocketCodec::parseInPlaceWaitsForWholeFrames()
{
    WebSocketCodec client(WebSocketCodec::Role::Client);
    const QByteArray payload(200, 'p'); // 16-bit length + masking key: 8 header bytes
    const QByteArray wire = client.encode(WebSocketCodec::Binary, payload);
    WebSocketCodec server(WebSocketCodec::Role::Server);
    for (qsizetype n = 0; n < wire.size(); ++n) {
        QByteArray part = wire.left(n);
        qsizetype offset = 0;
        WebSocketCodec::Frame frame;
        QCOMPARE(server.parseInPlace(part.data(), part.size(), &offset, -1, &frame),
                 WebSocketCodec::Result::NeedMore);
        QCOMPARE(offset, 0);
        QCOMPARE(part, wire.left(n)); // an incomplete frame is left as it was
    }
    QByteArray whole = wire;
    qsizetype offset = 0;
    WebSocketCodec::Frame frame;
    QCOMPARE(server.parseInPlace(whole.data(), whole.size(), &offset, -1, &frame),
             WebSocketCodec::Result::Frame);
    QCOMPARE(frame.opcode, quint8(WebSocketCodec::Binary));
    QCOMPARE(frame.payload, payload);
}

void TestWebSocketCodec::parseInPlaceChecksLikeParse_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<qint64>("maxPayload");
    QTest::addColumn<quint16>("code");
    const QByteArray key("\x01\x02\x03\x04", 4);
    QTest::newRow("unmasked from a client")
        << QByteArray("\x81\x02hi", 4) << qint64(-1) << quint16(1002);
    QTest::newRow("reserved bits")
        << QByteArray("\xC1\x82", 2) + key + "hi" << qint64(-1) << quint16(1002);
    QTest::newRow("unknown opcode")
        << QByteArray("\x83\x82", 2) + key + "hi" << qint64(-1) << quint16(1002);
    QTest::newRow("fragmented ping")
        << QByteArray("\x09\x82", 2) + key + "hi" << qint64(-1) << quint16(1002);
    QTest::newRow("too big") << QByteArray("\x82\x85", 2) + key + "hello" << qint64(4)
                             << quint16(1009);
}

void TestWebSocketCodec::parseInPlaceChecksLikeParse()
{
    QFETCH(QByteArray, wire);
    QFETCH(qint64, maxPayload);
    QFETCH(quint16, code);
    WebSocketCodec copying(WebSocketCodec::Role::Server);
    qsizetype offset = 0;
    WebSocketCodec::Frame frame;
    QCOMPARE(copying.parse(wire, &offset, maxPayload, &frame), WebSocketCodec::Result::Error);
    QCOMPARE(copying.errorCode(), code);

    WebSocketCodec inPlace(WebSocketCodec::Role::Server);
    QByteArray buffer = wire;
    offset = 0;
    QCOMPARE(inPlace.parseInPlace(buffer.data(), buffer.size(), &offset, maxPayload, &frame),
             WebSocketCodec::Result::Error);
    QCOMPARE(inPlace.errorCode(), code);
    QCOMPARE(inPlace.errorString(), copying.errorString());
    QCOMPARE(offset, 0);
    QCOMPARE(buffer, wire);
}

void TestWebSocketCodec::unmaskedFramesFromAServer()
{
    WebSocketCodec backend(WebSocketCodec::Role::Server); // a server sends unmasked
    QByteArray wire;
    backend.encodeTo(wire, WebSocketCodec::Text, "one");
    backend.encodeTo(wire, WebSocketCodec::Binary, QByteArray(1000, 'b'));
    const QByteArray sent = wire;

    WebSocketCodec gateway(WebSocketCodec::Role::Client);
    qsizetype offset = 0;
    WebSocketCodec::Frame frame;
    QCOMPARE(gateway.parseInPlace(wire.data(), wire.size(), &offset, -1, &frame),
             WebSocketCodec::Result::Frame);
    QCOMPARE(frame.payload, QByteArray("one"));
    QCOMPARE(gateway.parseInPlace(wire.data(), wire.size(), &offset, -1, &frame),
             WebSocketCodec::Result::Frame);
    QCOMPARE(frame.payload, QByteArray(1000, 'b'));
    QCOMPARE(offset, wire.size());
    QCOMPARE(wire, sent); // nothing to unmask: the buffer is untouched
}

// Frames appended one by one to the same output buffer: the buffer is reallocated
// a few times as it doubles, not once per frame.
void TestWebSocketCodec::encodeToGrowsByDoubling()
{
    for (const auto role : {WebSocketCodec::Role::Server, WebSocketCodec::Role::Client}) {
        WebSocketCodec codec(role);
        QByteArray out;
        QSet<qsizetype> capacities;
        for (int i = 0; i < 1000; ++i) {
            codec.encodeTo(out, WebSocketCodec::Text, QByteArray(64, 'x'));
            capacities.insert(out.capacity());
        }
        QVERIFY2(capacities.size() <= 16, qPrintable(QString::number(capacities.size())));
        qsizetype offset = 0;
        WebSocketCodec reader(role == WebSocketCodec::Role::Client ? WebSocketCodec::Role::Server
                                                                   : WebSocketCodec::Role::Client);
        for (int i = 0; i < 1000; ++i) {
            WebSocketCodec::Frame frame;
            QCOMPARE(reader.parse(out, &offset, -1, &frame), WebSocketCodec::Result::Frame);
            QCOMPARE(frame.payload, QByteArray(64, 'x'));
        }
        QCOMPARE(offset, out.size());
    }
}

// A client masks each frame with a key of its own (RFC 6455 5.3): the same
// payload never goes out the same way twice.
void TestWebSocketCodec::maskingKeysVary()
{
    WebSocketCodec client(WebSocketCodec::Role::Client);
    QSet<QByteArray> keys;
    for (int i = 0; i < 200; ++i) {
        const QByteArray frame = client.encode(WebSocketCodec::Text, "same");
        QCOMPARE(frame.size(), 2 + 4 + 4);
        QVERIFY(quint8(frame.at(1)) & 0x80); // the mask bit
        keys.insert(frame.mid(2, 4));
    }
    QVERIFY2(keys.size() >= 195, qPrintable(QString::number(keys.size())));
    // and a thread of its own draws other keys
    QSet<QByteArray> other;
    std::thread([&] {
        WebSocketCodec c(WebSocketCodec::Role::Client);
        for (int i = 0; i < 200; ++i)
            other.insert(c.encode(WebSocketCodec::Text, "same").mid(2, 4));
    }).join();
    QVERIFY((keys & other).size() < 5);
}

void TestWebSocketCodec::acceptKeyAsRfc6455Says()
{
    // RFC 6455 section 1.3's example, with the spaces a header value may carry
    QCOMPARE(WebSocketCodec::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
             QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    QCOMPARE(WebSocketCodec::acceptKey("  dGhlIHNhbXBsZSBub25jZQ== "),
             QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    // any key: base64 of the SHA-1 of the key and the protocol's GUID
    for (int i = 0; i < 50; ++i) {
        QByteArray raw(16, Qt::Uninitialized);
        for (char &c : raw)
            c = char(QRandomGenerator::global()->bounded(256));
        const QByteArray key = raw.toBase64();
        const QByteArray input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        QCOMPARE(WebSocketCodec::acceptKey(key),
                 QCryptographicHash::hash(input, QCryptographicHash::Sha1).toBase64());
    }
}

QTEST_GUILESS_MAIN(TestWebSocketCodec)
#include "tst_websocketcodec.moc"
