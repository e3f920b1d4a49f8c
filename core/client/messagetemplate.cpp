// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/messagetemplate.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUuid>

namespace Gatehouse::Client {

namespace {

const QRegularExpression &variablePattern()
{
    static const QRegularExpression re(QStringLiteral("\\{\\{\\s*([A-Za-z0-9_.]+)\\s*\\}\\}"));
    return re;
}

} // namespace

bool MessageTemplate::hasVariables(const QString &text)
{
    return text.contains(QStringLiteral("{{")) && variablePattern().match(text).hasMatch();
}

QString MessageTemplate::expand(const QString &text, quint64 counter, QString *error)
{
    if (!text.contains(QStringLiteral("{{")))
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    QRegularExpressionMatchIterator it = variablePattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        const QString name = m.captured(1);
        if (name == u"uuid") {
            out += QUuid::createUuid().toString(QUuid::WithoutBraces);
        } else if (name == u"timestamp") {
            out += QString::number(QDateTime::currentMSecsSinceEpoch());
        } else if (name == u"isoTime") {
            out += QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        } else if (name == u"counter") {
            out += QString::number(counter);
        } else if (name == u"random") {
            out += QString::number(QRandomGenerator::global()->bounded(1000000));
        } else if (name.startsWith(u"env.") && name.size() > 4) {
            const QString variable = name.mid(4);
            if (!qEnvironmentVariableIsSet(variable.toLocal8Bit().constData())) {
                if (error)
                    *error = QStringLiteral("{{%1}}: the environment variable %2 is not set")
                                 .arg(name, variable);
                return {};
            }
            out += qEnvironmentVariable(variable.toLocal8Bit().constData());
        } else {
            if (error)
                *error = QStringLiteral("{{%1}} is not a variable (uuid, timestamp, isoTime, "
                                        "counter, random, env.NAME)")
                             .arg(name);
            return {};
        }
    }
    out += QStringView(text).mid(last);
    return out;
}

} // namespace Gatehouse::Client
