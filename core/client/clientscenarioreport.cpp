// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/clientscenarioreport.h"

#include <QSaveFile>
#include <QXmlStreamWriter>

namespace Gatehouse::Client {

namespace {

using Outcome = ClientScenarioRunner::Outcome;

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 3);
}

void writeStep(QXmlStreamWriter &xml, const QString &className,
               const ClientScenarioRunner::StepResult &step)
{
    xml.writeStartElement(QStringLiteral("testcase"));
    xml.writeAttribute(QStringLiteral("classname"), className);
    xml.writeAttribute(QStringLiteral("name"),
                       QStringLiteral("%1 %2").arg(step.number).arg(step.description));
    xml.writeAttribute(QStringLiteral("time"), seconds(step.durationMs));
    if (step.outcome == Outcome::Failed) {
        xml.writeStartElement(QStringLiteral("failure"));
        xml.writeAttribute(QStringLiteral("message"), step.message);
        xml.writeEndElement();
    } else if (step.outcome == Outcome::Skipped) {
        xml.writeStartElement(QStringLiteral("skipped"));
        xml.writeAttribute(QStringLiteral("message"), step.message);
        xml.writeEndElement();
    }
    xml.writeEndElement();
}

} // namespace

QString ClientScenarioReport::stepLine(const ClientScenarioRunner::StepResult &step)
{
    switch (step.outcome) {
    case Outcome::Passed:
        return QStringLiteral("ok %1 %2 (%3 ms)")
            .arg(step.number)
            .arg(step.description)
            .arg(step.durationMs);
    case Outcome::Failed:
        return QStringLiteral("FAILED %1 %2 (%3 ms): %4")
            .arg(step.number)
            .arg(step.description)
            .arg(step.durationMs)
            .arg(step.message);
    case Outcome::Skipped:
        break;
    }
    return QStringLiteral("skipped %1 %2: %3").arg(step.number).arg(step.description, step.message);
}

QString ClientScenarioReport::summary(const ClientScenarioRunner::Result &result)
{
    QString text = QStringLiteral("%1 passed, %2 failed")
                       .arg(result.count(Outcome::Passed))
                       .arg(result.count(Outcome::Failed));
    if (const int skipped = result.count(Outcome::Skipped))
        text += QStringLiteral(", %1 skipped").arg(skipped);
    return text;
}

QByteArray ClientScenarioReport::junitXml(const ClientScenario &scenario,
                                          const ClientScenarioRunner::Result &result)
{
    const bool error = !result.connectionError.isEmpty();
    const QString tests = QString::number(result.steps.size() + (error ? 1 : 0));
    const QString failures = QString::number(result.count(Outcome::Failed));
    const QString errors = error ? QStringLiteral("1") : QStringLiteral("0");
    const QString skipped = QString::number(result.count(Outcome::Skipped));

    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("testsuites"));
    for (const auto &[name, value] : {std::pair {QStringLiteral("tests"), tests},
                                      {QStringLiteral("failures"), failures},
                                      {QStringLiteral("errors"), errors},
                                      {QStringLiteral("skipped"), skipped},
                                      {QStringLiteral("time"), seconds(result.durationMs)}}) {
        xml.writeAttribute(name, value);
    }
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), scenario.name);
    xml.writeAttribute(QStringLiteral("file"), scenario.fileName);
    xml.writeAttribute(QStringLiteral("tests"), tests);
    xml.writeAttribute(QStringLiteral("failures"), failures);
    xml.writeAttribute(QStringLiteral("errors"), errors);
    xml.writeAttribute(QStringLiteral("skipped"), skipped);
    xml.writeAttribute(QStringLiteral("time"), seconds(result.durationMs));
    if (error) {
        xml.writeStartElement(QStringLiteral("testcase"));
        xml.writeAttribute(QStringLiteral("classname"), scenario.name);
        xml.writeAttribute(QStringLiteral("name"), QStringLiteral("open connections"));
        xml.writeAttribute(QStringLiteral("time"), seconds(result.durationMs));
        xml.writeStartElement(QStringLiteral("error"));
        xml.writeAttribute(QStringLiteral("message"), result.connectionError);
        xml.writeEndElement();
        xml.writeEndElement();
    }
    for (const ClientScenarioRunner::StepResult &step : result.steps)
        writeStep(xml, scenario.name, step);
    xml.writeEndElement();
    xml.writeEndElement();
    xml.writeEndDocument();
    return out;
}

bool ClientScenarioReport::writeJUnit(const QString &path, const ClientScenario &scenario,
                                      const ClientScenarioRunner::Result &result, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(junitXml(scenario, result)) < 0
        || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Gatehouse::Client
