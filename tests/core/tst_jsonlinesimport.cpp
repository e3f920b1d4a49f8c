// SPDX-License-Identifier: GPL-3.0-or-later
// A JSON Lines log of `serve --log-file` read into a message log for reading offline.
#include "analytics/jsonlinesimport.h"
#include "analytics/messagelogreader.h"
#include "gateway/gatewayevent.h"
#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Gatehouse;
using Analytics::LogFilter;
using Analytics::LogRecord;
using Gateway::GatewayEvent;

namespace {

const qint64 T0 = 1'767'225'600'000;

// A connection's handshake, `messages` messages (alternating in and out) and close,
// as the gateway hands them to its log writers.
QList<GatewayEvent> connection(quint64 id, qint64 t, int messages)
{
    GatewayEvent opened;
    opened.type = GatewayEvent::Type::ConnectionOpened;
    opened.connectionId = id;
    opened.timeMs = t;
    opened.status = 101;
    GatewayEvent::Details &d = opened.editDetails();
    d.api = QStringLiteral("/chats/1.0.0");
    d.channel = QStringLiteral("/rooms/{id}");
    d.path = QStringLiteral("/chats/1.0.0/rooms/r%1").arg(id);
    d.application = QStringLiteral("app_%1").arg(id);
    QList<GatewayEvent> out {opened};
    for (int i = 0; i < messages; ++i) {
        GatewayEvent m = opened;
        m.type = GatewayEvent::Type::MessageRelayed;
        m.timeMs = t + 1 + i;
        m.direction
            = i % 2 ? Gateway::Direction::BackendToClient : Gateway::Direction::ClientToBackend;
        m.payload = QStringLiteral("{\"i\":%1}").arg(i).toUtf8();
        m.size = m.payload.size();
        out.append(m);
    }
    GatewayEvent closed = opened;
    closed.type = GatewayEvent::Type::ConnectionClosed;
    closed.timeMs = t + 1 + messages;
    closed.closeCode = 1000;
    out.append(closed);
    return out;
}

bool append(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::Append) && file.write(text) == text.size();
}

} // namespace

class TestJsonLinesImport final : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup() { m_dir.reset(); }

    // What serve --log-file wrote reads back as the same rows, filters and all.
    void readsWhatServeWrites()
    {
        const QString file = m_dir->filePath(QStringLiteral("messages.jsonl"));
        QVERIFY(
            Test::writeJsonLinesLog(file, connection(1, T0, 6) + connection(2, T0 + 100, 3000)));
        const QString db = m_dir->filePath(QStringLiteral("log.db"));
        Analytics::JsonLinesImport import;
        QString error;
        QVERIFY2(import.run(file, db, &error), qPrintable(error));
        QCOMPARE(import.events(), qint64(3010));
        QCOMPARE(import.brokenLines(), qint64(0));
        Analytics::MessageLogReader reader;
        QVERIFY(reader.open(db, &error));
        QCOMPARE(reader.count({}, &error), qint64(3010));
        const QList<LogRecord> first = reader.query({}, 0, 8, &error);
        QCOMPARE(first.size(), 8);
        QVERIFY(first.at(0).kind == LogRecord::Kind::Handshake);
        QCOMPARE(first.at(0).status, 101);
        QCOMPARE(first.at(0).path, u"/chats/1.0.0/rooms/r1"_qs);
        QVERIFY(first.at(2).kind == LogRecord::Kind::Message);
        QCOMPARE(first.at(2).direction, u"out"_qs);
        QCOMPARE(first.at(2).payload, QByteArray("{\"i\":1}"));
        QVERIFY(first.at(7).kind == LogRecord::Kind::Close);
        LogFilter filter;
        filter.application = QStringLiteral("app_2");
        filter.direction = QStringLiteral("in");
        QCOMPARE(reader.count(filter, &error), qint64(1500));
    }

    // Broken lines are reported with their numbers, one line each; the rest is read.
    void brokenLines()
    {
        const QString file = m_dir->filePath(QStringLiteral("messages.jsonl"));
        QVERIFY(Test::writeJsonLinesLog(file, connection(1, T0, 2))); // lines 1 to 4
        QVERIFY(append(file, "{\"event\":\"message\",\"timeMs\":1767225600099,\n")); // 5
        QVERIFY(append(file, "\n")); // 6: blank, passed over quietly
        QVERIFY(append(file, "[1, 2, 3]\n")); // 7
        QVERIFY(append(file, "{\"event\":\"teleported\"}\n")); // 8
        QVERIFY(append(file, QByteArray(5000, '[') + '\n')); // 9
        QVERIFY(append(file, QByteArray("\xff\xfe\x00garbage\r\n", 12))); // 10
        QVERIFY(append(file,
                       "{\"event\":\"closed\",\"timeMs\":1767225600200,\"connection\":"
                       "9,\"code\":1001}")); // 11, without a line break
        Analytics::JsonLinesImport import;
        QString error;
        QVERIFY2(import.run(file, m_dir->filePath(QStringLiteral("log.db")), &error),
                 qPrintable(error));
        QCOMPARE(import.brokenLines(), qint64(5));
        QCOMPARE(import.events(), qint64(5));
        const QStringList problems = import.problems();
        QCOMPARE(problems.size(), 5);
        QVERIFY2(problems.at(0).startsWith(u"messages.jsonl:5: not JSON: parse error at line 1"),
                 qPrintable(problems.at(0)));
        QCOMPARE(problems.at(1), u"messages.jsonl:7: not a gateway event"_qs);
        QCOMPARE(problems.at(2), u"messages.jsonl:8: not a gateway event"_qs);
        QCOMPARE(problems.at(3), u"messages.jsonl:9: not JSON: nested deeper than 512 levels"_qs);
        QVERIFY2(problems.at(4).startsWith(u"messages.jsonl:10: not JSON: "),
                 qPrintable(problems.at(4)));
        for (const QString &p : problems)
            QVERIFY2(!p.contains(u'\n') && !p.contains(u"[json.exception"), qPrintable(p));
    }

    void unreadable_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing") << u"none.jsonl"_qs << u"none.jsonl: No such file"_qs;
        QTest::newRow("folder") << u"."_qs << u"is a directory"_qs;
    }
    void unreadable()
    {
        QFETCH(QString, name);
        QFETCH(QString, message);
        Analytics::JsonLinesImport import;
        QString error;
        QVERIFY(
            !import.run(m_dir->filePath(name), m_dir->filePath(QStringLiteral("log.db")), &error));
        QVERIFY2(error.contains(message), qPrintable(error));
        QVERIFY(!error.contains(u'\n'));
    }

    void cancelled()
    {
        const QString file = m_dir->filePath(QStringLiteral("messages.jsonl"));
        QVERIFY(Test::writeJsonLinesLog(file, connection(1, T0, 10)));
        const std::atomic<bool> cancel {true};
        Analytics::JsonLinesImport import;
        QString error;
        QVERIFY(!import.run(file, m_dir->filePath(QStringLiteral("log.db")), &error, &cancel));
        QCOMPARE(error, u"cancelled"_qs);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestJsonLinesImport)
#include "tst_jsonlinesimport.moc"
