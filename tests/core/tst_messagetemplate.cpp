// SPDX-License-Identifier: GPL-3.0-or-later
// Variables in a message to send.
#include "client/messagetemplate.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTest>

using Gatehouse::Client::MessageTemplate;

class TestMessageTemplate final : public QObject
{
    Q_OBJECT

private slots:
    void expands()
    {
        qputenv("GATEHOUSE_TEST_ROOM", "room 7");
        QString error;
        const QString out = MessageTemplate::expand(
            QStringLiteral(
                R"({"id": "{{uuid}}", "n": {{counter}}, "room": "{{ env.GATEHOUSE_TEST_ROOM }}", "at": {{timestamp}}, "iso": "{{isoTime}}", "r": {{random}}})"),
            42, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(QRegularExpression(QStringLiteral(R"("id": "[0-9a-f]{8}-[0-9a-f]{4}-)"))
                    .match(out)
                    .hasMatch());
        QVERIFY(out.contains(u"\"n\": 42"));
        QVERIFY(out.contains(u"\"room\": \"room 7\""));
        const qint64 at = QRegularExpression(QStringLiteral(R"("at": (\d+))"))
                              .match(out)
                              .captured(1)
                              .toLongLong();
        QVERIFY(qAbs(at - QDateTime::currentMSecsSinceEpoch()) < 10000);
        QVERIFY(out.contains(u"\"iso\": \"20"));
        // two sends, two UUIDs
        QVERIFY(MessageTemplate::expand(QStringLiteral("{{uuid}}"), 1, &error)
                != MessageTemplate::expand(QStringLiteral("{{uuid}}"), 1, &error));
        // text without variables is left alone, braces included
        QCOMPARE(MessageTemplate::expand(QStringLiteral("{\"a\": {}}"), 1, &error),
                 QStringLiteral("{\"a\": {}}"));
        QVERIFY(MessageTemplate::hasVariables(QStringLiteral("x {{counter}}")));
        QVERIFY(!MessageTemplate::hasVariables(QStringLiteral("{{ }}")));
    }

    void problems()
    {
        QString error;
        QVERIFY(MessageTemplate::expand(QStringLiteral("{{nope}}"), 1, &error).isEmpty());
        QVERIFY2(error.startsWith(u"{{nope}} is not a variable"), qPrintable(error));
        qunsetenv("GATEHOUSE_TEST_UNSET");
        error.clear();
        QVERIFY(MessageTemplate::expand(QStringLiteral("{{env.GATEHOUSE_TEST_UNSET}}"), 1, &error)
                    .isEmpty());
        QCOMPARE(error,
                 QStringLiteral("{{env.GATEHOUSE_TEST_UNSET}}: the environment variable "
                                "GATEHOUSE_TEST_UNSET is not set"));
    }
};

QTEST_GUILESS_MAIN(TestMessageTemplate)
#include "tst_messagetemplate.moc"
