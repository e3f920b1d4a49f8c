// SPDX-License-Identifier: GPL-3.0-or-later
// The message log as CSV (RFC 4180) and one connection as HAR 1.2.
#include "analytics/logexport.h"
#include "analytics/messagelogreader.h"
#include "analytics/messagelogstore.h"
#include "gateway/gatewayevent.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using Analytics::LogFilter;
using Analytics::LogRecord;
using Gateway::GatewayEvent;

namespace {

const qint64 T0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z

GatewayEvent logEvent(GatewayEvent::Type type, quint64 id, qint64 timeMs)
{
    GatewayEvent e;
    e.type = type;
    e.connectionId = id;
    e.timeMs = timeMs;
    GatewayEvent::Details &d = e.editDetails();
    d.api = QStringLiteral("/chats/1.0.0");
    d.channel = QStringLiteral("/rooms/{id}");
    d.path = QStringLiteral("/chats/1.0.0/rooms/r%1").arg(id);
    d.application = QStringLiteral("app_alice");
    return e;
}

GatewayEvent message(quint64 id, qint64 timeMs, const QByteArray &payload, bool out,
                     GatewayEvent::Type type = GatewayEvent::Type::MessageRelayed)
{
    GatewayEvent e = logEvent(type, id, timeMs);
    e.direction = out ? Gateway::Direction::BackendToClient : Gateway::Direction::ClientToBackend;
    e.payload = payload;
    e.size = payload.size();
    return e;
}

// Splits RFC 4180 text into records of fields (quoted fields may hold commas,
// doubled quotes and line breaks); false when it is not well-formed.
bool parseCsv(const QByteArray &text, QList<QStringList> *records)
{
    QStringList record;
    QByteArray field;
    bool quoted = false;
    bool wasQuoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            if (!field.isEmpty() || wasQuoted)
                return false; // a quote inside an unquoted field
            quoted = wasQuoted = true;
        } else if (c == ',') {
            record.append(QString::fromUtf8(field));
            field.clear();
            wasQuoted = false;
        } else if (c == '\r') {
            if (i + 1 >= text.size() || text[i + 1] != '\n')
                return false; // lines end with CRLF
            record.append(QString::fromUtf8(field));
            records->append(record);
            record.clear();
            field.clear();
            wasQuoted = false;
            ++i;
        } else if (c == '\n') {
            return false;
        } else {
            if (wasQuoted)
                return false; // text after a closing quote
            field += c;
        }
    }
    return !quoted && field.isEmpty() && record.isEmpty();
}

} // namespace

class TestLogExport final : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_db = m_dir->filePath(QStringLiteral("messages.db"));
        Analytics::MessageLogStore::Options o;
        o.path = m_db;
        Analytics::MessageLogStore store(o);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        GatewayEvent opened = logEvent(GatewayEvent::Type::ConnectionOpened, 1, T0);
        opened.status = 101;
        opened.editDetails().clientAddress = QStringLiteral("127.0.0.1:5000");
        GatewayEvent binary = message(1, T0 + 30, QByteArray("\x00\x01\xff", 3), false);
        binary.binary = true;
        GatewayEvent refused = logEvent(GatewayEvent::Type::ConnectionRejected, 2, T0 + 35);
        refused.status = 401;
        refused.reason = QStringLiteral("missing credentials");
        GatewayEvent ping = message(1, T0 + 40, {}, false, GatewayEvent::Type::PingForwarded);
        GatewayEvent closed = logEvent(GatewayEvent::Type::ConnectionClosed, 1, T0 + 2500);
        closed.closeCode = 1000;
        closed.closedBy = GatewayEvent::Party::Client;
        store.consume(
            {opened, message(1, T0 + 10, "say \"hi\", then\r\nbye", false),
             message(1, T0 + 20, "hello there", true), binary, refused, ping,
             message(1, T0 + 50, "{\"bad\":1}", true, GatewayEvent::Type::MessageDropped),
             message(1, T0 + 60, "{\"late\":2}", false, GatewayEvent::Type::MessageDropped),
             closed});
        QVERIFY(store.flush());
    }
    void cleanup() { m_dir.reset(); }

    void csvQuoting_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("field");
        QTest::newRow("plain") << u"hello"_qs << QByteArray("hello");
        QTest::newRow("comma") << u"a,b"_qs << QByteArray("\"a,b\"");
        QTest::newRow("quote") << u"say \"hi\""_qs << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("line break") << u"a\nb"_qs << QByteArray("\"a\nb\"");
        QTest::newRow("carriage return") << u"a\rb"_qs << QByteArray("\"a\rb\"");
        QTest::newRow("empty") << QString() << QByteArray();
    }
    // A field is quoted only when it must be; quotes inside are doubled.
    void csvQuoting()
    {
        QFETCH(QString, value);
        QFETCH(QByteArray, field);
        LogRecord r;
        r.kind = LogRecord::Kind::Handshake;
        r.timeMs = T0;
        r.connectionId = 3;
        r.api = value;
        const QByteArray line = Analytics::toCsv(r);
        QVERIFY(line.endsWith("\r\n"));
        QVERIFY2(line.startsWith(QByteArray("2026-01-01T00:00:00.000Z,rejected,3," + field + ',')),
                 line.constData());
    }

    // The whole log as CSV: a header and a row per row, readable by an RFC 4180 reader.
    void csvFile()
    {
        const QString path = m_dir->filePath(QStringLiteral("log.csv"));
        QString error;
        QCOMPARE(Analytics::writeCsv(m_db, {}, path, &error), qint64(9));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QStringList> records;
        QVERIFY(parseCsv(file.readAll(), &records));
        QCOMPARE(records.size(), 10);
        const QStringList header = records.at(0);
        for (const QStringList &record : std::as_const(records))
            QCOMPARE(record.size(), header.size());
        auto field = [&](int row, const char *name) {
            return records.at(row).at(header.indexOf(QLatin1String(name)));
        };
        QCOMPARE(field(1, "kind"), u"opened"_qs);
        QCOMPARE(field(1, "status"), u"101"_qs);
        QCOMPARE(field(1, "client_address"), u"127.0.0.1:5000"_qs);
        QCOMPARE(field(2, "payload"), u"say \"hi\", then\r\nbye"_qs); // as it was
        QCOMPARE(field(2, "direction"), u"in"_qs);
        QCOMPARE(field(4, "payload"), u"AAH/"_qs);
        QCOMPARE(field(4, "payload_encoding"), u"base64"_qs);
        QCOMPARE(field(5, "status"), u"401"_qs);
        QCOMPARE(field(5, "reason"), u"missing credentials"_qs);
        QCOMPARE(field(9, "code"), u"1000"_qs);
        QCOMPARE(field(9, "closed_by"), u"client"_qs);
        // only what the filter selects
        LogFilter filter;
        filter.direction = QStringLiteral("out");
        QCOMPARE(Analytics::writeCsv(m_db, filter, path, &error), qint64(2));
    }

    // One connection as HAR 1.2: the handshake entry and its messages as Chrome writes them.
    void har()
    {
        Analytics::MessageLogReader reader;
        QString error;
        QVERIFY(reader.open(m_db, &error));
        const Json har
            = Analytics::harOf(reader, 1, QStringLiteral("wss://gw.example:8443/"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // as a file would read it
        const Json log = Json::parse(har.dump())["log"];
        QCOMPARE(log["version"].get<std::string>(), std::string("1.2"));
        QCOMPARE(log["creator"]["name"].get<std::string>(), std::string("Gatehouse"));
        QCOMPARE(log["entries"].size(), size_t(1));
        const Json &entry = log["entries"][0];
        QCOMPARE(entry["startedDateTime"].get<std::string>(),
                 std::string("2026-01-01T00:00:00.000Z"));
        QCOMPARE(entry["time"].get<qint64>(), qint64(2500));
        QCOMPARE(entry["request"]["method"].get<std::string>(), std::string("GET"));
        QCOMPARE(entry["request"]["url"].get<std::string>(),
                 std::string("wss://gw.example:8443/chats/1.0.0/rooms/r1"));
        QCOMPARE(entry["response"]["status"].get<int>(), 101);
        QVERIFY(entry["request"]["headers"].is_array());
        QVERIFY(entry["timings"].is_object());
        const Json &messages = entry["_webSocketMessages"];
        // the ping and the message dropped on its way to the client are not there;
        // the client's message dropped by the gateway was still sent
        QCOMPARE(messages.size(), size_t(4));
        const QList<std::string> types {"send", "receive", "send", "send"};
        const QList<int> opcodes {1, 1, 2, 1};
        const QList<double> times {1767225600.010, 1767225600.020, 1767225600.030, 1767225600.060};
        for (size_t i = 0; i < messages.size(); ++i) {
            const Json &m = messages[i];
            QCOMPARE(m.size(), size_t(4));
            QCOMPARE(m["type"].get<std::string>(), types.at(qsizetype(i)));
            QCOMPARE(m["opcode"].get<int>(), opcodes.at(qsizetype(i)));
            QVERIFY(m["time"].is_number_float());
            QCOMPARE(m["time"].get<double>(), times.at(qsizetype(i)));
        }
        QCOMPARE(messages[0]["data"].get<std::string>(), std::string("say \"hi\", then\r\nbye"));
        QCOMPARE(messages[1]["data"].get<std::string>(), std::string("hello there"));
        QCOMPARE(messages[2]["data"].get<std::string>(), std::string("AAH/"));
    }

    // A refused connection: its status, no messages; the default origin.
    void harOfRefusal()
    {
        const QString path = m_dir->filePath(QStringLiteral("refused.har"));
        QString error;
        QCOMPARE(Analytics::writeHar(m_db, 2, path, &error), qint64(0));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const Json har = Json::parse(file.readAll().toStdString());
        const Json &entry = har["log"]["entries"][0];
        QCOMPARE(entry["response"]["status"].get<int>(), 401);
        QCOMPARE(entry["response"]["statusText"].get<std::string>(),
                 std::string("missing credentials"));
        QCOMPARE(entry["request"]["url"].get<std::string>(),
                 std::string("ws://localhost/chats/1.0.0/rooms/r2"));
        QVERIFY(entry["_webSocketMessages"].empty());
        // a connection the log does not know
        QCOMPARE(Analytics::writeHar(m_db, 77, path, &error), qint64(-1));
        QCOMPARE(error, u"connection 77: not in the message log"_qs);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
};

QTEST_GUILESS_MAIN(TestLogExport)
#include "tst_logexport.moc"
