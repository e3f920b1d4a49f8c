// SPDX-License-Identifier: GPL-3.0-or-later
// NewApi: the document File > New API writes, from every starting point in both
// AsyncAPI versions, read back with no error and with what was asked for; and the
// one-line problems of each field.
#include "asyncapi/asyncapireader.h"
#include "asyncapi/newapi.h"

#include <QFile>
#include <QTest>

using namespace Gatehouse;

namespace {

QByteArray sample(const QString &name)
{
    if (name.isEmpty())
        return {};
    QFile file(QStringLiteral(GATEHOUSE_SOURCE_DIR "/resources/samples/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read sample %s", qPrintable(name));
    return file.readAll();
}

NewApi::Request request(AsyncApiWriter::TargetVersion version)
{
    NewApi::Request r;
    r.name = QStringLiteral("Team Chat");
    r.context = QStringLiteral("/team/chat");
    r.version = QStringLiteral("2.1.0");
    r.endpoint = QStringLiteral("ws://backend.example:7000/ws");
    r.listen = QStringLiteral("127.0.0.1:9500");
    r.asyncApiVersion = version;
    return r;
}

} // namespace

class TestNewApi : public QObject
{
    Q_OBJECT

private slots:
    void everyStartInBothVersions_data();
    void everyStartInBothVersions();
    void fieldProblems_data();
    void fieldProblems();
    void badRequestOrStartWritesNothing();
    void suggestedFileName_data();
    void suggestedFileName();
};

void TestNewApi::everyStartInBothVersions_data()
{
    QTest::addColumn<QString>("start");
    QTest::addColumn<bool>("v3");
    QTest::addColumn<int>("channels");
    const std::tuple<const char *, const char *, int> starts[] = {
        {"empty", "", 0},
        {"chats", "chats.asyncapi.yaml", 2},
        {"echo", "echo.asyncapi.yaml", 1},
        {"market data", "market-data.asyncapi.yaml", 2},
        {"iot telemetry", "iot-telemetry.asyncapi.yaml", -1},
    };
    for (const auto &[tag, file, channels] : starts) {
        QTest::addRow("%s 2.6", tag) << QString::fromLatin1(file) << false << channels;
        QTest::addRow("%s 3.0", tag) << QString::fromLatin1(file) << true << channels;
    }
}

void TestNewApi::everyStartInBothVersions()
{
    QFETCH(QString, start);
    QFETCH(bool, v3);
    QFETCH(int, channels);
    const QByteArray startText = sample(start);
    const auto version
        = v3 ? AsyncApiWriter::TargetVersion::V3_0 : AsyncApiWriter::TargetVersion::V2_6;
    QString error;
    const QByteArray text = NewApi::create(request(version), startText, &error);
    QVERIFY2(!text.isEmpty(), qPrintable(error));

    const ReadResult read = AsyncApiReader::readData(text, QStringLiteral("new.yaml"));
    QString diagnostics;
    for (const Diagnostic &d : read.diagnostics)
        diagnostics += d.message + QLatin1Char('\n');
    QVERIFY2(read.ok(), qPrintable(diagnostics + QString::fromUtf8(text)));
    QVERIFY2(read.diagnostics.isEmpty(), qPrintable(diagnostics));
    const Api &api = *read.api;
    QCOMPARE(api.asyncapiVersion, v3 ? QStringLiteral("3.0.0") : QStringLiteral("2.6.0"));
    QCOMPARE(api.title, QStringLiteral("Team Chat"));
    QCOMPARE(api.version, QStringLiteral("2.1.0"));
    QCOMPARE(api.gatehouse.context, QStringLiteral("/team/chat"));
    QCOMPARE(api.gatehouse.endpoint, QStringLiteral("ws://backend.example:7000/ws"));
    QCOMPARE(api.gatehouse.listen, QStringLiteral("127.0.0.1:9500"));
    if (channels >= 0)
        QCOMPARE(api.channels.size(), channels);
    else
        QVERIFY(!api.channels.isEmpty());

    // the gateway server points at the listen port, the context and the version
    bool found = false;
    for (const Server &server : api.servers) {
        if (server.protocol != QStringLiteral("ws"))
            continue;
        QCOMPARE(server.host, QStringLiteral("localhost:9500"));
        QCOMPARE(server.pathname, QStringLiteral("/team/chat/2.1.0"));
        found = true;
    }
    QVERIFY(found);

    // the starting point's own settings (a mock backend, say) are kept
    if (!startText.isEmpty()) {
        const ReadResult original = AsyncApiReader::readData(startText, start);
        QVERIFY(original.ok());
        QVERIFY(api.gatehouse.mock == original.api->gatehouse.mock);
        QCOMPARE(api.messages.size(), original.api->messages.size());
    }
}

void TestNewApi::fieldProblems_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("fine");
    QTest::newRow("name") << "name"
                          << "Chats" << true;
    QTest::newRow("name empty") << "name"
                                << "  " << false;
    QTest::newRow("name two lines") << "name"
                                    << "a\nb" << false;
    QTest::newRow("context") << "context"
                             << "/chats" << true;
    QTest::newRow("context nested") << "context"
                                    << "/a/b" << true;
    QTest::newRow("context empty") << "context"
                                   << "" << false;
    QTest::newRow("context no slash") << "context"
                                      << "chats" << false;
    QTest::newRow("context trailing slash") << "context"
                                            << "/chats/" << false;
    QTest::newRow("context space") << "context"
                                   << "/my chats" << false;
    QTest::newRow("context query") << "context"
                                   << "/chats?x" << false;
    QTest::newRow("context brace") << "context"
                                   << "/{tenant}" << false;
    QTest::newRow("version") << "version"
                             << "1.0.0" << true;
    QTest::newRow("version v") << "version"
                               << "v2" << true;
    QTest::newRow("version empty") << "version"
                                   << "" << false;
    QTest::newRow("version slash") << "version"
                                   << "1/0" << false;
    QTest::newRow("endpoint") << "endpoint"
                              << "ws://localhost:8080" << true;
    QTest::newRow("endpoint wss path") << "endpoint"
                                       << "wss://h.example/a/b" << true;
    QTest::newRow("endpoint http") << "endpoint"
                                   << "http://localhost:8080" << false;
    QTest::newRow("endpoint empty") << "endpoint"
                                    << "" << false;
    QTest::newRow("endpoint space") << "endpoint"
                                    << "ws://local host" << false;
    QTest::newRow("listen") << "listen"
                            << "127.0.0.1:9099" << true;
    QTest::newRow("listen v6") << "listen"
                               << "[::1]:9099" << true;
    QTest::newRow("listen no port") << "listen"
                                    << "127.0.0.1" << false;
    QTest::newRow("listen port 0") << "listen"
                                   << "127.0.0.1:0" << false;
    QTest::newRow("listen port big") << "listen"
                                     << "127.0.0.1:70000" << false;
    QTest::newRow("listen no host") << "listen"
                                    << ":9099" << false;
}

void TestNewApi::fieldProblems()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(bool, fine);
    NewApi::Request r = request(AsyncApiWriter::TargetVersion::V3_0);
    QString problem;
    if (field == QStringLiteral("name")) {
        problem = NewApi::nameProblem(value);
        r.name = value;
    } else if (field == QStringLiteral("context")) {
        problem = NewApi::contextProblem(value);
        r.context = value;
    } else if (field == QStringLiteral("version")) {
        problem = NewApi::versionProblem(value);
        r.version = value;
    } else if (field == QStringLiteral("endpoint")) {
        problem = NewApi::endpointProblem(value);
        r.endpoint = value;
    } else {
        problem = NewApi::listenProblem(value);
        r.listen = value;
    }
    QCOMPARE(problem.isEmpty(), fine);
    QVERIFY(!problem.contains(QLatin1Char('\n')));
    // the request's problem names the field
    const QString whole = NewApi::problem(r);
    QCOMPARE(whole.isEmpty(), fine);
    if (!fine)
        QVERIFY2(whole.startsWith(field), qPrintable(whole));
    // what the wizard accepts reads back with no error
    if (fine) {
        const QByteArray text = NewApi::create(r, sample(QStringLiteral("echo.asyncapi.yaml")));
        const ReadResult read = AsyncApiReader::readData(text, QStringLiteral("new.yaml"));
        QVERIFY(read.ok());
    }
}

void TestNewApi::badRequestOrStartWritesNothing()
{
    NewApi::Request r = request(AsyncApiWriter::TargetVersion::V2_6);
    r.context = QStringLiteral("chats");
    QString error;
    QVERIFY(NewApi::create(r, {}, &error).isEmpty());
    QVERIFY(error.startsWith(QStringLiteral("context: ")));

    error.clear();
    QVERIFY(NewApi::create(request(AsyncApiWriter::TargetVersion::V2_6), "asyncapi: [", &error)
                .isEmpty());
    QVERIFY(error.startsWith(QStringLiteral("The starting point cannot be read")));
}

void TestNewApi::suggestedFileName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("file");
    QTest::newRow("one word") << "Chats"
                              << "chats.asyncapi.yaml";
    QTest::newRow("words") << "Market Data  Feed!"
                           << "market-data-feed.asyncapi.yaml";
    QTest::newRow("nothing usable") << "!!!"
                                    << "api.asyncapi.yaml";
}

void TestNewApi::suggestedFileName()
{
    QFETCH(QString, name);
    QFETCH(QString, file);
    QCOMPARE(NewApi::suggestedFileName(name), file);
}

QTEST_GUILESS_MAIN(TestNewApi)
#include "tst_newapi.moc"
